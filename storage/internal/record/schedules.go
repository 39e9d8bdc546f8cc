package record

import (
	"github.com/racebot/racebot/coach"
	"github.com/racebot/racebot/flows"
	"github.com/racebot/racebot/scheduler"
)

// CheckinColumns are the columns Checkin reads, in its order, from
// checkins c joined with plans p.
const CheckinColumns = `c.id, p.team_id, c.plan_id, c.occurrence, c.channel_id, c.thread, c.summary_ts, c.late,
	c.opened_at, c.nudge_at, c.close_at, c.nudged, c.closed, c.summary_mark`

// Checkin reads a check-in's row (CheckinColumns). A scan error is
// returned as it is, so the caller can tell no row from a failure.
func Checkin(scan Scan) (flows.Checkin, error) {
	var c flows.Checkin
	var opened, nudge, closeAt int64
	err := scan(&c.ID, &c.Team, &c.Plan, &c.Occurrence, &c.Channel, &c.Thread, &c.SummaryTS, &c.Late,
		&opened, &nudge, &closeAt, &c.Nudged, &c.Closed, &c.SummaryMark)
	c.OpenedAt, c.NudgeAt, c.CloseAt = FromMillis(opened), FromMillis(nudge), FromMillis(closeAt)
	return c, err
}

// ScheduleColumns are the columns Schedule reads, in its order, from
// schedules s joined with plans p.
const ScheduleColumns = `p.team_id, s.plan_id, s.spec, s.zone, s.paused, s.created_by, s.created_at, s.updated_at, s.last_due`

// Schedule reads a schedule's row (ScheduleColumns). A scan error is
// returned as it is.
func Schedule(scan Scan) (scheduler.Schedule, error) {
	var (
		r                      scheduler.Schedule
		created, updated, last int64
	)
	if err := scan(&r.Team, &r.Plan, &r.Spec, &r.Zone, &r.Paused, &r.CreatedBy, &created, &updated, &last); err != nil {
		return scheduler.Schedule{}, err
	}
	r.CreatedAt, r.UpdatedAt, r.LastDue = FromMillis(created), FromMillis(updated), FromMillis(last)
	return r, nil
}

// OccurrenceColumns are the columns Occurrence reads, in its order, from
// occurrences o.
const OccurrenceColumns = `o.plan_id, o.key, o.due_at, o.state, o.claimed_by, o.claimed_at, o.finished_at, o.note, o.checkin_id,
	o.missed, o.attempts, o.retry_at`

// Occurrence reads a run log entry (OccurrenceColumns); the times and the
// check-in of an occurrence not finished, posted or retried are NULL.
func Occurrence(scan Scan) (scheduler.Occurrence, error) {
	var (
		o                          scheduler.Occurrence
		state                      string
		due, claimed               int64
		finished, checkin, retryAt *int64
	)
	if err := scan(&o.Plan, &o.Key, &due, &state, &o.ClaimedBy, &claimed, &finished, &o.Note, &checkin,
		&o.Missed, &o.Attempts, &retryAt); err != nil {
		return scheduler.Occurrence{}, err
	}
	o.State, o.Due, o.ClaimedAt = scheduler.State(state), FromMillis(due), FromMillis(claimed)
	if checkin != nil {
		o.Checkin = *checkin
	}
	if finished != nil {
		o.FinishedAt = FromMillis(*finished)
	}
	if retryAt != nil {
		o.RetryAt = FromMillis(*retryAt)
	}
	return o, nil
}

// Threads reads catch-up rows (team, channel, thread, plan, check-in, the
// latest message read back) into out.
func Threads(out *[]coach.Thread) Reader {
	return func(scan Scan) error {
		var t coach.Thread
		if err := scan(&t.Team, &t.Channel, &t.Thread, &t.Plan, &t.Checkin, &t.Read); err != nil {
			return err
		}
		*out = append(*out, t)
		return nil
	}
}
