package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/racebot/racebot/flows"
	"github.com/racebot/racebot/storage/internal/record"
)

// CreateCheckin records a check-in before its thread is posted, so replies
// that arrive the moment it appears already find it.
func (db *DB) CreateCheckin(ctx context.Context, team string, c flows.Checkin) (int64, error) {
	var id int64
	err := db.tx(ctx, func(ctx context.Context, tx pgx.Tx) error {
		if err := teamHasPlan(ctx, tx, team, c.Plan); err != nil {
			return err
		}
		return tx.QueryRow(ctx, `INSERT INTO checkins (plan_id, occurrence, channel_id, late, opened_at, nudge_at, close_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
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
	return db.tx(ctx, func(ctx context.Context, tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE checkins SET thread = $1, summary_ts = $2 WHERE id = $3`, thread, summary, id)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
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
	err = db.tx(ctx, func(ctx context.Context, tx pgx.Tx) error {
		previous = 0 // not a failed try's
		// Locked, so that no other marking comes between the read and
		// the write.
		err := tx.QueryRow(ctx, `SELECT summary_mark FROM checkins WHERE id = $1 FOR UPDATE`, id).Scan(&previous)
		if errors.Is(err, pgx.ErrNoRows) {
			return nil
		}
		if err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `UPDATE checkins SET summary_mark = $1 WHERE id = $2`, max(previous+1, mark), id)
		return err
	})
	return previous, err
}

// ClearSummaryOverdrawn clears the mark of a check-in's summary, unless
// a drawing other than mark's marked it since.
func (db *DB) ClearSummaryOverdrawn(ctx context.Context, id, mark int64) error {
	return db.tx(ctx, func(ctx context.Context, tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `UPDATE checkins SET summary_mark = 0 WHERE id = $1 AND summary_mark = $2`, id, mark)
		return err
	})
}

// CheckinByThread finds the check-in whose thread a reply is in.
func (db *DB) CheckinByThread(ctx context.Context, team, channel, thread string) (flows.Checkin, error) {
	c, err := record.Checkin(db.pool.QueryRow(ctx, `SELECT `+record.CheckinColumns+` FROM checkins c JOIN plans p ON p.id = c.plan_id
		WHERE p.team_id = $1 AND c.channel_id = $2 AND c.thread = $3 AND c.thread <> ''`, team, channel, thread).Scan)
	if errors.Is(err, pgx.ErrNoRows) {
		return flows.Checkin{}, flows.ErrNoCheckin
	}
	if err != nil {
		return flows.Checkin{}, fmt.Errorf("check-in by thread: %w", err)
	}
	return c, nil
}

// CheckinByOccurrence finds the check-in opened for a schedule occurrence
// of a team's plan. Of two rows for one occurrence (left by racebot
// versions that opened a new one on each retry, and copied in from their
// SQLite files) the one that was posted wins, else the first.
func (db *DB) CheckinByOccurrence(ctx context.Context, team string, plan flows.PlanID, occurrence string) (flows.Checkin, error) {
	c, err := record.Checkin(db.pool.QueryRow(ctx, `SELECT `+record.CheckinColumns+` FROM checkins c JOIN plans p ON p.id = c.plan_id
		WHERE p.team_id = $1 AND c.plan_id = $2 AND c.occurrence = $3 AND c.occurrence <> ''
		ORDER BY c.thread <> '' DESC, c.id LIMIT 1`, team, plan, occurrence).Scan)
	if errors.Is(err, pgx.ErrNoRows) {
		return flows.Checkin{}, flows.ErrNoCheckin
	}
	if err != nil {
		return flows.Checkin{}, fmt.Errorf("check-in by occurrence: %w", err)
	}
	return c, nil
}

// LatestCheckin finds the check-in of a team's plan posted last, open or
// closed.
func (db *DB) LatestCheckin(ctx context.Context, team string, plan flows.PlanID) (flows.Checkin, error) {
	c, err := record.Checkin(db.pool.QueryRow(ctx, `SELECT `+record.CheckinColumns+` FROM checkins c JOIN plans p ON p.id = c.plan_id
		WHERE p.team_id = $1 AND c.plan_id = $2 AND c.thread <> ''
		ORDER BY c.id DESC LIMIT 1`, team, plan).Scan)
	if errors.Is(err, pgx.ErrNoRows) {
		return flows.Checkin{}, flows.ErrNoCheckin
	}
	if err != nil {
		return flows.Checkin{}, fmt.Errorf("latest check-in: %w", err)
	}
	return c, nil
}

// CheckinByID loads a check-in of the team.
func (db *DB) CheckinByID(ctx context.Context, team string, id int64) (flows.Checkin, error) {
	c, err := record.Checkin(db.pool.QueryRow(ctx, `SELECT `+record.CheckinColumns+` FROM checkins c JOIN plans p ON p.id = c.plan_id
		WHERE p.team_id = $1 AND c.id = $2`, team, id).Scan)
	if errors.Is(err, pgx.ErrNoRows) {
		return flows.Checkin{}, flows.ErrNoCheckin
	}
	if err != nil {
		return flows.Checkin{}, fmt.Errorf("check-in: %w", err)
	}
	return c, nil
}

