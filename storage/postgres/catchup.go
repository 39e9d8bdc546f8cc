package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/racebot/racebot/coach"
	"github.com/racebot/racebot/storage/internal/record"
)

// CatchupThreads lists the conversations a catch-up reads back: the
// threads of plans created, answered or asked in since a time, or read
// back with replies since then, the threads of check-ins opened since
// then or not closed yet, and the threads of retros opened, answered or
// asked in since then, or read back with replies since then. Each comes
// with the latest message read back.
func (db *DB) CatchupThreads(ctx context.Context, since time.Time) ([]coach.Thread, error) {
	sinceMs, sinceMicro := millis(since), since.UnixMicro()
	var threads []coach.Thread
	err := db.snapshot(ctx, func(tx pgx.Tx) error {
		read := record.Threads(&threads)
		if err := each(ctx, tx, read, `SELECT p.team_id, p.channel_id, p.thread, p.id, 0::bigint, COALESCE(r.ts, '')
			FROM plans p LEFT JOIN thread_reads r ON r.team_id = p.team_id AND r.channel_id = p.channel_id AND r.thread = p.thread
			WHERE p.thread <> '' AND (p.created_at >= $1
				OR EXISTS (SELECT 1 FROM answers a WHERE a.plan_id = p.id AND a.created_at >= $1)
				OR EXISTS (SELECT 1 FROM asked k WHERE k.plan_id = p.id AND k.at >= $2)
				OR r.at >= $2)
			ORDER BY p.id`, sinceMs, sinceMicro); err != nil {
			return fmt.Errorf("plan threads: %w", err)
		}
		if err := each(ctx, tx, read, `SELECT p.team_id, c.channel_id, c.thread, c.plan_id, c.id, COALESCE(r.ts, '')
			FROM checkins c JOIN plans p ON p.id = c.plan_id
			LEFT JOIN thread_reads r ON r.team_id = p.team_id AND r.channel_id = c.channel_id AND r.thread = c.thread
			WHERE c.thread <> '' AND (NOT c.closed OR c.opened_at >= $1)
			ORDER BY c.id`, sinceMs); err != nil {
			return fmt.Errorf("check-in threads: %w", err)
		}
		if err := each(ctx, tx, read, `SELECT p.team_id, x.channel_id, x.thread, x.plan_id, 0::bigint, COALESCE(r.ts, '')
			FROM retros x JOIN plans p ON p.id = x.plan_id
			LEFT JOIN thread_reads r ON r.team_id = p.team_id AND r.channel_id = x.channel_id AND r.thread = x.thread
			WHERE x.thread <> '' AND (x.opened_at >= $1
				OR EXISTS (SELECT 1 FROM retro_answers a WHERE a.retro_id = x.id AND a.at >= $1)
				OR EXISTS (SELECT 1 FROM retro_prompts k WHERE k.retro_id = x.id AND k.at >= $2)
				OR r.at >= $2)
			ORDER BY x.id`, sinceMs, sinceMicro); err != nil {
			return fmt.Errorf("retro threads: %w", err)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("catch-up threads: %w", err)
	}
	return threads, nil
}

// ReadThrough records that a conversation was read back up to message ts,
// ordered by at. An earlier message than the one recorded changes nothing:
// two catch-ups that overlap, on one replica or two, never move the read
// back, as the upsert compares with the row it has locked.
func (db *DB) ReadThrough(ctx context.Context, team, channel, thread string, at int64, ts string) error {
	err := db.tx(ctx, func(ctx context.Context, tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO thread_reads (team_id, channel_id, thread, at, ts) VALUES ($1, $2, $3, $4, $5)
			ON CONFLICT (team_id, channel_id, thread) DO UPDATE SET at = excluded.at, ts = excluded.ts
			WHERE excluded.at > thread_reads.at`, team, channel, thread, at, ts)
		return err
	})
	if err != nil {
		return fmt.Errorf("read through: %w", err)
	}
	return nil
}

// KeySeen reports whether a delivery key of the team is recorded.
func (db *DB) KeySeen(ctx context.Context, team, key string) (bool, error) {
	var one int
	err := db.pool.QueryRow(ctx, `SELECT 1 FROM seen_keys WHERE team_id = $1 AND key = $2`, team, key).Scan(&one)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return false, nil
	case err != nil:
		return false, fmt.Errorf("key seen: %w", err)
	}
	return true, nil
}
