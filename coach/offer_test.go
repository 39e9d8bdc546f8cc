package coach_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/racebot/racebot/coach"
	"github.com/racebot/racebot/flows"
	"github.com/racebot/racebot/internal/testdb"
	"github.com/racebot/racebot/storage"
)

// chat is a coach on a real database with a clock, where every line gets
// its own delivery key, as Slack events do.
type chat struct {
	t   *testing.T
	db  *storage.DB
	svc *coach.Service
	now time.Time
	n   int
}

func newChat(t *testing.T) *chat {
	t.Helper()
	db := testdb.Open(t)
	return &chat{t: t, db: db, svc: coach.New(coach.Config{Catalogue: flows.RACE(), Store: db}), now: time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)}
}

// say sends a line a minute after the last one.
func (c *chat) say(user, text string) (coach.Response, error) {
	c.n++
	c.now = c.now.Add(time.Minute)
	return c.send(coach.Request{Team: "T1", Channel: "C1", User: user, Text: text, Now: c.now, Key: fmt.Sprint("k", c.n)})
}

func (c *chat) send(req coach.Request) (coach.Response, error) {
	return c.svc.Handle(context.Background(), req)
}

func (c *chat) must(user, text string) coach.Response {
	c.t.Helper()
	resp, err := c.say(user, text)
	if err != nil {
		c.t.Fatalf("%s: %q: %v", user, text, err)
	}
	return resp
}

func (c *chat) plan(name string) *flows.Plan {
	c.t.Helper()
	p, err := c.db.PlanByName(context.Background(), "T1", "C1", name)
	if err != nil {
		c.t.Fatalf("plan %q: %v", name, err)
	}
	return p
}

func (c *chat) hasPlan(name string) bool {
	_, err := c.db.PlanByName(context.Background(), "T1", "C1", name)
	return err == nil
}

func said(resp coach.Response) string {
	var b strings.Builder
	for _, r := range resp.Replies {
		b.WriteString(r.Msg.String() + "\n")
	}
	return b.String()
}

func TestNewMidQuestionIsKeptAndOffered(t *testing.T) {
	c := newChat(t)
	c.must("ana", "/race new Q1")
	resp := c.must("ana", "New clinic owners in the US, sold online.")
	if got := c.plan("Q1").Answers[flows.QuestionBusiness].Text; got != "New clinic owners in the US, sold online." {
		t.Fatalf("answer = %q, want the line kept as the answer", got)
	}
	if resp.Created || !strings.Contains(said(resp), `Start a new plan called "clinic owners in the US, sold online."? Reply `+"`yes`") {
		t.Errorf("reply = %q, want the offer", said(resp))
	}
	if last := resp.Replies[len(resp.Replies)-1]; last.Kind != flows.ReplyQuestion {
		t.Errorf("last reply = %+v, want the next question", last)
	}

	// Ignoring the offer keeps the answer: the next line is the next answer.
	c.must("ana", "Beans roasted to order.")
	c.must("ana", "yes")
	q1 := c.plan("Q1")
	if got := q1.Answers[flows.QuestionBusiness].Text; got != "New clinic owners in the US, sold online." {
		t.Errorf("answer after the offer was ignored = %q", got)
	}
	if c.hasPlan("clinic owners in the US, sold online.") {
		t.Error("a late yes started the offered plan")
	}
	if n := q1.Progress(flows.RACE())[0].Answered; n != 3 {
		t.Errorf("answered = %d, want 3 (the late yes is an answer too)", n)
	}
}

func TestYesTakesTheOfferAndWithdrawsTheAnswer(t *testing.T) {
	c := newChat(t)
	c.must("ana", "/race new Q1")
	c.must("ana", "We sell coffee.")
	c.must("ana", "back")
	c.must("ana", "new Q1 Launch")
	resp := c.must("ana", "Yes")
	if !resp.Created || resp.Plan == nil || resp.Plan.Name != "Q1 Launch" {
		t.Fatalf("yes: response %+v, want plan Q1 Launch created", resp)
	}
	if !strings.Contains(said(resp), "Took back that answer") || !strings.Contains(said(resp), "What does the business sell") {
		t.Errorf("yes said %q", said(resp))
	}
	q1 := c.plan("Q1")
	if a := q1.Answers[flows.QuestionBusiness]; a.Text != "We sell coffee." || a.Revision != 3 {
		t.Errorf("Q1's answer = %+v, want the earlier text back as revision 3", a)
	}
	revs, err := c.db.Revisions(context.Background(), "T1", q1.ID, flows.QuestionBusiness)
	if err != nil || len(revs) != 3 || revs[1].Text != "new Q1 Launch" {
		t.Errorf("revisions = %+v, %v; want the withdrawn answer kept", revs, err)
	}
	if q1.Cursor != (flows.Cursor{Phase: flows.PhaseQuestion}) {
		t.Errorf("Q1 cursor = %+v, want the withdrawn question open again", q1.Cursor)
	}
	// The new plan is the channel's current one: answers go there now.
	c.must("ana", "We roast beans.")
	if got := c.plan("Q1 Launch").Answers[flows.QuestionBusiness].Text; got != "We roast beans." {
		t.Errorf("Q1 Launch answer = %q", got)
	}
	// A second yes is an answer, not a second plan.
	c.must("ana", "yes")
	if got := c.plan("Q1 Launch").Answers[flows.QuestionValueProposition].Text; got != "yes" {
		t.Errorf("second yes stored as %q, want an answer", got)
	}
}

