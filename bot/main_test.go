package bot

import (
	"flag"
	"os"
	"runtime"
	"strconv"
	"testing"
)

// TestMain lets more of the package's parallel tests run at once than
// go test's default of one per core. Most of them spend much of their
// time waiting, not computing: on a Slack fake's reply, a background
// tick, a retry's pause or a bound they prove is kept. Holding them to
// GOMAXPROCS left a 2-core machine a third idle through the package's
// run. A -parallel given on the command line is kept.
func TestMain(m *testing.M) {
	flag.Parse()
	set := false
	flag.Visit(func(f *flag.Flag) { set = set || f.Name == "test.parallel" })
	if !set {
		flag.Set("test.parallel", strconv.Itoa(2*runtime.GOMAXPROCS(0)))
	}
	os.Exit(m.Run())
}
