package bot

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/racebot/racebot/coach"
	"github.com/racebot/racebot/flows"
	"github.com/racebot/racebot/internal/slackfake"
)

// heldRedraw holds the first read of a plan's values after values are
// recorded, once armed, but for the coach's reading back of what values
// in a check-in replaced: the read that draws the check-in's summary.
type heldRedraw struct {
	coach.Store
	armedGate
	next bool
	skip bool
	// then, when set, runs at the next read, once; its error fails it.
	then func() error
	// after, when set, runs at the next read once it has read the values,
	// once.
	after func()
}

// takeOnce takes the hook *then a store wrapper runs at most once, under
// mu, and leaves nil in its place.
func takeOnce[F any](mu *sync.Mutex, then *F) F {
	mu.Lock()
	defer mu.Unlock()
	f := *then
	var none F
	*then = none
	return f
}

// armedGate is what a store wrapper embeds to hold one call it chooses,
// once armed: arm readies a new gate, and take reports whether it is
// armed, disarming it.
type armedGate struct {
	mu    sync.Mutex
	armed bool
	gate
}

func (g *armedGate) arm() {
	g.mu.Lock()
	g.armed, g.gate = true, newGate()
	g.mu.Unlock()
}

func (g *armedGate) take() bool { return taken(&g.mu, &g.armed) }

// gate holds a call of a store wrapper: held is closed when the call is
// held, and it goes on when release is closed (or the fakes' wait is up).
type gate struct {
	held, release chan struct{}
}

func newGate() gate { return gate{held: make(chan struct{}), release: make(chan struct{})} }

// taken reports whether flag was set, and clears it, under mu: the next
// call only is held.
func taken(mu *sync.Mutex, flag *bool) bool {
	mu.Lock()
	defer mu.Unlock()
	was := *flag
	*flag = false
	return was
}

func (g gate) hold() {
	close(g.held)
	select {
	case <-g.release:
	case <-time.After(slackfake.DefaultWaitTimeout):
	}
}

func (s *heldRedraw) RecordMeasurements(ctx context.Context, team string, plan flows.PlanID, ms []flows.Measurement, key string) error {
	err := s.Store.RecordMeasurements(ctx, team, plan, ms, key)
	s.mu.Lock()
	if s.armed && err == nil {
		s.armed, s.next, s.skip = false, true, len(ms) > 0 && ms[0].Checkin != 0
	}
	s.mu.Unlock()
	return err
}

func (s *heldRedraw) Measurements(ctx context.Context, team string, plan flows.PlanID) (map[int64][]flows.Measurement, error) {
	if then := takeOnce(&s.mu, &s.then); then != nil {
		if err := then(); err != nil {
			return nil, err
		}
	}
	ms, err := s.Store.Measurements(ctx, team, plan)
	s.mu.Lock()
	after := s.after
	s.after = nil
	s.mu.Unlock()
	if after != nil {
		after()
	}
	if taken(&s.mu, &s.skip) {
		return ms, err
	}
	if taken(&s.mu, &s.next) {
		s.gate.hold()
	}
	return ms, err
}

// TestTwoRacebotsDrawingOneSummaryEndWithBothValues: two racebots on one
// database. Ana's reply reaches racebot A, which reads the values for the
// summary; Ben's reaches racebot B meanwhile, which draws both; A's
// drawing, without Ben's value, lands last. The summary must not stay a
// value behind: the check-in says 2 of 2, by the next tick at the latest.
func TestTwoRacebotsDrawingOneSummaryEndWithBothValues(t *testing.T) {
	t.Parallel()
	o := overtakeSummary(t)
	close(o.held.release)
	o.h.settle()
	o.nextTicksShow("2 of 2 KPIs updated")
}

// drawnAtOnce is two racebots on one database, A (h) holding its drawing
// of a check-in's summary with Ana's value while B (other) has drawn it
// with Ben's too.
type drawnAtOnce struct {
	h       *harness
	other   *Bot
	clk     *clock
	summary slackfake.Message
}

