package storetest

import (
	"slices"
	"testing"
	"time"
)

// testHomeViewers: whoever opened their Home tab is listed, for their
// workspace only, by any handle, until they are forgotten for not looking
// since a time; a late, older sighting never moves one back.
func testHomeViewers(t *testing.T, open Open) {
	db, another := open(t)
	other := another()
	ctx := ctxFor(t)
	viewers := func(h Store, team string, since time.Time) []string {
		t.Helper()
		got, err := h.HomeViewers(ctx, team, since)
		if err != nil {
			t.Fatal(err)
		}
		return got
	}
	saw := func(h Store, team, user string, at time.Time) {
		t.Helper()
		if err := h.SawHome(ctx, team, user, at); err != nil {
			t.Fatal(err)
		}
	}

	if got := viewers(db, "T1", t0.Add(-time.Hour)); len(got) != 0 {
		t.Fatalf("viewers of a new database: %v", got)
	}
	saw(db, "T1", "UANA", t0)
	saw(other, "T1", "UBEN", t0.Add(time.Hour))
	saw(other, "T2", "UZOE", t0)
	if got := viewers(other, "T1", t0); !slices.Equal(got, []string{"UANA", "UBEN"}) {
		t.Errorf("T1's viewers since t0, read by another handle: %v, want UANA and UBEN", got)
	}
	if got := viewers(db, "T1", t0.Add(time.Minute)); !slices.Equal(got, []string{"UBEN"}) {
		t.Errorf("T1's viewers since a minute after Ana looked: %v, want UBEN", got)
	}

	// Ana looks again; another racebot's older news of her comes late.
	saw(other, "T1", "UANA", t0.Add(2*time.Hour))
	saw(db, "T1", "UANA", t0.Add(time.Hour/2))
	if got := viewers(db, "T1", t0.Add(90*time.Minute)); !slices.Equal(got, []string{"UANA"}) {
		t.Errorf("T1's viewers since 10:30: %v, want UANA, whose latest look is 11:00", got)
	}

	if err := other.ForgetHomes(ctx, t0.Add(90*time.Minute)); err != nil {
		t.Fatal(err)
	}
	if got := viewers(db, "T1", t0.Add(-time.Hour)); !slices.Equal(got, []string{"UANA"}) {
		t.Errorf("T1's viewers after forgetting those not seen since 10:30: %v, want UANA", got)
	}
	if got := viewers(db, "T2", t0.Add(-time.Hour)); len(got) != 0 {
		t.Errorf("T2's viewers after forgetting those not seen since 10:30: %v, want none", got)
	}
	// A forgotten viewer who looks again is kept again.
	saw(db, "T2", "UZOE", t0.Add(3*time.Hour))
	if got := viewers(other, "T2", t0); !slices.Equal(got, []string{"UZOE"}) {
		t.Errorf("T2's viewers after Zoe looked again: %v, want UZOE", got)
	}
}
