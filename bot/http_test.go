package bot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/racebot/racebot/coach"
	"github.com/racebot/racebot/flows"
	"github.com/racebot/racebot/internal/slackfake"
)

const secret = "8f742231b10e8888abcd99yyyzzz85a5"

// TestVerifySlackDocsExample checks the HMAC against the worked example in
// Slack's "Verifying requests from Slack" guide.
func TestVerifySlackDocsExample(t *testing.T) {
	t.Parallel()
	body := []byte("token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c")
	h := http.Header{}
	h.Set("X-Slack-Request-Timestamp", "1531420618")
	h.Set("X-Slack-Signature", "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503")
	at := time.Unix(1531420618, 0)
	if err := Verify(secret, h, body, at.Add(time.Minute)); err != nil {
		t.Fatalf("Slack's own example fails: %v", err)
	}
	tests := []struct {
		name   string
		mutate func(h http.Header, body []byte) []byte
		now    time.Time
	}{
		{"tampered body", func(h http.Header, b []byte) []byte { return append(b, '&') }, at},
		{"wrong signature", func(h http.Header, b []byte) []byte { h.Set("X-Slack-Signature", "v0=00"); return b }, at},
		{"no v0 prefix", func(h http.Header, b []byte) []byte { h.Set("X-Slack-Signature", "a2114d57"); return b }, at},
		{"no timestamp", func(h http.Header, b []byte) []byte { h.Del("X-Slack-Request-Timestamp"); return b }, at},
		{"six minutes late", func(h http.Header, b []byte) []byte { return b }, at.Add(6 * time.Minute)},
		{"six minutes early", func(h http.Header, b []byte) []byte { return b }, at.Add(-6 * time.Minute)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			hh := h.Clone()
			b := tt.mutate(hh, append([]byte(nil), body...))
			if err := Verify(secret, hh, b, tt.now); err == nil {
				t.Error("verified, want refused")
			}
		})
	}
	if err := Verify("", h, body, at); err == nil {
		t.Error("an empty secret verified a request")
	}
}

// httpHarness serves the bot's HTTP front door on loopback.
func (h *harness) serveHTTP() *httptest.Server {
	srv := httptest.NewServer(h.bot.HTTPHandler(secret))
	h.t.Cleanup(srv.Close)
	return srv
}

func (h *harness) post(srv *httptest.Server, body []byte, contentType string, at time.Time) (*http.Response, string) {
	h.t.Helper()
	req := slackfake.SignedRequest(secret, srv.URL+"/slack/events", body, at)
	req.Header.Set("Content-Type", contentType)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	return resp, string(out)
}

const formType = "application/x-www-form-urlencoded"

func TestHTTPModeEndToEnd(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	srv := h.serveHTTP()
	now := time.Now()

	resp, _ := h.post(srv, slackfake.FormBody(slackfake.SlashCommand{Command: "/race", Text: "new Q1 Launch", UserID: "UANA", ChannelID: "C1", ResponseURL: h.fake.ResponseURL()}), formType, now)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("slash command: status %d", resp.StatusCode)
	}
	header := h.header("C1", "Q1 Launch")
	h.threadMessage("C1", header.TS, "What does the business sell")

	answers := []struct{ user, text, next string }{
		{"UANA", "Fernhill Coffee sells speciality coffee subscriptions.", "value proposition"},
		{"UBEN", "Beans roasted to order & at your door in 48 hours <fast>.", "Which customer segments"},
		{"UPRIYA", "Home brewers, gift buyers and small offices.", "Who is your typical customer"},
	}
	for _, a := range answers {
		ev := slackfake.MessageEvent{Channel: "C1", User: a.user, Text: escape(a.text), ThreadTS: header.TS}
		if resp, body := h.post(srv, slackfake.EventBody(ev), "application/json", now); resp.StatusCode != http.StatusOK {
			t.Fatalf("event: status %d: %s", resp.StatusCode, body)
		}
		h.threadMessage("C1", header.TS, a.next)
	}
	p := h.plan(slackfake.TeamID, "C1", "Q1 Launch")
	for i, a := range answers {
		got := p.Answers[flows.RACE().Stages[0].Steps()[i].ID]
		// Answers are kept as Slack sent them, escapes included.
		if got.Text != escape(a.text) || got.By != a.user {
			t.Errorf("answer %d = %q by %s, want %q by %s", i+1, got.Text, got.By, escape(a.text), a.user)
		}
	}

	// The same event delivered twice (a Slack retry) records once.
	dup := slackfake.EventBody(slackfake.MessageEvent{Channel: "C1", User: "UANA", Text: "Maya, 34.", ThreadTS: header.TS, EventID: "EvRETRY"})
	for range 2 {
		if resp, _ := h.post(srv, dup, "application/json", now); resp.StatusCode != http.StatusOK {
			t.Fatalf("retry: status %d", resp.StatusCode)
		}
	}
	p = h.plan(slackfake.TeamID, "C1", "Q1 Launch")
	if n := p.Progress(flows.RACE())[0].Answered; n != 4 || p.Cursor.Step != 4 {
		t.Errorf("after a retried event: %d answered, cursor %d; want 4 and 4", n, p.Cursor.Step)
	}

	resp, body := h.post(srv, slackfake.FormBody(slackfake.SlashCommand{Command: "/race", Text: "status", UserID: "UANA", ChannelID: "C1"}), formType, now)
	var a struct {
		ResponseType string `json:"response_type"`
		Text         string `json:"text"`
	}
	if err := json.Unmarshal([]byte(body), &a); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("status: %d %q: %v", resp.StatusCode, body, err)
	}
	if a.ResponseType != "ephemeral" || !strings.Contains(a.Text, "Plan     4/10 answered") {
		t.Errorf("status ack = %+v", a)
	}
}

