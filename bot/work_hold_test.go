package bot

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/racebot/racebot/coach"
	"github.com/racebot/racebot/flows"
	"github.com/racebot/racebot/internal/openaifake"
	"github.com/racebot/racebot/internal/slackfake"
	"github.com/slack-go/slack"
)

// reviewsIn counts the reviews the model wrote that are in a thread.
func (h *harness) reviewsIn(thread string) int {
	n := 0
	for _, m := range h.fake.Replies("C1", thread) {
		if strings.Contains(m.Text, "Gaps: the Convert stage") {
			n++
		}
	}
	return n
}

// TestReviewAskedTwiceAtOnce: Ana sends /race review, and while the
// model writes it, /race review comes again: Ana pressing Enter twice, or
// Ben asking too, to the same racebot or to another on one database, or
// Ben typing "review" in the plan's thread. One review is posted in the
// plan's thread; the second request is told, in one sentence, that a
// review is being written. Once it is posted and a few seconds have
// passed, asking again reviews again.
func TestReviewAskedTwiceAtOnce(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ name, again string }{
		{"Enter pressed twice", "UANA"},
		{"by two people", "UBEN"},
		{"on two racebots", "UBEN"},
		{"in the thread", "UBEN"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			clk := &clock{now: time.Now()}
			llm := openaifake.New(t, "Gaps: the Convert stage. Quick wins: referrals.")
			h := newHarness(t, withModel(t, llm), func(c *setup) { c.Now = clk.Now })
			h.runSocket()
			header, _ := h.newPlanInSlack("Q1")
			second := h.bot
			if tt.name == "on two racebots" {
				second, _ = h.anotherRacebot()
			}
			cmd := func(user, trigger string) slack.SlashCommand {
				return h.slashIn(user, "review", trigger)
			}
			// The first review is still being written, its final
			// rendering held by Slack, when the second request comes.
			release := h.fake.Hold("chat.update")
			t.Cleanup(release)
			first := h.bot.Command(context.Background(), cmd("UANA", "1.1.a"))
			h.fake.WaitFor(t, func() bool { return h.fake.InFlight("chat.update") == 1 }, "the first review under way")
			clk.Add(700 * time.Millisecond)
			var told string
			if tt.name == "in the thread" {
				h.fake.WaitAck(t, h.fake.SendEvent(slackfake.MessageEvent{Channel: "C1", User: tt.again, Text: "review", ThreadTS: header.TS}))
				toBen := func() []slackfake.Ephemeral {
					var out []slackfake.Ephemeral
					for _, e := range h.fake.Ephemerals() {
						if e.User == tt.again {
							out = append(out, e)
						}
					}
					return out
				}
				h.fake.WaitFor(t, func() bool { return len(toBen()) > 0 }, "a word to Ben")
				told = toBen()[0].Text
			} else if a := second.Command(context.Background(), cmd(tt.again, "1.1.b")); a != nil {
				told = a.Text
			}
			release()
			settle(t, h.bot, h.fake)
			settle(t, second, h.fake)
			if first == nil || !strings.Contains(first.Text, "Reviewing") {
				t.Errorf("the first request was answered %+v, want the review started", first)
			}
			if want := `A review of "Q1" is already being written`; !strings.HasPrefix(told, want) {
				t.Errorf("the second request was answered %q, want %q", told, want)
			}
			if n := h.reviewsIn(header.TS); n != 1 {
				t.Errorf("%d reviews in the plan's thread, want one", n)
			}

			clk.Add(2 * time.Second)
			if a := second.Command(context.Background(), cmd(tt.again, "1.1.c")); a == nil || !strings.HasPrefix(a.Text, "A review of") {
				t.Errorf("asked again two seconds after the review was posted, the command was answered %+v", a)
			}
			clk.Add(time.Minute)
			h.bot.Command(context.Background(), cmd(tt.again, "1.1.d"))
			settle(t, h.bot, h.fake)
			if n := h.reviewsIn(header.TS); n != 2 {
				t.Errorf("asked again a minute after the review, %d reviews in the plan's thread, want two", n)
			}
		})
	}
}

