package storetest

import (
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/racebot/racebot/flows"
)

// testLatestReview: a plan keeps its newest review whichever order, and
// whichever handles, reviews are stored in; another plan, another
// workspace and a deleted plan see none.
func testLatestReview(t *testing.T, open Open) {
	db, another := open(t)
	ctx := ctxFor(t)
	handles := []Store{db, another(), another()}
	p := newPlan(t, db, "T1", "C1", "Q1")
	other := newPlan(t, db, "T1", "C1", "Q2")
	if _, ok, err := db.LatestReview(ctx, "T1", p.ID); ok || err != nil {
		t.Fatalf("a plan never reviewed has a review: %v %v", ok, err)
	}
	reviews := make([]flows.ExportReview, 6)
	for i := range reviews {
		reviews[i] = flows.ExportReview{Plan: p.ID, At: t0.Add(time.Duration(i) * time.Minute), By: "UANA", Text: "Gaps: &lt;none&gt; " + string(rune('a'+i)), FromModel: i%2 == 1}
	}
	newest := reviews[len(reviews)-1]
	// Stored all at once on three handles, in no particular order.
	if won := race(t, len(reviews), func(i int) error {
		return handles[i%3].SetLatestReview(ctx, "T1", reviews[len(reviews)-1-i])
	}); won != len(reviews) {
		t.Fatalf("%d of %d reviews stored", won, len(reviews))
	}
	if err := db.SetLatestReview(ctx, "T1", reviews[0]); err != nil {
		t.Fatal(err)
	}
	for _, h := range handles {
		got, ok, err := h.LatestReview(ctx, "T1", p.ID)
		if err != nil || !ok {
			t.Fatalf("latest review = %v %v", ok, err)
		}
		if diff := cmp.Diff(newest, got); diff != "" {
			t.Errorf("latest review (-want +got):\n%s", diff)
		}
	}
	if _, ok, err := db.LatestReview(ctx, "T1", other.ID); ok || err != nil {
		t.Errorf("another plan has the review: %v %v", ok, err)
	}
	if _, ok, err := handles[1].LatestReview(ctx, "T2", p.ID); ok || err != nil {
		t.Errorf("another workspace reads the review: %v %v", ok, err)
	}
	if err := handles[2].SetLatestReview(ctx, "T2", flows.ExportReview{Plan: p.ID, At: t0.Add(time.Hour), Text: "theirs"}); !errors.Is(err, flows.ErrNoPlan) {
		t.Errorf("another workspace's review of the plan: %v, want ErrNoPlan", err)
	}
	if err := db.DeletePlan(ctx, "T1", p.ID, ""); err != nil {
		t.Fatal(err)
	}
	if _, ok, err := handles[1].LatestReview(ctx, "T1", p.ID); ok || err != nil {
		t.Errorf("a deleted plan's review = %v %v", ok, err)
	}
	if err := db.SetLatestReview(ctx, "T1", newest); !errors.Is(err, flows.ErrNoPlan) {
		t.Errorf("a review of a deleted plan: %v, want ErrNoPlan", err)
	}
}
