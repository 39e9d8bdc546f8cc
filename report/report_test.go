package report_test

import (
	"bytes"
	"errors"
	"flag"
	"image"
	"image/draw"
	"image/png"
	"os"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/racebot/racebot/charts"
	"github.com/racebot/racebot/flows"
	"github.com/racebot/racebot/report"
)

// -sample writes the test plan's chart to a file for a person to look at:
// go test ./report -run TestChart -sample=/tmp/report-sample.png
var samplePath = flag.String("sample", "", "write the sample chart to this PNG file")

func berlin(tb testing.TB) *time.Location {
	tb.Helper()
	loc, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		tb.Fatalf("load location: %v", err)
	}
	return loc
}

// now is the morning of the sixth weekly check-in.
var now = time.Date(2027, 2, 8, 10, 0, 0, 0, time.UTC)

// plan is a quarter's three KPIs as storage returns them: deadlines as UTC
// midnights, values by KPI id, one n/a, one value in a foreign currency.
func plan() ([]flows.KPI, map[int64][]flows.Measurement) {
	deadline := time.Date(2027, 3, 31, 0, 0, 0, 0, time.UTC)
	set := time.Date(2027, 1, 4, 8, 0, 0, 0, time.UTC)
	kpi := func(id int64, key, name string, unit flows.UnitKind, base, target float64) flows.KPI {
		return flows.KPI{ID: id, Plan: 1, Key: key, Name: name, Unit: unit, HigherIsBetter: true,
			Baseline: flows.Value{Amount: base, Unit: unit}, Target: flows.Value{Amount: target, Unit: unit},
			Deadline: deadline, Owner: "<@UANA>", At: set}
	}
	revenue := kpi(2, "revenue", "Revenue", flows.UnitCurrency, 9000, 30000)
	revenue.Currency, revenue.Target.Currency = "USD", "USD"
	kpis := []flows.KPI{
		kpi(1, "visitors", "Unique visitors", flows.UnitCount, 8000, 20000),
		revenue,
		kpi(3, "lead-rate", "Lead conversion rate", flows.UnitPercent, 2.0, 3.5),
	}
	week := func(i int) time.Time { return time.Date(2027, 1, 4, 8, 0, 0, 0, time.UTC).AddDate(0, 0, 7*i) }
	series := func(id int64, unit flows.UnitKind, values ...float64) []flows.Measurement {
		var ms []flows.Measurement
		for i, v := range values {
			ms = append(ms, flows.Measurement{KPI: id, Value: flows.Value{Amount: v, Unit: unit}, At: week(i + 1), By: "UANA", Checkin: int64(i + 1)})
		}
		return ms
	}
	ms := map[int64][]flows.Measurement{
		1: series(1, flows.UnitCount, 8900, 10150, 11200, 12400, 13900),
		2: series(2, flows.UnitCurrency, 9800, 11250, 10900, 14100, 16600),
		3: series(3, flows.UnitPercent, 2.1, 2.4, 2.2, 2.0, 1.9),
	}
	ms[2][2].Value.Missing = true
	ms[2] = append(ms[2], flows.Measurement{KPI: 2, Value: flows.Value{Amount: 900, Unit: flows.UnitCurrency, Currency: "EUR"}, At: week(5).Add(time.Hour)})
	return kpis, ms
}

func pt(at time.Time, v float64) charts.Point { return charts.Point{At: at, Value: v} }

