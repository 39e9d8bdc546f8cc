package charts

import (
	"image/color"

	stdfont "golang.org/x/image/font"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// Colours come from the Okabe–Ito palette, which stays distinct for the
// common forms of colour blindness; status is also always written out.
var (
	colActual   = color.RGBA{0x00, 0x72, 0xB2, 0xFF} // blue
	colOnTrack  = color.RGBA{0x00, 0x9E, 0x73, 0xFF} // bluish green
	colAtRisk   = color.RGBA{0xE6, 0x9F, 0x00, 0xFF} // orange
	colOffTrack = color.RGBA{0xD5, 0x5E, 0x00, 0xFF} // vermillion
	colTarget   = color.RGBA{0x33, 0x33, 0x33, 0xFF}
	colBaseline = color.RGBA{0xA0, 0xA0, 0xA0, 0xFF}
	colText     = color.RGBA{0x22, 0x22, 0x22, 0xFF}
	colMuted    = color.RGBA{0x66, 0x66, 0x66, 0xFF}
	colAxis     = color.RGBA{0x99, 0x99, 0x99, 0xFF}
	colGrid     = color.RGBA{0xE6, 0xE6, 0xE6, 0xFF}
	colDeadline = color.RGBA{0xBB, 0xBB, 0xBB, 0xFF}
)

// sans is the embedded Liberation Sans that gonum/plot registers; using a
// fixed embedded face keeps output identical on every machine.
var sans = font.Font{Typeface: "Liberation", Variant: "Sans"}

// textStyle returns a style in Liberation Sans at size pixels.
func textStyle(size vg.Length, bold bool, c color.Color) text.Style {
	f := sans
	if bold {
		f.Weight = stdfont.WeightBold
	}
	return text.Style{
		Color:   c,
		Font:    font.From(f, size),
		XAlign:  draw.XLeft,
		YAlign:  draw.YBottom,
		Handler: plot.DefaultTextHandler,
	}
}

// Font sizes in pixels (the canvas is 72 dpi).
const (
	sizeChartTitle = 26
	sizePanelTitle = 20
	sizeStatus     = 17
	sizeTick       = 16
	sizeLineLabel  = 15
	sizeNote       = 20
)

// statusColor maps a Status to its dot colour; unknown statuses get grey.
func statusColor(status string) color.Color {
	switch status {
	case "on track":
		return colOnTrack
	case "at risk":
		return colAtRisk
	case "off track":
		return colOffTrack
	default:
		return colMuted
	}
}

// drawChartTitle writes the chart title at the top left.
func drawChartTitle(c draw.Canvas, title string) {
	sty := textStyle(sizeChartTitle, true, colText)
	sty.YAlign = draw.YCenter
	c.FillText(sty, vg.Point{X: c.Min.X + outerPad, Y: c.Max.Y - titleHeight/2 - 2}, title)
}
