package bot

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/racebot/racebot/flows"
	"github.com/racebot/racebot/internal/openaifake"
	"github.com/racebot/racebot/internal/slackfake"
	"github.com/racebot/racebot/metrics"
)

// drip opens connections to addr that send a request's headers and then
// its body one byte every 100 ms, the slow-body attack on an HTTP server,
// opening a new one whenever the server hangs up, until ctx ends.
func drip(ctx context.Context, addr string) {
	for ctx.Err() == nil {
		dripOnce(ctx, addr)
	}
}

func dripOnce(ctx context.Context, addr string) {
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		select {
		case <-ctx.Done():
		case <-time.After(50 * time.Millisecond):
		}
		return
	}
	hungUp := make(chan struct{})
	go func() {
		defer close(hungUp)
		io.Copy(io.Discard, conn)
	}()
	defer func() {
		conn.Close()
		<-hungUp
	}()
	fmt.Fprintf(conn, "POST /slack/events HTTP/1.1\r\nHost: racebot.test\r\n"+
		"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 4096\r\nX-Test-Drip: 1\r\n"+
		"X-Slack-Request-Timestamp: %d\r\nX-Slack-Signature: v0=00\r\n\r\n", time.Now().Unix())
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-hungUp:
			return
		case <-tick.C:
			if _, err := conn.Write([]byte("a")); err != nil {
				return
			}
		}
	}
}

// TestSlowBodiesDoNotStarveSignedRequests: a hundred connections dripping
// their bodies (more than there are in-flight slots) never take a slot,
// because the body is read under its own deadline and verified first;
// commands and events signed by Slack keep being answered 200 meanwhile.
func TestSlowBodiesDoNotStarveSignedRequests(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	var dripping atomic.Int64
	front := h.bot.HTTPHandler(secret)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("X-Test-Drip") != "" {
			dripping.Add(1)
		}
		front.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)

	ctx, stop := context.WithCancel(context.Background())
	var drippers sync.WaitGroup
	t.Cleanup(func() {
		stop()
		drippers.Wait()
	})
	for range 100 {
		drippers.Add(1)
		go func() {
			defer drippers.Done()
			drip(ctx, srv.Listener.Addr().String())
		}()
	}
	h.fake.WaitFor(t, func() bool { return dripping.Load() >= 100 }, "a hundred dripping requests in the handler")

	for i := range 20 {
		cmd := slackfake.FormBody(slackfake.SlashCommand{Command: "/race", Text: "help", UserID: "UANA", ChannelID: "C1"})
		if resp, body := h.post(srv, cmd, formType, time.Now()); resp.StatusCode != http.StatusOK || !strings.Contains(body, "new") {
			t.Fatalf("command %d while bodies drip: %d %q", i, resp.StatusCode, body)
		}
		ev := slackfake.EventBody(slackfake.MessageEvent{Channel: "C1", User: "UANA", Text: "not in a thread", EventID: fmt.Sprintf("EvDRIP%d", i)})
		if resp, body := h.post(srv, ev, "application/json", time.Now()); resp.StatusCode != http.StatusOK {
			t.Fatalf("event %d while bodies drip: %d %q", i, resp.StatusCode, body)
		}
	}
	if n := dripping.Load(); n < 100 {
		t.Fatalf("only %d dripping requests reached the handler", n)
	}
}

// TestSlowBodyIsCutOff: a body that has not arrived by the deadline is
// answered 408 and the connection closed, rather than waited for.
func TestSlowBodyIsCutOff(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	srv := h.serveHTTP()
	conn, err := net.Dial("tcp", srv.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "POST /slack/events HTTP/1.1\r\nHost: racebot.test\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{")
	conn.SetReadDeadline(time.Now().Add(slackfake.DefaultWaitTimeout))
	reply, err := io.ReadAll(conn) // ends when the server hangs up
	if err != nil {
		t.Fatalf("waiting for the server to give up on the body: %v (got %q)", err, reply)
	}
	if !strings.HasPrefix(string(reply), "HTTP/1.1 408") {
		t.Errorf("reply to a stalled body = %q, want 408", reply)
	}
}

