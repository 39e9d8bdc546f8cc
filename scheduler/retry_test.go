package scheduler_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/racebot/racebot/flows"
	"github.com/racebot/racebot/internal/testdb"
	"github.com/racebot/racebot/scheduler"
	"github.com/racebot/racebot/storage"
)

// errRateLimited stands for a 429 the Slack runner would wrap.
var errRateLimited = errors.New("slack: rate limited")

func notPosted() error { return fmt.Errorf("post: %w: %w", scheduler.ErrNotPosted, errRateLimited) }

// failFirst makes the first n tries of every occurrence certainly not
// post, and the later ones succeed.
func failFirst(n int) func(scheduler.Job) error {
	return func(job scheduler.Job) error {
		if job.Attempt <= n {
			return notPosted()
		}
		return nil
	}
}

func utcAt(month time.Month, day, hour, minute, second int) time.Time {
	return time.Date(2026, month, day, hour, minute, second, 0, time.UTC)
}

func tickAt(tb testing.TB, s *scheduler.Scheduler, clk *fakeClock, at time.Time) {
	tb.Helper()
	clk.Set(at)
	if err := s.Tick(context.Background()); err != nil {
		tb.Fatalf("tick at %v: %v", at, err)
	}
}

func callsFor(calls []call, key string) []call {
	var out []call
	for _, c := range calls {
		if c.Job.Key == key {
			out = append(out, c)
		}
	}
	return out
}

// TestNotPostedRetriedWithBackoff fails the 09:00 check-in of an hourly
// schedule every time: it is tried again after 30 s, 1, 2, 4 and 8 min,
// then every 10 min, until the 10:00 one is due; then it is logged as
// missed, and 10:00 runs as usual.
func TestNotPostedRetriedWithBackoff(t *testing.T) {
	t.Parallel()
	clk := newFakeClock(utcAt(1, 5, 8, 30, 0))
	db := openDB(t, "")
	plan := newPlan(t, db, "T1", "Q1")
	nine := utcAt(1, 5, 9, 0, 0)
	runner := &fakeRunner{clk: clk, fail: func(job scheduler.Job) error {
		if job.Due.Equal(nine) {
			return notPosted()
		}
		return nil
	}}
	s := newScheduler(db, runner, clk, "a")
	setSchedule(t, s, "T1", plan, "0 * * * * UTC")

	w := startWalk(t, clk, 0, s)
	w.until(utcAt(1, 5, 10, 30, 0))
	w.stop()

	var (
		offsets  []time.Duration
		attempts []int
	)
	tries := callsFor(runner.Calls(), "2026-01-05T09:00:00Z")
	for _, c := range tries {
		offsets = append(offsets, c.At.Sub(nine))
		attempts = append(attempts, c.Job.Attempt)
		if c.Job.Late || c.Job.Missed != 0 || !c.Job.Due.Equal(nine) {
			t.Errorf("retry changed the job: %+v", c.Job)
		}
	}
	s30 := 30 * time.Second
	wantOffsets := []time.Duration{0, s30, 3 * s30, 7 * s30, 15 * s30, 31 * s30, 31*s30 + 10*time.Minute,
		31*s30 + 20*time.Minute, 31*s30 + 30*time.Minute, 31*s30 + 40*time.Minute}
	if diff := cmp.Diff(wantOffsets, offsets); diff != "" {
		t.Errorf("tries after 09:00 (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]int{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, attempts); diff != "" {
		t.Errorf("attempts (-want +got):\n%s", diff)
	}
	if ten := callsFor(runner.Calls(), "2026-01-05T10:00:00Z"); len(ten) != 1 || !ten[0].At.Equal(utcAt(1, 5, 10, 0, 0)) || ten[0].Job.Attempt != 1 {
		t.Errorf("10:00 check-in: %+v, want one, on time", ten)
	}

	log, rows := runLog(t, db, "T1", plan)
	want := []logEntry{
		{utcAt(1, 5, 10, 0, 0), scheduler.StatePosted, "a"},
		{nine, scheduler.StateMissed, "a"},
	}
	if diff := cmp.Diff(want, log); diff != "" {
		t.Errorf("run log (-want +got):\n%s", diff)
	}
	if missed := rows[1]; missed.Checkin != 0 || missed.Attempts != 9 || !strings.Contains(missed.Note, "10 tries failed") {
		t.Errorf("missed entry: %+v", missed)
	}
}

// TestNotPostedThenPosted posts on the third try; the run log says so.
func TestNotPostedThenPosted(t *testing.T) {
	t.Parallel()
	clk := newFakeClock(utcAt(1, 5, 8, 0, 0))
	db := openDB(t, "")
	plan := newPlan(t, db, "T1", "Q1")
	runner := &fakeRunner{clk: clk, fail: failFirst(2)}
	s := newScheduler(db, runner, clk, "a")
	setSchedule(t, s, "T1", plan, "every day 09:00 UTC")

	w := startWalk(t, clk, 0, s)
	w.until(utcAt(1, 5, 12, 0, 0))
	w.stop()

	var got []time.Time
	for _, c := range runner.Calls() {
		got = append(got, c.At)
	}
	want := []time.Time{utcAt(1, 5, 9, 0, 0), utcAt(1, 5, 9, 0, 30), utcAt(1, 5, 9, 1, 30)}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("tries (-want +got):\n%s", diff)
	}
	_, rows := runLog(t, db, "T1", plan)
	if len(rows) != 1 || rows[0].State != scheduler.StatePosted || rows[0].Checkin != 3 || rows[0].Attempts != 2 ||
		!strings.Contains(rows[0].Note, "on try 3") {
		t.Errorf("run log %+v, want one posted entry with the third post", rows)
	}
}

