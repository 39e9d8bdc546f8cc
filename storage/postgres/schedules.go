package postgres

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/racebot/racebot/flows"
	"github.com/racebot/racebot/scheduler"
	"github.com/racebot/racebot/storage/internal/record"
)

// ErrBadState means an occurrence state is not one a finished occurrence
// can have (scheduler.State.Final).
var ErrBadState = errors.New("bad occurrence state")

// SetSchedule sets a team's plan's check-in schedule, replacing any earlier
// one. Occurrences before now never run. A paused schedule stays paused.
func (db *DB) SetSchedule(ctx context.Context, team string, plan flows.PlanID, spec, zone, by string, now time.Time) error {
	if strings.TrimSpace(spec) == "" || strings.TrimSpace(zone) == "" {
		return fmt.Errorf("set schedule: empty spec or zone: %w", flows.ErrBadInput)
	}
	err := db.tx(ctx, func(ctx context.Context, tx pgx.Tx) error {
		if err := teamHasPlan(ctx, tx, team, plan); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `
			INSERT INTO schedules (plan_id, spec, zone, paused, created_by, created_at, updated_at, last_due)
			VALUES ($1, $2, $3, false, $4, $5, $5, $5)
			ON CONFLICT (plan_id) DO UPDATE SET
				spec = excluded.spec, zone = excluded.zone, updated_at = excluded.updated_at,
				last_due = GREATEST(schedules.last_due, excluded.last_due)`,
			plan, spec, zone, by, millis(now))
		return err
	})
	if err != nil {
		return fmt.Errorf("set schedule: %w", err)
	}
	return nil
}

