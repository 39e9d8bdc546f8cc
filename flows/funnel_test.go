package flows_test

import (
	"math"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/racebot/racebot/flows"
)

// funnelKPI is a plan's KPI for the funnel tests: only the key, the unit and
// the numbers matter. A negative baseline means none was given.
func funnelKPI(key string, unit flows.UnitKind, baseline, target float64) flows.KPI {
	k := flows.KPI{Key: key, Unit: unit, HigherIsBetter: true,
		Baseline: flows.Value{Amount: baseline, Unit: unit}, Target: flows.Value{Amount: target, Unit: unit}}
	if baseline < 0 {
		k.Baseline = flows.Value{Unit: unit, Missing: true}
	}
	return k
}

func visitorsKPI(b, t float64) flows.KPI { return funnelKPI("visitors", flows.UnitCount, b, t) }
func leadRateKPI(b, t float64) flows.KPI { return funnelKPI("lead-rate", flows.UnitPercent, b, t) }
func salesRateKPI(b, t float64) flows.KPI {
	return funnelKPI("sales-rate", flows.UnitPercent, b, t)
}
func aovKPI(b, t float64) flows.KPI { return withUSD(funnelKPI("aov", flows.UnitCurrency, b, t)) }
func revenueKPI(t float64) flows.KPI {
	return withUSD(funnelKPI("revenue", flows.UnitCurrency, -1, t))
}

func withUSD(k flows.KPI) flows.KPI {
	k.Currency, k.Baseline.Currency, k.Target.Currency = "USD", "USD", "USD"
	return k
}

// fernhill is Fernhill Coffee's plan from the catalogue's examples: 9,000
// visitors, 1.8% of them become leads, 20% of leads subscribe at about $30
// an order. The team plans 20k visitors and a 2.5% lead rate.
func fernhill() []flows.KPI {
	return []flows.KPI{visitorsKPI(9000, 20000), leadRateKPI(1.8, 2.5), salesRateKPI(20, 20), aovKPI(30, 30)}
}