// TestReviewAskedAgainAfterItFailed: Ben's review could not be shown
// (Slack would not take it) and he was told to try again. He does, a
// second later: nothing of the first review is coming, so the second is
// not turned away.
func TestReviewAskedAgainAfterItFailed(t *testing.T) {
	t.Parallel()
	clk := &clock{now: time.Now()}
	llm := openaifake.New(t, "Gaps: the Convert stage. Quick wins: referrals.")
	h := newHarness(t, withModel(t, llm), instantRetries, func(c *setup) { c.Now = clk.Now })
	h.runSocket()
	header, _ := h.newPlanInSlack("Q1")
	h.fake.FailNext("chat.update", 1000, http.StatusInternalServerError)
	url := h.fake.ResponseURL()
	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.SlashCommand{Command: "/race", Text: "review", UserID: "UBEN", ChannelID: "C1", ResponseURL: url}))
	h.fake.WaitFor(t, func() bool { return len(h.fake.Responses(url)) > 0 }, "a word to Ben")
	h.settle()

	h.fake.FailNext("chat.update", 0, 0)
	clk.Add(time.Second)
	a := h.bot.Command(context.Background(), h.slashIn("UBEN", "review", "1.1.b"))
	if a == nil || !strings.Contains(a.Text, "Reviewing") {
		t.Fatalf("asked again after the review failed, the command was answered %+v, want the review started", a)
	}
	h.settle()
	if n := h.reviewsIn(header.TS); n != 1 {
		t.Errorf("%d reviews in the plan's thread, want one", n)
	}
}

// TestReviewHeldByARacebotThatDied: racebot was killed while it wrote a
// review, so the review never came and its hold was never ended. Asking
// on the restarted racebot within the hold, Ben is told when asking again
// works; after that, asking again reviews.
func TestReviewHeldByARacebotThatDied(t *testing.T) {
	t.Parallel()
	clk := &clock{now: time.Now()}
	h := newHarness(t, func(c *setup) { c.Now = clk.Now })
	h.runSocket()
	_, p := h.newPlanInSlack("Q1")
	if ok, err := h.bot.svc.StartWork(context.Background(), p, coach.WorkReview, "", clk.Now()); err != nil || !ok {
		t.Fatalf("StartWork = %v, %v", ok, err)
	}
	restarted, _ := h.anotherRacebot()
	cmd := func(trigger string) slack.SlashCommand {
		return h.slashIn("UBEN", "review", trigger)
	}
	clk.Add(30 * time.Second)
	if a := restarted.Command(context.Background(), cmd("1.1.a")); a == nil || !strings.Contains(a.Text, "six minutes") || !strings.Contains(a.Text, "ask again") {
		t.Errorf("asked after the racebot died, the command was answered %+v, want when to ask again", a)
	}
	clk.Add(coach.WorkReview.Bound())
	if a := restarted.Command(context.Background(), cmd("1.1.b")); a == nil || !strings.Contains(a.Text, "Reviewing") {
		t.Errorf("asked after the hold ran out, the command was answered %+v, want the review started", a)
	}
	settle(t, restarted, h.fake)
}

// TestReportAskedTwiceAtOnce: /race report comes twice while the first
// KPI chart is being uploaded (Enter pressed twice, or Ben asking too, on
// one racebot or two on one database). One chart is shared in the plan's
// thread; the second request is told one is being drawn. A chart that
// could not be shared holds nothing: asking again draws it.
func TestReportAskedTwiceAtOnce(t *testing.T) {
	t.Parallel()
	for _, where := range []string{"one racebot", "two racebots"} {
		t.Run(where, func(t *testing.T) {
			t.Parallel()
			h, clk, _ := clockedPlanWithAKPI(t)
			second := h.bot
			if where == "two racebots" {
				second, _ = h.anotherRacebot()
			}
			cmd := func(user, trigger string) slack.SlashCommand {
				return h.slashIn(user, "report", trigger)
			}
			release := h.fake.Hold("files.completeUploadExternal")
			t.Cleanup(release)
			first := h.bot.Command(context.Background(), cmd("UANA", "1.1.a"))
			h.fake.WaitFor(t, func() bool { return h.fake.InFlight("files.completeUploadExternal") == 1 }, "the first chart under way")
			clk.Add(700 * time.Millisecond)
			again := second.Command(context.Background(), cmd("UBEN", "1.1.b"))
			release()
			settle(t, h.bot, h.fake)
			settle(t, second, h.fake)
			if first == nil || !strings.Contains(first.Text, "Drawing the KPI chart") {
				t.Errorf("the first command was answered %+v, want the chart started", first)
			}
			if want := `A KPI chart of "Q1" is already being drawn`; again == nil || !strings.HasPrefix(again.Text, want) {
				t.Errorf("the second command was answered %+v, want %q", again, want)
			}
			if n := h.uploadsNamed(".png"); n != 1 {
				t.Errorf("shared %d charts, want one", n)
			}

			// A chart Slack will not take ends its hold at once.
			clk.Add(time.Minute)
			h.fake.FailNext("files.getUploadURLExternal", 1000, http.StatusInternalServerError)
			url := h.fake.ResponseURL()
			c := cmd("UBEN", "1.1.c")
			c.ResponseURL = url
			second.Command(context.Background(), c)
			h.fake.WaitFor(t, func() bool { return len(h.fake.Responses(url)) > 0 }, "a word to Ben")
			settle(t, second, h.fake)
			h.fake.FailNext("files.getUploadURLExternal", 0, 0)
			clk.Add(time.Second)
			if a := h.bot.Command(context.Background(), cmd("UBEN", "1.1.d")); a == nil || !strings.Contains(a.Text, "Drawing the KPI chart") {
				t.Errorf("asked again after the chart failed, the command was answered %+v, want the chart started", a)
			}
			settle(t, h.bot, h.fake)
			if n := h.uploadsNamed(".png"); n != 2 {
				t.Errorf("shared %d charts in all, want two", n)
			}
		})
	}
}

