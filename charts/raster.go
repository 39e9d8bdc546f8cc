package charts

import (
	"image"
	"image/color"
	"image/draw"
	"math"

	"golang.org/x/image/vector"
)

// canvas is the image a chart is drawn on, in pixels with y growing
// downwards. It is drawn by one goroutine: each Render has its own.
type canvas struct {
	img   *image.RGBA
	ras   vector.Rasterizer
	fonts *fontSet
}

// newCanvas returns a white canvas of w×h pixels.
func newCanvas(w, h int) *canvas {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	draw.Draw(img, img.Bounds(), image.NewUniform(color.White), image.Point{}, draw.Src)
	return &canvas{img: img, fonts: newFontSet()}
}

// point is a position on the canvas.
type point struct{ x, y float64 }

// shape is a set of closed polygons filled in one pass, so that where they
// overlap (the joins of a polyline, a dot's rim) the anti-aliased edges
// are not drawn twice and do not darken.
type shape struct {
	polys [][]point
}

// add appends a closed polygon. Every polygon is stored with the same
// winding: the rasterizer adds up signed coverage, so two overlapping
// polygons of opposite winding would cancel out.
func (s *shape) add(poly []point) {
	if len(poly) < 3 {
		return
	}
	for _, p := range poly {
		if !finitePx(p.x) || !finitePx(p.y) {
			return
		}
	}
	var area float64
	for i, p := range poly {
		q := poly[(i+1)%len(poly)]
		area += p.x*q.y - q.x*p.y
	}
	if area < 0 {
		for i, j := 0, len(poly)-1; i < j; i, j = i+1, j-1 {
			poly[i], poly[j] = poly[j], poly[i]
		}
	}
	s.polys = append(s.polys, poly)
}

// finitePx reports whether v is a usable pixel coordinate; anything far
// off the canvas is as good as absent.
func finitePx(v float64) bool {
	return !math.IsNaN(v) && math.Abs(v) < 1e5
}

// rect adds the rectangle between two corners.
func (s *shape) rect(x0, y0, x1, y1 float64) {
	s.add([]point{{x0, y0}, {x1, y0}, {x1, y1}, {x0, y1}})
}

// circle adds a circle as a polygon fine enough that no edge shows.
func (s *shape) circle(c point, r float64) {
	n := int(math.Ceil(r * 4))
	n = min(max(n, 16), 96)
	poly := make([]point, n)
	for i := range poly {
		a := 2 * math.Pi * float64(i) / float64(n)
		poly[i] = point{c.x + r*math.Cos(a), c.y + r*math.Sin(a)}
	}
	s.add(poly)
}

// segment adds a straight stroke of the given width with square-cut ends.
func (s *shape) segment(a, b point, width float64) {
	dx, dy := b.x-a.x, b.y-a.y
	l := math.Hypot(dx, dy)
	if l == 0 || math.IsNaN(l) {
		return
	}
	nx, ny := -dy/l*width/2, dx/l*width/2
	s.add([]point{
		{a.x + nx, a.y + ny}, {b.x + nx, b.y + ny},
		{b.x - nx, b.y - ny}, {a.x - nx, a.y - ny},
	})
}

// polyline adds a stroke through pts with round joins.
func (s *shape) polyline(pts []point, width float64) {
	for i := 1; i < len(pts); i++ {
		s.segment(pts[i-1], pts[i], width)
		if i < len(pts)-1 {
			s.circle(pts[i], width/2)
		}
	}
}

// dashed adds a stroke from a to b as dashes of on pixels with gaps of off
// pixels, starting with a dash at a.
func (s *shape) dashed(a, b point, width, on, off float64) {
	l := math.Hypot(b.x-a.x, b.y-a.y)
	if l == 0 || math.IsNaN(l) || on <= 0 || off < 0 {
		return
	}
	// Bounded so that a stray coordinate cannot mean millions of dashes.
	if l/(on+off) > 10000 {
		s.segment(a, b, width)
		return
	}
	at := func(d float64) point {
		return point{a.x + (b.x-a.x)*d/l, a.y + (b.y-a.y)*d/l}
	}
	for d := 0.0; d < l; d += on + off {
		s.segment(at(d), at(min(d+on, l)), width)
	}
}

// fill paints the shape in c.
func (cv *canvas) fill(s *shape, c color.Color) {
	if len(s.polys) == 0 {
		return
	}
	// The rasterizer works on the shape's bounding box only: a canvas-sized
	// mask per shape would cost more than all the drawing.
	minX, minY := math.Inf(1), math.Inf(1)
	maxX, maxY := math.Inf(-1), math.Inf(-1)
	for _, poly := range s.polys {
		for _, p := range poly {
			minX, minY = min(minX, p.x), min(minY, p.y)
			maxX, maxY = max(maxX, p.x), max(maxY, p.y)
		}
	}
	box := image.Rect(
		int(math.Floor(minX)), int(math.Floor(minY)),
		int(math.Ceil(maxX)), int(math.Ceil(maxY)),
	).Intersect(cv.img.Bounds())
	if box.Empty() {
		return
	}
	ox, oy := float64(box.Min.X), float64(box.Min.Y)
	cv.ras.Reset(box.Dx(), box.Dy())
	for _, poly := range s.polys {
		cv.ras.MoveTo(float32(poly[0].x-ox), float32(poly[0].y-oy))
		for _, p := range poly[1:] {
			cv.ras.LineTo(float32(p.x-ox), float32(p.y-oy))
		}
		cv.ras.ClosePath()
	}
	cv.ras.Draw(cv.img, box, image.NewUniform(c), image.Point{})
}

// line strokes a single solid line.
func (cv *canvas) line(a, b point, width float64, c color.Color) {
	var s shape
	s.segment(a, b, width)
	cv.fill(&s, c)
}

// rule draws a one-pixel line along a row or a column of pixels, from
// (x0, y0) to (x1, y1) with x0 == x1 or y0 == y1. Grid and axis lines are
// such lines; filling their pixels directly spares the rasterizer a pass
// over the whole panel.
func (cv *canvas) rule(x0, y0, x1, y1 float64, c color.Color) {
	if !finitePx(x0) || !finitePx(y0) || !finitePx(x1) || !finitePx(y1) {
		return
	}
	r := image.Rect(int(math.Floor(x0)), int(math.Floor(y0)), int(math.Floor(x1)), int(math.Floor(y1)))
	if r.Dx() == 0 {
		r.Max.X++
	}
	if r.Dy() == 0 {
		r.Max.Y++
	}
	draw.Draw(cv.img, r.Intersect(cv.img.Bounds()), image.NewUniform(c), image.Point{}, draw.Src)
}
