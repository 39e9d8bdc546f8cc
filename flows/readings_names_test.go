package flows

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// A name that is another catalogue KPI's own name means that KPI, never one
// of the plan's whose name merely contains its words: in a plan that tracks
// only "Lead conversion rate", "leads 30" was recorded as a 30% rate.
func TestParseReadingsInNameOfAnotherKPI(t *testing.T) {
	kpi := func(key string) KPI {
		for _, s := range raceStages() {
			for _, d := range s.KPIs {
				if d.ID == key {
					return KPI{Key: d.ID, Name: d.Name, Unit: d.Unit, HigherIsBetter: d.HigherIsBetter}
				}
			}
		}
		for _, p := range kindProfiles {
			for _, d := range p.Custom {
				if d.ID == key {
					return KPI{Key: d.ID, Name: d.Name, Unit: d.Unit, HigherIsBetter: d.HigherIsBetter}
				}
			}
		}
		t.Fatalf("no catalogue KPI %q", key)
		return KPI{}
	}
	tests := []struct {
		name string
		plan []string
		in   string
		want []Reading // nil: refused as a KPI the plan does not track
	}{
		{"leads is not the lead rate", []string{"lead-rate"}, "leads 30", nil},
		{"a lead is not the lead rate", []string{"lead-rate"}, "lead 30", nil},
		{"leads is not the cost per lead", []string{"cost-per-lead"}, "leads 30", nil},
		{"sales is not the sales rate", []string{"sales-rate"}, "sales 40", nil},
		{"the lead rate is not the sales rate", []string{"sales-rate"}, "lead rate 2%", nil},
		{"visitors are not repeat visitors", []string{"repeat-visitors"}, "visitors 300", nil},
		{"shares are not shares, comments and likes", []string{"engagement-actions"}, "shares 30", nil},
		{"orders are not the order value", []string{"aov"}, "orders 300", nil},

		// What still reads: the KPI's own names and words that name no
		// other catalogue KPI.
		{"lead rate", []string{"lead-rate"}, "lead rate 1.9%", []Reading{{"lead-rate", Value{Amount: 1.9, Unit: UnitPercent}, "1.9%"}}},
		{"conversion", []string{"lead-rate"}, "conversion 1.9%", []Reading{{"lead-rate", Value{Amount: 1.9, Unit: UnitPercent}, "1.9%"}}},
		{"leads beside the rate", []string{"lead-rate", "leads"}, "leads 30", []Reading{{"leads", Value{Amount: 30, Unit: UnitCount}, "30"}}},
		{"visitors", []string{"visitors", "repeat-visitors"}, "visitors 300", []Reading{{"visitors", Value{Amount: 300, Unit: UnitCount}, "300"}}},
		{"repeat", []string{"repeat-visitors"}, "repeat 300", []Reading{{"repeat-visitors", Value{Amount: 300, Unit: UnitCount}, "300"}}},
		// An alias of a KPI of the same unit is a looser word: e-commerce
		// plans track their churn as the monthly cancellation rate.
		{"cancellation rate", []string{"monthly-cancellation-rate"}, "cancellation rate 3%", []Reading{{"monthly-cancellation-rate", Value{Amount: 3, Unit: UnitPercent}, "3%"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var kpis []KPI
			for _, key := range tt.plan {
				kpis = append(kpis, kpi(key))
			}
			got, errs := ParseReadingsIn(tt.in, kpis)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("ParseReadingsIn(%q) (-want +got):\n%s", tt.in, diff)
			}
			if tt.want != nil {
				for _, err := range errs {
					t.Errorf("ParseReadingsIn(%q): %s", tt.in, Explain(err))
				}
				return
			}
			name := tt.in[:strings.LastIndex(tt.in, " ")]
			want := []string{`I don't track "` + name + `" in this plan.`}
			var msgs []string
			for _, err := range errs {
				if !errors.Is(err, ErrBadValue) {
					t.Errorf("error %v is not ErrBadValue", err)
				}
				msgs = append(msgs, Explain(err).String())
			}
			if diff := cmp.Diff(want, msgs); diff != "" {
				t.Errorf("ParseReadingsIn(%q) messages (-want +got):\n%s", tt.in, diff)
			}
			if key, _, ok := KPIResolver(kpis)(name); ok {
				t.Errorf("KPIResolver(%q) = %s, want none", name, key)
			}
		})
	}
}

// Setting a KPI by a name of another stage's KPI says where that KPI lives,
// rather than setting a different KPI whose name contains the word.
func TestKPILineNamingAnotherStagesKPI(t *testing.T) {
	_, err := ParseKPILine(RACE(), StageConvert, "leads | target 300", t0)
	if err == nil || !strings.Contains(Explain(err).String(), "Leads is an Act KPI") {
		t.Errorf("ParseKPILine(convert, leads) error = %v, want one saying Leads is an Act KPI", err)
	}
}

// A word after a value that repeats its KPI's name, or a note in
// parentheses after it, does not sink the value before it.
func TestParseReadingsTrailingWords(t *testing.T) {
	count := func(x float64) Value { return Value{Amount: x, Unit: UnitCount} }
	tests := []struct {
		in   string
		want []Reading
		errs []string
	}{
		{in: "visitors 12.4k visitors", want: []Reading{{"visitors", count(12400), "12.4k"}}},
		{in: "unique visitors 12.4k visitors", want: []Reading{{"visitors", count(12400), "12.4k"}}},
		{in: "Leads: 310 leads, visitors 12.4k", want: []Reading{{"leads", count(310), "310"}, {"visitors", count(12400), "12.4k"}}},
		{in: "visitors 12.4k (est)", want: []Reading{{"visitors", count(12400), "12.4k"}}},
		{in: "visitors 12.4k (est. from GA) leads 310", want: []Reading{{"visitors", count(12400), "12.4k"}, {"leads", count(310), "310"}}},
		{in: "visitors 12.4k (est), leads 310 (from the CRM)", want: []Reading{{"visitors", count(12400), "12.4k"}, {"leads", count(310), "310"}}},
		{in: "12.4k (est) visitors", want: []Reading{{"visitors", count(12400), "12.4k"}}},
		// A name of another KPI with no value of its own is still named,
		// and the value before it is kept.
		{
			in:   "visitors 12.4k leads",
			want: []Reading{{"visitors", count(12400), "12.4k"}},
			errs: []string{`I found no value for "leads"; write it like leads 310.`},
		},
		{
			in:   "visitors 12.4k est",
			want: []Reading{{"visitors", count(12400), "12.4k"}},
			errs: []string{`I found no value for "est"; write it like est 310.`},
		},
		// An unclosed parenthesis is not a note: it is refused whole, and
		// the value before it is kept.
		{
			in:   "visitors 12.4k (est",
			want: []Reading{{"visitors", count(12400), "12.4k"}},
			errs: []string{`I didn't read "(est", as its bracket is not closed; close it, or write its values outside brackets.`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, errs := ParseReadings(tt.in, testNames)
			if diff := cmp.Diff(tt.want, got, cmp.Comparer(closeEnough)); diff != "" {
				t.Errorf("readings (-want +got):\n%s", diff)
			}
			var msgs []string
			for _, err := range errs {
				msgs = append(msgs, Explain(err).String())
			}
			if diff := cmp.Diff(tt.errs, msgs); diff != "" {
				t.Errorf("errors (-want +got):\n%s", diff)
			}
		})
	}
}

