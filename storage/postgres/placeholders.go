package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/racebot/racebot/coach"
)

// AddPlaceholder records a placeholder message.
func (db *DB) AddPlaceholder(ctx context.Context, ph coach.Placeholder) error {
	err := db.tx(ctx, func(ctx context.Context, tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO placeholders (team_id, channel_id, ts, what, posted_at)
			VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING`,
			ph.Team, ph.Channel, ph.TS, ph.What, ph.PostedAt.UnixMilli())
		return err
	})
	if err != nil {
		return fmt.Errorf("add placeholder: %w", err)
	}
	return nil
}

// RemovePlaceholder forgets a placeholder message.
func (db *DB) RemovePlaceholder(ctx context.Context, team, channel, ts string) error {
	err := db.tx(ctx, func(ctx context.Context, tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `DELETE FROM placeholders WHERE team_id = $1 AND channel_id = $2 AND ts = $3`, team, channel, ts)
		return err
	})
	if err != nil {
		return fmt.Errorf("remove placeholder: %w", err)
	}
	return nil
}

// Placeholders lists the placeholders of every workspace posted at or
// after since and before before, oldest first.
func (db *DB) Placeholders(ctx context.Context, since, before time.Time) ([]coach.Placeholder, error) {
	rows, err := db.pool.Query(ctx, `SELECT team_id, channel_id, ts, what, posted_at FROM placeholders
		WHERE posted_at >= $1 AND posted_at < $2 ORDER BY posted_at, team_id, channel_id, ts`,
		since.UnixMilli(), before.UnixMilli())
	if err != nil {
		return nil, fmt.Errorf("placeholders: %w", err)
	}
	defer rows.Close()
	var out []coach.Placeholder
	for rows.Next() {
		var (
			ph     coach.Placeholder
			posted int64
		)
		if err := rows.Scan(&ph.Team, &ph.Channel, &ph.TS, &ph.What, &posted); err != nil {
			return nil, fmt.Errorf("placeholders: %w", err)
		}
		ph.PostedAt = time.UnixMilli(posted).UTC()
		out = append(out, ph)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("placeholders: %w", err)
	}
	return out, nil
}
