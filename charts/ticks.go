package charts

import (
	"math"
	"time"
)

// tick is one labelled position on an axis.
type tick struct {
	Value float64
	Label string
}

// valueAxis is a y-axis range that starts and ends on a tick.
type valueAxis struct {
	min, max, step float64
	ticks          []float64
}

// targetIntervals is how many steps a value axis aims for: five labels
// stay readable in a panel a few hundred pixels tall.
const targetIntervals = 4

// newValueAxis picks a range covering lo..hi with round steps for the unit.
// Axes of quantities that cannot be negative (counts, money) never dip
// below zero just for padding.
func newValueAxis(lo, hi float64, unit string) valueAxis {
	if lo > hi {
		lo, hi = hi, lo
	}
	nonNegative := lo >= 0
	mid := lo/2 + hi/2
	// A flat or nearly flat series still needs a visible range, and one wide
	// enough that float64 can tell its ticks apart.
	minSpan := math.Max(math.Abs(mid)*0.1, 1e-9)
	switch {
	case hi == 0 && lo == 0:
		lo, hi = 0, 1
	case hi-lo < minSpan*1e-3 && nonNegative && mid > 0:
		// One positive value: measure it from zero, the honest scale.
		lo, hi = 0, mid*1.2
	case hi-lo < minSpan*1e-3:
		lo, hi = mid-minSpan, mid+minSpan
	default:
		pad := (hi - lo) * 0.08
		lo, hi = lo-pad, hi+pad
	}
	if nonNegative && lo < 0 {
		lo = 0
	}
	raw := (hi - lo) / targetIntervals
	var step float64
	if parseUnit(unit).kind == unitDuration {
		step = durationStep(raw)
	} else {
		step = niceStep(raw)
	}
	a := valueAxis{
		min:  math.Floor(lo/step) * step,
		max:  math.Ceil(hi/step) * step,
		step: step,
	}
	n := int(math.Round((a.max - a.min) / step))
	for i := 0; i <= n; i++ {
		a.ticks = append(a.ticks, a.min+float64(i)*step)
	}
	return a
}

// niceStep rounds raw up to 1, 2, 2.5 or 5 times a power of ten.
func niceStep(raw float64) float64 {
	if raw <= 0 || math.IsNaN(raw) || math.IsInf(raw, 0) {
		return 1
	}
	mag := math.Pow(10, math.Floor(math.Log10(raw)))
	for _, m := range []float64{1, 2, 2.5, 5} {
		if raw <= m*mag*(1+1e-9) {
			return m * mag
		}
	}
	return 10 * mag
}

// durationSteps are the steps a clock reader expects, in seconds.
var durationSteps = []float64{
	1, 2, 5, 10, 15, 30,
	60, 2 * 60, 5 * 60, 10 * 60, 15 * 60, 30 * 60,
	3600, 2 * 3600, 3 * 3600, 6 * 3600, 12 * 3600,
	86400, 2 * 86400, 7 * 86400, 14 * 86400,
}

// durationStep rounds raw seconds up to a clock-friendly step; below a
// second and beyond two weeks it falls back to decimal steps (of days for
// the latter).
func durationStep(raw float64) float64 {
	if raw < 1 {
		return niceStep(raw)
	}
	for _, s := range durationSteps {
		if raw <= s {
			return s
		}
	}
	return niceStep(raw/86400) * 86400
}

// labelledTicks is the axis's ticks with unit-aware labels.
func (a valueAxis) labelledTicks(unit string) []tick {
	labels := formatTicks(a.ticks, a.step, unit)
	ticks := make([]tick, len(a.ticks))
	for i, v := range a.ticks {
		ticks[i] = tick{Value: v, Label: labels[i]}
	}
	return ticks
}

// dateStep is one candidate spacing of date ticks.
type dateStep struct {
	days, months, years int
}

// dateSteps are tried in order until the labels fit; check-ins are weekly,
// so the week steps line up with them.
var dateSteps = []dateStep{
	{days: 1}, {days: 2}, {days: 7}, {days: 14},
	{months: 1}, {months: 2}, {months: 3}, {months: 6},
	{years: 1}, {years: 2}, {years: 5}, {years: 10}, {years: 25}, {years: 50}, {years: 100},
}

// minLabelGap is the least room, in pixels, between two date labels: less
// and a reader cannot tell where one ends and the next begins.
const minLabelGap = 14