// TestOnlyTheAuthorsNextYesTakesTheOffer: Ben's yes is his answer to the
// next question, and it moves the plan on, so Ana's offer lapses: her
// yes, within the offer's time and with no answer of hers since, was
// meant for it and is refused, changing nothing; in more words it is her
// answer.
func TestOnlyTheAuthorsNextYesTakesTheOffer(t *testing.T) {
	c := newChat(t)
	c.must("ana", "/race new Q1")
	c.must("ana", "new Q2")
	c.must("ben", "yes")
	version := c.plan("Q1").Version
	_, err := c.say("ana", "yes")
	if !errors.Is(err, flows.ErrBadInput) {
		t.Fatalf("Ana's yes after the plan moved on: err = %v, want it refused", err)
	}
	if got := flows.Explain(err).String(); !strings.Contains(got, `lapsed when ben answered Plan question 2 (value proposition)`) || !strings.Contains(got, "new Q2") {
		t.Errorf("Ana was told %q, want that the offer of Q2 lapsed when Ben answered", got)
	}
	if c.hasPlan("Q2") {
		t.Fatal("someone else's yes, or a yes after the plan moved, started the plan")
	}
	q1 := c.plan("Q1")
	if q1.Version != version {
		t.Errorf("the refused yes moved the plan from version %d to %d", version, q1.Version)
	}
	if got := q1.Answers[flows.QuestionValueProposition]; got.Text != "yes" || got.By != "ben" {
		t.Errorf("value proposition = %+v, want Ben's yes", got)
	}
	if got := q1.Answers["plan.segments"]; got.Text != "" {
		t.Errorf("segments = %+v, want Ana's yes not filed", got)
	}
	if got := q1.Answers[flows.QuestionBusiness].Text; got != "new Q2" {
		t.Errorf("business = %q, want Ana's line kept", got)
	}
	c.must("ana", "yes, indeed")
	if got := c.plan("Q1").Answers["plan.segments"]; got.Text != "yes, indeed" || got.By != "ana" {
		t.Errorf("segments = %+v, want Ana's yes in more words", got)
	}
}

// TestAYesAfterTouchingAnOlderAnswerIsRefused: Ana answers question 1,
// types "new Q2" at question 2, kept with the offer, then edits or
// deletes her answer to question 1, which moves the plan, so the offer
// lapses. Changing an older answer is no answer to the question after
// her line: her bare yes, typed for the offer, is refused and filed
// nowhere, as after Ben's answer. An answer she wrote since counts, edited
// or not.
func TestAYesAfterTouchingAnOlderAnswerIsRefused(t *testing.T) {
	ctx := context.Background()
	// line sends a message with its Slack ts a minute after the last.
	line := func(c *chat, user, text string) string {
		c.t.Helper()
		c.n++
		c.now = c.now.Add(time.Minute)
		ts := fmt.Sprintf("%d.000100", c.now.Unix())
		if _, err := c.send(coach.Request{Team: "T1", Channel: "C1", User: user, Text: text, Now: c.now, Key: fmt.Sprint("k", c.n), TS: ts}); err != nil {
			c.t.Fatalf("%s: %q: %v", user, text, err)
		}
		return ts
	}
	touch := func(c *chat, ts, text string) {
		c.t.Helper()
		c.n++
		c.now = c.now.Add(time.Minute)
		req := coach.Request{Team: "T1", Channel: "C1", User: "ana", Text: text, Now: c.now, Edited: c.now, Key: fmt.Sprint("k", c.n), TS: ts, Plan: c.plan("Q1").ID}
		var err error
		if text == "" {
			_, err = c.svc.DeleteMessage(ctx, req)
		} else {
			_, err = c.svc.EditMessage(ctx, req)
		}
		if err != nil {
			c.t.Fatalf("touch %s: %v", ts, err)
		}
	}
	for _, tc := range []struct{ name, edit string }{{"edited", "We roast and sell coffee."}, {"deleted", ""}} {
		t.Run(tc.name, func(t *testing.T) {
			c := newChat(t)
			c.must("ana", "/race new Q1")
			q1 := line(c, "ana", "We roast coffee.")
			c.must("ana", "new Q2")
			before := c.plan("Q1").Version
			touch(c, q1, tc.edit)
			if c.plan("Q1").Version == before {
				t.Fatal("the edit did not move the plan; the test needs it to")
			}
			version := c.plan("Q1").Version
			_, err := c.say("ana", "yes")
			if !errors.Is(err, flows.ErrBadInput) {
				t.Errorf("Ana's yes after she %s an older answer: err = %v, want it refused", tc.name, err)
			}
			p := c.plan("Q1")
			if a := p.Answers["plan.segments"]; a.Text != "" || len(a.Also) != 0 {
				t.Errorf("segments = %q, want Ana's yes filed nowhere", a.Text)
			}
			if p.Version != version || c.hasPlan("Q2") {
				t.Errorf("the refused yes changed something: version %d to %d, Q2 started %v", version, p.Version, c.hasPlan("Q2"))
			}
		})
	}
	t.Run("answered since, then edited", func(t *testing.T) {
		c := newChat(t)
		c.must("ana", "/race new Q1")
		c.must("ana", "new Q2")
		c.must("ben", "Coffee, delivered.")
		q3 := line(c, "ana", "Offices.")
		touch(c, q3, "Offices and cafés.")
		c.must("ana", "yes")
		if a := c.plan("Q1").Answers["plan.persona"]; a.Text != "yes" || a.By != "ana" {
			t.Errorf("persona = %q by %s, want Ana's yes: she had answered since", a.Text, a.By)
		}
	})
}

