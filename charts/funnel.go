package charts

import (
	"fmt"
	"image/color"
	"io"
	"math"
	"slices"
)

// FunnelStage is one row of the funnel picture: a stage of the way from
// visitors to revenue, its target and where it stands.
type FunnelStage struct {
	// Name titles the row ("Leads").
	Name string
	// Note is a short line under the name, such as the rate from the
	// stage before ("2.5% of visitors, target 3%").
	Note string
	// Unit is as for Series.Unit.
	Unit string

	Target    float64
	HasTarget bool
	Actual    float64
	HasActual bool
	// Derived marks a stage whose numbers were worked out from rates
	// rather than counted: its name gets an asterisk, explained under the
	// funnel.
	Derived bool
}

// Funnel layout, in pixels.
const (
	funnelRowHeight = 84
	funnelBarHeight = 66
	funnelLabelW    = 250 // the names on the left
	funnelValueW    = 230 // the numbers on the right
	funnelFootnote  = 24  // the line explaining the asterisks
)

var (
	colTrack     = color.RGBA{0xEC, 0xEC, 0xEC, 0xFF}
	colTrackEdge = color.RGBA{0xC8, 0xC8, 0xC8, 0xFF}
)

// RenderFunnel draws the funnel as a PNG: one row per stage, top to
// bottom, each a slice of a funnel that narrows as it goes down. The grey
// slice is the target and the blue fill inside it the share of the target
// reached, so a lead sees at a glance which stage lags. With no stages it
// fails with ErrNoData.
func RenderFunnel(w io.Writer, title string, stages []FunnelStage) error {
	if len(stages) == 0 {
		return ErrNoData
	}
	top := outerPad / 2
	if title != "" {
		top = titleHeight
	}
	height := top + len(stages)*funnelRowHeight + outerPad
	derived := slices.ContainsFunc(stages, func(s FunnelStage) bool { return s.Derived })
	if derived {
		height += funnelFootnote
	}
	cv := newCanvas(imageWidth, height)
	if title != "" {
		st := style(sizeChartTitle, true, colText)
		cv.text(st, point{outerPad, titleHeight/2 + 2}, alignStart, alignMiddle, fit(cv, st, title, imageWidth-2*outerPad))
	}

	left := float64(outerPad + funnelLabelW)
	right := float64(imageWidth - outerPad - funnelValueW)
	cx, full := (left+right)/2, right-left-20
	// The slices narrow from the full width to half of it, each slice's
	// bottom as wide as the next one's top.
	widthAt := func(i float64) float64 {
		if len(stages) == 1 {
			return full * (1 - 0.15*i)
		}
		return full * (1 - 0.5*i/float64(len(stages)))
	}
	for i, s := range stages {
		y0 := float64(top+i*funnelRowHeight) + (funnelRowHeight-funnelBarHeight)/2
		y1 := y0 + funnelBarHeight
		wTop, wBottom := widthAt(float64(i)), widthAt(float64(i+1))
		slice := func(share float64) *shape {
			var s shape
			s.add([]point{
				{cx - wTop*share/2, y0}, {cx + wTop*share/2, y0},
				{cx + wBottom*share/2, y1}, {cx - wBottom*share/2, y1},
			})
			return &s
		}
		if s.HasTarget && finite(s.Target) {
			cv.fill(slice(1), colTrack)
		} else {
			// No target: only an outline, nothing to fill against.
			cv.fill(slice(1), colTrackEdge)
			cv.fill(slice(1-4/wTop), color.White)
		}
		if share, ok := s.share(); ok && share > 0 {
			cv.fill(slice(min(share, 1)), colActual)
		}

		mid := (y0 + y1) / 2
		name := style(sizePanelTitle, true, colText)
		note := style(sizeLineLabel, false, colMuted)
		title := s.Name
		if s.Derived {
			title += "*"
		}
		cv.text(name, point{outerPad, mid - 2}, alignStart, alignEnd, fit(cv, name, title, funnelLabelW-10))
		cv.text(note, point{outerPad, mid + 2}, alignStart, alignStart, fit(cv, note, s.Note, funnelLabelW-10))

		vx := float64(imageWidth - outerPad)
		amount, status := s.words()
		cv.text(style(sizePanelTitle, true, colText), point{vx, mid - 2}, alignEnd, alignEnd, fit(cv, name, amount, funnelValueW-10))
		cv.text(note, point{vx, mid + 2}, alignEnd, alignStart, status)
	}
	if derived {
		cv.text(style(sizeLineLabel, false, colMuted), point{outerPad, float64(height - outerPad)}, alignStart, alignEnd,
			"* worked out from the rates, as no KPI counts it")
	}
	return encode(w, cv)
}

// share is how much of the target the stage has reached, when both are
// known and the target is above zero.
func (s FunnelStage) share() (float64, bool) {
	if !s.HasTarget || !s.HasActual || !finite(s.Target) || !finite(s.Actual) || s.Target <= 0 {
		return 0, false
	}
	return max(s.Actual/s.Target, 0), true
}

// words are the row's numbers ("12.4k of 20k") and what they mean ("62% of
// target").
func (s FunnelStage) words() (amount, status string) {
	actual, target := "—", "no target"
	if s.HasActual && finite(s.Actual) {
		actual = formatValue(s.Actual, s.Unit)
	}
	if s.HasTarget && finite(s.Target) {
		target = formatValue(s.Target, s.Unit)
	}
	switch share, ok := s.share(); {
	case !s.HasActual:
		return "— of " + target, "no values yet"
	case !s.HasTarget:
		return actual, "no target"
	case !ok:
		return actual + " of " + target, ""
	case share >= 1:
		return actual + " of " + target, fmt.Sprintf("target reached (%s%%)", percent(share))
	default:
		return actual + " of " + target, percent(share) + "% of target"
	}
}

// percent writes a share as a whole percentage, or with one decimal below
// ten so that a small start still shows.
func percent(share float64) string {
	p := share * 100
	if p < 10 && p != math.Trunc(p) {
		return trimDecimals(p, 1)
	}
	return trimDecimals(math.Round(p), 0)
}
