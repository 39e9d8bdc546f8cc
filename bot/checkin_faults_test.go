package bot

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/racebot/racebot/flows"
	"github.com/racebot/racebot/internal/slackfake"
)

// TestReplyBeforeTheCheckinThreadIsKnownIsRecorded: Slack takes a
// check-in's opening but its answer is lost, so racebot looks for it in the
// channel (conversations.history, slow here). Meanwhile the opening is
// visible, with the owners mentioned, and Ana answers in its thread, which
// racebot does not know yet. Once it finds the opening it records the
// thread and reads back what was written there: Ana's value is recorded
// and confirmed once, and the nudge does not ask her again.
func TestReplyBeforeTheCheckinThreadIsKnownIsRecorded(t *testing.T) {
	t.Parallel()
	h, p, clk := checkinSetup(t, func(c *setup) { c.BeforeStart = fastCatchup })
	// Let the plan's own thread settle before the fault is armed.
	h.settle()
	h.fake.FailAfterNext("chat.postMessage", 1, http.StatusInternalServerError)
	release := h.fake.Hold("conversations.history")
	defer release()

	wait := h.openCheckinAsync(context.Background(), p, "2026-11-30T08:00:00Z")
	opening := h.fake.WaitMessage(t, "C1", func(m slackfake.Message) bool {
		return m.ThreadTS == "" && strings.Contains(m.Text, "KPI check-in")
	}, "the check-in's opening message")
	h.fake.WaitFor(t, func() bool { return h.fake.InFlight("conversations.history") == 1 }, "racebot looking for the opening whose answer was lost")

	// Ana answers in the thread she was mentioned in.
	// (The reply is in the thread's history, as in Slack, and delivered live.)
	h.write(opening.TS, "UANA", "visitors 12.4k", "", true)

	release()
	id, err := wait()
	if err != nil {
		t.Fatalf("OpenCheckin: %v", err)
	}
	c, err := h.db.CheckinByID(context.Background(), slackfake.TeamID, id)
	if err != nil || c.Thread != opening.TS {
		t.Fatalf("check-in %+v, %v: want thread %s recorded", c, err, opening.TS)
	}
	h.threadMessage("C1", opening.TS, "of 2 KPIs updated")
	h.fake.WaitFor(t, func() bool { return h.checkinValues(p, id) > 0 }, "Ana's value, read back")
	if n := h.checkinValues(p, id); n != 1 {
		t.Errorf("Ana's value in the check-in's thread: %d values recorded, want 1", n)
	}
	h.threadMessage("C1", opening.TS, "Recorded:")
	h.settle()
	if n := countReplies(h.fake, "C1", opening.TS, "Recorded:"); n != 1 {
		t.Errorf("%d confirmations of Ana's value, want 1", n)
	}
	// A day later the nudge asks Ana for the number she gave.
	h.nudgeSpares(clk, opening.TS, "UANA")
}

// nudgeSpares lets a day pass and checks that the nudge then posted in
// the check-in's thread does not mention user, who gave their value.
func (h *harness) nudgeSpares(clk *clock, thread, user string) {
	h.t.Helper()
	clk.Add(25 * time.Hour)
	h.bot.checkinTick(context.Background())
	nudge := h.threadMessage("C1", thread, "still missing")
	if countMentions(nudge.Text, user) != 0 {
		h.t.Errorf("the nudge asks %s, who gave their value, again:\n%s", user, nudge.Text)
	}
}

// TestRecoveredCheckinPostsTheCapabilityReminderOnce: a racebot posts a
// scheduled check-in (opening, summary, and, as the quarter's first
// check-in, the capability reminder) and dies before the scheduler records
// the occurrence as finished. After the lease another racebot recovers the
// claim (Bot.RecoverCheckin). Nothing of the check-in is posted again, the
// reminder included: its claim answers yes again for the same occurrence,
// so the recovery looks for it first.
func TestRecoveredCheckinPostsTheCapabilityReminderOnce(t *testing.T) {
	t.Parallel()
	h, p, _ := checkinSetup(t)
	const occ = "2026-11-30T08:00:00Z"
	due := time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC)

	id, err := h.bot.OpenCheckin(context.Background(), slackfake.TeamID, p.ID, occ, false, 0)
	if err != nil {
		t.Fatal(err)
	}
	c, err := h.db.CheckinByID(context.Background(), slackfake.TeamID, id)
	if err != nil || c.Thread == "" {
		t.Fatalf("check-in %+v, %v", c, err)
	}
	if n := countReplies(h.fake, "C1", c.Thread, "A new quarter has begun"); n != 1 {
		t.Fatalf("%d capability reminders after the first post, want 1", n)
	}
	// ...the process dies here, before FinishOccurrence. Another one
	// recovers the abandoned claim.
	again := h.startBot(botOptions{})
	rid, err := again.RecoverCheckin(context.Background(), slackfake.TeamID, p.ID, occ, false, 0, due)
	if err != nil || rid != id {
		t.Fatalf("RecoverCheckin = %d, %v; want %d", rid, err, id)
	}
	if n := countReplies(h.fake, "C1", c.Thread, "KPIs updated"); n != 1 {
		t.Errorf("%d summaries, want 1", n)
	}
	if n := countReplies(h.fake, "C1", c.Thread, "A new quarter has begun"); n != 1 {
		t.Errorf("%d capability reminders in the check-in thread after recovery, want 1\n%s", n, h.fake.Dump())
	}
}

