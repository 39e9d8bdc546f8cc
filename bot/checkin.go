package bot

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/racebot/racebot/coach"
	"github.com/racebot/racebot/flows"
	"github.com/racebot/racebot/markup"
	"github.com/racebot/racebot/report"
	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
)

const (
	actionEnterValues = "race_enter_values"
	callbackValues    = "race_checkin_values"
	valueActionID     = "value"
)

// checkinPoll is how often check-ins due for a reminder or a close are
// looked for.
const checkinPoll = time.Minute

// claimedPostTimeout bounds the post that follows a claim: a nudge, a
// close, or a check-in whose occurrence the scheduler claimed. The post
// runs under a context that shutdown does not cancel: what was claimed is
// posted, or its failure logged, never silently dropped.
const claimedPostTimeout = 8 * time.Second

// summaryDrawing bounds a drawing of a check-in's summary, pacing and the
// client's retries included: a drawing still going then is cut, with the
// request in flight, and left to the mark (see updateSummary). It is less
// than all the client's tries and waits could take. summaryLands, the
// time a drawing is marked to land within, adds one call's bound
// (apiTimeout) for a request Slack took before the cut and applies after
// it: 2m30s.
const (
	summaryDrawing = apiRetries * apiTimeout
	summaryLands   = summaryDrawing + apiTimeout
)

// OpenCheckin starts a check-in for a plan: the opening message in the
// plan's channel (its thread is where owners answer) and a summary message
// in the thread that is edited in place as values arrive. The scheduler
// calls it once per occurrence, after claiming the occurrence; nobody else
// will post it, so it runs to the end under a context that shutdown does
// not cancel, bounded like the post of a claimed nudge or close. late and
// missed are the scheduler's Job.Late and Job.Missed: the opening says
// what was missed while racebot was down, late or on time.
//
// The scheduler calls it again when a try failed before anything could
// have been posted (the error wraps ErrNotPosted) or when a try lost
// Slack's answer and could not look for the post (ErrMaybePosted). The
// check-in is then the one the earlier try opened, and what that try may
// have posted is looked for before anything is posted again.
func (b *Bot) OpenCheckin(ctx context.Context, team string, plan flows.PlanID, occurrence string, late bool, missed int) (int64, error) {
	return b.openCheckin(ctx, team, plan, occurrence, late, missed, false, time.Time{})
}

// RecoverCheckin finishes the check-in of an occurrence whose scheduler
// stopped mid-post, when nobody knows what went out: it looks in the
// plan's channel for the opening and in its thread for the summary,
// records what it finds, and posts only what is missing. A check-in not
// recorded at all is looked for from due on, as it cannot have been
// posted before it was due.
func (b *Bot) RecoverCheckin(ctx context.Context, team string, plan flows.PlanID, occurrence string, late bool, missed int, due time.Time) (int64, error) {
	return b.openCheckin(ctx, team, plan, occurrence, late, missed, true, due)
}

func (b *Bot) openCheckin(ctx context.Context, team string, plan flows.PlanID, occurrence string, late bool, missed int, recovering bool, due time.Time) (int64, error) {
	ctx, cancel := b.claimBound(context.WithoutCancel(onTeam(ctx, team)))
	defer cancel()
	now := b.now()
	v, err := b.svc.OpenCheckin(ctx, team, plan, occurrence, late, now)
	if err != nil {
		return 0, err
	}
	c := v.Checkin
	// An earlier try posted no earlier than it opened the check-in.
	look, since := recovering || v.Resumed, due
	if v.Resumed {
		since = c.OpenedAt
	}
	since = since.Add(-lookBack)

	thread, summary := c.Thread, c.SummaryTS
	found := thread != ""
	unseen := false // the opening stood in the channel unknown here
	if thread == "" {
		key := openingKey(c)
		if look {
			ts, ok, err := b.poster.find(ctx, c.Channel, "", key, since)
			switch {
			case refused(err):
				// Not in the channel, or not allowed to read it: another
				// try would be refused the same.
				return c.ID, fmt.Errorf("look for check-in: %w", err)
			case err != nil:
				return c.ID, fmt.Errorf("look for check-in: %w: %w", ErrMaybePosted, err)
			}
			thread, found = ts, ok
		}
		if !found {
			opening, dueActions := openingText(v, late, missed, now)
			ts, looked, err := b.poster.postOrFind(ctx, c.Channel, "", key, checkinOpening(v.Plan, opening, dueActions))
			if err != nil {
				b.metrics.Checkin("failed")
				return c.ID, fmt.Errorf("post check-in: %w", err)
			}
			thread, unseen = ts, looked
		}
	}
	recordedFirst := thread != c.Thread
	if thread != c.Thread {
		// A reply finds its check-in only by the thread recorded here, so
		// it is recorded before the summary is posted, which may wait on
		// Slack's pace.
		if err := b.svc.CheckinPosted(ctx, c.ID, thread, summary); err != nil {
			if errors.Is(err, flows.ErrNoCheckin) {
				// The plan was deleted while its check-in was posted: the
				// opening would stand for a plan that is gone, and
				// replies in its thread would find nothing.
				b.withdrawCheckin(ctx, c, thread)
				return c.ID, fmt.Errorf("check-in of a plan deleted meanwhile: %w", err)
			}
			// The check-in is out but its thread is not recorded: another
			// try finds the opening and records it.
			return c.ID, fmt.Errorf("%w: %w", ErrMaybePosted, err)
		}
		c.Thread = thread
		if found || unseen {
			// The opening stood in the channel before its thread was
			// known here (found by a later try, or Slack's answer lost
			// and the channel searched): replies written meanwhile
			// matched no check-in. Catch-up reads them back, each
			// recorded once.
			b.requestCatchup()
		}
	}
	if summary == "" {
		summary = b.postSummary(ctx, v, thread, found, since, now)
	}
	if summary != c.SummaryTS {
		if err := b.svc.CheckinPosted(ctx, c.ID, thread, summary); err != nil {
			if errors.Is(err, flows.ErrNoCheckin) {
				// Deleted with its plan since its thread was recorded;
				// the thread is known as a deleted plan's.
				return c.ID, fmt.Errorf("check-in of a plan deleted meanwhile: %w", err)
			}
			// The check-in is out but its thread is not recorded: another
			// try finds the opening and records it.
			return c.ID, fmt.Errorf("%w: %w", ErrMaybePosted, err)
		}
		c.SummaryTS = summary
		if recordedFirst {
			// Values given between the thread's record and the summary's
			// post could not refresh a summary not posted yet, and the
			// summary was drawn without them.
			b.summaryCatchesUp(ctx, team, v, c)
		}
	}
	b.remindCapability(ctx, team, v.Plan, thread, occurrence, look, since)
	switch {
	case found:
		b.metrics.Checkin("recovered")
	case late:
		b.metrics.Checkin("caught_up")
	default:
		b.metrics.Checkin("posted")
	}
	return c.ID, nil
}

