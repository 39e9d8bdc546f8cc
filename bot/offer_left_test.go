package bot

import (
	"context"
	"math"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/racebot/racebot/flows"
	"github.com/racebot/racebot/internal/slackfake"
)

// leftNote is how the thread of the plan a taken offer's line left is
// told so.
const leftNote = `Took back <@UANA>'s answer to Plan question 1 (business): it started the plan "Launch plan", and stays in this plan's history.`

// wantAskedAgain checks that thread was told once, after after, that
// Ana's line left its plan, and that its last message asks want, recorded
// as asked.
func (h *harness) wantAskedAgain(thread, after, want string) {
	h.t.Helper()
	m := h.fake.WaitMessage(h.t, "C1", func(m slackfake.Message) bool {
		return m.ThreadTS == thread && compareTS(m.TS, after) > 0 && strings.Contains(m.Text, want)
	}, "the thread the line left asks "+want+" again")
	// Read from the database: the racebot that took the offer, this one
	// or another, posts and records it.
	order, err := strconv.ParseInt(strings.Replace(m.TS, ".", "", 1), 10, 64)
	if err != nil {
		h.t.Fatal(err)
	}
	h.fake.WaitFor(h.t, func() bool {
		id, err := h.db.PlanIDByThread(context.Background(), slackfake.TeamID, "C1", thread)
		if err != nil {
			return false
		}
		_, at, err := h.db.LastAsked(context.Background(), slackfake.TeamID, id, math.MaxInt64, "")
		return err == nil && at == order
	}, "the bot to record the prompt asked again")
	n, last := 0, slackfake.Message{}
	for _, m := range h.fake.Messages("C1") {
		if m.ThreadTS != thread || compareTS(m.TS, after) <= 0 {
			continue
		}
		if strings.Contains(m.Text, leftNote) {
			n++
		}
		last = m
	}
	if n != 1 {
		h.t.Errorf("the thread the line left was told %d times that it was taken back, want once\n%s", n, h.fake.Dump())
	}
	if !strings.Contains(last.Text, want) {
		h.t.Errorf("the thread the line left ends with %q, want it to ask %q", last.Text, want)
	}
}

// TestAYesAsksAgainInTheThreadItsLineLeft: Ana replies "new Launch plan"
// to question 1 of Q1, kept as her answer with the offer of that plan,
// and the coach asks question 2. Her `yes` starts Launch plan and takes
// the line back, so Q1 is at question 1 again: Q1's thread is told so
// once, though the yes is delivered twice or to two racebots, and is
// asked question 1 again, so that Ana's next plain reply there answers
// it rather than question 2.
func TestAYesAsksAgainInTheThreadItsLineLeft(t *testing.T) {
	t.Parallel()
	answerAgain := func(t *testing.T, h *harness, header slackfake.Message) {
		t.Helper()
		prompt := h.lastInThread(header.TS)
		h.answersAfter("UANA", header, prompt, "Coffee.", "What is your value proposition")
		h.settle()
		p := h.plan(slackfake.TeamID, "C1", "Q1")
		if a, b := p.Answers[flows.QuestionBusiness], p.Answers[flows.QuestionValueProposition]; a.Text != "Coffee." || b.Text != "" || len(b.Also) != 0 {
			t.Errorf("Ana's reply to the question asked again: question 1 = %q, question 2 = %q %+v; want Coffee. under question 1", a.Text, b.Text, b.Also)
		}
	}
	t.Run("yes twice", func(t *testing.T) {
		t.Parallel()
		h, header, ts := anaAnswersQ1(t, "new Launch plan", "Start a new plan called")
		yes := tsAfter(t, ts, 20*time.Second)
		h.twice(slackfake.MessageEvent{Channel: "C1", User: "UANA", Text: "yes", TS: yes, ThreadTS: header.TS})
		h.header("C1", "Launch plan")
		h.settle()
		h.wantAskedAgain(header.TS, yes, "What does the business sell")
		answerAgain(t, h, header)
	})
	t.Run("yes to two racebots", func(t *testing.T) {
		t.Parallel()
		h, header, ts := anaAnswersQ1(t, "new Launch plan", "Start a new plan called")
		other, _ := h.anotherRacebot()
		yes := slackfake.MessageEvent{Channel: "C1", User: "UANA", Text: "yes", TS: tsAfter(t, ts, 20*time.Second), ThreadTS: header.TS}
		env := h.fake.SendEvent(yes)
		if code := h.deliver(serve(t, other), slackfake.EventBody(yes)); code != 200 {
			t.Fatalf("yes through racebot B answered %d", code)
		}
		h.fake.WaitAck(t, env)
		h.header("C1", "Launch plan")
		settle(t, other, h.fake)
		h.settle()
		if n := len(h.headers("C1", "Launch plan")); n != 1 {
			t.Errorf("a yes to two racebots started %d plans, want 1", n)
		}
		h.wantAskedAgain(header.TS, yes.TS, "What does the business sell")
		answerAgain(t, h, header)
	})
	// Racebot B takes it first: B asks again, and records the prompt.
	t.Run("yes to racebot B first", func(t *testing.T) {
		t.Parallel()
		h, header, ts := anaAnswersQ1(t, "new Launch plan", "Start a new plan called")
		other, _ := h.anotherRacebot()
		before := h.lastInThread(header.TS).TS
		yes := slackfake.MessageEvent{Channel: "C1", User: "UANA", Text: "yes", TS: tsAfter(t, ts, 20*time.Second), ThreadTS: header.TS}
		if code := h.deliver(serve(t, other), slackfake.EventBody(yes)); code != 200 {
			t.Fatalf("yes through racebot B answered %d", code)
		}
		h.header("C1", "Launch plan")
		settle(t, other, h.fake)
		h.fake.WaitAck(t, h.fake.SendEvent(yes))
		h.settle()
		h.wantAskedAgain(header.TS, before, "What does the business sell")
		answerAgain(t, h, header)
	})
}

