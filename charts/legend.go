package charts

import "slices"

// legendItem is one kind of line in the legend: a sample of it and its
// name.
type legendItem struct {
	name   string
	sample func(cv *canvas, a, b point)
}

// legendSample is how long a line sample is, in pixels.
const legendSample = 26

// drawLegend names the kinds of lines the panels draw, on one line ending
// at right and centred on y, and returns how wide it is; 0 when there is
// nothing to name.
func drawLegend(cv *canvas, right, y float64, panels []*panel) float64 {
	var items []legendItem
	if slices.ContainsFunc(panels, func(p *panel) bool { return len(p.pts) > 0 }) {
		items = append(items, legendItem{"actual", func(cv *canvas, a, b point) {
			cv.line(a, b, 3, colActual)
			var dot shape
			dot.circle(point{(a.x + b.x) / 2, a.y}, 4.5)
			cv.fill(&dot, colActual)
		}})
	}
	if slices.ContainsFunc(panels, func(p *panel) bool { return p.hasTarget }) {
		items = append(items, legendItem{"target", func(cv *canvas, a, b point) {
			var s shape
			s.dashed(a, b, 2, 9, 6)
			cv.fill(&s, colTarget)
		}})
	}
	if slices.ContainsFunc(panels, func(p *panel) bool { return len(p.trend) > 1 }) {
		items = append(items, legendItem{"trend to deadline", func(cv *canvas, a, b point) {
			var s shape
			s.dashed(a, b, 2.5, 7, 5)
			cv.fill(&s, colTrend)
		}})
	}
	if slices.ContainsFunc(panels, func(p *panel) bool { return p.hasBaseline }) {
		items = append(items, legendItem{"baseline", func(cv *canvas, a, b point) {
			cv.line(a, b, 1.5, colBaseline)
		}})
	}
	if len(items) == 0 {
		return 0
	}
	st := style(sizeLineLabel, false, colMuted)
	const sampleGap, itemGap = 6, 18
	width := 0.0
	for i, it := range items {
		if i > 0 {
			width += itemGap
		}
		width += legendSample + sampleGap + cv.textWidth(st, it.name)
	}
	x := right - width
	cy := y - cv.capMiddle(st) + cv.textHeight(st)/2
	for _, it := range items {
		it.sample(cv, point{x, cy}, point{x + legendSample, cy})
		x += legendSample + sampleGap
		cv.text(st, point{x, y}, alignStart, alignMiddle, it.name)
		x += cv.textWidth(st, it.name) + itemGap
	}
	return width
}
