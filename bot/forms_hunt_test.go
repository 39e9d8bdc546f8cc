package bot

import (
	"encoding/json"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/racebot/racebot/flows"
	"github.com/racebot/racebot/internal/slackfake"
)

// TestTwoAnswerFormsKeepEachOthersChanges: Ana and Ben open the answers
// form of the Reach stage at the same moment. Ana changes question 1 and
// saves; Ben, whose form still shows question 1 as it was, changes only
// question 2. Ana's change stands, and Ben's is saved too.
func TestTwoAnswerFormsKeepEachOthersChanges(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.runSocket()
	_, p, _, _ := h.benAnswersTwo("Coffee.", "Fresh beans.")
	steps := flows.RACE().Stages[0].Steps()
	ana := h.openView(slackfake.BlockAction{ActionID: actionEditStage, Value: planValue(p, "plan"), UserID: "UANA", ChannelID: "C1"})
	ben := h.openView(slackfake.BlockAction{ActionID: actionEditStage, Value: planValue(p, "plan"), UserID: "UBEN", ChannelID: "C1"})
	fields := func(q1, q2 string) map[string]map[string]slackfake.Input {
		return map[string]map[string]slackfake.Input{
			inputBlockID(steps[0].ID): {answerActionID: {Type: "plain_text_input", Value: q1}},
			inputBlockID(steps[1].ID): {answerActionID: {Type: "plain_text_input", Value: q2}},
			inputBlockID(steps[2].ID): {answerActionID: {Type: "plain_text_input", Value: ""}},
		}
	}
	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.ViewSubmission{ViewID: ana.ID, UserID: "UANA", Values: fields("Speciality coffee.", "Fresh beans.")}))
	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.ViewSubmission{ViewID: ben.ID, UserID: "UBEN", Values: fields("Coffee.", "Roasted to order.")}))
	h.settle()
	got := h.plan(slackfake.TeamID, "C1", "Q1")
	if a := got.Answers[steps[0].ID]; a.Text != "Speciality coffee." || len(a.Also) != 0 {
		t.Errorf("question 1 = %q (also %+v), want Ana's change", a.Text, a.Also)
	}
	if a := got.Answers[steps[1].ID]; a.Text != "Roasted to order." {
		t.Errorf("question 2 = %q, want Ben's change", a.Text)
	}
}

// deletePlan deletes plan p with the confirmation button.
func (h *harness) deletePlan(p *flows.Plan) {
	h.t.Helper()
	url := h.fake.ResponseURL()
	h.fake.WaitAck(h.t, h.fake.SendEvent(slackfake.BlockAction{ActionID: actionDeleteConfirm, Value: strconv.FormatInt(int64(p.ID), 10), UserID: "UANA", ChannelID: "C1", ResponseURL: url}))
	h.fake.WaitFor(h.t, func() bool { return len(h.fake.Responses(url)) == 1 }, "the delete confirmation reply")
}

// TestFormsSubmittedAfterThePlanWasDeleted: the answers form, the KPI form
// and the add form, each open when their plan is deleted, are then saved:
// each says beside a field that the plan no longer exists, and nothing is
// recorded anywhere.
func TestFormsSubmittedAfterThePlanWasDeleted(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.runSocket()
	header, p := h.newPlanInSlack("Q1")
	steps := flows.RACE().Stages[0].Steps()
	edit := h.openView(slackfake.BlockAction{ActionID: actionEditStage, Value: planValue(p, "plan"), UserID: "UBEN", ChannelID: "C1"})
	kpi := h.openView(slackfake.BlockAction{ActionID: actionKPIModal, Value: planValue(p, "reach"), UserID: "UBEN", ChannelID: "C1"})
	m := h.fake.AddMessage(slackfake.Message{Channel: "C1", User: "UCAT", Text: "Busy parents"})
	add := h.shortcut("UBEN", m)
	// A second plan in the channel, made current, must not get any of it.
	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.SlashCommand{Command: "/race", Text: "new Q2", UserID: "UANA", ChannelID: "C1"}))
	h.header("C1", "Q2")
	h.deletePlan(p)
	h.threadMessage("C1", header.TS, "deleted this plan")

	acks := map[string]json.RawMessage{}
	acks["edit"] = h.fake.WaitAck(t, h.fake.SendEvent(slackfake.ViewSubmission{ViewID: edit.ID, UserID: "UBEN", Values: map[string]map[string]slackfake.Input{
		inputBlockID(steps[0].ID): {answerActionID: {Type: "plain_text_input", Value: "Coffee."}},
	}})).Payload
	acks["kpi"] = h.fake.WaitAck(t, h.fake.SendEvent(slackfake.ViewSubmission{ViewID: kpi.ID, UserID: "UBEN", Values: visitorsForm("8k", "20k", time.Now().AddDate(0, 2, 0).Format(time.DateOnly), "UBEN")})).Payload
	acks["add"] = h.fake.WaitAck(t, h.fake.SendEvent(addForm(add, "UBEN", p.ID, addAsAnswer, shownText(t, add), map[string]slackfake.Input{"question": {Type: "static_select", SelectedOption: "reach.audience"}}))).Payload
	for form, ack := range acks {
		var va viewAck
		if err := json.Unmarshal(ack, &va); err != nil || va.ResponseAction != "errors" {
			t.Errorf("%s form: ack %s, want an error beside a field", form, ack)
			continue
		}
		for _, msg := range va.Errors {
			if !strings.Contains(msg, "no longer exists") {
				t.Errorf("%s form: %q, want it to say the plan no longer exists", form, msg)
			}
		}
	}
	h.settle()
	q2 := h.plan(slackfake.TeamID, "C1", "Q2")
	if len(q2.Answers) != 0 || len(q2.KPIs) != 0 {
		t.Errorf("Q2 got answers %+v, KPIs %+v", q2.Answers, q2.KPIs)
	}
}

