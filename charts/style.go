package charts

import (
	"fmt"
	"image"
	"image/color"
	"math"
	"sync"

	"golang.org/x/image/font"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/goregular"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/math/fixed"
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
	colTrend    = color.RGBA{0x56, 0xB4, 0xE9, 0xFF} // sky blue: the values' colour, lighter
	// colTrendText writes the projection: the sky blue is too light for
	// text on white.
	colTrendText = colActual
)

// The two embedded faces every chart is written in: a fixed face keeps
// output identical on every machine, and two faces of the Go font family
// (about 270 KB) are all the text the binary carries.
var (
	regularFont = sync.OnceValue(func() *opentype.Font { return mustParse(goregular.TTF) })
	boldFont    = sync.OnceValue(func() *opentype.Font { return mustParse(gobold.TTF) })
)

// mustParse parses an embedded font; it can only fail if the embedded
// data is broken, which no input can cause.
func mustParse(ttf []byte) *opentype.Font {
	f, err := opentype.Parse(ttf)
	if err != nil {
		panic(fmt.Sprintf("charts: parse embedded font: %v", err))
	}
	return f
}

// textStyle is how a piece of text is written: size in pixels, weight
// and colour.
type textStyle struct {
	size  float64
	bold  bool
	color color.Color
}

// style returns a text style.
func style(size float64, bold bool, c color.Color) textStyle {
	return textStyle{size: size, bold: bold, color: c}
}

// Font sizes in pixels.
const (
	sizeChartTitle = 26
	sizePanelTitle = 20
	sizeStatus     = 17
	sizeTick       = 16
	sizeLineLabel  = 15
	sizeNote       = 20
)

// Text anchors: where on the text the given point is, as a fraction of
// its width (left to right) or height (top to bottom).
const (
	alignStart  = 0.0
	alignMiddle = 0.5
	alignEnd    = 1.0
)

// fontSet holds the faces of one canvas. Faces cache glyph state and are
// not safe for concurrent use, so each Render has its own set; the parsed
// fonts behind them are shared.
type fontSet struct {
	faces map[textStyleKey]font.Face
}

type textStyleKey struct {
	size float64
	bold bool
}

func newFontSet() *fontSet {
	return &fontSet{faces: map[textStyleKey]font.Face{}}
}

// face returns the face for st, made on first use.
func (fs *fontSet) face(st textStyle) font.Face {
	k := textStyleKey{st.size, st.bold}
	if f, ok := fs.faces[k]; ok {
		return f
	}
	src := regularFont()
	if st.bold {
		src = boldFont()
	}
	f, err := opentype.NewFace(src, &opentype.FaceOptions{Size: st.size, DPI: 72, Hinting: font.HintingNone})
	if err != nil {
		// Only a size of zero or less fails, and the sizes are constants.
		panic(fmt.Sprintf("charts: font face of size %v: %v", st.size, err))
	}
	fs.faces[k] = f
	return f
}

// textWidth is how wide s is when written in st.
func (cv *canvas) textWidth(st textStyle, s string) float64 {
	return fromFixed(font.MeasureString(cv.fonts.face(st), s))
}

// textHeight is the height of a line of text in st, ascent plus descent.
func (cv *canvas) textHeight(st textStyle) float64 {
	m := cv.fonts.face(st).Metrics()
	return fromFixed(m.Ascent + m.Descent)
}

// capMiddle is how far the middle of a capital letter in st is above the
// bottom of its line of text.
func (cv *canvas) capMiddle(st textStyle) float64 {
	m := cv.fonts.face(st).Metrics()
	return fromFixed(m.Descent + m.CapHeight/2)
}

// textRect is the box s takes when written with its anchor (ax, ay) at p.
func (cv *canvas) textRect(st textStyle, p point, ax, ay float64, s string) (x0, y0, x1, y1 float64) {
	w, h := cv.textWidth(st, s), cv.textHeight(st)
	x0 = p.x - ax*w
	y0 = math.Round(p.y - ay*h)
	return x0, y0, x0 + w, y0 + h
}

// text writes s with its anchor (ax, ay) at p.
func (cv *canvas) text(st textStyle, p point, ax, ay float64, s string) {
	face := cv.fonts.face(st)
	x0, y0, _, _ := cv.textRect(st, p, ax, ay, s)
	// The baseline sits on a whole pixel so that horizontal strokes of the
	// glyphs stay sharp.
	baseline := y0 + fromFixed(face.Metrics().Ascent)
	d := font.Drawer{
		Dst:  cv.img,
		Src:  image.NewUniform(st.color),
		Face: face,
		Dot:  fixed.Point26_6{X: toFixed(x0), Y: toFixed(math.Round(baseline))},
	}
	d.DrawString(s)
}

// label writes s on a white patch so that lines under it do not cut
// through the letters.
func (cv *canvas) label(st textStyle, p point, ax, ay float64, s string) {
	x0, y0, x1, y1 := cv.textRect(st, p, ax, ay, s)
	const pad = 3
	var patch shape
	patch.rect(x0-pad, y0-1, x1+pad, y1+1)
	cv.fill(&patch, color.White)
	cv.text(st, p, ax, ay, s)
}

func fromFixed(v fixed.Int26_6) float64 { return float64(v) / 64 }

func toFixed(v float64) fixed.Int26_6 { return fixed.Int26_6(math.Round(v * 64)) }

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
