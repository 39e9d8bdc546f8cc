package bot

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/racebot/racebot/coach"
	"github.com/racebot/racebot/flows"
	"github.com/racebot/racebot/internal/slackfake"
)

// tsAfter is the Slack ts d after ts.
func tsAfter(t *testing.T, ts string, d time.Duration) string {
	t.Helper()
	var sec, micro int64
	if _, err := fmt.Sscanf(ts, "%d.%06d", &sec, &micro); err != nil {
		t.Fatalf("ts %q: %v", ts, err)
	}
	n := sec*1e6 + micro + d.Microseconds()
	return fmt.Sprintf("%d.%06d", n/1e6, n%1e6)
}

// waitAsked waits until the bot has told the coach that a posted message
// asks q. In Slack a person needs seconds to read a question and reply;
// a test that replies within microseconds waits for the record instead.
// firstQuestion starts plan name in C1 over Slack and waits for its first
// question in the plan's thread.
func (h *harness) firstQuestion(name string) (header, q1 slackfake.Message, p *flows.Plan) {
	h.t.Helper()
	header, p = h.newPlanInSlack(name)
	q1 = h.threadMessage("C1", header.TS, "What does the business sell")
	return header, q1, p
}

func (h *harness) waitAsked(p *flows.Plan, q string) {
	h.t.Helper()
	h.fake.WaitFor(h.t, func() bool {
		got, _, err := h.db.LastAsked(context.Background(), p.Team, p.ID, math.MaxInt64, "")
		return err == nil && got == q
	}, "the bot to record that its message asks "+q)
}

func (h *harness) waitEphemeral(user, text string) slackfake.Ephemeral {
	h.t.Helper()
	var found slackfake.Ephemeral
	h.fake.WaitFor(h.t, func() bool {
		for _, e := range h.fake.Ephemerals() {
			if e.User == user && strings.Contains(e.Text, text) {
				found = e
				return true
			}
		}
		return false
	}, fmt.Sprintf("an ephemeral to %s containing %q", user, text))
	return found
}

// exportText runs /race export and returns the Markdown file uploaded.
func (h *harness) exportText(n int) string {
	h.t.Helper()
	h.fake.WaitAck(h.t, h.fake.SendEvent(slackfake.SlashCommand{Command: "/race", Text: "export", UserID: "UANA", ChannelID: "C1"}))
	var md string
	h.fake.WaitFor(h.t, func() bool {
		var mds []string
		for _, u := range h.fake.Uploads() {
			if strings.HasSuffix(u.Filename, ".md") {
				mds = append(mds, string(u.Content))
			}
		}
		if len(mds) < n {
			return false
		}
		md = mds[n-1]
		return true
	}, fmt.Sprintf("export number %d", n))
	return md
}

// TestNewRepliedBesideAnotherAnswer: Ben answers the first question, and
// Ana, 10 ms later and before the second question is posted, replies `new
// Spring`. Her line is kept as a co-answer beside Ben's, and she is offered
// the plan as for an answer of her own: her `yes` starts Spring in a
// thread of its own and takes back her co-answer alone; Ben's answer
// stands, and Q1 stays at its second question.
func TestNewRepliedBesideAnotherAnswer(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.runSocket()
	header, p, _, _ := h.twoRepliesToQuestion1("UBEN", "Beans roasted to order for home brewers.", "UANA", "new Spring")
	if a := h.plan(slackfake.TeamID, "C1", "Q1").Answers[flows.QuestionBusiness]; len(a.Also) != 1 || a.Also[0].Text != "new Spring" || a.Also[0].By != "UANA" {
		t.Fatalf("the first question's answers = %+v, want Ana's line beside Ben's", a)
	}
	h.fake.Delay("chat.postMessage", 0)
	h.threadMessage("C1", header.TS, "alongside <@UBEN>'s")
	h.threadMessage("C1", header.TS, `Start a new plan called "Spring"?`)
	h.waitAsked(p, flows.QuestionValueProposition)

	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.MessageEvent{Channel: "C1", User: "UANA", Text: "yes", ThreadTS: header.TS}))
	spring := h.header("C1", "Spring")
	h.threadMessage("C1", spring.TS, `Took back that answer in "Q1"`)
	h.threadMessage("C1", spring.TS, "What does the business sell")
	got := h.plan(slackfake.TeamID, "C1", "Q1")
	if a := got.Answers[flows.QuestionBusiness]; a.Text != "Beans roasted to order for home brewers." || a.By != "UBEN" || len(a.Also) != 0 {
		t.Errorf("the first question's answer = %q by %s, co-answers %+v; want Ben's alone", a.Text, a.By, a.Also)
	}
	if want := (flows.Cursor{Stage: 0, Step: 1, Phase: flows.PhaseQuestion}); got.Cursor != want {
		t.Errorf("Q1's cursor = %+v, want %+v, the question after Ben's answer", got.Cursor, want)
	}
}