// ClaimNudge marks one check-in due for its nudge as nudged and returns it,
// reporting false when none is due. Of replicas claiming at once each gets
// a different check-in or none: see claimOne. A check-in due to close by
// now gets no nudge, and one whose plan's check-ins are paused waits for
// them to be resumed (see the SQLite store).
func (db *DB) ClaimNudge(ctx context.Context, now time.Time) (flows.Checkin, bool, error) {
	return db.claimOne(ctx, `nudged = true`, `NOT nudged AND NOT closed AND nudge_at <= $1 AND close_at > $1
		AND NOT EXISTS (SELECT 1 FROM schedules s WHERE s.plan_id = checkins.plan_id AND s.paused)`, now)
}

// ClaimClose marks one check-in due to close as closed and returns it.
func (db *DB) ClaimClose(ctx context.Context, now time.Time) (flows.Checkin, bool, error) {
	return db.claimOne(ctx, `closed = true`, `NOT closed AND close_at <= $1`, now)
}

// claimOne flips one due check-in's flag. The row is picked FOR UPDATE
// SKIP LOCKED, so a replica passes over a check-in another is claiming
// instead of queueing behind it, and the condition is checked again on
// the locked row: a row picked by an earlier snapshot that another
// replica has since claimed updates nothing.
func (db *DB) claimOne(ctx context.Context, set, where string, now time.Time) (flows.Checkin, bool, error) {
	var (
		c  flows.Checkin
		ok bool
	)
	err := db.tx(ctx, func(ctx context.Context, tx pgx.Tx) error {
		c, ok = flows.Checkin{}, false // a transaction run again starts afresh
		ids, err := queryIDs(ctx, tx, `UPDATE checkins SET `+set+`
			WHERE id = (SELECT id FROM checkins WHERE `+where+` AND thread <> '' ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED)
				AND `+where+` RETURNING id`, millis(now))
		if err != nil || len(ids) == 0 {
			return err
		}
		c, err = record.Checkin(tx.QueryRow(ctx, `SELECT `+record.CheckinColumns+` FROM checkins c JOIN plans p ON p.id = c.plan_id WHERE c.id = $1`, ids[0]).Scan)
		ok = err == nil
		return err
	})
	if err != nil {
		return flows.Checkin{}, false, fmt.Errorf("claim check-in: %w", err)
	}
	return c, ok, nil
}

// CommitOffer commits a step's changes as Commit does and records, in the
// same transaction, the offer made with them, replacing the person's
// earlier offer on the plan.
func (db *DB) CommitOffer(ctx context.Context, p *flows.Plan, changes []flows.Change, o flows.Offer, key string) error {
	var applied []flows.Change
	err := db.tx(ctx, func(ctx context.Context, tx pgx.Tx) error {
		if err := recordKey(ctx, tx, p.Team, key); err != nil {
			return err
		}
		if len(changes) == 0 {
			// The offer is made on the plan as p was read.
			if err := stillAt(ctx, tx, p); err != nil {
				return err
			}
		}
		var err error
		if applied, err = commitTx(ctx, tx, p, changes); err != nil {
			return err
		}
		// A co-answer's offer names its question in beside only (see
		// flows.Offer.Beside).
		question, beside := o.QuestionID, ""
		if o.Beside {
			question, beside = "", o.QuestionID
		}
		_, err = tx.Exec(ctx, `
			INSERT INTO offers (team_id, channel_id, plan_id, user_id, command, question_id, revision, prior, version, expires_at, beside, withdrawn_version)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
			ON CONFLICT (team_id, channel_id, plan_id, user_id) DO UPDATE SET
				command = excluded.command, question_id = excluded.question_id, revision = excluded.revision,
				prior = excluded.prior, version = excluded.version, expires_at = excluded.expires_at, beside = excluded.beside,
				withdrawn_version = excluded.withdrawn_version`,
			o.Team, o.Channel, o.Plan, o.User, o.Command, question, o.Revision, o.Prior, o.Version, millis(o.Expires), beside, record.OfferWithdrawn(o))
		if err != nil {
			return fmt.Errorf("record offer: %w", err)
		}
		return nil
	})
	if err != nil {
		return err
	}
	if len(changes) > 0 {
		db.cacheAfter(p, applied)
	}
	return nil
}

// Offer returns a person's offer on a plan, reporting false when there is
// none. Expired offers are returned too; flows.Offer.Valid tells.
func (db *DB) Offer(ctx context.Context, team, channel string, plan flows.PlanID, user string) (flows.Offer, bool, error) {
	o := flows.Offer{Team: team, Channel: channel, Plan: plan, User: user}
	var (
		expires   int64
		beside    string
		withdrawn int64
	)
	err := db.pool.QueryRow(ctx, `
		SELECT command, question_id, revision, prior, version, expires_at, beside, withdrawn_version FROM offers
		WHERE team_id = $1 AND channel_id = $2 AND plan_id = $3 AND user_id = $4`, team, channel, plan, user).
		Scan(&o.Command, &o.QuestionID, &o.Revision, &o.Prior, &o.Version, &expires, &beside, &withdrawn)
	if errors.Is(err, pgx.ErrNoRows) {
		return flows.Offer{}, false, nil
	}
	if err != nil {
		return flows.Offer{}, false, fmt.Errorf("offer: %w", err)
	}
	o.Expires = fromMillis(expires)
	o.Withdrawn = record.IsOfferWithdrawn(withdrawn, o.Version)
	if beside != "" {
		o.QuestionID, o.Beside = beside, true
	}
	return o, true, nil
}

