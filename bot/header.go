package bot

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/racebot/racebot/flows"
)

// headerEvery is the least time between two rewrites of a plan's header.
// The header is a glance at the plan's progress, while every rewrite is a
// chat.update (about fifty a minute for a whole workspace) that waits its
// channel's turn with the thread's replies: a thread answered several
// times a minute has its progress gathered into one rewrite a minute.
const headerEvery = time.Minute

// headersKept bounds the plans whose header's last progress line is
// remembered; past it, the lines are forgotten, and a plan's next change
// rewrites its header once even if its progress is the same.
const headersKept = 4096

// headerLanes is how many of a workspace's header rewrites are out at
// once (see lanes). chat.update is one of Slack's busier limits, about
// fifty a minute for a workspace, so more would only wait there.
const headerLanes = 4

// headers keeps each plan's header in the channel up to date with the
// plan's progress, paced per plan (see paced): each rewrite reads the
// plan afresh.
type headers struct {
	*paced[headerID]
	lanes *lanes

	mu sync.Mutex
	// shown is the progress line each header shows, as last posted or
	// rewritten.
	shown map[headerID]string
}

type headerID struct {
	team string
	plan flows.PlanID
}

func newHeaders(b *Bot, every time.Duration) *headers {
	const what = "update plan header"
	h := &headers{shown: map[headerID]string{}, lanes: newLanes(headerLanes, b.tracked(what), b.recover, what)}
	h.paced = newPaced(every, time.Now, func(id headerID) {
		// Under the bot's base context, which shutdown cancels past its
		// deadline, as a Home publish is.
		b.updateHeader(withTeam(b.base, "", id.team), id)
	}, func(id headerID, fn func()) { h.lanes.run(id.team, fn) })
	h.most = headersKept
	// A rewrite waiting at shutdown goes out then: nothing would bring
	// the header up to date after a restart but the plan's next change.
	h.flush = true
	return h
}

// posted notes the progress line of a header just posted: the next
// change waits out the interval from now.
func (h *headers) posted(id headerID, line string) {
	h.note(id, line)
	h.paced.posted(id)
}

func (h *headers) note(id headerID, line string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if len(h.shown) >= headersKept {
		clear(h.shown)
	}
	h.shown[id] = line
}

func (h *headers) showing(id headerID) string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.shown[id]
}

// updateHeader rewrites a plan's header when its progress line changed.
//
// Several racebots on one database each rewrite the headers of the plans
// they change, and a rewrite read before another racebot's change may land
// after the one that shows it; chat.update takes no version to refuse it
// by. So once a rewrite lands the plan is read again, and if its line
// would read differently the header is rewritten once more at the end of
// the interval, as any change is: rewriting at once would, under steady
// answers, spend several chat.updates of the workspace's limit per
// interval, each change that landed while a rewrite was out costing one.
func (b *Bot) updateHeader(ctx context.Context, id headerID) {
	p, err := b.svc.Plan(ctx, id.team, id.plan)
	switch {
	case errors.Is(err, flows.ErrNoPlan):
		return
	case err != nil:
		b.log.Warn("update plan header: plan", "plan", id.plan, "err", err)
		return
	case p.Thread == "":
		return
	}
	line := progressLine(b.cat, p)
	if line == b.headers.showing(id) {
		return
	}
	err = b.poster.update(ctx, p.Channel, p.Thread, headerMessage(b.cat, p))
	switch {
	case err == nil:
		b.headers.note(id, line)
	case slackRefusal(err, "message_not_found", "cant_update_message"):
		// Deleted in Slack, the header is left so: the thread goes on
		// without it.
		b.headers.note(id, line)
		return
	default:
		b.failed(ctx, "update plan header", err, "plan", p.ID)
		return
	}
	p, err = b.svc.Plan(ctx, id.team, id.plan)
	if err == nil && progressLine(b.cat, p) != line {
		b.headers.rerun(id)
	}
}
