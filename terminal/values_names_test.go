package terminal_test

import (
	"context"
	"strings"
	"testing"

	"github.com/racebot/racebot/storage"
	"github.com/racebot/racebot/terminal"
)

// TestTerminalValuesByTheNameOfAnotherKPI: in a plan that tracks the lead
// conversion rate but not leads, "leads 30" is not recorded as a 30% rate;
// and a reply's trailing unit word or note in parentheses does not sink
// the value before it.
func TestTerminalValuesByTheNameOfAnotherKPI(t *testing.T) {
	out, db := session(t, fernhillTrackingLeadRate(
		"values leads 30",
		"values visitors 12.4k visitors",
		"values lead rate 1.9% (est)",
	))
	got := recordedValues(t, db, "Fernhill")
	if len(got["lead-rate"]) != 1 || got["lead-rate"][0] != 1.9 {
		t.Errorf("lead rate values = %v, want only 1.9 (leads 30 is not a lead rate)", got["lead-rate"])
	}
	if len(got["visitors"]) != 1 || got["visitors"][0] != 12400 {
		t.Errorf("visitors values = %v, want 12400", got["visitors"])
	}
	if !strings.Contains(out, `I don't track "leads"`) {
		t.Errorf("output does not say leads are not tracked")
	}
	if t.Failed() {
		t.Logf("the session:\n%s", out)
	}
}

// TestTerminalValuesOfACountOrInAnotherCurrency: "repeat purchases 40"
// is not the repeat purchase rate, "revenue 18k (USD)" is not €18,000,
// and "lead rate 0.019" is not 0.019%: each is refused in one sentence
// and nothing is recorded, while the rate written as one still is.
func TestTerminalValuesOfACountOrInAnotherCurrency(t *testing.T) {
	out, db := session(t, fernhillTrackingLeadRate(
		"kpi convert",
		"revenue | baseline €5,000 | target €9,000 | by 2027-03-31 | owner Ana",
		"kpi engage",
		"repeat purchase rate | baseline 20% | target 30% | by 2027-03-31 | owner Ana",
		"values repeat purchases 40",
		"values revenue 18k (USD)",
		"values lead rate 0.019",
		"values repeat purchases 25%",
	))
	got := recordedValues(t, db, "Fernhill")
	if len(got["repeat-rate"]) != 1 || got["repeat-rate"][0] != 25 {
		t.Errorf("repeat purchase rate values = %v, want only 25 (repeat purchases 40 is a count)", got["repeat-rate"])
	}
	if len(got["revenue"]) != 0 || len(got["lead-rate"]) != 0 {
		t.Errorf("revenue %v, lead rate %v; want neither recorded", got["revenue"], got["lead-rate"])
	}
	for _, want := range []string{
		`I don't track "repeat purchases"`,
		"Revenue is kept in €, but $18,000 is in $",
		`"0.019" is ambiguous: did you mean 1.9% or 0.019%?`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output does not say %s", want)
		}
	}
	if t.Failed() {
		t.Logf("the session:\n%s", out)
	}
}

// recordedValues gives the amounts stored for each KPI of the plan, by KPI
// key: what the session recorded, whatever it printed.
func recordedValues(t *testing.T, db *storage.DB, plan string) map[string][]float64 {
	t.Helper()
	ctx := context.Background()
	p, err := db.PlanByName(ctx, terminal.Team, terminal.Channel, plan)
	if err != nil {
		t.Fatal(err)
	}
	ms, err := db.Measurements(ctx, terminal.Team, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string][]float64{}
	for _, k := range p.KPIs {
		for _, m := range ms[k.ID] {
			got[k.Key] = append(got[k.Key], m.Value.Amount)
		}
	}
	return got
}

// fernhillTrackingLeadRate is a session's lines up to plan Fernhill
// tracking visitors and the lead rate (but not leads), then more: the
// plan the values tests give values to.
func fernhillTrackingLeadRate(more ...string) []string {
	return append([]string{
		"new Fernhill",
		"We roast speciality coffee and sell subscriptions online and at a market stall.",
		"done",
		"done",
		"done",
		"done",
		"visitors | baseline 8k | target 20k | by 2027-03-31 | owner Ana",
		"kpi act",
		"lead rate | baseline 1.5% | target 2.5% | by 2027-03-31 | owner Ana",
	}, more...)
}
