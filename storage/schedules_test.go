package storage_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/racebot/racebot/flows"
	"github.com/racebot/racebot/scheduler"
	"github.com/racebot/racebot/storage"
)

// schedT0 is when the schedule tests set their schedules.
var schedT0 = time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)

const schedSpec = "every monday 09:00 Europe/Berlin"

func scheduleTestPlan(tb testing.TB, db *storage.DB, team, name string) flows.PlanID {
	tb.Helper()
	id, err := db.CreatePlan(context.Background(), flows.NewPlan(team, "C1", name, "U1", schedT0))
	if err != nil {
		tb.Fatalf("create plan: %v", err)
	}
	return id
}

func setTestSchedule(tb testing.TB, db *storage.DB, team string, plan flows.PlanID, at time.Time) {
	tb.Helper()
	if err := db.SetSchedule(context.Background(), team, plan, schedSpec, "Europe/Berlin", "U1", at); err != nil {
		tb.Fatalf("set schedule: %v", err)
	}
}

func TestSetScheduleAndLoad(t *testing.T) {
	ctx := context.Background()
	db := MustOpen(t, "")
	plan := scheduleTestPlan(t, db, "T1", "Q1")
	setTestSchedule(t, db, "T1", plan, schedT0)

	got, err := db.Schedule(ctx, "T1", plan)
	if err != nil {
		t.Fatal(err)
	}
	want := scheduler.Schedule{
		Team: "T1", Plan: plan, Spec: schedSpec, Zone: "Europe/Berlin", CreatedBy: "U1",
		CreatedAt: schedT0, UpdatedAt: schedT0, LastDue: schedT0,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("schedule (-want +got):\n%s", diff)
	}

	// Setting it again replaces spec and zone but keeps who created it,
	// and LastDue never moves back (a clock behind the other process's).
	later := schedT0.Add(time.Hour)
	if err := db.SetSchedule(ctx, "T1", plan, "every friday 16:00 America/New_York", "America/New_York", "U2", later); err != nil {
		t.Fatal(err)
	}
	if err := db.SetSchedule(ctx, "T1", plan, "every friday 16:00 America/New_York", "America/New_York", "U2", schedT0); err != nil {
		t.Fatal(err)
	}
	got, err = db.Schedule(ctx, "T1", plan)
	if err != nil {
		t.Fatal(err)
	}
	want.Spec, want.Zone, want.LastDue = "every friday 16:00 America/New_York", "America/New_York", later
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("schedule after reset (-want +got):\n%s", diff)
	}
}

func TestScheduleErrors(t *testing.T) {
	ctx := context.Background()
	db := MustOpen(t, "")
	plan := scheduleTestPlan(t, db, "T1", "Q1")
	bare := scheduleTestPlan(t, db, "T1", "Q2")
	setTestSchedule(t, db, "T1", plan, schedT0)

	tests := []struct {
		name string
		err  error
		want []error
		not  []error
	}{
		{"other team's plan", schedErr(db.Schedule(ctx, "T2", plan)), []error{flows.ErrNoPlan}, []error{scheduler.ErrNoSchedule}},
		{"plan without schedule", schedErr(db.Schedule(ctx, "T1", bare)), []error{scheduler.ErrNoSchedule, flows.ErrNoPlan}, nil},
		{"no such plan", schedErr(db.Schedule(ctx, "T1", 999)), []error{flows.ErrNoPlan}, []error{scheduler.ErrNoSchedule}},
		{"set for other team", db.SetSchedule(ctx, "T2", plan, schedSpec, "Europe/Berlin", "U9", schedT0), []error{flows.ErrNoPlan}, nil},
		{"set empty spec", db.SetSchedule(ctx, "T1", plan, " ", "Europe/Berlin", "U1", schedT0), []error{flows.ErrBadInput}, nil},
		{"pause other team's", db.SetPaused(ctx, "T2", plan, true, schedT0), []error{flows.ErrNoPlan}, []error{scheduler.ErrNoSchedule}},
		{"pause without schedule", db.SetPaused(ctx, "T1", bare, true, schedT0), []error{scheduler.ErrNoSchedule}, nil},
		{"log of other team's plan", schedErr(db.Occurrences(ctx, "T2", plan, 0)), []error{flows.ErrNoPlan}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, w := range tt.want {
				if !errors.Is(tt.err, w) {
					t.Errorf("error %v, want %v", tt.err, w)
				}
			}
			for _, n := range tt.not {
				if errors.Is(tt.err, n) {
					t.Errorf("error %v matches %v", tt.err, n)
				}
			}
		})
	}
	// Nothing the other team tried changed the schedule.
	got, err := db.Schedule(ctx, "T1", plan)
	if err != nil {
		t.Fatal(err)
	}
	if got.Paused || got.CreatedBy != "U1" {
		t.Errorf("schedule changed by another team: %+v", got)
	}
}