// TestSSLCheckIsAnsweredEmpty: Slack's periodic certificate check of a
// distributed app's URL carries a token and nothing to act on.
func TestSSLCheckIsAnsweredEmpty(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	srv := h.serveHTTP()
	resp, body := h.post(srv, []byte("ssl_check=1&token=xyzz0WbapA4vBCDEFasx0q6G"), formType, time.Now())
	if resp.StatusCode != http.StatusOK || body != "" {
		t.Errorf("ssl_check = %d %q, want 200 and an empty body", resp.StatusCode, body)
	}
	// It is still a request like any other: unsigned, it is refused.
	req := slackfake.SignedRequest("not-the-secret", srv.URL+"/slack/events", []byte("ssl_check=1&token=x"), time.Now())
	unsigned, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	unsigned.Body.Close()
	if unsigned.StatusCode != http.StatusUnauthorized {
		t.Errorf("unsigned ssl_check = %d, want 401", unsigned.StatusCode)
	}
}

// logRecords keeps the records logged through it.
type logRecords struct {
	mu      sync.Mutex
	records []slog.Record
}

func (l *logRecords) Enabled(context.Context, slog.Level) bool { return true }
func (l *logRecords) WithAttrs([]slog.Attr) slog.Handler       { return l }
func (l *logRecords) WithGroup(string) slog.Handler            { return l }

func (l *logRecords) Handle(_ context.Context, r slog.Record) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.records = append(l.records, r.Clone())
	return nil
}

// matching returns the records with message msg.
func (l *logRecords) matching(msg string) []slog.Record {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []slog.Record
	for _, r := range l.records {
		if r.Message == msg {
			out = append(out, r)
		}
	}
	return out
}

func attr(r slog.Record, key string) slog.Value {
	var v slog.Value
	r.Attrs(func(a slog.Attr) bool {
		if a.Key == key {
			v = a.Value
			return false
		}
		return true
	})
	return v
}

// testClock is a clock a test moves by hand.
type testClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *testClock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// TestRefusedRequestsLogOncePerInterval: a flood of forged requests is
// refused one by one but logged once a minute, the next line counting
// those left out.
func TestRefusedRequestsLogOncePerInterval(t *testing.T) {
	t.Parallel()
	logs := &logRecords{}
	clock := &testClock{now: time.Now()}
	h := newHarness(t, func(c *setup) {
		c.Logger = slog.New(logs)
		c.Now = clock.Now
	})
	srv := h.serveHTTP()
	forge := func(at time.Time) {
		t.Helper()
		body := slackfake.FormBody(slackfake.SlashCommand{Command: "/race", Text: "new Forged", UserID: "UEVE", ChannelID: "C1"})
		req := slackfake.SignedRequest("not-the-secret", srv.URL+"/slack/events", body, at)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusUnauthorized {
			t.Fatalf("forged request: %d, want 401", resp.StatusCode)
		}
	}
	const refused = "refused unsigned request"
	for range 50 {
		forge(clock.Now())
	}
	lines := logs.matching(refused)
	if len(lines) != 1 {
		t.Fatalf("50 forged requests in a minute logged %d lines, want 1", len(lines))
	}
	if lines[0].Level != slog.LevelWarn || attr(lines[0], "suppressed").Int64() != 0 {
		t.Errorf("first line: level %v, suppressed %v", lines[0].Level, attr(lines[0], "suppressed"))
	}

	clock.Add(sampleEvery + time.Second)
	forge(clock.Now().Add(-10 * time.Minute)) // stale this time
	lines = logs.matching(refused)
	if len(lines) != 2 {
		t.Fatalf("after a minute: %d lines, want 2", len(lines))
	}
	if got := attr(lines[1], "suppressed").Int64(); got != 49 {
		t.Errorf("second line counts %d left out, want 49", got)
	}
}

// TestPostsNeverUnfurlLinks: a link in an answer or a draft must not grow a
// preview card in the coaching thread, so every chat.postMessage and
// chat.update racebot sends turns unfurling off.
func TestPostsNeverUnfurlLinks(t *testing.T) {
	t.Parallel()
	llm := openaifake.New(t, "Order at https://fernhill.example/subscribe and see https://fernhill.example/beans.png for the beans.")
	h := newHarness(t, withModel(t, llm))
	h.runSocket()
	header, _ := h.newPlanInSlack("Q1")
	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.MessageEvent{Channel: "C1", User: "UANA", Text: "Subscriptions: <https://fernhill.example>", ThreadTS: header.TS}))
	h.threadMessage("C1", header.TS, "value proposition")
	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.MessageEvent{Channel: "C1", User: "UBEN", Text: "draft", ThreadTS: header.TS}))
	h.fake.WaitMessage(t, "C1", func(m slackfake.Message) bool {
		return m.ThreadTS == header.TS && strings.Contains(string(m.Blocks), actionDraftUse)
	}, "the finished draft")

	calls := append(h.fake.Calls("chat.postMessage"), h.fake.Calls("chat.update")...)
	if len(h.fake.Calls("chat.update")) == 0 {
		t.Fatal("the draft was not streamed with chat.update; the test no longer covers it")
	}
	for _, c := range calls {
		if c.Get("unfurl_links") != "false" || c.Get("unfurl_media") != "false" {
			t.Errorf("%s text=%q: unfurl_links=%q unfurl_media=%q, want both false",
				c.Method, c.Get("text"), c.Get("unfurl_links"), c.Get("unfurl_media"))
		}
	}
}

