package slackfake_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
	"github.com/slack-go/slack/socketmode"

	"github.com/racebot/racebot/internal/slackfake"
)

// startSocketMode runs a real slack-go Socket Mode client against fake
// until the test ends.
func startSocketMode(t *testing.T, fake *slackfake.Fake) (*socketmode.Client, *slack.Client) {
	t.Helper()
	api := slack.New("xoxb-test", slack.OptionAPIURL(fake.APIURL()), slack.OptionAppLevelToken("xapp-test"))
	client := socketmode.New(api)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- client.RunContext(ctx) }()
	t.Cleanup(func() {
		cancel()
		<-done
	})
	return client, api
}

// nextRequest returns the next event that carries a Slack request, skipping
// the client's own connection events.
func nextRequest(t *testing.T, fake *slackfake.Fake, client *socketmode.Client, want socketmode.EventType) socketmode.Event {
	t.Helper()
	timeout := time.NewTimer(slackfake.DefaultWaitTimeout)
	defer timeout.Stop()
	for {
		select {
		case evt := <-client.Events:
			switch evt.Type {
			case socketmode.EventTypeConnecting, socketmode.EventTypeConnected, socketmode.EventTypeHello:
				continue
			case socketmode.EventTypeIncomingError, socketmode.EventTypeConnectionError, socketmode.EventTypeErrorWriteFailed:
				// slack-go reports reads and ack writes failing on the
				// connection it is tearing down when it reconnects; that is
				// its own doing, not a fault of the fake.
				t.Logf("client reported %s: %+v", evt.Type, evt.Data)
				continue
			case want:
				return evt
			default:
				t.Fatalf("got %s event %+v, want %s\n%s", evt.Type, evt.Data, want, fake.Dump())
			}
		case <-timeout.C:
			t.Fatalf("no %s event arrived\n%s", want, fake.Dump())
		}
	}
}

