package bot

import (
	"strings"
	"testing"
	"time"

	"github.com/racebot/racebot/flows"
	"github.com/racebot/racebot/internal/slackfake"
)

// sayAs types text as user's reply in a thread and waits for racebot's
// new reply containing want (and, for a prompt, for it to be recorded).
func (h *harness) sayAs(user, thread, text, want string) slackfake.Message {
	h.t.Helper()
	return h.replyAndWait(slackfake.MessageEvent{Channel: "C1", User: user, Text: text, ThreadTS: thread}, want)
}

// answersAfter has user answer prompt with text, a second after it, and
// waits for the next prompt (next); it returns the reply's ts.
func (h *harness) answersAfter(user string, header, prompt slackfake.Message, text, next string) string {
	h.t.Helper()
	ts := tsAfter(h.t, prompt.TS, time.Second)
	h.replyAndWait(slackfake.MessageEvent{Channel: "C1", User: user, Text: text, TS: ts, ThreadTS: header.TS}, next)
	return ts
}

// replyAndWait delivers e, a reply in a thread of C1, and waits for
// racebot's new reply in that thread containing want.
func (h *harness) replyAndWait(e slackfake.MessageEvent, want string) slackfake.Message {
	h.t.Helper()
	before := map[string]bool{}
	for _, m := range h.fake.Messages("C1") {
		before[m.TS] = true
	}
	h.fake.WaitAck(h.t, h.fake.SendEvent(e))
	m := h.fake.WaitMessage(h.t, "C1", func(m slackfake.Message) bool {
		return !before[m.TS] && m.ThreadTS == e.ThreadTS && strings.Contains(m.Text, want)
	}, "a reply to "+e.Text+" containing "+want)
	// A person reads the question before replying: wait until the bot has
	// recorded it as asked, as a real reply would come seconds later.
	if asksSomething(m) {
		h.fake.WaitFor(h.t, func() bool { return h.asked.has(m.TS) }, "the bot to record the prompt in "+m.TS)
	}
	return m
}

// anaAnswersQ1 starts plan Q1 over Socket Mode and has Ana answer its
// first question with text, waiting for the prompt after it (next); it
// returns the plan's header and the ts of her reply.
func anaAnswersQ1(t *testing.T, text, next string) (h *harness, header slackfake.Message, ts string) {
	t.Helper()
	h = newHarness(t)
	h.runSocket()
	header, q1, _ := h.firstQuestion("Q1")
	return h, header, h.answersAfter("UANA", header, q1, text, next)
}

// yesStartsLaunchPlan has Ana say `yes` in header's thread to the offer
// of "Launch plan" and waits until that plan is started.
func (h *harness) yesStartsLaunchPlan(header slackfake.Message) {
	h.t.Helper()
	h.fake.WaitAck(h.t, h.fake.SendEvent(slackfake.MessageEvent{Channel: "C1", User: "UANA", Text: "yes", ThreadTS: header.TS}))
	h.header("C1", "Launch plan")
	h.settle()
}

// wantNoPlanStarted checks that, after when, no plan called "Launch
// plan" was started and question 1 of Q1 is q1.
func (h *harness) wantNoPlanStarted(t *testing.T, when, q1 string) {
	t.Helper()
	if len(h.headers("C1", "Launch plan")) != 0 {
		t.Errorf("%s started the plan", when)
	}
	if a := h.plan(slackfake.TeamID, "C1", "Q1").Answers[flows.QuestionBusiness]; a.Text != q1 {
		t.Errorf("%s: question 1 = %q, want %q", when, a.Text, q1)
	}
}

// wantFirstAnswers checks that, after when, questions 1 and 2 of Q1 are
// q1 and q2 ("" for none filed).
func (h *harness) wantFirstAnswers(t *testing.T, when, q1, q2 string) {
	t.Helper()
	p := h.plan(slackfake.TeamID, "C1", "Q1")
	if a, b := p.Answers[flows.QuestionBusiness], p.Answers[flows.QuestionValueProposition]; a.Text != q1 || b.Text != q2 {
		t.Errorf("after %s: question 1 = %q, question 2 = %q; want %q and %q", when, a.Text, b.Text, q1, q2)
	}
}