// withdrawCheckin takes down the opening of a check-in whose plan was
// deleted while it was being posted.
func (b *Bot) withdrawCheckin(ctx context.Context, c flows.Checkin, thread string) {
	if _, _, err := b.slack(ctx).DeleteMessageContext(ctx, c.Channel, thread); err != nil {
		b.log.Warn("remove check-in of a deleted plan", "checkin", c.ID, "ts", thread, "err", err)
	}
}

// summaryCatchesUp refreshes a check-in's summary just posted from v if
// values were given in its thread since v was read.
func (b *Bot) summaryCatchesUp(ctx context.Context, team string, v coach.CheckinView, c flows.Checkin) {
	now, err := b.svc.Checkin(ctx, team, c.ID)
	if err != nil {
		b.log.Warn("check-in summary: reload", "checkin", c.ID, "err", err)
		return
	}
	if givenIn(now, c.ID) != givenIn(v, c.ID) {
		b.refreshSummary(ctx, c)
	}
}

// givenIn counts the values given in check-in id.
func givenIn(v coach.CheckinView, id int64) int {
	n := 0
	for _, list := range v.Values {
		for _, m := range list {
			if m.Checkin == id {
				n++
			}
		}
	}
	return n
}

// openingText is a check-in's opening message and the actions it asks
// about.
func openingText(v coach.CheckinView, late bool, missed int, now time.Time) (flows.Msg, []flows.Action) {
	p := v.Plan
	// Owners are the team's text: a mention pings its person, while one
	// typed as "<!channel>" is shown, not broadcast (see slackUserText).
	opening := flows.OpeningText(p.Name, p.KPIs, v.Values, late, missed)
	// The actions due before the next check-in (a week, at the usual pace)
	// are asked about too.
	dueActions := p.ActionsDue(now.AddDate(0, 0, 7))
	if due := flows.ActionsDueText(dueActions, now); len(due) > 0 {
		opening = flows.Lines(opening, due)
	}
	return opening, dueActions
}

// postSummary posts a check-in's summary in its thread and returns its ts,
// or "" when it could not be posted: the check-in stands without it. In a
// thread found already posted, the summary may be there too; it is looked
// for first, and nothing is posted when the thread cannot be read.
func (b *Bot) postSummary(ctx context.Context, v coach.CheckinView, thread string, look bool, since, now time.Time) string {
	c := v.Checkin
	key := summaryKey(c)
	if look {
		ts, ok, err := b.poster.find(ctx, c.Channel, thread, key, since)
		if err != nil {
			b.log.Warn("look for check-in summary", "checkin", c.ID, "err", err)
			return ""
		}
		if ok {
			return ts
		}
	}
	summary := checkinSummaryMessage(c.ID, v.Plan, flows.SummarizeCheckin(v.Plan.KPIs, v.Values, c.ID, now))
	ts, err := b.poster.postOnce(ctx, c.Channel, thread, key, summary)
	if err != nil {
		b.log.Warn("post check-in summary", "checkin", c.ID, "err", err)
		return ts
	}
	b.drew(ctx, c, givenSignature(v, c.ID))
	return ts
}

// Keys of the messages of a check-in (see poster.postOnce). A scheduled
// check-in's opening is named by plan and occurrence, which every try of
// the occurrence knows before it has a check-in; one run by hand has no
// other try and is named by its id.
func openingKey(c flows.Checkin) string {
	if c.Occurrence != "" {
		return fmt.Sprintf("checkin:%d:%s", c.Plan, c.Occurrence)
	}
	return fmt.Sprintf("checkin:%d", c.ID)
}

func summaryKey(c flows.Checkin) string { return fmt.Sprintf("summary:%d", c.ID) }
func nudgeKey(c flows.Checkin) string   { return fmt.Sprintf("nudge:%d", c.ID) }
func closeKey(c flows.Checkin) string   { return fmt.Sprintf("close:%d", c.ID) }

// replyKey names the reply to a delivery (an event, a form submission):
// Slack redelivers what it thinks was not acknowledged.
func replyKey(delivery string) string { return "reply:" + delivery }

