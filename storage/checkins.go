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

// CreateCheckin records a check-in before its thread is posted, so replies
// that arrive the moment it appears already find it.
func (db *DB) CreateCheckin(ctx context.Context, team string, c flows.Checkin) (int64, error) {
	var id int64
	err := db.tx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		if err := teamHasPlan(ctx, tx, team, c.Plan); err != nil {
			return err
		}
		return tx.QueryRowContext(ctx, `INSERT INTO checkins (plan_id, occurrence, channel_id, late, opened_at, nudge_at, close_at)
			VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			c.Plan, c.Occurrence, c.Channel, c.Late, millis(c.OpenedAt), millis(c.NudgeAt), millis(c.CloseAt)).Scan(&id)
	})
	if err != nil {
		return 0, fmt.Errorf("create check-in: %w", err)
	}
	return id, nil
}

// SetCheckinMessages records the thread and summary message of a check-in.
// It fails with flows.ErrNoCheckin when the check-in is gone: its plan was
// deleted while the messages were being posted.
func (db *DB) SetCheckinMessages(ctx context.Context, id int64, thread, summary string) error {
	return db.tx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE checkins SET thread = ?, summary_ts = ? WHERE id = ?`, thread, summary, id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return flows.ErrNoCheckin
		}
		return nil
	})
}

// MarkSummaryOverdrawn marks a check-in's summary as possibly showing
// older values than the store's, with mark (not 0) naming the drawing
// about to be made, and returns the mark it had. The later of the two
// marks (see coach.SummaryMayBeOverdrawn) stays: a drawing marked before
// may still land after this one. A mark kept is still changed (one up),
// so that the drawing it names, marked before this one, no longer clears
// it: this one may land after it, whatever the two clocks said.
func (db *DB) MarkSummaryOverdrawn(ctx context.Context, id, mark int64) (previous int64, err error) {
	err = db.tx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		previous = 0 // not a failed try's
		// The writer runs one transaction at a time: no other marking
		// comes between the read and the write.
		err := tx.QueryRowContext(ctx, `SELECT summary_mark FROM checkins WHERE id = ?`, id).Scan(&previous)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `UPDATE checkins SET summary_mark = ? WHERE id = ?`, max(previous+1, mark), id)
		return err
	})
	return previous, err
}

