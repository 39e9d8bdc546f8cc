package storetest

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/racebot/racebot/coach"
)

// testWorkflowSteps: a step is recorded once, with its inputs, whichever
// handle accepts it again; it is listed as unfinished, by accepted time,
// across workspaces, until either handle finishes it; a finished step is
// pruned with the delivery keys, an unfinished one only when it is given
// up.
func testWorkflowSteps(t *testing.T, open Open) {
	db, another := open(t)
	ctx := ctxFor(t)
	other := another()
	accept := func(s Store, st coach.Step) coach.Step {
		t.Helper()
		got, err := s.AcceptStep(ctx, st)
		if err != nil {
			t.Fatal(err)
		}
		return got
	}
	unfinished := func(s Store, since, before time.Time) []string {
		t.Helper()
		steps, err := s.UnfinishedSteps(ctx, since, before)
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, st := range steps {
			ids = append(ids, st.Team+"/"+st.Execution)
		}
		return ids
	}

	first := coach.Step{Team: "T1", Execution: "Fx1", Function: "start_checkin",
		Inputs: map[string]string{"channel_id": "C1", "plan": "Q1 «launch»"}, AcceptedAt: t0}
	if got := accept(db, first); !cmp.Equal(got, first) {
		t.Errorf("accepted step:\n%s", cmp.Diff(first, got))
	}
	again := first
	again.Inputs, again.AcceptedAt = map[string]string{"channel_id": "C9"}, t0.Add(time.Minute)
	if got := accept(other, again); !cmp.Equal(got, first) {
		t.Errorf("a step accepted again is not the first one:\n%s", cmp.Diff(first, got))
	}
	accept(other, coach.Step{Team: "T2", Execution: "Fx1", Function: "record_kpi_values", Inputs: map[string]string{}, AcceptedAt: t0.Add(2 * time.Second)})
	accept(db, coach.Step{Team: "T1", Execution: "Fx0", Function: "start_checkin", Inputs: map[string]string{}, AcceptedAt: t0.Add(-time.Second)})
	accept(db, coach.Step{Team: "T1", Execution: "FxOld", Function: "start_checkin", Inputs: map[string]string{}, AcceptedAt: t0.Add(-48 * time.Hour)})

	if got, want := unfinished(other, t0.Add(-time.Hour), t0.Add(time.Hour)), []string{"T1/Fx0", "T1/Fx1", "T2/Fx1"}; !cmp.Equal(got, want) {
		t.Errorf("unfinished steps = %v, want %v", got, want)
	}
	if got, want := unfinished(db, t0.Add(-time.Hour), t0.Add(time.Second)), []string{"T1/Fx0", "T1/Fx1"}; !cmp.Equal(got, want) {
		t.Errorf("unfinished steps accepted before a time = %v, want %v", got, want)
	}

	if err := other.FinishStep(ctx, "T1", "Fx1", t0.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	if err := db.FinishStep(ctx, "T1", "FxNever", t0); err != nil {
		t.Errorf("finishing a step never accepted: %v", err)
	}
	if got, want := unfinished(db, t0.Add(-time.Hour), t0.Add(time.Hour)), []string{"T1/Fx0", "T2/Fx1"}; !cmp.Equal(got, want) {
		t.Errorf("unfinished steps after one finished = %v, want %v", got, want)
	}
	if got := accept(db, first); got.FinishedAt != t0.Add(time.Minute) {
		t.Errorf("a finished step accepted again is finished at %v, want %v", got.FinishedAt, t0.Add(time.Minute))
	}

	// Pruned: Fx1 finished before the cut, FxOld accepted before the
	// older one; T1/Fx0 and T2/Fx1, unfinished, stay.
	if err := db.PruneSeen(ctx, t0.Add(2*time.Minute), t0.Add(-24*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if got, want := unfinished(other, t0.Add(-72*time.Hour), t0.Add(time.Hour)), []string{"T1/Fx0", "T2/Fx1"}; !cmp.Equal(got, want) {
		t.Errorf("unfinished steps after pruning = %v, want %v", got, want)
	}
	if got := accept(other, again); !cmp.Equal(got, again) {
		t.Errorf("a pruned step was not accepted afresh:\n%s", cmp.Diff(again, got))
	}
}
