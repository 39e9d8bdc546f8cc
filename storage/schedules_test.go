package storage_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/racebot/racebot/flows"
	"github.com/racebot/racebot/internal/testdb"
	"github.com/racebot/racebot/scheduler"
	"github.com/racebot/racebot/storage"
)

// schedT0 is when the schedule tests set their schedules.
var schedT0 = time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)

const schedSpec = "every monday 09:00 Europe/Berlin"

func scheduleTestPlan(tb testing.TB, db *storage.DB, team, name string) flows.PlanID {
	tb.Helper()
	id, err := db.CreatePlan(context.Background(), flows.NewPlan(team, "C1", name, "U1", schedT0), "")
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
	t.Parallel()
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
	t.Parallel()
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
	t.Parallel()
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
	t.Parallel()
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
	t.Parallel()
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
	t.Parallel()
	ctx := context.Background()
	db := MustOpen(t, "")
	plan := scheduleTestPlan(t, db, "T1", "Q1")
	setTestSchedule(t, db, "T1", plan, schedT0)
	if _, err := db.ClaimOccurrence(ctx, plan, "k1", schedT0, 0, "a", schedT0); err != nil {
		t.Fatal(err)
	}
	if err := db.DeletePlan(ctx, "T1", plan, ""); err != nil {
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
	t.Parallel()
	ctx := context.Background()
	path := testdb.Path(t)
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

// claimed claims an occurrence for instance at now, failing the test if
// the claim is lost.
func claimed(tb testing.TB, db *storage.DB, plan flows.PlanID, key string, due time.Time, missed int, instance string, now time.Time) {
	tb.Helper()
	won, err := db.ClaimOccurrence(context.Background(), plan, key, due, missed, instance, now)
	if err != nil || !won {
		tb.Fatalf("claim %s: won %v, %v", key, won, err)
	}
}

func occurrence(tb testing.TB, db *storage.DB, team string, plan flows.PlanID, key string) scheduler.Occurrence {
	tb.Helper()
	log, err := db.Occurrences(context.Background(), team, plan, 0)
	if err != nil {
		tb.Fatal(err)
	}
	for _, o := range log {
		if o.Key == key {
			return o
		}
	}
	tb.Fatalf("no occurrence %s in %+v", key, log)
	return scheduler.Occurrence{}
}

func TestRetryAndClaimRetry(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := MustOpen(t, "")
	plan := scheduleTestPlan(t, db, "T1", "Q1")
	setTestSchedule(t, db, "T1", plan, schedT0)
	due := schedT0.Add(time.Hour)
	retryAt := due.Add(30 * time.Second)
	claimed(t, db, plan, "k1", due, 3, "a", due)

	if err := db.RetryOccurrence(ctx, plan, "k1", "b", retryAt, "not mine", due); !errors.Is(err, scheduler.ErrNotClaimed) {
		t.Errorf("retry by another instance: %v, want ErrNotClaimed", err)
	}
	if err := db.RetryOccurrence(ctx, plan, "k1", "a", retryAt, "try 1 not posted", due.Add(time.Second)); err != nil {
		t.Fatal(err)
	}
	// Handed back, the occurrence is no longer a's to finish or retry.
	if err := db.FinishOccurrence(ctx, plan, "k1", "a", scheduler.StatePosted, "", 1, due); !errors.Is(err, scheduler.ErrNotClaimed) {
		t.Errorf("finish after retry: %v, want ErrNotClaimed", err)
	}
	if err := db.RetryOccurrence(ctx, plan, "k1", "a", retryAt, "", due); !errors.Is(err, scheduler.ErrNotClaimed) {
		t.Errorf("retry twice: %v, want ErrNotClaimed", err)
	}
	want := scheduler.Occurrence{
		Plan: plan, Key: "k1", Due: due, State: scheduler.StateRetry, ClaimedBy: "a", ClaimedAt: due,
		FinishedAt: due.Add(time.Second), Note: "try 1 not posted", Missed: 3, Attempts: 1, RetryAt: retryAt,
	}
	if diff := cmp.Diff(want, occurrence(t, db, "T1", plan, "k1")); diff != "" {
		t.Errorf("after retry (-want +got):\n%s", diff)
	}

	claimRetry := func(instance string, now time.Time) bool {
		t.Helper()
		won, err := db.ClaimRetry(ctx, plan, "k1", instance, now)
		if err != nil {
			t.Fatal(err)
		}
		return won
	}
	if claimRetry("b", retryAt.Add(-time.Millisecond)) {
		t.Fatal("retry claimed before its time")
	}
	if !claimRetry("b", retryAt) {
		t.Fatal("retry not claimed at its time")
	}
	if claimRetry("c", retryAt.Add(time.Minute)) || claimRetry("b", retryAt.Add(time.Minute)) {
		t.Fatal("retry claimed twice")
	}
	want.State, want.ClaimedBy, want.ClaimedAt, want.FinishedAt, want.RetryAt = scheduler.StateClaimed, "b", retryAt, time.Time{}, time.Time{}
	if diff := cmp.Diff(want, occurrence(t, db, "T1", plan, "k1")); diff != "" {
		t.Errorf("after claiming the retry (-want +got):\n%s", diff)
	}
	// The next failure counts on.
	if err := db.RetryOccurrence(ctx, plan, "k1", "b", retryAt.Add(time.Minute), "try 2", retryAt); err != nil {
		t.Fatal(err)
	}
	if got := occurrence(t, db, "T1", plan, "k1"); got.Attempts != 2 || got.State != scheduler.StateRetry {
		t.Errorf("after a second retry: %+v", got)
	}
	if !claimRetry("c", retryAt.Add(time.Minute)) {
		t.Fatal("second retry not claimed")
	}
	if err := db.FinishOccurrence(ctx, plan, "k1", "c", scheduler.StateMissed, "gave up", 0, retryAt.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	if claimRetry("d", retryAt.Add(time.Hour)) {
		t.Error("finished occurrence claimed as a retry")
	}
}

func TestClaimStale(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := MustOpen(t, "")
	plan := scheduleTestPlan(t, db, "T1", "Q1")
	setTestSchedule(t, db, "T1", plan, schedT0)
	due := schedT0.Add(time.Hour)
	claimed(t, db, plan, "k1", due, 0, "dead", due)

	stale := func(instance string, before, now time.Time) bool {
		t.Helper()
		won, err := db.ClaimStale(ctx, plan, "k1", instance, before, now)
		if err != nil {
			t.Fatal(err)
		}
		return won
	}
	if stale("b", due.Add(-time.Millisecond), due.Add(time.Minute)) {
		t.Fatal("claim taken over before it was stale")
	}
	later := due.Add(5 * time.Minute)
	if !stale("b", due, later) {
		t.Fatal("stale claim not taken over")
	}
	// A second scheduler that saw the same stale claim comes too late: the
	// claim is b's now, and fresh.
	if stale("c", due, later) {
		t.Fatal("stale claim taken over twice")
	}
	if err := db.FinishOccurrence(ctx, plan, "k1", "dead", scheduler.StatePosted, "", 1, later); !errors.Is(err, scheduler.ErrNotClaimed) {
		t.Errorf("finish by the old holder: %v, want ErrNotClaimed", err)
	}
	if err := db.FinishOccurrence(ctx, plan, "k1", "b", scheduler.StatePosted, "", 7, later); err != nil {
		t.Fatal(err)
	}
	if stale("c", later.Add(time.Hour), later.Add(time.Hour)) {
		t.Error("finished occurrence taken over as stale")
	}
	got := occurrence(t, db, "T1", plan, "k1")
	if got.State != scheduler.StatePosted || got.ClaimedBy != "b" || got.Checkin != 7 {
		t.Errorf("after recovery: %+v", got)
	}
}

// TestClaimRetryOnceAcrossProcesses claims one due retry from two
// connections to one file at once, many times over: exactly one claim
// wins each time.
func TestClaimRetryOnceAcrossProcesses(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	path := testdb.Path(t)
	dbs := []*storage.DB{MustOpen(t, path), MustOpen(t, path)}
	plan := scheduleTestPlan(t, dbs[0], "T1", "Q1")
	setTestSchedule(t, dbs[0], "T1", plan, schedT0)

	const rounds, claimers = 20, 4
	for i := range rounds {
		key := fmt.Sprint("k", i)
		due := schedT0.Add(time.Duration(i) * time.Hour)
		claimed(t, dbs[0], plan, key, due, 0, "first", due)
		if err := dbs[0].RetryOccurrence(ctx, plan, key, "first", due, "", due); err != nil {
			t.Fatal(err)
		}
		var (
			mu   sync.Mutex
			wins []string
			wg   sync.WaitGroup
		)
		for c := range claimers {
			wg.Go(func() {
				who := fmt.Sprint("instance-", c)
				won, err := dbs[c%len(dbs)].ClaimRetry(ctx, plan, key, who, due.Add(time.Minute))
				if err != nil {
					t.Error(err)
					return
				}
				if won {
					mu.Lock()
					wins = append(wins, who)
					mu.Unlock()
				}
			})
		}
		wg.Wait()
		if len(wins) != 1 {
			t.Fatalf("retry of %s claimed by %v, want exactly one", key, wins)
		}
		if got := occurrence(t, dbs[1], "T1", plan, key); got.ClaimedBy != wins[0] || got.State != scheduler.StateClaimed {
			t.Errorf("%s: %+v, want claimed by %s", key, got, wins[0])
		}
	}
}

func TestPendingOccurrences(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := MustOpen(t, "")
	a := scheduleTestPlan(t, db, "T1", "Q1")
	b := scheduleTestPlan(t, db, "T2", "Q1")
	setTestSchedule(t, db, "T1", a, schedT0)
	setTestSchedule(t, db, "T2", b, schedT0)
	at := func(h int) time.Time { return schedT0.Add(time.Duration(h) * time.Hour) }

	claimed(t, db, a, "a-posted", at(1), 0, "x", at(1))
	if err := db.FinishOccurrence(ctx, a, "a-posted", "x", scheduler.StatePosted, "", 1, at(1)); err != nil {
		t.Fatal(err)
	}
	claimed(t, db, a, "a-claimed", at(3), 0, "x", at(3))
	claimed(t, db, b, "b-retry", at(2), 2, "y", at(2))
	if err := db.RetryOccurrence(ctx, b, "b-retry", "y", at(4), "", at(2)); err != nil {
		t.Fatal(err)
	}

	got, err := db.PendingOccurrences(ctx)
	if err != nil {
		t.Fatal(err)
	}
	type brief struct {
		Plan    flows.PlanID
		Key     string
		State   scheduler.State
		Missed  int
		RetryAt time.Time
	}
	var briefs []brief
	for _, o := range got {
		briefs = append(briefs, brief{o.Plan, o.Key, o.State, o.Missed, o.RetryAt})
	}
	want := []brief{
		{b, "b-retry", scheduler.StateRetry, 2, at(4)},
		{a, "a-claimed", scheduler.StateClaimed, 0, time.Time{}},
	}
	if diff := cmp.Diff(want, briefs); diff != "" {
		t.Errorf("pending (-want +got):\n%s", diff)
	}
}

// TestMigrationKeepsRunLog opens a database written before occurrences
// could be retried: migration 0006 rebuilds the table and keeps every run,
// and the new states work on the old rows.
func TestMigrationKeepsRunLog(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "racebot.db")
	old, exec := olderDatabase(t, path, 6)
	ms := func(h int) int64 { return schedT0.Add(time.Duration(h) * time.Hour).UnixMilli() }
	exec(`INSERT INTO plans (id, team_id, channel_id, name, name_key, created_by, created_at) VALUES (1, 'T1', 'C1', 'Q1', 'q1', 'U1', ?)`, ms(0))
	exec(`INSERT INTO occurrences (plan_id, key, due_at, state, claimed_by, claimed_at, finished_at, note, checkin_id)
		VALUES (1, 'k1', ?, 'posted', 'a', ?, ?, '', 11), (1, 'k2', ?, 'failed', 'a', ?, ?, 'boom', NULL), (1, 'k3', ?, 'claimed', 'a', ?, NULL, '', NULL)`,
		ms(1), ms(1), ms(1), ms(2), ms(2), ms(2), ms(3), ms(3))
	old.Close()

	db := MustOpen(t, path)
	log, err := db.Occurrences(ctx, "T1", 1, 0)
	if err != nil {
		t.Fatal(err)
	}
	at := func(h int) time.Time { return schedT0.Add(time.Duration(h) * time.Hour) }
	want := []scheduler.Occurrence{
		{Plan: 1, Key: "k3", Due: at(3), State: scheduler.StateClaimed, ClaimedBy: "a", ClaimedAt: at(3)},
		{Plan: 1, Key: "k2", Due: at(2), State: scheduler.StateFailed, ClaimedBy: "a", ClaimedAt: at(2), FinishedAt: at(2), Note: "boom"},
		{Plan: 1, Key: "k1", Due: at(1), State: scheduler.StatePosted, ClaimedBy: "a", ClaimedAt: at(1), FinishedAt: at(1), Checkin: 11},
	}
	if diff := cmp.Diff(want, log); diff != "" {
		t.Errorf("run log after migration (-want +got):\n%s", diff)
	}
	// The claim left by the old version can be recovered and retried.
	if won, err := db.ClaimStale(ctx, 1, "k3", "b", at(3), at(4)); err != nil || !won {
		t.Fatalf("claim stale: %v, %v", won, err)
	}
	if err := db.RetryOccurrence(ctx, 1, "k3", "b", at(5), "", at(4)); err != nil {
		t.Fatal(err)
	}
	// Claims still cascade with their plan.
	if err := db.DeletePlan(ctx, "T1", 1, ""); err != nil {
		t.Fatal(err)
	}
	if pending, err := db.PendingOccurrences(ctx); err != nil || len(pending) != 0 {
		t.Errorf("pending after deleting the plan: %+v, %v", pending, err)
	}
}

// olderDatabase makes the file at path as a racebot from before migration
// first left it: the migrations table as storage.Open makes it, and every
// migration numbered below first, applied and recorded. It returns the
// connection, for the caller to close before opening the file with
// storage.Open, and an exec that fails the test on an error.
func olderDatabase(t *testing.T, path string, first int) (*sql.DB, func(q string, args ...any)) {
	t.Helper()
	ctx := context.Background()
	old, err := sql.Open("sqlite", "file:"+path+"?_pragma=foreign_keys(1)")
	if err != nil {
		t.Fatal(err)
	}
	exec := func(q string, args ...any) {
		t.Helper()
		if _, err := old.ExecContext(ctx, q, args...); err != nil {
			t.Fatalf("%.60s: %v", q, err)
		}
	}
	exec(`CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)`)
	files, err := filepath.Glob("migrations/*.sql")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		base := filepath.Base(f)
		n, _ := strconv.Atoi(strings.SplitN(base, "_", 2)[0])
		if n >= first {
			continue
		}
		body, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		exec(string(body))
		exec(`INSERT INTO schema_migrations VALUES (?, ?, 0)`, n, base)
	}
	return old, exec
}
