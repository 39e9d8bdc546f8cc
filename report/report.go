// Package report turns a plan's KPIs and recorded values into the PNG
// charts posted with /race report and each closed check-in: the progress
// chart, one panel per KPI, and the funnel. It is the glue between flows,
// which judges progress, and charts, which draws; neither knows the other.
package report

import (
	"fmt"
	"io"
	"math"
	"strings"
	"time"

	"github.com/racebot/racebot/charts"
	"github.com/racebot/racebot/flows"
)

// Chart draws one panel per KPI of the plan, in the plan's order, with its
// values over time against the target line, its trend projected to the
// deadline and its status as of now, and writes the PNG to w. Every panel
// spans the plan's period, from its start to the latest deadline. Dates
// are drawn in loc (UTC if nil), the team's zone. With no KPIs it fails
// with charts.ErrNoData.
func Chart(w io.Writer, title string, p *flows.Plan, ms map[int64][]flows.Measurement, now time.Time, loc *time.Location) error {
	if loc == nil {
		loc = time.UTC
	}
	series := Series(p.KPIs, ms, now, loc)
	if !p.CreatedAt.IsZero() {
		for i := range series {
			series[i].Start = p.CreatedAt.In(loc)
		}
	}
	if err := charts.Render(w, title, series); err != nil {
		return fmt.Errorf("chart kpis: %w", err)
	}
	return nil
}

// Series converts KPIs and their values into what charts draws. Values
// given as n/a are left out, and so is money in a currency other than the
// KPI's, as it cannot be drawn on the same axis. Each series starts when
// its target was set, and carries the trend KPIProgress judges it by.
func Series(kpis []flows.KPI, ms map[int64][]flows.Measurement, now time.Time, loc *time.Location) []charts.Series {
	if loc == nil {
		loc = time.UTC
	}
	out := make([]charts.Series, 0, len(kpis))
	for _, k := range kpis {
		values := flows.Comparable(k, ms[k.ID])
		prog := flows.KPIProgress(k, values, now)
		s := charts.Series{
			Name:        k.Name,
			Unit:        unit(k),
			Baseline:    k.Baseline.Amount,
			HasBaseline: k.HasBaseline(),
			Target:      k.Target.Amount,
			HasTarget:   k.HasTarget(),
			Status:      status(prog.Status),
		}
		if !k.At.IsZero() {
			s.Start = k.At.In(loc)
		}
		if !k.Deadline.IsZero() {
			// A deadline is a calendar date; the team's zone says where on
			// the time axis that day starts.
			y, m, d := k.Deadline.Date()
			s.Deadline = time.Date(y, m, d, 0, 0, 0, 0, loc)
		}
		if prog.HasProjection && !s.Deadline.IsZero() {
			// The projection is for the end of the deadline day; it is
			// drawn where the target line ends, a day's pace short of it.
			s.Trend = []charts.Point{
				{At: prog.TrendFrom.In(loc), Value: prog.TrendFromValue},
				{At: s.Deadline, Value: prog.Projected},
			}
		}
		for _, m := range values {
			if m.Value.Missing {
				continue
			}
			s.Points = append(s.Points, charts.Point{At: m.At.In(loc), Value: m.Value.Amount})
		}
		out = append(out, s)
	}
	return out
}

// Funnel draws the plan's funnel, visitors to revenue, each stage's latest
// value against its target, and writes the PNG to w. Stages no KPI tracks
// are worked out from the rates beside them (flows.FunnelCounts). With no
// stage to draw it fails with charts.ErrNoData.
func Funnel(w io.Writer, title string, kpis []flows.KPI, ms map[int64][]flows.Measurement) error {
	if err := charts.RenderFunnel(w, title, FunnelStages(kpis, ms)); err != nil {
		return fmt.Errorf("chart funnel: %w", err)
	}
	return nil
}

// FunnelStages converts the plan's funnel counts into what charts draws.
// Each stage's note gives the rate from the stage before (leads as a share
// of visitors, revenue per sale), or else its RACE stage; a stage worked
// out from rates is marked Derived. Stages with neither a target nor a
// value are left out.
func FunnelStages(kpis []flows.KPI, ms map[int64][]flows.Measurement) []charts.FunnelStage {
	counts := flows.FunnelCounts(kpis, ms)
	var out []charts.FunnelStage
	for i, c := range counts {
		if !c.HasTarget && !c.HasActual {
			continue
		}
		u := string(c.Unit)
		if c.Unit == flows.UnitCurrency {
			u = "currency"
			if c.Currency != "" {
				u += ":" + c.Currency
			}
		}
		st := charts.FunnelStage{Name: c.Name, Unit: u,
			Target: c.Target, HasTarget: c.HasTarget, Actual: c.Actual, HasActual: c.HasActual,
			Derived: c.TargetFrom != "" || c.ActualFrom != ""}
		st.Note = stageNote(c, counts[:i])
		out = append(out, st)
	}
	return out
}

// stageNote is the line under a funnel stage's name.
func stageNote(c flows.FunnelCount, before []flows.FunnelCount) string {
	title := map[flows.StageID]string{flows.StageReach: "Reach", flows.StageAct: "Act", flows.StageConvert: "Convert"}[c.Stage]
	if len(before) == 0 {
		return title
	}
	prev := before[len(before)-1]
	rate := func(a, b float64) (string, bool) {
		if b <= 0 || math.IsNaN(a/b) || math.IsInf(a/b, 0) {
			return "", false
		}
		if c.Unit == flows.UnitCurrency {
			return flows.FormatValue(flows.Value{Amount: a / b, Unit: flows.UnitCurrency, Currency: c.Currency}), true
		}
		return flows.FormatValue(flows.Value{Amount: a / b * 100, Unit: flows.UnitPercent}), true
	}
	now, okNow := rate(c.Actual, prev.Actual)
	okNow = okNow && c.HasActual && prev.HasActual
	goal, okGoal := rate(c.Target, prev.Target)
	okGoal = okGoal && c.HasTarget && prev.HasTarget
	of := "of " + strings.ToLower(prev.Name)
	if c.Unit == flows.UnitCurrency {
		of = "a sale"
	}
	switch {
	case okNow && okGoal:
		return fmt.Sprintf("%s %s, target %s", now, of, goal)
	case okNow:
		return fmt.Sprintf("%s %s", now, of)
	case okGoal:
		return fmt.Sprintf("target %s %s", goal, of)
	}
	return title
}

// unit writes a KPI's unit the way charts.Series.Unit expects it. A ratio
// KPI is a score or an average (an NPS, a rating, pages per visit), so it
// is drawn as a plain number: 47, not 47×.
func unit(k flows.KPI) string {
	switch k.Unit {
	case flows.UnitRatio:
		return "number"
	case flows.UnitCurrency:
	default:
		return string(k.Unit)
	}
	for _, c := range []string{k.Currency, k.Target.Currency, k.Baseline.Currency} {
		if c != "" {
			return "currency:" + c
		}
	}
	return "currency"
}

// status words a flows status for a panel's header. Achieved counts as on
// track: charts colours only the three judgements, and the line already
// shows the target reached.
func status(s flows.Status) string {
	switch s {
	case flows.StatusOnTrack, flows.StatusAchieved:
		return "on track"
	case flows.StatusAtRisk:
		return "at risk"
	case flows.StatusOffTrack:
		return "off track"
	}
	return ""
}
