package storage_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/racebot/racebot/flows"
	"github.com/racebot/racebot/internal/testdb"
	"github.com/racebot/racebot/storage"
)

func TestCheckinsAreNudgedAndClosedOnce(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	path := testdb.Path(t)
	a, b := MustOpen(t, path), MustOpen(t, path)
	p := newPlan(t, a, "T1", "C1", "Q1")
	id, err := a.CreateCheckin(ctx, "T1", flows.Checkin{Plan: p.ID, Channel: "C1", OpenedAt: t0, NudgeAt: t0.Add(4 * time.Hour), CloseAt: t0.Add(48 * time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.CreateCheckin(ctx, "T2", flows.Checkin{Plan: p.ID, Channel: "C1", OpenedAt: t0}); err == nil {
		t.Error("another workspace opened a check-in on T1's plan")
	}
	if err := a.SetCheckinMessages(ctx, id, "111.1", "111.2"); err != nil {
		t.Fatal(err)
	}
	c, err := b.CheckinByThread(ctx, "T1", "C1", "111.1")
	if err != nil || c.ID != id || c.SummaryTS != "111.2" {
		t.Fatalf("by thread: %+v %v", c, err)
	}
	if _, err := b.CheckinByThread(ctx, "T2", "C1", "111.1"); !errors.Is(err, flows.ErrNoCheckin) {
		t.Errorf("T2 found T1's check-in: %v", err)
	}
	if got, ok, _ := a.ClaimNudge(ctx, t0.Add(time.Hour)); ok {
		t.Errorf("nudged before time: %v", got)
	}
	// Two processes claim at once: exactly one gets the nudge.
	var wg sync.WaitGroup
	var mu sync.Mutex
	total := 0
	for _, db := range []*storage.DB{a, b} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, ok, err := db.ClaimNudge(ctx, t0.Add(5*time.Hour))
			if err != nil {
				t.Error(err)
			}
			if ok {
				mu.Lock()
				total++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if total != 1 {
		t.Errorf("nudge claimed %d times, want once", total)
	}
	closed, ok, _ := b.ClaimClose(ctx, t0.Add(49*time.Hour))
	again, okAgain, _ := a.ClaimClose(ctx, t0.Add(50*time.Hour))
	if !ok || okAgain || closed.Team != "T1" {
		t.Errorf("closes: %v (%v) then %v (%v)", closed, ok, again, okAgain)
	}
}

// TestCheckinByOccurrence finds a scheduled check-in by its occurrence,
// within its workspace only; of two rows for one occurrence (older racebots
// opened one per retry) the posted one wins.
func TestCheckinByOccurrence(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := MustOpen(t, testdb.Path(t))
	p := newPlan(t, db, "T1", "C1", "Q1")
	const occ = "2026-11-23T09:00:00Z"
	if _, err := db.CheckinByOccurrence(ctx, "T1", p.ID, occ); !errors.Is(err, flows.ErrNoCheckin) {
		t.Fatalf("before any: err = %v, want ErrNoCheckin", err)
	}
	open := func() int64 {
		t.Helper()
		id, err := db.CreateCheckin(ctx, "T1", flows.Checkin{Plan: p.ID, Occurrence: occ, Channel: "C1", OpenedAt: t0, NudgeAt: t0, CloseAt: t0})
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
	first := open()
	if c, err := db.CheckinByOccurrence(ctx, "T1", p.ID, occ); err != nil || c.ID != first {
		t.Fatalf("by occurrence = %d, %v; want %d", c.ID, err, first)
	}
	second := open()
	if c, err := db.CheckinByOccurrence(ctx, "T1", p.ID, occ); err != nil || c.ID != first {
		t.Errorf("two unposted rows: by occurrence = %d, %v; want the first, %d", c.ID, err, first)
	}
	if err := db.SetCheckinMessages(ctx, second, "400.000001", "400.000002"); err != nil {
		t.Fatal(err)
	}
	if c, err := db.CheckinByOccurrence(ctx, "T1", p.ID, occ); err != nil || c.ID != second || c.Thread != "400.000001" {
		t.Errorf("one posted: by occurrence = %+v, %v; want %d with its thread", c, err, second)
	}
	if _, err := db.CheckinByOccurrence(ctx, "T2", p.ID, occ); !errors.Is(err, flows.ErrNoCheckin) {
		t.Errorf("T2 found T1's check-in: %v", err)
	}
	if _, err := db.CheckinByOccurrence(ctx, "T1", p.ID, ""); !errors.Is(err, flows.ErrNoCheckin) {
		t.Errorf("the empty occurrence (check-ins by hand) found one: %v", err)
	}
}
