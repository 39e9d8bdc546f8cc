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

// toldDraftOnItsWay lists what racebot told anyone alone that a draft is
// already on its way.
func (h *harness) toldDraftOnItsWay() []slackfake.Ephemeral {
	var out []slackfake.Ephemeral
	for _, e := range h.fake.Ephemerals() {
		if strings.Contains(e.Text, "already on its way") {
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
