package main

import (
	"os"
	"testing"
)

// TestMain lets the test binary be the reference servers, as the load tool
// is: the benchmark starts them as `<this program> ref …`.
func TestMain(m *testing.M) {
	if len(os.Args) > 1 && os.Args[1] == "ref" {
		os.Exit(ref(os.Args[2:]))
	}
	os.Exit(m.Run())
}
