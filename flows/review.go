package flows

import (
	"fmt"
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
	Gaps      []string
	Thin      []string
	KPIs      []string
	Actions   []string
	Funnel    string
	QuickWins []Action
}

// ReviewPlan runs the built-in checks on a plan and its KPIs.
func ReviewPlan(cat *Catalogue, p *Plan, kpis []KPI, now time.Time) Review {
	var r Review
	for _, st := range cat.Stages {
		var open []string
		for i, q := range st.Steps() {
			a := p.Answers[q.ID]
			switch {
			case a.Text == "":
				open = append(open, fmt.Sprintf("%d", i+1))
			case len([]rune(a.Text)) < thinAnswer && !strings.Contains(a.Text, "\n"):
				r.Thin = append(r.Thin, fmt.Sprintf("%s %d (%q) is one short line; add who, how much and by when.", st.Name, i+1, shorten(a.Text, 40)))
			}
		}
		if len(open) > 0 {
			r.Gaps = append(r.Gaps, fmt.Sprintf("%s: question %s unanswered.", st.Name, strings.Join(open, ", ")))
		}
		if len(st.KPIs) > 0 && !hasStageKPI(kpis, st.ID) {
			r.KPIs = append(r.KPIs, fmt.Sprintf("%s has no KPI yet; candidates: %s.", st.Name, kpiNames(st.KPIs, 3)))
		}
	}
	for _, k := range kpis {
		for _, pr := range CheckTarget(k, now) {
			r.KPIs = append(r.KPIs, fmt.Sprintf("%s: %s", k.Name, pr.Msg))
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
		if len(missing) > 0 {
			r.Actions = append(r.Actions, fmt.Sprintf("%q has no %s.", a.Text, strings.Join(missing, " or ")))
		}
	}
	if len(kpis) > 0 {
		if f := Funnel(kpis); f.Bottleneck != "" || len(f.Lines) > 0 {
			r.Funnel = f.Text()
		}
	}
	for _, a := range p.RankedActions() {
		if len(r.QuickWins) == 3 {
			break
		}
		if a.QuickWin() {
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
func (r Review) Text(planName string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "*Review of %s* (built-in checks)\n", planName)
	section := func(title string, items []string, none string) {
		fmt.Fprintf(&b, "\n*%s*\n", title)
		if len(items) == 0 {
			fmt.Fprintf(&b, "%s\n", none)
			return
		}
		for _, it := range items {
			fmt.Fprintf(&b, "• %s\n", it)
		}
	}
	section("Gaps", r.Gaps, "Every question has an answer.")
	section("Thin answers", r.Thin, "No one-line answers.")
	section("KPIs", r.KPIs, "Every stage has a KPI with a complete SMART target.")
	section("Actions", r.Actions, "Every action has an owner and a due date.")
	b.WriteString("\n*Funnel*\n")
	if r.Funnel == "" {
		b.WriteString("Not enough information: set targets for visitors, lead rate, sales rate and order value to check the funnel.\n")
	} else {
		b.WriteString(r.Funnel + "\n")
	}
	b.WriteString("\n*Quick wins*\n")
	if len(r.QuickWins) == 0 {
		b.WriteString("None yet: score actions by impact and effort to find them.\n")
	}
	for _, a := range r.QuickWins {
		fmt.Fprintf(&b, "• %s (impact %d, effort %d)\n", a.Text, a.Impact, a.Effort)
	}
	return strings.TrimRight(b.String(), "\n")
}
