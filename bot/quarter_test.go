package bot

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/racebot/racebot/flows"
	"github.com/racebot/racebot/internal/slackfake"
)

// addActions gives a plan actions, due in a few days, as the coach stores
// them.
func (h *harness) addActions(p *flows.Plan, texts ...string) *flows.Plan {
	h.t.Helper()
	var actions []flows.Action
	for _, text := range texts {
		actions = append(actions, flows.Action{
			Stage: flows.StageConvert, Text: text, Owner: "<@UBEN>", Due: time.Now().AddDate(0, 0, 3), Impact: 4, Effort: 2, By: "UANA", At: time.Now(),
		})
	}
	return h.commitActions(p, actions...)
}

// commitActions gives a plan these actions, as the coach stores them, and
// returns the plan with them.
func (h *harness) commitActions(p *flows.Plan, actions ...flows.Action) *flows.Plan {
	h.t.Helper()
	var changes []flows.Change
	for _, a := range actions {
		changes = append(changes, flows.ActionAdded{Action: a})
	}
	if err := h.db.Commit(context.Background(), p, changes, ""); err != nil {
		h.t.Fatal(err)
	}
	return h.plan(p.Team, p.Channel, p.Name)
}

// scoreValues fills the capability form with one rating per stage.
func scoreValues(cat *flows.Catalogue, ratings ...int) map[string]map[string]slackfake.Input {
	v := map[string]map[string]slackfake.Input{}
	for i, st := range cat.Stages {
		if i < len(ratings) {
			v[scoreBlockID(st.ID)] = map[string]slackfake.Input{answerActionID: {Type: "radio_buttons", SelectedOption: fmt.Sprint(ratings[i])}}
		}
	}
	return v
}

// TestScoreCommandOpensTheCapabilityForm: /race score opens the form with
// the command's trigger before it acknowledges; the ratings go to the
// plan's thread with the stage to invest in, and the next form starts
// from them.
func TestScoreCommandOpensTheCapabilityForm(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.runSocket()
	header, p := h.newPlanInSlack("Q1")
	h.addActions(p, "Cart recovery emails")
	cat := flows.RACE()

	env := h.fake.SendEvent(slackfake.SlashCommand{Command: "/race", Text: "score", UserID: "UANA", ChannelID: "C1", TriggerID: h.fake.TriggerFor("UANA")})
	a := h.fake.WaitAck(t, env)
	// The form was opened before the ack, while the trigger was fresh.
	views := h.fake.Views()
	if len(views) != 1 || views[0].CallbackID != callbackScore || views[0].UserID != "UANA" {
		t.Fatalf("views when acked = %+v (ack %s)", views, a.Payload)
	}
	if !strings.Contains(string(views[0].JSON), "No written plan") {
		t.Error("the form lacks the rubric")
	}

	// A stage left unrated is refused beside it; nothing is stored.
	bad := h.fake.WaitAck(t, h.fake.SendEvent(slackfake.ViewSubmission{ViewID: views[0].ID, UserID: "UANA", Values: scoreValues(cat, 3, 3, 3, 2)}))
	var va viewAck
	if err := json.Unmarshal(bad.Payload, &va); err != nil || va.Errors[scoreBlockID(flows.StageEngage)] == "" {
		t.Fatalf("ack = %s, want an error on Engage", bad.Payload)
	}
	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.ViewSubmission{ViewID: views[0].ID, UserID: "UANA", Values: scoreValues(cat, 3, 3, 3, 2, 3)}))
	m := h.threadMessage("C1", header.TS, "Invest next")
	if !strings.Contains(m.Text, `Convert is lowest (2, first rating): 1 open action there — "Cart recovery emails"`) {
		t.Errorf("capability reply:\n%s", m.Text)
	}

	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.SlashCommand{Command: "/race", Text: "score", UserID: "UBEN", ChannelID: "C1", TriggerID: h.fake.TriggerFor("UBEN")}))
	views = h.fake.Views()
	if len(views) != 2 || !strings.Contains(string(views[1].JSON), `"initial_option"`) {
		t.Fatalf("the second form is not preset with the last rating: %+v", views)
	}
	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.ViewSubmission{ViewID: views[1].ID, UserID: "UBEN", Values: scoreValues(cat, 3, 3, 3, 3, 2)}))
	m = h.threadMessage("C1", header.TS, "Engage is lowest")
	if !strings.Contains(m.Text, "Convert 3 (was 2, +1)") || !strings.Contains(m.Text, "Engage 2 (was 3, −1)") {
		t.Errorf("second rating does not compare with the first:\n%s", m.Text)
	}
	if hist, _ := h.db.CapabilityHistory(context.Background(), slackfake.TeamID, "C1", 5); len(hist) != 2 {
		t.Errorf("history has %d ratings, want 2", len(hist))
	}
}

