package storage_test

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/binary"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/racebot/racebot/storage"
)

// sqliteFile makes an SQLite file at path with the statements run on it,
// as another program would: no racebot pragmas, a rollback journal.
func sqliteFile(tb testing.TB, path string, stmts ...string) {
	tb.Helper()
	conn, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		tb.Fatal(err)
	}
	defer conn.Close()
	for _, s := range stmts {
		if _, err := conn.Exec(s); err != nil {
			tb.Fatalf("%s: %v", s, err)
		}
	}
}

// racebotFile makes a racebot database at path, closed, and then runs the
// statements on it as another program would.
func racebotFile(tb testing.TB, path string, stmts ...string) {
	tb.Helper()
	db, err := storage.Open(context.Background(), path)
	if err != nil {
		tb.Fatal(err)
	}
	if err := db.Close(); err != nil {
		tb.Fatal(err)
	}
	sqliteFile(tb, path, stmts...)
}

// files is the content of every file in dir, by name.
func files(tb testing.TB, dir string) map[string][]byte {
	tb.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		tb.Fatal(err)
	}
	out := map[string][]byte{}
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			tb.Fatal(err)
		}
		out[e.Name()] = b
	}
	return out
}

// TestForeignFilesAreRefused: an SQLite file that is not racebot's is
// refused with ErrForeign and left byte for byte as it was, no table
// added, not switched to WAL; whoever opens it (the terminal coach, the
// export, the Slack server) goes through Open.
func TestForeignFilesAreRefused(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		make func(tb testing.TB, path string)
	}{
		{"another program's tables", func(tb testing.TB, path string) {
			sqliteFile(tb, path, `CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT)`, `INSERT INTO users (email) VALUES ('a@example.com')`)
		}},
		{"another tool's schema_migrations", func(tb testing.TB, path string) {
			sqliteFile(tb, path, `CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, dirty BOOLEAN)`,
				`INSERT INTO schema_migrations VALUES (20240101, 0)`, `CREATE TABLE accounts (id INTEGER PRIMARY KEY)`)
		}},
		{"racebot's shape, other migrations", func(tb testing.TB, path string) {
			sqliteFile(tb, path, `CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)`,
				`INSERT INTO schema_migrations VALUES (1, '0001_init.sql', 0)`, `CREATE TABLE plans (id INTEGER PRIMARY KEY)`)
		}},
		{"an older racebot's file with a table of another program", func(tb testing.TB, path string) {
			racebotFile(tb, path, `PRAGMA application_id = 0`, `CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)`)
		}},
		{"another program's mark and no tables yet", func(tb testing.TB, path string) {
			// A GeoPackage's application_id, "GPKG".
			sqliteFile(tb, path, `PRAGMA application_id = 1196444487`)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			path := filepath.Join(dir, "app.db")
			tt.make(t, path)
			before := files(t, dir)
			for _, open := range []func(context.Context, string) (*storage.DB, error){storage.Open, storage.OpenExisting} {
				db, err := open(context.Background(), path)
				if err == nil {
					db.Close()
				}
				if !errors.Is(err, storage.ErrForeign) {
					t.Errorf("open = %v, want ErrForeign", err)
				}
			}
			after := files(t, dir)
			if len(after) != len(before) {
				t.Errorf("files were %d, now %d: %v", len(before), len(after), keys(after))
			}
			for name, b := range before {
				if !bytes.Equal(b, after[name]) {
					t.Errorf("%s changed", name)
				}
			}
		})
	}
}

func keys(m map[string][]byte) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

