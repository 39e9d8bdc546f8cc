package flows_test

import (
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/racebot/racebot/flows"
)

// parsedKPIs reads KPI lines as a team types them, each for its stage.
func parsedKPIs(t *testing.T, lines map[flows.StageID][]string) []flows.KPI {
	t.Helper()
	cat := flows.RACE()
	var kpis []flows.KPI
	for _, st := range []flows.StageID{flows.StageReach, flows.StageAct, flows.StageConvert, flows.StageEngage} {
		for _, l := range lines[st] {
			k, err := flows.ParseKPILine(cat, st, l, kpiNow)
			if err != nil {
				t.Fatalf("%q: %v", l, err)
			}
			kpis = append(kpis, k)
		}
	}
	return kpis
}

// The funnel says the period of each count and amount and compares like
// with like: leads a week and revenue a quarter become a month's.
func TestFunnelComparesPerMonth(t *testing.T) {
	tests := []struct {
		name  string
		lines map[flows.StageID][]string
		want  []string
		gap   float64
	}{
		{
			name: "leads a week, revenue a quarter",
			lines: map[flows.StageID][]string{
				flows.StageReach:   {"visitors | target 20k a month | by 2027-03-31 | owner Priya"},
				flows.StageAct:     {"leads | target 150 | per week | by 2027-03-31 | owner Priya"},
				flows.StageConvert: {"sales rate | target 20% | by 2027-03-31 | owner Ana", "aov | target $30 | by 2027-03-31 | owner Ana", "revenue | target $9,000/quarter | by 2027-03-31 | owner Ben"},
			},
			want: []string{
				"I compare per month: your leads target of 150 a week is 650 a month.",
				"I compare per month: your revenue target of $9,000 a quarter is $3,000 a month.",
				"The targets imply $3,900 revenue a month: 20k visitors a month × 3.25% lead rate × 20% sales rate × $30 average order.",
				"I worked out the lead rate as leads ÷ visitors: 3.25%.",
				"That covers the revenue target of $3,000 a month, with $900 a month to spare.",
			},
			gap: 3000.0 / 3900,
		},
		{
			// 120 days to 23 March: $12,000 over the plan is about $3,044 a
			// month, not $12,000 against one month of visitors.
			name: "revenue over the plan",
			lines: map[flows.StageID][]string{
				flows.StageReach:   {"visitors | target 20k | by 2027-03-23 | owner Priya"},
				flows.StageAct:     {"lead rate | target 2.5% | by 2027-03-23 | owner Priya"},
				flows.StageConvert: {"sales rate | target 20% | by 2027-03-23 | owner Ana", "aov | target $30 | by 2027-03-23 | owner Ana", "revenue | target $12,000 | over the plan | by 2027-03-23 | owner Ben"},
			},
			want: []string{
				"I compare per month: your revenue target of $12,000 over the plan is $3,044 a month.",
				"The targets imply $3,000 revenue a month",
				"The revenue target ($3,044 a month) is 1.0× what the targets add up to.",
			},
			gap: 12000 / (120 / (365.25 / 12)) / 3000,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := flows.Funnel(parsedKPIs(t, tt.lines))
			if d := r.Gap - tt.gap; d > 1e-6 || d < -1e-6 {
				t.Errorf("Gap = %v, want %v", r.Gap, tt.gap)
			}
			assertLines(t, r.Lines, tt.want)
		})
	}
}

// assertLines checks that each of want is in a line of lines, in order.
func assertLines(t *testing.T, lines, want []string) {
	t.Helper()
	next := 0
	for _, w := range want {
		found := false
		for next < len(lines) {
			next++
			if strings.Contains(lines[next-1], w) {
				found = true
				break
			}
		}
		if !found {
			t.Errorf("no line (in order) contains %q; lines:\n%s", w, strings.Join(lines, "\n"))
		}
	}
}

// percents finds every percentage in a text.
var percents = regexp.MustCompile(`([0-9][0-9,.]*)%`)

