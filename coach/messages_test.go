package coach_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/racebot/racebot/coach"
	"github.com/racebot/racebot/flows"
	"github.com/racebot/racebot/internal/testdb"
	"github.com/racebot/racebot/storage"
)

type coachFixture struct {
	t   *testing.T
	svc *coach.Service
	db  *storage.DB
	now time.Time
	seq int
}

func newCoach(t *testing.T) *coachFixture {
	t.Helper()
	db := testdb.Open(t)
	return &coachFixture{t: t, db: db, svc: coach.New(coach.Config{Catalogue: flows.RACE(), Store: db}), now: time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)}
}

// do runs one request with a fresh key and a clock that moves on.
func (f *coachFixture) do(req coach.Request) coach.Response {
	f.t.Helper()
	f.seq++
	f.now = f.now.Add(time.Second)
	req.Team, req.Channel, req.Now = "T1", "C1", f.now
	if req.Key == "" {
		req.Key = fmt.Sprintf("k%d", f.seq)
	}
	resp, err := f.svc.Handle(context.Background(), req)
	if err != nil {
		f.t.Fatalf("%q by %s: %v", req.Text, req.User, err)
	}
	return resp
}

func asks(resp coach.Response) string {
	last := ""
	for _, r := range resp.Replies {
		if a := r.Asks(); a != "" {
			last = a
		}
	}
	return last
}

func replyText(resp coach.Response) string {
	var s []string
	for _, r := range resp.Replies {
		s = append(s, r.Msg.String())
	}
	return strings.Join(s, "\n")
}

// TestTwoTerminalsOnOnePlan: two sessions see the first question; each
// answer lands under the question its author saw, never under the one the
// other session's answer moved the coach on to.
func TestTwoTerminalsOnOnePlan(t *testing.T) {
	f := newCoach(t)
	created := f.do(coach.Request{User: "ana", Text: "new Q1", Command: true})
	anaSaw := asks(created)
	benSaw := asks(f.do(coach.Request{User: "ben", Text: "continue"}))
	if anaSaw != flows.QuestionBusiness || benSaw != flows.QuestionBusiness {
		t.Fatalf("the sessions saw %q and %q, want the first question", anaSaw, benSaw)
	}

	r := f.do(coach.Request{User: "ana", Text: "Coffee subscriptions.", Saw: anaSaw})
	anaSaw = asks(r)
	r = f.do(coach.Request{User: "ben", Text: "Beans for home brewers.", Saw: benSaw})
	if got := replyText(r); !strings.Contains(got, "Saved as your answer to Plan question 1 (business), alongside ana's.") {
		t.Errorf("ben is told %q", got)
	}
	if a := asks(r); a != "" {
		t.Errorf("ben's late answer asked %q; it must not move the coach", a)
	}
	// Ben's skip concerns the question he saw, which is answered: nothing
	// moves, and he is told why.
	r = f.do(coach.Request{User: "ben", Text: "skip", Saw: benSaw})
	if got := replyText(r); !strings.Contains(got, "moved on") || r.Changed {
		t.Errorf("ben's stale skip: changed=%t, %q", r.Changed, got)
	}
	f.do(coach.Request{User: "ana", Text: "Fresh beans in 48 hours.", Saw: anaSaw})

	p, err := f.db.PlanByName(context.Background(), "T1", "C1", "Q1")
	if err != nil {
		t.Fatal(err)
	}
	a := p.Answers[flows.QuestionBusiness]
	if a.Text != "Coffee subscriptions." || a.By != "ana" || len(a.Also) != 1 || a.Also[0].Text != "Beans for home brewers." || a.Also[0].By != "ben" {
		t.Errorf("question 1 = %+v", a)
	}
	if a := p.Answers["plan.value-proposition"]; a.Text != "Fresh beans in 48 hours." || a.By != "ana" || len(a.Also) != 0 {
		t.Errorf("question 2 = %+v: only ana saw it", a)
	}
	if p.Skipped[flows.QuestionBusiness] || p.Skipped["plan.value-proposition"] {
		t.Errorf("a stale skip was recorded: %v", p.Skipped)
	}
	if got := p.Asking(flows.RACE()); got != "plan.segments" {
		t.Errorf("the coach asks %q, want question 3", got)
	}
}