// TestMaybePostedIsNotRetried keeps a failure the runner cannot vouch for
// as failed: a retry might post the check-in twice.
func TestMaybePostedIsNotRetried(t *testing.T) {
	t.Parallel()
	failFirstDay(t, fmt.Errorf("post: %w", context.DeadlineExceeded), scheduler.StateFailed)
}

// TestNotServedIsMissedQuietly: the workspace removed racebot while its
// check-in was being posted. Nothing is tried again and nothing is
// logged as an error; the run log says why the check-in is missing.
func TestNotServedIsMissedQuietly(t *testing.T) {
	t.Parallel()
	// Should an error ever carry both, "not served" must win: "not
	// posted" alone would be tried again.
	err := fmt.Errorf("post: %w: %w: invalid_auth", scheduler.ErrNotServed, scheduler.ErrNotPosted)
	missed, logs := failFirstDay(t, err, scheduler.StateMissed)
	if !strings.Contains(missed.Note, "the workspace removed racebot") {
		t.Errorf("missed entry's note: %q", missed.Note)
	}
	if n := logs.count(slog.LevelError); n != 0 {
		t.Errorf("%d errors logged", n)
	}
}

// failFirstDay runs a daily 09:00 check-in for two days, the first day's
// post failing with err. It checks that the failure was tried once, not
// again, that the second day's check-in was posted, and that the first
// is in the run log as want; it returns that entry and what was logged.
func failFirstDay(t *testing.T, err error, want scheduler.State) (scheduler.Occurrence, *logRecords) {
	t.Helper()
	clk := newFakeClock(utcAt(1, 5, 8, 0, 0))
	db := openDB(t, "")
	plan := newPlan(t, db, "T1", "Q1")
	runner := &fakeRunner{clk: clk, fail: func(job scheduler.Job) error {
		if job.Due.Day() == 5 {
			return err
		}
		return nil
	}}
	logs := &logRecords{}
	s := scheduler.New(db, runner, clk, slog.New(logs), "a")
	s.Recheck = 6 * time.Hour
	setSchedule(t, s, "T1", plan, "every day 09:00 UTC")

	w := startWalk(t, clk, 0, s)
	w.until(utcAt(1, 6, 12, 0, 0))
	w.stop()

	if diff := cmp.Diff([]time.Time{utcAt(1, 5, 9, 0, 0), utcAt(1, 6, 9, 0, 0)}, dues(runner.Calls())); diff != "" {
		t.Errorf("check-ins (-want +got):\n%s", diff)
	}
	log, rows := runLog(t, db, "T1", plan)
	wantLog := []logEntry{
		{utcAt(1, 6, 9, 0, 0), scheduler.StatePosted, "a"},
		{utcAt(1, 5, 9, 0, 0), want, "a"},
	}
	if diff := cmp.Diff(wantLog, log); diff != "" {
		t.Fatalf("run log (-want +got):\n%s", diff)
	}
	return rows[1], logs
}

