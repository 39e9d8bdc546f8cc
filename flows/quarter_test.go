package flows

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestParseCapability(t *testing.T) {
	cat := RACE()
	want := map[StageID]int{StagePlan: 3, StageReach: 2, StageAct: 3, StageConvert: 2, StageEngage: 4}
	for _, in := range []string{"plan 3, reach 2, act 3, convert 2, engage 4", "3 2 3 2 4", "3,2,3,2,4", "Engage: 4; Convert=2; act 3 reach 2 PLAN 3"} {
		got, err := ParseCapability(cat, in)
		if err != nil {
			t.Errorf("%q: %v", in, err)
			continue
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%q (-want +got):\n%s", in, diff)
		}
	}
	for in, msg := range map[string]string{
		"":                      "Rate each stage",
		"3 2 3":                 "Give 5 ratings",
		"plan 3, reach 2":       "Act, Convert and Engage has no rating yet",
		"plan 6, reach 2":       "Ratings run from 1 to 5; Plan got 6",
		"plan 3, plan 2":        "Plan is rated twice",
		"retain 3":              `There is no stage called "retain"`,
		"plan 3 and reach good": `I couldn't read`,
	} {
		_, err := ParseCapability(cat, in)
		if !errors.Is(err, ErrBadInput) || !strings.Contains(Explain(err).String(), msg) {
			t.Errorf("%q: err %v, want %q", in, err, msg)
		}
	}
}

func TestRubricsAreShortAndOurOwn(t *testing.T) {
	for _, r := range Rubrics(RACE()) {
		for i, l := range r.Levels {
			if n := len([]rune(l)); n > 75 || n < 20 {
				t.Errorf("%s level %d is %d characters; a form option holds 75: %q", r.Name, CapabilityLevels[i], n, l)
			}
		}
	}
}

func TestCapabilityNamesTheStageToInvestIn(t *testing.T) {
	cat := RACE()
	p := actionPlan()
	prev := CapabilityRating{By: "UANA", At: date(2026, 9, 1), Scores: map[StageID]int{StagePlan: 2, StageReach: 3, StageAct: 3, StageConvert: 2, StageEngage: 4}}
	cur := CapabilityRating{By: "UBEN", At: date(2026, 12, 1), Scores: map[StageID]int{StagePlan: 3, StageReach: 3, StageAct: 2, StageConvert: 2, StageEngage: 3}}
	p.Actions[2].Status = ActionDone // "Cart page redesign" is done: not open
	got := CapabilityText(cat, p, cur, &prev).String()
	want := "Capability rated by UBEN, against 1 Sep 2026:\n" +
		"• Plan 3 (was 2, +1)\n• Reach 3 (was 3)\n• Act 2 (was 3, −1)\n• Convert 2 (was 2)\n• Engage 3 (was 4, −1)\n" +
		// Act and Convert tie at 2; Act fell, Convert held, so Act comes first.
		"Invest next: Act is lowest (2, was 3): no open action there yet; plan one when you next work through it (`stage act`)."
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	cur.Scores[StageAct] = 3
	got = CapabilityText(cat, p, cur, &prev).String()
	if !strings.HasSuffix(got, `Invest next: Convert is lowest (2, was 2): 1 open action there — "Cart recovery emails".`) {
		t.Errorf("got:\n%s", got)
	}
	first := CapabilityText(cat, p, cur, nil).String()
	if strings.Contains(first, "was") || !strings.Contains(first, "Convert is lowest (2, first rating)") {
		t.Errorf("a first rating compares with nothing:\n%s", first)
	}
}

func retroPlan(t *testing.T) (*Plan, map[int64][]Measurement) {
	t.Helper()
	cat := RACE()
	p := actionPlan()
	p.Name = "Q1 Launch"
	p.KPIs = []KPI{
		kpi(t, cat, "visitors", 8000, 20000, "Ana"),
		kpi(t, cat, "revenue", 5000, 9000, "Ben"),
		kpi(t, cat, "bounce-rate", 60, 45, "Priya"),
		kpi(t, cat, "lead-rate", 1.5, 2.5, "Priya"),
		kpi(t, cat, "repeat-rate", 40, 50, "Ana"),
	}
	for i := range p.KPIs {
		p.KPIs[i].ID = int64(i + 1)
	}
	at := func(d int) time.Time { return time.Date(2027, 3, d, 9, 0, 0, 0, time.UTC) }
	ms := map[int64][]Measurement{
		1: {{KPI: 1, Value: Value{Amount: 14000, Unit: UnitCount}, At: at(1)}, {KPI: 1, Value: Value{Amount: 21500, Unit: UnitCount}, At: at(29)}},
		2: {{KPI: 2, Value: Value{Amount: 7800, Unit: UnitCurrency}, At: at(29)}, {KPI: 2, Value: Value{Unit: UnitCurrency, Missing: true}, At: at(30)}},
		3: {{KPI: 3, Value: Value{Amount: 44, Unit: UnitPercent}, At: at(29)}},
		4: {{KPI: 4, Value: Value{Amount: 2.1, Unit: UnitPercent}, At: at(29)}},
	}
	p.Actions[0].Status = ActionDone
	p.Actions[2].Status = ActionDropped
	return p, ms
}

