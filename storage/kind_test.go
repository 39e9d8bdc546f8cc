package storage_test

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/racebot/racebot/flows"
	"github.com/racebot/racebot/internal/testdb"
)

// A plan's kind of business is stored with it: from its name at creation,
// from its first answer, and from `kind`, and it survives a reopened file.
func TestPlanKindIsStored(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	path := testdb.Path(t)
	cat := flows.RACE()
	db := MustOpen(t, path)

	shop := newPlan(t, db, "T1", "C1", "Webshop relaunch")
	p := newPlan(t, db, "T1", "C1", "Q1 Launch")
	p = step(t, db, cat, p, "Booking software for dental practices, sold per seat after a free trial.", t0)
	if p.Kind != flows.KindSaaS {
		t.Fatalf("kind after the first answer = %q", p.Kind)
	}
	out, err := flows.SetKind(cat, p, "agency")
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Commit(ctx, p, out.Changes, "k1"); err != nil {
		t.Fatal(err)
	}
	db.Close()

	again := MustOpen(t, path)
	for id, want := range map[flows.PlanID]flows.Kind{shop.ID: flows.KindEcommerce, p.ID: flows.KindAgency} {
		got, err := again.Plan(ctx, "T1", id)
		if err != nil {
			t.Fatal(err)
		}
		if got.Kind != want {
			t.Errorf("plan %d kind = %q, want %q", id, got.Kind, want)
		}
	}
}

// Periods and directions read from a KPI line are stored with the KPI.
func TestKPIPeriodsAndDirectionsRoundTrip(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := MustOpen(t, "")
	plan := kpiTestPlan(t, db, "T1", "Periods")
	want := kpiTestTargets(t, db, "T1", plan, map[flows.StageID][]string{
		flows.StageReach:   {"visitors | baseline 8k | target 20k | by 2027-03-31 | owner Priya"},
		flows.StageAct:     {"leads | target 150 a week | by 2027-03-31 | owner Priya"},
		flows.StageConvert: {"revenue | target $27,000 | over the plan | by 2027-03-31 | owner Ben"},
		flows.StageEngage:  {"custom: first-90-day churn (percent) | baseline 9% | target 5% | by 2027-03-31 | owner Ana"},
	})
	got, err := db.KPIs(ctx, "T1", plan)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("KPIs (-saved +loaded):\n%s", diff)
	}
	periods := map[string]flows.Period{}
	for _, k := range got {
		periods[k.Key] = k.Per()
	}
	wantPeriods := map[string]flows.Period{"visitors": flows.PeriodMonth, "leads": flows.PeriodWeek, "revenue": flows.PeriodPlan, "first-90-day-churn": flows.PeriodNone}
	if diff := cmp.Diff(wantPeriods, periods); diff != "" {
		t.Errorf("periods (-want +got):\n%s", diff)
	}
	if k, _ := flows.KPIByKey(got, "first-90-day-churn"); k.HigherIsBetter {
		t.Error("churn from 9% to 5% loaded as higher is better")
	}
}