// TestRetryRunsOutWhileDown stops racebot with a retry pending and starts
// it after the next check-in was due: the old one is logged as missed and
// never posted, the new one runs.
func TestRetryRunsOutWhileDown(t *testing.T) {
	t.Parallel()
	path := testdb.Path(t)
	clk := newFakeClock(utcAt(1, 5, 8, 0, 0))
	db1 := openDB(t, path)
	plan := newPlan(t, db1, "T1", "Q1")
	first := &fakeRunner{clk: clk, fail: failFirst(1)}
	s1 := newScheduler(db1, first, clk, "first")
	setSchedule(t, s1, "T1", plan, "every day 09:00 UTC")
	tickAt(t, s1, clk, utcAt(1, 5, 9, 0, 0))
	db1.Close()

	db2 := openDB(t, path)
	second := &fakeRunner{clk: clk}
	s2 := newScheduler(db2, second, clk, "second")
	tickAt(t, s2, clk, utcAt(1, 6, 9, 5, 0))

	calls := second.Calls()
	if len(calls) != 1 || !calls[0].Job.Due.Equal(utcAt(1, 6, 9, 0, 0)) || calls[0].Job.Late {
		t.Errorf("check-ins after restart %+v, want 6 Jan on time only", calls)
	}
	log, rows := runLog(t, db2, "T1", plan)
	want := []logEntry{
		{utcAt(1, 6, 9, 0, 0), scheduler.StatePosted, "second"},
		{utcAt(1, 5, 9, 0, 0), scheduler.StateMissed, "second"},
	}
	if diff := cmp.Diff(want, log); diff != "" {
		t.Errorf("run log (-want +got):\n%s", diff)
	}
	if !strings.Contains(rows[1].Note, "1 try failed") {
		t.Errorf("missed note %q", rows[1].Note)
	}
}

// TestPausedWhileRetryPending posts nothing once the plan is paused.
func TestPausedWhileRetryPending(t *testing.T) {
	t.Parallel()
	clk := newFakeClock(utcAt(1, 5, 8, 0, 0))
	db := openDB(t, "")
	plan := newPlan(t, db, "T1", "Q1")
	runner := &fakeRunner{clk: clk, fail: failFirst(1)}
	s := newScheduler(db, runner, clk, "a")
	setSchedule(t, s, "T1", plan, "every day 09:00 UTC")
	tickAt(t, s, clk, utcAt(1, 5, 9, 0, 0))
	if err := s.SetPaused(context.Background(), "T1", plan, true); err != nil {
		t.Fatal(err)
	}
	tickAt(t, s, clk, utcAt(1, 5, 9, 1, 0))
	if n := len(runner.Calls()); n != 1 {
		t.Errorf("%d posts, want only the first try", n)
	}
	log, _ := runLog(t, db, "T1", plan)
	if diff := cmp.Diff([]logEntry{{utcAt(1, 5, 9, 0, 0), scheduler.StatePaused, "a"}}, log); diff != "" {
		t.Errorf("run log (-want +got):\n%s", diff)
	}
}

