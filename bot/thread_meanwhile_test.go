package bot

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/racebot/racebot/flows"
	"github.com/racebot/racebot/internal/slackfake"
)

// TestReplyDeliveredAfterBackIsACoAnswer: Ana and Ben answer the first
// question 5 ms apart, both before the second question appears. Ana's
// reply lands and the coach moves on; Carl types back, and the first
// question is asked again; only then does Ben's reply arrive (Slack
// retried its delivery). Ben answered the same prompt as Ana: both count,
// as they would have had Ben's reply arrived in time. Ben's reply must not
// replace Ana's answer, which he had not seen.
func TestReplyDeliveredAfterBackIsACoAnswer(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.runSocket()
	header, q1, p := h.firstQuestion("Q1")
	h.waitAsked(p, flows.QuestionBusiness)

	ana := tsAfter(t, q1.TS, 5*time.Millisecond)
	ben := tsAfter(t, ana, 5*time.Millisecond)
	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.MessageEvent{Channel: "C1", User: "UANA", Text: "Speciality coffee subscriptions.", TS: ana, ThreadTS: header.TS}))
	h.threadMessage("C1", header.TS, "What is your value proposition")
	h.waitAsked(p, "plan.value-proposition")

	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.MessageEvent{Channel: "C1", User: "UCARL", Text: "back", ThreadTS: header.TS}))
	h.fake.WaitMessage(t, "C1", func(m slackfake.Message) bool {
		return m.ThreadTS == header.TS && m.TS != q1.TS && asksSomething(m) && strings.Contains(m.Text, "What does the business sell")
	}, "the first question asked again")
	h.waitAsked(p, flows.QuestionBusiness)

	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.MessageEvent{Channel: "C1", User: "UBEN", Text: "Beans roasted to order.", TS: ben, ThreadTS: header.TS}))
	h.settle()

	got := h.plan(slackfake.TeamID, "C1", "Q1")
	a := got.Answers[flows.QuestionBusiness]
	if a.Text != "Speciality coffee subscriptions." || a.By != "UANA" {
		t.Errorf("the answer = %q by %s; Ben's late reply replaced Ana's, which he never saw", a.Text, a.By)
	}
	if len(a.Also) != 1 || a.Also[0].Text != "Beans roasted to order." || a.Also[0].By != "UBEN" {
		t.Errorf("the co-answers = %+v, want Ben's", a.Also)
	}
}

// TestEditFormAnswerBesideAThreadAnswerGivenMeanwhile: Ben opens the
// "Edit answers" form while the first question is unanswered, and types
// his answer into its field; Ana answers the same question in the thread
// meanwhile. Ben saves. Neither saw the other's answer: both count, as
// two replies to one prompt do (and as a draft saved from its form does).
// Ana's answer must not be silently replaced by Ben's.
func TestEditFormAnswerBesideAThreadAnswerGivenMeanwhile(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.runSocket()
	header, p := h.newPlanInSlack("Q1")
	steps := flows.RACE().Stages[0].Steps()

	view := h.openView(slackfake.BlockAction{ActionID: actionEditStage, Value: planValue(p, "plan"), UserID: "UBEN", ChannelID: "C1"})

	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.MessageEvent{Channel: "C1", User: "UANA", Text: "We sell coffee.", ThreadTS: header.TS}))
	h.threadMessage("C1", header.TS, "value proposition")

	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.ViewSubmission{ViewID: view.ID, UserID: "UBEN", Values: map[string]map[string]slackfake.Input{
		inputBlockID(steps[0].ID): {answerActionID: {Type: "plain_text_input", Value: "Roasted beans by subscription."}},
	}}))
	h.settle()
	a := h.plan(slackfake.TeamID, "C1", "Q1").Answers[steps[0].ID]
	texts := []string{a.Text}
	for _, o := range a.Also {
		texts = append(texts, o.Text)
	}
	if !slices.Contains(texts, "We sell coffee.") || !slices.Contains(texts, "Roasted beans by subscription.") {
		t.Errorf("the first question's answers = %q; want Ana's from the thread and Ben's from the form", texts)
	}
}

