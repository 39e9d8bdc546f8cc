package storage_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/racebot/racebot/flows"
	"github.com/racebot/racebot/internal/testdb"
	"github.com/racebot/racebot/storage"
)

// TestRemindersAreClaimedOnce: two racebots on one file claim the same
// reminder at once, and exactly one of them gets it; a third opened later
// (a restart) finds it claimed.
func TestRemindersAreClaimedOnce(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	path := testdb.Path(t)
	a, b := MustOpen(t, path), MustOpen(t, path)
	p := newPlan(t, a, "T1", "C1", "Q1")
	var (
		wg  sync.WaitGroup
		mu  sync.Mutex
		won int
	)
	for range 4 {
		for _, db := range []*storage.DB{a, b} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				ok, _, err := db.ClaimReminder(ctx, "T1", "UANA", "checkin:7", p.ID, t0)
				if err != nil {
					t.Error(err)
				}
				if ok {
					mu.Lock()
					won++
					mu.Unlock()
				}
			}()
		}
	}
	wg.Wait()
	if won != 1 {
		t.Fatalf("%d claims of one reminder won, want 1", won)
	}
	if err := a.ReminderSent(ctx, "T1", "UANA", "checkin:7", "DUANA", "111.1"); err != nil {
		t.Fatal(err)
	}
	if got, err := b.RemindedPlans(ctx, "T1", "UANA"); err != nil || !got[p.ID].Equal(t0) || len(got) != 1 {
		t.Errorf("reminded plans = %v %v", got, err)
	}
	if got, err := b.ClaimedReminders(ctx, "T1", p.ID); err != nil || !cmp.Equal(got, map[string]bool{"UANA checkin:7": true}) {
		t.Errorf("claimed = %v %v", got, err)
	}
	if got, err := b.ClaimedReminders(ctx, "T2", p.ID); err != nil || len(got) != 0 {
		t.Errorf("another workspace's claimed = %v %v", got, err)
	}
	if got, err := b.RemindedPlans(ctx, "T2", "UANA"); err != nil || len(got) != 0 {
		t.Errorf("another workspace's reminded plans = %v %v", got, err)
	}
	a.Close()
	b.Close()
	c := MustOpen(t, path)
	if ok, _, err := c.ClaimReminder(ctx, "T1", "UANA", "checkin:7", p.ID, t0.Add(time.Hour)); ok || err != nil {
		t.Errorf("after a restart the reminder was claimed again: %v %v", ok, err)
	}
	// The same key is another person's reminder, and another workspace's.
	if ok, _, err := c.ClaimReminder(ctx, "T1", "UBEN", "checkin:7", p.ID, t0); !ok || err != nil {
		t.Errorf("Ben's reminder: %v %v", ok, err)
	}
	if _, _, err := c.ClaimReminder(ctx, "T2", "UANA", "checkin:7", p.ID, t0); !errors.Is(err, flows.ErrNoPlan) {
		t.Errorf("T2 claimed a reminder about T1's plan: %v", err)
	}
}

