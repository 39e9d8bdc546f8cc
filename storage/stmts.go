package storage

import (
	"context"
	"database/sql"
	"sync"

	"github.com/racebot/racebot/storage/internal/record"
)

// stmts holds prepared statements for the queries every answer runs.
// SQLite compiles a statement on each use unless it is kept prepared, and
// compiling was about a sixth of the CPU an answer cost.
type stmts struct {
	mu   sync.Mutex
	byDB map[*sql.DB]map[string]*sql.Stmt
	// ofTx are the statements of the latest write transaction, tx (see
	// inTx).
	tx   *sql.Tx
	ofTx map[string]*sql.Stmt
}

// prepared returns the statement for query on pool, preparing it once. It
// returns nil if preparing fails; callers then run the query unprepared.
//
// It prepares without holding mu: preparing waits for a free connection
// of pool, and a snapshot holding one takes mu to look up its statements
// (sqlTx.stmt). Holding it, a first use stalled every snapshot and the
// writer until the waiting request's deadline.
func (s *stmts) prepared(ctx context.Context, pool *sql.DB, query string) *sql.Stmt {
	if st := s.lookup(pool, query); st != nil {
		return st
	}
	st, err := pool.PrepareContext(ctx, query)
	if err != nil {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.byDB == nil {
		s.byDB = make(map[*sql.DB]map[string]*sql.Stmt)
	}
	m := s.byDB[pool]
	if m == nil {
		m = make(map[string]*sql.Stmt)
		s.byDB[pool] = m
	}
	if prev, ok := m[query]; ok {
		// Another caller prepared it meanwhile.
		st.Close()
		return prev
	}
	m[query] = st
	return st
}

// lookup returns an already prepared statement, never preparing one.
func (s *stmts) lookup(pool *sql.DB, query string) *sql.Stmt {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.byDB[pool][query]
}

func (s *stmts) close() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, m := range s.byDB {
		for _, st := range m {
			st.Close()
		}
	}
	s.byDB = nil
	s.tx, s.ofTx = nil, nil
}

// Hot writes, prepared when the database opens: the writer pool has a
// single connection, and inside a transaction that connection is taken, so
// a statement cannot be prepared on the pool then.
//
// qBumpCursor also matches created_at: a plan cached here may have been
// deleted by another process and its id reused by a new plan, whose
// version may well equal the cached one's.
const (
	qSeenKey    = `INSERT INTO seen_keys (team_id, key, seen_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING`
	qBumpCursor = `UPDATE plans SET version = version + 1, stage = ?, step = ?, phase = ? WHERE id = ? AND team_id = ? AND version = ? AND created_at = ?`
	qAnswer     = `INSERT INTO answers (plan_id, question_id, revision, text, author, created_at, drafted, source, kind) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`
	qUnskip     = `DELETE FROM skips WHERE plan_id = ? AND question_id = ?`
	// A step's other changes: a plan's first answer sets its kind, the
	// last of a stage completes it, and a skip comes as often as a team
	// likes. Compiled afresh, each took longer than the insert it made.
	qSkip      = `INSERT INTO skips (plan_id, question_id) VALUES (?, ?) ON CONFLICT DO NOTHING`
	qCompleted = `INSERT INTO completed_stages (plan_id, stage) VALUES (?, ?) ON CONFLICT DO NOTHING`
	qKind      = `UPDATE plans SET kind = ? WHERE id = ?`
	// qAsked runs once for every prompt posted, as often as answers come.
	qAsked = `INSERT INTO asked (plan_id, at, ts, asks)
		SELECT id, ?, ?, ? FROM plans WHERE id = ? AND team_id = ?
		ON CONFLICT DO NOTHING`

	qDataVersion = `PRAGMA data_version`
)

func (db *DB) prepareWrites(ctx context.Context) {
	for _, q := range []string{qSeenKey, qBumpCursor, qAnswer, qUnskip, qSkip, qCompleted, qKind, qAsked, qDataVersion} {
		db.stmts.prepared(ctx, db.write, q)
	}
}

