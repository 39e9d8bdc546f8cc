package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/racebot/racebot/flows"
	"github.com/racebot/racebot/storage/internal/record"
)

// CommitOffer commits a step's changes as Commit does and records, in the
// same transaction, the offer made with them, replacing the person's
// earlier offer on the plan: the answer and the offer land together or not
// at all.
func (db *DB) CommitOffer(ctx context.Context, p *flows.Plan, changes []flows.Change, o flows.Offer, key string) error {
	gen := db.cache.generation()
	err := db.tx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		if err := db.recordKey(ctx, tx, p.Team, key); err != nil {
			return err
		}
		if len(changes) == 0 {
			// The offer is made on the plan as p was read, and written on
			// a version moved since it would be void.
			if err := stillAt(ctx, tx, p); err != nil {
				return err
			}
		}
		if err := db.commitTx(ctx, tx, p, changes); err != nil {
			return err
		}
		// A co-answer's offer names its question in beside only (see
		// flows.Offer.Beside).
		question, beside := o.QuestionID, ""
		if o.Beside {
			question, beside = "", o.QuestionID
		}
		_, err := tx.ExecContext(ctx, `
			INSERT INTO offers (team_id, channel_id, plan_id, user_id, command, question_id, revision, prior, version, expires_at, beside, withdrawn_version)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
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
	db.cacheAfter(p, changes, gen, err)
	return err
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
	err := db.read.QueryRowContext(ctx, `
		SELECT command, question_id, revision, prior, version, expires_at, beside, withdrawn_version FROM offers
		WHERE team_id = ? AND channel_id = ? AND plan_id = ? AND user_id = ?`, team, channel, plan, user).
		Scan(&o.Command, &o.QuestionID, &o.Revision, &o.Prior, &o.Version, &expires, &beside, &withdrawn)
	if errors.Is(err, sql.ErrNoRows) {
		return flows.Offer{}, false, nil
	}
	if err != nil {
		return flows.Offer{}, false, fmt.Errorf("offer: %w", classify(err))
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
// commits changes to the plan it was made on (withdrawing the answer),
// creates p as the channel's current plan (flows.ErrDuplicatePlan undoes
// it all) and marks the answer's line as having started it (see
// TakenLine).
func (db *DB) TakeOffer(ctx context.Context, o flows.Offer, from *flows.Plan, changes []flows.Change, p *flows.Plan, key string) (flows.PlanID, error) {
	var id int64
	gen := db.cache.generation()
	err := db.tx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		if err := db.recordKey(ctx, tx, o.Team, key); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `DELETE FROM offers
			WHERE team_id = ? AND channel_id = ? AND plan_id = ? AND user_id = ? AND command = ? AND version = ?
				AND withdrawn_version <> version`,
			o.Team, o.Channel, o.Plan, o.User, o.Command, o.Version)
		if err != nil {
			return fmt.Errorf("remove offer: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return flows.ErrConflict
		}
		if len(changes) == 0 {
			// An offer with no answer to take back stands only while the
			// plan is as from was read: one moved since voids it.
			if err := stillAt(ctx, tx, from); err != nil {
				return err
			}
		}
		if err := db.commitTx(ctx, tx, from, changes); err != nil {
			return err
		}
		if id, err = insertPlan(ctx, tx, p); err != nil {
			return err
		}
		return markStarted(ctx, tx, o, id)
	})
	db.cacheAfter(from, changes, gen, err)
	if err != nil {
		return 0, fmt.Errorf("take offer: %w", err)
	}
	db.cacheCreated(p, flows.PlanID(id), gen)
	return flows.PlanID(id), nil
}

// markStarted marks the revision offer o was made with as the line that
// started plan id; an offer made with no answer has none.
func markStarted(ctx context.Context, tx *sql.Tx, o flows.Offer, id int64) error {
	if o.QuestionID == "" {
		return nil
	}
	if _, err := tx.ExecContext(ctx, `UPDATE answers SET started = ? WHERE plan_id = ? AND question_id = ? AND revision = ?`,
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
	err := db.read.QueryRowContext(ctx, `
		SELECT a.started, a.question_id FROM answers a JOIN plans p ON p.id = a.plan_id
		WHERE p.team_id = ? AND a.plan_id = ? AND a.source = ? AND a.author = ? AND a.started <> 0
		ORDER BY a.revision DESC LIMIT 1`, team, plan, source, user).Scan(&started, &question)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, "", nil
	}
	if err != nil {
		return 0, "", fmt.Errorf("taken line: %w", classify(err))
	}
	return flows.PlanID(started), question, nil
}

// stillAt reports flows.ErrConflict unless plan p is still at p's
// version: with nothing to commit, commitTx checks no version.
func stillAt(ctx context.Context, tx *sql.Tx, p *flows.Plan) error {
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM plans WHERE id = ? AND team_id = ? AND version = ?`, p.ID, p.Team, p.Version).Scan(&n); err != nil {
		return fmt.Errorf("plan version: %w", err)
	}
	if n == 0 {
		return flows.ErrConflict
	}
	return nil
}