// TestAYesToACoAnswerAsksAgainWhereThePlanIs: Ben answers question 1,
// and Ana, before question 2 is posted, replies "new Launch plan", kept
// beside Ben's answer with the offer. Her `yes` takes back her co-answer
// alone: Q1 stays at question 2, which its thread asks again after
// saying her line left.
func TestAYesToACoAnswerAsksAgainWhereThePlanIs(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.runSocket()
	header, p, _, ana := h.twoRepliesToQuestion1("UBEN", "Beans roasted to order for home brewers.", "UANA", "new Launch plan")
	h.fake.Delay("chat.postMessage", 0)
	h.threadMessage("C1", header.TS, `Start a new plan called "Launch plan"?`)
	h.waitAsked(p, flows.QuestionValueProposition)
	yes := tsAfter(t, ana, 20*time.Second)
	h.twice(slackfake.MessageEvent{Channel: "C1", User: "UANA", Text: "yes", TS: yes, ThreadTS: header.TS})
	h.header("C1", "Launch plan")
	h.settle()
	h.wantAskedAgain(header.TS, yes, "What is your value proposition")
}

// TestAYesAfterThePlanMovedOnIsNotFiled: Ana replies "new Launch plan"
// to question 1, kept as her answer with the offer of that plan, and Ben
// answers question 2 before her `yes`. The offer was made on the plan as
// her line left it, which has moved on, so it lapsed; but her yes, within
// the offer's ten minutes and with no answer of hers since, was most
// likely typed for it, so it is no answer to question 3: she alone is
// told, once though Slack delivers it twice, that the offer lapsed when
// Ben answered, that nothing was saved, and how to start the plan or
// answer yes; nothing changes. Her yes in more words, as she is told, is
// her answer to question 3, and once she has answered something since,
// her bare yes is an answer again. Ben's yes (he has no offer) is his
// answer, as before.
func TestAYesAfterThePlanMovedOnIsNotFiled(t *testing.T) {
	t.Parallel()
	const told = `the offer to start a new plan called "Launch plan" lapsed when <@UBEN> answered Plan question 2 (value proposition)`
	// benMovesOn has Ben answer question 2 after Ana's line, and returns
	// the prompt of question 3.
	benMovesOn := func(t *testing.T) (*harness, slackfake.Message, slackfake.Message) {
		t.Helper()
		h, header, _ := anaAnswersQ1(t, "new Launch plan", "Start a new plan called")
		q2 := h.lastInThread(header.TS)
		h.answersAfter("UBEN", header, q2, "Great coffee, delivered.", "Which customer segments")
		return h, header, h.lastInThread(header.TS)
	}
	t.Run("Ana's yes", func(t *testing.T) {
		t.Parallel()
		h, header, q3 := benMovesOn(t)
		version := h.plan(slackfake.TeamID, "C1", "Q1").Version
		h.twice(slackfake.MessageEvent{Channel: "C1", User: "UANA", Text: "yes", TS: tsAfter(t, q3.TS, time.Second), ThreadTS: header.TS})
		h.wantNoPlanStarted(t, "a yes after the plan moved on", "new Launch plan")
		p := h.plan(slackfake.TeamID, "C1", "Q1")
		if a := p.Answers["plan.segments"]; a.Text != "" || len(a.Also) != 0 {
			t.Errorf("question 3 = %q (and %d beside), want nothing filed", a.Text, len(a.Also))
		}
		if p.Version != version {
			t.Errorf("the yes moved the plan from version %d to %d", version, p.Version)
		}
		if last := h.lastInThread(header.TS); last.TS != q3.TS {
			t.Errorf("the thread ends with %q, want question 3 still", last.Text)
		}
		if n := h.countEphemerals("UANA", told); n != 1 {
			t.Errorf("Ana was told %d times that the offer lapsed, want once; told %q", n, h.fake.Ephemerals())
		}
		for _, e := range h.fake.Ephemerals() {
			if strings.Contains(e.Text, told) && (!strings.Contains(e.Text, "not recorded") || !strings.Contains(e.Text, "/race new Launch plan") || !strings.Contains(e.Text, "yes, indeed")) {
				t.Errorf("Ana was told %q, want that her yes was not recorded, and how to start the plan or answer yes", e.Text)
			}
		}
		h.wantOnlyAnaTold(t)

		// As she is told: her yes in more words answers question 3, and
		// having answered since, her bare yes answers question 4.
		h.replyAndWait(slackfake.MessageEvent{Channel: "C1", User: "UANA", Text: "yes, indeed", TS: tsAfter(t, q3.TS, 2*time.Second), ThreadTS: header.TS},
			"Who is your typical customer")
		h.replyAndWait(slackfake.MessageEvent{Channel: "C1", User: "UANA", Text: "yes", TS: tsAfter(t, q3.TS, 3*time.Second), ThreadTS: header.TS},
			"How do you position yourself")
		p = h.plan(slackfake.TeamID, "C1", "Q1")
		if a := p.Answers["plan.segments"]; a.Text != "yes, indeed" || a.By != "UANA" {
			t.Errorf("question 3 = %q by %s, want Ana's yes, indeed", a.Text, a.By)
		}
		if a := p.Answers["plan.persona"]; a.Text != "yes" || a.By != "UANA" {
			t.Errorf("question 4 = %q by %s, want Ana's yes", a.Text, a.By)
		}
		if n := h.countEphemerals("UANA", "lapsed"); n != 1 {
			t.Errorf("Ana was told %d times that the offer lapsed, want once; told %q", n, h.fake.Ephemerals())
		}
		h.wantNoPlanStarted(t, "Ana's answers after the plan moved on", "new Launch plan")
	})
	t.Run("Ben's yes", func(t *testing.T) {
		t.Parallel()
		h, header, q3 := benMovesOn(t)
		h.replyAndWait(slackfake.MessageEvent{Channel: "C1", User: "UBEN", Text: "yes", TS: tsAfter(t, q3.TS, time.Second), ThreadTS: header.TS},
			"Who is your typical customer")
		if a := h.plan(slackfake.TeamID, "C1", "Q1").Answers["plan.segments"]; a.Text != "yes" || a.By != "UBEN" {
			t.Errorf("question 3 = %q by %s, want Ben's yes", a.Text, a.By)
		}
		if e := h.fake.Ephemerals(); len(e) != 0 {
			t.Errorf("someone was told something of Ben's yes: %q", e)
		}
		h.wantNoPlanStarted(t, "Ben's yes", "new Launch plan")
	})
}

// lastInThread is the latest message in thread of C1.
func (h *harness) lastInThread(thread string) slackfake.Message {
	h.t.Helper()
	var last slackfake.Message
	for _, m := range h.fake.Messages("C1") {
		if m.ThreadTS == thread && compareTS(m.TS, last.TS) > 0 {
			last = m
		}
	}
	return last
}
