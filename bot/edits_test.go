package bot

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/racebot/racebot/flows"
	"github.com/racebot/racebot/internal/slackfake"
)

// benAnswersTwo starts plan Q1 and has Ben answer its first two questions
// in the thread; it returns the header and the ts of his two replies.
func (h *harness) benAnswersTwo(first, second string) (header slackfake.Message, p *flows.Plan, ts1, ts2 string) {
	h.t.Helper()
	header, q1, p := h.firstQuestion("Q1")
	ts1 = tsAfter(h.t, q1.TS, time.Millisecond)
	h.fake.WaitAck(h.t, h.fake.SendEvent(slackfake.MessageEvent{Channel: "C1", User: "UBEN", Text: first, TS: ts1, ThreadTS: header.TS}))
	q2 := h.threadMessage("C1", header.TS, "What is your value proposition")
	ts2 = tsAfter(h.t, q2.TS, time.Millisecond)
	h.fake.WaitAck(h.t, h.fake.SendEvent(slackfake.MessageEvent{Channel: "C1", User: "UBEN", Text: second, TS: ts2, ThreadTS: header.TS}))
	h.threadMessage("C1", header.TS, "Which customer segments")
	return header, p, ts1, ts2
}

// TestEditFormKeepsAnAnswerEditedMeanwhile: Ana opens the "Edit answers"
// form, which shows Ben's two answers. Meanwhile Ben edits both his
// messages in the thread. Ana saves the form with question 1 as shown and
// question 2 rewritten. Ben's edit of question 1 stands, and Ana's text for
// question 2 joins Ben's edited one instead of silently replacing it.
func TestEditFormKeepsAnAnswerEditedMeanwhile(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.runSocket()
	header, p, ts1, ts2 := h.benAnswersTwo("Coffee.", "Fresh beans.")
	steps := flows.RACE().Stages[0].Steps()

	view := h.openView(slackfake.BlockAction{ActionID: actionEditStage, Value: planValue(p, "plan"), UserID: "UANA", ChannelID: "C1"})

	h.edit(t, slackfake.MessageChanged{User: "UBEN", TS: ts1, ThreadTS: header.TS, Text: "Speciality coffee.", PreviousText: "Coffee."})
	h.waitEphemeral("UBEN", "Updated your answer to Plan question 1")
	h.edit(t, slackfake.MessageChanged{User: "UBEN", TS: ts2, ThreadTS: header.TS, Text: "Beans roasted to order.", PreviousText: "Fresh beans."})
	h.waitEphemeral("UBEN", "Updated your answer to Plan question 2")

	ack := h.fake.WaitAck(t, h.fake.SendEvent(slackfake.ViewSubmission{ViewID: view.ID, UserID: "UANA", Values: map[string]map[string]slackfake.Input{
		inputBlockID(steps[0].ID): {answerActionID: {Type: "plain_text_input", Value: "Coffee."}}, // as shown
		inputBlockID(steps[1].ID): {answerActionID: {Type: "plain_text_input", Value: "Delivered in a day."}},
	}}))
	h.settle()
	got := h.plan(slackfake.TeamID, "C1", "Q1")
	if a := got.Answers[steps[0].ID]; a.Text != "Speciality coffee." || a.By != "UBEN" || len(a.Also) != 0 {
		t.Errorf("question 1 = %q by %s (also %+v), want Ben's edit kept; ack %s", a.Text, a.By, a.Also, ack.Payload)
	}
	a := got.Answers[steps[1].ID]
	if a.Text != "Beans roasted to order." || a.By != "UBEN" {
		t.Errorf("question 2 = %q by %s, want Ben's edit kept", a.Text, a.By)
	}
	if len(a.Also) != 1 || a.Also[0].Text != "Delivered in a day." || a.Also[0].By != "UANA" {
		t.Errorf("question 2's co-answers = %+v, want Ana's form text beside Ben's", a.Also)
	}
	h.threadMessage("C1", header.TS, "alongside <@UBEN>'s")
}