// drawAtOnce sets up drawnAtOnce on h, with racebot B made with configure:
// arm arms the store wrapper that holds A's drawing and returns its gate,
// and notHeld fails the test if A's reply does not reach it.
func drawAtOnce(t *testing.T, h *harness, p *flows.Plan, clk *clock, arm func() gate, notHeld string, configure ...func(*Config)) drawnAtOnce {
	t.Helper()
	_, opening, summary := h.openCheckinOfTwo(p)
	other, _ := h.anotherRacebot(configure...)
	otherSrv := serve(t, other)
	h.settle()

	held := arm()
	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.MessageEvent{Channel: "C1", User: "UANA", Text: "visitors 12.4k", ThreadTS: opening.TS}))
	select {
	case <-held.held:
	case <-time.After(slackfake.DefaultWaitTimeout):
		t.Fatal(notHeld)
	}
	if code := h.deliver(otherSrv, slackfake.EventBody(slackfake.MessageEvent{Channel: "C1", User: "UBEN", Text: "lead rate 1.9%", ThreadTS: opening.TS})); code != 200 {
		t.Fatalf("Ben's reply answered %d", code)
	}
	h.waitSummary(summary.TS, "2 of 2 KPIs updated")
	settle(t, other, h.fake)
	return drawnAtOnce{h: h, other: other, clk: clk, summary: summary}
}

// ticks moves the clock on by d and runs the next check-in tick of next,
// the racebot started in A's place, and of B.
func (o drawnAtOnce) ticks(next *Bot, d time.Duration) {
	t := o.h.t
	t.Helper()
	o.clk.Add(d)
	next.checkinTick(t.Context())
	o.other.checkinTick(t.Context())
	settle(t, next, o.h.fake)
	settle(t, o.other, o.h.fake)
}

// endsAs fails the test unless the summary shows want.
func (o drawnAtOnce) endsAs(want string) {
	o.h.t.Helper()
	if m, _ := o.h.message("C1", o.summary.TS); !strings.Contains(m.Text, want) {
		o.h.t.Fatalf("the summary ends as\n%s\nwant %s", m.Text, want)
	}
}

// aLandedOverB fails the test unless A's older drawing is the summary.
func (o drawnAtOnce) aLandedOverB() {
	o.h.t.Helper()
	if m, _ := o.h.message("C1", o.summary.TS); !strings.Contains(m.Text, "1 of 2 KPIs updated") {
		o.h.t.Fatalf("A's drawing did not land over B's: the summary is\n%s", m.Text)
	}
}

// killAAtItsLook lets A's held drawing go by closing release and kills A
// at its next look at the values, which setLook has call look: A's
// drawing must have landed over B's by then.
func (o drawnAtOnce) killAAtItsLook(release chan struct{}, setLook func(look func())) {
	t := o.h.t
	t.Helper()
	killed, looking := make(chan struct{}), make(chan struct{})
	t.Cleanup(func() { close(killed) }) // before A is stopped
	setLook(func() { close(looking); <-killed })
	close(release)
	select {
	case <-looking:
	case <-time.After(slackfake.DefaultWaitTimeout):
		t.Fatal("racebot A did not look at the values after its drawing")
	}
	o.aLandedOverB()
}

// overtaken is drawnAtOnce with A's drawing held after it read the values.
type overtaken struct {
	drawnAtOnce
	held *heldRedraw
}

// overtakeSummary sets up overtaken: the summary shows 2 of 2 until
// o.held.release lets A's older drawing land.
func overtakeSummary(t *testing.T, configure ...func(*setup)) overtaken {
	t.Helper()
	held := &heldRedraw{}
	h, p, clk := checkinSetup(t, append([]func(*setup){func(s *setup) { held.Store = s.Store; s.Store = held }}, configure...)...)
	arm := func() gate { held.arm(); return held.gate }
	return overtaken{drawAtOnce(t, h, p, clk, arm, "racebot A did not read the values for the summary"), held}
}

// nextTicksShow runs both racebots' next check-in tick and checks the
// summary then.
func (o overtaken) nextTicksShow(want string) {
	o.h.t.Helper()
	o.clk.Add(time.Minute)
	o.h.bot.checkinTick(o.h.t.Context())
	o.other.checkinTick(o.h.t.Context())
	o.h.settle()
	settle(o.h.t, o.other, o.h.fake)
	o.endsAs(want)
}

// killA lets A's held drawing land, over B's, and kills A before it
// looks at the values again.
func (o overtaken) killA() {
	o.h.t.Helper()
	o.killAAtItsLook(o.held.release, func(look func()) {
		o.held.mu.Lock()
		o.held.then = func() error { look(); return nil }
		o.held.mu.Unlock()
	})
}

