package bot

import (
	"cmp"
	"context"
	"strings"
	"time"

	"github.com/racebot/racebot/coach"
	"github.com/racebot/racebot/flows"
	"github.com/slack-go/slack"
)

// What a placeholder stands for (coach.Placeholder.What).
const (
	placeholderDraft  = "draft"
	placeholderReview = "review"
	placeholderKPIs   = "kpis"
)

// streamLimit bounds the work behind a placeholder: the model's requests,
// each bounded by the client and retried a few times, end well inside it.
// Past it the work stops as at shutdown, and the built-in help it leaves
// is shown.
const streamLimit = 4 * time.Minute

// placeholderLeft is how long after its post a placeholder still recorded
// is one its racebot left (killed, or cut off from Slack): past
// streamLimit and the final update's and the take-down's bounds, and not
// before the hold its work took has run out (a review's; a draft's is as
// long): the note that replaces it says to ask again, which that hold
// would turn away as already on its way.
var placeholderLeft = max(streamLimit+2*claimedPostTimeout+time.Minute, coach.WorkReview.Bound())

// placeholderPost bounds the post of a placeholder. Its record made
// before the post counts toward placeholderLeft from then (see
// Bot.streamed): a post left to take longer than placeholderLeft's spare
// minute could still be going on, and its work after it, when a sweep
// took the record for one left and replaced the draft it became.
const placeholderPost = 30 * time.Second

// placeholderLease keeps two racebots from replacing one placeholder at
// once: past the update, which claimedPostTimeout bounds.
const placeholderLease = 30 * time.Second

// keepPlaceholder records a placeholder about to be posted or just
// posted, reporting whether it was recorded. One that was not is still
// replaced by its work as before; only a kill meanwhile would leave it.
func (b *Bot) keepPlaceholder(ctx context.Context, ph coach.Placeholder) bool {
	if err := b.svc.AddPlaceholder(ctx, ph); err != nil {
		b.log.Warn("keep placeholder", "channel", ph.Channel, "ts", ph.TS, "err", err)
		return false
	}
	return true
}

// dropPlaceholder forgets a placeholder replaced or taken down. One left
// recorded is read again by placeholderTick, which replaces it with the
// note that its work was interrupted unless the result stands there. So
// it is forgotten though shutdown began, and with time of its own, not
// what an update that took long to be answered left over.
func (b *Bot) dropPlaceholder(ctx context.Context, ph coach.Placeholder) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), claimedPostTimeout)
	defer cancel()
	if err := b.svc.RemovePlaceholder(ctx, ph); err != nil {
		b.log.Warn("drop placeholder", "channel", ph.Channel, "ts", ph.TS, "err", err)
	}
}

// placeholderTick replaces the placeholders left by racebots that stopped
// (killed, crashed) between posting one and replacing it with the work's
// result, here or in another racebot on the store: the thread would
// otherwise promise a draft or a review that is not coming. The work is
// not run again; the message says it was interrupted and how to ask again.
// One recorded only before its post is looked for in its thread first: it
// may have gone out, or not.
func (b *Bot) placeholderTick(ctx context.Context) {
	now := b.now()
	left, err := b.svc.LeftPlaceholders(ctx, now.Add(-placeholderLeft), now)
	if err != nil {
		if ctx.Err() == nil {
			b.log.Error("list placeholders", "err", err)
		}
		return
	}
	for _, ph := range left {
		if ctx.Err() != nil {
			return
		}
		tctx := withTeam(ctx, "", ph.Team)
		if !b.serves(tctx, tenant{team: ph.Team}) {
			continue
		}
		held, err := b.svc.Lease(tctx, ph.Team, "placeholder:"+ph.Channel+"/"+cmp.Or(ph.TS, ph.Key), placeholderLease, now)
		if err != nil || !held {
			if err != nil {
				b.log.Warn("lease placeholder", "channel", ph.Channel, "ts", ph.TS, "key", ph.Key, "err", err)
			}
			continue
		}
		b.replaceLeft(tctx, ph)
	}
}

// replaceLeft replaces one placeholder left behind, first finding it in
// its thread when its racebot stopped before it knew its ts. Slack's
// failures leave it for a later tick; its refusals, which would come
// again, give it up.
func (b *Bot) replaceLeft(ctx context.Context, ph coach.Placeholder) {
	ctx, cancel := context.WithTimeout(ctx, claimedPostTimeout)
	defer cancel()
	if ph.TS == "" {
		// Looked for from before the record: the post came after it.
		ts, found, err := b.poster.find(ctx, ph.Channel, ph.Thread, ph.Key, ph.PostedAt.Add(-lookBack))
		switch {
		case err != nil && !declinedForGood(err):
			b.log.Warn("look for left placeholder", "channel", ph.Channel, "key", ph.Key, "err", err)
			return
		case err != nil, !found:
			// The thread refused for good, or not in it long past its
			// post, when Slack would show it: it never went out.
			b.dropPlaceholder(ctx, ph)
			return
		}
		ph.TS = ts
	} else {
		// Its work may have shown the result after all, Slack losing
		// the answer to the edit (see Bot.streamed), or been killed just
		// after: a result is left as it is, and only a placeholder (or
		// a partial text) is replaced.
		m, found, err := b.poster.message(ctx, ph.Channel, ph.TS)
		switch {
		case err != nil && !declinedForGood(err):
			b.log.Warn("read left placeholder", "channel", ph.Channel, "ts", ph.TS, "err", err)
			return
		case err == nil && (!found || !stillWorking(m)):
			b.dropPlaceholder(ctx, ph)
			return
		}
	}
	err := b.poster.update(ctx, ph.Channel, ph.TS, msgMessage("interrupted", interrupted(ph.What)))
	if err != nil && !declinedForGood(err) {
		b.log.Warn("replace left placeholder", "channel", ph.Channel, "ts", ph.TS, "err", err)
		return
	}
	b.dropPlaceholder(ctx, ph)
}

// stillWorking reports whether m is a placeholder or a partial text,
// not the result that replaced it.
func stillWorking(m slack.Message) bool {
	bs := m.Blocks.BlockSet
	return len(bs) > 0 && strings.HasPrefix(bs[0].ID(), workingBlock)
}

// workingBlock is the block ID of what a placeholder says while its work
// is under way.
const workingBlock = "working"

// interrupted is what a placeholder left behind says instead.
func interrupted(what string) flows.Msg {
	switch what {
	case placeholderReview:
		return flows.Sayf("🔎 The review was interrupted before it was ready; please ask for it again.")
	case placeholderKPIs:
		return flows.Sayf("✍️ The KPI suggestions were interrupted before they were ready; please ask for them again.")
	}
	return flows.Sayf("✍️ Drafting was interrupted before the draft was ready; reply %s to ask again.", flows.Code("draft"))
}
