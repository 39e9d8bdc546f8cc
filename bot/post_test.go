package bot

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/racebot/racebot/install"
	"github.com/racebot/racebot/internal/slackfake"
	"github.com/racebot/racebot/metrics"
	"github.com/slack-go/slack"
)

// waits records the client's retry waits without sleeping them.
type waits struct {
	mu    sync.Mutex
	total time.Duration
	n     int
}

func (w *waits) wait(_ context.Context, d time.Duration) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.total += d
	w.n++
	return true
}

// newTestPoster is a poster on the real client against the fake, whose
// retry waits take no time.
func newTestPoster(t *testing.T) (*poster, *slackfake.Fake, *waits) {
	t.Helper()
	fake := slackfake.New(t)
	w := &waits{}
	return newPoster(NewAPI("xoxb-test", "", fake.APIURL(), WithRetryWait(w.wait)), time.Millisecond), fake, w
}

func hello() message { return message{Text: "hello"} }

// TestPostOnceUnderLostAnswers: whatever goes wrong after Slack took a post,
// the channel holds it once and postOnce returns its ts.
func TestPostOnceUnderLostAnswers(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name   string
		thread bool
		fault  func(*slackfake.Fake)
		calls  int // chat.postMessage calls
	}{
		{name: "500 after posting", fault: func(f *slackfake.Fake) { f.FailAfterNext("chat.postMessage", 1, http.StatusInternalServerError) }, calls: 1},
		{name: "502 after posting in a thread", thread: true, fault: func(f *slackfake.Fake) { f.FailAfterNext("chat.postMessage", 1, http.StatusBadGateway) }, calls: 1},
		{name: "reset after posting", fault: func(f *slackfake.Fake) { f.ResetAfterNext("chat.postMessage", 1) }, calls: 1},
		{name: "reset after posting in a thread", thread: true, fault: func(f *slackfake.Fake) { f.ResetAfterNext("chat.postMessage", 1) }, calls: 1},
		// Not there when looked for: posted again, once.
		{name: "500 before posting", fault: func(f *slackfake.Fake) { f.FailNext("chat.postMessage", 1, http.StatusInternalServerError) }, calls: 2},
		{name: "429 then posted", fault: func(f *slackfake.Fake) { f.RateLimitNext("chat.postMessage", 2, 30*time.Second) }, calls: 3},
	} {
		t.Run(tt.name, func(t *testing.T) {
			p, fake, _ := newTestPoster(t)
			ctx := context.Background()
			thread := ""
			if tt.thread {
				var err error
				if thread, err = p.post(ctx, "C1", "", message{Text: "parent"}); err != nil {
					t.Fatal(err)
				}
			}
			before := len(fake.Calls("chat.postMessage"))
			tt.fault(fake)
			ts, err := p.postOnce(ctx, "C1", thread, "k1", hello())
			if err != nil {
				t.Fatalf("postOnce: %v\n%s", err, fake.Dump())
			}
			var got []slackfake.Message
			for _, m := range fake.Messages("C1") {
				if m.Text == "hello" {
					got = append(got, m)
				}
			}
			if len(got) != 1 || got[0].TS != ts || got[0].ThreadTS != thread {
				t.Fatalf("postOnce returned %s; messages %+v; want one in thread %q with that ts\n%s", ts, got, thread, fake.Dump())
			}
			if n := len(fake.Calls("chat.postMessage")) - before; n != tt.calls {
				t.Errorf("%d chat.postMessage calls, want %d", n, tt.calls)
			}
		})
	}
}

// TestPostOnceFindsAnEarlierTry: a second try of the same work (same key)
// finds the first one's post when asked to look.
func TestPostOnceFindsAnEarlierTry(t *testing.T) {
	t.Parallel()
	p, fake, _ := newTestPoster(t)
	ctx := context.Background()
	since := time.Now().Add(-lookBack)
	ts, err := p.postOnce(ctx, "C1", "", "checkin:1:x", hello())
	if err != nil {
		t.Fatal(err)
	}
	// Other posts since, people's messages among them, and a reply in its
	// thread under another key.
	if _, err := p.post(ctx, "C1", "", message{Text: "other"}); err != nil {
		t.Fatal(err)
	}
	fake.AddMessage(slackfake.Message{Channel: "C1", User: "UANA", Text: "hi"})
	reply, err := p.postOnce(ctx, "C1", ts, "summary:1", message{Text: "summary"})
	if err != nil {
		t.Fatal(err)
	}
	if got, ok, err := p.find(ctx, "C1", "", "checkin:1:x", since); err != nil || !ok || got != ts {
		t.Errorf("find top-level = %q, %t, %v; want %s", got, ok, err, ts)
	}
	if got, ok, err := p.find(ctx, "C1", ts, "summary:1", since); err != nil || !ok || got != reply {
		t.Errorf("find in thread = %q, %t, %v; want %s", got, ok, err, reply)
	}
	if _, ok, err := p.find(ctx, "C1", "", "checkin:1:y", since); err != nil || ok {
		t.Errorf("find of another key = %t, %v; want not found", ok, err)
	}
	if _, ok, err := p.find(ctx, "C1", "", "checkin:1:x", time.Now().Add(time.Hour)); err != nil || ok {
		t.Errorf("find after the post = %t, %v; want not found", ok, err)
	}
	for _, c := range fake.Calls("conversations.history") {
		if c.Get("include_all_metadata") != "1" || c.Get("oldest") == "" {
			t.Errorf("conversations.history called with include_all_metadata=%q oldest=%q", c.Get("include_all_metadata"), c.Get("oldest"))
		}
	}
}

