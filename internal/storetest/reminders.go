package storetest

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/racebot/racebot/flows"
)

// testRemindersClaimedOnce: handles claiming the same reminder at once get
// it exactly once, a handle opened later finds it claimed, and the same
// key is another person's and another workspace's reminder.
func testRemindersClaimedOnce(t *testing.T, open Open) {
	db, another := open(t)
	ctx := ctxFor(t)
	handles := []Store{db, another(), another()}
	p := newPlan(t, db, "T1", "C1", "Q1")
	won := race(t, 9, func(i int) error {
		ok, _, err := handles[i%3].ClaimReminder(ctx, "T1", "UANA", "checkin:7", p.ID, t0)
		if err == nil && !ok {
			return flows.ErrDuplicate
		}
		return err
	}, flows.ErrDuplicate)
	if won != 1 {
		t.Fatalf("%d claims of one reminder won, want 1", won)
	}
	if err := handles[1].ReminderSent(ctx, "T1", "UANA", "checkin:7", "DUANA", "111.1"); err != nil {
		t.Fatal(err)
	}
	later := another()
	if got, err := later.RemindedPlans(ctx, "T1", "UANA"); err != nil || !got[p.ID].Equal(t0) || len(got) != 1 {
		t.Errorf("reminded plans = %v %v", got, err)
	}
	if got, err := later.ClaimedReminders(ctx, "T1", p.ID); err != nil || !cmp.Equal(got, map[string]bool{"UANA checkin:7": true}) {
		t.Errorf("claimed = %v %v", got, err)
	}
	if got, err := later.ClaimedReminders(ctx, "T2", p.ID); err != nil || len(got) != 0 {
		t.Errorf("another workspace's claimed = %v %v", got, err)
	}
	if got, err := later.RemindedPlans(ctx, "T2", "UANA"); err != nil || len(got) != 0 {
		t.Errorf("another workspace's reminded plans = %v %v", got, err)
	}
	if ok, _, err := later.ClaimReminder(ctx, "T1", "UANA", "checkin:7", p.ID, t0.Add(time.Hour)); ok || err != nil {
		t.Errorf("a later handle claimed the reminder again: %v %v", ok, err)
	}
	// A reminder sent is not released; one claimed and not sent is, and
	// is claimed again.
	if err := later.ReleaseReminder(ctx, "T1", "UANA", "checkin:7", false, t0); err != nil {
		t.Fatal(err)
	}
	if ok, _, err := db.ClaimReminder(ctx, "T1", "UANA", "checkin:7", p.ID, t0.Add(time.Hour)); ok || err != nil {
		t.Errorf("a sent reminder released: claimed again %v %v", ok, err)
	}
	if ok, _, err := later.ClaimReminder(ctx, "T1", "UBEN", "checkin:7", p.ID, t0); !ok || err != nil {
		t.Errorf("Ben's reminder: %v %v", ok, err)
	}
	if err := db.ReleaseReminder(ctx, "T1", "UBEN", "checkin:7", false, t0); err != nil {
		t.Fatal(err)
	}
	if ok, _, err := later.ClaimReminder(ctx, "T1", "UBEN", "checkin:7", p.ID, t0); !ok || err != nil {
		t.Errorf("Ben's reminder, released, claimed again: %v %v", ok, err)
	}
	// One released after a try that may have sent it is claimed again
	// once, told when that try began, and listed claimed only while it is.
	if ok, _, err := later.ClaimReminder(ctx, "T1", "UCAT", "checkin:7", p.ID, t0); !ok || err != nil {
		t.Fatalf("Cat's reminder: %v %v", ok, err)
	}
	if err := db.ReleaseReminder(ctx, "T1", "UCAT", "checkin:7", true, t0.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	if got, err := later.ClaimedReminders(ctx, "T1", p.ID); err != nil || got["UCAT checkin:7"] {
		t.Errorf("claimed after Cat's release = %v %v, want hers left out", got, err)
	}
	cat := race(t, 6, func(i int) error {
		ok, tried, err := handles[i%3].ClaimReminder(ctx, "T1", "UCAT", "checkin:7", p.ID, t0.Add(time.Hour))
		switch {
		case err != nil:
			return err
		case !ok:
			return flows.ErrDuplicate
		case !tried.Equal(t0):
			return fmt.Errorf("claimed again, tried %v, want %v", tried, t0)
		}
		return nil
	}, flows.ErrDuplicate)
	if cat != 1 {
		t.Errorf("%d claims of Cat's released reminder won, want 1", cat)
	}
	if got, err := later.ClaimedReminders(ctx, "T1", p.ID); err != nil || !got["UCAT checkin:7"] {
		t.Errorf("claimed after Cat's claim again = %v %v", got, err)
	}
	// Released again for a reason of its own, it keeps what the first
	// try may have done.
	if err := db.ReleaseReminder(ctx, "T1", "UCAT", "checkin:7", true, t0.Add(2*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if ok, tried, err := db.ClaimReminder(ctx, "T1", "UCAT", "checkin:7", p.ID, t0.Add(3*time.Hour)); !ok || !tried.Equal(t0) || err != nil {
		t.Errorf("Cat's reminder claimed a third time: %v %v %v, want tried %v", ok, tried, err, t0)
	}
	if ok, tried, err := db.ClaimReminder(ctx, "T1", "UDAN", "checkin:7", p.ID, t0); !ok || !tried.IsZero() || err != nil {
		t.Errorf("Dan's new reminder: %v %v %v, want claimed, never tried", ok, tried, err)
	}
	if _, _, err := later.ClaimReminder(ctx, "T2", "UANA", "checkin:7", p.ID, t0); !errors.Is(err, flows.ErrNoPlan) {
		t.Errorf("T2 claimed a reminder about T1's plan: %v, want ErrNoPlan", err)
	}
	// The latest claim of a plan is when the person was last reminded.
	q2 := newPlan(t, db, "T1", "C2", "Q2")
	for i, at := range []time.Time{t0.Add(3 * time.Hour), t0.Add(2 * time.Hour)} {
		if ok, _, err := db.ClaimReminder(ctx, "T1", "UANA", fmt.Sprintf("action:%d:due", i), q2.ID, at); !ok || err != nil {
			t.Fatalf("claim %d: %v %v", i, ok, err)
		}
	}
	want := map[flows.PlanID]time.Time{p.ID: t0, q2.ID: t0.Add(3 * time.Hour)}
	if got, err := later.RemindedPlans(ctx, "T1", "UANA"); err != nil || !cmp.Equal(got, want) {
		t.Errorf("reminded plans = %v %v, want %v", got, err, want)
	}
}

// testRemindersOfActions: a plan has actions due while one is still to do
// by its latest status; mutes and snoozes are kept per person with their
// keys, and go with the plan.
func testRemindersOfActions(t *testing.T, open Open) {
	db, another := open(t)
	ctx := ctxFor(t)
	other := another()
	p := newPlan(t, db, "T1", "C1", "Q1")
	due := time.Date(2026, 12, 3, 0, 0, 0, 0, time.UTC)
	for _, a := range []flows.Action{
		{Stage: flows.StageReach, Text: "Sample bags", Owner: "<@UANA>", Due: due, Impact: 4, Effort: 1, By: "UANA", At: t0},
		{Stage: flows.StageReach, Text: "Later", Owner: "<@UBEN>", Due: due.AddDate(0, 1, 0), Impact: 2, Effort: 2, By: "UANA", At: t0},
		{Stage: flows.StageReach, Text: "No date", Owner: "<@UBEN>", Impact: 2, Effort: 2, By: "UANA", At: t0},
	} {
		if err := db.Commit(ctx, p, []flows.Change{flows.ActionAdded{Action: a}}, ""); err != nil {
			t.Fatal(err)
		}
		p = load(t, db, "T1", p.ID)
	}
	newPlan(t, db, "T2", "C1", "Nothing due")
	first := p.Actions[0].ID
	if plans, err := other.PlansWithActionsDue(ctx, due.AddDate(0, 0, -1)); err != nil || len(plans) != 0 {
		t.Errorf("due the day before: %v %v", plans, err)
	}
	if plans, err := other.PlansWithActionsDue(ctx, due.Add(15*time.Hour)); err != nil || !cmp.Equal(plans, map[flows.PlanID]string{p.ID: "T1"}) {
		t.Errorf("due on the day: %v %v", plans, err)
	}
	// Done takes the action out; reopened brings it back; dropped takes it
	// out again.
	for _, st := range []flows.ActionStatus{flows.ActionDone, flows.ActionOpen, flows.ActionDropped} {
		if err := db.Commit(ctx, p, []flows.Change{flows.ActionStatusSet{Action: first, Status: st, By: "UANA", At: t0}}, ""); err != nil {
			t.Fatal(err)
		}
		p = load(t, db, "T1", p.ID)
		plans, err := other.PlansWithActionsDue(ctx, due.Add(15*time.Hour))
		if want := st == flows.ActionOpen; err != nil || (len(plans) == 1) != want {
			t.Errorf("after %s, plans due = %v %v", st, plans, err)
		}
	}
	if plans, err := other.PlansWithActionsDue(ctx, due.AddDate(0, 1, 0)); err != nil || !cmp.Equal(plans, map[flows.PlanID]string{p.ID: "T1"}) {
		t.Errorf("a month on: %v %v", plans, err)
	}

	if err := db.SetReminders(ctx, "T1", p.ID, "UANA", false, t0, "mute-1"); err != nil {
		t.Fatal(err)
	}
	if err := other.SetReminders(ctx, "T1", p.ID, "UANA", true, t0, "mute-1"); !errors.Is(err, flows.ErrDuplicate) {
		t.Errorf("retried remind off: %v, want ErrDuplicate", err)
	}
	if err := other.SetReminders(ctx, "T2", p.ID, "UANA", true, t0, "mute-x"); !errors.Is(err, flows.ErrNoPlan) {
		t.Errorf("remind on for another workspace's plan: %v, want ErrNoPlan", err)
	}
	if m, err := other.MutedReminders(ctx, "T1", p.ID); err != nil || !cmp.Equal(m, map[string]bool{"UANA": true}) {
		t.Errorf("muted = %v %v", m, err)
	}
	if m, err := other.MutedReminders(ctx, "T2", p.ID); err != nil || len(m) != 0 {
		t.Errorf("another workspace's muted = %v %v", m, err)
	}
	if err := other.SetReminders(ctx, "T1", p.ID, "UANA", true, t0, "mute-2"); err != nil {
		t.Fatal(err)
	}
	if m, err := db.MutedReminders(ctx, "T1", p.ID); err != nil || len(m) != 0 {
		t.Errorf("muted after on = %v %v", m, err)
	}

	until := t0.Add(24 * time.Hour)
	if err := db.Snooze(ctx, "T1", p.ID, p.Actions[1].ID, "UBEN", t0, "snooze-1"); err != nil {
		t.Fatal(err)
	}
	if err := other.Snooze(ctx, "T1", p.ID, p.Actions[1].ID, "UBEN", until, "snooze-2"); err != nil {
		t.Fatal(err)
	}
	if err := other.Snooze(ctx, "T1", p.ID, p.Actions[1].ID, "UBEN", until.Add(time.Hour), "snooze-2"); !errors.Is(err, flows.ErrDuplicate) {
		t.Errorf("retried snooze: %v, want ErrDuplicate", err)
	}
	if err := db.Snooze(ctx, "T1", p.ID, p.Actions[2].ID, "UANA", until, "snooze-3"); err != nil {
		t.Fatal(err)
	}
	want := map[int64]map[string]time.Time{p.Actions[1].ID: {"UBEN": until}, p.Actions[2].ID: {"UANA": until}}
	if s, err := db.Snoozes(ctx, "T1", p.ID); err != nil || !cmp.Equal(s, want) {
		t.Errorf("snoozes = %v %v, want %v", s, err, want)
	}
	if err := db.Snooze(ctx, "T1", p.ID, 9999, "UBEN", until, "snooze-4"); !errors.Is(err, flows.ErrNoPlan) {
		t.Errorf("snoozed an action that is not the plan's: %v", err)
	}
	if err := db.Snooze(ctx, "T2", p.ID, p.Actions[1].ID, "UBEN", until, "snooze-5"); !errors.Is(err, flows.ErrNoPlan) {
		t.Errorf("snoozed another workspace's action: %v", err)
	}
	for _, key := range []string{"snooze-4", "snooze-5", "mute-x"} {
		if ok, _ := db.KeySeen(ctx, "T1", key); ok {
			t.Errorf("a refused request recorded its key %s", key)
		}
	}
	if s, err := other.Snoozes(ctx, "T2", p.ID); err != nil || len(s) != 0 {
		t.Errorf("another workspace's snoozes = %v %v", s, err)
	}
	// Deleting the plan takes its reminders, mutes and snoozes along.
	if _, _, err := db.ClaimReminder(ctx, "T1", "UANA", "x", p.ID, t0); err != nil {
		t.Fatal(err)
	}
	if err := db.SetReminders(ctx, "T1", p.ID, "UBEN", false, t0, ""); err != nil {
		t.Fatal(err)
	}
	if err := db.DeletePlan(ctx, "T1", p.ID, ""); err != nil {
		t.Fatal(err)
	}
	if s, err := other.Snoozes(ctx, "T1", p.ID); err != nil || len(s) != 0 {
		t.Errorf("snoozes after delete = %v %v", s, err)
	}
	if m, err := other.MutedReminders(ctx, "T1", p.ID); err != nil || len(m) != 0 {
		t.Errorf("mutes after delete = %v %v", m, err)
	}
	if r, err := other.RemindedPlans(ctx, "T1", "UANA"); err != nil || len(r) != 0 {
		t.Errorf("reminders after delete = %v %v", r, err)
	}
}

// testOpenCheckins lists the posted check-ins not yet closed, of every
// workspace, oldest first.
func testOpenCheckins(t *testing.T, open Open) {
	db, another := open(t)
	ctx := ctxFor(t)
	other := another()
	p := newPlan(t, db, "T1", "C1", "Q1")
	q := newPlan(t, db, "T2", "C1", "Q1")
	checkin := func(p *flows.Plan, thread string) int64 {
		t.Helper()
		id, err := db.CreateCheckin(ctx, p.Team, flows.Checkin{Plan: p.ID, Channel: "C1", OpenedAt: t0, NudgeAt: t0, CloseAt: t0.Add(time.Hour)})
		if err != nil {
			t.Fatal(err)
		}
		if thread != "" {
			if err := db.SetCheckinMessages(ctx, id, thread, thread+"2"); err != nil {
				t.Fatal(err)
			}
		}
		return id
	}
	posted := checkin(p, "1.1")
	checkin(p, "") // not posted yet: nobody can answer in it
	theirs := checkin(q, "2.1")
	got, err := other.OpenCheckins(ctx)
	if err != nil || len(got) != 2 || got[0].ID != posted || got[0].Team != "T1" || got[1].ID != theirs || got[1].Team != "T2" {
		t.Fatalf("open = %+v %v", got, err)
	}
	if _, ok, err := other.ClaimClose(ctx, t0.Add(2*time.Hour)); !ok || err != nil {
		t.Fatal("close", ok, err)
	}
	if got, err := db.OpenCheckins(ctx); err != nil || len(got) != 1 || got[0].ID != theirs {
		t.Errorf("after one close = %+v %v", got, err)
	}
}