// dateTicks labels whole days between min and max (Unix seconds) in loc on
// an axis px pixels wide. It takes the finest step whose labels, as wide as
// measure says, stand at least minLabelGap apart, so that no two overlap
// however long the range or narrow the panel. Labels may reach left and
// right pixels past the ends of the axis; a label that would reach further
// is left out.
//
// Steps of days read "Jan 2", of months "Jan" and of years "2027"; when the
// range spans more than one year, the first label and the first of each new
// year carry the year too ("Dec 28 2026", "Jan 2027").
func dateTicks(min, max float64, loc *time.Location, px, left, right float64, measure func(string) float64) []tick {
	if !(max > min) || px <= 0 {
		return nil
	}
	from, to := unixTime(min).In(loc), unixTime(max).In(loc)
	multiYear := from.Year() != to.Year()
	x := func(v float64) float64 { return (v - min) / (max - min) * px }
	var ticks []tick
	for _, s := range dateSteps {
		times := stepTimes(from, to, s)
		if len(times) > maxDateTicks || float64(len(times)-1)*minLabelGap > px+left+right {
			// Too many to fit even as labels of no width.
			continue
		}
		// A label dropped at an end can hand the year on to the next one,
		// which is then wider: settle which labels stay before measuring
		// the gaps between them.
		var labels []string
		for {
			labels = dateLabels(times, s, multiYear)
			kept := times[:0:0]
			for i, t := range times {
				w, at := measure(labels[i]), x(unixSeconds(t))
				if at-w/2 >= -left && at+w/2 <= px+right {
					kept = append(kept, t)
				}
			}
			if len(kept) == len(times) {
				break
			}
			times = kept
		}
		ticks = ticks[:0]
		widths := make([]float64, len(times))
		for i, t := range times {
			ticks = append(ticks, tick{Value: unixSeconds(t), Label: labels[i]})
			widths[i] = measure(labels[i])
		}
		if labelsFit(ticks, widths, x) {
			break
		}
	}
	return ticks
}

// labelsFit reports whether centred labels of the given widths at the
// ticks keep minLabelGap between neighbours.
func labelsFit(ticks []tick, widths []float64, x func(float64) float64) bool {
	for i := 1; i < len(ticks); i++ {
		gap := x(ticks[i].Value) - x(ticks[i-1].Value) - (widths[i]+widths[i-1])/2
		if gap < minLabelGap {
			return false
		}
	}
	return true
}

// dateLabels writes the labels of ticks spaced by s.
func dateLabels(times []time.Time, s dateStep, multiYear bool) []string {
	labels := make([]string, len(times))
	for i, t := range times {
		withYear := multiYear && (i == 0 || t.Year() != times[i-1].Year())
		switch {
		case s.years > 0:
			labels[i] = t.Format("2006")
		case s.months > 0 && withYear:
			labels[i] = t.Format("Jan 2006")
		case s.months > 0:
			labels[i] = t.Format("Jan")
		case withYear:
			labels[i] = t.Format("Jan 2 2006")
		default:
			labels[i] = t.Format("Jan 2")
		}
	}
	return labels
}

// maxDateTicks bounds the loop for absurd ranges; no step list entry is
// tried with more ticks than this.
const maxDateTicks = 400

// stepTimes lists the midnights from..to spaced by s, aligned so the ticks
// do not move as the range grows: weeks start on Monday, months on the
// first, years on the first of January at a multiple of the step.
func stepTimes(from, to time.Time, s dateStep) []time.Time {
	loc := from.Location()
	y, m, d := from.Date()
	var t time.Time
	switch {
	case s.years > 0:
		y = (y / s.years) * s.years
		t = time.Date(y, time.January, 1, 0, 0, 0, 0, loc)
	case s.months > 0:
		m = time.Month((int(m)-1)/s.months*s.months + 1)
		t = time.Date(y, m, 1, 0, 0, 0, 0, loc)
	default:
		t = time.Date(y, m, d, 0, 0, 0, 0, loc)
		if s.days == 7 || s.days == 14 {
			back := (int(t.Weekday()) + 6) % 7 // days since Monday
			t = t.AddDate(0, 0, -back)
		}
	}
	var out []time.Time
	for i := 0; len(out) <= maxDateTicks; i++ {
		// Adding to the start rather than to the previous tick keeps month
		// steps on the first even after a short month.
		ti := t.AddDate(i*s.years, i*s.months, i*s.days)
		if ti.After(to) {
			break
		}
		if !ti.Before(from) {
			out = append(out, ti)
		}
	}
	return out
}

// unixSeconds is the x coordinate of a time.
func unixSeconds(t time.Time) float64 {
	return float64(t.Unix()) + float64(t.Nanosecond())/1e9
}

// unixTime inverts unixSeconds to the second.
func unixTime(x float64) time.Time {
	return time.Unix(int64(math.Floor(x)), 0).UTC()
}