// A currency word after a number that starts one of the plan's KPI names
// begins that name: "leads 5 euro sales 6100", without commas, in a plan
// with "Sales" and "Euro sales", refused "5 euro" for leads and filed 6100
// under Sales. Alone after a number it is still the number's currency.
func TestParseReadingsInCurrencyWordStartingAName(t *testing.T) {
	plan := []KPI{
		{Key: "leads", Name: "Leads", Unit: UnitCount},
		{Key: "sales", Name: "Sales", Unit: UnitCount},
		{Key: "euro-sales", Name: "Euro sales", Unit: UnitCount},
		{Key: "revenue", Name: "Revenue", Unit: UnitCurrency, Currency: "EUR"},
	}
	count := func(x float64) Value { return Value{Amount: x, Unit: UnitCount} }
	eur := func(x float64) Value { return Value{Amount: x, Unit: UnitCurrency, Currency: "EUR"} }
	tests := []struct {
		in   string
		want []Reading
	}{
		{"leads 5 euro sales 6100", []Reading{{"leads", count(5), "5"}, {"euro-sales", count(6100), "6100"}}},
		{"leads 5 Euro sales 6100 sales 40", []Reading{{"leads", count(5), "5"}, {"euro-sales", count(6100), "6100"}, {"sales", count(40), "40"}}},
		{"revenue 500 euro", []Reading{{"revenue", eur(500), "500 euro"}}},
		{"revenue 500 euros sales 40", []Reading{{"revenue", eur(500), "500 euros"}, {"sales", count(40), "40"}}},
		{"revenue 500 euro, euro sales 12", []Reading{{"revenue", eur(500), "500 euro"}, {"euro-sales", count(12), "12"}}},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, errs := ParseReadingsIn(tt.in, plan)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("ParseReadingsIn(%q) (-want +got):\n%s", tt.in, diff)
			}
			for _, err := range errs {
				t.Errorf("ParseReadingsIn(%q): %s", tt.in, Explain(err))
			}
		})
	}
}

// A note in parentheses is passed over only when it holds no number and
// no currency: "(USD, est)" is the value's currency (see
// TestParseReadingsInCurrencyNote), and "(leads 310)" is read as a reading
// (see TestParseReadingsInBrackets).
func TestParseReadingsInNoteWithAValue(t *testing.T) {
	plan := []KPI{
		{Key: "visitors", Name: "Unique visitors", Unit: UnitCount},
		{Key: "leads", Name: "Leads", Unit: UnitCount},
		{Key: "revenue", Name: "Revenue", Unit: UnitCurrency, Currency: "EUR"},
	}
	for _, in := range []string{"visitors 12.4k (USD, est)", "visitors 12.4k (USD)"} {
		t.Run(in, func(t *testing.T) {
			got, errs := ParseReadingsIn(in, plan)
			if len(errs) == 0 {
				t.Errorf("ParseReadingsIn(%q) = %v with no error, want the note's value not passed over", in, got)
			}
			for _, err := range errs {
				t.Logf("%s", Explain(err))
			}
		})
	}
}

// A currency in a note after a value is the value's currency: "revenue
// 18k (USD)" on a KPI kept in euros was recorded as €18,000, beside a
// sentence about "(USD)". It is refused as "$18k" is, and read as the
// KPI's own currency when it is that.
func TestParseReadingsInCurrencyNote(t *testing.T) {
	plan := []KPI{
		{Key: "revenue", Name: "Revenue", Unit: UnitCurrency, Currency: "EUR"},
		{Key: "leads", Name: "Leads", Unit: UnitCount},
	}
	refused := "Revenue is kept in €, but $18,000 is in $; give it in € (I don't convert currencies)."
	tests := []struct {
		in   string
		want Value
		raw  string
		errs []string // from ParseReadingsIn, then CheckReading
	}{
		{in: "revenue 18k (USD)", want: Value{Amount: 18000, Unit: UnitCurrency, Currency: "USD"}, raw: "18k (USD)", errs: []string{refused}},
		{in: "revenue 18k ($)", want: Value{Amount: 18000, Unit: UnitCurrency, Currency: "USD"}, raw: "18k ($)", errs: []string{refused}},
		{in: "revenue 18k (in dollars), leads 310", want: Value{Amount: 18000, Unit: UnitCurrency, Currency: "USD"}, raw: "18k (in dollars)", errs: []string{refused}},
		{in: "revenue 18k (EUR) leads 310", want: Value{Amount: 18000, Unit: UnitCurrency, Currency: "EUR"}, raw: "18k (EUR)"},
		{in: "revenue €18k (in euros)", want: Value{Amount: 18000, Unit: UnitCurrency, Currency: "EUR"}, raw: "€18k (in euros)"},
		{in: "revenue $18k (EUR)", errs: []string{`For revenue, "$18k (EUR)" names two currencies; write it with one, like €18,250.`}},
		// A note is read whole, asides and all: its comma or semicolon
		// cut "(USD" from "est)", and 18k was recorded as €18,000.
		{in: "revenue 18k (USD, est)", want: Value{Amount: 18000, Unit: UnitCurrency, Currency: "USD"}, raw: "18k (USD, est)", errs: []string{refused}},
		{in: "revenue 18k (USD; est)", want: Value{Amount: 18000, Unit: UnitCurrency, Currency: "USD"}, raw: "18k (USD; est)", errs: []string{refused}},
		{in: "revenue 18k (est, USD), leads 310", want: Value{Amount: 18000, Unit: UnitCurrency, Currency: "USD"}, raw: "18k (est, USD)", errs: []string{refused}},
		{in: "leads 310; revenue 18k (in dollars, rough est.)", want: Value{Amount: 18000, Unit: UnitCurrency, Currency: "USD"}, raw: "18k (in dollars, rough est.)", errs: []string{refused}},
		{in: "revenue 18k (EUR, est), leads 310", want: Value{Amount: 18000, Unit: UnitCurrency, Currency: "EUR"}, raw: "18k (EUR, est)"},
		// Any currency in a note after a value is its currency, among
		// whatever words: "(est USD)" was cut off as a name without a
		// value, and "(US$)" or "(USD.)" passed over as an aside, with
		// €18,000 recorded.
		{in: "revenue 18k (est USD)", want: Value{Amount: 18000, Unit: UnitCurrency, Currency: "USD"}, raw: "18k (est USD)", errs: []string{refused}},
		{in: "revenue 18k (US$), leads 310", want: Value{Amount: 18000, Unit: UnitCurrency, Currency: "USD"}, raw: "18k (US$)", errs: []string{refused}},
		{in: "revenue 18k (USD.)", want: Value{Amount: 18000, Unit: UnitCurrency, Currency: "USD"}, raw: "18k (USD.)", errs: []string{refused}},
		{in: "revenue 18k (dollars!)", want: Value{Amount: 18000, Unit: UnitCurrency, Currency: "USD"}, raw: "18k (dollars!)", errs: []string{refused}},
		{in: "revenue 18k (est €)", want: Value{Amount: 18000, Unit: UnitCurrency, Currency: "EUR"}, raw: "18k (est €)"},
		// Two currencies, or a currency beside a number, or a note left
		// open: the value is refused in one sentence, never kept in €.
		{in: "revenue 18k (USD, EUR)", errs: []string{`For revenue, "18k (USD, EUR)" names two currencies; write it with one, like €18,250.`}},
		{in: "revenue 18k (EUR/USD), leads 310", errs: []string{`For revenue, "18k (EUR/USD)" names two currencies; write it with one, like €18,250.`}},
		{in: "revenue 18k (USD, 2025)", errs: []string{`For revenue, "18k (USD, 2025)" is not a number I can read; write it like €18,250.`}},
		{in: "revenue 18k (USD, est", errs: []string{`For revenue, "18k (USD, est" is not a number I can read; write it like €18,250.`}},
		{in: "revenue 18k (est, USD", errs: []string{`For revenue, "18k (est, USD" is not a number I can read; write it like €18,250.`}},
		{in: "leads 310\nrevenue 18k (est; in dollars", errs: []string{`For revenue, "18k (est; in dollars" is not a number I can read; write it like €18,250.`}},
		// A note of words alone is an aside, commas and all.
		{in: "revenue 18k (est, rough), leads 310", want: Value{Amount: 18000, Unit: UnitCurrency}, raw: "18k"},
		{in: "revenue 18k (est; rough)", want: Value{Amount: 18000, Unit: UnitCurrency}, raw: "18k"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, errs := ParseReadingsIn(tt.in, plan)
			var msgs []string
			for _, err := range errs {
				msgs = append(msgs, Explain(err).String())
			}
			var revenue []Reading
			for _, r := range got {
				if r.KPI == "revenue" {
					revenue = append(revenue, r)
					if _, err := CheckReading(plan[0], r.Value); err != nil {
						msgs = append(msgs, Explain(err).String())
					}
				}
			}
			var want []Reading
			if tt.raw != "" {
				want = []Reading{{"revenue", tt.want, tt.raw}}
			}
			if diff := cmp.Diff(want, revenue); diff != "" {
				t.Errorf("ParseReadingsIn(%q) (-want +got):\n%s", tt.in, diff)
			}
			if diff := cmp.Diff(tt.errs, msgs); diff != "" {
				t.Errorf("ParseReadingsIn(%q) messages (-want +got):\n%s", tt.in, diff)
			}
		})
	}
}

