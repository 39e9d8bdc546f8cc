package flows

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// A count of things typed as a bare plural that a rate, an amount of money,
// a score or a duration names only in the singular is not that KPI: in the
// kinds' own plans "visits 3000" was recorded as $3,000 of value per visit
// and "trials 50" as a 50% trial-to-paid conversion. The KPIs' own words,
// singular or as their names write them, still find them.
func TestParseReadingsCountIsNotARate(t *testing.T) {
	plan := func(k Kind) []KPI {
		var kpis []KPI
		for _, d := range KindKPIs(k) {
			kpis = append(kpis, KPI{Stage: d.Stage, Key: d.ID, Name: d.Name, Unit: d.Unit, HigherIsBetter: d.HigherIsBetter, Currency: "USD"})
		}
		return kpis
	}
	tests := []struct {
		kind Kind
		in   string
		key  string // "": refused as a KPI the plan does not track
		want Value
	}{
		{KindSaaS, "visits 3000", "", Value{}},
		{KindEcommerce, "visits 3000", "", Value{}},
		{KindSaaS, "trials 50", "", Value{}},
		{KindEcommerce, "purchases 40", "", Value{}},
		{KindLocal, "calls 40", "", Value{}},
		{KindLocal, "customers 40", "", Value{}},
		{KindNonprofit, "donors 30", "", Value{}},
		{KindAgency, "proposals 4", "", Value{}},
		// A count of more words, or in the singular of what the KPI is
		// per, or the plural of an alias, is a count too.
		{KindEcommerce, "repeat purchases 40", "", Value{}},
		{KindLocal, "missed calls 40", "", Value{}},
		{KindSaaS, "number of repeat purchases 40", "", Value{}},
		{KindSaaS, "visit 3000", "", Value{}},
		{KindLocal, "visit 3000", "", Value{}},
		{KindNonprofit, "donor 30", "", Value{}},
		{KindNonprofit, "new donor 30", "", Value{}},
		{KindEcommerce, "unsubscribes 12", "", Value{}},
		{KindNonprofit, "unsubscribes 12", "", Value{}},
		// The lone plural of a rate's own last word is a count of those
		// things too: "conversions 40" is 40 conversions, not a 40%
		// trial-to-paid or visitor-to-buyer conversion.
		{KindSaaS, "conversions 40", "", Value{}},
		{KindEcommerce, "conversions 40", "", Value{}},
		{KindNonprofit, "conversions 40", "", Value{}},
		// So is a plural after other words when the rate's own word is
		// what it counts, not "rate": "trial conversions 20" are 20
		// conversions, not a 20% trial-to-paid conversion.
		{KindSaaS, "trial conversions 20", "", Value{}},
		{KindSaaS, "new trial conversions 20", "", Value{}},
		{KindEcommerce, "page conversions 40", "", Value{}},
		{KindEcommerce, "buyer conversions 40", "", Value{}},
		// The KPI's whole name in the plural is a count as well: "trial to
		// paid conversions 20" was read as the 20% rate.
		{KindSaaS, "trial to paid conversions 20", "", Value{}},
		{KindSaaS, "trial-to-paid conversions 20", "", Value{}},

		// Loose forms of the KPIs themselves still read.
		{KindAgency, "sale conversion 2%", "sales-rate", Value{Amount: 2, Unit: UnitPercent}},
		{KindSaaS, "trial conversion 20%", "trial-to-paid-conversion", Value{Amount: 20, Unit: UnitPercent}},
		{KindEcommerce, "repeat 12%", "repeat-rate", Value{Amount: 12, Unit: UnitPercent}},
		{KindEcommerce, "repeat purchase 12%", "repeat-rate", Value{Amount: 12, Unit: UnitPercent}},
		{KindSaaS, "churn 3%", "churn-rate", Value{Amount: 3, Unit: UnitPercent}},
		{KindAgency, "win rate 30%", "proposal-win-rate", Value{Amount: 30, Unit: UnitPercent}},
		{KindEcommerce, "cancellation rate 4%", "monthly-cancellation-rate", Value{Amount: 4, Unit: UnitPercent}},
		{KindLocal, "satisfaction 4.5", "satisfaction", Value{Amount: 4.5, Unit: UnitRatio}},
		{KindLocal, "rating 4.6", "google-rating", Value{Amount: 4.6, Unit: UnitRatio}},
		{KindLocal, "missed call 4%", "missed-call-rate", Value{Amount: 4, Unit: UnitPercent}},
		{KindNonprofit, "cost per donor $30", "cost-per-new-donor", Value{Amount: 30, Unit: UnitCurrency, Currency: "USD"}},
		{KindEcommerce, "unsubscribe 0.4%", "unsubscribe-rate", Value{Amount: 0.4, Unit: UnitPercent}},
		{KindSaaS, "churn rates 3%", "churn-rate", Value{Amount: 3, Unit: UnitPercent}},
		{KindSaaS, "churn rates 3", "churn-rate", Value{Amount: 3, Unit: UnitPercent}},
		{KindSaaS, "customer acquisition costs $300", "customer-acquisition-cost", Value{Amount: 300, Unit: UnitCurrency, Currency: "USD"}},
		{KindSaaS, "value per visit $3", "value-per-visit", Value{Amount: 3, Unit: UnitCurrency, Currency: "USD"}},
		// A count is never a percentage: with a percent sign the words
		// name the rate they resemble.
		{KindEcommerce, "repeat purchases 12%", "repeat-rate", Value{Amount: 12, Unit: UnitPercent}},
		{KindLocal, "missed calls 4%", "missed-call-rate", Value{Amount: 4, Unit: UnitPercent}},
		{KindEcommerce, "unsubscribes 0.4%", "unsubscribe-rate", Value{Amount: 0.4, Unit: UnitPercent}},
		{KindSaaS, "trials 20%", "trial-to-paid-conversion", Value{Amount: 20, Unit: UnitPercent}},
		{KindSaaS, "trial conversions 20%", "trial-to-paid-conversion", Value{Amount: 20, Unit: UnitPercent}},
		{KindSaaS, "trial to paid conversions 20%", "trial-to-paid-conversion", Value{Amount: 20, Unit: UnitPercent}},
		{KindSaaS, "trial to paid conversion 20", "trial-to-paid-conversion", Value{Amount: 20, Unit: UnitPercent}},
		// A rate's name with "rate" added, and a word of it left out,
		// is the rate when no other KPI of the plan fits: "trial
		// conversion rate 20" was refused as a KPI the plan does not track.
		{KindSaaS, "trial conversion rate 20", "trial-to-paid-conversion", Value{Amount: 20, Unit: UnitPercent}},
		{KindSaaS, "trial conversion rates 20%", "trial-to-paid-conversion", Value{Amount: 20, Unit: UnitPercent}},
		{KindSaaS, "trial to paid conversion rate 20", "trial-to-paid-conversion", Value{Amount: 20, Unit: UnitPercent}},
		// A plural the name writes so, or a count, reads as before.
		{KindLocal, "pages 3.2", "pages-per-visit", Value{Amount: 3.2, Unit: UnitRatio}},
		{KindNonprofit, "volunteers 12", "regular-volunteers", Value{Amount: 12, Unit: UnitCount}},
		{KindLocal, "referrals 5", "referrals", Value{Amount: 5, Unit: UnitCount}},
	}
	for _, tt := range tests {
		t.Run(string(tt.kind)+"/"+tt.in, func(t *testing.T) {
			kpis := plan(tt.kind)
			got, errs := ParseReadingsIn(tt.in, kpis)
			var msgs []string
			for _, err := range errs {
				msgs = append(msgs, Explain(err).String())
			}
			name := tt.in[:strings.LastIndex(tt.in, " ")]
			if tt.key == "" {
				if len(got) != 0 {
					t.Errorf("ParseReadingsIn(%q) = %v, want nothing recorded", tt.in, got)
				}
				if diff := cmp.Diff([]string{`I don't track "` + name + `" in this plan.`}, msgs); diff != "" {
					t.Errorf("ParseReadingsIn(%q) messages (-want +got):\n%s", tt.in, diff)
				}
				if key, _, ok := KPIResolver(kpis)(name); ok {
					t.Errorf("KPIResolver(%q) = %s, want none", name, key)
				}
				return
			}
			raw := strings.TrimSpace(tt.in[len(name):])
			if diff := cmp.Diff([]Reading{{tt.key, tt.want, raw}}, got); diff != "" || len(msgs) > 0 {
				t.Errorf("ParseReadingsIn(%q) (-want +got):\n%s%v", tt.in, diff, msgs)
			}
		})
	}
}

