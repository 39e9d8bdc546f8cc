package bot

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/racebot/racebot/coach"
	"github.com/racebot/racebot/internal/slackfake"
	"github.com/slack-go/slack"
)

// killedAtMark kills racebot A at the next mark of a summary, once
// armed, before it writes it: A never draws, and nothing it knew survives.
type killedAtMark struct {
	coach.Store
	armedGate
}

func (s *killedAtMark) MarkSummaryOverdrawn(ctx context.Context, id, mark int64) (int64, error) {
	if s.take() {
		s.gate.hold()
	}
	return s.Store.MarkSummaryOverdrawn(ctx, id, mark)
}

// heldAtMark arms s, has send deliver what racebot A takes, and waits for
// A to be held at its mark of the summary. A is let go, never to draw,
// as the test ends, before it is stopped.
func (s *killedAtMark) heldAtMark(t *testing.T, send func()) {
	t.Helper()
	s.arm()
	t.Cleanup(func() { close(s.release) }) // before A is stopped
	send()
	waitClosed(t, s.held, "racebot A to go to mark the summary")
}

// redrawnByTheNext starts the racebot in A's place: its first tick, once
// A's drawing could have landed, must draw the summary as drawn says
// (want, in words), and its next tick must not draw it again.
func (h *harness) redrawnByTheNext(t *testing.T, clk *clock, summary, want string, drawn func(text string) bool) {
	t.Helper()
	next, _ := h.anotherRacebot()
	tick := func(d time.Duration) int {
		before := h.updates()
		clk.Add(d)
		next.checkinTick(t.Context())
		settle(t, next, h.fake)
		return h.updates() - before
	}
	tick(summaryLands) // A's drawing, had it begun, could have landed by then
	if m, _ := h.message("C1", summary); !drawn(m.Text) {
		t.Fatalf("after the next tick the summary is\n%s\nwant %s", m.Text, want)
	}
	if n := tick(checkinPoll); n != 0 {
		t.Errorf("the summary was drawn %d more times after it showed the latest values", n)
	}
}

// TestAWithdrawalOfARacebotKilledBeforeItDrawsIsRedrawn: Ana replies in
// the check-in's thread, and the summary is drawn with her value; Ben
// replies, and it is drawn with both. Ben deletes his reply, and racebot
// A, which took the deletion, is killed once it has saved it and before
// it marks the summary for its drawing. The values are as they were
// after Ana's reply, which some racebot recorded drawn: the next tick of
// the racebot started in A's place must still draw the summary without
// Ben's value, once.
func TestAWithdrawalOfARacebotKilledBeforeItDrawsIsRedrawn(t *testing.T) {
	t.Parallel()
	killed := &killedAtMark{}
	h, p, clk := checkinSetup(t, func(s *setup) { killed.Store = s.Store; s.Store = killed })
	id, opening, summary, _ := h.anaRepliesInCheckin(p, "visitors 12.4k")
	h.waitSummary(summary.TS, "1 of 2 KPIs updated")
	h.settle()
	ben := tsAfter(t, summary.TS, time.Second)
	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.MessageEvent{Channel: "C1", User: "UBEN", Text: "lead rate 1.9%", TS: ben, ThreadTS: opening.TS}))
	h.waitSummary(summary.TS, "2 of 2 KPIs updated")
	h.settle()
	// Each drawing landed alone and cleared its mark: nothing but the
	// withdrawal can have the summary drawn again.
	if c, err := h.db.CheckinByID(t.Context(), p.Team, id); err != nil || c.SummaryMark != 0 {
		t.Fatalf("the summary's mark is %d (%v) before the deletion, want none", c.SummaryMark, err)
	}

	killed.heldAtMark(t, func() {
		h.fake.WaitAck(t, h.fake.SendEvent(slackfake.MessageDeleted{Channel: "C1", User: "UBEN", TS: ben, ThreadTS: opening.TS, PreviousText: "lead rate 1.9%",
			DeleteTS: tsAfter(t, ben, time.Minute), EventID: "EvDEL"}))
	})
	if got := h.valuesOf(p, p.KPIs[1].ID); len(got) != 0 {
		t.Fatalf("lead rate %+v after the deletion, want none", got)
	}
	if m, _ := h.message("C1", summary.TS); !strings.Contains(m.Text, "2 of 2 KPIs updated") {
		t.Fatalf("the summary is\n%s\nbefore A was killed, want Ben's value still in it", m.Text)
	}

	h.redrawnByTheNext(t, clk, summary.TS, "1 of 2 KPIs updated, without Ben's withdrawn value", func(text string) bool {
		return strings.Contains(text, "1 of 2 KPIs updated")
	})
}

