package scheduler

import (
	"context"
	"errors"
	"time"

	"github.com/racebot/racebot/flows"
	"github.com/racebot/racebot/schedule"
)

// ForCoach lets the coaching service set, show, pause and resume
// schedules.
func (s *Scheduler) ForCoach(h History) CoachSchedules { return CoachSchedules{s: s, h: h} }

// CoachSchedules is the scheduler as the coaching service sees it.
type CoachSchedules struct {
	s *Scheduler
	h History
}

// logShown is how many past runs /race schedule lists.
const logShown = 5

func (c CoachSchedules) SetSchedule(ctx context.Context, team string, plan flows.PlanID, text string, zone *time.Location, user string, now time.Time) (flows.ScheduleInfo, error) {
	spec, err := schedule.Parse(text, zone)
	if err != nil {
		return flows.ScheduleInfo{}, err
	}
	if err := c.s.Set(ctx, team, plan, spec, user); err != nil {
		return flows.ScheduleInfo{}, err
	}
	info := flows.ScheduleInfo{Describe: spec.Describe(), Zone: spec.Zone(), Next: spec.Upcoming(now, logShown)}
	// A paused schedule stays paused when it is changed; whoever changed
	// it is told, rather than shown check-ins that will not come.
	row, err := c.s.store.Schedule(ctx, team, plan)
	if err != nil {
		return flows.ScheduleInfo{}, err
	}
	info.Paused = row.Paused
	return info, nil
}

func (c CoachSchedules) ScheduleInfo(ctx context.Context, team string, plan flows.PlanID, n int, now time.Time) (flows.ScheduleInfo, error) {
	row, err := c.s.store.Schedule(ctx, team, plan)
	if err != nil {
		if isNoSchedule(err) {
			return flows.ScheduleInfo{}, flows.UserErrorf(err, "This plan has no check-in schedule yet. Set one with %s.", flows.Cmd("checkin every monday 09:00 Europe/Berlin"))
		}
		return flows.ScheduleInfo{}, err
	}
	spec, err := c.s.parse(row)
	if err != nil {
		return flows.ScheduleInfo{}, err
	}
	info := flows.ScheduleInfo{Describe: spec.Describe(), Zone: spec.Zone(), Paused: row.Paused, Next: spec.Upcoming(now, n)}
	runs, err := c.h.Occurrences(ctx, team, plan, logShown)
	if err != nil {
		return flows.ScheduleInfo{}, err
	}
	for _, r := range runs {
		info.Log = append(info.Log, flows.ScheduleRun{Due: r.Due, State: shownState(r.State), Note: r.Note})
	}
	return info, nil
}

func (c CoachSchedules) SetPaused(ctx context.Context, team string, plan flows.PlanID, paused bool, _ time.Time) error {
	err := c.s.SetPaused(ctx, team, plan, paused)
	if isNoSchedule(err) {
		return flows.UserErrorf(err, "This plan has no check-in schedule to pause or resume. Set one with %s.", flows.Cmd("checkin every monday 09:00 Europe/Berlin"))
	}
	return err
}

func isNoSchedule(err error) bool { return errors.Is(err, ErrNoSchedule) }

// shownState words the states that are not outcomes for people.
func shownState(s State) string {
	switch s {
	case StateClaimed:
		return "not finished (racebot stopped while posting)"
	case StateRetry:
		return "not posted yet, will retry"
	}
	return string(s)
}