func checkinSummaryMessage(id int64, p *flows.Plan, s flows.CheckinSummary) message {
	ids := blockIDs{}
	text := mrkdwn(s.Text("Progress"))
	blocks := sections(ids, "summary", text)
	if s.Total > 0 {
		blocks = append(blocks, slack.NewActionBlock(ids.next("summary-buttons"),
			button(actionEnterValues, "Enter values", strconv.FormatInt(id, 10), "primary")))
	}
	return message{Text: text, Blocks: blocks}
}

// checkinReply records values written in a check-in thread, confirms what
// was understood and updates the summary. Text that cannot be read gets a
// question back, to its author only, and records nothing.
func (b *Bot) checkinReply(ctx context.Context, team, key string, c flows.Checkin, m *slackevents.MessageEvent, text string) error {
	resp, err := b.svc.CheckinReply(ctx, coach.Request{
		Team: team, Channel: m.Channel, User: m.User, Now: b.now(),
		Plan: c.Plan, Checkin: c.ID, Key: key, TS: m.TimeStamp,
	}, text)
	if err != nil {
		return b.explainOnce(ctx, team, key, err, "check-in reply", m)
	}
	if resp.Duplicate {
		return nil
	}
	b.confirmCheckinReply(ctx, c, m.Channel, m.ThreadTimeStamp, key, resp)
	return nil
}

// confirmCheckinReply says in check-in c's thread what a reply (its
// message's key) recorded, once, and updates the summary.
func (b *Bot) confirmCheckinReply(ctx context.Context, c flows.Checkin, channel, thread, key string, resp coach.Response) {
	b.later(ctx, "check-in reply", func(ctx context.Context) {
		if _, err := b.poster.postOnce(ctx, channel, thread, replyKey(key), renderReplies(resp.Plan, resp.Replies)); err != nil {
			b.log.Error("confirm values", "err", err)
		}
		b.refreshSummary(ctx, c)
	})
}

// refreshSummary edits the check-in's summary message to the latest values.
//
// Two values recorded at once each ask for a refresh, and the one that
// read the check-in first may reach Slack last, leaving the summary a
// value behind. So one check-in's refreshes take turns, and a refresh
// asked for while another runs is folded into one more run after it,
// which reads the values as they are by then. Another racebot on the
// database takes no such turns, so a drawing that lands is followed by
// another while the values it read have changed since (see updateSummary).
func (b *Bot) refreshSummary(ctx context.Context, c flows.Checkin) {
	if c.SummaryTS == "" {
		return
	}
	if !b.summaries.begin(c.ID) {
		return
	}
	for {
		b.summaryRound(ctx, c)
		if !b.summaries.again(c.ID) {
			return
		}
	}
}

// summaryRound draws c's summary, and draws it again for as long as
// another racebot's changes land under it. What goes on past a shutdown's
// cancel (the look after a drawing landed, the drawings again and their
// looks) shares one bound, from the first look: a stopping racebot waits
// for it once, within the time its README gives pending work, not once
// for each step. The next round gets its own: one begun after this bound
// ran out (a refresh asked for meanwhile) would find it spent.
func (b *Bot) summaryRound(ctx context.Context, c flows.Checkin) {
	past := &pastBound{make: func() (context.Context, context.CancelFunc) { return b.pastCancel(ctx) }}
	defer past.stop()
	// The drawings again go on though racebot is stopping: the store says
	// the values they draw are drawn, so only the mark left in the store
	// (see updateSummary) would have a tick draw them after it stopped.
	for changed := b.updateSummary(ctx, c, nil, past); changed != nil; {
		changed = b.updateSummary(past.ctx(), c, changed, past)
	}
}

// pastBound is a bound past a shutdown's cancel, made when first needed
// and shared by what follows. One goroutine uses it.
type pastBound struct {
	make   func() (context.Context, context.CancelFunc)
	bound  context.Context
	cancel context.CancelFunc
}

func (p *pastBound) ctx() context.Context {
	if p.bound == nil {
		p.bound, p.cancel = p.make()
	}
	return p.bound
}

func (p *pastBound) stop() {
	if p.cancel != nil {
		p.cancel()
	}
}

// pastCancel is pastCancel bounded by claimedPostTimeout, or by the
// test's stand-in for the bound of a claim (see Bot.claimExpiry).
func (b *Bot) pastCancel(ctx context.Context) (context.Context, context.CancelFunc) {
	if b.claimExpiry != nil {
		return b.claimExpiry(context.WithoutCancel(ctx))
	}
	return pastCancel(ctx, claimedPostTimeout)
}

// pastCancel is ctx not cancelled with it (by a shutdown), ending d from
// now or at ctx's own deadline if that is sooner: nested, such work keeps
// the outer bound rather than starting a new one each time, so shutdown
// is not held for a multiple of d.
func pastCancel(ctx context.Context, d time.Duration) (context.Context, context.CancelFunc) {
	end := time.Now().Add(d)
	if dl, ok := ctx.Deadline(); ok && dl.Before(end) {
		end = dl
	}
	return context.WithDeadline(context.WithoutCancel(ctx), end)
}

// summaryRefreshes tracks the check-ins whose summary is being refreshed,
// and whether another refresh was asked for meanwhile, and what values
// each summary was last drawn with here.
type summaryRefreshes struct {
	mu      sync.Mutex
	running map[int64]bool         // check-in id -> asked for again
	drawn   map[int64]drawnSummary // check-in id -> what it shows
}

