package storage

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"strings"
	"time"

	"modernc.org/sqlite" // registers "sqlite", which compiled wraps
	sqlite3 "modernc.org/sqlite/lib"
)

// compiledDriver is SQLite's driver with each connection keeping the
// statements it compiled, by their text. Every statement racebot runs is
// one of the few hundred texts written in this package, and SQLite
// compiles a text anew each time it runs unprepared: compiling cost about
// as much as running the hot writes, and under the race detector it was
// the test suite's largest cost. Kept by the connection, a statement is
// compiled once wherever it runs, in a transaction or not, on the writer
// or a reader, with none of database/sql's prepared statements to manage.
const compiledDriver = "racebot-sqlite"

// maxCompiled bounds the statements one connection keeps. A statement
// holds SQLite's compiled program, a few kilobytes; racebot's hot reads
// and writes are a few dozen.
const maxCompiled = 64

func init() {
	pool, err := sql.Open("sqlite", "")
	if err != nil {
		panic(err)
	}
	inner := pool.Driver()
	pool.Close()
	sql.Register(compiledDriver, compiled{inner})
}

type compiled struct{ inner driver.Driver }

// openBusyWait bounds how long opening a connection waits out
// SQLITE_BUSY: busy_timeout's 10 s, which the pools' DSNs set.
const openBusyWait = 10 * time.Second

func isBusy(err error) bool {
	var se *sqlite.Error
	return errors.As(err, &se) && se.Code()&0xff == sqlite3.SQLITE_BUSY
}

func (d compiled) Open(name string) (driver.Conn, error) {
	c, err := d.inner.Open(name)
	// A new connection's journal_mode(WAL) pragma fails at once with
	// SQLITE_BUSY, busy_timeout or not, while another connection is
	// switching the same brand-new file to WAL: two racebots started on
	// one new file at the same moment. The switch takes moments; wait it
	// out as busy_timeout would.
	for wait, deadline := time.Millisecond, time.Now().Add(openBusyWait); isBusy(err) && time.Now().Before(deadline); wait = min(2*wait, 100*time.Millisecond) {
		time.Sleep(wait)
		c, err = d.inner.Open(name)
	}
	if err != nil {
		return nil, err
	}
	inner, ok := c.(sqliteConn)
	if !ok {
		c.Close()
		return nil, driver.ErrBadConn
	}
	return &compiledConn{sqliteConn: inner, stmts: map[string]*compiledStmt{}}, nil
}

// sqliteConn is what database/sql uses of a modernc.org/sqlite connection.
type sqliteConn interface {
	driver.Conn
	driver.ConnBeginTx
	driver.ConnPrepareContext
	driver.ExecerContext
	driver.QueryerContext
	driver.Pinger
	driver.SessionResetter
	driver.Validator
}

// compiledConn is a connection with its compiled statements. database/sql
// uses a connection from one goroutine at a time, rows' Close included, so
// stmts needs no lock.
type compiledConn struct {
	sqliteConn
	stmts map[string]*compiledStmt
}

type compiledStmt struct {
	stmt interface {
		driver.Stmt
		driver.StmtExecContext
		driver.StmtQueryContext
	}
	// open is set while rows read through the statement: a second query of
	// the same text meanwhile (a read nested in another's rows) compiles
	// a statement of its own.
	open bool
}

// stmt returns query's statement, compiling it on first use, or nil when
// query runs on its own: a script of several statements, one whose rows
// are open, or one that did not compile (running it reports why).
func (c *compiledConn) stmt(ctx context.Context, query string) *compiledStmt {
	if s, ok := c.stmts[query]; ok {
		if s.open {
			return nil
		}
		return s
	}
	// A script's statements are compiled one by one as it runs.
	if strings.Contains(query, ";") {
		return nil
	}
	ds, err := c.sqliteConn.PrepareContext(ctx, query)
	if err != nil {
		return nil
	}
	st, ok := ds.(interface {
		driver.Stmt
		driver.StmtExecContext
		driver.StmtQueryContext
	})
	if !ok {
		ds.Close()
		return nil
	}
	if len(c.stmts) >= maxCompiled {
		c.evictOne()
	}
	s := &compiledStmt{stmt: st}
	c.stmts[query] = s
	return s
}

// evictOne closes a statement no rows are reading, whichever the map
// gives first: the texts a connection runs are few, and one evicted is
// compiled again when next run.
func (c *compiledConn) evictOne() {
	for q, s := range c.stmts {
		if !s.open {
			s.stmt.Close()
			delete(c.stmts, q)
			return
		}
	}
}

func (c *compiledConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	s := c.stmt(ctx, query)
	if s == nil {
		return c.sqliteConn.ExecContext(ctx, query, args)
	}
	return s.stmt.ExecContext(ctx, args)
}

func (c *compiledConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	s := c.stmt(ctx, query)
	if s == nil {
		return c.sqliteConn.QueryContext(ctx, query, args)
	}
	rows, err := s.stmt.QueryContext(ctx, args)
	if err != nil {
		return nil, err
	}
	s.open = true
	return &compiledRows{Rows: rows, s: s}, nil
}

func (c *compiledConn) Close() error {
	for q, s := range c.stmts {
		s.stmt.Close()
		delete(c.stmts, q)
	}
	return c.sqliteConn.Close()
}

// compiledRows frees its statement for the next query once closed (the
// driver resets it then).
type compiledRows struct {
	driver.Rows
	s *compiledStmt
}

func (r *compiledRows) Close() error {
	err := r.Rows.Close()
	r.s.open = false
	return err
}
