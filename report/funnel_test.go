package report_test

import (
	"bytes"
	"errors"
	"flag"
	"image/png"
	"os"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/racebot/racebot/charts"
	"github.com/racebot/racebot/flows"
	"github.com/racebot/racebot/report"
)

// -funnel writes the test plan's funnel to a file for a person to look at:
// go test ./report -run TestFunnel -funnel=/tmp/report-funnel.png
var funnelPath = flag.String("funnel", "", "write the sample funnel to this PNG file")

// funnelPlan is a quarter's funnel KPIs: visitors, a lead rate, leads
// counted, a sales rate, an average order and revenue in dollars, with
// their latest values (the lead rate's is older than the leads count).
func funnelPlan() ([]flows.KPI, map[int64][]flows.Measurement) {
	kpi := func(id int64, key string, unit flows.UnitKind, target float64) flows.KPI {
		return flows.KPI{ID: id, Key: key, Name: key, Unit: unit, HigherIsBetter: true,
			Baseline: flows.Value{Unit: unit, Missing: true}, Target: flows.Value{Amount: target, Unit: unit}}
	}
	usd := func(k flows.KPI) flows.KPI { k.Currency = "USD"; return k }
	kpis := []flows.KPI{
		kpi(1, "visitors", flows.UnitCount, 20000),
		kpi(2, "lead-rate", flows.UnitPercent, 2.5),
		kpi(3, "sales-rate", flows.UnitPercent, 20),
		usd(kpi(4, "aov", flows.UnitCurrency, 30)),
		usd(kpi(5, "revenue", flows.UnitCurrency, 12000)),
	}
	at := time.Date(2027, 2, 1, 9, 0, 0, 0, time.UTC)
	v := func(id int64, x float64, u flows.UnitKind) []flows.Measurement {
		return []flows.Measurement{{KPI: id, Value: flows.Value{Amount: x, Unit: u}, At: at}}
	}
	return kpis, map[int64][]flows.Measurement{
		1: v(1, 12400, flows.UnitCount),
		2: v(2, 2, flows.UnitPercent),
		3: v(3, 15, flows.UnitPercent),
		5: v(5, 5200, flows.UnitCurrency),
	}
}

func TestFunnelStages(t *testing.T) {
	kpis, ms := funnelPlan()
	got := report.FunnelStages(kpis, ms)
	// Leads and sales are worked out from the rates; revenue's
	// note is what a sale brought against the average order planned.
	want := []charts.FunnelStage{
		{Name: "Visitors", Note: "Reach", Unit: "count", Target: 20000, HasTarget: true, Actual: 12400, HasActual: true},
		{Name: "Leads", Note: "2% of visitors, target 2.5%", Unit: "count", Target: 500, HasTarget: true, Actual: 248, HasActual: true, Derived: true},
		{Name: "Sales", Note: "15% of leads, target 20%", Unit: "count", Target: 100, HasTarget: true, Actual: 37.2, HasActual: true, Derived: true},
		{Name: "Revenue", Note: "$139.78 a sale, target $120", Unit: "currency:USD", Target: 12000, HasTarget: true, Actual: 5200, HasActual: true},
	}
	if diff := cmp.Diff(want, got, cmpopts.EquateApprox(0, 1e-9)); diff != "" {
		t.Errorf("FunnelStages (-want +got):\n%s", diff)
	}

	var buf bytes.Buffer
	if err := report.Funnel(&buf, "Q1 Launch · Funnel", kpis, ms); err != nil {
		t.Fatalf("Funnel: %v", err)
	}
	if _, err := png.Decode(bytes.NewReader(buf.Bytes())); err != nil {
		t.Fatalf("decode funnel png: %v", err)
	}
	if *funnelPath != "" {
		if err := os.WriteFile(*funnelPath, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func TestFunnelWithoutFunnelKPIs(t *testing.T) {
	bounce := flows.KPI{ID: 1, Key: "bounce-rate", Unit: flows.UnitPercent,
		Baseline: flows.Value{Amount: 60, Unit: flows.UnitPercent}, Target: flows.Value{Amount: 45, Unit: flows.UnitPercent}}
	err := report.Funnel(&bytes.Buffer{}, "Funnel", []flows.KPI{bounce}, nil)
	if !errors.Is(err, charts.ErrNoData) {
		t.Errorf("Funnel of a plan with no funnel KPIs = %v, want charts.ErrNoData", err)
	}
}
