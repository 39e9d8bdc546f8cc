// Package postgres keeps racebot's plans in PostgreSQL (pgx, pure Go), so
// that several `racebot serve` replicas can share one database. It holds
// the same rows as package storage, the SQLite store, keeps the same
// promises (internal/storetest runs one suite against both) and implements
// the same interfaces: coach.Store, coach.ReminderStore, scheduler.Store
// and scheduler.History.
//
// What SQLite gets from having one writer, this store gets from
// PostgreSQL's row locks, and each promise holds across processes:
//
//   - A delivery key is inserted into seen_keys in the transaction that
//     carries its effect. Two replicas handed the same event race on the
//     key's unique index; the second waits for the first to end and then
//     finds the key (flows.ErrDuplicate) or, if the first rolled back,
//     takes it.
//   - A step commits with UPDATE … WHERE version = $n. A replica that
//     loaded the plan before another committed updates no row and gets
//     flows.ErrConflict, as a second writer on the SQLite file would.
//   - A scheduler occurrence is claimed by inserting its unique key; a
//     check-in's nudge and close by flipping a flag on a row locked FOR
//     UPDATE SKIP LOCKED, so each is done once, by whichever replica wakes
//     first.
//   - A cached plan is used only after an indexed read of its version, so
//     what another replica commits is seen at the next read.
//
// Each request is one transaction; there is no writer goroutine grouping
// commits, as the server commits concurrent transactions side by side.
// Writes to one plan queue on its row lock and land one after another,
// each checked against the one before, as in the SQLite writer's queue;
// a caller's writes land in the order it made them. A write that has begun is finished whatever
// happens to its caller's context, so that what the caller reports is what
// was stored (see tx).
package postgres

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/racebot/racebot/coach"
	"github.com/racebot/racebot/scheduler"
	"github.com/racebot/racebot/storage/internal/schema"
)

//go:embed migrations/*.sql
var migrations embed.FS

// ErrUnreachable means no connection to the server could be made: it is
// down, the address is wrong, or it refused the login.
var ErrUnreachable = errors.New("cannot reach the PostgreSQL server")

// DB is an open racebot database on a PostgreSQL server.
type DB struct {
	pool  *pgxpool.Pool
	cache *planCache
	where string
}

// defaultMaxConns bounds a replica's connections when the URL does not
// (pool_max_conns): pgxpool's own default is the number of CPUs, which
// on a small container is fewer than the requests one replica serves at
// once.
const defaultMaxConns = 16

// Open connects to the database at url (postgres://user:pass@host/db, or
// any form pgx reads) and brings its schema up to date. Replicas starting
// together migrate one at a time.
func Open(ctx context.Context, url string) (*DB, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		// The parse error may quote the URL, password and all.
		return nil, errors.New("open PostgreSQL: the database URL cannot be read; it looks like postgres://user:password@host:5432/racebot")
	}
	if !strings.Contains(url, "pool_max_conns") {
		cfg.MaxConns = defaultMaxConns
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("open PostgreSQL: %w", err)
	}
	db := &DB{pool: pool, cache: newPlanCache(), where: describe(cfg.ConnConfig)}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("open %s: %w: %w", db.where, ErrUnreachable, err)
	}
	if err := db.migrate(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("open %s: %w", db.where, err)
	}
	return db, nil
}

// describe names a database for logs and messages without its password.
func describe(c *pgx.ConnConfig) string {
	host := c.Host
	if !strings.HasPrefix(host, "/") {
		host += ":" + strconv.Itoa(int(c.Port))
	}
	return fmt.Sprintf("postgres://%s@%s/%s", c.User, host, c.Database)
}

// Where names the database, without its password: postgres://user@host:port/db.
func (db *DB) Where() string { return db.where }

// Close closes the pool, waiting for connections in use to be returned.
func (db *DB) Close() error {
	db.pool.Close()
	return nil
}

// Ping checks the database answers, for readiness probes.
func (db *DB) Ping(ctx context.Context) error { return db.pool.Ping(ctx) }

