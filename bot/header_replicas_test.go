package bot

import (
	"context"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/racebot/racebot/coach"
	"github.com/racebot/racebot/flows"
	"github.com/racebot/racebot/internal/pgtest"
	"github.com/racebot/racebot/internal/slackfake"
	"github.com/racebot/racebot/storage/postgres"
)

// pgRacebots is a harness whose racebot runs on a PostgreSQL database of
// the test's own (see pgtest; skipped without a server), serving Socket
// Mode, and a second racebot on the same database through a pool of its
// own, as two replicas are. Only the store differs from a plain harness:
// h.db, the harness's SQLite file, has none of their plans.
func pgRacebots(t *testing.T, configure ...func(*setup)) (h *harness, other *Bot) {
	t.Helper()
	url := pgtest.URL(t)
	open := func() *postgres.DB {
		db, err := postgres.Open(context.Background(), url)
		if err != nil {
			t.Fatal(err)
		}
		return db
	}
	mine, theirs := open(), open()
	h = newHarness(t, append([]func(*setup){func(c *setup) { c.Store, c.Reminders = mine, mine }}, configure...)...)
	t.Cleanup(func() { mine.Close() })
	h.runSocket()
	other = New(Config{
		API:          h.api,
		Service:      coach.New(coach.Config{Catalogue: flows.RACE(), Store: theirs, Reminders: theirs}),
		Logger:       slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelWarn})),
		Now:          h.bot.now,
		PostInterval: time.Millisecond,
		CheckinPoll:  time.Hour,
	})
	other.ackWithin = testAckWindow
	if err := other.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	other.firstPass.Wait()
	var once sync.Once
	t.Cleanup(func() {
		once.Do(func() {
			h.stop(other)
			theirs.Close()
		})
	})
	return h, other
}

// TestHeaderFromTwoRacebotsShowsTheLatest: two racebots on one PostgreSQL
// database. Ana answers the first question through racebot A, whose
// rewrite of the plan's header (one answer) Slack rate-limits; meanwhile
// Ben answers the second through racebot B, which rewrites the header with
// both. A's rewrite, read before Ben's answer, lands last: the header must
// still end up showing both answers, not go back to one until someone
// answers again.
func TestHeaderFromTwoRacebotsShowsTheLatest(t *testing.T) {
	t.Parallel()
	waiting, resume := make(chan struct{}), make(chan struct{})
	var held sync.Once
	h, other := pgRacebots(t, func(c *setup) {
		c.HeaderEvery = time.Millisecond
		c.RetryWait = func(ctx context.Context, d time.Duration) bool {
			held.Do(func() { close(waiting) })
			select {
			case <-resume:
				return true
			case <-ctx.Done():
				return false
			}
		}
	})
	otherSrv := serve(t, other)

	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.SlashCommand{Command: "/race", Text: "new Q1", UserID: "UANA", ChannelID: "C1"}))
	header := h.header("C1", "Q1")
	q1 := h.threadMessage("C1", header.TS, "What does the business sell")
	h.settle()
	shows := func(line string) bool {
		m, _ := h.message("C1", header.TS)
		return strings.Contains(string(m.Blocks), line)
	}

	h.fake.RateLimitNext("chat.update", 1, time.Second)
	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.MessageEvent{Channel: "C1", User: "UANA", Text: "Coffee beans by subscription.", TS: tsAfter(t, q1.TS, time.Millisecond), ThreadTS: header.TS}))
	q2 := h.threadMessage("C1", header.TS, "What is your value proposition")
	waitClosed(t, waiting, "A's header rewrite to wait out its Retry-After")

	if code := h.deliver(otherSrv, slackfake.EventBody(slackfake.MessageEvent{Channel: "C1", User: "UBEN", Text: "Fresh beans at the door every month.", TS: tsAfter(t, q2.TS, time.Millisecond), ThreadTS: header.TS})); code != http.StatusOK {
		t.Fatalf("Ben's answer answered %d", code)
	}
	h.fake.WaitFor(t, func() bool { return shows("◐ Plan 2/") }, "B's header rewrite with both answers")
	close(resume)
	h.settle()
	settle(t, other, h.fake)
	if !shows("◐ Plan 2/") {
		m, _ := h.message("C1", header.TS)
		t.Errorf("the header, last rewritten, shows fewer answers than were given:\n%s", m.Blocks)
	}
}

// TestHeaderRewritesKeepTheirPaceUnderSteadyAnswers: one racebot, answers
// coming steadily, and a header rewrite Slack holds (the channel's turn,
// a Retry-After) while the next answer lands. That answer waits for the
// next rewrite at the end of the interval, as every change in it does:
// the rewrite that landed must not be followed at once by more, each a
// chat.update against the workspace's rate limit.
func TestHeaderRewritesKeepTheirPaceUnderSteadyAnswers(t *testing.T) {
	t.Parallel()
	var (
		mu     sync.Mutex
		timers []func()
	)
	h := newHarness(t, func(c *setup) {
		c.HeaderEvery = time.Hour
		c.BeforeStart = func(b *Bot) {
			b.headers.after = func(_ time.Duration, fn func()) func() bool {
				mu.Lock()
				defer mu.Unlock()
				timers = append(timers, fn)
				return func() bool { return true }
			}
		}
	})
	h.runSocket()
	fire := func(what string) {
		t.Helper()
		mu.Lock()
		n := len(timers)
		mu.Unlock()
		if n != 1 {
			t.Fatalf("%d header rewrites waiting for the interval, want 1 (%s)", n, what)
		}
		mu.Lock()
		fn := timers[0]
		timers = nil
		mu.Unlock()
		fn()
	}
	header, q1, _ := h.firstQuestion("Q1")
	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.MessageEvent{Channel: "C1", User: "UANA", Text: "Coffee beans by subscription.", TS: tsAfter(t, q1.TS, time.Millisecond), ThreadTS: header.TS}))
	q2 := h.threadMessage("C1", header.TS, "What is your value proposition")
	h.settle()

	release := h.fake.Hold("chat.update")
	defer release()
	fire("after the first answer")
	h.fake.WaitFor(t, func() bool { return h.fake.InFlight("chat.update") == 1 }, "the header rewrite out")
	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.MessageEvent{Channel: "C1", User: "UBEN", Text: "Fresh beans at the door every month.", TS: tsAfter(t, q2.TS, time.Millisecond), ThreadTS: header.TS}))
	h.threadMessage("C1", header.TS, "Which customer segments")
	release()
	h.settle()
	if n := len(h.fake.Calls("chat.update")); n != 1 {
		t.Errorf("%d header rewrites within the interval, want 1", n)
	}
	fire("after the answer given while the rewrite was out")
	h.settle()
	m, _ := h.message("C1", header.TS)
	if n := len(h.fake.Calls("chat.update")); n != 2 || !strings.Contains(string(m.Blocks), "◐ Plan 2/") {
		t.Errorf("%d header rewrites at the interval's end, want 2, the last showing both answers:\n%s", n, m.Blocks)
	}
}