// A KPI line naming a count by its plural does not set a rate or an amount
// of money whose name has the word in the singular.
func TestKPILineCountIsNotARate(t *testing.T) {
	tests := []struct {
		kind  Kind
		stage StageID
		head  string
	}{
		{KindSaaS, StageReach, "visits"},
		{KindSaaS, StageConvert, "trials"},
		{KindAgency, StageConvert, "proposals"},
		{KindNonprofit, StageConvert, "donors"},
		{KindLocal, StageAct, "calls"},
		{KindLocal, StageEngage, "customers"},
		{KindEcommerce, StageEngage, "repeat purchases"},
		{KindLocal, StageAct, "missed calls"},
		{KindEcommerce, StageEngage, "unsubscribes"},
		{KindSaaS, StageReach, "visit"},
		{KindNonprofit, StageConvert, "new donor"},
		{KindEcommerce, StageConvert, "conversions"},
		{KindSaaS, StageAct, "conversions"},
		{KindSaaS, StageConvert, "trial conversions"},
		{KindSaaS, StageConvert, "trial to paid conversions"},
	}
	for _, tt := range tests {
		k, _, err := parseKPILine(RACE(), tt.stage, tt.kind, tt.head+" | target 300", t0)
		if err == nil || !strings.Contains(Explain(err).String(), "I don't know a KPI called") {
			t.Errorf("%s %s: KPI line %q = %q, %v; want it refused as a KPI I don't know", tt.kind, tt.stage, tt.head, k.Key, err)
		}
	}
}