func TestSeries(t *testing.T) {
	loc := berlin(t)
	kpis, ms := plan()
	noTarget := flows.KPI{ID: 4, Name: "Time on site", Unit: flows.UnitDuration,
		Baseline: flows.Value{Unit: flows.UnitDuration, Missing: true}, Target: flows.Value{Unit: flows.UnitDuration, Missing: true}}
	plainMoney := flows.KPI{ID: 5, Name: "Average order", Unit: flows.UnitCurrency, HigherIsBetter: true,
		Target: flows.Value{Amount: 34, Unit: flows.UnitCurrency}, Baseline: flows.Value{Unit: flows.UnitCurrency, Missing: true}}
	nps := flows.KPI{ID: 6, Name: "Net Promoter Score", Unit: flows.UnitRatio, HigherIsBetter: true,
		Target: flows.Value{Amount: 50, Unit: flows.UnitRatio}, Baseline: flows.Value{Amount: 30, Unit: flows.UnitRatio}}
	done := kpis[0]
	done.Target.Amount = 12000
	at := func(d int) time.Time { return time.Date(2027, 1, d, 9, 0, 0, 0, loc) }
	deadline := time.Date(2027, 3, 31, 0, 0, 0, 0, loc)
	set := time.Date(2027, 1, 4, 9, 0, 0, 0, loc)
	// trend is the line KPIProgress judges k by, from its first point to
	// the deadline, where the chart draws the projection.
	trend := func(k flows.KPI, deadline time.Time) []charts.Point {
		p := flows.KPIProgress(k, flows.Comparable(k, ms[k.ID]), now)
		if !p.HasProjection {
			t.Fatalf("%s has no trend", k.Name)
		}
		return []charts.Point{pt(p.TrendFrom.In(deadline.Location()), p.TrendFromValue), pt(deadline, p.Projected)}
	}

	tests := []struct {
		name string
		kpis []flows.KPI
		loc  *time.Location
		want []charts.Series
	}{
		{
			name: "plan in the team's zone", kpis: kpis, loc: loc,
			want: []charts.Series{
				{Name: "Unique visitors", Unit: "count",
					Points:   []charts.Point{pt(at(11), 8900), pt(at(18), 10150), pt(at(25), 11200), pt(at(32), 12400), pt(at(39), 13900)},
					Baseline: 8000, HasBaseline: true, Target: 20000, HasTarget: true, Deadline: deadline, Status: "on track",
					Start: set, Trend: trend(kpis[0], deadline)},
				{Name: "Revenue", Unit: "currency:USD",
					Points:   []charts.Point{pt(at(11), 9800), pt(at(18), 11250), pt(at(32), 14100), pt(at(39), 16600)},
					Baseline: 9000, HasBaseline: true, Target: 30000, HasTarget: true, Deadline: deadline, Status: "at risk",
					Start: set, Trend: trend(kpis[1], deadline)},
				{Name: "Lead conversion rate", Unit: "percent",
					Points:   []charts.Point{pt(at(11), 2.1), pt(at(18), 2.4), pt(at(25), 2.2), pt(at(32), 2.0), pt(at(39), 1.9)},
					Baseline: 2.0, HasBaseline: true, Target: 3.5, HasTarget: true, Deadline: deadline, Status: "off track",
					Start: set, Trend: trend(kpis[2], deadline)},
			},
		},
		{
			name: "no target, no deadline, no values", kpis: []flows.KPI{noTarget}, loc: loc,
			want: []charts.Series{{Name: "Time on site", Unit: "duration"}},
		},
		{
			name: "money in the plan's own currency, nil zone is UTC", kpis: []flows.KPI{plainMoney},
			want: []charts.Series{{Name: "Average order", Unit: "currency", Target: 34, HasTarget: true}},
		},
		{
			// A ratio KPI is a score: drawn as 47, not 47×.
			name: "a score is a plain number", kpis: []flows.KPI{nps}, loc: loc,
			want: []charts.Series{{Name: "Net Promoter Score", Unit: "number", Target: 50, HasTarget: true, Baseline: 30, HasBaseline: true}},
		},
		{
			name: "achieved is drawn as on track", kpis: []flows.KPI{done}, loc: time.UTC,
			want: []charts.Series{{Name: "Unique visitors", Unit: "count",
				Points: []charts.Point{
					pt(at(11).In(time.UTC), 8900), pt(at(18).In(time.UTC), 10150), pt(at(25).In(time.UTC), 11200),
					pt(at(32).In(time.UTC), 12400), pt(at(39).In(time.UTC), 13900)},
				Baseline: 8000, HasBaseline: true, Target: 12000, HasTarget: true,
				Deadline: time.Date(2027, 3, 31, 0, 0, 0, 0, time.UTC), Status: "on track",
				Start: set.In(time.UTC), Trend: trend(done, time.Date(2027, 3, 31, 0, 0, 0, 0, time.UTC))}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := report.Series(tt.kpis, ms, now, tt.loc)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Series (-want +got):\n%s", diff)
			}
			for i, s := range got {
				for _, p := range append(s.Points, s.Trend...) {
					if want := tt.loc; want != nil && p.At.Location() != want {
						t.Errorf("series %d: point at %v is not in %v", i, p.At, want)
					}
				}
			}
		})
	}
}