// TestTwoRepliesToOneQuestion: two people answer the first question 10 ms
// apart, both before the second question is posted. Both answers are kept
// under the first question, each with its author, and nothing is filed
// under the second, which neither of them had seen.
func TestTwoRepliesToOneQuestion(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.fake.AddUser(slackfake.User{ID: "UANA", RealName: "Ana Lopez", DisplayName: "Ana"})
	h.runSocket()
	header, p, ana, ben := h.twoRepliesToQuestion1("UANA", "Speciality coffee subscriptions.", "UBEN", "Beans roasted to order for home brewers.")

	got := h.plan(slackfake.TeamID, "C1", "Q1")
	a := got.Answers[flows.QuestionBusiness]
	if a.Text != "Speciality coffee subscriptions." || a.By != "UANA" || a.Source != "C1/"+ana {
		t.Errorf("the answer = %+v", a)
	}
	if len(a.Also) != 1 || a.Also[0].Text != "Beans roasted to order for home brewers." || a.Also[0].By != "UBEN" || a.Also[0].Source != "C1/"+ben {
		t.Errorf("the co-answers = %+v", a.Also)
	}
	if a := got.Answers["plan.value-proposition"]; a.Text != "" || len(a.Also) != 0 {
		t.Errorf("question 2 has %+v, but nobody had seen it", a)
	}

	h.fake.Delay("chat.postMessage", 0)
	h.threadMessage("C1", header.TS, "Saved as your answer to Plan question 1 (business), alongside <@UANA>'s.")
	h.threadMessage("C1", header.TS, "What is your value proposition")
	h.waitAsked(p, "plan.value-proposition")

	md := h.exportText(1)
	for _, want := range []string{
		"> Speciality coffee subscriptions.\n\n— Ana,",
		// Users the fake was not told about show as their lower-cased ids.
		"> Beans roasted to order for home brewers.\n\n— uben,",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("the export lacks %q:\n%s", want, md)
		}
	}

	// A reply written after the second question appeared answers it.
	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.MessageEvent{Channel: "C1", User: "UBEN", Text: "Fresh beans in 48 hours.", ThreadTS: header.TS}))
	h.threadMessage("C1", header.TS, "Which customer segments")
	if a := h.plan(slackfake.TeamID, "C1", "Q1").Answers["plan.value-proposition"]; a.Text != "Fresh beans in 48 hours." || a.By != "UBEN" {
		t.Errorf("question 2 = %+v", a)
	}
}

