package bot

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/racebot/racebot/flows"
	"github.com/racebot/racebot/internal/slackfake"
)

// builtInReviews counts the reviews (racebot's own checks) posted in
// channels, thread replies included.
func (h *harness) builtInReviews(channels ...string) int {
	n := 0
	for _, c := range channels {
		for _, m := range h.fake.Messages(c) {
			if strings.Contains(m.Text, "built-in checks") {
				n++
			}
		}
	}
	return n
}

// made counts what asking for word has posted: the chart uploads for a
// report, wherever they went, or else the reviews posted in channels.
func (h *harness) made(word string, channels ...string) int {
	if word == "report" {
		return h.uploadsNamed(".png")
	}
	return h.builtInReviews(channels...)
}

// clockedPlanWithAKPI starts a racebot on a clock the test moves, with plan
// Q1 in Slack holding Ana's visitors KPI: what a review or a chart needs.
func clockedPlanWithAKPI(t *testing.T) (*harness, *clock, slackfake.Message) {
	t.Helper()
	clk := &clock{now: time.Now()}
	h := newHarness(t, instantRetries, func(c *setup) { c.Now = clk.Now })
	h.runSocket()
	header, p := h.newPlanInSlack("Q1")
	h.setKPIs(p, flows.StageReach, "visitors | baseline 8k | target 20k | by 2027-03-31 | owner <@UANA>")
	return h, clk, header
}

// toldTo lists the ephemerals shown to user.
func (h *harness) toldTo(user string) []slackfake.Ephemeral {
	var out []slackfake.Ephemeral
	for _, e := range h.fake.Ephemerals() {
		if e.User == user {
			out = append(out, e)
		}
	}
	return out
}

// TestReviewOrChartAskedInMentionsAndDMsAtOnce: Ana asks for a review
// (or the KPI chart) in a mention or a direct message, and while it is on
// its way it is asked for again for the same place: by Ben in a mention in
// the same thread, by Ana in another direct message, by Ben with /race
// when Ana asked in the plan's thread, or in a mention in the same
// thread that reaches another racebot on the same database. One is
// posted; the second asker is told, in one sentence and to them alone,
// that it is being made, as /race review tells them.
func TestReviewOrChartAskedInMentionsAndDMsAtOnce(t *testing.T) {
	t.Parallel()
	for _, work := range []struct{ word, method, told string }{
		{"review", "chat.postMessage", `A review of "Q1" is already being written`},
		{"report", "files.completeUploadExternal", `A KPI chart of "Q1" is already being drawn`},
	} {
		for _, again := range []string{"mention by another", "direct message", "slash command", "mention to another racebot"} {
			t.Run(work.word+"/"+again, func(t *testing.T) {
				t.Parallel()
				h, clk, header := clockedPlanWithAKPI(t)
				second, _ := h.anotherRacebot()
				srv := httptest.NewServer(second.HTTPHandler(secret))
				t.Cleanup(srv.Close)
				h.settle()

				release := h.fake.Hold(work.method)
				t.Cleanup(release)
				// Ana asks in a mention in a thread of the channel, in her
				// direct messages, or, for the slash command, in the
				// plan's thread.
				dm := h.fake.DMChannel("UANA")
				const thread = "1700000500.000100"
				switch again {
				case "direct message":
					h.fake.WaitAck(t, h.fake.SendEvent(slackfake.MessageEvent{Channel: dm, User: "UANA", Text: work.word}))
				case "slash command":
					h.fake.WaitAck(t, h.fake.SendEvent(slackfake.MessageEvent{Channel: "C1", ThreadTS: header.TS, User: "UANA", Text: work.word}))
				default:
					h.fake.WaitAck(t, h.fake.SendEvent(slackfake.AppMention{Channel: "C1", User: "UANA", Text: "<@" + slackfake.BotUserID + "> " + work.word, ThreadTS: thread}))
				}
				h.fake.WaitFor(t, func() bool { return h.fake.InFlight(work.method) == 1 }, "Ana's "+work.word+" under way")
				clk.Add(700 * time.Millisecond)

				asker, where := "UBEN", "C1"
				switch again {
				case "mention by another":
					h.fake.WaitAck(t, h.fake.SendEvent(slackfake.AppMention{Channel: "C1", User: "UBEN", Text: "<@" + slackfake.BotUserID + "> " + work.word, ThreadTS: thread}))
				case "direct message":
					asker, where = "UANA", dm
					h.fake.WaitAck(t, h.fake.SendEvent(slackfake.MessageEvent{Channel: dm, User: "UANA", Text: work.word + " please"}))
				case "slash command":
					if a := second.Command(context.Background(), h.slashIn("UBEN", work.word, "1.1.b")); a != nil {
						if !strings.HasPrefix(a.Text, work.told) || strings.Contains(a.Text, "its thread") {
							t.Errorf("Ben's /race %s was answered %q, want %q, not sending him to the plan's thread", work.word, a.Text, work.told)
						}
					}
				case "mention to another racebot":
					if code := h.deliver(srv, slackfake.EventBody(slackfake.AppMention{Channel: "C1", User: "UBEN", Text: "<@" + slackfake.BotUserID + "> " + work.word, ThreadTS: thread, TS: slackTS(clk.Now())})); code != http.StatusOK {
						t.Fatalf("the mention answered %d", code)
					}
				}
				if again != "slash command" {
					h.fake.WaitFor(t, func() bool {
						for _, e := range h.toldTo(asker) {
							if strings.HasPrefix(e.Text, work.told) && e.Channel == where {
								return true
							}
						}
						return false
					}, "the second asker told, where they asked, that it is on its way")
				}
				release()
				h.settle()
				settle(t, second, h.fake)

				posted := h.made(work.word, "C1", dm)
				if posted != 1 {
					t.Errorf("%d posted, want one", posted)
				}
				for _, e := range h.toldTo(asker) {
					if !strings.HasPrefix(e.Text, work.told) {
						t.Errorf("the second asker was also told %q", e.Text)
					}
					if strings.Contains(e.Text, "its thread") {
						t.Errorf("the second asker was told %q: it is not coming to the plan's thread", e.Text)
					}
				}

				// Once it is posted and a while has passed, asking again
				// makes another.
				clk.Add(time.Minute)
				h.fake.WaitAck(t, h.fake.SendEvent(slackfake.AppMention{Channel: "C1", User: "UBEN", Text: "<@" + slackfake.BotUserID + "> " + work.word, ThreadTS: thread}))
				h.settle()
				posted = h.made(work.word, "C1", dm)
				if posted != 2 {
					t.Errorf("asked again a minute later, %d posted in all, want two", posted)
				}
			})
		}
	}
}

