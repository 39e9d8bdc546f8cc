package flows_test

import (
	"math"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/racebot/racebot/flows"
)

func TestFunnelCounts(t *testing.T) {
	// Fernhill's targets: 20k visitors, 2.5% become leads, 20% of them buy
	// at $30, $9,000 revenue. Values so far: 12k visitors, a 2% lead rate,
	// 40 sales; the rest are worked out from those.
	kpis := append(fernhill(), revenueKPI(9000), funnelKPI("sales", flows.UnitCount, -1, 0))
	kpis[len(kpis)-1].Target = flows.Value{Unit: flows.UnitCount, Missing: true}
	for i := range kpis {
		kpis[i].ID = int64(i + 1)
	}
	at := time.Date(2027, 1, 18, 9, 0, 0, 0, time.UTC)
	value := func(id int64, x float64, u flows.UnitKind, days int) flows.Measurement {
		return flows.Measurement{KPI: id, Value: flows.Value{Amount: x, Unit: u}, At: at.AddDate(0, 0, days)}
	}
	ms := map[int64][]flows.Measurement{
		1: {value(1, 12000, flows.UnitCount, 0), value(1, 9000, flows.UnitCount, -7)},
		2: {value(2, 2, flows.UnitPercent, 0)},
		6: {value(6, 40, flows.UnitCount, 0)},
	}
	got := flows.FunnelCounts(kpis, ms)
	want := []flows.FunnelCount{
		{Key: "visitors", Name: "Visitors", Stage: flows.StageReach, Unit: flows.UnitCount,
			Target: 20000, HasTarget: true, Actual: 12000, HasActual: true},
		{Key: "leads", Name: "Leads", Stage: flows.StageAct, Unit: flows.UnitCount,
			Target: 500, HasTarget: true, TargetFrom: "visitors × lead rate",
			Actual: 240, HasActual: true, ActualFrom: "visitors × lead rate"},
		{Key: "sales", Name: "Sales", Stage: flows.StageConvert, Unit: flows.UnitCount,
			Target: 100, HasTarget: true, TargetFrom: "leads × sales rate",
			Actual: 40, HasActual: true},
		{Key: "revenue", Name: "Revenue", Stage: flows.StageConvert, Unit: flows.UnitCurrency, Currency: "USD",
			Target: 9000, HasTarget: true},
	}
	if diff := cmp.Diff(want, got, cmpopts.EquateApprox(0, 1e-9)); diff != "" {
		t.Errorf("FunnelCounts (-want +got):\n%s", diff)
	}

	if got := flows.FunnelCounts([]flows.KPI{funnelKPI("bounce-rate", flows.UnitPercent, 60, 45)}, nil); got != nil {
		t.Errorf("a plan without funnel KPIs has funnel counts: %+v", got)
	}
}

// A leads target set per week and a visitors target per month are one
// funnel, as the funnel check reads them: the funnel the export and the
// chart draw must count both per month too, not set 300 leads a week
// against 20k visitors a month (a 1.5% lead rate the plan never asked
// for) and carry the week's leads down to a week's sales and revenue.
func TestFunnelCountsComparePerMonth(t *testing.T) {
	at := time.Date(2027, 1, 4, 9, 0, 0, 0, time.UTC)
	leads := funnelKPI("leads", flows.UnitCount, -1, 300)
	leads.Period = flows.PeriodWeek
	kpis := []flows.KPI{visitorsKPI(-1, 20000), leads, salesRateKPI(-1, 10), aovKPI(-1, 100)}
	for i := range kpis {
		kpis[i].ID, kpis[i].At, kpis[i].Deadline = int64(i+1), at, at.AddDate(0, 3, 0)
	}
	ms := map[int64][]flows.Measurement{
		1: {{KPI: 1, Value: flows.Value{Amount: 18000, Unit: flows.UnitCount}, At: at.AddDate(0, 0, 28)}},
		2: {{KPI: 2, Value: flows.Value{Amount: 270, Unit: flows.UnitCount}, At: at.AddDate(0, 0, 28)}},
	}
	report := flows.Funnel(kpis)
	counts := flows.FunnelCounts(kpis, ms)
	if len(counts) != 4 {
		t.Fatalf("FunnelCounts = %+v, want visitors, leads, sales and revenue", counts)
	}
	if got := counts[1].Target; math.Abs(got-1300) > 1e-6 {
		t.Errorf("leads target in the funnel = %v, want 1300 a month (300 a week)", got)
	}
	if got := counts[1].Actual; math.Abs(got-1170) > 1e-6 {
		t.Errorf("leads value in the funnel = %v, want 1170 a month (270 a week)", got)
	}
	if got, want := counts[3].Target, report.ImpliedRevenue; math.Abs(got-want) > 1e-6 {
		t.Errorf("revenue target in the funnel = %v, but the funnel check says the targets imply %v a month", got, want)
	}
}
