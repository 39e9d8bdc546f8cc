package postgres_test

import (
	"context"
	"testing"

	"github.com/racebot/racebot/internal/pgtest"
	"github.com/racebot/racebot/internal/storetest"
	"github.com/racebot/racebot/storage/postgres"
)

// mustOpen opens the database at url and closes it when tb ends.
func mustOpen(tb testing.TB, url string) *postgres.DB {
	tb.Helper()
	db, err := postgres.Open(context.Background(), url)
	if err != nil {
		tb.Fatalf("open: %v", err)
	}
	tb.Cleanup(func() { db.Close() })
	return db
}

// TestContract runs the storage contract against a real PostgreSQL
// server, with handles on one database standing for replicas, whose reads
// see one another's commits at once.
func TestContract(t *testing.T) {
	pgtest.URL(t) // skips early, with the reason, when there is no server
	storetest.Run(t, func(t *testing.T) (storetest.Store, func() storetest.Store) {
		url := pgtest.URL(t)
		open := func() storetest.Store { return mustOpen(t, url) }
		return open(), open
	}, storetest.Options{FreshReads: true})
}