// TestEditsDeliveredOutOfOrderEndAtTheLatest: Ana answers, then edits her
// reply twice. Slack delivers the second edit first (the first one's
// delivery failed and was retried later), and then the first one again.
// The answer ends as her latest edit.
func TestEditsDeliveredOutOfOrderEndAtTheLatest(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.runSocket()
	header, q1, _ := h.firstQuestion("Q1")
	ts := tsAfter(t, q1.TS, time.Millisecond)
	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.MessageEvent{Channel: "C1", User: "UANA", Text: "Coffee.", TS: ts, ThreadTS: header.TS}))
	h.threadMessage("C1", header.TS, "What is your value proposition")

	first := slackfake.MessageChanged{Channel: "C1", User: "UANA", TS: ts, ThreadTS: header.TS, Text: "Coffee beans.", PreviousText: "Coffee.",
		EditTS: tsAfter(t, ts, 10*time.Second), EventID: "EvEDIT1"}
	second := slackfake.MessageChanged{Channel: "C1", User: "UANA", TS: ts, ThreadTS: header.TS, Text: "Speciality coffee, by subscription.", PreviousText: "Coffee beans.",
		EditTS: tsAfter(t, ts, 20*time.Second), EventID: "EvEDIT2"}
	h.fake.WaitAck(t, h.fake.SendEvent(second))
	h.waitEphemeral("UANA", "Updated your answer")
	env := h.fake.SendEvent(first)
	h.fake.WaitAck(t, env)
	h.fake.WaitAck(t, h.fake.Redeliver(env))
	h.settle()
	if a := h.plan(slackfake.TeamID, "C1", "Q1").Answers[flows.QuestionBusiness]; a.Text != second.Text {
		t.Errorf("answer = %q after edits delivered out of order, want the latest edit %q", a.Text, second.Text)
	}
}

// TestEditsOfAnUnreadMessageOutOfOrder: Ana answers and edits her reply
// twice before any of it is read; the second edit arrives first, then the
// first edit, then the message itself. The answer is her latest edit.
func TestEditsOfAnUnreadMessageOutOfOrder(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.runSocket()
	header, q1, _ := h.firstQuestion("Q1")
	ts := tsAfter(t, q1.TS, time.Millisecond)
	h.edit(t, slackfake.MessageChanged{User: "UANA", TS: ts, ThreadTS: header.TS, Text: "Speciality coffee.", PreviousText: "Coffee beans.",
		EditTS: tsAfter(t, ts, 20*time.Second), EventID: "EvEDIT2"})
	h.edit(t, slackfake.MessageChanged{User: "UANA", TS: ts, ThreadTS: header.TS, Text: "Coffee beans.", PreviousText: "Coffee.",
		EditTS: tsAfter(t, ts, 10*time.Second), EventID: "EvEDIT1"})
	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.MessageEvent{Channel: "C1", User: "UANA", Text: "Coffee.", TS: ts, ThreadTS: header.TS}))
	h.threadMessage("C1", header.TS, "What is your value proposition")
	h.settle()
	if a := h.plan(slackfake.TeamID, "C1", "Q1").Answers[flows.QuestionBusiness]; a.Text != "Speciality coffee." {
		t.Errorf("answer = %q, want the latest edit", a.Text)
	}
}

// TestAReplyStartingWithAColleaguesNameIsAnAnswer: Ana answers "<@UBEN>
// and I think our buyers are busy parents." Her reply starts with Ben's
// name, but as part of what she says, not to address him: it is saved as
// the answer, Ben's mention kept. "<@UBEN> can you take this one?" is
// still a word to Ben, and "<@UBEN> and <@UCAT>, can you check?" to both:
// they file nothing.
func TestAReplyStartingWithAColleaguesNameIsAnAnswer(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.runSocket()
	header, _, _ := h.firstQuestion("Q1")
	for _, asked := range []string{"<@UBEN> can you take this one?", "<@UBEN> and <@UCAT>, can you check this one?"} {
		h.fake.WaitAck(t, h.fake.SendEvent(slackfake.MessageEvent{Channel: "C1", User: "UANA", Text: asked, ThreadTS: header.TS}))
		h.settle()
		if a := h.plan(slackfake.TeamID, "C1", "Q1").Answers[flows.QuestionBusiness]; a.Text != "" {
			t.Fatalf("a question to colleagues was filed as the answer: %q", a.Text)
		}
	}
	const said = "<@UBEN> and I think we sell coffee to busy parents."
	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.MessageEvent{Channel: "C1", User: "UANA", Text: said, ThreadTS: header.TS}))
	h.settle()
	if a := h.plan(slackfake.TeamID, "C1", "Q1").Answers[flows.QuestionBusiness]; a.Text != said || a.By != "UANA" {
		t.Errorf("answer = %q by %q, want Ana's reply %q", a.Text, a.By, said)
	}
	if n := h.countReplies("C1", header.TS, "What is your value proposition"); n != 1 {
		t.Errorf("question 2 asked %d times, want once:\n%s", n, strings.Join(h.threadPosts(header.TS), "\n"))
	}
}