// A rate given as a fraction below 1 without a percent sign is asked
// about, as "2,1%" is: "lead rate 0.019" was recorded as 0.019%.
func TestParseReadingsInFractionOfARate(t *testing.T) {
	plan := []KPI{{Key: "lead-rate", Name: "Lead conversion rate", Unit: UnitPercent}}
	got, errs := ParseReadingsIn("lead rate 0.019", plan)
	var msgs []string
	for _, err := range errs {
		msgs = append(msgs, Explain(err).String())
	}
	want := []string{`For lead rate, "0.019" is ambiguous: did you mean 1.9% or 0.019%? Write it as 1.9% or 0.019%.`}
	if len(got) != 0 || !cmp.Equal(want, msgs) {
		t.Errorf("ParseReadingsIn(lead rate 0.019) = %v, %q; want nothing read and %q", got, msgs, want)
	}
}

// checkReadingsIn checks what ParseReadingsIn reads in in, and the words
// it says of the rest.
func checkReadingsIn(t *testing.T, in string, plan []KPI, want []Reading, msgs []string) {
	t.Helper()
	got, errs := ParseReadingsIn(in, plan)
	var said []string
	for _, err := range errs {
		said = append(said, Explain(err).String())
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("ParseReadingsIn(%q) (-want +got):\n%s", in, diff)
	}
	if diff := cmp.Diff(msgs, said); diff != "" {
		t.Errorf("ParseReadingsIn(%q) messages (-want +got):\n%s", in, diff)
	}
}

// A note after a value of a KPI that takes no money, which mentions a
// currency among other words, is an aside: read as the value's currency,
// "leads 310 (euro campaign)" was refused as an amount of money, though
// no currency can misfile a count. A note that is a currency still makes
// the value money, as "$310" is.
func TestParseReadingsInCurrencyWordInAside(t *testing.T) {
	plan := []KPI{
		{Key: "leads", Name: "Leads", Unit: UnitCount},
		{Key: "lead-rate", Name: "Lead rate", Unit: UnitPercent},
		{Key: "time-on-page", Name: "Time on page", Unit: UnitDuration},
		{Key: "roas", Name: "ROAS", Unit: UnitRatio},
	}
	tests := []struct {
		in   string
		want []Reading
		errs []string
	}{
		{in: "leads 310 (incl. dollar-store promo)", want: []Reading{{"leads", Value{Amount: 310, Unit: UnitCount}, "310"}}},
		{in: "leads 310 (euro campaign, rough)", want: []Reading{{"leads", Value{Amount: 310, Unit: UnitCount}, "310"}}},
		{in: "leads 310 (€ campaign), lead rate 3.2% (est, US$ site)", want: []Reading{{"leads", Value{Amount: 310, Unit: UnitCount}, "310"}, {"lead-rate", Value{Amount: 3.2, Unit: UnitPercent}, "3.2%"}}},
		{in: "time on page 2m 30s (euro site)", want: []Reading{{"time-on-page", Value{Amount: 150, Unit: UnitDuration}, "2m 30s"}}},
		{in: "roas 3.2 (euro campaigns)", want: []Reading{{"roas", Value{Amount: 3.2, Unit: UnitRatio}, "3.2"}}},
		{in: "leads 310 (USD)", errs: []string{`For leads, "310 (USD)" is an amount of money, but this KPI is a count; write it like 310 or 12.4k.`}},
		{in: "leads 310 (in euros, est)", errs: []string{`For leads, "310 (in euros, est)" is an amount of money, but this KPI is a count; write it like 310 or 12.4k.`}},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			checkReadingsIn(t, tt.in, plan, tt.want, tt.errs)
		})
	}
}