// TestFullHouseShedsOnlyEvents: with every in-flight slot taken by real
// work (events stuck in the store), another event is turned away with 503
// and Retry-After once its moment's wait is over, which Slack retries; a
// slash command and a modal
// submission, which Slack never retries, are answered 200 with a word that
// the bot is busy, the modal staying open.
func TestFullHouseShedsOnlyEvents(t *testing.T) {
	t.Parallel()
	m := metrics.New()
	h, gated := newGatedHarness(t, "CSLOW", func(c *setup) { c.Metrics = m })
	srv := h.serveHTTP()
	free := fillSlots(t, h, srv, gated)

	ev := slackfake.EventBody(slackfake.MessageEvent{Channel: "C1", User: "UANA", Text: "hello", ThreadTS: "1700000000.000200"})
	resp, _ := h.post(srv, ev, "application/json", time.Now())
	if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") == "" {
		t.Errorf("event with every slot taken: %d Retry-After %q, want 503 with Retry-After", resp.StatusCode, resp.Header.Get("Retry-After"))
	}
	cmd := slackfake.FormBody(slackfake.SlashCommand{Command: "/race", Text: "status", UserID: "UANA", ChannelID: "C1"})
	resp, body := h.post(srv, cmd, formType, time.Now())
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, "busy") || !strings.Contains(body, `"ephemeral"`) {
		t.Errorf("command with every slot taken: %d %q, want 200 and an ephemeral busy note", resp.StatusCode, body)
	}
	submit := slackfake.InteractionBody(slackfake.ViewSubmission{CallbackID: callbackEditAnswers, PrivateMetadata: `{"p":1,"s":"plan","c":"C1"}`, UserID: "UANA",
		Values: map[string]map[string]slackfake.Input{"answer:business": {answerActionID: {Value: "We sell coffee."}}}})
	resp, body = h.post(srv, submit, formType, time.Now())
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, `"response_action":"errors"`) || !strings.Contains(body, "answer:business") {
		t.Errorf("modal submission with every slot taken: %d %q, want 200 with a field error", resp.StatusCode, body)
	}

	_, counts := get(t, srv.URL+"/metrics")
	for _, kind := range []string{"event", "command", "interaction"} {
		if want := `racebot_busy_total{kind="` + kind + `"} 1`; !strings.Contains(counts, want) {
			t.Errorf("metrics lack %s", want)
		}
	}

	free()
	if resp, body := h.post(srv, cmd, formType, time.Now()); resp.StatusCode != http.StatusOK || strings.Contains(body, "busy") {
		t.Errorf("command once the slots are free: %d %q", resp.StatusCode, body)
	}
}

// fillSlots takes every in-flight slot with an event stuck in a gated
// store; free releases the gate and waits for them, as the test's end does.
func fillSlots(t *testing.T, h *harness, srv *httptest.Server, gated gatedStore) (free func()) {
	t.Helper()
	var stuck sync.WaitGroup
	t.Cleanup(stuck.Wait)
	t.Cleanup(gated.release) // runs first: cleanups run last-in first-out
	for i := range maxInFlight {
		stuck.Add(1)
		go func() {
			defer stuck.Done()
			ev := slackfake.EventBody(slackfake.MessageEvent{Channel: "CSLOW", User: "UANA", Text: "stuck", ThreadTS: "1700000000.000100", EventID: fmt.Sprintf("EvSTUCK%d", i)})
			req := slackfake.SignedRequest(secret, srv.URL+"/slack/events", ev, time.Now())
			if resp, err := http.DefaultClient.Do(req); err == nil {
				resp.Body.Close()
			}
		}()
	}
	h.fake.WaitFor(t, func() bool { return len(h.bot.inflight) == maxInFlight }, "every in-flight slot taken")
	return func() {
		gated.release()
		stuck.Wait()
	}
}

