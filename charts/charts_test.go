package charts

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"io"
	"math"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

var monday = time.Date(2026, time.February, 2, 9, 0, 0, 0, time.UTC)

// weekly returns one point a week starting on monday.
func weekly(values ...float64) []Point {
	pts := make([]Point, len(values))
	for i, v := range values {
		pts[i] = Point{At: monday.AddDate(0, 0, 7*i), Value: v}
	}
	return pts
}

// render draws series and decodes the PNG it wrote.
func render(tb testing.TB, title string, series []Series) image.Image {
	tb.Helper()
	var buf bytes.Buffer
	if err := Render(&buf, title, series); err != nil {
		tb.Fatalf("Render: %v", err)
	}
	img, err := png.Decode(&buf)
	if err != nil {
		tb.Fatalf("decode png: %v", err)
	}
	return img
}

// regionStats counts what is drawn inside r.
type regionStats struct {
	nonWhite int
	colours  int
	actual   int // pixels in the exact colour of the value line
}

func stats(img image.Image, r image.Rectangle) regionStats {
	// Reading Pix directly keeps this loop quick under -race, where
	// img.At per pixel takes seconds.
	rgba, ok := img.(*image.RGBA)
	if !ok {
		rgba = image.NewRGBA(img.Bounds())
		draw.Draw(rgba, rgba.Bounds(), img, img.Bounds().Min, draw.Src)
	}
	var s regionStats
	seen := map[color.RGBA]bool{}
	r = r.Intersect(rgba.Bounds())
	for y := r.Min.Y; y < r.Max.Y; y++ {
		row := rgba.Pix[rgba.PixOffset(r.Min.X, y):rgba.PixOffset(r.Max.X, y)]
		for i := 0; i < len(row); i += 4 {
			c := color.RGBA{row[i], row[i+1], row[i+2], row[i+3]}
			seen[c] = true
			if c != (color.RGBA{0xFF, 0xFF, 0xFF, 0xFF}) {
				s.nonWhite++
			}
			if c == colActual {
				s.actual++
			}
		}
	}
	s.colours = len(seen)
	return s
}

// panelRect is where the panel at index i should be drawn, shrunk by a
// margin so that neighbouring panels never leak into it.
func panelRect(i, n int, title bool) image.Rectangle {
	cols, rowH := 1, rowHeight1
	if n > 3 {
		cols, rowH = 2, rowHeight2
	}
	top := outerPad / 2
	if title {
		top = titleHeight
	}
	colW := imageWidth / cols
	r, c := i/cols, i%cols
	const margin = 12
	return image.Rect(c*colW+margin, top+r*rowH+margin, (c+1)*colW-margin, top+(r+1)*rowH-margin)
}

// pixelHeavy skips a test that renders and inspects images in one
// goroutine when the race detector is on; see raceEnabled.
func pixelHeavy(t *testing.T) {
	t.Helper()
	if raceEnabled {
		t.Skip("single-goroutine pixel test: runs without -race")
	}
}

func TestRenderLayout(t *testing.T) {
	pixelHeavy(t)
	t.Parallel()
	full := Series{
		Name: "Unique visitors", Unit: "count",
		Points:   weekly(8100, 8900, 10150, 11200, 12400),
		Baseline: 8000, HasBaseline: true,
		Target: 20000, HasTarget: true,
		Deadline: monday.AddDate(0, 2, 0),
		Status:   "on track",
	}
	tests := []struct {
		panels     int
		wantHeight int
	}{
		{1, titleHeight + rowHeight1 + outerPad},
		{3, titleHeight + 3*rowHeight1 + outerPad},
		{4, titleHeight + 2*rowHeight2 + outerPad},
		{5, titleHeight + 3*rowHeight2 + outerPad},
		{12, titleHeight + 6*rowHeight2 + outerPad},
		{20, titleHeight + 6*rowHeight2 + outerPad}, // capped at MaxPanels
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.panels, "panels"), func(t *testing.T) {
			series := make([]Series, tt.panels)
			for i := range series {
				series[i] = full
				series[i].Name = fmt.Sprintf("KPI %d", i+1)
			}
			img := render(t, "Q1 Launch", series)
			if got := img.Bounds().Dx(); got != imageWidth {
				t.Errorf("width = %d, want %d", got, imageWidth)
			}
			if got := img.Bounds().Dy(); got != tt.wantHeight {
				t.Errorf("height = %d, want %d", got, tt.wantHeight)
			}
			drawn := min(tt.panels, MaxPanels)
			for i := range drawn {
				s := stats(img, panelRect(i, drawn, true))
				// Axes, grid, text, line and markers: thousands of pixels in
				// many shades once anti-aliased.
				if s.nonWhite < 2000 || s.colours < 20 || s.actual < 100 {
					t.Errorf("panel %d looks blank: %+v", i, s)
				}
			}
			if drawn%2 == 1 && drawn > 3 {
				// The empty slot beside the last panel stays white.
				if s := stats(img, panelRect(drawn, drawn, true)); s.nonWhite != 0 {
					t.Errorf("empty slot has %d drawn pixels", s.nonWhite)
				}
			}
		})
	}
}

