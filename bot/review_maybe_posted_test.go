package bot

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/racebot/racebot/flows"
	"github.com/racebot/racebot/internal/openaifake"
	"github.com/racebot/racebot/internal/slackfake"
)

// TestReviewNotConfirmedIsNotCalledFailed: Slack posts the review Ana
// asked for, its answer is lost, and the look for it in the channel fails
// too. Racebot does not know whether the review is there: Ana is told, in
// one sentence, to look where it would be before she asks again, not that
// it failed, and asking again at once does not post a second review
// beside the first, as with a chart Slack did not confirm.
func TestReviewNotConfirmedIsNotCalledFailed(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ name, where string }{
		{"slash command", "the plan's thread"},
		{"typed in the plan's thread", "the plan's thread"},
		{"mention", "this thread"},
		{"direct message", "this conversation"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h, clk, header := clockedPlanWithAKPI(t)
			h.settle()
			dm := h.fake.DMChannel("UANA")
			const thread = "1700000500.000100"
			var urls []string
			// ask asks for a review the subtest's way and returns what the
			// command's ack said, if anything.
			ask := func() string {
				switch tt.name {
				case "slash command":
					url := h.fake.ResponseURL()
					urls = append(urls, url)
					ack := h.fake.WaitAck(t, h.fake.SendEvent(slackfake.SlashCommand{Command: "/race", Text: "review", UserID: "UANA", ChannelID: "C1", ResponseURL: url}))
					return string(ack.Payload)
				case "typed in the plan's thread":
					h.fake.WaitAck(t, h.fake.SendEvent(slackfake.MessageEvent{Channel: "C1", ThreadTS: header.TS, User: "UANA", Text: "review"}))
				case "mention":
					h.fake.WaitAck(t, h.fake.SendEvent(slackfake.AppMention{Channel: "C1", User: "UANA", Text: "<@" + slackfake.BotUserID + "> review", ThreadTS: thread}))
				default:
					h.fake.WaitAck(t, h.fake.SendEvent(slackfake.MessageEvent{Channel: dm, User: "UANA", Text: "review"}))
				}
				return ""
			}
			told := func() []string {
				var out []string
				for _, e := range h.toldTo("UANA") {
					out = append(out, e.Text)
				}
				for _, u := range urls {
					for _, r := range h.fake.Responses(u) {
						out = append(out, r.Text)
					}
				}
				return out
			}

			// Slack takes the post and loses its answer; the look in the
			// thread (or the direct message) fails.
			h.fake.FailAfterNext("chat.postMessage", 1, http.StatusInternalServerError)
			h.fake.FailNext("conversations.replies", 1000, http.StatusInternalServerError)
			h.fake.FailNext("conversations.history", 1000, http.StatusInternalServerError)
			ask()
			h.fake.WaitFor(t, func() bool { return len(told()) > 0 }, "a word to Ana")
			h.settle()
			h.fake.FailNext("conversations.replies", 0, 0)
			h.fake.FailNext("conversations.history", 0, 0)
			if n := h.builtInReviews("C1", dm); n != 1 {
				t.Fatalf("%d reviews posted, want the one Slack took", n)
			}
			// The team may have read it: it is the plan's latest review,
			// which the export shows.
			p := h.plan(slackfake.TeamID, "C1", "Q1")
			if r, ok, err := h.db.LatestReview(context.Background(), p.Team, p.ID); err != nil || !ok || r.By != "UANA" {
				t.Errorf("latest review = %+v, %v, %v; want the one Slack took, by UANA", r, ok, err)
			}
			first := told()
			if len(first) != 1 {
				t.Fatalf("Ana was told %d things, want one: %q", len(first), first)
			}
			for _, want := range []string{"may have been posted", "look in " + tt.where + " before you"} {
				if !strings.Contains(first[0], want) {
					t.Errorf("Ana was told %q, want it to say %q", first[0], want)
				}
			}

			// Ana asks again a second later, before she has looked.
			clk.Add(time.Second)
			acked := ask()
			h.settle()
			if n := h.builtInReviews("C1", dm); n != 1 {
				t.Errorf("asked again a second later, %d reviews posted in all, want the first alone", n)
			}
			again := append(told()[1:], acked)
			if !strings.Contains(strings.Join(again, "\n"), "already being written") {
				t.Errorf("asked again, Ana was told %q, want that a review is on its way", again)
			}
		})
	}
}

