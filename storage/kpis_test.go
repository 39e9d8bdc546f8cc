package storage_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/racebot/racebot/flows"
	"github.com/racebot/racebot/internal/testdb"
	"github.com/racebot/racebot/storage"
)

// kpiT0 is when the KPI tests set their targets.
var kpiT0 = time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)

func kpiTestPlan(tb testing.TB, db *storage.DB, team, name string) flows.PlanID {
	tb.Helper()
	id, err := db.CreatePlan(context.Background(), flows.NewPlan(team, "C1", name, "U1", kpiT0), "")
	if err != nil {
		tb.Fatalf("create plan: %v", err)
	}
	return id
}

// kpiTestTargets parses KPI lines as a team types them and saves them to
// the plan, returning them with their ids.
func kpiTestTargets(tb testing.TB, db *storage.DB, team string, plan flows.PlanID, lines map[flows.StageID][]string) []flows.KPI {
	tb.Helper()
	cat := flows.RACE()
	var out []flows.KPI
	for _, st := range cat.Stages {
		for _, line := range lines[st.ID] {
			k, err := flows.ParseKPILine(cat, st.ID, line, kpiT0)
			if err != nil {
				tb.Fatalf("parse %q: %v", line, err)
			}
			k.Plan, k.By = plan, "U1"
			if k.ID, err = db.SaveKPI(context.Background(), team, k); err != nil {
				tb.Fatalf("save %q: %v", line, err)
			}
			out = append(out, k)
		}
	}
	return out
}

var fernhillTargets = map[flows.StageID][]string{
	flows.StageReach: {"visitors | baseline 9k | target 20k | by 2027-03-31 | owner Priya"},
	flows.StageAct: {"bounce rate | from 62% | to 45% | by 2027-03-31 | <@U2>", "custom: webinar sign-ups (count) | target 200 | in 12 weeks | @priya",
		"time on site | baseline 2m 30s | target 3m"},
	flows.StageConvert: {"aov | baseline $30 | target $34 | by 2027-03-31 | owner Ana", "revenue | target €18k"},
	flows.StageEngage:  {"clv"},
}

func TestKPIsRoundTrip(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := MustOpen(t, "")
	plan := kpiTestPlan(t, db, "T1", "Q1 Launch")

	want := kpiTestTargets(t, db, "T1", plan, fernhillTargets)

	got, err := db.KPIs(ctx, "T1", plan)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("KPIs (-saved +loaded):\n%s", diff)
	}
	if len(got) != 7 {
		t.Errorf("loaded %d KPIs, want 7", len(got))
	}
}

func TestSaveKPIReplacesTheTargetInPlace(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := MustOpen(t, "")
	plan := kpiTestPlan(t, db, "T1", "Q1 Launch")
	first := kpiTestTargets(t, db, "T1", plan, map[flows.StageID][]string{flows.StageReach: {"visitors | baseline 9k | target 20k | by 2027-03-31 | owner Priya"}})[0]
	if err := db.RecordMeasurements(ctx, "T1", plan, []flows.Measurement{{KPI: first.ID, Value: flows.Value{Amount: 10500, Unit: flows.UnitCount}, At: kpiT0.AddDate(0, 0, 7), By: "U2"}}, "Ev1"); err != nil {
		t.Fatal(err)
	}

	again := kpiTestTargets(t, db, "T1", plan, map[flows.StageID][]string{flows.StageReach: {"unique visitors | target 25k | by 2027-06-30 | owner Ana"}})[0]
	if again.ID != first.ID {
		t.Errorf("re-set target got id %d, want the first id %d", again.ID, first.ID)
	}
	got, err := db.KPIs(ctx, "T1", plan)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]flows.KPI{again}, got); diff != "" {
		t.Errorf("KPIs after re-setting (-want +got):\n%s", diff)
	}
	ms, err := db.Measurements(ctx, "T1", plan)
	if err != nil {
		t.Fatal(err)
	}
	if len(ms[first.ID]) != 1 {
		t.Errorf("values after re-setting the target = %v, want the one recorded before", ms)
	}
}