// PingWrite commits a one-row write, for readiness probes: a server in
// recovery or turned read-only answers reads and refuses writes, and a bot
// that cannot commit what people type must not be taken for ready.
func (db *DB) PingWrite(ctx context.Context) error {
	return db.tx(ctx, func(ctx context.Context, tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO health (id, probed_at) VALUES (1, $1)
			ON CONFLICT (id) DO UPDATE SET probed_at = excluded.probed_at`, time.Now().UnixMilli())
		return err
	})
}

// migrate applies the embedded migrations not yet recorded, each in its own
// transaction, in file-name order, under an advisory lock so that replicas
// starting at once do not apply one twice. Files are append-only, and are
// numbered as their SQLite counterparts in storage/migrations.
func (db *DB) migrate(ctx context.Context) error {
	ms, err := schema.Migrations(migrations)
	if err != nil {
		return err
	}
	for _, m := range ms {
		if err := db.apply(ctx, m.Version, m.Name, m.Body); err != nil {
			return fmt.Errorf("migration %s: %w", m.Name, err)
		}
	}
	return nil
}

// migrationLock is the advisory lock migrations hold, keyed by schema as
// well, so that databases in other schemas of one server migrate apart.
const migrationLock = `SELECT pg_advisory_xact_lock(hashtext('racebot migrations ' || current_schema()))`

func (db *DB) apply(ctx context.Context, version int, name, body string) error {
	return pgx.BeginFunc(ctx, db.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, migrationLock); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
			version    INTEGER PRIMARY KEY,
			name       TEXT    NOT NULL,
			applied_at BIGINT  NOT NULL
		)`); err != nil {
			return fmt.Errorf("create migrations table: %w", err)
		}
		var n int
		if err := tx.QueryRow(ctx, `SELECT count(*) FROM schema_migrations WHERE version = $1`, version).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return nil
		}
		if _, err := tx.Exec(ctx, body); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)`,
			version, name, time.Now().UnixMilli())
		return err
	})
}

// writeBound bounds a write once it has begun: long enough for any lock
// another replica holds, short enough that a server that stopped answering
// does not hold a request for ever.
const writeBound = time.Minute

// maxAttempts bounds how often a write that lost a deadlock is run again.
const maxAttempts = 5

// tx runs fn in a write transaction and commits it if fn returns nil. Only
// connecting and BEGIN are bounded by ctx: once the transaction has begun,
// fn and the commit run on a context that carries ctx's values but is not
// cancelled with it, so a caller whose deadline passes mid-commit does not
// report a failure for a write that landed. (A delivery retried after such
// a report would find its key anyway; this keeps the answer honest.) A
// transaction the server broke off to resolve a deadlock changed nothing
// and is run again.
func (db *DB) tx(ctx context.Context, fn func(context.Context, pgx.Tx) error) error {
	for attempt := 1; ; attempt++ {
		err := db.try(ctx, fn)
		if attempt < maxAttempts && retryable(err) {
			continue
		}
		return err
	}
}

func (db *DB) try(ctx context.Context, fn func(context.Context, pgx.Tx) error) error {
	conn, err := db.pool.Acquire(ctx)
	if err != nil {
		return err
	}
	defer conn.Release()
	tx, err := conn.Begin(ctx)
	if err != nil {
		return err
	}
	wctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), writeBound)
	defer cancel()
	if err := fn(wctx, tx); err != nil {
		tx.Rollback(wctx)
		return err
	}
	return tx.Commit(wctx)
}

// retryable reports the errors after which running a transaction again may
// succeed: the server chose it as a deadlock's victim, or (at stricter
// isolation than this store uses) found it could not be serialized.
func retryable(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && (pe.Code == "40P01" || pe.Code == "40001")
}

// snapshot runs fn in a read-only transaction that sees one state of the
// database for all its queries.
func (db *DB) snapshot(ctx context.Context, fn func(pgx.Tx) error) error {
	tx, err := db.pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		return err
	}
	defer tx.Rollback(context.WithoutCancel(ctx))
	return fn(tx)
}

// SQLSTATE codes this store tells apart.
const (
	uniqueViolation     = "23505"
	foreignKeyViolation = "23503"
)

func pgCode(err error) string {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code
	}
	return ""
}

func millis(t time.Time) int64 { return t.UnixMilli() }

func fromMillis(ms int64) time.Time { return time.UnixMilli(ms).UTC() }

// The interfaces the coach and the scheduler own; a method added to one
// and not here fails the build.
var (
	_ coach.Store         = (*DB)(nil)
	_ coach.ReminderStore = (*DB)(nil)
	_ scheduler.Store     = (*DB)(nil)
	_ scheduler.History   = (*DB)(nil)
)