// wantAnswerAsItWas checks that Ana's answer "Coffee." to question 1 is
// still her first, after her edit of it into edit.
func (h *harness) wantAnswerAsItWas(t *testing.T, edit string) {
	t.Helper()
	if a := h.plan(slackfake.TeamID, "C1", "Q1").Answers[flows.QuestionBusiness]; a.Text != "Coffee." || a.Revision != 1 {
		t.Errorf("after an edit into %q: the answer is %q (revision %d), want Coffee. as it was", edit, a.Text, a.Revision)
	}
}

// wantToldHowToRun checks that Ana, having edited her answer into edit,
// was told once that it reads as a command and how to run it (`/race run`).
func (h *harness) wantToldHowToRun(t *testing.T, edit, run string) {
	t.Helper()
	if n := h.countEphemerals("UANA", "reads as a command, so your answer stays as it was; to run the command, reply `/race "+run+"`."); n != 1 {
		t.Errorf("an answer edited into %q: told %d times that it stays and how to run /race %s, want once; told %q", edit, n, run, h.fake.Ephemerals())
	}
}

// wantOnlyAnaTold checks that nobody but Ana was told about her edit.
func (h *harness) wantOnlyAnaTold(t *testing.T) {
	t.Helper()
	for _, e := range h.fake.Ephemerals() {
		if e.User != "UANA" {
			t.Errorf("%s was told %q about Ana's edit", e.User, e.Text)
		}
	}
}

// TestAnAnswerEditedIntoACommandStaysAsItWas: Ana answers question 1,
// then edits her reply into `skip`, `back`, `/race status` and
// `/race new Launch plan`. No edit runs a command, and none is saved as
// her answer: each time she alone is told, once though Slack delivers the
// edit twice, that it reads as a command, that her answer stays, and how
// to run it. An edit that is an answer still updates it, one that could
// be either (`New parents in Berlin`) too, as a new reply so written is
// kept as the answer; and an older edit into a command delivered after
// it says nothing.
func TestAnAnswerEditedIntoACommandStaysAsItWas(t *testing.T) {
	t.Parallel()
	h, header, ts := anaAnswersQ1(t, "Coffee.", "What is your value proposition")

	previous := "Coffee."
	for i, text := range []string{"skip", "back", "/race status", "/race new Launch plan"} {
		h.twice(slackfake.MessageChanged{Channel: "C1", User: "UANA", TS: ts, ThreadTS: header.TS, Text: text, PreviousText: previous,
			EditTS: tsAfter(t, ts, time.Duration(i+1)*10*time.Second), EventID: "EvCMD" + text})
		previous = text
		h.settle()
		h.wantToldHowToRun(t, text, strings.TrimPrefix(text, "/race "))
		h.wantAnswerAsItWas(t, text)
		if c := h.plan(slackfake.TeamID, "C1", "Q1").Cursor; c.Step != 1 {
			t.Errorf("after an edit into %q: the coach is at %+v, want still question 2", text, c)
		}
		if n := h.countEphemerals("UANA", "reads as a command"); n != i+1 {
			t.Errorf("after %d edits into commands, %d told so, want one each", i+1, n)
		}
	}
	if ps, _, err := h.bot.svc.ChannelPlans(t.Context(), slackfake.TeamID, "C1"); err != nil || len(ps) != 1 {
		t.Errorf("the channel has %d plans (%v), want 1: an edit starts none", len(ps), err)
	}
	h.wantOnlyAnaTold(t)

	h.edit(t, slackfake.MessageChanged{User: "UANA", TS: ts, ThreadTS: header.TS, Text: "New parents in Berlin", PreviousText: previous,
		EditTS: tsAfter(t, ts, 50*time.Second), EventID: "EvEITHER"})
	h.waitEphemeral("UANA", "Updated your answer to Plan question 1")
	if a := h.plan(slackfake.TeamID, "C1", "Q1").Answers[flows.QuestionBusiness]; a.Text != "New parents in Berlin" {
		t.Errorf("after an edit that could be an answer or a command: %q, want it as the answer", a.Text)
	}
	h.edit(t, slackfake.MessageChanged{User: "UANA", TS: ts, ThreadTS: header.TS, Text: "Speciality coffee.", PreviousText: "New parents in Berlin",
		EditTS: tsAfter(t, ts, time.Minute), EventID: "EvANSWER"})
	h.fake.WaitFor(t, func() bool { return h.countEphemerals("UANA", "Updated your answer to Plan question 1") == 2 }, "the second answer edit told")
	if a := h.plan(slackfake.TeamID, "C1", "Q1").Answers[flows.QuestionBusiness]; a.Text != "Speciality coffee." {
		t.Errorf("after an edit that is an answer: %q", a.Text)
	}
	if ps, _, err := h.bot.svc.ChannelPlans(t.Context(), slackfake.TeamID, "C1"); err != nil || len(ps) != 1 {
		t.Errorf("the channel has %d plans (%v), want 1: an edit starts none", len(ps), err)
	}

	// An edit into a command made before that one, delivered late,
	// changes nothing and says nothing: a newer edit stands.
	h.edit(t, slackfake.MessageChanged{User: "UANA", TS: ts, ThreadTS: header.TS, Text: "done", PreviousText: "Coffee.",
		EditTS: tsAfter(t, ts, 5*time.Second), EventID: "EvLATE"})
	h.settle()
	if a := h.plan(slackfake.TeamID, "C1", "Q1").Answers[flows.QuestionBusiness]; a.Text != "Speciality coffee." {
		t.Errorf("after an older edit delivered late: %q", a.Text)
	}
	if n := h.countEphemerals("UANA", "`/race done`"); n != 0 {
		t.Errorf("an older edit delivered late was told %d times", n)
	}
}

