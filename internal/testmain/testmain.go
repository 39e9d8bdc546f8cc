// Package testmain holds the TestMain of test packages whose parallel
// tests mostly wait rather than compute.
package testmain

import (
	"flag"
	"os"
	"runtime"
	"strconv"
	"testing"
)

// Waiting runs m with twice as many parallel tests at once as go test's
// default of one per core. Tests that spend much of their time waiting (on
// a fake's reply, a background tick, a retry's pause, an fsync, SQLite's
// busy handler) left a 2-core machine idle for much of a package's run
// when held to GOMAXPROCS. A -parallel given on the command line is kept.
func Waiting(m *testing.M) {
	flag.Parse()
	set := false
	flag.Visit(func(f *flag.Flag) { set = set || f.Name == "test.parallel" })
	if !set {
		flag.Set("test.parallel", strconv.Itoa(2*runtime.GOMAXPROCS(0)))
	}
	os.Exit(m.Run())
}