// TestMarkedSummaryFailingForAWhileIsTriedAgainLater: racebot drew the
// check-in's summary with Ana's value; another racebot, killed mid-way,
// marked its own drawing and its older drawing (no values) landed. Slack
// then fails every rewrite of the summary for an hour. A failure Slack
// may not repeat (a rate limit, a 5xx, its own internal_error) is tried
// again, ever less often, and the summary shows Ana's value once Slack
// takes rewrites again; one it will repeat (the message or its channel
// gone, archived, not editable) is left after one try, and Slack is not
// asked again.
func TestMarkedSummaryFailingForAWhileIsTriedAgainLater(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name      string
		fail      func(f *slackfake.Fake, n int)
		transient bool
	}{
		{"ratelimited", func(f *slackfake.Fake, n int) { f.RateLimitNext("chat.update", n, time.Second) }, true},
		{"5xx", func(f *slackfake.Fake, n int) { f.FailNext("chat.update", n, http.StatusServiceUnavailable) }, true},
		{"internal_error", func(f *slackfake.Fake, n int) { f.RefuseNext("chat.update", n, "internal_error") }, true},
		{"message_not_found", func(f *slackfake.Fake, n int) { f.RefuseNext("chat.update", n, "message_not_found") }, false},
		{"channel_not_found", func(f *slackfake.Fake, n int) { f.RefuseNext("chat.update", n, "channel_not_found") }, false},
		{"is_archived", func(f *slackfake.Fake, n int) { f.RefuseNext("chat.update", n, "is_archived") }, false},
		{"cant_update_message", func(f *slackfake.Fake, n int) { f.RefuseNext("chat.update", n, "cant_update_message") }, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			// The client's waits between its own retries take no time.
			h, p, clk := checkinSetup(t, func(s *setup) {
				s.RetryWait = func(ctx context.Context, _ time.Duration) bool { return ctx.Err() == nil }
			})
			id, _, summary, _ := h.anaRepliesInCheckin(p, "visitors 12.4k")
			h.waitSummary(summary.TS, "1 of 2 KPIs updated")
			h.settle()

			if _, _, err := h.bot.svc.SummaryMayBeOverdrawn(t.Context(), id, clk.Now(), clk.Now().Add(summaryLands)); err != nil {
				t.Fatal(err)
			}
			if _, _, _, err := h.api.api.UpdateMessageContext(t.Context(), "C1", summary.TS, slack.MsgOptionText("Progress — 0 of 2 KPIs updated", false)); err != nil {
				t.Fatal(err)
			}
			clk.Add(summaryLands) // the killed racebot's drawing has landed
			tc.fail(h.fake, 1<<20)
			// tick runs the next tick, a minute on, and reports whether it
			// asked Slack to rewrite the summary.
			tick := func() bool {
				before := h.updates()
				clk.Add(checkinPoll)
				h.bot.checkinTick(t.Context())
				h.settle()
				return h.updates() > before
			}
			tried := 0
			for range 60 {
				if tick() {
					tried++
				}
			}
			switch {
			case !tc.transient && tried != 1:
				t.Errorf("a summary Slack refused for good was tried on %d ticks in an hour, want 1", tried)
			case tc.transient && tried <= summaryTries:
				t.Errorf("a summary Slack failed for a while was tried on %d ticks in an hour, then left: want it tried again later", tried)
			case tc.transient && tried > 15:
				t.Errorf("a summary Slack failed for a while was tried on %d ticks in an hour, want fewer as the failures go on", tried)
			}

			tc.fail(h.fake, 0) // Slack takes rewrites again
			for range 60 {
				tick()
			}
			m, _ := h.message("C1", summary.TS)
			switch {
			case tc.transient && !strings.Contains(m.Text, "1 of 2 KPIs updated"):
				t.Errorf("an hour after Slack took rewrites again the summary is\n%s\nwant 1 of 2 KPIs updated", m.Text)
			case !tc.transient && !strings.Contains(m.Text, "0 of 2 KPIs updated"):
				t.Errorf("a summary Slack refused for good was rewritten after all:\n%s", m.Text)
			}
			if n := 0; tc.transient {
				for range 5 {
					if tick() {
						n++
					}
				}
				if n != 0 {
					t.Errorf("the summary was tried on %d more ticks after it showed the latest values", n)
				}
			}
		})
	}
}

