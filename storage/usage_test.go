package storage

import (
	"testing"

	"github.com/racebot/racebot/flows"
)

// TestUsageCountsAndForgets: an estimate is never below the uses counted
// (sharing a counter only adds) up to maxUses, plans never used estimate
// little, and every period of uses halves what was counted.
func TestUsageCountsAndForgets(t *testing.T) {
	t.Parallel()
	u := newUsage(1000)
	for id := range flows.PlanID(500) {
		for range int(id % 7) {
			u.add(id)
		}
	}
	over := 0
	for id := range flows.PlanID(500) {
		want := uint8(id % 7)
		got := u.estimate(id)
		if got < want {
			t.Fatalf("plan %d: estimate %d, below its %d uses", id, got, want)
		}
		if got > want {
			over++
		}
	}
	if over > 25 {
		t.Errorf("%d of 500 plans overestimated; the rows should rarely all collide", over)
	}
	unused := 0
	for id := flows.PlanID(10_000); id < 10_500; id++ {
		if u.estimate(id) > 0 {
			unused++
		}
	}
	if unused > 25 {
		t.Errorf("%d of 500 plans never used have a count", unused)
	}

	for range 100 {
		u.add(77)
	}
	if got := u.estimate(77); got != maxUses {
		t.Errorf("a plan used 100 times estimates %d, want the cap %d", got, maxUses)
	}

	before := u.estimate(6)
	for range u.period - u.uses {
		u.add(99_999)
	}
	if got := u.estimate(6); got != before/2 {
		t.Errorf("after a period, plan 6 estimates %d, want half of %d", got, before)
	}
}
