package storage

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/racebot/racebot/coach"
)

// AddPlaceholder records a placeholder message: one about to be posted
// (no TS) in placeholder_intents, one posted in placeholders, in place of
// the record of its key made before the post.
func (db *DB) AddPlaceholder(ctx context.Context, ph coach.Placeholder) error {
	err := db.tx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		if ph.TS == "" {
			_, err := tx.ExecContext(ctx, `INSERT INTO placeholder_intents (team_id, channel_id, thread, post_key, what, posted_at)
				VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
				ph.Team, ph.Channel, ph.Thread, ph.Key, ph.What, millis(ph.PostedAt))
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO placeholders (team_id, channel_id, ts, what, posted_at)
			VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
			ph.Team, ph.Channel, ph.TS, ph.What, millis(ph.PostedAt))
		if err != nil || ph.Key == "" {
			return err
		}
		_, err = tx.ExecContext(ctx, `DELETE FROM placeholder_intents WHERE team_id = ? AND channel_id = ? AND post_key = ?`, ph.Team, ph.Channel, ph.Key)
		return err
	})
	if err != nil {
		return fmt.Errorf("add placeholder: %w", err)
	}
	return nil
}

// RemovePlaceholder forgets a placeholder message, by ts and by the key
// it was to be posted under, whichever are set.
func (db *DB) RemovePlaceholder(ctx context.Context, ph coach.Placeholder) error {
	err := db.tx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		if ph.TS != "" {
			_, err := tx.ExecContext(ctx, `DELETE FROM placeholders WHERE team_id = ? AND channel_id = ? AND ts = ?`, ph.Team, ph.Channel, ph.TS)
			if err != nil {
				return err
			}
		}
		if ph.Key == "" {
			return nil
		}
		_, err := tx.ExecContext(ctx, `DELETE FROM placeholder_intents WHERE team_id = ? AND channel_id = ? AND post_key = ?`, ph.Team, ph.Channel, ph.Key)
		return err
	})
	if err != nil {
		return fmt.Errorf("remove placeholder: %w", err)
	}
	return nil
}

// Placeholders lists the placeholders of every workspace posted at or
// after since and before before, oldest first, those about to be posted
// included.
func (db *DB) Placeholders(ctx context.Context, since, before time.Time) ([]coach.Placeholder, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT team_id, channel_id, ts, what, posted_at, '', '' FROM placeholders
		WHERE posted_at >= ?1 AND posted_at < ?2
		UNION ALL
		SELECT team_id, channel_id, '', what, posted_at, thread, post_key FROM placeholder_intents
		WHERE posted_at >= ?1 AND posted_at < ?2
		ORDER BY 5, 1, 2, 3, 7`,
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
		if err := rows.Scan(&ph.Team, &ph.Channel, &ph.TS, &ph.What, &posted, &ph.Thread, &ph.Key); err != nil {
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
