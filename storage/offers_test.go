package storage_test

import (
	"context"
	"database/sql"
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/racebot/racebot/flows"
	"github.com/racebot/racebot/internal/testdb"
	"github.com/racebot/racebot/storage"
)

// offerAnswer answers the open question with text and records an offer of
// command with it, as the coach does for `new <name>` typed mid-question.
func offerAnswer(t *testing.T, db *storage.DB, p *flows.Plan, user, text, command, key string) (*flows.Plan, flows.Offer) {
	t.Helper()
	cat := flows.RACE()
	out, err := flows.Step(cat, p, flows.Input{Text: text, User: user, Now: t0})
	if err != nil {
		t.Fatal(err)
	}
	_, q, _ := p.Current(cat)
	o := flows.Offer{
		Team: p.Team, Channel: p.Channel, Plan: p.ID, User: user, Command: command,
		QuestionID: q.ID, Revision: p.Answers[q.ID].Revision + 1, Prior: p.Answers[q.ID].Text,
		Version: p.Version + 1, Expires: t0.Add(10 * time.Minute),
	}
	if err := db.CommitOffer(context.Background(), p, out.Changes, o, key); err != nil {
		t.Fatalf("commit offer: %v", err)
	}
	got, err := db.Plan(context.Background(), p.Team, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	return got, o
}

func TestOfferIsStoredWithItsAnswerAndTakenOnce(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := MustOpen(t, "")
	cat := flows.RACE()
	p := newPlan(t, db, "T1", "C1", "Q1")
	p, o := offerAnswer(t, db, p, "UANA", "new Q2 Launch", "new Q2 Launch", "ev1")

	if p.Answers[flows.QuestionBusiness].Text != "new Q2 Launch" || p.Version != o.Version {
		t.Fatalf("answer %+v at version %d, want it saved at the offer's version %d", p.Answers[flows.QuestionBusiness], p.Version, o.Version)
	}
	got, ok, err := db.Offer(ctx, "T1", "C1", p.ID, "UANA")
	if err != nil || !ok {
		t.Fatalf("offer = %v, %v", ok, err)
	}
	if diff := cmp.Diff(o, got); diff != "" {
		t.Errorf("offer read back (-want +got):\n%s", diff)
	}
	if _, ok, _ := db.Offer(ctx, "T1", "C1", p.ID, "UBEN"); ok {
		t.Error("another person sees Ana's offer")
	}
	// A retried delivery of the answer records neither twice.
	if err := db.CommitOffer(ctx, p, nil, o, "ev1"); !errors.Is(err, flows.ErrDuplicate) {
		t.Errorf("retried answer: err = %v, want ErrDuplicate", err)
	}

	out, err := flows.Withdraw(cat, p, o, nil, flows.Input{User: "UANA", Now: t0})
	if err != nil {
		t.Fatal(err)
	}
	id, err := db.TakeOffer(ctx, o, p, out.Changes, flows.NewPlan("T1", "C1", "Q2 Launch", "UANA", t0), "ev2")
	if err != nil {
		t.Fatalf("take offer: %v", err)
	}
	if cur, _ := db.CurrentPlan(ctx, "T1", "C1"); cur != id {
		t.Errorf("current plan = %d, want the new one %d", cur, id)
	}
	old, err := db.Plan(ctx, "T1", p.ID)
	if err != nil {
		t.Fatal(err)
	}
	if a := old.Answers[flows.QuestionBusiness]; a.Text != "" || a.Revision != 2 {
		t.Errorf("answer after taking the offer = %+v, want it withdrawn as revision 2", a)
	}
	revs, err := db.Revisions(ctx, "T1", p.ID, flows.QuestionBusiness)
	if err != nil || len(revs) != 2 || revs[0].Text != "new Q2 Launch" {
		t.Errorf("revisions = %+v, %v; want the withdrawn answer kept", revs, err)
	}
	if _, ok, _ := db.Offer(ctx, "T1", "C1", p.ID, "UANA"); ok {
		t.Error("the offer is still there after it was taken")
	}
	// Taking it a second time (another `yes`, with a new key) finds it gone.
	if _, err := db.TakeOffer(ctx, o, old, nil, flows.NewPlan("T1", "C1", "Q3", "UANA", t0), "ev3"); !errors.Is(err, flows.ErrConflict) {
		t.Errorf("second take: err = %v, want ErrConflict", err)
	}
}

// TestACoAnswerOfferIsNoAnswerToAnOlderRacebot: Ana's `new Spring`, kept
// beside Ben's answer, is offered as the plan. During a rolling deploy her
// `yes` may reach a racebot from before such offers, whose Withdraw takes
// back only the answer an offer names and otherwise reopens the offer's
// question: it would leave her line, reopen the question Ben answered,
// and say it took her answer back. Such a racebot reads the offer's
// question from question_id, so that stays empty: to it the offer names
// no answer, and its yes starts Spring and leaves the plan as it is.
func TestACoAnswerOfferIsNoAnswerToAnOlderRacebot(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	path := testdb.Path(t)
	db := MustOpen(t, path)
	p := newPlan(t, db, "T1", "C1", "Q1")
	p = step(t, db, flows.RACE(), p, "Beans roasted to order.", t0)
	o := flows.Offer{Team: "T1", Channel: "C1", Plan: p.ID, User: "UANA", Command: "new Spring", QuestionID: flows.QuestionBusiness,
		Revision: p.Answers[flows.QuestionBusiness].Next(), Beside: true, Version: p.Version, Expires: t0.Add(10 * time.Minute)}
	if err := db.CommitOffer(ctx, p, nil, o, ""); err != nil {
		t.Fatal(err)
	}
	raw, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	var question string
	if err := raw.QueryRowContext(ctx, `SELECT question_id FROM offers WHERE user_id = 'UANA'`).Scan(&question); err != nil {
		t.Fatal(err)
	}
	if question != "" {
		t.Errorf("an older racebot reads the co-answer offer as taking back the answer to %q", question)
	}
}

func TestTakeOfferIsAllOrNothing(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := MustOpen(t, "")
	cat := flows.RACE()
	newPlan(t, db, "T1", "C1", "Taken")
	p := newPlan(t, db, "T1", "C1", "Q1")
	p, o := offerAnswer(t, db, p, "UANA", "new Taken", "new Taken", "")
	out, err := flows.Withdraw(cat, p, o, nil, flows.Input{User: "UANA", Now: t0})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.TakeOffer(ctx, o, p, out.Changes, flows.NewPlan("T1", "C1", "taken", "UANA", t0), "ev2"); !errors.Is(err, flows.ErrDuplicatePlan) {
		t.Fatalf("take offer with a used name: err = %v, want ErrDuplicatePlan", err)
	}
	after, err := db.Plan(ctx, "T1", p.ID)
	if err != nil {
		t.Fatal(err)
	}
	if after.Answers[flows.QuestionBusiness].Text != "new Taken" || after.Version != p.Version {
		t.Errorf("a failed take changed the plan: %+v at version %d", after.Answers[flows.QuestionBusiness], after.Version)
	}
	if _, ok, _ := db.Offer(ctx, "T1", "C1", p.ID, "UANA"); !ok {
		t.Error("a failed take removed the offer")
	}
	// The key was not recorded either: the same delivery may try again.
	if err := db.MarkSeen(ctx, "T1", "ev2"); err != nil {
		t.Errorf("the key of a failed take was recorded: %v", err)
	}
	// A plan that moved since the offer refuses it.
	moved := step(t, db, cat, after, "We sell coffee.", t0)
	if _, err := db.TakeOffer(ctx, o, after, out.Changes, flows.NewPlan("T1", "C1", "Fresh", "UANA", t0), "ev4"); !errors.Is(err, flows.ErrConflict) {
		t.Errorf("take offer on a moved plan: err = %v, want ErrConflict", err)
	}
	if moved.Answers[flows.QuestionBusiness].Text != "new Taken" {
		t.Errorf("business answer = %q", moved.Answers[flows.QuestionBusiness].Text)
	}
}

func TestOffersGoWithTheirPlan(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := MustOpen(t, "")
	p := newPlan(t, db, "T1", "C1", "Q1")
	p, _ = offerAnswer(t, db, p, "UANA", "new Q2", "new Q2", "")
	if err := db.DeletePlan(ctx, "T1", p.ID, ""); err != nil {
		t.Fatal(err)
	}
	if _, ok, err := db.Offer(ctx, "T1", "C1", p.ID, "UANA"); ok || err != nil {
		t.Errorf("offer of a deleted plan = %v, %v; want none", ok, err)
	}
}
