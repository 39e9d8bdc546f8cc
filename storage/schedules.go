package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/racebot/racebot/flows"
	"github.com/racebot/racebot/scheduler"
	"github.com/racebot/racebot/storage/internal/record"
)

// ErrBadState means an occurrence state is not one a finished occurrence
// can have (scheduler.State.Final).
var ErrBadState = errors.New("bad occurrence state")

// The scheduler owns the types of schedules and their run log; the DB is
// its Store and History.
var (
	_ scheduler.Store   = (*DB)(nil)
	_ scheduler.History = (*DB)(nil)
)

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

// Schedule returns a team's plan's schedule. It fails with flows.ErrNoPlan
// for a plan the team does not have and scheduler.ErrNoSchedule (which also matches
// flows.ErrNoPlan) when the plan has no schedule.
func (db *DB) Schedule(ctx context.Context, team string, plan flows.PlanID) (scheduler.Schedule, error) {
	var r scheduler.Schedule
	err := db.snapshot(ctx, func(tx *sql.Tx) error {
		if err := teamHasPlan(ctx, tx, team, plan); err != nil {
			return err
		}
		var err error
		r, err = record.Schedule(tx.QueryRowContext(ctx, `SELECT `+record.ScheduleColumns+`
			FROM schedules s JOIN plans p ON p.id = s.plan_id
			WHERE p.team_id = ? AND s.plan_id = ?`, team, plan).Scan)
		if errors.Is(err, sql.ErrNoRows) {
			return scheduler.ErrNoSchedule
		}
		return err
	})
	if err != nil {
		return scheduler.Schedule{}, fmt.Errorf("load schedule: %w", err)
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
			return scheduler.ErrNoSchedule
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
func (db *DB) DueSchedules(ctx context.Context) ([]scheduler.Schedule, error) {
	var out []scheduler.Schedule
	err := db.eachRead(ctx, record.Rows(&out, record.Schedule), qDueSchedules)
	if err != nil {
		return nil, fmt.Errorf("list schedules: %w", err)
	}
	return out, nil
}

// ClaimOccurrence records that instance is handling the plan's occurrence
// key (due at due, standing for missed slots if late) and reports whether
// it won: of any number of claims on one occurrence, from any number of
// processes, across restarts, exactly one returns true. The claim also
// moves the schedule's LastDue up to due, in the same transaction, so a
// restart does not see the occurrence as missed. A claim for a deleted
// plan fails with flows.ErrNoPlan.
func (db *DB) ClaimOccurrence(ctx context.Context, plan flows.PlanID, key string, due time.Time, missed int, instance string, now time.Time) (bool, error) {
	var won bool
	err := db.tx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `
			INSERT INTO occurrences (plan_id, key, due_at, state, claimed_by, claimed_at, missed)
			VALUES (?, ?, ?, 'claimed', ?, ?, ?)
			ON CONFLICT (plan_id, key) DO NOTHING`,
			plan, key, millis(due), instance, millis(now), missed)
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

// ClaimRetry claims an occurrence back from the retry state once its
// retry time has come, and reports whether instance won it. One UPDATE
// whose condition only the first claimer meets makes it atomic, across
// processes as much as goroutines.
func (db *DB) ClaimRetry(ctx context.Context, plan flows.PlanID, key, instance string, now time.Time) (bool, error) {
	won, err := db.reclaim(ctx, plan, key, instance, now, `state = 'retry' AND retry_at <= ?`, millis(now))
	if err != nil {
		return false, fmt.Errorf("claim retry %s: %w", key, err)
	}
	return won, nil
}

// ClaimStale takes over an occurrence claimed before claimedBefore and
// never finished, and reports whether instance won it. The new claim
// stamps claimed_at with now, so of several schedulers that found the
// same stale claim only the first takes it.
func (db *DB) ClaimStale(ctx context.Context, plan flows.PlanID, key, instance string, claimedBefore, now time.Time) (bool, error) {
	won, err := db.reclaim(ctx, plan, key, instance, now, `state = 'claimed' AND claimed_at <= ?`, millis(claimedBefore))
	if err != nil {
		return false, fmt.Errorf("claim stale %s: %w", key, err)
	}
	return won, nil
}

func (db *DB) reclaim(ctx context.Context, plan flows.PlanID, key, instance string, now time.Time, cond string, arg any) (bool, error) {
	var won bool
	err := db.tx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `
			UPDATE occurrences SET state = 'claimed', claimed_by = ?, claimed_at = ?, retry_at = NULL, finished_at = NULL
			WHERE plan_id = ? AND key = ? AND `+cond,
			instance, millis(now), plan, key, arg)
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		won = n == 1
		return err
	})
	return won, err
}

