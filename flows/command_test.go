package flows

import "testing"

// TestHelpIsAFreshCopyEachTime: help is built once, and what one caller
// does with its copy never shows in the next caller's.
func TestHelpIsAFreshCopyEachTime(t *testing.T) {
	first, err := HelpTopic("")
	if err != nil {
		t.Fatal(err)
	}
	want := first.String()
	first[0].Text = "changed"
	_ = append(first, Text(" and more"))
	again, err := HelpTopic("")
	if err != nil {
		t.Fatal(err)
	}
	if got := again.String(); got != want {
		t.Errorf("help after a caller changed its copy:\n%s\nwant\n%s", got, want)
	}
}
