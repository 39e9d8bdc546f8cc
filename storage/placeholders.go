package storage

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/racebot/racebot/coach"
)

// AddPlaceholder records a placeholder message.
func (db *DB) AddPlaceholder(ctx context.Context, ph coach.Placeholder) error {
	err := db.tx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO placeholders (team_id, channel_id, ts, what, posted_at)
			VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
			ph.Team, ph.Channel, ph.TS, ph.What, millis(ph.PostedAt))
		return err
	})
	if err != nil {
		return fmt.Errorf("add placeholder: %w", err)
	}
	return nil
}

// RemovePlaceholder forgets a placeholder message.
func (db *DB) RemovePlaceholder(ctx context.Context, team, channel, ts string) error {
	err := db.tx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `DELETE FROM placeholders WHERE team_id = ? AND channel_id = ? AND ts = ?`, team, channel, ts)
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
	rows, err := db.read.QueryContext(ctx, `SELECT team_id, channel_id, ts, what, posted_at FROM placeholders
		WHERE posted_at >= ? AND posted_at < ? ORDER BY posted_at, team_id, channel_id, ts`,
		millis(since), millis(before))
	if err != nil {
		return nil, fmt.Errorf("placeholders: %w", classify(err))
	}
	defer rows.Close()
	var out []coach.Placeholder
	for rows.Next() {
		var (
			ph     coach.Placeholder
			posted int64
		)
		if err := rows.Scan(&ph.Team, &ph.Channel, &ph.TS, &ph.What, &posted); err != nil {
			return nil, fmt.Errorf("placeholders: %w", classify(err))
		}
		ph.PostedAt = fromMillis(posted)
		out = append(out, ph)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("placeholders: %w", classify(err))
	}
	return out, nil
}
