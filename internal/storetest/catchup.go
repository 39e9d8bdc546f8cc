package storetest

import (
	"errors"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/racebot/racebot/coach"
	"github.com/racebot/racebot/flows"
)

// planAt creates a plan in C1 at a time, bound to thread unless it is "".
func planAt(t *testing.T, db Store, team, name string, at time.Time, thread string) *flows.Plan {
	t.Helper()
	ctx := ctxFor(t)
	id, err := db.CreatePlan(ctx, flows.NewPlan(team, "C1", name, "U1", at), "")
	if err != nil {
		t.Fatal(err)
	}
	if thread != "" {
		if _, err := db.BindThread(ctx, team, id, thread); err != nil {
			t.Fatal(err)
		}
	}
	return load(t, db, team, id)
}

// testCatchupThreads: a catch-up reads the threads of plans with something
// recent in them and of check-ins that are open or recent, each with how
// far it was read, whichever handle recorded what.
func testCatchupThreads(t *testing.T, open Open) {
	db, another := open(t)
	ctx := ctxFor(t)
	other := another()
	since := t0.Add(-coach.CatchupWindow)
	old := since.Add(-24 * time.Hour)

	fresh := planAt(t, db, "T1", "fresh", t0, "100.000001")
	planAt(t, db, "T1", "no thread", t0, "")
	planAt(t, db, "T1", "stale", old, "100.000002")
	answered := planAt(t, db, "T1", "answered", old, "100.000003")
	step(t, other, answered, "We sell shoes", "", t0)
	asked := planAt(t, db, "T2", "asked", old, "100.000004")
	if err := other.RecordAsked(ctx, "T2", asked.ID, t0.UnixMicro(), fmt.Sprintf("%d.000000", t0.Unix()), "q"); err != nil {
		t.Fatal(err)
	}
	read := planAt(t, db, "T1", "read lately", old, "100.000005")
	if err := other.ReadThrough(ctx, "T1", "C1", "100.000005", t0.UnixMicro(), "1795424400.000000"); err != nil {
		t.Fatal(err)
	}

	checkin := func(plan *flows.Plan, opened time.Time, thread string, closed bool) int64 {
		t.Helper()
		id, err := db.CreateCheckin(ctx, plan.Team, flows.Checkin{Plan: plan.ID, Channel: "C1", OpenedAt: opened, NudgeAt: opened.Add(time.Hour), CloseAt: opened.Add(2 * time.Hour)})
		if err != nil {
			t.Fatal(err)
		}
		if thread != "" {
			if err := db.SetCheckinMessages(ctx, id, thread, thread+"1"); err != nil {
				t.Fatal(err)
			}
		}
		if closed {
			if _, ok, err := other.ClaimClose(ctx, opened.Add(3*time.Hour)); err != nil || !ok {
				t.Fatalf("close: %t %v", ok, err)
			}
		}
		return id
	}
	stale := planAt(t, db, "T1", "stale for check-ins", old, "")
	// Closed first: a close claims the first check-in due.
	checkin(stale, old, "200.000002", true)
	closedNew := checkin(stale, t0, "200.000003", true)
	openOld := checkin(stale, old, "200.000001", false)
	checkin(stale, t0, "", false)

	retro := func(opened time.Time, thread string) int64 {
		t.Helper()
		id, err := db.OpenRetro(ctx, flows.Retro{Team: "T1", Plan: stale.ID, Channel: "C1", By: "UANA", At: opened}, "")
		if err != nil {
			t.Fatal(err)
		}
		if thread != "" {
			if err := other.SetRetroThread(ctx, "T1", id, thread); err != nil {
				t.Fatal(err)
			}
		}
		return id
	}
	retro(t0, "300.000001")
	retro(t0, "")
	retro(old, "300.000002")
	if err := other.AddRetroAnswer(ctx, "T1", retro(old, "300.000003"), flows.RetroAnswer{Question: "worked", Text: "Webinars", By: "UBEN", At: t0}, ""); err != nil {
		t.Fatal(err)
	}
	if err := other.RecordRetroPrompt(ctx, "T1", retro(old, "300.000004"), t0.UnixMicro(), "1795424400.000000", "didnt"); err != nil {
		t.Fatal(err)
	}

	// Overlapping catch-ups on two handles record reads in any order; the
	// furthest one stays.
	handles := []Store{db, other}
	if won := race(t, 8, func(i int) error {
		at := int64(100 + 25*i)
		return handles[i%2].ReadThrough(ctx, "T1", "C1", "100.000001", at, fmt.Sprintf("0.%06d", at))
	}); won != 8 {
		t.Fatalf("%d of 8 reads recorded", won)
	}
	if err := db.ReadThrough(ctx, "T1", "C1", "100.000001", 150, "0.000150"); err != nil {
		t.Fatal(err)
	}

	want := []coach.Thread{
		{Team: "T1", Channel: "C1", Thread: "100.000001", Plan: fresh.ID, Read: "0.000275"},
		{Team: "T1", Channel: "C1", Thread: "100.000003", Plan: answered.ID},
		{Team: "T2", Channel: "C1", Thread: "100.000004", Plan: asked.ID},
		{Team: "T1", Channel: "C1", Thread: "100.000005", Plan: read.ID, Read: "1795424400.000000"},
		{Team: "T1", Channel: "C1", Thread: "200.000003", Plan: stale.ID, Checkin: closedNew},
		{Team: "T1", Channel: "C1", Thread: "200.000001", Plan: stale.ID, Checkin: openOld},
		{Team: "T1", Channel: "C1", Thread: "300.000001", Plan: stale.ID},
		{Team: "T1", Channel: "C1", Thread: "300.000003", Plan: stale.ID},
		{Team: "T1", Channel: "C1", Thread: "300.000004", Plan: stale.ID},
	}
	for _, h := range handles {
		got, err := h.CatchupThreads(ctx, since)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("catch-up threads (-want +got):\n%s", diff)
		}
	}
	// A plan gone is not read back; its read mark stays harmlessly.
	if err := db.DeletePlan(ctx, "T1", fresh.ID, ""); err != nil {
		t.Fatal(err)
	}
	got, err := other.CatchupThreads(ctx, since)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want[1:], got); diff != "" {
		t.Errorf("catch-up threads after a delete (-want +got):\n%s", diff)
	}
}