// Schedule returns a team's plan's schedule. It fails with flows.ErrNoPlan
// for a plan the team does not have and scheduler.ErrNoSchedule when the
// plan has no schedule.
func (db *DB) Schedule(ctx context.Context, team string, plan flows.PlanID) (scheduler.Schedule, error) {
	var r scheduler.Schedule
	err := db.snapshot(ctx, func(tx pgx.Tx) error {
		if err := teamHasPlan(ctx, tx, team, plan); err != nil {
			return err
		}
		var err error
		r, err = record.Schedule(tx.QueryRow(ctx, `SELECT `+record.ScheduleColumns+`
			FROM schedules s JOIN plans p ON p.id = s.plan_id
			WHERE p.team_id = $1 AND s.plan_id = $2`, team, plan).Scan)
		if errors.Is(err, pgx.ErrNoRows) {
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
// with the first occurrence after now.
func (db *DB) SetPaused(ctx context.Context, team string, plan flows.PlanID, paused bool, now time.Time) error {
	err := db.tx(ctx, func(ctx context.Context, tx pgx.Tx) error {
		if err := teamHasPlan(ctx, tx, team, plan); err != nil {
			return err
		}
		tag, err := tx.Exec(ctx, `
			UPDATE schedules SET paused = $1, updated_at = $2,
				last_due = CASE WHEN $1 THEN last_due ELSE GREATEST(last_due, $2) END
			WHERE plan_id = $3`, paused, millis(now), plan)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return scheduler.ErrNoSchedule
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("set paused: %w", err)
	}
	return nil
}

// DueSchedules lists every schedule of every team, paused ones included,
// for the scheduler loop.
func (db *DB) DueSchedules(ctx context.Context) ([]scheduler.Schedule, error) {
	var out []scheduler.Schedule
	err := db.snapshot(ctx, func(tx pgx.Tx) error {
		return each(ctx, tx, record.Rows(&out, record.Schedule), `SELECT `+record.ScheduleColumns+` FROM schedules s JOIN plans p ON p.id = s.plan_id ORDER BY s.plan_id`)
	})
	if err != nil {
		return nil, fmt.Errorf("list schedules: %w", err)
	}
	return out, nil
}

// ClaimOccurrence records that instance is handling the plan's occurrence
// key and reports whether it won: of any number of claims on one
// occurrence, from any number of replicas, exactly one returns true. The
// occurrence's primary key is the claim: a second insert waits for the
// first transaction and then does nothing. The claim also moves the
// schedule's LastDue up to due, in the same transaction. A claim for a
// deleted plan fails with flows.ErrNoPlan.
func (db *DB) ClaimOccurrence(ctx context.Context, plan flows.PlanID, key string, due time.Time, missed int, instance string, now time.Time) (bool, error) {
	var won bool
	err := db.tx(ctx, func(ctx context.Context, tx pgx.Tx) error {
		won = false
		tag, err := tx.Exec(ctx, `
			INSERT INTO occurrences (plan_id, key, due_at, state, claimed_by, claimed_at, missed)
			VALUES ($1, $2, $3, 'claimed', $4, $5, $6)
			ON CONFLICT (plan_id, key) DO NOTHING`,
			plan, key, millis(due), instance, millis(now), missed)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return nil
		}
		won = true
		_, err = tx.Exec(ctx, `UPDATE schedules SET last_due = GREATEST(last_due, $1) WHERE plan_id = $2`, millis(due), plan)
		return err
	})
	if pgCode(err) == foreignKeyViolation {
		err = flows.ErrNoPlan
	}
	if err != nil {
		return false, fmt.Errorf("claim occurrence %s: %w", key, err)
	}
	return won, nil
}

// ClaimRetry claims an occurrence back from the retry state once its retry
// time has come, and reports whether instance won it. The UPDATE's
// condition is checked again on the row once its lock is had, so of
// replicas updating at once only the first meets it.
func (db *DB) ClaimRetry(ctx context.Context, plan flows.PlanID, key, instance string, now time.Time) (bool, error) {
	won, err := db.reclaim(ctx, plan, key, instance, now, `state = 'retry' AND retry_at <= $5`, millis(now))
	if err != nil {
		return false, fmt.Errorf("claim retry %s: %w", key, err)
	}
	return won, nil
}

// ClaimStale takes over an occurrence claimed before claimedBefore and
// never finished, and reports whether instance won it.
func (db *DB) ClaimStale(ctx context.Context, plan flows.PlanID, key, instance string, claimedBefore, now time.Time) (bool, error) {
	won, err := db.reclaim(ctx, plan, key, instance, now, `state = 'claimed' AND claimed_at <= $5`, millis(claimedBefore))
	if err != nil {
		return false, fmt.Errorf("claim stale %s: %w", key, err)
	}
	return won, nil
}

func (db *DB) reclaim(ctx context.Context, plan flows.PlanID, key, instance string, now time.Time, cond string, arg any) (bool, error) {
	var won bool
	err := db.tx(ctx, func(ctx context.Context, tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `
			UPDATE occurrences SET state = 'claimed', claimed_by = $1, claimed_at = $2, retry_at = NULL, finished_at = NULL
			WHERE plan_id = $3 AND key = $4 AND `+cond,
			instance, millis(now), plan, key, arg)
		won = err == nil && tag.RowsAffected() == 1
		return err
	})
	return won, err
}

// FinishOccurrence records the outcome of an occurrence instance claimed.
// An outcome is recorded once, by the holder of the claim; finishing
// again, or without holding the claim, fails with scheduler.ErrNotClaimed.
func (db *DB) FinishOccurrence(ctx context.Context, plan flows.PlanID, key, instance string, state scheduler.State, note string, checkin int64, now time.Time) error {
	if !state.Final() {
		return fmt.Errorf("finish occurrence %s: %q: %w", key, state, ErrBadState)
	}
	var id *int64
	if checkin != 0 {
		id = &checkin
	}
	err := db.release(ctx, plan, key, instance, `state = $4, note = $5, checkin_id = $6, finished_at = $7`,
		string(state), note, id, millis(now))
	if err != nil {
		return fmt.Errorf("finish occurrence %s: %w", key, err)
	}
	return nil
}

// RetryOccurrence hands an occurrence instance claimed back, to be claimed
// again with ClaimRetry from retryAt on, and counts the failed attempt.
func (db *DB) RetryOccurrence(ctx context.Context, plan flows.PlanID, key, instance string, retryAt time.Time, note string, now time.Time) error {
	err := db.release(ctx, plan, key, instance, `state = 'retry', note = $4, retry_at = $5, attempts = attempts + 1, finished_at = $6`,
		note, millis(retryAt), millis(now))
	if err != nil {
		return fmt.Errorf("retry occurrence %s: %w", key, err)
	}
	return nil
}

// release applies set (whose parameters start at $4) to an occurrence
// instance holds the claim of.
func (db *DB) release(ctx context.Context, plan flows.PlanID, key, instance, set string, args ...any) error {
	return db.tx(ctx, func(ctx context.Context, tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE occurrences SET `+set+`
			WHERE plan_id = $1 AND key = $2 AND state = 'claimed' AND claimed_by = $3`,
			append([]any{plan, key, instance}, args...)...)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return scheduler.ErrNotClaimed
		}
		return nil
	})
}

// Occurrences returns a team's plan's run log, newest first, at most limit
// entries (all of them when limit <= 0).
func (db *DB) Occurrences(ctx context.Context, team string, plan flows.PlanID, limit int) ([]scheduler.Occurrence, error) {
	var lim *int // NULL: no limit
	if limit > 0 {
		lim = &limit
	}
	var out []scheduler.Occurrence
	err := db.snapshot(ctx, func(tx pgx.Tx) error {
		if err := teamHasPlan(ctx, tx, team, plan); err != nil {
			return err
		}
		return each(ctx, tx, record.Rows(&out, record.Occurrence), `SELECT `+record.OccurrenceColumns+`
			FROM occurrences o JOIN plans p ON p.id = o.plan_id
			WHERE p.team_id = $1 AND o.plan_id = $2
			ORDER BY o.due_at DESC, o.key COLLATE "C" DESC LIMIT $3`, team, plan, lim)
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
	err := db.snapshot(ctx, func(tx pgx.Tx) error {
		return each(ctx, tx, record.Rows(&out, record.Occurrence), `SELECT `+record.OccurrenceColumns+` FROM occurrences o
			WHERE o.state IN ('claimed', 'retry')
			ORDER BY o.due_at, o.plan_id, o.key COLLATE "C"`)
	})
	if err != nil {
		return nil, fmt.Errorf("list pending occurrences: %w", err)
	}
	return out, nil
}