func TestOfferExpires(t *testing.T) {
	c := newChat(t)
	c.must("ana", "/race new Q1")
	c.must("ana", "new Q2")
	c.now = c.now.Add(coach.OfferKept)
	c.must("ana", "yes")
	if c.hasPlan("Q2") {
		t.Fatal("an expired offer was taken")
	}
	if got := c.plan("Q1").Answers[flows.QuestionValueProposition].Text; got != "yes" {
		t.Errorf("late yes stored as %q, want an answer", got)
	}
}

func TestYesRetriedOrRefused(t *testing.T) {
	c := newChat(t)
	c.must("ana", "/race new Q1")
	c.must("ana", "/race new Taken")
	c.must("ana", "/race continue Q1")
	c.must("ana", "new taken")
	// The name is used: nothing changes, and the offer still stands.
	_, err := c.say("ana", "yes")
	if !errors.Is(err, flows.ErrDuplicatePlan) {
		t.Fatalf("yes to a used name: err = %v, want ErrDuplicatePlan", err)
	}
	if got := c.plan("Q1").Answers[flows.QuestionBusiness].Text; got != "new taken" {
		t.Errorf("answer = %q after a refused yes", got)
	}
	c.must("ana", "/race delete Taken --yes")

	// Slack delivers the yes twice: one plan, and the retry is a duplicate.
	c.now = c.now.Add(time.Minute)
	yes := coach.Request{Team: "T1", Channel: "C1", User: "ana", Text: "yes", Now: c.now, Key: "ev-yes"}
	first, err := c.send(yes)
	if err != nil || !first.Created {
		t.Fatalf("yes: %+v, %v; want the plan created", first, err)
	}
	again, err := c.send(yes)
	if err != nil || !again.Duplicate {
		t.Fatalf("retried yes: %+v, %v; want a duplicate", again, err)
	}
	if got := c.plan("taken").Answers; len(got) != 0 {
		t.Errorf("the retried yes was stored as an answer: %+v", got)
	}
	if got := c.plan("Q1").Answers[flows.QuestionBusiness]; got.Text != "" || got.Revision != 2 {
		t.Errorf("Q1 answer = %+v, want it withdrawn once", got)
	}
}

