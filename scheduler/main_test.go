package scheduler_test

import (
	"testing"

	"github.com/racebot/racebot/internal/testmain"
)

// TestMain lets more of the package's parallel tests run at once than
// go test's default of one per core: most of their time is spent waiting
// on the disk (a commit's fsync) and, where two schedulers share a file,
// in SQLite's busy handler, whose sleeps are real ones.
func TestMain(m *testing.M) { testmain.Waiting(m) }
