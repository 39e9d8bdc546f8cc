package slackfake_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"

	"github.com/racebot/racebot/internal/slackfake"
)

// verifyAndRead checks a request the way an HTTP-mode app must, with
// slack-go's own verifier, and returns the body.
func verifyAndRead(t *testing.T, r *http.Request, secret string) []byte {
	t.Helper()
	v, err := slack.NewSecretsVerifier(r.Header, secret)
	if err != nil {
		t.Fatalf("NewSecretsVerifier: %v", err)
	}
	body, err := io.ReadAll(io.TeeReader(r.Body, &v))
	if err != nil {
		t.Fatalf("read body: %v", err)
	}
	if err := v.Ensure(); err != nil {
		t.Fatalf("signature rejected: %v", err)
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	return body
}

func TestSignedRequestPassesSlackVerifier(t *testing.T) {
	const secret = "8f742231b10e8888abcd99yyyzzz85a5"
	var got slack.SlashCommand
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		verifyAndRead(t, r, secret)
		var err error
		if got, err = slack.SlashCommandParse(r); err != nil {
			t.Errorf("SlashCommandParse: %v", err)
		}
	}))
	defer srv.Close()

	cmd := slackfake.SlashCommand{Command: "/race", Text: "status", UserID: "U1", ChannelID: "C1", ResponseURL: "http://127.0.0.1/hooks/x"}
	req := slackfake.SignedRequest(secret, srv.URL+"/slack/commands", slackfake.FormBody(cmd), time.Now())
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("POST: %v", err)
	}
	resp.Body.Close()

	got.TriggerID = "" // random
	want := slack.SlashCommand{
		Token: "verification-token", TeamID: slackfake.TeamID, TeamDomain: slackfake.TeamDomain,
		ChannelID: "C1", ChannelName: "c1", UserID: "U1", UserName: "u1", Command: "/race", Text: "status",
		ResponseURL: "http://127.0.0.1/hooks/x", APIAppID: slackfake.AppID,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("parsed slash command (-want +got):\n%s", diff)
	}
}

func TestSignature(t *testing.T) {
	// The worked example from Slack's "Verifying requests from Slack" guide.
	body := []byte("token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c")
	got := slackfake.Signature("8f742231b10e8888abcd99yyyzzz85a5", "1531420618", body)
	const want = "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503"
	if got != want {
		t.Errorf("Signature = %s, want %s", got, want)
	}
}