// What a bracket after a value holds decides what is recorded: readings of
// the plan's KPIs are read as readings, an aside is passed over even when
// it mentions a currency beside a value that has its own, a currency the
// value is not is never read as its currency, and a bracket left open
// costs only itself, not the value before it.
func TestParseReadingsInBrackets(t *testing.T) {
	eur := []KPI{
		{Key: "visitors", Name: "Unique visitors", Unit: UnitCount},
		{Key: "leads", Name: "Leads", Unit: UnitCount},
		{Key: "revenue", Name: "Revenue", Unit: UnitCurrency, Currency: "EUR"},
	}
	usd := []KPI{eur[0], eur[1], {Key: "revenue", Name: "Revenue", Unit: UnitCurrency, Currency: "USD"}}
	visitors := Reading{"visitors", Value{Amount: 12400, Unit: UnitCount}, "12.4k"}
	leads := Reading{"leads", Value{Amount: 310, Unit: UnitCount}, "310"}
	revenue := func(raw, currency string) Reading {
		return Reading{"revenue", Value{Amount: 18000, Unit: UnitCurrency, Currency: currency}, raw}
	}
	open := func(note string) string {
		return `I didn't read "` + note + `", as its bracket is not closed; close it, or write its values outside brackets.`
	}
	notUSD := func(raw string) string {
		return `For revenue, "` + raw + `" says which currency it is not; write it with the one it is, like $18,250.`
	}
	tests := []struct {
		plan []KPI
		in   string
		want []Reading // from ParseReadingsIn, those CheckReading refuses too
		errs []string  // from ParseReadingsIn, then CheckReading
	}{
		// 1. A bracket left open with a currency in it took the rest of
		// its line, and the count before it was refused with it.
		{eur, "leads 310 (est, revenue $18k", []Reading{leads}, []string{open("(est, revenue $18k")}},
		{eur, "leads 310 (est, revenue €18k\nvisitors 12.4k", []Reading{leads, visitors}, []string{open("(est, revenue €18k")}},
		{eur, "visitors 12.4k; leads 310 (euro campaign, est", []Reading{visitors, leads}, []string{open("(euro campaign, est")}},
		// What the open bracket makes unclear is still refused: the
		// currency of money before it, or a count given as money.
		{eur, "leads 310, revenue 18k (est, USD", []Reading{leads}, []string{`For revenue, "18k (est, USD" is not a number I can read; write it like €18,250.`}},
		{eur, "leads 310 (in dollars, est", nil, []string{`For leads, "310 (in dollars, est" is not a number I can read; write it like 310 or 12.4k.`}},
		// A reading in a bracket left open beside anything else is not
		// taken out of it: "(leads 310, est" gave leads 310 and asked for
		// a value for "est".
		{eur, "visitors 12.4k (leads 310, est", []Reading{visitors}, []string{open("(leads 310, est")}},
		{eur, "visitors 12.4k (leads 310 est\nrevenue 18k", []Reading{visitors, revenue("18k", "")}, []string{open("(leads 310 est")}},
		{eur, "visitors=12.4k (leads 310, est", []Reading{visitors}, []string{open("(leads 310, est")}},
		// A currency after a reading in it is that reading's, as in a
		// closed one, not the count's before it.
		{eur, "visitors 12.4k (leads 310, USD", []Reading{visitors}, []string{open("(leads 310, USD")}},

		// 2. A bracket of readings of the plan's KPIs gives them, as the
		// same words outside it would.
		{eur, "visitors 12.4k (leads 310, revenue 18k)", []Reading{visitors, leads, revenue("18k", "")}, nil},
		{eur, "visitors 12.4k (leads 310, revenue €18k)", []Reading{visitors, leads, revenue("€18k", "EUR")}, nil},
		{eur, "visitors 12.4k (leads 310; revenue 18k EUR)", []Reading{visitors, leads, revenue("18k EUR", "EUR")}, nil},
		{eur, "revenue 18k (leads 310)", []Reading{revenue("18k", ""), leads}, nil},
		{eur, "visitors 12.4k (leads 310)", []Reading{visitors, leads}, nil},
		{eur, "visitors 12.4k (leads 310, revenue $18k), leads 320", []Reading{visitors, leads, revenue("$18k", "USD")}, []string{
			"You gave leads twice, so I kept 310 and ignored 320.",
			"Revenue is kept in €, but $18,000 is in $; give it in € (I don't convert currencies).",
		}},
		// A currency alone after a reading in the bracket is that
		// reading's, as one in a note after a value is: "(leads 310,
		// USD)" refused visitors as "not a number", naming no currency.
		{eur, "visitors 12.4k (leads 310, USD)", []Reading{visitors}, []string{`For leads, "310 (USD)" is an amount of money, but this KPI is a count; write it like 310 or 12.4k.`}},
		{eur, "visitors 12.4k (leads 310, est, USD)", []Reading{visitors}, []string{`For leads, "310 (USD)" is an amount of money, but this KPI is a count; write it like 310 or 12.4k.`}},
		{eur, "visitors 12.4k (leads 310, in dollars), revenue €18k", []Reading{visitors, revenue("€18k", "EUR")}, []string{`For leads, "310 (in dollars)" is an amount of money, but this KPI is a count; write it like 310 or 12.4k.`}},
		{eur, "visitors 12.4k (revenue 18k, USD)", []Reading{visitors, revenue("18k (USD)", "USD")}, []string{
			"Revenue is kept in €, but $18,000 is in $; give it in € (I don't convert currencies).",
		}},
		{eur, "visitors 12.4k (revenue €18k, USD)", []Reading{visitors}, []string{`For revenue, "€18k (USD)" names two currencies; write it with one, like €18,250.`}},
		// After money the currency may be the value's own: the value is
		// not recorded in the KPI's.
		{eur, "revenue 18k (leads 310, USD)", nil, []string{`For revenue, "18k (leads 310, USD)" is not a number I can read; write it like €18,250.`}},
		// So may money earlier in the bracket: "(revenue 18k, leads 310,
		// USD)" recorded €18,000 and refused the leads as money.
		{eur, "visitors 12.4k (revenue 18k, leads 310, USD)", nil, []string{`For visitors, "12.4k (revenue 18k, leads 310, USD)" is not a number I can read; write it like 310 or 12.4k.`}},
		{eur, "visitors 12.4k (revenue 18k leads 310, est, USD)", nil, []string{`For visitors, "12.4k (revenue 18k leads 310, est, USD)" is not a number I can read; write it like 310 or 12.4k.`}},
		{eur, "visitors 12.4k (revenue 18k, leads 310, in dollars), leads 310", []Reading{leads}, []string{`For visitors, "12.4k (revenue 18k, leads 310, in dollars)" is not a number I can read; write it like 310 or 12.4k.`}},

		// 3. An aside mentioning a currency, after a value with its own,
		// is an aside: it was asked about as two currencies.
		{eur, "revenue €18k (incl. dollar-store sales)", []Reading{revenue("€18k", "EUR")}, nil},
		{eur, "revenue 18k euros (incl. dollar-store sales), leads 310", []Reading{revenue("18k euros", "EUR"), leads}, nil},
		{usd, "revenue $18k (not EUR)", []Reading{revenue("$18k", "USD")}, nil},
		// A currency alone in the note is still the value's.
		{eur, "revenue $18k (EUR, est)", nil, []string{`For revenue, "$18k (EUR, est)" names two currencies; write it with one, like €18,250.`}},

		// 4. A currency the note says the value is not is not its
		// currency: "18k (not USD)" was recorded as $18,000.
		{usd, "revenue 18k (not USD)", nil, []string{notUSD("18k (not USD)")}},
		{usd, "revenue 18k (non-USD, est)", nil, []string{notUSD("18k (non-USD, est)")}},
		{usd, "leads 310, revenue 18k (est, not in dollars)", []Reading{leads}, []string{notUSD("18k (est, not in dollars)")}},
		{usd, "revenue 18k (USD, not audited)", []Reading{revenue("18k (USD, not audited)", "USD")}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, errs := ParseReadingsIn(tt.in, tt.plan)
			var msgs []string
			for _, err := range errs {
				msgs = append(msgs, Explain(err).String())
			}
			for _, r := range got {
				k, _ := KPIByKey(tt.plan, r.KPI)
				if _, err := CheckReading(k, r.Value); err != nil {
					msgs = append(msgs, Explain(err).String())
				}
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("ParseReadingsIn(%q) (-want +got):\n%s", tt.in, diff)
			}
			if diff := cmp.Diff(tt.errs, msgs); diff != "" {
				t.Errorf("ParseReadingsIn(%q) messages (-want +got):\n%s", tt.in, diff)
			}
		})
	}
}

// A bracket after a value is read as readings only when it names each KPI
// by its whole name or an alias: a word of another KPI's name there most
// often says what part of the value it is ("visitors 12.4k (new 3k)", 3k
// new visitors), and was recorded as that other KPI (3k new customers).
func TestParseReadingsInBracketOfAPart(t *testing.T) {
	plan := []KPI{
		{Key: "visitors", Name: "Unique visitors", Unit: UnitCount},
		{Key: "leads", Name: "Leads", Unit: UnitCount},
		{Key: "new-customers", Name: "New customers", Unit: UnitCount},
		{Key: "target-accounts", Name: "Target accounts", Unit: UnitCount},
		{Key: "revenue", Name: "Revenue", Unit: UnitCurrency, Currency: "USD"},
	}
	visitors := Reading{"visitors", Value{Amount: 12400, Unit: UnitCount}, "12.4k"}
	leads := Reading{"leads", Value{Amount: 310, Unit: UnitCount}, "310"}
	tests := []struct {
		in   string
		want []Reading
	}{
		{"visitors 12.4k (new 3k)", []Reading{visitors}},
		{"leads 310 (new 200)", []Reading{leads}},
		{"leads 310 (target 400)", []Reading{leads}},
		// Whole names still give their readings.
		{"visitors 12.4k (new customers 30)", []Reading{visitors, {"new-customers", Value{Amount: 30, Unit: UnitCount}, "30"}}},
		{"visitors 12.4k (310 leads)", []Reading{visitors, leads}},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, errs := ParseReadingsIn(tt.in, plan)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("ParseReadingsIn(%q) (-want +got):\n%s", tt.in, diff)
			}
			if len(tt.want) == 1 && len(errs) == 0 {
				t.Errorf("ParseReadingsIn(%q) said nothing of the bracket it did not read", tt.in)
			}
		})
	}
}

