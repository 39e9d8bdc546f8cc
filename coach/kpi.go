package coach

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/racebot/racebot/flows"
)

// kpi opens a stage's KPI step: the named stage, or the one the plan is in.
func (s *Service) kpi(ctx context.Context, req Request, stage string) (Response, error) {
	return s.commitChanges(ctx, req, func(p *flows.Plan) (flows.Outcome, error) {
		si := p.Cursor.Stage
		if stage != "" {
			i, ok := s.cat.Stage(stage)
			if !ok {
				return flows.Outcome{}, flows.UserErrorf(flows.ErrBadInput, "There is no stage called %q. Try one of %s.", flows.User(stage), strings.Join(s.cat.StageNames(), ", "))
			}
			si = i
		}
		st := s.cat.Stages[si]
		if len(st.KPIs) == 0 {
			return flows.Outcome{}, flows.UserErrorf(flows.ErrBadInput, "%s has no KPIs of its own; its objectives are measured by the later stages. Try %s.", st.Name, flows.Cmd("kpi reach"))
		}
		return flows.OpenKPIs(s.cat, p, si, flows.Input{User: req.User, Now: req.Now}), nil
	})
}

// Values records KPI values from a line such as "visitors 12.4k, leads 310",
// in a check-in when req.Checkin is set. What it understood is recorded and
// said back; what it could not read is asked about, and changes nothing.
func (s *Service) Values(ctx context.Context, req Request, text string) (Response, error) {
	p, err := s.pick(ctx, req, "")
	if err != nil {
		return Response{}, err
	}
	read, err := readValuesOf(p, text, req)
	if err != nil {
		return Response{}, err
	}
	// A message's values are recorded once, however they come: its
	// reply in a check-in's thread, and "Add to RACE plan" on it by
	// anyone, any number of times.
	if src := source(req); src != "" {
		unlock, err := s.turns.lock(ctx, p.ID)
		if err != nil {
			return Response{}, fmt.Errorf("wait for the plan: %w", err)
		}
		defer unlock()
		old, err := s.valueFrom(ctx, req.Team, p.ID, src)
		if err != nil {
			return Response{}, err
		}
		if old != nil {
			return s.sourceTaken(ctx, req, p)
		}
	}
	read, gone, err := s.recordValues(ctx, req, p, read)
	switch {
	case errors.Is(err, flows.ErrDuplicate):
		return Response{Plan: p, Duplicate: true}, nil
	case errors.Is(err, flows.ErrConflict) && source(req) != "":
		// Another racebot recorded values from the message meanwhile.
		return s.sourceTaken(ctx, req, p)
	}
	if err != nil {
		return Response{}, err
	}
	said := flows.Sayf("Recorded: %s", read.said())
	if gone != nil {
		said = said.Append(" ", gone)
	}
	if notes := s.checkinNotes(ctx, req, p, read.ms); notes != nil {
		said = said.Append(" ", notes)
	}
	return Response{Plan: p, Changed: true, Replies: []flows.Reply{{Kind: flows.ReplyValues, Msg: said}}}, nil
}

// recordValues records read's values of plan p. A KPI they are for may
// have been removed after p was loaded (the message that set it deleted,
// perhaps through another racebot whose change this one's cache had not
// seen yet), and the store then records none of them: the rest are
// recorded without it, and gone says which went. When nothing is left,
// nothing is recorded and the error says why.
func (s *Service) recordValues(ctx context.Context, req Request, p *flows.Plan, read valuesRead) (kept valuesRead, gone flows.Msg, err error) {
	err = s.store.RecordMeasurements(ctx, req.Team, p.ID, read.ms, req.Key)
	if errors.Is(err, flows.ErrNoPlan) {
		now, perr := s.store.Plan(ctx, req.Team, p.ID)
		if perr != nil {
			return read, nil, fmt.Errorf("record values: %w", perr)
		}
		if kept, gone = read.in(now); gone != nil {
			if len(kept.ms) == 0 {
				return read, nil, &flows.UserError{Err: flows.ErrBadInput, Msg: gone}
			}
			read = kept
			err = s.store.RecordMeasurements(ctx, req.Team, p.ID, read.ms, req.Key)
		}
	}
	if err != nil {
		err = fmt.Errorf("record values: %w", err)
	}
	return read, gone, err
}

