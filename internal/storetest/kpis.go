package storetest

import (
	"errors"
	"fmt"
	"math"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/racebot/racebot/coach"
	"github.com/racebot/racebot/flows"
)

func testKPIs(t *testing.T, open Open, opts Options) {
	db, another := open(t)
	ctx := ctxFor(t)
	p := newPlan(t, db, "T1", "C1", "Q1")
	revenue := flows.KPI{Plan: p.ID, Stage: flows.StageConvert, Key: "revenue", Name: "Revenue", Unit: flows.UnitCurrency, Currency: "EUR",
		HigherIsBetter: true, Baseline: flows.Value{Amount: 1000.5, Unit: flows.UnitCurrency, Currency: "USD"},
		Target:   flows.Value{Amount: 2500.25, Unit: flows.UnitCurrency, Currency: "EUR"},
		Deadline: time.Date(2027, 6, 30, 0, 0, 0, 0, time.UTC), Owner: "U2", By: "U1", At: t0}
	visits := flows.KPI{Plan: p.ID, Stage: flows.StageReach, Key: "visits", Name: "Visits", Unit: flows.UnitCount,
		Baseline: flows.Value{Unit: flows.UnitCount, Missing: true}, Target: flows.Value{Unit: flows.UnitCount, Missing: true}, By: "U1", At: t0}
	var err error
	if revenue.ID, err = db.SaveKPI(ctx, "T1", revenue); err != nil {
		t.Fatal(err)
	}
	if visits.ID, err = db.SaveKPI(ctx, "T1", visits); err != nil {
		t.Fatal(err)
	}
	if _, err := db.SaveKPI(ctx, "T1", flows.KPI{Plan: p.ID, Key: " "}); !errors.Is(err, flows.ErrBadInput) {
		t.Errorf("KPI without a key: %v, want ErrBadInput", err)
	}
	other := another()
	got, err := other.KPIs(ctx, "T1", p.ID)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]flows.KPI{revenue, visits}, got); diff != "" {
		t.Errorf("KPIs in the order set (-want +got):\n%s", diff)
	}

	// Values: amounts, n/a, a check-in, a source; oldest first per KPI.
	ms := []flows.Measurement{
		{KPI: revenue.ID, Value: flows.Value{Amount: 1200, Unit: flows.UnitCurrency, Currency: "EUR"}, At: t0.Add(2 * time.Hour), By: "U2", Checkin: 7, Source: "C1/2"},
		{KPI: revenue.ID, Value: flows.Value{Amount: 1100, Unit: flows.UnitCurrency}, At: t0.Add(time.Hour), By: "U2"},
		{KPI: visits.ID, Value: flows.Value{Unit: flows.UnitCount, Missing: true}, At: t0, By: "U3"},
	}
	if err := db.RecordMeasurements(ctx, "T1", p.ID, ms, "EvValues"); err != nil {
		t.Fatal(err)
	}
	if err := other.RecordMeasurements(ctx, "T1", p.ID, ms, "EvValues"); !errors.Is(err, flows.ErrDuplicate) {
		t.Errorf("values delivered again: %v, want ErrDuplicate", err)
	}
	values, err := other.Measurements(ctx, "T1", p.ID)
	if err != nil {
		t.Fatal(err)
	}
	want := map[int64][]flows.Measurement{revenue.ID: {ms[1], ms[0]}, visits.ID: {ms[2]}}
	if diff := cmp.Diff(want, values); diff != "" {
		t.Errorf("measurements (-want +got):\n%s", diff)
	}

	// A value for a KPI of another plan refuses the whole batch.
	q2 := newPlan(t, db, "T1", "C1", "Q2")
	foreign, err := db.SaveKPI(ctx, "T1", flows.KPI{Plan: q2.ID, Stage: flows.StageReach, Key: "visits", Name: "Visits", Unit: flows.UnitCount, By: "U1", At: t0})
	if err != nil {
		t.Fatal(err)
	}
	batch := []flows.Measurement{
		{KPI: visits.ID, Value: flows.Value{Amount: 1, Unit: flows.UnitCount}, At: t0, By: "U1"},
		{KPI: foreign, Value: flows.Value{Amount: 2, Unit: flows.UnitCount}, At: t0, By: "U1"},
	}
	if err := db.RecordMeasurements(ctx, "T1", p.ID, batch, "EvMixed"); !errors.Is(err, flows.ErrNoPlan) {
		t.Errorf("values with another plan's KPI: %v, want ErrNoPlan", err)
	}
	if again, _ := other.Measurements(ctx, "T1", p.ID); len(again[visits.ID]) != 1 {
		t.Errorf("a refused batch left %d values for visits, want 1", len(again[visits.ID]))
	}

	// Setting a target again replaces it in place: same id, values kept.
	before := load(t, db, "T1", p.ID).Version
	revenue.Target = flows.Value{Amount: 3000, Unit: flows.UnitCurrency, Currency: "EUR"}
	revenue.Owner = "U3"
	id, err := other.SaveKPI(ctx, "T1", revenue)
	if err != nil || id != revenue.ID {
		t.Fatalf("re-set target: id %d, %v; want %d", id, err, revenue.ID)
	}
	settle(t, db, opts)
	if after := load(t, db, "T1", p.ID); after.Version != before+1 || after.KPIs[0].Target.Amount != 3000 {
		t.Errorf("after SaveKPI: version %d→%d, target %v", before, after.Version, after.KPIs[0].Target)
	}
	if vs, _ := db.Measurements(ctx, "T1", p.ID); len(vs[revenue.ID]) != 2 {
		t.Errorf("re-set target kept %d values, want 2", len(vs[revenue.ID]))
	}

	// A KPI removed (the message that set it deleted) is that plan's KPI
	// of that key alone: the plan's other KPI, and another plan's KPI of
	// the same key, stay, both without values as a removed KPI is.
	for _, plan := range []flows.PlanID{p.ID, q2.ID} {
		if _, err := db.SaveKPI(ctx, "T1", flows.KPI{Plan: plan, Stage: flows.StageConvert, Key: "signups", Name: "Sign-ups", Unit: flows.UnitCount, By: "U1", At: t0}); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.Commit(ctx, load(t, db, "T1", q2.ID), []flows.Change{flows.KPIRemoved{Key: "signups"}}, ""); err != nil {
		t.Fatal(err)
	}
	settle(t, other, opts)
	if ks, _ := other.KPIs(ctx, "T1", q2.ID); len(ks) != 1 || ks[0].Key != "visits" {
		t.Errorf("KPIs of the plan whose sign-ups KPI was removed: %+v", ks)
	}
	if ks, _ := other.KPIs(ctx, "T1", p.ID); len(ks) != 3 || ks[2].Key != "signups" {
		t.Errorf("KPIs of another plan with a sign-ups KPI: %+v", ks)
	}
	if vs, _ := other.Measurements(ctx, "T1", p.ID); len(vs[revenue.ID]) != 2 || len(vs[visits.ID]) != 1 {
		t.Errorf("values of another plan with a sign-ups KPI: %v", vs)
	}
}

