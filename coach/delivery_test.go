package coach_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/racebot/racebot/coach"
	"github.com/racebot/racebot/flows"
	"github.com/racebot/racebot/internal/testdb"
	"github.com/racebot/racebot/storage"
)

var t0 = time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)

// newService runs a coach on a fresh database file; store wraps the
// database when set.
func newService(t *testing.T, wrap func(coach.Store) coach.Store) (*coach.Service, *storage.DB) {
	t.Helper()
	db := testdb.Open(t)
	var store coach.Store = db
	if wrap != nil {
		store = wrap(db)
	}
	return coach.New(coach.Config{Catalogue: flows.RACE(), Store: store}), db
}

// req is a request from U1 in T1's channel C1.
func req(key, text string) coach.Request {
	return coach.Request{Team: "T1", Channel: "C1", User: "U1", Text: text, Now: t0, Key: key}
}

// startPlan creates plan Q1 with a bound thread and a Reach KPI.
func startPlan(t *testing.T, svc *coach.Service, db *storage.DB) *flows.Plan {
	t.Helper()
	ctx := context.Background()
	r := req("setup-new", "new Q1")
	r.Command = true
	resp, err := svc.Handle(ctx, r)
	if err != nil || !resp.Created {
		t.Fatalf("new: %+v, %v", resp, err)
	}
	if _, won, err := svc.BindThread(ctx, "T1", resp.Plan.ID, "100.000001"); err != nil || !won {
		t.Fatalf("bind: %t, %v", won, err)
	}
	if _, err := svc.SetKPI(ctx, req("setup-kpi", ""), flows.StageReach, "visitors | baseline 8k | target 20k | by 2027-03-31 | owner <@U1>"); err != nil {
		t.Fatal(err)
	}
	p, err := db.PlanByName(ctx, "T1", "C1", "Q1")
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// TestEveryRequestIsRecordedOnce: whatever the input, a request handled
// twice under its key is handled once: the second time changes nothing,
// says nothing and reports a duplicate.
func TestEveryRequestIsRecordedOnce(t *testing.T) {
	ctx := context.Background()
	svc, db := newService(t, nil)
	p := startPlan(t, svc, db)
	inThread := func(key, text string) coach.Request {
		r := req(key, text)
		r.Plan = p.ID
		return r
	}
	command := func(key, text string) coach.Request {
		r := req(key, text)
		r.Command = true
		return r
	}
	tests := []struct {
		name string
		run  func(key string) (coach.Response, error)
	}{
		{"answer in a thread", func(k string) (coach.Response, error) { return svc.Handle(ctx, inThread(k, "We sell coffee.")) }},
		{"command typed in a thread", func(k string) (coach.Response, error) { return svc.Handle(ctx, inThread(k, "/race stage reach")) }},
		{"bare command in a thread", func(k string) (coach.Response, error) { return svc.Handle(ctx, inThread(k, "kpi")) }},
		{"reply-only command in a thread", func(k string) (coach.Response, error) { return svc.Handle(ctx, inThread(k, "status")) }},
		{"help", func(k string) (coach.Response, error) { return svc.Handle(ctx, inThread(k, "help")) }},
		{"slash command", func(k string) (coach.Response, error) { return svc.Handle(ctx, command(k, "privacy on")) }},
		{"continue", func(k string) (coach.Response, error) { return svc.Handle(ctx, command(k, "continue Q1")) }},
		{"values", func(k string) (coach.Response, error) { return svc.Handle(ctx, command(k, "values visitors 12k")) }},
		{"terminal line", func(k string) (coach.Response, error) { return svc.Handle(ctx, req(k, "funnel")) }},
		{"edit form", func(k string) (coach.Response, error) {
			return svc.EditAnswers(ctx, inThread(k, ""), map[string]string{flows.QuestionBusiness: "We roast coffee."})
		}},
		{"KPI form", func(k string) (coach.Response, error) {
			return svc.SetKPI(ctx, inThread(k, ""), flows.StageAct, "lead-rate | baseline 1.5% | target 2.5% | by 2027-03-31 | owner <@U1>")
		}},
		{"use a draft", func(k string) (coach.Response, error) {
			return svc.AcceptDraft(ctx, inThread(k, ""), flows.QuestionBusiness, "A drafted answer.")
		}},
		{"values form", func(k string) (coach.Response, error) {
			v, err := svc.OpenCheckin(ctx, "T1", p.ID, "", false, t0)
			if err != nil {
				return coach.Response{}, err
			}
			if err := svc.CheckinPosted(ctx, v.Checkin.ID, "200.000001", "200.000002"); err != nil {
				return coach.Response{}, err
			}
			resp, _, err := svc.SubmitValues(ctx, inThread(k, ""), v.Checkin.ID, map[string]string{"visitors": "13k"})
			if err != nil {
				return resp, err
			}
			again, _, err := svc.SubmitValues(ctx, inThread(k, ""), v.Checkin.ID, map[string]string{"visitors": "13k"})
			if err == nil && (!again.Duplicate || len(again.Replies) != 0) {
				err = errors.New("the form submitted again was not a duplicate")
			}
			return resp, err
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			key := "key:" + tt.name
			first, err := tt.run(key)
			if err != nil || first.Duplicate || len(first.Replies) == 0 {
				t.Fatalf("first time: %+v, %v", first, err)
			}
			before := state(t, db, p.ID)
			if tt.name == "values form" {
				return // submitted twice inside run
			}
			second, err := tt.run(key)
			if err != nil || !second.Duplicate || len(second.Replies) != 0 || second.Changed {
				t.Errorf("second time: %+v, %v; want a silent duplicate", second, err)
			}
			if after := state(t, db, p.ID); after != before {
				t.Errorf("the second time changed the plan: %+v, then %+v", before, after)
			}
		})
	}
}

// planState is what a duplicate must not change.
type planState struct {
	Version int64
	Values  int
	Current flows.PlanID
}

func state(t *testing.T, db *storage.DB, id flows.PlanID) planState {
	t.Helper()
	ctx := context.Background()
	p, err := db.Plan(ctx, "T1", id)
	if err != nil {
		t.Fatal(err)
	}
	ms, err := db.Measurements(ctx, "T1", id)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, list := range ms {
		n += len(list)
	}
	cur, _ := db.CurrentPlan(ctx, "T1", "C1")
	return planState{Version: p.Version, Values: n, Current: cur}
}

// TestNewPlanAndDeleteAreRecordedOnce: starting and deleting a plan under
// one key twice does it once; the second delete is a duplicate, not a
// missing plan.
func TestNewPlanAndDeleteAreRecordedOnce(t *testing.T) {
	ctx := context.Background()
	svc, db := newService(t, nil)
	r := req("k-new", "new Q1")
	r.Command = true
	first, err := svc.Handle(ctx, r)
	if err != nil || !first.Created {
		t.Fatalf("new: %+v, %v", first, err)
	}
	if again, err := svc.Handle(ctx, r); err != nil || !again.Duplicate || again.Created {
		t.Errorf("new again: %+v, %v; want a duplicate", again, err)
	}
	if plans, _ := db.Plans(ctx, "T1", "C1"); len(plans) != 1 {
		t.Errorf("%d plans, want 1", len(plans))
	}
	// Another /race new of the same name is refused for the name.
	r.Key = "k-new-2"
	if _, err := svc.Handle(ctx, r); !errors.Is(err, flows.ErrDuplicatePlan) {
		t.Errorf("same name again: %v, want ErrDuplicatePlan", err)
	}

	del := req("k-del", "")
	if resp, err := svc.DeletePlan(ctx, del, first.Plan.ID); err != nil || !resp.Changed {
		t.Fatalf("delete: %+v, %v", resp, err)
	}
	if again, err := svc.DeletePlan(ctx, del, first.Plan.ID); err != nil || !again.Duplicate || len(again.Replies) != 0 {
		t.Errorf("delete again: %+v, %v; want a silent duplicate", again, err)
	}
	if _, err := svc.DeletePlan(ctx, req("k-del-2", ""), first.Plan.ID); !errors.Is(err, flows.ErrNoPlan) {
		t.Errorf("a new press on the deleted plan: %v, want ErrNoPlan", err)
	}
	other := req("k-del-3", "")
	other.Team = "T2"
	p := startPlan(t, svc, db)
	if _, err := svc.DeletePlan(ctx, other, p.ID); !errors.Is(err, flows.ErrNoPlan) {
		t.Errorf("T2 deleting T1's plan: %v, want ErrNoPlan", err)
	}
	if _, err := db.Plan(ctx, "T1", p.ID); err != nil {
		t.Errorf("T1's plan after T2's delete: %v", err)
	}
}

// failingStore fails the next commit while fail is positive; with lose it
// commits first, as a request that runs out of time just after its commit.
type failingStore struct {
	coach.Store
	fail, lose atomic.Int32
}

func (f *failingStore) Commit(ctx context.Context, p *flows.Plan, changes []flows.Change, key string) error {
	if f.fail.Add(-1) >= 0 {
		return errors.New("database is busy")
	}
	if f.lose.Add(-1) >= 0 {
		if err := f.Store.Commit(ctx, p, changes, key); err != nil {
			return err
		}
		return context.DeadlineExceeded
	}
	return f.Store.Commit(ctx, p, changes, key)
}

// TestRetryAfterAFailure: a request whose write failed runs again when
// retried; one whose write landed before the failure is a duplicate.
func TestRetryAfterAFailure(t *testing.T) {
	ctx := context.Background()
	fs := &failingStore{}
	svc, db := newService(t, func(s coach.Store) coach.Store { fs.Store = s; return fs })
	p := startPlan(t, svc, db)
	r := req("k-stage", "/race stage reach")
	r.Plan = p.ID

	fs.fail.Store(1)
	if _, err := svc.Handle(ctx, r); err == nil {
		t.Fatal("a failed commit reported success")
	}
	if resp, err := svc.Handle(ctx, r); err != nil || resp.Duplicate || !resp.Changed {
		t.Fatalf("retry after a failure: %+v, %v; want it to run", resp, err)
	}

	fs.lose.Store(1)
	r = req("k-answer", "Reach answer.")
	r.Plan = p.ID
	if _, err := svc.Handle(ctx, r); err == nil {
		t.Fatal("want the lost commit's error")
	}
	if resp, err := svc.Handle(ctx, r); err != nil || !resp.Duplicate {
		t.Errorf("retry of a commit that landed: %+v, %v; want a duplicate", resp, err)
	}
	got, _ := db.Plan(ctx, "T1", p.ID)
	q := flows.RACE().Stages[1].Steps()[0].ID
	if revs, _ := db.Revisions(ctx, "T1", p.ID, q); len(revs) != 1 || got.Answers[q].Text != "Reach answer." {
		t.Errorf("answer %q with %d revisions, want one", got.Answers[q].Text, len(revs))
	}
}

// TestBindThreadFirstWins: the service reports whether the caller's thread
// won, and the winner's thread when it did not.
func TestBindThreadFirstWins(t *testing.T) {
	ctx := context.Background()
	svc, _ := newService(t, nil)
	r := req("", "new Q1")
	r.Command = true
	resp, err := svc.Handle(ctx, r)
	if err != nil {
		t.Fatal(err)
	}
	if got, won, err := svc.BindThread(ctx, "T1", resp.Plan.ID, "1.000001"); err != nil || !won || got != "1.000001" {
		t.Fatalf("first: %q %t %v", got, won, err)
	}
	if got, won, err := svc.BindThread(ctx, "T1", resp.Plan.ID, "2.000002"); err != nil || won || got != "1.000001" {
		t.Errorf("second: %q %t %v; want the first thread and false", got, won, err)
	}
	if conv, err := svc.Locate(ctx, "T1", "C1", "2.000002"); err != nil || conv.Known() {
		t.Errorf("the losing thread is known: %+v, %v", conv, err)
	}
}
