// Package storage keeps racebot's plans in a SQLite file (modernc.org/sqlite,
// pure Go, so the binary needs no cgo).
package storage

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"time"

	"github.com/racebot/racebot/storage/internal/schema"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

//go:embed migrations/*.sql
var migrations embed.FS

// ErrCorrupt means the file is not a racebot database we can use.
var ErrCorrupt = errors.New("database file is damaged or not a racebot database")

// ErrReadOnly means the file or its folder cannot be written.
var ErrReadOnly = errors.New("database file cannot be written")

// ErrForeign means the file is an SQLite database of another program: it
// has tables racebot did not make. Open refuses it before changing
// anything, so that pointing racebot at the wrong file adds no table to it.
var ErrForeign = errors.New("database file belongs to another program")

// DB is an open racebot database. Writes go through one connection and take
// the write lock when they begin (BEGIN IMMEDIATE): SQLite allows a single
// writer, and a deferred transaction that upgrades from read to write can
// fail with SQLITE_BUSY no matter how long busy_timeout is. Reads use a pool
// of their own, which WAL lets run beside the writer.
type DB struct {
	write  *sql.DB
	writer *writer
	read   *sql.DB
	path   string
	cache  *planCache

	// dataVersion is the file's data_version as the writer connection
	// last saw it; only the writer goroutine uses it.
	dataVersion int64
}

// dsn sets pragmas per connection: database/sql opens connections lazily and
// at will, so a PRAGMA run once through Exec would reach only one of them.
//
// The writer commits with synchronous=FULL: under WAL, NORMAL syncs the WAL
// only at checkpoints, so a power cut can roll back transactions that
// already committed, and racebot acknowledges Slack right after a commit;
// Slack does not deliver an acknowledged event again, so a lost commit is a
// lost answer. FULL costs one fsync per commit. Readers never commit, so
// their setting only matters for the checkpoint a closing connection may
// run, which NORMAL already syncs. pragmas are more, for one pool.
func dsn(path, txlock, synchronous string, pragmas ...string) string {
	q := url.Values{}
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", "synchronous("+synchronous+")")
	for _, p := range pragmas {
		q.Add("_pragma", p)
	}
	q.Set("_txlock", txlock)
	return "file:" + path + "?" + q.Encode()
}

// Open opens (creating if needed) the database at path and brings its
// schema up to date. A file that holds another program's tables is refused
// with ErrForeign and left as it was; a new file, an empty one and one
// with no tables yet become racebot's.
func Open(ctx context.Context, path string) (*DB, error) {
	return open(ctx, path, true)
}

// OpenExisting is Open for a database that must already be there, such as
// the one a plan is exported from: it never creates the file, and fails
// with an error wrapping fs.ErrNotExist when there is none.
func OpenExisting(ctx context.Context, path string) (*DB, error) {
	if _, err := os.Stat(path); err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	return open(ctx, path, false)
}

