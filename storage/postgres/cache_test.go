package postgres

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/racebot/racebot/flows"
)

var c0 = time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)

func cachePlan(id flows.PlanID, version int64) *flows.Plan {
	p := flows.NewPlan("T1", "C1", "Launch", "U1", c0)
	p.ID, p.Version = id, version
	p.Answers["q1"] = flows.Answer{QuestionID: "q1", Text: "one", By: "U1", At: c0.Add(1500 * time.Microsecond), Revision: 1,
		Also: []flows.Contribution{{Text: "also", By: "U2", At: c0, Revision: 2}}}
	p.Skipped["q2"] = true
	return p
}

// TestCacheGivesTheCurrentPlan: a cached plan comes back, as a load would
// return it, only for its own team, creation time and version, and is the
// caller's own to change.
func TestCacheGivesTheCurrentPlan(t *testing.T) {
	c := newPlanCache()
	c.put(cachePlan(7, 3))
	want := cachePlan(7, 3)
	q1 := want.Answers["q1"]
	q1.At = c0.Add(time.Millisecond) // the database keeps milliseconds
	want.Answers["q1"] = q1

	got, ok := c.get(7, "T1", 3, c0)
	if !ok {
		t.Fatal("not cached")
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("cached plan differs (-load +got):\n%s", diff)
	}
	got.Answers["q1"] = flows.Answer{QuestionID: "q1", Text: "changed"}
	got.Skipped["q3"] = true
	if again, _ := c.get(7, "T1", 3, c0); cmp.Diff(want, again) != "" {
		t.Error("a caller's change reached the cache")
	}

	for name, miss := range map[string]func() bool{
		"another version": func() bool { _, ok := c.get(7, "T1", 4, c0); return ok },
		"another team":    func() bool { _, ok := c.get(7, "T2", 3, c0); return ok },
		"a reused id":     func() bool { _, ok := c.get(7, "T1", 3, c0.Add(time.Hour)); return ok },
	} {
		if miss() {
			t.Errorf("%s got the cached plan", name)
		}
	}
	c.drop(7)
	if _, ok := c.get(7, "T1", 3, c0); ok {
		t.Error("a dropped plan is still cached")
	}
	if c.bytes != 0 {
		t.Errorf("an empty cache counts %d bytes", c.bytes)
	}
}

// TestCacheBounds: past its count or its bytes the cache starts over, and
// a plan put again is counted once.
func TestCacheBounds(t *testing.T) {
	c := newPlanCache()
	c.maxPlans = 2
	c.put(cachePlan(1, 0))
	c.put(cachePlan(2, 0))
	c.put(cachePlan(2, 1))
	if _, ok := c.get(1, "T1", 0, c0); !ok {
		t.Error("a plan put again counted twice against the bound")
	}
	if one, two := c.plans[1].size, c.plans[2].size; c.bytes != one+two {
		t.Errorf("cache counts %d bytes for plans of %d and %d", c.bytes, one, two)
	}
	c.put(cachePlan(3, 0))
	if _, ok := c.get(1, "T1", 0, c0); ok {
		t.Error("plan 1 is still cached past the count")
	}
	if _, ok := c.get(3, "T1", 0, c0); !ok {
		t.Error("the newest plan was not cached")
	}

	c = newPlanCache()
	c.put(cachePlan(1, 0))
	c.maxBytes = c.bytes + 100
	c.put(cachePlan(2, 0))
	if _, ok := c.get(1, "T1", 0, c0); ok {
		t.Error("the byte budget kept plan 1 beside plan 2")
	}
	if c.bytes > c.maxBytes {
		t.Errorf("cache holds %d bytes, over its %d", c.bytes, c.maxBytes)
	}
}
