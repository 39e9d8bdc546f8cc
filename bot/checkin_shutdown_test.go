package bot

import (
	"context"
	"fmt"
	"log/slog"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/racebot/racebot/coach"
	"github.com/racebot/racebot/flows"
	"github.com/racebot/racebot/internal/slackfake"
)

// logRecorder keeps the records a bot logs, so a test can tell a failure
// that was reported from one that was dropped.
type logRecorder struct {
	mu      sync.Mutex
	records []slog.Record
}

func (r *logRecorder) Enabled(context.Context, slog.Level) bool { return true }
func (r *logRecorder) WithAttrs([]slog.Attr) slog.Handler       { return r }
func (r *logRecorder) WithGroup(string) slog.Handler            { return r }
func (r *logRecorder) Handle(_ context.Context, rec slog.Record) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.records = append(r.records, rec.Clone())
	return nil
}

// errorsAbout lists the messages logged at error level with an attribute
// key of value v.
func (r *logRecorder) errorsAbout(key string, v int64) []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []string
	for _, rec := range r.records {
		if rec.Level < slog.LevelError {
			continue
		}
		rec.Attrs(func(a slog.Attr) bool {
			if a.Key == key && a.Value.String() == fmt.Sprint(v) {
				out = append(out, rec.Message)
			}
			return true
		})
	}
	return out
}

// botOptions configures another Bot on a harness's database and fake.
type botOptions struct {
	store        coach.Store // the harness's database when nil
	logger       *slog.Logger
	claimTimeout time.Duration
	claims       *claimBounds // bounds of claims that end when the test says
	beforeStart  func(*Bot)
	api          *Client   // the harness's client when nil
	assistant    Assistant // none when nil
}

// startBot starts another Bot on the harness's database file and fake, as
// a restarted racebot (or a second one) would run, reminders and all; the
// harness's clock is shared, and its loops wait an hour between ticks, so
// only the tick at Start runs by itself.
func (h *harness) startBot(o botOptions) *Bot {
	h.t.Helper()
	store := o.store
	if store == nil {
		store = h.db
	}
	if o.logger == nil {
		o.logger = slog.New(slog.NewTextHandler(testWriter{h.t}, &slog.HandlerOptions{Level: slog.LevelWarn}))
	}
	api := o.api
	if api == nil {
		api = h.api
	}
	b := New(Config{
		API:          api,
		Assistant:    o.assistant,
		Service:      coach.New(coach.Config{Catalogue: flows.RACE(), Store: store, Reminders: h.db}),
		Logger:       o.logger,
		Now:          h.bot.now,
		PostInterval: time.Millisecond,
		CheckinPoll:  time.Hour,
	})
	b.ackWithin = testAckWindow
	if o.claimTimeout > 0 {
		b.claimTimeout = o.claimTimeout
	}
	if o.claims != nil {
		b.claimExpiry = o.claims.bound
	}
	if o.beforeStart != nil {
		o.beforeStart(b)
	}
	if err := b.Start(context.Background()); err != nil {
		h.t.Fatal(err)
	}
	h.t.Cleanup(func() { h.stop(b) })
	return b
}

// claimBounds stands in for a Bot's claimTimeout (see Bot.claimExpiry):
// its bounds run out when the test calls expire, once Slack holds what it
// waits for, never before on a busy machine's clock.
type claimBounds struct {
	mu   sync.Mutex
	ends []context.CancelCauseFunc
}

func (c *claimBounds) bound(ctx context.Context) (context.Context, context.CancelFunc) {
	inner, end := context.WithCancelCause(ctx)
	c.mu.Lock()
	c.ends = append(c.ends, end)
	c.mu.Unlock()
	return claimBound{inner}, func() { end(context.Canceled) }
}

// expire runs out the bounds made so far; later ones have time of their
// own, as a real bound made after another ran out would.
func (c *claimBounds) expire() {
	c.mu.Lock()
	ends := c.ends
	c.ends = nil
	c.mu.Unlock()
	for _, end := range ends {
		end(context.DeadlineExceeded)
	}
}

// claimBound is a bound of claimBounds: once it has run out it says
// context.DeadlineExceeded, as a deadline that passed says.
type claimBound struct{ context.Context }

func (c claimBound) Err() error {
	if c.Context.Err() == nil {
		return nil
	}
	return context.Cause(c.Context)
}

// stop shuts a bot down, failing the test if that takes unreasonably long.
func (h *harness) stop(b *Bot) {
	h.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := b.Shutdown(ctx); err != nil {
		h.t.Errorf("shutdown: %v", err)
	}
}

