package bot

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/racebot/racebot/flows"
	"github.com/racebot/racebot/internal/openaifake"
	"github.com/racebot/racebot/internal/slackfake"
)

// draftsIn counts the model's finished drafts in a thread: the messages
// with a Use this button.
func (h *harness) draftsIn(thread string) int {
	n := 0
	for _, m := range h.fake.Replies("C1", thread) {
		if strings.Contains(string(m.Blocks), actionDraftUse) {
			n++
		}
	}
	return n
}

// toldDraftOnItsWay lists what racebot told anyone alone that a draft (or
// KPI suggestions) is already on its way.
func (h *harness) toldDraftOnItsWay() []slackfake.Ephemeral {
	var out []slackfake.Ephemeral
	for _, e := range h.fake.Ephemerals() {
		if strings.Contains(e.Text, "already on its way") || strings.Contains(e.Text, "already on their way") {
			out = append(out, e)
		}
	}
	return out
}

// TestDraftAskedTwiceAtOnce: Ana types `draft` at the open question, and
// while the model writes it the same question's draft is asked for
// again: Ana pressing Draft with AI as well, Ben typing `draft`, Ben
// sending /race draft, to the same racebot or to another on one database.
// One draft is posted in the plan's thread; whoever asked second is told,
// in one sentence and to them alone, that a draft is on its way. Once the
// draft is shown, asking again drafts again.
func TestDraftAskedTwiceAtOnce(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ name, again string }{
		{"pressed as well", "UANA"},
		{"by two people", "UBEN"},
		{"by command", "UBEN"},
		{"on two racebots", "UBEN"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			llm := openaifake.New(t, aDraft)
			release := llm.Hold()
			t.Cleanup(release)
			h := newHarness(t, withModel(t, llm))
			h.runSocket()
			header, q1, p := h.firstQuestion("Q1")
			second := h.bot
			if tt.name == "on two racebots" {
				second, _ = h.anotherRacebot(func(c *Config) { c.Assistant = h.bot.assistant })
			}

			h.fake.WaitAck(t, h.fake.SendEvent(slackfake.MessageEvent{Channel: "C1", User: "UANA", Text: "draft", ThreadTS: header.TS}))
			h.fake.WaitFor(t, func() bool { return len(llm.Requests()) == 1 }, "Ana's draft under way")
			switch tt.name {
			case "pressed as well":
				h.fake.WaitAck(t, h.fake.SendEvent(slackfake.BlockAction{ActionID: actionDraft, Value: planValue(p, flows.QuestionBusiness), UserID: tt.again, ChannelID: "C1", MessageTS: q1.TS}))
			case "by two people":
				h.fake.WaitAck(t, h.fake.SendEvent(slackfake.MessageEvent{Channel: "C1", User: tt.again, Text: "draft", ThreadTS: header.TS}))
			case "by command":
				h.fake.WaitAck(t, h.fake.SendEvent(slackfake.SlashCommand{Command: "/race", Text: "draft", UserID: tt.again, ChannelID: "C1"}))
			default:
				second.Command(context.Background(), h.slashIn(tt.again, "draft", "1.1.b"))
			}
			h.fake.WaitFor(t, func() bool {
				return len(h.toldDraftOnItsWay()) > 0 || countReplies(h.fake, "C1", header.TS, "Drafting an answer") > 1
			}, "the second request answered, or a second draft started")
			release()
			settle(t, h.bot, h.fake)
			settle(t, second, h.fake)

			if n := h.draftsIn(header.TS); n != 1 {
				t.Errorf("%d drafts in the plan's thread, want one", n)
			}
			if n := len(llm.Requests()); n != 1 {
				t.Errorf("the model was asked %d times, want once", n)
			}
			told := h.toldDraftOnItsWay()
			if len(told) != 1 {
				t.Fatalf("told that a draft is on its way: %+v, want the second asker once", told)
			}
			if e := told[0]; e.User != tt.again || e.Channel != "C1" || e.ThreadTS != header.TS {
				t.Errorf("%s was told in %s/%s, want %s in the plan's thread", e.User, e.Channel, e.ThreadTS, tt.again)
			}
			if strings.Count(told[0].Text, ". ") > 0 {
				t.Errorf("told %q, want one sentence", told[0].Text)
			}

			// The draft is shown: asking again is asking for another.
			h.fake.WaitAck(t, h.fake.SendEvent(slackfake.MessageEvent{Channel: "C1", User: tt.again, Text: "draft", ThreadTS: header.TS}))
			h.fake.WaitFor(t, func() bool { return h.draftsIn(header.TS) == 2 }, "a second draft, asked for after the first was shown")
			h.settle()
			if n := len(h.toldDraftOnItsWay()); n != 1 {
				t.Errorf("asked again after the draft was shown, told %d times in all that one is on its way", n)
			}
		})
	}
}

