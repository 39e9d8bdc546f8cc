package flows_test

import (
	"strings"
	"testing"
	"time"

	"github.com/racebot/racebot/flows"
)

// TestCheckinExampleIsInTheKPIsCurrency: revenue moved from dollars to
// euros; its last value is in dollars. The check-in's example reply must
// be one the coach takes, in euros, not the dollar value it would refuse.
func TestCheckinExampleIsInTheKPIsCurrency(t *testing.T) {
	at := time.Date(2027, 1, 4, 9, 0, 0, 0, time.UTC)
	rev := flows.KPI{ID: 1, Key: "revenue", Name: "Revenue", Unit: flows.UnitCurrency, Currency: "EUR", HigherIsBetter: true,
		Baseline: flows.Value{Unit: flows.UnitCurrency, Missing: true},
		Target:   flows.Value{Amount: 17000, Unit: flows.UnitCurrency, Currency: "EUR"}, Deadline: at.AddDate(0, 3, 0)}
	ms := map[int64][]flows.Measurement{1: {{KPI: 1, Value: flows.Value{Amount: 15000, Unit: flows.UnitCurrency, Currency: "USD"}, At: at}}}
	text := flows.OpeningText("Q1", []flows.KPI{rev}, ms, false, 0).String()
	_, example, ok := strings.Cut(text, "e.g. `")
	if !ok {
		t.Fatalf("no example in %q", text)
	}
	example, _, _ = strings.Cut(example, "`")
	readings, errs := flows.ParseReadingsIn(example, []flows.KPI{rev})
	if len(errs) > 0 || len(readings) != 1 {
		t.Fatalf("the example %q does not read: %v", example, errs)
	}
	if _, err := flows.CheckReading(rev, readings[0].Value); err != nil {
		t.Errorf("the example %q is refused: %s", example, flows.Explain(err))
	}
}
