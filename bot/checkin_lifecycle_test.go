package bot

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/racebot/racebot/internal/slackfake"
	"github.com/racebot/racebot/scheduler"
)

// scheduledCheckinSetup is checkinSetup with the scheduler behind the
// schedule commands, on the same simulated clock.
func scheduledCheckinSetup(t *testing.T) (*harness, *scheduler.Scheduler, *clock, func() slackfake.Message) {
	t.Helper()
	var sched *scheduler.Scheduler
	runner := &botRunner{}
	var clk *clock
	h, p, c := checkinSetup(t, func(s *setup) {
		sched = scheduler.New(s.Store.(scheduler.Store), runner, schedClock{s.Now}, nil, "test")
		s.Schedules = sched.ForCoach(s.Store.(scheduler.History))
	})
	clk = c
	runner.b = h.bot
	_ = p
	open := func() slackfake.Message {
		t.Helper()
		if err := sched.Tick(context.Background()); err != nil {
			t.Fatal(err)
		}
		return h.fake.WaitMessage(t, "C1", func(m slackfake.Message) bool {
			return m.ThreadTS == "" && strings.Contains(m.Text, "KPI check-in")
		}, "the scheduled check-in")
	}
	return h, sched, clk, open
}

type schedClock struct{ now func() time.Time }

func (c schedClock) Now() time.Time                       { return c.now() }
func (c schedClock) After(time.Duration) <-chan time.Time { return make(chan time.Time) }

func (h *harness) slashAck(user, text string) string {
	h.t.Helper()
	return ackText(h.t, h.fake.WaitAck(h.t, h.fake.SendEvent(slackfake.SlashCommand{Command: "/race", Text: text, UserID: user, ChannelID: "C1"})).Payload)
}

// TestPauseHoldsTheOpenCheckinsNudgeAndReminders: the team pauses its
// check-ins for the holidays an hour after Monday's check-in opened. The
// next day nobody is mentioned in the thread or sent a direct message
// about numbers for a check-in the team has paused.
func TestPauseHoldsTheOpenCheckinsNudgeAndReminders(t *testing.T) {
	t.Parallel()
	h, _, clk, open := scheduledCheckinSetup(t)
	// Monday 30 Nov 2026 08:00 UTC; the first slot is 09:00 UTC.
	if got := h.slashAck("UANA", "checkin every monday 09:00 UTC"); !strings.Contains(got, "Check-ins for") {
		t.Fatalf("checkin ack = %q", got)
	}
	clk.Add(time.Hour)
	opening := open()
	clk.Add(time.Hour)
	if got := h.slashAck("UANA", "pause"); !strings.Contains(got, "paused") {
		t.Fatalf("pause ack = %q", got)
	}
	for range 60 { // two and a half days, hour by hour
		clk.Add(time.Hour)
		h.bot.checkinTick(context.Background())
		h.bot.remindTick(context.Background())
	}
	h.settle()
	for _, m := range h.fake.Replies("C1", opening.TS) {
		if countMentions(m.Text, "UANA") > 0 || countMentions(m.Text, "UBEN") > 0 {
			t.Errorf("after the pause, the check-in thread mentions its owners:\n%s", m.Text)
		}
	}
	for _, u := range []string{"UANA", "UBEN"} {
		if n := len(h.dms(u)); n != 0 {
			t.Errorf("after the pause, %s got %d direct message(s): %s", u, n, h.dms(u)[0].Text)
		}
	}
}

// TestNoNudgeWhenTheCheckinIsDueToClose: racebot was down for four days
// over a check-in's nudge and close. Back up, it closes the check-in; it
// does not first mention the owners to ask for numbers in a check-in it is
// closing the same moment.
func TestNoNudgeWhenTheCheckinIsDueToClose(t *testing.T) {
	t.Parallel()
	h, p, clk := checkinSetup(t)
	_, opening := h.openCheckin(p)
	h.threadMessage("C1", opening.TS, "0 of 2 KPIs updated")
	clk.Add(96 * time.Hour)
	h.bot.checkinTick(context.Background())
	h.threadMessage("C1", opening.TS, "Check-in closed")
	h.settle()
	for _, m := range h.fake.Replies("C1", opening.TS) {
		if strings.Contains(m.Text, "still missing") {
			t.Errorf("a nudge was posted with the close:\n%s", m.Text)
		}
	}
}

