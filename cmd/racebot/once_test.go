package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/racebot/racebot/bot"
	"github.com/racebot/racebot/coach"
	"github.com/racebot/racebot/flows"
	"github.com/racebot/racebot/internal/slackfake"
	"github.com/racebot/racebot/internal/testdb"
	"github.com/racebot/racebot/schedule"
	"github.com/racebot/racebot/scheduler"
	"github.com/racebot/racebot/storage"
)

// simClock is the simulated time of the scheduler, the bot and the Slack
// client's retry waits: a 30-second Retry-After moves it, and takes no
// time. moved, if set, sees every move.
type simClock struct {
	mu    sync.Mutex
	now   time.Time
	moved func(time.Time)
}

func (c *simClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// After never fires: these tests drive the scheduler with Tick.
func (c *simClock) After(time.Duration) <-chan time.Time { return nil }

func (c *simClock) Set(t time.Time) {
	c.mu.Lock()
	c.now = t
	moved := c.moved
	c.mu.Unlock()
	if moved != nil {
		moved(t)
	}
}

func (c *simClock) Add(d time.Duration) { c.Set(c.Now().Add(d)) }

// onceEnv is racebot's check-in path as deployed: the scheduler on a real
// SQLite file, the check-in runner, the bot and the real Slack client
// against the fake, on a simulated clock.
type onceEnv struct {
	t      *testing.T
	fake   *slackfake.Fake
	db     *storage.DB
	clk    *simClock
	svc    *coach.Service
	runner *checkinRunner
	sched  *scheduler.Scheduler
	plan   flows.PlanID
	due    time.Time // the occurrence the test is about
	key    string
}

func newOnceEnv(t *testing.T) *onceEnv {
	t.Helper()
	ctx := context.Background()
	e := &onceEnv{t: t, fake: slackfake.New(t)}
	db := testdb.Open(t)
	e.db = db
	// Slack stamps messages with the real time, and a post is looked for
	// from when its check-in was opened, or was due. The simulated time
	// runs ten minutes behind the real one, so what the bot opens at a
	// simulated time it posts, in Slack's eyes, later, as it would.
	e.due = time.Now().UTC().Add(-10 * time.Minute).Truncate(time.Minute)
	e.clk = &simClock{now: e.due.Add(-time.Minute)}
	var err error
	e.plan, err = db.CreatePlan(ctx, flows.NewPlan("T1", "C1", "Q1", "U1", e.clk.Now()), "")
	if err != nil {
		t.Fatal(err)
	}
	e.svc = coach.New(coach.Config{Catalogue: flows.RACE(), Store: db})
	e.runner = &checkinRunner{bot: e.newBot(e.svc, e.fake.APIURL())}
	e.sched = e.newScheduler(e.runner, "second")
	spec, err := schedule.Parse(fmt.Sprintf("every day %02d:%02d UTC", e.due.Hour(), e.due.Minute()), nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.sched.Set(ctx, "T1", e.plan, spec, "U1"); err != nil {
		t.Fatal(err)
	}
	e.key = spec.Key(e.due)
	return e
}

func (e *onceEnv) newBot(svc *coach.Service, apiURL string) *bot.Bot {
	wait := bot.WithRetryWait(func(_ context.Context, d time.Duration) bool {
		e.clk.Add(d)
		return true
	})
	return bot.New(bot.Config{
		API: bot.NewAPI("xoxb-test", "", apiURL, wait), Service: svc, Now: e.clk.Now,
		PostInterval: time.Millisecond, Logger: testLogger(e.t),
	})
}

func (e *onceEnv) newScheduler(r scheduler.Runner, instance string) *scheduler.Scheduler {
	return scheduler.New(e.db, r, e.clk, testLogger(e.t), instance)
}

// tick runs the scheduler at simulated time at.
func (e *onceEnv) tick(at time.Time) {
	e.t.Helper()
	e.clk.Set(at)
	if err := e.sched.Tick(context.Background()); err != nil {
		e.t.Fatalf("tick at %s: %v", at, err)
	}
}

// occurrence is the run-log entry of the test's occurrence.
func (e *onceEnv) occurrence() scheduler.Occurrence {
	e.t.Helper()
	runs, err := e.db.Occurrences(context.Background(), "T1", e.plan, 10)
	if err != nil {
		e.t.Fatal(err)
	}
	for _, o := range runs {
		if o.Key == e.key {
			return o
		}
	}
	e.t.Fatalf("no run-log entry for %s: %+v", e.key, runs)
	return scheduler.Occurrence{}
}

// postedOnce checks that the occurrence ended in state with its check-in
// posted exactly once: one opening in the channel, one summary in its
// thread, both recorded on the one check-in of the occurrence.
func (e *onceEnv) postedOnce(state scheduler.State) (scheduler.Occurrence, flows.Checkin) {
	e.t.Helper()
	var openings []slackfake.Message
	for _, m := range e.fake.Messages("C1") {
		if m.ThreadTS == "" && strings.Contains(m.Text, "KPI check-in") {
			openings = append(openings, m)
		}
	}
	if len(openings) != 1 {
		e.t.Fatalf("%d check-in openings in the channel, want 1\n%s", len(openings), e.fake.Dump())
	}
	var replies []slackfake.Message
	for _, m := range e.fake.Replies("C1", openings[0].TS) {
		// The first check-in of a quarter also asks for the capability
		// rating, once; that is not the check-in posting twice.
		if !isCapabilityReminder(m.Text) {
			replies = append(replies, m)
		}
	}
	if len(replies) != 1 {
		e.t.Errorf("%d messages in the check-in's thread, want its summary only\n%s", len(replies), e.fake.Dump())
	}
	o := e.occurrence()
	if o.State != state || o.Checkin == 0 {
		e.t.Fatalf("occurrence %s: state %s, check-in %d, note %q; want %s with its check-in", o.Key, o.State, o.Checkin, o.Note, state)
	}
	ctx := context.Background()
	c, err := e.db.CheckinByID(ctx, "T1", o.Checkin)
	if err != nil {
		e.t.Fatal(err)
	}
	if c.Thread != openings[0].TS || len(replies) == 0 || c.SummaryTS != replies[0].TS {
		e.t.Errorf("check-in recorded thread %q summary %q; want the opening %s and its summary", c.Thread, c.SummaryTS, openings[0].TS)
	}
	if byOcc, err := e.db.CheckinByOccurrence(ctx, "T1", e.plan, e.key); err != nil || byOcc.ID != c.ID {
		e.t.Errorf("check-in of the occurrence = %d, %v; want %d", byOcc.ID, err, c.ID)
	}
	if _, err := e.db.CheckinByID(ctx, "T1", c.ID+1); !errors.Is(err, flows.ErrNoCheckin) {
		e.t.Errorf("a second check-in was recorded: %v", err)
	}
	return o, c
}

// retryAt checks that the occurrence waits for a retry and returns when.
func (e *onceEnv) retryAt() time.Time {
	e.t.Helper()
	o := e.occurrence()
	if o.State != scheduler.StateRetry {
		e.t.Fatalf("occurrence %s: state %s, note %q; want a retry\n%s", o.Key, o.State, o.Note, e.fake.Dump())
	}
	return o.RetryAt
}

func refusedURL(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	url := "http://" + ln.Addr().String() + "/api/"
	ln.Close()
	return url
}

// TestCheckinPostedOnceUnderFaults runs a scheduled check-in through
// Slack failures: each check-in opening is posted exactly once, and none
// of them marks the occurrence failed.
func TestCheckinPostedOnceUnderFaults(t *testing.T) {
	t.Run("500 after posting", func(t *testing.T) {
		t.Parallel()
		e := newOnceEnv(t)
		e.fake.FailAfterNext("chat.postMessage", 1, http.StatusInternalServerError)
		e.tick(e.due)
		e.postedOnce(scheduler.StatePosted)
		if len(e.fake.Calls("conversations.history")) == 0 {
			t.Error("the opening was not looked for after its answer was lost")
		}
	})

	t.Run("reset after posting", func(t *testing.T) {
		t.Parallel()
		e := newOnceEnv(t)
		e.fake.ResetAfterNext("chat.postMessage", 1)
		e.tick(e.due)
		e.postedOnce(scheduler.StatePosted)
	})

	t.Run("500 after posting while the channel cannot be read", func(t *testing.T) {
		t.Parallel()
		e := newOnceEnv(t)
		e.fake.FailAfterNext("chat.postMessage", 1, http.StatusInternalServerError)
		e.fake.FailNext("conversations.history", 5, http.StatusServiceUnavailable) // every try of the client's
		e.tick(e.due)
		// It may be out: tried again later, looking first.
		e.tick(e.retryAt())
		o, _ := e.postedOnce(scheduler.StatePosted)
		if o.Attempts != 1 {
			t.Errorf("%d tries counted as not posted, want 1", o.Attempts)
		}
	})

	t.Run("429 burst of 30 s", func(t *testing.T) {
		t.Parallel()
		e := newOnceEnv(t)
		end := e.due.Add(30 * time.Second)
		e.burst(end, 10*time.Second)
		e.tick(e.due)
		o, _ := e.postedOnce(scheduler.StatePosted)
		if o.FinishedAt.Before(end) {
			t.Errorf("posted at %s, during the burst that ended at %s", o.FinishedAt, end)
		}
		if n := len(e.fake.Calls("conversations.history")); n != 0 {
			t.Errorf("looked %d times for posts Slack answered 429", n)
		}
	})

	t.Run("429 burst longer than the client waits", func(t *testing.T) {
		t.Parallel()
		e := newOnceEnv(t)
		end := e.due.Add(90 * time.Second)
		e.burst(end, 10*time.Second)
		e.tick(e.due)
		at := e.retryAt()
		if !at.Before(end) {
			t.Fatalf("retry at %s, after the burst; the test wants it during", at)
		}
		e.tick(at)
		o, _ := e.postedOnce(scheduler.StatePosted)
		if o.Attempts != 1 || o.FinishedAt.Before(end) {
			t.Errorf("attempts %d, finished %s; want one try not posted, then posted after %s", o.Attempts, o.FinishedAt, end)
		}
	})

	t.Run("connection refused", func(t *testing.T) {
		t.Parallel()
		e := newOnceEnv(t)
		e.runner.bot = e.newBot(e.svc, refusedURL(t))
		e.tick(e.due)
		at := e.retryAt()
		e.runner.bot = e.newBot(e.svc, e.fake.APIURL())
		e.tick(at)
		e.postedOnce(scheduler.StatePosted)
	})
}

// burst makes Slack answer every chat.postMessage with 429 and
// Retry-After until the simulated clock reaches end.
func (e *onceEnv) burst(end time.Time, retryAfter time.Duration) {
	e.fake.RateLimitNext("chat.postMessage", 1<<20, retryAfter)
	var once sync.Once
	e.clk.moved = func(now time.Time) {
		if !now.Before(end) {
			once.Do(func() { e.fake.RateLimitNext("chat.postMessage", 0, 0) })
		}
	}
}

// blockingStore stops the bot between posting a check-in and recording
// its thread, as a racebot that dies there does.
type blockingStore struct {
	*storage.DB
	// atSummary stops at the record of the check-in's summary, posted
	// after its thread is recorded; otherwise at the record of its
	// thread, right after the opening is posted.
	atSummary bool
	entered   chan struct{}
	release   chan struct{}
	once      sync.Once
}

func (s *blockingStore) SetCheckinMessages(ctx context.Context, id int64, thread, summary string) error {
	if (summary != "") == s.atSummary {
		s.once.Do(func() { close(s.entered) })
		<-s.release
	}
	return s.DB.SetCheckinMessages(ctx, id, thread, summary)
}

// TestCheckinRecoveredAfterCrash: a racebot that stopped between claiming
// an occurrence and recording its check-in leaves the claim; once it is
// older than the lease another scheduler recovers it, and the check-in is
// out exactly once.
func TestCheckinRecoveredAfterCrash(t *testing.T) {
	ctx := context.Background()
	claimDead := func(e *onceEnv) {
		t.Helper()
		if won, err := e.db.ClaimOccurrence(ctx, e.plan, e.key, e.due, 0, "dead", e.due); err != nil || !won {
			t.Fatalf("claim: %t, %v", won, err)
		}
	}
	recovered := func(e *onceEnv) {
		t.Helper()
		e.tick(e.due.Add(scheduler.DefaultLease + time.Minute))
		o, _ := e.postedOnce(scheduler.StatePosted)
		if !strings.Contains(o.Note, "recovered") || o.ClaimedBy != "second" {
			t.Errorf("run log: claimed by %s, note %q; want recovered by second", o.ClaimedBy, o.Note)
		}
	}

	t.Run("claimed, nothing posted", func(t *testing.T) {
		t.Parallel()
		e := newOnceEnv(t)
		claimDead(e)
		recovered(e)
	})

	t.Run("claimed and opened, nothing posted", func(t *testing.T) {
		t.Parallel()
		e := newOnceEnv(t)
		claimDead(e)
		v, err := e.svc.OpenCheckin(ctx, "T1", e.plan, e.key, false, e.due)
		if err != nil {
			t.Fatal(err)
		}
		recovered(e)
		if o := e.occurrence(); o.Checkin != v.Checkin.ID {
			t.Errorf("recovered as check-in %d, want the one opened, %d", o.Checkin, v.Checkin.ID)
		}
	})

	t.Run("claimed, racebot removed from the channel since", func(t *testing.T) {
		t.Parallel()
		e := newOnceEnv(t)
		claimDead(e)
		e.fake.AddChannel(slackfake.Channel{ID: "C1", NotMember: true})
		e.tick(e.due.Add(scheduler.DefaultLease + time.Minute))
		// Slack refuses to show the channel: trying again cannot help.
		if o := e.occurrence(); o.State != scheduler.StateFailed {
			t.Errorf("state %s, note %q; want failed", o.State, o.Note)
		}
		if n := len(e.fake.Calls("chat.postMessage")); n != 0 {
			t.Errorf("%d posts, want none", n)
		}
	})

	// stopAt runs a first racebot that posts the check-in and stops at one
	// of its records (see blockingStore), and then another that recovers
	// the claim; it returns the posts before and after the recovery.
	stopAt := func(t *testing.T, atSummary bool) (before, after int) {
		e := newOnceEnv(t)
		stuck := &blockingStore{DB: e.db, atSummary: atSummary, entered: make(chan struct{}), release: make(chan struct{})}
		first := e.newScheduler(&checkinRunner{bot: e.newBot(coach.New(coach.Config{Catalogue: flows.RACE(), Store: stuck}), e.fake.APIURL())}, "first")
		e.clk.Set(e.due)
		done := make(chan struct{})
		go func() {
			defer close(done)
			// It no longer holds the claim when it resumes; its error is
			// that, and not this test's concern.
			_ = first.Tick(ctx)
		}()
		defer func() {
			close(stuck.release)
			<-done
		}()
		select {
		case <-stuck.entered:
		case <-time.After(slackfake.DefaultWaitTimeout):
			t.Fatalf("the first racebot did not post the check-in\n%s", e.fake.Dump())
		}
		before = checkinPosts(e.fake)
		recovered(e)
		return before, checkinPosts(e.fake)
	}

	t.Run("opening posted, thread not recorded", func(t *testing.T) {
		t.Parallel()
		// The recovery finds the opening and posts only the summary.
		before, after := stopAt(t, false)
		if before != 1 || after != 2 {
			t.Errorf("%d posts before the recovery and %d after, want the opening and then the summary", before, after)
		}
	})

	t.Run("posted, summary not recorded", func(t *testing.T) {
		t.Parallel()
		// The recovery finds both and posts nothing.
		before, after := stopAt(t, true)
		if before != 2 || after != before {
			t.Errorf("%d posts before the recovery and %d after, want the opening and the summary, and nothing more", before, after)
		}
	})
}

// testLogger sends logs to the test log.
func testLogger(t *testing.T) *slog.Logger {
	return slog.New(slog.NewTextHandler(testLog{t}, &slog.HandlerOptions{Level: slog.LevelWarn}))
}

type testLog struct{ t *testing.T }

func (w testLog) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}

// isCapabilityReminder tells the quarter's capability reminder, which the
// first check-in of a quarter brings once, from the check-in's own posts.
func isCapabilityReminder(text string) bool {
	return strings.Contains(text, "A new quarter has begun")
}

// checkinPosts counts the check-in's own posts, the reminder left out.
func checkinPosts(f *slackfake.Fake) int {
	n := 0
	for _, c := range f.Calls("chat.postMessage") {
		if !isCapabilityReminder(c.Get("text")) {
			n++
		}
	}
	return n
}