// atActions starts plan Q1 and moves it to the Plan stage's actions.
// It returns the header and the ts of a reply written after the prompt.
func (h *harness) atActions() (header slackfake.Message, ts string) {
	h.t.Helper()
	header, _ = h.newPlanInSlack("Q1")
	prompt := h.say(header.TS, "done", "· actions")
	return header, tsAfter(h.t, prompt.TS, time.Second)
}

// atReachKPIs starts plan Q1, opens the Reach stage's KPIs in its thread,
// and returns the header and a ts for a reply that comes after the prompt.
func (h *harness) atReachKPIs() (header slackfake.Message, ts string) {
	h.t.Helper()
	header, _ = h.newPlanInSlack("Q1")
	prompt := h.say(header.TS, "kpi reach", "· KPIs")
	return header, tsAfter(h.t, prompt.TS, time.Second)
}

// anaReplies delivers Ana's reply text at ts in the thread of header and
// waits for racebot to acknowledge it.
func (h *harness) anaReplies(header slackfake.Message, ts, text string) {
	h.t.Helper()
	h.fake.WaitAck(h.t, h.fake.SendEvent(slackfake.MessageEvent{Channel: "C1", User: "UANA", Text: text, TS: ts, ThreadTS: header.TS}))
}

// anaEdits delivers Ana's edit of her reply at ts in the thread of
// header, from previous to text, made at at.
func (h *harness) anaEdits(header slackfake.Message, ts, previous, text string, at time.Time, eventID string) {
	h.t.Helper()
	h.edit(h.t, slackfake.MessageChanged{User: "UANA", TS: ts, ThreadTS: header.TS, Text: text, PreviousText: previous,
		EditTS: slackTS(at), EventID: eventID})
}

// anaAddsAction starts plan Q1 and has Ana post line at the Plan stage's
// actions; it waits for the action to be added and returns the header
// and the ts of her message.
func (h *harness) anaAddsAction(line string) (header slackfake.Message, ts string) {
	h.t.Helper()
	header, ts = h.atActions()
	h.anaReplies(header, ts, line)
	h.threadMessage("C1", header.TS, "Added action ")
	return header, ts
}

// onlyAction is the plan's one action.
func (h *harness) onlyAction() (flows.Action, bool) {
	h.t.Helper()
	got := h.plan(slackfake.TeamID, "C1", "Q1").Actions
	if len(got) != 1 {
		return flows.Action{}, false
	}
	return got[0], true
}

const giftBoxes = "Gift boxes for top 50 customers | impact 4 | effort 2 | <@UBEN> | 2027-02-15"

// TestAnEditedActionLineChangesTheAction: at the actions step Ana posts an
// action, then edits her message to fix its score and its words. The
// action reads as edited, once however often the edit is delivered; an
// earlier edit delivered late changes nothing; an edit that no longer
// reads as an action is explained to her and changes nothing; an action
// marked done keeps its status through an edit.
func TestAnEditedActionLineChangesTheAction(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.runSocket()
	header, ts := h.anaAddsAction(giftBoxes)
	a, ok := h.onlyAction()
	if !ok {
		t.Fatalf("setup: actions %+v", h.plan(slackfake.TeamID, "C1", "Q1").Actions)
	}
	p := h.plan(slackfake.TeamID, "C1", "Q1")
	if err := h.db.Commit(t.Context(), p, []flows.Change{flows.ActionStatusSet{Action: a.ID, Status: flows.ActionDone, By: "UBEN", At: time.Now()}}, ""); err != nil {
		t.Fatal(err)
	}

	fixed := "Gift boxes for our top 40 customers | impact 5 | effort 2 | <@UBEN> | 2027-02-15"
	edit := slackfake.MessageChanged{Channel: "C1", User: "UANA", TS: ts, ThreadTS: header.TS, Text: fixed, PreviousText: giftBoxes,
		EditTS: tsAfter(t, ts, 20*time.Second), EventID: "EvACT2"}
	env := h.fake.SendEvent(edit)
	h.fake.WaitAck(t, env)
	h.fake.WaitAck(t, h.fake.Redeliver(env))
	h.settle()
	got, ok := h.onlyAction()
	if !ok || got.Text != "Gift boxes for our top 40 customers" || got.Impact != 5 || got.Effort != 2 || got.Owner != "<@UBEN>" || got.ID != a.ID {
		t.Fatalf("after the edit: %+v, want the edited action in place of %+v", h.plan(slackfake.TeamID, "C1", "Q1").Actions, a)
	}
	if got.State() != flows.ActionDone {
		t.Errorf("the edited action is %s, want it still done", got.State())
	}
	h.waitEphemeral("UANA", "Updated your action")

	// The first edit, delivered late.
	h.edit(t, slackfake.MessageChanged{User: "UANA", TS: ts, ThreadTS: header.TS, Text: "Gift boxes for top 50 customers | impact 5 | effort 2",
		PreviousText: giftBoxes, EditTS: tsAfter(t, ts, 10*time.Second), EventID: "EvACT1"})
	// An edit that reads as no action.
	h.edit(t, slackfake.MessageChanged{User: "UANA", TS: ts, ThreadTS: header.TS, Text: "Gift boxes for our top 40 customers | effort 2",
		PreviousText: fixed, EditTS: tsAfter(t, ts, 30*time.Second), EventID: "EvACT3"})
	h.waitEphemeral("UANA", "stays as it was")
	h.settle()
	if again, _ := h.onlyAction(); again.Text != got.Text || again.Impact != 5 || again.Owner != got.Owner || !again.Due.Equal(got.Due) {
		t.Errorf("after a late edit and a bad one: %+v, want %+v", again, got)
	}
	if n := h.countReplies("C1", header.TS, "Added action"); n != 1 {
		t.Errorf("%d actions announced in the thread, want 1", n)
	}
}

