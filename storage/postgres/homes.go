package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// SawHome records that a person looked at their Home tab at a time; an
// earlier time than the one recorded changes nothing, so two replicas
// telling of one person out of order never move it back.
func (db *DB) SawHome(ctx context.Context, team, user string, at time.Time) error {
	err := db.tx(ctx, func(ctx context.Context, tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO home_viewers (team_id, user_id, seen_at) VALUES ($1, $2, $3)
			ON CONFLICT (team_id, user_id) DO UPDATE SET seen_at = excluded.seen_at
			WHERE excluded.seen_at > home_viewers.seen_at`, team, user, at.UnixMilli())
		return err
	})
	if err != nil {
		return fmt.Errorf("saw home: %w", err)
	}
	return nil
}

// HomeViewers lists the people of a workspace who looked at their Home
// tab at or after since.
func (db *DB) HomeViewers(ctx context.Context, team string, since time.Time) ([]string, error) {
	rows, err := db.pool.Query(ctx, `SELECT user_id FROM home_viewers WHERE team_id = $1 AND seen_at >= $2 ORDER BY user_id`,
		team, since.UnixMilli())
	if err != nil {
		return nil, fmt.Errorf("home viewers: %w", err)
	}
	users, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("home viewers: %w", err)
	}
	return users, nil
}

// ForgetHomes forgets the people who have not looked at their Home tab
// since before.
func (db *DB) ForgetHomes(ctx context.Context, before time.Time) error {
	err := db.tx(ctx, func(ctx context.Context, tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `DELETE FROM home_viewers WHERE seen_at < $1`, before.UnixMilli())
		return err
	})
	if err != nil {
		return fmt.Errorf("forget homes: %w", err)
	}
	return nil
}
