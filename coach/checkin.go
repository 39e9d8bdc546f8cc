package coach

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"github.com/racebot/racebot/flows"
)

// CheckinStore keeps KPI check-ins. Nudges and closes are claimed one at a
// time by flipping a flag, so a restart, a shutdown or a second racebot
// never nudges or closes one twice, and never leaves a batch claimed but
// not posted.
type CheckinStore interface {
	CreateCheckin(ctx context.Context, team string, c flows.Checkin) (int64, error)
	SetCheckinMessages(ctx context.Context, id int64, thread, summary string) error
	CheckinByThread(ctx context.Context, team, channel, thread string) (flows.Checkin, error)
	CheckinByID(ctx context.Context, team string, id int64) (flows.Checkin, error)
	// CheckinByOccurrence fails with flows.ErrNoCheckin when none was
	// opened for the occurrence.
	CheckinByOccurrence(ctx context.Context, team string, plan flows.PlanID, occurrence string) (flows.Checkin, error)
	// LatestCheckin is the plan's check-in posted last, open or closed;
	// it fails with flows.ErrNoCheckin when none was posted.
	LatestCheckin(ctx context.Context, team string, plan flows.PlanID) (flows.Checkin, error)
	ClaimNudge(ctx context.Context, now time.Time) (flows.Checkin, bool, error)
	ClaimClose(ctx context.Context, now time.Time) (flows.Checkin, bool, error)
	// MarkSummaryOverdrawn marks the summary as possibly behind the
	// values, with a mark (not 0) naming the drawing about to be made,
	// in one transaction: it keeps the greater of the mark it had plus
	// one and mark, and returns the one it had (0 for none).
	// ClearSummaryOverdrawn clears it if it is still mark: a drawing
	// marked before another never clears it.
	MarkSummaryOverdrawn(ctx context.Context, id, mark int64) (previous int64, err error)
	ClearSummaryOverdrawn(ctx context.Context, id, mark int64) error
}

// Check-in timing defaults: a weekly check-in nudges the next day and
// closes after three.
const (
	DefaultNudgeAfter = 24 * time.Hour
	DefaultCloseAfter = 72 * time.Hour
)

// CheckinView is a check-in with what it takes to say anything about it:
// its plan and every value recorded for the plan's KPIs.
type CheckinView struct {
	Checkin flows.Checkin
	Plan    *flows.Plan
	Values  map[int64][]flows.Measurement
	// Resumed is set by OpenCheckin when an earlier try opened the
	// check-in: what that try posted may be out, recorded or not.
	Resumed bool
}

// Summary is the check-in's progress as of now.
func (v CheckinView) Summary(now time.Time) flows.CheckinSummary {
	return flows.SummarizeCheckin(v.Plan.KPIs, v.Values, v.Checkin.ID, now)
}

// OpenCheckin records a new check-in of a plan before anything is posted,
// so replies that arrive the moment its thread appears already find it.
// The transport posts it and reports the messages with CheckinPosted.
//
// A scheduled check-in (occurrence set) is recorded once. When its
// occurrence has one already, from a try whose post certainly did not go
// out or from a racebot that stopped mid-post, that one is returned with
// whatever messages it has, for the transport to find or post the rest:
// a new row would leave the first one behind, unposted and never closed.
func (s *Service) OpenCheckin(ctx context.Context, team string, plan flows.PlanID, occurrence string, late bool, now time.Time) (CheckinView, error) {
	p, err := s.store.Plan(ctx, team, plan)
	if err != nil {
		return CheckinView{}, fmt.Errorf("load plan: %w", err)
	}
	ms, err := s.store.Measurements(ctx, team, plan)
	if err != nil {
		return CheckinView{}, fmt.Errorf("load values: %w", err)
	}
	if occurrence != "" {
		c, err := s.store.CheckinByOccurrence(ctx, team, plan, occurrence)
		switch {
		case err == nil:
			return CheckinView{Checkin: c, Plan: p, Values: ms, Resumed: true}, nil
		case !errors.Is(err, flows.ErrNoCheckin):
			return CheckinView{}, err
		}
	}
	loc, err := s.checkinZone(ctx, team, plan, now)
	if err != nil {
		return CheckinView{}, err
	}
	c := flows.Checkin{
		Team: team, Plan: plan, Occurrence: occurrence, Channel: p.Channel, Late: late,
		OpenedAt: now, NudgeAt: flows.OnTheClock(now, s.nudgeAfter, loc), CloseAt: flows.OnTheClock(now, s.closeAfter, loc),
	}
	id, err := s.store.CreateCheckin(ctx, team, c)
	if err != nil {
		return CheckinView{}, err
	}
	c.ID = id
	return CheckinView{Checkin: c, Plan: p, Values: ms}, nil
}

