package coach_test

import (
	"context"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/racebot/racebot/coach"
	"github.com/racebot/racebot/flows"
)

// refileRace is the real store, holding the commit of Ben's reply (key
// hold), read in its turn before question 2's prompt was recorded, until
// the refile of that prompt has loaded the plan: the refile then waits
// for the reply's turn with the plan as it stood before the reply.
type refileRace struct {
	coach.Store
	hold           string
	armed          atomic.Bool
	inTurn, loaded chan struct{}
	load           sync.Once
}

func (r *refileRace) Commit(ctx context.Context, p *flows.Plan, changes []flows.Change, key string) error {
	if key == r.hold {
		close(r.inTurn)
		select {
		case <-r.loaded:
		case <-time.After(10 * time.Second):
		}
	}
	return r.Store.Commit(ctx, p, changes, key)
}

func (r *refileRace) Plan(ctx context.Context, team string, id flows.PlanID) (*flows.Plan, error) {
	p, err := r.Store.Plan(ctx, team, id)
	if r.armed.Load() {
		r.load.Do(func() { close(r.loaded) })
	}
	return p, err
}

// TestRefileFindsAReplyCommittedWhileItWaitedItsTurn: Ben's reply was
// read as an answer to question 1 (question 2's prompt not recorded yet)
// and is committing when the prompt is recorded and refiled. The refile
// waits for the plan's turn; when it comes, Ben's reply is in the plan,
// and it moves to question 2, though the refile loaded the plan before.
func TestRefileFindsAReplyCommittedWhileItWaitedItsTurn(t *testing.T) {
	ctx := context.Background()
	race := &refileRace{inTurn: make(chan struct{}), loaded: make(chan struct{})}
	svc, db := newService(t, func(s coach.Store) coach.Store { race.Store = s; return race })
	id := askingFirst(t, svc)
	ana := req("ana", "Speciality coffee subscriptions.")
	ana.User, ana.Plan, ana.TS = "UANA", id, "1000.000200"
	ana.Key = coach.MessageKey(ana.Channel, ana.TS) // as a thread reply's
	if _, err := svc.Handle(ctx, ana); err != nil {
		t.Fatal(err)
	}

	ben := req("ben", "Fresh beans in 48 hours.")
	ben.User, ben.Plan, ben.TS = "UBEN", id, "1000.000400"
	ben.Key = coach.MessageKey(ben.Channel, ben.TS)
	race.hold = ben.Key
	benDone := make(chan error, 1)
	go func() {
		_, err := svc.Handle(ctx, ben)
		benDone <- err
	}()
	<-race.inTurn
	if err := svc.Asked(ctx, "T1", id, "plan.value-proposition", "1000.000300"); err != nil {
		t.Fatal(err)
	}
	race.armed.Store(true)
	if _, err := svc.RefileLate(ctx, "T1", "C1", id, "plan.value-proposition", "1000.000300", t0.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if err := <-benDone; err != nil {
		t.Fatal(err)
	}

	p, err := db.Plan(ctx, "T1", id)
	if err != nil {
		t.Fatal(err)
	}
	if a := p.Answers[flows.QuestionBusiness]; len(a.Also) != 0 {
		t.Errorf("question 1 = %+v; Ben's reply to question 2 stayed beside Ana's answer", a)
	}
	if a := p.Answers["plan.value-proposition"]; a.Text != "Fresh beans in 48 hours." || a.By != "UBEN" {
		t.Errorf("question 2 = %+v, want Ben's reply; cursor %+v", a, p.Cursor)
	}
}

// TestRefileLeavesAMessageFiledByHand: in the seconds before question 2's
// late prompt is recorded, Ben's reply is read as a co-answer to question
// 1, and Cleo files a channel message posted after the prompt under
// question 1 with "Add to RACE plan". The refile moves Ben's reply and
// leaves Cleo's message where she put it.
func TestRefileLeavesAMessageFiledByHand(t *testing.T) {
	ctx := context.Background()
	svc, db := newService(t, nil)
	id := askingFirst(t, svc)
	for _, m := range []struct{ user, ts, text string }{
		{"UANA", "1000.000200", "Speciality coffee subscriptions."},
		{"UBEN", "1000.000400", "Fresh beans in 48 hours."},
	} {
		reply := req(m.user, m.text)
		reply.User, reply.Plan, reply.TS = m.user, id, m.ts
		reply.Key = coach.MessageKey(reply.Channel, reply.TS)
		if _, err := svc.Handle(ctx, reply); err != nil {
			t.Fatal(err)
		}
	}
	filed := req("shortcut", "")
	filed.User, filed.Plan, filed.TS = "UCLEO", id, "1000.000500"
	if _, err := svc.AddAnswer(ctx, filed, "UCLEO", flows.QuestionBusiness, "Roasted to order."); err != nil {
		t.Fatal(err)
	}
	if err := svc.Asked(ctx, "T1", id, "plan.value-proposition", "1000.000300"); err != nil {
		t.Fatal(err)
	}
	resp, err := svc.RefileLate(ctx, "T1", "C1", id, "plan.value-proposition", "1000.000300", t0.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	p, err := db.Plan(ctx, "T1", id)
	if err != nil {
		t.Fatal(err)
	}
	if a := p.Answers[flows.QuestionBusiness]; len(a.Also) != 1 || a.Also[0].By != "UCLEO" {
		t.Errorf("question 1 = %+v, want Ana's answer and Cleo's filed message", a)
	}
	if a := p.Answers["plan.value-proposition"]; a.By != "UBEN" {
		t.Errorf("question 2 = %+v, want Ben's reply", a)
	}
	if len(resp.Replies) == 0 || !strings.Contains(resp.Replies[0].Msg.String(), "Moved UBEN's reply") {
		t.Errorf("said %+v", resp.Replies)
	}
}

// askingFirst starts plan Q1 and records its first question asked, at ts
// 1000.000100.
func askingFirst(t *testing.T, svc *coach.Service) flows.PlanID {
	t.Helper()
	r := req("new", "new Q1")
	r.Command = true
	created, err := svc.Handle(t.Context(), r)
	if err != nil {
		t.Fatal(err)
	}
	if err := svc.Asked(t.Context(), "T1", created.Plan.ID, flows.QuestionBusiness, "1000.000100"); err != nil {
		t.Fatal(err)
	}
	return created.Plan.ID
}

// TestReadRefusedAgain: Ana's done ends the Plan stage's actions before
// Reach's first question is recorded as asked. Ben's answer to that
// question, read meanwhile as an action line, is refused; so is his
// values line. Once the question is recorded, his answer is read again
// as its answer, once; the values line is no answer to anything.
func TestReadRefusedAgain(t *testing.T) {
	ctx := context.Background()
	svc, _ := newService(t, nil)
	answer, reach := refusedBeforeTheRecord(t, svc)
	id := answer.Plan
	values, err := sayIn(ctx, svc, id, "UBEN", "/race values visitors lots", "1000.000700")
	if err == nil {
		t.Fatal("Ben's values line was not refused")
	}
	if err := svc.Asked(ctx, "T1", id, reach, "1000.000500"); err != nil {
		t.Fatal(err)
	}
	resp, err := svc.RefileLate(ctx, "T1", "C1", id, reach, "1000.000500", t0.Add(time.Hour))
	if err != nil || !resp.Reread {
		t.Fatalf("refile: %+v, %v; want replies read back", resp, err)
	}
	for _, r := range []coach.Request{values, answer, answer} {
		r.Key = ""
		if _, err := svc.ReadRefusedAgain(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	p, err := svc.Plan(ctx, "T1", id)
	if err != nil {
		t.Fatal(err)
	}
	if a := p.Answers[reach]; a.Text != "Coffee forums on Reddit" || a.By != "UBEN" || len(a.Also) != 0 {
		t.Errorf("Reach question 1 = %+v, want Ben's answer once", a)
	}
	if p.Cursor.Stage != 1 || p.Cursor.Step != 1 {
		t.Errorf("cursor %+v, want Reach's question 2", p.Cursor)
	}
}

// refusedBeforeTheRecord sets up TestReadRefusedAgain's thread up to
// Ben's refused answer (ts 1000.000600): Ana's done has ended the Plan
// stage's actions, Reach's first question (posted at 1000.000500) is
// not recorded yet. It returns Ben's request and the question's id.
func refusedBeforeTheRecord(t *testing.T, svc *coach.Service) (coach.Request, string) {
	t.Helper()
	ctx := t.Context()
	id := askingFirst(t, svc)
	say := func(user, text, ts string) (coach.Request, error) { return sayIn(ctx, svc, id, user, text, ts) }
	if _, err := say("UANA", "done", "1000.000200"); err != nil {
		t.Fatal(err)
	}
	if err := svc.Asked(ctx, "T1", id, "actions:plan", "1000.000300"); err != nil {
		t.Fatal(err)
	}
	if _, err := say("UANA", "done", "1000.000400"); err != nil {
		t.Fatal(err)
	}
	answer, err := say("UBEN", "Coffee forums on Reddit", "1000.000600")
	if err == nil {
		t.Fatal("Ben's answer read as an action line was not refused")
	}
	answer.Key = ""
	return answer, flows.RACE().Stages[1].Steps()[0].ID
}

// sayIn has user write text at ts in plan id's thread.
func sayIn(ctx context.Context, svc *coach.Service, id flows.PlanID, user, text, ts string) (coach.Request, error) {
	r := req(coach.MessageKey("C1", ts), text)
	r.User, r.Plan, r.TS = user, id, ts
	_, err := svc.Handle(ctx, r)
	return r, err
}

// recordLate records Reach's first question, posted at 1000.000500, as
// the bot does once it finds the post.
func recordLate(t *testing.T, svc *coach.Service, id flows.PlanID, reach string) {
	t.Helper()
	if err := svc.Asked(t.Context(), "T1", id, reach, "1000.000500"); err != nil {
		t.Fatal(err)
	}
	if resp, err := svc.RefileLate(t.Context(), "T1", "C1", id, reach, "1000.000500", t0.Add(time.Hour)); err != nil || !resp.Reread {
		t.Fatalf("refile: %+v, %v; want replies read back", resp, err)
	}
}

// TestReadRefusedAgainAfterItsAuthorsEdit: Ben's refused answer is read
// back from the thread; before it is read again, Ben edits it, and the
// edit is handled first. What the read back holds is the text before the
// edit: the edit is what stands, not the words Ben replaced.
func TestReadRefusedAgainAfterItsAuthorsEdit(t *testing.T) {
	ctx := context.Background()
	svc, _ := newService(t, nil)
	answer, reach := refusedBeforeTheRecord(t, svc)
	recordLate(t, svc, answer.Plan, reach)

	edit := answer
	edit.Text, edit.Previous, edit.Key, edit.Edited = "Coffee forums on Reddit and brewing videos", answer.Text, "EvEDIT", t0.Add(2*time.Hour)
	edit.Now = edit.Edited
	if _, err := svc.EditMessage(ctx, edit); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.ReadRefusedAgain(ctx, answer); err != nil {
		t.Fatal(err)
	}
	p, err := svc.Plan(ctx, "T1", answer.Plan)
	if err != nil {
		t.Fatal(err)
	}
	if a := p.Answers[reach]; a.Text != edit.Text || len(a.Also) != 0 {
		t.Errorf("Reach question 1 = %+v, want Ben's edited answer, once", a)
	}
}

// takenRace is the real store, running hook once just before the key
// that records an edit taken (…:taken) is written: the edit's change is
// committed, and its key is not yet.
type takenRace struct {
	coach.Store
	hook func()
	ran  atomic.Bool
}

func (r *takenRace) MarkSeen(ctx context.Context, team, key string) error {
	if strings.HasSuffix(key, ":taken") && r.hook != nil && r.ran.CompareAndSwap(false, true) {
		r.hook()
	}
	return r.Store.MarkSeen(ctx, team, key)
}

// TestReadRefusedAgainWhileItsEditIsTaken: Ben corrects his refused line
// into an action by editing it before Reach's question is recorded, and
// the edit is taken as the Plan stage's action. Before the edit's taking
// is recorded, the question is recorded and his message is read back
// and read again. One message gives one thing: the action, not also
// Reach's answer.
func TestReadRefusedAgainWhileItsEditIsTaken(t *testing.T) {
	ctx := context.Background()
	race := &takenRace{}
	svc, _ := newService(t, func(s coach.Store) coach.Store { race.Store = s; return race })
	answer, reach := refusedBeforeTheRecord(t, svc)
	race.hook = func() {
		recordLate(t, svc, answer.Plan, reach)
		if _, err := svc.ReadRefusedAgain(ctx, answer); err != nil {
			t.Error(err)
		}
	}
	edit := answer
	edit.Text, edit.Previous, edit.Key, edit.Edited = giftBoxesLine, answer.Text, "EvEDIT", t0.Add(time.Minute)
	edit.Now = edit.Edited
	if resp, err := svc.EditMessage(ctx, edit); err != nil || !resp.Taken {
		t.Fatalf("edit: %+v, %v; want it taken as the corrected line", resp, err)
	}
	p, err := svc.Plan(ctx, "T1", answer.Plan)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Actions) != 1 {
		t.Errorf("actions %+v, want Ben's edit", p.Actions)
	}
	if a, ok := p.Answers[reach]; ok && a.Text != "" {
		t.Errorf("Reach question 1 = %+v; Ben's message gave an action and an answer", a)
	}
}

const giftBoxesLine = "Gift boxes for corporate clients | Ben | impact 4 | effort 2"
