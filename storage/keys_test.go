package storage_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/racebot/racebot/flows"
	"github.com/racebot/racebot/internal/testdb"
)

// TestBindThreadKeepsTheFirstThread: the first thread bound to a plan
// stays; a later bind learns it instead of overwriting it, so the loser of
// two racing header posts knows which header to delete.
func TestBindThreadKeepsTheFirstThread(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := MustOpen(t, "")
	p := newPlan(t, db, "T1", "C1", "Q1")
	if got, err := db.BindThread(ctx, "T1", p.ID, "111.000001"); err != nil || got != "111.000001" {
		t.Fatalf("first bind = %q, %v", got, err)
	}
	if got, err := db.BindThread(ctx, "T1", p.ID, "222.000002"); err != nil || got != "111.000001" {
		t.Fatalf("second bind = %q, %v; want the first thread", got, err)
	}
	if got, _ := db.Plan(ctx, "T1", p.ID); got.Thread != "111.000001" {
		t.Errorf("plan thread = %q", got.Thread)
	}
	if _, err := db.PlanIDByThread(ctx, "T1", "C1", "222.000002"); !errors.Is(err, flows.ErrNoPlan) {
		t.Errorf("the losing thread finds a plan: %v", err)
	}

	// Another workspace cannot bind (or learn) the plan's thread.
	other := newPlan(t, db, "T1", "C1", "Q2")
	if got, err := db.BindThread(ctx, "T2", other.ID, "333.000003"); !errors.Is(err, flows.ErrNoPlan) || got != "" {
		t.Errorf("T2 binding T1's plan = %q, %v; want ErrNoPlan", got, err)
	}
	if got, _ := db.Plan(ctx, "T1", other.ID); got.Thread != "" {
		t.Errorf("T2 bound T1's plan to %q", got.Thread)
	}
	if err := db.DeletePlan(ctx, "T1", other.ID, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := db.BindThread(ctx, "T1", other.ID, "444.000004"); !errors.Is(err, flows.ErrNoPlan) {
		t.Errorf("binding a deleted plan: %v, want ErrNoPlan", err)
	}
}

// TestBindThreadRaceHasOneWinner: many binds at once, from two handles on
// one file as two racebot processes would be, all learn the same thread,
// one of theirs.
func TestBindThreadRaceHasOneWinner(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	path := testdb.Path(t)
	a, b := MustOpen(t, path), MustOpen(t, path)
	p := newPlan(t, a, "T1", "C1", "Q1")
	const n = 8
	got := make([]string, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		db := a
		if i%2 == 1 {
			db = b
		}
		wg.Go(func() { got[i], errs[i] = db.BindThread(ctx, "T1", p.ID, fmt.Sprintf("%d.000000", 100+i)) })
	}
	wg.Wait()
	for i := range n {
		if errs[i] != nil {
			t.Fatalf("bind %d: %v", i, errs[i])
		}
		if got[i] != got[0] {
			t.Errorf("bind %d learnt %q, bind 0 %q", i, got[i], got[0])
		}
	}
	if loaded, _ := b.Plan(ctx, "T1", p.ID); loaded.Thread != got[0] {
		t.Errorf("plan thread %q, binds learnt %q", loaded.Thread, got[0])
	}
}

// TestFailedWriteKeepsNoKey: a key is recorded in the transaction of the
// write it came with, so a write that fails leaves the key free and the
// retry runs; one that lands makes the retry a duplicate.
func TestFailedWriteKeepsNoKey(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := MustOpen(t, "")
	cat := flows.RACE()
	p := newPlan(t, db, "T1", "C1", "P")

	// A commit refused as stale keeps no key.
	step(t, db, cat, p, "moved on", t0)
	out, _ := flows.Step(cat, p, flows.Input{Text: "stale", User: "U1", Now: t0})
	if err := db.Commit(ctx, p, out.Changes, "Ev1"); !errors.Is(err, flows.ErrConflict) {
		t.Fatalf("stale commit: %v, want ErrConflict", err)
	}
	fresh, _ := db.Plan(ctx, "T1", p.ID)
	out, _ = flows.Step(cat, fresh, flows.Input{Text: "retried", User: "U1", Now: t0})
	if err := db.Commit(ctx, fresh, out.Changes, "Ev1"); err != nil {
		t.Fatalf("retry after a conflict: %v", err)
	}
	if err := db.Commit(ctx, fresh, out.Changes, "Ev1"); !errors.Is(err, flows.ErrDuplicate) {
		t.Fatalf("retry after success: %v, want ErrDuplicate", err)
	}

	// A plan refused for its name keeps no key.
	if _, err := db.CreatePlan(ctx, flows.NewPlan("T1", "C1", "p", "U1", t0), "Ev2"); !errors.Is(err, flows.ErrDuplicatePlan) {
		t.Fatalf("duplicate name: %v", err)
	}
	if _, err := db.CreatePlan(ctx, flows.NewPlan("T1", "C1", "Other", "U1", t0), "Ev2"); err != nil {
		t.Fatalf("the key of a refused plan was kept: %v", err)
	}
	if _, err := db.CreatePlan(ctx, flows.NewPlan("T1", "C1", "Third", "U1", t0), "Ev2"); !errors.Is(err, flows.ErrDuplicate) {
		t.Fatalf("a plan under a recorded key: %v, want ErrDuplicate", err)
	}
	if plans, _ := db.Plans(ctx, "T1", "C1"); len(plans) != 2 {
		t.Errorf("%d plans, want P and Other", len(plans))
	}

	// Deleting a plan that is not there keeps no key.
	if err := db.DeletePlan(ctx, "T1", 999, "Ev3"); !errors.Is(err, flows.ErrNoPlan) {
		t.Fatalf("delete of a missing plan: %v", err)
	}
	if err := db.MarkSeen(ctx, "T1", "Ev3"); err != nil {
		t.Errorf("the key of a failed delete was kept: %v", err)
	}
	// A duplicate delete is told apart from a missing plan.
	if err := db.DeletePlan(ctx, "T1", p.ID, "Ev4"); err != nil {
		t.Fatal(err)
	}
	if err := db.DeletePlan(ctx, "T1", p.ID, "Ev4"); !errors.Is(err, flows.ErrDuplicate) {
		t.Errorf("a delete delivered again: %v, want ErrDuplicate", err)
	}
}

// TestKeysBelongToTheirWorkspace: one key space per workspace, shared by
// every kind of write; an empty key records nothing; pruned keys are free.
func TestKeysBelongToTheirWorkspace(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := MustOpen(t, "")
	p := newPlan(t, db, "T1", "C1", "P")
	if err := db.SetCurrentPlan(ctx, "T1", "C1", p.ID, "Ev1"); err != nil {
		t.Fatal(err)
	}
	if err := db.MarkSeen(ctx, "T1", "Ev1"); !errors.Is(err, flows.ErrDuplicate) {
		t.Errorf("a key recorded by one write is free for another: %v", err)
	}
	if err := db.MarkSeen(ctx, "T2", "Ev1"); err != nil {
		t.Errorf("another workspace's key: %v", err)
	}
	for range 2 {
		if err := db.MarkSeen(ctx, "T1", ""); err != nil {
			t.Errorf("an empty key: %v", err)
		}
	}
	if err := db.PruneSeen(ctx, time.Now().Add(time.Minute), time.Now().Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	if err := db.MarkSeen(ctx, "T1", "Ev1"); err != nil {
		t.Errorf("a pruned key: %v", err)
	}
}
