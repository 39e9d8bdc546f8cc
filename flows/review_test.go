package flows

import (
	"strings"
	"testing"
	"time"
)

// reviewNow is "today" for the review tests: late in 2026, so a plan for
// Q1 2027 lies ahead.
var reviewNow = time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)

func date(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

// kpi makes a KPI of the catalogue with a full SMART target.
func kpi(t *testing.T, cat *Catalogue, id string, base, target float64, owner string) KPI {
	t.Helper()
	d, ok := cat.KPI(id)
	if !ok {
		t.Fatalf("no catalogue KPI %q", id)
	}
	cur := ""
	if d.Unit == UnitCurrency {
		cur = "USD"
	}
	return KPI{
		ID: int64(len(id)), Stage: d.Stage, Key: d.ID, Name: d.Name, Unit: d.Unit, HigherIsBetter: d.HigherIsBetter, Currency: cur,
		Baseline: Value{Amount: base, Unit: d.Unit, Currency: cur}, Target: Value{Amount: target, Unit: d.Unit, Currency: cur},
		Deadline: date(2027, 3, 31), Owner: owner, At: reviewNow,
	}
}

// cleanPlan is a plan a reviewer would pass: every question answered at
// length, a SMART KPI per stage, dated and owned actions everywhere, a
// funnel that reaches its revenue target, objectives ahead of today.
func cleanPlan(t *testing.T) (*Catalogue, *Plan) {
	t.Helper()
	cat := RACE()
	p := NewPlan("T", "C", "Q1 Launch", "U1", reviewNow)
	for _, st := range cat.Stages {
		for _, q := range st.Steps() {
			p.Answers[q.ID] = Answer{QuestionID: q.ID, Text: q.Example, By: "U1", At: reviewNow, Revision: 1}
		}
		p.Actions = append(p.Actions, Action{ID: int64(len(p.Actions) + 1), Stage: st.ID, Text: st.Name + " first step", Owner: "Ana", Due: date(2027, 2, 1), Impact: 4, Effort: 2})
	}
	p.KPIs = []KPI{
		kpi(t, cat, "visitors", 8000, 20000, "Ana"),
		kpi(t, cat, "lead-rate", 1.5, 2.5, "Priya"),
		kpi(t, cat, "sales-rate", 15, 20, "Ben"),
		kpi(t, cat, "aov", 28, 30, "Ben"),
		kpi(t, cat, "revenue", 2000, 3000, "Ben"),
		kpi(t, cat, "repeat-rate", 40, 50, "Ana"),
	}
	for i := range p.KPIs {
		p.KPIs[i].ID = int64(i + 1)
	}
	return cat, p
}

func findings(r Review) []string {
	var out []string
	for _, m := range r.Findings() {
		out = append(out, m.String())
	}
	return out
}

func TestReviewOfACleanPlanFindsNothing(t *testing.T) {
	cat, p := cleanPlan(t)
	r := ReviewPlan(cat, p, p.KPIs, reviewNow)
	if got := findings(r); len(got) != 0 {
		t.Fatalf("a clean plan got findings:\n%s", strings.Join(got, "\n"))
	}
	if r.Score.Total != 100 || len(r.Score.Tips) != 0 {
		t.Errorf("clean plan score = %+v, want 100 with no tips", r.Score)
	}
	text := r.Text(p.Name).String()
	for _, want := range []string{"Plan score: 100/100", "No objective names a date already past", "Every rate target is possible"} {
		if !strings.Contains(text, want) {
			t.Errorf("review text lacks %q:\n%s", want, text)
		}
	}
}

// TestReviewNamesEachFlaw spoils a clean plan one way at a time; the
// review must name that flaw, and only it.
func TestReviewNamesEachFlaw(t *testing.T) {
	setKPI := func(p *Plan, k KPI) {
		for i := range p.KPIs {
			if p.KPIs[i].Key == k.Key {
				k.ID = p.KPIs[i].ID
				p.KPIs[i] = k
			}
		}
	}
	for _, tc := range []struct {
		name  string
		spoil func(t *testing.T, cat *Catalogue, p *Plan)
		want  []string // each must appear in one finding
		count int      // how many findings
	}{
		{
			name: "past objective deadline",
			spoil: func(t *testing.T, cat *Catalogue, p *Plan) {
				p.Answers[QuestionObjectives] = Answer{QuestionID: QuestionObjectives, Text: "Grow active subscribers from 350 to 550 by 31 March 2026, and keep cancellations under 5% a month."}
			},
			want:  []string{`"31 March 2026" (31 Mar 2026), which has already passed`},
			count: 1,
		},
		{
			name: "budget shares over 100%",
			spoil: func(t *testing.T, cat *Catalogue, p *Plan) {
				p.Answers[QuestionBudget] = Answer{QuestionID: QuestionBudget, Text: "$6,000 for the quarter: 60% paid (search and social ads), 30% owned (site and email), 30% earned (creator samples)."}
			},
			want:  []string{"adds up to 120% (60% paid, 30% owned, 30% earned), not 100%"},
			count: 1,
		},
		{
			name: "a 150% rate",
			spoil: func(t *testing.T, cat *Catalogue, p *Plan) {
				setKPI(p, kpi(t, cat, "lead-rate", 1.5, 150, "Priya"))
			},
			// The KPI's own check names both: a share past 100%, and a jump
			// no quarter makes.
			want:  []string{"Lead conversion rate: A target of 150% can't be right", "is 100.0×"},
			count: 2,
		},
		{
			name: "a conversion rate far above the usual",
			spoil: func(t *testing.T, cat *Catalogue, p *Plan) {
				setKPI(p, kpi(t, cat, "sales-rate", 60, 85, "Ben"))
			},
			want:  []string{"Lead-to-sale conversion rate: a target of 85% is far above the usual range"},
			count: 1,
		},
		{
			name: "an empty stage",
			spoil: func(t *testing.T, cat *Catalogue, p *Plan) {
				i, _ := cat.Stage("reach")
				for _, q := range cat.Stages[i].Steps() {
					delete(p.Answers, q.ID)
				}
			},
			want:  []string{"Reach is empty: none of its 8 questions has an answer yet"},
			count: 1,
		},
		{
			name: "actions without owners",
			spoil: func(t *testing.T, cat *Catalogue, p *Plan) {
				p.Actions[1].Owner = ""
				p.Actions[3].Owner = ""
			},
			want:  []string{`"Reach first step" has no owner.`, `"Convert first step" has no owner.`},
			count: 2,
		},
		{
			name: "a funnel 100× short",
			spoil: func(t *testing.T, cat *Catalogue, p *Plan) {
				setKPI(p, kpi(t, cat, "visitors", 100, 200, "Ana"))
				setKPI(p, kpi(t, cat, "aov", 18, 20, "Ben"))
			},
			want:  []string{"is 100.0× what the targets add up to", "needs revisiting"},
			count: 1,
		},
		{
			name: "an overdue action and a KPI deadline past",
			spoil: func(t *testing.T, cat *Catalogue, p *Plan) {
				p.Actions[2].Due = date(2026, 11, 2)
				k := kpi(t, cat, "followers", 900, 1200, "Priya")
				k.Deadline = date(2026, 10, 31)
				p.KPIs = append(p.KPIs, k)
			},
			want:  []string{`"Act first step" was due 2 Nov 2026 and is still open (Ana).`, "Fans and followers: The deadline 2026-10-31 has already passed"},
			count: 2,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cat, p := cleanPlan(t)
			tc.spoil(t, cat, p)
			got := findings(ReviewPlan(cat, p, p.KPIs, reviewNow))
			for _, want := range tc.want {
				found := false
				for _, f := range got {
					found = found || strings.Contains(f, want)
				}
				if !found {
					t.Errorf("no finding names %q; findings:\n%s", want, strings.Join(got, "\n"))
				}
			}
			if len(got) != tc.count {
				t.Errorf("%d findings, want %d:\n%s", len(got), tc.count, strings.Join(got, "\n"))
			}
		})
	}
}

