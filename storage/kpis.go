package storage

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

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
	err := db.tx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		if err := teamHasPlan(ctx, tx, team, k.Plan); err != nil {
			return err
		}
		var err error
		if id, err = saveKPI(ctx, tx, k); err != nil {
			return err
		}
		return bumpVersion(ctx, tx, k.Plan)
	})
	db.cache.drop(k.Plan)
	if err != nil {
		return 0, fmt.Errorf("save kpi %s: %w", k.Key, err)
	}
	return id, nil
}

// saveKPI inserts a KPI, or replaces its target in place by (plan, key), so
// its id and recorded values survive a re-set target.
func saveKPI(ctx context.Context, tx *sql.Tx, k flows.KPI) (int64, error) {
	var id int64
	err := tx.QueryRowContext(ctx, `
		INSERT INTO kpis (`+record.KPIInsertColumns+`)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
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
// team: a workspace cannot even learn that another's plan exists. Every
// method that takes a plan id from outside checks it first.
func teamHasPlan(ctx context.Context, tx *sql.Tx, team string, plan flows.PlanID) error {
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM plans WHERE id = ? AND team_id = ?`, plan, team).Scan(&n); err != nil {
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
	err := db.snapshot(ctx, func(tx *sql.Tx) error {
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
// any error, none. A value for a KPI that is not the plan's (another
// team's, say) is refused with flows.ErrNoPlan; a key recorded before makes
// it record nothing and return flows.ErrDuplicate; values from a message
// that gave the plan values already, flows.ErrConflict (see
// record.NewSources).
func (db *DB) RecordMeasurements(ctx context.Context, team string, plan flows.PlanID, ms []flows.Measurement, key string) error {
	err := db.tx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		if err := db.recordKey(ctx, tx, team, key); err != nil {
			return err
		}
		if err := teamHasPlan(ctx, tx, team, plan); err != nil {
			return err
		}
		if err := record.NewSources(sqlTx{ctx: ctx, tx: tx}, &measurementQueries, plan, ms); err != nil {
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
	Owned:  `SELECT count(*) FROM kpis WHERE id = ? AND plan_id = ?`,
	Insert: `INSERT INTO measurements (kpi_id, value, currency, at, author, checkin_id, source, edited_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
	Delete: `DELETE FROM measurements WHERE source = ? AND kpi_id IN (SELECT id FROM kpis WHERE plan_id = ?)`,
	Newer:  `SELECT count(*) FROM measurements WHERE source = ? AND kpi_id IN (SELECT id FROM kpis WHERE plan_id = ?) AND edited_at >= ?`,
	Given: `SELECT m.kpi_id, m.value, m.currency, m.at, m.author, m.checkin_id, k.unit, m.source
		FROM measurements m JOIN kpis k ON k.id = m.kpi_id WHERE m.source = ? AND m.source <> '' AND k.plan_id = ? ORDER BY m.kpi_id, m.at, m.id`,
	Left: `SELECT m.kpi_id, m.value, m.currency, m.at, m.author, m.checkin_id, k.unit, m.source
		FROM measurements m JOIN kpis k ON k.id = m.kpi_id WHERE m.kpi_id = ? ORDER BY m.at, m.id`,
	Bump:   `UPDATE plans SET version = version + 1 WHERE id = ?`,
	Offers: `UPDATE offers SET version = version + 1 WHERE team_id = (SELECT team_id FROM plans WHERE id = ?1) AND plan_id = ?1 AND version + 1 = (SELECT version FROM plans WHERE id = ?1)`,
	// No Lock: writers take turns (BEGIN IMMEDIATE). "source <> ''" lets the
	// partial index measurements_by_source answer it.
	Sourced: `SELECT count(*) FROM measurements WHERE source = ? AND source <> '' AND kpi_id IN (SELECT id FROM kpis WHERE plan_id = ?)`,
	Mark:    `UPDATE checkins SET summary_mark = summary_mark + 1 WHERE id = ?`,
}

func insertMeasurements(ctx context.Context, tx *sql.Tx, plan flows.PlanID, ms []flows.Measurement) error {
	return record.InsertMeasurements(sqlTx{ctx: ctx, tx: tx}, &measurementQueries, plan, ms)
}

// Measurements returns every value recorded for a team's plan, by KPI id,
// oldest first. A value given as n/a comes back with Value.Missing set.
func (db *DB) Measurements(ctx context.Context, team string, plan flows.PlanID) (map[int64][]flows.Measurement, error) {
	out := make(map[int64][]flows.Measurement)
	err := db.snapshot(ctx, func(tx *sql.Tx) error {
		if err := teamHasPlan(ctx, tx, team, plan); err != nil {
			return err
		}
		return each(ctx, tx, record.Measurements(out), `SELECT m.kpi_id, m.value, m.currency, m.at, m.author, m.checkin_id, k.unit, m.source
			FROM measurements m JOIN kpis k ON k.id = m.kpi_id JOIN plans p ON p.id = k.plan_id
			WHERE p.team_id = ? AND k.plan_id = ? ORDER BY m.kpi_id, m.at, m.id`, team, plan)
	})
	if err != nil {
		return nil, fmt.Errorf("list measurements: %w", err)
	}
	return out, nil
}

// kpisQuery reads a plan's KPIs in the order they were first set.
const kpisQuery = `SELECT ` + record.KPIColumns + ` FROM kpis k WHERE k.plan_id = ? ORDER BY k.id`

// loadKPIs reads a plan's KPIs inside a transaction; callers check the team.
func loadKPIs(ctx context.Context, tx *sql.Tx, plan flows.PlanID) ([]flows.KPI, error) {
	var kpis []flows.KPI
	err := each(ctx, tx, record.KPIs(&kpis), kpisQuery, plan)
	return kpis, err
}

// bumpVersion marks a plan changed outside Commit, so a commit from a copy
// loaded before fails with flows.ErrConflict. The caller also drops the
// plan from the cache once the transaction is over (db.cache.drop after
// db.tx returns; inside it, a load could cache the plan again before the
// commit).
func bumpVersion(ctx context.Context, tx *sql.Tx, plan flows.PlanID) error {
	_, err := tx.ExecContext(ctx, `UPDATE plans SET version = version + 1 WHERE id = ?`, plan)
	return err
}