// TestAnEditOfAReplacedAnswerIsExplained: Ana answers question 1; Ben
// goes back to it and answers it again, which replaces hers. Ana's edit of
// her reply then changes nothing, and she alone is told, once though
// Slack delivers the edit twice, that Ben's newer answer stands. When Ana
// goes back and answers again herself, Ben's edit of his reply is told
// that Ana's newer answer stands, and Ana's edit of her first reply that
// her own newer answer does.
func TestAnEditOfAReplacedAnswerIsExplained(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.runSocket()
	header, q1, p := h.firstQuestion("Q1")
	ana := h.answersAfter("UANA", header, q1, "Coffee.", "What is your value proposition")
	again := h.sayAs("UBEN", header.TS, "back", "What does the business sell")
	ben := h.answersAfter("UBEN", header, again, "Tea.", "What is your value proposition")
	if a := h.plan(slackfake.TeamID, "C1", "Q1").Answers[flows.QuestionBusiness]; a.Text != "Tea." || a.By != "UBEN" {
		t.Fatalf("setup: question 1 = %q by %s, want Ben's Tea.", a.Text, a.By)
	}
	version := h.plan(slackfake.TeamID, "C1", "Q1").Version

	h.twice(slackfake.MessageChanged{Channel: "C1", User: "UANA", TS: ana, ThreadTS: header.TS, Text: "Speciality coffee.", PreviousText: "Coffee.",
		EditTS: tsAfter(t, ben, time.Minute), EventID: "EvANA1"})
	told := h.waitEphemeral("UANA", "not recorded")
	if !strings.Contains(told.Text, "<@UBEN>'s newer answer") || !strings.Contains(told.Text, "Plan question 1") {
		t.Errorf("Ana was told %q, want that Ben's newer answer to question 1 stands", told.Text)
	}
	h.settle()
	if got := h.plan(slackfake.TeamID, "C1", "Q1"); got.Version != version || got.Answers[flows.QuestionBusiness].Text != "Tea." {
		t.Errorf("Ana's edit of a replaced answer changed the plan: version %d (was %d), question 1 = %q", got.Version, version, got.Answers[flows.QuestionBusiness].Text)
	}
	if n := h.countEphemerals("UANA", "not recorded"); n != 1 {
		t.Errorf("Ana was told %d times, want once", n)
	}

	again = h.sayAs("UANA", header.TS, "back", "What does the business sell")
	h.answersAfter("UANA", header, again, "Tea and coffee.", "What is your value proposition")
	h.edit(t, slackfake.MessageChanged{User: "UBEN", TS: ben, ThreadTS: header.TS, Text: "Green tea.", PreviousText: "Tea.",
		EditTS: tsAfter(t, ben, 2*time.Minute), EventID: "EvBEN"})
	if told := h.waitEphemeral("UBEN", "not recorded"); !strings.Contains(told.Text, "<@UANA>'s newer answer") {
		t.Errorf("Ben was told %q, want that Ana's newer answer stands", told.Text)
	}
	h.edit(t, slackfake.MessageChanged{User: "UANA", TS: ana, ThreadTS: header.TS, Text: "Coffee beans.", PreviousText: "Speciality coffee.",
		EditTS: tsAfter(t, ben, 3*time.Minute), EventID: "EvANA2"})
	h.fake.WaitFor(t, func() bool { return h.countEphemerals("UANA", "your newer answer") == 1 }, "Ana told her own newer answer stands")
	h.settle()
	revs, err := h.db.Revisions(t.Context(), slackfake.TeamID, p.ID, flows.QuestionBusiness)
	if err != nil {
		t.Fatal(err)
	}
	if a := h.plan(slackfake.TeamID, "C1", "Q1").Answers[flows.QuestionBusiness]; a.Text != "Tea and coffee." || len(revs) != 3 {
		t.Errorf("question 1 = %q with %d revisions, want Tea and coffee. and 3", a.Text, len(revs))
	}
}