func TestRenderMorePanelsThanMax(t *testing.T) {
	pixelHeavy(t)
	t.Parallel()
	many := make([]Series, MaxPanels+3)
	for i := range many {
		many[i] = Series{Name: fmt.Sprint("KPI ", i), Points: weekly(1, 2, 3)}
	}
	got := render(t, "Plan", many)
	want := render(t, "Plan (+3 more)", many[:MaxPanels])
	if !sameImage(got, want) {
		t.Error(`15 series did not render as the first 12 with "(+3 more)" in the title`)
	}
}

func TestRenderNoPoints(t *testing.T) {
	pixelHeavy(t)
	t.Parallel()
	tests := []struct {
		name string
		s    Series
	}{
		{"bare", Series{Name: "Fans"}},
		{"target only", Series{Name: "Fans", Target: 500, HasTarget: true}},
		{"target and deadline", Series{
			Name: "Fans", Target: 500, HasTarget: true, Baseline: 120, HasBaseline: true,
			Deadline: monday, Status: "off track",
		}},
		{"only unusable values", Series{Name: "Fans", Points: []Point{
			{monday, math.NaN()}, {monday, math.Inf(1)}, {time.Time{}, 4},
		}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			img := render(t, "", []Series{tt.s})
			s := stats(img, panelRect(0, 1, false))
			if s.actual != 0 {
				t.Errorf("panel without values has %d pixels of the value colour", s.actual)
			}
			// The title, axes and the "no values yet" note.
			if s.nonWhite < 500 {
				t.Errorf("panel without values looks blank: %+v", s)
			}
		})
	}
}

func TestRenderSinglePoint(t *testing.T) {
	pixelHeavy(t)
	t.Parallel()
	for _, v := range []float64{0, 42, -3, 1e-9} {
		t.Run(fmt.Sprint(v), func(t *testing.T) {
			img := render(t, "One value", []Series{{Name: "Leads", Points: weekly(v)}})
			if s := stats(img, panelRect(0, 1, true)); s.actual < 50 {
				t.Errorf("single point not drawn: %+v", s)
			}
		})
	}
}

