package flows

import (
	"fmt"
	"strings"
	"time"
)

// This file holds what the coaching service (package coach) needs of the
// rules and the wording: the service decides what happens, flows says it.

// HelpText lists the commands.
func HelpText() Msg { return helpText() }

// PlansText lists a channel's plans, marking the current one.
func PlansText(cat *Catalogue, plans []*Plan, current PlanID) Msg {
	return plansText(cat, plans, current)
}

// OpenKPIs moves a plan to a stage's KPI step.
func OpenKPIs(cat *Catalogue, p *Plan, stage int, in Input) Outcome {
	s := &stepper{cat: cat, in: in, out: Outcome{Plan: p.Clone()}}
	s.move(Cursor{Stage: stage, Phase: PhaseKPIs})
	return s.out
}

// FunnelText checks the plan's funnel, or says which targets are missing.
func FunnelText(p *Plan) Msg {
	f := Funnel(p.KPIs)
	if len(f.Lines) == 0 {
		return Say(Text("Not enough targets yet to check the funnel: set KPIs for visitors (Reach), lead rate (Act), sales rate, order value and revenue (Convert)."))
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
func ProblemText(errs []error) Msg {
	var msgs []Msg
	for _, err := range errs {
		msgs = append(msgs, Explain(err))
	}
	if len(msgs) == 0 {
		return nil
	}
	return Sayf("Not recorded: %s ", Join(msgs, " "))
}

// ValuesExample is a values line for the plan's first KPIs.
func ValuesExample(kpis []KPI) string {
	var parts []string
	for _, k := range kpis[:min(2, len(kpis))] {
		parts = append(parts, k.Key+" "+valueExample(k))
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
func ScheduleText(p *Plan, info ScheduleInfo, viewer *time.Location) Msg {
	var b msgBuilder
	b.printf("%s%s: %s", Text("Check-ins for ").Strong(), User(p.Name).Strong(), info.Describe)
	if info.Paused {
		b.printf(" — paused (%s to restart)", Cmd("resume"))
	}
	b.add("\n" + UpcomingText(info, viewer))
	if len(info.Log) > 0 {
		b.add("\nRecent runs:")
		for _, r := range info.Log {
			b.printf("\n• %s — %s", r.Due.In(info.Zone).Format("Mon 2 Jan 15:04"), r.State)
			if r.Note != "" {
				b.printf(" (%s)", r.Note)
			}
		}
	}
	return b.msg()
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