// stopWhile starts shutting b down and returns once its loops have been
// told to stop; the returned channel reports when Shutdown returns.
func (h *harness) stopWhile(b *Bot) <-chan error {
	h.t.Helper()
	done := make(chan error, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		done <- b.Shutdown(ctx)
	}()
	select {
	case <-b.loopCtx.Done():
	case <-time.After(slackfake.DefaultWaitTimeout):
		h.t.Fatal("Shutdown did not stop the loops")
	}
	return done
}

func (h *harness) waitShutdown(done <-chan error) {
	h.t.Helper()
	select {
	case err := <-done:
		if err != nil {
			h.t.Errorf("shutdown: %v", err)
		}
	case <-time.After(slackfake.DefaultWaitTimeout):
		h.t.Fatalf("Shutdown did not return\n%s", h.fake.Dump())
	}
}

// dueCheckin is a check-in whose close is due.
type dueCheckin struct {
	plan   *flows.Plan
	id     int64
	thread string
}

// checkinsDueToClose opens a check-in in each channel, nudges them (so the
// next claim is a close) and moves the clock past their close. Nobody
// answers, so a close posts one message and uploads no chart.
func (h *harness) checkinsDueToClose(srv *httptest.Server, clk *clock, channels ...string) []dueCheckin {
	h.t.Helper()
	var out []dueCheckin
	for _, ch := range channels {
		_, p := h.newPlanOverHTTP(srv, ch, "Q1 "+ch)
		p = h.setKPIs(p, flows.StageReach, "visitors | baseline 8k | target 20k | by 2027-03-31 | owner <@UANA>")
		id, opening := h.openCheckin(p)
		out = append(out, dueCheckin{plan: p, id: id, thread: opening.TS})
	}
	clk.Add(25 * time.Hour)
	h.bot.checkinTick(context.Background())
	for _, c := range out {
		h.threadMessage(c.plan.Channel, c.thread, "still missing")
	}
	clk.Add(48 * time.Hour)
	return out
}

func (h *harness) closes(c dueCheckin) int {
	return h.countReplies(c.plan.Channel, c.thread, "Check-in closed")
}

func (h *harness) closed(c dueCheckin) bool {
	h.t.Helper()
	got, err := h.db.CheckinByID(context.Background(), c.plan.Team, c.id)
	if err != nil {
		h.t.Fatal(err)
	}
	return got.Closed
}

func newCheckinHarness(t *testing.T) (*harness, *httptest.Server, *clock) {
	t.Helper()
	clk := &clock{now: time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC)}
	h := newHarness(t, func(c *setup) { c.Now = clk.Now; c.CheckinPoll = time.Hour })
	return h, h.serveHTTP(), clk
}

// TestClaimedCloseIsPostedThroughShutdown: a bot shut down while Slack is
// slow to take a claimed close still posts it, and a bot started on the
// same file afterwards does not close it again.
func TestClaimedCloseIsPostedThroughShutdown(t *testing.T) {
	t.Parallel()
	h, srv, clk := newCheckinHarness(t)
	c := h.checkinsDueToClose(srv, clk, "C1")[0]

	release := h.fake.Hold("chat.postMessage")
	b := h.startBot(botOptions{})
	h.fake.WaitFor(t, func() bool { return h.fake.InFlight("chat.postMessage") == 1 }, "the claimed close on its way")
	done := h.stopWhile(b)
	release()
	h.waitShutdown(done)
	if n := h.closes(c); n != 1 {
		t.Fatalf("%d closing messages after shutdown, want 1\n%s", n, h.fake.Dump())
	}

	again := h.startBot(botOptions{})
	again.checkinTick(context.Background())
	h.stop(again)
	if n := h.closes(c); n != 1 {
		t.Errorf("%d closing messages after a restart, want still 1", n)
	}
}

// TestShutdownLeavesNoClaimedCloseUnposted: with three closes due, a
// shutdown while the first is being posted posts that one and claims no
// other; the next start closes the other two, each once.
func TestShutdownLeavesNoClaimedCloseUnposted(t *testing.T) {
	t.Parallel()
	h, srv, clk := newCheckinHarness(t)
	due := h.checkinsDueToClose(srv, clk, "C1", "C2", "C3")

	release := h.fake.Hold("chat.postMessage")
	b := h.startBot(botOptions{})
	h.fake.WaitFor(t, func() bool { return h.fake.InFlight("chat.postMessage") == 1 }, "the first claimed close on its way")
	done := h.stopWhile(b)
	release()
	h.waitShutdown(done)
	var posted, claimed int
	for _, c := range due {
		posted += h.closes(c)
		if h.closed(c) {
			claimed++
		}
	}
	if posted != 1 || claimed != 1 {
		t.Fatalf("after shutdown: %d closes posted, %d claimed; want the one being posted and no other", posted, claimed)
	}

	next := h.startBot(botOptions{})
	h.fake.WaitFor(t, func() bool {
		return !slices.ContainsFunc(due, func(c dueCheckin) bool { return h.closes(c) == 0 })
	}, "the next start to close the other two")
	h.stop(next)
	for _, c := range due {
		if n := h.closes(c); n != 1 || !h.closed(c) {
			t.Errorf("check-in %d: %d closing messages, closed %t; want 1 and closed", c.id, n, h.closed(c))
		}
	}
}

