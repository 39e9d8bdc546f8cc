package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/racebot/racebot/flows"
	"github.com/racebot/racebot/storage/internal/record"
)

// OpenCheckins lists the check-ins of every workspace that are posted and
// not yet closed, oldest first: the ones whose owners may need a reminder.
func (db *DB) OpenCheckins(ctx context.Context) ([]flows.Checkin, error) {
	var out []flows.Checkin
	err := db.snapshot(ctx, func(tx *sql.Tx) error {
		return each(ctx, tx, record.Rows(&out, record.Checkin), `SELECT `+record.CheckinColumns+` FROM checkins c JOIN plans p ON p.id = c.plan_id
			WHERE c.closed = 0 AND c.thread <> '' ORDER BY c.id`)
	})
	if err != nil {
		return nil, fmt.Errorf("open check-ins: %w", err)
	}
	return out, nil
}

// PlansWithActionsDue lists the plans, of every workspace, with an action
// still to do (neither done nor dropped: its latest status update, see
// migration 0015) that is due on or before the calendar day of by, as plan
// id to team.
func (db *DB) PlansWithActionsDue(ctx context.Context, by time.Time) (map[flows.PlanID]string, error) {
	out := map[flows.PlanID]string{}
	err := db.snapshot(ctx, func(tx *sql.Tx) error {
		return each(ctx, tx, record.PlanTeams(out), `SELECT DISTINCT p.id, p.team_id FROM actions a JOIN plans p ON p.id = a.plan_id
			WHERE a.due <> '' AND a.due <= ?
			AND coalesce((SELECT u.status FROM action_updates u WHERE u.action_id = a.id ORDER BY u.id DESC LIMIT 1), 'open') NOT IN ('done', 'dropped')`,
			by.Format(time.DateOnly))
	})
	if err != nil {
		return nil, fmt.Errorf("plans with actions due: %w", err)
	}
	return out, nil
}

// ClaimReminder claims the reminder named by key for a person, reporting
// false when it was claimed before, by this racebot or another. The row
// goes in before the message is sent, so the reminder is sent at most once
// whatever happens afterwards. A claim released after a try that may have
// sent it (see ReleaseReminder) is taken again, and tried is when that
// first try began; it is zero for a claim new here.
func (db *DB) ClaimReminder(ctx context.Context, team, user, key string, plan flows.PlanID, now time.Time) (claimed bool, tried time.Time, err error) {
	err = db.tx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		claimed, tried = false, time.Time{}
		if err := teamHasPlan(ctx, tx, team, plan); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO reminders (team_id, user_id, key, plan_id, claimed_at)
			VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`, team, user, key, plan, millis(now))
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		if err != nil || n == 1 {
			claimed = n == 1
			return err
		}
		var at int64
		err = tx.QueryRowContext(ctx, `UPDATE reminders SET released_at = 0
			WHERE team_id = ? AND user_id = ? AND key = ? AND released_at <> 0 RETURNING claimed_at`, team, user, key).Scan(&at)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			return nil
		case err != nil:
			return err
		}
		claimed, tried = true, fromMillis(at)
		return nil
	})
	if err != nil {
		return false, time.Time{}, fmt.Errorf("claim reminder: %w", err)
	}
	return claimed, tried, nil
}

// ReminderSent records the message a claimed reminder went out as.
func (db *DB) ReminderSent(ctx context.Context, team, user, key, channel, ts string) error {
	err := db.tx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE reminders SET channel_id = ?, ts = ? WHERE team_id = ? AND user_id = ? AND key = ?`,
			channel, ts, team, user, key)
		return err
	})
	if err != nil {
		return fmt.Errorf("record reminder message: %w", err)
	}
	return nil
}

// ReleaseReminder gives up the claim of a reminder whose message was not
// sent: deleted, or kept released when a try may have sent it after all
// (maybePosted), so that the next claim knows to look for it. One recorded
// sent stays.
func (db *DB) ReleaseReminder(ctx context.Context, team, user, key string, maybePosted bool, now time.Time) error {
	err := db.tx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		if maybePosted {
			_, err := tx.ExecContext(ctx, `UPDATE reminders SET released_at = ? WHERE team_id = ? AND user_id = ? AND key = ? AND ts = ''`,
				millis(now), team, user, key)
			return err
		}
		_, err := tx.ExecContext(ctx, `DELETE FROM reminders WHERE team_id = ? AND user_id = ? AND key = ? AND ts = ''`, team, user, key)
		return err
	})
	if err != nil {
		return fmt.Errorf("release reminder: %w", err)
	}
	return nil
}