// TestRepliesFindThePromptPostedBeforeThem: in Slack the service works out
// what a reply answers from its ts and the prompts the transport reported.
func TestRepliesFindThePromptPostedBeforeThem(t *testing.T) {
	f := newCoach(t)
	ctx := context.Background()
	created := f.do(coach.Request{User: "UANA", Text: "new Q1", Command: true})
	id := created.Plan.ID
	// A ts one digit shorter must still sort first.
	if err := f.svc.Asked(ctx, "T1", id, flows.QuestionBusiness, "999999999.999990"); err != nil {
		t.Fatal(err)
	}
	// A reply before any recorded prompt answers what the plan asks now.
	f.do(coach.Request{User: "UANA", Text: "Coffee.", Plan: id, TS: "999999999.000001"})
	if err := f.svc.Asked(ctx, "T1", id, "plan.value-proposition", "1000000000.000300"); err != nil {
		t.Fatal(err)
	}
	// Ben's reply was written before question 2 was posted.
	r := f.do(coach.Request{User: "UBEN", Text: "Beans.", Plan: id, TS: "1000000000.000200"})
	if !strings.Contains(replyText(r), "Plan question 1 (business), alongside UANA's") {
		t.Errorf("ben is told %q", replyText(r))
	}
	r = f.do(coach.Request{User: "UPRIYA", Text: "Freshness.", Plan: id, TS: "1000000000.000400"})
	if asks(r) != "plan.segments" {
		t.Errorf("priya's answer to question 2 did not move on: %q", replyText(r))
	}
	p, _ := f.svc.Plan(ctx, "T1", id)
	if a := p.Answers[flows.QuestionBusiness]; a.Text != "Coffee." || len(a.Also) != 1 || a.Also[0].Source != "C1/1000000000.000200" {
		t.Errorf("question 1 = %+v", a)
	}
	if a := p.Answers["plan.value-proposition"]; a.Text != "Freshness." || a.Source != "C1/1000000000.000400" {
		t.Errorf("question 2 = %+v", a)
	}
}

func TestEditAndDeleteMessages(t *testing.T) {
	f := newCoach(t)
	ctx := context.Background()
	id := f.do(coach.Request{User: "UANA", Text: "new Q1", Command: true}).Plan.ID
	f.do(coach.Request{User: "UANA", Text: "Coffee.", Plan: id, TS: "1.1"})

	edit := func(user, ts, text, key string) coach.Response {
		t.Helper()
		resp, err := f.svc.EditMessage(ctx, coach.Request{Team: "T1", Channel: "C1", User: user, Text: text, Plan: id, TS: ts, Key: key, Now: f.now})
		if err != nil {
			t.Fatal(err)
		}
		return resp
	}
	if r := edit("UBEN", "1.1", "Tea.", "e1"); r.Changed || len(r.Replies) != 0 {
		t.Errorf("someone else's edit: %+v", r)
	}
	if r := edit("UANA", "9.9", "Tea.", "e2"); r.Changed || len(r.Replies) != 0 {
		t.Errorf("an edit of an unknown message: %+v", r)
	}
	r := edit("UANA", "1.1", "Speciality coffee.", "e3")
	if !r.Changed || !strings.Contains(replyText(r), "Updated your answer to Plan question 1 (business)") {
		t.Errorf("the edit: %+v", r)
	}
	if r := edit("UANA", "1.1", "Speciality coffee.", "e3"); !r.Duplicate {
		t.Errorf("a redelivered edit: %+v", r)
	}
	revs, _ := f.db.Revisions(ctx, "T1", id, flows.QuestionBusiness)
	if len(revs) != 2 || revs[1].Text != "Speciality coffee." {
		t.Errorf("revisions = %+v", revs)
	}

	r, err := f.svc.DeleteMessage(ctx, coach.Request{Team: "T1", Channel: "C1", Plan: id, TS: "1.1", Key: "d1", Now: f.now})
	if err != nil || !r.Changed || !strings.Contains(replyText(r), "open again") {
		t.Fatalf("delete: %+v, %v", r, err)
	}
	status := f.do(coach.Request{User: "UANA", Text: "status", Command: true})
	if !strings.Contains(replyText(status), "Open questions: Plan 1,") {
		t.Errorf("status after the delete:\n%s", replyText(status))
	}
}