// drawnSummary is what a check-in's summary was last drawn (or tried)
// with here.
type drawnSummary struct {
	sig uint64 // givenSignature of the values
	// tries counts the failed tries to draw sig; 0 when it was drawn.
	tries int
	// redraws counts the failed tries to draw sig again once it was
	// drawn: only the store's mark (see stale) asks for those, and a
	// refusal Slack repeats must not have every tick try again.
	redraws int
	// overdrawn: a drawing here may have landed over newer values, whose
	// record as drawn (drawnKey) then no longer holds; the tick draws
	// the values as they stand, whatever the store says, until a drawing
	// lands here.
	overdrawn bool
	// retry, when set, is when a summary whose tries ran out on failures
	// Slack may not repeat (see failedForNow) is tried again.
	retry time.Time
}

// summaryTries bounds the ticks that try a summary Slack keeps refusing:
// a summary deleted in Slack, or a channel racebot left, would be tried
// (and logged) every minute for as long as the check-in is open. The
// next value given tries again. A failure Slack may not repeat (a rate
// limit, a 5xx) outlasting them is tried again later, each wait twice
// the last, up to summaryRetryMax: left, the summary would show what it
// shows until a value changed.
const (
	summaryTries    = 3
	summaryRetryMax = 30 * time.Minute
)

// summariesPerTick bounds the summaries a tick rewrites: each is a
// chat.update, which Slack allows about fifty a minute per workspace, and
// a tick that rewrote hundreds would crowd out the replies to people. The
// rest wait for the next tick.
const summariesPerTick = 20

// shown notes the values a check-in's summary was drawn with.
func (r *summaryRefreshes) shown(id int64, sig uint64) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.drawn == nil {
		r.drawn = make(map[int64]drawnSummary)
	}
	r.drawn[id] = drawnSummary{sig: sig}
}

// failed notes a failed try to draw sig; a refusal Slack will repeat
// (gone) ends the tries at once, and a failure Slack may not repeat
// (forNow) once they ran out has the next try wait (see summaryTries).
func (r *summaryRefreshes) failed(id int64, sig uint64, gone, forNow bool, now time.Time) (tries int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.drawn == nil {
		r.drawn = make(map[int64]drawnSummary)
	}
	d, ok := r.drawn[id]
	switch {
	case ok && d.sig == sig && d.tries == 0:
		// Drawn with these values already: a rewrite failed that is
		// redundant unless the store marks the summary maybe behind.
		d.redraws++
		if gone {
			d.redraws = summaryTries
		}
		d.retry = retryAt(d.redraws, forNow && !gone, now)
		r.drawn[id] = d
		return d.redraws
	case !ok || d.sig != sig:
		d = drawnSummary{sig: sig, overdrawn: d.overdrawn}
	}
	d.tries++
	if gone {
		d.tries = summaryTries
	}
	d.retry = retryAt(d.tries, forNow && !gone, now)
	r.drawn[id] = d
	return d.tries
}

// retryAt is when a summary that failed tries times, the last for now or
// not, is tried again once its tries ran out: never (zero) after a
// failure Slack will repeat.
func retryAt(tries int, forNow bool, now time.Time) time.Time {
	if !forNow || tries < summaryTries {
		return time.Time{}
	}
	wait := summaryRetryMax
	if n := tries - summaryTries + 1; n < 16 {
		wait = min(checkinPoll<<n, summaryRetryMax)
	}
	return now.Add(wait)
}

// due reports whether a summary whose tries ran out is tried again at now.
func (d drawnSummary) due(now time.Time) bool {
	return !d.retry.IsZero() && !now.Before(d.retry)
}

// overdrew notes that a drawing here may have landed over newer values.
func (r *summaryRefreshes) overdrew(id int64) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.drawn == nil {
		r.drawn = make(map[int64]drawnSummary)
	}
	// A summary never drawn here is marked too: its first drawing may be
	// the one that landed over newer values.
	d := r.drawn[id]
	d.overdrawn = true
	r.drawn[id] = d
}

// overdrawn reports whether a drawing here may have landed over newer
// values, and no drawing landed here since.
func (r *summaryRefreshes) overdrawn(id int64) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.drawn[id].overdrawn
}

// stale reports whether a check-in's summary should be drawn with the
// values of signature sig: it was drawn here with others, or not at all
// (after a restart nobody here knows what it shows), or a try at sig
// failed and tries are left (or its wait is over), or the store marks it
// overdrawn (by any racebot: see Bot.updateSummary) and no try here failed
// for good.
func (r *summaryRefreshes) stale(id int64, sig uint64, marked bool, now time.Time) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	d, ok := r.drawn[id]
	switch {
	case !ok || d.sig != sig:
		return true
	case d.tries > 0:
		return d.tries < summaryTries || d.due(now)
	}
	return marked && (d.redraws < summaryTries || d.due(now))
}

// keep forgets the check-ins not in open, which have closed.
func (r *summaryRefreshes) keep(open map[int64]bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for id := range r.drawn {
		if !open[id] {
			delete(r.drawn, id)
		}
	}
}

// givenSignature names the values given in check-in id as they stand:
// it changes with a value given, corrected or withdrawn.
func givenSignature(v coach.CheckinView, id int64) uint64 {
	h := fnv.New64a()
	for _, k := range v.Plan.KPIs {
		for _, m := range v.Values[k.ID] {
			if m.Checkin == id {
				fmt.Fprintf(h, "%d=%s@%d by %s;", k.ID, flows.FormatValue(m.Value), m.At.UnixNano(), m.By)
			}
		}
	}
	return h.Sum64()
}