// TestADeletedActionLineRemovesTheAction: Ana posts an action at the
// actions step and deletes the message. The action goes, and the thread
// says so; an action whose message is deleted before it is read is never
// added.
func TestADeletedActionLineRemovesTheAction(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.runSocket()
	header, ts := h.anaAddsAction(giftBoxes)
	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.MessageDeleted{Channel: "C1", User: "UANA", TS: ts, ThreadTS: header.TS, PreviousText: giftBoxes}))
	h.threadMessage("C1", header.TS, "was removed")
	if got := h.plan(slackfake.TeamID, "C1", "Q1").Actions; len(got) != 0 {
		t.Errorf("actions after their message was deleted: %+v", got)
	}

	// Deleted before its delivery, which comes after (a retry).
	late := tsAfter(t, ts, time.Second)
	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.MessageDeleted{Channel: "C1", User: "UANA", TS: late, ThreadTS: header.TS, PreviousText: giftBoxes}))
	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.MessageEvent{Channel: "C1", User: "UANA", Text: giftBoxes, TS: late, ThreadTS: header.TS}))
	h.settle()
	if got := h.plan(slackfake.TeamID, "C1", "Q1").Actions; len(got) != 0 {
		t.Errorf("an action whose message was deleted before it was read was added: %+v", got)
	}
}

// TestADeletedLineOfADoneActionKeepsIt: Ana adds an action in the thread,
// Ben marks it done, and Ana then deletes her message. The action stays,
// done: it is the plan's record of work that happened, as a KPI with
// values stays. Ana is told why, once, though Slack delivers the deletion
// twice.
func TestADeletedLineOfADoneActionKeepsIt(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.runSocket()
	header, ts := h.anaAddsAction(giftBoxes)
	h.slashAck("UBEN", "action done 1")
	if a, _ := h.onlyAction(); a.State() != flows.ActionDone {
		t.Fatalf("setup: the action is %s, want done", a.State())
	}
	deleted := slackfake.MessageDeleted{Channel: "C1", User: "UANA", TS: ts, ThreadTS: header.TS, PreviousText: giftBoxes, EventID: "EvDEL"}
	h.fake.WaitAck(t, h.fake.SendEvent(deleted))
	h.waitEphemeral("UANA", "stays because it is done")
	h.fake.WaitAck(t, h.fake.SendEvent(deleted))
	h.settle()
	if a, ok := h.onlyAction(); !ok || a.State() != flows.ActionDone || a.Text != "Gift boxes for top 50 customers" {
		t.Errorf("after its line was deleted: %+v (found %v), want the done action kept", a, ok)
	}
	told := 0
	for _, e := range h.fake.Ephemerals() {
		if strings.Contains(e.Text, "stays because it is done") {
			told++
		}
	}
	if told != 1 {
		t.Errorf("told %d times that the action stays, want once", told)
	}
	if n := h.countReplies("C1", header.TS, "removed"); n != 0 {
		t.Errorf("%d thread replies say the action was removed", n)
	}
}