// A note naming another currency than the one a value is written in is
// an aside only when it says the value is not in it, or the currency word
// is part of another ("dollar-store"): "$18k (meant EUR)" names two
// currencies, and was recorded as $18,000 on a plan kept in dollars.
// A note saying after its currency that it is left out ("18k (USD
// excluded)") says the value is not in it.
func TestParseReadingsInCurrencyNoteBesideItsOwn(t *testing.T) {
	usd := []KPI{{Key: "revenue", Name: "Revenue", Unit: UnitCurrency, Currency: "USD"}}
	two := func(raw string) string {
		return `For revenue, "` + raw + `" names two currencies; write it with one, like $18,250.`
	}
	notUSD := func(raw string) string {
		return `For revenue, "` + raw + `" says which currency it is not; write it with the one it is, like $18,250.`
	}
	tests := []struct {
		in   string
		want []Reading
		errs []string
	}{
		{"revenue $18k (meant EUR)", nil, []string{two("$18k (meant EUR)")}},
		{"revenue $18k (actually EUR)", nil, []string{two("$18k (actually EUR)")}},
		{"revenue $18k (EUR equivalent)", nil, []string{two("$18k (EUR equivalent)")}},
		{"revenue $18k (typo: EUR)", nil, []string{two("$18k (typo: EUR)")}},
		{"revenue 18k (USD excluded)", nil, []string{notUSD("18k (USD excluded)")}},
		{"revenue 18k (USD sales not included)", nil, []string{notUSD("18k (USD sales not included)")}},
		// As before: an aside, a currency said not to be the value's.
		{"revenue $18k (incl. euro-zone sales)", []Reading{{"revenue", Value{Amount: 18000, Unit: UnitCurrency, Currency: "USD"}, "$18k"}}, nil},
		{"revenue $18k (not EUR)", []Reading{{"revenue", Value{Amount: 18000, Unit: UnitCurrency, Currency: "USD"}, "$18k"}}, nil},
		{"revenue $18k (USD sales only)", []Reading{{"revenue", Value{Amount: 18000, Unit: UnitCurrency, Currency: "USD"}, "$18k"}}, nil},
		{"revenue 18k (USD, not audited)", []Reading{{"revenue", Value{Amount: 18000, Unit: UnitCurrency, Currency: "USD"}, "18k (USD, not audited)"}}, nil},
		{"revenue 18k (USD excl. VAT)", []Reading{{"revenue", Value{Amount: 18000, Unit: UnitCurrency, Currency: "USD"}, "18k (USD excl. VAT)"}}, nil},
		// "w/o", "other than", "outside" and "non" say a currency is not
		// the value's: "18k (w/o USD)" was recorded as $18,000.
		{"revenue 18k (w/o USD)", nil, []string{notUSD("18k (w/o USD)")}},
		{"revenue 18k (other than USD)", nil, []string{notUSD("18k (other than USD)")}},
		{"revenue 18k (outside USD)", nil, []string{notUSD("18k (outside USD)")}},
		{"revenue 18k (non USD)", nil, []string{notUSD("18k (non USD)")}},
		{"revenue $18k (w/o EUR)", []Reading{{"revenue", Value{Amount: 18000, Unit: UnitCurrency, Currency: "USD"}, "$18k"}}, nil},
		{"revenue $18k (other than EUR)", []Reading{{"revenue", Value{Amount: 18000, Unit: UnitCurrency, Currency: "USD"}, "$18k"}}, nil},
		{"revenue $18k (outside EUR)", []Reading{{"revenue", Value{Amount: 18000, Unit: UnitCurrency, Currency: "USD"}, "$18k"}}, nil},
		{"revenue $18k (non EUR)", []Reading{{"revenue", Value{Amount: 18000, Unit: UnitCurrency, Currency: "USD"}, "$18k"}}, nil},
		// A currency joined to a word that says it is the value's names
		// a second one: "$18k (EUR-denominated)" was recorded as dollars.
		{"revenue $18k (EUR-denominated)", nil, []string{two("$18k (EUR-denominated)")}},
		{"revenue $18k (EUR-based)", nil, []string{two("$18k (EUR-based)")}},
		{"revenue $18k (EUR-equivalent)", nil, []string{two("$18k (EUR-equivalent)")}},
		{"revenue $18k (euro-zone)", []Reading{{"revenue", Value{Amount: 18000, Unit: UnitCurrency, Currency: "USD"}, "$18k"}}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			checkReadingsIn(t, tt.in, usd, tt.want, tt.errs)
		})
	}
}

