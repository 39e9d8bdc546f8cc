package coach_test

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/racebot/racebot/coach"
	"github.com/racebot/racebot/flows"
)

// TestABusyPlanTakesEveryAnswer: a whole team answering one question at
// the same moment (60 replies, all of them having seen it) is every answer
// kept, none refused for colliding with another, none filed elsewhere.
func TestABusyPlanTakesEveryAnswer(t *testing.T) {
	c := newChat(t)
	c.must("ana", "/race new Q1")
	p := c.plan("Q1")
	const n = 60
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := c.svc.Handle(context.Background(), coach.Request{
				Team: "T1", Channel: "C1", User: fmt.Sprint("U", i), Plan: p.ID, Now: c.now,
				Text: fmt.Sprintf("Answer number %d.", i), Saw: flows.QuestionBusiness, Key: fmt.Sprint("burst", i),
			})
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Errorf("an answer was refused: %v", err)
		}
	}
	a := c.plan("Q1").Answers[flows.QuestionBusiness]
	if got := 1 + len(a.Also); got != n {
		t.Errorf("%d contributions kept under the question everyone saw, want %d", got, n)
	}
	if cur := c.plan("Q1").Cursor; cur.Step != 1 {
		t.Errorf("cursor = %+v, want the next question once", cur)
	}
}

// TestARequestWhoseContextEndedChangesNothing: a request that arrives
// after its deadline (queued behind a busy plan, say) gives up and leaves
// nothing behind, for Slack to deliver it again.
func TestARequestWhoseContextEndedChangesNothing(t *testing.T) {
	c := newChat(t)
	c.must("ana", "/race new Q1")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := c.svc.Handle(ctx, coach.Request{Team: "T1", Channel: "C1", User: "ben", Plan: c.plan("Q1").ID, Now: c.now, Text: "We sell coffee.", Key: "late"})
	if err == nil {
		t.Fatal("a request whose context had ended was handled")
	}
	if got := c.plan("Q1").Answers[flows.QuestionBusiness].Text; got != "" {
		t.Errorf("answer %q stored by a request that gave up", got)
	}
}