func open(ctx context.Context, path string, create bool) (*DB, error) {
	if dir := filepath.Dir(path); dir != "" {
		if _, err := os.Stat(dir); err != nil {
			return nil, fmt.Errorf("open %s: %w", path, ErrReadOnly)
		}
	}
	// Before the pools: their pragmas alone switch a file to WAL.
	if err := checkOwner(ctx, path); err != nil {
		return nil, fmt.Errorf("open %s: %w", path, classify(err))
	}
	// SQLite's default mode creates a missing file; rw does not.
	mode := ""
	if !create {
		mode = "&mode=rw"
	}
	write, err := sql.Open(compiledDriver, dsn(path, "immediate", "FULL")+mode)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	write.SetMaxOpenConns(1)
	read, err := sql.Open(compiledDriver, dsn(path, "deferred", "NORMAL", readCache)+mode)
	if err != nil {
		write.Close()
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	// Every read connection stays open: database/sql keeps two idle ones
	// by default, so past two concurrent reads it closed connections and
	// opened new ones (open, pragmas, schema parse) over and over.
	readers := max(4, runtime.GOMAXPROCS(0))
	read.SetMaxOpenConns(readers)
	read.SetMaxIdleConns(readers)
	db := &DB{write: write, read: read, path: path, cache: newPlanCache()}
	db.writer = newWriter(write, db.noticeOthers)
	if err := db.migrate(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("open %s: %w", path, classify(err))
	}
	return db, nil
}

// readCache bounds each read connection's page cache (negative: KiB).
// Reads are few once plans are cached (see planCache), the operating
// system caches the file anyway, and every read connection has a cache of
// its own: SQLite's default of 2 MB each was several MB of memory that
// bought little.
const readCache = "cache_size(-512)"

// noticeOthers runs first in every write transaction. data_version on the
// writer connection changes only when another connection commits to the
// file, and this process's other connections only read, so a change means
// another process wrote: the cache may be behind it and is cleared. Until
// this process next writes, reads may still show what the other process
// changed as it was before; a commit from such a plan fails with
// flows.ErrConflict and loads it afresh (see planCache).
func (db *DB) noticeOthers(ctx context.Context, tx *sql.Tx) error {
	var v int64
	if err := tx.QueryRowContext(ctx, qDataVersion).Scan(&v); err != nil {
		return fmt.Errorf("data version: %w", err)
	}
	if db.dataVersion != 0 && v != db.dataVersion {
		db.cache.clear()
	}
	db.dataVersion = v
	return nil
}

// classify maps SQLite's result codes for damaged and read-only files to
// sentinels the terminal can explain.
func classify(err error) error {
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() & 0xff {
		case sqlite3.SQLITE_NOTADB, sqlite3.SQLITE_CORRUPT:
			return fmt.Errorf("%w: %v", ErrCorrupt, err)
		case sqlite3.SQLITE_READONLY, sqlite3.SQLITE_CANTOPEN, sqlite3.SQLITE_PERM, sqlite3.SQLITE_AUTH:
			return fmt.Errorf("%w: %v", ErrReadOnly, err)
		}
	}
	return err
}

// Close closes both pools.
func (db *DB) Close() error {
	db.writer.close()
	return errors.Join(db.write.Close(), db.read.Close())
}

// Path is the file the database lives in.
func (db *DB) Path() string { return db.path }

// Ping checks the database answers, for readiness probes.
func (db *DB) Ping(ctx context.Context) error { return db.read.PingContext(ctx) }