// The same words give the same value, or the same refusal, wherever they
// are typed: a check-in reply (and the values command), a form's field and
// a KPI line's target. A form refused "€18k (incl. dollar-store sales)"
// as two currencies and "310 (est)" as no number, both of which a reply
// records; a KPI line did the same.
func TestValueNotesReadAlikeOnEveryPath(t *testing.T) {
	cat := RACE()
	lines := map[string]string{"revenue": "revenue", "leads": "leads", "bounce-rate": "bounce rate", "time-on-site": "time on site"}
	plan := []KPI{
		{Key: "revenue", Name: "Revenue", Unit: UnitCurrency},
		{Key: "leads", Name: "Leads", Unit: UnitCount},
		{Key: "bounce-rate", Name: "Bounce rate", Unit: UnitPercent},
		{Key: "time-on-site", Name: "Time on site", Unit: UnitDuration},
	}
	money := func(x float64, c string) *Value { return &Value{Amount: x, Unit: UnitCurrency, Currency: c} }
	tests := []struct {
		kpi, text string
		want      *Value // nil: refused, with a message holding refusal
		refusal   string
	}{
		{kpi: "revenue", text: "€18k (incl. dollar-store sales)", want: money(18000, "EUR")},
		{kpi: "revenue", text: "18k euros (incl. dollar-store sales)", want: money(18000, "EUR")},
		{kpi: "revenue", text: "~€18k (est)", want: money(18000, "EUR")},
		{kpi: "revenue", text: "€18k (from the CRM)", want: money(18000, "EUR")},
		{kpi: "revenue", text: "€18k (not USD)", want: money(18000, "EUR")},
		{kpi: "revenue", text: "€18k (w/o USD)", want: money(18000, "EUR")},
		{kpi: "revenue", text: "€18k (euro-zone)", want: money(18000, "EUR")},
		{kpi: "revenue", text: "$18k (incl. euro-zone sales)", want: money(18000, "USD")},
		{kpi: "revenue", text: "18k (USD, est)", want: money(18000, "USD")},
		{kpi: "revenue", text: "$18k (EUR-denominated)", refusal: "names two currencies"},
		{kpi: "revenue", text: "$18k (meant EUR)", refusal: "names two currencies"},
		{kpi: "revenue", text: "18k (other than USD)", refusal: "says which currency it is not"},
		{kpi: "revenue", text: "€18k (est, revenue $18k", refusal: "not a number I can read"},
		{kpi: "leads", text: "310 (est)", want: &Value{Amount: 310, Unit: UnitCount}},
		{kpi: "leads", text: "310 (euro campaign)", want: &Value{Amount: 310, Unit: UnitCount}},
		{kpi: "leads", text: "310 (USD)", refusal: "is an amount of money"},
		// "per" before a source, not a span or a unit, says where the
		// value is from: "310 (per HubSpot)" was refused as a note of
		// what the number counts.
		{kpi: "leads", text: "310 (per HubSpot)", want: &Value{Amount: 310, Unit: UnitCount}},
		{kpi: "leads", text: "310 (per the CRM, est)", want: &Value{Amount: 310, Unit: UnitCount}},
		{kpi: "revenue", text: "€18k (as per finance)", want: money(18000, "EUR")},
		{kpi: "revenue", text: "€18k (per finance)", want: money(18000, "EUR")},
		// "as per" names a source whatever follows: "(as per Jane)" was
		// refused as a note of what the number counts.
		{kpi: "leads", text: "310 (as per Jane)", want: &Value{Amount: 310, Unit: UnitCount}},
		{kpi: "revenue", text: "€18k (as per sales)", want: money(18000, "EUR")},
		{kpi: "leads", text: "310 (per the team)", want: &Value{Amount: 310, Unit: UnitCount}},
		{kpi: "leads", text: "310 (per day)", refusal: "says what the number counts"},
		{kpi: "revenue", text: "€18k (per lead)", refusal: "says what the number counts"},
		{kpi: "bounce-rate", text: "3.2% (est, US$ site)", want: &Value{Amount: 3.2, Unit: UnitPercent}},
		{kpi: "time-on-site", text: "2m 30s (euro site)", want: &Value{Amount: 150, Unit: UnitDuration}},
	}
	for _, tt := range tests {
		t.Run(tt.kpi+" "+tt.text, func(t *testing.T) {
			k, _ := KPIByKey(plan, tt.kpi)
			check := func(path string, v Value, err error) {
				switch {
				case err != nil && tt.want == nil && strings.Contains(Explain(err).String(), tt.refusal):
				case err != nil:
					t.Errorf("%s: %q refused: %s", path, tt.text, Explain(err))
				case tt.want == nil:
					t.Errorf("%s: %q read as %+v, want it refused (%s)", path, tt.text, v, tt.refusal)
				case v != *tt.want:
					t.Errorf("%s: %q read as %+v, want %+v", path, tt.text, v, *tt.want)
				}
			}

			readings, errs := ParseReadingsIn(k.Name+" "+tt.text, plan)
			switch {
			case len(readings) == 1 && len(errs) == 0:
				check("reply", readings[0].Value, nil)
			case len(readings) == 0 && len(errs) == 1:
				check("reply", Value{}, errs[0])
			default:
				t.Errorf("reply: %q gave %+v and %v", tt.text, readings, errs)
			}
			v, err := ParseKPIValue(tt.text, k)
			check("form", v, err)
			line, err := ParseKPILine(cat, "", lines[tt.kpi]+" | target "+tt.text, time.Date(2027, 1, 4, 9, 0, 0, 0, time.UTC))
			if err == nil && line.Key != tt.kpi {
				t.Fatalf("KPI line: %q is %s, want %s", lines[tt.kpi], line.Key, tt.kpi)
			}
			check("KPI line", line.Target, err)
		})
	}
}

// A bracket left open after a value, holding a reading beside anything
// else, is named in the same sentence wherever it is typed: a reply keeps
// the value before it (a reply holds several), a form's field and a KPI
// line's target, one value each, refuse it. A reply read "(leads 310" as
// leads and asked for a value for "est".
func TestAnOpenBracketOfAReadingReadsAlikeOnEveryPath(t *testing.T) {
	plan := []KPI{
		{Key: "visitors", Name: "Unique visitors", Unit: UnitCount},
		{Key: "leads", Name: "Leads", Unit: UnitCount},
	}
	now := time.Date(2027, 1, 4, 9, 0, 0, 0, time.UTC)
	for _, tt := range []struct{ text, note string }{
		{"12.4k (leads 310, est", "(leads 310, est"},
		{"12.4k (leads 310 est", "(leads 310 est"},
		{"12.4k (leads 310, USD", "(leads 310, USD"},
	} {
		t.Run(tt.text, func(t *testing.T) {
			want := `I didn't read "` + tt.note + `", as its bracket is not closed; close it, or write its values outside brackets.`
			checkReadingsIn(t, "visitors "+tt.text, plan, []Reading{{"visitors", Value{Amount: 12400, Unit: UnitCount}, "12.4k"}}, []string{want})
			if _, err := ParseKPIValue(tt.text, plan[0]); err == nil || Explain(err).String() != want {
				t.Errorf("form: %q refused with %v, want %q", tt.text, err, want)
			}
			if _, err := ParseKPILine(RACE(), "", "visitors | target "+tt.text, now); err == nil || Explain(err).String() != "For the target, "+want {
				t.Errorf("KPI line: %q refused with %v, want %q", tt.text, err, "For the target, "+want)
			}
		})
	}
}

// A bracket after a value that is no reading and no aside is refused in
// one sentence that quotes it whole, and costs only itself: its first
// word was taken for a KPI's name, which gave sentences such as `For
// (new, "3k)" is not a number…`, and a comma in it cut it in two, so
// that "(new 3k, est)" was recorded as 3k new customers.
func TestParseReadingsInBracketRefusedWhole(t *testing.T) {
	plan := []KPI{
		{Key: "visitors", Name: "Unique visitors", Unit: UnitCount},
		{Key: "leads", Name: "Leads", Unit: UnitCount},
		{Key: "new-customers", Name: "New customers", Unit: UnitCount},
	}
	visitors := Reading{"visitors", Value{Amount: 12400, Unit: UnitCount}, "12.4k"}
	leads := Reading{"leads", Value{Amount: 310, Unit: UnitCount}, "310"}
	closed := func(note string) string {
		return `I didn't read "` + note + `", as in brackets I read numbers only as readings alone, each after a KPI's whole name, like (leads 310); write its values outside brackets.`
	}
	alone := func(note string) string {
		return `I didn't read "` + note + `", as I read a bracket only right after a value, like leads 310 (est).`
	}
	open := func(note string) string {
		return `I didn't read "` + note + `", as its bracket is not closed; close it, or write its values outside brackets.`
	}
	tests := []struct {
		in   string
		want []Reading
		errs []string
	}{
		{"visitors 12.4k (new 3k)", []Reading{visitors}, []string{closed("(new 3k)")}},
		{"visitors 12.4k (new 3k) leads 310", []Reading{visitors, leads}, []string{closed("(new 3k)")}},
		{"visitors 12.4k (new 3k, est)", []Reading{visitors}, []string{closed("(new 3k, est)")}},
		{"visitors 12.4k (3k new)", []Reading{visitors}, []string{closed("(3k new)")}},
		{"leads 310 (up 20)", []Reading{leads}, []string{closed("(up 20)")}},
		{"leads 310 (vs 280 last week), visitors 12.4k", []Reading{leads, visitors}, []string{closed("(vs 280 last week)")}},
		{"leads 310 (est, rough", []Reading{leads}, []string{open("(est, rough")}},
		{"leads 310 (est", []Reading{leads}, []string{open("(est")}},
		{"leads 310 (3k", []Reading{leads}, []string{open("(3k")}},
		// A reading beside a part that is neither reading nor aside
		// keeps the bracket refused whole (readings beside asides are
		// read: see TestParseReadingsInBracketOfReadingsAndAsides).
		{"visitors 12.4k (leads 310, new 3k)", []Reading{visitors}, []string{closed("(leads 310, new 3k)")}},
		{"visitors 12.4k (leads 310 est)", []Reading{visitors}, []string{closed("(leads 310 est)")}},
		// A closed bracket that follows no value, after a bracket of
		// readings or a comma, is not one left open.
		{"visitors 12.4k (leads 310) (est)", []Reading{visitors, leads}, []string{alone("(est)")}},
		{"leads 310, (est)", []Reading{leads}, []string{alone("(est)")}},
		{"visitors 12.4k (leads 310) (3k", []Reading{visitors, leads}, []string{open("(3k")}},
		// One with a number in it was read as words: `For (new, "3k)"
		// is not a number…`, and cut at its comma "(new 3k" was 3k new
		// customers.
		{"visitors 12.4k (leads 310) (new 3k)", []Reading{visitors, leads}, []string{alone("(new 3k)")}},
		{"leads 310, (new 3k)", []Reading{leads}, []string{alone("(new 3k)")}},
		{"leads 310, (new 3k, est)", []Reading{leads}, []string{alone("(new 3k, est)")}},
		{"leads 310; (new 3k) visitors 12.4k", []Reading{leads, visitors}, []string{alone("(new 3k)")}},
		{"visitors 12.4k, (leads 310, new 3k)", []Reading{visitors}, []string{alone("(leads 310, new 3k)")}},
		// As before: asides are passed over, readings in brackets read,
		// even with the bracket left open.
		{"leads 310 (est, rough)", []Reading{leads}, nil},
		{"visitors 12.4k (leads 310)", []Reading{visitors, leads}, nil},
		{"visitors 12.4k (leads 310", []Reading{visitors, leads}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			checkReadingsIn(t, tt.in, plan, tt.want, tt.errs)
		})
	}
}