// TestClaimedCloseThatCannotBePostedIsLogged: when Slack does not take a
// claimed close within the post's own time limit, the failure is logged as
// an error naming the check-in; shutdown does not wait past that limit.
func TestClaimedCloseThatCannotBePostedIsLogged(t *testing.T) {
	t.Parallel()
	h, srv, clk := newCheckinHarness(t)
	c := h.checkinsDueToClose(srv, clk, "C1")[0]

	release := h.fake.Hold("chat.postMessage")
	t.Cleanup(release)
	logs := &logRecorder{}
	b := h.startBot(botOptions{logger: slog.New(logs), claimTimeout: 200 * time.Millisecond})
	// On a busy machine the time limit may pass before the post reaches
	// Slack; the failure is logged all the same.
	h.fake.WaitFor(t, func() bool {
		return h.fake.InFlight("chat.postMessage") == 1 || len(logs.errorsAbout("checkin", c.id)) > 0
	}, "the claimed close on its way")
	h.waitShutdown(h.stopWhile(b))
	if n := h.closes(c); n != 0 {
		t.Fatalf("%d closing messages posted although Slack held them", n)
	}
	if got := logs.errorsAbout("checkin", c.id); len(got) == 0 {
		t.Errorf("the close that could not be posted was not logged as an error; records: %+v", logs.records)
	}
}

// claimThenStop stops the bot's loops the moment a close is claimed, as a
// shutdown that arrives between the claim and the post would.
type claimThenStop struct {
	coach.Store
	stop func()
}

func (s *claimThenStop) ClaimClose(ctx context.Context, now time.Time) (flows.Checkin, bool, error) {
	c, ok, err := s.Store.ClaimClose(ctx, now)
	if ok {
		s.stop()
	}
	return c, ok, err
}

// TestShutdownRightAfterAClaimStillPosts: a shutdown that arrives just
// after a close was claimed, before the check-in was loaded, still posts
// it: the claim is made, so nobody else ever will.
func TestShutdownRightAfterAClaimStillPosts(t *testing.T) {
	t.Parallel()
	h, srv, clk := newCheckinHarness(t)
	c := h.checkinsDueToClose(srv, clk, "C1")[0]

	store := &claimThenStop{Store: h.db}
	logs := &logRecorder{}
	b := h.startBot(botOptions{store: store, logger: slog.New(logs), beforeStart: func(b *Bot) { store.stop = b.stopLoops }})
	select {
	case <-b.loopCtx.Done():
	case <-time.After(slackfake.DefaultWaitTimeout):
		t.Fatal("no close was claimed")
	}
	h.stop(b)
	if !h.closed(c) {
		t.Fatal("the close was not claimed")
	}
	if n := h.closes(c); n != 1 {
		t.Errorf("%d closing messages for a claimed close, want 1; records: %+v", n, logs.records)
	}
}

// TestCheckinOpenedAsShutdownBeginsIsPosted: the scheduler has claimed the
// occurrence when it asks the bot to open a check-in, so nobody else will
// post it; a shutdown that cancels the request while Slack is slow still
// lets the opening and summary out and records the thread, so replies,
// the nudge and the close find it.
func TestCheckinOpenedAsShutdownBeginsIsPosted(t *testing.T) {
	t.Parallel()
	h, srv, _ := newCheckinHarness(t)
	_, p := h.newPlanOverHTTP(srv, "C1", "Q1")
	p = h.setKPIs(p, flows.StageReach, "visitors | baseline 8k | target 20k | by 2027-03-31 | owner <@UANA>")

	release := h.fake.Hold("chat.postMessage")
	ctx, cancel := context.WithCancel(context.Background())
	wait := h.openCheckinAsync(ctx, p, "2026-11-30T08:00:00Z")
	h.fake.WaitFor(t, func() bool { return h.fake.InFlight("chat.postMessage") == 1 }, "the opening on its way")
	cancel()
	release()
	id, err := wait()
	if err != nil {
		t.Fatalf("OpenCheckin: %v", err)
	}
	c, err := h.db.CheckinByID(context.Background(), p.Team, id)
	if err != nil || c.Thread == "" || c.SummaryTS == "" {
		t.Fatalf("check-in %+v, %v: want its opening and summary recorded", c, err)
	}
	if _, ok := h.message("C1", c.Thread); !ok {
		t.Error("the opening message is not in the channel")
	}
	h.threadMessage("C1", c.Thread, "0 of 1 KPIs updated")
}