// A `values` line naming a count that a plan KPI divides is still the
// command, so its author is told the count is not tracked, rather than
// finding the line kept as the answer to the open question.
func TestClassifyValuesCountIsTheCommand(t *testing.T) {
	for _, tt := range []struct {
		kind Kind
		line string
	}{
		{KindSaaS, "values visits 3000"},
		{KindSaaS, "values trials 50"},
		{KindNonprofit, "values donors 30"},
		{KindAgency, "values proposals 4"},
		{KindEcommerce, "values repeat purchases 40"},
		{KindLocal, "values missed calls 40"},
		{KindSaaS, "values visit 3000"},
		{KindSaaS, "values trial conversions 20"},
		{KindEcommerce, "values unsubscribes 12"},
	} {
		var kpis []KPI
		for _, d := range KindKPIs(tt.kind) {
			kpis = append(kpis, KPI{Stage: d.Stage, Key: d.ID, Name: d.Name, Unit: d.Unit, Currency: "USD"})
		}
		cmd, kind := Classify(tt.line, LineContext{Catalogue: RACE(), Open: true, KPIs: kpis})
		if kind != LineCommand || cmd.Name != "values" {
			t.Errorf("%s: Classify(%q) = %v, %v; want the values command", tt.kind, tt.line, cmd, kind)
		}
	}
}

// A plan tracking its trial conversion as a custom rate reads the rate by
// its name, with or without a percent sign, and a count of conversions is
// no more that rate than it is Trial-to-paid conversion.
func TestParseReadingsConversionsBesideACustomRate(t *testing.T) {
	plan := []KPI{
		{Stage: StageConvert, Key: "trial-conversion-rate", Name: "Trial conversion rate", Unit: UnitPercent, HigherIsBetter: true},
		{Stage: StageConvert, Key: "signups", Name: "Signups", Unit: UnitCount, HigherIsBetter: true},
	}
	rate := func(x float64) []Reading {
		return []Reading{{"trial-conversion-rate", Value{Amount: x, Unit: UnitPercent}, ""}}
	}
	tests := []struct {
		in   string
		want []Reading
		msgs []string
	}{
		{"trial conversion rate 20", rate(20), nil},
		{"conversion rate 20%", rate(20), nil},
		{"trial conversions 20%", rate(20), nil},
		{"trial conversions 20", nil, []string{`I don't track "trial conversions" in this plan.`}},
		{"new trial conversions 20", nil, []string{`I don't track "new trial conversions" in this plan.`}},
		{"conversions 40", nil, []string{`I don't track "conversions" in this plan.`}},
	}
	for _, tt := range tests {
		got, errs := ParseReadingsIn(tt.in, plan)
		var msgs []string
		for _, err := range errs {
			msgs = append(msgs, Explain(err).String())
		}
		for i := range got {
			got[i].Raw = ""
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("ParseReadingsIn(%q) (-want +got):\n%s", tt.in, diff)
		}
		if diff := cmp.Diff(tt.msgs, msgs); diff != "" {
			t.Errorf("ParseReadingsIn(%q) messages (-want +got):\n%s", tt.in, diff)
		}
	}
}

// Margin names a share, as rate does: the plural after other words of a
// percentage KPI's name is that KPI, as "churn rates 3" is the churn rate.
// "gross margins 40" was turned down as a count beside Gross profit margin.
func TestParseReadingsMarginIsAShare(t *testing.T) {
	margin := func(name string) []KPI {
		return []KPI{
			{Stage: StageConvert, Key: kpiSlug(name), Name: name, Unit: UnitPercent, HigherIsBetter: true},
			{Stage: StageConvert, Key: "orders", Name: "Orders", Unit: UnitCount, HigherIsBetter: true},
		}
	}
	tests := []struct {
		name, in string
		want     []Reading
		msgs     []string
	}{
		{"Gross margin", "gross margins 40", []Reading{{"gross-margin", Value{Amount: 40, Unit: UnitPercent}, "40"}}, nil},
		{"Gross margin", "gross margin 40", []Reading{{"gross-margin", Value{Amount: 40, Unit: UnitPercent}, "40"}}, nil},
		{"Gross profit margin", "gross margins 40", []Reading{{"gross-profit-margin", Value{Amount: 40, Unit: UnitPercent}, "40"}}, nil},
		{"Gross profit margin", "profit margins 40%", []Reading{{"gross-profit-margin", Value{Amount: 40, Unit: UnitPercent}, "40%"}}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name+"/"+tt.in, func(t *testing.T) {
			checkReadingsIn(t, tt.in, margin(tt.name), tt.want, tt.msgs)
		})
	}
}