func testReplaceMeasurements(t *testing.T, open Open) {
	db, another := open(t)
	ctx := ctxFor(t)
	p := newPlan(t, db, "T1", "C1", "Q1")
	kpi, err := db.SaveKPI(ctx, "T1", flows.KPI{Plan: p.ID, Stage: flows.StageReach, Key: "visits", Name: "Visits", Unit: flows.UnitCount, By: "U1", At: t0})
	if err != nil {
		t.Fatal(err)
	}
	v := func(n float64, source string) flows.Measurement {
		return flows.Measurement{KPI: kpi, Value: flows.Value{Amount: n, Unit: flows.UnitCount}, At: t0, By: "U1", Source: source}
	}
	if err := db.RecordMeasurements(ctx, "T1", p.ID, []flows.Measurement{v(1, "C1/1"), v(2, "C1/1"), v(3, "C1/2")}, ""); err != nil {
		t.Fatal(err)
	}
	// A message that gave values gives no more under another key (two
	// racebots each took it for one that gave none), nor takes the key.
	if err := db.RecordMeasurements(ctx, "T1", p.ID, []flows.Measurement{v(4, "C1/3"), v(5, "C1/2")}, "EvAgain"); !errors.Is(err, flows.ErrConflict) {
		t.Errorf("values again from a message that gave some: %v, want ErrConflict", err)
	}
	if err := db.MarkSeen(ctx, "T1", "EvAgain"); err != nil {
		t.Errorf("values refused as given already recorded their key: %v", err)
	}
	r, err := db.ReplaceMeasurements(ctx, "T1", p.ID, "C1/1", []flows.Measurement{v(10, "C1/1")}, "EvEdit")
	if err != nil || r.N != 2 {
		t.Fatalf("replace: %d, %v; want 2", r.N, err)
	}
	if _, err := db.ReplaceMeasurements(ctx, "T1", p.ID, "C1/1", nil, "EvEdit"); !errors.Is(err, flows.ErrDuplicate) {
		t.Errorf("the edit delivered again: %v, want ErrDuplicate", err)
	}
	// A message no value came from changes nothing, and takes no key.
	if r, err := db.ReplaceMeasurements(ctx, "T1", p.ID, "C1/9", []flows.Measurement{v(99, "C1/9")}, "EvOther"); err != nil || r.N != 0 {
		t.Errorf("replace from an unknown message: %d, %v", r.N, err)
	}
	if err := db.MarkSeen(ctx, "T1", "EvOther"); err != nil {
		t.Errorf("a replacement of nothing recorded its key: %v", err)
	}
	if r, err := db.ReplaceMeasurements(ctx, "T1", p.ID, "", nil, ""); err != nil || r.N != 0 {
		t.Errorf("replace with no source: %d, %v", r.N, err)
	}
	vs, _ := db.Measurements(ctx, "T1", p.ID)
	var got []float64
	for _, m := range vs[kpi] {
		got = append(got, m.Value.Amount)
	}
	if diff := cmp.Diff([]float64{3, 10}, got, cmpSortFloats); diff != "" {
		t.Errorf("values after the edit (-want +got):\n%s", diff)
	}
	// Edits delivered out of order: the later one stands, and the earlier
	// one, delivered after it, replaces nothing and takes no key.
	edit := func(n float64, at time.Duration) []flows.Measurement {
		m := v(n, "C1/1")
		m.Edited = t0.Add(at)
		return []flows.Measurement{m}
	}
	if r, err := db.ReplaceMeasurements(ctx, "T1", p.ID, "C1/1", edit(12, 2*time.Minute), "EvEdit2"); err != nil || r.N != 1 {
		t.Errorf("the later edit: %d, %v; want 1", r.N, err)
	}
	if r, err := db.ReplaceMeasurements(ctx, "T1", p.ID, "C1/1", edit(11, time.Minute), "EvEdit1"); err != nil || r.N != 0 {
		t.Errorf("the earlier edit, delivered late: %d, %v; want 0", r.N, err)
	}
	if err := db.MarkSeen(ctx, "T1", "EvEdit1"); err != nil {
		t.Errorf("the late edit recorded its key: %v", err)
	}
	vs, _ = db.Measurements(ctx, "T1", p.ID)
	got = nil
	for _, m := range vs[kpi] {
		got = append(got, m.Value.Amount)
	}
	if diff := cmp.Diff([]float64{3, 12}, got, cmpSortFloats); diff != "" {
		t.Errorf("values after edits out of order (-want +got):\n%s", diff)
	}
	// Deleting the message withdraws its values.
	if r, err := db.ReplaceMeasurements(ctx, "T1", p.ID, "C1/1", nil, ""); err != nil || r.N != 1 {
		t.Errorf("delete: %d, %v; want 1", r.N, err)
	}
	// A withdrawal raises the plan's version, on every handle: a step
	// decided on the values being there ("the KPI stays because values
	// were recorded") is refused at its commit, its key left free for the
	// retry. A value corrected in place withdraws nothing.
	other := another()
	before := load(t, other, "T1", p.ID)
	load(t, db, "T1", p.ID) // cached there
	if r, err := db.ReplaceMeasurements(ctx, "T1", p.ID, "C1/2", []flows.Measurement{v(4, "C1/2")}, ""); err != nil || r.N != 1 {
		t.Fatalf("correct a value: %d, %v; want 1", r.N, err)
	}
	if err := other.Commit(ctx, before, nil, ""); err != nil {
		t.Errorf("empty commit from the plan as read before a value was corrected: %v", err)
	}
	// An offer made on the plan as it stands moves with the withdrawal,
	// which changes nothing in the conversation; one made on an older
	// version stays lapsed.
	offer := flows.Offer{Team: "T1", Channel: "C1", Plan: p.ID, User: "U1", Command: "new Q2 Launch", Version: before.Version, Expires: t0.Add(time.Hour)}
	lapsed := flows.Offer{Team: "T1", Channel: "C1", Plan: p.ID, User: "U2", Command: "new Q3", Version: before.Version - 1, Expires: t0.Add(time.Hour)}
	for _, o := range []flows.Offer{offer, lapsed} {
		if err := db.CommitOffer(ctx, before, nil, o, ""); err != nil {
			t.Fatalf("offer to %s: %v", o.User, err)
		}
	}
	if r, err := db.ReplaceMeasurements(ctx, "T1", p.ID, "C1/2", nil, ""); err != nil || r.N != 1 {
		t.Fatalf("withdraw a value: %d, %v; want 1", r.N, err)
	}
	now := load(t, other, "T1", p.ID)
	for _, want := range []struct {
		o     flows.Offer
		valid bool
	}{{offer, true}, {lapsed, false}} {
		got, ok, err := other.Offer(ctx, "T1", "C1", p.ID, want.o.User)
		if err != nil || !ok || got.Valid(now, t0) != want.valid {
			t.Errorf("after a value was withdrawn, the offer to %s is %+v (%v, %v), valid on version %d: %v; want %v",
				want.o.User, got, ok, err, now.Version, got.Valid(now, t0), want.valid)
		}
	}
	for name, h := range map[string]Store{"this handle": db, "another handle": other} {
		if err := h.Commit(ctx, before, nil, "EvKeep"); !errors.Is(err, flows.ErrConflict) {
			t.Errorf("%s: empty commit from the plan as read before a value was withdrawn: %v, want ErrConflict", name, err)
		}
	}
	if err := other.Commit(ctx, load(t, other, "T1", p.ID), nil, "EvKeep"); err != nil {
		t.Errorf("empty commit from the plan as it stands after the withdrawal: %v", err)
	}
}

