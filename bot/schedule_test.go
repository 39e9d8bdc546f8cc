package bot

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/racebot/racebot/flows"
	"github.com/racebot/racebot/internal/slackfake"
	"github.com/racebot/racebot/scheduler"
)

func (c *clock) After(d time.Duration) <-chan time.Time { return make(chan time.Time) }

type botRunner struct{ b *Bot }

func (r botRunner) RunCheckin(ctx context.Context, job scheduler.Job) (int64, error) {
	return r.b.OpenCheckin(ctx, job.Team, job.Plan, job.Key, job.Late, job.Missed)
}

// scheduledPlan is a running scheduledHarness on clk (its own clock too)
// with plan Q1 in C1, Ben's visitors KPI, and check-ins set by Ana to
// spec.
func scheduledPlan(t *testing.T, clk *clock, spec string) (*harness, *scheduler.Scheduler, *flows.Plan) {
	t.Helper()
	h, sched := scheduledHarness(t, clk, func(c *setup) {
		c.Now = clk.Now
		c.CheckinPoll = time.Hour
	})
	h.runSocket()
	_, p := h.newPlanInSlack("Q1")
	h.setKPIs(p, flows.StageReach, "visitors | baseline 8k | target 20k | by 2027-03-31 | owner <@UBEN>")
	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.SlashCommand{Command: "/race", Text: "checkin " + spec, UserID: "UANA", ChannelID: "C1"}))
	return h, sched, p
}

// scheduledHarness is a harness with a scheduler on clk behind its
// schedule commands, whose check-ins the bot opens.
func scheduledHarness(t *testing.T, clk scheduler.Clock, configure ...func(*setup)) (*harness, *scheduler.Scheduler) {
	t.Helper()
	var sched *scheduler.Scheduler
	runner := &botRunner{}
	h := newHarness(t, append(configure, func(c *setup) {
		sched = scheduler.New(c.Store.(scheduler.Store), runner, clk, nil, "test")
		c.Schedules = sched.ForCoach(c.Store.(scheduler.History))
	})...)
	runner.b = h.bot
	return h, sched
}

// TestScheduleToCheckin sets a schedule with /race checkin in the person's
// Slack time zone, shows it with /race schedule, and lets the scheduler open
// the check-in thread when it is due.
func TestScheduleToCheckin(t *testing.T) {
	t.Parallel()
	clk := &clock{now: time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)} // a Thursday
	h, sched := scheduledHarness(t, clk, func(c *setup) {
		c.Now = clk.Now
	})
	h.fake.AddUser(slackfake.User{ID: "UANA", TZ: "Europe/Berlin"})
	h.fake.AddUser(slackfake.User{ID: "UBEN", TZ: "America/Los_Angeles"})
	h.runSocket()
	_, p := h.newPlanInSlack("Q1")
	h.setKPIs(p, flows.StageReach, "visitors | baseline 8k | target 20k | by 2027-03-31 | owner <@UBEN>")

	bad := h.fake.WaitAck(t, h.fake.SendEvent(slackfake.SlashCommand{Command: "/race", Text: "checkin every blursday", UserID: "UANA", ChannelID: "C1"}))
	if got := ackText(t, bad.Payload); !strings.Contains(got, "every monday") {
		t.Errorf("bad schedule ack = %q, want an example that works", got)
	}
	set := h.fake.WaitAck(t, h.fake.SendEvent(slackfake.SlashCommand{Command: "/race", Text: "checkin every monday 09:00", UserID: "UANA", ChannelID: "C1"}))
	if got := ackText(t, set.Payload); !strings.Contains(got, "Europe/Berlin") || !strings.Contains(got, "Mon 30 Nov 2026 09:00 CET") {
		t.Errorf("checkin ack = %q, want Monday 09:00 in Ana's zone", got)
	}
	show := h.fake.WaitAck(t, h.fake.SendEvent(slackfake.SlashCommand{Command: "/race", Text: "schedule", UserID: "UBEN", ChannelID: "C1"}))
	if got := ackText(t, show.Payload); !strings.Contains(got, "09:00 CET (your time: Mon 00:00 PST)") {
		t.Errorf("schedule ack = %q, want Ben's own time beside the team's", got)
	}

	if err := sched.Tick(context.Background()); err != nil {
		t.Fatal(err)
	}
	for _, m := range h.fake.Messages("C1") {
		if strings.Contains(m.Text, "KPI check-in") {
			t.Fatalf("a check-in was posted before it was due: %s", m.Text)
		}
	}
	clk.Add(92 * time.Hour) // Monday 08:00 UTC = 09:00 Berlin
	if err := sched.Tick(context.Background()); err != nil {
		t.Fatal(err)
	}
	opening := h.fake.WaitMessage(t, "C1", func(m slackfake.Message) bool { return strings.Contains(m.Text, "KPI check-in") }, "the scheduled check-in")
	if countMentions(opening.Text, "UBEN") != 1 {
		t.Errorf("opening should mention the owner once:\n%s", opening.Text)
	}
	if err := sched.Tick(context.Background()); err != nil { // same slot again: nothing
		t.Fatal(err)
	}
	log := h.fake.WaitAck(t, h.fake.SendEvent(slackfake.SlashCommand{Command: "/race", Text: "schedule", UserID: "UANA", ChannelID: "C1"}))
	if got := ackText(t, log.Payload); !strings.Contains(got, "Mon 30 Nov 09:00 — posted") {
		t.Errorf("schedule log = %q", got)
	}
	checkins := 0
	for _, m := range h.fake.Messages("C1") {
		if strings.Contains(m.Text, "KPI check-in") {
			checkins++
		}
	}
	if checkins != 1 {
		t.Errorf("%d check-ins posted, want 1", checkins)
	}
	pause := h.fake.WaitAck(t, h.fake.SendEvent(slackfake.SlashCommand{Command: "/race", Text: "pause", UserID: "UANA", ChannelID: "C1"}))
	if got := ackText(t, pause.Payload); !strings.Contains(got, "paused") {
		t.Errorf("pause ack = %q", got)
	}
}