// TestAnOfferStandsThroughAnEditOfItsLine: Ana replies "new Launch plan"
// to question 1, which is kept as her answer and offers her the plan. She
// edits her reply into `skip`: she is told the edit reads as a command and
// that her answer and the offer stand, and her `yes` then starts the plan
// and takes the answer back, as the offer said.
func TestAnOfferStandsThroughAnEditOfItsLine(t *testing.T) {
	t.Parallel()
	h, header, ts := anaAnswersQ1(t, "new Launch plan", "Start a new plan called")

	h.edit(t, slackfake.MessageChanged{User: "UANA", TS: ts, ThreadTS: header.TS, Text: "skip", PreviousText: "new Launch plan",
		EditTS: tsAfter(t, ts, 10*time.Second), EventID: "EvSKIP"})
	if told := h.waitEphemeral("UANA", "reads as a command"); !strings.Contains(told.Text, "offer") {
		t.Errorf("Ana was told %q, want that the offer stands too", told.Text)
	}
	h.settle()
	if a := h.plan(slackfake.TeamID, "C1", "Q1").Answers[flows.QuestionBusiness]; a.Text != "new Launch plan" {
		t.Errorf("after the edit: question 1 = %q, want the line kept as it was", a.Text)
	}
	h.yesStartsLaunchPlan(header)
	if a := h.plan(slackfake.TeamID, "C1", "Q1").Answers[flows.QuestionBusiness]; a.Text != "" {
		t.Errorf("after yes: question 1 = %q, want the line taken back", a.Text)
	}
}

