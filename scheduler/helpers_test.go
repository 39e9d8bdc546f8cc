package scheduler_test

import (
	"context"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/racebot/racebot/flows"
	"github.com/racebot/racebot/internal/testdb"
	"github.com/racebot/racebot/schedule"
	"github.com/racebot/racebot/scheduler"
	"github.com/racebot/racebot/storage"
)

var _ scheduler.Store = (*storage.DB)(nil)

func mustLoad(tb testing.TB, name string) *time.Location {
	tb.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		tb.Fatal(err)
	}
	return loc
}

// openDB opens the database file at path (a new one in the test's temp
// dir if path is empty) and closes it when the test ends. Opening one path
// twice is what two racebot processes do.
func openDB(tb testing.TB, path string) *storage.DB {
	tb.Helper()
	if path == "" {
		path = testdb.Path(tb)
	}
	db, err := storage.Open(context.Background(), path)
	if err != nil {
		tb.Fatalf("open %s: %v", path, err)
	}
	tb.Cleanup(func() { db.Close() })
	return db
}

func newPlan(tb testing.TB, db *storage.DB, team, name string) flows.PlanID {
	tb.Helper()
	id, err := db.CreatePlan(context.Background(), flows.NewPlan(team, "C1", name, "U1", time.Date(2025, 12, 1, 0, 0, 0, 0, time.UTC)), "")
	if err != nil {
		tb.Fatalf("create plan: %v", err)
	}
	return id
}

// setSchedule parses text as a user's /race checkin and sets it.
func setSchedule(tb testing.TB, s *scheduler.Scheduler, team string, plan flows.PlanID, text string) schedule.Spec {
	tb.Helper()
	spec, err := schedule.Parse(text, nil)
	if err != nil {
		tb.Fatalf("parse %q: %v", text, err)
	}
	if err := s.Set(context.Background(), team, plan, spec, "U1"); err != nil {
		tb.Fatalf("set schedule: %v", err)
	}
	return spec
}

// newScheduler returns a Scheduler that re-checks for new schedules every
// six hours rather than every minute: walking a year minute by minute is
// half a million ticks. TestNewScheduleNoticedWhileAsleep covers the
// default.
func newScheduler(db *storage.DB, runner scheduler.Runner, clk *fakeClock, instance string) *scheduler.Scheduler {
	s := scheduler.New(db, runner, clk, nil, instance)
	s.Recheck = 6 * time.Hour
	return s
}

// call is one check-in the fake runner was asked to post.
type call struct {
	Job scheduler.Job
	At  time.Time // simulated time of the post
}

// fakeRunner records the check-ins it is asked to post. fail, when set,
// decides whether a post fails (or panics, or dies).
type fakeRunner struct {
	clk  *fakeClock
	fail func(scheduler.Job) error

	mu    sync.Mutex
	calls []call
}

func (r *fakeRunner) RunCheckin(_ context.Context, job scheduler.Job) (int64, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls = append(r.calls, call{Job: job, At: r.clk.Now()})
	if r.fail != nil {
		if err := r.fail(job); err != nil {
			return 0, err
		}
	}
	return int64(len(r.calls)), nil
}

func (r *fakeRunner) Calls() []call {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]call(nil), r.calls...)
}

// walker runs schedulers' Run loops on a simulated clock and moves the
// clock to each wake-up as soon as every loop sleeps, plus up to jitter,
// as real timers fire a little late.
type walker struct {
	tb     testing.TB
	clk    *fakeClock
	jitter time.Duration
	rand   *rand.Rand
	n      int
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

func startWalk(tb testing.TB, clk *fakeClock, jitter time.Duration, ss ...*scheduler.Scheduler) *walker {
	tb.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	w := &walker{tb: tb, clk: clk, jitter: jitter, rand: rand.New(rand.NewPCG(1, 2)), n: len(ss), cancel: cancel}
	for _, s := range ss {
		w.wg.Go(func() {
			if err := s.Run(ctx); err != nil {
				tb.Errorf("run: %v", err)
			}
		})
	}
	tb.Cleanup(w.stop)
	return w
}

// until walks the clock through every wake-up up to end and leaves it at
// end (or a little past, by the jitter of the last wake-up).
func (w *walker) until(end time.Time) {
	w.tb.Helper()
	for {
		at := w.clk.waitSleepers(w.tb, w.n)
		if at.After(end) {
			w.clk.Set(end)
			return
		}
		if w.jitter > 0 {
			at = at.Add(time.Duration(w.rand.Int64N(int64(w.jitter))))
		}
		w.clk.Set(at)
	}
}

// stop ends the Run loops, as a process shutting down does.
func (w *walker) stop() {
	w.cancel()
	w.wg.Wait()
	// The loops' last sleeps would otherwise count as sleepers of the next
	// walk on this clock.
	w.clk.forget()
}