// TestChartSpansThePlan: the chart's panels start on the day the plan
// did, before any target was set.
func TestChartSpansThePlan(t *testing.T) {
	kpis, ms := plan()
	p := &flows.Plan{Name: "Q1 Launch", CreatedAt: time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC), KPIs: kpis}
	var withPlan, withoutStart bytes.Buffer
	if err := report.Chart(&withPlan, "Q1", p, ms, now, berlin(t)); err != nil {
		t.Fatal(err)
	}
	later := *p
	later.CreatedAt = time.Time{}
	if err := report.Chart(&withoutStart, "Q1", &later, ms, now, berlin(t)); err != nil {
		t.Fatal(err)
	}
	if bytes.Equal(withPlan.Bytes(), withoutStart.Bytes()) {
		t.Error("a plan started a month before its targets draws the same chart as one without a start")
	}
}

func TestChart(t *testing.T) {
	kpis, ms := plan()
	tests := []struct {
		name          string
		kpis          []flows.KPI
		width, height int
	}{
		// Sizes follow charts' layout: a 56 px title, 400 px a row for up
		// to three panels, 360 px a row of two beyond, 20 px padding.
		{"three KPIs, one column", kpis, 1200, 56 + 3*400 + 20},
		{"one KPI", kpis[:1], 1200, 56 + 400 + 20},
		{"four KPIs, two columns", append(kpis[:3:3], kpis[0]), 1200, 56 + 2*360 + 20},
	}
	for _, tt := range tests {
		if raceEnabled && tt.name != "one KPI" {
			// One chart shows the glue under the race detector; the layouts
			// are single-goroutine pixel work and run without -race.
			continue
		}
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			p := &flows.Plan{Name: "Q1 Launch", CreatedAt: time.Date(2026, 12, 21, 9, 0, 0, 0, time.UTC), KPIs: tt.kpis}
			if err := report.Chart(&buf, "Q1 Launch · KPI progress", p, ms, now, berlin(t)); err != nil {
				t.Fatalf("Chart: %v", err)
			}
			raw := buf.Bytes()
			img, err := png.Decode(bytes.NewReader(raw))
			if err != nil {
				t.Fatalf("decode png: %v", err)
			}
			if got, want := img.Bounds().Size(), (image.Point{tt.width, tt.height}); got != want {
				t.Errorf("chart is %v, want %v", got, want)
			}
			if n := inked(img); n < img.Bounds().Dx()*img.Bounds().Dy()/100 {
				t.Errorf("only %d pixels are not white; the chart looks empty", n)
			}
			if tt.name == "three KPIs, one column" && *samplePath != "" {
				if err := os.WriteFile(*samplePath, raw, 0o644); err != nil {
					t.Fatal(err)
				}
			}
		})
	}
}

func TestChartNoKPIs(t *testing.T) {
	var buf bytes.Buffer
	err := report.Chart(&buf, "Empty", &flows.Plan{Name: "Empty"}, nil, now, time.UTC)
	if !errors.Is(err, charts.ErrNoData) {
		t.Errorf("Chart with no KPIs = %v, want charts.ErrNoData", err)
	}
}

// inked counts the pixels that are not white.
func inked(img image.Image) int {
	// Reading Pix keeps this quick under -race, where At per pixel of a
	// whole chart takes seconds.
	rgba, ok := img.(*image.RGBA)
	if !ok {
		rgba = image.NewRGBA(img.Bounds())
		draw.Draw(rgba, rgba.Bounds(), img, img.Bounds().Min, draw.Src)
	}
	n := 0
	for i := 0; i < len(rgba.Pix); i += 4 {
		if rgba.Pix[i] != 0xff || rgba.Pix[i+1] != 0xff || rgba.Pix[i+2] != 0xff {
			n++
		}
	}
	return n
}
