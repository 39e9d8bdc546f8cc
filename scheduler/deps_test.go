package scheduler_test

import (
	"os/exec"
	"strings"
	"testing"
)

// TestNoStorageImport keeps the dependency pointing one way: the scheduler
// defines the types and interfaces it needs, and storage implements them.
// A scheduler that imported storage could not be run on any other store.
func TestNoStorageImport(t *testing.T) {
	t.Parallel()
	out, err := exec.Command("go", "list", "-deps", ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	pkgs := strings.Fields(string(out))
	if len(pkgs) == 0 || pkgs[len(pkgs)-1] != "github.com/racebot/racebot/scheduler" {
		t.Fatalf("go list -deps printed %q, want the scheduler's dependencies ending with itself", out)
	}
	for _, pkg := range pkgs {
		if pkg == "github.com/racebot/racebot/storage" || strings.HasPrefix(pkg, "github.com/racebot/racebot/storage/") {
			t.Errorf("scheduler depends on %s; storage must implement the scheduler's interfaces, not the other way round", pkg)
		}
	}
}
