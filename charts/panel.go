package charts

import (
	"image/color"
	"math"
	"slices"
	"time"
)

// Axis geometry, in pixels.
const (
	axisPadding = 6 // between the data area and an axis line
	tickLength  = 5
	labelGap    = 3 // between a tick and its label
)

// panel is one KPI: its ranges, ticks and the lines drawn in its plot.
type panel struct {
	name, status string
	unit         string
	loc          *time.Location
	pts          []Point
	trend        []Point

	xmin, xmax, ymin, ymax float64
	xTicks, yTicks         []tick

	hasTarget, hasBaseline, hasDeadline bool
	target, baseline                    float64
	deadline                            float64 // x of the deadline
	end                                 float64 // where reference lines stop

	// labels are the boxes of the line labels drawn so far, so that a
	// later label can keep clear of them.
	labels []box
}

// box is a rectangle on the canvas, y0 at the top.
type box struct{ x0, y0, x1, y1 float64 }

func (b box) overlaps(o box) bool {
	return b.x0 < o.x1 && o.x0 < b.x1 && b.y0 < o.y1 && o.y0 < b.y1
}

// newPanel works out the value range and ticks of one series on the x
// range the chart's panels share.
func newPanel(s Series, loc *time.Location, xmin, xmax float64) *panel {
	pn := &panel{name: s.Name, status: s.Status, unit: s.Unit, loc: loc,
		pts: cleanPoints(s.Points), trend: cleanPoints(s.Trend), xmin: xmin, xmax: xmax}
	if len(pn.trend) < 2 {
		pn.trend = nil
	}
	pn.hasDeadline = !s.Deadline.IsZero()
	if pn.hasDeadline {
		pn.deadline = unixSeconds(s.Deadline)
	}

	// Y range: values, target and baseline, so the target line is always
	// on the chart however far away it is.
	var ys []float64
	for _, pt := range pn.pts {
		ys = append(ys, pt.Value)
	}
	pn.hasTarget = s.HasTarget && finite(s.Target)
	pn.hasBaseline = s.HasBaseline && finite(s.Baseline)
	pn.target, pn.baseline = s.Target, s.Baseline
	if pn.hasTarget {
		ys = append(ys, s.Target)
	}
	if pn.hasBaseline {
		ys = append(ys, s.Baseline)
	}
	// The projection widens the range only while it stays near the rest:
	// a wild one would squash the values into a line; it is cut off at the
	// edge of the plot instead.
	if len(ys) > 0 {
		lo, hi := minMax(ys)
		reach := max(hi-lo, math.Abs(hi)*0.5, math.Abs(lo)*0.5)
		for _, pt := range pn.trend {
			if pt.Value >= lo-reach && pt.Value <= hi+reach {
				ys = append(ys, pt.Value)
			}
		}
	}
	pn.ymin, pn.ymax = 0, 1
	if len(ys) > 0 {
		lo, hi := minMax(ys)
		ax := newValueAxis(lo, hi, s.Unit)
		pn.ymin, pn.ymax = ax.min, ax.max
		pn.yTicks = ax.labelledTicks(s.Unit)
	}

	// Reference lines end at the deadline: after it they mean nothing.
	pn.end = pn.xmax
	if pn.hasDeadline && pn.deadline < pn.xmax {
		pn.end = pn.deadline
	}
	return pn
}

// yAxisWidth is the room the y-axis needs left of the data area: the
// widest tick label, the tick and the padding.
func (pn *panel) yAxisWidth(cv *canvas) float64 {
	st := style(sizeTick, false, colText)
	w := 0.0
	for _, t := range pn.yTicks {
		w = max(w, cv.textWidth(st, t.Label))
	}
	return w + labelGap + tickLength + axisPadding
}

// frame is a panel's data area on the canvas and the values at its edges.
type frame struct {
	x0, y0, x1, y1         float64 // pixels, y0 at the top
	xmin, xmax, ymin, ymax float64 // values
}