func TestRecordMeasurementsIsIdempotentAndOrdered(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := MustOpen(t, "")
	plan := kpiTestPlan(t, db, "T1", "Q1 Launch")
	kpis := kpiTestTargets(t, db, "T1", plan, map[flows.StageID][]string{
		flows.StageReach: fernhillTargets[flows.StageReach], flows.StageConvert: fernhillTargets[flows.StageConvert]})
	visitors, aov, revenue := kpis[0], kpis[1], kpis[2]
	count := func(x float64) flows.Value { return flows.Value{Amount: x, Unit: flows.UnitCount} }
	week := func(n int) time.Time { return kpiT0.AddDate(0, 0, 7*n) }

	// Week 2's reply arrives first, and Slack delivers it twice.
	reply2 := []flows.Measurement{
		{KPI: visitors.ID, Value: count(11200), At: week(2), By: "U2", Checkin: 2},
		{KPI: aov.ID, Value: flows.Value{Amount: 31.5, Unit: flows.UnitCurrency, Currency: "USD"}, At: week(2), By: "U3", Checkin: 2},
	}
	if err := db.RecordMeasurements(ctx, "T1", plan, reply2, "Ev2"); err != nil {
		t.Fatal(err)
	}
	if err := db.RecordMeasurements(ctx, "T1", plan, reply2, "Ev2"); !errors.Is(err, flows.ErrDuplicate) {
		t.Errorf("retried delivery: err = %v, want ErrDuplicate", err)
	}
	// A key is one delivery with one effect: whatever a later request with
	// the same key carries, it records nothing.
	more := []flows.Measurement{
		{KPI: visitors.ID, Value: count(99999), At: week(2), By: "U2", Checkin: 2},
		{KPI: revenue.ID, Value: flows.Value{Unit: flows.UnitCurrency, Missing: true}, At: week(2), By: "U3", Checkin: 2},
	}
	if err := db.RecordMeasurements(ctx, "T1", plan, more, "Ev2"); !errors.Is(err, flows.ErrDuplicate) {
		t.Errorf("another request under a recorded key: err = %v, want ErrDuplicate", err)
	}
	if err := db.RecordMeasurements(ctx, "T1", plan, more[1:], "Ev2b"); err != nil {
		t.Fatal(err)
	}
	// Week 1's value comes late, outside a check-in, from the terminal
	// (no key), so recording it twice really records it twice.
	reply1 := []flows.Measurement{{KPI: visitors.ID, Value: count(10100), At: week(1), By: "U2"}}
	for range 2 {
		if err := db.RecordMeasurements(ctx, "T1", plan, reply1, ""); err != nil {
			t.Fatal(err)
		}
	}
	reply3 := []flows.Measurement{{KPI: revenue.ID, Value: flows.Value{Amount: 4200, Unit: flows.UnitCurrency}, At: week(3), By: "U3", Checkin: 3}}
	if err := db.RecordMeasurements(ctx, "T1", plan, reply3, "Ev3"); err != nil {
		t.Fatal(err)
	}

	got, err := db.Measurements(ctx, "T1", plan)
	if err != nil {
		t.Fatal(err)
	}
	want := map[int64][]flows.Measurement{
		visitors.ID: {reply1[0], reply1[0], reply2[0]},
		aov.ID:      {reply2[1]},
		revenue.ID:  {more[1], reply3[0]},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Measurements (-want +got):\n%s", diff)
	}

	// The stored history drives progress: 9k → 11.2k in two weeks is well
	// ahead of the pace to 20k by the end of March.
	p := flows.KPIProgress(visitors, got[visitors.ID], week(2))
	if p.Status != flows.StatusOnTrack || p.Latest == nil || p.Latest.Value.Amount != 11200 {
		t.Errorf("progress from stored values = %+v, want on-track from 11.2k", p)
	}
}