// TestAnActionEditedBeforeItsDeliveryReadsAsEdited: Ana posts an action and
// fixes it at once; the edit is processed before the message. The action
// reads as edited, added once.
func TestAnActionEditedBeforeItsDeliveryReadsAsEdited(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.runSocket()
	header, ts := h.atActions()
	fixed := "Gift boxes for top 50 customers | impact 5 | effort 2 | <@UBEN> | 2027-02-15"
	h.edit(t, slackfake.MessageChanged{User: "UANA", TS: ts, ThreadTS: header.TS, Text: fixed, PreviousText: giftBoxes, EventID: "EvFIX"})
	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.MessageEvent{Channel: "C1", User: "UANA", Text: giftBoxes, TS: ts, ThreadTS: header.TS}))
	h.settle()
	got := h.plan(slackfake.TeamID, "C1", "Q1").Actions
	if len(got) != 1 || got[0].Impact != 5 {
		t.Errorf("actions = %+v, want the one action, as edited", got)
	}
}

// TestAnEditedKPILineChangesTheKPI: at the Reach stage's KPIs Ana sets
// a target in the thread, then edits her message to fix it. The KPI reads
// as edited; an edit naming another KPI is explained and changes nothing;
// deleting the message removes the KPI, which has no values yet.
func TestAnEditedKPILineChangesTheKPI(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.runSocket()
	header, ts := h.atReachKPIs()
	line := "visitors | baseline 8k | target 20k | by 2027-03-31 | owner <@UANA>"
	h.anaReplies(header, ts, line)
	h.settle()
	kpis := h.plan(slackfake.TeamID, "C1", "Q1").KPIs
	if len(kpis) != 1 || kpis[0].Target.Amount != 20000 {
		t.Fatalf("setup: KPIs %+v; thread:\n%s", kpis, strings.Join(h.threadPosts(header.TS), "\n"))
	}
	fixed := "visitors | baseline 8k | target 25k | by 2027-03-31 | owner <@UANA>"
	h.edit(t, slackfake.MessageChanged{User: "UANA", TS: ts, ThreadTS: header.TS, Text: fixed, PreviousText: line,
		EditTS: tsAfter(t, ts, 10*time.Second)})
	h.settle()
	if kpis := h.plan(slackfake.TeamID, "C1", "Q1").KPIs; len(kpis) != 1 || kpis[0].Target.Amount != 25000 || kpis[0].Key != "visitors" {
		t.Fatalf("after the edit: KPIs %+v, want visitors with target 25k", kpis)
	}
	h.edit(t, slackfake.MessageChanged{User: "UANA", TS: ts, ThreadTS: header.TS, Text: "fans | baseline 100 | target 500 | by 2027-03-31", PreviousText: fixed,
		EditTS: tsAfter(t, ts, 20*time.Second)})
	h.waitEphemeral("UANA", "stays as it was")
	if kpis := h.plan(slackfake.TeamID, "C1", "Q1").KPIs; len(kpis) != 1 || kpis[0].Key != "visitors" || kpis[0].Target.Amount != 25000 {
		t.Errorf("after an edit naming another KPI: %+v", kpis)
	}
	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.MessageDeleted{Channel: "C1", User: "UANA", TS: ts, ThreadTS: header.TS, PreviousText: fixed}))
	h.threadMessage("C1", header.TS, "was removed")
	if kpis := h.plan(slackfake.TeamID, "C1", "Q1").KPIs; len(kpis) != 0 {
		t.Errorf("KPIs after their message was deleted: %+v", kpis)
	}
}

// TestValueEditsDeliveredOutOfOrderEndAtTheLatest: in a check-in thread
// Ana reports visitors and corrects the number twice; the second edit is
// delivered before the first. Her value ends as the latest edit.
func TestValueEditsDeliveredOutOfOrderEndAtTheLatest(t *testing.T) {
	t.Parallel()
	h, p, _ := checkinSetup(t)
	_, opening, summary := h.openCheckinOfTwo(p)
	ts := tsAfter(t, summary.TS, time.Millisecond)
	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.MessageEvent{Channel: "C1", User: "UANA", Text: "visitors 12.4k", TS: ts, ThreadTS: opening.TS}))
	h.threadMessage("C1", opening.TS, "Recorded: Unique visitors 12.4k")
	h.edit(t, slackfake.MessageChanged{User: "UANA", TS: ts, ThreadTS: opening.TS, Text: "visitors 12.8k", PreviousText: "visitors 12.6k",
		EditTS: tsAfter(t, ts, 20*time.Second), EventID: "EvVAL2"})
	h.waitEphemeral("UANA", "Updated: Unique visitors 12.8k")
	h.edit(t, slackfake.MessageChanged{User: "UANA", TS: ts, ThreadTS: opening.TS, Text: "visitors 12.6k", PreviousText: "visitors 12.4k",
		EditTS: tsAfter(t, ts, 10*time.Second), EventID: "EvVAL1"})
	h.settle()
	ms, err := h.db.Measurements(t.Context(), slackfake.TeamID, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got := ms[p.KPIs[0].ID]; len(got) != 1 || got[0].Value.Amount != 12800 {
		t.Errorf("visitors = %+v, want only the latest edit, 12.8k", got)
	}
}