// TestPostOnceFindsPastAFullPage: the lookup pages through a busy channel.
func TestPostOnceFindsPastAFullPage(t *testing.T) {
	t.Parallel()
	p, fake, _ := newTestPoster(t)
	ctx := context.Background()
	since := time.Now().Add(-lookBack)
	ts, err := p.postOnce(ctx, "C1", "", "k", hello())
	if err != nil {
		t.Fatal(err)
	}
	for range lookupPage + 5 {
		fake.AddMessage(slackfake.Message{Channel: "C1", User: "UANA", Text: "chatter"})
	}
	if got, ok, err := p.find(ctx, "C1", "", "k", since); err != nil || !ok || got != ts {
		t.Errorf("find = %q, %t, %v; want %s", got, ok, err, ts)
	}
	if n := len(fake.Calls("conversations.history")); n != 2 {
		t.Errorf("%d pages read, want 2", n)
	}
}

// TestPostOnceSaysWhatItKnows: the errors say whether the post certainly
// did not go out, may have, or was refused.
func TestPostOnceSaysWhatItKnows(t *testing.T) {
	t.Parallel()
	ctx := context.Background()

	t.Run("lost answer, unreadable channel", func(t *testing.T) {
		p, fake, _ := newTestPoster(t)
		fake.FailAfterNext("chat.postMessage", 1, http.StatusInternalServerError)
		fake.FailNext("conversations.history", 100, http.StatusServiceUnavailable)
		_, err := p.postOnce(ctx, "C1", "", "k", hello())
		if !errors.Is(err, ErrMaybePosted) || errors.Is(err, ErrNotPosted) {
			t.Errorf("err = %v, want ErrMaybePosted only", err)
		}
		if n := len(fake.Messages("C1")); n != 1 {
			t.Errorf("%d messages, want the one that went out", n)
		}
		// Reads keep the client's retries of 5xx answers.
		if n := len(fake.Calls("conversations.history")); n != 5 {
			t.Errorf("%d conversations.history calls, want 5 (4 retries)", n)
		}
	})
	t.Run("never there", func(t *testing.T) {
		p, fake, _ := newTestPoster(t)
		fake.FailNext("chat.postMessage", 100, http.StatusInternalServerError)
		_, err := p.postOnce(ctx, "C1", "", "k", hello())
		if !errors.Is(err, ErrNotPosted) {
			t.Errorf("err = %v, want ErrNotPosted", err)
		}
		// A post is not retried by the client on a 5xx: each try looked.
		if p, h := len(fake.Calls("chat.postMessage")), len(fake.Calls("conversations.history")); p != maxPostTries || h != maxPostTries {
			t.Errorf("%d posts and %d lookups, want %d of each", p, h, maxPostTries)
		}
	})
	t.Run("rate limited throughout", func(t *testing.T) {
		p, fake, w := newTestPoster(t)
		fake.RateLimitNext("chat.postMessage", 100, 30*time.Second)
		_, err := p.postOnce(ctx, "C1", "", "k", hello())
		var limited *slack.RateLimitedError
		if !errors.Is(err, ErrNotPosted) || !errors.As(err, &limited) {
			t.Errorf("err = %v, want ErrNotPosted with the rate limit", err)
		}
		if n := len(fake.Calls("chat.postMessage")); n != 5 || w.n != 4 || w.total < 4*30*time.Second {
			t.Errorf("%d calls after %d waits of %v in all; want 5 calls, 4 waits of Retry-After", n, w.n, w.total)
		}
		if n := len(fake.Calls("conversations.history")); n != 0 {
			t.Errorf("looked %d times for a post Slack refused with 429", n)
		}
	})
	t.Run("refused", func(t *testing.T) {
		p, fake, _ := newTestPoster(t)
		fake.AddChannel(slackfake.Channel{ID: "C9", NotMember: true})
		_, err := p.postOnce(ctx, "C9", "", "k", hello())
		var se slack.SlackErrorResponse
		if !errors.As(err, &se) || se.Err != "not_in_channel" || errors.Is(err, ErrNotPosted) || errors.Is(err, ErrMaybePosted) {
			t.Errorf("err = %v, want not_in_channel as it is", err)
		}
	})
	t.Run("workspace not served", func(t *testing.T) {
		p := newPoster(newWorkspaces(nil, nil, time.Now, nil).refused, time.Millisecond)
		_, err := p.postOnce(ctx, "C1", "", "k", hello())
		if !errors.Is(err, ErrNotPosted) || errors.Is(err, ErrMaybePosted) || !errors.Is(err, install.ErrNotInstalled) {
			t.Errorf("err = %v, want ErrNotPosted for a workspace not installed", err)
		}
	})
	t.Run("connection refused", func(t *testing.T) {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		url := "http://" + ln.Addr().String() + "/api/"
		ln.Close()
		w := &waits{}
		p := newPoster(NewAPI("xoxb-test", "", url, WithRetryWait(w.wait)), time.Millisecond)
		_, err = p.postOnce(ctx, "C1", "", "k", hello())
		if !errors.Is(err, ErrNotPosted) {
			t.Errorf("err = %v, want ErrNotPosted", err)
		}
		if w.n != 4 {
			t.Errorf("%d retries of a refused connection, want 4", w.n)
		}
	})
}