// A bracket after a value whose parts are readings and asides gives the
// readings and passes over the asides, as a note of words alone after a
// value is passed over: "(leads 310, est)" was refused whole, and the
// leads the person clearly gave were lost. A part that is neither, or
// a KPI's name without its value, keeps the bracket refused whole.
func TestParseReadingsInBracketOfReadingsAndAsides(t *testing.T) {
	plan := []KPI{
		{Key: "visitors", Name: "Unique visitors", Unit: UnitCount},
		{Key: "leads", Name: "Leads", Unit: UnitCount},
		{Key: "new-customers", Name: "New customers", Unit: UnitCount},
		{Key: "revenue", Name: "Revenue", Unit: UnitCurrency, Currency: "EUR"},
	}
	visitors := Reading{"visitors", Value{Amount: 12400, Unit: UnitCount}, "12.4k"}
	leads := Reading{"leads", Value{Amount: 310, Unit: UnitCount}, "310"}
	revenue := Reading{"revenue", Value{Amount: 18000, Unit: UnitCurrency}, "18k"}
	closed := func(note string) string {
		return `I didn't read "` + note + `", as in brackets I read numbers only as readings alone, each after a KPI's whole name, like (leads 310); write its values outside brackets.`
	}
	tests := []struct {
		in   string
		want []Reading
		errs []string
	}{
		{"visitors 12.4k (leads 310, est)", []Reading{visitors, leads}, nil},
		{"visitors 12.4k (leads 310, revenue 18k, rough)", []Reading{visitors, leads, revenue}, nil},
		{"visitors 12.4k (est; leads 310)", []Reading{visitors, leads}, nil},
		{"visitors 12.4k (leads 310, from the CRM, rough), revenue €18k", []Reading{visitors, leads, {"revenue", Value{Amount: 18000, Unit: UnitCurrency, Currency: "EUR"}, "€18k"}}, nil},
		// Neither a reading nor an aside: refused whole, as before.
		{"visitors 12.4k (leads 310, new 3k)", []Reading{visitors}, []string{closed("(leads 310, new 3k)")}},
		{"visitors 12.4k (leads 310, revenue 18k, new 3k, est)", []Reading{visitors}, []string{closed("(leads 310, revenue 18k, new 3k, est)")}},
		{"visitors 12.4k (leads 310, per day)", []Reading{visitors}, []string{closed("(leads 310, per day)")}},
		{"visitors 12.4k (leads 310, revenue)", []Reading{visitors}, []string{closed("(leads 310, revenue)")}},
		{"visitors 12.4k (est, rough, 3k)", []Reading{visitors}, []string{closed("(est, rough, 3k)")}},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			checkReadingsIn(t, tt.in, plan, tt.want, tt.errs)
		})
	}
}