// drawnKey is the store's record that some racebot drew check-in c's
// summary with the values of signature sig: racebots on one database,
// and one restarted, leave a summary drawn so alone.
func drawnKey(c flows.Checkin, sig uint64) string {
	return fmt.Sprintf("summary-drawn:%d:%x", c.ID, sig)
}

// drew notes that c's summary shows the values of signature sig, here and
// in the store for the other racebots.
func (b *Bot) drew(ctx context.Context, c flows.Checkin, sig uint64) {
	b.summaries.shown(c.ID, sig)
	if _, err := b.svc.Once(ctx, c.Team, drawnKey(c, sig)); err != nil {
		b.log.Warn("check-in summary: record drawn", "checkin", c.ID, "err", err)
	}
}

// begin reports whether the caller should refresh, or leave it to the
// refresh already running, which will go round once more.
func (r *summaryRefreshes) begin(id int64) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.running == nil {
		r.running = make(map[int64]bool)
	}
	if _, busy := r.running[id]; busy {
		r.running[id] = true
		return false
	}
	r.running[id] = false
	return true
}

// again reports whether a refresh was asked for during the last run, and
// otherwise ends the turn.
func (r *summaryRefreshes) again(id int64) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.running[id] {
		r.running[id] = false
		return true
	}
	delete(r.running, id)
	return false
}

// updateSummary draws c's summary with its values as read now, or as v
// gives them when set. It returns the values as they stand after the
// drawing landed when they are no longer the ones drawn: another racebot
// may have drawn the newer ones before this drawing overwrote them, and
// having recorded them drawn, no racebot's tick would draw them again.
// What follows a drawing that landed runs under past's bound.
func (b *Bot) updateSummary(ctx context.Context, c flows.Checkin, v *coach.CheckinView, past *pastBound) *coach.CheckinView {
	if v == nil {
		read, err := b.svc.Checkin(ctx, c.Team, c.ID)
		if err != nil {
			b.log.Warn("summary: check-in", "err", err)
			return nil
		}
		v = &read
	}
	sig := givenSignature(*v, c.ID)
	s := flows.SummarizeCheckin(v.Plan.KPIs, v.Values, c.ID, b.now())
	// The drawing may land over newer values another racebot drew and
	// recorded drawn. Marked so in the store first, the summary is drawn
	// again by the next tick of any racebot should this one be killed, or
	// stop, before it knows the drawing shows the latest values.
	// The mark says by when the drawing lands, and the drawing is not
	// tried after that: a tick that finds the mark past it knows the
	// drawing is not on its way.
	now := b.now()
	mark, alone, err := b.svc.SummaryMayBeOverdrawn(ctx, c.ID, now, now.Add(summaryLands))
	if err != nil {
		// Drawn all the same: the value's author is waiting for it. Only
		// this racebot then knows the drawing may be behind.
		b.summaries.overdrew(c.ID)
		b.log.Warn("summary: mark before drawing", "checkin", c.ID, "err", err)
	}
	dctx, cancel := context.WithTimeout(ctx, summaryDrawing)
	defer cancel()
	err = b.poster.update(dctx, c.Channel, c.SummaryTS, checkinSummaryMessage(c.ID, v.Plan, s))
	if err == nil {
		// The look that finds out whether the drawing landed over newer
		// values, and the drawing again, go on though racebot is
		// stopping, under the round's one bound (see summaryRound).
		fctx := past.ctx()
		b.drew(fctx, c, sig)
		after, err := b.svc.Checkin(fctx, c.Team, c.ID)
		if err == nil && givenSignature(after, c.ID) == sig {
			// With another drawing marked and maybe still on its way,
			// that one may land over this one and its racebot be killed
			// before its look: the mark stays for a tick to redraw once
			// both have landed.
			if mark != 0 && alone {
				if err := b.svc.SummaryShowsLatest(fctx, c.ID, mark); err != nil {
					b.log.Warn("summary: clear mark", "checkin", c.ID, "err", err)
				}
			}
			return nil
		}
		// Should the drawing again not land (or not be tried), the tick
		// draws them: the store says the newer ones are drawn.
		b.summaries.overdrew(c.ID)
		if err != nil {
			b.log.Warn("summary: check-in after drawing", "checkin", c.ID, "err", err)
			return nil
		}
		return &after
	}
	// Unless Slack refused it, the drawing may have landed before its
	// answer was lost or given up on: over newer values, perhaps, as
	// above, so the tick must not take the store's word that they are
	// drawn (see overdrawn).
	maybeDrawn := !refused(err)
	if dctx.Err() != nil {
		// Stopped or out of time, not refused: the next tick tries again.
		b.summaries.overdrew(c.ID)
		level := slog.LevelWarn
		if errors.Is(ctx.Err(), context.Canceled) {
			level = slog.LevelInfo // racebot is stopping
		}
		b.log.Log(ctx, level, "summary: update", "checkin", c.ID, "err", err)
		return nil
	}
	gone := summaryGone(err) || b.left(ctx, err)
	forNow := failedForNow(err)
	tries := b.summaries.failed(c.ID, sig, gone, forNow, b.now())
	if maybeDrawn {
		b.summaries.overdrew(c.ID)
	}
	switch {
	case gone:
		b.log.Info("summary: update refused; left as it is until a value changes", "checkin", c.ID, "err", err)
	case tries >= summaryTries && forNow:
		b.log.Warn("summary: update failed; tried again later", "checkin", c.ID, "tries", tries, "err", err)
	case tries >= summaryTries:
		b.log.Warn("summary: update failed; left as it is until a value changes", "checkin", c.ID, "tries", tries, "err", err)
	default:
		b.log.Warn("summary: update", "checkin", c.ID, "tries", tries, "err", err)
	}
	return nil
}

