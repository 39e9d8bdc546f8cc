package flows_test

import (
	"strings"
	"testing"
	"time"

	"github.com/racebot/racebot/flows"
)

// TestCheckinExampleIsInTheKPIsCurrency: the check-in's example reply
// must be one the coach takes. Revenue moved from dollars to euros, its
// last value in dollars; revenue kept without a currency still has a
// dollar value from before such values were refused; revenue carried over
// into a new plan has neither a value nor a target yet.
func TestCheckinExampleIsInTheKPIsCurrency(t *testing.T) {
	at := time.Date(2027, 1, 4, 9, 0, 0, 0, time.UTC)
	revenue := func(currency string, target float64) flows.KPI {
		return flows.KPI{ID: 1, Key: "revenue", Name: "Revenue", Unit: flows.UnitCurrency, Currency: currency, HigherIsBetter: true,
			Baseline: flows.Value{Unit: flows.UnitCurrency, Missing: true},
			Target:   flows.Value{Amount: target, Unit: flows.UnitCurrency, Currency: currency, Missing: target == 0}, Deadline: at.AddDate(0, 3, 0)}
	}
	dollars := map[int64][]flows.Measurement{1: {{KPI: 1, Value: flows.Value{Amount: 15000, Unit: flows.UnitCurrency, Currency: "USD"}, At: at}}}
	for name, tt := range map[string]struct {
		k  flows.KPI
		ms map[int64][]flows.Measurement
	}{
		"moved to euros":         {revenue("EUR", 17000), dollars},
		"without a currency":     {revenue("", 17000), dollars},
		"in euros, no target":    {revenue("EUR", 0), nil},
		"no currency, no target": {revenue("", 0), nil},
	} {
		text := flows.OpeningText("Q1", []flows.KPI{tt.k}, tt.ms, false, 0).String()
		_, example, ok := strings.Cut(text, "e.g. `")
		if !ok {
			t.Fatalf("%s: no example in %q", name, text)
		}
		example, _, _ = strings.Cut(example, "`")
		readings, errs := flows.ParseReadingsIn(example, []flows.KPI{tt.k})
		if len(errs) > 0 || len(readings) != 1 {
			t.Fatalf("%s: the example %q does not read: %v", name, example, errs)
		}
		if _, err := flows.CheckReading(tt.k, readings[0].Value); err != nil {
			t.Errorf("%s: the example %q is refused: %s", name, example, flows.Explain(err))
		}
	}
}

// TestUnreadableMoneyExampleIsInTheKPIsCurrency: "revenue 12k5" for a
// revenue KPI kept in euros is refused with an example in euros, one the
// coach would take; one without a currency gets one without a symbol, as
// its form field shows; dollars stay dollars.
func TestUnreadableMoneyExampleIsInTheKPIsCurrency(t *testing.T) {
	for currency, want := range map[string]string{"EUR": "€18,250", "GBP": "£18,250", "": "like 18,250.", "USD": "$18,250"} {
		k := flows.KPI{ID: 1, Key: "revenue", Name: "Revenue", Unit: flows.UnitCurrency, Currency: currency}
		for _, reply := range []string{"revenue 12k5", "revenue 12%", "revenue 5 mins"} {
			_, errs := flows.ParseReadingsIn(reply, []flows.KPI{k})
			if len(errs) != 1 {
				t.Fatalf("%q for revenue in %q: errors %v, want one", reply, currency, errs)
			}
			msg := flows.Explain(errs[0]).String()
			if !strings.Contains(msg, want) || currency != "USD" && strings.Contains(msg, "$") {
				t.Errorf("%q for revenue in %q is refused with %q, want its example %s", reply, currency, msg, want)
			}
		}
	}
}
