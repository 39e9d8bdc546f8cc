package bot

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/racebot/racebot/coach"
	"github.com/racebot/racebot/flows"
	"github.com/racebot/racebot/internal/slackfake"
	"github.com/racebot/racebot/internal/testdb"
	"github.com/racebot/racebot/storage"
	"github.com/slack-go/slack"
)

// FuzzVerify checks Slack signature verification on arbitrary secrets,
// timestamps, signatures and bodies: it never panics, accepts only a
// signature that is the HMAC of exactly this body and timestamp within the
// replay window, and always accepts the honest signature of such a body.
func FuzzVerify(f *testing.F) {
	now := time.Unix(1_700_000_000, 0)
	body := slackfake.FormBody(slackfake.SlashCommand{Command: "/race", Text: "new Q1", UserID: "UANA", ChannelID: "C1"})
	f.Add(secret, "1700000000", slackfake.Signature(secret, "1700000000", body), body)
	f.Add(secret, "1699999800", "v0=00", []byte(`{"type":"event_callback"}`))
	f.Add("", "1700000000", "v0=", []byte{})
	f.Add("s", "+1700000000", "V0=ABCDEF", []byte("payload=%7B%7D"))
	f.Add("s", "99999999999999999999", "v0=zz", []byte("x"))
	f.Add("s", "1700000301", "v0=", []byte("x"))
	f.Fuzz(func(t *testing.T, secret, ts, sig string, body []byte) {
		err := Verify(secret, signedHeader(ts, sig), body, now)
		valid := secret != "" && fresh(ts, now)
		if err == nil {
			want := mac(secret, ts, body)
			got, ok := strings.CutPrefix(sig, "v0=")
			raw, herr := hex.DecodeString(got)
			if !valid || !ok || herr != nil || !bytes.Equal(raw, want) {
				t.Fatalf("Verify accepted secret %q ts %q sig %q body %q", secret, ts, sig, body)
			}
		}
		honest := "v0=" + hex.EncodeToString(mac(secret, ts, body))
		if err := Verify(secret, signedHeader(ts, honest), body, now); (err == nil) != valid {
			t.Fatalf("Verify(honest signature, secret %q, ts %q) = %v, want valid=%v", secret, ts, err, valid)
		}
		if valid {
			tampered := append(bytes.Clone(body), ' ')
			if Verify(secret, signedHeader(ts, honest), tampered, now) == nil {
				t.Fatalf("Verify accepted a body changed after signing: %q", tampered)
			}
		}
	})
}

func signedHeader(ts, sig string) http.Header {
	return http.Header{"X-Slack-Request-Timestamp": {ts}, "X-Slack-Signature": {sig}}
}

func mac(secret, ts string, body []byte) []byte {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte("v0:" + ts + ":"))
	m.Write(body)
	return m.Sum(nil)
}

func fresh(ts string, now time.Time) bool {
	n, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return false
	}
	d := now.Sub(time.Unix(n, 0))
	return d <= replayWindow && d >= -replayWindow
}

// Kinds of body FuzzHTTPPayload sends; the fuzzed bytes are the whole body
// or the part a person or Slack controls.
const (
	fuzzRawJSON     = iota // the body as is, as JSON (events)
	fuzzRawForm            // the body as is, as a form
	fuzzInteraction        // payload=<the bytes>, as an interaction
	fuzzCommand            // /race <the bytes>, as a slash command
	fuzzReply              // the bytes as a reply in a plan's thread
	fuzzKinds
)