// TestValuesTypedInThePlanThreadFollowTheirMessage: Ana records
// "values visitors 12.4k" in the plan's thread, then edits her message to
// 14.2k, then deletes it. The value follows: 14.2k after the edit, none
// after the deletion, as values typed in a check-in's thread do.
func TestValuesTypedInThePlanThreadFollowTheirMessage(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.runSocket()
	header, q1, p := h.firstQuestion("Q1")
	p = h.setKPIs(p, flows.StageReach, "visitors | baseline 8k | target 20k | by 2027-03-31 | owner <@UANA>")
	ts := tsAfter(t, q1.TS, time.Second)
	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.MessageEvent{Channel: "C1", User: "UANA", Text: "values visitors 12.4k", TS: ts, ThreadTS: header.TS}))
	h.threadMessage("C1", header.TS, "12.4k")
	visitors := func() []flows.Measurement {
		t.Helper()
		ms, err := h.db.Measurements(t.Context(), slackfake.TeamID, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		return ms[p.KPIs[0].ID]
	}
	if got := visitors(); len(got) != 1 || got[0].Value.Amount != 12400 {
		t.Fatalf("setup: visitors %+v", got)
	}
	h.edit(t, slackfake.MessageChanged{User: "UANA", TS: ts, ThreadTS: header.TS, Text: "values visitors 14.2k", PreviousText: "values visitors 12.4k"})
	h.settle()
	if got := visitors(); len(got) != 1 || got[0].Value.Amount != 14200 {
		t.Errorf("after the edit: visitors %+v, want only 14.2k", got)
	}
	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.MessageDeleted{Channel: "C1", User: "UANA", TS: ts, ThreadTS: header.TS, PreviousText: "values visitors 14.2k"}))
	h.settle()
	if got := visitors(); len(got) != 0 {
		t.Errorf("after the deletion: visitors %+v, want none", got)
	}
}

// TestAnActionsNewDueDateIsRemindedOfToo: Ana posts Ben's action due on
// Tuesday 2 March; on Monday at 09:00 Berlin he is reminded it is due
// tomorrow. Ana then edits the line to move it to Tuesday 9 March. On
// Monday 8 March Ben is reminded again, of the new date: the reminder
// about the old date does not stand for it. A mere rewording of the line
// does not send the reminder twice.
func TestAnActionsNewDueDateIsRemindedOfToo(t *testing.T) {
	t.Parallel()
	h, clk := clockedHarness(t, time.Date(2027, 3, 1, 8, 0, 0, 0, time.UTC))
	h.fake.AddUser(slackfake.User{ID: "UBER", TZ: "Europe/Berlin"})
	line := "Send sample bags | impact 4 | effort 1 | <@UBER> | 2027-03-02"
	header, ts := h.anaAddsAction(line)
	h.bot.remindTick(t.Context())
	if n := len(h.dms("UBER")); n != 1 {
		t.Fatalf("%d reminders on Monday 1 March, want 1", n)
	}

	reworded := "Send sample bags to the top 20 | impact 4 | effort 1 | <@UBER> | 2027-03-02"
	h.edit(t, slackfake.MessageChanged{User: "UANA", TS: ts, ThreadTS: header.TS, Text: reworded,
		PreviousText: line, EditTS: tsAfter(t, ts, 10*time.Second), EventID: "EvDUE1"})
	h.waitEphemeral("UANA", "Updated your action")
	h.bot.remindTick(t.Context())
	if n := len(h.dms("UBER")); n != 1 {
		t.Errorf("%d reminders after the line was reworded, want still 1", n)
	}

	moved := "Send sample bags to the top 20 | impact 4 | effort 1 | <@UBER> | 2027-03-09"
	h.edit(t, slackfake.MessageChanged{User: "UANA", TS: ts, ThreadTS: header.TS, Text: moved,
		PreviousText: reworded, EditTS: tsAfter(t, ts, 20*time.Second), EventID: "EvDUE2"})
	h.fake.WaitFor(t, func() bool {
		a, ok := h.onlyAction()
		return ok && a.Due.Equal(time.Date(2027, 3, 9, 0, 0, 0, 0, time.UTC))
	}, "the action due on 9 March")
	clk.Add(7 * 24 * time.Hour)
	h.bot.remindTick(t.Context())
	dms := h.dms("UBER")
	if len(dms) != 2 {
		t.Fatalf("%d reminders by Monday 8 March, want 2: one for each due date", len(dms))
	}
	if !strings.Contains(dms[1].Text, "Send sample bags to the top 20") {
		t.Errorf("the second reminder says %q", dms[1].Text)
	}
}

