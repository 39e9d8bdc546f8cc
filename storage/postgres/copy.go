package postgres

import (
	"cmp"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/racebot/racebot/storage/internal/record"
)

// Errors of CopyFromSQLite and Verify.
var (
	// ErrNotEmpty means the target already holds racebot rows, and copying
	// was not forced.
	ErrNotEmpty = errors.New("the PostgreSQL database already holds racebot data")
	// ErrSchemaMismatch means a table or column of one database has no
	// counterpart in the other: the two stores' migrations have drifted
	// apart, and a copy would lose what does not fit.
	ErrSchemaMismatch = errors.New("the SQLite and PostgreSQL schemas differ")
	// ErrMismatch means a table in PostgreSQL is not row for row the table
	// in SQLite.
	ErrMismatch = errors.New("the copy does not match its source")
	// ErrSourceChanged means the SQLite database was written to while it
	// was being copied (a racebot still serves from it): what was written
	// after the copy's snapshot is not in the copy, so nothing is kept.
	ErrSourceChanged = errors.New("the SQLite database changed while it was being copied")
)

// skipped tables are each database's own: the migrations applied, the
// readiness probe's row, and the SQLite file's marks of the plan and
// action ids it gave (PostgreSQL's identities keep their own; passIDsGiven
// carries them over).
var skipped = map[string]bool{"schema_migrations": true, "health": true, "plan_ids": true, "action_ids": true}

// TableSum is one table's row count and checksum. The checksum is a
// SHA-256 over every row's values, in primary-key order, each value
// encoded by the type it has in PostgreSQL, so a SQLite table and its copy
// sum alike exactly when they hold the same rows.
type TableSum struct {
	Table    string
	Rows     int64
	Checksum string
}

// column is a racebot column as PostgreSQL types it.
type column struct {
	name string
	typ  string // information_schema data_type: bigint, integer, boolean, double precision, text
	pk   bool
}

type table struct {
	name string
	cols []column
}

func (t table) names() []string {
	out := make([]string, len(t.cols))
	for i, c := range t.cols {
		out[i] = c.name
	}
	return out
}

func (t table) selectList() string {
	q := make([]string, len(t.cols))
	for i, c := range t.cols {
		q[i] = `"` + c.name + `"`
	}
	return strings.Join(q, ", ")
}

