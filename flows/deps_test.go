package flows_test

import (
	"os/exec"
	"strings"
	"testing"
)

// TestStandardLibraryOnly keeps the coaching engine free of Slack, SQL and
// every other dependency: transports and the store plug into it, never the
// other way round.
func TestStandardLibraryOnly(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "-f", "{{if not .Standard}}{{.ImportPath}}{{end}}", ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	for _, pkg := range strings.Fields(string(out)) {
		if pkg != "github.com/racebot/racebot/flows" {
			t.Errorf("flows depends on %s; it may import only the standard library", pkg)
		}
	}
}