// TestAnActionEditedToTomorrowIsTheWritersTomorrow: Ana, in Tokyo, edits
// her action line to a date relative to her day while UTC is still on the
// day before: "tomorrow" at 08:30 on Tuesday 2 February her time is her
// Wednesday, as when she writes a new line; "FRİDAY" (caps lock on a
// Turkish keyboard, where I is İ, which reads as friday) at 08:30 on
// Saturday 6 February is her next Friday, not the Friday UTC is still on.
func TestAnActionEditedToTomorrowIsTheWritersTomorrow(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		due  string
		at   time.Time
		want time.Time
	}{
		{"tomorrow", time.Date(2027, 2, 1, 23, 30, 0, 0, time.UTC), time.Date(2027, 2, 3, 0, 0, 0, 0, time.UTC)},
		{"FRİDAY", time.Date(2027, 2, 5, 23, 30, 0, 0, time.UTC), time.Date(2027, 2, 12, 0, 0, 0, 0, time.UTC)},
	} {
		t.Run(tt.due, func(t *testing.T) {
			h := newHarness(t)
			h.fake.AddUser(slackfake.User{ID: "UANA", TZ: "Asia/Tokyo"})
			h.runSocket()
			header, ts := h.anaAddsAction(giftBoxes)
			h.edit(t, slackfake.MessageChanged{User: "UANA", TS: ts, ThreadTS: header.TS,
				Text: "Gift boxes for top 50 customers | impact 4 | effort 2 | <@UBEN> | " + tt.due, PreviousText: giftBoxes,
				EditTS: fmt.Sprintf("%d.000100", tt.at.Unix()), EventID: "EvDUE"})
			h.waitEphemeral("UANA", "Updated your action")
			if a, ok := h.onlyAction(); !ok || !a.Due.Equal(tt.want) {
				t.Errorf("the action edited to %s is due %v, want %s", tt.due, a.Due, tt.want.Format(time.DateOnly))
			}
		})
	}
}

// TestARefusedEditRedeliveredIsExplainedOnce: Ana edits her action line
// into one that no longer reads as an action, and Slack delivers the edit
// twice. She is told once why the action stays as it was.
func TestARefusedEditRedeliveredIsExplainedOnce(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.runSocket()
	header, ts := h.anaAddsAction(giftBoxes)
	h.twice(slackfake.MessageChanged{Channel: "C1", User: "UANA", TS: ts, ThreadTS: header.TS, Text: "Gift boxes for top 50 customers | effort 2",
		PreviousText: giftBoxes, EditTS: tsAfter(t, ts, 10*time.Second), EventID: "EvBAD"})
	h.waitEphemeral("UANA", "stays as it was")
	n := 0
	for _, e := range h.fake.Ephemerals() {
		if e.User == "UANA" && strings.Contains(e.Text, "stays as it was") {
			n++
		}
	}
	if n != 1 {
		t.Errorf("the refused edit was explained %d times, want once", n)
	}
}

// TestAnEditedKPILineKeepsWhatItLeftOut: Ana sets visitors in full, then
// gives it a new target in a line of its own, which keeps the baseline
// and owner it leaves out; fixing that line's target by editing it keeps
// them too, rather than refusing the edit for want of an owner the line
// never had.
func TestAnEditedKPILineKeepsWhatItLeftOut(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.runSocket()
	header, _ := h.newPlanInSlack("Q1")
	prompt := h.say(header.TS, "kpi reach", "· KPIs")
	h.say(header.TS, "visitors | baseline 8k | target 20k | by 2027-03-31 | owner <@UANA>", "KPI set")
	ts := tsAfter(t, prompt.TS, time.Minute)
	line := "visitors | target 30k | by 2027-03-31"
	h.anaReplies(header, ts, line)
	h.settle()
	if kpis := h.plan(slackfake.TeamID, "C1", "Q1").KPIs; len(kpis) != 1 || kpis[0].Target.Amount != 30000 || kpis[0].Baseline.Amount != 8000 {
		t.Fatalf("setup: KPIs %+v; thread:\n%s", kpis, strings.Join(h.threadPosts(header.TS), "\n"))
	}
	fixed := "visitors | target 32k | by 2027-03-31"
	h.edit(t, slackfake.MessageChanged{User: "UANA", TS: ts, ThreadTS: header.TS, Text: fixed, PreviousText: line,
		EditTS: tsAfter(t, ts, 10*time.Second)})
	h.waitEphemeral("UANA", "to 32k")
	k := h.plan(slackfake.TeamID, "C1", "Q1").KPIs[0]
	if k.Target.Amount != 32000 || k.Baseline.Amount != 8000 || k.Owner != "<@UANA>" {
		t.Errorf("after the edit: target %+v, baseline %+v, owner %q; want 32k from 8k, Ana's", k.Target, k.Baseline, k.Owner)
	}
}