func TestFunnel(t *testing.T) {
	fernhillNoBaselines := []flows.KPI{visitorsKPI(-1, 20000), leadRateKPI(-1, 2.5), salesRateKPI(-1, 20), aovKPI(-1, 30), revenueKPI(9000)}

	tests := []struct {
		name string
		kpis []flows.KPI
		want flows.FunnelReport // Lines are checked apart
		// lines must each appear, in this order, among the report's lines.
		lines []string
	}{
		{
			name: "Fernhill: revenue target 3x the funnel, Convert plans no rise",
			kpis: append(fernhill(), revenueKPI(9000)),
			want: flows.FunnelReport{
				Steps: []flows.FunnelStep{
					{Stage: flows.StageReach, Key: "visitors", Name: "visitors", Unit: flows.UnitCount, Planned: 20000, Baseline: 9000, HasBaseline: true, Required: 60000, HasRequired: true, Ratio: 3},
					{Stage: flows.StageAct, Key: "lead-rate", Name: "lead rate", Unit: flows.UnitPercent, Planned: 2.5, Baseline: 1.8, HasBaseline: true, Required: 7.5, HasRequired: true, Ratio: 3},
					{Stage: flows.StageConvert, Key: "sales-rate", Name: "sales rate", Unit: flows.UnitPercent, Planned: 20, Baseline: 20, HasBaseline: true, Required: 60, HasRequired: true, Ratio: 3},
					{Stage: flows.StageConvert, Key: "aov", Name: "average order", Unit: flows.UnitCurrency, Planned: 30, Baseline: 30, HasBaseline: true, Required: 90, HasRequired: true, Ratio: 3},
				},
				ImpliedRevenue: 3000, RevenueTarget: 9000, HasRevenueTarget: true, Gap: 3, Bottleneck: flows.StageConvert, Currency: "USD",
			},
			lines: []string{
				"The targets imply $3,000 revenue a month: 20k visitors a month × 2.5% lead rate × 20% sales rate × $30 average order.",
				"The revenue target ($9,000 a month) is 3.0× what the targets add up to.",
				"The revenue target needs 60k visitors a month; Reach plans 20k: 3.0× short.",
				"The revenue target needs a 7.5% lead rate; Act plans 2.5%: 3.0× short.",
				"The revenue target needs a 60% sales rate; Convert plans 20%: 3.0× short.",
				"The revenue target needs a $90 average order; Convert plans $30: 3.0× short.",
				"Bottleneck: Convert. Every stage would have to deliver 3.0× on its own, and Convert's sales rate target plans no rise over today (20%), so ask more of Convert first.",
			},
		},
		{
			name: "Reach plans the smallest rise",
			kpis: []flows.KPI{visitorsKPI(9000, 10000), leadRateKPI(1.8, 2.5), salesRateKPI(20, 25), aovKPI(30, 36), revenueKPI(9000)},
			want: flows.FunnelReport{
				Steps: []flows.FunnelStep{
					{Stage: flows.StageReach, Key: "visitors", Name: "visitors", Unit: flows.UnitCount, Planned: 10000, Baseline: 9000, HasBaseline: true, Required: 40000, HasRequired: true, Ratio: 4},
					{Stage: flows.StageAct, Key: "lead-rate", Name: "lead rate", Unit: flows.UnitPercent, Planned: 2.5, Baseline: 1.8, HasBaseline: true, Required: 10, HasRequired: true, Ratio: 4},
					{Stage: flows.StageConvert, Key: "sales-rate", Name: "sales rate", Unit: flows.UnitPercent, Planned: 25, Baseline: 20, HasBaseline: true, Required: 100, HasRequired: true, Ratio: 4},
					{Stage: flows.StageConvert, Key: "aov", Name: "average order", Unit: flows.UnitCurrency, Planned: 36, Baseline: 30, HasBaseline: true, Required: 144, HasRequired: true, Ratio: 4},
				},
				ImpliedRevenue: 2250, RevenueTarget: 9000, HasRevenueTarget: true, Gap: 4, Bottleneck: flows.StageReach, Currency: "USD",
			},
			lines: []string{
				"The targets imply $2,250 revenue a month: 10k visitors a month × 2.5% lead rate × 25% sales rate × $36 average order.",
				"The revenue target ($9,000 a month) is 4.0× what the targets add up to: a big gap, more than one stage can plausibly close.",
				// Visitors may triple from today's 9,000 and the lead rate
				// double: together they close it, no rate past plausible.
				"Realistic levers that would close it together: visitors to 20k a month (planned: 10k) and lead rate to 5% (planned: 2.5%).",
			},
		},
		{
			name: "no baselines: start at the top",
			kpis: fernhillNoBaselines,
			want: flows.FunnelReport{
				Steps: []flows.FunnelStep{
					{Stage: flows.StageReach, Key: "visitors", Name: "visitors", Unit: flows.UnitCount, Planned: 20000, Required: 60000, HasRequired: true, Ratio: 3},
					{Stage: flows.StageAct, Key: "lead-rate", Name: "lead rate", Unit: flows.UnitPercent, Planned: 2.5, Required: 7.5, HasRequired: true, Ratio: 3},
					{Stage: flows.StageConvert, Key: "sales-rate", Name: "sales rate", Unit: flows.UnitPercent, Planned: 20, Required: 60, HasRequired: true, Ratio: 3},
					{Stage: flows.StageConvert, Key: "aov", Name: "average order", Unit: flows.UnitCurrency, Planned: 30, Required: 90, HasRequired: true, Ratio: 3},
				},
				ImpliedRevenue: 3000, RevenueTarget: 9000, HasRevenueTarget: true, Gap: 3, Bottleneck: flows.StageReach, Currency: "USD",
			},
			lines: []string{"Bottleneck: Reach. Every stage would have to deliver 3.0× on its own; without baselines to compare, start at the top of the funnel"},
		},
		{
			name: "counts instead of rates add up",
			kpis: []flows.KPI{visitorsKPI(-1, 20000), funnelKPI("leads", flows.UnitCount, -1, 600), funnelKPI("sales", flows.UnitCount, -1, 150),
				aovKPI(-1, 30), revenueKPI(4500)},
			want: flows.FunnelReport{
				Steps: []flows.FunnelStep{
					{Stage: flows.StageReach, Key: "visitors", Name: "visitors", Unit: flows.UnitCount, Planned: 20000, Required: 20000, HasRequired: true, Ratio: 1},
					{Stage: flows.StageAct, Key: "lead-rate", Name: "lead rate", Unit: flows.UnitPercent, Planned: 3, Derived: "leads ÷ visitors", Required: 3, HasRequired: true, Ratio: 1},
					{Stage: flows.StageConvert, Key: "sales-rate", Name: "sales rate", Unit: flows.UnitPercent, Planned: 25, Derived: "sales ÷ leads", Required: 25, HasRequired: true, Ratio: 1},
					{Stage: flows.StageConvert, Key: "aov", Name: "average order", Unit: flows.UnitCurrency, Planned: 30, Required: 30, HasRequired: true, Ratio: 1},
				},
				ImpliedRevenue: 4500, RevenueTarget: 4500, HasRevenueTarget: true, Gap: 1, Currency: "USD",
			},
			lines: []string{
				"I worked out the lead rate as leads ÷ visitors: 3%.",
				"I worked out the sales rate as sales ÷ leads: 25%.",
				"That covers the revenue target of $4,500 a month.",
			},
		},
		{
			name: "visitor-to-buyer and repeat purchases",
			kpis: []flows.KPI{visitorsKPI(9000, 20000), funnelKPI("visitor-to-buyer", flows.UnitPercent, 0.36, 0.5), aovKPI(30, 30),
				funnelKPI("repeat-rate", flows.UnitPercent, 40, 50), revenueKPI(9000)},
			want: flows.FunnelReport{
				Steps: []flows.FunnelStep{
					{Stage: flows.StageReach, Key: "visitors", Name: "visitors", Unit: flows.UnitCount, Planned: 20000, Baseline: 9000, HasBaseline: true, Required: 40000, HasRequired: true, Ratio: 2},
					{Stage: flows.StageConvert, Key: "visitor-to-buyer", Name: "visitor-to-buyer rate", Unit: flows.UnitPercent, Planned: 0.5, Baseline: 0.36, HasBaseline: true, Required: 1, HasRequired: true, Ratio: 2},
					{Stage: flows.StageConvert, Key: "aov", Name: "average order", Unit: flows.UnitCurrency, Planned: 30, Baseline: 30, HasBaseline: true, Required: 60, HasRequired: true, Ratio: 2},
					{Stage: flows.StageEngage, Key: "repeat-rate", Name: "repeat rate", Unit: flows.UnitPercent, Planned: 50, Baseline: 40, HasBaseline: true, Required: 200, HasRequired: true, Ratio: 2},
				},
				ImpliedRevenue: 4500, RevenueTarget: 9000, HasRevenueTarget: true, Gap: 2, Bottleneck: flows.StageConvert, Currency: "USD",
			},
			lines: []string{
				"The targets imply $4,500 revenue a month: 20k visitors a month × 0.5% visitor-to-buyer rate × $30 average order × (1 + 50% repeat purchases).",
				"Repeat purchases come on top of first orders: a 50% repeat rate turns every 100 first orders into 150, so revenue × 1.5.",
				"On its own, Engage would need its repeat rate past 100% (it plans 50%); no rate gets there, so Engage alone can't close the gap.",
			},
		},
		{
			name: "sales rate derived from visitor-to-buyer",
			kpis: []flows.KPI{visitorsKPI(-1, 20000), leadRateKPI(-1, 2.5), funnelKPI("visitor-to-buyer", flows.UnitPercent, -1, 0.5), aovKPI(-1, 30)},
			want: flows.FunnelReport{
				Steps: []flows.FunnelStep{
					{Stage: flows.StageReach, Key: "visitors", Name: "visitors", Unit: flows.UnitCount, Planned: 20000},
					{Stage: flows.StageAct, Key: "lead-rate", Name: "lead rate", Unit: flows.UnitPercent, Planned: 2.5},
					{Stage: flows.StageConvert, Key: "sales-rate", Name: "sales rate", Unit: flows.UnitPercent, Planned: 20, Derived: "visitor-to-buyer ÷ lead rate"},
					{Stage: flows.StageConvert, Key: "aov", Name: "average order", Unit: flows.UnitCurrency, Planned: 30},
				},
				ImpliedRevenue: 3000, Missing: []string{"revenue"}, Currency: "USD",
			},
			lines: []string{"Set a revenue target in Convert to check the funnel against it."},
		},
		{
			name: "inputs missing: nothing is guessed",
			kpis: []flows.KPI{visitorsKPI(9000, 20000), funnelKPI("leads", flows.UnitCount, -1, 500), revenueKPI(9000)},
			want: flows.FunnelReport{
				Steps: []flows.FunnelStep{
					{Stage: flows.StageReach, Key: "visitors", Name: "visitors", Unit: flows.UnitCount, Planned: 20000, Baseline: 9000, HasBaseline: true},
					{Stage: flows.StageAct, Key: "lead-rate", Name: "lead rate", Unit: flows.UnitPercent, Planned: 2.5, Derived: "leads ÷ visitors"},
				},
				RevenueTarget: 9000, HasRevenueTarget: true, Missing: []string{"sales-rate", "aov"}, Currency: "USD",
			},
			lines: []string{"I can't check the funnel yet: it needs targets for sales rate (Convert) and average order value (Convert)."},
		},
		{
			name: "an empty plan",
			want: flows.FunnelReport{Missing: []string{"visitors", "lead-rate", "sales-rate", "aov", "revenue"}},
			lines: []string{"I can't check the funnel yet: it needs targets for visitors (Reach), lead rate (Act), sales rate (Convert), " +
				"average order value (Convert) and revenue (Convert)."},
		},
		{
			name: "targets that contradict each other",
			kpis: []flows.KPI{visitorsKPI(-1, 20000), leadRateKPI(-1, 2.5), funnelKPI("leads", flows.UnitCount, -1, 600),
				salesRateKPI(-1, 20), funnelKPI("sales", flows.UnitCount, -1, 200), aovKPI(-1, 30), revenueKPI(2000)},
			want: flows.FunnelReport{
				Steps: []flows.FunnelStep{
					{Stage: flows.StageReach, Key: "visitors", Name: "visitors", Unit: flows.UnitCount, Planned: 20000, Required: 20000 / 1.5, HasRequired: true, Ratio: 2 / 3.0},
					{Stage: flows.StageAct, Key: "lead-rate", Name: "lead rate", Unit: flows.UnitPercent, Planned: 2.5, Required: 2.5 / 1.5, HasRequired: true, Ratio: 2 / 3.0},
					{Stage: flows.StageConvert, Key: "sales-rate", Name: "sales rate", Unit: flows.UnitPercent, Planned: 20, Required: 20 / 1.5, HasRequired: true, Ratio: 2 / 3.0},
					{Stage: flows.StageConvert, Key: "aov", Name: "average order", Unit: flows.UnitCurrency, Planned: 30, Required: 20, HasRequired: true, Ratio: 2 / 3.0},
				},
				ImpliedRevenue: 3000, RevenueTarget: 2000, HasRevenueTarget: true, Gap: 2 / 3.0, Currency: "USD",
			},
			lines: []string{
				"The leads target (600 a month) doesn't match visitors × lead rate (20k × 2.5% = 500 a month).",
				"The sales target (200 a month) doesn't match leads × sales rate (600 a month × 20% = 120 a month).",
				"That covers the revenue target of $2,000 a month, with $1,000 a month to spare.",
			},
		},
		{
			name: "a rate the target would need above 100%",
			kpis: []flows.KPI{visitorsKPI(-1, 1000), leadRateKPI(-1, 50), salesRateKPI(-1, 50), aovKPI(-1, 10), revenueKPI(10000)},
			want: flows.FunnelReport{
				Steps: []flows.FunnelStep{
					{Stage: flows.StageReach, Key: "visitors", Name: "visitors", Unit: flows.UnitCount, Planned: 1000, Required: 4000, HasRequired: true, Ratio: 4},
					{Stage: flows.StageAct, Key: "lead-rate", Name: "lead rate", Unit: flows.UnitPercent, Planned: 50, Required: 200, HasRequired: true, Ratio: 4},
					{Stage: flows.StageConvert, Key: "sales-rate", Name: "sales rate", Unit: flows.UnitPercent, Planned: 50, Required: 200, HasRequired: true, Ratio: 4},
					{Stage: flows.StageConvert, Key: "aov", Name: "average order", Unit: flows.UnitCurrency, Planned: 10, Required: 40, HasRequired: true, Ratio: 4},
				},
				ImpliedRevenue: 2500, RevenueTarget: 10000, HasRevenueTarget: true, Gap: 4, Bottleneck: flows.StageReach, Currency: "USD",
			},
			lines: []string{
				"The revenue target ($10,000 a month) is 4.0× what the targets add up to: a big gap",
				// Rates of 50% have no room left; traffic may double and
				// orders grow by half: 3× at most, short of 4×.
				"Even at the edge of what's plausible (2,000 visitors a month and a $15 average order) the funnel gives $7,500 a month, so the revenue target of $10,000 a month needs revisiting, or more time.",
			},
		},
		{
			name: "revenue and order value in different currencies",
			kpis: append(fernhill(), func() flows.KPI {
				k := revenueKPI(9000)
				k.Currency, k.Target.Currency = "EUR", "EUR"
				return k
			}()),
			want: flows.FunnelReport{
				Steps: []flows.FunnelStep{
					{Stage: flows.StageReach, Key: "visitors", Name: "visitors", Unit: flows.UnitCount, Planned: 20000, Baseline: 9000, HasBaseline: true},
					{Stage: flows.StageAct, Key: "lead-rate", Name: "lead rate", Unit: flows.UnitPercent, Planned: 2.5, Baseline: 1.8, HasBaseline: true},
					{Stage: flows.StageConvert, Key: "sales-rate", Name: "sales rate", Unit: flows.UnitPercent, Planned: 20, Baseline: 20, HasBaseline: true},
					{Stage: flows.StageConvert, Key: "aov", Name: "average order", Unit: flows.UnitCurrency, Planned: 30, Baseline: 30, HasBaseline: true},
				},
				ImpliedRevenue: 3000, RevenueTarget: 9000, Currency: "EUR",
			},
			lines: []string{"The revenue target is in EUR but the average order value in USD, so I can't compare them; use one currency."},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := flows.Funnel(tt.kpis)
			if diff := cmp.Diff(tt.want, got, cmpopts.EquateApprox(1e-9, 1e-9), cmpopts.IgnoreFields(flows.FunnelReport{}, "Lines")); diff != "" {
				t.Errorf("Funnel (-want +got):\n%s", diff)
			}
			next := 0
			for _, want := range tt.lines {
				found := false
				for next < len(got.Lines) {
					next++
					if strings.Contains(got.Lines[next-1], want) {
						found = true
						break
					}
				}
				if !found {
					t.Errorf("no line (in order) contains %q; lines:\n%s", want, strings.Join(got.Lines, "\n"))
				}
			}
			msg := got.Text()
			text := msg.String()
			if msg[0] != flows.Text("Funnel check").Strong() || strings.Count(text, "\n• ") != len(got.Lines) {
				t.Errorf("Text() = %q, want a heading and one bullet per line", text)
			}
		})
	}
}