func TestSocketModeRoundTrip(t *testing.T) {
	fake := slackfake.New(t)
	// Sent before any client connects: it must wait, not get lost.
	early := fake.SendEvent(slackfake.AppHomeOpened{User: "U1"})
	client, api := startSocketMode(t, fake)
	fake.WaitConnections(t, 1)

	t.Run("events_api", func(t *testing.T) {
		evt := nextRequest(t, fake, client, socketmode.EventTypeEventsAPI)
		home := evt.Data.(slackevents.EventsAPIEvent).InnerEvent.Data.(*slackevents.AppHomeOpenedEvent)
		if home.User != "U1" || home.Tab != "home" || evt.Request.EnvelopeID != early {
			t.Errorf("app_home_opened = %+v in envelope %s, want U1's home tab in %s", home, evt.Request.EnvelopeID, early)
		}
		client.Ack(*evt.Request)
		if ack := fake.WaitAck(t, early); ack.Payload != nil {
			t.Errorf("bare ack carried payload %s", ack.Payload)
		}

		id := fake.SendEvent(slackfake.MessageEvent{Channel: "C1", User: "U2", Text: "skip", ThreadTS: "1732380000.000100"})
		evt = nextRequest(t, fake, client, socketmode.EventTypeEventsAPI)
		outer := evt.Data.(slackevents.EventsAPIEvent)
		msg, ok := outer.InnerEvent.Data.(*slackevents.MessageEvent)
		if !ok {
			t.Fatalf("inner event is %T, want *slackevents.MessageEvent", outer.InnerEvent.Data)
		}
		got := []string{outer.TeamID, msg.Channel, msg.User, msg.Text, msg.ThreadTimeStamp, msg.ChannelType}
		want := []string{slackfake.TeamID, "C1", "U2", "skip", "1732380000.000100", "channel"}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("message event (-want +got):\n%s", diff)
		}
		if msg.TimeStamp == "" || evt.Request.AcceptsResponsePayload {
			t.Errorf("ts = %q, accepts_response_payload = %t; want a ts and false", msg.TimeStamp, evt.Request.AcceptsResponsePayload)
		}
		client.Ack(*evt.Request)
		fake.WaitAck(t, id)
	})

	var trigger string
	t.Run("slash_commands", func(t *testing.T) {
		id := fake.SendEvent(slackfake.SlashCommand{Command: "/race", Text: "new Q1", UserID: "U1", ChannelID: "C1", TeamID: "T1"})
		evt := nextRequest(t, fake, client, socketmode.EventTypeSlashCommand)
		cmd := evt.Data.(slack.SlashCommand)
		got := []string{cmd.Command, cmd.Text, cmd.UserID, cmd.ChannelID, cmd.TeamID, cmd.APIAppID}
		if diff := cmp.Diff([]string{"/race", "new Q1", "U1", "C1", "T1", slackfake.AppID}, got); diff != "" {
			t.Errorf("slash command (-want +got):\n%s", diff)
		}
		if !strings.HasPrefix(cmd.ResponseURL, fake.URL()) || cmd.TriggerID == "" || !evt.Request.AcceptsResponsePayload {
			t.Errorf("response_url %q, trigger_id %q, accepts_response_payload %t", cmd.ResponseURL, cmd.TriggerID, evt.Request.AcceptsResponsePayload)
		}
		trigger = cmd.TriggerID
		client.Ack(*evt.Request, map[string]any{"text": "Creating plan…"})
		ack := fake.WaitAck(t, id)
		if string(ack.Payload) != `{"text":"Creating plan…"}` {
			t.Errorf("ack payload = %s", ack.Payload)
		}
		_, _, err := api.PostMessage("", slack.MsgOptionResponseURL(cmd.ResponseURL, slack.ResponseTypeEphemeral), slack.MsgOptionText("Plan created", false))
		if err != nil {
			t.Fatalf("post to the command's response_url: %v", err)
		}
		if got := fake.ResponsesFor(id); len(got) != 1 || got[0].Text != "Plan created" {
			t.Errorf("ResponsesFor(slash command) = %+v", got)
		}
	})

	t.Run("interactive", func(t *testing.T) {
		_, ts, err := api.PostMessage("C1", slack.MsgOptionText("Q1: Who is your audience?", false))
		if err != nil {
			t.Fatalf("PostMessage: %v", err)
		}
		id := fake.SendEvent(slackfake.BlockAction{ActionID: "draft_ai", Value: "q1", UserID: "U1", ChannelID: "C1", MessageTS: ts})
		evt := nextRequest(t, fake, client, socketmode.EventTypeInteractive)
		cb := evt.Data.(slack.InteractionCallback)
		if cb.Type != slack.InteractionTypeBlockActions || len(cb.ActionCallback.BlockActions) != 1 {
			t.Fatalf("callback = %+v, want one block action", cb)
		}
		action := cb.ActionCallback.BlockActions[0]
		got := []string{action.ActionID, action.Value, cb.User.ID, cb.Channel.ID, cb.Container.MessageTs, cb.Message.Text}
		if diff := cmp.Diff([]string{"draft_ai", "q1", "U1", "C1", ts, "Q1: Who is your audience?"}, got); diff != "" {
			t.Errorf("block action (-want +got):\n%s", diff)
		}
		if evt.Request.AcceptsResponsePayload {
			t.Error("block_actions accepts a response payload; Slack's do not")
		}
		client.Ack(*evt.Request)
		fake.WaitAck(t, id)

		// The modal opened with the slash command's trigger is U1's, and
		// submitting it brings back what the app put in it.
		modal := slack.ModalViewRequest{
			Type: slack.VTModal, CallbackID: "edit_answers", PrivateMetadata: "plan=7",
			Title: slack.NewTextBlockObject("plain_text", "Edit answers", false, false),
		}
		view, err := api.OpenView(trigger, modal)
		if err != nil {
			t.Fatalf("OpenView: %v", err)
		}
		if v, _ := fake.View(view.ID); v.UserID != "U1" {
			t.Errorf("modal opened for %q, want U1", v.UserID)
		}
		id = fake.SendEvent(slackfake.ViewSubmission{ViewID: view.ID, UserID: "U1", Values: map[string]map[string]slackfake.Input{
			"audience": {"answer": {Value: "Marketing leads"}},
			"stage":    {"pick": {SelectedOption: "reach"}},
		}})
		evt = nextRequest(t, fake, client, socketmode.EventTypeInteractive)
		cb = evt.Data.(slack.InteractionCallback)
		values := cb.View.State.Values
		got = []string{string(cb.Type), cb.View.ID, cb.View.CallbackID, cb.View.PrivateMetadata,
			values["audience"]["answer"].Value, values["stage"]["pick"].SelectedOption.Value}
		want := []string{"view_submission", view.ID, "edit_answers", "plan=7", "Marketing leads", "reach"}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("view submission (-want +got):\n%s", diff)
		}
		if !evt.Request.AcceptsResponsePayload {
			t.Error("view_submission does not accept a response payload")
		}
		client.Ack(*evt.Request, slack.NewErrorsViewSubmissionResponse(map[string]string{"audience": "Too short"}))
		var resp slack.ViewSubmissionResponse
		if err := json.Unmarshal(fake.WaitAck(t, id).Payload, &resp); err != nil || resp.ResponseAction != slack.RAErrors {
			t.Errorf("ack payload = %+v (%v), want response_action errors", resp, err)
		}
	})

	t.Run("reconnect", func(t *testing.T) {
		fake.Disconnect("refresh_requested")
		fake.WaitConnections(t, 2)
		if n := len(fake.Calls("apps.connections.open")); n != 2 {
			t.Errorf("apps.connections.open called %d times, want 2", n)
		}
		id := fake.SendEvent(slackfake.MessageEvent{Channel: "C1", User: "U1", Text: "back"})
		evt := nextRequest(t, fake, client, socketmode.EventTypeEventsAPI)
		if msg := evt.Data.(slackevents.EventsAPIEvent).InnerEvent.Data.(*slackevents.MessageEvent); msg.Text != "back" {
			t.Errorf("after reconnect got %q, want back", msg.Text)
		}
		client.Ack(*evt.Request)
		fake.WaitAck(t, id)
	})
}