// TestEditedAndDeletedReplies: an edit of an answer's message is a new
// revision of that answer, told to its author only; an edit by anyone
// else, or of a message racebot kept nothing from, changes nothing; a
// redelivered edit records once; a deleted answer reopens its question.
func TestEditedAndDeletedReplies(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.runSocket()
	header, q1, p := h.firstQuestion("Q1")
	ts := tsAfter(t, q1.TS, time.Millisecond)
	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.MessageEvent{Channel: "C1", User: "UANA", Text: "Coffee.", TS: ts, ThreadTS: header.TS}))
	h.threadMessage("C1", header.TS, "What is your value proposition")

	revisions := func() []flows.Answer {
		t.Helper()
		revs, err := h.db.Revisions(context.Background(), slackfake.TeamID, p.ID, flows.QuestionBusiness)
		if err != nil {
			t.Fatal(err)
		}
		return revs
	}
	edit := slackfake.MessageChanged{Channel: "C1", User: "UANA", TS: ts, ThreadTS: header.TS, Text: "Speciality coffee, by subscription.", PreviousText: "Coffee.", EventID: "EvEDIT1"}
	env := h.fake.SendEvent(edit)
	h.fake.WaitAck(t, env)
	h.waitEphemeral("UANA", "Updated your answer to Plan question 1 (business)")
	// Slack retries a delivery it thinks failed: the same event id again.
	h.fake.WaitAck(t, h.fake.Redeliver(env))
	revs := revisions()
	if len(revs) != 2 || revs[1].Revision != 2 || revs[1].Text != "Speciality coffee, by subscription." || revs[0].Text != "Coffee." {
		t.Fatalf("revisions after an edit and its redelivery = %+v", revs)
	}

	// Ignored: an edit by someone else, an edit of a message racebot read
	// and kept nothing from (side chat), a change that leaves the text as
	// it was (a link preview).
	aside := tsAfter(t, ts, time.Second)
	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.MessageEvent{Channel: "C1", User: "UANA", Text: "// lunch at 1?", TS: aside, ThreadTS: header.TS}))
	for _, ev := range []slackfake.MessageChanged{
		{Channel: "C1", User: "UANA", Editor: "UBEN", TS: ts, ThreadTS: header.TS, Text: "Ben was here.", PreviousText: "Speciality coffee, by subscription."},
		{Channel: "C1", User: "UANA", TS: aside, ThreadTS: header.TS, Text: "// lunch at 12?", PreviousText: "// lunch at 1?"},
		{Channel: "C1", User: "UANA", TS: ts, ThreadTS: header.TS, Text: "Speciality coffee, by subscription.", PreviousText: "Speciality coffee, by subscription."},
	} {
		h.fake.WaitAck(t, h.fake.SendEvent(ev))
	}
	if revs := revisions(); len(revs) != 2 {
		t.Errorf("ignored edits recorded revisions: %+v", revs)
	}
	if n := len(h.fake.Ephemerals()); n != 1 {
		t.Errorf("%d ephemerals, want only the one about Ana's edit: %+v", n, h.fake.Ephemerals())
	}

	md := h.exportText(1)
	// The fake's users show as their lower-cased ids.
	if !strings.Contains(md, "> Speciality coffee, by subscription.\n\n— uana,") || !strings.Contains(md, "(revision 2)") {
		t.Errorf("the export does not show the edited answer:\n%s", md)
	}

	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.MessageDeleted{Channel: "C1", User: "UANA", TS: ts, ThreadTS: header.TS, PreviousText: "Speciality coffee, by subscription."}))
	h.threadMessage("C1", header.TS, "The answer to Plan question 1 (business) was deleted, so the question is open again.")
	got := h.plan(slackfake.TeamID, "C1", "Q1")
	if a := got.Answers[flows.QuestionBusiness]; a.Text != "" {
		t.Errorf("the deleted answer is still %+v", a)
	}
	if revs := revisions(); len(revs) != 3 || revs[1].Text != "Speciality coffee, by subscription." {
		t.Errorf("the history lost the deleted answer: %+v", revs)
	}
	status := h.fake.WaitAck(t, h.fake.SendEvent(slackfake.SlashCommand{Command: "/race", Text: "status", UserID: "UANA", ChannelID: "C1"}))
	if got := ackText(t, status.Payload); !strings.Contains(got, "Open questions: Plan 1,") || !strings.Contains(got, "Plan     0/10 answered") {
		t.Errorf("status after the delete = %q", got)
	}
	// The coach did not move: it still asks question 2.
	if got.Cursor.Step != 1 {
		t.Errorf("cursor = %+v", got.Cursor)
	}
}