// x is the pixel column of the value v on the x-axis.
func (f frame) x(v float64) float64 {
	return f.x0 + (v-f.xmin)/(f.xmax-f.xmin)*(f.x1-f.x0)
}

// y is the pixel row of the value v on the y-axis.
func (f frame) y(v float64) float64 {
	return f.y1 - (v-f.ymin)/(f.ymax-f.ymin)*(f.y1-f.y0)
}

// draw draws the panel in the tile between (x0, y0) and (x1, y1); the
// data area starts yAxisW to the right of x0, the same for every panel in
// a column so that their axes line up. Date labels may reach left into the
// y-axis's room, which they pass below, and rightRoom past x1.
func (pn *panel) draw(cv *canvas, x0, y0, x1, y1, yAxisW, rightRoom float64) {
	pn.drawHeader(cv, x0, y0+headerHeight, x1)
	tickH := cv.textHeight(style(sizeTick, false, colText))
	f := frame{
		// Half a label of room at the top for the highest y tick's label.
		x0: x0 + yAxisW, y0: y0 + headerHeight + tickH/2,
		x1: x1, y1: y1 - (axisPadding + tickLength + labelGap + tickH),
		xmin: pn.xmin, xmax: pn.xmax, ymin: pn.ymin, ymax: pn.ymax,
	}
	measure := func(s string) float64 { return cv.textWidth(style(sizeTick, false, colText), s) }
	pn.xTicks = dateTicks(f.xmin, f.xmax, pn.loc, f.x1-f.x0, yAxisW, rightRoom, measure)
	pn.drawAxes(cv, f)
	// The trend goes under the reference lines and their labels, its
	// projection over them.
	pn.drawTrend(cv, f)
	pn.drawLines(cv, f)
	pn.drawProjection(cv, f)
	pn.drawValues(cv, f)
}

// drawHeader writes the KPI name on the left and its status on the right,
// above bottom.
func (pn *panel) drawHeader(cv *canvas, left, bottom, right float64) {
	y := bottom - 8
	if pn.status != "" {
		st := style(sizeStatus, true, colText)
		cv.text(st, point{right, y}, alignEnd, alignEnd, pn.status)
		const r = 7
		dotX := right - cv.textWidth(st, pn.status) - r - 6
		var dot shape
		// Centred on the capitals and ascenders of the status beside it.
		dot.circle(point{dotX, y - cv.capMiddle(st)}, r)
		cv.fill(&dot, statusColor(pn.status))
		right = dotX - r - 16
	}
	st := style(sizePanelTitle, true, colText)
	cv.text(st, point{left, y}, alignStart, alignEnd, fit(cv, st, pn.name, right-left))
}

// fit shortens s with an ellipsis until it is at most w wide.
func fit(cv *canvas, st textStyle, s string, w float64) string {
	if cv.textWidth(st, s) <= w {
		return s
	}
	r := []rune(s)
	for len(r) > 0 {
		r = r[:len(r)-1]
		if t := string(r) + "…"; cv.textWidth(st, t) <= w {
			return t
		}
	}
	return ""
}

// drawAxes draws the two axis lines with their ticks and labels, and the
// faint grid lines across the data area at the y ticks. The axis lines
// stand off the data area so that no value is drawn on them.
func (pn *panel) drawAxes(cv *canvas, f frame) {
	st := style(sizeTick, false, colText)
	ax := math.Floor(f.x0 - axisPadding)
	ay := math.Floor(f.y1 + axisPadding)
	for _, t := range pn.yTicks {
		cv.rule(f.x0, f.y(t.Value), f.x1, f.y(t.Value), colGrid)
	}
	cv.rule(ax, f.y0, ax, f.y1, colAxis)
	cv.rule(f.x0, ay, f.x1, ay, colAxis)
	for _, t := range pn.yTicks {
		y := f.y(t.Value)
		cv.rule(ax-tickLength, y, ax, y, colAxis)
		cv.text(st, point{ax - tickLength - labelGap, math.Floor(y) + 0.5}, alignEnd, alignMiddle, t.Label)
	}
	for _, t := range pn.xTicks {
		x := f.x(t.Value)
		cv.rule(x, ay, x, ay+tickLength+1, colAxis)
		cv.text(st, point{math.Floor(x) + 0.5, ay + 1 + tickLength + labelGap}, alignMiddle, alignStart, t.Label)
	}
}