func TestActionStatusAndDueActions(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := MustOpen(t, testdb.Path(t))
	p := newPlan(t, db, "T1", "C1", "Q1")
	due := time.Date(2026, 12, 3, 0, 0, 0, 0, time.UTC)
	for _, a := range []flows.Action{
		{Stage: flows.StageReach, Text: "Sample bags", Owner: "<@UANA>", Due: due, Impact: 4, Effort: 1, By: "UANA", At: t0},
		{Stage: flows.StageReach, Text: "Later", Owner: "<@UBEN>", Due: due.AddDate(0, 1, 0), Impact: 2, Effort: 2, By: "UANA", At: t0},
	} {
		if err := db.Commit(ctx, p, []flows.Change{flows.ActionAdded{Action: a}}, ""); err != nil {
			t.Fatal(err)
		}
		p = loadPlan(t, db, p)
	}
	first := p.Actions[0].ID
	plans, err := db.PlansWithActionsDue(ctx, due.AddDate(0, 0, -1))
	if err != nil || len(plans) != 0 {
		t.Errorf("due the day before: %v %v", plans, err)
	}
	plans, err = db.PlansWithActionsDue(ctx, due.Add(15*time.Hour))
	if err != nil || !cmp.Equal(plans, map[flows.PlanID]string{p.ID: "T1"}) {
		t.Errorf("due on the day: %v %v", plans, err)
	}

	// Done (a status update, migration 0015) takes the action out; so
	// would dropped, but reopened brings it back.
	for _, st := range []flows.ActionStatus{flows.ActionDone, flows.ActionOpen, flows.ActionDropped} {
		if err := db.Commit(ctx, p, []flows.Change{flows.ActionStatusSet{Action: first, Status: st, By: "UANA", At: t0}}, ""); err != nil {
			t.Fatal(err)
		}
		p = loadPlan(t, db, p)
		plans, err = db.PlansWithActionsDue(ctx, due.Add(15*time.Hour))
		if want := st == flows.ActionOpen; err != nil || (len(plans) == 1) != want {
			t.Errorf("after %s, plans due = %v %v", st, plans, err)
		}
	}
	plans, err = db.PlansWithActionsDue(ctx, due.Add(15*time.Hour))
	if err != nil || len(plans) != 0 {
		t.Errorf("a done action is still due: %v %v", plans, err)
	}

	if err := db.SetReminders(ctx, "T1", p.ID, "UANA", false, t0, "mute-1"); err != nil {
		t.Fatal(err)
	}
	if m, err := db.MutedReminders(ctx, "T1", p.ID); err != nil || !m["UANA"] || len(m) != 1 {
		t.Errorf("muted = %v %v", m, err)
	}
	if err := db.SetReminders(ctx, "T1", p.ID, "UANA", true, t0, "mute-2"); err != nil {
		t.Fatal(err)
	}
	if m, err := db.MutedReminders(ctx, "T1", p.ID); err != nil || len(m) != 0 {
		t.Errorf("muted after on = %v %v", m, err)
	}

	until := t0.Add(24 * time.Hour)
	if err := db.Snooze(ctx, "T1", p.ID, p.Actions[1].ID, "UBEN", t0, "snooze-1"); err != nil {
		t.Fatal(err)
	}
	if err := db.Snooze(ctx, "T1", p.ID, p.Actions[1].ID, "UBEN", until, "snooze-2"); err != nil {
		t.Fatal(err)
	}
	s, err := db.Snoozes(ctx, "T1", p.ID)
	if err != nil || !s[p.Actions[1].ID]["UBEN"].Equal(until) || len(s) != 1 {
		t.Errorf("snoozes = %v %v", s, err)
	}
	if err := db.Snooze(ctx, "T1", p.ID, 9999, "UBEN", until, "snooze-3"); !errors.Is(err, flows.ErrNoPlan) {
		t.Errorf("snoozed an action that is not the plan's: %v", err)
	}
	// Deleting the plan takes its reminders along.
	if _, _, err := db.ClaimReminder(ctx, "T1", "UANA", "x", p.ID, t0); err != nil {
		t.Fatal(err)
	}
	if err := db.DeletePlan(ctx, "T1", p.ID, ""); err != nil {
		t.Fatal(err)
	}
	if s, err := db.Snoozes(ctx, "T1", p.ID); err != nil || len(s) != 0 {
		t.Errorf("snoozes after delete = %v %v", s, err)
	}
}

func TestOpenCheckinsListsPostedOnes(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := MustOpen(t, testdb.Path(t))
	p := newPlan(t, db, "T1", "C1", "Q1")
	posted, err := db.CreateCheckin(ctx, "T1", flows.Checkin{Plan: p.ID, Channel: "C1", OpenedAt: t0, NudgeAt: t0, CloseAt: t0.Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.SetCheckinMessages(ctx, posted, "1.1", "1.2"); err != nil {
		t.Fatal(err)
	}
	// Not posted yet: nobody can answer in it.
	if _, err := db.CreateCheckin(ctx, "T1", flows.Checkin{Plan: p.ID, Channel: "C1", OpenedAt: t0, NudgeAt: t0, CloseAt: t0.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	open, err := db.OpenCheckins(ctx)
	if err != nil || len(open) != 1 || open[0].ID != posted || open[0].Team != "T1" {
		t.Fatalf("open = %+v %v", open, err)
	}
	if _, ok, err := db.ClaimClose(ctx, t0.Add(2*time.Hour)); !ok || err != nil {
		t.Fatal("close", ok, err)
	}
	if open, err := db.OpenCheckins(ctx); err != nil || len(open) != 0 {
		t.Errorf("after close = %+v %v", open, err)
	}
}

func loadPlan(tb testing.TB, db *storage.DB, p *flows.Plan) *flows.Plan {
	tb.Helper()
	got, err := db.Plan(context.Background(), p.Team, p.ID)
	if err != nil {
		tb.Fatal(err)
	}
	return got
}
