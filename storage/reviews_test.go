package storage_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/racebot/racebot/flows"
	"github.com/racebot/racebot/internal/testdb"
)

// TestLatestReview: a plan keeps its newest review, whichever order two
// reviews are stored in; another plan, another workspace and a deleted
// plan see none, and a reopened file still has it.
func TestLatestReview(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	path := testdb.Path(t)
	db := MustOpen(t, path)
	p := newPlan(t, db, "T1", "C1", "Q1")
	other := newPlan(t, db, "T1", "C1", "Q2")

	if _, ok, err := db.LatestReview(ctx, "T1", p.ID); ok || err != nil {
		t.Fatalf("a plan never reviewed has a review: %v %v", ok, err)
	}
	newer := flows.ExportReview{Plan: p.ID, At: t0.Add(time.Hour), By: "UBEN", Text: "Gaps: &lt;none&gt;", FromModel: true}
	older := flows.ExportReview{Plan: p.ID, At: t0, By: "UANA", Text: "Review of Q1 (built-in checks)"}
	for _, r := range []flows.ExportReview{older, newer, older} {
		if err := db.SetLatestReview(ctx, "T1", r); err != nil {
			t.Fatal(err)
		}
	}
	got, ok, err := MustOpen(t, path).LatestReview(ctx, "T1", p.ID)
	if err != nil || !ok {
		t.Fatalf("latest review = %v %v", ok, err)
	}
	if diff := cmp.Diff(newer, got); diff != "" {
		t.Errorf("latest review (-want +got):\n%s", diff)
	}

	if _, ok, err := db.LatestReview(ctx, "T1", other.ID); ok || err != nil {
		t.Errorf("another plan has the review: %v %v", ok, err)
	}
	if _, ok, err := db.LatestReview(ctx, "T2", p.ID); ok || err != nil {
		t.Errorf("another workspace reads the review: %v %v", ok, err)
	}
	if err := db.SetLatestReview(ctx, "T2", flows.ExportReview{Plan: p.ID, At: t0.Add(2 * time.Hour), Text: "theirs"}); !errors.Is(err, flows.ErrNoPlan) {
		t.Errorf("another workspace's review of the plan: %v, want ErrNoPlan", err)
	}
	if err := db.DeletePlan(ctx, "T1", p.ID, ""); err != nil {
		t.Fatal(err)
	}
	if _, ok, err := db.LatestReview(ctx, "T1", p.ID); ok || err != nil {
		t.Errorf("a deleted plan's review = %v %v", ok, err)
	}
	if err := db.SetLatestReview(ctx, "T1", newer); !errors.Is(err, flows.ErrNoPlan) {
		t.Errorf("a review of a deleted plan: %v, want ErrNoPlan", err)
	}
}
