package coach_test

import (
	"context"
	"strings"
	"testing"

	"github.com/racebot/racebot/flows"
)

// A value given under a short name that fits two of the plan's KPIs
// ("conversion" for lead conversion rate and product page conversion) is
// refused with the KPIs it could be and changes nothing; the reply must not
// say the plan doesn't track it.
func TestValuesAmbiguousKPIName(t *testing.T) {
	ctx := context.Background()
	svc, db := newService(t, nil)
	p := startPlan(t, svc, db)
	for i, line := range []string{
		"lead conversion rate | baseline 2% | target 3% | by 2027-03-31 | owner <@U1>",
		"product page conversion | baseline 1% | target 2% | by 2027-03-31 | owner <@U1>",
	} {
		if _, err := svc.SetKPI(ctx, req("kpi-"+string(rune('a'+i)), ""), flows.StageAct, line); err != nil {
			t.Fatal(err)
		}
	}
	r := req("v1", "")
	r.Plan = p.ID
	_, err := svc.Values(ctx, r, "conversion 4%")
	if err == nil {
		t.Fatal("Values recorded \"conversion 4%\", which could be either conversion KPI")
	}
	msg := flows.Explain(err).String()
	if strings.Contains(msg, "don't track") || !strings.Contains(msg, "Lead conversion rate or Product page conversion") {
		t.Errorf("Values said %q, want it to name the two KPIs \"conversion\" could be", msg)
	}
	ms, err := db.Measurements(ctx, "T1", p.ID)
	if err != nil {
		t.Fatal(err)
	}
	for id, list := range ms {
		if len(list) > 0 {
			t.Errorf("KPI %d has values %+v after a refused line", id, list)
		}
	}
}
