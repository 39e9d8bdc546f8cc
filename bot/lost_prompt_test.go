package bot

import (
	"context"
	"math"
	"testing"
	"time"

	"github.com/racebot/racebot/coach"
	"github.com/racebot/racebot/flows"
	"github.com/racebot/racebot/internal/slackfake"
)

// losePosts has Slack refuse, for good, every post racebot makes until the
// returned restore is called: a prompt a step queued is never posted.
func (h *harness) losePosts() (restore func()) {
	h.fake.RefuseNext("chat.postMessage", 1000, "invalid_arguments")
	return func() { h.fake.RefuseNext("chat.postMessage", 0, "") }
}

// sendAt delivers user's reply text in header's thread at ts and waits
// until what it started is done.
func (h *harness) sendAt(header slackfake.Message, user, text, ts string) {
	h.t.Helper()
	h.fake.WaitAck(h.t, h.fake.SendEvent(slackfake.MessageEvent{Channel: "C1", User: user, Text: text, TS: ts, ThreadTS: header.TS}))
	h.settle()
}

// TestAStepWhosePromptIsLostStillFilesTheNextReply: a step moves plan Q1
// to a question, and Slack refuses the prompt that asks it, for good. The
// author's next plain reply is filed where the plan is, not under the last
// prompt posted: after `back` from question 2, and after a `yes` that
// takes her line back from question 1, Ana's "Coffee." answers question 1.
func TestAStepWhosePromptIsLostStillFilesTheNextReply(t *testing.T) {
	t.Parallel()
	wantQ1 := func(t *testing.T, h *harness) {
		t.Helper()
		p := h.plan(slackfake.TeamID, "C1", "Q1")
		if a, b := p.Answers[flows.QuestionBusiness], p.Answers[flows.QuestionValueProposition]; a.Text != "Coffee." || b.Has("Coffee.") {
			t.Errorf("Ana's reply after the lost prompt: question 1 = %q, question 2 = %q %+v; want Coffee. under question 1\n%s", a.Text, b.Text, b.Also, h.fake.Dump())
		}
	}
	// Back to question 1 from question 2, or question 1 emptied by a yes
	// that takes Ana's line back to start its plan.
	for _, c := range []struct{ name, q1, prompt, text string }{
		{"back", "Beans.", "What is your value proposition", "back"},
		{"yes takes the line back", "new Launch plan", "Start a new plan called", "yes"},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			h, header, moved := anaMovesWithItsPromptLost(t, c.q1, c.prompt, c.text)
			if got := h.plan(slackfake.TeamID, "C1", "Q1").Asking(flows.RACE()); got != flows.QuestionBusiness {
				t.Fatalf("after %s the plan asks %q, want question 1", c.text, got)
			}
			h.sendAt(header, "UANA", "Coffee.", tsAfter(t, moved, 20*time.Second))
			wantQ1(t, h)
		})
	}
	// Moved by a command typed in the thread, or past question 2 by skip:
	// her reply goes where she moved the plan, not to what she skipped.
	for _, c := range []struct{ name, text string }{{"stage", "stage reach"}, {"edit N", "edit plan 1"}, {"skip", "skip"}} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			h, header, moved := anaMovesWithItsPromptLost(t, "Beans.", "What is your value proposition", c.text)
			want := h.plan(slackfake.TeamID, "C1", "Q1").Asking(flows.RACE())
			if want == flows.QuestionValueProposition || want == "" {
				t.Fatalf("after %s the plan asks %q, want another question", c.text, want)
			}
			h.sendAt(header, "UANA", "Coffee.", tsAfter(t, moved, 20*time.Second))
			p := h.plan(slackfake.TeamID, "C1", "Q1")
			if a, b := p.Answers[want], p.Answers[flows.QuestionValueProposition]; a.Text != "Coffee." || b.Has("Coffee.") {
				t.Errorf("Ana's reply after %s: %s = %q, question 2 = %q %+v; want Coffee. under %s\n%s", c.text, want, a.Text, b.Text, b.Also, want, h.fake.Dump())
			}
		})
	}
	// The move is Ana's alone: Ben, who saw question 2 asked, answers it.
	t.Run("back, then Ben", func(t *testing.T) {
		t.Parallel()
		h, header, back := anaMovesWithItsPromptLost(t, "Beans.", "What is your value proposition", "back")
		h.sendAt(header, "UBEN", "Oat milk.", tsAfter(t, back, 10*time.Second))
		h.sendAt(header, "UANA", "Coffee.", tsAfter(t, back, 20*time.Second))
		wantQ1(t, h)
		if b := h.plan(slackfake.TeamID, "C1", "Q1").Answers[flows.QuestionValueProposition]; b.Text != "Oat milk." {
			t.Errorf("Ben's reply to question 2 after Ana's back: question 2 = %q, want Oat milk.", b.Text)
		}
	})
	// Slack delivers the back twice: it moves the plan once, and Ana's
	// reply is filed where it moved.
	t.Run("back delivered twice", func(t *testing.T) {
		t.Parallel()
		h, header, ts := anaAnswersQ1(t, "Beans.", "What is your value proposition")
		restore := h.losePosts()
		back := tsAfter(t, ts, 20*time.Second)
		h.twice(slackfake.MessageEvent{Channel: "C1", User: "UANA", Text: "back", TS: back, ThreadTS: header.TS})
		restore()
		p := h.plan(slackfake.TeamID, "C1", "Q1")
		asks, at, err := h.db.LastAsked(context.Background(), p.Team, p.ID, math.MaxInt64, "UANA")
		if wantAt, _ := coach.MessageTime(back); err != nil || asks != flows.QuestionBusiness || at != wantAt.UnixMicro() {
			t.Errorf("after back twice Ana was last asked %q at %d, %v; want question 1 at her back (%s)", asks, at, err, back)
		}
		h.sendAt(header, "UANA", "Coffee.", tsAfter(t, back, 20*time.Second))
		wantQ1(t, h)
	})
	// racebot restarts after the lost prompt: the new one, its cache
	// empty, files Ana's reply where her back moved the plan.
	t.Run("back, then a restart", func(t *testing.T) {
		t.Parallel()
		h, header, back := anaMovesWithItsPromptLost(t, "Beans.", "What is your value proposition", "back")
		other, _ := h.anotherRacebot()
		coffee := slackfake.MessageEvent{Channel: "C1", User: "UANA", Text: "Coffee.", TS: tsAfter(t, back, 20*time.Second), ThreadTS: header.TS}
		if code := h.deliver(serve(t, other), slackfake.EventBody(coffee)); code != 200 {
			t.Fatalf("Ana's reply to the restarted racebot answered %d", code)
		}
		settle(t, other, h.fake)
		wantQ1(t, h)
	})
}

