package storage

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/racebot/racebot/storage/internal/record"
)

// SawHome records that a person looked at their Home tab at a time; an
// earlier time than the one recorded changes nothing, so two racebots
// telling of one person out of order never move it back.
func (db *DB) SawHome(ctx context.Context, team, user string, at time.Time) error {
	err := db.tx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO home_viewers (team_id, user_id, seen_at) VALUES (?, ?, ?)
			ON CONFLICT (team_id, user_id) DO UPDATE SET seen_at = excluded.seen_at
			WHERE excluded.seen_at > home_viewers.seen_at`, team, user, millis(at))
		return err
	})
	if err != nil {
		return fmt.Errorf("saw home: %w", err)
	}
	return nil
}

// HomeViewers lists the people of a workspace who looked at their Home
// tab at or after since. Changes to plans ask, every few seconds for a
// busy workspace.
func (db *DB) HomeViewers(ctx context.Context, team string, since time.Time) ([]string, error) {
	var users []string
	err := db.eachRead(ctx, func(scan record.Scan) error {
		var u string
		if err := scan(&u); err != nil {
			return err
		}
		users = append(users, u)
		return nil
	}, qHomeViewers, team, millis(since))
	if err != nil {
		return nil, fmt.Errorf("home viewers: %w", err)
	}
	return users, nil
}

const qHomeViewers = `SELECT user_id FROM home_viewers WHERE team_id = ? AND seen_at >= ? ORDER BY user_id`

// ForgetHomes forgets the people who have not looked at their Home tab
// since before.
func (db *DB) ForgetHomes(ctx context.Context, before time.Time) error {
	err := db.tx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `DELETE FROM home_viewers WHERE seen_at < ?`, millis(before))
		return err
	})
	if err != nil {
		return fmt.Errorf("forget homes: %w", err)
	}
	return nil
}
