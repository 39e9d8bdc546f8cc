package bot

import (
	"strings"
	"testing"
	"time"

	"github.com/racebot/racebot/flows"
	"github.com/racebot/racebot/internal/slackfake"
)

// TestShortcutDoesNotAddAMessagesValuesTwice: values written in a
// check-in's thread are recorded from that message; a teammate who then
// adds the same message with "Add to RACE plan", and another who adds it
// again, record nothing more: the form says the message is in the plan
// already, as it does for answers.
func TestShortcutDoesNotAddAMessagesValuesTwice(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.runSocket()
	p, id, opening := h.visitorsCheckin()
	h.threadMessage("C1", opening.TS, "0 of 1 KPIs updated")

	// Ben answers in the thread; it is recorded.
	ts := h.write(opening.TS, "UBEN", "visitors 12.4k", "", true)
	h.threadMessage("C1", opening.TS, "Recorded: Unique visitors 12.4k")
	m, _ := h.message("C1", ts)
	add := func(user string) []byte {
		ack := h.fileAsValues(user, m, p.ID, "")
		h.settle()
		return ack
	}
	for _, user := range []string{"UANA", "UCAT"} {
		if ack := add(user); !strings.Contains(string(ack), "in the plan already") {
			t.Errorf("%s adding Ben's recorded values again: ack %s, want the form to say they are in the plan already", user, ack)
		}
	}
	if n := h.checkinValues(p, id); n != 1 {
		t.Errorf("%d values in the check-in from one message, want 1", n)
	}
	if n := h.countReplies("C1", opening.TS, "added values from"); n != 0 {
		t.Errorf("the thread announces the same message's values %d more times", n)
	}
}

// TestCheckinSummaryKeepsTheCorrectionDeliveredFirst: Ana gives a value
// and half a minute later corrects it in a second reply. Slack delivers
// the correction first and the first reply a minute later (a retry). The
// check-in shows the correction, the value she wrote last, not the one
// that happened to arrive last.
func TestCheckinSummaryKeepsTheCorrectionDeliveredFirst(t *testing.T) {
	t.Parallel()
	h, clk := clockedHarness(t, time.Now().UTC().Truncate(time.Second))
	_, p := h.newPlanInSlack("Q1")
	p = h.setKPIs(p, flows.StageReach, "visitors | baseline 8k | target 20k | by 2027-03-31 | owner <@UANA>")
	_, opening := h.openCheckin(p)
	summary := h.threadMessage("C1", opening.TS, "0 of 1 KPIs updated")

	start := clk.Now()
	first := h.write(opening.TS, "UANA", "visitors 12.4k", slackTS(start.Add(5*time.Minute)), false)
	second := h.write(opening.TS, "UANA", "sorry, visitors 12.6k", slackTS(start.Add(5*time.Minute+30*time.Second)), false)
	clk.Add(6 * time.Minute)
	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.MessageEvent{Channel: "C1", User: "UANA", Text: "sorry, visitors 12.6k", TS: second, ThreadTS: opening.TS}))
	h.threadMessage("C1", opening.TS, "Recorded: Unique visitors 12.6k")
	h.settle()
	clk.Add(time.Minute)
	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.MessageEvent{Channel: "C1", User: "UANA", Text: "visitors 12.4k", TS: first, ThreadTS: opening.TS}))
	h.threadMessage("C1", opening.TS, "Recorded: Unique visitors 12.4k")
	h.settle()

	m, _ := h.message("C1", summary.TS)
	if !strings.Contains(m.Text, "12.6k") {
		t.Errorf("the summary shows %q, want Ana's correction 12.6k, the value she wrote last", m.Text)
	}
}