// TestAReplyInADeletedPlansCheckinIsAnswered: a plan is deleted while its
// check-in is open; Ana then gives her number in the check-in's thread.
// She is told it was not recorded, as she would be in the plan's own
// thread, rather than hearing nothing.
func TestAReplyInADeletedPlansCheckinIsAnswered(t *testing.T) {
	t.Parallel()
	h, p, _ := checkinSetup(t)
	_, opening := h.openCheckin(p)
	h.threadMessage("C1", opening.TS, "0 of 2 KPIs updated")
	h.slashAck("UBEN", "delete Q1 --yes")
	h.fake.WaitFor(t, func() bool {
		_, err := h.db.Plan(context.Background(), p.Team, p.ID)
		return err != nil
	}, "the plan deleted")
	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.MessageEvent{Channel: "C1", User: "UANA", Text: "visitors 12.4k", ThreadTS: opening.TS}))
	h.waitEphemeral("UANA", "was deleted")
}

// TestSlashValuesCountInTheOpenCheckin: while a check-in is open, Ana gives
// her number with /race values in the channel, as the help says. It counts
// in the check-in like one written in its thread, a mention or a direct
// message: the summary shows it, and the nudge next day leaves her out.
func TestSlashValuesCountInTheOpenCheckin(t *testing.T) {
	t.Parallel()
	h, p, clk := checkinSetup(t)
	id, opening, summary := h.openCheckinOfTwo(p)
	if got := h.slashAck("UANA", "values visitors 12.4k"); !strings.Contains(got, "12.4k") {
		t.Fatalf("values ack = %q", got)
	}
	h.settle()
	if n := h.checkinValues(p, id); n != 1 {
		t.Errorf("%d values in the check-in, want Ana's", n)
	}
	h.waitSummary(summary.TS, "1 of 2 KPIs updated")
	h.nudgeSpares(clk, opening.TS, "UANA")
}

// TestANewScheduleOnAPausedPlanSaysItIsPaused: the check-ins are paused
// for the holidays, and Ben moves them to Tuesdays meanwhile. The schedule
// stays paused, so his answer says so rather than list check-ins that
// will not come.
func TestANewScheduleOnAPausedPlanSaysItIsPaused(t *testing.T) {
	t.Parallel()
	h, _, _, _ := scheduledCheckinSetup(t)
	h.slashAck("UANA", "checkin every monday 09:00 UTC")
	h.slashAck("UANA", "pause")
	got := h.slashAck("UBEN", "checkin every tuesday 10:00 UTC")
	if !strings.Contains(got, "every Tuesday at 10:00") {
		t.Fatalf("checkin ack = %q", got)
	}
	if !strings.Contains(got, "paused") {
		t.Errorf("the new schedule of a paused plan is acknowledged as running:\n%s", got)
	}
}

// TestAPlanDeletedWhileItsCheckinIsPostedLeavesNoCheckin: the scheduled
// check-in's opening is on its way to Slack when Ben deletes the plan.
// The check-in is not left standing in the channel for a plan that no
// longer exists: no summary follows it and the opening is taken down.
func TestAPlanDeletedWhileItsCheckinIsPostedLeavesNoCheckin(t *testing.T) {
	t.Parallel()
	h, p, _ := checkinSetup(t)
	h.settle()
	release := h.fake.Hold("chat.postMessage")
	defer release()
	wait := h.openCheckinAsync(context.Background(), p, "2026-11-30T08:00:00Z")
	h.fake.WaitFor(t, func() bool { return h.fake.InFlight("chat.postMessage") == 1 }, "the opening on its way")
	h.slashAck("UBEN", "delete Q1 --yes")
	h.fake.WaitFor(t, func() bool {
		_, err := h.db.Plan(context.Background(), p.Team, p.ID)
		return err != nil
	}, "the plan deleted")
	release()
	_, _ = wait()
	h.settle()
	for _, m := range h.fake.Messages("C1") {
		if strings.Contains(m.Text, "KPI check-in") || strings.Contains(m.Text, "KPIs updated") {
			t.Errorf("a check-in of the deleted plan stands in the channel: %q", m.Text)
		}
	}
}

// TestResumeBeforeTheCloseBringsTheNudgeBack: paused an hour after the
// check-in opened and resumed the next afternoon, before it closes, the
// check-in gets its one nudge then.
func TestResumeBeforeTheCloseBringsTheNudgeBack(t *testing.T) {
	t.Parallel()
	h, _, clk, open := scheduledCheckinSetup(t)
	h.slashAck("UANA", "checkin every monday 09:00 UTC")
	clk.Add(time.Hour)
	opening := open()
	h.slashAck("UANA", "pause")
	clk.Add(30 * time.Hour)
	h.bot.checkinTick(context.Background())
	h.slashAck("UANA", "resume")
	h.bot.checkinTick(context.Background())
	h.bot.checkinTick(context.Background())
	h.threadMessage("C1", opening.TS, "still missing")
	h.settle()
	if n := h.countReplies("C1", opening.TS, "still missing"); n != 1 {
		t.Errorf("%d nudges after the resume, want 1", n)
	}
}