func TestDoneAndDroppedActionsAreNotOverdue(t *testing.T) {
	cat, p := cleanPlan(t)
	p.Actions[0].Due, p.Actions[0].Status = date(2026, 11, 2), ActionDone
	p.Actions[1].Due, p.Actions[1].Status, p.Actions[1].Owner = date(2026, 11, 2), ActionDropped, ""
	if got := findings(ReviewPlan(cat, p, p.KPIs, reviewNow)); len(got) != 0 {
		t.Errorf("closed actions were flagged:\n%s", strings.Join(got, "\n"))
	}
}

func TestFindDates(t *testing.T) {
	text := "Grow to 550 by 31st March 2027, launch by 2027-02-15, then March 2, 2027, Q2 2027, end of June 2027; not 31 Feb 2027 or 12 March."
	var got []string
	for _, d := range findDates(text) {
		got = append(got, d.Text+"="+d.Day.Format(time.DateOnly))
	}
	want := []string{"2027-02-15=2027-02-15", "March 2, 2027=2027-03-02", "31st March 2027=2027-03-31", "end of June 2027=2027-06-30", "Q2 2027=2027-06-30"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("dates =\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestBudgetShares(t *testing.T) {
	for text, want := range map[string]string{
		"60% paid, 30% owned, 30% earned":            "adds up to 120%",
		"paid: 50%, owned 30%, earned (20%)":         "",
		"We put 70% on paid and 40% in owned media.": "more than the whole budget",
		"Paid 50%, owned 30%, earned 10%":            "adds up to 90%",
		"$3,000 paid, $2,000 owned, $1,000 earned":   "",
		"Half goes to paid (50%).":                   "",
	} {
		p := NewPlan("T", "C", "P", "U", reviewNow)
		p.Answers[QuestionBudget] = Answer{Text: text}
		got := budgetFinding(p).String()
		if (want == "") != (got == "") || !strings.Contains(got, want) {
			t.Errorf("%q: finding %q, want one with %q", text, got, want)
		}
	}
}