// drawLines draws the baseline, the deadline and the target line.
func (pn *panel) drawLines(cv *canvas, f frame) {
	x0, x1 := max(f.x(pn.xmin), f.x0), min(f.x(pn.end), f.x1)
	// The projection's ring sits at the deadline, where the lines end:
	// their labels stop short of it.
	lx := x1
	if len(pn.trend) > 1 {
		lx -= 12
	}
	if pn.hasBaseline {
		y := f.y(pn.baseline)
		cv.line(point{x0, y}, point{x1, y}, 1.5, colBaseline)
		pn.label(cv, style(sizeLineLabel, false, colMuted), point{lx, y - 5}, alignEnd, alignEnd,
			"baseline "+formatValue(pn.baseline, pn.unit))
	}
	if pn.hasDeadline {
		x := f.x(pn.deadline)
		var s shape
		s.dashed(point{x, f.y0}, point{x, f.y1}, 1.5, 2, 4)
		cv.fill(&s, colDeadline)
	}
	if pn.hasTarget {
		y := f.y(pn.target)
		var s shape
		s.dashed(point{x0, y}, point{x1, y}, 2, 9, 6)
		cv.fill(&s, colTarget)
		pn.label(cv, style(sizeLineLabel, true, colTarget), point{lx, y - 5}, alignEnd, alignEnd,
			"target "+formatValue(pn.target, pn.unit))
	}
}

// label writes a line label and keeps its box for labels drawn later.
func (pn *panel) label(cv *canvas, st textStyle, p point, ax, ay float64, s string) {
	x0, y0, x1, y1 := cv.textRect(st, p, ax, ay, s)
	pn.labels = append(pn.labels, box{x0 - 3, y0 - 1, x1 + 3, y1 + 1})
	cv.label(st, p, ax, ay, s)
}

// drawTrend draws the trend line, dashed and cut off at the edges of the
// plot.
func (pn *panel) drawTrend(cv *canvas, f frame) {
	for i := 1; i < len(pn.trend); i++ {
		a := point{f.x(unixSeconds(pn.trend[i-1].At)), f.y(pn.trend[i-1].Value)}
		b := point{f.x(unixSeconds(pn.trend[i].At)), f.y(pn.trend[i].Value)}
		if a, b, ok := clipSegment(a, b, f); ok {
			var s shape
			s.dashed(a, b, 2.5, 7, 5)
			cv.fill(&s, colTrend)
		}
	}
}

// drawProjection marks the trend's end, the projection at the deadline,
// with a ring and the projected value where that fits without covering
// another label.
func (pn *panel) drawProjection(cv *canvas, f frame) {
	if len(pn.trend) < 2 {
		return
	}
	last := pn.trend[len(pn.trend)-1]
	end := point{f.x(unixSeconds(last.At)), f.y(last.Value)}
	const eps = 0.5
	if end.x < f.x0-eps || end.x > f.x1+eps || end.y < f.y0-eps || end.y > f.y1+eps {
		return
	}
	var rim, hole shape
	rim.circle(end, 6)
	cv.fill(&rim, colTrend)
	hole.circle(end, 3.5)
	cv.fill(&hole, color.White)

	st := style(sizeLineLabel, false, colTrendText)
	text := "projected " + formatValue(last.Value, pn.unit)
	// On the side the line does not come from, so that it does not run
	// through the label; the other side when a label is in the way.
	first := pn.trend[len(pn.trend)-2]
	above := f.y(first.Value) >= end.y
	for _, up := range []bool{above, !above} {
		p, ay := point{end.x - 10, end.y + 9}, alignStart
		if up {
			p, ay = point{end.x - 10, end.y - 9}, alignEnd
		}
		x0, y0, x1, y1 := cv.textRect(st, p, alignEnd, ay, text)
		b := box{x0 - 3, y0 - 1, x1 + 3, y1 + 1}
		if b.x0 < f.x0 || b.y0 < f.y0 || b.y1 > f.y1 || slices.ContainsFunc(pn.labels, b.overlaps) {
			continue
		}
		pn.label(cv, st, p, alignEnd, ay, text)
		return
	}
}