func TestHTTPModeRefusesForgedAndStaleRequests(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	srv := h.serveHTTP()
	body := slackfake.FormBody(slackfake.SlashCommand{Command: "/race", Text: "new Forged", UserID: "UEVE", ChannelID: "C1"})

	req := slackfake.SignedRequest("not-the-secret", srv.URL+"/slack/events", body, time.Now())
	req.Header.Set("Content-Type", formType)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("bad signature: status %d, want 401", resp.StatusCode)
	}
	if resp, _ := h.post(srv, body, formType, time.Now().Add(-10*time.Minute)); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("replayed request: status %d, want 401", resp.StatusCode)
	}
	if resp, _ := h.post(srv, []byte("payload=%7Bnot+json"), formType, time.Now()); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("unparseable payload: status %d, want 400", resp.StatusCode)
	}
	if resp, _ := h.post(srv, []byte("{"), "application/json", time.Now()); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("unparseable event: status %d, want 400", resp.StatusCode)
	}
	plans, err := h.db.TeamPlans(context.Background(), slackfake.TeamID)
	if err != nil || len(plans) != 0 {
		t.Errorf("refused requests created plans: %v %v", plans, err)
	}
	resp, got := h.post(srv, slackfake.URLVerificationBody("3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P"), "application/json", time.Now())
	if resp.StatusCode != http.StatusOK || got != "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P" {
		t.Errorf("url_verification: %d %q", resp.StatusCode, got)
	}
}

// TestAckDoesNotWaitForSlack holds chat.postMessage at the fake: the slash
// command is still acknowledged, and the plan committed, while the post is
// in flight.
func TestAckDoesNotWaitForSlack(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	srv := h.serveHTTP()
	release := h.fake.Hold("chat.postMessage")
	defer release()
	resp, _ := h.post(srv, slackfake.FormBody(slackfake.SlashCommand{Command: "/race", Text: "new Slow Slack", UserID: "UANA", ChannelID: "C1"}), formType, time.Now())
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d", resp.StatusCode)
	}
	h.plan(slackfake.TeamID, "C1", "Slow Slack") // committed before the ack
	h.fake.WaitFor(t, func() bool { return h.fake.InFlight("chat.postMessage") > 0 }, "the header post to be in flight after the ack")
	if n := len(h.fake.Messages("C1")); n != 0 {
		t.Fatalf("%d messages posted while the fake holds every post", n)
	}
	release()
	h.header("C1", "Slow Slack")
}

func TestWorkspacesAreIsolated(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	srv := h.serveHTTP()
	now := time.Now()
	h.post(srv, slackfake.FormBody(slackfake.SlashCommand{Command: "/race", Text: "new Secret", UserID: "UANA", ChannelID: "C1", TeamID: "T1"}), formType, now)
	h.header("C1", "Secret")
	for _, text := range []string{"status", "continue Secret", "delete Secret --yes", "export"} {
		_, body := h.post(srv, slackfake.FormBody(slackfake.SlashCommand{Command: "/race", Text: text, UserID: "UEVE", ChannelID: "C1", TeamID: "T2"}), formType, now)
		if strings.Contains(body, "Secret*") || strings.Contains(body, "Deleted") || strings.Contains(body, "Exporting") {
			t.Errorf("T2 %q reached T1's plan: %s", text, body)
		}
	}
	h.plan("T1", "C1", "Secret")
}

// flakyStore fails the next Commit, as a database busy past the deadline
// would.
type flakyStore struct {
	coach.Store
	fail *atomic.Int32
}

func (f flakyStore) Commit(ctx context.Context, p *flows.Plan, changes []flows.Change, key string) error {
	if f.fail.Add(-1) >= 0 {
		return errors.New("database is busy")
	}
	return f.Store.Commit(ctx, p, changes, key)
}

