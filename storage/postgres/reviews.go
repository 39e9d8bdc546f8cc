package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/racebot/racebot/flows"
)

// SetLatestReview keeps r as its plan's latest review, unless the plan
// already has one made after it: two reviews finishing in the wrong order,
// on one replica or two, leave the newer one, as the upsert compares with
// the row it has locked.
func (db *DB) SetLatestReview(ctx context.Context, team string, r flows.ExportReview) error {
	err := db.tx(ctx, func(ctx context.Context, tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `INSERT INTO plan_reviews (plan_id, text, from_model, by_user, at)
			SELECT id, $1, $2, $3, $4 FROM plans WHERE id = $5 AND team_id = $6
			ON CONFLICT (plan_id) DO UPDATE SET text = excluded.text, from_model = excluded.from_model,
				by_user = excluded.by_user, at = excluded.at
			WHERE excluded.at >= plan_reviews.at`,
			r.Text, r.FromModel, r.By, millis(r.At), r.Plan, team)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			// Either no such plan, or a newer review is kept.
			return teamHasPlan(ctx, tx, team, r.Plan)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("set latest review: %w", err)
	}
	return nil
}

// LatestReview loads a team's plan's latest review, reporting false when
// it has none.
func (db *DB) LatestReview(ctx context.Context, team string, plan flows.PlanID) (flows.ExportReview, bool, error) {
	r := flows.ExportReview{Plan: plan}
	var at int64
	err := db.pool.QueryRow(ctx, `SELECT r.text, r.from_model, r.by_user, r.at
		FROM plan_reviews r JOIN plans p ON p.id = r.plan_id
		WHERE p.team_id = $1 AND r.plan_id = $2`, team, plan).Scan(&r.Text, &r.FromModel, &r.By, &at)
	if errors.Is(err, pgx.ErrNoRows) {
		return flows.ExportReview{}, false, nil
	}
	if err != nil {
		return flows.ExportReview{}, false, fmt.Errorf("latest review: %w", err)
	}
	r.At = fromMillis(at)
	return r, true, nil
}
