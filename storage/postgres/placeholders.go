package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/racebot/racebot/coach"
)

// AddPlaceholder records a placeholder message: one about to be posted
// (no TS) in placeholder_intents, one posted in placeholders, in place of
// the record of its key made before the post.
func (db *DB) AddPlaceholder(ctx context.Context, ph coach.Placeholder) error {
	err := db.tx(ctx, func(ctx context.Context, tx pgx.Tx) error {
		if ph.TS == "" {
			_, err := tx.Exec(ctx, `INSERT INTO placeholder_intents (team_id, channel_id, thread, post_key, what, posted_at)
				VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING`,
				ph.Team, ph.Channel, ph.Thread, ph.Key, ph.What, ph.PostedAt.UnixMilli())
			return err
		}
		_, err := tx.Exec(ctx, `INSERT INTO placeholders (team_id, channel_id, ts, what, posted_at)
			VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING`,
			ph.Team, ph.Channel, ph.TS, ph.What, ph.PostedAt.UnixMilli())
		if err != nil || ph.Key == "" {
			return err
		}
		_, err = tx.Exec(ctx, `DELETE FROM placeholder_intents WHERE team_id = $1 AND channel_id = $2 AND post_key = $3`, ph.Team, ph.Channel, ph.Key)
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
	err := db.tx(ctx, func(ctx context.Context, tx pgx.Tx) error {
		if ph.TS != "" {
			_, err := tx.Exec(ctx, `DELETE FROM placeholders WHERE team_id = $1 AND channel_id = $2 AND ts = $3`, ph.Team, ph.Channel, ph.TS)
			if err != nil {
				return err
			}
		}
		if ph.Key == "" {
			return nil
		}
		_, err := tx.Exec(ctx, `DELETE FROM placeholder_intents WHERE team_id = $1 AND channel_id = $2 AND post_key = $3`, ph.Team, ph.Channel, ph.Key)
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
	rows, err := db.pool.Query(ctx, `SELECT team_id, channel_id, ts, what, posted_at, '' AS thread, '' AS post_key FROM placeholders
		WHERE posted_at >= $1 AND posted_at < $2
		UNION ALL
		SELECT team_id, channel_id, '', what, posted_at, thread, post_key FROM placeholder_intents
		WHERE posted_at >= $1 AND posted_at < $2
		ORDER BY 5, 1, 2, 3, 7`,
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
		if err := rows.Scan(&ph.Team, &ph.Channel, &ph.TS, &ph.What, &posted, &ph.Thread, &ph.Key); err != nil {
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