// TestAnOfferFollowsAnEditOfItsName: Ana replies "new Lunch plan" to
// question 1, which is kept as her answer and offers her that plan. She
// sees the typo and edits her reply into "new Launch plan", delivered
// twice: the answer is updated and the offer follows it, told her once,
// so her `yes` then starts "Launch plan" and takes the line back, rather
// than being filed as the answer to question 2.
func TestAnOfferFollowsAnEditOfItsName(t *testing.T) {
	t.Parallel()
	h, header, ts := anaAnswersQ1(t, "new Lunch plan", "Start a new plan called")

	h.twice(slackfake.MessageChanged{Channel: "C1", User: "UANA", TS: ts, ThreadTS: header.TS, Text: "new Launch plan", PreviousText: "new Lunch plan",
		EditTS: tsAfter(t, ts, 10*time.Second), EventID: "EvNAME"})
	h.waitEphemeral("UANA", "Updated your answer to Plan question 1")
	if n := h.countEphemerals("UANA", `Start a new plan called "Launch plan"`); n != 1 {
		t.Errorf("Ana was offered the plan as edited %d times, want once", n)
	}
	if a := h.plan(slackfake.TeamID, "C1", "Q1").Answers[flows.QuestionBusiness]; a.Text != "new Launch plan" {
		t.Errorf("after the edit: question 1 = %q, want the line as edited", a.Text)
	}
	h.yesStartsLaunchPlan(header)
	h.wantFirstAnswers(t, "yes", "", "")
	if len(h.headers("C1", "Lunch plan")) != 0 {
		t.Errorf("a plan was started under the name edited away")
	}
}

// TestAnAnswerEditedIntoAnUnknownCommandStaysAsItWas: Ana answers
// question 1, then edits her reply into `/race frobnicate`, a command
// racebot does not know, and then into a bare `/race`. A new reply so
// written is refused (or shows the help); neither edit may be saved as
// her answer. She alone is told, once though Slack delivers each edit
// twice, what a new reply would be told and that her answer stays.
func TestAnAnswerEditedIntoAnUnknownCommandStaysAsItWas(t *testing.T) {
	t.Parallel()
	h, header, ts := anaAnswersQ1(t, "Coffee.", "What is your value proposition")

	h.twice(slackfake.MessageChanged{Channel: "C1", User: "UANA", TS: ts, ThreadTS: header.TS, Text: "/race frobnicate", PreviousText: "Coffee.",
		EditTS: tsAfter(t, ts, 10*time.Second), EventID: "EvUNKNOWN"})
	h.settle()
	if n := h.countEphemerals("UANA", `I don't know the command "frobnicate", so your answer stays as it was`); n != 1 {
		t.Errorf("an answer edited into an unknown command: told %d times that racebot doesn't know it and the answer stays, want once; told %q", n, h.fake.Ephemerals())
	}
	h.wantAnswerAsItWas(t, "/race frobnicate")

	h.twice(slackfake.MessageChanged{Channel: "C1", User: "UANA", TS: ts, ThreadTS: header.TS, Text: "/race", PreviousText: "/race frobnicate",
		EditTS: tsAfter(t, ts, 20*time.Second), EventID: "EvBARE"})
	h.settle()
	h.wantToldHowToRun(t, "/race", "help")
	h.wantAnswerAsItWas(t, "/race")
	h.wantOnlyAnaTold(t)
}

// TestAnOfferIsWithdrawnByAnEditIntoAnAnswer: Ana replies "new Launch
// plan" to question 1, kept as her answer with the offer of that plan.
// She edits her reply into "Coffee.", delivered twice: the answer is
// updated, and the note, told her once, says the offer is withdrawn, so
// she expects no plan from a `yes`. None is started by one.
func TestAnOfferIsWithdrawnByAnEditIntoAnAnswer(t *testing.T) {
	t.Parallel()
	h, header, ts := anaAnswersQ1(t, "new Launch plan", "Start a new plan called")

	h.twice(slackfake.MessageChanged{Channel: "C1", User: "UANA", TS: ts, ThreadTS: header.TS, Text: "Coffee.", PreviousText: "new Launch plan",
		EditTS: tsAfter(t, ts, 10*time.Second), EventID: "EvPLAIN"})
	told := h.waitEphemeral("UANA", "Updated your answer to Plan question 1")
	h.settle()
	if !strings.Contains(told.Text, `the offer to start a new plan called "Launch plan" is withdrawn`) {
		t.Errorf("Ana was told %q, want that the offer to start Launch plan is withdrawn", told.Text)
	}
	if n := h.countEphemerals("UANA", "Updated your answer"); n != 1 {
		t.Errorf("Ana was told %d times, want once", n)
	}
	if a := h.plan(slackfake.TeamID, "C1", "Q1").Answers[flows.QuestionBusiness]; a.Text != "Coffee." {
		t.Errorf("after the edit: question 1 = %q, want Coffee.", a.Text)
	}
	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.MessageEvent{Channel: "C1", User: "UANA", Text: "yes", ThreadTS: header.TS}))
	h.settle()
	h.wantNoPlanStarted(t, "a yes after the offer was withdrawn", "Coffee.")
}

