package bot

import (
	"strings"
	"testing"

	"github.com/racebot/racebot/flows"
	"github.com/racebot/racebot/internal/slackfake"
)

// TestSecondPressOfACheckinStatusButtonIsForItsPresser: Ben and Ana both
// press "Done" under the same action of a check-in's opening. The first
// press marks it done and tells the team in the check-in's thread; the
// second finds it done already and changes nothing, which only its
// presser needs to hear, as with a draft used twice.
func TestSecondPressOfACheckinStatusButtonIsForItsPresser(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.runSocket()
	p, opening := h.checkinOfActions("Cart recovery emails")
	done := statusValue(p, p.Actions[0], flows.ActionDone)
	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.BlockAction{ActionID: actionSetStatus, Value: done, UserID: "UBEN", ChannelID: "C1", MessageTS: opening.TS}))
	h.threadMessage("C1", opening.TS, `marked "Cart recovery emails" done`)
	url := h.fake.ResponseURL()
	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.BlockAction{ActionID: actionSetStatus, Value: done, UserID: "UANA", ChannelID: "C1", MessageTS: opening.TS, ResponseURL: url}))
	h.settle()
	if n := h.countReplies("C1", opening.TS, "already"); n != 0 {
		t.Errorf("the check-in's thread got %d notes that the action is done already, want 0:\n%s", n, h.fake.Dump())
	}
	var told bool
	for _, r := range h.fake.Responses(url) {
		told = told || (strings.Contains(r.Text, "done already") && !r.ReplaceOriginal)
	}
	if !told {
		t.Errorf("the second presser was not told the action is done already: %+v", h.fake.Responses(url))
	}
}

// TestShortcutDoesNotAddAThreadActionAgain: Ana's reply at the Plan
// stage's actions is recorded as an action. Cat, reading the thread later,
// adds that same reply as an action with "Add to RACE plan". The plan
// keeps one action, and Cat's form says the message is in the plan
// already, as it does for a reply recorded as an answer or as values.
func TestShortcutDoesNotAddAThreadActionAgain(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.runSocket()
	line := "Send sample bags | impact 4 | effort 1 | <@UBEN>"
	header, ts := h.atActions()
	m := h.fake.AddMessage(slackfake.Message{Channel: "C1", User: "UANA", Text: line, TS: ts, ThreadTS: header.TS})
	h.anaReplies(header, ts, line)
	h.threadMessage("C1", header.TS, "Added action ")
	p := h.plan(slackfake.TeamID, "C1", "Q1")
	ack := h.addAsAction(p, m, "UCAT")
	h.wantOneAction()
	if !strings.Contains(string(ack), "in the plan already") {
		t.Errorf("a thread's action added again: ack %s, want the form to say it is in the plan already", ack)
	}
}

// addAsAction adds message m to plan p as an action with "Add to RACE
// plan", as user, and returns the form's acknowledgement.
func (h *harness) addAsAction(p *flows.Plan, m slackfake.Message, user string) []byte {
	h.t.Helper()
	form := h.shortcut(user, m)
	ack := h.fake.WaitAck(h.t, h.fake.SendEvent(addForm(form, user, p.ID, addAsAction, shownText(h.t, form), actionFields())))
	h.settle()
	return ack.Payload
}

// wantOneAction checks that plan Q1 has one action.
func (h *harness) wantOneAction() {
	h.t.Helper()
	if got := h.plan(slackfake.TeamID, "C1", "Q1").Actions; len(got) != 1 {
		var texts []string
		for _, a := range got {
			texts = append(texts, a.Text)
		}
		h.t.Errorf("one message became %d actions: %q", len(got), texts)
	}
}
