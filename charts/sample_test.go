package charts

import (
	"bytes"
	"flag"
	"image"
	"image/png"
	"os"
	"testing"
	"time"
)

// -sample writes the sample chart to a file for a person to look at:
// go test ./charts -run TestSample -sample=/tmp/charts-sample.png
var samplePath = flag.String("sample", "", "write the sample chart to this PNG file")

// -update rewrites the golden chart after an intended change of the look:
// go test ./charts -run TestGolden -update, then look at the file.
var update = flag.Bool("update", false, "rewrite "+goldenPath+" from the current renderer")

// goldenPath is the sample chart as a person last looked at it.
const goldenPath = "testdata/sample.png"

// sampleSeries is a plan half way through a quarter: six KPIs in six
// units, one of them without values yet. The plan started before the new
// year, so the time axis crosses it.
func sampleSeries(tb testing.TB) []Series {
	tb.Helper()
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		tb.Fatalf("load location: %v", err)
	}
	started := time.Date(2025, time.December, 15, 11, 0, 0, 0, berlin)
	start := time.Date(2026, time.January, 5, 9, 0, 0, 0, berlin)
	week := func(i int) time.Time { return start.AddDate(0, 0, 7*i) }
	deadline := time.Date(2026, time.March, 31, 0, 0, 0, 0, berlin)
	series := []Series{
		{
			Name: "Unique visitors", Unit: "count",
			Points: []Point{
				{week(3), 11200}, {week(0), 8100}, {week(1), 8900}, {week(2), 10150},
				{week(4), 12400}, {week(5), 12950},
			},
			Baseline: 8000, HasBaseline: true, Target: 20000, HasTarget: true,
			Deadline: deadline, Status: "on track",
		},
		{
			Name: "Revenue", Unit: "currency:USD",
			Points: []Point{
				{week(0), 9800}, {week(1), 11250}, {week(2), 10900}, {week(3), 13400},
				{week(4), 15100}, {week(5), 18250},
			},
			Baseline: 9000, HasBaseline: true, Target: 30000, HasTarget: true,
			Deadline: deadline, Status: "at risk",
		},
		{
			Name: "Lead conversion rate", Unit: "percent",
			Points: []Point{
				{week(0), 2.1}, {week(1), 2.4}, {week(2), 2.2}, {week(3), 2.0},
				{week(4), 1.9}, {week(5), 1.7},
			},
			Baseline: 2.0, HasBaseline: true, Target: 3.5, HasTarget: true,
			Deadline: deadline, Status: "off track",
		},
		{
			Name: "Average time on site", Unit: "duration",
			Points: []Point{
				{week(0), 95}, {week(1), 110}, {week(2), 124}, {week(3), 131},
				{week(4), 142}, {week(5), 150},
			},
			Baseline: 90, HasBaseline: true, Target: 180, HasTarget: true,
			Deadline: deadline, Status: "on track",
		},
		{
			Name: "Net Promoter Score", Unit: "number",
			Points: []Point{
				{week(0), 31}, {week(2), 36}, {week(4), 41}, {week(5), 47},
			},
			Baseline: 30, HasBaseline: true, Target: 50, HasTarget: true,
			Deadline: deadline, Status: "on track",
		},
		{
			Name: "Return on ad spend", Unit: "ratio",
			Target: 4, HasTarget: true, Deadline: deadline,
		},
	}
	for i := range series {
		series[i].Start = started
		series[i].Trend = fitLine(series[i].Points, deadline)
	}
	return series
}

// fitLine is the least-squares line through pts, from the first point to
// end, as the report package draws a KPI's trend; nil for fewer than two
// points.
func fitLine(pts []Point, end time.Time) []Point {
	if len(pts) < 2 {
		return nil
	}
	first := pts[0].At
	for _, p := range pts {
		if p.At.Before(first) {
			first = p.At
		}
	}
	x := func(t time.Time) float64 { return t.Sub(first).Hours() }
	var mx, my float64
	for _, p := range pts {
		mx += x(p.At)
		my += p.Value
	}
	n := float64(len(pts))
	mx, my = mx/n, my/n
	var sxy, sxx float64
	for _, p := range pts {
		sxy += (x(p.At) - mx) * (p.Value - my)
		sxx += (x(p.At) - mx) * (x(p.At) - mx)
	}
	at := func(t time.Time) float64 { return my + sxy/sxx*(x(t)-mx) }
	return []Point{{first, at(first)}, {end, at(end)}}
}

func TestSample(t *testing.T) {
	if *samplePath == "" {
		t.Skip("no -sample path given")
	}
	f, err := os.Create(*samplePath)
	if err != nil {
		t.Fatal(err)
	}
	if err := Render(f, "Q1 Launch · KPI progress", sampleSeries(t)); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

// TestGolden compares the sample chart pixel by pixel with the golden one,
// so that any change to the look is seen and approved. Pixels rather than
// bytes: another Go release may compress the same image differently.
func TestGolden(t *testing.T) {
	pixelHeavy(t)
	var buf bytes.Buffer
	if err := Render(&buf, "Q1 Launch · KPI progress", sampleSeries(t)); err != nil {
		t.Fatal(err)
	}
	if *update {
		if err := os.WriteFile(goldenPath, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	got, err := png.Decode(&buf)
	if err != nil {
		t.Fatalf("decode rendered png: %v", err)
	}
	f, err := os.Open(goldenPath)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	want, err := png.Decode(f)
	if err != nil {
		t.Fatalf("decode %s: %v", goldenPath, err)
	}
	if got.Bounds() != want.Bounds() {
		t.Fatalf("chart is %v, golden is %v (-update after an intended change)", got.Bounds(), want.Bounds())
	}
	if n, box := diffPixels(got, want); n > 0 {
		t.Errorf("%d pixels differ from %s, within %v (-update after an intended change, and look at it)", n, goldenPath, box)
	}
}

// diffPixels counts the pixels in which a and b, of the same bounds,
// differ, and the box around them.
func diffPixels(a, b image.Image) (int, image.Rectangle) {
	n, box := 0, image.Rectangle{}
	r := a.Bounds()
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			if a.At(x, y) != b.At(x, y) {
				n++
				box = box.Union(image.Rect(x, y, x+1, y+1))
			}
		}
	}
	return n, box
}
