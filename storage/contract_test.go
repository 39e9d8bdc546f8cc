package storage_test

import (
	"testing"

	"github.com/racebot/racebot/internal/storetest"
	"github.com/racebot/racebot/internal/testdb"
)

// TestContract runs the storage contract every racebot store keeps, with
// handles on one file standing for racebot processes sharing it. Their
// reads are not fresh across handles: each trusts its plan cache until its
// next write notices the file changed.
func TestContract(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T) (storetest.Store, func() storetest.Store) {
		path := testdb.Path(t)
		open := func() storetest.Store { return MustOpen(t, path) }
		return open(), open
	}, storetest.Options{})
}