// TestRetryWaitNotBegunPastTheDeadline: a Retry-After longer than the
// caller's deadline ends the post at once with the rate limit, which says
// "not posted", instead of sleeping into the deadline, which would not.
func TestRetryWaitNotBegunPastTheDeadline(t *testing.T) {
	t.Parallel()
	fake := slackfake.New(t)
	p := newPoster(NewAPI("xoxb-test", "", fake.APIURL()), time.Millisecond)
	fake.RateLimitNext("chat.postMessage", 1, time.Hour)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	_, err := p.postOnce(ctx, "C1", "", "k", hello())
	if !errors.Is(err, ErrNotPosted) || ctx.Err() != nil {
		t.Errorf("err = %v (context: %v), want ErrNotPosted before the deadline", err, ctx.Err())
	}
}

// TestEditsKeepRetryingServerErrors: an edit is the same edit when
// repeated, so the client still retries it on a 5xx or a lost connection.
func TestEditsKeepRetryingServerErrors(t *testing.T) {
	t.Parallel()
	p, fake, _ := newTestPoster(t)
	ctx := context.Background()
	ts, err := p.post(ctx, "C1", "", hello())
	if err != nil {
		t.Fatal(err)
	}
	fake.FailNext("chat.update", 1, http.StatusInternalServerError)
	fake.ResetAfterNext("chat.update", 1)
	if err := p.update(ctx, "C1", ts, message{Text: "edited"}); err != nil {
		t.Fatalf("update: %v", err)
	}
	if n := len(fake.Calls("chat.update")); n != 3 {
		t.Errorf("%d chat.update calls, want 3 (two retried)", n)
	}
	if m := fake.Messages("C1"); len(m) != 1 || m[0].Text != "edited" {
		t.Errorf("messages = %+v, want the one, edited", m)
	}
}