// stopA tells A to stop, its drain window over before it starts, and
// returns once A is stopping; stopped gets what its Shutdown returns.
func (o overtaken) stopA(stopped chan<- error) {
	go func() {
		ctx, cancel := context.WithCancel(context.Background())
		cancel() // the drain window is over before it starts
		stopped <- o.h.bot.Shutdown(ctx)
	}()
	<-o.h.bot.base.Done()
}

// waitStopped fails the test unless A's Shutdown returns.
func (o overtaken) waitStopped(stopped <-chan error) {
	o.h.t.Helper()
	select {
	case <-stopped:
	case <-time.After(slackfake.DefaultWaitTimeout):
		o.h.t.Fatal("racebot A did not stop")
	}
}

// heldRecord holds the next recording of values, once armed, before it
// writes anything.
type heldRecord struct {
	coach.Store
	armedGate
}

func (s *heldRecord) RecordMeasurements(ctx context.Context, team string, plan flows.PlanID, ms []flows.Measurement, key string) error {
	if s.take() {
		s.gate.hold()
	}
	return s.Store.RecordMeasurements(ctx, team, plan, ms, key)
}

// TestTwoRacebotsRedrawingOneSummaryTryAgainAfterAFailure: as in
// TestTwoRacebotsDrawingOneSummaryEndWithBothValues, racebot A's drawing
// without Ben's value lands after racebot B's with it; but A's second
// look, or its drawing again, fails once. Racebot B recorded Ben's value
// drawn, and it was, before A overwrote it: the next tick must still draw
// it, not take B's word for it.
func TestTwoRacebotsRedrawingOneSummaryTryAgainAfterAFailure(t *testing.T) {
	t.Parallel()
	for name, fail := range map[string]func(h *harness) error{
		"read":   func(*harness) error { return errors.New("the database went away") },
		"redraw": func(h *harness) error { h.fake.RefuseNext("chat.update", 1, "internal_error"); return nil },
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			o := overtakeSummary(t)
			o.held.mu.Lock()
			o.held.then = func() error { return fail(o.h) }
			o.held.mu.Unlock()
			close(o.held.release)
			o.h.settle()
			o.nextTicksShow("2 of 2 KPIs updated")
		})
	}
}

// TestTwoRacebotsTakingTwoCorrectionsRecordTheLater: Ana's check-in
// reply is refused, and she corrects it twice in quick succession (12.4k,
// then 12.6k); Slack hands one edit to racebot A, which holds it while
// recording, and the other to racebot B, on one database. Her message
// gives one value, the later edit's, whichever racebot took which:
//   - A holds the earlier edit: both find her message with no values yet,
//     and the store takes the first, confirmed once;
//   - A holds the later edit: B records the earlier first, and the later
//     one still wins, as an edit of the value the earlier gave, with no
//     refusal said to Ana.
func TestTwoRacebotsTakingTwoCorrectionsRecordTheLater(t *testing.T) {
	t.Parallel()
	for _, aTakesLater := range []bool{false, true} {
		t.Run(map[bool]string{false: "earlier at A", true: "later at A"}[aTakesLater], func(t *testing.T) {
			t.Parallel()
			held := &heldRecord{}
			h, p, _ := checkinSetup(t, func(s *setup) { held.Store = s.Store; s.Store = held })
			other, _ := h.anotherRacebot()
			otherSrv := serve(t, other)
			bad := "visitors 12..4k"
			id, opening, summary, ts := h.anaRepliesInCheckin(p, bad)
			h.waitEphemeral("UANA", "")
			h.settle()
			earlier := slackfake.MessageChanged{Channel: "C1", User: "UANA", TS: ts, ThreadTS: opening.TS, Text: "visitors 12.4k", PreviousText: bad,
				EditTS: tsAfter(t, ts, 10*time.Second), EventID: "EvFIX1"}
			later := slackfake.MessageChanged{Channel: "C1", User: "UANA", TS: ts, ThreadTS: opening.TS, Text: "visitors 12.6k", PreviousText: "visitors 12.4k",
				EditTS: tsAfter(t, ts, 20*time.Second), EventID: "EvFIX2"}
			atA, atB := earlier, later
			if aTakesLater {
				atA, atB = later, earlier
			}

			held.arm()
			sent := h.fake.SendEvent(atA)
			select {
			case <-held.held:
			case <-time.After(slackfake.DefaultWaitTimeout):
				t.Fatal("racebot A did not go to record its correction")
			}
			if code := h.deliver(otherSrv, slackfake.EventBody(atB)); code != 200 {
				t.Fatalf("racebot B's correction answered %d", code)
			}
			if aTakesLater {
				settle(t, other, h.fake)
			}
			close(held.release)
			h.fake.WaitAck(t, sent)
			h.settle()
			settle(t, other, h.fake)

			if got := h.valuesOf(p, p.KPIs[0].ID); len(got) != 1 || got[0].Value.Amount != 12600 || got[0].Checkin != id {
				t.Errorf("visitors %+v, want only the later correction's 12.6k", got)
			}
			if n := h.countReplies("C1", opening.TS, "Recorded:"); !aTakesLater && n != 1 {
				t.Errorf("%d confirmations in the thread, want 1:\n%s", n, strings.Join(h.threadPosts(opening.TS), "\n"))
			}
			h.waitSummary(summary.TS, "1 of 2 KPIs updated")
			for _, e := range h.fake.Ephemerals() {
				if strings.Contains(e.Text, "in the plan already") {
					t.Errorf("Ana was told %q", e.Text)
				}
			}
		})
	}
}

