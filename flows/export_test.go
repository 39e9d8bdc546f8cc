package flows_test

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/racebot/racebot/flows"
)

// exportPlan is Fernhill's plan in week 9: objectives set, the check-in
// KPIs of ciKPIs with their values, and seven actions, two of them quick
// wins.
func exportPlan() *flows.Plan {
	p := flows.NewPlan("T1", "C1", "Q1 Launch", "UANA", time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC))
	p.Answers[flows.QuestionObjectives] = flows.Answer{QuestionID: flows.QuestionObjectives, By: "UANA", At: p.CreatedAt,
		Text: "Become the go-to subscription for home brewers in our region: grow active subscribers from 350 to 550 by 31 March 2027."}
	p.KPIs = ciKPIs()
	due := func(m time.Month, d int) time.Time { return time.Date(2027, m, d, 0, 0, 0, 0, time.UTC) }
	for _, a := range []flows.Action{
		{Stage: flows.StageReach, Text: "Guest post on a brewing blog", Owner: "<@UBEN>", Due: due(2, 20), Impact: 3, Effort: 3},
		{Stage: flows.StageConvert, Text: "Add reviews to product pages", Owner: "<@UANA>", Due: due(2, 15), Impact: 4, Effort: 2},
		{Stage: flows.StageEngage, Text: "Monthly roaster's email", Impact: 3, Effort: 2},
		{Stage: flows.StageAct, Text: "Grind-size quiz", Owner: "Priya", Due: due(3, 1), Impact: 5, Effort: 1},
		{Stage: flows.StageReach, Text: "Instagram reels", Impact: 2, Effort: 3},
		{Stage: flows.StageConvert, Text: "Free replacement bag promise", Impact: 3, Effort: 1},
		{Stage: flows.StageEngage, Text: "Referral codes", Impact: 2, Effort: 4},
	} {
		p.Apply(flows.ActionAdded{Action: a})
	}
	return p
}

// people names the test's people and decodes stored text as a transport
// would, mentions included.
func people() flows.People {
	names := map[string]string{"UANA": "Ana", "UBEN": "Ben", "UCAT": "Cat", "UDAN": "Dan"}
	return flows.People{
		Text: func(s string) string {
			for id, n := range names {
				s = strings.ReplaceAll(s, "<@"+id+"|ana>", n)
				s = strings.ReplaceAll(s, "<@"+id+">", n)
			}
			return decodeStored(s)
		},
		Name: func(id string) string { return names[id] },
	}
}

// summary is the export's summary section, up to the heading after it.
func summary(tb testing.TB, doc string) string {
	tb.Helper()
	_, rest, ok := strings.Cut(doc, "\n## Summary\n\n")
	if !ok {
		tb.Fatalf("no summary in:\n%s", doc)
	}
	s, _, _ := strings.Cut(rest, "\n## ")
	return s
}

func TestExportSummary(t *testing.T) {
	p := exportPlan()
	e := flows.Export{Catalogue: flows.RACE(), Plan: p, Values: ciMeasurements(), Location: time.UTC, Now: ciNow, People: people(),
		// Newest first, as the store lists them.
		Capability: []flows.CapabilityRating{
			{At: time.Date(2027, 1, 5, 9, 0, 0, 0, time.UTC), Scores: map[flows.StageID]int{"plan": 3, "reach": 3, "act": 2, "convert": 2, "engage": 2}},
			{At: time.Date(2026, 10, 1, 9, 0, 0, 0, time.UTC), Scores: map[flows.StageID]int{"plan": 2, "reach": 3, "act": 1, "convert": 2}},
		},
		Review: &flows.ExportReview{Plan: p.ID, At: ciNow, By: "UBEN", Text: "Strong objectives.\n\n- The lead rate target is the bottleneck."},
	}
	doc := e.Markdown()

	wantHead := "# Q1 Launch\n\nA RACE plan started by Ana on 23 November 2026.\nExported on 18 January 2027.\n\n## Summary\n\n"
	if !strings.HasPrefix(doc, wantHead) {
		t.Errorf("the export does not open with its summary:\n%s", doc[:min(len(doc), 400)])
	}
	want := `**Objectives**

> Become the go-to subscription for home brewers in our region: grow active subscribers from 350 to 550 by 31 March 2027.

**Plan score: 47/100** (complete 0/20 · measurable 15/20 · owned 12/20 · actionable 14/20 · coherent funnel 6/20). To raise it:

- Name an owner for Q&A sign-ups, "Monthly roaster's email", "Instagram reels" and 2 more. (+8)
- Answer the 9 questions still open in Plan (` + "`stage plan`" + `). (+5)
- Give Engage a KPI with a baseline, a target and a deadline (` + "`kpi engage`" + `). (+5)

**KPIs** on 18 Jan 2027

| KPI | Owner | Latest | Target | Progress | Status |
|---|---|---|---|---|---|
| Unique visitors | Ana | 12.4k | 20k a month by 31 Mar 2027 | 37% | 🔴 off track |
| Leads | Ben | 170 | 400 a month by 31 Mar 2027 | 8% | 🔴 off track |
| Revenue | Ana | $9,800 | $30,000 a month by 31 Mar 2027 | 4% | 🔴 off track |
| Lead conversion rate | Cat | — | 2.5% by 31 Mar 2027 | — | ⚪ no data |
| Q&A sign-ups | — | 12 | — | — | ⚪ no data |

**Funnel**, latest against target: visitors 12.4k of 20k → leads 170 of 400 → revenue $9,800 of $30,000.

**Top actions**, quick wins first:

- **4.** Grind-size quiz ⚡ — Priya, due 1 Mar 2027
- **2.** Add reviews to product pages ⚡ — Ana, due 15 Feb 2027
- **6.** Free replacement bag promise
- **3.** Monthly roaster's email
- **1.** Guest post on a brewing blog — Ben, due 20 Feb 2027

_2 more in the action plan below._

**Capability** (1–5), 1 Oct 2026 → 5 Jan 2027: Plan 2 → 3, Reach 3 → 3, Act 1 → 2, Convert 2 → 2, Engage 2.
`
	if diff := cmp.Diff(want, summary(t, doc)); diff != "" {
		t.Errorf("summary (-want +got):\n%s", diff)
	}
	wantReview := "\n## Latest review\n\n_Made on 18 January 2027 for Ben._\n\n> Strong objectives.\n> \n> - The lead rate target is the bottleneck.\n\n## Plan\n"
	if !strings.Contains(doc, wantReview) {
		t.Errorf("the review does not follow the summary as\n%s\nin:\n%s", wantReview, doc)
	}
	// The rest of the document follows, once.
	for _, h := range []string{"\n## Plan\n", "\n## Engage\n", "\n## Action plan\n", "\n## KPIs\n", "\n## Funnel\n"} {
		if n := strings.Count(doc, h); n != 1 {
			t.Errorf("%q appears %d times", h, n)
		}
	}
}