// TestDraftAskedAgainAsTheInterruptedNoteSays: the racebot drafting Ana's
// answer is killed while the model writes it, leaving its placeholder and
// its hold on the draft. The racebot that sweeps the placeholder up tells
// the thread drafting was interrupted and to reply `draft` to ask again;
// Ana does at once, and a draft is made: she is not told one is already
// on its way, which the thread has just said is not so.
func TestDraftAskedAgainAsTheInterruptedNoteSays(t *testing.T) {
	t.Parallel()
	clk := &clock{now: time.Now()}
	llm := openaifake.New(t, aDraft)
	release := llm.Hold()
	t.Cleanup(release)
	h := newHarness(t, withModel(t, llm), func(c *setup) { c.Now = clk.Now })
	h.runSocket()
	header, _, _ := h.firstQuestion("Q1")

	// The killed racebot stays stuck at the model, as one killed there
	// would: nothing of its work ends, nor its hold.
	killed, _ := h.anotherRacebot(func(c *Config) { c.Assistant = h.bot.assistant })
	killed.Command(context.Background(), h.slashIn("UANA", "draft", "1.1.b"))
	placeholder := h.threadMessage("C1", header.TS, "Drafting an answer")
	h.fake.WaitFor(t, func() bool { return len(llm.Requests()) == 1 }, "the draft under way in the racebot then killed")

	clk.Add(placeholderLeft + time.Second)
	h.bot.placeholderTick(context.Background())
	h.fake.WaitFor(t, func() bool {
		for _, m := range h.fake.Replies("C1", header.TS) {
			if m.TS == placeholder.TS && strings.Contains(m.Text, "interrupted") {
				return true
			}
		}
		return false
	}, "the placeholder replaced with the note that drafting was interrupted")

	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.MessageEvent{Channel: "C1", User: "UANA", Text: "draft", ThreadTS: header.TS}))
	h.fake.WaitFor(t, func() bool { return len(h.toldDraftOnItsWay()) > 0 || len(llm.Requests()) == 2 }, "Ana's draft asked for again answered")
	release()
	settle(t, h.bot, h.fake)
	settle(t, killed, h.fake)
	if len(h.toldDraftOnItsWay()) > 0 {
		t.Errorf("asked again as the thread said to, Ana was told a draft is already on its way")
	}
	if n := len(llm.Requests()); n != 2 {
		t.Errorf("the model was asked %d times, want twice: once by the killed racebot, once again for Ana", n)
	}
}