// A note that says what the number counts — its scale ("240 (in k)",
// "(x1000)") or its period ("2k (per day)", "(YTD)", "(cumulative)") — is
// no aside: passed over, 240 was kept where 240,000 was meant, and a day's
// visitors as a month's, in a KPI line's target, a form's field and a
// check-in reply alike. The value is refused with the note named, and
// nothing is read of it; a note that is only an aside still is passed
// over, and a KPI line's period in a note is still its period.
func TestValueNotesThatSayWhatTheNumberCountsAreRefused(t *testing.T) {
	cat := RACE()
	now := time.Date(2027, 1, 4, 9, 0, 0, 0, time.UTC)
	plan := []KPI{{Key: "visitors", Name: "Unique visitors", Unit: UnitCount}, {Key: "revenue", Name: "Revenue", Unit: UnitCurrency, Currency: "EUR"}}
	lines := map[string]string{"visitors": "visitors", "revenue": "revenue"}
	for _, tt := range []struct{ kpi, text, note string }{
		{"visitors", "240 (in k)", "(in k)"},
		{"visitors", "240 (thousand)", "(thousand)"},
		{"visitors", "240 (thousands)", "(thousands)"},
		{"visitors", "240 (x1000)", "(x1000)"},
		{"visitors", "2.4 (in m)", "(in m)"},
		{"visitors", "2.4 (in b)", "(in b)"},
		{"visitors", "240 (k)", "(k)"},
		{"visitors", "2.4 (mn)", "(mn)"},
		{"visitors", "2k (in hundreds)", "(in hundreds)"},
		{"visitors", "2k (per day)", "(per day)"},
		{"visitors", "2k (daily)", "(daily)"},
		{"visitors", "2k (every day)", "(every day)"},
		{"visitors", "2k (weekly avg)", "(weekly avg)"},
		{"visitors", "2k (cumulative)", "(cumulative)"},
		{"visitors", "2k (YTD)", "(YTD)"},
		{"visitors", "2k (each)", "(each)"},
		{"visitors", "2k (per lead)", "(per lead)"},
		{"visitors", "2k (per customer)", "(per customer)"},
		{"visitors", "2k (per capita)", "(per capita)"},
		{"visitors", "2k (per wk)", "(per wk)"},
		{"visitors", "2k (per k)", "(per k)"},
		{"visitors", "2k (per each lead)", "(per each lead)"},
		// An unknown word after "per" is a unit, not a source: taken for
		// a source, a rate would be recorded as a total.
		{"visitors", "2k (per webinar)", "(per webinar)"},
		// A team or a report is counted per as often as it is cited:
		// "2k (per team)" was kept as 2,000 visitors in all.
		{"visitors", "2k (per team)", "(per team)"},
		{"visitors", "2k (per report)", "(per report)"},
		{"visitors", "2k (est, per day)", "(est, per day)"},
		{"revenue", "€240 (in k)", "(in k)"},
		{"revenue", "€24k (per lead)", "(per lead)"},
	} {
		t.Run(tt.kpi+" "+tt.text, func(t *testing.T) {
			k, _ := KPIByKey(plan, tt.kpi)
			refused := func(path string, v any, err error) {
				t.Helper()
				if err == nil {
					t.Errorf("%s: %q read as %+v, want it refused", path, tt.text, v)
				} else if !strings.Contains(Explain(err).String(), tt.note) {
					t.Errorf("%s: %q refused with %q, want the note %s named", path, tt.text, Explain(err), tt.note)
				}
			}
			v, err := ParseKPIValue(tt.text, k)
			refused("form", v, err)
			line, err := ParseKPILine(cat, "", lines[tt.kpi]+" | target "+tt.text, now)
			refused("KPI line", line.Target, err)
			readings, errs := ParseReadingsIn(k.Name+" "+tt.text, plan)
			if len(readings) != 0 || len(errs) != 1 {
				t.Errorf("reply: %q gave %+v and %v, want one refusal", tt.text, readings, errs)
			} else {
				refused("reply", nil, errs[0])
			}
		})
	}
	for _, tt := range []struct {
		line   string
		target float64
		period Period
	}{
		{"visitors | target 240k (est) | by 2027-12-31", 240000, PeriodMonth},
		{"visitors | target 240k (last month) | by 2027-12-31", 240000, PeriodMonth},
		{"visitors | target 240k (per quarter) | by 2027-12-31", 240000, PeriodQuarter},
		{"visitors | target 240k (every quarter) | by 2027-12-31", 240000, PeriodQuarter},
		{"visitors | target 240k (est, per quarter) | by 2027-12-31", 240000, PeriodQuarter},
		{"visitors | target 240k (per quarter; est.) | by 2027-12-31", 240000, PeriodQuarter},
		{"visitors | target 240k (in total) | by 2027-12-31", 240000, PeriodPlan},
		{"visitors | target 2.4k (est. from the last m) | by 2027-12-31", 2400, PeriodMonth},
	} {
		k, err := ParseKPILine(cat, "", tt.line, now)
		if err != nil || k.Target.Amount != tt.target || k.Period != tt.period {
			t.Errorf("ParseKPILine(%q) = target %+v, period %q, %v; want %v a %s", tt.line, k.Target, k.Period, err, tt.target, tt.period)
		}
	}
	for _, s := range []string{"Unique visitors 2k (est)", "Unique visitors 2k (last week)", "Unique visitors 2k (est. from the last m)",
		"Unique visitors 2k (as per the CRM)", "Unique visitors 2k (every channel)",
		// A letter alone is a scale only after "in": these are asides.
		"Unique visitors 2k (A/B test)", "Unique visitors 2k (plan B)", "Unique visitors 2k (K-12 schools)", "Unique visitors 2k (site b, est)"} {
		if readings, errs := ParseReadingsIn(s, plan); len(readings) != 1 || len(errs) != 0 || readings[0].Value.Amount != 2000 {
			t.Errorf("reply %q gave %+v and %v, want 2k read", s, readings, errs)
		}
	}
}

// A note that says the number is a target or a forecast ("leads 310
// (target)", "(our goal)", "(projected)") is no value reached: passed over
// as an aside, 310 was recorded as the check-in's value. It is refused in
// a reply and a form alike, naming the note, and the values beside it
// still count. A note that compares with a target ("(on target)",
// "(above forecast)") is about a value reached and stays an aside; a KPI
// line's target may carry such a note, as it is a target.
func TestAValueNotedAsATargetIsNotRecorded(t *testing.T) {
	plan := []KPI{
		{Key: "visitors", Name: "Unique visitors", Unit: UnitCount},
		{Key: "leads", Name: "Leads", Unit: UnitCount},
	}
	leads, _ := KPIByKey(plan, "leads")
	for _, note := range []string{"(target)", "(our goal)", "(projected)", "(forecast for Q3)", "(expected)", "(budget)"} {
		in := "visitors 12.4k, leads 310 " + note
		checkReadingsIn(t, in, plan, []Reading{{KPI: "visitors", Value: Value{Amount: 12400, Unit: UnitCount}, Raw: "12.4k"}},
			[]string{`For leads, I didn't record "310 ` + note + `", as ` + `"` + note + `" says it is a target or a forecast, not a value reached; give the value reached so far, like 310.`})
		if _, err := ParseKPIValue("310 "+note, leads); err == nil || !strings.Contains(Explain(err).String(), "not a value reached") {
			t.Errorf("form: %q read (%v), want it refused as a target", "310 "+note, err)
		}
	}
	for _, note := range []string{"(vs target)", "(on target)", "(above forecast)", "(below goal)", "(est)"} {
		in := "leads 310 " + note
		checkReadingsIn(t, in, plan, []Reading{{KPI: "leads", Value: Value{Amount: 310, Unit: UnitCount}, Raw: "310"}}, nil)
		if v, err := ParseKPIValue("310 "+note, leads); err != nil || v.Amount != 310 {
			t.Errorf("form: %q gave %+v, %v; want 310", "310 "+note, v, err)
		}
	}
	if v, err := ParseValue("400 (goal)", UnitCount); err != nil || v.Amount != 400 {
		t.Errorf("a KPI line's target 400 (goal) gave %+v, %v; want 400", v, err)
	}
}

// Only a note that is the planned word itself, after at most a possessive
// or a period ("(our goal)", "(this week's target)") and before at most
// "for <period>", says the number is a target. A note that only mentions
// one ("(target audience only)", "(budget campaign)", "(target met)", "(as
// expected)") is about the value reached: refusing it made a team retype
// a real value.
func TestANoteThatOnlyMentionsATargetKeepsTheValue(t *testing.T) {
	plan := []KPI{{Key: "leads", Name: "Leads", Unit: UnitCount}}
	leads, _ := KPIByKey(plan, "leads")
	for _, note := range []string{
		"(budget campaign)", "(target audience only)", "(goal: awareness)", "(expected churn excluded)",
		"(from the target list)", "(planned outage week)", "(target accounts)",
		"(target met)", "(goal reached)", "(target exceeded)", "(as expected)", "(as planned)", "(at target)",
		"(beat the target)", "(missed our goal)", "(within budget)", "(in line with forecast)", "(not the target)",
	} {
		checkReadingsIn(t, "leads 310 "+note, plan, []Reading{{KPI: "leads", Value: Value{Amount: 310, Unit: UnitCount}, Raw: "310"}}, nil)
		if v, err := ParseKPIValue("310 "+note, leads); err != nil || v.Amount != 310 {
			t.Errorf("form: %q gave %+v, %v; want 310", "310 "+note, v, err)
		}
	}
	for _, note := range []string{"(the target)", "(this week's target)", "(our Q3 goal)", "(target for March)", "(Goal)", "(team target)", "(projected for next week)"} {
		checkReadingsIn(t, "leads 310 "+note, plan, nil,
			[]string{`For leads, I didn't record "310 ` + note + `", as ` + `"` + note + `" says it is a target or a forecast, not a value reached; give the value reached so far, like 310.`})
		if _, err := ParseKPIValue("310 "+note, leads); err == nil || !strings.Contains(Explain(err).String(), "not a value reached") {
			t.Errorf("form: %q read (%v), want it refused as a target", "310 "+note, err)
		}
	}
}