// PingWrite reports whether the database takes writes, for readiness
// probes: reads can go on while writes cannot (another process holds the
// write lock, the file system turned read-only or is full, I/O fails), and
// a bot that cannot commit what people type must not be taken for ready.
//
// It first claims roomProbe bytes of new space next to the database, then
// commits a one-row write on the writer connection. The commit alone does
// not prove there is room: once a checkpoint has restarted the WAL, commits
// overwrite frames the WAL file already holds, so they succeed on a full
// disk until the WAL needs to grow or a checkpoint needs the database file
// to, and then every write fails at once. The commit takes the write lock
// like every write, so it waits behind them; bound it with ctx.
func (db *DB) PingWrite(ctx context.Context) error {
	if err := db.probeRoom(); err != nil {
		return err
	}
	return classify(db.writer.probe(ctx, func(ctx context.Context, tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO health (id, probed_at) VALUES (1, ?)
			ON CONFLICT (id) DO UPDATE SET probed_at = excluded.probed_at`, time.Now().UnixMilli())
		return err
	}))
}

// roomProbe is how much new space the readiness probe claims: room for a
// few hundred one-page commits to grow the WAL, so that ready means writes
// keep landing for a while, not only the next one.
const roomProbe = 1 << 20

// probeRoom writes a fresh file of roomProbe bytes beside the database and
// removes it. A fresh file needs new blocks, as a growing WAL or database
// does, so a full disk or an exhausted quota fails it; file systems that
// allocate late still reserve the blocks when written, and the file is
// gone before it would reach the disk. Each probe has a file of its own,
// so two at once cannot truncate each other's into a sparse file that
// claims nothing.
func (db *DB) probeRoom() error {
	f, err := os.CreateTemp(filepath.Dir(db.path), filepath.Base(db.path)+"-probe-*")
	if err != nil {
		return fmt.Errorf("disk room: %w", err)
	}
	_, err = f.Write(zeroes[:])
	err = errors.Join(err, f.Close())
	if rmErr := os.Remove(f.Name()); rmErr != nil {
		err = errors.Join(err, rmErr)
	}
	if err != nil {
		return fmt.Errorf("disk room: %w", err)
	}
	return nil
}

// zeroes is what probeRoom writes; it is only ever read.
var zeroes [roomProbe]byte

// migrate applies the embedded migrations not yet recorded, each in its own
// transaction, in file-name order, and marks the file as racebot's (appID). Files are append-only: a shipped migration
// never changes, a new one is added instead.
func (db *DB) migrate(ctx context.Context) error {
	if _, err := db.write.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version    INTEGER PRIMARY KEY,
		name       TEXT    NOT NULL,
		applied_at INTEGER NOT NULL
	)`); err != nil {
		return fmt.Errorf("create migrations table: %w", err)
	}
	ms, err := schema.Migrations(migrations)
	if err != nil {
		return err
	}
	// Read once which are applied: checking each in a transaction of its
	// own took two dozen transactions at every open. A missing one is
	// checked again in its transaction, as another process may apply it
	// meanwhile.
	applied, err := db.appliedMigrations(ctx)
	if err != nil {
		return err
	}
	for _, m := range ms {
		if applied[m.Version] {
			continue
		}
		if err := db.apply(ctx, m.Version, m.Name, m.Body); err != nil {
			return fmt.Errorf("migration %s: %w", m.Name, err)
		}
	}
	// A write transaction even when the file is marked already: a file
	// that cannot take writes fails here, at the open, not at the first
	// answer.
	return db.tx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		var id int64
		if err := tx.QueryRowContext(ctx, `PRAGMA application_id`).Scan(&id); err != nil {
			return fmt.Errorf("read the file's mark: %w", err)
		}
		if id == appID {
			return nil
		}
		if _, err := tx.ExecContext(ctx, fmt.Sprintf(`PRAGMA application_id = %d`, appID)); err != nil {
			return fmt.Errorf("mark the file: %w", err)
		}
		return nil
	})
}

func (db *DB) appliedMigrations(ctx context.Context) (map[int]bool, error) {
	rows, err := db.write.QueryContext(ctx, `SELECT version FROM schema_migrations`)
	if err != nil {
		return nil, fmt.Errorf("read the applied migrations: %w", err)
	}
	defer rows.Close()
	applied := map[int]bool{}
	for rows.Next() {
		var v int
		if err := rows.Scan(&v); err != nil {
			return nil, err
		}
		applied[v] = true
	}
	return applied, rows.Err()
}

func (db *DB) apply(ctx context.Context, version int, name, body string) error {
	return db.tx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM schema_migrations WHERE version = ?`, version).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return nil
		}
		if _, err := tx.ExecContext(ctx, body); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)`,
			version, name, time.Now().UnixMilli())
		return err
	})
}

// tx runs fn in a write transaction, through the writer, and commits it if
// fn returns nil. fn must use the context it is given, not ctx: see
// writer.do.
func (db *DB) tx(ctx context.Context, fn func(context.Context, *sql.Tx) error) error {
	return classify(db.writer.do(ctx, fn))
}

// snapshot runs fn in a read transaction, so several queries see one
// consistent state of the file.
func (db *DB) snapshot(ctx context.Context, fn func(*sql.Tx) error) error {
	tx, err := db.read.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return classify(err)
	}
	defer tx.Rollback()
	return classify(fn(tx))
}

func millis(t time.Time) int64 { return t.UnixMilli() }

func fromMillis(ms int64) time.Time { return time.UnixMilli(ms).UTC() }