// TestReviewOrChartAskedForElsewhereMeanwhileIsMade: while Ana's review
// (or chart), asked for in a mention, is on its way to her mention's
// thread, Ben asks with /race (the plan's thread) and Ana in a direct
// message. Neither would ever see hers, so each is made where it was
// asked, and nobody is told one is under way.
func TestReviewOrChartAskedForElsewhereMeanwhileIsMade(t *testing.T) {
	t.Parallel()
	for _, work := range []struct{ word, method string }{
		{"review", "chat.postMessage"},
		{"report", "files.completeUploadExternal"},
	} {
		t.Run(work.word, func(t *testing.T) {
			t.Parallel()
			h, clk, _ := clockedPlanWithAKPI(t)
			h.settle()

			release := h.fake.Hold(work.method)
			t.Cleanup(release)
			h.fake.WaitAck(t, h.fake.SendEvent(slackfake.AppMention{Channel: "C1", User: "UANA", Text: "<@" + slackfake.BotUserID + "> " + work.word}))
			h.fake.WaitFor(t, func() bool { return h.fake.InFlight(work.method) == 1 }, "Ana's "+work.word+" under way")
			clk.Add(700 * time.Millisecond)

			if a := h.bot.Command(context.Background(), h.slashIn("UBEN", work.word, "1.1.b")); a != nil && strings.Contains(a.Text, "already being") {
				t.Errorf("Ben's /race %s was answered %q", work.word, a.Text)
			}
			dm := h.fake.DMChannel("UANA")
			h.fake.WaitAck(t, h.fake.SendEvent(slackfake.MessageEvent{Channel: dm, User: "UANA", Text: work.word}))
			h.fake.WaitFor(t, func() bool { return h.fake.InFlight(work.method) == 3 }, "all three under way")
			release()
			h.settle()

			posted := h.made(work.word, "C1", dm)
			if posted != 3 {
				t.Errorf("%d posted, want one in each of the three places", posted)
			}
			for _, u := range []string{"UANA", "UBEN"} {
				for _, e := range h.toldTo(u) {
					if strings.Contains(e.Text, "already being") {
						t.Errorf("%s was told %q", u, e.Text)
					}
				}
			}
		})
	}
}

// TestReviewOrChartAskedInAMentionThatFailedHoldsNothing: Ana's review
// (or chart) asked for in a mention cannot be posted, and she is told so.
// She asks again a second later, in the same thread: nothing of the first
// is coming, so the second is made, not turned away.
func TestReviewOrChartAskedInAMentionThatFailedHoldsNothing(t *testing.T) {
	t.Parallel()
	for _, work := range []struct{ word, method, failed string }{
		{"review", "chat.postMessage", "the review could not be posted"},
		{"report", "files.getUploadURLExternal", "the KPI chart"},
	} {
		t.Run(work.word, func(t *testing.T) {
			t.Parallel()
			h, clk, _ := clockedPlanWithAKPI(t)
			h.settle()

			h.fake.FailNext(work.method, 1000, http.StatusInternalServerError)
			const thread = "1700000500.000100"
			// The thread is there to look in: the review is not in it, so
			// it was not posted, not maybe posted.
			h.fake.AddMessage(slackfake.Message{Channel: "C1", User: "UANA", Text: "How are we doing?", TS: thread})
			h.fake.WaitAck(t, h.fake.SendEvent(slackfake.AppMention{Channel: "C1", User: "UANA", Text: "<@" + slackfake.BotUserID + "> " + work.word, ThreadTS: thread}))
			h.waitEphemeral("UANA", work.failed)
			h.settle()
			h.fake.FailNext(work.method, 0, 0)

			clk.Add(time.Second)
			h.fake.WaitAck(t, h.fake.SendEvent(slackfake.AppMention{Channel: "C1", User: "UANA", Text: "<@" + slackfake.BotUserID + "> " + work.word, ThreadTS: thread}))
			h.settle()
			posted := h.made(work.word, "C1")
			if posted != 1 {
				t.Errorf("asked again after the first failed, %d posted, want one", posted)
			}
			for _, e := range h.toldTo("UANA") {
				if strings.Contains(e.Text, "already being") {
					t.Errorf("asked again after the first failed, Ana was told %q", e.Text)
				}
			}
		})
	}
}
