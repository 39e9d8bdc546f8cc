package bot

import (
	"encoding/json"
	"os"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/racebot/racebot/internal/slackfake"
	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
)

// messageEventBody is a thread reply as Slack sends it, about 2.5 KB: the
// text in Slack's markup and again as a rich_text block with a mention and
// a link, the author's profile, authorizations and event context (made by
// bench.Answer).
func messageEventBody(tb testing.TB) []byte {
	tb.Helper()
	body, err := os.ReadFile("testdata/message-event.json")
	if err != nil {
		tb.Fatal(err)
	}
	return body
}

// msgFields compares slack.Msg values on the fields decodeMessageEvent
// fills; the rest (blocks, attachments, files, the author's profile) it
// leaves out on purpose.
var msgFields = cmp.Transformer("msgFields", func(m *slack.Msg) *slack.Msg {
	if m == nil {
		return nil
	}
	return &slack.Msg{ClientMsgID: m.ClientMsgID, Type: m.Type, SubType: m.SubType, Channel: m.Channel, User: m.User, BotID: m.BotID,
		Text: m.Text, Timestamp: m.Timestamp, ThreadTimestamp: m.ThreadTimestamp, Edited: m.Edited,
		DeletedTimestamp: m.DeletedTimestamp, EventTimestamp: m.EventTimestamp}
})

// TestDecodeMessageEventAsSlackevents: the small decoder reads every kind
// of message event racebot handles as slackevents.ParseEvent does, on
// every field racebot reads, and leaves everything else to it.
func TestDecodeMessageEventAsSlackevents(t *testing.T) {
	t.Parallel()
	bodies := map[string][]byte{
		"reply with blocks": messageEventBody(t),
		"reply":             slackfake.EventBody(slackfake.MessageEvent{Channel: "C1", User: "UANA", Text: "An <answer> &amp; more", ThreadTS: "1.1", TS: "1.2", EventID: "Ev1"}),
		"broadcast":         slackfake.EventBody(slackfake.MessageEvent{Channel: "C1", User: "UANA", Text: "Also here", ThreadTS: "1.1", SubType: "thread_broadcast"}),
		"bot":               slackfake.EventBody(slackfake.MessageEvent{Channel: "C1", BotID: "B1", SubType: "bot_message", Text: "beep", ThreadTS: "1.1"}),
		"edit":              slackfake.EventBody(slackfake.MessageChanged{Channel: "C1", User: "UANA", Editor: "UBEN", TS: "1.2", ThreadTS: "1.1", Text: "new", PreviousText: "old"}),
		"delete":            slackfake.EventBody(slackfake.MessageDeleted{Channel: "G1", User: "UANA", TS: "1.2", ThreadTS: "1.1", PreviousText: "gone"}),
		"message null":      []byte(`{"type":"event_callback","team_id":"T1","event_id":"Ev2","event":{"type":"message","channel":"C1","user":"U1","text":"x","ts":"1.3","thread_ts":"1.1","message":null}}`),
		"nulls":             []byte(`{"type":"event_callback","token":null,"event_time":null,"authorizations":[null,{"team_id":"T1","is_bot":true}],"event":{"type":"message","text":"x","edited":null,"ts":"1.3"}}`),
		"escaped text":      []byte(`{"type":"event_callback","event":{"type":"message","text":"caf\u00e9 \"quoted\" \ud83d\ude00","ts":"1.3"}}`),
	}
	for name, body := range bodies {
		t.Run(name, func(t *testing.T) {
			want, err := slackevents.ParseEvent(json.RawMessage(body), slackevents.OptionNoVerifyToken())
			if err != nil {
				t.Fatalf("slackevents: %v", err)
			}
			got, ok := decodeMessageEvent(body)
			if !ok {
				t.Fatal("not decoded as a message event")
			}
			opts := cmp.Options{
				msgFields,
				cmpopts.IgnoreFields(slackevents.EventsAPICallbackEvent{}, "InnerEvent", "AuthedUsers", "AuthedTeams"),
				cmpopts.IgnoreFields(slackevents.MessageEvent{}, "Blocks", "Root", "Username", "Icons", "WorkflowID",
					"AssistantThread", "ActionToken", "AppContext", "Room", "NoNotifications", "Permalink"),
			}
			if diff := cmp.Diff(want, got, opts); diff != "" {
				t.Errorf("decoded differently from slackevents (-slackevents +small):\n%s", diff)
			}
		})
	}
}