// TestAYesAndAnEditOfTheOfferedLine: Ana replies "new Launch plan" to
// question 1, kept as her answer with the offer of that plan; then she
// says `yes` and edits the line into "Coffee.", each reaching a
// different racebot on one database, in either order, or her `yes` is
// delivered twice. A yes delivered twice starts the plan once. Whichever
// lands first stands: after the yes, the line is taken back and her edit
// changes nothing, told her once; after the edit, her yes starts
// nothing, and is told the offer was withdrawn (see
// TestAYesToAnOfferWithdrawnByAnEdit).
func TestAYesAndAnEditOfTheOfferedLine(t *testing.T) {
	t.Parallel()
	setup := func(t *testing.T) (*harness, slackfake.Message, string) {
		return anaAnswersQ1(t, "new Launch plan", "Start a new plan called")
	}
	// yesThroughB has Ana say yes to the offer, 20 seconds after her line,
	// through racebot B on the same database.
	yesThroughB := func(t *testing.T, h *harness, b *Bot, header slackfake.Message, ts string) {
		t.Helper()
		if code := h.deliver(serve(t, b), slackfake.EventBody(slackfake.MessageEvent{Channel: "C1", User: "UANA", Text: "yes", TS: tsAfter(t, ts, 20*time.Second), ThreadTS: header.TS})); code != 200 {
			t.Fatalf("yes through racebot B answered %d", code)
		}
		settle(t, b, h.fake)
	}
	t.Run("yes twice", func(t *testing.T) {
		t.Parallel()
		h, header, _ := setup(t)
		h.twice(slackfake.MessageEvent{Channel: "C1", User: "UANA", Text: "yes", ThreadTS: header.TS})
		h.header("C1", "Launch plan")
		h.settle()
		if n := len(h.headers("C1", "Launch plan")); n != 1 {
			t.Errorf("a yes delivered twice started %d plans, want 1", n)
		}
		n := 0
		for _, m := range h.fake.Messages("C1") {
			if strings.Contains(m.Text, "Took back that answer") {
				n++
			}
		}
		if n != 1 {
			t.Errorf("the answer taken back was told %d times, want once", n)
		}
		h.wantFirstAnswers(t, "yes twice", "", "")
	})
	t.Run("yes through another racebot, then the edit", func(t *testing.T) {
		t.Parallel()
		h, header, ts := setup(t)
		other, _ := h.anotherRacebot()
		yesThroughB(t, h, other, header, ts)
		h.header("C1", "Launch plan")
		h.twice(slackfake.MessageChanged{Channel: "C1", User: "UANA", TS: ts, ThreadTS: header.TS, Text: "Coffee.", PreviousText: "new Launch plan",
			EditTS: tsAfter(t, ts, 10*time.Second), EventID: "EvAFTERYES"})
		h.settle()
		if a := h.plan(slackfake.TeamID, "C1", "Q1").Answers[flows.QuestionBusiness]; a.Text != "" {
			t.Errorf("after yes and the edit: question 1 = %q, want the line taken back", a.Text)
		}
		if n := len(h.headers("C1", "Launch plan")); n != 1 {
			t.Errorf("%d plans called Launch plan, want 1", n)
		}
		if n := h.countEphemerals("UANA", `This line already started the plan "Launch plan"`); n != 1 {
			t.Errorf("the edit after yes was told %d times that the line started the plan, want once", n)
		}
	})
	t.Run("the edit, then yes through another racebot", func(t *testing.T) {
		t.Parallel()
		h, header, ts := setup(t)
		other, _ := h.anotherRacebot()
		h.twice(slackfake.MessageChanged{Channel: "C1", User: "UANA", TS: ts, ThreadTS: header.TS, Text: "Coffee.", PreviousText: "new Launch plan",
			EditTS: tsAfter(t, ts, 10*time.Second), EventID: "EvBEFOREYES"})
		h.waitEphemeral("UANA", "is withdrawn")
		yesThroughB(t, h, other, header, ts)
		h.settle()
		h.wantNoPlanStarted(t, "a yes after the edit withdrew the offer", "Coffee.")
	})
}