// TestSummaryOverdrawnByARacebotThatStopsIsRedrawn: as in
// TestTwoRacebotsDrawingOneSummaryEndWithBothValues, racebot A's drawing
// without Ben's value lands after racebot B's with it, and A is told to
// stop just then, its drain window already over, before it looks at the
// values again. Neither B, which drew both values and recorded them
// drawn, nor the racebot started in A's place would draw them again: the
// summary says 2 of 2 when A has stopped, and after their next tick.
func TestSummaryOverdrawnByARacebotThatStopsIsRedrawn(t *testing.T) {
	t.Parallel()
	o := overtakeSummary(t)
	stopped := make(chan error, 1)
	o.held.mu.Lock()
	o.held.then = func() error {
		o.stopA(stopped)
		return nil
	}
	o.held.mu.Unlock()
	close(o.held.release)
	o.waitStopped(stopped)
	if m, _ := o.h.message("C1", o.summary.TS); !strings.Contains(m.Text, "2 of 2 KPIs updated") {
		t.Errorf("when racebot A has stopped the summary is\n%s\nwant 2 of 2 KPIs updated", m.Text)
	}

	// A is gone; its place is taken by a racebot on the same database.
	next, _ := o.h.anotherRacebot()
	o.ticks(next, time.Minute)
	o.endsAs("2 of 2 KPIs updated")
}

// TestSummaryRedrawPastCancelKeepsTheLooksBound: as in
// TestSummaryOverdrawnByARacebotThatStopsIsRedrawn, racebot A's older
// drawing lands and A is told to stop, its drain window over; its time
// past the cancel runs out just as its look after the drawing has read
// Ben's value. The look and the drawing again share that time, or a
// stopping racebot would hold its shutdown for a bound each: A stops
// without drawing again, and the racebot started in its place draws both
// values on its tick.
func TestSummaryRedrawPastCancelKeepsTheLooksBound(t *testing.T) {
	t.Parallel()
	bounds := &claimBounds{}
	o := overtakeSummary(t, func(s *setup) { s.BeforeStart = func(b *Bot) { b.claimExpiry = bounds.bound } })
	stopped := make(chan error, 1)
	var drawn int
	o.held.mu.Lock()
	o.held.after = func() {
		o.stopA(stopped)
		bounds.expire()
		drawn = len(o.h.fake.Calls("chat.update"))
	}
	o.held.mu.Unlock()
	close(o.held.release)
	o.waitStopped(stopped)
	if n := len(o.h.fake.Calls("chat.update")); n != drawn {
		t.Errorf("racebot A drew the summary %d more times after its time past the cancel ran out", n-drawn)
	}

	next, _ := o.h.anotherRacebot()
	o.ticks(next, summaryLands) // A's drawing can have landed by then
	o.endsAs("2 of 2 KPIs updated")
}

// TestSummaryOverdrawnByAKilledRacebotIsRedrawn: as in
// TestTwoRacebotsDrawingOneSummaryEndWithBothValues, racebot A's drawing
// without Ben's value lands after racebot B's with it, and A is killed
// right then: it never looks at the values again. B drew both values and
// recorded them drawn, and nothing A knew survives it; the next tick of
// the racebot started in A's place (and of B) must still draw both, once.
func TestSummaryOverdrawnByAKilledRacebotIsRedrawn(t *testing.T) {
	t.Parallel()
	o := overtakeSummary(t)
	o.killA()

	next, _ := o.h.anotherRacebot()
	o.ticks(next, summaryLands) // A's drawing can have landed by then
	o.endsAs("2 of 2 KPIs updated")
	drawn := len(o.h.fake.Calls("chat.update"))
	o.ticks(next, summaryLands)
	if n := len(o.h.fake.Calls("chat.update")); n != drawn {
		t.Errorf("the summary was drawn %d more times after it showed the latest values", n-drawn)
	}
}

