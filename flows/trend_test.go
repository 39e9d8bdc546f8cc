package flows_test

import (
	"math"
	"testing"
	"time"

	"github.com/racebot/racebot/flows"
)

// TestKPITrendLine: the trend a chart draws starts at the first point the
// line was fitted through (the baseline when the target was set before the
// values) and runs to the projection at the end of the deadline day, on
// the same least-squares line that judges the status.
func TestKPITrendLine(t *testing.T) {
	count := func(x float64) flows.Value { return val(x, flows.UnitCount) }
	visitors := flows.KPI{ID: 1, Key: "visitors", Unit: flows.UnitCount, HigherIsBetter: true,
		Baseline: count(9000), Target: count(20000), Deadline: kpiDate(2027, 3, 31), At: kpiNow}
	ms := []flows.Measurement{kpiAfter(21, count(11000)), kpiAfter(7, count(9500))}
	p := flows.KPIProgress(visitors, ms, kpiNow.AddDate(0, 0, 28))
	if !p.HasProjection {
		t.Fatalf("no projection: %+v", p)
	}
	if !p.TrendFrom.Equal(kpiNow) {
		t.Errorf("trend starts %v, want the baseline's time %v", p.TrendFrom, kpiNow)
	}
	// Least squares through (0, 9000), (7, 9500), (21, 11000): slope
	// 22166.67 / 228.67 a day through the mean (9.33, 9833.33).
	slope := 22166.6667 / 228.6667
	if want := 9833.3333 - slope*9.3333; math.Abs(p.TrendFromValue-want) > 0.01 {
		t.Errorf("trend starts at %.2f, want %.2f", p.TrendFromValue, want)
	}
	end := kpiDate(2027, 4, 1)
	days := end.Sub(p.TrendFrom).Hours() / 24
	if got := p.TrendFromValue + slope*days; math.Abs(got-p.Projected) > 0.01 {
		t.Errorf("the line from the start reaches %.2f at the deadline, the projection is %.2f", got, p.Projected)
	}

	// Too short a history has no trend, and so no line.
	short := flows.KPIProgress(visitors, []flows.Measurement{kpiAfter(0, count(9100))}, kpiNow.Add(time.Hour))
	if short.HasProjection || !short.TrendFrom.IsZero() {
		t.Errorf("a value an hour old drew a trend: %+v", short)
	}
}