// TestRedeliveredPauseAfterResumeChangesNothing: Ana pauses the check-ins
// in the plan's thread, Ben resumes them, and then Slack redelivers Ana's
// "pause" (its first delivery looked failed). The check-ins keep running.
func TestRedeliveredPauseAfterResumeChangesNothing(t *testing.T) {
	t.Parallel()
	h, _ := scheduledHarness(t, scheduler.RealClock{})
	h.runSocket()
	header, p := h.newPlanInSlack("Q1")
	h.say(header.TS, "checkin every monday 09:00", "Check-ins for")
	pause := h.fake.SendEvent(slackfake.MessageEvent{Channel: "C1", User: "UANA", Text: "pause", ThreadTS: header.TS})
	h.fake.WaitAck(t, pause)
	h.threadMessage("C1", header.TS, "are paused")
	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.MessageEvent{Channel: "C1", User: "UBEN", Text: "resume", ThreadTS: header.TS}))
	h.threadMessage("C1", header.TS, "running again")

	h.fake.WaitAck(t, h.fake.Redeliver(pause))
	h.settle()
	sched, err := h.db.Schedule(context.Background(), slackfake.TeamID, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	if sched.Paused {
		t.Error("a redelivered pause, after a resume, paused the check-ins again")
	}
	if n := h.countReplies("C1", header.TS, "are paused"); n != 1 {
		t.Errorf("%d replies saying the check-ins are paused, want 1", n)
	}
}

// TestWeeklyCheckinClosesAtItsHourAcrossDST: a check-in opened by a weekly
// 09:00 Europe/London schedule on the Friday before the clocks change is
// nudged the next day at 09:00 and closes three days on at 09:00 London
// time, not at 10:00 (March) or 08:00 (October): three days are three
// calendar days in the team's zone, whatever the change in between.
func TestWeeklyCheckinClosesAtItsHourAcrossDST(t *testing.T) {
	t.Parallel()
	london, err := time.LoadLocation("Europe/London")
	if err != nil {
		t.Skip("no zone database:", err)
	}
	for _, tt := range []struct {
		name         string
		friday       time.Time
		nudge, close time.Time
	}{
		{"spring forward", time.Date(2026, 3, 27, 9, 0, 0, 0, london), time.Date(2026, 3, 28, 9, 0, 0, 0, london), time.Date(2026, 3, 30, 9, 0, 0, 0, london)},
		{"fall back", time.Date(2026, 10, 23, 9, 0, 0, 0, london), time.Date(2026, 10, 24, 9, 0, 0, 0, london), time.Date(2026, 10, 26, 9, 0, 0, 0, london)},
	} {
		t.Run(tt.name, func(t *testing.T) {
			clk := &clock{now: tt.friday.Add(-24 * time.Hour)}
			h, sched, p := scheduledPlan(t, clk, "every friday 09:00 Europe/London")

			clk.Add(24 * time.Hour)
			if err := sched.Tick(context.Background()); err != nil {
				t.Fatal(err)
			}
			c, err := h.db.CheckinByOccurrence(context.Background(), slackfake.TeamID, p.ID, tt.friday.UTC().Format(time.RFC3339))
			if err != nil {
				t.Fatalf("the Friday check-in: %v", err)
			}
			if !c.NudgeAt.Equal(tt.nudge) || !c.CloseAt.Equal(tt.close) {
				t.Errorf("nudge at %s, close at %s; want %s and %s",
					c.NudgeAt.In(london).Format(time.RFC1123), c.CloseAt.In(london).Format(time.RFC1123),
					tt.nudge.Format(time.RFC1123), tt.close.Format(time.RFC1123))
			}
		})
	}
}

