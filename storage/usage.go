package storage

import "github.com/racebot/racebot/flows"

// usage estimates how often each plan was used lately, for the cache to
// admit by: a plan new to a full cache takes the place of the one that
// would go only if it was used more. This is TinyLFU's admission
// (Einziger, Friedman and Manes, "TinyLFU: A Highly Efficient Cache
// Admission Policy", 2017), as Caffeine and Ristretto admit. Without it a
// cache would drop each plan just before its turn when more plans are
// answered in turn than it holds: each newcomer pushes out the plan due
// next, which comes back to push out the one after. With it, plans used
// alike stay and newcomers used no more are turned away.
//
// It is a count-min sketch: four rows of small counters, a plan counted
// in one counter of each row, its estimate the least of its four (the
// others it shares a counter with only add to a count). Once period uses
// are counted all counters are halved, and so is the count of uses, as
// what the counters hold is then worth half a period: from then on they
// are halved every half period, so what was used once long ago counts
// for little beside what is used now. It takes eight bytes a plan the
// cache holds (four rows of two counters a plan), whatever the number of
// plans seen.
type usage struct {
	rows   [4][]uint8
	mask   uint64
	uses   int
	period int
}

// maxUses caps a counter. A period is ten uses a plan the cache holds, so
// a count past this says no more than "used a lot", and only slows
// forgetting: a plan answered a hundred times in one sitting and then left
// ends at probation's end, the plan every newcomer is weighed against, and
// counted to 255 it turned away newcomers in use for eight halvings where
// 15 takes two or three (TinyLFU's small counters; Caffeine keeps four bits).
const maxUses = 15

func newUsage(plans int) *usage {
	width := 64
	for width < 2*plans {
		width *= 2
	}
	u := &usage{mask: uint64(width - 1), period: 10 * max(plans, 1)}
	for i := range u.rows {
		u.rows[i] = make([]uint8, width)
	}
	return u
}

// usageSeeds give each row its own hash of a plan id.
var usageSeeds = [4]uint64{0x9e3779b97f4a7c15, 0x3c6ef372fe94f82a, 0xdaa66d2c7ddf743f, 0x78dde6e5fd29f054}

func (u *usage) slot(row int, id flows.PlanID) uint64 {
	// splitmix64's finalizer: ids are sequential, the slots must not be.
	x := uint64(id) + usageSeeds[row]
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	x ^= x >> 31
	return x & u.mask
}

// add counts one use of plan id.
func (u *usage) add(id flows.PlanID) {
	for r := range u.rows {
		if c := &u.rows[r][u.slot(r, id)]; *c < maxUses {
			*c++
		}
	}
	if u.uses++; u.uses >= u.period {
		for r := range u.rows {
			for i := range u.rows[r] {
				u.rows[r][i] >>= 1
			}
		}
		u.uses /= 2
	}
}

// estimate is how often plan id was used lately: never less than it was,
// up to maxUses.
func (u *usage) estimate(id flows.PlanID) uint8 {
	n := uint8(maxUses)
	for r := range u.rows {
		n = min(n, u.rows[r][u.slot(r, id)])
	}
	return n
}
