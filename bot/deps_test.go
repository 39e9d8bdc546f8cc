package bot_test

import (
	"os/exec"
	"strings"
	"testing"
)

// TestTransportsNeverReachTheStore keeps the transports translating and
// rendering: every state change goes through the coaching service, so
// neither the Slack bot nor the terminal may import the storage package.
func TestTransportsNeverReachTheStore(t *testing.T) {
	t.Parallel()
	for _, pkg := range []string{".", "../terminal"} {
		out, err := exec.Command("go", "list", "-deps", pkg).CombinedOutput()
		if err != nil {
			t.Fatalf("go list %s: %v\n%s", pkg, err, out)
		}
		for _, dep := range strings.Fields(string(out)) {
			if dep == "github.com/racebot/racebot/storage" || strings.HasPrefix(dep, "modernc.org/sqlite") {
				t.Errorf("%s depends on %s; state changes go through package coach", pkg, dep)
			}
		}
	}
}
