package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/racebot/racebot/flows"
)

// ErrNoSchedule means the plan has no check-in schedule. It wraps
// flows.ErrNoPlan, so callers that only ask "is there a schedule for this
// plan?" can branch on either.
var ErrNoSchedule = fmt.Errorf("no schedule: %w", flows.ErrNoPlan)

// ErrNotClaimed means FinishOccurrence found no claimed occurrence to
// finish: it was never claimed, or its outcome is already recorded.
var ErrNotClaimed = errors.New("occurrence not claimed")

// ErrBadState means an occurrence state is not one of the Occurrence*
// constants a finished occurrence can have.
var ErrBadState = errors.New("bad occurrence state")

// States of an occurrence in the run log.
const (
	OccurrenceClaimed  = "claimed"   // a scheduler is posting it, or crashed while it did
	OccurrencePosted   = "posted"    // the check-in was posted on time
	OccurrenceCaughtUp = "caught-up" // posted late, once, for slots missed while down
	OccurrenceSkipped  = "skipped"   // missed, and covered by a later caught-up check-in
	OccurrencePaused   = "paused"    // due while the plan was paused; nothing posted
	OccurrenceFailed   = "failed"    // posting failed; not retried automatically
)

// ScheduleRow is a plan's check-in schedule as stored.
type ScheduleRow struct {
	Team      string
	Plan      flows.PlanID
	Spec      string // canonical schedule text, zone included
	Zone      string // IANA zone name
	Paused    bool
	CreatedBy string
	CreatedAt time.Time
	UpdatedAt time.Time
	// LastDue is the latest occurrence handled (claimed by some scheduler),
	// or when the schedule was set or resumed if that is later. Only
	// occurrences after it are due.
	LastDue time.Time
}

// OccurrenceRow is one entry of a plan's run log.
type OccurrenceRow struct {
	Plan       flows.PlanID
	Key        string
	Due        time.Time
	State      string // one of the Occurrence* constants
	ClaimedBy  string
	ClaimedAt  time.Time
	FinishedAt time.Time // zero while the occurrence is claimed
	Note       string
	Checkin    int64 // 0: nothing was posted
}

// SetSchedule sets a team's plan's check-in schedule, replacing any earlier
// one. spec is the canonical text (schedule.Spec.String) and zone its IANA
// zone name. Occurrences before now never run, so a new or changed schedule
// does not start with a catch-up. A paused schedule stays paused.
func (db *DB) SetSchedule(ctx context.Context, team string, plan flows.PlanID, spec, zone, by string, now time.Time) error {
	if strings.TrimSpace(spec) == "" || strings.TrimSpace(zone) == "" {
		return fmt.Errorf("set schedule: empty spec or zone: %w", flows.ErrBadInput)
	}
	err := db.tx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		if err := teamHasPlan(ctx, tx, team, plan); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `
			INSERT INTO schedules (plan_id, spec, zone, paused, created_by, created_at, updated_at, last_due)
			VALUES (?, ?, ?, 0, ?, ?, ?, ?)
			ON CONFLICT (plan_id) DO UPDATE SET
				spec = excluded.spec, zone = excluded.zone, updated_at = excluded.updated_at,
				last_due = max(schedules.last_due, excluded.last_due)`,
			plan, spec, zone, by, millis(now), millis(now), millis(now))
		return err
	})
	if err != nil {
		return fmt.Errorf("set schedule: %w", err)
	}
	return nil
}

const scheduleColumns = `p.team_id, s.plan_id, s.spec, s.zone, s.paused, s.created_by, s.created_at, s.updated_at, s.last_due`

func scanSchedule(scan func(...any) error) (ScheduleRow, error) {
	var (
		r                      ScheduleRow
		created, updated, last int64
	)
	if err := scan(&r.Team, &r.Plan, &r.Spec, &r.Zone, &r.Paused, &r.CreatedBy, &created, &updated, &last); err != nil {
		return ScheduleRow{}, err
	}
	r.CreatedAt, r.UpdatedAt, r.LastDue = fromMillis(created), fromMillis(updated), fromMillis(last)
	return r, nil
}

// Schedule returns a team's plan's schedule. It fails with flows.ErrNoPlan
// for a plan the team does not have and ErrNoSchedule (which also matches
// flows.ErrNoPlan) when the plan has no schedule.
func (db *DB) Schedule(ctx context.Context, team string, plan flows.PlanID) (ScheduleRow, error) {
	var r ScheduleRow
	err := db.snapshot(ctx, func(tx *sql.Tx) error {
		if err := teamHasPlan(ctx, tx, team, plan); err != nil {
			return err
		}
		var err error
		r, err = scanSchedule(tx.QueryRowContext(ctx, `SELECT `+scheduleColumns+`
			FROM schedules s JOIN plans p ON p.id = s.plan_id
			WHERE p.team_id = ? AND s.plan_id = ?`, team, plan).Scan)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNoSchedule
		}
		return err
	})
	if err != nil {
		return ScheduleRow{}, fmt.Errorf("load schedule: %w", err)
	}
	return r, nil
}

