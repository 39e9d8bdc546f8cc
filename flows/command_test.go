package flows

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestHelpIsSharedSafely: help is built once and shared, as the prompts
// are: each topic reads as if built afresh, and two callers appending to
// it do not write into one array.
func TestHelpIsSharedSafely(t *testing.T) {
	for topic, build := range map[string]func() Msg{"": buildHelpText, "kpi": buildKPIHelp, "actions": buildActionHelp} {
		shared, err := HelpTopic(topic)
		if err != nil {
			t.Fatalf("help %q: %v", topic, err)
		}
		a := append(shared, Text("first caller's words"))
		b := append(shared, Text("second caller's words"))
		if a[len(a)-1].Text != "first caller's words" || b[len(b)-1].Text != "second caller's words" {
			t.Fatalf("help %q: two appends wrote into one array: %q, %q", topic, a[len(a)-1].Text, b[len(b)-1].Text)
		}
		if again, _ := HelpTopic(topic); !cmp.Equal(again, build()) {
			t.Fatalf("help %q differs from a fresh build:\n%s", topic, cmp.Diff(build(), again))
		}
	}
}
