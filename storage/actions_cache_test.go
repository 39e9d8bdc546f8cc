package storage_test

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/racebot/racebot/flows"
)

// TestAddedActionsKeepTheCacheTrue: an action added by a commit is cached
// with the id the database gave it, so the plan a second handle loads from
// the file and the one this handle keeps agree.
func TestAddedActionsKeepTheCacheTrue(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	path := t.TempDir() + "/racebot.db"
	a, b := MustOpen(t, path), MustOpen(t, path)
	p := newPlan(t, a, "T1", "C1", "Q1")
	for i := range 3 {
		cur, err := a.Plan(ctx, "T1", p.ID)
		if err != nil {
			t.Fatal(err)
		}
		act := flows.Action{Stage: flows.StagePlan, Text: "step " + string(rune('A'+i)), Impact: 3, Effort: 2, By: "U1", At: t0}
		if err := a.Commit(ctx, cur, []flows.Change{flows.ActionAdded{Action: act}}, ""); err != nil {
			t.Fatal(err)
		}
	}
	cached, err := a.Plan(ctx, "T1", p.ID)
	if err != nil {
		t.Fatal(err)
	}
	fresh, err := b.Plan(ctx, "T1", p.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, x := range cached.Actions {
		if x.ID == 0 {
			t.Errorf("cached action %q has no id", x.Text)
		}
	}
	if diff := cmp.Diff(fresh.Actions, cached.Actions); diff != "" {
		t.Errorf("cached actions differ from the file (-file +cache):\n%s", diff)
	}
}
