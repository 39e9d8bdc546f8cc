package flows

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// thinAnswer is how short an answer can be before the review calls it thin:
// one short line rarely holds a number, a who and a why.
const thinAnswer = 60

// Review is the offline critique of a plan: what is missing, what is weak,
// where the funnel is short and what to do first. It needs no model and
// invents nothing: every finding points at the plan's own content.
type Review struct {
	Gaps    []Msg
	Thin    []Msg
	KPIs    []Msg
	Actions []Msg
	// Rates are rate targets past 100% or far above what is usual.
	Rates []Msg
	// Dates are objectives whose dates have passed; Budget is a media
	// split that does not add up to 100%.
	Dates  []Msg
	Budget Msg
	Funnel Msg
	// FunnelOff is set when the funnel falls short of the revenue target
	// or lacks the inputs to check it.
	FunnelOff bool
	QuickWins []Action
	Score     PlanScore
}

// ReviewPlan runs the built-in checks on a plan and its KPIs.
func ReviewPlan(cat *Catalogue, p *Plan, kpis []KPI, now time.Time) Review {
	var r Review
	for _, st := range cat.Stages {
		var open []string
		steps := st.Steps()
		for i, q := range steps {
			a := p.Answers[q.ID]
			switch {
			case a.Text == "":
				open = append(open, fmt.Sprintf("%d", i+1))
			case len([]rune(a.Text)) < thinAnswer && !strings.Contains(a.Text, "\n"):
				r.Thin = append(r.Thin, Sayf("%s %d (%q) is one short line; add who, how much and by when.", st.Name, i+1, User(shorten(a.Text, 40))))
			}
		}
		switch {
		case len(open) == len(steps) && len(steps) > 0:
			r.Gaps = append(r.Gaps, Sayf("%s is empty: none of its %d questions has an answer yet (%s).", st.Name, len(steps), Cmd("stage "+strings.ToLower(st.Name))))
		case len(open) > 0:
			r.Gaps = append(r.Gaps, Sayf("%s: question %s unanswered.", st.Name, strings.Join(open, ", ")))
		}
		if len(st.KPIs) > 0 && !hasStageKPI(kpis, st.ID) {
			r.KPIs = append(r.KPIs, Sayf("%s has no KPI yet; candidates: %s.", st.Name, kpiNames(st.KPIs, 3)))
		}
	}
	for _, k := range kpis {
		rates := rateFindings(k)
		r.Rates = append(r.Rates, rates...)
		for _, pr := range CheckTarget(k, now) {
			// A rate target past 100% is wrong whatever else is said
			// about it, and Rates says so already.
			if len(rates) > 0 && pr.Field == "target" && !pr.Blocking {
				continue
			}
			r.KPIs = append(r.KPIs, Sayf("%s: %s", kpiName(k), pr.Msg))
		}
	}
	for _, a := range p.Actions {
		var missing []string
		if a.Owner == "" {
			missing = append(missing, "owner")
		}
		if a.Due.IsZero() {
			missing = append(missing, "due date")
		}
		if len(missing) > 0 && a.State() != ActionDropped {
			r.Actions = append(r.Actions, Sayf("%q has no %s.", User(a.Text), strings.Join(missing, " or ")))
		}
		if a.Overdue(now) {
			r.Actions = append(r.Actions, overdueText(a))
		}
	}
	if len(kpis) > 0 {
		if f := Funnel(kpis); f.Bottleneck != "" || len(f.Lines) > 0 {
			r.Funnel = f.Text()
			r.FunnelOff = len(f.Missing) > 0 || f.Gap > 1+1e-9
		}
	}
	r.Dates = pastObjectiveDates(p, now)
	r.Budget = budgetFinding(p)
	scored := *p
	scored.KPIs = kpis
	r.Score = ScorePlan(cat, &scored, now)
	for _, a := range p.RankedActions() {
		if len(r.QuickWins) == 3 {
			break
		}
		if a.QuickWin() && !a.Closed() {
			r.QuickWins = append(r.QuickWins, a)
		}
	}
	return r
}

func hasStageKPI(kpis []KPI, stage StageID) bool {
	for _, k := range kpis {
		if k.Stage == stage {
			return true
		}
	}
	return false
}

func kpiNames(defs []KPIDef, n int) string {
	names := make([]string, 0, n)
	for _, d := range defs[:min(n, len(defs))] {
		names = append(names, strings.ToLower(d.Name))
	}
	return strings.Join(names, ", ")
}

// Text renders the review for a person, section by section, saying so when
// a section has nothing to report rather than leaving it out.
func (r Review) Text(planName string) Msg {
	var b msgBuilder
	b.printf("%s%s (built-in checks)\n", Text("Review of ").Strong(), User(planName).Strong())
	if len(r.Score.Parts) > 0 {
		b.printf("%s\n", r.Score.Text())
	}
	section := func(title string, items []Msg, none string) {
		b.printf("\n%s\n", Text(title).Strong())
		if len(items) == 0 {
			b.printf("%s\n", none)
			return
		}
		for _, it := range items {
			b.printf("• %s\n", it)
		}
	}
	section("Gaps", r.Gaps, "Every question has an answer.")
	section("Thin answers", r.Thin, "No one-line answers.")
	section("KPIs", r.KPIs, "Every stage has a KPI with a complete SMART target.")
	section("Rates", r.Rates, "Every rate target is possible and within the usual range.")
	section("Actions", r.Actions, "Every action has an owner and a due date, and none is overdue.")
	dates := r.Dates
	if len(r.Budget) > 0 {
		dates = append(slices.Clip(dates), r.Budget)
	}
	section("Dates and budget", dates, "No objective names a date already past, and the budget split adds up.")
	b.printf("\n%s\n", Text("Funnel").Strong())
	if len(r.Funnel) == 0 {
		b.add("Not enough information: set targets for visitors, lead rate, sales rate and order value to check the funnel.\n")
	} else {
		b.printf("%s\n", r.Funnel)
	}
	b.printf("\n%s\n", Text("Quick wins").Strong())
	if len(r.QuickWins) == 0 {
		b.add("None yet: score actions by impact and effort to find them.\n")
	}
	for _, a := range r.QuickWins {
		b.printf("• %s (impact %d, effort %d)\n", User(a.Text), a.Impact, a.Effort)
	}
	return trimNewlines(b.msg())
}

// Findings lists everything the review found wrong, in the order it says
// them; a plan with none is clean. Quick wins are advice, not findings.
func (r Review) Findings() []Msg {
	var out []Msg
	for _, ms := range [][]Msg{r.Gaps, r.Thin, r.KPIs, r.Rates, r.Actions, r.Dates} {
		out = append(out, ms...)
	}
	if len(r.Budget) > 0 {
		out = append(out, r.Budget)
	}
	if r.FunnelOff {
		out = append(out, r.Funnel)
	}
	return out
}
