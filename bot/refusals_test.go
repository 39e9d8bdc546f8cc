package bot

import (
	"strings"
	"testing"

	"github.com/racebot/racebot/internal/slackfake"
)

// TestReportInThreadWithoutKPIsIsExplained: `report` typed in a plan's
// thread before any KPI is set gets the word on setting KPIs, to its
// author; the key recorded before the read must not silence it.
func TestReportInThreadWithoutKPIsIsExplained(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.runSocket()
	header, _ := h.newPlanInSlack("Q1")
	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.MessageEvent{Channel: "C1", User: "UANA", Text: "report", ThreadTS: header.TS}))
	h.waitEphemeral("UANA", "no KPIs to chart")
}

// TestShortcutRefusedAsActionCanBeAddedAsAnswer: Cat adds a message that
// is an action already; the form says so, and she picks "answer" on the
// same form instead. That submission is recorded, not taken for a repeat
// of the refused one.
func TestShortcutRefusedAsActionCanBeAddedAsAnswer(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.runSocket()
	header, p := h.newPlanInSlack("Q1")
	m := h.fake.AddMessage(slackfake.Message{Channel: "C1", User: "UBEN", Text: "Let's send sample bags to cafés"})
	first := h.shortcut("UANA", m)
	h.fake.WaitAck(t, h.fake.SendEvent(addForm(first, "UANA", p.ID, addAsAction, shownText(t, first), actionFields())))
	h.threadMessage("C1", header.TS, "as action ")

	form := h.shortcut("UCAT", m)
	ack := h.fake.WaitAck(t, h.fake.SendEvent(addForm(form, "UCAT", p.ID, addAsAction, shownText(t, form), actionFields())))
	if !strings.Contains(string(ack.Payload), "in the plan already") {
		t.Fatalf("ack %s, want the form to say the message is in the plan already", ack.Payload)
	}
	_, cur, _ := h.plan(slackfake.TeamID, "C1", "Q1").Current(h.bot.cat)
	h.fake.WaitAck(t, h.fake.SendEvent(addForm(form, "UCAT", p.ID, addAsAnswer, shownText(t, form), map[string]slackfake.Input{"question": {Type: "static_select", SelectedOption: cur.ID}})))
	h.fake.WaitFor(t, func() bool {
		return h.plan(slackfake.TeamID, "C1", "Q1").Answers[cur.ID].Text != ""
	}, "the message added as an answer on the second try of the form")
}