// TestDraftNotConfirmedIsNotCalledFailed: Ben types "draft" at a question
// (the built-in coach's help), or at the KPI step of a private plan (the
// built-in KPI suggestions), posted in one piece. Slack takes the post and
// loses its answer, and the look in the thread fails: Ben is told to look
// in the thread before he asks again, not that it could not be posted,
// which would have him post a second beside it.
func TestDraftNotConfirmedIsNotCalledFailed(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ name, what string }{
		{"draft", "the draft"},
		{"KPI suggestions", "the KPI suggestions"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var h *harness
			var header slackfake.Message
			if tt.name == "draft" {
				h = newHarness(t, instantRetries)
				h.runSocket()
				header, _, _ = h.firstQuestion("Q1")
			} else {
				h = newHarness(t, withModel(t, openaifake.New(t, "never asked")), instantRetries)
				h.runSocket()
				header, _, _ = h.firstQuestion("Q1")
				h.privacyOn()
				h.sayAndWait(header.TS, "kpi reach", func() bool { return h.plan(slackfake.TeamID, "C1", "Q1").Cursor.Phase == flows.PhaseKPIs })
			}
			h.settle()
			before := len(h.fake.Replies("C1", header.TS))

			h.fake.FailAfterNext("chat.postMessage", 1, http.StatusInternalServerError)
			h.fake.FailNext("conversations.replies", 1000, http.StatusInternalServerError)
			h.fake.WaitAck(t, h.fake.SendEvent(slackfake.MessageEvent{Channel: "C1", User: "UBEN", Text: "draft", ThreadTS: header.TS}))
			told := h.waitEphemeral("UBEN", "Slack did not confirm "+tt.what)
			h.settle()
			h.fake.FailNext("conversations.replies", 0, 0)
			if n := len(h.fake.Replies("C1", header.TS)) - before; n != 1 {
				t.Errorf("%d posted in the thread, want the one Slack took", n)
			}
			for _, want := range []string{"may have been posted", "look in this thread before you"} {
				if !strings.Contains(told.Text, want) {
					t.Errorf("Ben was told %q, want it to say %q", told.Text, want)
				}
			}
			if told.Channel != "C1" || told.ThreadTS != header.TS {
				t.Errorf("Ben was told in %s/%s, want the plan's thread", told.Channel, told.ThreadTS)
			}
		})
	}
}

// TestStreamedReviewNotConfirmedIsNotCalledFailed: the model writes Ana's
// review into its placeholder, and Slack is in trouble: the final edit's
// answer is lost (the review may be whole in the thread, or the edit may
// not have gone through), and so is the take-down's. Ana is told to look
// in the plan's thread before she asks again, not that the review could
// not be posted; asking again at once does not post a second beside it;
// it is the plan's latest review. The sweep of placeholders left behind
// later does not write "interrupted" over a review that is whole, and
// does replace a placeholder that is still one.
func TestStreamedReviewNotConfirmedIsNotCalledFailed(t *testing.T) {
	t.Parallel()
	const review = "Gaps: the Convert stage. Quick wins: referrals."
	for _, tt := range []struct {
		name  string
		whole bool
	}{
		{"edit went through", true},
		{"edit lost", false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			clk := &clock{now: time.Now()}
			h := newHarness(t, withModel(t, openaifake.New(t, review)), instantRetries, func(c *setup) { c.Now = clk.Now })
			h.runSocket()
			header, p := h.newPlanInSlack("Q1")

			if tt.whole {
				h.fake.FailAfterNext("chat.update", 1000, http.StatusInternalServerError)
			} else {
				h.fake.FailNext("chat.update", 1000, http.StatusInternalServerError)
			}
			h.fake.FailNext("chat.delete", 1000, http.StatusInternalServerError)
			url := h.fake.ResponseURL()
			h.fake.WaitAck(t, h.fake.SendEvent(slackfake.SlashCommand{Command: "/race", Text: "review", UserID: "UANA", ChannelID: "C1", ResponseURL: url}))
			h.fake.WaitFor(t, func() bool { return len(h.fake.Responses(url)) > 0 }, "a word to Ana")
			h.settle()
			h.fake.FailAfterNext("chat.update", 0, 0)
			h.fake.FailNext("chat.update", 0, 0)
			h.fake.FailNext("chat.delete", 0, 0)
			if n := h.reviewsIn(header.TS); n != map[bool]int{true: 1, false: 0}[tt.whole] {
				t.Fatalf("%d reviews in the thread after the edit, want whole = %v", n, tt.whole)
			}

			told := h.fake.Responses(url)[0].Text
			for _, want := range []string{"may have been posted", "look in the plan's thread before you"} {
				if !strings.Contains(told, want) {
					t.Errorf("Ana was told %q, want it to say %q", told, want)
				}
			}
			if r, ok, err := h.db.LatestReview(context.Background(), p.Team, p.ID); err != nil || !ok || r.By != "UANA" {
				t.Errorf("latest review = %+v, %v, %v; want the one that may be in the thread, by UANA", r, ok, err)
			}
			clk.Add(time.Second)
			if a := h.bot.Command(context.Background(), h.slashIn("UANA", "review", "1.1.b")); a == nil || !strings.Contains(a.Text, "already being written") {
				t.Errorf("asked again a second later, the command was answered %+v, want that a review is on its way", a)
			}
			h.settle()

			clk.Add(time.Hour)
			h.bot.placeholderTick(context.Background())
			var interrupted int
			for _, m := range h.fake.Replies("C1", header.TS) {
				if strings.Contains(m.Text, "interrupted") {
					interrupted++
				}
			}
			switch {
			case tt.whole && (interrupted != 0 || h.reviewsIn(header.TS) != 1):
				t.Errorf("after the sweep, %d reviews and %d interrupted notes in the thread; want the review left whole", h.reviewsIn(header.TS), interrupted)
			case !tt.whole && interrupted != 1:
				t.Errorf("after the sweep, %d interrupted notes in the thread; want the placeholder replaced", interrupted)
			}
		})
	}
}
