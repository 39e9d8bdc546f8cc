package charts

import (
	"image"
	"image/color"
	"testing"
)

var white = color.RGBA{0xFF, 0xFF, 0xFF, 0xFF}

// TestShapeWinding fills two overlapping squares given in opposite
// windings. The rasterizer sums signed coverage, so unless the shape
// evens out the windings the overlap would cancel out to a white hole.
func TestShapeWinding(t *testing.T) {
	cv := newCanvas(40, 20)
	var s shape
	s.add([]point{{2, 2}, {22, 2}, {22, 18}, {2, 18}})
	s.add([]point{{18, 2}, {18, 18}, {38, 18}, {38, 2}})
	cv.fill(&s, colActual)
	for y := 2; y < 18; y++ {
		for x := 2; x < 38; x++ {
			if got := cv.img.RGBAAt(x, y); got != colActual {
				t.Fatalf("pixel (%d,%d) = %v, want the fill colour", x, y, got)
			}
		}
	}
	for _, p := range []image.Point{{1, 1}, {0, 10}, {38, 18}, {39, 19}} {
		if got := cv.img.RGBAAt(p.X, p.Y); got != white {
			t.Errorf("pixel %v outside the squares = %v, want white", p, got)
		}
	}
}

// TestPolylineJoin checks that a sharp bend of a thick line is filled at
// the joint rather than notched, and that the line is as thick as asked.
func TestPolylineJoin(t *testing.T) {
	cv := newCanvas(60, 60)
	var s shape
	s.polyline([]point{{5, 50}, {30, 10}, {55, 50}}, 6)
	cv.fill(&s, colActual)
	// The joint: the middle of the bend and just above it (the round join
	// reaches out by half the width).
	for _, p := range []image.Point{{30, 10}, {30, 8}, {29, 12}, {31, 12}} {
		if got := cv.img.RGBAAt(p.X, p.Y); got != colActual {
			t.Errorf("pixel %v at the joint = %v, want the line colour", p, got)
		}
	}
	// Across the first leg at mid-height: about 6 / cos(angle) pixels.
	n := 0
	for x := range 60 {
		if cv.img.RGBAAt(x, 30) != white {
			n++
		}
	}
	if n < 2*6 || n > 2*10 {
		t.Errorf("%d pixels drawn across both legs at y=30, want two strokes of about 6-8", n)
	}
}

// TestDashed checks that a dashed line alternates between dashes and gaps
// of the given lengths and starts with a dash.
func TestDashed(t *testing.T) {
	cv := newCanvas(100, 10)
	var s shape
	s.dashed(point{0, 5}, point{100, 5}, 2, 9, 6)
	cv.fill(&s, colActual)
	var runs []int
	drawn, run := true, 0
	for x := range 100 {
		if (cv.img.RGBAAt(x, 5) == colActual) != drawn {
			runs = append(runs, run)
			drawn, run = !drawn, 0
		}
		run++
	}
	runs = append(runs, run)
	want := []int{9, 6, 9, 6, 9, 6, 9, 6, 9, 6, 9, 6, 9, 1}
	if len(runs) != len(want) {
		t.Fatalf("runs of dash and gap = %v, want %v", runs, want)
	}
	for i := range want {
		if runs[i] != want[i] {
			t.Fatalf("runs of dash and gap = %v, want %v", runs, want)
		}
	}
}

// TestFillOffCanvas draws shapes partly and wholly off the canvas and ones
// with unusable coordinates; none may panic or paint where it should not.
func TestFillOffCanvas(t *testing.T) {
	cv := newCanvas(20, 20)
	var s shape
	s.rect(-30, -30, 5, 5)                        // partly off: the corner is painted
	s.rect(100, 100, 200, 200)                    // wholly off
	s.segment(point{-1e9, 10}, point{1e9, 10}, 2) // far off: left out
	s.circle(point{10, 1e300}, 3)
	cv.fill(&s, colActual)
	if got := cv.img.RGBAAt(2, 2); got != colActual {
		t.Errorf("corner of the partly visible rect = %v, want the fill colour", got)
	}
	if got := cv.img.RGBAAt(10, 10); got != white {
		t.Errorf("pixel under the far-off line = %v, want white", got)
	}
}
