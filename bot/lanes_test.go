package bot

import (
	"bytes"
	"context"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/racebot/racebot/internal/slackfake"
)

// TestLanesRunAtMostTheirNumberAtOnce: twelve jobs given at once, each
// held until the test lets it go, run four at a time and in the order
// given; the rest wait as jobs, not as goroutines with their work begun.
// The jobs are let go one at a time, so that which starts next is the
// lanes' choice alone, not the scheduler's.
func TestLanesRunAtMostTheirNumberAtOnce(t *testing.T) {
	var wg sync.WaitGroup
	start := func(fn func()) {
		wg.Add(1)
		go func() { defer wg.Done(); fn() }()
	}
	l := newLanes(4, start, func(string) {}, "test")
	var gates [12]chan struct{}
	var running, most atomic.Int32
	var mu sync.Mutex
	var order []int
	started := func() []int {
		mu.Lock()
		defer mu.Unlock()
		return slices.Clone(order)
	}
	for i := range gates {
		gates[i] = make(chan struct{})
		l.run("T1", func() {
			mu.Lock()
			order = append(order, i)
			mu.Unlock()
			n := running.Add(1)
			for m := most.Load(); n > m && !most.CompareAndSwap(m, n); m = most.Load() {
			}
			<-gates[i]
			running.Add(-1)
		})
	}
	waitUntil(t, func() bool { return running.Load() == 4 }, "four jobs running")
	if q := l.waiting(); q != 8 {
		t.Errorf("with four jobs out, %d wait; want 8", q)
	}
	for i := range 8 {
		// Job i is out; the lane it frees takes the oldest job waiting,
		// the other lanes being held.
		close(gates[i])
		waitUntil(t, func() bool { return len(started()) == 5+i }, "the next job to start")
		if got := started(); got[4+i] != 4+i {
			t.Fatalf("jobs ran in the order %v; want those past the first four in the order given", got)
		}
	}
	for _, g := range gates[8:] {
		close(g)
	}
	wg.Wait()
	if m := most.Load(); m != 4 {
		t.Errorf("at most %d jobs ran at once; want 4", m)
	}
}

// TestLanesGoOnAfterAPanic: a job that panics is recovered and logged as
// the bot logs any background panic, and the job queued behind it still
// runs.
func TestLanesGoOnAfterAPanic(t *testing.T) {
	var logged bytes.Buffer
	b := &Bot{log: slog.New(slog.NewTextHandler(&logged, nil))}
	var wg sync.WaitGroup
	start := func(fn func()) {
		wg.Add(1)
		go func() { defer wg.Done(); fn() }()
	}
	l := newLanes(1, start, b.recover, "test job")
	gate := make(chan struct{})
	var ran atomic.Int32
	l.run("T1", func() { <-gate; panic("boom") })
	l.run("T1", func() { ran.Add(1) })
	close(gate)
	wg.Wait()
	if ran.Load() != 1 || !strings.Contains(logged.String(), "test job") {
		t.Errorf("after a job panicked, %d later jobs ran (want 1), and the log reads:\n%s", ran.Load(), logged.String())
	}
}

func waitUntil(t *testing.T, cond func() bool, what string) {
	t.Helper()
	deadline := time.Now().Add(slackfake.DefaultWaitTimeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}

// TestShutdownRewritesHeadersAFewAtATime: racebot is stopped (a deploy)
// while seven plans' header rewrites wait out their interval. Each goes
// out at shutdown, but a few at a time: all at once, a busy workspace's
// thousands of rewrites each opened a connection to Slack and built its
// request together, and racebot's memory doubled as it stopped.
func TestShutdownRewritesHeadersAFewAtATime(t *testing.T) {
	t.Parallel()
	h := newHarness(t, func(c *setup) { c.HeaderEvery = time.Hour })
	h.runSocket()
	const plans = headerLanes + 3
	for i := range plans {
		header, q1, _ := h.firstQuestion("Plan " + string(rune('A'+i)))
		h.fake.WaitAck(t, h.fake.SendEvent(slackfake.MessageEvent{Channel: "C1", User: "UANA", Text: "Coffee beans by subscription.", TS: tsAfter(t, q1.TS, time.Millisecond), ThreadTS: header.TS}))
		h.threadMessage("C1", header.TS, "What is your value proposition")
	}
	h.settle()
	release := h.fake.Hold("chat.update")
	defer release()
	done := make(chan error, 1)
	go func() { done <- h.bot.Shutdown(context.Background()) }()
	h.fake.WaitFor(t, func() bool {
		return h.fake.InFlight("chat.update") == headerLanes && h.bot.headers.lanes.waiting() == plans-headerLanes
	},
		"the first header rewrites out and the rest waiting")
	release()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if n := len(h.fake.Calls("chat.update")); n != plans {
		t.Errorf("%d header rewrites at shutdown; want %d, one a plan", n, plans)
	}
}

// TestHeaderRewritesOfAWorkspaceRateLimitedLeaveOthersGoing: Slack
// limits chat.update per workspace. While the first workspace's header
// rewrites wait out its Retry-After, a plan in the second workspace is
// answered, and its header shows the answer at once: one busy workspace
// does not hold up the others' rewrites, as it holds up none of their
// messages (see paceKey).
func TestHeaderRewritesOfAWorkspaceRateLimitedLeaveOthersGoing(t *testing.T) {
	t.Parallel()
	limited := make(chan struct{})
	h := newHarness(t, func(c *setup) {
		c.HeaderEvery = time.Nanosecond
		c.RetryWait = func(ctx context.Context, d time.Duration) bool {
			if tenantOf(ctx).team == "T1" {
				select {
				case <-limited:
				case <-ctx.Done():
				}
			}
			return ctx.Err() == nil
		}
	})
	defer close(limited)
	h.runSocket()
	type thread struct{ header, q1 slackfake.Message }
	var t1 []thread
	for i := range headerLanes {
		header, q1, _ := h.firstQuestion("Plan " + string(rune('A'+i)))
		t1 = append(t1, thread{header, q1})
	}
	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.SlashCommand{Command: "/race", Text: "new Other", UserID: "UBO", ChannelID: "C2", TeamID: "T2"}))
	other := h.header("C2", "Other")
	otherQ1 := h.threadMessage("C2", other.TS, "What does the business sell")
	h.settle()

	h.fake.RateLimitNext("chat.update", headerLanes, 30*time.Second)
	for _, th := range t1 {
		h.fake.WaitAck(t, h.fake.SendEvent(slackfake.MessageEvent{Channel: "C1", User: "UANA", Text: "Coffee beans by subscription.", TS: tsAfter(t, th.q1.TS, time.Millisecond), ThreadTS: th.header.TS}))
	}
	h.fake.WaitFor(t, func() bool {
		n := 0
		for _, c := range h.fake.Calls("chat.update") {
			if c.Status == 429 {
				n++
			}
		}
		return n == headerLanes
	}, "each of the first workspace's rewrites refused for its rate limit")
	calls := len(h.fake.Calls("chat.update"))
	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.MessageEvent{Channel: "C2", User: "UBO", Text: "Bikes.", TS: tsAfter(t, otherQ1.TS, time.Millisecond), ThreadTS: other.TS, TeamID: "T2"}))
	h.fake.WaitFor(t, func() bool {
		for _, c := range h.fake.Calls("chat.update")[calls:] {
			if c.Get("channel") == "C2" && c.Status == 200 {
				return true
			}
		}
		return false
	}, "the second workspace's header rewritten while the first's wait")
}
