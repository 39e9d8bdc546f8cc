package bot

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"github.com/racebot/racebot/flows"
	"github.com/racebot/racebot/internal/slackfake"
)

// twice sends a payload over Socket Mode and then the same envelope again,
// as a redelivery would carry it, and waits for both acks and for the work
// they started.
func (h *harness) twice(p slackfake.Payload) {
	h.t.Helper()
	env := h.fake.SendEvent(p)
	h.fake.WaitAck(h.t, env)
	h.fake.WaitAck(h.t, h.fake.Redeliver(env))
	h.settle()
}

// openView presses a button that opens a modal and returns the modal.
func (h *harness) openView(press slackfake.BlockAction) slackfake.View {
	h.t.Helper()
	before := len(h.fake.Views())
	h.fake.WaitAck(h.t, h.fake.SendEvent(press))
	h.fake.WaitFor(h.t, func() bool { return len(h.fake.Views()) > before }, "the modal "+press.ActionID+" opens")
	return h.fake.Views()[before]
}

// TestFormsAndButtonsDeliveredTwiceActOnce: a modal submission or a button
// press that reaches the bot twice (same payload) is recorded once and
// answered once.
func TestFormsAndButtonsDeliveredTwiceActOnce(t *testing.T) {
	t.Parallel()
	cat := flows.RACE()

	t.Run("edit answers modal", func(t *testing.T) {
		h := newHarness(t)
		h.runSocket()
		header, p := h.newPlanInSlack("Q1")
		view := h.openView(slackfake.BlockAction{ActionID: actionEditStage, Value: planValue(p, "plan"), UserID: "UBEN", ChannelID: "C1"})
		q := cat.Stages[0].Steps()[0].ID
		h.twice(slackfake.ViewSubmission{ViewID: view.ID, UserID: "UBEN", Values: map[string]map[string]slackfake.Input{
			inputBlockID(q): {answerActionID: {Type: "plain_text_input", Value: "We roast coffee."}},
		}})
		if revs, _ := h.db.Revisions(context.Background(), slackfake.TeamID, p.ID, q); len(revs) != 1 {
			t.Errorf("%d revisions, want 1", len(revs))
		}
		if n := h.countReplies("C1", header.TS, "From <@UBEN>"); n != 1 {
			t.Errorf("the edit was announced %d times, want once", n)
		}
	})

	t.Run("KPI modal", func(t *testing.T) {
		h := newHarness(t)
		h.runSocket()
		header, p := h.newPlanInSlack("Q1")
		view := h.openView(slackfake.BlockAction{ActionID: actionKPIModal, Value: planValue(p, "reach"), UserID: "UANA", ChannelID: "C1"})
		version := h.plan(slackfake.TeamID, "C1", "Q1").Version
		h.twice(slackfake.ViewSubmission{ViewID: view.ID, UserID: "UANA", Values: visitorsForm("8k", "20k", "2027-03-31", "UBEN")})
		got := h.plan(slackfake.TeamID, "C1", "Q1")
		if len(got.KPIs) != 1 || got.Version != version+1 {
			t.Errorf("%d KPIs at version %d, want 1 at %d", len(got.KPIs), got.Version, version+1)
		}
		if n := h.countReplies("C1", header.TS, "KPI set"); n != 1 {
			t.Errorf("the KPI was announced %d times, want once", n)
		}
	})

	t.Run("values modal", func(t *testing.T) {
		h := newHarness(t)
		h.runSocket()
		_, p := h.newPlanInSlack("Q1")
		p = h.setKPIs(p, flows.StageReach, "visitors | baseline 8k | target 20k | by 2027-03-31 | owner <@UANA>")
		id, opening := h.openCheckin(p)
		view := h.openView(slackfake.BlockAction{ActionID: actionEnterValues, Value: strconv.FormatInt(id, 10), UserID: "UANA", ChannelID: "C1"})
		h.twice(slackfake.ViewSubmission{ViewID: view.ID, UserID: "UANA", Values: map[string]map[string]slackfake.Input{
			"kpi:visitors": {valueActionID: {Type: "plain_text_input", Value: "12.4k"}},
		}})
		if n := h.checkinValues(p, id); n != 1 {
			t.Errorf("%d values recorded, want 1", n)
		}
		if n := h.countReplies("C1", opening.TS, "recorded:"); n != 1 {
			t.Errorf("the values were confirmed %d times, want once", n)
		}
	})

	t.Run("skip button", func(t *testing.T) {
		h := newHarness(t)
		h.runSocket()
		header, p := h.newPlanInSlack("Q1")
		h.twice(slackfake.BlockAction{ActionID: actionSkip, Value: planValue(p, flows.QuestionBusiness), UserID: "UBEN", ChannelID: "C1"})
		got := h.plan(slackfake.TeamID, "C1", "Q1")
		if !got.Skipped[flows.QuestionBusiness] || got.Cursor.Step != 1 || got.Version != p.Version+1 {
			t.Errorf("after a skip delivered twice: cursor %+v, version %d; want one skip", got.Cursor, got.Version)
		}
		if n := h.countReplies("C1", header.TS, "Skipped"); n != 1 {
			t.Errorf("the skip was answered %d times, want once", n)
		}
	})

	t.Run("draft button", func(t *testing.T) {
		h := newHarness(t)
		h.runSocket()
		header, p := h.newPlanInSlack("Q1")
		h.twice(slackfake.BlockAction{ActionID: actionDraft, Value: planValue(p, flows.QuestionBusiness), UserID: "UBEN", ChannelID: "C1"})
		if n := h.countReplies("C1", header.TS, "A head start for"); n != 1 {
			t.Errorf("%d drafts posted, want one", n)
		}
	})

	t.Run("delete confirmation", func(t *testing.T) {
		h := newHarness(t)
		h.runSocket()
		header, p := h.newPlanInSlack("Doomed")
		url := h.fake.ResponseURL()
		h.twice(slackfake.BlockAction{ActionID: actionDeleteConfirm, Value: strconv.FormatInt(int64(p.ID), 10), UserID: "UANA", ChannelID: "C1", ResponseURL: url})
		if _, err := h.db.Plan(context.Background(), slackfake.TeamID, p.ID); err == nil {
			t.Fatal("the plan was not deleted")
		}
		// The press's message says what happened, once; a second answer
		// would replace "Deleted" with a puzzling "no longer exists".
		var said []string
		for _, r := range h.fake.Responses(url) {
			said = append(said, r.Text)
		}
		if len(said) != 1 || !strings.Contains(said[0], `Deleted plan "Doomed"`) {
			t.Errorf("responses to the press = %q, want one saying it was deleted", said)
		}
		if n := h.countReplies("C1", header.TS, "deleted this plan"); n != 1 {
			t.Errorf("the deletion was announced %d times, want once", n)
		}
	})
}

// TestSlashCommandDeliveredTwiceActsOnce: a command's envelope delivered
// again (the same trigger id) starts no second plan and says nothing more.
func TestSlashCommandDeliveredTwiceActsOnce(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.runSocket()
	cmd := slackfake.SlashCommand{Command: "/race", Text: "new Twice", UserID: "UANA", ChannelID: "C1", TriggerID: "13345224609.738474920.8088930838d88f008e0"}
	h.fake.WaitAck(t, h.fake.SendEvent(cmd))
	header := h.header("C1", "Twice")
	h.threadMessage("C1", header.TS, "What does the business sell")
	again := h.fake.WaitAck(t, h.fake.SendEvent(cmd))
	if text := ackText(t, again.Payload); text != "" {
		t.Errorf("the second delivery answered %q, want a silent ack", text)
	}
	headers := 0
	for _, m := range h.fake.Messages("C1") {
		if m.ThreadTS == "" && strings.Contains(m.Text, "Twice") {
			headers++
		}
	}
	if headers != 1 {
		t.Errorf("%d plan headers, want 1", headers)
	}
}
