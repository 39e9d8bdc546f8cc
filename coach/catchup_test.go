package coach_test

import (
	"context"
	"testing"

	"github.com/racebot/racebot/coach"
)

// TestMessageAfterOrdersByTime: Slack ts values compare as times, not as
// text, and one that does not parse comes first.
func TestMessageAfterOrdersByTime(t *testing.T) {
	for _, tt := range []struct {
		a, b string
		want bool
	}{
		{"1000000000.000000", "999999999.900000", true},
		{"999999999.9", "1000000000.0", false},
		{"1700000000.000200", "1700000000.000100", true},
		{"1700000000.000100", "1700000000.000100", false},
		{"1700000000.000100", "", true},
		{"", "1700000000.000100", false},
		{"soon", "1.000001", false},
	} {
		if got := coach.MessageAfter(tt.a, tt.b); got != tt.want {
			t.Errorf("MessageAfter(%q, %q) = %t, want %t", tt.a, tt.b, got, tt.want)
		}
	}
}

// TestExplainedOnce: the first explanation of a message's bad input is
// the only one, and the key it records is what a catch-up looks up.
func TestExplainedOnce(t *testing.T) {
	ctx := context.Background()
	svc, _ := newService(t, nil)
	key := coach.MessageKey("C1", "1700000000.000100")
	if seen, err := svc.Handled(ctx, "T1", key); err != nil || seen {
		t.Fatalf("before: handled %t, %v", seen, err)
	}
	for i, want := range []bool{true, false} {
		first, err := svc.Explained(ctx, "T1", key)
		if err != nil || first != want {
			t.Errorf("explanation %d: first %t, %v; want %t", i+1, first, err, want)
		}
	}
	if seen, err := svc.Handled(ctx, "T1", key); err != nil || !seen {
		t.Errorf("after: handled %t, %v", seen, err)
	}
	if first, err := svc.Explained(ctx, "T2", key); err != nil || !first {
		t.Errorf("another workspace's message: first %t, %v", first, err)
	}
}
