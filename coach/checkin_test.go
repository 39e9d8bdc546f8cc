package coach_test

import (
	"context"
	"testing"
	"time"
)

// TestCheckinOpenedOncePerOccurrence: a scheduled check-in tried again (its
// post certainly did not go out) or recovered after a crash finishes the
// row it has, not a second one; check-ins run by hand each get their own.
func TestCheckinOpenedOncePerOccurrence(t *testing.T) {
	ctx := context.Background()
	svc, db := newService(t, nil)
	p := startPlan(t, svc, db)
	const occ = "2026-11-23T09:00:00Z"

	first, err := svc.OpenCheckin(ctx, "T1", p.ID, occ, false, t0)
	if err != nil {
		t.Fatal(err)
	}
	again, err := svc.OpenCheckin(ctx, "T1", p.ID, occ, false, t0.Add(30*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	if first.Resumed || !again.Resumed {
		t.Errorf("Resumed = %t then %t, want false then true", first.Resumed, again.Resumed)
	}
	if again.Checkin.ID != first.Checkin.ID || again.Checkin.Thread != "" {
		t.Fatalf("second open of %s = check-in %d (thread %q), want %d without a thread", occ, again.Checkin.ID, again.Checkin.Thread, first.Checkin.ID)
	}
	if err := svc.CheckinPosted(ctx, first.Checkin.ID, "300.000001", "300.000002"); err != nil {
		t.Fatal(err)
	}
	posted, err := svc.OpenCheckin(ctx, "T1", p.ID, occ, false, t0.Add(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	if c := posted.Checkin; c.ID != first.Checkin.ID || c.Thread != "300.000001" || c.SummaryTS != "300.000002" {
		t.Errorf("open after posting = %+v, want check-in %d with its messages", c, first.Checkin.ID)
	}
	if posted.Plan == nil || posted.Plan.ID != p.ID {
		t.Errorf("open after posting has plan %v, want %d", posted.Plan, p.ID)
	}

	other, err := svc.OpenCheckin(ctx, "T1", p.ID, "2026-11-30T09:00:00Z", false, t0)
	if err != nil || other.Checkin.ID == first.Checkin.ID {
		t.Errorf("the next occurrence got check-in %d, %v; want a new one", other.Checkin.ID, err)
	}
	a, errA := svc.OpenCheckin(ctx, "T1", p.ID, "", false, t0)
	b, errB := svc.OpenCheckin(ctx, "T1", p.ID, "", false, t0)
	if errA != nil || errB != nil || a.Checkin.ID == b.Checkin.ID {
		t.Errorf("check-ins by hand = %d, %d (%v, %v); want two", a.Checkin.ID, b.Checkin.ID, errA, errB)
	}
}

// TestSummaryMarkedSecondOnASlowerClockKeepsTheFirstFromClearing: two
// racebots draw one summary at once. B, with the newer values, marks
// first; A, with the older ones, marks second on a clock a millisecond
// behind B's, so its mark is the smaller. B's drawing lands, shows the
// latest, and B clears its mark; A's older drawing lands over it and A is
// killed before it looks. The mark must still be there for a tick.
func TestSummaryMarkedSecondOnASlowerClockKeepsTheFirstFromClearing(t *testing.T) {
	ctx := context.Background()
	svc, db := newService(t, nil)
	p := startPlan(t, svc, db)
	open, err := svc.OpenCheckin(ctx, "T1", p.ID, "", false, t0)
	if err != nil {
		t.Fatal(err)
	}
	id := open.Checkin.ID
	const lands = 150 * time.Second
	bNow, aNow := t0, t0.Add(-time.Millisecond)
	markB, aloneB, err := svc.SummaryMayBeOverdrawn(ctx, id, bNow, bNow.Add(lands))
	if err != nil || !aloneB {
		t.Fatalf("B's mark: alone %t, %v; want alone", aloneB, err)
	}
	if _, aloneA, err := svc.SummaryMayBeOverdrawn(ctx, id, aNow, aNow.Add(lands)); err != nil || aloneA {
		t.Fatalf("A's mark: alone %t, %v; want B's mark seen", aloneA, err)
	}
	if err := svc.SummaryShowsLatest(ctx, id, markB); err != nil {
		t.Fatal(err)
	}
	if c, err := db.CheckinByID(ctx, "T1", id); err != nil || c.SummaryMark == 0 {
		t.Fatalf("after B cleared its mark, A's drawing still on its way: mark %d, %v; want one left", c.SummaryMark, err)
	}
}