// SetReminders turns a person's reminders about a plan on or off, recording
// the request's key with the change.
func (db *DB) SetReminders(ctx context.Context, team string, plan flows.PlanID, user string, on bool, now time.Time, key string) error {
	err := db.tx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		if err := db.recordKey(ctx, tx, team, key); err != nil {
			return err
		}
		if err := teamHasPlan(ctx, tx, team, plan); err != nil {
			return err
		}
		var err error
		if on {
			_, err = tx.ExecContext(ctx, `DELETE FROM reminder_mutes WHERE plan_id = ? AND user_id = ?`, plan, user)
		} else {
			_, err = tx.ExecContext(ctx, `INSERT INTO reminder_mutes (plan_id, user_id, muted_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING`, plan, user, millis(now))
		}
		return err
	})
	if err != nil {
		return fmt.Errorf("set reminders: %w", err)
	}
	return nil
}

// MutedReminders lists the people who turned reminders about a plan off.
func (db *DB) MutedReminders(ctx context.Context, team string, plan flows.PlanID) (map[string]bool, error) {
	out := map[string]bool{}
	err := db.snapshot(ctx, func(tx *sql.Tx) error {
		return each(ctx, tx, record.Set(out), `SELECT m.user_id FROM reminder_mutes m JOIN plans p ON p.id = m.plan_id WHERE p.team_id = ? AND m.plan_id = ?`, team, plan)
	})
	if err != nil {
		return nil, fmt.Errorf("muted reminders: %w", err)
	}
	return out, nil
}

// Snooze puts a person's reminder about an action off until a time,
// replacing an earlier snooze of theirs, and records the request's key.
func (db *DB) Snooze(ctx context.Context, team string, plan flows.PlanID, action int64, user string, until time.Time, key string) error {
	err := db.tx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		if err := db.recordKey(ctx, tx, team, key); err != nil {
			return err
		}
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM actions a JOIN plans p ON p.id = a.plan_id
			WHERE p.team_id = ? AND a.plan_id = ? AND a.id = ?`, team, plan, action).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			return flows.ErrNoPlan
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO reminder_snoozes (action_id, user_id, until) VALUES (?, ?, ?)
			ON CONFLICT (action_id, user_id) DO UPDATE SET until = excluded.until`, action, user, millis(until))
		return err
	})
	if err != nil {
		return fmt.Errorf("snooze: %w", err)
	}
	return nil
}

// Snoozes lists the snoozed reminders about a plan's actions: action id to
// person to the time the reminder is due again.
func (db *DB) Snoozes(ctx context.Context, team string, plan flows.PlanID) (map[int64]map[string]time.Time, error) {
	out := map[int64]map[string]time.Time{}
	err := db.snapshot(ctx, func(tx *sql.Tx) error {
		return each(ctx, tx, record.Snoozes(out), `SELECT s.action_id, s.user_id, s.until FROM reminder_snoozes s JOIN actions a ON a.id = s.action_id JOIN plans p ON p.id = a.plan_id
			WHERE p.team_id = ? AND a.plan_id = ?`, team, plan)
	})
	if err != nil {
		return nil, fmt.Errorf("snoozes: %w", err)
	}
	return out, nil
}

// RemindedPlans lists the plans a person was last sent a reminder about,
// with when: a reply to racebot in a direct message most likely concerns
// the plan it reminded them of.
func (db *DB) RemindedPlans(ctx context.Context, team, user string) (map[flows.PlanID]time.Time, error) {
	out := map[flows.PlanID]time.Time{}
	err := db.snapshot(ctx, func(tx *sql.Tx) error {
		return each(ctx, tx, record.PlanTimes(out), `SELECT plan_id, max(claimed_at) FROM reminders WHERE team_id = ? AND user_id = ? GROUP BY plan_id`, team, user)
	})
	if err != nil {
		return nil, fmt.Errorf("reminded plans: %w", err)
	}
	return out, nil
}

// ClaimedReminders lists the reminders about a plan claimed so far, and
// not released, as "user key", so that a racebot looking for reminders due
// skips the ones sent without a write.
func (db *DB) ClaimedReminders(ctx context.Context, team string, plan flows.PlanID) (map[string]bool, error) {
	out := map[string]bool{}
	err := db.snapshot(ctx, func(tx *sql.Tx) error {
		return each(ctx, tx, record.Claimed(out), `SELECT user_id, key FROM reminders WHERE team_id = ? AND plan_id = ? AND released_at = 0`, team, plan)
	})
	if err != nil {
		return nil, fmt.Errorf("claimed reminders: %w", err)
	}
	return out, nil
}