// TestCommandsInAPlanThread: in a plan's own thread every command form
// takes effect on that plan, and sentences starting with a command word are
// answers.
func TestCommandsInAPlanThread(t *testing.T) {
	c := newChat(t)
	c.must("ana", "/race new Q1")
	c.must("ana", "/race new Other")
	id := c.plan("Q1").ID
	thread := func(text string) coach.Response {
		t.Helper()
		c.n++
		c.now = c.now.Add(time.Minute)
		resp, err := c.send(coach.Request{Team: "T1", Channel: "C1", User: "ana", Text: text, Now: c.now, Plan: id, Key: fmt.Sprint("t", c.n)})
		if err != nil {
			t.Fatalf("%q: %v", text, err)
		}
		return resp
	}
	thread("Stage by stage onboarding is our strategy")
	thread("stage reach")
	if p := c.plan("Q1"); p.Cursor.Stage != 1 || p.Answers[flows.QuestionBusiness].Text != "Stage by stage onboarding is our strategy" {
		t.Fatalf("after stage reach: cursor %+v, business %q", p.Cursor, p.Answers[flows.QuestionBusiness].Text)
	}
	thread("privacy on")
	if !c.plan("Q1").Privacy {
		t.Error("privacy on in the thread did not set privacy")
	}
	thread("kpi reach")
	if got := c.plan("Q1").Cursor; got.Phase != flows.PhaseKPIs || got.Stage != 1 {
		t.Errorf("kpi reach: cursor %+v, want Reach's KPIs", got)
	}
	if resp := thread("status"); !strings.Contains(said(resp), "Reach") {
		t.Errorf("status said %q", said(resp))
	}
	if c.plan("Other").Cursor.Stage != 0 || c.plan("Other").Privacy {
		t.Error("commands in Q1's thread changed the other plan")
	}
}

// TestAPlanOfferedAgainThenCorrectedByAnEdit: Ana's "new Q1 Launch", the
// answer to the Plan stage's last question, is kept and the plan offered;
// typed again at the stage's actions it is refused as an action line, the
// offer left as it was. She edits that second line into an action: it is
// taken, once, and her `yes` then starts no plan, the plan having moved
// since the offer. Ben's edit of her line changes nothing.
func TestAPlanOfferedAgainThenCorrectedByAnEdit(t *testing.T) {
	f := newCoach(t)
	ctx := context.Background()
	id := f.do(coach.Request{User: "UANA", Text: "new Q1", Command: true}).Plan.ID
	for i := range 9 {
		f.do(coach.Request{User: "UANA", Text: fmt.Sprintf("Answer %d.", i+1), Plan: id})
	}
	plan := func() *flows.Plan {
		t.Helper()
		p, err := f.db.Plan(ctx, "T1", id)
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	f.do(coach.Request{User: "UANA", Text: "new Q1 Launch", Plan: id, TS: "1.1"})
	if got := plan(); got.Cursor.Phase != flows.PhaseActions {
		t.Fatalf("after the stage's last answer the plan is at %+v, want its actions", got.Cursor)
	}
	f.seq++
	_, err := f.svc.Handle(ctx, coach.Request{Team: "T1", Channel: "C1", User: "UANA", Text: "new Q1 Launch", Plan: id, TS: "2.2", Key: "k-again", Now: f.now})
	if ue, ok := errors.AsType[*flows.UserError](err); !ok || !strings.Contains(ue.Msg.String(), "start a new plan") {
		t.Fatalf("typed again at the actions: %v, want refused with the plan offered", err)
	}

	line := "New Q1 Launch page | impact 4 | effort 2 | <@UBEN> | 2027-02-15"
	edit := func(user, key string) (coach.Response, error) {
		f.now = f.now.Add(time.Second)
		return f.svc.EditMessage(ctx, coach.Request{Team: "T1", Channel: "C1", User: user, Text: line, Previous: "new Q1 Launch", Plan: id, TS: "2.2", Key: key, Now: f.now})
	}
	if r, err := edit("UBEN", "e-ben"); err != nil || r.Changed {
		t.Fatalf("Ben's edit of Ana's line: %+v, %v; want nothing", r, err)
	}
	r, err := edit("UANA", "e-ana")
	if err != nil || !r.Taken {
		t.Fatalf("Ana's edit of her refused line: %+v, %v; want it taken", r, err)
	}
	if r, err := edit("UANA", "e-ana"); err != nil || r.Changed {
		t.Errorf("her edit delivered again: %+v, %v; want nothing", r, err)
	}
	if got := plan().Actions; len(got) != 1 || got[0].Text != "New Q1 Launch page" || got[0].By != "UANA" {
		t.Fatalf("actions %+v, want Ana's one action", got)
	}

	f.now = f.now.Add(time.Second)
	resp, _ := f.svc.Handle(ctx, coach.Request{Team: "T1", Channel: "C1", User: "UANA", Text: "yes", Plan: id, TS: "3.3", Key: "k-yes", Now: f.now})
	if resp.Created {
		t.Error("her yes after her line was taken as an action started the plan offered")
	}
	if _, err := f.db.PlanByName(ctx, "T1", "C1", "Q1 Launch"); err == nil {
		t.Error("plan Q1 Launch exists")
	}
	if got := plan().Answers["plan.strategy"].Text; got != "new Q1 Launch" {
		t.Errorf("the stage's last answer is %q, want it kept", got)
	}
}