// TestPostMessageAsJSON: a post goes to chat.postMessage as a JSON body
// with the bot token as a bearer token, and Slack gets everything the
// form used to carry: the channel, the thread, the fallback text, the
// blocks, the metadata key and no unfurls.
func TestPostMessageAsJSON(t *testing.T) {
	t.Parallel()
	fake := slackfake.New(t)
	ctx := context.Background()
	api := NewAPI("xoxb-test", "", fake.APIURL())
	top, _, err := api.chat.postMessage(ctx, "C1", "", "k0", message{Text: "top"})
	if err != nil {
		t.Fatal(err)
	}
	m := message{Text: "Hi <@U1> & <https://example.com|docs>", Blocks: []slack.Block{
		slack.NewSectionBlock(slack.NewTextBlockObject(slack.MarkdownType, "*Which* question?", false, false), nil, nil, slack.SectionBlockOptionBlockID("q")),
	}}
	ts, _, err := api.chat.postMessage(ctx, "C1", top, "k1", m)
	if err != nil {
		t.Fatal(err)
	}
	got := fake.Messages("C1")
	if len(got) != 2 || got[1].TS != ts || got[1].ThreadTS != top || got[1].Text != m.Text {
		t.Fatalf("the fake holds %+v, want the reply %s in thread %s", got, ts, top)
	}
	var blocks []map[string]any
	if err := json.Unmarshal(got[1].Blocks, &blocks); err != nil || len(blocks) != 1 || blocks[0]["block_id"] != "q" {
		t.Errorf("blocks = %s (%v)", got[1].Blocks, err)
	}
	var meta struct {
		EventType    string            `json:"event_type"`
		EventPayload map[string]string `json:"event_payload"`
	}
	if err := json.Unmarshal(got[1].Metadata, &meta); err != nil || meta.EventType != postEventType || meta.EventPayload["key"] != "k1" {
		t.Errorf("metadata = %s (%v)", got[1].Metadata, err)
	}
	calls := fake.Calls("chat.postMessage")
	c := calls[len(calls)-1]
	if c.Token != "xoxb-test" || c.JSON == nil || c.Get("unfurl_links") != "false" || c.Get("unfurl_media") != "false" {
		t.Errorf("call = token %q, JSON %v, unfurl_links %q, unfurl_media %q", c.Token, c.JSON != nil, c.Get("unfurl_links"), c.Get("unfurl_media"))
	}
}

// TestPostAnswerKeepsSlackRefusal: a refusal comes back as slack-go's
// error with Slack's reason, so the poster sees that nothing was posted.
func TestPostAnswerKeepsSlackRefusal(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"ok":false,"error":"not_in_channel","response_metadata":{"messages":["[ERROR] not in channel"]}}`)
	}))
	defer srv.Close()
	api := NewAPI("xoxb-test", "", srv.URL+"/api/")
	_, _, err := api.chat.postMessage(context.Background(), "C1", "", "k", message{Text: "hello"})
	var refusal slack.SlackErrorResponse
	if !errors.As(err, &refusal) || refusal.Err != "not_in_channel" || len(refusal.ResponseMetadata.Messages) != 1 || !refused(err) {
		t.Fatalf("err = %#v, want Slack's not_in_channel with its message", err)
	}
}

// TestPostsShareTheConnections: posts beyond the bound wait for a free
// slot rather than dialling a connection they close after a single post,
// which under load cost more CPU than the posts.
func TestPostsShareTheConnections(t *testing.T) {
	t.Parallel()
	var (
		opened  atomic.Int64
		release = make(chan struct{})
	)
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		<-release
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"ok":true,"channel":"C1","ts":"1700000000.000100"}`)
	}))
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			opened.Add(1)
		}
	}
	srv.Start()
	defer srv.Close()
	api := NewAPI("xoxb-test", "", srv.URL+"/api/")
	const posts = 3 * slackConns
	errs := make(chan error, posts)
	for range posts {
		go func() {
			_, _, err := api.chat.postMessage(context.Background(), "C1", "", "k", message{Text: "hello"})
			errs <- err
		}()
	}
	close(release)
	for range posts {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	// At most slackConns go out at once; a connection a post has just
	// given back may not be idle yet when the next one starts, and the
	// pool keeps those too.
	if n := opened.Load(); n > 2*slackConns {
		t.Errorf("%d posts opened %d connections, want at most %d", posts, n, 2*slackConns)
	}
}