// TestAMoveToWhereAnotherLeftThePlanStillFilesTheNextReply: Ben's back
// moves Q1 from question 2 to question 1, and Slack refuses its prompt, so
// Ana still sees question 2. She types `edit plan 1` to go to question 1,
// which the plan asks already, and its prompt is refused too: her next
// reply answers question 1, where she moved, not question 2.
func TestAMoveToWhereAnotherLeftThePlanStillFilesTheNextReply(t *testing.T) {
	t.Parallel()
	h, header, ts := anaAnswersQ1(t, "Beans.", "What is your value proposition")
	restore := h.losePosts()
	back := tsAfter(t, ts, 10*time.Second)
	h.sendAt(header, "UBEN", "back", back)
	edit := tsAfter(t, back, 10*time.Second)
	h.sendAt(header, "UANA", "edit plan 1", edit)
	restore()
	if got := h.plan(slackfake.TeamID, "C1", "Q1").Asking(flows.RACE()); got != flows.QuestionBusiness {
		t.Fatalf("after Ana's edit the plan asks %q, want question 1", got)
	}
	h.sendAt(header, "UANA", "Coffee.", tsAfter(t, edit, 20*time.Second))
	p := h.plan(slackfake.TeamID, "C1", "Q1")
	if a, b := p.Answers[flows.QuestionBusiness], p.Answers[flows.QuestionValueProposition]; a.Text != "Coffee." || b.Has("Coffee.") {
		t.Errorf("Ana's reply after her edit: question 1 = %q, question 2 = %q %+v; want Coffee. under question 1\n%s", a.Text, b.Text, b.Also, h.fake.Dump())
	}
}

// anaMovesWithItsPromptLost has Ana answer question 1 with q1 (the coach
// then asks what prompt begins with) and send text 20 s later, while Slack
// refuses every post; it returns the harness, the plan's header and when
// text was sent.
func anaMovesWithItsPromptLost(t *testing.T, q1, prompt, text string) (*harness, slackfake.Message, string) {
	t.Helper()
	h, header, ts := anaAnswersQ1(t, q1, prompt)
	restore := h.losePosts()
	moved := tsAfter(t, ts, 20*time.Second)
	h.sendAt(header, "UANA", text, moved)
	restore()
	return h, header, moved
}