// TestTwoProcessesRetryOnce has two schedulers on one file wake at the
// same moments; every hourly check-in fails twice for certain before it
// posts, and each try happens exactly once.
func TestTwoProcessesRetryOnce(t *testing.T) {
	t.Parallel()
	path := testdb.Path(t)
	start := utcAt(1, 5, 0, 30, 0)
	clk := newFakeClock(start)
	dbA, dbB := openDB(t, path), openDB(t, path)
	runner := &fakeRunner{clk: clk, fail: failFirst(2)}
	a := newScheduler(dbA, runner, clk, "a")
	b := newScheduler(dbB, runner, clk, "b")
	plan := newPlan(t, dbA, "T1", "Q1")
	setSchedule(t, a, "T1", plan, "0 * * * * UTC")

	w := startWalk(t, clk, 0, a, b)
	w.until(start.Add(24 * time.Hour))
	w.stop()

	tries := map[string][]int{}
	for _, c := range runner.Calls() {
		tries[c.Job.Key] = append(tries[c.Job.Key], c.Job.Attempt)
	}
	if len(tries) != 24 {
		t.Errorf("%d occurrences tried, want 24", len(tries))
	}
	for key, attempts := range tries {
		if diff := cmp.Diff([]int{1, 2, 3}, attempts); diff != "" {
			t.Errorf("%s: attempts (-want +got):\n%s", key, diff)
		}
	}
	_, rows := runLog(t, dbB, "T1", plan)
	for _, o := range rows {
		if o.State != scheduler.StatePosted {
			t.Errorf("%s left %s", o.Key, o.State)
		}
	}
}

// recoveringRunner is a fakeRunner that can also recover abandoned
// check-ins; recover decides what Recover answers.
type recoveringRunner struct {
	*fakeRunner
	recover func(scheduler.Job) (int64, error)

	mu        sync.Mutex
	recovered []call
}

func (r *recoveringRunner) Recover(_ context.Context, job scheduler.Job) (int64, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.recovered = append(r.recovered, call{Job: job, At: r.clk.Now()})
	if r.recover != nil {
		return r.recover(job)
	}
	return 100 + int64(len(r.recovered)), nil
}

func (r *recoveringRunner) Recovered() []call {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]call(nil), r.recovered...)
}

// dieMidPost has a scheduler claim the occurrence due at at and die while
// posting it, leaving the claim behind as a crash would.
func dieMidPost(tb testing.TB, path string, clk *fakeClock, at time.Time, spec string) flows.PlanID {
	tb.Helper()
	db := openDB(tb, path)
	defer db.Close()
	plan := newPlan(tb, db, "T1", "plan due "+at.Format(time.RFC3339))
	s := newScheduler(db, &fakeRunner{clk: clk, fail: func(scheduler.Job) error { runtime.Goexit(); return nil }}, clk, "dead")
	setSchedule(tb, s, "T1", plan, spec)
	clk.Set(at)
	done := make(chan struct{})
	go func() {
		defer close(done)
		s.Tick(context.Background())
	}()
	<-done
	return plan
}