// testWithdrawalMarksSummary: a value withdrawn from a check-in marks its
// summary maybe behind, in the withdrawal's transaction, seen by every
// handle: the values left may be ones a summary was recorded drawn with,
// while it shows the value withdrawn. A mark of a drawing on its way
// stays on its way (greater, and so changed: the drawing no longer clears
// it). So does a check-in's value corrected in place, which keeps its
// time and may be corrected back. A value recorded, one given again as it
// was, and one withdrawn outside any check-in mark nothing.
func testWithdrawalMarksSummary(t *testing.T, open Open) {
	db, another := open(t)
	other := another()
	ctx := ctxFor(t)
	p := newPlan(t, db, "T1", "C1", "Q1")
	kpi, err := db.SaveKPI(ctx, "T1", flows.KPI{Plan: p.ID, Stage: flows.StageReach, Key: "visits", Name: "Visits", Unit: flows.UnitCount, By: "U1", At: t0})
	if err != nil {
		t.Fatal(err)
	}
	c, err := db.CreateCheckin(ctx, "T1", flows.Checkin{Plan: p.ID, Channel: "C1", OpenedAt: t0, NudgeAt: t0.Add(time.Hour), CloseAt: t0.Add(2 * time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	val := func(n float64, checkin int64, src string) flows.Measurement {
		return flows.Measurement{KPI: kpi, Value: flows.Value{Amount: n, Unit: flows.UnitCount}, At: t0, By: "U1", Checkin: checkin, Source: src}
	}
	markOf := func(want int64, what string) {
		t.Helper()
		if got, err := other.CheckinByID(ctx, "T1", c); err != nil || got.SummaryMark != want {
			t.Errorf("%s: summary mark %d, %v; want %d", what, got.SummaryMark, err, want)
		}
	}
	for _, m := range []flows.Measurement{val(1, 0, "C1/old"), val(12, c, "C1/ana"), val(13, c, "C1/ben")} {
		if err := db.RecordMeasurements(ctx, "T1", p.ID, []flows.Measurement{m}, ""); err != nil {
			t.Fatal(err)
		}
	}
	markOf(0, "values recorded")
	if r, err := db.ReplaceMeasurements(ctx, "T1", p.ID, "C1/ana", []flows.Measurement{val(12, c, "C1/ana")}, ""); err != nil || r.N != 1 {
		t.Fatalf("give again as it was: %+v, %v", r, err)
	}
	markOf(0, "a value given again as it was")
	// An edit keeps the reply's time: corrected back, the values are
	// again ones a summary may have been recorded drawn with.
	if r, err := db.ReplaceMeasurements(ctx, "T1", p.ID, "C1/ana", []flows.Measurement{val(12.5, c, "C1/ana")}, ""); err != nil || r.N != 1 {
		t.Fatalf("correct in place: %+v, %v", r, err)
	}
	markOf(1, "a check-in's value corrected in place")
	if err := db.ClearSummaryOverdrawn(ctx, c, 1); err != nil {
		t.Fatal(err)
	}
	if r, err := db.ReplaceMeasurements(ctx, "T1", p.ID, "C1/old", nil, ""); err != nil || r.N != 1 {
		t.Fatalf("withdraw a value of no check-in: %+v, %v", r, err)
	}
	markOf(0, "a value of no check-in withdrawn")
	if r, err := db.ReplaceMeasurements(ctx, "T1", p.ID, "C1/ben", nil, ""); err != nil || len(r.Gone) != 1 {
		t.Fatalf("withdraw a check-in's value: %+v, %v", r, err)
	}
	markOf(1, "a check-in's value withdrawn")
	if err := db.ClearSummaryOverdrawn(ctx, c, 1); err != nil {
		t.Fatal(err)
	}
	if _, err := db.MarkSummaryOverdrawn(ctx, c, 1<<40); err != nil {
		t.Fatal(err)
	}
	if r, err := other.ReplaceMeasurements(ctx, "T1", p.ID, "C1/ana", nil, ""); err != nil || len(r.Gone) != 1 {
		t.Fatalf("withdraw a check-in's value under a drawing's mark: %+v, %v", r, err)
	}
	markOf(1<<40+1, "a check-in's value withdrawn under a drawing's mark")
}

// testWithdrawalReportsWhatItLeft: a replacement reports the values it
// withdrew (Gone: those of KPIs the message no longer gives one, in the
// order of their KPIs' ids) and, for each KPI of a withdrawn value that
// was in a check-in, every value of the KPI as it left them, oldest first
// (Left), read in its own transaction: of two withdrawals at once, on two
// handles, the second reads what the first left, so exactly one finds the
// value under both standing again (flows.StandsAgain), whichever goes
// first. The coach tells a check-in's thread from these alone.
func testWithdrawalReportsWhatItLeft(t *testing.T, open Open) {
	db, another := open(t)
	ctx := ctxFor(t)
	p := newPlan(t, db, "T1", "C1", "Q1")
	kpi := func(key string) int64 {
		t.Helper()
		id, err := db.SaveKPI(ctx, "T1", flows.KPI{Plan: p.ID, Stage: flows.StageReach, Key: key, Name: key, Unit: flows.UnitCount, By: "U1", At: t0})
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
	visits, leads := kpi("visits"), kpi("leads")
	c, err := db.CreateCheckin(ctx, "T1", flows.Checkin{Plan: p.ID, Channel: "C1", OpenedAt: t0, NudgeAt: t0.Add(time.Hour), CloseAt: t0.Add(2 * time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	val := func(kpi int64, n float64, by string, at time.Duration, checkin int64, src string) flows.Measurement {
		return flows.Measurement{KPI: kpi, Value: flows.Value{Amount: n, Unit: flows.UnitCount}, At: t0.Add(at), By: by, Checkin: checkin, Source: src}
	}
	old := val(leads, 1, "UANA", -time.Hour, 0, "C1/old")
	ana := val(visits, 12, "UANA", 0, c, "C1/ana")
	benVisits, benLeads := val(visits, 13, "UBEN", time.Minute, c, "C1/ben"), val(leads, 2, "UBEN", time.Minute, c, "C1/ben")
	cara := val(visits, 14, "UCARA", 2*time.Minute, c, "C1/cara")
	for _, ms := range [][]flows.Measurement{{old}, {ana}, {benVisits, benLeads}, {cara}} {
		if err := db.RecordMeasurements(ctx, "T1", p.ID, ms, ""); err != nil {
			t.Fatal(err)
		}
	}

	// Corrected in place: nothing withdrawn, nothing read.
	corrected := benVisits
	corrected.Value.Amount = 13.5
	r, err := db.ReplaceMeasurements(ctx, "T1", p.ID, "C1/ben", []flows.Measurement{corrected, benLeads}, "")
	if err != nil || r.N != 2 || len(r.Gone) != 0 || r.Left != nil {
		t.Errorf("a value corrected in place: %+v, %v; want 2 replaced, none withdrawn", r, err)
	}
	// Edited to give visits only: its leads value is withdrawn, and every
	// leads value left is read, the one outside the check-in too.
	r, err = db.ReplaceMeasurements(ctx, "T1", p.ID, "C1/ben", []flows.Measurement{benVisits}, "")
	if err != nil || r.N != 2 {
		t.Fatalf("an edit that gives one KPI of two: %+v, %v", r, err)
	}
	if diff := cmp.Diff(coach.Replaced{N: 2, Gone: []flows.Measurement{benLeads}, Left: map[int64][]flows.Measurement{leads: {old}}}, r); diff != "" {
		t.Errorf("an edit that gives one KPI of two (-want +got):\n%s", diff)
	}
	// A withdrawn value outside a check-in is reported, and nothing read.
	r, err = db.ReplaceMeasurements(ctx, "T1", p.ID, "C1/old", nil, "")
	if diff := cmp.Diff(coach.Replaced{N: 1, Gone: []flows.Measurement{old}}, r); err != nil || diff != "" {
		t.Errorf("a value outside a check-in withdrawn: %v (-want +got):\n%s", err, diff)
	}

	// Ben and Cara take theirs back at once, on two handles.
	handles := []Store{db, another()}
	sources := []string{"C1/ben", "C1/cara"}
	got := make([]coach.Replaced, 2)
	won := race(t, 2, func(i int) error {
		var err error
		got[i], err = handles[i].ReplaceMeasurements(ctx, "T1", p.ID, sources[i], nil, "")
		return err
	})
	if won != 2 {
		t.Fatalf("%d of two withdrawals at once stored", won)
	}
	again := 0
	for i, r := range got {
		gone := []flows.Measurement{benVisits, cara}[i]
		if diff := cmp.Diff([]flows.Measurement{gone}, r.Gone); r.N != 1 || diff != "" {
			t.Errorf("withdrawal of %s: %d replaced, withdrew (-want +got):\n%s", sources[i], r.N, diff)
		}
		if m, ok := flows.StandsAgain(r.Left[visits], gone); ok && m.Source == ana.Source {
			again++
		}
	}
	if again != 1 {
		t.Errorf("Ana's value found standing again by %d of the two withdrawals, want exactly one: %+v", again, got)
	}
}

// testOfferOnAMovedPlan: an offer written with no changes (a refused
// line's) is made on the plan as it was read; once a value taken back has
// moved the plan, it is refused with flows.ErrConflict on every handle,
// writing nothing, key included, and the caller reads the plan again.
func testOfferOnAMovedPlan(t *testing.T, open Open) {
	db, another := open(t)
	ctx := ctxFor(t)
	other := another()
	p := newPlan(t, db, "T1", "C1", "Q1")
	kpi, err := db.SaveKPI(ctx, "T1", flows.KPI{Plan: p.ID, Stage: flows.StageReach, Key: "visits", Name: "Visits", Unit: flows.UnitCount, By: "U1", At: t0})
	if err != nil {
		t.Fatal(err)
	}
	m := flows.Measurement{KPI: kpi, Value: flows.Value{Amount: 3, Unit: flows.UnitCount}, At: t0, By: "U2", Source: "C1/2"}
	if err := db.RecordMeasurements(ctx, "T1", p.ID, []flows.Measurement{m}, ""); err != nil {
		t.Fatal(err)
	}
	read := map[string]*flows.Plan{"this handle": load(t, db, "T1", p.ID), "another handle": load(t, other, "T1", p.ID)}
	if r, err := other.ReplaceMeasurements(ctx, "T1", p.ID, "C1/2", nil, ""); err != nil || r.N != 1 {
		t.Fatalf("withdraw a value: %+v, %v", r, err)
	}
	for name, h := range map[string]Store{"this handle": db, "another handle": other} {
		seen, user := read[name], map[string]string{"this handle": "U1", "another handle": "U2"}[name]
		o := flows.Offer{Team: "T1", Channel: "C1", Plan: p.ID, User: user, Command: "new Q2 Launch", Version: seen.Version, Expires: t0.Add(time.Hour)}
		if err := h.CommitOffer(ctx, seen, nil, o, "refused:"+name); !errors.Is(err, flows.ErrConflict) {
			t.Errorf("%s: an offer on the plan as read before a value was withdrawn: %v, want ErrConflict", name, err)
		}
		if _, ok, err := h.Offer(ctx, "T1", "C1", p.ID, user); err != nil || ok {
			t.Errorf("%s: the refused offer was written (%v, %v)", name, ok, err)
		}
		if err := h.MarkSeen(ctx, "T1", "refused:"+name); err != nil {
			t.Errorf("%s: the refused offer took its key: %v", name, err)
		}
		now := load(t, h, "T1", p.ID)
		o.Version = now.Version
		if err := h.CommitOffer(ctx, now, nil, o, ""); err != nil {
			t.Errorf("%s: the offer on the plan read again: %v", name, err)
		}
	}
}

var cmpSortFloats = cmp.Transformer("sort", func(in []float64) []float64 {
	out := append([]float64(nil), in...)
	for i := range out {
		for j := i + 1; j < len(out); j++ {
			if out[j] < out[i] {
				out[i], out[j] = out[j], out[i]
			}
		}
	}
	return out
})

func testAsked(t *testing.T, open Open) {
	db, another := open(t)
	ctx := ctxFor(t)
	p := newPlan(t, db, "T1", "C1", "Q1")
	for _, m := range []struct {
		at   int64
		asks string
	}{{1700000000000100, "plan.business"}, {1700000005000000, "plan.value"}, {999999999900000, "early"}} {
		if err := db.RecordAsked(ctx, "T1", p.ID, m.at, fmt.Sprint(m.at), m.asks); err != nil {
			t.Fatal(err)
		}
	}
	// Recording a message again changes nothing.
	if err := db.RecordAsked(ctx, "T1", p.ID, 1700000000000100, "x", "changed"); err != nil {
		t.Fatal(err)
	}
	other := another()
	type asked struct {
		asks string
		at   int64
	}
	for at, want := range map[int64]asked{
		1: {}, 999999999900000: {"early", 999999999900000}, 1700000000000100: {"plan.business", 1700000000000100},
		1700000004999999: {"plan.business", 1700000000000100}, 1800000000000000: {"plan.value", 1700000005000000},
	} {
		if got, gotAt, err := other.LastAsked(ctx, "T1", p.ID, at, ""); err != nil || got != want.asks || gotAt != want.at {
			t.Errorf("LastAsked(%d) = %q at %d, %v; want %q at %d", at, got, gotAt, err, want.asks, want.at)
		}
	}
	if got, _, _ := other.LastAsked(ctx, "T2", p.ID, 1800000000000000, ""); got != "" {
		t.Errorf("another team reads %q", got)
	}
}

// testAskedAuthor: a step's move committed for its author alone
// (flows.AskedAuthor) is what that author was last asked, and no one
// else; a prompt posted after it asks everyone again. Read through the
// handle that wrote it (its cache warm) and another.
func testAskedAuthor(t *testing.T, open Open, opts Options) {
	db, another := open(t)
	ctx := ctxFor(t)
	p := newPlan(t, db, "T1", "C1", "Q1")
	const posted, moved, later = 1700000005000000, 1700000010000000, 1700000020000000
	if err := db.RecordAsked(ctx, "T1", p.ID, posted, "1700000005.000000", "plan.value"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := db.LastAsked(ctx, "T1", p.ID, math.MaxInt64, "UANA"); err != nil { // the cache takes the prompts in
		t.Fatal(err)
	}
	step := []flows.Change{flows.AskedAuthor{Author: "UANA", At: moved, TS: "1700000010.000000", Asks: "plan.business"}}
	if err := db.Commit(ctx, p, step, "EvBack"); err != nil {
		t.Fatal(err)
	}
	// Delivered again: the key refuses it, and nothing more is recorded.
	if err := db.Commit(ctx, load(t, db, "T1", p.ID), step, "EvBack"); !errors.Is(err, flows.ErrDuplicate) {
		t.Fatalf("the step again: %v, want flows.ErrDuplicate", err)
	}
	other := another()
	check := func(when string, at int64, want map[string]string) {
		t.Helper()
		for name, h := range map[string]Store{"writer": db, "another": other} {
			for author, asks := range want {
				if got, _, err := h.LastAsked(ctx, "T1", p.ID, at, author); err != nil || got != asks {
					t.Errorf("%s, %s: LastAsked(%d, %q) = %q, %v; want %q", when, name, at, author, got, err, asks)
				}
			}
		}
	}
	check("after the move", math.MaxInt64, map[string]string{"UANA": "plan.business", "UBEN": "plan.value", "": "plan.value"})
	check("before the move", moved-1, map[string]string{"UANA": "plan.value", "UBEN": "plan.value"})
	if err := db.RecordAsked(ctx, "T1", p.ID, later, "1700000020.000000", "plan.goals"); err != nil {
		t.Fatal(err)
	}
	settle(t, other, opts)
	check("after a later prompt", math.MaxInt64, map[string]string{"UANA": "plan.goals", "UBEN": "plan.goals"})
	check("between", later-1, map[string]string{"UANA": "plan.business", "UBEN": "plan.value"})
}

func testOffers(t *testing.T, open Open) {
	db, another := open(t)
	ctx := ctxFor(t)
	other := another()
	p := newPlan(t, db, "T1", "C1", "Q1")
	cs := changes(t, p, "We sell coffee", t0)
	o := flows.Offer{Team: "T1", Channel: "C1", Plan: p.ID, User: "U1", Command: "new Q2 Launch", QuestionID: flows.QuestionBusiness,
		Revision: 1, Prior: "", Version: p.Version + 1, Expires: t0.Add(10 * time.Minute)}
	if err := db.CommitOffer(ctx, p, cs, o, "EvOffer"); err != nil {
		t.Fatal(err)
	}
	if err := other.CommitOffer(ctx, p, cs, o, "EvOffer"); !errors.Is(err, flows.ErrDuplicate) {
		t.Errorf("offer delivered again: %v, want ErrDuplicate", err)
	}
	got, ok, err := other.Offer(ctx, "T1", "C1", p.ID, "U1")
	if err != nil || !ok {
		t.Fatalf("offer: %v, %v", ok, err)
	}
	if diff := cmp.Diff(o, got); diff != "" {
		t.Errorf("offer (-want +got):\n%s", diff)
	}
	if _, ok, _ := other.Offer(ctx, "T1", "C1", p.ID, "U2"); ok {
		t.Error("another person has an offer")
	}
	p = load(t, other, "T1", p.ID)
	if p.Answers[flows.QuestionBusiness].Text == "" {
		t.Error("the answer committed with the offer is missing")
	}

	// Taking it: the answer withdrawn, the new plan created and current.
	withdraw := []flows.Change{flows.AnswerWithdrawn{QuestionID: flows.QuestionBusiness, Revision: 2, By: "U1", At: t0}}
	taken, err := other.TakeOffer(ctx, o, p, withdraw, flows.NewPlan("T1", "C1", "Q2 Launch", "U1", t0), "EvYes")
	if err != nil {
		t.Fatal(err)
	}
	if cur, _ := db.CurrentPlan(ctx, "T1", "C1"); cur != taken {
		t.Errorf("current plan %d, want the new %d", cur, taken)
	}
	if _, err := db.TakeOffer(ctx, o, p, nil, flows.NewPlan("T1", "C1", "Q3", "U1", t0), "EvYes2"); !errors.Is(err, flows.ErrConflict) {
		t.Errorf("taking a taken offer: %v, want ErrConflict", err)
	}
	if _, ok, _ := db.Offer(ctx, "T1", "C1", p.ID, "U1"); ok {
		t.Error("the offer is still there after it was taken")
	}

	// A taken offer whose plan name is in use undoes everything.
	p = load(t, db, "T1", p.ID)
	o2 := o
	o2.Command, o2.Version = "new Q2 Launch", p.Version+1
	cs = changes(t, p, "something", t0)
	if err := db.CommitOffer(ctx, p, cs, o2, ""); err != nil {
		t.Fatal(err)
	}
	p = load(t, db, "T1", p.ID)
	if _, err := other.TakeOffer(ctx, o2, p, nil, flows.NewPlan("T1", "C1", "q2 launch", "U1", t0), "EvDup"); !errors.Is(err, flows.ErrDuplicatePlan) {
		t.Fatalf("taking an offer for a used name: %v, want ErrDuplicatePlan", err)
	}
	if _, ok, _ := db.Offer(ctx, "T1", "C1", p.ID, "U1"); !ok {
		t.Error("a refused take removed the offer")
	}
	if err := db.MarkSeen(ctx, "T1", "EvDup"); err != nil {
		t.Errorf("a refused take recorded its key: %v", err)
	}

	// An offer made with a co-answer reads back as one.
	p = load(t, db, "T1", p.ID)
	beside := flows.Offer{Team: "T1", Channel: "C1", Plan: p.ID, User: "U2", Command: "new Spring", QuestionID: flows.QuestionBusiness,
		Revision: p.Answers[flows.QuestionBusiness].Next(), Beside: true, Version: p.Version, Expires: t0.Add(10 * time.Minute)}
	if err := db.CommitOffer(ctx, p, nil, beside, ""); err != nil {
		t.Fatal(err)
	}
	if got, ok, err := other.Offer(ctx, "T1", "C1", p.ID, "U2"); err != nil || !ok {
		t.Errorf("co-answer offer: %v, %v", ok, err)
	} else if diff := cmp.Diff(beside, got); diff != "" {
		t.Errorf("co-answer offer (-want +got):\n%s", diff)
	}
}

// testTakenLine: a line kept as an answer, and one kept as a co-answer,
// each with its author's offer; taking an offer marks its line as having
// started the plan, read back by its author and message alone. A take
// refused (the name in use) marks nothing.
func testTakenLine(t *testing.T, open Open) {
	db, another := open(t)
	ctx := ctxFor(t)
	other := another()
	p := newPlan(t, db, "T1", "C1", "Q1")
	q := flows.QuestionBusiness
	line := flows.AnswerRecorded{Answer: flows.Answer{QuestionID: q, Text: "new Launch", By: "U1", At: t0, Revision: 1, Source: "C1/1.000001"}}
	o := flows.Offer{Team: "T1", Channel: "C1", Plan: p.ID, User: "U1", Command: "new Launch", QuestionID: q,
		Revision: 1, Version: p.Version + 1, Expires: t0.Add(10 * time.Minute)}
	if err := db.CommitOffer(ctx, p, []flows.Change{line}, o, ""); err != nil {
		t.Fatal(err)
	}
	p = load(t, db, "T1", p.ID)
	if id, _, err := other.TakenLine(ctx, "T1", p.ID, "C1/1.000001", "U1"); err != nil || id != 0 {
		t.Errorf("a line not taken yet: started %d, %v; want none", id, err)
	}
	// Ben's co-answer beside it, with his offer of a name in use.
	also := flows.AnswerAdded{QuestionID: q, Revision: 2, Contribution: flows.Contribution{Text: "new Q1", By: "U2", At: t0, Source: "C1/2.000002"}}
	ob := flows.Offer{Team: "T1", Channel: "C1", Plan: p.ID, User: "U2", Command: "new Q1", QuestionID: q,
		Revision: 2, Beside: true, Version: p.Version + 1, Expires: t0.Add(10 * time.Minute)}
	if err := db.CommitOffer(ctx, p, []flows.Change{also}, ob, ""); err != nil {
		t.Fatal(err)
	}
	p = load(t, db, "T1", p.ID)
	o.Version = p.Version
	withdraw := []flows.Change{flows.AnswerWithdrawn{QuestionID: q, Revision: 3, Source: "C1/2.000002", By: "U2", At: t0}}
	if _, err := other.TakeOffer(ctx, ob, p, withdraw, flows.NewPlan("T1", "C1", "q1", "U2", t0), ""); !errors.Is(err, flows.ErrDuplicatePlan) {
		t.Fatalf("taking an offer for a used name: %v, want ErrDuplicatePlan", err)
	}
	if id, _, err := db.TakenLine(ctx, "T1", p.ID, "C1/2.000002", "U2"); err != nil || id != 0 {
		t.Errorf("after a take refused: started %d, %v; want none", id, err)
	}
	ob.Command = "new Spring"
	if err := db.CommitOffer(ctx, p, nil, ob, ""); err != nil {
		t.Fatal(err)
	}
	spring, err := other.TakeOffer(ctx, ob, p, withdraw, flows.NewPlan("T1", "C1", "Spring", "U2", t0), "")
	if err != nil {
		t.Fatal(err)
	}
	p = load(t, other, "T1", p.ID)
	o.Version = p.Version
	if err := db.CommitOffer(ctx, p, nil, o, ""); err != nil {
		t.Fatal(err)
	}
	withdraw = []flows.Change{flows.AnswerWithdrawn{QuestionID: q, Revision: 4, Source: "C1/1.000001", By: "U1", At: t0}}
	launch, err := db.TakeOffer(ctx, o, p, withdraw, flows.NewPlan("T1", "C1", "Launch", "U1", t0), "")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		source, user string
		want         flows.PlanID
	}{
		{"C1/1.000001", "U1", launch}, {"C1/2.000002", "U2", spring},
		{"C1/1.000001", "U2", 0}, {"C1/3.000003", "U1", 0},
	} {
		if id, qid, err := other.TakenLine(ctx, "T1", p.ID, c.source, c.user); err != nil || id != c.want || (c.want != 0 && qid != q) {
			t.Errorf("TakenLine(%s by %s) = %d in %q, %v; want %d in %s", c.source, c.user, id, qid, err, c.want, q)
		}
	}
	if id, _, _ := other.TakenLine(ctx, "T2", p.ID, "C1/1.000001", "U1"); id != 0 {
		t.Errorf("another team reads the line as having started %d", id)
	}
	if id, _, _ := other.TakenLine(ctx, "T1", launch, "C1/1.000001", "U1"); id != 0 {
		t.Errorf("the plan it started reads the line as its own, started %d", id)
	}
}

func testCheckins(t *testing.T, open Open) {
	db, another := open(t)
	ctx := ctxFor(t)
	other := another()
	p := newPlan(t, db, "T1", "C1", "Q1")
	c := flows.Checkin{Team: "T1", Plan: p.ID, Occurrence: "2026-11-23T09:00", Channel: "C1", Late: true,
		OpenedAt: t0, NudgeAt: t0.Add(4 * time.Hour), CloseAt: t0.Add(48 * time.Hour)}
	id, err := db.CreateCheckin(ctx, "T1", c)
	if err != nil {
		t.Fatal(err)
	}
	c.ID = id
	// Not claimable before its thread is posted.
	if got, ok, err := other.ClaimNudge(ctx, t0.Add(72*time.Hour)); ok || err != nil {
		t.Errorf("nudge claimed before the thread was posted: %v, %v", got, err)
	}
	if err := db.SetCheckinMessages(ctx, id, "111.1", "111.2"); err != nil {
		t.Fatal(err)
	}
	c.Thread, c.SummaryTS = "111.1", "111.2"
	got, err := other.CheckinByThread(ctx, "T1", "C1", "111.1")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(c, got); diff != "" {
		t.Errorf("check-in by thread (-want +got):\n%s", diff)
	}
	if got, err := other.CheckinByID(ctx, "T1", id); err != nil || got.Thread != "111.1" {
		t.Errorf("check-in by id: %+v, %v", got, err)
	}
	// A summary marked as maybe behind its values keeps the greatest
	// mark (the drawing that lands last), changed by every marking after
	// it, and each marking is told the mark it found, in one step; a mark
	// is cleared only with the value kept, so never by a drawing marked
	// before another. The mark is seen by every handle.
	markOf := func(want int64, what string) {
		t.Helper()
		if got, err := other.CheckinByID(ctx, "T1", id); err != nil || got.SummaryMark != want {
			t.Errorf("%s: summary mark %d, %v; want %d", what, got.SummaryMark, err, want)
		}
	}
	mark := func(s Store, m, wantPrevious int64) {
		t.Helper()
		if previous, err := s.MarkSummaryOverdrawn(ctx, id, m); err != nil || previous != wantPrevious {
			t.Errorf("mark %d: previous %d, %v; want %d", m, previous, err, wantPrevious)
		}
	}
	mark(db, 7, 0)
	mark(other, 9, 7)
	markOf(9, "marked 7, then 9")
	mark(db, 8, 9)
	markOf(10, "marked 7, 9, then 8")
	for _, m := range []int64{8, 9} {
		if err := db.ClearSummaryOverdrawn(ctx, id, m); err != nil {
			t.Fatal(err)
		}
	}
	markOf(10, "cleared by the drawings marked, the greater before another")
	if err := other.ClearSummaryOverdrawn(ctx, id, 10); err != nil {
		t.Fatal(err)
	}
	markOf(0, "cleared with the mark kept")
	if previous, err := db.MarkSummaryOverdrawn(ctx, 1<<40, 5); err != nil || previous != 0 {
		t.Errorf("mark of no check-in: previous %d, %v; want 0, nil", previous, err)
	}
	if _, err := other.CheckinByID(ctx, "T2", id); !errors.Is(err, flows.ErrNoCheckin) {
		t.Errorf("another team's check-in by id: %v", err)
	}
	if _, err := other.CheckinByThread(ctx, "T1", "C1", ""); !errors.Is(err, flows.ErrNoCheckin) {
		t.Errorf("check-in with no thread: %v", err)
	}
	if _, ok, _ := db.ClaimNudge(ctx, t0.Add(time.Hour)); ok {
		t.Error("nudged before its time")
	}
	n, ok, err := other.ClaimNudge(ctx, t0.Add(5*time.Hour))
	if err != nil || !ok || n.ID != id || !n.Nudged {
		t.Errorf("nudge: %+v, %v, %v", n, ok, err)
	}
	if _, ok, _ := db.ClaimNudge(ctx, t0.Add(6*time.Hour)); ok {
		t.Error("nudged twice")
	}
	cl, ok, err := db.ClaimClose(ctx, t0.Add(49*time.Hour))
	if err != nil || !ok || !cl.Closed || cl.Team != "T1" {
		t.Errorf("close: %+v, %v, %v", cl, ok, err)
	}
	if _, ok, _ := other.ClaimClose(ctx, t0.Add(50*time.Hour)); ok {
		t.Error("closed twice")
	}
	// A check-in closed before its nudge is never nudged.
	id2, err := db.CreateCheckin(ctx, "T1", flows.Checkin{Plan: p.ID, Channel: "C1", OpenedAt: t0, NudgeAt: t0.Add(time.Hour), CloseAt: t0.Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.SetCheckinMessages(ctx, id2, "222.1", ""); err != nil {
		t.Fatal(err)
	}
	if _, ok, _ := db.ClaimClose(ctx, t0.Add(2*time.Hour)); !ok {
		t.Fatal("second check-in not closed")
	}
	if got, ok, _ := db.ClaimNudge(ctx, t0.Add(2*time.Hour)); ok {
		t.Errorf("a closed check-in was nudged: %+v", got)
	}
	if err := db.SetCheckinMessages(ctx, id2+1000, "333.1", "333.2"); !errors.Is(err, flows.ErrNoCheckin) {
		t.Errorf("recording the messages of a check-in that is gone: %v, want ErrNoCheckin", err)
	}

	// One due to close by now gets no nudge: it would ask for numbers the
	// moment the check-in closes.
	late, err := db.CreateCheckin(ctx, "T1", flows.Checkin{Plan: p.ID, Channel: "C1", OpenedAt: t0, NudgeAt: t0.Add(time.Hour), CloseAt: t0.Add(2 * time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.SetCheckinMessages(ctx, late, "333.1", ""); err != nil {
		t.Fatal(err)
	}
	if got, ok, _ := other.ClaimNudge(ctx, t0.Add(3*time.Hour)); ok {
		t.Errorf("a check-in due to close was nudged: %+v", got)
	}
	if _, ok, _ := db.ClaimClose(ctx, t0.Add(3*time.Hour)); !ok {
		t.Fatal("the late check-in not closed")
	}

	// A paused plan's check-in waits for its nudge until it is resumed.
	held, err := db.CreateCheckin(ctx, "T1", flows.Checkin{Plan: p.ID, Channel: "C1", OpenedAt: t0, NudgeAt: t0.Add(time.Hour), CloseAt: t0.Add(48 * time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.SetCheckinMessages(ctx, held, "444.1", ""); err != nil {
		t.Fatal(err)
	}
	if err := db.SetSchedule(ctx, "T1", p.ID, "every monday 09:00 UTC", "UTC", "U1", t0); err != nil {
		t.Fatal(err)
	}
	if err := db.SetPaused(ctx, "T1", p.ID, true, t0); err != nil {
		t.Fatal(err)
	}
	if got, ok, _ := other.ClaimNudge(ctx, t0.Add(2*time.Hour)); ok {
		t.Errorf("a paused plan's check-in was nudged: %+v", got)
	}
	if err := db.SetPaused(ctx, "T1", p.ID, false, t0.Add(3*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if got, ok, _ := other.ClaimNudge(ctx, t0.Add(4*time.Hour)); !ok || got.ID != held {
		t.Errorf("after the resume: nudge %+v, %v; want check-in %d", got, ok, held)
	}
}

// testCheckinClaims: many check-ins due at once, claimed by handles
// racing: each is nudged once and closed once.
func testCheckinClaims(t *testing.T, open Open) {
	db, another := open(t)
	ctx := ctxFor(t)
	handles := []Store{db, another(), another()}
	p := newPlan(t, db, "T1", "C1", "Q1")
	const n = 12
	for i := range n {
		id, err := db.CreateCheckin(ctx, "T1", flows.Checkin{Plan: p.ID, Channel: "C1", OpenedAt: t0, NudgeAt: t0.Add(time.Hour), CloseAt: t0.Add(2 * time.Hour)})
		if err != nil {
			t.Fatal(err)
		}
		if err := db.SetCheckinMessages(ctx, id, fmt.Sprintf("%d.1", i), ""); err != nil {
			t.Fatal(err)
		}
	}
	for _, claim := range []struct {
		name string
		fn   func(Store) (flows.Checkin, bool, error)
	}{
		{"nudge", func(s Store) (flows.Checkin, bool, error) { return s.ClaimNudge(ctx, t0.Add(90*time.Minute)) }},
		{"close", func(s Store) (flows.Checkin, bool, error) { return s.ClaimClose(ctx, t0.Add(3*time.Hour)) }},
	} {
		var (
			mu  sync.Mutex
			got = map[int64]int{}
		)
		// Each racer claims until nothing is left, as a replica's loop does.
		race(t, 6, func(i int) error {
			for {
				c, ok, err := claim.fn(handles[i%3])
				if err != nil || !ok {
					return err
				}
				mu.Lock()
				got[c.ID]++
				mu.Unlock()
			}
		})
		if len(got) != n {
			t.Errorf("%s: %d check-ins claimed, want %d", claim.name, len(got), n)
		}
		for id, times := range got {
			if times != 1 {
				t.Errorf("%s: check-in %d claimed %d times", claim.name, id, times)
			}
		}
	}
}