// TakeOffer takes an offer to start a plan, in one transaction: it removes
// the offer (flows.ErrConflict when it is gone, was replaced or
// withdrawn, or when the plan it was made on moved since from was read),
// commits changes to the plan it was made on, creates p as the channel's
// current plan (flows.ErrDuplicatePlan undoes it all) and marks the
// answer's line as having started it (see TakenLine).
func (db *DB) TakeOffer(ctx context.Context, o flows.Offer, from *flows.Plan, changes []flows.Change, p *flows.Plan, key string) (flows.PlanID, error) {
	var (
		id      int64
		applied []flows.Change
	)
	err := db.tx(ctx, func(ctx context.Context, tx pgx.Tx) error {
		if err := recordKey(ctx, tx, o.Team, key); err != nil {
			return err
		}
		// The plan's row before the offer's, in the order CommitOffer
		// and a withdrawal (which moves the plan's offers with its
		// version) take them: the other way round, a `yes` and a value
		// taken back at once deadlock until the server's deadlock
		// timeout parts them.
		if _, err := tx.Exec(ctx, `SELECT 1 FROM plans WHERE id = $1 AND team_id = $2 FOR NO KEY UPDATE`, from.ID, from.Team); err != nil {
			return fmt.Errorf("lock plan: %w", err)
		}
		tag, err := tx.Exec(ctx, `DELETE FROM offers
			WHERE team_id = $1 AND channel_id = $2 AND plan_id = $3 AND user_id = $4 AND command = $5 AND version = $6
				AND withdrawn_version <> version`,
			o.Team, o.Channel, o.Plan, o.User, o.Command, o.Version)
		if err != nil {
			return fmt.Errorf("remove offer: %w", err)
		}
		if tag.RowsAffected() == 0 {
			return flows.ErrConflict
		}
		if len(changes) == 0 {
			if err := stillAt(ctx, tx, from); err != nil {
				return err
			}
		}
		if applied, err = commitTx(ctx, tx, from, changes); err != nil {
			return err
		}
		if id, err = insertPlan(ctx, tx, p); err != nil {
			return err
		}
		return markStarted(ctx, tx, o, id)
	})
	if err != nil {
		return 0, fmt.Errorf("take offer: %w", err)
	}
	if len(changes) > 0 {
		db.cacheAfter(from, applied)
	}
	return flows.PlanID(id), nil
}

// markStarted marks the revision offer o was made with as the line that
// started plan id; an offer made with no answer has none.
func markStarted(ctx context.Context, tx pgx.Tx, o flows.Offer, id int64) error {
	if o.QuestionID == "" {
		return nil
	}
	if _, err := tx.Exec(ctx, `UPDATE answers SET started = $1 WHERE plan_id = $2 AND question_id = $3 AND revision = $4`,
		id, o.Plan, o.QuestionID, o.Revision); err != nil {
		return fmt.Errorf("mark the line taken: %w", err)
	}
	return nil
}

// TakenLine reports the plan that user's line from message source in plan
// started, when they took the offer made with it (see TakeOffer), and the
// question whose answers it left then; 0 when it started none.
func (db *DB) TakenLine(ctx context.Context, team string, plan flows.PlanID, source, user string) (flows.PlanID, string, error) {
	var (
		started  int64
		question string
	)
	err := db.pool.QueryRow(ctx, `
		SELECT a.started, a.question_id FROM answers a JOIN plans p ON p.id = a.plan_id
		WHERE p.team_id = $1 AND a.plan_id = $2 AND a.source = $3 AND a.author = $4 AND a.started <> 0
		ORDER BY a.revision DESC LIMIT 1`, team, plan, source, user).Scan(&started, &question)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, "", nil
	}
	if err != nil {
		return 0, "", fmt.Errorf("taken line: %w", err)
	}
	return flows.PlanID(started), question, nil
}

// stillAt reports flows.ErrConflict unless plan p is still at p's
// version: with nothing to commit, commitTx checks no version. FOR SHARE
// holds off a commit to the plan until this transaction ends, and sees
// one that landed first.
func stillAt(ctx context.Context, tx pgx.Tx, p *flows.Plan) error {
	var one int
	err := tx.QueryRow(ctx, `SELECT 1 FROM plans WHERE id = $1 AND team_id = $2 AND version = $3 FOR SHARE`, p.ID, p.Team, p.Version).Scan(&one)
	if errors.Is(err, pgx.ErrNoRows) {
		return flows.ErrConflict
	}
	if err != nil {
		return fmt.Errorf("plan version: %w", err)
	}
	return nil
}