// TestExportSummaryOptionalParts: what no one passed in is left out, and
// a plan with nothing yet still gets a summary that says so.
func TestExportSummaryOptionalParts(t *testing.T) {
	p := flows.NewPlan("T1", "C1", "Empty", "UANA", ciNow)
	doc := flows.ExportMarkdown(flows.RACE(), p, nil, time.UTC, ciNow, people())
	want := "**Objectives**\n\n_Not set yet: the Plan stage asks for them._\n\n**Plan score: "
	if got := summary(t, doc); !strings.HasPrefix(got, want) {
		t.Errorf("summary of an empty plan:\n%s\nwant it to start\n%s", got, want)
	}
	for _, absent := range []string{"Capability", "Latest review", "**Funnel**", "Top actions"} {
		if strings.Contains(doc, absent) {
			t.Errorf("the export shows %q, which nobody passed in:\n%s", absent, doc)
		}
	}

	p.Skipped[flows.QuestionObjectives] = true
	if got := summary(t, flows.ExportMarkdown(flows.RACE(), p, nil, time.UTC, ciNow, people())); !strings.Contains(got, "_Skipped in the Plan stage._") {
		t.Errorf("skipped objectives: summary is\n%s", got)
	}

	// A long answer is clipped at a word, and the reader sent to the rest.
	long := strings.Repeat("Grow the subscription base steadily. ", 40)
	p.Answers[flows.QuestionObjectives] = flows.Answer{Text: long, By: "UANA", At: ciNow}
	got := summary(t, flows.ExportMarkdown(flows.RACE(), p, nil, time.UTC, ciNow, people()))
	if !strings.Contains(got, "steadily. …\n") && !strings.Contains(got, "steadily …\n") && !strings.Contains(got, " …\n") {
		t.Errorf("a long objective is not clipped:\n%s", got)
	}
	quote, _, _ := strings.Cut(got, "\n\n_The whole answer")
	if len(quote) > 700 || !strings.Contains(got, "The whole answer is under Plan below.") {
		t.Errorf("summary of a long objective (%d bytes):\n%s", len(got), got)
	}
}