func TestInteractionBodyParses(t *testing.T) {
	tests := []struct {
		name    string
		payload any
		check   func(t *testing.T, cb slack.InteractionCallback)
	}{
		{
			name:    "block action in a message",
			payload: slackfake.BlockAction{ActionID: "use_draft", Value: "d1", UserID: "U1", ChannelID: "C1", MessageTS: "1732380000.000100", ThreadTS: "1732370000.000100"},
			check: func(t *testing.T, cb slack.InteractionCallback) {
				a := cb.ActionCallback.BlockActions[0]
				got := []string{string(cb.Type), a.ActionID, a.Value, string(a.Type), cb.Container.ThreadTs, cb.Team.ID}
				want := []string{"block_actions", "use_draft", "d1", "button", "1732370000.000100", slackfake.TeamID}
				if diff := cmp.Diff(want, got); diff != "" {
					t.Errorf("(-want +got):\n%s", diff)
				}
			},
		},
		{
			name:    "select in a view",
			payload: slackfake.BlockAction{ActionID: "stage", Type: "static_select", SelectedOption: "convert", UserID: "U1", ViewID: "V1"},
			check: func(t *testing.T, cb slack.InteractionCallback) {
				a := cb.ActionCallback.BlockActions[0]
				if a.SelectedOption.Value != "convert" || cb.Container.ViewID != "V1" || cb.View.ID != "V1" || cb.ResponseURL != "" {
					t.Errorf("got option %q container %+v view %q response_url %q", a.SelectedOption.Value, cb.Container, cb.View.ID, cb.ResponseURL)
				}
			},
		},
		{
			name: "view submission",
			payload: slackfake.ViewSubmission{ViewID: "V2", CallbackID: "kpi_values", UserID: "U3", Values: map[string]map[string]slackfake.Input{
				"visitors": {"value": {Type: "number_input", Value: "12400"}},
				"due":      {"date": {SelectedDate: "2025-03-31"}},
				"owner":    {"user": {SelectedUser: "U4"}},
				"channels": {"pick": {SelectedOptions: []string{"seo", "email"}}},
				"note":     {"text": {}},
			}},
			check: func(t *testing.T, cb slack.InteractionCallback) {
				v := cb.View.State.Values
				got := []string{cb.View.CallbackID, cb.User.ID, v["visitors"]["value"].Value, v["due"]["date"].SelectedDate,
					v["owner"]["user"].SelectedUser, v["channels"]["pick"].SelectedOptions[1].Value, v["note"]["text"].Value}
				want := []string{"kpi_values", "U3", "12400", "2025-03-31", "U4", "email", ""}
				if diff := cmp.Diff(want, got); diff != "" {
					t.Errorf("(-want +got):\n%s", diff)
				}
			},
		},
		{
			name:    "raw JSON",
			payload: json.RawMessage(`{"type":"shortcut","callback_id":"new_plan","trigger_id":"1.2.3"}`),
			check: func(t *testing.T, cb slack.InteractionCallback) {
				if cb.Type != slack.InteractionTypeShortcut || cb.CallbackID != "new_plan" {
					t.Errorf("got %+v", cb)
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := slackfake.SignedRequest("s3cret", "http://127.0.0.1/slack/events", slackfake.InteractionBody(tt.payload), time.Now())
			verifyAndRead(t, req, "s3cret")
			cb, err := slack.InteractionCallbackParse(req)
			if err != nil {
				t.Fatalf("InteractionCallbackParse: %v", err)
			}
			tt.check(t, cb)
		})
	}
}

func TestEventBodyParses(t *testing.T) {
	tests := []struct {
		name  string
		event slackfake.Payload
		check func(t *testing.T, ev slackevents.EventsAPIEvent)
	}{
		{
			name:  "thread reply",
			event: slackfake.MessageEvent{Channel: "C1", User: "U1", Text: "back", TS: "1732380001.000200", ThreadTS: "1732380000.000100"},
			check: func(t *testing.T, ev slackevents.EventsAPIEvent) {
				m := ev.InnerEvent.Data.(*slackevents.MessageEvent)
				got := []string{m.Text, m.TimeStamp, m.ThreadTimeStamp, m.BotID, m.SubType}
				if diff := cmp.Diff([]string{"back", "1732380001.000200", "1732380000.000100", "", ""}, got); diff != "" {
					t.Errorf("(-want +got):\n%s", diff)
				}
			},
		},
		{
			name:  "bot message in a DM",
			event: slackfake.MessageEvent{Channel: "DU1", BotID: slackfake.BotID, SubType: "bot_message", Text: "nudge"},
			check: func(t *testing.T, ev slackevents.EventsAPIEvent) {
				m := ev.InnerEvent.Data.(*slackevents.MessageEvent)
				if m.BotID != slackfake.BotID || m.SubType != "bot_message" || m.ChannelType != "im" {
					t.Errorf("got %+v", m)
				}
			},
		},
		{
			name: "edit of a thread reply",
			event: slackfake.MessageChanged{Channel: "C1", User: "U1", TS: "1732380001.000200", ThreadTS: "1732380000.000100",
				Text: "new words", PreviousText: "old words", EditTS: "1732380009.000300"},
			check: func(t *testing.T, ev slackevents.EventsAPIEvent) {
				m := ev.InnerEvent.Data.(*slackevents.MessageEvent)
				if m.SubType != "message_changed" || m.TimeStamp != "1732380009.000300" || m.User != "" || m.Message == nil || m.PreviousMessage == nil {
					t.Fatalf("got %+v", m)
				}
				got := []string{m.Message.User, m.Message.Text, m.Message.Timestamp, m.Message.ThreadTimestamp, m.PreviousMessage.Text, m.PreviousMessage.Timestamp}
				if diff := cmp.Diff([]string{"U1", "new words", "1732380001.000200", "1732380000.000100", "old words", "1732380001.000200"}, got); diff != "" {
					t.Errorf("(-want +got):\n%s", diff)
				}
				if !m.IsEdited() || m.Message.Edited.User != "U1" || m.Message.Edited.Timestamp != "1732380009.000300" {
					t.Errorf("edited = %+v", m.Message.Edited)
				}
			},
		},
		{
			name: "deletion of a thread reply",
			event: slackfake.MessageDeleted{Channel: "G1", User: "U1", TS: "1732380001.000200", ThreadTS: "1732380000.000100",
				PreviousText: "old words", DeleteTS: "1732380009.000300"},
			check: func(t *testing.T, ev slackevents.EventsAPIEvent) {
				m := ev.InnerEvent.Data.(*slackevents.MessageEvent)
				if m.SubType != "message_deleted" || m.DeletedTimeStamp != "1732380001.000200" || m.ChannelType != "group" || m.PreviousMessage == nil {
					t.Fatalf("got %+v", m)
				}
				got := []string{m.PreviousMessage.User, m.PreviousMessage.Text, m.PreviousMessage.ThreadTimestamp, m.TimeStamp}
				if diff := cmp.Diff([]string{"U1", "old words", "1732380000.000100", "1732380009.000300"}, got); diff != "" {
					t.Errorf("(-want +got):\n%s", diff)
				}
			},
		},
		{
			name:  "app home opened",
			event: slackfake.AppHomeOpened{User: "U1"},
			check: func(t *testing.T, ev slackevents.EventsAPIEvent) {
				h := ev.InnerEvent.Data.(*slackevents.AppHomeOpenedEvent)
				if h.User != "U1" || h.Tab != "home" || h.Channel != "DU1" {
					t.Errorf("got %+v", h)
				}
			},
		},
		{
			name:  "any other event",
			event: slackfake.EventCallback{Event: map[string]any{"type": "app_mention", "user": "U1", "text": "<@UBOT> status", "channel": "C1", "ts": "1.2"}},
			check: func(t *testing.T, ev slackevents.EventsAPIEvent) {
				if m := ev.InnerEvent.Data.(*slackevents.AppMentionEvent); m.Text != "<@UBOT> status" {
					t.Errorf("got %+v", m)
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := slackfake.EventBody(tt.event)
			ev, err := slackevents.ParseEvent(body, slackevents.OptionNoVerifyToken())
			if err != nil {
				t.Fatalf("ParseEvent: %v\n%s", err, body)
			}
			if ev.Type != slackevents.CallbackEvent || ev.TeamID != slackfake.TeamID {
				t.Errorf("outer event type %q team %q", ev.Type, ev.TeamID)
			}
			tt.check(t, ev)
		})
	}
}

func TestURLVerificationBody(t *testing.T) {
	ev, err := slackevents.ParseEvent(slackfake.URLVerificationBody("abc123"), slackevents.OptionNoVerifyToken())
	if err != nil {
		t.Fatalf("ParseEvent: %v", err)
	}
	uv, ok := ev.Data.(*slackevents.EventsAPIURLVerificationEvent)
	if !ok || uv.Challenge != "abc123" {
		t.Errorf("got %T %+v", ev.Data, ev.Data)
	}
	if !strings.Contains(string(slackfake.URLVerificationBody("x")), `"url_verification"`) {
		t.Error("body lacks its type")
	}
}
