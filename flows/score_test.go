package flows

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func partPoints(s PlanScore) map[string]int {
	out := map[string]int{}
	for _, p := range s.Parts {
		out[p.Key] = p.Points
	}
	return out
}

func TestScoreOfAnEmptyPlan(t *testing.T) {
	cat := RACE()
	s := ScorePlan(cat, NewPlan("T", "C", "P", "U", reviewNow), reviewNow)
	if s.Total != 0 {
		t.Errorf("empty plan scores %d", s.Total)
	}
	if len(s.Parts) != 5 {
		t.Fatalf("parts = %+v", s.Parts)
	}
	if len(s.Tips) != maxScoreTips {
		t.Fatalf("tips = %+v, want %d", s.Tips, maxScoreTips)
	}
	for i := 1; i < len(s.Tips); i++ {
		if s.Tips[i].Gain > s.Tips[i-1].Gain {
			t.Errorf("tips not biggest gain first: %+v", s.Tips)
		}
	}
}

// TestScoreFollowsThePlan spoils a clean plan part by part and checks each
// part loses what it should, the total is the sum of the parts, and the
// tips point at what was spoiled.
func TestScoreFollowsThePlan(t *testing.T) {
	cat, p := cleanPlan(t)
	full := map[string]int{ScoreComplete: 20, ScoreMeasurable: 20, ScoreOwned: 20, ScoreActionable: 20, ScoreFunnel: 20}
	if diff := cmp.Diff(full, partPoints(ScorePlan(cat, p, reviewNow))); diff != "" {
		t.Fatalf("clean plan parts (-want +got):\n%s", diff)
	}

	// Reach loses its 8 answers of 44: complete 20 × 36/44 = 16.4.
	i, _ := cat.Stage("reach")
	for _, q := range cat.Stages[i].Steps() {
		delete(p.Answers, q.ID)
	}
	// Engage's KPI loses its baseline and deadline: 1 of 4 stages at 0.4.
	for j := range p.KPIs {
		if p.KPIs[j].Key == "repeat-rate" {
			p.KPIs[j].Baseline = Value{Unit: UnitPercent, Missing: true}
			p.KPIs[j].Deadline = date(2026, 10, 1)
		}
	}
	// Two of 11 owned things lose their owner.
	p.Actions[0].Owner, p.KPIs[0].Owner = "", ""
	// Convert's only action is dropped, Act's is overdue.
	p.Actions[3].Status = ActionDropped
	p.Actions[2].Due = date(2026, 11, 1)
	// The funnel falls 100× short.
	for j := range p.KPIs {
		switch p.KPIs[j].Key {
		case "visitors":
			p.KPIs[j].Baseline.Amount, p.KPIs[j].Target.Amount = 100, 200
		case "aov":
			p.KPIs[j].Baseline.Amount, p.KPIs[j].Target.Amount = 18, 20
		}
	}
	s := ScorePlan(cat, p, reviewNow)
	want := map[string]int{
		ScoreComplete:   16, // 36/44
		ScoreMeasurable: 17, // (3 + 0.4)/4
		ScoreOwned:      16, // 8/10: the dropped action no longer counts
		ScoreActionable: 14, // (3 + 0.5 + 0)/5
		ScoreFunnel:     10, // half for the inputs, 0.5/100 of the other half
	}
	if diff := cmp.Diff(want, partPoints(s)); diff != "" {
		t.Errorf("parts (-want +got):\n%s", diff)
	}
	if s.Total != 16+17+16+14+10 {
		t.Errorf("total %d is not the sum of the parts", s.Total)
	}
	var tips []string
	for _, tip := range s.Tips {
		tips = append(tips, tip.Msg.String())
	}
	wantTips := []string{
		"Close the funnel gap: the revenue target is 100.0× what the other targets add up to; raise Convert's target first (`funnel`).",
		"Answer the 8 questions still open in Reach (`stage reach`).",
		`Name an owner for Unique visitors, "Plan first step".`,
	}
	if diff := cmp.Diff(wantTips, tips); diff != "" {
		t.Errorf("tips (-want +got):\n%s", diff)
	}
	text := s.Text().String()
	if !strings.HasPrefix(text, "Plan score: 73/100 (complete 16/20 · measurable 17/20 · owned 16/20 · actionable 14/20 · coherent funnel 10/20)\nTo raise it:\n• Close the funnel gap") {
		t.Errorf("score text:\n%s", text)
	}
}

func TestScoreTipsNameWhatIsMissing(t *testing.T) {
	cat := RACE()
	p := NewPlan("T", "C", "P", "U", reviewNow)
	p.KPIs = []KPI{kpi(t, cat, "visitors", 8000, 20000, "")}
	p.KPIs[0].Baseline = Value{Unit: UnitCount, Missing: true}
	s := ScorePlan(cat, p, reviewNow)
	var all []string
	for _, tip := range s.Tips {
		all = append(all, tip.Msg.String())
	}
	joined := strings.Join(all, "\n")
	for _, want := range []string{"Name an owner for Unique visitors.", "Set targets for lead rate (Act), sales rate (Convert), average order value (Convert) and revenue (Convert)"} {
		if !strings.Contains(joined, want) {
			t.Errorf("tips lack %q:\n%s", want, joined)
		}
	}
	if ms, _ := s.Part(ScoreMeasurable); ms.Points != 4 { // Reach at 0.7 of 4 stages
		t.Errorf("measurable = %d, want 4", ms.Points)
	}
}

func TestStatusAndExportShowTheScore(t *testing.T) {
	cat, p := cleanPlan(t)
	if got := StatusText(cat, p, nil, reviewNow).String(); !strings.Contains(got, "Plan score: 100/100") {
		t.Errorf("status lacks the score:\n%s", got)
	}
	md := ExportMarkdown(cat, p, nil, nil, reviewNow, People{})
	if !strings.Contains(md, "## Plan score: 100/100\n\n| Part | Points |") {
		t.Errorf("export lacks the score section:\n%s", md)
	}
}
