package coach_test

import (
	"context"
	"strings"
	"testing"
	"time"

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

// TestYesRestoresAnEditedAnswerWithoutItsMessage: Ben edits his answer
// twice and Slack delivers the second edit first; Ana's line replaces it
// and her yes takes the line back. The first edit, delivered after, is
// older than the text restored and changes nothing, as it would have had
// the line never been typed.
func TestYesRestoresAnEditedAnswerWithoutItsMessage(t *testing.T) {
	f := newCoach(t)
	ctx := context.Background()
	id := f.do(coach.Request{User: "UANA", Text: "new Q1", Command: true}).Plan.ID
	f.do(coach.Request{User: "UBEN", Text: "We sell coffee.", Plan: id, TS: "1.1"})
	first, second := f.now.Add(time.Second), f.now.Add(2*time.Second)
	r, err := f.svc.EditMessage(ctx, coach.Request{Team: "T1", Channel: "C1", User: "UBEN", Text: "We sell speciality coffee.", Plan: id, TS: "1.1", Key: "e2", Now: f.now, Edited: second})
	if err != nil || !r.Changed {
		t.Fatalf("Ben's second edit: %q changed=%v, %v", replyText(r), r.Changed, err)
	}
	f.do(coach.Request{User: "UANA", Text: "back", Plan: id, TS: "1.2"})
	f.do(coach.Request{User: "UANA", Text: "new Q1 Launch", Plan: id, TS: "1.3"})
	if r := f.do(coach.Request{User: "UANA", Text: "yes", Plan: id, TS: "1.4"}); !r.Created {
		t.Fatalf("yes: %s", replyText(r))
	}
	if _, err := f.svc.EditMessage(ctx, coach.Request{Team: "T1", Channel: "C1", User: "UBEN", Text: "We sell good coffee.", Plan: id, TS: "1.1", Key: "e1", Now: f.now, Edited: first}); err != nil {
		t.Fatal(err)
	}
	p, err := f.db.Plan(ctx, "T1", id)
	if err != nil {
		t.Fatal(err)
	}
	if a := p.Answers[flows.QuestionBusiness]; a.Text != "We sell speciality coffee." || a.By != "UBEN" {
		t.Fatalf("answer after the older edit came late = %+v, want Ben's latest edit", a)
	}
}