func TestRetroReport(t *testing.T) {
	p, ms := retroPlan(t)
	got := BuildRetro(p, ms).Text(p.Name).String()
	want := "Closing the quarter: Q1 Launch\n" +
		"KPIs, target against the last value (2 of 5 hit)\n" +
		"• ✅ Unique visitors: hit — 21.5k against a target of 20k a month.\n" +
		"• ❌ Revenue: missed by $1,200 — $7,800 against a target of $9,000 a month (87% of the target).\n" +
		"• ✅ Bounce rate: hit — 44% against a target of at most 45%.\n" +
		"• ❌ Lead conversion rate: missed by 0.4 percentage points — 2.1% against a target of 2.5%.\n" +
		"• ⚪ Repeat purchase rate: no values recorded, so nothing to compare with target 50% by 31 Mar 2027.\n" +
		"Actions (1 of 3 done)\n" +
		"• ✅ Webinar series\n" +
		"• ○ Cart recovery emails (open)\n" +
		"• ✖️ Cart page redesign (dropped)\n" +
		"Three questions close the quarter: what worked, what didn't, and what to change. One at a time, below."
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestRetroQuestionsAndLabels(t *testing.T) {
	r := Retro{}
	if q, ok := r.Next(); !ok || q.ID != "worked" {
		t.Fatalf("first question = %+v", q)
	}
	r.Answers = append(r.Answers, RetroAnswer{Question: "worked", Text: "Webinars"}, RetroAnswer{Question: "change", Text: "Fewer channels"})
	if q, ok := r.Next(); !ok || q.ID != "didnt" {
		t.Fatalf("next question = %+v", q)
	}
	for in, want := range map[string]string{"didn't: the ads": "didnt|the ads", "Worked: webinars": "worked|webinars", "change : less": "change|less", "notes: x": "", "worked:": ""} {
		q, rest, ok := RetroLabel(in)
		got := ""
		if ok {
			got = q + "|" + rest
		}
		if got != want {
			t.Errorf("RetroLabel(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestCarryOver(t *testing.T) {
	cat := RACE()
	old, ms := retroPlan(t)
	old.Answers[QuestionBusiness] = Answer{QuestionID: QuestionBusiness, Text: "We roast coffee.", By: "UANA"}
	now := time.Date(2027, 4, 1, 9, 0, 0, 0, time.UTC)
	p := CarryOver(old, ms, "Q2 Plan", "UBEN", now)
	if p.Name != "Q2 Plan" || p.Channel != old.Channel || len(p.Answers) != 0 {
		t.Fatalf("new plan = %+v", p)
	}
	if diff := cmp.Diff(map[string]Prior{QuestionBusiness: {Text: "We roast coffee.", By: "UANA", From: "Q1 Launch"}}, p.Prior); diff != "" {
		t.Errorf("prior (-want +got):\n%s", diff)
	}
	var baselines []string
	for _, k := range p.KPIs {
		if k.HasTarget() || !k.Deadline.IsZero() || k.ID != 0 {
			t.Errorf("%s carried a target, deadline or id: %+v", k.Key, k)
		}
		baselines = append(baselines, k.Key+" "+valueOrDash(k.Baseline, k.HasBaseline()))
	}
	// Revenue's last number is $7,800: the n/a after it is no actual.
	want := []string{"visitors 21.5k", "revenue $7,800", "bounce-rate 44%", "lead-rate 2.1%", "repeat-rate 40%"}
	if diff := cmp.Diff(want, baselines); diff != "" {
		t.Errorf("baselines (-want +got):\n%s", diff)
	}

	// The first question offers last quarter's answer; keep takes it.
	out := Resume(cat, p)
	if got := out[0].Msg.String(); !strings.Contains(got, "Last quarter: We roast coffee.\nReply `keep` to keep it, or write a new answer.") {
		t.Errorf("question:\n%s", got)
	}
	step, err := Step(cat, p, Input{Text: "keep", User: "UPRIYA", Now: now})
	if err != nil {
		t.Fatal(err)
	}
	if a := step.Plan.Answers[QuestionBusiness]; a.Text != "We roast coffee." || a.By != "UPRIYA" {
		t.Errorf("kept answer = %+v", a)
	}
	if got := step.Replies[0].Msg.String(); got != `Kept last quarter's answer from "Q1 Launch".` {
		t.Errorf("reply = %q", got)
	}
	// The next question had no answer last quarter: keep explains.
	if _, err := Step(cat, step.Plan, Input{Text: "keep", User: "UPRIYA", Now: now}); !errors.Is(err, ErrBadInput) {
		t.Errorf("keep with nothing to keep: %v", err)
	}
	text := CarriedText(p, old).String()
	for _, w := range []string{`Started from "Q1 Launch", with its answers (1) offered as starting points`, "• Unique visitors: baseline 21.5k", "`kpi <stage>`", `Not done in "Q1 Launch": "Cart recovery emails".`} {
		if !strings.Contains(text, w) {
			t.Errorf("carried text lacks %q:\n%s", w, text)
		}
	}
}

func TestCutFrom(t *testing.T) {
	for in, want := range map[string][2]string{
		`Q2 Plan --from "Q1 Launch"`: {"Q2 Plan", "Q1 Launch"},
		`Q2 Plan —from Q1 Launch`:    {"Q2 Plan", "Q1 Launch"},
		`Q2 Plan --FROM “Q1”`:        {"Q2 Plan", "Q1"},
		`Q2 Plan`:                    {"Q2 Plan", ""},
	} {
		name, from := cutFrom(in)
		if name != want[0] || from != want[1] {
			t.Errorf("cutFrom(%q) = %q, %q; want %q", in, name, from, want)
		}
	}
}