// clipSegment cuts the segment from a to b to the frame's data area
// (Liang–Barsky); ok is false when none of it is inside.
func clipSegment(a, b point, f frame) (point, point, bool) {
	t0, t1 := 0.0, 1.0
	dx, dy := b.x-a.x, b.y-a.y
	for _, e := range [4][2]float64{
		{-dx, a.x - f.x0}, {dx, f.x1 - a.x},
		{-dy, a.y - f.y0}, {dy, f.y1 - a.y},
	} {
		p, q := e[0], e[1]
		switch {
		case p == 0 && q < 0:
			return a, b, false
		case p == 0:
		case p < 0:
			t0 = max(t0, q/p)
		default:
			t1 = min(t1, q/p)
		}
	}
	if t0 > t1 {
		return a, b, false
	}
	return point{a.x + t0*dx, a.y + t0*dy}, point{a.x + t1*dx, a.y + t1*dy}, true
}

// drawValues draws the recorded values as a line with dots, and the
// latest value beside its dot; or says there are none.
func (pn *panel) drawValues(cv *canvas, f frame) {
	if len(pn.pts) == 0 {
		// A third of the way up: a lone target line sits in the middle.
		cv.label(style(sizeNote, false, colMuted), point{(f.x0 + f.x1) / 2, f.y1 - (f.y1-f.y0)/3},
			alignMiddle, alignMiddle, "no values yet")
		return
	}
	pts := make([]point, len(pn.pts))
	for i, p := range pn.pts {
		pts[i] = point{f.x(unixSeconds(p.At)), f.y(p.Value)}
	}
	var line shape
	line.polyline(pts, 3)
	cv.fill(&line, colActual)
	// White rims make the dots stand out where they sit on the target line.
	// Each dot is filled on its own: one shape for all would rasterize the
	// whole area between them.
	for _, p := range pts {
		var rim, dot shape
		rim.circle(p, 7)
		cv.fill(&rim, color.White)
		dot.circle(p, 5)
		cv.fill(&dot, colActual)
	}

	last := pts[len(pts)-1]
	// Below the dot when the line comes down into it, so the line does not
	// cross the label.
	below := len(pts) > 1 && pn.pts[len(pn.pts)-1].Value < pn.pts[len(pn.pts)-2].Value
	pn.drawValueLabel(cv, f, last, below, formatValue(pn.pts[len(pn.pts)-1].Value, pn.unit))
}

// drawValueLabel writes s above or below the dot at p, inside the data
// area.
func (pn *panel) drawValueLabel(cv *canvas, f frame, p point, below bool, s string) {
	const gap = 10
	st := style(sizeLineLabel, true, colActual)
	ax := alignMiddle
	// Keep the label inside the data area when the point is at an edge.
	if p.x+cv.textWidth(st, s)/2 > f.x1 {
		ax, p.x = alignEnd, f.x1
	}
	h := cv.textHeight(st)
	if !below && p.y-gap-h < f.y0 {
		below = true
	} else if below && p.y+gap+h > f.y1 {
		below = false
	}
	if below {
		cv.label(st, point{p.x, p.y + gap}, ax, alignStart, s)
	} else {
		cv.label(st, point{p.x, p.y - gap}, ax, alignEnd, s)
	}
}

// minMax returns the smallest and largest of vs, which is not empty.
func minMax(vs []float64) (lo, hi float64) {
	lo, hi = vs[0], vs[0]
	for _, v := range vs[1:] {
		lo, hi = min(lo, v), max(hi, v)
	}
	return lo, hi
}
