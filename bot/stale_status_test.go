package bot

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/racebot/racebot/flows"
	"github.com/racebot/racebot/internal/slackfake"
)

// TestStaleCheckinButtonKeepsANewerStatus: a check-in's opening shows
// "Cart recovery emails" open, with its buttons. Ben marks it done since,
// with `action done 1`; the opening's buttons still show it open. Ana's
// press of its "Drop" keeps Ben's done and tells her alone, in one
// sentence, what it is now and who set it. A button posted before the
// buttons said what they were shown with still sets the status as it did.
func TestStaleCheckinButtonKeepsANewerStatus(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.runSocket()
	_, p := h.newPlanInSlack("Q1")
	p = h.addActions(p, "Cart recovery emails")
	_, opening := h.openCheckin(p)
	drop := statusButton(t, opening.Blocks, "Drop: Cart recovery emails")

	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.SlashCommand{Command: "/race", Text: "action done 1", UserID: "UBEN", ChannelID: "C1"}))
	h.fake.WaitFor(t, func() bool { return h.plan(p.Team, p.Channel, p.Name).Actions[0].State() == flows.ActionDone }, "Ben's done")
	h.settle()

	url := h.fake.ResponseURL()
	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.BlockAction{ActionID: actionSetStatus, Value: drop, UserID: "UANA", ChannelID: "C1", MessageTS: opening.TS, ResponseURL: url}))
	h.settle()
	if a := h.plan(p.Team, p.Channel, p.Name).Actions[0]; a.State() != flows.ActionDone || a.StatusBy != "UBEN" {
		t.Errorf("after Ana's press of a button shown while the action was open, it is %s by %s, want Ben's done", a.State(), a.StatusBy)
	}
	if n := h.countReplies("C1", opening.TS, "dropped"); n != 0 {
		t.Errorf("the check-in's thread says the action was dropped:\n%s", h.fake.Dump())
	}
	var told []string
	for _, r := range h.fake.Responses(url) {
		if !r.ReplaceOriginal {
			told = append(told, r.Text)
		}
	}
	if len(told) != 1 || !strings.Contains(told[0], "done") || !strings.Contains(told[0], "<@UBEN>") {
		t.Errorf("Ana was told %q, want one sentence saying Ben set it done", told)
	}

	// A button from before: plan, action and status, nothing about what
	// it was shown with.
	old := fmt.Sprintf("%d|%d|%s", p.ID, p.Actions[0].ID, flows.ActionDropped)
	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.BlockAction{ActionID: actionSetStatus, Value: old, UserID: "UANA", ChannelID: "C1", MessageTS: opening.TS}))
	h.threadMessage("C1", opening.TS, `marked "Cart recovery emails" dropped`)
	if a := h.plan(p.Team, p.Channel, p.Name).Actions[0]; a.State() != flows.ActionDropped {
		t.Errorf("an old button's Drop left the action %s, want dropped", a.State())
	}
}

// statusButton is the value of the status button labelled label in blocks.
func statusButton(t *testing.T, blocks json.RawMessage, label string) string {
	t.Helper()
	var bs []struct {
		Elements []struct {
			ActionID string `json:"action_id"`
			Value    string `json:"value"`
			Text     struct {
				Text string `json:"text"`
			} `json:"text"`
		} `json:"elements"`
	}
	if err := json.Unmarshal(blocks, &bs); err != nil {
		t.Fatalf("blocks %s: %v", blocks, err)
	}
	for _, b := range bs {
		for _, e := range b.Elements {
			if e.ActionID == actionSetStatus && e.Text.Text == label {
				return e.Value
			}
		}
	}
	t.Fatalf("no %q button in %s", label, blocks)
	return ""
}

// TestStaleActionListKeepsANewerStatus: Ana's action list shows "Cart
// recovery emails" open; Ben marks it done with `action done 1`. Ana's
// choice of "Drop" from her list keeps Ben's done: her list is redrawn
// with it, and she alone is told who set it.
func TestStaleActionListKeepsANewerStatus(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.runSocket()
	_, p := h.newPlanInSlack("Q1")
	p = h.addActions(p, "Cart recovery emails")
	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.SlashCommand{Command: "/race", Text: "actions", UserID: "UANA", ChannelID: "C1"}))
	url := h.fake.ResponseURL()
	drop := statusValue(p, p.Actions[0], flows.ActionDropped) // as the list drew it, open

	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.SlashCommand{Command: "/race", Text: "action done 1", UserID: "UBEN", ChannelID: "C1"}))
	h.fake.WaitFor(t, func() bool { return h.plan(p.Team, p.Channel, p.Name).Actions[0].State() == flows.ActionDone }, "Ben's done")
	h.settle()

	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.BlockAction{ActionID: actionSetStatus, Type: "overflow", SelectedOption: drop,
		UserID: "UANA", ChannelID: "C1", IsEphemeral: true, ResponseURL: url}))
	h.settle()
	if a := h.plan(p.Team, p.Channel, p.Name).Actions[0]; a.State() != flows.ActionDone {
		t.Errorf("Ana's choice from a list drawn while the action was open left it %s, want Ben's done", a.State())
	}
	var told []string
	for _, r := range h.fake.Responses(url) {
		if !r.ReplaceOriginal {
			told = append(told, r.Text)
		}
	}
	if len(told) != 1 || !strings.Contains(told[0], "stays done") || !strings.Contains(told[0], "<@UBEN>") {
		t.Errorf("Ana was told %q, want one sentence saying Ben set it done", told)
	}
}

// TestActionCommandSaysWhichPlanItMarked: Ben reads the actions of Q1,
// the channel's plan, to mark its action 1 done; meanwhile Ana continues
// Q2 in the channel. `/race action done 1` acts on the channel's plan,
// Q2, as every command does; Ben, where he typed it, is told which plan
// and which action it marked, so a number read from another plan's list
// shows at once.
func TestActionCommandSaysWhichPlanItMarked(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.runSocket()
	_, q2 := h.newPlanInSlack("Q2")
	h.addActions(q2, "Gift boxes")
	_, q1 := h.newPlanInSlack("Q1")
	h.addActions(q1, "Cart recovery emails")
	list := h.fake.WaitAck(t, h.fake.SendEvent(slackfake.SlashCommand{Command: "/race", Text: "actions", UserID: "UBEN", ChannelID: "C1"}))
	if !strings.Contains(string(list.Payload), "Cart recovery emails") {
		t.Fatalf("Ben's list is not Q1's: %s", list.Payload)
	}
	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.SlashCommand{Command: "/race", Text: "continue Q2", UserID: "UANA", ChannelID: "C1"}))
	h.settle()

	ack := h.fake.WaitAck(t, h.fake.SendEvent(slackfake.SlashCommand{Command: "/race", Text: "action done 1", UserID: "UBEN", ChannelID: "C1"}))
	got := ackText(t, ack.Payload)
	if !strings.Contains(got, `"Gift boxes"`) || !strings.Contains(got, `"Q2"`) {
		t.Errorf("Ben's acknowledgement is %q, want it to name the action it marked and its plan", got)
	}
	h.settle()
	if a := h.plan(slackfake.TeamID, "C1", "Q2").Actions[0]; a.State() != flows.ActionDone {
		t.Errorf("Q2's action is %s, want done", a.State())
	}
}
