package record

import "errors"

// ErrNoRows is what a Tx's Row scan reports when the query found no row,
// whichever driver ran it.
var ErrNoRows = errors.New("no rows in result set")

// Tx is a store's transaction as the rules shared by both stores use it:
// the store runs its own SQL text with its own driver.
type Tx interface {
	// Row runs a query for one row; scanning a query that found none
	// fails with ErrNoRows.
	Row(query string, args ...any) Scan
	// Exec runs a statement and reports the rows it affected.
	Exec(query string, args ...any) (int64, error)
	// Each runs a query and hands every row to read.
	Each(read Reader, query string, args ...any) error
}
