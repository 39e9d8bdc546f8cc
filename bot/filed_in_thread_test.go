package bot

import (
	"strings"
	"testing"
	"time"

	"github.com/racebot/racebot/flows"
	"github.com/racebot/racebot/internal/slackfake"
)

// TestAnEditOfSideChatInAPlansThreadFiledIntoItRevisesIt: in Q1's own
// thread Ben writes an aside ("// ..."), which the coach leaves alone,
// and Ana adds it to question 1 with "Add to RACE plan". His edit revises
// the answer it gave, as the edit of a filed message elsewhere does.
func TestAnEditOfSideChatInAPlansThreadFiledIntoItRevisesIt(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.runSocket()
	header, _, p := h.firstQuestion("Q1")
	h.waitAsked(p, flows.QuestionBusiness)
	m := h.fake.AddMessage(slackfake.Message{Channel: "C1", User: "UBEN", ThreadTS: header.TS, Text: "// we roast coffee."})
	h.fileAsAnswer(p, header, m, flows.QuestionBusiness)
	filed := h.plan(slackfake.TeamID, "C1", "Q1").Answers[flows.QuestionBusiness]
	if !strings.Contains(filed.Text, "roast coffee") {
		t.Fatalf("filed answer = %q", filed.Text)
	}
	edit := slackfake.MessageChanged{Channel: "C1", User: "UBEN", TS: m.TS, ThreadTS: header.TS, Text: "// we roast coffee beans.", PreviousText: m.Text,
		EditTS: tsAfter(t, m.TS, 10*time.Second), EventID: "EvASIDE"}
	h.fake.WaitAck(t, h.fake.SendEvent(edit))
	h.settle()
	if a := h.plan(slackfake.TeamID, "C1", "Q1").Answers[flows.QuestionBusiness]; !strings.Contains(a.Text, "coffee beans") || a.Revision != filed.Revision+1 {
		t.Errorf("answer = %q (revision %d) after Ben's edit of his filed aside, want it revised once from %q (revision %d)", a.Text, a.Revision, filed.Text, filed.Revision)
	}
}

// TestAnEditOfAReplyInOnePlansThreadFiledIntoAnotherRevisesIt: Ben's
// reply in Q1's thread answers Q1's question 1; Ana adds it to Q2's
// question 1 too. His edit revises both answers; his deletion withdraws
// both.
func TestAnEditOfAReplyInOnePlansThreadFiledIntoAnotherRevisesIt(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.runSocket()
	h1, _, p1 := h.firstQuestion("Q1")
	h.waitAsked(p1, flows.QuestionBusiness)
	h2, _, p2 := h.firstQuestion("Q2")
	h.waitAsked(p2, flows.QuestionBusiness)
	m := h.fake.AddMessage(slackfake.Message{Channel: "C1", User: "UBEN", ThreadTS: h1.TS, Text: "We roast coffee."})
	ts := m.TS
	h.replyAndWait(slackfake.MessageEvent{Channel: "C1", User: "UBEN", Text: m.Text, TS: ts, ThreadTS: h1.TS}, "What is your value proposition")
	h.fileAsAnswer(p2, h2, m, flows.QuestionBusiness)
	edit := slackfake.MessageChanged{Channel: "C1", User: "UBEN", TS: ts, ThreadTS: h1.TS, Text: "We roast coffee beans.", PreviousText: "We roast coffee.",
		EditTS: tsAfter(t, ts, 10*time.Second), EventID: "EvCROSS"}
	h.fake.WaitAck(t, h.fake.SendEvent(edit))
	h.settle()
	for _, name := range []string{"Q1", "Q2"} {
		if a := h.plan(slackfake.TeamID, "C1", name).Answers[flows.QuestionBusiness]; !strings.Contains(a.Text, "coffee beans") {
			t.Errorf("%s: answer = %q after Ben's edit, want it revised", name, a.Text)
		}
	}
	h.twice(slackfake.MessageDeleted{Channel: "C1", User: "UBEN", TS: ts, ThreadTS: h1.TS, PreviousText: edit.Text, EventID: "EvCROSSDEL"})
	for _, name := range []string{"Q1", "Q2"} {
		if a := h.plan(slackfake.TeamID, "C1", name).Answers[flows.QuestionBusiness]; a.Text != "" {
			t.Errorf("%s: answer = %q after Ben deleted his reply, want it withdrawn", name, a.Text)
		}
	}
	if n := h.countReplies("C1", h2.TS, "was deleted"); n != 1 {
		t.Errorf("Q2's thread said %d times that the answer was deleted, want once", n)
	}
}