// TestReplyAfterAShortcutAnswerMovesTheCoachOn: Ben writes in the channel
// what the business sells, and Ana adds his message to the open first
// question with "Add to RACE plan"; the coach still asks that question,
// whose prompt is the latest in the thread. Carl replies to it there. His
// reply answers the question asked now: the coach must move on, and a
// reply word such as skip must work, not be refused as a reply to a
// question "moved on since".
func TestReplyAfterAShortcutAnswerMovesTheCoachOn(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.runSocket()
	header, _, p := h.firstQuestion("Q1")
	h.waitAsked(p, flows.QuestionBusiness)

	m := h.fake.AddMessage(slackfake.Message{Channel: "C1", User: "UBEN", Text: "We roast coffee and ship it by subscription."})
	h.fileAsAnswer(p, header, m, flows.QuestionBusiness)

	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.MessageEvent{Channel: "C1", User: "UCARL", Text: "Speciality coffee for home baristas.", ThreadTS: header.TS}))
	h.settle()
	if got := h.plan(slackfake.TeamID, "C1", "Q1"); got.Asking(flows.RACE()) == flows.QuestionBusiness {
		t.Errorf("after Carl's reply to the question asked now the coach still asks it; answer %+v", got.Answers[flows.QuestionBusiness])
		h.fake.WaitAck(t, h.fake.SendEvent(slackfake.MessageEvent{Channel: "C1", User: "UCARL", Text: "skip", ThreadTS: header.TS}))
		h.settle()
		if h.countReplies("C1", header.TS, "moved on since you saw it") > 0 {
			t.Errorf("skip, typed under the question asked now, was refused as a reply to a question that has moved on")
		}
	}
}

// TestReplyDeliveredAfterAShortcutAnswerAndBackIsACoAnswer: Ben wrote in
// the channel yesterday what the business sells. The first question is
// asked; Carl answers it, but Slack delivers his reply late. Meanwhile
// Ana adds Ben's message to the question with "Add to RACE plan", Dan
// types next and back, and the question is asked again. Carl never saw
// Ben's answer: his reply joins it, as a late reply joins one given in
// the thread; how old Ben's message is must not decide that.
func TestReplyDeliveredAfterAShortcutAnswerAndBackIsACoAnswer(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.runSocket()
	ben := h.fake.AddMessage(slackfake.Message{Channel: "C1", User: "UBEN", Text: "We roast coffee and ship it by subscription."})
	time.Sleep(5 * time.Millisecond)
	header, q1, p := h.firstQuestion("Q1")
	h.waitAsked(p, flows.QuestionBusiness)
	carl := tsAfter(t, q1.TS, 5*time.Millisecond)

	h.fileAsAnswer(p, header, ben, flows.QuestionBusiness)
	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.MessageEvent{Channel: "C1", User: "UDAN", Text: "skip", ThreadTS: header.TS}))
	h.waitAsked(p, "plan.value-proposition")
	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.MessageEvent{Channel: "C1", User: "UDAN", Text: "back", ThreadTS: header.TS}))
	h.waitAsked(p, flows.QuestionBusiness)
	h.settle()

	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.MessageEvent{Channel: "C1", User: "UCARL", Text: "Speciality coffee for home baristas.", TS: carl, ThreadTS: header.TS}))
	h.settle()
	a := h.plan(slackfake.TeamID, "C1", "Q1").Answers[flows.QuestionBusiness]
	if a.By != "UBEN" || len(a.Also) != 1 || a.Also[0].By != "UCARL" {
		t.Errorf("the answer = %q by %s, co-answers %+v; want Ben's, with Carl's late reply beside it", a.Text, a.By, a.Also)
	}
}

// fileAsAnswer has Ana add message m to plan p as the answer to question
// qid with "Add to RACE plan", and waits until the plan's thread says so.
func (h *harness) fileAsAnswer(p *flows.Plan, header, m slackfake.Message, qid string) {
	h.t.Helper()
	view := h.shortcut("UANA", m)
	h.fake.WaitAck(h.t, h.fake.SendEvent(addForm(view, "UANA", p.ID, addAsAnswer, shownText(h.t, view),
		map[string]slackfake.Input{"question": {Type: "static_select", SelectedOption: qid}})))
	h.threadMessage("C1", header.TS, "as an answer to")
	h.settle()
}