// FuzzDecodeMessageEvent: whatever body the small decoder takes as a
// message event, slackevents reads the same on every field racebot reads.
func FuzzDecodeMessageEvent(f *testing.F) {
	f.Add(messageEventBody(f))
	f.Add(slackfake.EventBody(slackfake.MessageChanged{Channel: "C1", User: "UANA", Editor: "UBEN", TS: "1.2", ThreadTS: "1.1", Text: "new", PreviousText: "old"}))
	f.Add([]byte(`{"type":"event_callback","team_id":"T1","TEAM_ID":"T2","event":{"type":"message","Text":"a","text":"b","ts":"1.3","thread_ts":"1.1"}}`))
	f.Add([]byte("{\"type\":\"event_callback\",\"event\":{\"type\":\"message\",\"text\":\"\xff\xfe\",\"ts\":\"1.3\"}}"))
	f.Fuzz(func(t *testing.T, body []byte) {
		got, ok := decodeMessageEvent(body)
		if !ok {
			return
		}
		want, err := slackevents.ParseEvent(json.RawMessage(body), slackevents.OptionNoVerifyToken())
		if err != nil {
			return // slackevents refuses what the small decoder reads: racebot then answers it
		}
		opts := cmp.Options{
			msgFields,
			cmpopts.EquateEmpty(),
			cmpopts.IgnoreFields(slackevents.EventsAPICallbackEvent{}, "InnerEvent", "AuthedUsers", "AuthedTeams"),
			cmpopts.IgnoreFields(slackevents.MessageEvent{}, "Blocks", "Root", "Username", "Icons", "WorkflowID",
				"AssistantThread", "ActionToken", "AppContext", "Room", "NoNotifications", "Permalink"),
		}
		if diff := cmp.Diff(want, got, opts); diff != "" {
			t.Errorf("decoded differently from slackevents (-slackevents +small):\n%s", diff)
		}
	})
}

// TestDecodeMessageEventLeavesTheRest: anything but a message event, and
// anything unreadable, is left to slackevents.
func TestDecodeMessageEventLeavesTheRest(t *testing.T) {
	t.Parallel()
	for name, body := range map[string][]byte{
		"app home":         slackfake.EventBody(slackfake.AppHomeOpened{User: "UANA"}),
		"url verification": slackfake.URLVerificationBody("challenge"),
		"null event":       []byte(`{"type":"event_callback","event":null}`),
		"no event":         []byte(`{"type":"event_callback"}`),
		"not an object":    []byte(`{"type":"event_callback","event":"message"}`),
		"wrong type":       []byte(`{"type":"event_callback","event":{"type":"message","edited":"yes"}}`),
		"truncated":        messageEventBody(t)[:1000],
		"empty":            nil,
		"array":            []byte(`[]`),
		// What encoding/json might read otherwise: it folds case (and
		// "ſ" to "s"), unescapes names, and takes the last of two.
		"folded name":    []byte(`{"type":"event_callback","event":{"type":"message","Text":"a","ts":"1.3"}}`),
		"non-ASCII name": []byte(`{"type":"event_callback","event":{"type":"message","ſubtype":"bot_message","ts":"1.3"}}`),
		"escaped name":   []byte(`{"type":"event_callback","event":{"type":"message","\u0074ext":"a","ts":"1.3"}}`),
		"name twice":     []byte(`{"type":"event_callback","event":{"type":"message","text":"a","text":"b","ts":"1.3"}}`),
		"fraction":       []byte(`{"type":"event_callback","event_time":1.5,"event":{"type":"message","ts":"1.3"}}`),
		"trailing data":  []byte(`{"type":"event_callback","event":{"type":"message","ts":"1.3"}} {}`),
	} {
		if _, ok := decodeMessageEvent(body); ok {
			t.Errorf("%s: decoded as a message event", name)
		}
	}
}

// BenchmarkDecodeMessageEvent compares decoding a 2.5 KB thread reply with
// slackevents.ParseEvent, as racebot did, and with decodeMessageEvent.
func BenchmarkDecodeMessageEvent(b *testing.B) {
	body := messageEventBody(b)
	b.Run("slackevents", func(b *testing.B) {
		b.SetBytes(int64(len(body)))
		b.ReportAllocs()
		for b.Loop() {
			ev, err := slackevents.ParseEvent(json.RawMessage(body), slackevents.OptionNoVerifyToken())
			if err != nil || ev.InnerEvent.Data.(*slackevents.MessageEvent).Text == "" {
				b.Fatal(err)
			}
		}
	})
	b.Run("small", func(b *testing.B) {
		b.SetBytes(int64(len(body)))
		b.ReportAllocs()
		for b.Loop() {
			ev, ok := decodeMessageEvent(body)
			if !ok || ev.InnerEvent.Data.(*slackevents.MessageEvent).Text == "" {
				b.Fatal("not decoded")
			}
		}
	})
}
