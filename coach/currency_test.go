package coach_test

import (
	"context"
	"strings"
	"testing"

	"github.com/racebot/racebot/flows"
)

// TestMoneyValuesKeepTheKPIsCurrency: revenue is kept in dollars, the
// average order without a currency. No exchange rate is known, so a value
// in another currency is refused with one sentence and changes nothing,
// whichever way round; a plain number for revenue is dollars, and stays
// dollars when the team later moves the target to euros.
func TestMoneyValuesKeepTheKPIsCurrency(t *testing.T) {
	ctx := context.Background()
	svc, db := newService(t, nil)
	p := startPlan(t, svc, db)
	for i, line := range []string{
		"revenue | baseline $12k | target $18k a month | by 2027-03-31 | owner <@U1>",
		"aov | baseline 40 | target 50 | by 2027-03-31 | owner <@U1>",
	} {
		if _, err := svc.SetKPI(ctx, req("kpi-"+string(rune('a'+i)), ""), flows.StageConvert, line); err != nil {
			t.Fatal(err)
		}
	}
	values := func(key, text string) error {
		r := req(key, "")
		r.Plan = p.ID
		_, err := svc.Values(ctx, r, text)
		return err
	}
	count := func() int {
		ms, err := db.Measurements(ctx, "T1", p.ID)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, list := range ms {
			n += len(list)
		}
		return n
	}
	for _, text := range []string{"revenue €15k", "average order value $45"} {
		err := values("refused "+text, text)
		if err == nil {
			t.Errorf("%q was recorded against a KPI in another currency", text)
			continue
		}
		if msg := flows.Explain(err).String(); !strings.Contains(msg, "currenc") {
			t.Errorf("%q refused with %q, which does not say the currency is the matter", text, msg)
		}
	}
	if n := count(); n != 0 {
		t.Fatalf("%d values recorded by refused lines", n)
	}

	if err := values("plain", "revenue 15k"); err != nil {
		t.Fatal(flows.Explain(err))
	}
	if _, err := svc.SetKPI(ctx, req("kpi-eur", ""), flows.StageConvert, "revenue | baseline €12k | target €17k a month | by 2027-03-31 | owner <@U1>"); err != nil {
		t.Fatal(err)
	}
	r := req("status", "status")
	r.Command = true
	resp, err := svc.Handle(ctx, r)
	if err != nil {
		t.Fatal(err)
	}
	if status := resp.Replies[0].Msg.String(); strings.Contains(status, "€15,000") {
		t.Errorf("the 15k given while revenue was kept in dollars now reads as euros:\n%s", status)
	}
}
