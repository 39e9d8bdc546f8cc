package main

import (
	"runtime/debug"
	"testing"
)

// TestMemoryGuard: without GOMEMLIMIT racebot runs under the default soft
// limit; with it, the runtime's reading of the variable stands.
func TestMemoryGuard(t *testing.T) {
	before := debug.SetMemoryLimit(-1)
	t.Cleanup(func() { debug.SetMemoryLimit(before) })

	const set = 1 << 30 // as if the runtime had read GOMEMLIMIT=1GiB
	debug.SetMemoryLimit(set)
	guardMemory(func(k string) string {
		if k == "GOMEMLIMIT" {
			return "1GiB"
		}
		return ""
	})
	if got := debug.SetMemoryLimit(-1); got != set {
		t.Errorf("with GOMEMLIMIT set, limit = %d, want %d", got, set)
	}

	guardMemory(func(string) string { return "" })
	if got := debug.SetMemoryLimit(-1); got != defaultMemoryLimit {
		t.Errorf("without GOMEMLIMIT, limit = %d, want %d", got, defaultMemoryLimit)
	}
}
