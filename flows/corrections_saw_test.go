package flows

import (
	"testing"
	"time"
)

// TestCorrectedLineWithNoPromptRecordedIsNoAnswer: an edit of a refused
// line whose prompt is not known (no Saw) is read against what the plan
// asks now; a question asked now is not what the line was written for,
// so the corrected action line does not become its answer.
func TestCorrectedLineWithNoPromptRecordedIsNoAnswer(t *testing.T) {
	c := testCatalogue(t)
	p, _ := walk(t, c, NewPlan("T", "C", "P", "U1", t0), "a1", "a2", "opp", "strat", "done")
	if q := p.Asking(c); q != "reach.one" {
		t.Fatalf("the plan asks %q, want reach.one", q)
	}
	out, err := TakeCorrected(c, p, Input{Text: "Gift boxes | Ana | impact 4 | effort 2", User: "U1", Now: t0.Add(time.Hour), Source: "C/9.1"})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Changes) != 0 {
		t.Errorf("changes %+v: the corrected action line was taken as the answer to a question it was not written for", out.Changes)
	}
}