// querier is a pool or a transaction.
type querier interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// CopyFromSQLite copies every racebot table of src, an SQLite database at
// the schema this racebot migrates to, into this database, in one
// transaction: foreign keys' order, identity counters moved past the
// copied ids, then every table read back and compared with the source row
// by row. Anything that does not match rolls the whole copy back. A target
// that holds rows is refused with ErrNotEmpty unless force is set; then
// its racebot tables are emptied first. It returns each table's count and
// checksum.
func (db *DB) CopyFromSQLite(ctx context.Context, src *sql.DB, force bool) ([]TableSum, error) {
	tables, err := db.matchSchemas(ctx, src)
	if err != nil {
		return nil, err
	}
	srcTx, err := src.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, fmt.Errorf("read sqlite: %w", err)
	}
	defer srcTx.Rollback()

	var sums []TableSum
	err = pgx.BeginFunc(ctx, db.pool, func(tx pgx.Tx) error {
		names := make([]string, len(tables))
		for i, t := range tables {
			names[i] = pgx.Identifier{t.name}.Sanitize()
		}
		list := strings.Join(names, ", ")
		// Replicas serving from the target wait until the copy is in.
		if _, err := tx.Exec(ctx, `LOCK TABLE `+list+` IN ACCESS EXCLUSIVE MODE`); err != nil {
			return fmt.Errorf("lock tables: %w", err)
		}
		var full []string
		for _, t := range tables {
			var hasRows bool
			if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM `+pgx.Identifier{t.name}.Sanitize()+`)`).Scan(&hasRows); err != nil {
				return err
			}
			if hasRows {
				full = append(full, t.name)
			}
		}
		if len(full) > 0 && !force {
			return fmt.Errorf("%w (%s)", ErrNotEmpty, strings.Join(full, ", "))
		}
		if len(full) > 0 {
			if _, err := tx.Exec(ctx, `TRUNCATE `+list+` RESTART IDENTITY CASCADE`); err != nil {
				return fmt.Errorf("empty the target: %w", err)
			}
		}
		want := make(map[string][]rowSum, len(tables))
		for _, t := range tables {
			rows, err := copyTable(ctx, tx, srcTx, t)
			if err != nil {
				return fmt.Errorf("copy %s: %w", t.name, err)
			}
			want[t.name] = rows
			if err := resetIdentity(ctx, tx, t); err != nil {
				return fmt.Errorf("copy %s: %w", t.name, err)
			}
			if given := idsGiven[t.name]; given != "" {
				if err := passIDsGiven(ctx, tx, srcTx, t.name, given); err != nil {
					return fmt.Errorf("copy %s: %w", t.name, err)
				}
			}
		}
		sums, err = compare(ctx, tx, tables, func(t table) ([]rowSum, error) { return want[t.name], nil })
		if err != nil {
			return err
		}
		// The copy is of one moment of the file; a racebot serving from it
		// may have committed answers since, which the copy lacks. Before
		// committing, read the file afresh: if it moved on, keep nothing.
		srcTx.Rollback()
		return unchanged(ctx, src, tables, want)
	})
	if err != nil {
		return nil, err
	}
	return sums, nil
}

// unchanged reads every table of src in a new read transaction and fails
// with ErrSourceChanged unless each still holds exactly the rows copied.
func unchanged(ctx context.Context, src *sql.DB, tables []table, copied map[string][]rowSum) error {
	tx, err := src.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return fmt.Errorf("read sqlite: %w", err)
	}
	defer tx.Rollback()
	for _, t := range tables {
		now, err := sqliteRows(ctx, tx, t)
		if err != nil {
			return fmt.Errorf("read sqlite %s: %w", t.name, err)
		}
		if err := firstDifference(t.name, copied[t.name], now); err != nil {
			return fmt.Errorf("%w (first in table %s: %v)", ErrSourceChanged, t.name, err)
		}
	}
	return nil
}

// Verify compares every racebot table of this database with src, row by
// row, and returns each table's count and checksum; a difference is an
// ErrMismatch naming the first row that differs.
func (db *DB) Verify(ctx context.Context, src *sql.DB) ([]TableSum, error) {
	tables, err := db.matchSchemas(ctx, src)
	if err != nil {
		return nil, err
	}
	srcTx, err := src.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, fmt.Errorf("read sqlite: %w", err)
	}
	defer srcTx.Rollback()
	var sums []TableSum
	err = db.snapshot(ctx, func(tx pgx.Tx) error {
		var err error
		sums, err = compare(ctx, tx, tables, func(t table) ([]rowSum, error) { return sqliteRows(ctx, srcTx, t) })
		return err
	})
	return sums, err
}

// compare reads each table from PostgreSQL and checks it against the
// source's rows.
func compare(ctx context.Context, q querier, tables []table, source func(table) ([]rowSum, error)) ([]TableSum, error) {
	var sums []TableSum
	for _, t := range tables {
		want, err := source(t)
		if err != nil {
			return nil, fmt.Errorf("read sqlite %s: %w", t.name, err)
		}
		got, err := pgRows(ctx, q, t)
		if err != nil {
			return nil, fmt.Errorf("read back %s: %w", t.name, err)
		}
		if err := firstDifference(t.name, want, got); err != nil {
			return nil, err
		}
		sums = append(sums, TableSum{Table: t.name, Rows: int64(len(got)), Checksum: checksum(got)})
	}
	return sums, nil
}

// rowSum is one row: its primary key and the digest of all its values,
// each encoded as canonical.
type rowSum struct {
	key    string
	digest [sha256.Size]byte
}

func sumRow(t table, vals []any) (rowSum, error) {
	h := sha256.New()
	var key strings.Builder
	for i, c := range t.cols {
		enc, err := canonical(c, vals[i])
		if err != nil {
			return rowSum{}, fmt.Errorf("column %s: %w", c.name, err)
		}
		h.Write([]byte(enc))
		h.Write([]byte{0})
		if c.pk {
			key.WriteString(enc)
			key.WriteByte(0)
		}
	}
	var r rowSum
	r.key = key.String()
	h.Sum(r.digest[:0])
	return r, nil
}

// canonical encodes a value by its column's PostgreSQL type, whichever
// driver read it: SQLite gives flags as integers and pgx as booleans.
func canonical(c column, v any) (string, error) {
	if v == nil {
		return "N", nil
	}
	switch c.typ {
	case "boolean":
		switch v := v.(type) {
		case bool:
			return map[bool]string{false: "b0", true: "b1"}[v], nil
		case int64:
			return map[bool]string{false: "b0", true: "b1"}[v != 0], nil
		}
	case "integer", "bigint", "smallint":
		switch v := v.(type) {
		case int64:
			return "i" + strconv.FormatInt(v, 10), nil
		case int32:
			return "i" + strconv.FormatInt(int64(v), 10), nil
		case int16:
			return "i" + strconv.FormatInt(int64(v), 10), nil
		}
	case "double precision", "real":
		switch v := v.(type) {
		case float64:
			return "f" + strconv.FormatFloat(v, 'g', -1, 64), nil
		case float32:
			return "f" + strconv.FormatFloat(float64(v), 'g', -1, 64), nil
		case int64:
			return "f" + strconv.FormatFloat(float64(v), 'g', -1, 64), nil
		}
	case "text":
		switch v := v.(type) {
		case string:
			return "s" + strconv.Itoa(len(v)) + ":" + v, nil
		case []byte:
			return "s" + strconv.Itoa(len(v)) + ":" + string(v), nil
		}
	}
	return "", fmt.Errorf("%T value %v does not fit a %s column", v, v, c.typ)
}

// convert turns a value read from SQLite into what the PostgreSQL column
// takes.
func convert(c column, v any) (any, error) {
	if v == nil {
		return nil, nil
	}
	switch c.typ {
	case "boolean":
		if n, ok := v.(int64); ok {
			return n != 0, nil
		}
	case "double precision", "real":
		if n, ok := v.(int64); ok {
			return float64(n), nil
		}
	case "text":
		if b, ok := v.([]byte); ok {
			return string(b), nil
		}
	}
	return v, nil
}

func checksum(rows []rowSum) string {
	h := sha256.New()
	for _, r := range rows {
		h.Write(r.digest[:])
	}
	return hex.EncodeToString(h.Sum(nil))
}

func sortRows(rows []rowSum) {
	slices.SortFunc(rows, func(a, b rowSum) int { return cmp.Compare(a.key, b.key) })
}

// firstDifference walks both tables in key order and names the first row
// missing, extra or different in the copy.
func firstDifference(name string, want, got []rowSum) error {
	i, j := 0, 0
	for i < len(want) || j < len(got) {
		switch {
		case j == len(got) || (i < len(want) && want[i].key < got[j].key):
			return fmt.Errorf("%w: %s row %s is missing from PostgreSQL (%d rows in SQLite, %d in PostgreSQL)", ErrMismatch, name, printable(want[i].key), len(want), len(got))
		case i == len(want) || got[j].key < want[i].key:
			return fmt.Errorf("%w: %s row %s is in PostgreSQL only (%d rows in SQLite, %d in PostgreSQL)", ErrMismatch, name, printable(got[j].key), len(want), len(got))
		case want[i].digest != got[j].digest:
			return fmt.Errorf("%w: %s row %s differs", ErrMismatch, name, printable(want[i].key))
		}
		i, j = i+1, j+1
	}
	return nil
}

// printable shows a row key: its encoded primary-key values.
func printable(key string) string {
	parts := strings.Split(strings.TrimSuffix(key, "\x00"), "\x00")
	for i, p := range parts {
		if len(p) > 0 && p[0] == 's' {
			_, s, _ := strings.Cut(p, ":")
			parts[i] = strconv.Quote(s)
		} else if len(p) > 0 {
			parts[i] = p[1:]
		}
	}
	return "(" + strings.Join(parts, ", ") + ")"
}

func sqliteRows(ctx context.Context, src *sql.Tx, t table) ([]rowSum, error) {
	rows, err := src.QueryContext(ctx, `SELECT `+t.selectList()+` FROM "`+t.name+`"`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []rowSum
	vals := make([]any, len(t.cols))
	ptrs := make([]any, len(t.cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return nil, err
		}
		r, err := sumRow(t, vals)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	sortRows(out)
	return out, nil
}

func pgRows(ctx context.Context, q querier, t table) ([]rowSum, error) {
	rows, err := q.Query(ctx, `SELECT `+t.selectList()+` FROM `+pgx.Identifier{t.name}.Sanitize())
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []rowSum
	for rows.Next() {
		vals, err := rows.Values()
		if err != nil {
			return nil, err
		}
		r, err := sumRow(t, vals)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	sortRows(out)
	return out, nil
}

// copyTable streams a table from SQLite into PostgreSQL with COPY and
// returns the source rows' sums, taken from the very values copied.
func copyTable(ctx context.Context, tx pgx.Tx, src *sql.Tx, t table) ([]rowSum, error) {
	rows, err := src.QueryContext(ctx, `SELECT `+t.selectList()+` FROM "`+t.name+`"`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	s := &copySource{t: t, rows: rows, vals: make([]any, len(t.cols))}
	if _, err := tx.CopyFrom(ctx, pgx.Identifier{t.name}, t.names(), s); err != nil {
		return nil, err
	}
	if s.err != nil {
		return nil, s.err
	}
	sortRows(s.sums)
	return s.sums, nil
}

// copySource feeds COPY from SQLite rows, summing each row as it passes.
type copySource struct {
	t    table
	rows *sql.Rows
	vals []any
	row  []any
	sums []rowSum
	err  error
}

func (s *copySource) Next() bool {
	if s.err != nil || !s.rows.Next() {
		return false
	}
	ptrs := make([]any, len(s.vals))
	for i := range s.vals {
		ptrs[i] = &s.vals[i]
	}
	if s.err = s.rows.Scan(ptrs...); s.err != nil {
		return false
	}
	sum, err := sumRow(s.t, s.vals)
	if err != nil {
		s.err = err
		return false
	}
	s.sums = append(s.sums, sum)
	s.row = make([]any, len(s.vals))
	for i, c := range s.t.cols {
		if s.row[i], s.err = convert(c, s.vals[i]); s.err != nil {
			return false
		}
	}
	return true
}

func (s *copySource) Values() ([]any, error) { return s.row, nil }

func (s *copySource) Err() error {
	if s.err != nil {
		return s.err
	}
	return s.rows.Err()
}

// resetIdentity moves a table's identity counter past the ids copied, so
// the next row PostgreSQL numbers does not collide with one.
func resetIdentity(ctx context.Context, tx pgx.Tx, t table) error {
	var col string
	err := tx.QueryRow(ctx, `SELECT column_name FROM information_schema.columns
		WHERE table_schema = current_schema() AND table_name = $1 AND is_identity = 'YES'`, t.name).Scan(&col)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil
	}
	if err != nil {
		return err
	}
	id := pgx.Identifier{col}.Sanitize()
	_, err = tx.Exec(ctx, `SELECT setval(pg_get_serial_sequence($1, $2), coalesce((SELECT max(`+id+`) FROM `+pgx.Identifier{t.name}.Sanitize()+`), 0) + 1, false)`,
		pgx.Identifier{t.name}.Sanitize(), col)
	return err
}

// idsGiven names, for each table whose ids the SQLite file never gives
// twice, the table that keeps the largest id it gave (migrations 0021 and
// 0027): buttons and forms of a deleted plan or a removed action still
// name its id, and must not reach a new one.
var idsGiven = map[string]string{"plans": "plan_ids", "actions": "action_ids"}

// passIDsGiven moves a table's identity past every id the SQLite file gave
// it, deleted rows' included.
func passIDsGiven(ctx context.Context, tx pgx.Tx, src *sql.Tx, table, given string) error {
	var last int64
	if err := src.QueryRowContext(ctx, `SELECT last FROM `+given).Scan(&last); err != nil {
		return fmt.Errorf("the ids the file gave: %w", err)
	}
	_, err := tx.Exec(ctx, fmt.Sprintf(`SELECT setval(pg_get_serial_sequence('%[1]s', 'id'),
		greatest($1::bigint, (SELECT coalesce(max(id), 0) FROM %[1]s)) + 1, false)`, table), last)
	return err
}

// matchSchemas lists the racebot tables of this database in foreign-key
// order (a table after those it refers to), and fails with
// ErrSchemaMismatch unless src has exactly the same tables and columns.
func (db *DB) matchSchemas(ctx context.Context, src *sql.DB) ([]table, error) {
	pg, err := db.tables(ctx)
	if err != nil {
		return nil, fmt.Errorf("read postgres schema: %w", err)
	}
	lite, err := sqliteColumns(ctx, src)
	if err != nil {
		return nil, fmt.Errorf("read sqlite schema: %w", err)
	}
	var diffs []string
	inPG := map[string]bool{}
	for _, t := range pg {
		inPG[t.name] = true
		cols, ok := lite[t.name]
		if !ok {
			diffs = append(diffs, "table "+t.name+" is in PostgreSQL only")
			continue
		}
		have := map[string]bool{}
		for _, c := range cols {
			have[c] = true
		}
		for _, c := range t.cols {
			if !have[c.name] {
				diffs = append(diffs, "column "+t.name+"."+c.name+" is in PostgreSQL only")
			}
			delete(have, c.name)
		}
		for c := range have {
			diffs = append(diffs, "column "+t.name+"."+c+" is in SQLite only")
		}
	}
	for name := range lite {
		if !inPG[name] {
			diffs = append(diffs, "table "+name+" is in SQLite only")
		}
	}
	if len(diffs) > 0 {
		slices.Sort(diffs)
		return nil, fmt.Errorf("%w: %s", ErrSchemaMismatch, strings.Join(diffs, "; "))
	}
	return pg, nil
}

// tables reads the racebot tables of the current schema with their
// columns, in foreign-key order.
func (db *DB) tables(ctx context.Context) ([]table, error) {
	byName := map[string]*table{}
	var order []string
	err := db.snapshot(ctx, func(tx pgx.Tx) error {
		if err := each(ctx, tx, func(scan record.Scan) error {
			var name, col, typ string
			var pk bool
			if err := scan(&name, &col, &typ, &pk); err != nil {
				return err
			}
			if skipped[name] {
				return nil
			}
			t, ok := byName[name]
			if !ok {
				t = &table{name: name}
				byName[name] = t
				order = append(order, name)
			}
			t.cols = append(t.cols, column{name: col, typ: typ, pk: pk})
			return nil
		}, `SELECT c.table_name, c.column_name, c.data_type,
				EXISTS (SELECT 1 FROM information_schema.table_constraints tc
					JOIN information_schema.key_column_usage k USING (constraint_schema, constraint_name)
					WHERE tc.constraint_type = 'PRIMARY KEY' AND tc.table_schema = c.table_schema
						AND tc.table_name = c.table_name AND k.column_name = c.column_name)
			FROM information_schema.columns c JOIN information_schema.tables t USING (table_schema, table_name)
			WHERE c.table_schema = current_schema() AND t.table_type = 'BASE TABLE'
			ORDER BY c.table_name, c.ordinal_position`); err != nil {
			return err
		}
		deps := map[string][]string{}
		if err := each(ctx, tx, func(scan record.Scan) error {
			var from, to string
			if err := scan(&from, &to); err != nil {
				return err
			}
			deps[from] = append(deps[from], to)
			return nil
		}, `SELECT cl.relname, ref.relname FROM pg_constraint con
				JOIN pg_class cl ON cl.oid = con.conrelid
				JOIN pg_class ref ON ref.oid = con.confrelid
			WHERE con.contype = 'f' AND con.connamespace = current_schema()::regnamespace`); err != nil {
			return err
		}
		order = topoSort(order, deps)
		return nil
	})
	if err != nil {
		return nil, err
	}
	out := make([]table, 0, len(order))
	for _, name := range order {
		out = append(out, *byName[name])
	}
	return out, nil
}

// topoSort orders names so that each comes after the ones it depends on,
// and otherwise alphabetically.
func topoSort(names []string, deps map[string][]string) []string {
	slices.Sort(names)
	done := map[string]bool{}
	var out []string
	var visit func(string)
	visit = func(n string) {
		if done[n] {
			return
		}
		done[n] = true
		for _, d := range deps[n] {
			if slices.Contains(names, d) {
				visit(d)
			}
		}
		out = append(out, n)
	}
	for _, n := range names {
		visit(n)
	}
	return out
}

// sqliteColumns lists the racebot tables of an SQLite database with their
// columns.
func sqliteColumns(ctx context.Context, src *sql.DB) (map[string][]string, error) {
	rows, err := src.QueryContext(ctx, `SELECT m.name, c.name FROM sqlite_master m JOIN pragma_table_info(m.name) c
		WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' ORDER BY m.name, c.cid`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string][]string{}
	for rows.Next() {
		var name, col string
		if err := rows.Scan(&name, &col); err != nil {
			return nil, err
		}
		if !skipped[name] {
			out[name] = append(out[name], col)
		}
	}
	return out, rows.Err()
}