// Hot reads: what the cache reads when it misses, a plan (its row, then
// its seven parts) and its latest prompts. With more plans in play than
// the cache holds, that is most answers, and compiling the queries took
// longer than running them. They are prepared on the read pool when the
// database opens, and a snapshot runs them through its own connection
// (sqlTx.stmt): preparing on the pool from inside a snapshot would wait
// for a free connection, which the other snapshots may all be holding.
const (
	qPlan       = `SELECT ` + record.PlanColumns + ` FROM plans WHERE team_id = ? AND id = ?`
	qPlanByName = `SELECT ` + record.PlanColumns + ` FROM plans WHERE team_id = ? AND channel_id = ? AND name_key = ?`
)

func (db *DB) prepareReads(ctx context.Context) {
	for _, q := range []string{qPlan, qPlanByName, planParts.ByID, planParts.Answers, planParts.Skips, planParts.Stages,
		planParts.Actions, planParts.ActionStatuses, planParts.Priors, planParts.KPIs, qLatestAsked} {
		db.stmts.prepared(ctx, db.read, q)
	}
}

// execTx runs a write inside tx, through its prepared statement when it is
// one of the hot writes prepared at open.
func (db *DB) execTx(ctx context.Context, tx *sql.Tx, query string, args ...any) (sql.Result, error) {
	if st := db.stmts.inTx(ctx, tx, db.write, query); st != nil {
		return st.ExecContext(ctx, args...)
	}
	return tx.ExecContext(ctx, query, args...)
}

// inTx returns the hot write query prepared on pool as a statement of tx,
// or nil if it is not one. A transaction of the writer commits the writes
// of many requests, each running the same few statements: each gets its
// statement of tx once, not on every use (database/sql makes and
// registers a new one each time, and closes them all at the commit).
func (s *stmts) inTx(ctx context.Context, tx *sql.Tx, pool *sql.DB, query string) *sql.Stmt {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.tx != tx {
		// The statements of an earlier transaction closed with it.
		s.tx = tx
		clear(s.ofTx)
	}
	if st, ok := s.ofTx[query]; ok {
		return st
	}
	st := s.byDB[pool][query]
	if st == nil {
		return nil
	}
	st = tx.StmtContext(ctx, st)
	if s.ofTx == nil {
		s.ofTx = make(map[string]*sql.Stmt)
	}
	s.ofTx[query] = st
	return st
}

// The scheduler's two reads, which every process runs on every tick (at
// least once a minute) whether or not anything is due. Compiling them each
// time cost more than running them: under the race detector a year of
// ticks in the scheduler's tests spent 43% of its CPU in SQLite's parser.
var (
	qDueSchedules       = `SELECT ` + record.ScheduleColumns + ` FROM schedules s JOIN plans p ON p.id = s.plan_id ORDER BY s.plan_id`
	qPendingOccurrences = `SELECT ` + record.OccurrenceColumns + ` FROM occurrences o
		WHERE o.state IN ('claimed', 'retry')
		ORDER BY o.due_at, o.plan_id, o.key`
)

// eachPrepared runs one read, a statement on its own (so it needs no
// transaction to see one state of the file), through its prepared
// statement, and hands every row to read.
func (db *DB) eachPrepared(ctx context.Context, read record.Reader, query string, args ...any) error {
	var rows *sql.Rows
	var err error
	if st := db.stmts.prepared(ctx, db.read, query); st != nil {
		rows, err = st.QueryContext(ctx, args...)
	} else {
		rows, err = db.read.QueryContext(ctx, query, args...)
	}
	if err != nil {
		return classify(err)
	}
	defer rows.Close()
	return classify(record.ReadAll(rows, read))
}

// queryRow runs a hot read through its prepared statement.
func (db *DB) queryRow(ctx context.Context, query string, args ...any) *sql.Row {
	if st := db.stmts.prepared(ctx, db.read, query); st != nil {
		return st.QueryRowContext(ctx, args...)
	}
	return db.read.QueryRowContext(ctx, query, args...)
}
