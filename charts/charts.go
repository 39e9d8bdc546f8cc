package charts

import (
	"bufio"
	"errors"
	"fmt"
	"image/png"
	"io"
	"math"
	"slices"
	"time"
)

// ErrNoData is returned by Render when it is given no series at all. A
// series without points is not an error: its panel says "no values yet".
var ErrNoData = errors.New("no series to chart")

// Point is one recorded value of a KPI.
type Point struct {
	At    time.Time
	Value float64
}

// Series is one KPI: its recorded values and what they are measured against.
type Series struct {
	// Name titles the panel ("Unique visitors").
	Name string
	// Unit picks how values are written: "count" (12.4k), "number" (a
	// score or an average: 47, 4.8), "currency:USD" ($18k), "percent"
	// (3.5%, values are percentage points), "duration" (2m30s, values are
	// seconds) or "ratio" (a multiple: 2.5×).
	Unit string
	// Points are the recorded values in any order. Points with a zero
	// time or a value that is NaN, infinite or beyond ±1e300 are left out.
	Points []Point

	Baseline    float64
	HasBaseline bool
	Target      float64
	HasTarget   bool

	// Deadline, when set, ends the target line, and the x-axis reaches it.
	Deadline time.Time
	// Start, when set, is when the series began to be tracked, such as
	// the day its plan started; the x-axis reaches back to it.
	Start time.Time
	// Trend, when it has two points or more, is drawn as a dashed line:
	// the trend of the values projected to the deadline. Its last point
	// is marked and labelled as the projection.
	Trend []Point
	// Status ("on track", "at risk", "off track" or "") is shown beside the
	// panel title.
	Status string
}

// MaxPanels bounds the image size; Render draws the first MaxPanels series
// and says how many more there were in the title.
const MaxPanels = 12

// Layout, in pixels. Slack shows previews at about half this width, so
// text is larger than a desktop chart would use.
const (
	imageWidth   = 1200
	titleHeight  = 56
	rowHeight1   = 400 // one panel per row
	rowHeight2   = 360 // two panels per row
	headerHeight = 34  // panel title and status above each plot
	outerPad     = 20
	gapX         = 40
	gapY         = 28
)

// Render draws one panel per series, in a grid of one column for up to
// three series and two beyond, and writes the chart to w as a PNG.
//
// Every panel spans the same period, from the earliest start or value to
// the latest deadline or value of all series, so that panels read side by
// side and a KPI without values still shows the whole plan's time. Dates
// are drawn in the location of the earliest point (or else of the first
// start or deadline), so callers pass times in the team's zone.
func Render(w io.Writer, title string, series []Series) error {
	if len(series) == 0 {
		return ErrNoData
	}
	if n := len(series) - MaxPanels; n > 0 {
		series = series[:MaxPanels]
		if title != "" {
			title += " "
		}
		title += fmt.Sprintf("(+%d more)", n)
	}

	cols := 1
	if len(series) > 3 {
		cols = 2
	}
	rows := (len(series) + cols - 1) / cols
	rowHeight := rowHeight1
	if cols == 2 {
		rowHeight = rowHeight2
	}
	top := outerPad / 2
	if title != "" {
		top = titleHeight
	}
	height := top + rows*rowHeight + outerPad

	loc := chartLocation(series)
	xmin, xmax := chartPeriod(series, loc)
	panels := make([]*panel, len(series))
	for i, s := range series {
		panels[i] = newPanel(s, loc, xmin, xmax)
	}

	cv := newCanvas(imageWidth, height)
	if title != "" {
		right := float64(imageWidth - outerPad)
		if w := drawLegend(cv, right, titleHeight/2+2, panels); w > 0 {
			right -= w + 24
		}
		st := style(sizeChartTitle, true, colText)
		cv.text(st, point{outerPad, titleHeight/2 + 2}, alignStart, alignMiddle, fit(cv, st, title, right-outerPad))
	}

	// Every panel in a column gets the room its widest y-axis needs, so
	// that the data areas of a column line up.
	yAxisW := make([]float64, cols)
	for i, p := range panels {
		yAxisW[i%cols] = max(yAxisW[i%cols], p.yAxisWidth(cv))
	}
	// The last date label may be centred on the axis end; the right
	// padding leaves room for half of it.
	const padLeft, padRight, padBottom = outerPad, outerPad + 16, outerPad
	tileW := float64(imageWidth-padLeft-padRight-(cols-1)*gapX) / float64(cols)
	tileH := float64(height-top-padBottom-(rows-1)*gapY) / float64(rows)
	for i, p := range panels {
		r, c := i/cols, i%cols
		x0 := padLeft + float64(c)*(tileW+gapX)
		y0 := float64(top) + float64(r)*(tileH+gapY)
		// Date labels may reach half way into the gap beside a panel, or
		// nearly to the image's edge.
		right := float64(gapX / 2)
		if c == cols-1 {
			right = padRight - 4
		}
		p.draw(cv, x0, y0, x0+tileW, y0+tileH, yAxisW[c], right)
	}

	return encode(w, cv)
}