// TestActionStatusFromTheListAndTheCheckin: the action list shown to one
// person updates in place when they set a status, and tells the plan's
// thread; a check-in's buttons and a "done: …" reply answer in its thread.
func TestActionStatusFromTheListAndTheCheckin(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.runSocket()
	header, p := h.newPlanInSlack("Q1")
	p = h.addActions(p, "Webinar series", "Cart recovery emails", "Gift boxes")

	a := h.fake.WaitAck(t, h.fake.SendEvent(slackfake.SlashCommand{Command: "/race", Text: "actions", UserID: "UANA", ChannelID: "C1"}))
	if !strings.Contains(string(a.Payload), actionSetStatus) || !strings.Contains(string(a.Payload), "Cart recovery emails") {
		t.Fatalf("actions ack has no status menus: %s", a.Payload)
	}
	url := h.fake.ResponseURL()
	choose := func(i int, st flows.ActionStatus) slackfake.BlockAction {
		return slackfake.BlockAction{ActionID: actionSetStatus, Type: "overflow", SelectedOption: statusValue(p, p.Actions[i], st),
			UserID: "UANA", ChannelID: "C1", IsEphemeral: true, ResponseURL: url}
	}
	h.fake.WaitAck(t, h.fake.SendEvent(choose(0, flows.ActionDone)))
	h.fake.WaitFor(t, func() bool { return len(h.fake.Responses(url)) == 1 }, "the list to be replaced")
	if r := h.fake.Responses(url)[0]; !r.ReplaceOriginal || !strings.Contains(r.Text, "1 of 3 done") {
		t.Errorf("replaced list = %+v", r)
	}
	h.threadMessage("C1", header.TS, `marked "Webinar series" done`)

	_, opening := h.openCheckin(h.plan(p.Team, p.Channel, p.Name))
	if !strings.Contains(opening.Text, "Cart recovery emails") || strings.Contains(opening.Text, "Webinar series") {
		t.Errorf("check-in lists the wrong actions due:\n%s", opening.Text)
	}
	if !strings.Contains(string(opening.Blocks), actionSetStatus) {
		t.Fatalf("check-in has no status buttons: %s", opening.Blocks)
	}
	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.BlockAction{ActionID: actionSetStatus, Value: statusValue(p, p.Actions[1], flows.ActionDoing),
		UserID: "UBEN", ChannelID: "C1", MessageTS: opening.TS}))
	h.threadMessage("C1", opening.TS, `marked "Cart recovery emails" under way`)
	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.MessageEvent{Channel: "C1", User: "UBEN", Text: "done: gift boxes", ThreadTS: opening.TS}))
	h.threadMessage("C1", opening.TS, `marked "Gift boxes" done`)

	got := h.plan(p.Team, p.Channel, p.Name)
	var states []string
	for _, a := range got.Actions {
		states = append(states, string(a.State()))
	}
	if strings.Join(states, ",") != "done,doing,done" {
		t.Errorf("statuses = %v", states)
	}
}

// TestRetroRunsInItsOwnThread: /race retro posts the report in the channel
// and asks its questions one by one in that thread.
func TestRetroRunsInItsOwnThread(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.runSocket()
	_, p := h.newPlanInSlack("Q1 Launch")
	h.addActions(p, "Webinar series")
	a := h.fake.WaitAck(t, h.fake.SendEvent(slackfake.SlashCommand{Command: "/race", Text: "retro", UserID: "UANA", ChannelID: "C1"}))
	if !strings.Contains(ackText(t, a.Payload), "answer its questions in its thread") {
		t.Errorf("ack = %s", a.Payload)
	}
	report := h.fake.WaitMessage(t, "C1", func(m slackfake.Message) bool {
		return m.ThreadTS == "" && strings.Contains(m.Text, "Closing the quarter")
	}, "the retro report")
	h.fake.WaitMessage(t, "C1", func(m slackfake.Message) bool {
		return m.ThreadTS == report.TS && strings.Contains(m.Text, "Question 1 of 3")
	}, "the first question")
	h.fake.WaitFor(t, func() bool {
		r, err := h.db.RetroByThread(context.Background(), slackfake.TeamID, "C1", report.TS)
		if err != nil {
			return false
		}
		q, _ := h.db.RetroPromptBefore(context.Background(), slackfake.TeamID, r.ID, 1<<62)
		return q == "worked"
	}, "the first question recorded as asked")
	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.MessageEvent{Channel: "C1", User: "UBEN", Text: "The webinars.", ThreadTS: report.TS}))
	h.threadMessage("C1", report.TS, "Question 2 of 3")
	r, err := h.db.RetroByThread(context.Background(), slackfake.TeamID, "C1", report.TS)
	if err != nil || len(r.Answers) != 1 || r.Answers[0].Question != "worked" || r.Answers[0].By != "UBEN" {
		t.Errorf("retro = %+v, %v", r, err)
	}
}

// TestQuarterlyReminderRidesTheFirstCheckin: the first scheduled check-in
// of a quarter carries a button that opens the capability form; the next
// one does not.
func TestQuarterlyReminderRidesTheFirstCheckin(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.runSocket()
	_, p := h.newPlanInSlack("Q1")
	open := func(occ string) slackfake.Message {
		t.Helper()
		id, err := h.bot.OpenCheckin(context.Background(), p.Team, p.ID, occ, false, 0)
		if err != nil {
			t.Fatal(err)
		}
		c, _ := h.db.CheckinByID(context.Background(), p.Team, id)
		m, _ := h.message("C1", c.Thread)
		return m
	}
	first := open("occ-1")
	reminder := h.threadMessage("C1", first.TS, "A new quarter has begun")
	if !strings.Contains(string(reminder.Blocks), actionScoreOpen) {
		t.Fatalf("reminder has no button: %s", reminder.Blocks)
	}
	second := open("occ-2")
	// OpenCheckin has posted everything by the time it returns.
	for _, m := range h.fake.Replies("C1", second.TS) {
		if strings.Contains(m.Text, "A new quarter") {
			t.Error("the second check-in of the quarter reminds again")
		}
	}
	v := h.openView(slackfake.BlockAction{ActionID: actionScoreOpen, Value: fmt.Sprint(p.ID), UserID: "UPRIYA", ChannelID: "C1", MessageTS: reminder.TS})
	if v.CallbackID != callbackScore || v.UserID != "UPRIYA" {
		t.Errorf("view = %+v", v)
	}
}