func TestRenderExtremeValues(t *testing.T) {
	pixelHeavy(t)
	t.Parallel()
	tests := []struct {
		name string
		s    Series
	}{
		{"huge", Series{Name: "Impressions", Points: weekly(1.2e15, 3.4e15, 2e18), Target: 5e18, HasTarget: true}},
		{"tiny", Series{Name: "Error rate", Unit: "percent", Points: weekly(1.2e-7, 3.4e-7), Target: 5e-7, HasTarget: true}},
		{"huge and tiny", Series{Name: "Mixed", Points: weekly(1e-9, 1e12)}},
		{"near float limit", Series{Name: "Overflow", Points: weekly(1e308, -1e308, 5), Target: math.MaxFloat64, HasTarget: true}},
		{"flat", Series{Name: "Flat", Points: weekly(7, 7, 7, 7)}},
		{"negative money", Series{Name: "Profit", Unit: "currency:GBP", Points: weekly(-1200, 300, 900)}},
		{"flat huge", Series{Name: "Flat huge", Points: weekly(1e18, 1e18+1)}},
		{"long duration", Series{Name: "Time to close", Unit: "duration", Points: weekly(86400*40, 86400*400)}},
		{"same instant", Series{Name: "Dupes", Points: []Point{{monday, 1}, {monday, 2}, {monday, 3}}}},
		{"decades", Series{Name: "Long run", Points: []Point{{monday, 1}, {monday.AddDate(80, 0, 0), 2}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			img := render(t, tt.name, []Series{tt.s})
			if s := stats(img, panelRect(0, 1, true)); s.nonWhite < 1000 || s.colours < 10 {
				t.Errorf("panel looks blank: %+v", s)
			}
		})
	}
}

func TestRenderNoData(t *testing.T) {
	for _, series := range [][]Series{nil, {}} {
		var buf bytes.Buffer
		err := Render(&buf, "Empty", series)
		if !errors.Is(err, ErrNoData) {
			t.Errorf("Render(%v) error = %v, want ErrNoData", series, err)
		}
		if buf.Len() != 0 {
			t.Errorf("Render(%v) wrote %d bytes", series, buf.Len())
		}
	}
}

// failingWriter refuses every write, like a closed upload stream.
type failingWriter struct{}

var errClosed = errors.New("stream closed")

func (failingWriter) Write([]byte) (int, error) { return 0, errClosed }

func TestRenderWriteError(t *testing.T) {
	err := Render(failingWriter{}, "t", []Series{{Name: "x", Points: weekly(1)}})
	if !errors.Is(err, errClosed) {
		t.Errorf("error = %v, want it to wrap the writer's error", err)
	}
}

func TestRenderDeterministic(t *testing.T) {
	pixelHeavy(t)
	t.Parallel()
	series := sampleSeries(t)
	var first bytes.Buffer
	if err := Render(&first, "Q1", series); err != nil {
		t.Fatal(err)
	}
	// The same points in another order are the same chart.
	shuffled := slices.Clone(series)
	for i := range shuffled {
		shuffled[i].Points = slices.Clone(series[i].Points)
		slices.Reverse(shuffled[i].Points)
	}
	for _, in := range [][]Series{series, shuffled} {
		var again bytes.Buffer
		if err := Render(&again, "Q1", in); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(first.Bytes(), again.Bytes()) {
			t.Error("same input rendered to different bytes")
		}
	}
}

// TestRenderConcurrent runs renders side by side, as the bot does for
// several plans at once, and checks that each comes out as a render on its
// own does. It is the smoke test the race detector runs: the parsed fonts
// are shared between renders.
func TestRenderConcurrent(t *testing.T) {
	t.Parallel()
	series := sampleSeries(t)[:2]
	outs := make([]bytes.Buffer, 4)
	errs := make([]error, len(outs))
	var wg sync.WaitGroup
	for i := range outs {
		wg.Go(func() { errs[i] = Render(&outs[i], "Q1", series) })
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Fatal(err)
	}
	var alone bytes.Buffer
	if err := Render(&alone, "Q1", series); err != nil {
		t.Fatal(err)
	}
	for i := range outs {
		if !bytes.Equal(outs[i].Bytes(), alone.Bytes()) {
			t.Errorf("concurrent render %d differs from a render on its own", i)
		}
	}
}

func sameImage(a, b image.Image) bool {
	ra, okA := a.(*image.RGBA)
	rb, okB := b.(*image.RGBA)
	if okA && okB {
		return ra.Rect == rb.Rect && bytes.Equal(ra.Pix, rb.Pix)
	}
	if a.Bounds() != b.Bounds() {
		return false
	}
	r := a.Bounds()
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			if a.At(x, y) != b.At(x, y) {
				return false
			}
		}
	}
	return true
}

func BenchmarkRender(b *testing.B) {
	series := sampleSeries(b)
	for b.Loop() {
		if err := Render(io.Discard, "Q1 Launch", series); err != nil {
			b.Fatal(err)
		}
	}
}

func TestFit(t *testing.T) {
	cv := newCanvas(10, 10)
	sty := style(sizePanelTitle, true, colText)
	long := "Average order value for returning customers in the European storefront"
	tests := []struct {
		name  string
		width float64
		want  string
	}{
		{"fits", cv.textWidth(sty, long), long},
		{"too narrow for anything", 1, ""},
	}
	for _, tt := range tests {
		if got := fit(cv, sty, long, tt.width); got != tt.want {
			t.Errorf("%s: fit = %q, want %q", tt.name, got, tt.want)
		}
	}
	got := fit(cv, sty, long, 200)
	if !strings.HasSuffix(got, "…") || cv.textWidth(sty, got) > 200 || len(got) < 10 {
		t.Errorf("fit to 200px = %q (%.0fpx), want a shortened name ending in …", got, cv.textWidth(sty, got))
	}
}
