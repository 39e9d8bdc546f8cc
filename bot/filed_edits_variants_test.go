package bot

import (
	"strings"
	"testing"
	"time"

	"github.com/racebot/racebot/flows"
	"github.com/racebot/racebot/internal/slackfake"
)

// TestAnEditOfAFiledReplyInAColleaguesThreadRevisesIt: Ben answers Ana in
// a thread of her own, not a plan's, naming her first, and she adds his
// reply to the first question with "Add to RACE plan". His edit revises
// the answer as one of a message in the channel does: what he wrote is
// taken whole, his leading mention of her too, as the shortcut took it.
func TestAnEditOfAFiledReplyInAColleaguesThreadRevisesIt(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.runSocket()
	header, _, p := h.firstQuestion("Q1")
	h.waitAsked(p, flows.QuestionBusiness)
	parent := h.fake.AddMessage(slackfake.Message{Channel: "C1", User: "UANA", Text: "What do we say we sell?"})
	m := h.fake.AddMessage(slackfake.Message{Channel: "C1", User: "UBEN", ThreadTS: parent.TS, Text: "<@UANA> we roast coffee."})
	h.fileAsAnswer(p, header, m, flows.QuestionBusiness)
	filed := h.plan(slackfake.TeamID, "C1", "Q1").Answers[flows.QuestionBusiness]

	edit := slackfake.MessageChanged{Channel: "C1", User: "UBEN", TS: m.TS, ThreadTS: parent.TS, Text: "<@UANA> we roast coffee beans.", PreviousText: m.Text,
		EditTS: tsAfter(t, m.TS, 10*time.Second), EventID: "EvTHREADED"}
	h.fake.WaitAck(t, h.fake.SendEvent(edit))
	h.settle()
	a := h.plan(slackfake.TeamID, "C1", "Q1").Answers[flows.QuestionBusiness]
	if !strings.Contains(a.Text, "we roast coffee beans.") || a.Revision != filed.Revision+1 {
		t.Errorf("answer = %q (revision %d) after Ben's edit of his reply, want it revised once from %q (revision %d)", a.Text, a.Revision, filed.Text, filed.Revision)
	}
}

// TestAFiledMessageUnfurledOrEditedByAnotherIsLeftAlone: Slack sends
// message_changed when a link in Ben's filed message unfurls (the text as
// it was), and when a workspace admin edits it. Neither changes the answer
// nor tells anyone anything.
func TestAFiledMessageUnfurledOrEditedByAnotherIsLeftAlone(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.runSocket()
	header, _, m, filed := h.bensAnswerFiled("Q1", "We roast coffee, see https://example.com")
	ephemerals, posts := len(h.fake.Ephemerals()), len(h.threadPosts(header.TS))

	unfurl := slackfake.MessageChanged{Channel: "C1", User: "UBEN", TS: m.TS, Text: m.Text, PreviousText: m.Text,
		EditTS: tsAfter(t, m.TS, 5*time.Second), EventID: "EvUNFURL"}
	byAdmin := slackfake.MessageChanged{Channel: "C1", User: "UBEN", Editor: "UADMIN", TS: m.TS, Text: "We sell nothing.", PreviousText: m.Text,
		EditTS: tsAfter(t, m.TS, 10*time.Second), EventID: "EvADMIN"}
	h.twice(unfurl)
	h.twice(byAdmin)
	if a := h.plan(slackfake.TeamID, "C1", "Q1").Answers[flows.QuestionBusiness]; a.Text != filed.Text || a.Revision != filed.Revision {
		t.Errorf("answer = %q (revision %d), want %q (revision %d) as filed", a.Text, a.Revision, filed.Text, filed.Revision)
	}
	if got := h.fake.Ephemerals(); len(got) != ephemerals {
		t.Errorf("%d new ephemerals, want none: %+v", len(got)-ephemerals, got[ephemerals:])
	}
	if got := h.threadPosts(header.TS); len(got) != posts {
		t.Errorf("the plan's thread got %d new posts, want none: %q", len(got)-posts, got[posts:])
	}
}