// TestDraftAskedAfterThePlanChanged: Ana asks for a draft (of the open
// question, or of the stage's KPI suggestions), and while the model
// writes it the plan changes: Ben adds his answer beside Ana's to the
// question before (he wrote it as she did), or Ana edits her answer to
// it, or Ben sets a KPI. Ben then asks for the draft. It is made, from
// the plan as it now is: he is not told one is already on its way, which
// would be the one written without his change.
func TestDraftAskedAfterThePlanChanged(t *testing.T) {
	t.Parallel()
	const edited = "Speciality beans by subscription, and a Saturday market stall."
	for _, tt := range []struct {
		name string
		kpis bool
		// change changes the plan; q1 is the first question's prompt, and
		// ana1 Ana's reply to it.
		change func(h *harness, header, q1 slackfake.Message, ana1 string)
		// seen is what the second draft's prompt to the model carries,
		// when the change reaches the model at all.
		seen string
	}{
		{name: "an answer added beside", change: func(h *harness, header, q1 slackfake.Message, ana1 string) {
			h.fake.WaitAck(h.t, h.fake.SendEvent(slackfake.MessageEvent{Channel: "C1", User: "UBEN", Text: "Coffee for offices.", TS: tsAfter(h.t, q1.TS, 500*time.Microsecond), ThreadTS: header.TS}))
			h.fake.WaitFor(h.t, func() bool {
				return len(h.plan(slackfake.TeamID, "C1", "Q1").Answers[flows.QuestionBusiness].Also) == 1
			}, "Ben's answer kept beside Ana's")
		}},
		{name: "an answer edited", change: func(h *harness, header, q1 slackfake.Message, ana1 string) {
			h.edit(h.t, slackfake.MessageChanged{User: "UANA", TS: ana1, ThreadTS: header.TS, Text: edited, PreviousText: "Coffee."})
			h.fake.WaitFor(h.t, func() bool {
				return h.plan(slackfake.TeamID, "C1", "Q1").Answers[flows.QuestionBusiness].Text == edited
			}, "Ana's edit saved")
		}, seen: edited},
		{name: "a KPI set", kpis: true, change: func(h *harness, header, q1 slackfake.Message, ana1 string) {
			h.fake.WaitAck(h.t, h.fake.SendEvent(slackfake.MessageEvent{Channel: "C1", User: "UBEN", Text: "visitors | baseline 8k | target 20k | by 2027-03-31 | owner <@UANA>", ThreadTS: header.TS}))
			h.fake.WaitFor(h.t, func() bool {
				return len(h.plan(slackfake.TeamID, "C1", "Q1").KPIs) == 1
			}, "Ben's KPI set")
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			llm := openaifake.New(t, aDraft)
			h := newHarness(t, withModel(t, llm))
			h.runSocket()
			header, q1, _ := h.firstQuestion("Q1")
			ana1 := tsAfter(t, q1.TS, time.Millisecond)
			h.fake.WaitAck(t, h.fake.SendEvent(slackfake.MessageEvent{Channel: "C1", User: "UANA", Text: "Coffee.", TS: ana1, ThreadTS: header.TS}))
			h.threadMessage("C1", header.TS, "What is your value proposition")
			placeholder := "Drafting an answer"
			if tt.kpis {
				h.sayAndWait(header.TS, "kpi reach", func() bool { return h.plan(slackfake.TeamID, "C1", "Q1").Cursor.Phase == flows.PhaseKPIs })
				placeholder = "Suggesting KPIs"
			}
			h.settle()

			release := llm.Hold()
			t.Cleanup(release)
			h.fake.WaitAck(t, h.fake.SendEvent(slackfake.MessageEvent{Channel: "C1", User: "UANA", Text: "draft", ThreadTS: header.TS}))
			h.fake.WaitFor(t, func() bool { return len(llm.Requests()) == 1 }, "Ana's draft under way")
			tt.change(h, header, q1, ana1)
			h.fake.WaitAck(t, h.fake.SendEvent(slackfake.MessageEvent{Channel: "C1", User: "UBEN", Text: "draft", ThreadTS: header.TS}))
			h.fake.WaitFor(t, func() bool {
				return len(h.toldDraftOnItsWay()) > 0 || len(llm.Requests()) == 2
			}, "Ben's draft answered")
			release()
			h.settle()

			if told := h.toldDraftOnItsWay(); len(told) > 0 {
				t.Errorf("asked for after the plan changed, Ben was told %q", told[0].Text)
			}
			reqs := llm.Requests()
			if len(reqs) != 2 {
				t.Fatalf("the model was asked %d times, want twice: Ana's draft, and Ben's after the change", len(reqs))
			}
			if n := countReplies(h.fake, "C1", header.TS, aDraft); n != 2 {
				t.Errorf("%d drafts in the plan's thread, want Ana's and Ben's", n)
			}
			if n := countReplies(h.fake, "C1", header.TS, placeholder); n != 0 {
				t.Errorf("%d placeholders left in the plan's thread", n)
			}
			if tt.seen != "" && !strings.Contains(reqs[1].Messages[len(reqs[1].Messages)-1].Content, tt.seen) {
				t.Errorf("Ben's draft was written without the change %q", tt.seen)
			}
		})
	}
}

// TestKPISuggestionsAskedTwiceAtOnce: at the Reach stage's KPIs, Ana asks
// for KPI suggestions, and while the model writes them Ben asks too, the
// plan unchanged. One set of suggestions is posted, and Ben is told, in
// one sentence and to him alone, that they are on their way.
func TestKPISuggestionsAskedTwiceAtOnce(t *testing.T) {
	t.Parallel()
	llm := openaifake.New(t, aDraft)
	h := newHarness(t, withModel(t, llm))
	h.runSocket()
	header, _, _ := h.firstQuestion("Q1")
	h.sayAndWait(header.TS, "kpi reach", func() bool { return h.plan(slackfake.TeamID, "C1", "Q1").Cursor.Phase == flows.PhaseKPIs })
	h.settle()

	release := llm.Hold()
	t.Cleanup(release)
	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.MessageEvent{Channel: "C1", User: "UANA", Text: "draft", ThreadTS: header.TS}))
	h.fake.WaitFor(t, func() bool { return len(llm.Requests()) == 1 }, "Ana's suggestions under way")
	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.MessageEvent{Channel: "C1", User: "UBEN", Text: "draft", ThreadTS: header.TS}))
	h.fake.WaitFor(t, func() bool { return len(h.toldDraftOnItsWay()) > 0 || len(llm.Requests()) == 2 }, "Ben's ask answered")
	release()
	h.settle()

	if n := len(llm.Requests()); n != 1 {
		t.Errorf("the model was asked %d times, want once", n)
	}
	if n := countReplies(h.fake, "C1", header.TS, aDraft); n != 1 {
		t.Errorf("%d sets of suggestions in the plan's thread, want one", n)
	}
	told := h.toldDraftOnItsWay()
	if len(told) != 1 || told[0].User != "UBEN" || told[0].ThreadTS != header.TS {
		t.Fatalf("told that suggestions are on their way: %+v, want Ben once in the plan's thread", told)
	}
}