// encode writes the canvas to w as a PNG.
func encode(w io.Writer, cv *canvas) error {
	// Speed over size: flat chart colours compress well at any level, and
	// encoding at the default level took most of the render time.
	enc := png.Encoder{CompressionLevel: png.BestSpeed}
	bw := bufio.NewWriter(w)
	if err := enc.Encode(bw, cv.img); err != nil {
		return fmt.Errorf("write png: %w", err)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("write png: %w", err)
	}
	return nil
}

// chartPeriod is the x range every panel shares, in Unix seconds: from
// the earliest start or value to the latest deadline, value or projection,
// at least a week wide so that a single check-in sits in the middle of a
// readable axis, and with room on the right for the last value's label.
// With nothing but deadlines it is the month leading up to the last one.
func chartPeriod(series []Series, loc *time.Location) (xmin, xmax float64) {
	var xs, ends []float64
	for _, s := range series {
		for _, p := range cleanPoints(s.Points) {
			xs = append(xs, unixSeconds(p.At))
		}
		for _, p := range cleanPoints(s.Trend) {
			ends = append(ends, unixSeconds(p.At))
		}
		if !s.Start.IsZero() {
			xs = append(xs, unixSeconds(s.Start))
		}
		if !s.Deadline.IsZero() {
			ends = append(ends, unixSeconds(s.Deadline))
		}
	}
	const week = 7 * 86400
	switch {
	case len(xs) == 0 && len(ends) == 0:
		return 0, 1
	case len(xs) == 0:
		_, xmax = minMax(ends)
		xmin = xmax - 4*week
	default:
		xmin, xmax = minMax(append(xs, ends...))
	}
	if span := xmax - xmin; span < week {
		mid := xmin + span/2
		xmin, xmax = mid-week/2, mid+week/2
	} else {
		// Start at midnight so that the first day is labelled.
		y, m, d := unixTime(xmin).In(loc).Date()
		xmin = unixSeconds(time.Date(y, m, d, 0, 0, 0, 0, loc))
	}
	xmax += (xmax - xmin) * 0.03
	return xmin, xmax
}

// chartLocation is the zone dates are labelled in: that of the earliest
// point of all series, else of the first start or deadline, else UTC.
func chartLocation(series []Series) *time.Location {
	var first time.Time
	for _, s := range series {
		for _, p := range s.Points {
			if first.IsZero() || p.At.Before(first) {
				first = p.At
			}
		}
	}
	if !first.IsZero() {
		return first.Location()
	}
	for _, s := range series {
		switch {
		case !s.Start.IsZero():
			return s.Start.Location()
		case !s.Deadline.IsZero():
			return s.Deadline.Location()
		}
	}
	return time.UTC
}

// cleanPoints drops values that cannot be drawn and sorts the rest by time;
// equal times keep their given order so the output is stable.
func cleanPoints(pts []Point) []Point {
	out := make([]Point, 0, len(pts))
	for _, p := range pts {
		if !finite(p.Value) || p.At.IsZero() {
			continue
		}
		out = append(out, p)
	}
	slices.SortStableFunc(out, func(a, b Point) int { return a.At.Compare(b.At) })
	return out
}

// finite reports whether v can be placed on an axis. Values near the
// float64 limit are out too: the axis padding would overflow.
func finite(v float64) bool {
	return !math.IsNaN(v) && math.Abs(v) < 1e300
}