// TestEditedCheckinValue: an edited value replaces the one its message
// gave, and the summary shows the new number; a deleted one takes its
// value away.
func TestEditedCheckinValue(t *testing.T) {
	t.Parallel()
	h, p, _ := checkinSetup(t)
	id, err := h.bot.OpenCheckin(context.Background(), slackfake.TeamID, p.ID, "", false, 0)
	if err != nil {
		t.Fatal(err)
	}
	opening := h.fake.WaitMessage(t, "C1", func(m slackfake.Message) bool {
		return m.ThreadTS == "" && strings.Contains(m.Text, "KPI check-in")
	}, "the check-in's opening message")
	summary := h.threadMessage("C1", opening.TS, "0 of 2 KPIs updated")
	summaryShows := func(text, what string) {
		t.Helper()
		h.fake.WaitFor(t, func() bool {
			for _, m := range h.fake.Messages("C1") {
				if m.TS == summary.TS && strings.Contains(m.Text, text) {
					return true
				}
			}
			return false
		}, what)
	}

	ts := tsAfter(t, summary.TS, time.Millisecond)
	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.MessageEvent{Channel: "C1", User: "UANA", Text: "visitors 12.4k, lead rate 1.8%", TS: ts, ThreadTS: opening.TS}))
	summaryShows("*Unique visitors*: 12.4k", "the summary with the first value")

	h.edit(t, slackfake.MessageChanged{User: "UANA", TS: ts, ThreadTS: opening.TS, Text: "visitors 13.1k", PreviousText: "visitors 12.4k, lead rate 1.8%"})
	summaryShows("*Unique visitors*: 13.1k", "the summary updated to the edited value")
	h.waitEphemeral("UANA", "Updated: Unique visitors 13.1k.")
	ms, err := h.db.Measurements(context.Background(), slackfake.TeamID, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	visitors, leads := p.KPIs[0].ID, p.KPIs[1].ID
	if len(ms[visitors]) != 1 || ms[visitors][0].Value.Amount != 13100 || ms[visitors][0].Checkin != id {
		t.Errorf("visitors after the edit = %+v", ms[visitors])
	}
	if len(ms[leads]) != 0 {
		t.Errorf("the lead rate the edit took out is still there: %+v", ms[leads])
	}
	var updates int
	for _, c := range h.fake.Calls("chat.update") {
		if c.Get("ts") == summary.TS && strings.Contains(c.Get("text"), "13.1k") {
			updates++
		}
	}
	if updates == 0 {
		t.Error("no chat.update of the summary carried the new number")
	}

	// Ben may not edit Ana's numbers.
	h.edit(t, slackfake.MessageChanged{User: "UANA", Editor: "UBEN", TS: ts, ThreadTS: opening.TS, Text: "visitors 99k", PreviousText: "visitors 13.1k"})
	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.MessageDeleted{Channel: "C1", User: "UANA", TS: ts, ThreadTS: opening.TS, PreviousText: "visitors 13.1k"}))
	summaryShows("0 of 2 KPIs updated", "the summary without the deleted value")
	ms, _ = h.db.Measurements(context.Background(), slackfake.TeamID, p.ID)
	if len(ms[visitors]) != 0 {
		t.Errorf("visitors after the delete = %+v", ms[visitors])
	}
}

// TestDeletedBeforeItsDeliveryIsNotRecorded: Ana's reply is deleted, and
// the deletion is processed before the message event itself (its first
// delivery failed; Slack's retry comes after the deletion). The deleted
// message does not become the plan's answer.
func TestDeletedBeforeItsDeliveryIsNotRecorded(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.runSocket()
	header, q1, _ := h.firstQuestion("Q1")
	ts := tsAfter(t, q1.TS, time.Millisecond)
	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.MessageDeleted{Channel: "C1", User: "UANA", TS: ts, ThreadTS: header.TS, PreviousText: "Oops, wrong thread: salary review notes", EventID: "EvDEL"}))
	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.MessageEvent{Channel: "C1", User: "UANA", Text: "Oops, wrong thread: salary review notes", TS: ts, ThreadTS: header.TS}))
	h.settle()
	got := h.plan(slackfake.TeamID, "C1", "Q1").Answers[flows.QuestionBusiness]
	if got.Text != "" {
		t.Errorf("a deleted message became the answer: %q", got.Text)
	}
}

// TestEditedBeforeItsDeliveryReadsAsEdited: Ana answers and fixes a typo
// at once; the message_changed event is processed before the message
// event itself (the first delivery of the message failed and Slack retried
// it later, or events simply arrived out of order). Her answer reads as
// edited.
func TestEditedBeforeItsDeliveryReadsAsEdited(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.runSocket()
	header, q1, _ := h.firstQuestion("Q1")
	ts := tsAfter(t, q1.TS, time.Millisecond)
	h.edit(t, slackfake.MessageChanged{User: "UANA", TS: ts, ThreadTS: header.TS, Text: "Speciality coffee.", PreviousText: "Specality cofee.", EventID: "EvEDIT"})
	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.MessageEvent{Channel: "C1", User: "UANA", Text: "Specality cofee.", TS: ts, ThreadTS: header.TS}))
	h.threadMessage("C1", header.TS, "What is your value proposition")
	h.settle()
	got := h.plan(slackfake.TeamID, "C1", "Q1").Answers[flows.QuestionBusiness]
	if got.Text != "Speciality coffee." {
		t.Errorf("answer = %q, want the edited text the thread shows", got.Text)
	}
}