// failedForNow reports a failure a later try may not meet: a rate limit,
// a 5xx or Slack's own error, a timeout or a lost connection; not an
// answer in which Slack declined the request.
func failedForNow(err error) bool {
	var limited *slack.RateLimitedError
	var status slack.StatusCodeError
	switch {
	case errors.As(err, &limited):
		return true
	case errors.As(err, &status):
		return status.Code == http.StatusTooManyRequests || status.Code >= 500
	}
	return !refused(err) || slackRefusal(err, "ratelimited")
}

// summaryGone reports whether Slack refused a summary's rewrite for good:
// the message or its channel is gone, or racebot is not in it.
func summaryGone(err error) bool {
	return notInChannel(err) || slackRefusal(err, "message_not_found", "cant_update_message", "is_archived")
}

// refreshStaleSummaries brings up to date the summaries of open check-ins
// whose values changed where this racebot could not see it: typed in the
// terminal, or recorded by another racebot on the same database. Values
// given here refresh their summary at once; this catches the rest within
// a tick.
func (b *Bot) refreshStaleSummaries(ctx context.Context) {
	list, cancel := b.claimBound(ctx)
	views, err := b.svc.PostedCheckins(list)
	cancel()
	if err != nil {
		if ctx.Err() == nil {
			b.log.Warn("check-in summaries: list", "err", err)
		}
		return
	}
	open := make(map[int64]bool, len(views))
	rewrites := 0
	for _, v := range views {
		c := v.Checkin
		open[c.ID] = true
		sig := givenSignature(v, c.ID)
		// A mark whose drawing may still land is left to a later tick:
		// drawn now, the summary could be drawn over again.
		marked := c.SummaryMark != 0 && !coach.SummaryMarkLive(c.SummaryMark, b.now())
		if ctx.Err() != nil || rewrites == summariesPerTick || !b.summaries.stale(c.ID, sig, marked, b.now()) {
			continue
		}
		if b.refreshStale(ctx, c, sig, marked) {
			rewrites++
		}
	}
	b.summaries.keep(open)
}

// refreshStale rewrites a summary not drawn with the values of signature
// sig, unless some racebot drew them already (and no drawing, here or
// marked in the store, may have landed over them since), reporting
// whether it tried.
// Each gets its own time: one channel's pacing must not eat the others'.
func (b *Bot) refreshStale(ctx context.Context, c flows.Checkin, sig uint64, marked bool) bool {
	ctx, cancel := b.claimBound(onTeam(ctx, c.Team))
	defer cancel()
	drawn := false
	var err error
	if !b.summaries.overdrawn(c.ID) && !marked {
		drawn, err = b.svc.Handled(ctx, c.Team, drawnKey(c, sig))
	}
	if err != nil {
		if !errors.Is(ctx.Err(), context.Canceled) { // not stopping
			b.log.Warn("check-in summaries: look up drawn", "checkin", c.ID, "err", err)
		}
		return false
	}
	if drawn || !b.serves(ctx, tenant{team: c.Team}) {
		// Drawn by another racebot, or before a restart; or the workspace
		// removed racebot: nothing to draw until the values change.
		b.summaries.shown(c.ID, sig)
		return false
	}
	b.refreshSummary(ctx, c)
	if marked {
		// The mark read is past its drawing's landing, and the drawing
		// here came after it. A drawing marked since replaced it with its
		// own, which lands later, and stays.
		if err := b.svc.SummaryShowsLatest(ctx, c.ID, c.SummaryMark); err != nil {
			b.log.Warn("check-in summaries: clear mark", "checkin", c.ID, "err", err)
		}
	}
	return true
}

// checkinTick nudges and closes the check-ins due (Start polls it). Claims
// are made in the database, so a restart or a second racebot never nudges
// or closes one twice.
//
// It claims due nudges and closes one at a time and posts each
// before claiming the next, so a shutdown stops between two of them and
// never leaves a claimed one unposted. Once a claim is made nobody else
// will post it, so the claim, loading the check-in and the post run under
// a context that shutdown does not cancel, bounded by b.claimTimeout; a
// failure among them is logged as an error, never dropped.
func (b *Bot) checkinTick(ctx context.Context) {
	for _, step := range []struct {
		claim func(context.Context, time.Time) (coach.CheckinView, bool, error)
		post  func(context.Context, coach.CheckinView)
		what  string
	}{{b.svc.ClaimNudge, b.nudge, "nudge"}, {b.svc.ClaimClose, b.close, "close"}} {
		for ctx.Err() == nil {
			if !b.claimAndPost(ctx, step.claim, step.post, step.what) {
				break
			}
		}
	}
	if ctx.Err() == nil {
		b.refreshStaleSummaries(ctx)
	}
}

// claimAndPost claims one check-in and posts it, reporting whether there
// was one.
func (b *Bot) claimAndPost(ctx context.Context, claim func(context.Context, time.Time) (coach.CheckinView, bool, error), post func(context.Context, coach.CheckinView), what string) bool {
	ctx, cancel := b.claimBound(context.WithoutCancel(ctx))
	defer cancel()
	v, ok, err := claim(ctx, b.now())
	if err != nil {
		b.log.Error("claim check-in "+what, "err", err)
		return false
	}
	if !ok {
		return false
	}
	// A workspace that removed racebot while the check-in was open gets
	// nothing more; the claim stands, so nobody tries again.
	if t := (tenant{team: v.Checkin.Team}); !b.serves(ctx, t) {
		b.log.Info("check-in "+what+" skipped: workspace no longer served", "team", t.team, "checkin", v.Checkin.ID)
		return true
	}
	post(onTeam(ctx, v.Checkin.Team), v)
	return true
}