func schedErr[T any](_ T, err error) error { return err }

func TestPauseAndResume(t *testing.T) {
	ctx := context.Background()
	db := MustOpen(t, "")
	plan := scheduleTestPlan(t, db, "T1", "Q1")
	setTestSchedule(t, db, "T1", plan, schedT0)

	pausedAt, resumedAt := schedT0.Add(24*time.Hour), schedT0.Add(21*24*time.Hour)
	if err := db.SetPaused(ctx, "T1", plan, true, pausedAt); err != nil {
		t.Fatal(err)
	}
	got, err := db.Schedule(ctx, "T1", plan)
	if err != nil {
		t.Fatal(err)
	}
	if !got.Paused || !got.LastDue.Equal(schedT0) || !got.UpdatedAt.Equal(pausedAt) {
		t.Errorf("paused: got %+v, want paused with LastDue %v", got, schedT0)
	}
	if err := db.SetPaused(ctx, "T1", plan, false, resumedAt); err != nil {
		t.Fatal(err)
	}
	got, err = db.Schedule(ctx, "T1", plan)
	if err != nil {
		t.Fatal(err)
	}
	// Resuming skips what fell in the pause: only occurrences after the
	// resume are due.
	if got.Paused || !got.LastDue.Equal(resumedAt) {
		t.Errorf("resumed: got %+v, want running with LastDue %v", got, resumedAt)
	}
}

func TestDueSchedulesListsEveryTeam(t *testing.T) {
	ctx := context.Background()
	db := MustOpen(t, "")
	a := scheduleTestPlan(t, db, "T1", "Q1")
	scheduleTestPlan(t, db, "T1", "unscheduled")
	b := scheduleTestPlan(t, db, "T2", "Q1")
	setTestSchedule(t, db, "T1", a, schedT0)
	setTestSchedule(t, db, "T2", b, schedT0)
	if err := db.SetPaused(ctx, "T2", b, true, schedT0); err != nil {
		t.Fatal(err)
	}

	rows, err := db.DueSchedules(ctx)
	if err != nil {
		t.Fatal(err)
	}
	type brief struct {
		Team   string
		Plan   flows.PlanID
		Paused bool
	}
	var got []brief
	for _, r := range rows {
		got = append(got, brief{r.Team, r.Plan, r.Paused})
	}
	want := []brief{{"T1", a, false}, {"T2", b, true}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("due schedules (-want +got):\n%s", diff)
	}
}

