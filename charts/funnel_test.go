package charts

import (
	"bytes"
	"errors"
	"flag"
	"image"
	"image/png"
	"math"
	"os"
	"testing"
)

// -funnel writes the sample funnel to a file for a person to look at:
// go test ./charts -run TestFunnelSample -funnel=/tmp/funnel.png
var funnelPath = flag.String("funnel", "", "write the sample funnel to this PNG file")

const funnelGolden = "testdata/funnel.png"

// sampleFunnel is the quarter of sampleSeries: visitors ahead, leads
// worked out from the lead rate and lagging, sales without values yet and
// revenue with no target of its own.
func sampleFunnel() []FunnelStage {
	return []FunnelStage{
		{Name: "Visitors", Note: "Reach", Unit: "count", Target: 20000, HasTarget: true, Actual: 12950, HasActual: true},
		{Name: "Leads", Note: "1.7% of visitors, target 3.5%", Unit: "count", Target: 700, HasTarget: true, Actual: 220, HasActual: true, Derived: true},
		{Name: "Sales", Note: "Convert", Unit: "count", Target: 140, HasTarget: true},
		{Name: "Revenue", Note: "Convert", Unit: "currency:USD", Target: 30000, HasTarget: true, Actual: 18250, HasActual: true},
	}
}

func renderFunnel(tb testing.TB, title string, stages []FunnelStage) *bytes.Buffer {
	tb.Helper()
	var buf bytes.Buffer
	if err := RenderFunnel(&buf, title, stages); err != nil {
		tb.Fatalf("RenderFunnel: %v", err)
	}
	return &buf
}

func TestFunnelSample(t *testing.T) {
	if *funnelPath == "" {
		t.Skip("no -funnel path given")
	}
	buf := renderFunnel(t, "Q1 Launch · Funnel, latest against target", sampleFunnel())
	if err := os.WriteFile(*funnelPath, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestFunnelGolden compares the sample funnel with the one a person last
// looked at; -update rewrites it.
func TestFunnelGolden(t *testing.T) {
	pixelHeavy(t)
	buf := renderFunnel(t, "Q1 Launch · Funnel, latest against target", sampleFunnel())
	if *update {
		if err := os.WriteFile(funnelGolden, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	got, err := png.Decode(buf)
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(funnelGolden)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	want, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	if got.Bounds() != want.Bounds() {
		t.Fatalf("funnel is %v, golden is %v (-update after an intended change)", got.Bounds(), want.Bounds())
	}
	if n, box := diffPixels(got, want); n > 0 {
		t.Errorf("%d pixels differ from %s, within %v (-update after an intended change, and look at it)", n, funnelGolden, box)
	}
}

// TestFunnelFill: the blue inside a stage's slice is its share of the
// target: half the target fills about half the slice, the target or more
// fills all of it, no values none.
func TestFunnelFill(t *testing.T) {
	row := func(actual float64, has bool) FunnelStage {
		return FunnelStage{Name: "Leads", Unit: "count", Target: 400, HasTarget: true, Actual: actual, HasActual: has}
	}
	// One stage a picture, so that every slice has the same shape.
	blue := func(s FunnelStage) int {
		img, err := png.Decode(renderFunnel(t, "", []FunnelStage{s}))
		if err != nil {
			t.Fatal(err)
		}
		// The slice only: the numbers on the right are not blue.
		r := image.Rect(outerPad+funnelLabelW, 0, imageWidth-outerPad-funnelValueW, img.Bounds().Dy())
		return stats(img, r).actual
	}
	whole, half, over, none := blue(row(400, true)), blue(row(200, true)), blue(row(900, true)), blue(row(0, false))
	if whole < 10000 {
		t.Fatalf("a stage at its target fills only %d pixels", whole)
	}
	if share := float64(half) / float64(whole); math.Abs(share-0.5) > 0.02 {
		t.Errorf("half the target fills %.2f of the slice, want 0.5", share)
	}
	if over != whole {
		t.Errorf("past the target fills %d pixels, want the whole slice (%d)", over, whole)
	}
	if none != 0 {
		t.Errorf("a stage without values fills %d pixels", none)
	}
}

func TestFunnelWords(t *testing.T) {
	tests := []struct {
		s              FunnelStage
		amount, status string
	}{
		{FunnelStage{Unit: "count", Target: 20000, HasTarget: true, Actual: 12400, HasActual: true}, "12.4k of 20k", "62% of target"},
		{FunnelStage{Unit: "currency:USD", Target: 30000, HasTarget: true, Actual: 31000, HasActual: true}, "$31k of $30k", "target reached (103%)"},
		{FunnelStage{Unit: "count", Target: 400, HasTarget: true, Actual: 14, HasActual: true}, "14 of 400", "3.5% of target"},
		{FunnelStage{Unit: "count", Target: 400, HasTarget: true}, "— of 400", "no values yet"},
		{FunnelStage{Unit: "count", Actual: 310, HasActual: true}, "310", "no target"},
	}
	for _, tt := range tests {
		amount, status := tt.s.words()
		if amount != tt.amount || status != tt.status {
			t.Errorf("%+v: words = %q, %q; want %q, %q", tt.s, amount, status, tt.amount, tt.status)
		}
	}
}

func TestFunnelNoStages(t *testing.T) {
	if err := RenderFunnel(&bytes.Buffer{}, "Funnel", nil); !errors.Is(err, ErrNoData) {
		t.Errorf("RenderFunnel with no stages = %v, want ErrNoData", err)
	}
}