// SetPaused pauses or resumes a team's plan's schedule. Resuming continues
// with the first occurrence after now: the ones that fell in the pause are
// not caught up, which is the point of pausing for a holiday.
func (db *DB) SetPaused(ctx context.Context, team string, plan flows.PlanID, paused bool, now time.Time) error {
	err := db.tx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		if err := teamHasPlan(ctx, tx, team, plan); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `
			UPDATE schedules SET paused = ?1, updated_at = ?2,
				last_due = CASE WHEN ?1 THEN last_due ELSE max(last_due, ?2) END
			WHERE plan_id = ?3`, paused, millis(now), plan)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return ErrNoSchedule
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("set paused: %w", err)
	}
	return nil
}

// DueSchedules lists every schedule of every team, paused ones included
// (their occurrences are logged as paused), for the scheduler loop.
func (db *DB) DueSchedules(ctx context.Context) ([]ScheduleRow, error) {
	var out []ScheduleRow
	err := db.snapshot(ctx, func(tx *sql.Tx) error {
		return each(ctx, tx, func(rows *sql.Rows) error {
			r, err := scanSchedule(rows.Scan)
			if err != nil {
				return err
			}
			out = append(out, r)
			return nil
		}, `SELECT `+scheduleColumns+` FROM schedules s JOIN plans p ON p.id = s.plan_id ORDER BY s.plan_id`)
	})
	if err != nil {
		return nil, fmt.Errorf("list schedules: %w", err)
	}
	return out, nil
}

// ClaimOccurrence records that instance is handling the plan's occurrence
// key (due at due) and reports whether it won: of any number of claims on
// one occurrence, from any number of processes, across restarts, exactly one
// returns true. The claim also moves the schedule's LastDue up to due, in
// the same transaction, so a restart does not see the occurrence as missed.
// A claim for a deleted plan fails with flows.ErrNoPlan.
func (db *DB) ClaimOccurrence(ctx context.Context, plan flows.PlanID, key string, due time.Time, instance string, now time.Time) (bool, error) {
	var won bool
	err := db.tx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `
			INSERT INTO occurrences (plan_id, key, due_at, state, claimed_by, claimed_at)
			VALUES (?, ?, ?, 'claimed', ?, ?)
			ON CONFLICT (plan_id, key) DO NOTHING`,
			plan, key, millis(due), instance, millis(now))
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil
		}
		won = true
		_, err = tx.ExecContext(ctx, `UPDATE schedules SET last_due = max(last_due, ?) WHERE plan_id = ?`, millis(due), plan)
		return err
	})
	if isConstraint(err) {
		// The only constraint an insert that ignores conflicts can break
		// is the foreign key: the plan is gone.
		err = flows.ErrNoPlan
	}
	if err != nil {
		return false, fmt.Errorf("claim occurrence %s: %w", key, err)
	}
	return won, nil
}

// FinishOccurrence records the outcome of a claimed occurrence: its final
// state, a note for the run log, and the check-in posted (0 for none). An
// outcome is recorded once; finishing again fails with ErrNotClaimed.
func (db *DB) FinishOccurrence(ctx context.Context, plan flows.PlanID, key, state, note string, checkin int64, now time.Time) error {
	switch state {
	case OccurrencePosted, OccurrenceCaughtUp, OccurrenceSkipped, OccurrencePaused, OccurrenceFailed:
	default:
		return fmt.Errorf("finish occurrence %s: %q: %w", key, state, ErrBadState)
	}
	var id any
	if checkin != 0 {
		id = checkin
	}
	err := db.tx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `
			UPDATE occurrences SET state = ?, note = ?, checkin_id = ?, finished_at = ?
			WHERE plan_id = ? AND key = ? AND state = 'claimed'`,
			state, note, id, millis(now), plan, key)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return ErrNotClaimed
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("finish occurrence %s: %w", key, err)
	}
	return nil
}

// Occurrences returns a team's plan's run log, newest first, at most limit
// entries (all of them when limit <= 0).
func (db *DB) Occurrences(ctx context.Context, team string, plan flows.PlanID, limit int) ([]OccurrenceRow, error) {
	if limit <= 0 {
		limit = -1 // SQLite: no limit
	}
	var out []OccurrenceRow
	err := db.snapshot(ctx, func(tx *sql.Tx) error {
		if err := teamHasPlan(ctx, tx, team, plan); err != nil {
			return err
		}
		return each(ctx, tx, func(rows *sql.Rows) error {
			var (
				o                 OccurrenceRow
				due, claimed      int64
				finished, checkin sql.NullInt64
			)
			if err := rows.Scan(&o.Plan, &o.Key, &due, &o.State, &o.ClaimedBy, &claimed, &finished, &o.Note, &checkin); err != nil {
				return err
			}
			o.Due, o.ClaimedAt, o.Checkin = fromMillis(due), fromMillis(claimed), checkin.Int64
			if finished.Valid {
				o.FinishedAt = fromMillis(finished.Int64)
			}
			out = append(out, o)
			return nil
		}, `SELECT o.plan_id, o.key, o.due_at, o.state, o.claimed_by, o.claimed_at, o.finished_at, o.note, o.checkin_id
			FROM occurrences o JOIN plans p ON p.id = o.plan_id
			WHERE p.team_id = ? AND o.plan_id = ?
			ORDER BY o.due_at DESC, o.key DESC LIMIT ?`, team, plan, limit)
	})
	if err != nil {
		return nil, fmt.Errorf("list occurrences: %w", err)
	}
	return out, nil
}