func TestKPIsStayInTheirWorkspace(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := MustOpen(t, "")
	plan1 := kpiTestPlan(t, db, "T1", "Q1 Launch")
	plan2 := kpiTestPlan(t, db, "T2", "Q1 Launch")
	reach := map[flows.StageID][]string{flows.StageReach: fernhillTargets[flows.StageReach]}
	k1 := kpiTestTargets(t, db, "T1", plan1, reach)[0]
	k2 := kpiTestTargets(t, db, "T2", plan2, reach)[0]
	value := func(id int64) flows.Measurement {
		return flows.Measurement{KPI: id, Value: flows.Value{Amount: 12000, Unit: flows.UnitCount}, At: kpiT0, By: "U9"}
	}

	foreign := k1
	foreign.Plan, foreign.Target.Amount = plan1, 1
	if _, err := db.SaveKPI(ctx, "T2", foreign); !errors.Is(err, flows.ErrNoPlan) {
		t.Errorf("T2 saving a KPI on T1's plan: err = %v, want ErrNoPlan", err)
	}
	if _, err := db.KPIs(ctx, "T2", plan1); !errors.Is(err, flows.ErrNoPlan) {
		t.Errorf("T2 listing T1's KPIs: err = %v, want ErrNoPlan", err)
	}
	if _, err := db.Measurements(ctx, "T2", plan1); !errors.Is(err, flows.ErrNoPlan) {
		t.Errorf("T2 listing T1's values: err = %v, want ErrNoPlan", err)
	}
	if err := db.RecordMeasurements(ctx, "T2", plan1, []flows.Measurement{value(k1.ID)}, "EvX"); !errors.Is(err, flows.ErrNoPlan) {
		t.Errorf("T2 recording on T1's plan: err = %v, want ErrNoPlan", err)
	}
	// T2 slips T1's KPI id into a reply on its own plan: the whole reply is
	// refused, its own valid value included.
	if err := db.RecordMeasurements(ctx, "T2", plan2, []flows.Measurement{value(k2.ID), value(k1.ID)}, "EvY"); !errors.Is(err, flows.ErrNoPlan) {
		t.Errorf("T2 recording T1's KPI: err = %v, want ErrNoPlan", err)
	}

	for _, c := range []struct {
		team string
		plan flows.PlanID
		k    flows.KPI
	}{{"T1", plan1, k1}, {"T2", plan2, k2}} {
		kpis, err := db.KPIs(ctx, c.team, c.plan)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff([]flows.KPI{c.k}, kpis); diff != "" {
			t.Errorf("%s's KPIs changed (-want +got):\n%s", c.team, diff)
		}
		ms, err := db.Measurements(ctx, c.team, c.plan)
		if err != nil {
			t.Fatal(err)
		}
		if len(ms) != 0 {
			t.Errorf("%s has values %v, want none", c.team, ms)
		}
	}
	// The refused key was not used up: the same event can still land.
	if err := db.RecordMeasurements(ctx, "T2", plan2, []flows.Measurement{value(k2.ID)}, "EvY"); err != nil {
		t.Errorf("recording after a refused attempt: %v", err)
	}
}

func TestDeletePlanTakesItsValues(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	path := testdb.Path(t)
	db := MustOpen(t, path)
	plan := kpiTestPlan(t, db, "T1", "Q1 Launch")
	kpis := kpiTestTargets(t, db, "T1", plan, fernhillTargets)
	var ms []flows.Measurement
	for _, k := range kpis {
		ms = append(ms, flows.Measurement{KPI: k.ID, Value: flows.Value{Amount: 1, Unit: k.Unit}, At: kpiT0, By: "U1"})
	}
	if err := db.RecordMeasurements(ctx, "T1", plan, ms, "Ev1"); err != nil {
		t.Fatal(err)
	}

	// Reopening the file runs no migration twice and keeps everything.
	db2 := MustOpen(t, path)
	got, err := db2.KPIs(ctx, "T1", plan)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(kpis) {
		t.Errorf("after reopening, %d KPIs of %d are left", len(got), len(kpis))
	}
	values, err := db2.Measurements(ctx, "T1", plan)
	if err != nil {
		t.Fatal(err)
	}
	if len(values) != len(kpis) {
		t.Errorf("after reopening, values of %d KPIs are left, want %d", len(values), len(kpis))
	}

	if err := db2.DeletePlan(ctx, "T1", plan, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := db2.KPIs(ctx, "T1", plan); !errors.Is(err, flows.ErrNoPlan) {
		t.Errorf("KPIs of a deleted plan: err = %v, want ErrNoPlan", err)
	}
	// A new plan may reuse the id SQLite freed; nothing of the old one shows.
	again := kpiTestPlan(t, db2, "T1", "Q2 Launch")
	if values, err := db2.Measurements(ctx, "T1", again); err != nil || len(values) != 0 {
		t.Errorf("values of a fresh plan = %v, %v; want none", values, err)
	}
}