// askedStore makes RecordAsked wait its turn, or fail, as a busy database
// does: a write not yet taken when its context ends is dropped with the
// context's error (storage's writer), and a write may fail outright.
type askedStore struct {
	failingStore
	queue atomic.Int64 // how long each write waits first, in nanoseconds
	fails atomic.Int32 // how many writes fail
}

func (f *askedStore) RecordAsked(ctx context.Context, team string, plan flows.PlanID, at int64, ts, asks string) error {
	select {
	case <-time.After(time.Duration(f.queue.Load())):
	case <-ctx.Done():
		return ctx.Err()
	}
	if take(&f.fails) {
		return errors.New("database is locked")
	}
	return f.Store.RecordAsked(ctx, team, plan, at, ts, asks)
}

// askingQuestion1 starts a plan in Slack whose first question is asked
// and recorded, with its later records in fs's hands.
func askingQuestion1(t *testing.T, fs *askedStore) (h *harness, header, q1 slackfake.Message, p *flows.Plan) {
	h = newHarness(t, func(s *setup) {
		fs.Store = s.Store
		s.Store = fs
	})
	h.runSocket()
	header, q1, p = h.firstQuestion("Q1")
	h.waitAsked(p, flows.QuestionBusiness)
	return h, header, q1, p
}

// TestAPromptRecordThatFailsOnceIsTriedAgain: racebot posts question 2,
// and its first write of what that message asked fails (a busy database).
// Without the record Ben's answer to question 2, written after it
// appeared, would be filed as a co-answer under question 1, and the plan
// would not move. The write is tried again, so it answers question 2, and
// a later `skip` skips the question that is open.
func TestAPromptRecordThatFailsOnceIsTriedAgain(t *testing.T) {
	t.Parallel()
	fs := &askedStore{}
	h, header, q1, p := askingQuestion1(t, fs)

	fs.fails.Store(1)
	ana := tsAfter(t, q1.TS, time.Millisecond)
	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.MessageEvent{Channel: "C1", User: "UANA", Text: "Speciality coffee subscriptions.", TS: ana, ThreadTS: header.TS}))
	q2 := h.fake.WaitMessage(t, "C1", func(m slackfake.Message) bool {
		return m.ThreadTS == header.TS && strings.Contains(m.Text, "What is your value proposition")
	}, "question 2")
	h.waitAsked(p, "plan.value-proposition")

	ben := tsAfter(t, q2.TS, 5*time.Second)
	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.MessageEvent{Channel: "C1", User: "UBEN", Text: "Fresh beans in 48 hours.", TS: ben, ThreadTS: header.TS}))
	h.settle()
	got := h.plan(slackfake.TeamID, "C1", "Q1")
	if a := got.Answers["plan.value-proposition"]; a.Text != "Fresh beans in 48 hours." {
		t.Errorf("question 2 = %+v; question 1 = %+v; cursor %+v", a, got.Answers[flows.QuestionBusiness], got.Cursor)
	}
	// The thread moves on: `skip` skips the question posted after Ben's
	// answer, not one before it.
	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.MessageEvent{Channel: "C1", User: "UBEN", Text: "skip", TS: tsAfter(t, ben, 5*time.Second), ThreadTS: header.TS}))
	h.settle()
	if got := h.plan(slackfake.TeamID, "C1", "Q1"); got.Cursor.Step != 3 || !got.Skipped["plan.segments"] || len(got.Skipped) != 1 {
		t.Errorf("after skip: cursor %+v, skipped %v; thread replies:\n%s", got.Cursor, got.Skipped, h.fake.Dump())
	}
}

