package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/racebot/racebot/coach"
	"github.com/racebot/racebot/flows"
	"github.com/racebot/racebot/storage/internal/record"
)

// RecordAsked records that the message ts of a plan's conversation, ordered
// by at, asked what asks names (flows.Reply.Asks). Recording the same
// message again changes nothing.
func (db *DB) RecordAsked(ctx context.Context, team string, plan flows.PlanID, at int64, ts, asks string) error {
	err := db.tx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, qAsked, at, ts, asks, plan, team)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return teamHasPlan(ctx, tx, team, plan)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("record asked: %w", err)
	}
	db.cache.asked(team, plan, at, asks, "")
	return nil
}

// LastAsked names what the latest message of a plan's conversation at or
// before at asked of author, and that message's order (at); "" and 0 when
// none is recorded. A prompt posted asks everyone; a step's move is
// recorded for its author alone (flows.AskedAuthor). For a cached plan it reads the plan's latest prompts
// once, and answers from memory after that: RecordAsked keeps them up to
// date.
func (db *DB) LastAsked(ctx context.Context, team string, plan flows.PlanID, at int64, author string) (string, int64, error) {
	r, ok, tok := db.cache.lastAsked(team, plan, at, author)
	if ok {
		return r.asks, r.at, nil
	}
	if tok.e != nil {
		rows, err := db.latestAsked(ctx, plan)
		if err != nil {
			return "", 0, err
		}
		db.cache.installAsked(tok, rows)
		if r, ok, _ := db.cache.lastAsked(team, plan, at, author); ok {
			return r.asks, r.at, nil
		}
	}
	err := db.read.QueryRowContext(ctx, `SELECT a.asks, a.at FROM asked a JOIN plans p ON p.id = a.plan_id
		WHERE p.team_id = ? AND a.plan_id = ? AND a.at <= ? AND a.author IN ('', ?) ORDER BY a.at DESC LIMIT 1`, team, plan, at, author).Scan(&r.asks, &r.at)
	if errors.Is(err, sql.ErrNoRows) {
		return "", 0, nil
	}
	if err != nil {
		return "", 0, fmt.Errorf("last asked: %w", classify(err))
	}
	return r.asks, r.at, nil
}

// latestAsked reads a plan's latest prompts for the cache, newest first:
// maxAsked of them and one more, if there is one, to tell that older ones
// exist. The caller has checked the plan is the team's (it is cached).
// It runs for every plan the cache takes in.
func (db *DB) latestAsked(ctx context.Context, plan flows.PlanID) ([]askedRow, error) {
	var out []askedRow
	err := db.eachRead(ctx, func(scan record.Scan) error {
		var r askedRow
		if err := scan(&r.at, &r.asks, &r.author); err != nil {
			return err
		}
		out = append(out, r)
		return nil
	}, qLatestAsked, plan, maxAsked+1)
	if err != nil {
		return nil, fmt.Errorf("last asked: %w", err)
	}
	return out, nil
}

const qLatestAsked = `SELECT at, asks, author FROM asked WHERE plan_id = ? ORDER BY at DESC LIMIT ?`

// ReplaceMeasurements replaces the KPI values of a team's plan that came
// from one message with ms (none, when the message was deleted), in one
// transaction with the delivery key, and reports what it replaced (see
// coach.Replaced). When no value came from source it writes nothing, key
// included, and reports none: an edit of a message racebot did not record
// values from changes nothing.
func (db *DB) ReplaceMeasurements(ctx context.Context, team string, plan flows.PlanID, source string, ms []flows.Measurement, key string) (coach.Replaced, error) {
	if source == "" {
		return coach.Replaced{}, nil
	}
	var r coach.Replaced
	err := db.tx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		if err := db.recordKey(ctx, tx, team, key); err != nil {
			return err
		}
		if err := teamHasPlan(ctx, tx, team, plan); err != nil {
			return err
		}
		var err error
		r, err = record.ReplaceMeasurements(sqlTx{ctx: ctx, tx: tx}, &measurementQueries, plan, source, ms)
		return err
	})
	if len(r.Gone) > 0 {
		// The version was raised (see bumpVersion).
		db.cache.drop(plan)
	}
	switch {
	case errors.Is(err, record.ErrNoSource):
		return coach.Replaced{}, nil
	case err != nil:
		return coach.Replaced{}, fmt.Errorf("replace measurements: %w", err)
	}
	return r, nil
}
