package flows

import (
	"strings"
	"testing"
	"time"
)

// TestCarryOverKeepsTheKindOfBusiness: a plan started from last quarter's
// keeps its kind of business, so its examples and KPI suggestions still
// fit the team (a "Q2" name says nothing of the business).
func TestCarryOverKeepsTheKindOfBusiness(t *testing.T) {
	cat := RACE()
	old, ms := retroPlan(t)
	old.Kind = KindSaaS
	old.Answers[QuestionBusiness] = Answer{QuestionID: QuestionBusiness, Text: "We sell scheduling software to clinics.", By: "UANA"}
	now := time.Date(2027, 4, 1, 9, 0, 0, 0, time.UTC)
	p := CarryOver(old, ms, "Q2 Plan", "UBEN", now)
	if p.Kind != KindSaaS {
		t.Errorf("carried plan's kind = %q, want %q", p.Kind, KindSaaS)
	}
	// Keeping last quarter's answer about the business teaches nothing
	// either, so the kind must come over with the plan.
	step, err := Step(cat, p, Input{Text: "keep", User: "UPRIYA", Now: now})
	if err != nil {
		t.Fatal(err)
	}
	if step.Plan.Kind != KindSaaS {
		t.Errorf("after keep, kind = %q, want %q", step.Plan.Kind, KindSaaS)
	}
}

// TestCarryOverOffersEveryonesAnswer: when two people answered a question
// last quarter (an answer and a co-answer), the next plan offers both
// people's words, not only the first one's.
func TestCarryOverOffersEveryonesAnswer(t *testing.T) {
	old, ms := retroPlan(t)
	old.Answers[QuestionBusiness] = Answer{QuestionID: QuestionBusiness, Text: "We roast coffee.", By: "UANA", Revision: 1, Last: 2,
		Also: []Contribution{{Text: "And we run two cafés in town.", By: "UBEN", Revision: 2}}}
	p := CarryOver(old, ms, "Q2 Plan", "UBEN", time.Date(2027, 4, 1, 9, 0, 0, 0, time.UTC))
	got := p.Prior[QuestionBusiness].Text
	for _, w := range []string{"We roast coffee.", "And we run two cafés in town."} {
		if !strings.Contains(got, w) {
			t.Errorf("offered answer %q lacks %q", got, w)
		}
	}
}

// TestQuickWinsLeaveClosedActions: once someone marks a quick win done or
// drops it, the review no longer tells the team to do it first.
func TestQuickWinsLeaveClosedActions(t *testing.T) {
	cat := RACE()
	now := date(2026, 11, 1)
	p := actionPlan()
	p.Actions = append(p.Actions,
		Action{ID: 14, Stage: StageAct, Text: "Grind-size quiz", Owner: "Priya", Due: date(2026, 12, 10), Impact: 5, Effort: 1},
		Action{ID: 15, Stage: StageEngage, Text: "Review requests", Owner: "Ana", Due: date(2026, 12, 10), Impact: 4, Effort: 1},
	)
	p.Actions[1].Status = ActionDone    // Cart recovery emails (5/2)
	p.Actions[3].Status = ActionDropped // Grind-size quiz (5/1)
	r := ReviewPlan(cat, p, p.KPIs, now)
	var got []string
	for _, a := range r.QuickWins {
		got = append(got, a.Text)
	}
	if strings.Join(got, ",") != "Review requests" {
		t.Errorf("quick wins = %q, want only the open one, Review requests", got)
	}
}

// TestExportTopActionsLeaveClosedActions: the export's "Top actions,
// quick wins first" lists what is still to do, not what the team has done
// or dropped.
func TestExportTopActionsLeaveClosedActions(t *testing.T) {
	now := date(2026, 11, 1)
	p := actionPlan()
	p.Actions[1].Status = ActionDropped // Cart recovery emails, the top quick win
	doc := Export{Catalogue: RACE(), Plan: p, Location: time.UTC, Now: now}.Markdown()
	i := strings.Index(doc, "**Top actions**")
	if i < 0 {
		t.Fatalf("no top actions:\n%s", doc)
	}
	top, _, _ := strings.Cut(doc[i:], "\n\n**")
	top, _, _ = strings.Cut(top, "\n## ")
	if strings.Contains(top, "Cart recovery emails") {
		t.Errorf("top actions list a dropped action:\n%s", top)
	}
}