// TestOwnFilesOpen: a new file, an empty one, an SQLite database without
// tables, racebot's own and one from a later racebot with tables this one
// does not know all open.
func TestOwnFilesOpen(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		make func(tb testing.TB, path string)
	}{
		{"new file", func(testing.TB, string) {}},
		{"empty file", func(tb testing.TB, path string) {
			if err := os.WriteFile(path, nil, 0o600); err != nil {
				tb.Fatal(err)
			}
		}},
		{"database without tables", func(tb testing.TB, path string) {
			sqliteFile(tb, path, `PRAGMA user_version = 7`)
		}},
		{"racebot's", func(tb testing.TB, path string) { racebotFile(tb, path) }},
		{"a later racebot's", func(tb testing.TB, path string) {
			racebotFile(tb, path, `CREATE TABLE scores (plan INTEGER, points INTEGER)`,
				`INSERT INTO schema_migrations VALUES (9999, '9999_scores.sql', 0)`)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			path := filepath.Join(t.TempDir(), "racebot.db")
			tt.make(t, path)
			db := MustOpen(t, path)
			newPlan(t, db, "T1", "C1", "Q1")
		})
	}
}

// TestOpenExistingCreatesNothing: the export's way in fails on a missing
// file and leaves no file behind.
func TestOpenExistingCreatesNothing(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := filepath.Join(dir, "missing.db")
	if _, err := storage.OpenExisting(context.Background(), path); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("OpenExisting of a missing file = %v, want fs.ErrNotExist", err)
	}
	if got := files(t, dir); len(got) != 0 {
		t.Errorf("OpenExisting left files behind: %v", keys(got))
	}
	racebotFile(t, path)
	db, err := storage.OpenExisting(context.Background(), path)
	if err != nil {
		t.Fatalf("OpenExisting of racebot's file: %v", err)
	}
	db.Close()
}

// TestForeignFileInUse: a WAL database another program has open is
// refused too, and the check leaves its files as they were.
func TestForeignFileInUse(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := filepath.Join(dir, "app.db")
	conn, err := sql.Open("sqlite", "file:"+path+"?_pragma=journal_mode(WAL)")
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetMaxOpenConns(1)
	if _, err := conn.Exec(`CREATE TABLE events (id INTEGER PRIMARY KEY)`); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path + "-wal"); err != nil {
		t.Fatalf("the other program's WAL: %v", err)
	}
	before := files(t, dir)
	if db, err := storage.Open(context.Background(), path); !errors.Is(err, storage.ErrForeign) {
		if err == nil {
			db.Close()
		}
		t.Errorf("open = %v, want ErrForeign", err)
	}
	after := files(t, dir)
	for name, b := range before {
		if !bytes.Equal(b, after[name]) && name != "app.db-shm" {
			t.Errorf("%s changed", name)
		}
	}
	if len(after) != len(before) {
		t.Errorf("files were %v, now %v", keys(before), keys(after))
	}
}

// TestRacebotMarksItsFiles: Open marks a file as racebot's in its header
// (SQLite's application_id), an older racebot's file included, and a file
// so marked is taken as racebot's without reading its tables.
func TestRacebotMarksItsFiles(t *testing.T) {
	t.Parallel()
	appID := func(tb testing.TB, path string) uint32 {
		tb.Helper()
		b, err := os.ReadFile(path)
		if err != nil {
			tb.Fatal(err)
		}
		if len(b) < 100 {
			tb.Fatalf("%d bytes, no header", len(b))
		}
		return binary.BigEndian.Uint32(b[68:72])
	}
	const race = 0x52414345

	dir := t.TempDir()
	path := filepath.Join(dir, "racebot.db")
	racebotFile(t, path)
	if got := appID(t, path); got != race {
		t.Errorf("a new file's application_id = %#x, want %#x", got, race)
	}

	older := filepath.Join(dir, "older.db")
	racebotFile(t, older, `PRAGMA application_id = 0`)
	db, err := storage.Open(context.Background(), older)
	if err != nil {
		t.Fatalf("an older racebot's file: %v", err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	if got := appID(t, older); got != race {
		t.Errorf("an older file's application_id after Open = %#x, want %#x", got, race)
	}

	// A table racebot never made would make an unmarked file foreign
	// (TestForeignFilesAreRefused); the mark alone is enough.
	sqliteFile(t, path, `CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)`)
	db, err = storage.Open(context.Background(), path)
	if err != nil {
		t.Fatalf("a marked file: %v", err)
	}
	db.Close()
}