func TestRecoverAbandonedClaim(t *testing.T) {
	t.Parallel()
	due := utcAt(1, 5, 9, 0, 0)
	tests := []struct {
		name    string
		restart time.Time
		recover func(scheduler.Job) (int64, error)
		// What the restarted scheduler does about the 5 Jan check-in.
		wantRecovered []time.Time // when Recover runs
		wantPosted    []time.Time // when RunCheckin runs
		wantState     scheduler.State
		wantNote      string
	}{
		{
			name:          "restart within the lease waits for it",
			restart:       due.Add(time.Minute),
			wantRecovered: []time.Time{due.Add(scheduler.DefaultLease)},
			wantState:     scheduler.StatePosted,
			wantNote:      "recovered",
		},
		{
			name:          "restart after the lease recovers at once",
			restart:       due.Add(30 * time.Minute),
			wantRecovered: []time.Time{due.Add(30 * time.Minute)},
			wantState:     scheduler.StatePosted,
			wantNote:      "recovered",
		},
		{
			name:          "recover certainly not posted retries",
			restart:       due.Add(30 * time.Minute),
			recover:       func(scheduler.Job) (int64, error) { return 0, notPosted() },
			wantRecovered: []time.Time{due.Add(30 * time.Minute)},
			wantPosted:    []time.Time{due.Add(30*time.Minute + 30*time.Second)},
			wantState:     scheduler.StatePosted,
			wantNote:      "on try 2",
		},
		{
			name:      "restart after the next check-in gives up",
			restart:   due.Add(24*time.Hour + 5*time.Minute),
			wantState: scheduler.StateFailed,
			wantNote:  "not known whether it was posted",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			path := testdb.Path(t)
			clk := newFakeClock(utcAt(1, 5, 8, 0, 0))
			plan := dieMidPost(t, path, clk, due, "every day 09:00 UTC")

			db := openDB(t, path)
			runner := &recoveringRunner{fakeRunner: &fakeRunner{clk: clk}, recover: tt.recover}
			s := newScheduler(db, runner, clk, "second")
			clk.Set(tt.restart)
			w := startWalk(t, clk, 0, s)
			w.until(tt.restart.Add(time.Hour))
			w.stop()

			var recovered, posted []time.Time
			for _, c := range runner.Recovered() {
				recovered = append(recovered, c.At)
				if !c.Job.Due.Equal(due) || c.Job.Key != "2026-01-05T09:00:00Z" || c.Job.Team != "T1" || c.Job.Attempt != 1 || c.Job.Late {
					t.Errorf("recovered job %+v", c.Job)
				}
			}
			for _, c := range callsFor(runner.Calls(), "2026-01-05T09:00:00Z") {
				posted = append(posted, c.At)
			}
			if diff := cmp.Diff(tt.wantRecovered, recovered); diff != "" {
				t.Errorf("recovered (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.wantPosted, posted); diff != "" {
				t.Errorf("posted (-want +got):\n%s", diff)
			}
			got := occurrenceOf(t, db, plan, "2026-01-05T09:00:00Z")
			if got.State != tt.wantState || got.ClaimedBy != "second" || !strings.Contains(got.Note, tt.wantNote) {
				t.Errorf("run log entry %+v, want %s by second with a note about %q", got, tt.wantState, tt.wantNote)
			}
		})
	}
}

func occurrenceOf(tb testing.TB, db *storage.DB, plan flows.PlanID, key string) scheduler.Occurrence {
	tb.Helper()
	_, rows := runLog(tb, db, "T1", plan)
	for _, o := range rows {
		if o.Key == key {
			return o
		}
	}
	tb.Fatalf("no run-log entry %s", key)
	return scheduler.Occurrence{}
}