// TestPostGivenUpBeforeASlotIsNotPosted: a post whose time runs out while
// every slot is taken never went out, and says so, so that nobody looks
// for it in the channel.
func TestPostGivenUpBeforeASlotIsNotPosted(t *testing.T) {
	t.Parallel()
	api := NewAPI("xoxb-test", "", "http://127.0.0.1:1/api/")
	for range slackConns {
		api.chat.slots <- struct{}{}
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, _, err := api.chat.postMessage(ctx, "C1", "", "k", message{Text: "hello"})
	if err == nil || !certainlyNotPosted(err) {
		t.Fatalf("err = %v, want one that says the post did not go out", err)
	}
}

// TestPostTryEndsAtItsTimeout: each try carries the poster's deadline,
// though the caller's context has none, and a try whose deadline passes
// after Slack has the post is not called "not posted" (it may have
// arrived) and is not tried again. The client is NewAPI's, metrics and
// all, whose Timeout the poster's client no longer carries. The deadline
// passes when the test says so, once the fake holds the post, not when a
// clock says: on a busy machine a short real deadline can pass before the
// post is even sent.
func TestPostTryEndsAtItsTimeout(t *testing.T) {
	t.Parallel()
	fake := slackfake.New(t)
	release := fake.Hold("chat.postMessage")
	defer release()
	api := NewAPI("xoxb-test", "", fake.APIURL(), WithMetrics(metrics.New()))
	client := api.chat.http
	var tries atomic.Int32
	api.chat.http = doFunc(func(req *http.Request) (*http.Response, error) {
		tries.Add(1)
		if deadline, ok := req.Context().Deadline(); !ok || time.Until(deadline) > apiTimeout {
			t.Errorf("try's deadline %v (set: %v), want one within %v", deadline, ok, apiTimeout)
		}
		ctx, expire := context.WithCancelCause(req.Context())
		go func() {
			for fake.InFlight("chat.postMessage") == 0 {
				select {
				case <-ctx.Done():
					return
				case <-time.After(time.Millisecond):
				}
			}
			expire(context.DeadlineExceeded)
		}()
		return client.Do(req.WithContext(ctx))
	})
	_, _, err := api.chat.postMessage(context.Background(), "C1", "", "k", message{Text: "hello"})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want the try's deadline", err)
	}
	if certainlyNotPosted(err) {
		t.Errorf("err = %v says not posted; a try that timed out may have arrived", err)
	}
	if n := tries.Load(); n != 1 {
		t.Errorf("%d tries, want 1", n)
	}
	// The fake records a held call once it sees the try give up.
	if n := len(fake.WaitCalls(t, "chat.postMessage", 1)); n != 1 {
		t.Errorf("%d calls of chat.postMessage, want 1", n)
	}
}

// doFunc is an HTTP client made of a function.
type doFunc func(*http.Request) (*http.Response, error)

func (f doFunc) Do(req *http.Request) (*http.Response, error) { return f(req) }

// TestDecodePostAnswer: chat.postMessage's answer as Slack gives it (the
// posted message echoed back, blocks, bot profile and all) yields its ts,
// and a refusal its error and messages; a body that is not one JSON object
// is an error, not an empty success.
func TestDecodePostAnswer(t *testing.T) {
	t.Parallel()
	body, err := os.ReadFile("testdata/post-answer.json")
	if err != nil {
		t.Fatal(err)
	}
	a, err := decodePostAnswer(body)
	if err != nil || !a.OK || a.TS != "1700000100.000200" || !strings.Contains(string(a.ResponseMetadata), "missing_charset") {
		t.Errorf("Slack's answer read as %+v, %v", a, err)
	}
	for _, bad := range []string{``, `[]`, `{"ok":true,"ts":"1.2"`, `{"ok":"yes","ts":"1.2"}`, `{"ok":true,"ts":"1.2"} {}`, `<html>502 Bad Gateway</html>`} {
		if a, err := decodePostAnswer([]byte(bad)); err == nil {
			t.Errorf("%q read as %+v, want an error", bad, a)
		}
	}
}

// BenchmarkDecodePostAnswer reads chat.postMessage's answer as Slack gives
// it, with encoding/json as racebot did and with decodePostAnswer.
func BenchmarkDecodePostAnswer(b *testing.B) {
	body, err := os.ReadFile("testdata/post-answer.json")
	if err != nil {
		b.Fatal(err)
	}
	b.Run("encoding-json", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			var a postAnswer
			if err := json.Unmarshal(body, &a); err != nil || a.TS == "" {
				b.Fatal(err)
			}
		}
	})
	b.Run("tokens", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if a, err := decodePostAnswer(body); err != nil || a.TS == "" {
				b.Fatal(err)
			}
		}
	})
}

// FuzzDecodePostAnswer: whatever answer decodePostAnswer reads, encoding/json
// reads alike; what it refuses is an error, never a post taken for done.
func FuzzDecodePostAnswer(f *testing.F) {
	body, err := os.ReadFile("testdata/post-answer.json")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(body)
	f.Add([]byte(`{"ok":false,"error":"not_in_channel","response_metadata":{"messages":["[ERROR] not in channel"]}}`))
	f.Add([]byte(`{"ok":true,"ts":"1.2","TS":"3.4"}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		got, err := decodePostAnswer(body)
		if err != nil {
			return
		}
		var want postAnswer
		if err := json.Unmarshal(body, &want); err != nil {
			t.Fatalf("read %+v where encoding/json fails: %v", got, err)
		}
		if got.OK != want.OK || got.Error != want.Error || got.TS != want.TS || !bytes.Equal(got.ResponseMetadata, want.ResponseMetadata) {
			t.Errorf("read %+v, encoding/json %+v", got, want)
		}
	})
}
