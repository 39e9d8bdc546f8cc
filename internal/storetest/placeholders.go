package storetest

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/racebot/racebot/coach"
)

// testPlaceholders: a placeholder is recorded once, whichever handle
// records it again; it is listed by post time, across workspaces, until
// either handle removes it; one left is pruned with the message keys. One
// recorded before its post is listed without ts, until its ts is recorded
// in its place or it is removed by its key.
func testPlaceholders(t *testing.T, open Open) {
	db, another := open(t)
	ctx := ctxFor(t)
	other := another()
	t0 := time.UnixMilli(1_700_000_000_000).UTC()
	add := func(s Store, ph coach.Placeholder) {
		t.Helper()
		if err := s.AddPlaceholder(ctx, ph); err != nil {
			t.Fatal(err)
		}
	}
	left := func(s Store, since, before time.Time) []coach.Placeholder {
		t.Helper()
		phs, err := s.Placeholders(ctx, since, before)
		if err != nil {
			t.Fatal(err)
		}
		return phs
	}
	first := coach.Placeholder{Team: "T1", Channel: "C1", TS: "1700000000.000100", What: "draft", PostedAt: t0}
	add(db, first)
	add(other, coach.Placeholder{Team: "T1", Channel: "C1", TS: "1700000000.000100", What: "review", PostedAt: t0.Add(time.Second)})
	second := coach.Placeholder{Team: "T2", Channel: "C1", TS: "1700000000.000100", What: "kpis", PostedAt: t0.Add(2 * time.Second)}
	add(other, second)
	old := coach.Placeholder{Team: "T1", Channel: "C2", TS: "1699000000.000100", What: "draft", PostedAt: t0.Add(-48 * time.Hour)}
	add(db, old)

	if diff := cmp.Diff([]coach.Placeholder{first, second}, left(other, t0.Add(-time.Hour), t0.Add(time.Minute))); diff != "" {
		t.Errorf("placeholders (-want +got):\n%s", diff)
	}
	if got := left(db, t0.Add(-time.Hour), t0.Add(2*time.Second)); len(got) != 1 || got[0] != first {
		t.Errorf("placeholders posted before t0+2s = %+v, want the first alone", got)
	}
	if err := other.RemovePlaceholder(ctx, coach.Placeholder{Team: "T1", Channel: "C1", TS: first.TS}); err != nil {
		t.Fatal(err)
	}
	if err := db.RemovePlaceholder(ctx, coach.Placeholder{Team: "T1", Channel: "C9", TS: "1", Key: "k"}); err != nil {
		t.Errorf("removing a placeholder never recorded: %v", err)
	}
	if diff := cmp.Diff([]coach.Placeholder{second}, left(db, t0.Add(-time.Hour), t0.Add(time.Minute))); diff != "" {
		t.Errorf("placeholders after removing the first (-want +got):\n%s", diff)
	}

	// Two about to be posted in one thread, each under its own key; one
	// is posted and recorded by its ts, the other is known not posted.
	posted := coach.Placeholder{Team: "T1", Channel: "C3", Thread: "1700000000.000001", Key: "placeholder:a", What: "draft", PostedAt: t0.Add(3 * time.Second)}
	add(db, posted)
	add(other, coach.Placeholder{Team: "T1", Channel: "C3", Thread: "1700000000.000001", Key: "placeholder:a", What: "review", PostedAt: t0.Add(4 * time.Second)})
	notPosted := coach.Placeholder{Team: "T1", Channel: "C3", Thread: "1700000000.000001", Key: "placeholder:b", What: "review", PostedAt: t0.Add(5 * time.Second)}
	add(other, notPosted)
	if diff := cmp.Diff([]coach.Placeholder{second, posted, notPosted}, left(db, t0.Add(-time.Hour), t0.Add(time.Minute))); diff != "" {
		t.Errorf("placeholders with two about to be posted (-want +got):\n%s", diff)
	}
	recorded := posted
	recorded.TS, recorded.PostedAt = "1700000003.000100", t0.Add(6*time.Second)
	add(other, recorded)
	if err := db.RemovePlaceholder(ctx, coach.Placeholder{Team: "T1", Channel: "C3", Key: notPosted.Key}); err != nil {
		t.Fatal(err)
	}
	listed := coach.Placeholder{Team: "T1", Channel: "C3", TS: recorded.TS, What: "draft", PostedAt: recorded.PostedAt}
	if diff := cmp.Diff([]coach.Placeholder{second, listed}, left(other, t0.Add(-time.Hour), t0.Add(time.Minute))); diff != "" {
		t.Errorf("placeholders once one is recorded by its ts and the other removed (-want +got):\n%s", diff)
	}
	if err := other.RemovePlaceholder(ctx, recorded); err != nil {
		t.Fatal(err)
	}
	add(db, coach.Placeholder{Team: "T1", Channel: "C3", Thread: "1700000000.000001", Key: "placeholder:c", What: "draft", PostedAt: t0.Add(-48 * time.Hour)})
	if err := db.PruneSeen(ctx, t0.Add(-time.Hour), t0.Add(-24*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if got := left(other, t0.Add(-72*time.Hour), t0.Add(time.Minute)); len(got) != 1 || got[0] != second {
		t.Errorf("placeholders after pruning = %+v, want the second alone", got)
	}
}