// TestAnEditOfAnOldReplyIsNotReadAgain: Ana answers question 1
// ("Coffee."), goes back and answers it again ("Tea."). Then she fixes a
// typo in her first, replaced reply: while its key is kept, and after the
// keys are pruned (coach.MessageKeysKept). Neither edit files the old
// reply again.
func TestAnEditOfAnOldReplyIsNotReadAgain(t *testing.T) {
	t.Parallel()
	for _, pruned := range []bool{false, true} {
		name := "within the key window"
		if pruned {
			name = "keys pruned"
		}
		t.Run(name, func(t *testing.T) {
			clk := &clock{now: time.Now()}
			h := newHarness(t, func(c *setup) { c.Now = clk.Now })
			h.runSocket()
			header, q1, _ := h.firstQuestion("Q1")
			m1 := tsAfter(t, q1.TS, time.Millisecond)
			h.fake.WaitAck(t, h.fake.SendEvent(slackfake.MessageEvent{Channel: "C1", User: "UANA", Text: "Coffee.", TS: m1, ThreadTS: header.TS}))
			h.threadMessage("C1", header.TS, "What is your value proposition")
			h.say(header.TS, "back", "What does the business sell")
			h.say(header.TS, "Tea.", "What is your value proposition")
			h.settle()
			before := h.plan(slackfake.TeamID, "C1", "Q1").Answers[flows.QuestionBusiness]
			if before.Text != "Tea." || len(before.Also) != 0 {
				t.Fatalf("setup: question 1 = %+v", before)
			}
			if pruned {
				// What the periodic prune does once MessageKeysKept has
				// passed, and the clock with it.
				clk.Add(coach.MessageKeysKept + time.Hour)
				if err := h.db.PruneSeen(context.Background(), clk.Now(), clk.Now()); err != nil {
					t.Fatal(err)
				}
			}
			h.edit(t, slackfake.MessageChanged{User: "UANA", TS: m1, ThreadTS: header.TS, Text: "Coffee!", PreviousText: "Coffee.", EventID: "EvOLD"})
			h.settle()
			after := h.plan(slackfake.TeamID, "C1", "Q1").Answers[flows.QuestionBusiness]
			if after.Text != "Tea." || len(after.Also) != 0 {
				t.Errorf("an edit of a replaced reply changed question 1: %+v", after)
			}
		})
	}
}

// TestAPromptRecordWaitsItsTurnBehindABusyWriter: the writer's queue holds
// the record of a posted prompt for 2.5 s. The record waits its turn and
// is written: the time it is given is not shorter than a busy writer's
// queue.
func TestAPromptRecordWaitsItsTurnBehindABusyWriter(t *testing.T) {
	t.Parallel()
	fs := &askedStore{}
	h, header, _, p := askingQuestion1(t, fs)

	fs.queue.Store(int64(2500 * time.Millisecond))
	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.MessageEvent{Channel: "C1", User: "UANA", Text: "Speciality coffee subscriptions.", ThreadTS: header.TS}))
	h.fake.WaitMessage(t, "C1", func(m slackfake.Message) bool {
		return m.ThreadTS == header.TS && strings.Contains(m.Text, "What is your value proposition")
	}, "question 2")
	h.settle()
	h.waitAsked(p, "plan.value-proposition")
}

// twoRepliesToQuestion1 starts plan Q1 in C1 and has two people reply to
// its first question 10 ms apart, while racebot's posts (the second
// question among them) are held until the test lets them go with
// Delay("chat.postMessage", 0). The first reply's answer is out before
// the second comes in, as when its author writes a moment later: on a
// busy machine both could otherwise wait for the thread together and go
// out as one message, worded for two. It returns the replies' ts.
func (h *harness) twoRepliesToQuestion1(first, firstText, second, secondText string) (header slackfake.Message, p *flows.Plan, firstTS, secondTS string) {
	t := h.t
	t.Helper()
	header, q1, p := h.firstQuestion("Q1")
	h.waitAsked(p, flows.QuestionBusiness)
	h.fake.Delay("chat.postMessage", time.Hour)
	firstTS = tsAfter(t, q1.TS, 5*time.Millisecond)
	secondTS = tsAfter(t, firstTS, 10*time.Millisecond)
	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.MessageEvent{Channel: "C1", User: first, Text: firstText, TS: firstTS, ThreadTS: header.TS}))
	h.fake.WaitFor(t, func() bool { return h.fake.InFlight("chat.postMessage") == 1 }, "the reply to the first answer out")
	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.MessageEvent{Channel: "C1", User: second, Text: secondText, TS: secondTS, ThreadTS: header.TS}))
	return header, p, firstTS, secondTS
}