// ClearSummaryOverdrawn clears the mark of a check-in's summary, unless
// a drawing other than mark's marked it since.
func (db *DB) ClearSummaryOverdrawn(ctx context.Context, id, mark int64) error {
	return db.tx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE checkins SET summary_mark = 0 WHERE id = ? AND summary_mark = ?`, id, mark)
		return err
	})
}

// CheckinByThread finds the check-in whose thread a reply is in.
func (db *DB) CheckinByThread(ctx context.Context, team, channel, thread string) (flows.Checkin, error) {
	row := db.read.QueryRowContext(ctx, `SELECT `+record.CheckinColumns+` FROM checkins c JOIN plans p ON p.id = c.plan_id
		WHERE p.team_id = ? AND c.channel_id = ? AND c.thread = ? AND c.thread <> ''`, team, channel, thread)
	c, err := record.Checkin(row.Scan)
	if errors.Is(err, sql.ErrNoRows) {
		return flows.Checkin{}, flows.ErrNoCheckin
	}
	if err != nil {
		return flows.Checkin{}, fmt.Errorf("check-in by thread: %w", classify(err))
	}
	return c, nil
}

// CheckinByOccurrence finds the check-in opened for a schedule occurrence
// of a team's plan. Of two rows for one occurrence (left by racebot
// versions that opened a new one on each retry) the one that was posted
// wins, else the first.
func (db *DB) CheckinByOccurrence(ctx context.Context, team string, plan flows.PlanID, occurrence string) (flows.Checkin, error) {
	row := db.read.QueryRowContext(ctx, `SELECT `+record.CheckinColumns+` FROM checkins c JOIN plans p ON p.id = c.plan_id
		WHERE p.team_id = ? AND c.plan_id = ? AND c.occurrence = ? AND c.occurrence <> ''
		ORDER BY c.thread <> '' DESC, c.id LIMIT 1`, team, plan, occurrence)
	c, err := record.Checkin(row.Scan)
	if errors.Is(err, sql.ErrNoRows) {
		return flows.Checkin{}, flows.ErrNoCheckin
	}
	if err != nil {
		return flows.Checkin{}, fmt.Errorf("check-in by occurrence: %w", classify(err))
	}
	return c, nil
}

// LatestCheckin finds the check-in of a team's plan posted last, open or
// closed.
func (db *DB) LatestCheckin(ctx context.Context, team string, plan flows.PlanID) (flows.Checkin, error) {
	row := db.read.QueryRowContext(ctx, `SELECT `+record.CheckinColumns+` FROM checkins c JOIN plans p ON p.id = c.plan_id
		WHERE p.team_id = ? AND c.plan_id = ? AND c.thread <> ''
		ORDER BY c.id DESC LIMIT 1`, team, plan)
	c, err := record.Checkin(row.Scan)
	if errors.Is(err, sql.ErrNoRows) {
		return flows.Checkin{}, flows.ErrNoCheckin
	}
	if err != nil {
		return flows.Checkin{}, fmt.Errorf("latest check-in: %w", classify(err))
	}
	return c, nil
}

// CheckinByID loads a check-in of the team.
func (db *DB) CheckinByID(ctx context.Context, team string, id int64) (flows.Checkin, error) {
	row := db.read.QueryRowContext(ctx, `SELECT `+record.CheckinColumns+` FROM checkins c JOIN plans p ON p.id = c.plan_id
		WHERE p.team_id = ? AND c.id = ?`, team, id)
	c, err := record.Checkin(row.Scan)
	if errors.Is(err, sql.ErrNoRows) {
		return flows.Checkin{}, flows.ErrNoCheckin
	}
	if err != nil {
		return flows.Checkin{}, fmt.Errorf("check-in: %w", classify(err))
	}
	return c, nil
}

// ClaimNudge marks one check-in due for its nudge as nudged and returns it,
// reporting false when none is due. Only the caller that flips the flag
// gets the check-in; claiming one at a time means a shutdown never leaves
// a batch claimed and unposted. A check-in due to close by now gets no
// nudge (racebot was down past both: asking for numbers the moment the
// check-in closes is noise), and one whose plan's check-ins are paused
// waits for them to be resumed.
func (db *DB) ClaimNudge(ctx context.Context, now time.Time) (flows.Checkin, bool, error) {
	return db.claimOne(ctx, `nudged = 1`, `nudged = 0 AND closed = 0 AND nudge_at <= ?1 AND close_at > ?1
		AND NOT EXISTS (SELECT 1 FROM schedules s WHERE s.plan_id = checkins.plan_id AND s.paused = 1)`, now)
}

// ClaimClose marks one check-in due to close as closed and returns it.
func (db *DB) ClaimClose(ctx context.Context, now time.Time) (flows.Checkin, bool, error) {
	return db.claimOne(ctx, `closed = 1`, `closed = 0 AND close_at <= ?1`, now)
}

func (db *DB) claimOne(ctx context.Context, set, where string, now time.Time) (flows.Checkin, bool, error) {
	var (
		c  flows.Checkin
		ok bool
	)
	err := db.tx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		ids, err := queryIDs(ctx, tx, `UPDATE checkins SET `+set+` WHERE id = (SELECT id FROM checkins WHERE `+where+` AND thread <> '' ORDER BY id LIMIT 1) RETURNING id`, millis(now))
		if err != nil || len(ids) == 0 {
			return err
		}
		c, err = record.Checkin(tx.QueryRowContext(ctx, `SELECT `+record.CheckinColumns+` FROM checkins c JOIN plans p ON p.id = c.plan_id WHERE c.id = ?`, ids[0]).Scan)
		ok = err == nil
		return err
	})
	if err != nil {
		return flows.Checkin{}, false, fmt.Errorf("claim check-in: %w", err)
	}
	return c, ok, nil
}