func TestSocketModeWithoutAppTokenFails(t *testing.T) {
	fake := slackfake.New(t)
	api := slack.New("xoxb-test", slack.OptionAPIURL(fake.APIURL()))
	// The timeout only keeps a regression from hanging the run: not_authed
	// must end RunContext at once.
	ctx, cancel := context.WithTimeout(t.Context(), slackfake.DefaultWaitTimeout)
	defer cancel()
	err := socketmode.New(api).RunContext(ctx)
	if !isSlackError(err, "not_authed") {
		t.Errorf("RunContext without app token: err = %v, want not_authed", err)
	}
	if n := fake.Connections(); n != 0 {
		t.Errorf("Connections() = %d, want 0", n)
	}
}

func TestEnvelopesKeepOrderAcrossReconnects(t *testing.T) {
	fake := slackfake.New(t)
	client, _ := startSocketMode(t, fake)
	fake.WaitConnections(t, 1)

	var sent, ids []string
	for i, text := range []string{"one", "two", "three", "four"} {
		if i == 2 {
			fake.Disconnect("warning")
		}
		ids = append(ids, fake.SendEvent(slackfake.MessageEvent{Channel: "C1", User: "U1", Text: text}))
		sent = append(sent, text)
	}
	var got []string
	for range sent {
		evt := nextRequest(t, fake, client, socketmode.EventTypeEventsAPI)
		got = append(got, evt.Data.(slackevents.EventsAPIEvent).InnerEvent.Data.(*slackevents.MessageEvent).Text)
		client.Ack(*evt.Request)
	}
	if diff := cmp.Diff(sent, got); diff != "" {
		t.Errorf("delivery order (-sent +received):\n%s", diff)
	}
	// Acks of "one" and "two" may be lost: slack-go can hand them to the
	// connection it is tearing down, as it would with Slack. Envelopes that
	// went out on the new connection are acked on it.
	fake.WaitAck(t, ids[2])
	fake.WaitAck(t, ids[3])
	if fake.Connections() != 2 {
		t.Errorf("Connections() = %d, want 2", fake.Connections())
	}
}

func TestRedeliverLooksLikeSlackRetry(t *testing.T) {
	fake := slackfake.New(t)
	client, _ := startSocketMode(t, fake)

	first := fake.SendEvent(slackfake.MessageEvent{Channel: "C1", User: "U1", Text: "leads 310"})
	evt := nextRequest(t, fake, client, socketmode.EventTypeEventsAPI)
	eventID := evt.Data.(slackevents.EventsAPIEvent).Data.(*slackevents.EventsAPICallbackEvent).EventID

	retry := fake.Redeliver(first)
	if retry == "" || retry == first {
		t.Fatalf("Redeliver(%s) = %q, want a new envelope id", first, retry)
	}
	evt = nextRequest(t, fake, client, socketmode.EventTypeEventsAPI)
	again := evt.Data.(slackevents.EventsAPIEvent).Data.(*slackevents.EventsAPICallbackEvent)
	got := []any{evt.Request.EnvelopeID, again.EventID, evt.Request.RetryAttempt, evt.Request.RetryReason}
	if diff := cmp.Diff([]any{retry, eventID, 1, "timeout"}, got); diff != "" {
		t.Errorf("redelivery (-want +got):\n%s", diff)
	}
	if second := fake.Redeliver(retry); second == "" {
		t.Fatal("Redeliver of a redelivery failed")
	}
	evt = nextRequest(t, fake, client, socketmode.EventTypeEventsAPI)
	if evt.Request.RetryAttempt != 2 {
		t.Errorf("second retry_attempt = %d, want 2", evt.Request.RetryAttempt)
	}
	if fake.Redeliver("no-such-envelope") != "" {
		t.Error("Redeliver of an unknown envelope returned an id")
	}
}
