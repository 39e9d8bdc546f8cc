package flows_test

import (
	"strings"
	"testing"
	"time"

	"github.com/racebot/racebot/flows"
)

// TestYearlyTargets: a target counted over a year, written the ways people
// write it, is read with its period (not taken for a number it can't read,
// nor for an owner called "yearly"), and compared per month in the
// funnel picture and the export: 240k visitors a year is 20k a month.
func TestYearlyTargets(t *testing.T) {
	now := time.Date(2027, 1, 4, 9, 0, 0, 0, time.UTC)
	for _, line := range []string{
		"visitors | baseline 96k per year | target 240k per year | by 2027-12-31 | owner Ana",
		"visitors | baseline 96k | target 240k a year | by 2027-12-31 | owner Ana",
		"visitors | baseline 96k annually | target 240k | by 2027-12-31 | owner Ana",
		"visitors | baseline 96k | target 240k | yearly | by 2027-12-31 | owner Ana",
		"visitors | baseline 96k | target 240k/year | by 2027-12-31 | owner Ana",
		// A note after a value is passed over as an aside, as in a
		// check-in reply, but not the period it says.
		"visitors | baseline 96k | target 240k (a year) | by 2027-12-31 | owner Ana",
		"visitors | baseline 96k (est) | target 240k (est, yearly) | by 2027-12-31 | owner Ana",
	} {
		k, err := flows.ParseKPILine(flows.RACE(), flows.StageReach, line, now)
		if err != nil {
			t.Errorf("%s: %s", line, flows.Explain(err))
			continue
		}
		if k.Per() != flows.PeriodYear || k.Owner != "Ana" || k.Target.Amount != 240000 {
			t.Errorf("%s: read per %q, owner %q, target %v", line, k.Per(), k.Owner, k.Target.Amount)
		}
		kpis := []flows.KPI{k}
		if c := flows.FunnelCounts(kpis, nil); len(c) == 0 || c[0].Target != 20000 {
			t.Errorf("%s: the funnel counts visitors as %+v, want 20k a month", line, c)
		}
		if c := flows.FunnelCaption(kpis); !strings.Contains(c, "per month") {
			t.Errorf("%s: the funnel's caption %q does not say it counts per month", line, c)
		}
	}
}

// TestTargetsSayTheirPeriod: wherever a target is shown as the number a
// team compares against, it says what it is counted over, as "KPI set"
// does: $60,000 a year is not $60,000 by the deadline.
func TestTargetsSayTheirPeriod(t *testing.T) {
	now := time.Date(2027, 1, 4, 9, 0, 0, 0, time.UTC)
	p := flows.NewPlan("T1", "C1", "Q1 Launch", "UANA", now.AddDate(0, 0, -30))
	for _, line := range []struct {
		stage flows.StageID
		text  string
	}{
		{flows.StageConvert, "revenue | baseline $40,000 | target $60,000 a year | by 2027-12-31 | owner Ana"},
		{flows.StageReach, "visitors | baseline 2k | target 5k per week | by 2027-12-31 | owner Ana"},
	} {
		k, err := flows.ParseKPILine(flows.RACE(), line.stage, line.text, now)
		if err != nil {
			t.Fatalf("%s: %s", line.text, flows.Explain(err))
		}
		k.ID = int64(len(p.KPIs) + 1)
		p.KPIs = append(p.KPIs, k)
	}
	ms := map[int64][]flows.Measurement{
		1: {{KPI: 1, Value: flows.Value{Amount: 45000, Unit: flows.UnitCurrency}, At: now, Checkin: 1}},
		2: {{KPI: 2, Value: flows.Value{Amount: 3000, Unit: flows.UnitCount}, At: now, Checkin: 1}},
	}
	texts := map[string]string{
		"status":           flows.StatusText(flows.RACE(), p, ms, now).String(),
		"export":           flows.ExportMarkdown(flows.RACE(), p, ms, time.UTC, now, flows.People{}),
		"KPI table":        flows.KPIMarkdown(p.KPIs, ms, time.UTC, now, flows.People{}),
		"check-in summary": flows.SummarizeCheckin(p.KPIs, ms, 1, now).Text("Q1 Launch").String(),
		"check-in opening": flows.OpeningText("Q1 Launch", p.KPIs, ms, false, 0).String(),
		"retro":            flows.BuildRetro(p, ms).Text("Q1 Launch").String(),
	}
	for name, text := range texts {
		for _, want := range []string{"$60,000 a year", "5,000 a week"} {
			if !strings.Contains(text, want) {
				t.Errorf("%s does not say %q:\n%s", name, want, text)
			}
		}
	}
}
