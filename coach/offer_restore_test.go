package coach_test

import (
	"context"
	"strings"
	"testing"

	"github.com/racebot/racebot/coach"
	"github.com/racebot/racebot/flows"
)

// TestYesRestoresTheAnswerAsItsAuthorsMessage: Ana goes back to Ben's
// answer and types "new Q1 Launch", kept as the answer and offered; her
// yes takes it back. Ben's answer returns as his, from his message: the
// export names him, and his edit and deletion of that message still reach
// it.
func TestYesRestoresTheAnswerAsItsAuthorsMessage(t *testing.T) {
	f := newCoach(t)
	ctx := context.Background()
	id := f.do(coach.Request{User: "UANA", Text: "new Q1", Command: true}).Plan.ID
	f.do(coach.Request{User: "UBEN", Text: "We sell coffee.", Plan: id, TS: "1.1"})
	f.do(coach.Request{User: "UANA", Text: "back", Plan: id, TS: "1.2"})
	f.do(coach.Request{User: "UANA", Text: "new Q1 Launch", Plan: id, TS: "1.3"})
	if r := f.do(coach.Request{User: "UANA", Text: "yes", Plan: id, TS: "1.4"}); !r.Created {
		t.Fatalf("yes: %s", replyText(r))
	}
	p, err := f.db.Plan(ctx, "T1", id)
	if err != nil {
		t.Fatal(err)
	}
	if a := p.Answers[flows.QuestionBusiness]; a.Text != "We sell coffee." || a.By != "UBEN" || a.Source != "C1/1.1" {
		t.Fatalf("answer after yes = %+v, want Ben's, from his message", a)
	}
	r, err := f.svc.EditMessage(ctx, coach.Request{Team: "T1", Channel: "C1", User: "UBEN", Text: "We sell speciality coffee.", Plan: id, TS: "1.1", Key: "e1", Now: f.now})
	if err != nil || !r.Changed || !strings.Contains(replyText(r), "Updated your answer") {
		t.Fatalf("Ben's edit: %q changed=%v, %v; want his answer updated", replyText(r), r.Changed, err)
	}
	r, err = f.svc.DeleteMessage(ctx, coach.Request{Team: "T1", Channel: "C1", Plan: id, TS: "1.1", Key: "d1", Now: f.now})
	if err != nil || !r.Changed || !strings.Contains(replyText(r), "open again") {
		t.Fatalf("Ben's deletion: %q changed=%v, %v; want his answer withdrawn", replyText(r), r.Changed, err)
	}
}
