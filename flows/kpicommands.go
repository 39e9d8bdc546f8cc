package flows

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
)

// kpi opens a stage's KPI step: the named stage, or the one the plan is in.
func (c *Coach) kpi(ctx context.Context, req Request, stage string) (Response, error) {
	return c.commitChanges(ctx, req, func(p *Plan) (Outcome, error) {
		si := p.Cursor.Stage
		if stage != "" {
			i, ok := c.Catalogue.Stage(stage)
			if !ok {
				return Outcome{}, userErr(ErrBadInput, "There is no stage called %q. Try one of %s.", stage, strings.Join(c.Catalogue.StageNames(), ", "))
			}
			si = i
		}
		st := c.Catalogue.Stages[si]
		if len(st.KPIs) == 0 {
			return Outcome{}, userErr(ErrBadInput, "%s has no KPIs of its own; its objectives are measured by the later stages. Try `/race kpi reach`.", st.Name)
		}
		s := &stepper{cat: c.Catalogue, in: Input{User: req.User, Now: req.Now}, out: Outcome{Plan: p.Clone()}}
		s.move(Cursor{Stage: si, Phase: PhaseKPIs})
		return s.out, nil
	})
}

func funnelText(p *Plan) string {
	f := Funnel(p.KPIs)
	if len(f.Lines) == 0 {
		return "Not enough targets yet to check the funnel: set KPIs for visitors (Reach), lead rate (Act), sales rate, order value and revenue (Convert)."
	}
	return f.Text()
}

// Values records KPI values from a line such as "visitors 12.4k, leads 310",
// in a check-in when req.Checkin is set. What it understood is recorded and
// said back; what it could not read is asked about, and changes nothing.
func (c *Coach) Values(ctx context.Context, req Request, text string) (Response, error) {
	p, err := c.pick(ctx, req, "")
	if err != nil {
		return Response{}, err
	}
	if len(p.KPIs) == 0 {
		return Response{}, userErr(ErrBadInput, "This plan has no KPIs yet, so there is nothing to record values for. Set some with `/race kpi`.")
	}
	if strings.TrimSpace(text) == "" {
		return Response{}, userErr(ErrBadInput, "Write the values after the command, for example `values %s`.", valuesExample(p.KPIs))
	}
	readings, problems := ParseReadings(text, KPIResolver(p.KPIs))
	if len(readings) == 0 {
		return Response{}, userErr(ErrBadInput, "I couldn't read any values there. %sWrite them like `%s`.", problemText(problems), valuesExample(p.KPIs))
	}
	ms := make([]Measurement, 0, len(readings))
	var got []string
	for _, r := range readings {
		k, ok := kpiByKey(p.KPIs, r.KPI)
		if !ok {
			continue
		}
		ms = append(ms, Measurement{KPI: k.ID, Value: r.Value, At: req.Now, By: req.User, Checkin: req.Checkin})
		got = append(got, fmt.Sprintf("%s %s", k.Name, FormatValue(r.Value)))
	}
	err = c.Store.RecordMeasurements(ctx, req.Team, p.ID, ms, req.Key)
	if errors.Is(err, ErrDuplicate) {
		return Response{Plan: p, Duplicate: true}, nil
	}
	if err != nil {
		return Response{}, fmt.Errorf("record values: %w", err)
	}
	msg := "Recorded: " + strings.Join(got, ", ") + "."
	if len(problems) > 0 {
		msg += " " + problemText(problems)
	}
	return Response{Plan: p, Changed: true, Replies: []Reply{{Kind: ReplyValues, Text: msg}}}, nil
}

func kpiByKey(kpis []KPI, key string) (KPI, bool) {
	for _, k := range kpis {
		if k.Key == key {
			return k, true
		}
	}
	return KPI{}, false
}

func problemText(errs []error) string {
	var msgs []string
	for _, err := range errs {
		msgs = append(msgs, Explain(err))
	}
	if len(msgs) == 0 {
		return ""
	}
	return "Not recorded: " + strings.Join(msgs, " ") + " "
}

func valuesExample(kpis []KPI) string {
	var parts []string
	for _, k := range kpis[:min(2, len(kpis))] {
		parts = append(parts, k.Key+" "+kpiExample(k.Unit))
	}
	return strings.Join(parts, ", ")
}

// schedule runs the check-in schedule commands.
func (c *Coach) schedule(ctx context.Context, req Request, cmd Command) (Response, error) {
	if c.Schedules == nil {
		return Response{}, userErr(ErrBadInput, "Scheduled check-ins run where racebot is connected to Slack; here you can record values with `values` and see progress with `report`.")
	}
	p, err := c.pick(ctx, req, "")
	if err != nil {
		return Response{}, err
	}
	zone := req.Zone
	if zone == nil {
		zone = time.UTC
	}
	var text string
	switch cmd.Name {
	case "checkin":
		if cmd.Arg == "" {
			return Response{}, userErr(ErrBadInput, "Say when, for example `/race checkin every monday 09:00 %s`.", zone.String())
		}
		info, err := c.Schedules.SetSchedule(ctx, req.Team, p.ID, cmd.Arg, zone, req.User, req.Now)
		if err != nil {
			return Response{}, err
		}
		text = fmt.Sprintf("Check-ins for %q: %s.\n%s", p.Name, info.Describe, upcomingText(info, zone))
	case "schedule":
		info, err := c.Schedules.ScheduleInfo(ctx, req.Team, p.ID, 5, req.Now)
		if err != nil {
			return Response{}, err
		}
		text = scheduleText(p, info, zone)
	case "pause", "resume":
		paused := cmd.Name == "pause"
		if err := c.Schedules.SetPaused(ctx, req.Team, p.ID, paused, req.Now); err != nil {
			return Response{}, err
		}
		text = fmt.Sprintf("Check-ins for %q are paused; `/race resume` starts them again.", p.Name)
		if !paused {
			text = fmt.Sprintf("Check-ins for %q are running again from the next slot.", p.Name)
		}
	}
	return Response{Plan: p, Replies: []Reply{{Kind: ReplySchedule, Text: text}}}, nil
}

// upcomingText lists the next runs in the team's zone and, when it differs,
// the viewer's own.
func upcomingText(info ScheduleInfo, viewer *time.Location) string {
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

func scheduleText(p *Plan, info ScheduleInfo, viewer *time.Location) string {
	var b strings.Builder
	fmt.Fprintf(&b, "*Check-ins for %s*: %s", p.Name, info.Describe)
	if info.Paused {
		b.WriteString(" — paused (`/race resume` to restart)")
	}
	b.WriteString("\n" + upcomingText(info, viewer))
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