// When the gap is large the funnel says so and names levers capped to
// plausible values, or says the revenue target needs revisiting; it never
// asks for a rate past 100% (once it asked for a 24,900% repeat rate).
func TestFunnelBigGapLevers(t *testing.T) {
	tests := []struct {
		name  string
		lines map[flows.StageID][]string
		want  []string
	}{
		{
			name: "levers close it together",
			lines: map[flows.StageID][]string{
				flows.StageReach:   {"visitors | baseline 9k | target 10k | by 2027-03-31 | owner Priya"},
				flows.StageAct:     {"lead rate | baseline 1.8% | target 2.5% | by 2027-03-31 | owner Priya"},
				flows.StageConvert: {"sales rate | baseline 20% | target 25% | by 2027-03-31 | owner Ana", "aov | baseline $30 | target $36 | by 2027-03-31 | owner Ana", "revenue | target $9,000 | by 2027-03-31 | owner Ben"},
			},
			want: []string{
				"is 4.0× what the targets add up to: a big gap",
				"Realistic levers that would close it together: visitors to 20k a month (planned: 10k) and lead rate to 5% (planned: 2.5%).",
			},
		},
		{
			name: "three levers",
			lines: map[flows.StageID][]string{
				flows.StageReach:   {"visitors | baseline 9k | target 10k | by 2027-03-31 | owner Priya"},
				flows.StageAct:     {"lead rate | baseline 1.8% | target 2% | by 2027-03-31 | owner Priya"},
				flows.StageConvert: {"sales rate | baseline 20% | target 20% | by 2027-03-31 | owner Ana", "aov | baseline $30 | target $30 | by 2027-03-31 | owner Ana", "revenue | target $12,000 | by 2027-03-31 | owner Ben"},
			},
			want: []string{
				"is 10.0× what the targets add up to: a big gap",
				// Visitors may reach 27k (3× today), the rates double: the
				// gap is shared out evenly within that room.
				"Realistic levers that would close it together: visitors to 25k a month (planned: 10k), lead rate to 4% (planned: 2%) and sales rate to 40% (planned: 20%).",
			},
		},
		{
			name: "the revenue target needs revisiting",
			lines: map[flows.StageID][]string{
				flows.StageReach:   {"visitors | baseline 1,500 | target 2,000 | by 2027-03-31 | owner Priya"},
				flows.StageConvert: {"visitor-to-buyer | baseline 0.4% | target 0.5% | by 2027-03-31 | owner Ana", "aov | target $30 | by 2027-03-31 | owner Ana", "revenue | target $75,000 | by 2027-03-31 | owner Ben"},
				flows.StageEngage:  {"repeat rate | baseline 20% | target 20% | by 2027-03-31 | owner Ana"},
			},
			want: []string{
				"Repeat purchases come on top of first orders: a 20% repeat rate turns every 100 first orders into 120, so revenue × 1.2.",
				"is 208.3× what the targets add up to: a big gap",
				"Even at the edge of what's plausible (4,500 visitors a month, a 1% visitor-to-buyer rate, a $45 average order and a 50% repeat rate) the funnel gives $3,038 a month, so the revenue target of $75,000 a month needs revisiting, or more time.",
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := flows.Funnel(parsedKPIs(t, tt.lines))
			assertLines(t, r.Lines, tt.want)
			if r.Bottleneck == "" {
				t.Error("no bottleneck for a funnel that falls short")
			}
			for _, l := range r.Lines {
				for _, m := range percents.FindAllStringSubmatch(l, -1) {
					if x, _ := strconv.ParseFloat(strings.ReplaceAll(m[1], ",", ""), 64); x > 100 {
						t.Errorf("line asks for a %s rate: %q", m[0], l)
					}
				}
			}
		})
	}
}

// With a gap under 3× each stage's share is stated, but a rate past 100%
// is never printed as something to aim for.
func TestFunnelRepeatRateNeverAbsurd(t *testing.T) {
	r := flows.Funnel(parsedKPIs(t, map[flows.StageID][]string{
		flows.StageReach:   {"visitors | target 20k | by 2027-03-31 | owner Priya"},
		flows.StageConvert: {"visitor-to-buyer | target 0.5% | by 2027-03-31 | owner Ana", "aov | target $30 | by 2027-03-31 | owner Ana", "revenue | target $7,500 | by 2027-03-31 | owner Ben"},
		flows.StageEngage:  {"repeat rate | target 50% | by 2027-03-31 | owner Ana"},
	}))
	assertLines(t, r.Lines, []string{
		"a 50% repeat rate turns every 100 first orders into 150, so revenue × 1.5.",
		"is 1.7× what the targets add up to.",
		"On its own, Engage would need its repeat rate past 100% (it plans 50%)",
	})
	for _, l := range r.Lines {
		for _, m := range percents.FindAllStringSubmatch(l, -1) {
			if x, _ := strconv.ParseFloat(strings.ReplaceAll(m[1], ",", ""), 64); x > 100 {
				t.Errorf("line asks for a %s rate: %q", m[0], l)
			}
		}
	}
}
