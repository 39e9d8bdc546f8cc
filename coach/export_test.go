package coach_test

import (
	"context"
	"testing"
	"time"
)

// TestSlowExportEndsOnlyItsOwnHold: Ana's export takes longer than its
// two-minute hold, so asking again starts a second one. The first ends
// while the second is still under way: a third ask is held off, not
// shared a third time.
func TestSlowExportEndsOnlyItsOwnHold(t *testing.T) {
	svc, _ := newService(t, nil)
	ctx := context.Background()
	start := func(at time.Time) bool {
		t.Helper()
		ok, err := svc.StartExport(ctx, "T1", 1, "U1", at)
		if err != nil {
			t.Fatal(err)
		}
		return ok
	}
	first := t0
	if !start(first) {
		t.Fatal("the first export was held off")
	}
	second := t0.Add(2*time.Minute + time.Second)
	if !start(second) {
		t.Fatal("the second export, asked after the first's hold ran out, was held off")
	}
	if err := svc.EndExport(ctx, "T1", 1, "U1", first, second.Add(10*time.Second), true); err != nil {
		t.Fatal(err)
	}
	if start(second.Add(time.Minute)) {
		t.Error("a third export was let through while the second was under way")
	}
	if err := svc.EndExport(ctx, "T1", 1, "U1", second, second.Add(70*time.Second), true); err != nil {
		t.Fatal(err)
	}
	if !start(second.Add(80 * time.Second)) {
		t.Error("an export asked after the second ended was held off")
	}
}
