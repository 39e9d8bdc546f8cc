package bot

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/racebot/racebot/flows"
	"github.com/racebot/racebot/internal/slackfake"
)

// TestAnEditOfSideChatFiledAsAnAnswerRevisesIt: Ben writes in the channel
// what the business sells, and Ana adds his message to the first question
// with "Add to RACE plan". Ben edits it twice quickly, and Slack delivers
// the second edit twice and then the first one late. The answer is his
// latest text, still linked to his message, revised once for each edit;
// he is told as for an edit in the plan's thread. An edit into a command
// changes nothing and he is told once, however often it comes. Deleting
// the message withdraws the answer and the plan's thread says so.
func TestAnEditOfSideChatFiledAsAnAnswerRevisesIt(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.runSocket()
	header, _, p := h.firstQuestion("Q1")
	h.waitAsked(p, flows.QuestionBusiness)
	m := h.fake.AddMessage(slackfake.Message{Channel: "C1", User: "UBEN", Text: "We roast coffee."})
	h.fileAsAnswer(p, header, m, flows.QuestionBusiness)
	answer := func() flows.Answer { return h.plan(slackfake.TeamID, "C1", "Q1").Answers[flows.QuestionBusiness] }
	filed := answer()

	first := slackfake.MessageChanged{Channel: "C1", User: "UBEN", TS: m.TS, Text: "We roast coffee beans.", PreviousText: m.Text,
		EditTS: tsAfter(t, m.TS, 10*time.Second), EventID: "EvSIDE1"}
	second := slackfake.MessageChanged{Channel: "C1", User: "UBEN", TS: m.TS, Text: "We roast speciality coffee and ship it.", PreviousText: first.Text,
		EditTS: tsAfter(t, m.TS, 11*time.Second), EventID: "EvSIDE2"}
	h.fake.WaitAck(t, h.fake.SendEvent(first))
	env := h.fake.SendEvent(second)
	h.fake.WaitAck(t, env)
	h.fake.WaitAck(t, h.fake.Redeliver(env))
	h.fake.WaitAck(t, h.fake.SendEvent(first)) // late, and older
	h.settle()
	a := answer()
	if text, _ := strings.CutSuffix(a.Text, filed.Text[strings.LastIndex(filed.Text, " <"):]); text != second.Text || a.By != "UBEN" || a.Source != "C1/"+m.TS {
		t.Errorf("answer = %q by %s from %s after Ben's edits, want %q, still linked to his message (filed as %q)", a.Text, a.By, a.Source, second.Text, filed.Text)
	}
	if !strings.Contains(a.Text, "|(message)>") {
		t.Errorf("answer %q lost the link to Ben's message", a.Text)
	}
	if a.Revision != filed.Revision+2 {
		t.Errorf("revision %d after two edits of revision %d, want one new revision each", a.Revision, filed.Revision)
	}
	if n := h.countEphemerals("UBEN", "Updated your answer to Plan question 1"); n != 2 {
		t.Errorf("Ben was told %d times that his answer was updated, want 2 (one per edit)", n)
	}

	command := slackfake.MessageChanged{Channel: "C1", User: "UBEN", TS: m.TS, Text: "/race status", PreviousText: second.Text,
		EditTS: tsAfter(t, m.TS, 20*time.Second), EventID: "EvSIDE3"}
	env = h.fake.SendEvent(command)
	h.fake.WaitAck(t, env)
	h.fake.WaitAck(t, h.fake.Redeliver(env))
	h.settle()
	if got := answer(); got.Text != a.Text || got.Revision != a.Revision {
		t.Errorf("an edit into a command changed the answer to %q (revision %d)", got.Text, got.Revision)
	}
	if n := h.countEphemerals("UBEN", "Your edit reads as a command"); n != 1 {
		t.Errorf("Ben was told %d times that his edit reads as a command, want once", n)
	}

	del := slackfake.MessageDeleted{Channel: "C1", User: "UBEN", TS: m.TS, PreviousText: command.Text, EventID: "EvSIDEDEL"}
	env = h.fake.SendEvent(del)
	h.fake.WaitAck(t, env)
	h.fake.WaitAck(t, h.fake.Redeliver(env))
	h.threadMessage("C1", header.TS, "was deleted")
	h.settle()
	if got := answer(); got.Text != "" {
		t.Errorf("answer = %q after Ben deleted his message, want it withdrawn", got.Text)
	}
	if n := h.countReplies("C1", header.TS, "was deleted"); n != 1 {
		t.Errorf("the thread said %d times that the answer was deleted, want once", n)
	}
}

// TestAnEditOfSideChatFiledAsValuesReplacesThem: Ben's values, written in
// the channel, are added to the open check-in with "Add to RACE plan".
// He corrects his message: the check-in holds his corrected value, once.
// He deletes it: the value is withdrawn.
func TestAnEditOfSideChatFiledAsValuesReplacesThem(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.runSocket()
	_, p := h.newPlanInSlack("Q1")
	p = h.setKPIs(p, flows.StageReach, "visitors | baseline 8k | target 20k | by 2027-03-31 | owner <@UBEN>")
	id, opening := h.openCheckin(p)
	m := h.fake.AddMessage(slackfake.Message{Channel: "C1", User: "UBEN", Text: "visitors 12.4k"})
	form := h.shortcut("UANA", m)
	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.ViewSubmission{ViewID: form.ID, UserID: "UANA", Values: map[string]map[string]slackfake.Input{
		"plan": {"plan": {Type: "static_select", SelectedOption: strconv.FormatInt(int64(p.ID), 10)}},
		"kind": {"kind": {Type: "radio_buttons", SelectedOption: addAsValues}},
		"text": {"text": {Value: shownText(t, form)}},
	}}))
	h.threadMessage("C1", opening.TS, "Recorded: Unique visitors 12.4k")

	edit := slackfake.MessageChanged{Channel: "C1", User: "UBEN", TS: m.TS, Text: "visitors 14.2k", PreviousText: m.Text,
		EditTS: tsAfter(t, m.TS, 10*time.Second), EventID: "EvSIDEVAL"}
	env := h.fake.SendEvent(edit)
	h.fake.WaitAck(t, env)
	h.fake.WaitAck(t, h.fake.Redeliver(env))
	h.settle()
	values := func() []float64 {
		ms, err := h.db.Measurements(context.Background(), p.Team, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		var out []float64
		for _, list := range ms {
			for _, v := range list {
				if v.Checkin == id {
					out = append(out, v.Value.Amount)
				}
			}
		}
		return out
	}
	if got := values(); len(got) != 1 || got[0] != 14200 {
		t.Errorf("check-in values = %v after Ben corrected his message, want [14200]", got)
	}

	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.MessageDeleted{Channel: "C1", User: "UBEN", TS: m.TS, PreviousText: edit.Text, EventID: "EvSIDEVALDEL"}))
	h.settle()
	if got := values(); len(got) != 0 {
		t.Errorf("check-in values = %v after Ben deleted his message, want none", got)
	}
}
