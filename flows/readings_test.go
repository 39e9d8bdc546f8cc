package flows

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// testNames resolves KPI names the way a plan's resolver would: several
// spellings per KPI, each with its unit.
func testNames(token string) (string, UnitKind, bool) {
	kpis := map[string]struct {
		id   string
		unit UnitKind
	}{
		"visitors":        {"visitors", UnitCount},
		"unique visitors": {"visitors", UnitCount},
		"leads":           {"leads", UnitCount},
		"revenue":         {"revenue", UnitCurrency},
		"aov":             {"aov", UnitCurrency},
		"avg order value": {"aov", UnitCurrency},
		"bounce rate":     {"bounce-rate", UnitPercent},
		"time on site":    {"time-on-site", UnitDuration},
		"pages per visit": {"pages-per-visit", UnitRatio},
	}
	k, ok := kpis[token]
	return k.id, k.unit, ok
}

func TestParseReadings(t *testing.T) {
	count := func(x float64) Value { return Value{Amount: x, Unit: UnitCount} }
	usd := func(x float64) Value { return Value{Amount: x, Unit: UnitCurrency, Currency: "USD"} }
	tests := []struct {
		name string
		in   string
		want []Reading
		errs []string
	}{
		{
			name: "commas",
			in:   "visitors 12.4k, leads 310, revenue $18,250",
			want: []Reading{{"visitors", count(12400), "12.4k"}, {"leads", count(310), "310"}, {"revenue", usd(18250), "$18,250"}},
		},
		{
			// Not "I found no value for "euros"; write it like euros 310."
			name: "currency named in words after the number",
			in:   "revenue 18,250 dollars, aov 42 euros",
			want: []Reading{{"revenue", usd(18250), "18,250 dollars"}, {"aov", Value{Amount: 42, Unit: UnitCurrency, Currency: "EUR"}, "42 euros"}},
		},
		{
			name: "thousands comma before an item comma",
			in:   "revenue $18,250, leads 310",
			want: []Reading{{"revenue", usd(18250), "$18,250"}, {"leads", count(310), "310"}},
		},
		{
			name: "thousands comma without space after the item comma",
			in:   "revenue $18,250,leads 1,310",
			want: []Reading{{"revenue", usd(18250), "$18,250"}, {"leads", count(1310), "1,310"}},
		},
		{
			name: "lines with colon and equals",
			in:   "visitors: 12.4k\nleads=310\r\nunique visitors",
			want: []Reading{{"visitors", count(12400), "12.4k"}, {"leads", count(310), "310"}},
			errs: []string{`I found no value for "unique visitors"; write it like unique visitors 310.`},
		},
		{
			name: "semicolons and multi-word names",
			in:   "Avg Order Value: €45.50; bounce rate 41%; time on site 2m 30s; pages per visit 2.3",
			want: []Reading{
				{"aov", Value{Amount: 45.5, Unit: UnitCurrency, Currency: "EUR"}, "€45.50"},
				{"bounce-rate", Value{Amount: 41, Unit: UnitPercent}, "41%"},
				{"time-on-site", Value{Amount: 150, Unit: UnitDuration}, "2m 30s"},
				{"pages-per-visit", Value{Amount: 2.3, Unit: UnitRatio}, "2.3"},
			},
		},
		{
			name: "clock time keeps its colon",
			in:   "time on site 2:30\ntime on site: 3:05",
			want: []Reading{{"time-on-site", Value{Amount: 150, Unit: UnitDuration}, "2:30"}},
			errs: []string{`You gave time on site twice, so I kept 2:30 and ignored 3:05.`},
		},
		{
			name: "value first",
			in:   "12.4k visitors, 310 leads, $18,250 revenue",
			want: []Reading{{"visitors", count(12400), "12.4k"}, {"leads", count(310), "310"}, {"revenue", usd(18250), "$18,250"}},
		},
		{
			name: "pairs without commas",
			in:   "visitors 12.4k leads 310 revenue USD 18 250",
			want: []Reading{{"visitors", count(12400), "12.4k"}, {"leads", count(310), "310"}, {"revenue", usd(18250), "USD 18 250"}},
		},
		{
			name: "fillers, markup, bullets and list numbers",
			in:   "<@U123> thanks!\n- *visitors* were 12.4k\n• leads: `310`\n1. revenue was $18k\n2) and aov is n/a.",
			want: []Reading{{"visitors", count(12400), "12.4k"}, {"leads", count(310), "310"}, {"revenue", usd(18000), "$18k"}, {"aov", Value{Unit: UnitCurrency, Missing: true}, "n/a"}},
			errs: []string{`I found no value for "thanks"; write it like thanks 310.`},
		},
		{
			name: "ambiguous comma stays in its item",
			in:   "leads 1,25, visitors 300",
			want: []Reading{{"visitors", count(300), "300"}},
			errs: []string{`For leads, "1,25" is ambiguous: did you mean 1.25 or 125? Write it as 1.25 or 125.`},
		},
		{
			name: "unknown names and wrong units",
			in:   "foo 12, Leads $310, bounce rate 2m",
			errs: []string{
				`I don't track "foo" in this plan.`,
				`For Leads, "$310" is an amount of money, but this KPI is a count; write it like 310 or 12.4k.`,
				`For bounce rate, "2m" is a length of time, but this KPI is a percentage; write it like 3.5%.`,
			},
		},
		{
			name: "numbers that cannot be paired safely",
			in:   "2026 visitors 12k\n310",
			errs: []string{
				`I can't tell which numbers go with which names in "2026 visitors 12k"; write it like visitors 12.4k, leads 310.`,
				`"310" has no KPI name; write it like leads 310.`,
			},
		},
		{
			name: "empty",
			in:   " \n ,, ; ",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, errs := ParseReadings(tt.in, testNames)
			if diff := cmp.Diff(tt.want, got, cmp.Comparer(closeEnough)); diff != "" {
				t.Errorf("readings mismatch (-want +got):\n%s", diff)
			}
			var msgs []string
			for _, err := range errs {
				if !errors.Is(err, ErrBadValue) {
					t.Errorf("error %v is not ErrBadValue", err)
				}
				msgs = append(msgs, Explain(err).String())
			}
			if diff := cmp.Diff(tt.errs, msgs); diff != "" {
				t.Errorf("errors mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestSplitItems(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"a 1,250, b 2", []string{"a 1,250", "b 2"}},
		{"a 1,250,000,b 2", []string{"a 1,250,000", "b 2"}},
		{"a 1,25,b", []string{"a 1,25", "b"}},
		{"a $18,250;b 3\nc 4", []string{"a $18,250", "b 3", "c 4"}},
		{",a 1,", []string{"a 1"}},
		{"a, b", []string{"a", "b"}},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, splitItems(tt.in, nil)); diff != "" {
			t.Errorf("splitItems(%q) mismatch (-want +got):\n%s", tt.in, diff)
		}
	}
}

// "~300" is an approximation people write as readily as "about 300",
// which is read as 300; and "USD18k" is read by ParseValue like "USD 18k".
// Neither may be taken for part of the KPI's name and answered with advice
// that cannot work ("write it like leads ~300 310").
func TestParseReadingsApproximateAndCodePrefix(t *testing.T) {
	count := func(x float64) Value { return Value{Amount: x, Unit: UnitCount} }
	tests := []struct {
		in   string
		want []Reading
	}{
		{"leads ~300", []Reading{{"leads", count(300), "300"}}},
		{"leads ≈ 300, visitors ~12.4k", []Reading{{"leads", count(300), "300"}, {"visitors", count(12400), "12.4k"}}},
		{"revenue USD18k", []Reading{{"revenue", Value{Amount: 18000, Unit: UnitCurrency, Currency: "USD"}, "USD18k"}}},
	}
	for _, tt := range tests {
		got, errs := ParseReadings(tt.in, testNames)
		for _, err := range errs {
			t.Errorf("ParseReadings(%q): %s", tt.in, Explain(err))
		}
		if diff := cmp.Diff(tt.want, got, cmp.Comparer(closeEnough)); diff != "" {
			t.Errorf("ParseReadings(%q) (-want +got):\n%s", tt.in, diff)
		}
	}
}

// A short name that fits several of the plan's KPIs is not a KPI the plan
// doesn't track: the reply says which it could be, as a KPI line does, and
// records nothing for it.
func TestParseReadingsInAmbiguousName(t *testing.T) {
	kpis := []KPI{
		{ID: 1, Key: "lead-rate", Name: "Lead conversion rate", Unit: UnitPercent, HigherIsBetter: true},
		{ID: 2, Key: "product-page-conversion", Name: "Product page conversion", Unit: UnitPercent, HigherIsBetter: true},
		{ID: 3, Key: "cost-per-lead", Name: "Cost per lead", Unit: UnitCurrency},
		{ID: 4, Key: "customer-acquisition-cost", Name: "Customer acquisition cost", Unit: UnitCurrency},
		{ID: 5, Key: "leads", Name: "Leads", Unit: UnitCount, HigherIsBetter: true},
	}
	got, errs := ParseReadingsIn("conversion 4%, cost $40, leads 310, visits 12k", kpis)
	if diff := cmp.Diff([]Reading{{"leads", Value{Amount: 310, Unit: UnitCount}, "310"}}, got); diff != "" {
		t.Errorf("readings (-want +got):\n%s", diff)
	}
	var msgs []string
	for _, err := range errs {
		msgs = append(msgs, Explain(err).String())
	}
	want := []string{
		`"conversion" could be Lead conversion rate or Product page conversion; write the full name.`,
		`"cost" could be Cost per lead or Customer acquisition cost; write the full name.`,
		`I don't track "visits" in this plan.`,
	}
	if diff := cmp.Diff(want, msgs); diff != "" {
		t.Errorf("messages (-want +got):\n%s", diff)
	}
}
