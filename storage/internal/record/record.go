// Package record turns the rows the two stores read, storage (SQLite) and
// storage/postgres, into flows, install and scheduler values, so that what
// a column means is written once. The stores keep their SQL text and their
// driver calls and hand each row over as a Scan: both *sql.Rows.Scan and
// pgx.Rows.Scan have its shape, as do the Scan methods of their one-row
// results.
//
// The readers scan only into types both drivers fill alike: integers,
// strings, booleans, and pointers for the columns that may be NULL.
package record

import "time"

// Scan copies the columns of the current row into dest.
type Scan = func(dest ...any) error

// Reader takes in one row.
type Reader = func(Scan) error

// Results is what both drivers' query results have for reading them.
type Results interface {
	Next() bool
	Scan(dest ...any) error
	Err() error
}

// ReadAll hands every row of rows to read, stopping at its first error.
// The caller closes rows.
func ReadAll(rows Results, read Reader) error {
	for rows.Next() {
		if err := read(rows.Scan); err != nil {
			return err
		}
	}
	return rows.Err()
}

// Millis is how both stores keep a time: Unix milliseconds.
func Millis(t time.Time) int64 { return t.UnixMilli() }

// FromMillis is the time Millis stored, in UTC.
func FromMillis(ms int64) time.Time { return time.UnixMilli(ms).UTC() }

// OptionalMillis stores a time that may be unset as 0.
func OptionalMillis(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return Millis(t)
}

// Date is how a calendar day (an action's due date, a KPI's deadline) is
// stored: YYYY-MM-DD text, "" for none, so that days compare as text.
func Date(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format(time.DateOnly)
}

// parseDate reads back what Date stored.
func parseDate(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	return time.Parse(time.DateOnly, s)
}

// Rows reads every row with one into out.
func Rows[T any](out *[]T, one func(Scan) (T, error)) Reader {
	return func(scan Scan) error {
		v, err := one(scan)
		if err != nil {
			return err
		}
		*out = append(*out, v)
		return nil
	}
}

// IDs reads a column of ids into ids.
func IDs(ids *[]int64) Reader {
	return func(scan Scan) error {
		var id int64
		if err := scan(&id); err != nil {
			return err
		}
		*ids = append(*ids, id)
		return nil
	}
}

// Strings reads a column of text into out.
func Strings(out *[]string) Reader {
	return func(scan Scan) error {
		var s string
		if err := scan(&s); err != nil {
			return err
		}
		*out = append(*out, s)
		return nil
	}
}

// Set reads a column of text into out, as a set.
func Set[K ~string](out map[K]bool) Reader {
	return func(scan Scan) error {
		var s string
		if err := scan(&s); err != nil {
			return err
		}
		out[K(s)] = true
		return nil
	}
}
