package flows_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestNoTransportMarkup keeps Slack's markup and the slash command's name
// out of the engine, comments included: replies are Msg values, and each
// transport decides how to render and escape them. It is the check
//
//	grep -rn '/race\|<@\|mrkdwn' flows/ --include=*.go | grep -v _test.go
func TestNoTransportMarkup(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for i, line := range strings.Split(string(b), "\n") {
			for _, bad := range []string{"/race", "<@", "mrkdwn"} {
				if strings.Contains(line, bad) {
					t.Errorf("%s:%d has %q, which belongs to a transport: %s", f, i+1, bad, strings.TrimSpace(line))
				}
			}
		}
	}
}
