package bot

import (
	"bytes"
	"context"
	"log/slog"
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
func TestLanesRunAtMostTheirNumberAtOnce(t *testing.T) {
	var wg sync.WaitGroup
	start := func(fn func()) {
		wg.Add(1)
		go func() { defer wg.Done(); fn() }()
	}
	l := newLanes(4, start, func(string) {}, "test")
	gate := make(chan struct{})
	var running, most atomic.Int32
	var mu sync.Mutex
	var order []int
	for i := range 12 {
		l.run(func() {
			mu.Lock()
			order = append(order, i)
			mu.Unlock()
			n := running.Add(1)
			for m := most.Load(); n > m && !most.CompareAndSwap(m, n); m = most.Load() {
			}
			<-gate
			running.Add(-1)
		})
	}
	waitUntil(t, func() bool { return running.Load() == 4 }, "four jobs running")
	if q := l.waiting(); q != 8 {
		t.Errorf("with four jobs out, %d wait; want 8", q)
	}
	close(gate)
	wg.Wait()
	if m := most.Load(); m != 4 {
		t.Errorf("at most %d jobs ran at once; want 4", m)
	}
	for i, n := range order[4:] {
		if n != i+4 {
			t.Fatalf("jobs ran in the order %v; want those past the first four in the order given", order)
		}
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
	l.run(func() { <-gate; panic("boom") })
	l.run(func() { ran.Add(1) })
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