// TestAnAnswerEditedIntoNextStaysAsItWas: Ana edits her answer to
// question 1 into "Next", which a new reply so written runs as `done`.
// Her answer stays, and she is told, once though Slack delivers the
// edit twice, the command she can run, not that racebot doesn't know it.
func TestAnAnswerEditedIntoNextStaysAsItWas(t *testing.T) {
	t.Parallel()
	h, header, ts := anaAnswersQ1(t, "Coffee.", "What is your value proposition")

	h.twice(slackfake.MessageChanged{Channel: "C1", User: "UANA", TS: ts, ThreadTS: header.TS, Text: "Next", PreviousText: "Coffee.",
		EditTS: tsAfter(t, ts, 10*time.Second), EventID: "EvNEXT"})
	h.settle()
	h.wantToldHowToRun(t, "Next", "done")
	h.wantAnswerAsItWas(t, "Next")
}

// TestAnEditOfALineItsOfferTookIsExplained: Ana replies "new Launch
// plan" to question 1, kept as her answer with the offer of that plan,
// and her `yes` starts it and takes the line back. She then edits the
// line, into another plan's name and into a plain answer, each delivered
// twice: the plan already started, so nothing changes, and she alone is
// told once for each edit that the line started "Launch plan" and what to
// do instead. Doing what she is told about the answer (`edit plan 1`,
// which holds wherever the plan has moved since) files it under question
// 1.
func TestAnEditOfALineItsOfferTookIsExplained(t *testing.T) {
	t.Parallel()
	h, header, ts := anaAnswersQ1(t, "new Launch plan", "Start a new plan called")
	h.yesStartsLaunchPlan(header)
	version := h.plan(slackfake.TeamID, "C1", "Q1").Version

	unchanged := func(edit string) {
		t.Helper()
		p := h.plan(slackfake.TeamID, "C1", "Q1")
		if p.Version != version || p.Answers[flows.QuestionBusiness].Text != "" {
			t.Errorf("after an edit into %q: version %d (was %d), question 1 = %q, want the plan as the yes left it", edit, p.Version, version, p.Answers[flows.QuestionBusiness].Text)
		}
		if ps, _, err := h.bot.svc.ChannelPlans(t.Context(), slackfake.TeamID, "C1"); err != nil || len(ps) != 2 {
			t.Errorf("after an edit into %q: the channel has %d plans (%v), want Q1 and Launch plan", edit, len(ps), err)
		}
	}
	const started = `This line already started the plan "Launch plan", so your edit changed nothing`

	h.twice(slackfake.MessageChanged{Channel: "C1", User: "UANA", TS: ts, ThreadTS: header.TS, Text: "new Lunch plan", PreviousText: "new Launch plan",
		EditTS: tsAfter(t, ts, time.Minute), EventID: "EvRENAME"})
	h.settle()
	if n := h.countEphemerals("UANA", started+"; for a plan called \"Lunch plan\" instead, reply `/race new Lunch plan`, and `/race delete Launch plan` if you don't need the first."); n != 1 {
		t.Errorf("an edit into another plan's name: told %d times that the line started Launch plan and what to do instead, want once; told %q", n, h.fake.Ephemerals())
	}
	unchanged("new Lunch plan")

	h.twice(slackfake.MessageChanged{Channel: "C1", User: "UANA", TS: ts, ThreadTS: header.TS, Text: "Coffee.", PreviousText: "new Lunch plan",
		EditTS: tsAfter(t, ts, 2*time.Minute), EventID: "EvANSWER"})
	h.settle()
	if n := h.countEphemerals("UANA", started+"; to answer Plan question 1 (business) instead, reply `edit plan 1` in this thread, then your answer."); n != 1 {
		t.Errorf("an edit into an answer: told %d times that the line started Launch plan and how to answer, want once; told %q", n, h.fake.Ephemerals())
	}
	unchanged("Coffee.")
	if len(h.headers("C1", "Lunch plan")) != 0 {
		t.Errorf("an edit of the line started a plan")
	}
	h.wantOnlyAnaTold(t)

	prompt := h.sayAs("UANA", header.TS, "edit plan 1", "What does the business sell")
	h.answersAfter("UANA", header, prompt, "Coffee.", "What is your value proposition")
	h.settle()
	if a := h.plan(slackfake.TeamID, "C1", "Q1").Answers[flows.QuestionBusiness]; a.Text != "Coffee." {
		t.Errorf("Ana's answer replied as she was told: question 1 = %q, want Coffee.", a.Text)
	}
}

