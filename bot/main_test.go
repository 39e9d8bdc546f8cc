package bot

import (
	"testing"

	"github.com/racebot/racebot/internal/testmain"
)

// TestMain lets more of the package's parallel tests run at once than
// go test's default of one per core. Most of them spend much of their
// time waiting, not computing: on a Slack fake's reply, a background
// tick, a retry's pause or a bound they prove is kept. Holding them to
// GOMAXPROCS left a 2-core machine a third idle through the package's
// run.
func TestMain(m *testing.M) { testmain.Waiting(m) }