// TestRecoverOnceAcrossProcesses starts two schedulers at once on a file
// with claims abandoned by a crash: each is recovered exactly once.
func TestRecoverOnceAcrossProcesses(t *testing.T) {
	t.Parallel()
	path := testdb.Path(t)
	clk := newFakeClock(utcAt(1, 5, 8, 0, 0))
	const plans = 8
	for i := range plans {
		dieMidPost(t, path, clk, utcAt(1, 5, 9, i, 0), fmt.Sprintf("every day 09:%02d UTC", i))
	}
	clk.Set(utcAt(1, 5, 9, 30, 0))

	runner := &recoveringRunner{fakeRunner: &fakeRunner{clk: clk}}
	var wg sync.WaitGroup
	for _, name := range []string{"a", "b"} {
		s := newScheduler(openDB(t, path), runner, clk, name)
		wg.Go(func() {
			if err := s.Tick(context.Background()); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()

	count := map[flows.PlanID]int{}
	for _, c := range runner.Recovered() {
		count[c.Job.Plan]++
	}
	if len(count) != plans {
		t.Errorf("%d plans recovered, want %d", len(count), plans)
	}
	for plan, n := range count {
		if n != 1 {
			t.Errorf("plan %d recovered %d times", plan, n)
		}
	}
	if n := len(runner.Calls()); n != 0 {
		t.Errorf("%d check-ins posted without looking first", n)
	}
}

// TestLiveClaimNotTakenOver has one scheduler hang in a post while another
// ticks: the claim is left alone within the lease and recovered after it,
// and the hung scheduler, when it comes back, cannot record an outcome
// over the recovery.
func TestLiveClaimNotTakenOver(t *testing.T) {
	t.Parallel()
	path := testdb.Path(t)
	clk := newFakeClock(utcAt(1, 5, 8, 0, 0))
	dbA, dbB := openDB(t, path), openDB(t, path)
	plan := newPlan(t, dbA, "T1", "Q1")

	entered, release := make(chan struct{}), make(chan struct{})
	hung := &fakeRunner{clk: clk, fail: func(scheduler.Job) error {
		close(entered)
		<-release
		return nil
	}}
	a := newScheduler(dbA, hung, clk, "a")
	setSchedule(t, a, "T1", plan, "every day 09:00 UTC")
	clk.Set(utcAt(1, 5, 9, 0, 0))
	aDone := make(chan error, 1)
	go func() { aDone <- a.Tick(context.Background()) }()
	<-entered

	recovering := &recoveringRunner{fakeRunner: &fakeRunner{clk: clk}}
	b := newScheduler(dbB, recovering, clk, "b")
	tickAt(t, b, clk, utcAt(1, 5, 9, 1, 0))
	if n := len(recovering.Recovered()); n != 0 {
		t.Fatalf("claim in flight recovered %d times within the lease", n)
	}
	tickAt(t, b, clk, utcAt(1, 5, 9, 3, 0))
	if n := len(recovering.Recovered()); n != 1 {
		t.Fatalf("hung claim recovered %d times after the lease, want 1", n)
	}

	close(release)
	select {
	case err := <-aDone:
		if !errors.Is(err, scheduler.ErrNotClaimed) {
			t.Errorf("hung scheduler's tick: %v, want ErrNotClaimed", err)
		}
	case <-time.After(time.Minute):
		t.Fatal("hung scheduler did not return")
	}
	got := occurrenceOf(t, dbB, plan, "2026-01-05T09:00:00Z")
	if got.State != scheduler.StatePosted || got.ClaimedBy != "b" || got.Checkin != 101 {
		t.Errorf("run log entry %+v, want b's recovery", got)
	}
}

// logRecords keeps the log records it is given.
type logRecords struct {
	mu   sync.Mutex
	recs []slog.Record
}

func (h *logRecords) Enabled(context.Context, slog.Level) bool { return true }
func (h *logRecords) WithAttrs([]slog.Attr) slog.Handler       { return h }
func (h *logRecords) WithGroup(string) slog.Handler            { return h }
func (h *logRecords) Handle(_ context.Context, r slog.Record) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.recs = append(h.recs, r.Clone())
	return nil
}

func (h *logRecords) count(level slog.Level) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	n := 0
	for _, r := range h.recs {
		if r.Level == level {
			n++
		}
	}
	return n
}

// TestUnrecoverableClaimLeftAndLoggedOnce runs a runner that cannot
// recover: the abandoned claim stays as it is, with one warning however
// many ticks see it.
func TestUnrecoverableClaimLeftAndLoggedOnce(t *testing.T) {
	t.Parallel()
	path := testdb.Path(t)
	clk := newFakeClock(utcAt(1, 5, 8, 0, 0))
	plan := dieMidPost(t, path, clk, utcAt(1, 5, 9, 0, 0), "every day 09:00 UTC")

	db := openDB(t, path)
	runner := &fakeRunner{clk: clk}
	logs := &logRecords{}
	s := scheduler.New(db, runner, clk, slog.New(logs), "second")
	for m := 1; m <= 5; m++ {
		tickAt(t, s, clk, utcAt(1, 5, 9, m*2, 0))
	}
	if n := logs.count(slog.LevelWarn); n != 1 {
		t.Errorf("%d warnings, want 1", n)
	}
	if n := len(runner.Calls()); n != 0 {
		t.Errorf("%d posts", n)
	}
	if got := occurrenceOf(t, db, plan, "2026-01-05T09:00:00Z"); got.State != scheduler.StateClaimed || got.ClaimedBy != "dead" {
		t.Errorf("abandoned claim changed: %+v", got)
	}
}

// TestPostGetsHalfTheLease ends a post that hangs, so that no claim stays
// live past the lease, when another scheduler may take it over.
func TestPostGetsHalfTheLease(t *testing.T) {
	t.Parallel()
	clk := newFakeClock(utcAt(1, 5, 8, 0, 0))
	db := openDB(t, "")
	plan := newPlan(t, db, "T1", "Q1")
	var ctxErr error
	runner := hangingRunner(func(ctx context.Context) (int64, error) {
		select {
		case <-ctx.Done():
			ctxErr = ctx.Err()
			return 0, fmt.Errorf("post: %w", ctx.Err())
		case <-time.After(time.Minute):
			return 0, errors.New("post was not cut off")
		}
	})
	s := scheduler.New(db, runner, clk, nil, "a")
	s.Lease = 200 * time.Millisecond
	setSchedule(t, s, "T1", plan, "every day 09:00 UTC")
	tickAt(t, s, clk, utcAt(1, 5, 9, 0, 0))
	if !errors.Is(ctxErr, context.DeadlineExceeded) {
		t.Errorf("post ended with %v, want its deadline", ctxErr)
	}
	if got := occurrenceOf(t, db, plan, "2026-01-05T09:00:00Z"); got.State != scheduler.StateFailed {
		t.Errorf("run log entry %+v, want failed", got)
	}
}

type hangingRunner func(ctx context.Context) (int64, error)

func (r hangingRunner) RunCheckin(ctx context.Context, _ scheduler.Job) (int64, error) { return r(ctx) }

// TestScheduleShowsRetryAndMissed checks /race schedule tells a pending
// retry and a missed check-in apart from the ones posted.
func TestScheduleShowsRetryAndMissed(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	clk := newFakeClock(utcAt(1, 5, 7, 0, 0))
	db := openDB(t, "")
	plan := newPlan(t, db, "T1", "Q1")
	runner := &fakeRunner{clk: clk, fail: func(job scheduler.Job) error { return notPosted() }}
	s := newScheduler(db, runner, clk, "a")
	setSchedule(t, s, "T1", plan, "every day 09:00 Europe/Berlin")
	coach := s.ForCoach(db)

	tickAt(t, s, clk, utcAt(1, 5, 8, 0, 0)) // 09:00 in Berlin
	info, err := coach.ScheduleInfo(ctx, "T1", plan, 1, clk.Now())
	if err != nil {
		t.Fatal(err)
	}
	if len(info.Log) != 1 || info.Log[0].State != "not posted yet, will retry" || !strings.Contains(info.Log[0].Note, "next try at 09:00:30 CET") {
		t.Errorf("log while retrying: %+v", info.Log)
	}

	// Racebot is down until after the next one was due.
	runner.fail = nil
	tickAt(t, s, clk, utcAt(1, 6, 8, 1, 0))
	info, err = coach.ScheduleInfo(ctx, "T1", plan, 1, clk.Now())
	if err != nil {
		t.Fatal(err)
	}
	var states []string
	for _, r := range info.Log {
		states = append(states, r.State)
	}
	if diff := cmp.Diff([]string{"posted", "missed"}, states); diff != "" {
		t.Errorf("log states (-want +got):\n%s", diff)
	}
}
