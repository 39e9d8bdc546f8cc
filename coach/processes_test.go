package coach_test

import (
	"context"
	"testing"
	"time"

	"github.com/racebot/racebot/coach"
	"github.com/racebot/racebot/flows"
	"github.com/racebot/racebot/internal/testdb"
	"github.com/racebot/racebot/storage"
)

// TestAnswerAfterAnotherProcessMovedThePlan: two racebots share one file.
// The first has the plan and its prompts cached; the second records an
// answer and posts the next prompt. A reply to that prompt reaching the
// first racebot is computed from its stale copy, fails its commit with a
// conflict, and the retry loads the plan and the prompts afresh: the reply
// is filed under the prompt its author saw, not beside the first answer.
func TestAnswerAfterAnotherProcessMovedThePlan(t *testing.T) {
	ctx := context.Background()
	path := testdb.Path(t)
	open := func() *coach.Service {
		db, err := storage.Open(ctx, path)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		return coach.New(coach.Config{Catalogue: flows.RACE(), Store: db})
	}
	a, b := open(), open()
	now := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	handle := func(svc *coach.Service, req coach.Request) coach.Response {
		t.Helper()
		now = now.Add(time.Second)
		req.Team, req.Channel, req.Now = "T1", "C1", now
		resp, err := svc.Handle(ctx, req)
		if err != nil {
			t.Fatalf("%q: %v", req.Text, err)
		}
		return resp
	}

	created := handle(a, coach.Request{User: "UANA", Text: "new Q1", Command: true, Key: "k1"})
	id := created.Plan.ID
	first := asks(created)
	if err := a.Asked(ctx, "T1", id, first, "1700000000.000010"); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Plan(ctx, "T1", id); err != nil { // cached in a, with its prompts
		t.Fatal(err)
	}

	answered := handle(b, coach.Request{User: "UBEN", Text: "Coffee subscriptions.", Plan: id, TS: "1700000000.000020", Key: "k2"})
	second := asks(answered)
	if second == "" || second == first {
		t.Fatalf("the answer in b asked %q next (first %q)", second, first)
	}
	if err := b.Asked(ctx, "T1", id, second, "1700000000.000030"); err != nil {
		t.Fatal(err)
	}

	handle(a, coach.Request{User: "UANA", Text: "Office managers.", Plan: id, TS: "1700000000.000040", Key: "k3"})

	got, err := b.Plan(ctx, "T1", id)
	if err != nil {
		t.Fatal(err)
	}
	if ans := got.Answers[first]; ans.Text != "Coffee subscriptions." || len(ans.Also) != 0 {
		t.Errorf("%s = %q with co-answers %+v; want Ben's answer alone", first, ans.Text, ans.Also)
	}
	if ans := got.Answers[second]; ans.Text != "Office managers." || ans.By != "UANA" {
		t.Errorf("%s = %q by %s; want Ana's reply", second, ans.Text, ans.By)
	}
}