// TestFailedCommitAsksSlackToRetry: an answer that could not be stored is
// never acknowledged with a 2xx, so Slack delivers it again, and the retry
// records it once.
func TestFailedCommitAsksSlackToRetry(t *testing.T) {
	t.Parallel()
	fail := &atomic.Int32{}
	h := newHarness(t, func(c *setup) { c.Store = flakyStore{Store: c.Store, fail: fail} })
	srv := h.serveHTTP()
	h.post(srv, slackfake.FormBody(slackfake.SlashCommand{Command: "/race", Text: "new Q1", UserID: "UANA", ChannelID: "C1"}), formType, time.Now())
	header := h.header("C1", "Q1")
	h.fake.WaitFor(t, func() bool { return h.plan(slackfake.TeamID, "C1", "Q1").Thread != "" }, "the thread binding")

	fail.Store(1)
	ev := slackfake.EventBody(slackfake.MessageEvent{Channel: "C1", User: "UANA", Text: "We sell coffee.", ThreadTS: header.TS, EventID: "EvFLAKY"})
	if resp, _ := h.post(srv, ev, "application/json", time.Now()); resp.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("failed commit answered %d, want 503 so Slack retries", resp.StatusCode)
	}
	if got := h.plan(slackfake.TeamID, "C1", "Q1").Answers[flows.QuestionBusiness].Text; got != "" {
		t.Fatalf("answer stored despite the failure: %q", got)
	}
	if resp, _ := h.post(srv, ev, "application/json", time.Now()); resp.StatusCode != http.StatusOK {
		t.Fatalf("retry answered %d", resp.StatusCode)
	}
	if got := h.plan(slackfake.TeamID, "C1", "Q1").Answers[flows.QuestionBusiness]; got.Text != "We sell coffee." || got.Revision != 1 {
		t.Errorf("after the retry: %+v", got)
	}
}

// TestHelpAcksAreTheRenderedHelpEachTime: help is encoded once per topic,
// and every later asker, however they spell the topic, gets the same full
// answer as the first; a topic the coach does not know gets its sentence
// and is not kept.
func TestHelpAcksAreTheRenderedHelpEachTime(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	srv := h.serveHTTP()
	ask := func(text, trigger string) string {
		t.Helper()
		cmd := slackfake.FormBody(slackfake.SlashCommand{Command: "/race", Text: text, UserID: "UANA", ChannelID: "C1", TriggerID: trigger})
		resp, body := h.post(srv, cmd, formType, time.Now())
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("/race %s: %d %q", text, resp.StatusCode, body)
		}
		if got, want := resp.Header.Get("Content-Length"), strconv.Itoa(len(body)); got != want {
			t.Errorf("/race %s: Content-Length %q, body %s bytes", text, got, want)
		}
		return body
	}
	first := ask("help", "T-1")
	for i, text := range []string{"help", "HELP", "  help "} {
		if again := ask(text, fmt.Sprintf("T-again-%d", i)); again != first {
			t.Errorf("/race %q answered\n%s\nwant the first answer\n%s", text, again, first)
		}
	}
	// The same trigger again (a redelivery) still gets help: it changed
	// nothing, so it is not refused as a duplicate.
	if again := ask("help", "T-1"); again != first {
		t.Errorf("help delivered again answered %q", again)
	}
	kpi := ask("help kpi", "T-kpi")
	if kpi == first || !strings.Contains(kpi, "KPI lines.") {
		t.Errorf("/race help kpi answered %q", kpi)
	}
	if again := ask("help   KPI", "T-kpi-2"); again != kpi {
		t.Errorf("/race help   KPI answered %q, want %q", again, kpi)
	}
	bad := ask("help gardening", "T-bad")
	if !strings.Contains(bad, "I have help on") {
		t.Errorf("/race help gardening answered %q", bad)
	}
	n := 0
	h.bot.helpAcks.byTopic.Range(func(any, any) bool { n++; return true })
	if n != 2 {
		t.Errorf("%d help answers kept, want 2: help, and help kpi however it is spelt", n)
	}
}

// TestAckBound: the work before an ack is bounded by ackTimeout, and a
// context the handler already bounded as tightly is used as it is.
func TestAckBound(t *testing.T) {
	t.Parallel()
	b := &Bot{}
	ctx, cancel := b.ackBound(context.Background())
	defer cancel()
	if d, ok := ctx.Deadline(); !ok || time.Until(d) > ackTimeout {
		t.Errorf("no deadline within %v on an unbounded context (%v, %v)", ackTimeout, d, ok)
	}
	sooner, cancelSooner := context.WithTimeout(context.Background(), ackTimeout/2)
	defer cancelSooner()
	if got, cancel := b.ackBound(sooner); got != sooner {
		t.Error("a context with a sooner deadline got another")
	} else {
		cancel()
		if sooner.Err() != nil {
			t.Error("cancelling the bound ended the caller's context")
		}
	}
	later, cancelLater := context.WithTimeout(context.Background(), time.Hour)
	defer cancelLater()
	got, cancel := b.ackBound(later)
	defer cancel()
	if d, _ := got.Deadline(); time.Until(d) > ackTimeout {
		t.Errorf("a context with a later deadline kept it: %v", d)
	}
}