// TestExportStripsControlCharacters: nothing anyone typed, or a model
// wrote, puts a control character into the file: no escape sequence, bell,
// carriage return, C1 control or bidirectional override.
func TestExportStripsControlCharacters(t *testing.T) {
	// A C1 control as a character, and as a lone byte that is not UTF-8.
	const nasty = "\x1b[31mred\x1b[0m\x07\r\n\u009b2J\u202egnp.exe\x00\x9b"
	p := exportPlan()
	p.Name = "Q1" + nasty
	p.Answers[flows.QuestionObjectives] = flows.Answer{Text: "Grow" + nasty, By: "UANA", At: ciNow}
	p.Answers["plan.business"] = flows.Answer{Text: "Coffee" + nasty, By: "UBEN", At: ciNow}
	p.Actions[0].Text += nasty
	p.Actions[0].Owner += nasty
	p.KPIs[0].Name += nasty
	p.KPIs[0].Owner += nasty
	e := flows.Export{Catalogue: flows.RACE(), Plan: p, Values: ciMeasurements(), Now: ciNow, People: people(),
		Review: &flows.ExportReview{Plan: p.ID, At: ciNow, Text: "Review" + nasty}}
	doc := e.Markdown()
	for _, r := range doc {
		if (r < 0x20 && r != '\n' && r != '\t') || (r >= 0x7f && r <= 0x9f) || (r >= 0x202a && r <= 0x202e) {
			t.Errorf("the export holds the control character %U", r)
		}
	}
	for _, want := range []string{"# Q1[31mred[0m", "> Grow[31mred[0m", "Review[31mred[0m\n> 2Jgnp.exe\uFFFD", "Coffee[31mred[0m"} {
		if !strings.Contains(doc, want) {
			t.Errorf("the export lacks %q, the text around the controls:\n%s", want, doc)
		}
	}

	var csv strings.Builder
	if err := flows.KPIHistoryCSV(&csv, p.KPIs, ciMeasurements(), time.UTC, people()); err != nil {
		t.Fatal(err)
	}
	for _, r := range csv.String() {
		if (r < 0x20 && r != '\n' && r != '\r') || r == 0x7f || (r >= 0x80 && r <= 0x9f) || (r >= 0x202a && r <= 0x202e) {
			t.Errorf("the CSV holds the control character %U", r)
		}
	}
}

// TestExportFunnelLine: counts worked out from rates are marked, and a
// funnel whose targets fall short names its bottleneck.
func TestExportFunnelLine(t *testing.T) {
	p := flows.NewPlan("T1", "C1", "Fernhill", "UANA", ciNow)
	p.KPIs = append(fernhill(), revenueKPI(9000))
	for i := range p.KPIs {
		p.KPIs[i].ID = int64(i + 1)
	}
	at := ciNow.AddDate(0, 0, -1)
	ms := map[int64][]flows.Measurement{
		1: {{KPI: 1, Value: flows.Value{Amount: 12000, Unit: flows.UnitCount}, At: at}},
		2: {{KPI: 2, Value: flows.Value{Amount: 2, Unit: flows.UnitPercent}, At: at}},
	}
	got := summary(t, flows.ExportMarkdown(flows.RACE(), p, ms, time.UTC, ciNow, people()))
	want := "**Funnel**, latest against target: visitors 12k of 20k → leads 240\\* of 500\\* → sales — of 100\\* → revenue — of $9,000. " +
		"\\* worked out from the rates beside it.\nThe targets fall short of the revenue target; the bottleneck is Convert.\n"
	if !strings.Contains(got, want) {
		t.Errorf("summary lacks\n%s\nin:\n%s", want, got)
	}
}

// TestExportFunnelSaysPerMonth: the export's KPI table shows a weekly leads
// target as 300; the funnel line under it counts the same KPI per month
// (1,300). It must say so, or the reader sees two targets for one KPI.
func TestExportFunnelSaysPerMonth(t *testing.T) {
	at := time.Date(2027, 1, 4, 9, 0, 0, 0, time.UTC)
	leads := funnelKPI("leads", flows.UnitCount, -1, 300)
	leads.Name, leads.Stage, leads.Period, leads.Owner = "Leads", flows.StageAct, flows.PeriodWeek, "UANA"
	visitors := visitorsKPI(-1, 20000)
	visitors.Name, visitors.Stage, visitors.Owner = "Unique visitors", flows.StageReach, "UANA"
	p := flows.NewPlan("T1", "C1", "Weekly", "UANA", at)
	p.KPIs = []flows.KPI{visitors, leads}
	for i := range p.KPIs {
		p.KPIs[i].ID, p.KPIs[i].At, p.KPIs[i].Deadline = int64(i+1), at, at.AddDate(0, 3, 0)
	}
	ms := map[int64][]flows.Measurement{
		2: {{KPI: 2, Value: flows.Value{Amount: 270, Unit: flows.UnitCount}, At: at.AddDate(0, 0, 14)}},
	}
	doc := flows.ExportMarkdown(flows.RACE(), p, ms, time.UTC, at.AddDate(0, 0, 15), people())
	sum := summary(t, doc)
	_, line, ok := strings.Cut(sum, "**Funnel**")
	if !ok {
		t.Fatalf("no funnel in the summary:\n%s", sum)
	}
	line, _, _ = strings.Cut(line, "\n")
	if !strings.Contains(line, "1,170 of 1,300") {
		t.Fatalf("funnel line %q does not count leads per month", line)
	}
	if !strings.Contains(line, "a month") && !strings.Contains(line, "per month") {
		t.Errorf("funnel line %q shows 1,300 leads beside a KPI table with 300, without saying it counts per month", line)
	}
}
