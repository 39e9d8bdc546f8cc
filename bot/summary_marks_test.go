package bot

import (
	"context"
	"testing"
	"time"

	"github.com/racebot/racebot/coach"
	"github.com/racebot/racebot/flows"
)

// heldMark holds the next mark of a summary, once armed, after it is
// written and before the drawing it names; then, when set, runs at the
// next read of values, once.
type heldMark struct {
	coach.Store
	armedGate
	then func()
}

func (s *heldMark) MarkSummaryOverdrawn(ctx context.Context, id, mark int64) (int64, error) {
	previous, err := s.Store.MarkSummaryOverdrawn(ctx, id, mark)
	if s.take() {
		s.gate.hold()
	}
	return previous, err
}

func (s *heldMark) Measurements(ctx context.Context, team string, plan flows.PlanID) (map[int64][]flows.Measurement, error) {
	if then := takeOnce(&s.mu, &s.then); then != nil {
		then()
	}
	return s.Store.Measurements(ctx, team, plan)
}

// markedAtOnce is two racebots on one database, A (h) holding its
// drawing of a check-in's summary with Ana's value after marking it, and
// B (other), with Ben's too, having marked it over A's mark and drawn it.
// B left the mark: A's mark was live when B marked.
type markedAtOnce struct {
	drawnAtOnce
	held *heldMark
}

// markAtOnce sets up markedAtOnce: the summary shows 2 of 2 until
// o.held.release lets A's older drawing go.
func markAtOnce(t *testing.T) markedAtOnce {
	t.Helper()
	held := &heldMark{}
	h, p, clk := checkinSetup(t, func(s *setup) { held.Store = s.Store; s.Store = held })
	arm := func() gate { held.arm(); return held.gate }
	// B's clock a millisecond ahead: its mark is the greater, so only its
	// knowing A's mark live keeps B from clearing it, whatever the random
	// bits of the two marks.
	aheadOfA := func(c *Config) { c.Now = func() time.Time { return clk.Now().Add(time.Millisecond) } }
	return markedAtOnce{drawAtOnce(t, h, p, clk, arm, "racebot A did not mark the summary", aheadOfA), held}
}

// killA lets A's held drawing land, over B's, and kills A before it looks
// at the values again.
func (o markedAtOnce) killA() {
	o.h.t.Helper()
	o.killAAtItsLook(o.held.release, func(look func()) {
		o.held.mu.Lock()
		o.held.then = look
		o.held.mu.Unlock()
	})
}

// TestSummaryMarkedByTwoDrawingsAtOnceOutlivesTheOneKilled: two racebots
// on one database draw one summary at once. Racebot A marks it for its
// drawing with Ana's value; racebot B, with Ben's too, marks it over A's
// mark, draws, finds its drawing shows the latest and clears the mark.
// A's older drawing lands after B's, and A is killed before it looks. The
// summary shows 1 of 2, and no mark is left for a tick to see: the next
// ticks must still draw 2 of 2.
func TestSummaryMarkedByTwoDrawingsAtOnceOutlivesTheOneKilled(t *testing.T) {
	t.Parallel()
	o := markAtOnce(t)
	o.killA()

	next, _ := o.h.anotherRacebot()
	for range 2 {
		o.ticks(next, summaryLands) // A's drawing can have landed by then
	}
	o.endsAs("2 of 2 KPIs updated")
}

// TestSummaryMarkedByADrawingOnItsWayIsLeftUntilItLands: as in
// TestSummaryMarkedByTwoDrawingsAtOnceOutlivesTheOneKilled, racebot A's
// drawing with Ana's value only is marked and on its way while B has
// drawn Ben's too. A tick a minute on, before A's drawing must have
// landed, draws nothing: drawn then, the summary could be drawn over by
// A's drawing still, and the mark be gone that would have it drawn again.
// A's drawing lands and A is killed; once it must have landed, a tick
// draws 2 of 2, and the ticks after it leave the summary alone (were a
// live mark redrawn, each racebot's tick would redraw the other's
// drawing, marked and so live in turn, every minute).
func TestSummaryMarkedByADrawingOnItsWayIsLeftUntilItLands(t *testing.T) {
	t.Parallel()
	o := markAtOnce(t)
	next, _ := o.h.anotherRacebot()
	tick := func(d time.Duration) int {
		drawn := o.h.updates()
		o.ticks(next, d)
		return o.h.updates() - drawn
	}

	if n := tick(checkinPoll); n != 0 {
		t.Errorf("a tick before A's drawing must have landed drew the summary %d times, want none", n)
	}
	o.killA()
	tick(summaryLands) // A's drawing can have landed by then
	o.endsAs("2 of 2 KPIs updated")
	if n := tick(checkinPoll); n != 0 {
		t.Errorf("the summary was drawn %d more times after it showed the latest values", n)
	}
}