// TestAnEditedCheckinReplyWithAStatusLine: in a check-in's thread Ana
// replies "visitors 12.4k" and, on a line of its own, "done: webinar
// series", which marks the action done. She then corrects the number. The
// edit updates it and, as the reply did, takes the status line for what
// it is, not for a value it could not read.
func TestAnEditedCheckinReplyWithAStatusLine(t *testing.T) {
	t.Parallel()
	h, p, _ := checkinSetup(t)
	p = h.addActions(p, "webinar series")
	_, opening, summary := h.openCheckinOfTwo(p)
	ts := tsAfter(t, summary.TS, time.Millisecond)
	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.MessageEvent{Channel: "C1", User: "UANA", Text: "visitors 12.4k\ndone: webinar series", TS: ts, ThreadTS: opening.TS}))
	h.threadMessage("C1", opening.TS, "Recorded: Unique visitors 12.4k")
	h.edit(t, slackfake.MessageChanged{User: "UANA", TS: ts, ThreadTS: opening.TS,
		Text: "visitors 13.1k\ndone: webinar series", PreviousText: "visitors 12.4k\ndone: webinar series"})
	got := h.waitEphemeral("UANA", "Updated: Unique visitors 13.1k")
	if strings.Contains(strings.ToLower(got.Text), "done") {
		t.Errorf("edit confirmed as %q, want the status line not read as a value", got.Text)
	}
}

// edit delivers an edit of a message in channel C1 and waits for racebot
// to acknowledge it.
func (h *harness) edit(t *testing.T, e slackfake.MessageChanged) {
	t.Helper()
	e.Channel = "C1"
	h.fake.WaitAck(t, h.fake.SendEvent(e))
}

// TestADeletedLineOfAnActionUnderWayInAnotherPlan: Ana's action in Q1 is
// under way when the channel moves on to Q2, which has an action of its
// own. She deletes her Q1 line: the action stays, and she is told how to
// drop it. Doing what she is told drops her Q1 action, not Q2's action
// of the same number.
func TestADeletedLineOfAnActionUnderWayInAnotherPlan(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.runSocket()
	header, ts := h.anaAddsAction(giftBoxes)
	h.slashAck("UBEN", "action doing 1")
	header2, _ := h.newPlanInSlack("Q2")
	prompt := h.say(header2.TS, "done", "· actions")
	h.anaReplies(header2, tsAfter(t, prompt.TS, time.Second), "Webinar series | impact 3 | effort 3 | <@UBEN> | 2027-03-01")
	h.threadMessage("C1", header2.TS, "Added action ")

	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.MessageDeleted{Channel: "C1", User: "UANA", TS: ts, ThreadTS: header.TS, PreviousText: giftBoxes, EventID: "EvDEL"}))
	told := h.waitEphemeral("UANA", "stays because it is under way")
	cmd := regexp.MustCompile("`([^`]*dropped[^`]*)`").FindStringSubmatch(told.Text)
	if cmd == nil {
		t.Fatalf("told %q, want a way to drop the action", told.Text)
	}
	state := func(plan string) flows.ActionStatus {
		a := h.plan(slackfake.TeamID, "C1", plan).Actions
		if len(a) != 1 {
			t.Fatalf("%s has actions %+v, want one", plan, a)
		}
		return a[0].State()
	}
	if rest, slash := strings.CutPrefix(cmd[1], "/race "); slash {
		h.slashAck("UANA", rest)
	} else {
		h.fake.WaitAck(t, h.fake.SendEvent(slackfake.MessageEvent{Channel: "C1", User: "UANA", Text: cmd[1], ThreadTS: header.TS}))
		h.fake.WaitFor(t, func() bool { return state("Q1") == flows.ActionDropped }, "Q1's action dropped")
	}
	h.settle()
	if got := state("Q1"); got != flows.ActionDropped {
		t.Errorf("after %q, Ana's Q1 action is %s, want dropped", cmd[1], got)
	}
	if got := state("Q2"); got != flows.ActionOpen {
		t.Errorf("after %q, Q2's action is %s, want it left open", cmd[1], got)
	}
}
