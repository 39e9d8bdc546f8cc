package storetest

import (
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/racebot/racebot/flows"
	"github.com/racebot/racebot/scheduler"
)

const spec = "every monday 09:00 Europe/Berlin"

func testSchedules(t *testing.T, open Open) {
	db, another := open(t)
	ctx := ctxFor(t)
	other := another()
	p := newPlan(t, db, "T1", "C1", "Q1")
	bare := newPlan(t, db, "T1", "C1", "Q2")
	b := newPlan(t, db, "T2", "C1", "Q1")
	if err := db.SetSchedule(ctx, "T1", p.ID, spec, "Europe/Berlin", "U1", t0); err != nil {
		t.Fatal(err)
	}
	want := scheduler.Schedule{Team: "T1", Plan: p.ID, Spec: spec, Zone: "Europe/Berlin", CreatedBy: "U1", CreatedAt: t0, UpdatedAt: t0, LastDue: t0}
	got, err := other.Schedule(ctx, "T1", p.ID)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("schedule (-want +got):\n%s", diff)
	}
	if _, err := other.Schedule(ctx, "T1", bare.ID); !errors.Is(err, scheduler.ErrNoSchedule) {
		t.Errorf("plan without a schedule: %v, want ErrNoSchedule", err)
	}
	if err := db.SetPaused(ctx, "T1", bare.ID, true, t0); !errors.Is(err, scheduler.ErrNoSchedule) {
		t.Errorf("pausing no schedule: %v, want ErrNoSchedule", err)
	}
	if err := db.SetSchedule(ctx, "T1", p.ID, " ", "UTC", "U1", t0); !errors.Is(err, flows.ErrBadInput) {
		t.Errorf("empty spec: %v, want ErrBadInput", err)
	}

	// Setting it again keeps who created it, and LastDue never moves back
	// (a replica whose clock is behind another's).
	later := t0.Add(time.Hour)
	for _, at := range []time.Time{later, t0} {
		if err := other.SetSchedule(ctx, "T1", p.ID, "every friday 16:00 America/New_York", "America/New_York", "U2", at); err != nil {
			t.Fatal(err)
		}
	}
	want.Spec, want.Zone, want.UpdatedAt, want.LastDue = "every friday 16:00 America/New_York", "America/New_York", t0, later
	if got, _ := db.Schedule(ctx, "T1", p.ID); !cmp.Equal(want, got) {
		t.Errorf("schedule set again (-want +got):\n%s", cmp.Diff(want, got))
	}

	// Pausing keeps LastDue; resuming moves it to the resume, so what fell
	// in the pause is not caught up.
	pausedAt, resumedAt := t0.Add(24*time.Hour), t0.Add(21*24*time.Hour)
	if err := db.SetPaused(ctx, "T1", p.ID, true, pausedAt); err != nil {
		t.Fatal(err)
	}
	if got, _ := other.Schedule(ctx, "T1", p.ID); !got.Paused || !got.LastDue.Equal(later) || !got.UpdatedAt.Equal(pausedAt) {
		t.Errorf("paused: %+v", got)
	}
	if err := other.SetSchedule(ctx, "T1", b.ID, spec, "Europe/Berlin", "U1", t0); err == nil {
		t.Error("T1 set a schedule on T2's plan")
	}
	if err := other.SetSchedule(ctx, "T2", b.ID, spec, "Europe/Berlin", "U1", t0); err != nil {
		t.Fatal(err)
	}
	rows, err := other.DueSchedules(ctx)
	if err != nil {
		t.Fatal(err)
	}
	type brief struct {
		Team   string
		Plan   flows.PlanID
		Paused bool
	}
	var briefs []brief
	for _, r := range rows {
		briefs = append(briefs, brief{r.Team, r.Plan, r.Paused})
	}
	if diff := cmp.Diff([]brief{{"T1", p.ID, true}, {"T2", b.ID, false}}, briefs); diff != "" {
		t.Errorf("due schedules, paused included (-want +got):\n%s", diff)
	}
	if err := db.SetPaused(ctx, "T1", p.ID, false, resumedAt); err != nil {
		t.Fatal(err)
	}
	if got, _ := other.Schedule(ctx, "T1", p.ID); got.Paused || !got.LastDue.Equal(resumedAt) {
		t.Errorf("resumed: %+v, want LastDue %v", got, resumedAt)
	}
}

