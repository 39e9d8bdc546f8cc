package coach

import (
	"strings"
	"testing"
)

// TestIsYesAsLowerCased: turning long replies down by their length
// changes no answer of the lower-casing comparison, for replies of every
// length and case, the Kelvin sign and the long s included.
func TestIsYesAsLowerCased(t *testing.T) {
	lowerCased := func(text string) bool {
		switch strings.ToLower(strings.TrimRight(text, ".!")) {
		case "yes", "y":
			return true
		}
		return false
	}
	parts := []string{"y", "Y", "e", "E", "s", "S", "ſ", "\u212a", "!", ".", " ", "yes", "YES"}
	var build func(prefix string, depth int)
	build = func(prefix string, depth int) {
		if got, want := isYes(prefix), lowerCased(prefix); got != want {
			t.Errorf("isYes(%q) = %v, want %v", prefix, got, want)
		}
		if depth == 0 {
			return
		}
		for _, p := range parts {
			build(prefix+p, depth-1)
		}
	}
	build("", 4)
}