// nudge reminds only the owners whose numbers are missing, once.
func (b *Bot) nudge(ctx context.Context, v coach.CheckinView) {
	c := v.Checkin
	s := flows.SummarizeCheckin(v.Plan.KPIs, v.Values, c.ID, b.now())
	if s.Updated == s.Total {
		return
	}
	if _, err := b.poster.postOnce(ctx, c.Channel, c.Thread, nudgeKey(c), msgMessage("nudge", flows.NudgeText(s.MissingOwners, s))); err != nil {
		b.failed(ctx, "post nudge", err, "checkin", c.ID)
		return
	}
	b.metrics.Checkin("nudged")
}

// close posts the closing note and the chart of the KPIs.
func (b *Bot) close(ctx context.Context, v coach.CheckinView) {
	c, p, ms := v.Checkin, v.Plan, v.Values
	s := flows.SummarizeCheckin(p.KPIs, ms, c.ID, b.now())
	text := flows.ClosingText(s)
	if b.assistant != nil {
		var n markup.Names
		if b.assistant.Enabled(p) {
			var kpis []string
			for _, k := range p.KPIs {
				kpis = append(kpis, k.Name)
			}
			n = b.textNames(ctx, p.Team, kpis...)
		}
		if r := b.assistant.SummarizeCheckin(ctx, p, n, s); r.FromModel {
			// The model's words are escaped like any other text it writes.
			text = flows.Lines(text, say(r.Text))
		}
	}
	if _, err := b.poster.postOnce(ctx, c.Channel, c.Thread, closeKey(c), msgMessage("closed", text)); err != nil {
		b.failed(ctx, "post close", err, "checkin", c.ID)
	}
	b.metrics.Checkin("closed")
	if !s.Nobody {
		b.uploadChart(ctx, p, ms, c.Channel, c.Thread)
	}
}

// uploadChart draws every KPI against its target and uploads the PNG.
func (b *Bot) uploadChart(ctx context.Context, p *flows.Plan, ms map[int64][]flows.Measurement, channel, thread string) error {
	var png bytes.Buffer
	if err := report.Chart(&png, plainUserText(p.Name)+" · KPI progress", p, ms, b.now(), time.UTC); err != nil {
		b.log.Error("draw chart", "plan", p.ID, "err", err)
		return err
	}
	err := b.uploadFile(ctx, slack.UploadFileParameters{
		Content:         png.String(),
		Filename:        flows.Slug(plainUserText(p.Name)) + "-kpis.png",
		Title:           plainUserText(p.Name) + " — KPI progress",
		Channel:         channel,
		ThreadTimestamp: thread,
	})
	if err != nil {
		b.failed(ctx, "upload chart", err, "plan", p.ID)
	}
	return err
}

// valuesModal collects a check-in's values in a form, one field per KPI.
func valuesModal(p *flows.Plan, c flows.Checkin, ms map[int64][]flows.Measurement) slack.ModalViewRequest {
	ids := blockIDs{}
	blocks := []slack.Block{contextBlock(ids, "plan", "KPI check-in for *"+slackUserText(p.Name)+"*. Leave a field empty to skip it; write `n/a` when there is no number.")}
	shown := map[string]string{}
	for _, k := range p.KPIs {
		input := slack.NewPlainTextInputBlockElement(slack.NewTextBlockObject(slack.PlainTextType, "e.g. "+flows.FieldExample(k), false, false), valueActionID)
		for _, m := range ms[k.ID] {
			if m.Checkin == c.ID {
				input.InitialValue = flows.FormatValue(m.Value)
			}
		}
		if input.InitialValue != "" {
			shown[k.Key] = fingerprint(input.InitialValue)
		}
		hint := "Target " + flows.FormatValue(k.Target)
		if k.HasTarget() {
			hint = "Target " + flows.TargetValue(k)
		}
		if !k.Deadline.IsZero() {
			hint += " by " + k.Deadline.Format("2 Jan 2006")
		}
		block := slack.NewInputBlock("kpi:"+k.Key, slack.NewTextBlockObject(slack.PlainTextType, truncatePlain(plainUserText(k.Name), 2000), false, false),
			slack.NewTextBlockObject(slack.PlainTextType, truncatePlain(hint, 2000), false, false), input)
		block.Optional = true
		blocks = append(blocks, block)
	}
	return slack.ModalViewRequest{
		Type:            slack.VTModal,
		CallbackID:      callbackValues,
		PrivateMetadata: valuesMeta(c, shown),
		Title:           slack.NewTextBlockObject(slack.PlainTextType, "Enter KPI values", false, false),
		Submit:          slack.NewTextBlockObject(slack.PlainTextType, "Save", false, false),
		Close:           slack.NewTextBlockObject(slack.PlainTextType, "Cancel", false, false),
		Blocks:          slack.Blocks{BlockSet: capBlocks(ids, blocks, maxHomeBlocks)},
	}
}

// checkinMeta is a values form's private_metadata: the check-in and the
// channel it was opened in, which the submission, carrying no channel of
// its own, is checked against, and a fingerprint of each value the form
// showed already given, by KPI key. A field saved as it was shown is left
// alone: saving it again would credit the value to whoever saved the form,
// and undo a correction made in the thread meanwhile.
type checkinMeta struct {
	Checkin int64             `json:"k"`
	Channel string            `json:"c"`
	Shown   map[string]string `json:"h,omitempty"`
}