// TestValuesInThePlansThreadCountInTheOpenCheckin: while a check-in is
// open, Ana writes her number in the plan's coaching thread, as a command
// and as a mention, and Slack delivers the message twice. It counts in the
// check-in as /race values does: recorded once, confirmed once in the
// check-in's thread, the summary updated, and the nudge leaves her out.
func TestValuesInThePlansThreadCountInTheOpenCheckin(t *testing.T) {
	t.Parallel()
	for _, text := range []string{"values visitors 12.4k", "/race values visitors 12.4k", "<@UBOT> values visitors 12.4k"} {
		t.Run(text, func(t *testing.T) {
			h, p, clk := checkinSetup(t)
			id, opening, summary := h.openCheckinOfTwo(p)
			h.twice(slackfake.MessageEvent{Channel: "C1", User: "UANA", Text: text, ThreadTS: p.Thread})
			if n := h.checkinValues(p, id); n != 1 {
				t.Errorf("%d values in the check-in, want Ana's one", n)
			}
			h.waitSummary(summary.TS, "1 of 2 KPIs updated")
			if n := h.countReplies("C1", opening.TS, "Recorded: Unique visitors 12.4k"); n != 1 {
				t.Errorf("%d confirmations in the check-in's thread, want 1", n)
			}
			h.nudgeSpares(clk, opening.TS, "UANA")
		})
	}
}

// TestValuesEditedInThePlansThread: during a check-in Ana gives her number
// in the plan's thread, then sees a typo and edits the message, then
// deletes it. Each counts as it would in the check-in's thread: the edit
// replaces the value, told to her, and the summary follows; the deletion
// takes the value away.
func TestValuesEditedInThePlansThread(t *testing.T) {
	t.Parallel()
	h, p, _ := checkinSetup(t)
	id, _, summary := h.openCheckinOfTwo(p)
	ts := tsAfter(t, summary.TS, time.Millisecond)
	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.MessageEvent{Channel: "C1", User: "UANA", Text: "values visitors 12.4k", TS: ts, ThreadTS: p.Thread}))
	h.waitSummary(summary.TS, "12.4k")

	h.edit(t, slackfake.MessageChanged{User: "UANA", TS: ts, ThreadTS: p.Thread, Text: "values visitors 13.1k", PreviousText: "values visitors 12.4k"})
	h.waitEphemeral("UANA", "13.1k")
	h.fake.WaitFor(t, func() bool {
		m, _ := h.message("C1", summary.TS)
		return strings.Contains(m.Text, "13.1k") && !strings.Contains(m.Text, "12.4k")
	}, "the summary showing the edited 13.1k")
	if n := h.checkinValues(p, id); n != 1 {
		t.Errorf("%d values in the check-in after the edit, want 1", n)
	}

	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.MessageDeleted{Channel: "C1", User: "UANA", TS: ts, ThreadTS: p.Thread, PreviousText: "values visitors 13.1k"}))
	h.waitSummary(summary.TS, "0 of 2 KPIs updated")
	if n := h.checkinValues(p, id); n != 0 {
		t.Errorf("%d values in the check-in after the deletion, want 0", n)
	}
	h.threadMessage("C1", p.Thread, "The values of a deleted message were removed.")
}

// TestValuesCommandInTheCheckinsThread: in the check-in's thread Ana
// writes her number as the help shows the command, with and without the
// slash command's name. It is read as the numbers it gives, not refused
// as a KPI called "values visitors".
func TestValuesCommandInTheCheckinsThread(t *testing.T) {
	t.Parallel()
	for _, text := range []string{"values visitors 12.4k", "/race values visitors 12.4k"} {
		t.Run(text, func(t *testing.T) {
			h, p, _ := checkinSetup(t)
			id, opening := h.openCheckin(p)
			h.threadMessage("C1", opening.TS, "0 of 2 KPIs updated")
			h.fake.WaitAck(t, h.fake.SendEvent(slackfake.MessageEvent{Channel: "C1", User: "UANA", Text: text, ThreadTS: opening.TS}))
			h.threadMessage("C1", opening.TS, "Recorded: Unique visitors 12.4k")
			if n := h.checkinValues(p, id); n != 1 {
				t.Errorf("%d values in the check-in, want Ana's one", n)
			}
		})
	}
}

// waitSummary waits until the check-in summary at ts in C1 says want.
func (h *harness) waitSummary(ts, want string) {
	h.t.Helper()
	h.fake.WaitFor(h.t, func() bool {
		m, _ := h.message("C1", ts)
		return strings.Contains(m.Text, want)
	}, "the summary saying "+want)
}