// checkinZone is the zone a plan's check-ins keep time in: its schedule's,
// or the service's for a plan without one.
func (s *Service) checkinZone(ctx context.Context, team string, plan flows.PlanID, now time.Time) (*time.Location, error) {
	if s.schedules == nil {
		return s.loc, nil
	}
	info, err := s.schedules.ScheduleInfo(ctx, team, plan, 0, now)
	switch {
	case errors.Is(err, flows.ErrNoPlan):
		return s.loc, nil
	case err != nil:
		return nil, fmt.Errorf("check-in zone: %w", err)
	case info.Zone == nil:
		return s.loc, nil
	}
	return info.Zone, nil
}

// SummaryMayBeOverdrawn records, before a drawing of check-in id's
// summary, that it may land over newer values another racebot drew (and
// recorded drawn), and returns the mark naming the drawing: should this
// racebot stop before it knows what the summary shows, a tick of any
// racebot once lands has passed draws it again (see
// flows.Checkin.SummaryMark). lands is the latest the drawing can land.
//
// alone reports that no other drawing was marked and may still land: only
// then may the drawing, once it is known to show the latest values,
// clear the mark (SummaryShowsLatest). Another drawing in flight may land
// after it with older values and be killed before its look, so its mark,
// or this one (the later of the two stays), is left for a tick.
func (s *Service) SummaryMayBeOverdrawn(ctx context.Context, id int64, now, lands time.Time) (mark int64, alone bool, err error) {
	// The deadline leads, so that the store keeps the mark that lands
	// last; the random bits tell apart two drawings marked in one
	// millisecond, so that one never clears the other's mark.
	mark = lands.UnixMilli()<<summaryMarkBits | rand.Int64N(1<<summaryMarkBits)
	previous, err := s.store.MarkSummaryOverdrawn(ctx, id, mark)
	if err != nil {
		return 0, false, fmt.Errorf("mark check-in summary: %w", err)
	}
	return mark, !SummaryMarkLive(previous, now), nil
}

// summaryMarkBits are a summary mark's random low bits.
const summaryMarkBits = 16

// SummaryMarkLive reports whether the drawing mark names may still land
// at now: a tick leaves a summary marked so alone, for a later one.
func SummaryMarkLive(mark int64, now time.Time) bool {
	return mark != 0 && now.Before(time.UnixMilli(mark>>summaryMarkBits))
}

// SummaryShowsLatest records that the drawing of check-in id's summary
// named mark is known to show the latest values, unless another drawing
// marked it since: that one may land over newer values still.
func (s *Service) SummaryShowsLatest(ctx context.Context, id, mark int64) error {
	if err := s.store.ClearSummaryOverdrawn(ctx, id, mark); err != nil {
		return fmt.Errorf("clear check-in summary mark: %w", err)
	}
	return nil
}

// CheckinPosted records the opening (thread) and summary messages of a
// check-in once the transport has posted them.
func (s *Service) CheckinPosted(ctx context.Context, id int64, thread, summary string) error {
	if err := s.store.SetCheckinMessages(ctx, id, thread, summary); err != nil {
		return fmt.Errorf("record check-in thread: %w", err)
	}
	return nil
}

// Checkin loads a check-in of the team with its plan and values.
func (s *Service) Checkin(ctx context.Context, team string, id int64) (CheckinView, error) {
	c, err := s.store.CheckinByID(ctx, team, id)
	if err != nil {
		return CheckinView{}, err
	}
	return s.view(ctx, c)
}

func (s *Service) view(ctx context.Context, c flows.Checkin) (CheckinView, error) {
	p, err := s.store.Plan(ctx, c.Team, c.Plan)
	if err != nil {
		return CheckinView{}, fmt.Errorf("check-in %d: plan: %w", c.ID, err)
	}
	ms, err := s.store.Measurements(ctx, c.Team, c.Plan)
	if err != nil {
		return CheckinView{}, fmt.Errorf("check-in %d: values: %w", c.ID, err)
	}
	return CheckinView{Checkin: c, Plan: p, Values: ms}, nil
}