// TestCheckinReplyWithUnreadableValuesChangesNothing: a check-in reply
// that marks an action done and gives values that can't be read gets the
// question about the values back and changes nothing: the action is not
// marked done behind the team's back, without a word in the thread.
func TestCheckinReplyWithUnreadableValuesChangesNothing(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.runSocket()
	_, p := h.newPlanInSlack("Q1")
	p = h.setKPIs(p, flows.StageReach, "visitors | baseline 8k | target 20k | by 2027-03-31 | owner <@UBEN>")
	p = h.addActions(p, "Gift boxes")
	_, opening := h.openCheckin(p)
	h.threadMessage("C1", opening.TS, "0 of 1 KPIs updated")

	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.MessageEvent{Channel: "C1", User: "UBEN", Text: "done: gift boxes\nvisitors lots", ThreadTS: opening.TS}))
	h.waitEphemeral("UBEN", "lots")
	h.settle()
	if st := h.plan(p.Team, p.Channel, p.Name).Actions[0].State(); st != flows.ActionOpen {
		t.Errorf("after a reply whose values were refused the action is %s and the thread says %d times that it is", st, h.countReplies("C1", opening.TS, `marked "Gift boxes"`))
	}
}

// TestActionLineStartingWithNewIsNotAPlanName: at a stage's actions, an
// action line that starts with "New" but lacks its scores gets the
// question about the scores; it does not start a plan named after the
// rest of the line. That plan is only offered: its author's `yes` starts
// it, anyone else's is a reply like any other.
func TestActionLineStartingWithNewIsNotAPlanName(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.runSocket()
	header, p := h.newPlanInSlack("Q1")
	h.say(header.TS, "done", "· actions")
	names := func() []string {
		t.Helper()
		plans, _, err := h.bot.svc.ChannelPlans(t.Context(), slackfake.TeamID, "C1")
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, p := range plans {
			names = append(names, p.Name)
		}
		return names
	}

	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.MessageEvent{Channel: "C1", User: "UANA", Text: "New spring promo page | <@UBEN> | 2027-02-15", ThreadTS: header.TS}))
	h.waitEphemeral("UANA", "effort")
	h.waitEphemeral("UANA", "to start a new plan called")
	h.settle()
	if got := names(); len(got) != 1 {
		t.Errorf("an action line without scores started a plan: the channel has %q", got)
	}
	if got := h.plan(slackfake.TeamID, "C1", "Q1"); got.ID != p.ID || len(got.Actions) != 0 {
		t.Errorf("Q1 has %d actions", len(got.Actions))
	}

	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.MessageEvent{Channel: "C1", User: "UBEN", Text: "yes", ThreadTS: header.TS}))
	h.settle()
	if got := names(); len(got) != 1 {
		t.Errorf("Ben's yes took Ana's offer: the channel has %q", got)
	}
	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.MessageEvent{Channel: "C1", User: "UANA", Text: "yes", ThreadTS: header.TS}))
	h.fake.WaitFor(t, func() bool { return len(names()) == 2 }, "Ana's yes to start the plan offered")
}

// TestShortcutDoesNotAddAMessageAsTwoActions: two teammates each add the
// same message as an action with "Add to RACE plan", the second one also
// while Slack does not give the message's link. The plan gets one action;
// the second form says the message is in the plan already, as it does for
// answers, and the thread announces it once.
func TestShortcutDoesNotAddAMessageAsTwoActions(t *testing.T) {
	t.Parallel()
	for _, linkLost := range []bool{false, true} {
		t.Run(map[bool]string{false: "with its link", true: "without its link"}[linkLost], func(t *testing.T) {
			t.Parallel()
			h := newHarness(t)
			h.runSocket()
			header, p := h.newPlanInSlack("Q1")
			m := h.fake.AddMessage(slackfake.Message{Channel: "C1", User: "UBEN", Text: "Let's send sample bags to cafés"})
			h.addAsAction(p, m, "UANA")
			h.threadMessage("C1", header.TS, "as action 1")
			if linkLost {
				h.fake.RefuseNext("chat.getPermalink", 1, "internal_error")
			}
			if ack := h.addAsAction(p, m, "UCAT"); !strings.Contains(string(ack), "in the plan already") {
				t.Errorf("the same message added again as an action: ack %s, want the form to say it is in the plan already", ack)
			}
			h.wantOneAction()
			if n := h.countReplies("C1", header.TS, "as action"); n != 1 {
				t.Errorf("announced %d times, want once", n)
			}
		})
	}
}