// FinishOccurrence records the outcome of an occurrence instance claimed:
// its final state, a note for the run log, and the check-in posted (0 for
// none). An outcome is recorded once, by the holder of the claim;
// finishing again, or without holding the claim, fails with
// scheduler.ErrNotClaimed.
func (db *DB) FinishOccurrence(ctx context.Context, plan flows.PlanID, key, instance string, state scheduler.State, note string, checkin int64, now time.Time) error {
	if !state.Final() {
		return fmt.Errorf("finish occurrence %s: %q: %w", key, state, ErrBadState)
	}
	var id any
	if checkin != 0 {
		id = checkin
	}
	err := db.release(ctx, plan, key, instance, `state = ?, note = ?, checkin_id = ?, finished_at = ?`,
		state, note, id, millis(now))
	if err != nil {
		return fmt.Errorf("finish occurrence %s: %w", key, err)
	}
	return nil
}

// RetryOccurrence hands an occurrence instance claimed back, to be claimed
// again with ClaimRetry from retryAt on, and counts the failed attempt.
// It fails with scheduler.ErrNotClaimed when instance does not hold the
// claim.
func (db *DB) RetryOccurrence(ctx context.Context, plan flows.PlanID, key, instance string, retryAt time.Time, note string, now time.Time) error {
	err := db.release(ctx, plan, key, instance, `state = 'retry', note = ?, retry_at = ?, attempts = attempts + 1, finished_at = ?`,
		note, millis(retryAt), millis(now))
	if err != nil {
		return fmt.Errorf("retry occurrence %s: %w", key, err)
	}
	return nil
}

// release applies set to an occurrence instance holds the claim of.
func (db *DB) release(ctx context.Context, plan flows.PlanID, key, instance, set string, args ...any) error {
	return db.tx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE occurrences SET `+set+`
			WHERE plan_id = ? AND key = ? AND state = 'claimed' AND claimed_by = ?`,
			append(args, plan, key, instance)...)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return scheduler.ErrNotClaimed
		}
		return nil
	})
}

// Occurrences returns a team's plan's run log, newest first, at most limit
// entries (all of them when limit <= 0).
func (db *DB) Occurrences(ctx context.Context, team string, plan flows.PlanID, limit int) ([]scheduler.Occurrence, error) {
	if limit <= 0 {
		limit = -1 // SQLite: no limit
	}
	var out []scheduler.Occurrence
	err := db.snapshot(ctx, func(tx *sql.Tx) error {
		if err := teamHasPlan(ctx, tx, team, plan); err != nil {
			return err
		}
		return each(ctx, tx, record.Rows(&out, record.Occurrence), `SELECT `+record.OccurrenceColumns+`
			FROM occurrences o JOIN plans p ON p.id = o.plan_id
			WHERE p.team_id = ? AND o.plan_id = ?
			ORDER BY o.due_at DESC, o.key DESC LIMIT ?`, team, plan, limit)
	})
	if err != nil {
		return nil, fmt.Errorf("list occurrences: %w", err)
	}
	return out, nil
}

// PendingOccurrences lists the occurrences of every team that wait for an
// outcome (claimed, or to be retried), oldest first, for the scheduler
// loop.
func (db *DB) PendingOccurrences(ctx context.Context) ([]scheduler.Occurrence, error) {
	var out []scheduler.Occurrence
	err := db.eachRead(ctx, record.Rows(&out, record.Occurrence), qPendingOccurrences)
	if err != nil {
		return nil, fmt.Errorf("list pending occurrences: %w", err)
	}
	return out, nil
}