// FuzzHTTPPayload posts correctly signed, randomly filled bodies of every
// kind Slack sends into the HTTP front door, backed by a real SQLite file.
// Whatever arrives, the answer is 200, 400 or 401 (413 for a body over the
// limit), never a 5xx, and nothing panics, in the handler or in the work
// it leaves for after the acknowledgement.
func FuzzHTTPPayload(f *testing.F) {
	ctx := context.Background()
	api := newFuzzSlack(f)
	db, err := storage.Open(ctx, testdb.Path(f))
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { db.Close() })
	panics := &panicCounter{}
	b := New(Config{API: NewAPI("xoxb-x", "", api.URL+"/api/"), Service: coach.New(coach.Config{Catalogue: flows.RACE(), Store: db}),
		Logger: slog.New(panics), PostInterval: time.Microsecond})
	// A slow input on a busy machine is not what this target looks for.
	b.ackWithin = testAckWindow
	if err := b.Start(ctx); err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() {
		sctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		b.Shutdown(sctx)
	})
	h := b.HTTPHandler(secret)

	// A plan with a thread, so replies and buttons can reach one.
	p := flows.NewPlan(slackfake.TeamID, "C1", "Fuzz plan", "UANA", time.Now())
	if p.ID, err = db.CreatePlan(ctx, p, ""); err != nil {
		f.Fatal(err)
	}
	const thread = "1700000000.000001"
	if _, err := db.BindThread(ctx, slackfake.TeamID, p.ID, thread); err != nil {
		f.Fatal(err)
	}
	value := fmt.Sprintf("%d|%s", p.ID, flows.RACE().Stages[0].Steps()[0].ID)

	seeds := map[int][]string{
		fuzzRawJSON: {
			string(slackfake.EventBody(slackfake.MessageEvent{Channel: "C1", User: "UANA", Text: "An answer", ThreadTS: thread})),
			string(slackfake.EventBody(slackfake.AppHomeOpened{User: "UANA"})),
			string(slackfake.URLVerificationBody("challenge")),
			`{"type":"event_callback","event":{"type":"message","subtype":"message_changed"}}`,
			`{"type":"event_callback","event":null}`, `{`, `[]`, ``,
		},
		fuzzRawForm: {
			string(slackfake.FormBody(slackfake.SlashCommand{Command: "/race", Text: "status", UserID: "UANA", ChannelID: "C1"})),
			string(slackfake.InteractionBody(slackfake.BlockAction{ActionID: actionSkip, Value: value, UserID: "UANA", ChannelID: "C1"})),
			"command=%2Frace", "payload=%7B", "%zz", "a=1&b=2",
		},
		fuzzInteraction: {
			interactionJSON(slackfake.BlockAction{ActionID: actionDraft, Value: value, UserID: "UANA", ChannelID: "C1"}),
			interactionJSON(slackfake.BlockAction{ActionID: actionEditStage, Value: fmt.Sprintf("%d|plan", p.ID), UserID: "UANA", ChannelID: "C1"}),
			interactionJSON(slackfake.BlockAction{ActionID: actionDeleteConfirm, Value: fmt.Sprintf("%d", p.ID+1), UserID: "UEVE", ChannelID: "C1"}),
			interactionJSON(slackfake.ViewSubmission{CallbackID: callbackEditAnswers, PrivateMetadata: `{"p":1,"s":"plan","c":"C1"}`, UserID: "UANA"}),
			interactionJSON(slackfake.ViewSubmission{CallbackID: callbackValues, PrivateMetadata: `{}`, UserID: "UANA"}),
			`{"type":"block_actions","actions":[{"action_id":"race_skip","value":"-1|x"}]}`, `null`, `"x"`,
		},
		fuzzCommand: {"new Fuzz two", "status", "plans", "help", "edit reach 2", "delete Fuzz two --yes", "kpi reach", "values visitors 12k", "frobnicate", ""},
		fuzzReply:   {"We sell coffee.", "skip", "back", "done", "draft", "<@UOTHER> hi", "// aside", "x | impact 4 | effort 2", "stage act"},
	}
	for kind, bodies := range seeds {
		for _, s := range bodies {
			f.Add(uint8(kind), []byte(s))
		}
	}
	var seq atomic.Int64
	f.Fuzz(func(t *testing.T, kind uint8, data []byte) {
		n := seq.Add(1)
		var body []byte
		contentType := "application/x-www-form-urlencoded"
		wellFormed := true
		switch int(kind) % fuzzKinds {
		case fuzzRawJSON:
			body, contentType, wellFormed = data, "application/json", false
		case fuzzRawForm:
			body, wellFormed = data, false
		case fuzzInteraction:
			var cb slack.InteractionCallback
			body, wellFormed = []byte(url.Values{"payload": {string(data)}}.Encode()), json.Unmarshal(data, &cb) == nil
		case fuzzCommand:
			body = slackfake.FormBody(slackfake.SlashCommand{Command: "/race", Text: string(data), UserID: "UFUZZ", ChannelID: "C1"})
		case fuzzReply:
			body = slackfake.EventBody(slackfake.MessageEvent{Channel: "C1", User: "UFUZZ", Text: string(data), ThreadTS: thread,
				TS: fmt.Sprintf("1800000000.%06d", n), EventID: fmt.Sprintf("EvFUZZ%d", n)})
			contentType = "application/json"
		}
		req := slackfake.SignedRequest(secret, "http://racebot.test/slack/events", body, time.Now())
		req.Header.Set("Content-Type", contentType)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		switch w.Code {
		case http.StatusOK, http.StatusBadRequest, http.StatusUnauthorized, http.StatusRequestEntityTooLarge:
		default:
			t.Fatalf("kind %d body %q: status %d: %s", kind%fuzzKinds, body, w.Code, w.Body)
		}
		if wellFormed && w.Code != http.StatusOK {
			t.Fatalf("kind %d body %q: well-formed request got %d: %s", kind%fuzzKinds, body, w.Code, w.Body)
		}
		if msg := panics.first(); msg != "" {
			t.Fatalf("background work panicked: %s", msg)
		}
	})
}

func interactionJSON(p slackfake.Payload) string {
	form, err := url.ParseQuery(string(slackfake.InteractionBody(p)))
	if err != nil {
		panic(err)
	}
	return form.Get("payload")
}

// panicCounter is a slog handler that keeps the first panic the bot logs
// from its background work, where a recover turns panics into log lines.
type panicCounter struct {
	mu  sync.Mutex
	msg string
}

func (*panicCounter) Enabled(context.Context, slog.Level) bool { return true }
func (*panicCounter) WithAttrs([]slog.Attr) slog.Handler       { return nil }
func (*panicCounter) WithGroup(string) slog.Handler            { return nil }

func (p *panicCounter) Handle(_ context.Context, r slog.Record) error {
	if r.Message != "panic" {
		return nil
	}
	var sb strings.Builder
	r.Attrs(func(a slog.Attr) bool {
		fmt.Fprintf(&sb, "%s=%v ", a.Key, a.Value)
		return true
	})
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.msg == "" {
		p.msg = sb.String()
	}
	return nil
}

func (p *panicCounter) first() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.msg
}

// newFuzzSlack is a Slack Web API that says yes to everything, with a new
// ts for every message: the fuzz target tests racebot's front door, and a
// fake that records every call would grow without bound over a long run.
func newFuzzSlack(tb testing.TB) *httptest.Server {
	var seq atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.ParseForm()
		n := seq.Add(1)
		ts := fmt.Sprintf("1700000001.%06d", n)
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]any{
			"ok": true, "user_id": "UBOT", "team_id": slackfake.TeamID, "channel": r.Form.Get("channel"),
			"ts": ts, "message_ts": ts, "view": map[string]any{"id": fmt.Sprintf("V%d", n)},
		})
	}))
	tb.Cleanup(srv.Close)
	return srv
}