// PostedCheckins lists the check-ins of every workspace that are posted
// with their summary and not yet closed, each with its plan and values as
// stored now: values recorded by another process on the store (the
// terminal, another racebot) are in them, for the transport to bring a
// summary up to date that nobody here refreshed.
func (s *Service) PostedCheckins(ctx context.Context) ([]CheckinView, error) {
	if s.reminders == nil {
		return nil, nil
	}
	open, err := s.reminders.OpenCheckins(ctx)
	if err != nil {
		return nil, err
	}
	var out []CheckinView
	for _, c := range open {
		if c.SummaryTS == "" {
			continue
		}
		v, err := s.view(ctx, c)
		switch {
		case errors.Is(err, flows.ErrNoPlan):
			// Deleted since the list was read.
			continue
		case err != nil:
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}

// ClaimNudge claims the next check-in due for its reminder, reporting false
// when none is.
func (s *Service) ClaimNudge(ctx context.Context, now time.Time) (CheckinView, bool, error) {
	return s.claimed(ctx, now, s.store.ClaimNudge)
}

// ClaimClose claims the next check-in due to close.
func (s *Service) ClaimClose(ctx context.Context, now time.Time) (CheckinView, bool, error) {
	return s.claimed(ctx, now, s.store.ClaimClose)
}

func (s *Service) claimed(ctx context.Context, now time.Time, claim func(context.Context, time.Time) (flows.Checkin, bool, error)) (CheckinView, bool, error) {
	c, ok, err := claim(ctx, now)
	if err != nil || !ok {
		return CheckinView{}, false, err
	}
	v, err := s.view(ctx, c)
	if err != nil {
		return CheckinView{}, false, err
	}
	return v, true, nil
}

// SubmitValues records the values of a check-in's form, one field per KPI
// key. A field that cannot be read is returned in flows.FieldErrors by KPI
// key and nothing is recorded; empty fields are skipped. A check-in of
// another channel than req.Channel is refused with ErrOtherChannel.
func (s *Service) SubmitValues(ctx context.Context, req Request, checkin int64, fields map[string]string) (Response, CheckinView, error) {
	req.Checkin = checkin
	v, err := s.CheckinFor(ctx, req)
	if err != nil {
		return Response{}, CheckinView{}, err
	}
	var read valuesRead
	errs := flows.FieldErrors{}
	for _, k := range v.Plan.KPIs {
		raw := strings.TrimSpace(fields[k.Key])
		if raw == "" {
			continue
		}
		val, err := flows.ParseKPIValue(raw, k)
		if err == nil {
			val, err = flows.CheckReading(k, val)
		}
		if err != nil {
			errs[k.Key] = flows.Explain(err)
			continue
		}
		read.ms = append(read.ms, flows.Measurement{KPI: k.ID, Value: val, At: req.Now, By: req.User, Checkin: v.Checkin.ID})
		read.got = append(read.got, flows.Sayf("%s %s", flows.User(k.Name), flows.FormatValue(val)))
	}
	if len(errs) > 0 {
		return Response{}, v, errs
	}
	if len(read.ms) == 0 {
		return Response{Plan: v.Plan}, v, nil
	}
	read, gone, err := s.recordValues(ctx, req, v.Plan, read)
	switch {
	case errors.Is(err, flows.ErrDuplicate):
		return Response{Plan: v.Plan, Duplicate: true}, v, nil
	case err != nil:
		return Response{}, v, err
	}
	text := flows.Sayf("%s recorded: %s.", flows.Person(req.User), flows.Join(read.got, ", "))
	if gone != nil {
		text = text.Append(" ", gone)
	}
	if notes := s.checkinNotes(ctx, req, v.Plan, read.ms); notes != nil {
		text = text.Append(" ", notes)
	}
	return Response{Plan: v.Plan, Changed: true, Replies: []flows.Reply{{Kind: flows.ReplyValues, Msg: text}}}, v, nil
}

// checkinNotes says what values just recorded in a check-in (read.ms) mean
// beside what else is in it: whose value by another person each replaced,
// or whose later one stays the check-in's (see flows.ValueReplaced), and
// that the check-in is an older one than the plan's latest. They are read
// back after the record, so of two people recording one KPI at once the
// one recorded second sees the other's value. A read that fails leaves
// its note out: the values are recorded, and the summary names who gave
// a value when more than one person did.
func (s *Service) checkinNotes(ctx context.Context, req Request, p *flows.Plan, ms []flows.Measurement) flows.Msg {
	if len(ms) == 0 || ms[0].Checkin == 0 {
		return nil
	}
	var notes []flows.Msg
	if all, err := s.store.Measurements(ctx, req.Team, p.ID); err == nil {
		for _, m := range ms {
			i := slices.IndexFunc(p.KPIs, func(k flows.KPI) bool { return k.ID == m.KPI })
			if i < 0 {
				continue
			}
			if n := flows.ValueReplaced(p.KPIs[i], all[m.KPI], m); n != nil {
				notes = append(notes, n)
			}
		}
	}
	if n := s.olderCheckin(ctx, req.Team, p.ID, ms[0].Checkin, req.Now); n != nil {
		notes = append(notes, n)
	}
	if len(notes) == 0 {
		return nil
	}
	return flows.Join(notes, " ")
}

// olderCheckin says so when check-in id is not the plan's latest.
func (s *Service) olderCheckin(ctx context.Context, team string, plan flows.PlanID, id int64, now time.Time) flows.Msg {
	latest, err := s.store.LatestCheckin(ctx, team, plan)
	if err != nil || latest.ID == id {
		return nil
	}
	c, err := s.store.CheckinByID(ctx, team, id)
	if err != nil || !latest.OpenedAt.After(c.OpenedAt) {
		return nil
	}
	loc, err := s.checkinZone(ctx, team, plan, now)
	if err != nil {
		loc = s.loc
	}
	return flows.OlderCheckinText(c.OpenedAt.In(loc), latest.OpenedAt.In(loc))
}
