package flows

import (
	"errors"
	"strings"
	"testing"
	"time"
)

// TestALineForAKPISetSaysWhatItChanges: a line for a KPI the plan has
// keeps what it leaves out, but not what it says: "baseline none" clears
// the baseline, and a baseline counted over another period than the new
// target's is not kept, since 21.5k visitors a month is no baseline for
// 8k a week.
func TestALineForAKPISetSaysWhatItChanges(t *testing.T) {
	cat, p, now := carriedOver(t)
	k, _ := KPIByKey(p.KPIs, "visitors")
	if !k.HasBaseline() || k.Per() != PeriodMonth {
		t.Fatalf("setup: carried visitors = %+v, want a baseline a month", k)
	}

	out, err := SetKPI(cat, p, StageReach, "visitors | baseline none | target 30k | by 2027-06-30", "UBEN", now, nil)
	if err != nil {
		t.Fatalf("clearing the baseline: %v", err)
	}
	if k, _ := KPIByKey(out.Plan.KPIs, "visitors"); k.HasBaseline() || k.Owner != "Ana" {
		t.Errorf("after baseline none: baseline %+v, owner %q; want none, and Ana kept", k.Baseline, k.Owner)
	}

	out, err = SetKPI(cat, p, StageReach, "visitors | target 8k per week | by 2027-06-30", "UBEN", now, nil)
	if err != nil {
		t.Fatalf("a weekly target for a KPI counted a month: %v", err)
	}
	k, _ = KPIByKey(out.Plan.KPIs, "visitors")
	if k.HasBaseline() || k.Per() != PeriodWeek || k.Target.Amount != 8000 {
		t.Errorf("after a weekly target: baseline %+v, per %q, target %+v; want no baseline, a week, 8k", k.Baseline, k.Per(), k.Target)
	}
	said := ""
	for _, r := range out.Replies {
		said += r.Msg.String()
	}
	if !strings.Contains(said, "Without a baseline") {
		t.Errorf("the coach said %q; want it to ask for a baseline counted the new way", said)
	}
}

// TestANewTargetKeepsTheDirectionWritten: a team's own KPI written as
// higher is better stays so when a new line gives it only a target; a
// target below the baseline it keeps is refused as for any such KPI,
// rather than turning the KPI into one where less is the goal.
func TestANewTargetKeepsTheDirectionWritten(t *testing.T) {
	cat, p, now := carriedOver(t)
	out, err := SetKPI(cat, p, StageReach, "custom: demo calls (count, higher is better) | baseline 40 | target 50 | by 2027-06-30 | owner Ana", "UBEN", now, nil)
	if err != nil {
		t.Fatal(err)
	}
	got, err := SetKPI(cat, out.Plan, StageReach, "custom: demo calls (count) | target 35 | by 2027-06-30", "UBEN", now, nil)
	if err == nil {
		k, _ := KPIByKey(got.Plan.KPIs, "demo-calls")
		t.Fatalf("a target below the kept baseline was saved: higher is better = %v, replies %v", k.HigherIsBetter, got.Replies[0].Msg.String())
	}
	got, err = SetKPI(cat, out.Plan, StageReach, "custom: demo calls (count) | target 60 | by 2027-06-30", "UBEN", now, nil)
	if err != nil {
		t.Fatal(err)
	}
	if k, _ := KPIByKey(got.Plan.KPIs, "demo-calls"); !k.HigherIsBetter || k.Baseline.Amount != 40 {
		t.Errorf("demo calls = %+v; want higher is better from 40", k)
	}
}

// TestOwnerNoneIsNoOwner: "baseline none" clears a baseline, so a team
// may well write "owner none" too. A KPI needs someone to report it at
// check-ins, so the line is refused in one sentence, and the KPI keeps
// Ana, rather than being reported by someone called "none".
func TestOwnerNoneIsNoOwner(t *testing.T) {
	cat, p, now := carriedOver(t)
	for _, owner := range []string{"none", "None", "nobody", "no one"} {
		out, err := SetKPI(cat, p, StageReach, "visitors | target 30k | by 2027-06-30 | owner "+owner, "UBEN", now, nil)
		if err == nil {
			k, _ := KPIByKey(out.Plan.KPIs, "visitors")
			t.Errorf("owner %s: saved with owner %q; want it refused", owner, k.Owner)
			continue
		}
		fe, ok := errors.AsType[FieldErrors](err)
		if msg := fe["owner"].String(); !ok || len(fe) != 1 || strings.Count(msg, ". ") > 0 || !strings.Contains(msg, "owner Ana") {
			t.Errorf("owner %s: told %q; want one sentence naming an owner", owner, msg)
		}
	}
}

// carriedOver is the RACE catalogue, plan Q2 carried over by Ben on
// 1 April 2027 from retroPlan's quarter, and that time.
func carriedOver(t *testing.T) (*Catalogue, *Plan, time.Time) {
	t.Helper()
	old, ms := retroPlan(t)
	now := time.Date(2027, 4, 1, 9, 0, 0, 0, time.UTC)
	return RACE(), CarryOver(old, ms, "Q2 Plan", "UBEN", now), now
}
