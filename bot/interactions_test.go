package bot

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"testing"

	"github.com/racebot/racebot/flows"
	"github.com/racebot/racebot/internal/slackfake"
)

// newPlanInSlack starts a plan through /race new and waits for its thread.
func (h *harness) newPlanInSlack(name string) (slackfake.Message, *flows.Plan) {
	h.t.Helper()
	h.fake.WaitAck(h.t, h.fake.SendEvent(slackfake.SlashCommand{Command: "/race", Text: "new " + name, UserID: "UANA", ChannelID: "C1"}))
	header := h.header("C1", name)
	h.threadMessage("C1", header.TS, "What does the business sell")
	h.fake.WaitFor(h.t, func() bool { return h.plan(slackfake.TeamID, "C1", name).Thread != "" }, "the plan bound to its thread")
	return header, h.plan(slackfake.TeamID, "C1", name)
}

func TestDeleteAsksThenDeletes(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.runSocket()
	header, p := h.newPlanInSlack("Doomed")

	a := h.fake.WaitAck(t, h.fake.SendEvent(slackfake.SlashCommand{Command: "/race", Text: "delete Doomed", UserID: "UANA", ChannelID: "C1"}))
	if !strings.Contains(string(a.Payload), actionDeleteConfirm) {
		t.Fatalf("delete ack has no confirm button: %s", a.Payload)
	}
	h.plan(slackfake.TeamID, "C1", "Doomed") // still there

	cancelURL := h.fake.ResponseURL()
	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.BlockAction{ActionID: actionDeleteCancel, Value: strconv.FormatInt(int64(p.ID), 10), UserID: "UANA", ChannelID: "C1", ResponseURL: cancelURL}))
	h.fake.WaitFor(t, func() bool { return len(h.fake.Responses(cancelURL)) == 1 }, "the cancel reply")
	h.plan(slackfake.TeamID, "C1", "Doomed")

	url := h.fake.ResponseURL()
	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.BlockAction{ActionID: actionDeleteConfirm, Value: strconv.FormatInt(int64(p.ID), 10), UserID: "UANA", ChannelID: "C1", ResponseURL: url}))
	h.fake.WaitFor(t, func() bool { return len(h.fake.Responses(url)) == 1 }, "the delete confirmation reply")
	if r := h.fake.Responses(url)[0]; !r.ReplaceOriginal || !strings.Contains(r.Text, "Deleted plan") {
		t.Errorf("response = %+v", r)
	}
	if _, err := h.db.PlanByName(context.Background(), slackfake.TeamID, "C1", "Doomed"); err == nil {
		t.Fatal("plan still exists")
	}
	h.threadMessage("C1", header.TS, "deleted this plan")

	// A late reply in the deleted plan's thread is told so and recorded nowhere.
	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.MessageEvent{Channel: "C1", User: "UBEN", Text: "an answer too late", ThreadTS: header.TS}))
	h.fake.WaitFor(t, func() bool {
		for _, e := range h.fake.Ephemerals() {
			if e.User == "UBEN" && strings.Contains(e.Text, "was deleted") {
				return true
			}
		}
		return false
	}, "an ephemeral note about the deleted plan")
}

func TestEditAnswersModal(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.runSocket()
	header, p := h.newPlanInSlack("Q1")
	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.MessageEvent{Channel: "C1", User: "UANA", Text: "We sell coffee.", ThreadTS: header.TS}))
	h.threadMessage("C1", header.TS, "value proposition")

	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.BlockAction{ActionID: actionEditStage, Value: planValue(p, "plan"), UserID: "UBEN", ChannelID: "C1"}))
	h.fake.WaitCalls(t, "views.open", 1)
	views := h.fake.Views()
	if len(views) != 1 || views[0].CallbackID != callbackEditAnswers || views[0].UserID != "UBEN" {
		t.Fatalf("views = %+v", views)
	}
	if !strings.Contains(string(views[0].JSON), "We sell coffee.") {
		t.Error("modal is not pre-filled with the current answer")
	}
	cat := flows.RACE()
	steps := cat.Stages[0].Steps()
	long := strings.Repeat("A long, careful answer. ", 100)

	// Clearing an answer is refused beside the field; nothing changes.
	bad := h.fake.WaitAck(t, h.fake.SendEvent(slackfake.ViewSubmission{ViewID: views[0].ID, UserID: "UBEN", Values: map[string]map[string]slackfake.Input{
		inputBlockID(steps[0].ID): {answerActionID: {Type: "plain_text_input", Value: ""}},
		inputBlockID(steps[1].ID): {answerActionID: {Type: "plain_text_input", Value: long}},
	}}))
	var va viewAck
	if err := json.Unmarshal(bad.Payload, &va); err != nil || va.ResponseAction != "errors" || va.Errors[inputBlockID(steps[0].ID)] == "" {
		t.Fatalf("ack = %s, want an error on the cleared field", bad.Payload)
	}
	if got := h.plan(slackfake.TeamID, "C1", "Q1").Answers[steps[1].ID].Text; got != "" {
		t.Fatalf("a refused submission saved %q", got)
	}

	ok := h.fake.WaitAck(t, h.fake.SendEvent(slackfake.ViewSubmission{ViewID: views[0].ID, UserID: "UBEN", Values: map[string]map[string]slackfake.Input{
		inputBlockID(steps[0].ID): {answerActionID: {Type: "plain_text_input", Value: "We roast and sell coffee."}},
		inputBlockID(steps[1].ID): {answerActionID: {Type: "plain_text_input", Value: long}},
	}}))
	if len(ok.Payload) != 0 && string(ok.Payload) != "null" {
		t.Fatalf("ack = %s, want a bare ack that closes the modal", ok.Payload)
	}
	got := h.plan(slackfake.TeamID, "C1", "Q1")
	if a := got.Answers[steps[0].ID]; a.Text != "We roast and sell coffee." || a.Revision != 2 || a.By != "UBEN" {
		t.Errorf("edited answer = %+v", a)
	}
	if a := got.Answers[steps[1].ID]; a.Text != strings.TrimSpace(long) {
		t.Errorf("long answer not stored whole: %d characters", len(a.Text))
	}
	revs, _ := h.db.Revisions(context.Background(), slackfake.TeamID, got.ID, steps[0].ID)
	if len(revs) != 2 || revs[0].Text != "We sell coffee." {
		t.Errorf("revisions = %+v", revs)
	}
	h.threadMessage("C1", header.TS, "through the form")
}