// sourceTaken answers values from a message (req) that gave plan p values
// already: nothing when req is that delivery again, else a refusal.
func (s *Service) sourceTaken(ctx context.Context, req Request, p *flows.Plan) (Response, error) {
	if again, err := s.deliveredAgain(ctx, req); err != nil || again {
		return Response{Plan: p, Duplicate: again}, err
	}
	return Response{}, flows.UserErrorf(flows.ErrBadInput, "The values of this message are in the plan already.")
}

// valueTime is when values were given: the time of the message they
// were written in (its TS, or Written where the transport keeps no TS),
// when it is known and past, else req.Now. Slack may deliver a
// correction before the message it corrects (a retry comes a minute
// later; a direct message after a restart); the check-in must still end
// with the correction. Values an edit gives to a reply that gave none
// (see EditMessage) were given when it was edited.
func valueTime(req Request) time.Time {
	if !req.Edited.IsZero() {
		return req.Edited
	}
	at, ok := MessageTime(req.TS)
	if !ok {
		at, ok = req.Written, !req.Written.IsZero()
	}
	if ok && at.Before(req.Now) {
		return at.In(req.Now.Location())
	}
	return req.Now
}

// readValues reads a line of KPI values for the plan as req gives them,
// and says what it understood and what it could not read.
func readValues(p *flows.Plan, text string, req Request) ([]flows.Measurement, flows.Msg, error) {
	read, err := readValuesOf(p, text, req)
	if err != nil {
		return nil, nil, err
	}
	return read.ms, read.said(), nil
}

// valuesRead is what was read of a line of values: each value, what it
// says of it, and what could not be read.
type valuesRead struct {
	ms       []flows.Measurement
	got      []flows.Msg
	problems []error
}

// said says what was read, as "Recorded: " goes on.
func (v valuesRead) said() flows.Msg {
	said := flows.Sayf("%s.", flows.Join(v.got, ", "))
	if len(v.problems) > 0 {
		said = said.Append(" ", flows.ProblemText(v.problems))
	}
	return said
}

// in keeps the values of KPIs p still has, and says which it dropped
// (nil when none): they were removed since the values were read.
func (v valuesRead) in(p *flows.Plan) (valuesRead, flows.Msg) {
	kept := valuesRead{problems: v.problems}
	var names []flows.Msg
	for i, m := range v.ms {
		if slices.ContainsFunc(p.KPIs, func(k flows.KPI) bool { return k.ID == m.KPI }) {
			kept.ms = append(kept.ms, m)
			kept.got = append(kept.got, v.got[i])
			continue
		}
		names = append(names, v.got[i])
	}
	if len(names) == 0 {
		return v, nil
	}
	their := "its KPI was"
	if len(names) > 1 {
		their = "their KPIs were"
	}
	return kept, flows.Sayf("Not recorded: %s, as %s removed from the plan just now.", flows.Join(names, ", "), flows.Text(their))
}

