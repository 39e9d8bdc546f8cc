// Package report turns a plan's KPIs and recorded values into the PNG
// progress chart posted with /race report and each closed check-in. It is
// the glue between flows, which judges progress, and charts, which draws;
// neither knows the other.
package report

import (
	"fmt"
	"io"
	"time"

	"github.com/racebot/racebot/charts"
	"github.com/racebot/racebot/flows"
)

// Chart draws one panel per KPI, in the order given, with its values over
// time against the target line and its status as of now, and writes the
// PNG to w. Dates are drawn in loc (UTC if nil), the team's zone. With no
// KPIs it fails with charts.ErrNoData.
func Chart(w io.Writer, title string, kpis []flows.KPI, ms map[int64][]flows.Measurement, now time.Time, loc *time.Location) error {
	if err := charts.Render(w, title, Series(kpis, ms, now, loc)); err != nil {
		return fmt.Errorf("chart kpis: %w", err)
	}
	return nil
}

// Series converts KPIs and their values into what charts draws. Values
// given as n/a are left out, and so is money in a currency other than the
// KPI's, as it cannot be drawn on the same axis.
func Series(kpis []flows.KPI, ms map[int64][]flows.Measurement, now time.Time, loc *time.Location) []charts.Series {
	if loc == nil {
		loc = time.UTC
	}
	out := make([]charts.Series, 0, len(kpis))
	for _, k := range kpis {
		s := charts.Series{
			Name:        k.Name,
			Unit:        unit(k),
			Baseline:    k.Baseline.Amount,
			HasBaseline: k.HasBaseline(),
			Target:      k.Target.Amount,
			HasTarget:   k.HasTarget(),
			Status:      status(flows.KPIProgress(k, flows.Comparable(k, ms[k.ID]), now).Status),
		}
		if !k.Deadline.IsZero() {
			// A deadline is a calendar date; the team's zone says where on
			// the time axis that day starts.
			y, m, d := k.Deadline.Date()
			s.Deadline = time.Date(y, m, d, 0, 0, 0, 0, loc)
		}
		for _, m := range flows.Comparable(k, ms[k.ID]) {
			if m.Value.Missing {
				continue
			}
			s.Points = append(s.Points, charts.Point{At: m.At.In(loc), Value: m.Value.Amount})
		}
		out = append(out, s)
	}
	return out
}

// unit writes a KPI's unit the way charts.Series.Unit expects it.
func unit(k flows.KPI) string {
	if k.Unit != flows.UnitCurrency {
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
