package slackfake_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
	"github.com/slack-go/slack/socketmode"

	"github.com/racebot/racebot/internal/slackfake"
)

// TestDirectMessages: conversations.open names the DM with a person, and
// what the app posts there is kept under that channel.
func TestDirectMessages(t *testing.T) {
	fake := slackfake.New(t)
	api := slack.New("xoxb-test", slack.OptionAPIURL(fake.APIURL()))
	ch, _, _, err := api.OpenConversation(&slack.OpenConversationParameters{Users: []string{"UANA"}})
	if err != nil {
		t.Fatal(err)
	}
	if ch.ID != fake.DMChannel("UANA") {
		t.Errorf("DM channel = %s, want %s", ch.ID, fake.DMChannel("UANA"))
	}
	if _, _, err := api.PostMessage(ch.ID, slack.MsgOptionText("Your numbers, please", false)); err != nil {
		t.Fatal(err)
	}
	if got := fake.Messages(fake.DMChannel("UANA")); len(got) != 1 || got[0].Text != "Your numbers, please" {
		t.Errorf("DM = %+v", got)
	}
	if _, _, _, err := api.OpenConversation(&slack.OpenConversationParameters{Users: []string{"UANA", "UBEN"}}); err == nil {
		t.Error("a group DM opened; the fake does not model them")
	}
}

// TestShortcutsMentionsAndFunctions: message and global shortcuts, app
// mentions and function executions reach a real slack-go client as Slack
// sends them, and a function execution completes once.
func TestShortcutsMentionsAndFunctions(t *testing.T) {
	fake := slackfake.New(t)
	client, api := startSocketMode(t, fake)
	fake.WaitConnections(t, 1)

	m := fake.AddMessage(slackfake.Message{Channel: "C1", User: "UAUTHOR", Text: "We should <https://example.com|try TikTok>"})
	link, err := api.GetPermalink(&slack.PermalinkParameters{Channel: "C1", Ts: m.TS})
	if err != nil || !strings.Contains(link, "/archives/C1/p") {
		t.Errorf("permalink of a person's message: %q %v", link, err)
	}

	id := fake.SendEvent(slackfake.MessageShortcut{CallbackID: "race_add_to_plan", UserID: "USHARER", Channel: "C1", MessageTS: m.TS})
	evt := nextRequest(t, fake, client, socketmode.EventTypeInteractive)
	cb := evt.Data.(slack.InteractionCallback)
	got := []string{string(cb.Type), cb.CallbackID, cb.User.ID, cb.Channel.ID, cb.Message.User, cb.Message.Text, cb.Message.Timestamp}
	want := []string{"message_action", "race_add_to_plan", "USHARER", "C1", "UAUTHOR", m.Text, m.TS}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("message shortcut (-want +got):\n%s", diff)
	}
	if cb.TriggerID == "" || cb.ResponseURL == "" || evt.Request.AcceptsResponsePayload {
		t.Errorf("trigger %q, response_url %q, accepts payload %t", cb.TriggerID, cb.ResponseURL, evt.Request.AcceptsResponsePayload)
	}
	// A modal opened with the shortcut's trigger is the sharer's.
	if _, err := api.OpenView(cb.TriggerID, slack.ModalViewRequest{Type: slack.VTModal, Title: slack.NewTextBlockObject(slack.PlainTextType, "Add", false, false)}); err != nil {
		t.Fatal(err)
	}
	if v := fake.Views(); len(v) != 1 || v[0].UserID != "USHARER" {
		t.Errorf("views = %+v", v)
	}
	client.Ack(*evt.Request)
	fake.WaitAck(t, id)

	id = fake.SendEvent(slackfake.GlobalShortcut{CallbackID: "race_my_values", UserID: "UANA"})
	evt = nextRequest(t, fake, client, socketmode.EventTypeInteractive)
	cb = evt.Data.(slack.InteractionCallback)
	if cb.Type != slack.InteractionTypeShortcut || cb.CallbackID != "race_my_values" || cb.User.ID != "UANA" || cb.TriggerID == "" {
		t.Errorf("global shortcut = %+v", cb)
	}
	client.Ack(*evt.Request)
	fake.WaitAck(t, id)

	id = fake.SendEvent(slackfake.AppMention{Channel: "C2", User: "UANA", Text: "<@" + slackfake.BotUserID + "> status", ThreadTS: "1700000000.000100"})
	evt = nextRequest(t, fake, client, socketmode.EventTypeEventsAPI)
	mention, ok := evt.Data.(slackevents.EventsAPIEvent).InnerEvent.Data.(*slackevents.AppMentionEvent)
	if !ok || mention.Channel != "C2" || mention.User != "UANA" || mention.ThreadTimeStamp != "1700000000.000100" || !strings.HasSuffix(mention.Text, "> status") {
		t.Errorf("app_mention = %+v", evt.Data)
	}
	client.Ack(*evt.Request)
	fake.WaitAck(t, id)

	id = fake.SendEvent(slackfake.FunctionExecuted{CallbackID: "record_kpi_values", ExecutionID: "Fx1", Inputs: map[string]any{"channel_id": "C1", "values": "visitors 12k"}})
	evt = nextRequest(t, fake, client, socketmode.EventTypeEventsAPI)
	fn, ok := evt.Data.(slackevents.EventsAPIEvent).InnerEvent.Data.(*slackevents.FunctionExecutedEvent)
	if !ok || fn.Function.CallbackID != "record_kpi_values" || fn.FunctionExecutionID != "Fx1" || fn.Inputs["values"] != "visitors 12k" {
		t.Errorf("function_executed = %+v", evt.Data)
	}
	client.Ack(*evt.Request)
	fake.WaitAck(t, id)
	if e, ok := fake.Execution("Fx1"); !ok || e.State != "running" {
		t.Errorf("execution before completion = %+v", e)
	}
	if err := api.FunctionCompleteSuccess("Fx1", slack.FunctionCompleteSuccessRequestOptionOutput(map[string]string{"summary": "ok"})); err != nil {
		t.Fatal(err)
	}
	if e, _ := fake.Execution("Fx1"); e.State != "completed" || e.Outputs["summary"] != "ok" {
		t.Errorf("execution = %+v", e)
	}
	if err := api.FunctionCompleteError("Fx1", "too late"); slackError(err) != "execution_not_in_running_state" {
		t.Errorf("a second completion: %v", err)
	}
	if err := api.FunctionCompleteError("Fx404", "nope"); slackError(err) != "function_execution_not_found" {
		t.Errorf("an unknown execution: %v", err)
	}
}

// slackError is the error code of an ok:false answer, "" for anything else.
func slackError(err error) string {
	if se, ok := errors.AsType[slack.SlackErrorResponse](err); ok {
		return se.Err
	}
	return ""
}
