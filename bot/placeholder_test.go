package bot

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/racebot/racebot/assist"
	"github.com/racebot/racebot/flows"
	"github.com/racebot/racebot/internal/openaifake"
	"github.com/racebot/racebot/internal/slackfake"
	"github.com/racebot/racebot/prompts"
)

// killableLink is a racebot's own way to Slack or to the model, which the
// test cuts as a kill -9 cuts a process off: requests on their way are
// dropped, and none gets through after.
type killableLink struct{ srv *httptest.Server }

func newKillableLink(t *testing.T, to string) *killableLink {
	t.Helper()
	target, err := url.Parse(to)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(httputil.NewSingleHostReverseProxy(target))
	t.Cleanup(srv.Close)
	return &killableLink{srv: srv}
}

// assistant is a model client over the link.
func (l *killableLink) assistant(t *testing.T) Assistant {
	t.Helper()
	model := prompts.NewClient(prompts.Config{BaseURL: l.srv.URL, Model: "test-model", Timeout: 5 * time.Second, MaxRetries: -1}, nil)
	a, err := assist.New(flows.RACE(), model, nil)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func (l *killableLink) api() *Client {
	return NewAPI("xoxb-test", "xapp-test", l.srv.URL+"/api/")
}

func (l *killableLink) kill() {
	l.srv.CloseClientConnections()
	l.srv.Close()
}

// TestDraftPlaceholderLeftByAKillIsReplaced: racebot is killed after it
// posted "✍️ Drafting…" in the thread and before the draft replaced it.
// Nothing of that racebot runs again; the racebot started after it, on the
// same database, replaces the placeholder, so the thread says the draft
// was interrupted instead of promising it for good.
func TestDraftPlaceholderLeftByAKillIsReplaced(t *testing.T) {
	t.Parallel()
	killedWhileDrafting(t, func(h *harness, llm *openaifake.Server) (func(), func() bool, string) {
		return llm.Hold(), func() bool { return len(llm.Requests()) > 0 }, "the model asked for the draft"
	})
}

// TestDraftPlaceholderLeftByAKillBeforeItsRecordIsReplaced: Slack takes
// racebot's "✍️ Drafting…" but its answer is lost, and racebot is killed
// while it looks in the thread for the post, before it knows the
// placeholder's ts, let alone records it. The racebot started after it
// finds the placeholder in the thread all the same and replaces it, so the
// thread does not promise the draft for good.
func TestDraftPlaceholderLeftByAKillBeforeItsRecordIsReplaced(t *testing.T) {
	t.Parallel()
	killedWhileDrafting(t, func(h *harness, llm *openaifake.Server) (func(), func() bool, string) {
		h.fake.FailAfterNext("chat.postMessage", 1, http.StatusInternalServerError)
		return h.fake.Hold("conversations.replies"), func() bool { return h.fake.InFlight("conversations.replies") > 0 }, "a look for the placeholder whose answer was lost"
	})
}

// killedWhileDrafting is the course of the kill tests, which differ only
// in where stall holds the racebot: asked for a draft over killable links,
// it is killed once stuck is true (waited for as what), and the racebot
// started an hour later must replace its placeholder with "interrupted".
func killedWhileDrafting(t *testing.T, stall func(h *harness, llm *openaifake.Server) (release func(), stuck func() bool, what string)) {
	t.Helper()
	clk := &clock{now: time.Now()}
	llm := openaifake.New(t, aDraft)
	h := newHarness(t, withModel(t, llm), func(c *setup) { c.Now = clk.Now })
	srv := h.serveHTTP()
	header, _ := h.newPlanOverHTTP(srv, "C1", "Q1")

	slackLink, modelLink := newKillableLink(t, h.fake.URL()), newKillableLink(t, llm.URL())
	killed := h.startBot(botOptions{api: slackLink.api(), assistant: modelLink.assistant(t)})
	killedSrv := httptest.NewServer(killed.HTTPHandler(secret))
	t.Cleanup(killedSrv.Close)
	release, stuck, what := stall(h, llm)
	defer release()
	if code := h.deliver(killedSrv, slackfake.EventBody(slackfake.MessageEvent{Channel: "C1", User: "UANA", Text: "draft", ThreadTS: header.TS})); code != http.StatusOK {
		t.Fatalf("the draft request was answered %d", code)
	}
	placeholder := h.threadMessage("C1", header.TS, "Drafting an answer")
	h.fake.WaitFor(t, stuck, what)
	slackLink.kill()
	modelLink.kill()
	// Nothing of it runs after: its ticks would otherwise go on with the
	// moved clock, and one could take the placeholder's lease, fail on the
	// dead link and hold the lease past the test's wait.
	killed.stopLoops()
	killed.loops.Wait()
	release()

	clk.Add(time.Hour)
	h.startBot(botOptions{})
	h.fake.WaitFor(t, func() bool {
		for _, m := range h.fake.Replies("C1", header.TS) {
			if m.TS == placeholder.TS && m.Updated && strings.Contains(m.Text, "interrupted") {
				return true
			}
		}
		return false
	}, "the placeholder replaced by the racebot started after the kill")
}

// TestDraftPlaceholderStillBeingPostedIsNotTakenForLeft: Slack takes
// racebot's "✍️ Drafting…" but loses its answer, and then fails the look
// for it in the thread for longer than a placeholder is given before it
// counts as left. Meanwhile a second racebot sweeps the placeholders left
// and finds the one recorded before the post, whose racebot is still at
// it. Whatever the two do, Ana is not shown the draft only to have it
// replaced by "interrupted": either the draft stays, or she is told it
// could not be posted.
func TestDraftPlaceholderStillBeingPostedIsNotTakenForLeft(t *testing.T) {
	t.Parallel()
	clk := &clock{now: time.Now()}
	llm := openaifake.New(t, aDraft)
	var armed atomic.Bool
	waits := make(chan chan bool)
	h := newHarness(t, withModel(t, llm), func(c *setup) {
		c.Now = clk.Now
		c.RetryWait = func(ctx context.Context, _ time.Duration) bool {
			if !armed.Load() {
				return ctx.Err() == nil
			}
			// This wait lasts past placeholderLeft: like sleepUnlessLate,
			// one its deadline would cut short is not begun.
			if deadline, ok := ctx.Deadline(); ok && time.Until(deadline) < placeholderLeft {
				return false
			}
			resume := make(chan bool)
			select {
			case waits <- resume:
				return <-resume
			case <-ctx.Done():
				return false
			}
		}
	})
	srv := h.serveHTTP()
	header, _ := h.newPlanOverHTTP(srv, "C1", "Q1")

	// The sweeping racebot's looks in threads wait at this gate.
	gateOpen, atGate := make(chan struct{}), make(chan struct{}, 1)
	target, err := url.Parse(h.fake.URL())
	if err != nil {
		t.Fatal(err)
	}
	proxy := httputil.NewSingleHostReverseProxy(target)
	gate := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "conversations.replies") {
			select {
			case atGate <- struct{}{}:
			default:
			}
			<-gateOpen
		}
		proxy.ServeHTTP(w, r)
	}))
	t.Cleanup(gate.Close)
	var once sync.Once
	open := func() { once.Do(func() { close(gateOpen) }) }
	t.Cleanup(open)

	h.fake.FailAfterNext("chat.postMessage", 1, http.StatusInternalServerError)
	h.fake.FailNext("conversations.replies", 1, http.StatusInternalServerError)
	armed.Store(true)
	if code := h.deliver(srv, slackfake.EventBody(slackfake.MessageEvent{Channel: "C1", User: "UANA", Text: "draft", ThreadTS: header.TS})); code != http.StatusOK {
		t.Fatalf("the draft request was answered %d", code)
	}
	placeholder := h.threadMessage("C1", header.TS, "Drafting an answer")
	told := func() bool {
		for _, e := range h.fake.Ephemerals() {
			if e.User == "UANA" && strings.Contains(e.Text, "could not be posted") {
				return true
			}
		}
		return false
	}
	var resume chan bool
	h.fake.WaitFor(t, func() bool {
		if resume == nil {
			select {
			case resume = <-waits:
			default:
			}
		}
		return resume != nil || told()
	}, "the look for the placeholder failing")

	clk.Add(placeholderLeft + time.Second)
	sweeper := h.startBot(botOptions{api: NewAPI("xoxb-test", "xapp-test", gate.URL+"/api/")})
	select {
	case <-atGate:
	case <-time.After(10 * time.Second):
		t.Fatal("the second racebot did not look for the placeholder")
	}
	if resume != nil {
		resume <- true
		h.fake.WaitFor(t, func() bool {
			for _, m := range h.fake.Replies("C1", header.TS) {
				if m.TS == placeholder.TS && strings.Contains(m.Text, aDraft) {
					return true
				}
			}
			return false
		}, "the draft in the placeholder")
	}
	open()
	sweeper.firstPass.Wait()
	sweeper.stopLoops()
	sweeper.loops.Wait()
	for _, m := range h.fake.Replies("C1", header.TS) {
		if m.TS == placeholder.TS && strings.Contains(m.Text, "interrupted") && !told() {
			t.Errorf("the draft shown to Ana was replaced: %q", m.Text)
		}
	}
}
