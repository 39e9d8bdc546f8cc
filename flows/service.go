package flows

import (
	"fmt"
	"strings"
	"time"
)

// This file holds what the coaching service (package coach) needs of the
// rules and the wording: the service decides what happens, flows says it.

// NewUserError is bad input explained in one sentence, for the service's
// own checks.
func NewUserError(sentinel error, format string, args ...any) error {
	return userErr(sentinel, format, args...)
}

// HelpText lists the commands.
func HelpText() string { return helpText() }

// PlansText lists a channel's plans, marking the current one.
func PlansText(cat *Catalogue, plans []*Plan, current PlanID) string {
	return plansText(cat, plans, current)
}

// OpenKPIs moves a plan to a stage's KPI step.
func OpenKPIs(cat *Catalogue, p *Plan, stage int, in Input) Outcome {
	s := &stepper{cat: cat, in: in, out: Outcome{Plan: p.Clone()}}
	s.move(Cursor{Stage: stage, Phase: PhaseKPIs})
	return s.out
}

// FunnelText checks the plan's funnel, or says which targets are missing.
func FunnelText(p *Plan) string {
	f := Funnel(p.KPIs)
	if len(f.Lines) == 0 {
		return "Not enough targets yet to check the funnel: set KPIs for visitors (Reach), lead rate (Act), sales rate, order value and revenue (Convert)."
	}
	return f.Text()
}

// KPIByKey finds a plan's KPI by its key.
func KPIByKey(kpis []KPI, key string) (KPI, bool) {
	for _, k := range kpis {
		if k.Key == key {
			return k, true
		}
	}
	return KPI{}, false
}

// ProblemText says which values were not recorded and why; empty when all were.
func ProblemText(errs []error) string {
	var msgs []string
	for _, err := range errs {
		msgs = append(msgs, Explain(err))
	}
	if len(msgs) == 0 {
		return ""
	}
	return "Not recorded: " + strings.Join(msgs, " ") + " "
}

// ValuesExample is a values line for the plan's first KPIs.
func ValuesExample(kpis []KPI) string {
	var parts []string
	for _, k := range kpis[:min(2, len(kpis))] {
		parts = append(parts, k.Key+" "+kpiExample(k.Unit))
	}
	return strings.Join(parts, ", ")
}

// UpcomingText lists the next runs in the team's zone and, when it differs,
// the viewer's own.
func UpcomingText(info ScheduleInfo, viewer *time.Location) string {
	if len(info.Next) == 0 {
		return "No upcoming check-ins."
	}
	var b strings.Builder
	b.WriteString("Next check-ins:")
	for _, t := range info.Next {
		fmt.Fprintf(&b, "\n• %s", t.In(info.Zone).Format("Mon 2 Jan 2006 15:04 MST"))
		if viewer != nil && viewer.String() != info.Zone.String() {
			fmt.Fprintf(&b, " (your time: %s)", t.In(viewer).Format("Mon 15:04 MST"))
		}
	}
	return b.String()
}

// ScheduleText describes a plan's check-in schedule with its recent runs.
func ScheduleText(p *Plan, info ScheduleInfo, viewer *time.Location) string {
	var b strings.Builder
	fmt.Fprintf(&b, "*Check-ins for %s*: %s", p.Name, info.Describe)
	if info.Paused {
		b.WriteString(" — paused (`/race resume` to restart)")
	}
	b.WriteString("\n" + UpcomingText(info, viewer))
	if len(info.Log) > 0 {
		b.WriteString("\nRecent runs:")
		for _, r := range info.Log {
			fmt.Fprintf(&b, "\n• %s — %s", r.Due.In(info.Zone).Format("Mon 2 Jan 15:04"), r.State)
			if r.Note != "" {
				fmt.Fprintf(&b, " (%s)", r.Note)
			}
		}
	}
	return b.String()
}

// ScheduleInfo is a plan's check-in schedule as people see it.
type ScheduleInfo struct {
	Describe string
	Zone     *time.Location
	Paused   bool
	Next     []time.Time
	Log      []ScheduleRun
}

// ScheduleRun is one past check-in occurrence.
type ScheduleRun struct {
	Due   time.Time
	State string
	Note  string
}
