package charts

import (
	"image/color"
	"time"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// panel is one KPI's plot and the header drawn above it.
type panel struct {
	name   string
	status string
	plot   *plot.Plot
}

// newPanel builds the plot for one series. maxXTicks depends on the panel
// width so date labels never collide.
func newPanel(s Series, loc *time.Location, maxXTicks int) *panel {
	pts := cleanPoints(s.Points)
	p := plot.New()
	styleAxes(p)

	// X range: the values and the deadline, at least a week wide so that a
	// single check-in sits in the middle of a readable axis.
	var xs []float64
	for _, pt := range pts {
		xs = append(xs, unixSeconds(pt.At))
	}
	hasDeadline := !s.Deadline.IsZero()
	if hasDeadline {
		xs = append(xs, unixSeconds(s.Deadline))
	}
	xmin, xmax := 0.0, 1.0
	hasX := len(xs) > 0
	if hasX {
		xmin, xmax = minMax(xs)
		const week = 7 * 86400
		switch span := xmax - xmin; {
		case len(pts) == 0:
			// Only a deadline: show the month leading up to it.
			xmin = xmax - 4*week
		case span < week:
			mid := xmin + span/2
			xmin, xmax = mid-week/2, mid+week/2
		default:
			// Start at midnight so the first check-in's date is labelled.
			y, m, d := unixTime(xmin).In(loc).Date()
			xmin = unixSeconds(time.Date(y, m, d, 0, 0, 0, 0, loc))
		}
		// Room on the right for the last value's label.
		xmax += (xmax - xmin) * 0.03
		p.X.Tick.Marker = plot.TickerFunc(func(min, max float64) []plot.Tick {
			return dateTicks(min, max, loc, maxXTicks)
		})
	} else {
		p.X.Tick.Marker = plot.ConstantTicks{}
	}

	// Y range: values, target and baseline, so the target line is always
	// on the chart however far away it is.
	var ys []float64
	for _, pt := range pts {
		ys = append(ys, pt.Value)
	}
	hasTarget := s.HasTarget && finite(s.Target)
	hasBaseline := s.HasBaseline && finite(s.Baseline)
	if hasTarget {
		ys = append(ys, s.Target)
	}
	if hasBaseline {
		ys = append(ys, s.Baseline)
	}
	ymin, ymax := 0.0, 1.0
	if len(ys) > 0 {
		lo, hi := minMax(ys)
		ax := newValueAxis(lo, hi, s.Unit)
		ymin, ymax = ax.min, ax.max
		p.Y.Tick.Marker = ax.labelledTicks(s.Unit)
	} else {
		p.Y.Tick.Marker = plot.ConstantTicks{}
	}

	// Reference lines end at the deadline: after it they mean nothing.
	end := xmax
	if hasDeadline {
		end = unixSeconds(s.Deadline)
	}
	p.Add(&grid{})
	if hasBaseline {
		p.Add(&hLine{
			y: s.Baseline, x0: xmin, x1: end,
			line:  draw.LineStyle{Color: colBaseline, Width: 1.5},
			label: "baseline " + formatValue(s.Baseline, s.Unit),
			style: textStyle(sizeLineLabel, false, colMuted),
		})
	}
	if hasDeadline && hasX {
		p.Add(&vLine{
			x:    unixSeconds(s.Deadline),
			line: draw.LineStyle{Color: colDeadline, Width: 1.5, Dashes: []vg.Length{2, 4}},
		})
	}
	if hasTarget {
		p.Add(&hLine{
			y: s.Target, x0: xmin, x1: end,
			line:  draw.LineStyle{Color: colTarget, Width: 2, Dashes: []vg.Length{9, 6}},
			label: "target " + formatValue(s.Target, s.Unit),
			style: textStyle(sizeLineLabel, true, colTarget),
		})
	}

	if len(pts) > 0 {
		xys := make(plotter.XYs, len(pts))
		for i, pt := range pts {
			xys[i] = plotter.XY{X: unixSeconds(pt.At), Y: pt.Value}
		}
		if len(xys) > 1 {
			p.Add(&plotter.Line{
				XYs:       xys,
				LineStyle: draw.LineStyle{Color: colActual, Width: 3},
			})
		}
		p.Add(&markers{xys: xys})
		last := xys[len(xys)-1]
		p.Add(&pointLabel{
			x: last.X, y: last.Y,
			below: len(xys) > 1 && last.Y < xys[len(xys)-2].Y,
			label: formatValue(last.Y, s.Unit),
			style: textStyle(sizeLineLabel, true, colActual),
		})
	} else {
		p.Add(&note{text: "no values yet", style: textStyle(sizeNote, false, colMuted)})
	}

	p.X.Min, p.X.Max = xmin, xmax
	p.Y.Min, p.Y.Max = ymin, ymax
	return &panel{name: s.Name, status: s.Status, plot: p}
}

// styleAxes sets the quiet axis look shared by every panel.
func styleAxes(p *plot.Plot) {
	p.BackgroundColor = nil // the canvas is already white
	for _, ax := range []*plot.Axis{&p.X, &p.Y} {
		ax.LineStyle = draw.LineStyle{Color: colAxis, Width: 1}
		ax.Tick.LineStyle = draw.LineStyle{Color: colAxis, Width: 1}
		ax.Tick.Length = 5
		ax.Padding = 6
	}
	p.X.Tick.Label = textStyle(sizeTick, false, colText)
	p.X.Tick.Label.XAlign, p.X.Tick.Label.YAlign = draw.XCenter, draw.YTop
	p.Y.Tick.Label = textStyle(sizeTick, false, colText)
	p.Y.Tick.Label.XAlign, p.Y.Tick.Label.YAlign = draw.XRight, draw.YCenter
}

// drawHeader writes the KPI name on the left and its status on the right.
func (pn *panel) drawHeader(c draw.Canvas) {
	y := c.Min.Y + 8
	right := c.Max.X
	if pn.status != "" {
		sty := textStyle(sizeStatus, true, colText)
		sty.XAlign = draw.XRight
		c.FillText(sty, vg.Point{X: right, Y: y}, pn.status)
		const r = 7
		dotX := right - sty.Width(pn.status) - r - 6
		dot := draw.GlyphStyle{Color: statusColor(pn.status), Radius: r, Shape: draw.CircleGlyph{}}
		c.DrawGlyphNoClip(dot, vg.Point{X: dotX, Y: y + sizeStatus*0.35})
		right = dotX - r - 16
	}
	sty := textStyle(sizePanelTitle, true, colText)
	c.FillText(sty, vg.Point{X: c.Min.X, Y: y}, fit(sty, pn.name, right-c.Min.X))
}

// fit shortens s with an ellipsis until it is at most w wide.
func fit(sty text.Style, s string, w vg.Length) string {
	if sty.Width(s) <= w {
		return s
	}
	r := []rune(s)
	for len(r) > 0 {
		r = r[:len(r)-1]
		if t := string(r) + "…"; sty.Width(t) <= w {
			return t
		}
	}
	return ""
}

// grid draws faint horizontal lines at the labelled y ticks.
type grid struct{}

func (*grid) Plot(c draw.Canvas, p *plot.Plot) {
	_, trY := p.Transforms(&c)
	sty := draw.LineStyle{Color: colGrid, Width: 1}
	for _, t := range p.Y.Tick.Marker.Ticks(p.Y.Min, p.Y.Max) {
		if t.IsMinor() {
			continue
		}
		y := trY(t.Value)
		c.StrokeLine2(sty, c.Min.X, y, c.Max.X, y)
	}
}

// hLine is a labelled horizontal reference line (target or baseline).
type hLine struct {
	y, x0, x1 float64
	line      draw.LineStyle
	label     string
	style     text.Style
}

func (h *hLine) Plot(c draw.Canvas, p *plot.Plot) {
	trX, trY := p.Transforms(&c)
	y := trY(h.y)
	x0, x1 := max(trX(h.x0), c.Min.X), min(trX(h.x1), c.Max.X)
	c.StrokeLine2(h.line, x0, y, x1, y)
	sty := h.style
	sty.XAlign = draw.XRight
	drawLabel(c, sty, vg.Point{X: x1, Y: y + 6}, h.label)
}

// vLine is an unlabelled vertical marker (the deadline).
type vLine struct {
	x    float64
	line draw.LineStyle
}

func (v *vLine) Plot(c draw.Canvas, p *plot.Plot) {
	trX, _ := p.Transforms(&c)
	x := trX(v.x)
	c.StrokeLine2(v.line, x, c.Min.Y, x, c.Max.Y)
}

// markers draws the recorded values as dots with a white rim, so they
// stand out where they sit on the target line.
type markers struct {
	xys plotter.XYs
}

func (m *markers) Plot(c draw.Canvas, p *plot.Plot) {
	trX, trY := p.Transforms(&c)
	rim := draw.GlyphStyle{Color: color.White, Radius: 7, Shape: draw.CircleGlyph{}}
	dot := draw.GlyphStyle{Color: colActual, Radius: 5, Shape: draw.CircleGlyph{}}
	for _, xy := range m.xys {
		pt := vg.Point{X: trX(xy.X), Y: trY(xy.Y)}
		c.DrawGlyphNoClip(rim, pt)
		c.DrawGlyphNoClip(dot, pt)
	}
}

// pointLabel writes the latest value next to its marker: above it, or
// below when the line comes down into it, so the line does not cross it.
type pointLabel struct {
	x, y  float64
	below bool
	label string
	style text.Style
}

func (l *pointLabel) Plot(c draw.Canvas, p *plot.Plot) {
	const gap = 10
	trX, trY := p.Transforms(&c)
	x, y := trX(l.x), trY(l.y)
	sty := l.style
	sty.XAlign = draw.XCenter
	// Keep the label inside the data area when the point is at an edge.
	if w := sty.Width(l.label); x+w/2 > c.Max.X {
		sty.XAlign = draw.XRight
		x = c.Max.X
	}
	h := sty.Rectangle(l.label).Size().Y
	below := l.below
	if !below && y+gap+h > c.Max.Y {
		below = true
	} else if below && y-gap-h < c.Min.Y {
		below = false
	}
	if below {
		sty.YAlign = draw.YTop
		y -= gap
	} else {
		y += gap
	}
	drawLabel(c, sty, vg.Point{X: x, Y: y}, l.label)
}

// note writes a message in the middle of the data area.
type note struct {
	text  string
	style text.Style
}

func (n *note) Plot(c draw.Canvas, _ *plot.Plot) {
	sty := n.style
	sty.XAlign, sty.YAlign = draw.XCenter, draw.YCenter
	// A third of the way up: a lone target line sits in the middle.
	drawLabel(c, sty, vg.Point{X: c.Center().X, Y: c.Y(1.0 / 3)}, n.text)
}

// drawLabel writes text on a white patch so lines under it do not cut
// through the letters.
func drawLabel(c draw.Canvas, sty text.Style, pt vg.Point, s string) {
	r := sty.Rectangle(s)
	const pad = 3
	c.SetColor(color.White)
	c.Fill(vg.Rectangle{
		Min: vg.Point{X: pt.X + r.Min.X - pad, Y: pt.Y + r.Min.Y - 1},
		Max: vg.Point{X: pt.X + r.Max.X + pad, Y: pt.Y + r.Max.Y + 1},
	}.Path())
	c.FillText(sty, pt, s)
}

// minMax returns the smallest and largest of vs, which is not empty.
func minMax(vs []float64) (lo, hi float64) {
	lo, hi = vs[0], vs[0]
	for _, v := range vs[1:] {
		lo, hi = min(lo, v), max(hi, v)
	}
	return lo, hi
}