// TestEventWaitsOutABurst: an answer that finds every slot taken waits for
// one instead of being turned away at once; a slot freed within the wait
// takes it, and the answer is recorded and acknowledged 200.
func TestEventWaitsOutABurst(t *testing.T) {
	t.Parallel()
	h, gated := newGatedHarness(t, "CSLOW")
	h.bot.eventWait = time.Minute // the slot comes free when the test says
	srv := h.serveHTTP()
	header, _ := h.newPlanOverHTTP(srv, "C1", "Q1 Launch")
	fillSlots(t, h, srv, gated)

	ev := slackfake.EventBody(slackfake.MessageEvent{Channel: "C1", User: "UANA", Text: "We sell booking software to dental clinics.", ThreadTS: header.TS, TS: "1700000100.000001", EventID: "EvBURST"})
	code := make(chan int, 1)
	go func() {
		resp, _ := h.post(srv, ev, "application/json", time.Now())
		code <- resp.StatusCode
	}()
	h.fake.WaitFor(t, func() bool { return h.bot.eventWaiters.Load() == 1 }, "the answer waiting for a slot")
	gated.release()
	if c := <-code; c != http.StatusOK {
		t.Fatalf("answer that found every slot taken, one freed within its wait: %d, want 200", c)
	}
	if got := h.plan(slackfake.TeamID, "C1", "Q1 Launch").Answers[flows.QuestionBusiness].Text; got != "We sell booking software to dental clinics." {
		t.Errorf("answer after the wait = %q", got)
	}
	if n := h.bot.eventWaiters.Load(); n != 0 {
		t.Errorf("%d events still counted as waiting", n)
	}
}

// TestEventLineIsBounded: with every slot taken and maxEventWaiters events
// already waiting, the next event is turned away with 503 at once rather
// than joining the line, so a lasting overload cannot pile requests up;
// once the slots come free, those that waited are served.
func TestEventLineIsBounded(t *testing.T) {
	t.Parallel()
	h, gated := newGatedHarness(t, "CSLOW")
	h.bot.eventWait = time.Minute
	srv := h.serveHTTP()
	header, _ := h.newPlanOverHTTP(srv, "C1", "Q1 Launch")
	fillSlots(t, h, srv, gated)

	codes := make(chan int, maxEventWaiters)
	for i := range maxEventWaiters {
		go func() {
			// Chatter in a channel with no plan: acknowledged, nothing kept.
			ev := slackfake.EventBody(slackfake.MessageEvent{Channel: "CIDLE", User: fmt.Sprintf("UW%d", i), Text: "thumbs up",
				TS: fmt.Sprintf("1700000200.%06d", i), EventID: fmt.Sprintf("EvWAIT%d", i)})
			resp, _ := h.post(srv, ev, "application/json", time.Now())
			codes <- resp.StatusCode
		}()
	}
	h.fake.WaitFor(t, func() bool { return h.bot.eventWaiters.Load() == maxEventWaiters }, "a full line of waiting events")

	ev := slackfake.EventBody(slackfake.MessageEvent{Channel: "C1", User: "UANA", Text: "We sell booking software to dental clinics.", ThreadTS: header.TS, TS: "1700000300.000001", EventID: "EvLATE"})
	answered := make(chan *http.Response, 1)
	go func() {
		resp, _ := h.post(srv, ev, "application/json", time.Now())
		answered <- resp
	}()
	h.fake.WaitFor(t, func() bool { return len(answered) == 1 || h.bot.eventWaiters.Load() > maxEventWaiters }, "the event past the line answered")
	if n := h.bot.eventWaiters.Load(); n != maxEventWaiters {
		t.Fatalf("%d events wait, want the %d of the full line and no more", n, maxEventWaiters)
	}
	if resp := <-answered; resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") == "" {
		t.Errorf("event with every slot taken and a full line: %d Retry-After %q, want 503 with Retry-After", resp.StatusCode, resp.Header.Get("Retry-After"))
	}
	if got := h.plan(slackfake.TeamID, "C1", "Q1 Launch").Answers[flows.QuestionBusiness].Text; got != "" {
		t.Errorf("the refused answer was recorded: %q", got)
	}

	gated.release()
	for range maxEventWaiters {
		if c := <-codes; c != http.StatusOK {
			t.Errorf("an event that waited in line: %d, want 200 once the slots came free", c)
		}
	}
}
