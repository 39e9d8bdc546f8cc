package bot

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/racebot/racebot/coach"
	"github.com/racebot/racebot/flows"
	"github.com/racebot/racebot/internal/slackfake"
)

// remindedOfAnAction is Ben, in Berlin, reminded on Tuesday 1 December at
// 09:00 of his action "Send sample bags" in Q1, due the next day: the
// harness, its clock, the plan and the reminder.
func remindedOfAnAction(t *testing.T) (*harness, *clock, *flows.Plan, slackfake.Message) {
	t.Helper()
	h, clk := clockedHarness(t, time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC))
	h.fake.AddUser(slackfake.User{ID: "UBER", TZ: "Europe/Berlin"})
	_, p := h.newPlanInSlack("Q1")
	p = h.commitActions(p, flows.Action{Stage: flows.StageReach, Text: "Send sample bags", Owner: "<@UBER>", Due: time.Date(2026, 12, 2, 0, 0, 0, 0, time.UTC), Impact: 4, Effort: 1, By: "UANA", At: clk.Now()})
	h.bot.remindTick(context.Background())
	dms := h.dms("UBER")
	if len(dms) != 1 {
		t.Fatalf("reminders = %+v", dms)
	}
	return h, clk, p, dms[0]
}

// snooze presses Snooze on Ben's reminder and returns the press's response
// URL.
func (h *harness) snooze(p *flows.Plan, reminder slackfake.Message) string {
	h.t.Helper()
	url := h.fake.ResponseURL()
	h.fake.WaitAck(h.t, h.fake.SendEvent(slackfake.BlockAction{ActionID: actionActionSnooze, Value: actionValue(p.ID, p.Actions[0].ID), UserID: "UBER", ChannelID: h.fake.DMChannel("UBER"), MessageTS: reminder.TS, ResponseURL: url}))
	return url
}

// anaMarksItDone marks Ben's action done, as Ana does from the thread.
func (h *harness) anaMarksItDone(clk *clock, p *flows.Plan) {
	h.t.Helper()
	if _, err := h.bot.svc.SetActionStatus(context.Background(), coach.Request{Team: slackfake.TeamID, Channel: "C1", User: "UANA", Now: clk.Now(), Plan: p.ID, Key: "test:done"}, p.Actions[0].ID, flows.ActionDone, ""); err != nil {
		h.t.Fatal(err)
	}
}

// TestSnoozeOfAnActionDoneMeanwhilePromisesNoReminder: Ben's reminder
// about an action Ana has since marked done; Ben presses Snooze on it.
// No reminder will come (the action is done), so the reminder must not
// turn into "I'll remind you again tomorrow"; it says the action is done.
func TestSnoozeOfAnActionDoneMeanwhilePromisesNoReminder(t *testing.T) {
	t.Parallel()
	h, clk, p, reminder := remindedOfAnAction(t)
	h.anaMarksItDone(clk, p)
	url := h.snooze(p, reminder)
	h.fake.WaitFor(t, func() bool { return len(h.fake.Responses(url)) >= 1 }, "an answer to the snooze")
	h.settle()
	got := h.fake.Responses(url)[0].Text
	if strings.Contains(got, "remind you") || !strings.Contains(got, "done") {
		t.Errorf("Snooze of a done action answered %q; want that it is done, no promise of a reminder", got)
	}
	clk.Add(25 * time.Hour)
	h.bot.remindTick(context.Background())
	if n := len(h.dms("UBER")); n != 1 {
		t.Errorf("%d reminders, want 1", n)
	}
}

// TestSnoozedAgainOneReminderAtATime: Ben snoozes the due-tomorrow
// reminder, then the snoozed one the next morning: that puts it off to
// 09:00 of the day after the due date, the very time the overdue reminder
// falls. He asked to hear about it once then, not twice at once.
func TestSnoozedAgainOneReminderAtATime(t *testing.T) {
	t.Parallel()
	h, clk, p, _ := remindedOfAnAction(t)
	snooze := func(n int) {
		t.Helper()
		h.bot.remindTick(context.Background())
		dms := h.dms("UBER")
		if len(dms) != n {
			t.Fatalf("%d reminders at %v, want %d", len(dms), clk.Now(), n)
		}
		url := h.snooze(p, dms[n-1])
		h.fake.WaitFor(t, func() bool { return len(h.fake.Responses(url)) == 1 }, "the snooze confirmed")
	}
	snooze(1) // Tue 1 Dec 09:00 Berlin: due tomorrow; snoozed to Wed 09:00
	clk.Add(24 * time.Hour)
	snooze(2) // Wed 2 Dec 09:00: the snoozed one; snoozed to Thu 09:00
	clk.Add(24 * time.Hour)
	h.bot.remindTick(context.Background()) // Thu 3 Dec 09:00
	dms := h.dms("UBER")
	if len(dms) != 3 {
		for _, m := range dms[2:] {
			t.Logf("reminder: %s", m.Text)
		}
		t.Errorf("%d reminders by Thu 09:00, want 3: one at a time", len(dms))
	}
	clk.Add(24 * time.Hour)
	h.bot.remindTick(context.Background())
	if n := len(h.dms("UBER")); n != len(dms) {
		t.Errorf("%d reminders on Friday, want no more than %d", n, len(dms))
	}
}

// TestSnoozeWithRemindersOffPromisesNoReminder: Ben turned reminders for
// the plan off, then presses Snooze on a reminder sent before. No
// reminder will come, so none may be promised.
func TestSnoozeWithRemindersOffPromisesNoReminder(t *testing.T) {
	t.Parallel()
	h, clk, p, reminder := remindedOfAnAction(t)
	dm := h.fake.DMChannel("UBER")
	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.MessageEvent{Channel: dm, User: "UBER", Text: "remind off"}))
	h.fake.WaitMessage(t, dm, func(m slackfake.Message) bool { return strings.Contains(m.Text, "are off") }, "reminders off")
	url := h.snooze(p, reminder)
	h.fake.WaitFor(t, func() bool { return len(h.fake.Responses(url)) >= 1 }, "an answer to the snooze")
	got := h.fake.Responses(url)[0].Text
	clk.Add(25 * time.Hour)
	h.bot.remindTick(context.Background())
	came := 0
	for _, m := range h.dms("UBER") {
		if strings.Contains(m.Text, "Send sample bags") {
			came++
		}
	}
	if strings.Contains(got, "again") && came < 2 {
		t.Errorf("Snooze answered %q, but no reminder came (reminders are off)", got)
	}
}

// TestRedeliveredSnoozeOfADoneActionAnswersOnce: Ben presses Snooze on a
// reminder about an action Ana has marked done meanwhile, and Slack
// delivers the press twice. He is told once that it is done, as any
// press delivered twice is answered once.
func TestRedeliveredSnoozeOfADoneActionAnswersOnce(t *testing.T) {
	t.Parallel()
	h, clk, p, reminder := remindedOfAnAction(t)
	h.anaMarksItDone(clk, p)
	url := h.fake.ResponseURL()
	h.twice(slackfake.BlockAction{ActionID: actionActionSnooze, Value: actionValue(p.ID, p.Actions[0].ID), UserID: "UBER", ChannelID: h.fake.DMChannel("UBER"), MessageTS: reminder.TS, ResponseURL: url})
	h.fake.WaitFor(t, func() bool { return len(h.fake.Responses(url)) >= 1 }, "an answer to the snooze")
	time.Sleep(200 * time.Millisecond)
	if rs := h.fake.Responses(url); len(rs) != 1 {
		t.Errorf("one press delivered twice was answered %d times: %+v", len(rs), rs)
	}
}
