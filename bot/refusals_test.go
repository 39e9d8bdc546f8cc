package bot

import (
	"strconv"
	"strings"
	"testing"

	"github.com/racebot/racebot/coach"
	"github.com/racebot/racebot/flows"
	"github.com/racebot/racebot/internal/openaifake"
	"github.com/racebot/racebot/internal/slackfake"
	"github.com/racebot/racebot/storage"
)

// TestReportInThreadWithoutKPIsIsExplained: `report` typed in a plan's
// thread before any KPI is set gets the word on setting KPIs, to its
// author; the key recorded before the read must not silence it.
func TestReportInThreadWithoutKPIsIsExplained(t *testing.T) {
	h := newHarness(t)
	h.runSocket()
	header, _ := h.newPlanInSlack("Q1")
	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.MessageEvent{Channel: "C1", User: "UANA", Text: "report", ThreadTS: header.TS}))
	h.waitEphemeral("UANA", "no KPIs to chart")
}

// TestShortcutRefusedAsActionCanBeAddedAsAnswer: Cat adds a message that
// is an action already; the form says so, and she picks "answer" on the
// same form instead. That submission is recorded, not taken for a repeat
// of the refused one.
func TestShortcutRefusedAsActionCanBeAddedAsAnswer(t *testing.T) {
	h := newHarness(t)
	h.runSocket()
	header, p := h.newPlanInSlack("Q1")
	m := h.fake.AddMessage(slackfake.Message{Channel: "C1", User: "UBEN", Text: "Let's send sample bags to cafés"})
	due := h.bot.now().AddDate(0, 0, 10).Format("2006-01-02")
	action := func(form slackfake.View) map[string]map[string]slackfake.Input {
		return map[string]map[string]slackfake.Input{
			"plan":   {"plan": {Type: "static_select", SelectedOption: strconv.FormatInt(int64(p.ID), 10)}},
			"kind":   {"kind": {Type: "radio_buttons", SelectedOption: addAsAction}},
			"text":   {"text": {Value: shownText(t, form)}},
			"owner":  {"owner": {SelectedUser: "UBEN"}},
			"due":    {"due": {SelectedDate: due}},
			"impact": {"impact": {Type: "static_select", SelectedOption: "4"}},
			"effort": {"effort": {Type: "static_select", SelectedOption: "1"}},
		}
	}
	first := h.shortcut("UANA", m)
	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.ViewSubmission{ViewID: first.ID, UserID: "UANA", Values: action(first)}))
	h.threadMessage("C1", header.TS, "as an action")

	form := h.shortcut("UCAT", m)
	ack := h.fake.WaitAck(t, h.fake.SendEvent(slackfake.ViewSubmission{ViewID: form.ID, UserID: "UCAT", Values: action(form)}))
	if !strings.Contains(string(ack.Payload), "in the plan already") {
		t.Fatalf("ack %s, want the form to say the message is in the plan already", ack.Payload)
	}
	q := h.plan(slackfake.TeamID, "C1", "Q1")
	_, cur, _ := q.Current(h.bot.cat)
	values := action(form)
	values["kind"] = map[string]slackfake.Input{"kind": {Type: "radio_buttons", SelectedOption: addAsAnswer}}
	values["question"] = map[string]slackfake.Input{"question": {Type: "static_select", SelectedOption: cur.ID}}
	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.ViewSubmission{ViewID: form.ID, UserID: "UCAT", Values: values}))
	h.fake.WaitFor(t, func() bool {
		return h.plan(slackfake.TeamID, "C1", "Q1").Answers[cur.ID].Text != ""
	}, "the message added as an answer on the second try of the form")
}

// TestPrivacyOnInAnotherProcessKeepsAnswersAway: a draft waits for its
// placeholder while privacy is turned on by another racebot on the same
// database file (a terminal, a second process). The model must not be
// asked: the check before the request must see the other process's
// commit, not this process's cached plan.
func TestPrivacyOnInAnotherProcessKeepsAnswersAway(t *testing.T) {
	llm := openaifake.New(t, "A draft the model should never have been asked for.")
	h := newHarness(t, withModel(t, llm))
	h.runSocket()
	header, _, p := h.firstQuestion("Q1")
	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.MessageEvent{Channel: "C1", User: "UANA", Text: "We roast coffee beans for cafés.", ThreadTS: header.TS}))
	h.threadMessage("C1", header.TS, "value proposition")

	db, err := storage.Open(t.Context(), h.db.Path())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	other := coach.New(coach.Config{Catalogue: flows.RACE(), Store: db, Reminders: db})

	release := h.fake.Hold("chat.postMessage")
	defer release()
	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.MessageEvent{Channel: "C1", User: "UBEN", Text: "draft", ThreadTS: header.TS}))
	h.fake.WaitFor(t, func() bool { return h.fake.InFlight("chat.postMessage") == 1 }, "the draft's placeholder on its way")

	if _, err := other.Handle(t.Context(), coach.Request{Team: p.Team, Channel: "C1", User: "UANA", Text: "privacy on", Command: true, Now: h.bot.now(), Key: "other:privacy"}); err != nil {
		t.Fatal(err)
	}
	release()
	h.waitUpdated(header.TS, func(text string) bool { return !strings.Contains(text, "Drafting") }, "the draft to finish")
	if n := len(llm.Requests()); n != 0 {
		t.Errorf("%d request(s) sent the plan's answers to the model after privacy was turned on in another process", n)
	}
}