// readValuesOf reads values from text for p's KPIs, or fails with what
// could not be read when nothing could.
func readValuesOf(p *flows.Plan, text string, req Request) (valuesRead, error) {
	if len(p.KPIs) == 0 {
		return valuesRead{}, flows.UserErrorf(flows.ErrBadInput, "This plan has no KPIs yet, so there is nothing to record values for. Set some with %s.", flows.Cmd("kpi"))
	}
	if strings.TrimSpace(text) == "" {
		return valuesRead{}, flows.UserErrorf(flows.ErrBadInput, "Write the values after the command, for example %s.", flows.Cmd("values "+flows.ValuesExample(p.KPIs)))
	}
	readings, problems := flows.ParseReadingsIn(text, p.KPIs)
	read := valuesRead{ms: make([]flows.Measurement, 0, len(readings))}
	for _, r := range readings {
		k, ok := flows.KPIByKey(p.KPIs, r.KPI)
		if !ok {
			continue
		}
		// A value in another currency, or a share past 100%, is refused
		// like one that can't be read: it is never reported recorded.
		v, err := flows.CheckReading(k, r.Value)
		if err != nil {
			problems = append(problems, err)
			continue
		}
		read.ms = append(read.ms, flows.Measurement{KPI: k.ID, Value: v, At: valueTime(req), By: req.User, Checkin: req.Checkin, Source: source(req), Edited: req.Edited})
		read.got = append(read.got, flows.Sayf("%s %s", flows.User(k.Name), flows.FormatValue(v)))
	}
	if len(read.ms) == 0 {
		if len(readings) > 0 {
			why := make([]flows.Msg, len(problems))
			for i, err := range problems {
				why[i] = flows.Explain(err)
			}
			return valuesRead{}, flows.UserErrorf(flows.ErrBadValue, "Not recorded: %s", flows.Join(why, " "))
		}
		return valuesRead{}, flows.UserErrorf(flows.ErrBadInput, "I couldn't read any values there. %sWrite them like %s.", flows.ProblemText(problems), flows.Code(flows.ValuesExample(p.KPIs)))
	}
	read.problems = problems
	return read, nil
}

// schedule runs the check-in schedule commands. Setting, pausing and
// resuming are idempotent, so their key is recorded after the change: a
// crash in between leaves a retry that sets the same thing again. A
// delivery whose key is recorded already changes nothing: it may come
// after someone else's opposite command (a retried "pause" after a
// "resume").
func (s *Service) schedule(ctx context.Context, req Request, cmd flows.Command) (Response, error) {
	if s.schedules == nil {
		return Response{}, flows.UserErrorf(flows.ErrBadInput, "Scheduled check-ins run where racebot is connected to Slack; here you can record values with %s and see progress with %s.", flows.Cmd("values"), flows.Cmd("report"))
	}
	p, err := s.pick(ctx, req, "")
	if err != nil {
		return Response{}, err
	}
	if req.Key != "" {
		seen, err := s.Handled(ctx, req.Team, req.Key)
		if err != nil {
			return Response{}, err
		}
		if seen {
			return Response{Plan: p, Duplicate: true}, nil
		}
	}
	zone := req.Zone
	if zone == nil {
		zone = time.UTC
	}
	var text flows.Msg
	switch cmd.Name {
	case "checkin":
		if cmd.Arg == "" {
			return Response{}, flows.UserErrorf(flows.ErrBadInput, "Say when, for example %s.", flows.Cmd("checkin every monday 09:00 "+zone.String()))
		}
		info, err := s.schedules.SetSchedule(ctx, req.Team, p.ID, cmd.Arg, zone, req.User, req.Now)
		if err != nil {
			return Response{}, err
		}
		var paused flows.Msg
		if info.Paused {
			paused = flows.Sayf(" — paused (%s to restart)", flows.Cmd("resume"))
		}
		text = flows.Sayf("Check-ins for %q: %s%s.\n%s", flows.User(p.Name), info.Describe, paused, flows.UpcomingText(info, zone))
	case "schedule":
		info, err := s.schedules.ScheduleInfo(ctx, req.Team, p.ID, 5, req.Now)
		if err != nil {
			return Response{}, err
		}
		text = flows.ScheduleText(p, info, zone)
	case "pause", "resume":
		paused := cmd.Name == "pause"
		if err := s.schedules.SetPaused(ctx, req.Team, p.ID, paused, req.Now); err != nil {
			return Response{}, err
		}
		text = flows.Sayf("Check-ins for %q are paused; %s starts them again.", flows.User(p.Name), flows.Cmd("resume"))
		if !paused {
			text = flows.Sayf("Check-ins for %q are running again from the next slot.", flows.User(p.Name))
		}
	}
	return s.said(ctx, req, Response{Plan: p, Replies: []flows.Reply{{Kind: flows.ReplySchedule, Msg: text}}})
}