// TestQuarterlyReminderOnTheTeamsFirstCheckinOfTheQuarter: a team in Los
// Angeles checks in every Tuesday at 17:00, which is already Wednesday in
// UTC. Its check-in on Tuesday 30 June is still the second quarter there,
// and says nothing of a new one; the next, on 7 July, is the first of the
// third quarter and carries the reminder to rate the team.
func TestQuarterlyReminderOnTheTeamsFirstCheckinOfTheQuarter(t *testing.T) {
	t.Parallel()
	la, err := time.LoadLocation("America/Los_Angeles")
	if err != nil {
		t.Skip("no zone database:", err)
	}
	clk := &clock{now: time.Date(2026, 6, 22, 12, 0, 0, 0, la)}
	h, sched, p := scheduledPlan(t, clk, "every tuesday 17:00 America/Los_Angeles")

	reminded := map[string]bool{}
	for _, day := range []time.Time{
		time.Date(2026, 6, 23, 17, 0, 0, 0, la),
		time.Date(2026, 6, 30, 17, 0, 0, 0, la),
		time.Date(2026, 7, 7, 17, 0, 0, 0, la),
	} {
		clk.Add(day.Sub(clk.Now()))
		if err := sched.Tick(context.Background()); err != nil {
			t.Fatal(err)
		}
		c, err := h.db.CheckinByOccurrence(context.Background(), slackfake.TeamID, p.ID, day.UTC().Format(time.RFC3339))
		if err != nil || c.Thread == "" {
			t.Fatalf("the check-in of %s: %+v, %v", day.Format(time.DateOnly), c, err)
		}
		h.settle()
		reminded[day.Format(time.DateOnly)] = h.countReplies("C1", c.Thread, "A new quarter has begun") > 0
	}
	want := map[string]bool{"2026-06-23": true, "2026-06-30": false, "2026-07-07": true}
	for day, w := range want {
		if reminded[day] != w {
			t.Errorf("check-in of %s reminds of a new quarter: %t, want %t", day, reminded[day], w)
		}
	}
}

// TestOnTimeCheckinSaysWhatWasMissed: racebot is away for two weeks and
// comes back a minute before Monday's 09:00 check-in. The two Mondays
// missed are not posted late, seconds before this one; the 09:00 one,
// posted on time, tells the team in its opening that they were missed.
func TestOnTimeCheckinSaysWhatWasMissed(t *testing.T) {
	t.Parallel()
	clk := &clock{now: time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)} // a Wednesday
	h, sched, _ := scheduledPlan(t, clk, "every monday 09:00 UTC")
	clk.Add(time.Date(2026, 12, 14, 8, 59, 0, 0, time.UTC).Sub(clk.Now()))
	if err := sched.Tick(context.Background()); err != nil {
		t.Fatal(err)
	}
	clk.Add(time.Minute)
	if err := sched.Tick(context.Background()); err != nil {
		t.Fatal(err)
	}
	opening := h.fake.WaitMessage(t, "C1", func(m slackfake.Message) bool { return strings.Contains(m.Text, "KPI check-in") }, "Monday's check-in")
	if !strings.Contains(opening.Text, "(2 earlier check-ins were missed while racebot was down)") || strings.Contains(opening.Text, "late") {
		t.Errorf("the on-time check-in after two missed opens:\n%s", opening.Text)
	}
	checkins := 0
	for _, m := range h.fake.Messages("C1") {
		if strings.Contains(m.Text, "KPI check-in") {
			checkins++
		}
	}
	if checkins != 1 {
		t.Errorf("%d check-ins posted, want one", checkins)
	}
}