// TestMarkupTypedInTheAnswersFormIsKeptAsTyped: Ana types what looks like
// Slack markup into the answers form: a mention, an ampersand and a link
// in angle brackets. It is saved as the words she typed, and the thread
// shows them as typed, pinging nobody.
func TestMarkupTypedInTheAnswersFormIsKeptAsTyped(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.runSocket()
	header, p := h.newPlanInSlack("Q1")
	steps := flows.RACE().Stages[0].Steps()
	view := h.openView(slackfake.BlockAction{ActionID: actionEditStage, Value: planValue(p, "plan"), UserID: "UANA", ChannelID: "C1"})
	typed := "Coffee & tea for <@UBEN> and <!channel>, see <https://evil.example|our shop>"
	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.ViewSubmission{ViewID: view.ID, UserID: "UANA", Values: map[string]map[string]slackfake.Input{
		inputBlockID(steps[0].ID): {answerActionID: {Type: "plain_text_input", Value: typed}},
	}}))
	h.threadMessage("C1", header.TS, "through the form")
	h.settle()
	a := h.plan(slackfake.TeamID, "C1", "Q1").Answers[steps[0].ID]
	if a.Text != "Coffee &amp; tea for &lt;@UBEN&gt; and &lt;!channel&gt;, see &lt;https://evil.example|our shop&gt;" {
		t.Errorf("stored %q", a.Text)
	}
	for _, m := range h.fake.Messages("C1") {
		if strings.Contains(m.Text, "<@UBEN>") || strings.Contains(m.Text, "<!channel>") || strings.Contains(m.Text, "<https://evil") {
			t.Errorf("a message carries the typed markup as markup: %q", m.Text)
		}
	}
}

// TestShortcutOnAMessageDeletedOrEditedMeanwhile: Ana opens "Add to RACE
// plan" on Ben's message. Before she saves, Ben deletes it: her form says
// so beside the text and nothing is added (had he deleted it a moment
// after, the answer would have been withdrawn). On another message of
// his, which he edits while her form is open, the answer is his message
// as it reads now, not the words he replaced.
func TestShortcutOnAMessageDeletedOrEditedMeanwhile(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.runSocket()
	header, p := h.newPlanInSlack("Q1")
	question := map[string]slackfake.Input{"question": {Type: "static_select", SelectedOption: "reach.audience"}}

	gone := h.fake.AddMessage(slackfake.Message{Channel: "C1", User: "UBEN", Text: "Students on a budget", ThreadTS: header.TS})
	form := h.shortcut("UANA", gone)
	h.fake.RemoveMessage("C1", gone.TS)
	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.MessageDeleted{Channel: "C1", User: "UBEN", TS: gone.TS, ThreadTS: header.TS, PreviousText: gone.Text}))
	ack := h.fake.WaitAck(t, h.fake.SendEvent(addForm(form, "UANA", p.ID, addAsAnswer, shownText(t, form), question)))
	var va viewAck
	if err := json.Unmarshal(ack.Payload, &va); err != nil || !strings.Contains(va.Errors["text"], "deleted") {
		t.Errorf("a deleted message added: ack %s, want the form to say it was deleted", ack.Payload)
	}
	h.settle()
	if a := h.plan(slackfake.TeamID, "C1", "Q1").Answers["reach.audience"]; a.Text != "" {
		t.Errorf("the deleted message's words are an answer: %q by %s", a.Text, a.By)
	}

	edited := h.fake.AddMessage(slackfake.Message{Channel: "C1", User: "UBEN", Text: "Busy parents"})
	form = h.shortcut("UANA", edited)
	h.fake.SetText("C1", edited.TS, "Busy parents who commute")
	h.fake.WaitAck(t, h.fake.SendEvent(addForm(form, "UANA", p.ID, addAsAnswer, shownText(t, form), question)))
	h.threadMessage("C1", header.TS, "as an answer to")
	if a := h.plan(slackfake.TeamID, "C1", "Q1").Answers["reach.audience"]; !strings.HasPrefix(a.Text, "Busy parents who commute <") || a.By != "UBEN" {
		t.Errorf("answer %q by %s, want Ben's message as he edited it", a.Text, a.By)
	}
}

// TestShortcutSavedAgainAfterTheMessageWasDeleted: Ana saves "Add to RACE
// plan" on Ben's message; it is added, but Slack does not get the answer
// in time and she saves the same form again. Ben has deleted his message
// meanwhile. Her second save must not tell her that nothing was added
// while the answer stands: the form closes, as a save done already does.
func TestShortcutSavedAgainAfterTheMessageWasDeleted(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.runSocket()
	header, p := h.newPlanInSlack("Q1")
	m := h.fake.AddMessage(slackfake.Message{Channel: "C1", User: "UBEN", Text: "Busy parents"})
	form := h.shortcut("UANA", m)
	save := addForm(form, "UANA", p.ID, addAsAnswer, shownText(t, form), map[string]slackfake.Input{"question": {Type: "static_select", SelectedOption: "reach.audience"}})
	h.fake.WaitAck(t, h.fake.SendEvent(save))
	h.threadMessage("C1", header.TS, "as an answer to")
	h.fake.RemoveMessage("C1", m.TS)
	again := h.fake.WaitAck(t, h.fake.SendEvent(save))
	h.settle()
	if a := h.plan(slackfake.TeamID, "C1", "Q1").Answers["reach.audience"]; a.Text != "" && again.Payload != nil {
		t.Errorf("the form saved again says %s, but the answer %q stands", again.Payload, a.Text)
	}
}
