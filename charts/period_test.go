package charts

import (
	"math"
	"testing"
	"time"
)

// TestPanelsShareThePlanPeriod: every panel's time axis runs from the
// plan's start to the latest deadline, the panel of a KPI without values
// too, which once showed only the month before its own deadline.
func TestPanelsShareThePlanPeriod(t *testing.T) {
	started := time.Date(2025, time.December, 15, 11, 0, 0, 0, time.UTC)
	deadline := time.Date(2026, time.March, 31, 0, 0, 0, 0, time.UTC)
	series := []Series{
		{Name: "Visitors", Points: weekly(8100, 8900, 10150), Start: started,
			Target: 20000, HasTarget: true, Deadline: deadline.AddDate(0, -1, 0)},
		{Name: "Return on ad spend", Unit: "ratio", Target: 4, HasTarget: true, Deadline: deadline},
	}
	xmin, xmax := chartPeriod(series, time.UTC)
	wantMin := unixSeconds(time.Date(2025, time.December, 15, 0, 0, 0, 0, time.UTC))
	if xmin != wantMin {
		t.Errorf("period starts %v, want the plan's first day %v", unixTime(xmin), unixTime(wantMin))
	}
	if end := unixSeconds(deadline); xmax < end || xmax > end+0.05*(end-wantMin) {
		t.Errorf("period ends %v, want just past the latest deadline %v", unixTime(xmax), deadline)
	}
	for _, s := range series {
		p := newPanel(s, time.UTC, xmin, xmax)
		if p.xmin != xmin || p.xmax != xmax {
			t.Errorf("%s spans %v..%v, want the plan's period", s.Name, unixTime(p.xmin), unixTime(p.xmax))
		}
	}

	// Without a start the first value opens the period.
	series[0].Start = time.Time{}
	if xmin, _ := chartPeriod(series, time.UTC); xmin != unixSeconds(time.Date(2026, 2, 2, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("without a start the period begins %v, want the first value's day", unixTime(xmin))
	}
	// With nothing but deadlines: the month before the last one.
	only := []Series{{Name: "Fans", Deadline: deadline}}
	if xmin, _ := chartPeriod(only, time.UTC); xmin != unixSeconds(deadline.AddDate(0, 0, -28)) {
		t.Errorf("deadline only: period begins %v, want four weeks before it", unixTime(xmin))
	}
}

// TestTrendRange: a projection near the values widens the value axis to
// show it; a wild one does not squash the values flat, it runs off the
// plot instead.
func TestTrendRange(t *testing.T) {
	end := monday.AddDate(0, 2, 0)
	base := Series{Name: "Leads", Points: weekly(100, 110, 125), Target: 150, HasTarget: true, Deadline: end}
	xmin, xmax := chartPeriod([]Series{base}, time.UTC)

	near := base
	near.Trend = []Point{{monday, 100}, {end, 190}}
	if p := newPanel(near, time.UTC, xmin, xmax); p.ymax < 190 {
		t.Errorf("projection 190 is off the axis (max %v)", p.ymax)
	}
	wild := base
	wild.Trend = []Point{{monday, 100}, {end, 1e6}}
	if p := newPanel(wild, time.UTC, xmin, xmax); p.ymax > 1000 {
		t.Errorf("a projection of 1e6 stretched the axis to %v", p.ymax)
	}
}

func TestClipSegment(t *testing.T) {
	f := frame{x0: 0, y0: 0, x1: 100, y1: 50}
	tests := []struct {
		name    string
		a, b    point
		want    [2]point
		visible bool
	}{
		{"inside", point{10, 10}, point{90, 40}, [2]point{{10, 10}, {90, 40}}, true},
		{"off the top", point{0, 50}, point{100, -50}, [2]point{{0, 50}, {50, 0}}, true},
		{"from the left", point{-50, 25}, point{50, 25}, [2]point{{0, 25}, {50, 25}}, true},
		{"outside", point{120, 10}, point{200, 40}, [2]point{}, false},
		{"beside, vertical", point{-1, 0}, point{-1, 50}, [2]point{}, false},
	}
	for _, tt := range tests {
		a, b, ok := clipSegment(tt.a, tt.b, f)
		if ok != tt.visible {
			t.Errorf("%s: visible = %v, want %v", tt.name, ok, tt.visible)
			continue
		}
		if !ok {
			continue
		}
		near := func(p, q point) bool { return math.Abs(p.x-q.x) < 1e-9 && math.Abs(p.y-q.y) < 1e-9 }
		if !near(a, tt.want[0]) || !near(b, tt.want[1]) {
			t.Errorf("%s: clipped to %v–%v, want %v–%v", tt.name, a, b, tt.want[0], tt.want[1])
		}
	}
}
