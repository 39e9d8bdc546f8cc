package bot

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/racebot/racebot/coach"
	"github.com/racebot/racebot/flows"
	"github.com/racebot/racebot/internal/slackfake"
)

// heldRedraw holds the first read of a plan's values after values are
// recorded, once armed: the read that draws the check-in's summary.
type heldRedraw struct {
	coach.Store
	mu      sync.Mutex
	armed   bool
	next    bool
	held    chan struct{} // closed when the read is held
	release chan struct{}
}

func (s *heldRedraw) arm() {
	s.mu.Lock()
	s.armed, s.held, s.release = true, make(chan struct{}), make(chan struct{})
	s.mu.Unlock()
}

func (s *heldRedraw) RecordMeasurements(ctx context.Context, team string, plan flows.PlanID, ms []flows.Measurement, key string) error {
	err := s.Store.RecordMeasurements(ctx, team, plan, ms, key)
	s.mu.Lock()
	if s.armed && err == nil {
		s.armed, s.next = false, true
	}
	s.mu.Unlock()
	return err
}

func (s *heldRedraw) Measurements(ctx context.Context, team string, plan flows.PlanID) (map[int64][]flows.Measurement, error) {
	ms, err := s.Store.Measurements(ctx, team, plan)
	s.mu.Lock()
	hold := s.next
	s.next = false
	s.mu.Unlock()
	if hold {
		close(s.held)
		select {
		case <-s.release:
		case <-time.After(slackfake.DefaultWaitTimeout):
		}
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
	held := &heldRedraw{}
	h, p, clk := checkinSetup(t, func(s *setup) { held.Store = s.Store; s.Store = held })
	_, opening := h.openCheckin(p)
	summary := h.threadMessage("C1", opening.TS, "0 of 2 KPIs updated")
	other, _ := h.anotherRacebot()
	otherSrv := serve(t, other)
	h.settle()

	held.arm()
	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.MessageEvent{Channel: "C1", User: "UANA", Text: "visitors 12.4k", ThreadTS: opening.TS}))
	select {
	case <-held.held:
	case <-time.After(slackfake.DefaultWaitTimeout):
		t.Fatal("racebot A did not read the values for the summary")
	}
	if code := h.deliver(otherSrv, slackfake.EventBody(slackfake.MessageEvent{Channel: "C1", User: "UBEN", Text: "lead rate 1.9%", ThreadTS: opening.TS})); code != 200 {
		t.Fatalf("Ben's reply answered %d", code)
	}
	h.waitSummary(summary.TS, "2 of 2 KPIs updated")
	settle(t, other, h.fake)
	close(held.release)
	h.settle()

	clk.Add(time.Minute)
	h.bot.checkinTick(t.Context())
	other.checkinTick(t.Context())
	h.settle()
	settle(t, other, h.fake)
	if m, _ := h.message("C1", summary.TS); !strings.Contains(m.Text, "2 of 2 KPIs updated") {
		t.Errorf("the summary ends as\n%s\nwant 2 of 2 KPIs updated", m.Text)
	}
}

// heldRecord holds the next recording of values, once armed, before it
// writes anything.
type heldRecord struct {
	coach.Store
	mu      sync.Mutex
	armed   bool
	held    chan struct{} // closed when the recording is held
	release chan struct{}
}

func (s *heldRecord) arm() {
	s.mu.Lock()
	s.armed, s.held, s.release = true, make(chan struct{}), make(chan struct{})
	s.mu.Unlock()
}

func (s *heldRecord) RecordMeasurements(ctx context.Context, team string, plan flows.PlanID, ms []flows.Measurement, key string) error {
	s.mu.Lock()
	hold := s.armed
	s.armed = false
	s.mu.Unlock()
	if hold {
		close(s.held)
		select {
		case <-s.release:
		case <-time.After(slackfake.DefaultWaitTimeout):
		}
	}
	return s.Store.RecordMeasurements(ctx, team, plan, ms, key)
}

// TestTwoRacebotsTakingTwoCorrectionsRecordOne: Ana's check-in reply is
// refused, and she corrects it twice in quick succession; Slack hands the
// first edit to racebot A and the second to racebot B, on one database,
// and both find her message with no values yet. Her message gives one
// value, the later edit's, confirmed once.
func TestTwoRacebotsTakingTwoCorrectionsRecordOne(t *testing.T) {
	t.Parallel()
	held := &heldRecord{}
	h, p, _ := checkinSetup(t, func(s *setup) { held.Store = s.Store; s.Store = held })
	other, _ := h.anotherRacebot()
	otherSrv := serve(t, other)
	bad := "visitors 12..4k"
	id, opening, summary, ts := h.anaRepliesInCheckin(p, bad)
	h.waitEphemeral("UANA", "")
	h.settle()

	held.arm()
	first := h.fake.SendEvent(slackfake.MessageChanged{Channel: "C1", User: "UANA", TS: ts, ThreadTS: opening.TS, Text: "visitors 12.4k", PreviousText: bad,
		EditTS: tsAfter(t, ts, 10*time.Second), EventID: "EvFIX1"})
	select {
	case <-held.held:
	case <-time.After(slackfake.DefaultWaitTimeout):
		t.Fatal("racebot A did not go to record the first correction")
	}
	if code := h.deliver(otherSrv, slackfake.EventBody(slackfake.MessageChanged{Channel: "C1", User: "UANA", TS: ts, ThreadTS: opening.TS, Text: "visitors 12.6k", PreviousText: "visitors 12.4k",
		EditTS: tsAfter(t, ts, 20*time.Second), EventID: "EvFIX2"})); code != 200 {
		t.Fatalf("the second correction answered %d", code)
	}
	close(held.release)
	h.fake.WaitAck(t, first)
	h.settle()
	settle(t, other, h.fake)

	if got := h.valuesOf(p, p.KPIs[0].ID); len(got) != 1 || got[0].Value.Amount != 12600 || got[0].Checkin != id {
		t.Errorf("visitors %+v, want only the later correction's 12.6k", got)
	}
	if n := h.countReplies("C1", opening.TS, "Recorded:"); n != 1 {
		t.Errorf("%d confirmations in the thread, want 1:\n%s", n, strings.Join(h.threadPosts(opening.TS), "\n"))
	}
	h.waitSummary(summary.TS, "1 of 2 KPIs updated")
}
