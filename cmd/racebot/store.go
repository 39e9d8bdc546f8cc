package main

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"

	"github.com/racebot/racebot/coach"
	"github.com/racebot/racebot/install"
	"github.com/racebot/racebot/scheduler"
	"github.com/racebot/racebot/storage"
	"github.com/racebot/racebot/storage/postgres"
)

// store is what racebot runs on: an SQLite file (the default) or, with
// RACEBOT_DATABASE_URL set, a PostgreSQL database that several `racebot
// serve` replicas can share.
type store interface {
	coach.Store
	coach.ReminderStore
	scheduler.Store
	scheduler.History
	install.Store
	Close() error
}

var (
	_ store = (*storage.DB)(nil)
	_ store = (*postgres.DB)(nil)
)

// openStore opens the database the configuration names and says where it
// is, without a password, for logs and messages.
func openStore(ctx context.Context, cfg Config) (store, string, error) {
	if cfg.DatabaseURL != "" {
		db, err := openPostgres(ctx, cfg.DatabaseURL, "RACEBOT_DATABASE_URL")
		if err != nil {
			return nil, "", err
		}
		return db, db.Where(), nil
	}
	db, err := openDB(ctx, cfg.DB)
	if err != nil {
		return nil, "", err
	}
	return db, cfg.DB, nil
}

// openExistingStore is openStore for commands that only read: an SQLite
// file that is not there is an error, not a new empty database.
func openExistingStore(ctx context.Context, cfg Config) (store, string, error) {
	if cfg.DatabaseURL != "" {
		return openStore(ctx, cfg)
	}
	db, err := storage.OpenExisting(ctx, cfg.DB)
	if err != nil {
		return nil, "", openError(cfg.DB, err)
	}
	return db, cfg.DB, nil
}

// openPostgres opens a PostgreSQL database and says in one sentence what
// is wrong when it cannot; from names where the URL came from.
func openPostgres(ctx context.Context, url, from string) (*postgres.DB, error) {
	db, err := postgres.Open(ctx, url)
	if errors.Is(err, postgres.ErrUnreachable) {
		return nil, fmt.Errorf("%w; check %s and that the server is up", err, from)
	}
	if err != nil {
		return nil, err
	}
	return db, nil
}

// chartDir is where the terminal writes report charts: beside the SQLite
// file, or in the working directory when the database is a server's.
func chartDir(cfg Config) string {
	if cfg.DatabaseURL != "" {
		return "."
	}
	return filepath.Dir(cfg.DB)
}
