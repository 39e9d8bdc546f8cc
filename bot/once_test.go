package bot

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/racebot/racebot/internal/slackfake"
)

// lostAnswers are the ways Slack can take a post and the answer not
// arrive.
var lostAnswers = []struct {
	name  string
	fault func(*slackfake.Fake)
}{
	{"500 after posting", func(f *slackfake.Fake) { f.FailAfterNext("chat.postMessage", 1, http.StatusInternalServerError) }},
	{"reset after posting", func(f *slackfake.Fake) { f.ResetAfterNext("chat.postMessage", 1) }},
}

func countReplies(f *slackfake.Fake, channel, thread, text string) int {
	n := 0
	for _, m := range f.Replies(channel, thread) {
		if strings.Contains(m.Text, text) {
			n++
		}
	}
	return n
}

// TestHeaderPostedOnceWhenItsAnswerIsLost: a new plan's header whose
// answer is lost is found in the channel and starts the plan's thread; it
// is not posted again.
func TestHeaderPostedOnceWhenItsAnswerIsLost(t *testing.T) {
	t.Parallel()
	for _, tt := range lostAnswers {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			h.runSocket()
			tt.fault(h.fake)
			header, p := h.newPlanInSlack("Q1")
			headers := 0
			for _, m := range h.fake.Messages("C1") {
				if m.ThreadTS == "" {
					headers++
				}
			}
			if headers != 1 || p.Thread != header.TS {
				t.Errorf("%d top-level messages, plan thread %s; want the one header %s\n%s", headers, p.Thread, header.TS, h.fake.Dump())
			}
			if n := len(h.fake.Calls("chat.delete")); n != 0 {
				t.Errorf("%d messages deleted, want none", n)
			}
		})
	}
}

// TestCheckinMessagesPostedOnceWhenAnswersAreLost: the nudge, the close and
// the confirmation of values written in the thread each appear once when
// Slack takes them and the answer is lost.
func TestCheckinMessagesPostedOnceWhenAnswersAreLost(t *testing.T) {
	t.Parallel()
	for _, tt := range lostAnswers {
		t.Run(tt.name, func(t *testing.T) {
			h, p, clk := checkinSetup(t)
			id, err := h.bot.OpenCheckin(context.Background(), slackfake.TeamID, p.ID, "", false, 0)
			if err != nil {
				t.Fatal(err)
			}
			c, err := h.db.CheckinByID(context.Background(), slackfake.TeamID, id)
			if err != nil {
				t.Fatal(err)
			}
			h.threadMessage("C1", c.Thread, "0 of 2 KPIs updated")

			tt.fault(h.fake)
			h.fake.WaitAck(t, h.fake.SendEvent(slackfake.MessageEvent{Channel: "C1", User: "UANA", Text: "visitors 12.4k", ThreadTS: c.Thread}))
			h.threadMessage("C1", c.Thread, "Recorded: Unique visitors 12.4k")
			h.fake.WaitFor(t, func() bool {
				s, ok := h.message("C1", c.SummaryTS)
				return ok && strings.Contains(s.Text, "1 of 2 KPIs updated")
			}, "the summary updated")

			tt.fault(h.fake)
			clk.Add(25 * time.Hour)
			h.bot.checkinTick(context.Background())
			h.threadMessage("C1", c.Thread, "still missing")

			tt.fault(h.fake)
			clk.Add(48 * time.Hour)
			h.bot.checkinTick(context.Background())
			h.threadMessage("C1", c.Thread, "Check-in closed")

			for _, text := range []string{"Recorded: Unique visitors", "still missing", "Check-in closed"} {
				if n := countReplies(h.fake, "C1", c.Thread, text); n != 1 {
					t.Errorf("%d messages saying %q, want 1\n%s", n, text, h.fake.Dump())
				}
			}
		})
	}
}
