package bench

import (
	"encoding/json"
	"net/url"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// richText is the part of a message event that repeats the text as a
// rich_text block.
type richText struct {
	Event struct {
		Text   string `json:"text"`
		Blocks []struct {
			Type     string `json:"type"`
			Elements []struct {
				Type     string `json:"type"`
				Elements []struct {
					Type   string `json:"type"`
					Text   string `json:"text"`
					UserID string `json:"user_id"`
					URL    string `json:"url"`
				} `json:"elements"`
			} `json:"elements"`
		} `json:"blocks"`
	} `json:"event"`
}

// markup renders the rich_text block back into Slack's markup, which must
// be the text field: Slack sends the same words twice.
func (r richText) markup() string {
	var sb strings.Builder
	for _, b := range r.Event.Blocks {
		for _, sec := range b.Elements {
			for _, e := range sec.Elements {
				switch e.Type {
				case "text":
					sb.WriteString(e.Text)
				case "user":
					sb.WriteString("<@" + e.UserID + ">")
				case "link":
					sb.WriteString("<" + e.URL + "|" + e.Text + ">")
				}
			}
		}
	}
	return sb.String()
}

func TestAnswerBodyIsAMessageEventAsSlackSendsIt(t *testing.T) {
	p := Plan{Channel: "CR000042", Thread: "1700000000.000042"}
	for _, i := range []uint64{0, 1, 3, 5, 123456} {
		m := Answer(i, p)
		body := m.AppendBody(nil)
		if n := len(body); n < 2000 || n > 3200 {
			t.Errorf("answer %d: body is %d bytes, want about 2–3 KB", i, n)
		}
		var env struct {
			Type           string `json:"type"`
			TeamID         string `json:"team_id"`
			EventID        string `json:"event_id"`
			EventContext   string `json:"event_context"`
			Authorizations []struct {
				UserID string `json:"user_id"`
				IsBot  bool   `json:"is_bot"`
			} `json:"authorizations"`
			Event struct {
				Type        string `json:"type"`
				User        string `json:"user"`
				Channel     string `json:"channel"`
				TS          string `json:"ts"`
				ThreadTS    string `json:"thread_ts"`
				ClientMsgID string `json:"client_msg_id"`
				UserTeam    string `json:"user_team"`
				SourceTeam  string `json:"source_team"`
			} `json:"event"`
		}
		if err := json.Unmarshal(body, &env); err != nil {
			t.Fatalf("answer %d: %v\n%s", i, err, body)
		}
		if env.Type != "event_callback" || env.Event.Type != "message" || env.EventID != m.EventID ||
			env.Event.Channel != p.Channel || env.Event.ThreadTS != p.Thread || env.Event.TS != m.TS || env.Event.User != m.User ||
			env.TeamID != Team || env.Event.UserTeam != Team || env.Event.SourceTeam != Team ||
			len(env.Event.ClientMsgID) != 36 || !strings.HasPrefix(env.EventContext, "4-") ||
			len(env.Authorizations) != 1 || env.Authorizations[0].UserID != BotUserID || !env.Authorizations[0].IsBot {
			t.Errorf("answer %d: envelope %+v", i, env)
		}
		var rt richText
		if err := json.Unmarshal(body, &rt); err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(m.Markup(), rt.Event.Text); diff != "" {
			t.Errorf("answer %d: text field (-want +got):\n%s", i, diff)
		}
		if diff := cmp.Diff(rt.Event.Text, rt.markup()); diff != "" {
			t.Errorf("answer %d: rich_text block differs from the text (-text +block):\n%s", i, diff)
		}
		if got, want := strings.Contains(rt.Event.Text, "<@U"), i%3 == 0; got != want {
			t.Errorf("answer %d: mention %v, want %v", i, got, want)
		}
		if got, want := strings.Contains(rt.Event.Text, "<https://"), i%5 == 0; got != want {
			t.Errorf("answer %d: link %v, want %v", i, got, want)
		}
	}
	if Answer(1, p).AppendBody(nil)[0] != '{' || string(Answer(1, p).AppendBody(nil)) == string(Answer(2, p).AppendBody(nil)) {
		t.Error("two answers have the same body")
	}
}

func TestMessageEscapesOnlyWhatJSONNeeds(t *testing.T) {
	m := Message{EventID: "Ev1", Channel: "C1", User: "U1", Thread: "1.1", TS: "1.2", Text: "say \"hi\" \\ é\n<tag> & co"}
	var rt richText
	if err := json.Unmarshal(m.AppendBody(nil), &rt); err != nil {
		t.Fatal(err)
	}
	if rt.Event.Text != m.Text {
		t.Errorf("text %q, want %q", rt.Event.Text, m.Text)
	}
	if strings.Contains(string(m.AppendBody(nil)), `\u003c`) {
		t.Error("< escaped as \\u003c; Slack sends it as it is")
	}
}

func TestCommandBodyHasEverySlackField(t *testing.T) {
	c := Command{Channel: "C1", User: "U1", Text: "help", ResponseURL: "http://127.0.0.1:1/commands/x", Seq: 7}
	form, err := url.ParseQuery(string(c.Body()))
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"token", "team_id", "team_domain", "channel_id", "channel_name", "user_id", "user_name",
		"command", "text", "api_app_id", "is_enterprise_install", "response_url", "trigger_id"} {
		if form.Get(k) == "" {
			t.Errorf("field %s is missing or empty", k)
		}
	}
	if form.Get("command") != "/race" || form.Get("text") != "help" || form.Get("channel_id") != "C1" || form.Get("response_url") != c.ResponseURL {
		t.Errorf("form %v", form)
	}
	other := c
	other.Seq = 8
	if form.Get("trigger_id") == mustForm(t, other.Body()).Get("trigger_id") {
		t.Error("two commands share a trigger_id")
	}
}

func mustForm(t *testing.T, b []byte) url.Values {
	t.Helper()
	v, err := url.ParseQuery(string(b))
	if err != nil {
		t.Fatal(err)
	}
	return v
}
