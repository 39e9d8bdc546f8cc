// Package testdb gives a test a new racebot database file at once: a copy
// of one that storage.Open made, once per test process. Making one runs
// every migration, and under -race SQLite parses their DDL for about a
// fifth of a second of CPU; the test suite makes over 300 databases. A
// copy opens in a fifth of that time, with the same schema, since it is
// the same file.
package testdb

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/racebot/racebot/storage"
)

// template is the bytes of a database storage.Open made and closed.
var template = sync.OnceValues(func() ([]byte, error) {
	dir, err := os.MkdirTemp("", "racebot-testdb-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "racebot.db")
	db, err := storage.Open(context.Background(), path)
	if err != nil {
		return nil, err
	}
	if err := db.Close(); err != nil {
		return nil, err
	}
	// Closed cleanly, SQLite has moved everything into the file and
	// removed the log; a log left behind would hold part of the schema.
	if _, err := os.Stat(path + "-wal"); !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("testdb: the template's write-ahead log is still there (%v)", err)
	}
	return os.ReadFile(path)
})

// Path returns the path of a new database in tb's temp dir, ready for
// storage.Open.
func Path(tb testing.TB) string {
	tb.Helper()
	data, err := template()
	if err != nil {
		tb.Fatalf("testdb: %v", err)
	}
	path := filepath.Join(tb.TempDir(), "racebot.db")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		tb.Fatalf("testdb: %v", err)
	}
	return path
}

// Open opens a new database (see Path), closed when tb ends.
func Open(tb testing.TB) *storage.DB {
	tb.Helper()
	db, err := storage.Open(context.Background(), Path(tb))
	if err != nil {
		tb.Fatalf("testdb: %v", err)
	}
	tb.Cleanup(func() { db.Close() })
	return db
}