func TestDraftAndSkipButtons(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.runSocket()
	header, p := h.newPlanInSlack("Q1")
	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.BlockAction{ActionID: actionDraft, Value: planValue(p, flows.QuestionBusiness), UserID: "UBEN", ChannelID: "C1"}))
	h.threadMessage("C1", header.TS, "A head start for")
	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.BlockAction{ActionID: actionSkip, Value: planValue(p, flows.QuestionBusiness), UserID: "UBEN", ChannelID: "C1"}))
	h.threadMessage("C1", header.TS, "Skipped")
	got := h.plan(slackfake.TeamID, "C1", "Q1")
	if !got.Skipped[flows.QuestionBusiness] || got.Cursor.Step != 1 {
		t.Errorf("after skip: skipped=%v cursor=%+v", got.Skipped, got.Cursor)
	}
	// A stale button (the question moved on) changes nothing.
	url := h.fake.ResponseURL()
	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.BlockAction{ActionID: actionSkip, Value: planValue(p, flows.QuestionBusiness), UserID: "UBEN", ChannelID: "C1", ResponseURL: url}))
	h.fake.WaitFor(t, func() bool { return len(h.fake.Responses(url)) == 1 }, "a note about the stale button")
	if again := h.plan(slackfake.TeamID, "C1", "Q1"); again.Cursor != got.Cursor {
		t.Errorf("stale skip moved the plan to %+v", again.Cursor)
	}
}

func TestAppHomeListsMyPlans(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.runSocket()
	h.newPlanInSlack("Mine")
	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.SlashCommand{Command: "/race", Text: "new Theirs", UserID: "UBEN", ChannelID: "C2"}))
	h.header("C2", "Theirs")
	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.AppHomeOpened{User: "UANA"}))
	h.fake.WaitCalls(t, "views.publish", 1)
	v, ok := h.fake.HomeView("UANA")
	if !ok {
		t.Fatal("no home view published")
	}
	home := string(v.JSON)
	if !strings.Contains(home, "Mine") || strings.Contains(home, "Theirs") {
		t.Errorf("home view should list Mine only: %s", home)
	}
	if !strings.Contains(home, "next: Plan: question 1 of 10") {
		t.Errorf("home view lacks the next step: %s", home)
	}
}

func TestUnknownCommandAndMissingPlan(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.runSocket()
	for text, want := range map[string]string{
		"frobnicate":    "I don't know the command",
		"continue Nope": "There is no plan called",
		"stage Retain":  "There is no stage called",
		"status":        "There is no plan here yet",
	} {
		a := h.fake.WaitAck(t, h.fake.SendEvent(slackfake.SlashCommand{Command: "/race", Text: text, UserID: "UANA", ChannelID: "C9"}))
		if got := ackText(t, a.Payload); !strings.Contains(got, want) {
			t.Errorf("/race %s: ack %q, want %q", text, got, want)
		}
	}
	if n := len(h.fake.Messages("C9")); n != 0 {
		t.Errorf("bad commands posted %d messages", n)
	}
}

func TestExportUploadsMarkdown(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.runSocket()
	header, _ := h.newPlanInSlack("Q1 Launch")
	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.MessageEvent{Channel: "C1", User: "UANA", Text: "We sell coffee &amp; cake.", ThreadTS: header.TS}))
	h.threadMessage("C1", header.TS, "value proposition")
	a := h.fake.WaitAck(t, h.fake.SendEvent(slackfake.SlashCommand{Command: "/race", Text: "export", UserID: "UANA", ChannelID: "C1"}))
	if !strings.Contains(ackText(t, a.Payload), "Exporting") {
		t.Errorf("export ack = %s", a.Payload)
	}
	h.fake.WaitFor(t, func() bool { return len(h.fake.Uploads()) == 1 }, "the Markdown upload")
	up := h.fake.Uploads()[0]
	if up.Filename != "q1-launch.md" || up.Channel != "C1" || !strings.Contains(string(up.Content), "> We sell coffee & cake.") {
		t.Errorf("upload = %s %s\n%s", up.Filename, up.Channel, up.Content)
	}
}

func TestNewPlanInAChannelWithoutTheBot(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.runSocket()
	h.fake.AddChannel(slackfake.Channel{ID: "C9", Name: "secret", NotMember: true})
	url := h.fake.ResponseURL()
	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.SlashCommand{Command: "/race", Text: "new Hidden", UserID: "UANA", ChannelID: "C9", ResponseURL: url}))
	h.fake.WaitFor(t, func() bool { return len(h.fake.Responses(url)) == 1 }, "an explanation through the response URL")
	if got := h.fake.Responses(url)[0].Text; !strings.Contains(got, "/invite @racebot") {
		t.Errorf("response = %q, want how to invite the bot", got)
	}
	h.plan(slackfake.TeamID, "C9", "Hidden") // saved, so /race continue can start its thread
}