func TestClaimFinishAndLog(t *testing.T) {
	ctx := context.Background()
	db := MustOpen(t, "")
	plan := scheduleTestPlan(t, db, "T1", "Q1")
	setTestSchedule(t, db, "T1", plan, schedT0)

	week := 7 * 24 * time.Hour
	due1 := time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC) // Monday 09:00 Berlin
	due2 := due1.Add(week)
	key1, key2 := due1.Format(time.RFC3339), due2.Format(time.RFC3339)
	claim := func(key string, due time.Time, instance string) bool {
		t.Helper()
		ok, err := db.ClaimOccurrence(ctx, plan, key, due, 0, instance, due)
		if err != nil {
			t.Fatal(err)
		}
		return ok
	}

	if !claim(key1, due1, "a") {
		t.Fatal("first claim lost")
	}
	if claim(key1, due1, "b") || claim(key1, due1, "a") {
		t.Fatal("second claim of the same occurrence won")
	}
	if err := db.FinishOccurrence(ctx, plan, key1, "a", scheduler.StatePosted, "", 41, due1.Add(time.Second)); err != nil {
		t.Fatal(err)
	}
	if err := db.FinishOccurrence(ctx, plan, key1, "a", scheduler.StateFailed, "again", 0, due1); !errors.Is(err, scheduler.ErrNotClaimed) {
		t.Errorf("finishing twice: %v, want ErrNotClaimed", err)
	}
	if err := db.FinishOccurrence(ctx, plan, "never-claimed", "a", scheduler.StatePosted, "", 0, due1); !errors.Is(err, scheduler.ErrNotClaimed) {
		t.Errorf("finishing unclaimed: %v, want ErrNotClaimed", err)
	}
	if !claim(key2, due2, "b") {
		t.Fatal("claim of the next occurrence lost")
	}
	// Only the holder of a claim records its outcome.
	if err := db.FinishOccurrence(ctx, plan, key2, "a", scheduler.StatePosted, "", 0, due2); !errors.Is(err, scheduler.ErrNotClaimed) {
		t.Errorf("finishing another instance's claim: %v, want ErrNotClaimed", err)
	}
	for _, state := range []scheduler.State{scheduler.StateClaimed, scheduler.StateRetry, "done", ""} {
		if err := db.FinishOccurrence(ctx, plan, key2, "b", state, "", 0, due2); !errors.Is(err, storage.ErrBadState) {
			t.Errorf("finish as %q: %v, want ErrBadState", state, err)
		}
	}

	sched, err := db.Schedule(ctx, "T1", plan)
	if err != nil {
		t.Fatal(err)
	}
	if !sched.LastDue.Equal(due2) {
		t.Errorf("LastDue = %v, want the latest claim %v", sched.LastDue, due2)
	}

	log, err := db.Occurrences(ctx, "T1", plan, 0)
	if err != nil {
		t.Fatal(err)
	}
	want := []scheduler.Occurrence{
		{Plan: plan, Key: key2, Due: due2, State: scheduler.StateClaimed, ClaimedBy: "b", ClaimedAt: due2},
		{Plan: plan, Key: key1, Due: due1, State: scheduler.StatePosted, ClaimedBy: "a", ClaimedAt: due1,
			FinishedAt: due1.Add(time.Second), Checkin: 41},
	}
	if diff := cmp.Diff(want, log); diff != "" {
		t.Errorf("log (-want +got):\n%s", diff)
	}
	log, err = db.Occurrences(ctx, "T1", plan, 1)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want[:1], log); diff != "" {
		t.Errorf("log limited to 1 (-want +got):\n%s", diff)
	}
}

func TestDeletingPlanTakesScheduleAndLog(t *testing.T) {
	ctx := context.Background()
	db := MustOpen(t, "")
	plan := scheduleTestPlan(t, db, "T1", "Q1")
	setTestSchedule(t, db, "T1", plan, schedT0)
	if _, err := db.ClaimOccurrence(ctx, plan, "k1", schedT0, 0, "a", schedT0); err != nil {
		t.Fatal(err)
	}
	if err := db.DeletePlan(ctx, "T1", plan); err != nil {
		t.Fatal(err)
	}
	rows, err := db.DueSchedules(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 0 {
		t.Errorf("schedules after delete: %+v", rows)
	}
	// A scheduler that read the schedule before the delete cannot claim.
	if _, err := db.ClaimOccurrence(ctx, plan, "k2", schedT0, 0, "a", schedT0); !errors.Is(err, flows.ErrNoPlan) {
		t.Errorf("claim for deleted plan: %v, want ErrNoPlan", err)
	}
}

// TestClaimOnceAcrossProcesses opens one file twice, as two racebot
// processes would, and claims every occurrence from both at once.
func TestClaimOnceAcrossProcesses(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "racebot.db")
	dbs := []*storage.DB{MustOpen(t, path), MustOpen(t, path)}
	plan := scheduleTestPlan(t, dbs[0], "T1", "Q1")
	setTestSchedule(t, dbs[0], "T1", plan, schedT0)

	const occurrences, claimers = 40, 4
	wins := make([][]string, claimers)
	var wg sync.WaitGroup
	for c := range claimers {
		wg.Go(func() {
			db := dbs[c%len(dbs)]
			for i := range occurrences {
				due := schedT0.Add(time.Duration(i) * time.Hour)
				ok, err := db.ClaimOccurrence(ctx, plan, fmt.Sprint("k", i), due, 0, fmt.Sprint("instance-", c), due)
				if err != nil {
					t.Error(err)
					return
				}
				if ok {
					wins[c] = append(wins[c], fmt.Sprint("k", i))
				}
			}
		})
	}
	wg.Wait()

	count := map[string]int{}
	for _, w := range wins {
		for _, k := range w {
			count[k]++
		}
	}
	for i := range occurrences {
		if k := fmt.Sprint("k", i); count[k] != 1 {
			t.Errorf("occurrence %s claimed %d times", k, count[k])
		}
	}
	log, err := dbs[1].Occurrences(ctx, "T1", plan, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(log) != occurrences {
		t.Errorf("log has %d entries, want %d", len(log), occurrences)
	}
}
