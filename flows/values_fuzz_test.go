package flows

import (
	"errors"
	"testing"
)

var fuzzUnits = []UnitKind{UnitCount, UnitCurrency, UnitPercent, UnitDuration, UnitRatio}

// FuzzParseValue checks that ParseValue never panics, that every error is a
// friendly ErrBadValue, and that every value it accepts survives a trip
// through FormatValue.
func FuzzParseValue(f *testing.F) {
	seeds := []string{
		"12.4k", "1.2M", "3bn", "$18,250", "€900", "£1.5k", "18 250", "18.250,50", "1,25",
		"12.400", "3.5%", "0.8", "2m 30s", "150s", "1h 5m", "2:30", "1:02:30", "n/a", "-",
		"-$1,200", "1,250,000", "1.250.000", "0,5", "90", "USD 18,250", "900€", "1e3", "",
	}
	for _, s := range seeds {
		for i := range fuzzUnits {
			f.Add(s, uint8(i))
		}
	}
	f.Fuzz(func(t *testing.T, s string, unit uint8) {
		want := fuzzUnits[int(unit)%len(fuzzUnits)]
		v, err := ParseValue(s, want)
		if err != nil {
			checkFriendly(t, err)
			return
		}
		if v.Unit != want {
			t.Fatalf("ParseValue(%q, %s) unit = %s", s, want, v.Unit)
		}
		checkRoundTrip(t, v)
	})
}

// FuzzParseReadings checks that ParseReadings never panics, that its errors
// are friendly, and that each reading is exactly what ParseValue makes of its
// raw text.
func FuzzParseReadings(f *testing.F) {
	for _, s := range []string{
		"visitors 12.4k, leads 310, revenue $18,250",
		"revenue $18,250, leads 310",
		"visitors: 12.4k\nleads=310",
		"12.4k visitors; 310 leads",
		"time on site 2:30, bounce rate 41%, aov €45.50",
		"- visitors 12k\n1. leads 1,25\n<@U1> thanks!",
		"2026 visitors 12k",
		"pages per visit: 2.3 leads n/a",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		units := map[string]UnitKind{}
		readings, errs := ParseReadings(s, func(token string) (string, UnitKind, bool) {
			id, unit, ok := testNames(token)
			units[id] = unit
			return id, unit, ok
		})
		for _, err := range errs {
			checkFriendly(t, err)
		}
		seen := map[string]bool{}
		for _, r := range readings {
			unit, ok := units[r.KPI]
			if !ok || seen[r.KPI] {
				t.Fatalf("ParseReadings(%q) gave unknown or repeated KPI %q", s, r.KPI)
			}
			seen[r.KPI] = true
			v, err := ParseValue(r.Raw, unit)
			if err != nil || v != r.Value {
				t.Fatalf("ParseReadings(%q) reading %+v, but ParseValue(%q) = %+v, %v", s, r, r.Raw, v, err)
			}
			checkRoundTrip(t, r.Value)
		}
	})
}

func checkFriendly(tb testing.TB, err error) {
	tb.Helper()
	if !errors.Is(err, ErrBadValue) {
		tb.Fatalf("error %v is not ErrBadValue", err)
	}
	if msg := Explain(err); len(msg) == 0 || err.Error() == "" {
		tb.Fatalf("error %#v has no message", err)
	}
}

// FuzzParseReadingsIn checks ParseReadingsIn for a plan's KPIs as
// FuzzParseReadings does ParseReadings, and that each reading is what a
// form's field makes of its raw text (ParseKPIValue): the same words read
// the same in a reply and in a form. The seeds hold brackets, currencies
// and KPI names, where the two were read apart.
func FuzzParseReadingsIn(f *testing.F) {
	plan := []KPI{
		{Key: "visitors", Name: "Unique visitors", Unit: UnitCount},
		{Key: "leads", Name: "Leads", Unit: UnitCount},
		{Key: "new-customers", Name: "New customers", Unit: UnitCount},
		{Key: "euro-sales", Name: "Euro sales", Unit: UnitCount},
		{Key: "revenue", Name: "Revenue", Unit: UnitCurrency, Currency: "EUR"},
		{Key: "aov", Name: "Average order value", Unit: UnitCurrency, Currency: "USD"},
		{Key: "cpl", Name: "Cost per lead", Unit: UnitCurrency},
		{Key: "conversion-rate", Name: "Conversion rate", Unit: UnitPercent},
		{Key: "time-on-site", Name: "Time on site", Unit: UnitDuration},
		{Key: "pages-per-visit", Name: "Pages per visit", Unit: UnitRatio},
	}
	for _, s := range []string{
		"visitors 12.4k, leads 310, revenue €18,250",
		"revenue €18k (incl. dollar-store sales)",
		"revenue 18k euros (incl. dollar-store sales), leads 310",
		"revenue $18k (EUR-denominated)",
		"revenue $18k (incl. euro-zone sales)",
		"revenue €18k (w/o USD), aov $45 (other than EUR)",
		"revenue 18k (outside USD); revenue 18k (non USD)",
		"revenue 18k (not USD)",
		"revenue 18k (USD, est)",
		"revenue $18k (meant EUR)",
		"leads 310 (est, revenue $18k",
		"leads 310 (euro campaign, est",
		"visitors 12.4k (leads 310, revenue €18k)",
		"visitors 12.4k (new customers 30)",
		"visitors 12.4k (new 3k)",
		"leads 5 Euro sales 6100",
		"conversion rate 3.2% (est, US$ site)",
		"time on site 2m 30s (euro site)",
		"pages per visit 2.3 (from GA)",
		"cost per lead ~€45 (est)",
		"revenue 18k (USD excluded), leads 310 (USD)",
		"aov $45 (USD-based) (est)",
		"revenue (est) 18k",
		"revenue 18k ((EUR))",
		"revenue €18k (est) leads 310 (est)",
		"visitors 12.4k (leads 310, revenue 18k, rough)",
		"visitors 12.4k (leads 310) (new 3k, est)",
		"leads 310 (per HubSpot), revenue €18k (per lead)",
		"visitors 12.4k (leads 310, est",
		"visitors 12.4k (leads 310, USD)",
		"visitors 12.4k (leads 310, USD",
		"visitors=12.4k (leads 310, revenue 18k, est, USD)",
		"visitors 12.4k (revenue 18k, leads 310, USD)",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		readings, errs := ParseReadingsIn(s, plan)
		for _, err := range errs {
			checkFriendly(t, err)
		}
		seen := map[string]bool{}
		for _, r := range readings {
			k, ok := KPIByKey(plan, r.KPI)
			if !ok || seen[r.KPI] {
				t.Fatalf("ParseReadingsIn(%q) gave unknown or repeated KPI %q", s, r.KPI)
			}
			seen[r.KPI] = true
			v, err := ParseKPIValue(r.Raw, k)
			if err != nil || v != r.Value {
				t.Fatalf("ParseReadingsIn(%q) reading %+v, but ParseKPIValue(%q) = %+v, %v", s, r, r.Raw, v, err)
			}
			checkRoundTrip(t, r.Value)
		}
	})
}