// TestAMessageFiledIntoTwoPlansDeletedOnTwoRacebots: Ben's message is
// added to the first question of two plans of the channel. Slack delivers
// its deletion to two racebots on one database: each plan's answer is
// withdrawn, and each plan's thread says so once.
func TestAMessageFiledIntoTwoPlansDeletedOnTwoRacebots(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.runSocket()
	h1, h2, m := h.bensMessageFiledIntoTwoPlans()
	other, _ := h.anotherRacebot()
	otherSrv := serve(t, other)

	del := slackfake.MessageDeleted{Channel: "C1", User: "UBEN", TS: m.TS, PreviousText: m.Text, EventID: "EvDEL2"}
	env := h.fake.SendEvent(del)
	if code := h.deliver(otherSrv, slackfake.EventBody(del)); code != 200 {
		t.Fatalf("racebot B answered the deletion with %d", code)
	}
	h.fake.WaitAck(t, env)
	h.settle()
	settle(t, other, h.fake)
	for _, p := range []struct {
		name   string
		header slackfake.Message
	}{{"Q1", h1}, {"Q2", h2}} {
		if a := h.plan(slackfake.TeamID, "C1", p.name).Answers[flows.QuestionBusiness]; a.Text != "" {
			t.Errorf("%s: answer = %q after Ben deleted his message, want it withdrawn", p.name, a.Text)
		}
		if n := h.countReplies("C1", p.header.TS, "was deleted"); n != 1 {
			t.Errorf("%s: the thread said %d times that the answer was deleted, want once", p.name, n)
		}
	}
}

// TestAFiledMessageInTwoPlansEditedIntoACommandIsToldOnce: Ben's message
// was added to two plans; he edits it into a command. Neither answer
// changes, and he is told once that his edit reads as a command, not once
// per plan, even when Slack delivers the edit twice.
func TestAFiledMessageInTwoPlansEditedIntoACommandIsToldOnce(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.runSocket()
	_, _, m := h.bensMessageFiledIntoTwoPlans()
	before := map[string]flows.Answer{}
	for _, name := range []string{"Q1", "Q2"} {
		before[name] = h.plan(slackfake.TeamID, "C1", name).Answers[flows.QuestionBusiness]
	}

	h.twice(slackfake.MessageChanged{Channel: "C1", User: "UBEN", TS: m.TS, Text: "/race status", PreviousText: m.Text,
		EditTS: tsAfter(t, m.TS, 10*time.Second), EventID: "EvTWOCMD"})
	for name, was := range before {
		if a := h.plan(slackfake.TeamID, "C1", name).Answers[flows.QuestionBusiness]; a.Text != was.Text || a.Revision != was.Revision {
			t.Errorf("%s: an edit into a command changed the answer to %q (revision %d)", name, a.Text, a.Revision)
		}
	}
	if n := h.countEphemerals("UBEN", "Your edit reads as a command"); n != 1 {
		t.Errorf("Ben was told %d times that his edit reads as a command, want once", n)
	}
}

// bensMessageFiledIntoTwoPlans starts plans Q1 and Q2, each asking its
// first question, and files Ben's channel message "We roast coffee." as
// the answer to it in both; it returns their headers and the message.
func (h *harness) bensMessageFiledIntoTwoPlans() (h1, h2, m slackfake.Message) {
	h1, _, p1 := h.firstQuestion("Q1")
	h.waitAsked(p1, flows.QuestionBusiness)
	h2, _, p2 := h.firstQuestion("Q2")
	h.waitAsked(p2, flows.QuestionBusiness)
	m = h.fake.AddMessage(slackfake.Message{Channel: "C1", User: "UBEN", Text: "We roast coffee."})
	h.fileAsAnswer(p1, h1, m, flows.QuestionBusiness)
	h.fileAsAnswer(p2, h2, m, flows.QuestionBusiness)
	return h1, h2, m
}
