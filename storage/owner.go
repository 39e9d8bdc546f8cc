package storage

import (
	"context"
	"database/sql"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strings"
	"sync"

	"github.com/racebot/racebot/storage/internal/schema"
)

// appID is racebot's mark in the header of every file it opens (SQLite's
// application_id, "RACE"): a file that carries it is racebot's without
// more ado. The full check needs a connection of its own, and SQLite
// parses the whole schema for that connection's first query.
const appID = 0x52414345

// mark returns the application_id in the header of the SQLite file at
// path, and false when path holds no SQLite header to read. A file of an
// older racebot reads 0 (Open marks it), and so does one marked only in
// the log until a checkpoint copies the header into the file: both go
// through the full check.
func mark(path string) (uint32, bool) {
	f, err := os.Open(path)
	if err != nil {
		return 0, false
	}
	defer f.Close()
	var header [100]byte
	if _, err := io.ReadFull(f, header[:]); err != nil {
		return 0, false
	}
	if string(header[:16]) != "SQLite format 3\x00" {
		return 0, false
	}
	return binary.BigEndian.Uint32(header[68:72]), true
}

// checkOwner makes sure the file at path is racebot's to use before
// anything writes to it: a file that does not exist yet or is empty, one
// marked as racebot's, a database with no tables and no other program's
// mark, or one whose tables racebot's migrations made and recorded.
// Anything else is another program's database, and opening
// it with racebot's pragmas and migrations would change it (switch it to
// WAL, add tables), so it fails with ErrForeign.
//
// It reads through a connection of its own, read-only and without
// racebot's pragmas, so that the check itself changes nothing. While no
// one has the file open in WAL mode (there is no -wal file beside it) it
// reads it as immutable: a read-only connection to a WAL database would
// otherwise leave new -wal and -shm files behind.
func checkOwner(ctx context.Context, path string) error {
	fi, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) || (err == nil && fi.Size() == 0) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("%w: %v", ErrReadOnly, err)
	}
	if fi.IsDir() {
		// SQLite cannot open a folder as a file either.
		return fmt.Errorf("%w: %s is a folder", ErrReadOnly, path)
	}
	switch id, ok := mark(path); {
	case ok && id == appID:
		return nil
	case ok && id != 0:
		// Another program's file format (a GeoPackage, say), even one
		// with no tables yet: marking it racebot's would overwrite that.
		return fmt.Errorf("%w: its header marks it as another program's (application_id %#x)", ErrForeign, id)
	}
	q := url.Values{}
	q.Set("mode", "ro")
	if _, err := os.Stat(path + "-wal"); errors.Is(err, fs.ErrNotExist) {
		q.Set("immutable", "1")
	}
	q.Add("_pragma", "busy_timeout(10000)")
	conn, err := sql.Open("sqlite", "file:"+path+"?"+q.Encode())
	if err != nil {
		return err
	}
	defer conn.Close()
	conn.SetMaxOpenConns(1)

	tables, err := queryStrings(ctx, conn, `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\_%' ESCAPE '\'`)
	if err != nil {
		return err
	}
	if len(tables) == 0 {
		return nil
	}
	if !slices.Contains(tables, "schema_migrations") {
		return fmt.Errorf("%w: tables %s and no schema_migrations", ErrForeign, strings.Join(tables[:min(len(tables), 5)], ", "))
	}
	columns, err := queryStrings(ctx, conn, `SELECT name FROM pragma_table_info('schema_migrations')`)
	if err != nil {
		return err
	}
	for _, c := range []string{"version", "name", "applied_at"} {
		if !slices.Contains(columns, c) {
			return fmt.Errorf("%w: schema_migrations has no column %s", ErrForeign, c)
		}
	}

	// The versions racebot knows must be recorded under its file names: a
	// schema_migrations table of another tool has other names, or none.
	known, err := knownMigrations()
	if err != nil {
		return err
	}
	rows, err := conn.QueryContext(ctx, `SELECT version, name FROM schema_migrations`)
	if err != nil {
		return err
	}
	defer rows.Close()
	newer := false
	for rows.Next() {
		var version int
		var name string
		if err := rows.Scan(&version, &name); err != nil {
			return fmt.Errorf("%w: schema_migrations: %v", ErrForeign, err)
		}
		want, ok := known.names[version]
		switch {
		case !ok:
			// A later racebot (or another branch of it) made this one:
			// its tables cannot be told apart from a stranger's.
			newer = true
		case name != want:
			return fmt.Errorf("%w: migration %d is recorded as %q, not %q", ErrForeign, version, name, want)
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	if newer {
		return nil
	}
	for _, t := range tables {
		if !known.tables[strings.ToLower(t)] {
			return fmt.Errorf("%w: table %s is not racebot's", ErrForeign, t)
		}
	}
	return nil
}

// queryStrings runs a query of one text column and returns its values.
func queryStrings(ctx context.Context, conn *sql.DB, query string) ([]string, error) {
	rows, err := conn.QueryContext(ctx, query)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// migrationSet is what racebot's embedded migrations make: each version's
// file name, and every table they create.
type migrationSet struct {
	names  map[int]string
	tables map[string]bool
}

var tableRe = regexp.MustCompile("(?i)(?:CREATE\\s+(?:TEMP\\s+|TEMPORARY\\s+)?TABLE\\s+(?:IF\\s+NOT\\s+EXISTS\\s+)?|RENAME\\s+TO\\s+)[\"`\\[]?(\\w+)")

// knownMigrations reads the embedded migrations once.
var knownMigrations = sync.OnceValues(func() (migrationSet, error) {
	set := migrationSet{names: map[int]string{}, tables: map[string]bool{"schema_migrations": true}}
	ms, err := schema.Migrations(migrations)
	if err != nil {
		return set, err
	}
	for _, m := range ms {
		set.names[m.Version] = m.Name
		for _, t := range tableRe.FindAllStringSubmatch(m.Body, -1) {
			set.tables[strings.ToLower(t[1])] = true
		}
	}
	return set, nil
})