// testMessageKeys: pruning forgets delivery keys at the first cut-off and
// message keys only at the second, so a catch-up days later still finds
// the messages recorded live; KeySeen answers on every handle, per team.
func testMessageKeys(t *testing.T, open Open) {
	db, another := open(t)
	ctx := ctxFor(t)
	other := another()
	msg := coach.MessageKey("C1", "100.000001")
	for _, key := range []string{"Ev1", msg} {
		if err := db.MarkSeen(ctx, "T1", key); err != nil {
			t.Fatal(err)
		}
	}
	seen := func(key string) bool {
		t.Helper()
		ok, err := other.KeySeen(ctx, "T1", key)
		if err != nil {
			t.Fatal(err)
		}
		return ok
	}
	if !seen("Ev1") || !seen(msg) || seen("Ev2") {
		t.Fatalf("before pruning: Ev1 %t, %s %t, Ev2 %t", seen("Ev1"), msg, seen(msg), seen("Ev2"))
	}
	if ok, err := other.KeySeen(ctx, "T2", msg); ok || err != nil {
		t.Errorf("T2 sees T1's message key: %t, %v", ok, err)
	}
	now := time.Now()
	if err := db.PruneSeen(ctx, now.Add(time.Minute), now.Add(-time.Minute)); err != nil {
		t.Fatal(err)
	}
	if seen("Ev1") || !seen(msg) {
		t.Errorf("after the first cut-off: Ev1 %t (want false), message key %t (want true)", seen("Ev1"), seen(msg))
	}
	// A prefix that only looks alike is a delivery key.
	for _, key := range []string{"msg", "MSG:C1:1", "ms:g"} {
		if err := db.MarkSeen(ctx, "T1", key); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.PruneSeen(ctx, time.Now().Add(time.Minute), now.Add(-time.Minute)); err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{"msg", "MSG:C1:1", "ms:g"} {
		if seen(key) {
			t.Errorf("delivery key %q kept as long as a message key", key)
		}
	}
	if err := other.PruneSeen(ctx, now.Add(time.Minute), now.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	if seen(msg) {
		t.Error("the message key outlived its own cut-off")
	}
	if err := db.MarkSeen(ctx, "T1", msg); err != nil {
		t.Errorf("a pruned message key is still taken: %v", err)
	}
}

// testCheckinByOccurrence finds a scheduled check-in by its occurrence,
// within its workspace only; of two rows for one occurrence (older racebots
// opened one per retry) the posted one wins.
func testCheckinByOccurrence(t *testing.T, open Open) {
	db, another := open(t)
	ctx := ctxFor(t)
	other := another()
	p := newPlan(t, db, "T1", "C1", "Q1")
	const occ = "2026-11-23T09:00:00Z"
	if _, err := other.CheckinByOccurrence(ctx, "T1", p.ID, occ); !errors.Is(err, flows.ErrNoCheckin) {
		t.Fatalf("before any: err = %v, want ErrNoCheckin", err)
	}
	open1 := func() int64 {
		t.Helper()
		id, err := db.CreateCheckin(ctx, "T1", flows.Checkin{Plan: p.ID, Occurrence: occ, Channel: "C1", OpenedAt: t0, NudgeAt: t0, CloseAt: t0})
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
	first := open1()
	if c, err := other.CheckinByOccurrence(ctx, "T1", p.ID, occ); err != nil || c.ID != first {
		t.Fatalf("by occurrence = %d, %v; want %d", c.ID, err, first)
	}
	second := open1()
	if c, err := other.CheckinByOccurrence(ctx, "T1", p.ID, occ); err != nil || c.ID != first {
		t.Errorf("two unposted rows: by occurrence = %d, %v; want the first, %d", c.ID, err, first)
	}
	if err := db.SetCheckinMessages(ctx, second, "400.000001", "400.000002"); err != nil {
		t.Fatal(err)
	}
	if c, err := other.CheckinByOccurrence(ctx, "T1", p.ID, occ); err != nil || c.ID != second || c.Thread != "400.000001" || c.Team != "T1" {
		t.Errorf("one posted: by occurrence = %+v, %v; want %d with its thread", c, err, second)
	}
	if _, err := other.CheckinByOccurrence(ctx, "T2", p.ID, occ); !errors.Is(err, flows.ErrNoCheckin) {
		t.Errorf("T2 found T1's check-in: %v", err)
	}
	if _, err := db.CreateCheckin(ctx, "T1", flows.Checkin{Plan: p.ID, Channel: "C1", OpenedAt: t0, NudgeAt: t0, CloseAt: t0}); err != nil {
		t.Fatal(err)
	}
	if _, err := other.CheckinByOccurrence(ctx, "T1", p.ID, ""); !errors.Is(err, flows.ErrNoCheckin) {
		t.Errorf("the empty occurrence (check-ins by hand) found one: %v", err)
	}
}

// testLatestCheckin finds a plan's check-in posted last, closed or not,
// within its workspace and plan only; one not posted yet is not counted.
func testLatestCheckin(t *testing.T, open Open) {
	db, another := open(t)
	ctx := ctxFor(t)
	other := another()
	p := newPlan(t, db, "T1", "C1", "Q1")
	q := newPlan(t, db, "T1", "C2", "Q2")
	if _, err := other.LatestCheckin(ctx, "T1", p.ID); !errors.Is(err, flows.ErrNoCheckin) {
		t.Fatalf("before any: err = %v, want ErrNoCheckin", err)
	}
	create := func(plan flows.PlanID, channel, thread string) int64 {
		t.Helper()
		id, err := db.CreateCheckin(ctx, "T1", flows.Checkin{Plan: plan, Channel: channel, OpenedAt: t0, NudgeAt: t0.Add(time.Hour), CloseAt: t0.Add(2 * time.Hour)})
		if err != nil {
			t.Fatal(err)
		}
		if thread != "" {
			if err := db.SetCheckinMessages(ctx, id, thread, thread+"1"); err != nil {
				t.Fatal(err)
			}
		}
		return id
	}
	first := create(p.ID, "C1", "500.000001")
	if c, err := other.LatestCheckin(ctx, "T1", p.ID); err != nil || c.ID != first || c.Thread != "500.000001" || c.Team != "T1" {
		t.Fatalf("latest = %+v, %v; want %d with its thread", c, err, first)
	}
	second := create(p.ID, "C1", "500.000003")
	if _, ok, err := other.ClaimClose(ctx, t0.Add(3*time.Hour)); err != nil || !ok {
		t.Fatalf("close: %v, %v", ok, err)
	}
	if _, ok, err := other.ClaimClose(ctx, t0.Add(3*time.Hour)); err != nil || !ok {
		t.Fatalf("close: %v, %v", ok, err)
	}
	create(p.ID, "C1", "")
	create(q.ID, "C2", "500.000005")
	if c, err := other.LatestCheckin(ctx, "T1", p.ID); err != nil || c.ID != second || !c.Closed {
		t.Errorf("latest = %+v, %v; want %d, closed, not the unposted one nor another plan's", c, err, second)
	}
	if _, err := other.LatestCheckin(ctx, "T2", p.ID); !errors.Is(err, flows.ErrNoCheckin) {
		t.Errorf("T2 found T1's check-in: %v", err)
	}
}

// testLeaseKey: of two replicas taking one key at once, one wins; the key
// stays held until it is stale, then exactly one taker has it again; a
// key is per team.
func testLeaseKey(t *testing.T, open Open) {
	db, another := open(t)
	ctx := ctxFor(t)
	other := another()
	t0 := time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)
	const lease = 30 * time.Second
	take := func(s Store, team string, now time.Time) bool {
		t.Helper()
		ok, err := s.LeaseKey(ctx, team, "step:Fx1", now.Add(-lease), now)
		if err != nil {
			t.Fatal(err)
		}
		return ok
	}
	var wins atomic.Int32
	done := make(chan struct{})
	for _, s := range []Store{db, other} {
		go func() {
			defer func() { done <- struct{}{} }()
			if ok, err := s.LeaseKey(ctx, "T1", "step:Fx1", t0.Add(-lease), t0); err != nil {
				t.Error(err)
			} else if ok {
				wins.Add(1)
			}
		}()
	}
	<-done
	<-done
	if n := wins.Load(); n != 1 {
		t.Fatalf("%d of two takers at once won the key, want 1", n)
	}
	if take(db, "T1", t0.Add(lease-time.Second)) || take(other, "T1", t0.Add(lease-time.Second)) {
		t.Error("a key held for less than its lease was taken")
	}
	if !take(db, "T2", t0) {
		t.Error("another team's key was held")
	}
	if !take(other, "T1", t0.Add(lease)) {
		t.Fatal("a stale key was not taken over")
	}
	if take(db, "T1", t0.Add(lease)) {
		t.Error("a key taken over was taken again at once")
	}
}