// TestSummaryOverdrawnWithoutAnAnswerIsRedrawn: as in
// TestTwoRacebotsDrawingOneSummaryEndWithBothValues, racebot A's drawing
// without Ben's value lands after racebot B's with it; but Slack fails
// after it did each of A's tries, so A does not know its drawing landed.
// B recorded Ben's value drawn: the next tick must still draw it, not
// take B's word for it.
func TestSummaryOverdrawnWithoutAnAnswerIsRedrawn(t *testing.T) {
	t.Parallel()
	o := overtakeSummary(t)
	o.h.fake.FailAfterNext("chat.update", 1000, http.StatusInternalServerError)
	close(o.held.release)
	o.h.settle()
	o.h.fake.FailAfterNext("chat.update", 0, 0)
	o.aLandedOverB()
	o.nextTicksShow("2 of 2 KPIs updated")
}

// TestSummaryOverdrawnBeforeAnyDrawingHereIsMarked: a racebot whose first
// drawing of a summary timed out after Slack may have applied it (it never
// drew that summary before) still marks it overdrawn, so its tick draws
// the values as they stand rather than take another racebot's record.
func TestSummaryOverdrawnBeforeAnyDrawingHereIsMarked(t *testing.T) {
	t.Parallel()
	var r summaryRefreshes
	r.overdrew(7)
	if !r.overdrawn(7) {
		t.Fatal("a summary never drawn here was not marked overdrawn")
	}
	if !r.stale(7, 42, false, time.Time{}) {
		t.Error("a summary marked overdrawn here is not stale")
	}
}

// TestPastCancelKeepsTheOuterBound: work that goes on past a shutdown's
// cancel is not cancelled with its context, and nested it ends at the
// outer bound rather than a new one.
func TestPastCancelKeepsTheOuterBound(t *testing.T) {
	t.Parallel()
	parent, stop := context.WithCancel(context.Background())
	outer, cancelOuter := pastCancel(parent, time.Hour)
	defer cancelOuter()
	stop()
	if outer.Err() != nil {
		t.Fatal("cancelled with its parent")
	}
	od, _ := outer.Deadline()
	inner, cancelInner := pastCancel(outer, 2*time.Hour)
	defer cancelInner()
	if id, ok := inner.Deadline(); !ok || id.After(od) {
		t.Errorf("nested deadline %v, want no later than the outer %v", id, od)
	}
	short, cancelShort := pastCancel(outer, time.Minute)
	defer cancelShort()
	if sd, _ := short.Deadline(); !sd.Before(od) {
		t.Errorf("a shorter bound %v did not stand before the outer %v", sd, od)
	}
}

// TestMarkedSummaryRefusedIsNotRetriedEveryMinute: racebot A drew the
// summary with the values as they stand; another racebot was killed
// between marking its drawing of them and knowing what it showed, so the
// store marks the summary maybe behind. Someone then deletes the summary
// in Slack. A's tick tries the summary once more for the mark; Slack says
// message_not_found, as it will every time, so the next ticks leave it
// alone, as they do a deleted summary without a mark.
func TestMarkedSummaryRefusedIsNotRetriedEveryMinute(t *testing.T) {
	t.Parallel()
	h, p, clk := checkinSetup(t)
	id, _, summary, _ := h.anaRepliesInCheckin(p, "visitors 12.4k")
	h.waitSummary(summary.TS, "1 of 2 KPIs updated")
	h.settle()

	if _, _, err := h.bot.svc.SummaryMayBeOverdrawn(t.Context(), id, clk.Now(), clk.Now().Add(summaryLands)); err != nil {
		t.Fatal(err)
	}
	if _, _, err := h.api.api.DeleteMessageContext(t.Context(), "C1", summary.TS); err != nil {
		t.Fatal(err)
	}
	before := h.updates()
	for range 5 {
		clk.Add(time.Minute)
		h.bot.checkinTick(t.Context())
	}
	if n := h.updates() - before; n > 1 {
		t.Errorf("%d chat.update calls over five ticks for a marked, deleted summary, want at most one", n)
	}
}
