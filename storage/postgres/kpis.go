package postgres

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/racebot/racebot/coach"
	"github.com/racebot/racebot/flows"
	"github.com/racebot/racebot/storage/internal/record"
)

// SaveKPI stores a KPI target of a team's plan (k.Plan) and returns its id.
// A plan keeps one KPI per key: setting the target again replaces the
// earlier one in place, so its id, and the values recorded against it,
// stay.
func (db *DB) SaveKPI(ctx context.Context, team string, k flows.KPI) (int64, error) {
	if strings.TrimSpace(k.Key) == "" {
		return 0, fmt.Errorf("save kpi: empty key: %w", flows.ErrBadInput)
	}
	var id int64
	err := db.tx(ctx, func(ctx context.Context, tx pgx.Tx) error {
		if err := teamHasPlan(ctx, tx, team, k.Plan); err != nil {
			return err
		}
		var err error
		if id, err = saveKPI(ctx, tx, k); err != nil {
			return err
		}
		return bumpVersion(ctx, tx, k.Plan)
	})
	if err != nil {
		return 0, fmt.Errorf("save kpi %s: %w", k.Key, err)
	}
	return id, nil
}

// saveKPI inserts a KPI, or replaces its target in place by (plan, key), so
// its id and recorded values survive a re-set target.
func saveKPI(ctx context.Context, tx pgx.Tx, k flows.KPI) (int64, error) {
	var id int64
	err := tx.QueryRow(ctx, `
		INSERT INTO kpis (`+record.KPIInsertColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)
		ON CONFLICT (plan_id, key) DO UPDATE SET
			stage = excluded.stage, name = excluded.name, unit = excluded.unit, currency = excluded.currency,
			higher_is_better = excluded.higher_is_better, baseline = excluded.baseline,
			baseline_currency = excluded.baseline_currency, target = excluded.target, deadline = excluded.deadline,
			owner = excluded.owner, created_by = excluded.created_by, created_at = excluded.created_at,
			period = excluded.period, source = excluded.source, edited_at = excluded.edited_at
		RETURNING id`,
		record.KPIValues(k)...,
	).Scan(&id)
	return id, err
}

// teamHasPlan fails with flows.ErrNoPlan unless the plan belongs to the
// team: a workspace cannot even learn that another's plan exists.
func teamHasPlan(ctx context.Context, tx pgx.Tx, team string, plan flows.PlanID) error {
	var n int
	if err := tx.QueryRow(ctx, `SELECT count(*) FROM plans WHERE id = $1 AND team_id = $2`, plan, team).Scan(&n); err != nil {
		return err
	}
	if n == 0 {
		return flows.ErrNoPlan
	}
	return nil
}

// KPIs lists a team's plan's KPIs in the order they were first set.
func (db *DB) KPIs(ctx context.Context, team string, plan flows.PlanID) ([]flows.KPI, error) {
	var kpis []flows.KPI
	err := db.snapshot(ctx, func(tx pgx.Tx) error {
		if err := teamHasPlan(ctx, tx, team, plan); err != nil {
			return err
		}
		var err error
		kpis, err = loadKPIs(ctx, tx, plan)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("list kpis: %w", err)
	}
	return kpis, nil
}

// RecordMeasurements stores values of a team's plan's KPIs in one
// transaction, with the delivery key that brought them: all of them or, on
// any error, none. Values from a message that gave the plan values
// already are refused with flows.ErrConflict, under an advisory lock on
// the message, so two racebots taking it at once record it once.
func (db *DB) RecordMeasurements(ctx context.Context, team string, plan flows.PlanID, ms []flows.Measurement, key string) error {
	err := db.tx(ctx, func(ctx context.Context, tx pgx.Tx) error {
		if err := recordKey(ctx, tx, team, key); err != nil {
			return err
		}
		if err := teamHasPlan(ctx, tx, team, plan); err != nil {
			return err
		}
		if err := record.NewSources(pgTx{ctx, tx}, &measurementQueries, plan, ms); err != nil {
			return err
		}
		return insertMeasurements(ctx, tx, plan, ms)
	})
	if err != nil {
		return fmt.Errorf("record measurements: %w", err)
	}
	return nil
}

// measurementQueries are the SQL of record.InsertMeasurements and
// record.ReplaceMeasurements.
var measurementQueries = record.MeasurementQueries{
	Owned:  `SELECT count(*) FROM kpis WHERE id = $1 AND plan_id = $2`,
	Insert: `INSERT INTO measurements (kpi_id, value, currency, at, author, checkin_id, source, edited_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
	Delete: `DELETE FROM measurements WHERE source = $1 AND kpi_id IN (SELECT id FROM kpis WHERE plan_id = $2)`,
	Newer:  `SELECT count(*) FROM measurements WHERE source = $1 AND kpi_id IN (SELECT id FROM kpis WHERE plan_id = $2) AND edited_at >= $3`,
	Given: `SELECT m.kpi_id, m.value, m.currency, m.at, m.author, m.checkin_id, k.unit, m.source
		FROM measurements m JOIN kpis k ON k.id = m.kpi_id WHERE m.source = $1 AND k.plan_id = $2 ORDER BY m.kpi_id, m.at, m.id`,
	Left: `SELECT m.kpi_id, m.value, m.currency, m.at, m.author, m.checkin_id, k.unit, m.source
		FROM measurements m JOIN kpis k ON k.id = m.kpi_id WHERE m.kpi_id = $1 ORDER BY m.at, m.id`,
	Bump:    `UPDATE plans SET version = version + 1 WHERE id = $1`,
	Offers:  `UPDATE offers SET version = version + 1 WHERE team_id = (SELECT team_id FROM plans WHERE id = $1) AND plan_id = $1 AND version + 1 = (SELECT version FROM plans WHERE id = $1)`,
	Sourced: `SELECT count(*) FROM measurements WHERE source = $1 AND source <> '' AND kpi_id IN (SELECT id FROM kpis WHERE plan_id = $2)`,
	// After the plan's row (Bump): no transaction takes a check-in's row
	// and then its plan's, so the two cannot wait on each other.
	Mark: `UPDATE checkins SET summary_mark = summary_mark + 1 WHERE id = $1`,
	// Read committed: without it, two transactions could each count none,
	// or two edits each find no later one stored.
	Lock: `SELECT pg_advisory_xact_lock(hashtext('racebot values ' || $2::bigint::text || ' ' || $1))`,
}

func insertMeasurements(ctx context.Context, tx pgx.Tx, plan flows.PlanID, ms []flows.Measurement) error {
	return record.InsertMeasurements(pgTx{ctx, tx}, &measurementQueries, plan, ms)
}

// Measurements returns every value recorded for a team's plan, by KPI id,
// oldest first. A value given as n/a comes back with Value.Missing set.
func (db *DB) Measurements(ctx context.Context, team string, plan flows.PlanID) (map[int64][]flows.Measurement, error) {
	out := make(map[int64][]flows.Measurement)
	err := db.snapshot(ctx, func(tx pgx.Tx) error {
		if err := teamHasPlan(ctx, tx, team, plan); err != nil {
			return err
		}
		return each(ctx, tx, record.Measurements(out), `SELECT m.kpi_id, m.value, m.currency, m.at, m.author, m.checkin_id, k.unit, m.source
			FROM measurements m JOIN kpis k ON k.id = m.kpi_id JOIN plans p ON p.id = k.plan_id
			WHERE p.team_id = $1 AND k.plan_id = $2 ORDER BY m.kpi_id, m.at, m.id`, team, plan)
	})
	if err != nil {
		return nil, fmt.Errorf("list measurements: %w", err)
	}
	return out, nil
}

// kpisQuery reads a plan's KPIs in the order they were first set.
const kpisQuery = `SELECT ` + record.KPIColumns + ` FROM kpis k WHERE k.plan_id = $1 ORDER BY k.id`

// loadKPIs reads a plan's KPIs inside a transaction; callers check the team.
func loadKPIs(ctx context.Context, tx pgx.Tx, plan flows.PlanID) ([]flows.KPI, error) {
	var kpis []flows.KPI
	err := each(ctx, tx, record.KPIs(&kpis), kpisQuery, plan)
	return kpis, err
}

// bumpVersion marks a plan changed outside Commit, so cached copies of it,
// in every replica, are not used again.
func bumpVersion(ctx context.Context, tx pgx.Tx, plan flows.PlanID) error {
	_, err := tx.Exec(ctx, `UPDATE plans SET version = version + 1 WHERE id = $1`, plan)
	return err
}

// RecordAsked records that the message ts of a plan's conversation, ordered
// by at, asked what asks names. Recording the same message again changes
// nothing.
func (db *DB) RecordAsked(ctx context.Context, team string, plan flows.PlanID, at int64, ts, asks string) error {
	err := db.tx(ctx, func(ctx context.Context, tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `INSERT INTO asked (plan_id, at, ts, asks)
			SELECT id, $1, $2, $3 FROM plans WHERE id = $4 AND team_id = $5
			ON CONFLICT DO NOTHING`, at, ts, asks, plan, team)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return teamHasPlan(ctx, tx, team, plan)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("record asked: %w", err)
	}
	return nil
}

// LastAsked names what the latest message of a plan's conversation at or
// before at asked of author, and that message's order (at); "" and 0 when
// none is recorded. A prompt posted asks everyone; a step's move is
// recorded for its author alone (flows.AskedAuthor).
func (db *DB) LastAsked(ctx context.Context, team string, plan flows.PlanID, at int64, author string) (string, int64, error) {
	var (
		asks    string
		askedAt int64
	)
	err := db.pool.QueryRow(ctx, `SELECT a.asks, a.at FROM asked a JOIN plans p ON p.id = a.plan_id
		WHERE p.team_id = $1 AND a.plan_id = $2 AND a.at <= $3 AND a.author IN ('', $4) ORDER BY a.at DESC LIMIT 1`, team, plan, at, author).Scan(&asks, &askedAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", 0, nil
	}
	if err != nil {
		return "", 0, fmt.Errorf("last asked: %w", err)
	}
	return asks, askedAt, nil
}

// ReplaceMeasurements replaces the KPI values of a team's plan that came
// from one message with ms, in one transaction with the delivery key, and
// reports what it replaced (see coach.Replaced). When no value came from
// source it writes nothing, key included, and reports none.
func (db *DB) ReplaceMeasurements(ctx context.Context, team string, plan flows.PlanID, source string, ms []flows.Measurement, key string) (coach.Replaced, error) {
	if source == "" {
		return coach.Replaced{}, nil
	}
	var r coach.Replaced
	err := db.tx(ctx, func(ctx context.Context, tx pgx.Tx) error {
		if err := recordKey(ctx, tx, team, key); err != nil {
			return err
		}
		if err := teamHasPlan(ctx, tx, team, plan); err != nil {
			return err
		}
		var err error
		r, err = record.ReplaceMeasurements(pgTx{ctx, tx}, &measurementQueries, plan, source, ms)
		return err
	})
	switch {
	case errors.Is(err, record.ErrNoSource):
		return coach.Replaced{}, nil
	case err != nil:
		return coach.Replaced{}, fmt.Errorf("replace measurements: %w", err)
	}
	return r, nil
}