func valuesMeta(c flows.Checkin, shown map[string]string) string {
	meta, _ := json.Marshal(checkinMeta{Checkin: c.ID, Channel: c.Channel, Shown: shown})
	return string(meta)
}

// openValuesModal opens the form for a check-in's values, when the
// check-in is one of the channel the button was pressed in.
func (b *Bot) openValuesModal(ctx context.Context, team string, cb slack.InteractionCallback, value string) {
	id, err := strconv.ParseInt(value, 10, 64)
	if err != nil {
		return
	}
	v, err := b.svc.CheckinFor(ctx, coach.Request{Team: team, Channel: pressedIn(cb), Checkin: id})
	switch {
	case errors.Is(err, flows.ErrNoCheckin), errors.Is(err, flows.ErrNoPlan):
		b.tellAfter(cb, say("That check-in no longer exists."))
		return
	case errors.Is(err, coach.ErrOtherChannel):
		b.tellAfter(cb, flows.Explain(err))
		return
	case err != nil:
		b.log.Warn("values modal: check-in", "err", err)
		b.tellAfter(cb, say("Sorry, the form could not be opened. Please press the button again."))
		return
	}
	b.openModal(ctx, cb, valuesModal(v.Plan, v.Checkin, v.Values))
}

// submitValues records the values from the form; a field that cannot be
// read keeps the form open with the question beside it.
func (b *Bot) submitValues(ctx context.Context, team string, cb slack.InteractionCallback) any {
	var meta checkinMeta
	if err := json.Unmarshal([]byte(cb.View.PrivateMetadata), &meta); err != nil || meta.Checkin == 0 || cb.View.State == nil {
		return nil
	}
	fields := map[string]string{}
	for block, actions := range cb.View.State.Values {
		if key, ok := strings.CutPrefix(block, "kpi:"); ok {
			value := actions[valueActionID].Value
			if shown, ok := meta.Shown[key]; ok && shown == fingerprint(value) {
				continue
			}
			fields[key] = string(markup.FromPlain(value))
		}
	}
	req := coach.Request{Team: team, Channel: meta.Channel, User: cb.User.ID, Now: b.now(), Key: viewKey(cb)}
	resp, v, err := b.svc.SubmitValues(ctx, req, meta.Checkin, fields)
	if fe, ok := errors.AsType[flows.FieldErrors](err); ok {
		errs := map[string]string{}
		for key, msg := range fe {
			errs["kpi:"+key] = plainText(msg)
		}
		return viewAck{ResponseAction: "errors", Errors: errs}
	}
	switch {
	case errors.Is(err, flows.ErrNoCheckin), errors.Is(err, flows.ErrNoPlan):
		return formError(cb, say("That check-in no longer exists; nothing was saved."))
	case errors.Is(err, coach.ErrOtherChannel):
		return formError(cb, formElsewhere)
	case err != nil:
		b.log.Error("values modal: record", "err", err)
		// The check-in may not have loaded at all.
		if v.Plan != nil && len(v.Plan.KPIs) > 0 {
			return fieldErrorBlock("kpi:"+v.Plan.KPIs[0].Key, plainText(flows.Explain(err)))
		}
		return nil
	case resp.Duplicate || !resp.Changed:
		return nil
	}
	c := v.Checkin
	b.later(ctx, "values modal", func(ctx context.Context) {
		if _, err := b.poster.postOnce(ctx, c.Channel, c.Thread, replyKey(req.Key), renderReplies(resp.Plan, resp.Replies)); err != nil {
			b.log.Warn("confirm values", "err", err)
		}
		b.refreshSummary(ctx, c)
	})
	return nil
}

func fieldErrorBlock(blockID, msg string) any {
	return viewAck{ResponseAction: "errors", Errors: map[string]string{blockID: msg}}
}

// postReport uploads the KPI chart to the plan's thread, or tells a why
// it could not: the ack promised a chart. startWork took its hold at
// started, which ends a moment after it does.
func (b *Bot) postReport(ctx context.Context, p *flows.Plan, a asker, started time.Time) {
	var shown bool
	defer func() { b.endWork(ctx, p, coach.WorkReport, "", started, shown) }()
	thread, err := b.ensureThread(ctx, p)
	if err != nil {
		b.failed(ctx, "report: thread", err, "plan", p.ID)
		b.tell(ctx, a, chartFailure(err, p.Channel, "the plan's thread"))
		return
	}
	ms, err := b.svc.Measurements(ctx, p.Team, p.ID)
	if err != nil {
		b.log.Error("report: values", "plan", p.ID, "err", err)
		b.tell(ctx, a, chartFailed)
		return
	}
	err = b.uploadChart(ctx, p, ms, p.Channel, thread)
	shown = err == nil || errors.Is(err, errMaybeShared)
	if err != nil {
		b.tellEvenStopping(ctx, a, msgMessage("note", chartFailure(err, p.Channel, "the plan's thread")))
	}
}

// chartFailed tells someone who asked for the KPI chart that it did not
// come.
var chartFailed = chartFailure(nil, "", "")

// chartFailure says why the KPI chart for channel, where in it, did not
// come.
func chartFailure(err error, channel, where string) flows.Msg {
	if notInChannel(err) {
		return uploadFailure(err, channel, "the chart", where, "ask again")
	}
	return uploadFailure(err, channel, "the KPI chart", where, "try again")
}