// TestReviewStillWrittenPastTwoMinutes: the model takes its time (slow
// answers, retried, inside the four minutes a streamed review may run),
// so Ana's review is still being written three minutes after she asked.
// Ben asks then: he is told a review is being written, and one review
// is posted in the plan's thread, not two.
func TestReviewStillWrittenPastTwoMinutes(t *testing.T) {
	t.Parallel()
	clk := &clock{now: time.Now()}
	llm := openaifake.New(t, "Gaps: the Convert stage. Quick wins: referrals.")
	h := newHarness(t, withModel(t, llm), func(c *setup) { c.Now = clk.Now })
	h.runSocket()
	header, _ := h.newPlanInSlack("Q1")
	release := h.fake.Hold("chat.update")
	t.Cleanup(release)
	h.bot.Command(context.Background(), h.slashIn("UANA", "review", "1.1.a"))
	h.fake.WaitFor(t, func() bool { return h.fake.InFlight("chat.update") == 1 }, "Ana's review under way")
	clk.Add(3 * time.Minute)
	again := h.bot.Command(context.Background(), h.slashIn("UBEN", "review", "1.1.b"))
	release()
	settle(t, h.bot, h.fake)
	if want := `A review of "Q1" is already being written`; again == nil || !strings.HasPrefix(again.Text, want) {
		t.Errorf("Ben's request was answered %+v, want %q", again, want)
	}
	if n := h.reviewsIn(header.TS); n != 1 {
		t.Errorf("%d reviews in the plan's thread, want one", n)
	}
}

// TestReviewHoldOutlastsItsPlaceholder: a review's hold lasts as long as
// its work may (the model's time, placeholderLeft), so it cannot run out
// while the review is still being written; the chart's is the export's.
func TestReviewHoldOutlastsItsPlaceholder(t *testing.T) {
	if b := coach.WorkReview.Bound(); b < placeholderLeft {
		t.Errorf("a review is held for %s, less than its placeholder's %s", b, placeholderLeft)
	}
	if want := "six minutes"; !strings.Contains(plainText(underWay(coach.WorkReview, &flows.Plan{Name: "Q1"})), want) || coach.WorkReview.Bound() != 6*time.Minute {
		t.Errorf("a review is held for %s, and the person told %q", coach.WorkReview.Bound(), plainText(underWay(coach.WorkReview, &flows.Plan{Name: "Q1"})))
	}
	if want := "two minutes"; !strings.Contains(plainText(underWay(coach.WorkReport, &flows.Plan{Name: "Q1"})), want) || coach.WorkReport.Bound() != 2*time.Minute {
		t.Errorf("a chart is held for %s, and the person told %q", coach.WorkReport.Bound(), plainText(underWay(coach.WorkReport, &flows.Plan{Name: "Q1"})))
	}
}

// slashIn is /race text typed by user in C1, as Slack sends it over HTTP,
// with trigger as its trigger id.
func (h *harness) slashIn(user, text, trigger string) slack.SlashCommand {
	return slack.SlashCommand{TeamID: slackfake.TeamID, ChannelID: "C1", UserID: user, Command: "/race", Text: text, TriggerID: trigger, ResponseURL: h.fake.ResponseURL()}
}
