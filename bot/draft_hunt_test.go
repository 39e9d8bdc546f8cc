package bot

import (
	"context"
	"strings"
	"testing"

	"github.com/racebot/racebot/flows"
	"github.com/racebot/racebot/internal/openaifake"
	"github.com/racebot/racebot/internal/slackfake"
)

// TestDraftAfterAReplyAndBackKeepsTheReply: Ana asks for a draft of the
// first question; while she reads it, Ben answers that question and types
// `back` to look at it again, so it is the open question once more. Ana's
// Use this, or her Edit form saved, on a draft made before Ben answered,
// must not replace his words, which she never saw: the draft joins them,
// as a reply to the first asking would.
func TestDraftAfterAReplyAndBackKeepsTheReply(t *testing.T) {
	t.Parallel()
	for _, how := range []string{"use", "edit"} {
		t.Run(how, func(t *testing.T) {
			t.Parallel()
			h, header, draft, value := drafted(t)
			var view slackfake.View
			if how == "edit" {
				view = h.openDraftEdit(draft, value)
			}
			p := h.plan(slackfake.TeamID, "C1", "Q1")
			h.fake.WaitAck(t, h.fake.SendEvent(slackfake.MessageEvent{Channel: "C1", User: "UBEN", Text: "Handmade ceramic mugs.", ThreadTS: header.TS}))
			h.threadMessage("C1", header.TS, "value proposition")
			h.waitAsked(p, flows.QuestionValueProposition)
			h.fake.WaitAck(t, h.fake.SendEvent(slackfake.MessageEvent{Channel: "C1", User: "UBEN", Text: "back", ThreadTS: header.TS}))
			h.waitAsked(p, flows.QuestionBusiness)

			want := "single-origin"
			if how == "use" {
				h.press(actionDraftUse, value, "UANA", draft)
			} else {
				want = "next day"
				h.fake.WaitAck(t, h.fake.SendEvent(slackfake.ViewSubmission{ViewID: view.ID, UserID: "UANA", Values: map[string]map[string]slackfake.Input{
					inputBlockID(flows.QuestionBusiness): {answerActionID: {Type: "plain_text_input", Value: "We roast single-origin coffee and ship it next day."}},
				}}))
			}

			got := allTexts(h.plan(slackfake.TeamID, "C1", "Q1").Answers[flows.QuestionBusiness])
			if !strings.Contains(got, "Handmade ceramic mugs.") {
				t.Errorf("Ben's answer is gone after Ana used an older draft: %q", got)
			}
			if !strings.Contains(got, want) {
				t.Errorf("the used draft is not in the plan: %q", got)
			}
		})
	}
}

// TestDraftCutShortOffersNoDraft: the model's stream stops after its first
// words without finishing (a connection closed early, which reads as a
// clean end when nothing else delimits the response). The words so far
// are not a draft: the thread gets the built-in help with a note, and no
// Use this that would save half a sentence as the answer.
func TestDraftCutShortOffersNoDraft(t *testing.T) {
	t.Parallel()
	llm := openaifake.New(t, aDraft)
	llm.CutShort()
	h := newHarness(t, withModel(t, llm))
	h.runSocket()
	header, _, _ := h.firstQuestion("Q1")
	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.MessageEvent{Channel: "C1", User: "UANA", Text: "draft", ThreadTS: header.TS}))
	h.waitUpdated(header.TS, func(text string) bool { return !strings.HasSuffix(text, "…") }, "the draft's message to be final")
	for _, m := range h.fake.Replies("C1", header.TS) {
		if strings.Contains(string(m.Blocks), actionDraftUse) {
			t.Errorf("a draft cut short is offered for use: %q", m.Text)
		}
	}
	h.waitUpdated(header.TS, func(text string) bool { return strings.Contains(text, "built-in coach") }, "the built-in help with a note")
}

// TestDraftCutShortByShutdownLeavesHelp: racebot is stopped (a deploy
// whose grace period ends) while the model is still drafting. The
// "Drafting…" message must not vanish without a word to whoever asked:
// it ends as the built-in help, with a note that the model did not answer.
func TestDraftCutShortByShutdownLeavesHelp(t *testing.T) {
	t.Parallel()
	llm := openaifake.New(t, aDraft)
	t.Cleanup(llm.Hold())
	h := newHarness(t, withModel(t, llm))
	h.runSocket()
	header, _, _ := h.firstQuestion("Q1")
	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.MessageEvent{Channel: "C1", User: "UANA", Text: "draft", ThreadTS: header.TS}))
	h.fake.WaitFor(t, func() bool { return len(llm.Requests()) == 1 }, "the model asked")

	// The grace period is over before the model answers.
	ended, cancel := context.WithCancel(context.Background())
	cancel()
	if err := h.bot.Shutdown(ended); err == nil {
		t.Fatal("shutdown did not cut the draft short")
	}
	shown := false
	for _, m := range h.fake.Replies("C1", header.TS) {
		if strings.Contains(m.Text, "Drafting") {
			t.Errorf("the placeholder is left: %q", m.Text)
		}
		shown = shown || strings.Contains(m.Text, "built-in coach")
	}
	if !shown && len(h.fake.Ephemerals()) == 0 {
		t.Errorf("nothing tells Ana what became of her draft\n%s", h.fake.Dump())
	}
}