func testOccurrences(t *testing.T, open Open) {
	db, another := open(t)
	ctx := ctxFor(t)
	other := another()
	p := newPlan(t, db, "T1", "C1", "Q1")
	if err := db.SetSchedule(ctx, "T1", p.ID, spec, "Europe/Berlin", "U1", t0); err != nil {
		t.Fatal(err)
	}
	week := 7 * 24 * time.Hour
	due1 := t0.Add(week)
	due2 := due1.Add(week)
	key1, key2 := due1.Format(time.RFC3339), due2.Format(time.RFC3339)
	claim := func(s Store, key string, due time.Time, missed int, instance string) bool {
		t.Helper()
		ok, err := s.ClaimOccurrence(ctx, p.ID, key, due, missed, instance, due)
		if err != nil {
			t.Fatal(err)
		}
		return ok
	}
	if !claim(db, key1, due1, 0, "a") {
		t.Fatal("first claim lost")
	}
	if claim(other, key1, due1, 0, "b") || claim(db, key1, due1, 0, "a") {
		t.Fatal("second claim of one occurrence won")
	}
	if err := other.FinishOccurrence(ctx, p.ID, key1, "a", scheduler.StatePosted, "", 41, due1.Add(time.Second)); err != nil {
		t.Fatal(err)
	}
	if err := db.FinishOccurrence(ctx, p.ID, key1, "a", scheduler.StateFailed, "again", 0, due1); !errors.Is(err, scheduler.ErrNotClaimed) {
		t.Errorf("finishing twice: %v, want ErrNotClaimed", err)
	}
	if err := db.FinishOccurrence(ctx, p.ID, "never", "a", scheduler.StatePosted, "", 0, due1); !errors.Is(err, scheduler.ErrNotClaimed) {
		t.Errorf("finishing what was never claimed: %v, want ErrNotClaimed", err)
	}
	if !claim(other, key2, due2, 3, "b") {
		t.Fatal("claim of the next occurrence lost")
	}
	if err := db.FinishOccurrence(ctx, p.ID, key2, "a", scheduler.StatePosted, "", 0, due2); !errors.Is(err, scheduler.ErrNotClaimed) {
		t.Errorf("finishing another instance's claim: %v, want ErrNotClaimed", err)
	}
	for _, state := range []scheduler.State{scheduler.StateClaimed, scheduler.StateRetry, "done", ""} {
		if err := db.FinishOccurrence(ctx, p.ID, key2, "b", state, "", 0, due2); err == nil {
			t.Errorf("finished as %q", state)
		}
	}
	if s, _ := db.Schedule(ctx, "T1", p.ID); !s.LastDue.Equal(due2) {
		t.Errorf("LastDue = %v, want the latest claim %v", s.LastDue, due2)
	}

	// A post that certainly did not go out waits for its retry time, and
	// of two claims then only one wins.
	retryAt := due2.Add(30 * time.Second)
	if err := other.RetryOccurrence(ctx, p.ID, key2, "b", retryAt, "try 1 not posted", due2.Add(time.Second)); err != nil {
		t.Fatal(err)
	}
	if err := other.RetryOccurrence(ctx, p.ID, key2, "b", retryAt, "again", due2); !errors.Is(err, scheduler.ErrNotClaimed) {
		t.Errorf("retrying what is not claimed: %v, want ErrNotClaimed", err)
	}
	if won, err := db.ClaimRetry(ctx, p.ID, key2, "a", retryAt.Add(-time.Second)); err != nil || won {
		t.Errorf("retry claimed before its time: %v, %v", won, err)
	}
	pending, err := db.PendingOccurrences(ctx)
	if err != nil || len(pending) != 1 || pending[0].State != scheduler.StateRetry || !pending[0].RetryAt.Equal(retryAt) || pending[0].Attempts != 1 || pending[0].Missed != 3 {
		t.Errorf("pending while waiting to retry: %+v, %v", pending, err)
	}
	wonA, errA := db.ClaimRetry(ctx, p.ID, key2, "a", retryAt)
	wonB, errB := other.ClaimRetry(ctx, p.ID, key2, "b", retryAt)
	if errA != nil || errB != nil || !wonA || wonB {
		t.Errorf("retry claims: a %v (%v), b %v (%v); want only a", wonA, errA, wonB, errB)
	}

	// A claim older than the lease is taken over, once.
	if won, err := other.ClaimStale(ctx, p.ID, key2, "c", retryAt.Add(-time.Second), retryAt.Add(time.Minute)); err != nil || won {
		t.Errorf("a fresh claim was taken over: %v, %v", won, err)
	}
	if won, err := other.ClaimStale(ctx, p.ID, key2, "c", retryAt, retryAt.Add(time.Minute)); err != nil || !won {
		t.Errorf("stale claim not taken over: %v, %v", won, err)
	}
	if won, _ := db.ClaimStale(ctx, p.ID, key2, "d", retryAt, retryAt.Add(time.Minute)); won {
		t.Error("a stale claim was taken over twice")
	}
	if err := db.FinishOccurrence(ctx, p.ID, key2, "a", scheduler.StatePosted, "", 0, retryAt); !errors.Is(err, scheduler.ErrNotClaimed) {
		t.Errorf("the instance that lost its claim finished it: %v", err)
	}
	end := retryAt.Add(2 * time.Minute)
	if err := db.FinishOccurrence(ctx, p.ID, key2, "c", scheduler.StateCaughtUp, "posted late", 42, end); err != nil {
		t.Fatal(err)
	}

	log, err := other.Occurrences(ctx, "T1", p.ID, 0)
	if err != nil {
		t.Fatal(err)
	}
	want := []scheduler.Occurrence{
		{Plan: p.ID, Key: key2, Due: due2, State: scheduler.StateCaughtUp, ClaimedBy: "c", ClaimedAt: retryAt.Add(time.Minute),
			FinishedAt: end, Note: "posted late", Checkin: 42, Missed: 3, Attempts: 1},
		{Plan: p.ID, Key: key1, Due: due1, State: scheduler.StatePosted, ClaimedBy: "a", ClaimedAt: due1,
			FinishedAt: due1.Add(time.Second), Checkin: 41},
	}
	if diff := cmp.Diff(want, log); diff != "" {
		t.Errorf("run log, newest first (-want +got):\n%s", diff)
	}
	if log, _ := other.Occurrences(ctx, "T1", p.ID, 1); !cmp.Equal(want[:1], log) {
		t.Errorf("run log limited to one (-want +got):\n%s", cmp.Diff(want[:1], log))
	}
	if pending, _ := db.PendingOccurrences(ctx); len(pending) != 0 {
		t.Errorf("pending after all finished: %+v", pending)
	}

	// A scheduler that read the schedule before the plan was deleted
	// cannot claim.
	if err := db.DeletePlan(ctx, "T1", p.ID, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := other.ClaimOccurrence(ctx, p.ID, "k3", due2, 0, "a", due2); !errors.Is(err, flows.ErrNoPlan) {
		t.Errorf("claim for a deleted plan: %v, want ErrNoPlan", err)
	}
}

// testOccurrenceClaims: handles claim every occurrence at once, as replicas
// whose schedulers wake together do; each is claimed once.
func testOccurrenceClaims(t *testing.T, open Open) {
	db, another := open(t)
	ctx := ctxFor(t)
	handles := []Store{db, another(), another()}
	p := newPlan(t, db, "T1", "C1", "Q1")
	if err := db.SetSchedule(ctx, "T1", p.ID, spec, "Europe/Berlin", "U1", t0); err != nil {
		t.Fatal(err)
	}
	const occurrences = 30
	var (
		mu   sync.Mutex
		wins = map[string][]int{}
	)
	race(t, 6, func(c int) error {
		for i := range occurrences {
			due := t0.Add(time.Duration(i) * time.Hour)
			key := fmt.Sprint("k", i)
			ok, err := handles[c%3].ClaimOccurrence(ctx, p.ID, key, due, 0, fmt.Sprint("instance-", c), due)
			if err != nil {
				return err
			}
			if ok {
				mu.Lock()
				wins[key] = append(wins[key], c)
				mu.Unlock()
			}
		}
		return nil
	})
	for i := range occurrences {
		if k := fmt.Sprint("k", i); len(wins[k]) != 1 {
			t.Errorf("occurrence %s won by %v, want exactly one", k, wins[k])
		}
	}
	if s, _ := db.Schedule(ctx, "T1", p.ID); !s.LastDue.Equal(t0.Add((occurrences - 1) * time.Hour)) {
		t.Errorf("LastDue = %v after racing claims, want the latest due", s.LastDue)
	}
}
