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