// TestAnEditOfALineWhosePlanWasDeletedIsExplained: as in
// TestAnEditOfALineItsOfferTookIsExplained, Ana's `yes` starts "Launch
// plan" from her line to question 1, but she deletes that plan before
// she edits the line, into a plain answer and into another plan's name,
// each delivered twice. The line started a plan all the same, and her
// edit still changes nothing: she alone is told so once for each edit,
// and what to do instead, rather than left to think her answer is in.
func TestAnEditOfALineWhosePlanWasDeletedIsExplained(t *testing.T) {
	t.Parallel()
	h, header, ts := anaAnswersQ1(t, "new Launch plan", "Start a new plan called")
	h.yesStartsLaunchPlan(header)
	h.slashAck("UANA", "delete Launch plan --yes")
	h.settle()
	version := h.plan(slackfake.TeamID, "C1", "Q1").Version
	const started = "This line already started a plan, deleted since, so your edit changed nothing"

	h.twice(slackfake.MessageChanged{Channel: "C1", User: "UANA", TS: ts, ThreadTS: header.TS, Text: "Coffee.", PreviousText: "new Launch plan",
		EditTS: tsAfter(t, ts, time.Minute), EventID: "EvANSWER"})
	h.settle()
	if n := h.countEphemerals("UANA", started+"; to answer Plan question 1 (business) instead, reply `edit plan 1` in this thread, then your answer."); n != 1 {
		t.Errorf("an edit into an answer: told %d times that the line started a plan and how to answer, want once; told %q", n, h.fake.Ephemerals())
	}

	h.twice(slackfake.MessageChanged{Channel: "C1", User: "UANA", TS: ts, ThreadTS: header.TS, Text: "new Lunch plan", PreviousText: "Coffee.",
		EditTS: tsAfter(t, ts, 2*time.Minute), EventID: "EvRENAME"})
	h.settle()
	if n := h.countEphemerals("UANA", started+"; for a plan called \"Lunch plan\" instead, reply `/race new Lunch plan`."); n != 1 {
		t.Errorf("an edit into another plan's name: told %d times that the line started a plan and what to do instead, want once; told %q", n, h.fake.Ephemerals())
	}
	if p := h.plan(slackfake.TeamID, "C1", "Q1"); p.Version != version || p.Answers[flows.QuestionBusiness].Text != "" {
		t.Errorf("after the edits: version %d (was %d), question 1 = %q, want the plan as the yes left it", p.Version, version, p.Answers[flows.QuestionBusiness].Text)
	}
	if len(h.headers("C1", "Lunch plan")) != 0 {
		t.Errorf("an edit of the line started a plan")
	}
	h.wantOnlyAnaTold(t)
}