// TestCarryOverNameSaysTheKind: a new plan whose own name says what the
// business is ("Webshop relaunch") takes that kind, as a plan started
// without --from does, not the old plan's.
func TestCarryOverNameSaysTheKind(t *testing.T) {
	old, ms := retroPlan(t)
	old.Kind = KindSaaS
	p := CarryOver(old, ms, "Webshop relaunch", "UBEN", time.Date(2027, 4, 1, 9, 0, 0, 0, time.UTC))
	if want := NewPlan("T1", "C1", "Webshop relaunch", "UBEN", time.Time{}).Kind; want == "" || p.Kind != want {
		t.Errorf("carried plan %q has kind %q, want %q as its name says", p.Name, p.Kind, want)
	}
}

// TestCarryOverCoAnswerSameAsAnswer: a co-answer whose words are the
// answer's own (someone edited it to match, or the answer was reworked to
// hold it) is offered once, not twice in a row.
func TestCarryOverCoAnswerSameAsAnswer(t *testing.T) {
	old, ms := retroPlan(t)
	old.Answers[QuestionBusiness] = Answer{QuestionID: QuestionBusiness, Text: "We roast coffee.", By: "UANA", Revision: 3, Last: 3,
		Also: []Contribution{{Text: "We roast coffee.", By: "UBEN", Revision: 2}}}
	p := CarryOver(old, ms, "Q2 Plan", "UBEN", time.Date(2027, 4, 1, 9, 0, 0, 0, time.UTC))
	if got := p.Prior[QuestionBusiness].Text; strings.Count(got, "We roast coffee.") != 1 {
		t.Errorf("offered answer = %q, want the words once", got)
	}
}

// TestCarriedKPIKeepsItsBaselineAndOwner: the plan started from last
// quarter's says to give each carried KPI "a new target and deadline";
// a line with just those keeps the baseline it came with (last quarter's
// last value) and its owner, rather than dropping the baseline and
// refusing the line for want of an owner.
func TestCarriedKPIKeepsItsBaselineAndOwner(t *testing.T) {
	cat := RACE()
	old, ms := retroPlan(t)
	now := time.Date(2027, 4, 1, 9, 0, 0, 0, time.UTC)
	p := CarryOver(old, ms, "Q2 Plan", "UBEN", now)
	if !strings.Contains(CarriedText(p, old).String(), "new target and deadline") {
		t.Fatalf("carried text no longer asks for a target and deadline: %s", CarriedText(p, old))
	}
	out, err := SetKPI(cat, p, StageReach, "visitors | target 30k | by 2027-06-30", "UBEN", now, nil)
	if err != nil {
		t.Fatalf("a new target and deadline for a carried KPI: %v", err)
	}
	k, _ := KPIByKey(out.Plan.KPIs, "visitors")
	if !k.HasBaseline() || k.Baseline.Amount != 21500 || k.Owner != "Ana" || k.Target.Amount != 30000 {
		t.Errorf("visitors after a new target = baseline %+v, owner %q, target %+v; want baseline 21.5k, owner Ana, target 30k", k.Baseline, k.Owner, k.Target)
	}
	said := ""
	for _, r := range out.Replies {
		said += r.Msg.String()
	}
	if !strings.Contains(said, "from 21.5k to 30k") || strings.Contains(said, "Without a baseline") {
		t.Errorf("the coach said %q; want the kept baseline, and no warning about a missing one", said)
	}

	// A line that gives them sets them.
	out, err = SetKPI(cat, out.Plan, StageReach, "visitors | baseline 20k | target 30k | by 2027-06-30 | owner Priya", "UBEN", now, nil)
	if err != nil {
		t.Fatal(err)
	}
	if k, _ := KPIByKey(out.Plan.KPIs, "visitors"); k.Baseline.Amount != 20000 || k.Owner != "Priya" {
		t.Errorf("visitors = baseline %+v, owner %q; want the line's 20k and Priya", k.Baseline, k.Owner)
	}
}
