package charts

import (
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestFormatValue(t *testing.T) {
	tests := []struct {
		v    float64
		unit string
		want string
	}{
		{0, "count", "0"},
		{310, "count", "310"},
		{12400, "count", "12.4k"},
		{12950, "count", "13k"},
		{999.6, "count", "1k"}, // rounds before choosing the suffix
		{999400, "count", "999k"},
		{1234567, "", "1.23M"},
		{2.5e9, "count", "2.5B"},
		{7e12, "count", "7T"},
		{3.4e15, "count", "3.4e15"},
		{1e-7, "count", "1e-7"},
		{0.0123, "count", "0.0123"},
		{-4200, "count", "-4.2k"},
		{18250, "currency:USD", "$18.3k"}, // halves round up, as people do
		{20000, "currency:usd", "$20k"},
		{-500, "currency:EUR", "-€500"},
		{1200000, "currency:GBP", "£1.2M"},
		{18000, "currency:CHF", "CHF 18k"},
		{18000, "currency:$", "$18k"},
		{18000, "currency", "18k"},
		{3.5, "percent", "3.5%"},
		{0.035, "percent", "0.035%"},
		{1500, "percent", "1500%"},
		{2.5, "ratio", "2.5×"},
		{4, "ratio", "4×"},
		// Scores and averages carry no unit sign: an NPS of 47 is not 47×.
		{47, "number", "47"},
		{4.8, "number", "4.8"},
		{-12, "number", "-12"},
		{150, "duration", "2m30s"},
		{45, "duration", "45s"},
		{2.5, "duration", "2.5s"},
		{0.25, "duration", "0.25s"},
		{59.6, "duration", "1m"},
		{3599.7, "duration", "1h"},
		{3725, "duration", "1h2m"},
		{7200, "duration", "2h"},
		{90061, "duration", "1d1h"},
		{-90, "duration", "-1m30s"},
		{86400 * 400, "duration", "400d"},
		{12400, "unknown-unit", "12.4k"},
		{math.NaN(), "count", "NaN"},
	}
	for _, tt := range tests {
		if got := formatValue(tt.v, tt.unit); got != tt.want {
			t.Errorf("formatValue(%v, %q) = %q, want %q", tt.v, tt.unit, got, tt.want)
		}
	}
}

func TestFormatTicks(t *testing.T) {
	tests := []struct {
		unit  string
		ticks []float64
		step  float64
		want  []string
	}{
		{"count", []float64{5000, 10000, 15000, 20000, 25000}, 5000, []string{"5k", "10k", "15k", "20k", "25k"}},
		{"count", []float64{11500, 12000, 12500, 13000}, 500, []string{"11.5k", "12k", "12.5k", "13k"}},
		{"count", []float64{12350, 12400, 12450}, 50, []string{"12.35k", "12.4k", "12.45k"}},
		{"count", []float64{0, 250, 500, 750, 1000}, 250, []string{"0", "250", "500", "750", "1k"}},
		{"count", []float64{0, 0.1, 0.2, 0.30000000000000004}, 0.1, []string{"0", "0.1", "0.2", "0.3"}},
		{"count", []float64{-1e-17, 1, 2}, 1, []string{"0", "1", "2"}}, // float noise is zero
		{"count", []float64{0, 2e18, 4e18}, 2e18, []string{"0", "2e18", "4e18"}},
		{"count", []float64{1e18, 1.5e18}, 5e17, []string{"1e18", "1.5e18"}},
		{"currency:USD", []float64{0, 10000, 20000, 30000}, 10000, []string{"$0", "$10k", "$20k", "$30k"}},
		{"currency:USD", []float64{17500, 18000, 18500}, 500, []string{"$17.5k", "$18k", "$18.5k"}},
		{"currency:GBP", []float64{-2000, -1000, 0, 1000}, 1000, []string{"-£2k", "-£1k", "£0", "£1k"}},
		{"percent", []float64{1, 2, 3, 4}, 1, []string{"1%", "2%", "3%", "4%"}},
		{"percent", []float64{2.5, 3, 3.5}, 0.5, []string{"2.5%", "3%", "3.5%"}},
		{"percent", []float64{0, 0.25, 0.5}, 0.25, []string{"0%", "0.25%", "0.5%"}},
		{"percent", []float64{0, 2e-7, 4e-7}, 2e-7, []string{"0%", "2e-7%", "4e-7%"}},
		{"ratio", []float64{0, 2, 4}, 2, []string{"0×", "2×", "4×"}},
		{"duration", []float64{60, 90, 120, 150}, 30, []string{"1m", "1m30s", "2m", "2m30s"}},
		{"duration", []float64{1800, 3600, 5400}, 1800, []string{"30m", "1h", "1h30m"}},
		{"duration", []float64{0, 0.25, 0.5}, 0.25, []string{"0s", "0.25s", "0.5s"}},
		{"duration", []float64{0, 86400 * 200}, 86400 * 200, []string{"0s", "200d"}},
		{"duration", []float64{86400, 86400 + 3600}, 3600, []string{"1d", "1d1h"}},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.unit, tt.ticks), func(t *testing.T) {
			got := formatTicks(tt.ticks, tt.step, tt.unit)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("formatTicks mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestNewValueAxis(t *testing.T) {
	tests := []struct {
		lo, hi float64
		unit   string
	}{
		{8000, 20000, "count"},
		{9000, 30000, "currency:USD"},
		{1.7, 3.5, "percent"},
		{90, 180, "duration"},
		{86400 * 40, 86400 * 400, "duration"},
		{0.2, 0.9, "duration"},
		{0, 4, "ratio"},
		{7, 7, "count"},
		{-7, -7, "count"},
		{0, 0, "percent"},
		{-1200, 900, "currency:GBP"},
		{1.2e-7, 5e-7, "percent"},
		{1e-9, 1e12, "count"},
		{1e15, 5e18, "count"},
		{1e18, 1e18 + 1, "count"},
		{-1e300, 1e300, "count"},
		{30, 10, "count"}, // reversed
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.lo, "..", tt.hi, tt.unit), func(t *testing.T) {
			a := newValueAxis(tt.lo, tt.hi, tt.unit)
			lo, hi := min(tt.lo, tt.hi), max(tt.lo, tt.hi)
			if a.min > lo || a.max < hi {
				t.Errorf("axis %v..%v does not cover %v..%v", a.min, a.max, lo, hi)
			}
			if !(a.max > a.min) {
				t.Errorf("empty axis %v..%v", a.min, a.max)
			}
			if lo >= 0 && a.min < 0 {
				t.Errorf("axis of non-negative values starts at %v", a.min)
			}
			if n := len(a.ticks); n < 3 || n > 7 {
				t.Errorf("%d ticks, want 3 to 7: %v", n, a.ticks)
			}
			if a.ticks[0] != a.min || a.ticks[len(a.ticks)-1] != a.max {
				t.Errorf("ticks %v do not run from %v to %v", a.ticks, a.min, a.max)
			}
			labels := formatTicks(a.ticks, a.step, tt.unit)
			seen := map[string]bool{}
			for _, l := range labels {
				if seen[l] {
					t.Errorf("duplicate tick label %q in %q", l, labels)
				}
				seen[l] = true
			}
		})
	}
}

func TestDateTicks(t *testing.T) {
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	at := func(y int, m time.Month, d int) float64 {
		return unixSeconds(time.Date(y, m, d, 12, 0, 0, 0, berlin))
	}
	midnight := func(y int, m time.Month, d int) float64 {
		return unixSeconds(time.Date(y, m, d, 0, 0, 0, 0, berlin))
	}
	// Eight pixels a character: "Feb 3" is 40 wide.
	measure := func(s string) float64 { return 8 * float64(len(s)) }
	tests := []struct {
		name         string
		from, to     float64
		px, overhang float64
		want         []string
	}{
		{"days", at(2026, 2, 2), at(2026, 2, 5), 600, 30, []string{"Feb 3", "Feb 4", "Feb 5"}},
		// Counted from midnight of the first day, which is outside the range.
		{"two days", at(2026, 2, 1), at(2026, 2, 10), 300, 30, []string{"Feb 3", "Feb 5", "Feb 7", "Feb 9"}},
		{"weeks on mondays", at(2026, 1, 7), at(2026, 2, 20), 600, 30, []string{"Jan 12", "Jan 19", "Jan 26", "Feb 2", "Feb 9", "Feb 16"}},
		{"months on the first", at(2026, 1, 5), at(2026, 6, 30), 400, 30, []string{"Feb", "Mar", "Apr", "May", "Jun"}},
		// The year is written on the first label and where it changes.
		{"across a year", at(2025, 12, 1), at(2026, 3, 15), 300, 30, []string{"Jan 2026", "Feb", "Mar"}},
		// Dec 21 2026 would stick out on the left; Dec 28 takes the year.
		{"weeks across a year", at(2026, 12, 20), at(2027, 1, 20), 800, 30, []string{"Dec 28 2026", "Jan 4 2027", "Jan 11", "Jan 18"}},
		{"years", at(2020, 6, 1), at(2026, 6, 1), 300, 30, []string{"2021", "2022", "2023", "2024", "2025", "2026"}},
		// The spring DST change must not shift ticks off midnight.
		{"over DST", at(2026, 3, 27), at(2026, 3, 31), 600, 30, []string{"Mar 28", "Mar 29", "Mar 30", "Mar 31"}},
		// Labels at the very ends would stick out past the room there is.
		{"ends without room", midnight(2026, 2, 2), midnight(2026, 2, 4), 200, 0, []string{"Feb 3"}},
		{"empty range", at(2026, 3, 1), at(2026, 3, 1), 600, 30, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, tk := range dateTicks(tt.from, tt.to, berlin, tt.px, tt.overhang, tt.overhang, measure) {
				got = append(got, tk.Label)
				if tm := unixTime(tk.Value).In(berlin); tm.Hour() != 0 || tm.Minute() != 0 {
					t.Errorf("tick %q at %v, not midnight", tk.Label, tm)
				}
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("dateTicks mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// TestDateLabelsNeverOverlap: whatever the period and the panel width,
// the date labels, measured in the chart's own font, stand apart and
// inside the room they are given, and there are some. A quarter crossing
// the new year in a half-width panel once read "Jan 1 202Feb 1 20Mar…".
func TestDateLabelsNeverOverlap(t *testing.T) {
	cv := newCanvas(1, 1)
	st := style(sizeTick, false, colText)
	measure := func(s string) float64 { return cv.textWidth(st, s) }
	start := unixSeconds(time.Date(2026, 10, 14, 9, 0, 0, 0, time.UTC))
	for _, days := range []float64{7, 10, 30, 45, 90, 120, 170, 200, 365, 400, 800, 2000, 9000, 30000} {
		for _, px := range []float64{180, 300, 460, 520, 1080} {
			from, to := start, start+days*86400
			const overhang = 20
			ticks := dateTicks(from, to, time.UTC, px, overhang, overhang, measure)
			if len(ticks) == 0 {
				t.Errorf("%v days in %v px: no date labels", days, px)
				continue
			}
			x := func(v float64) float64 { return (v - from) / (to - from) * px }
			var labels []string
			for i, tk := range ticks {
				labels = append(labels, tk.Label)
				w := measure(tk.Label)
				if left, right := x(tk.Value)-w/2, x(tk.Value)+w/2; left < -overhang || right > px+overhang {
					t.Errorf("%v days in %v px: %q spans %.0f..%.0f, outside the room", days, px, tk.Label, left, right)
				}
				if i == 0 {
					continue
				}
				prev := ticks[i-1]
				if gap := x(tk.Value) - x(prev.Value) - (w+measure(prev.Label))/2; gap < minLabelGap {
					t.Errorf("%v days in %v px: %q and %q are %.1f px apart", days, px, prev.Label, tk.Label, gap)
				}
			}
			if testing.Verbose() {
				t.Logf("%v days in %v px: %s", days, px, strings.Join(labels, " | "))
			}
		}
	}
}