// TestACorrectionBackOfARacebotKilledBeforeItDrawsIsRedrawn: Ana replies
// 12.4k in the check-in's thread, and the summary is drawn with it; she
// edits it to 12.6k, and it is drawn so. She edits it back to 12.4k, and
// racebot A, which took the edit, is killed once it has saved it and
// before it marks the summary for its drawing. The value keeps the
// reply's time, so the values are again the ones some racebot recorded
// drawn: the next tick of the racebot started in A's place must still
// draw the summary with 12.4k, once.
func TestACorrectionBackOfARacebotKilledBeforeItDrawsIsRedrawn(t *testing.T) {
	t.Parallel()
	killed := &killedAtMark{}
	h, p, clk := checkinSetup(t, func(s *setup) { killed.Store = s.Store; s.Store = killed })
	_, opening, summary, ts := h.anaRepliesInCheckin(p, "visitors 12.4k")
	h.waitSummary(summary.TS, "1 of 2 KPIs updated")
	h.settle()
	h.edit(t, slackfake.MessageChanged{User: "UANA", TS: ts, ThreadTS: opening.TS, Text: "visitors 12.6k", PreviousText: "visitors 12.4k",
		EditTS: tsAfter(t, ts, 10*time.Second), EventID: "EvUP"})
	h.waitSummary(summary.TS, "12.6k")
	h.settle()

	killed.heldAtMark(t, func() {
		h.edit(t, slackfake.MessageChanged{User: "UANA", TS: ts, ThreadTS: opening.TS, Text: "visitors 12.4k", PreviousText: "visitors 12.6k",
			EditTS: tsAfter(t, ts, 20*time.Second), EventID: "EvBACK"})
	})
	if got := h.valuesOf(p, p.KPIs[0].ID); len(got) != 1 || got[0].Value.Amount != 12400 {
		t.Fatalf("visitors %+v after the edit back, want 12.4k", got)
	}

	h.redrawnByTheNext(t, clk, summary.TS, "Ana's 12.4k as she corrected it back", func(text string) bool {
		return strings.Contains(text, "12.4k") && !strings.Contains(text, "12.6k")
	})
}

// TestNewValuesSummaryFailingForAWhileIsTriedAgainLater: a value given in
// the terminal is to be drawn in the check-in's summary, and Slack fails
// every rewrite for a while (its own internal_error). Once its tries run
// out the summary is tried again later, not left until the next value:
// when Slack takes rewrites again it shows the value.
func TestNewValuesSummaryFailingForAWhileIsTriedAgainLater(t *testing.T) {
	t.Parallel()
	h, p, clk := checkinSetup(t)
	_, _, summary := h.openCheckinOfTwo(p)
	h.settle()
	h.fake.RefuseNext("chat.update", 1_000_000, "internal_error")
	h.valuesElsewhere(p, clk, "UANA", "values visitors 12.4k")
	for range 10 {
		clk.Add(checkinPoll)
		h.bot.checkinTick(t.Context())
		h.settle()
	}
	h.fake.RefuseNext("chat.update", 0, "")
	for range 60 {
		clk.Add(checkinPoll)
		h.bot.checkinTick(t.Context())
		h.settle()
	}
	h.waitSummary(summary.TS, "1 of 2 KPIs updated")
}