// openCheckinAsync opens p's check-in for occurrence on a goroutine of its
// own, as the scheduler does; wait returns what OpenCheckin returned.
func (h *harness) openCheckinAsync(ctx context.Context, p *flows.Plan, occurrence string) (wait func() (int64, error)) {
	type opened struct {
		id  int64
		err error
	}
	done := make(chan opened, 1)
	go func() {
		id, err := h.bot.OpenCheckin(ctx, p.Team, p.ID, occurrence, false, 0)
		done <- opened{id, err}
	}()
	return func() (int64, error) {
		h.t.Helper()
		select {
		case o := <-done:
			return o.id, o.err
		case <-time.After(slackfake.DefaultWaitTimeout):
			h.t.Fatal("OpenCheckin did not return")
			return 0, nil
		}
	}
}

// threadFirstStore stops a check-in right after its thread is recorded
// and before its summary is posted: the summary post waits on Slack's
// pace there (a 429 burst, say) in production.
type threadFirstStore struct {
	failingStore
	recorded chan struct{}
	release  chan struct{}
}

func (f *threadFirstStore) SetCheckinMessages(ctx context.Context, id int64, thread, summary string) error {
	err := f.Store.SetCheckinMessages(ctx, id, thread, summary)
	if summary == "" && f.recorded != nil {
		close(f.recorded)
		f.recorded = nil
		<-f.release
	}
	return err
}

// TestAValueGivenBeforeTheSummaryIsPostedShowsInIt: a check-in's thread is
// recorded before its summary is posted, so Ana's reply in between is
// recorded and confirmed, though there is no summary yet to refresh. The
// summary, drawn from the values read before her reply, is brought up to
// date once it is posted.
func TestAValueGivenBeforeTheSummaryIsPostedShowsInIt(t *testing.T) {
	t.Parallel()
	fs := &threadFirstStore{recorded: make(chan struct{}), release: make(chan struct{})}
	h, p, _ := checkinSetup(t, func(c *setup) { fs.Store = c.Store; c.Store = fs })
	h.settle()

	recorded := fs.recorded
	wait := h.openCheckinAsync(context.Background(), p, "2026-11-30T08:00:00Z")
	<-recorded
	opening := h.fake.WaitMessage(t, "C1", func(m slackfake.Message) bool {
		return m.ThreadTS == "" && strings.Contains(m.Text, "KPI check-in")
	}, "the check-in's opening message")
	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.MessageEvent{Channel: "C1", User: "UANA", Text: "visitors 12.4k", ThreadTS: opening.TS}))
	h.threadMessage("C1", opening.TS, "Recorded:")
	close(fs.release)
	id, err := wait()
	if err != nil {
		t.Fatal(err)
	}
	h.settle()
	if n := h.checkinValues(p, id); n != 1 {
		t.Fatalf("%d values recorded, want Ana's", n)
	}
	var summary string
	for _, m := range h.fake.Replies("C1", opening.TS) {
		if strings.Contains(m.Text, "KPIs updated") {
			summary = m.Text
		}
	}
	if !strings.Contains(summary, "1 of 2 KPIs updated") {
		t.Errorf("the summary, with Ana's value recorded, reads:\n%s", summary)
	}
}

// TestARateLimitedOpeningRequestsNoCatchup: the check-in's opening is
// refused once with 429 (Retry-After 2 s), and posted after the wait. The
// message was not in the channel during the wait, so nobody can have
// replied in its thread before racebot knew it, and no catch-up (every
// thread of every workspace active in the last 7 days) is asked for.
func TestARateLimitedOpeningRequestsNoCatchup(t *testing.T) {
	t.Parallel()
	h, p, _ := checkinSetup(t, func(c *setup) { c.BeforeStart = fastCatchup })
	h.settle()
	// Let the start-up catch-up finish first.
	h.fake.WaitFor(t, func() bool { return h.bot.catchupsDone.Load() == h.bot.catchupsStarted.Load() }, "idle catch-up")
	before := h.bot.catchupsStarted.Load()

	h.fake.RateLimitNext("chat.postMessage", 1, 2*time.Second)
	if _, err := h.bot.OpenCheckin(context.Background(), slackfake.TeamID, p.ID, "2026-11-30T08:00:00Z", false, 0); err != nil {
		t.Fatal(err)
	}
	h.settle()
	if n := int(h.bot.catchupsStarted.Load()-before) + len(h.bot.catchupKick); n != 0 {
		t.Errorf("%d catch-up(s) started after a rate-limited, not a lost, opening", n)
	}
}