// TestFunnelFromParsedLines runs the check on targets typed as a team would.
func TestFunnelFromParsedLines(t *testing.T) {
	cat := flows.RACE()
	var kpis []flows.KPI
	for _, l := range []struct {
		stage flows.StageID
		line  string
	}{
		{flows.StageReach, "unique visitors | baseline 9k | target 20k | by 2027-03-31 | owner Priya"},
		{flows.StageAct, "lead conversion rate | from 1.8% | to 2.5% | by 2027-03-31 | owner Priya"},
		{flows.StageConvert, "lead-to-sale conversion rate | from 20% | to 25% | by 2027-03-31 | owner Ana"},
		{flows.StageConvert, "AOV | from $30 | to $32 | by 2027-03-31 | owner Ana"},
		{flows.StageConvert, "revenue | from $3,000 | to $3,500 | by 2027-03-31 | owner Ben"},
	} {
		k, err := flows.ParseKPILine(cat, l.stage, l.line, kpiNow)
		if err != nil {
			t.Fatalf("%q: %v", l.line, err)
		}
		kpis = append(kpis, k)
	}
	r := flows.Funnel(kpis)
	if math.Abs(r.ImpliedRevenue-4000) > 1e-6 || r.Gap >= 1 || r.Bottleneck != "" || len(r.Missing) != 0 {
		t.Errorf("Funnel = implied %v, gap %v, bottleneck %q, missing %v; want $4,000, covered", r.ImpliedRevenue, r.Gap, r.Bottleneck, r.Missing)
	}
	if want := "That covers the revenue target of $3,500 a month, with $500 a month to spare."; !strings.Contains(r.Text().String(), want) {
		t.Errorf("Text() = %q, want it to contain %q", r.Text(), want)
	}
}
