package scheduler_test

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/racebot/racebot/flows"
	"github.com/racebot/racebot/internal/testdb"
	"github.com/racebot/racebot/schedule"
	"github.com/racebot/racebot/scheduler"
	"github.com/racebot/racebot/storage"
)

// mondays lists 09:00 wall time on every Monday of year in loc, worked out
// with time.Date alone, independently of the schedule package.
func mondays(year int, loc *time.Location) []time.Time {
	var out []time.Time
	for d := time.Date(year, 1, 1, 0, 0, 0, 0, time.UTC); d.Year() == year; d = d.AddDate(0, 0, 1) {
		if d.Weekday() == time.Monday {
			out = append(out, time.Date(year, d.Month(), d.Day(), 9, 0, 0, 0, loc))
		}
	}
	return out
}

func dues(calls []call) []time.Time {
	var out []time.Time
	for _, c := range calls {
		out = append(out, c.Job.Due)
	}
	return out
}

// TestWeeklyAcrossDST walks a weekly schedule through all of 2026 and
// checks it posts once every Monday at 09:00 wall time, the weeks of both
// daylight-saving changes included.
func TestWeeklyAcrossDST(t *testing.T) {
	t.Parallel()
	tests := []struct {
		spec string
		zone string
		// The Mondays either side of each change as instants, so a wrong
		// offset cannot hide behind a wrong expectation.
		around []time.Time
	}{
		{
			spec: "every monday 09:00 Europe/Berlin",
			zone: "Europe/Berlin", // CET → CEST on Sun 29 Mar, back on Sun 25 Oct
			around: []time.Time{
				time.Date(2026, 3, 23, 8, 0, 0, 0, time.UTC),
				time.Date(2026, 3, 30, 7, 0, 0, 0, time.UTC),
				time.Date(2026, 10, 19, 7, 0, 0, 0, time.UTC),
				time.Date(2026, 10, 26, 8, 0, 0, 0, time.UTC),
			},
		},
		{
			spec: "every monday 09:00 America/Los_Angeles",
			zone: "America/Los_Angeles", // PST → PDT on Sun 8 Mar, back on Sun 1 Nov
			around: []time.Time{
				time.Date(2026, 3, 2, 17, 0, 0, 0, time.UTC),
				time.Date(2026, 3, 9, 16, 0, 0, 0, time.UTC),
				time.Date(2026, 10, 26, 16, 0, 0, 0, time.UTC),
				time.Date(2026, 11, 2, 17, 0, 0, 0, time.UTC),
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.zone, func(t *testing.T) {
			t.Parallel()
			loc := mustLoad(t, tt.zone)
			clk := newFakeClock(time.Date(2026, 1, 1, 0, 0, 0, 0, loc))
			db := openDB(t, "")
			plan := newPlan(t, db, "T1", "Q1")
			runner := &fakeRunner{clk: clk}
			s := newScheduler(db, runner, clk, "a")
			setSchedule(t, s, "T1", plan, tt.spec)

			w := startWalk(t, clk, 90*time.Second, s)
			w.until(time.Date(2027, 1, 1, 0, 0, 0, 0, loc))
			w.stop()

			calls := runner.Calls()
			want := mondays(2026, loc)
			if diff := cmp.Diff(want, dues(calls)); diff != "" {
				t.Errorf("posted check-ins (-want +got):\n%s", diff)
			}
			for _, c := range calls {
				if wall := c.Job.Due.In(loc); wall.Weekday() != time.Monday || wall.Hour() != 9 || wall.Minute() != 0 {
					t.Errorf("check-in due %v is not Monday 09:00 in %s", wall, tt.zone)
				}
				if c.Job.Late || c.Job.Missed != 0 || c.At.Before(c.Job.Due) || c.At.Sub(c.Job.Due) > s.Grace {
					t.Errorf("check-in %s: late %v, missed %d, posted at %v", c.Job.Key, c.Job.Late, c.Job.Missed, c.At)
				}
			}
			posted := map[int64]bool{}
			for _, d := range dues(calls) {
				posted[d.UnixMilli()] = true
			}
			for _, at := range tt.around {
				if !posted[at.UnixMilli()] {
					t.Errorf("no check-in at %v (%v)", at, at.In(loc))
				}
			}

			log, err := db.Occurrences(context.Background(), "T1", plan, 0)
			if err != nil {
				t.Fatal(err)
			}
			if len(log) != len(want) {
				t.Errorf("log has %d entries, want %d", len(log), len(want))
			}
			for _, o := range log {
				if o.State != scheduler.StatePosted || o.Checkin == 0 {
					t.Errorf("log entry %s: state %q, check-in %d", o.Key, o.State, o.Checkin)
				}
			}
		})
	}
}

// TestDailyAcrossDSTNights checks a 02:30 schedule in Berlin: on the night
// the clock skips from 02:00 to 03:00 it runs at 03:00, and on the night
// 02:30 happens twice it runs once, at the first.
func TestDailyAcrossDSTNights(t *testing.T) {
	t.Parallel()
	berlin := mustLoad(t, "Europe/Berlin")
	tests := []struct {
		name       string
		start, end time.Time
		want       []time.Time
	}{
		{
			name:  "spring forward",
			start: time.Date(2026, 3, 27, 0, 0, 0, 0, berlin),
			end:   time.Date(2026, 3, 31, 12, 0, 0, 0, berlin),
			want: []time.Time{
				time.Date(2026, 3, 27, 1, 30, 0, 0, time.UTC), // 02:30 CET
				time.Date(2026, 3, 28, 1, 30, 0, 0, time.UTC),
				time.Date(2026, 3, 29, 1, 0, 0, 0, time.UTC),  // 03:00 CEST: 02:30 does not exist
				time.Date(2026, 3, 30, 0, 30, 0, 0, time.UTC), // 02:30 CEST
				time.Date(2026, 3, 31, 0, 30, 0, 0, time.UTC),
			},
		},
		{
			name:  "fall back",
			start: time.Date(2026, 10, 23, 12, 0, 0, 0, berlin),
			end:   time.Date(2026, 10, 27, 12, 0, 0, 0, berlin),
			want: []time.Time{
				time.Date(2026, 10, 24, 0, 30, 0, 0, time.UTC), // 02:30 CEST
				time.Date(2026, 10, 25, 0, 30, 0, 0, time.UTC), // the first of two 02:30s
				time.Date(2026, 10, 26, 1, 30, 0, 0, time.UTC), // 02:30 CET
				time.Date(2026, 10, 27, 1, 30, 0, 0, time.UTC),
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			clk := newFakeClock(tt.start)
			db := openDB(t, "")
			plan := newPlan(t, db, "T1", "Q1")
			runner := &fakeRunner{clk: clk}
			s := newScheduler(db, runner, clk, "a")
			setSchedule(t, s, "T1", plan, "every day 02:30 Europe/Berlin")

			w := startWalk(t, clk, 30*time.Second, s)
			w.until(tt.end)
			w.stop()

			if diff := cmp.Diff(tt.want, dues(runner.Calls())); diff != "" {
				t.Errorf("posted check-ins (-want +got):\n%s", diff)
			}
			for _, c := range runner.Calls() {
				if c.Job.Late {
					t.Errorf("check-in %s ran late", c.Job.Key)
				}
			}
		})
	}
}

// logEntry is the part of a run-log entry the tests compare.
type logEntry struct {
	Due       time.Time
	State     scheduler.State
	ClaimedBy string
}

func runLog(tb testing.TB, db *storage.DB, team string, plan flows.PlanID) ([]logEntry, []scheduler.Occurrence) {
	tb.Helper()
	rows, err := db.Occurrences(context.Background(), team, plan, 0)
	if err != nil {
		tb.Fatal(err)
	}
	var out []logEntry
	for _, o := range rows {
		out = append(out, logEntry{o.Due, o.State, o.ClaimedBy})
	}
	return out, rows
}

func TestRestartAfterOutageCatchesUpOnce(t *testing.T) {
	t.Parallel()
	berlin := mustLoad(t, "Europe/Berlin")
	at := func(month time.Month, day, hour int) time.Time {
		return time.Date(2026, month, day, hour, 0, 0, 0, berlin)
	}
	path := testdb.Path(t)
	clk := newFakeClock(at(1, 1, 0))
	runner := &fakeRunner{clk: clk}

	// The first process runs two weekly check-ins, then stops.
	db1 := openDB(t, path)
	plan := newPlan(t, db1, "T1", "Q1")
	s1 := newScheduler(db1, runner, clk, "first")
	setSchedule(t, s1, "T1", plan, "every monday 09:00 Europe/Berlin")
	w := startWalk(t, clk, time.Minute, s1)
	w.until(at(1, 13, 0))
	w.stop()
	db1.Close()

	// Three weeks later (Mondays 19 Jan, 26 Jan and 2 Feb missed) a new
	// process starts on the same file.
	clk.Set(at(2, 4, 10))
	db2 := openDB(t, path)
	s2 := newScheduler(db2, runner, clk, "second")
	w = startWalk(t, clk, time.Minute, s2)
	w.until(at(2, 17, 0))
	w.stop()

	type job struct {
		Due    time.Time
		Late   bool
		Missed int
	}
	var got []job
	for _, c := range runner.Calls() {
		got = append(got, job{c.Job.Due, c.Job.Late, c.Job.Missed})
	}
	want := []job{
		{Due: at(1, 5, 9)},
		{Due: at(1, 12, 9)},
		{Due: at(2, 2, 9), Late: true, Missed: 3}, // one check-in for the three missed
		{Due: at(2, 9, 9)},
		{Due: at(2, 16, 9)},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("check-ins (-want +got):\n%s", diff)
	}

	log, rows := runLog(t, db2, "T1", plan)
	wantLog := []logEntry{
		{at(2, 16, 9), scheduler.StatePosted, "second"},
		{at(2, 9, 9), scheduler.StatePosted, "second"},
		{at(2, 2, 9), scheduler.StateCaughtUp, "second"},
		{at(1, 26, 9), scheduler.StateSkipped, "second"},
		{at(1, 19, 9), scheduler.StateSkipped, "second"},
		{at(1, 12, 9), scheduler.StatePosted, "first"},
		{at(1, 5, 9), scheduler.StatePosted, "first"},
	}
	if diff := cmp.Diff(wantLog, log); diff != "" {
		t.Errorf("run log (-want +got):\n%s", diff)
	}
	for _, o := range rows {
		switch o.State {
		case scheduler.StateSkipped:
			if o.Note != "missed while racebot was down" || o.Checkin != 0 {
				t.Errorf("skipped %s: note %q, check-in %d", o.Key, o.Note, o.Checkin)
			}
		case scheduler.StateCaughtUp:
			if !strings.Contains(o.Note, "3 slots missed") || o.Checkin == 0 {
				t.Errorf("caught up %s: note %q, check-in %d", o.Key, o.Note, o.Checkin)
			}
		}
	}
}

// TestOnTimeAfterOutage restarts within the grace period of a slot: that
// slot runs on time, standing for the ones before it, logged as skipped.
func TestOnTimeAfterOutage(t *testing.T) {
	t.Parallel()
	clk := newFakeClock(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	db := openDB(t, "")
	plan := newPlan(t, db, "T1", "Q1")
	runner := &fakeRunner{clk: clk}
	s := newScheduler(db, runner, clk, "a")
	setSchedule(t, s, "T1", plan, "every day 09:00 UTC")

	clk.Set(time.Date(2026, 1, 4, 9, 10, 0, 0, time.UTC))
	if err := s.Tick(context.Background()); err != nil {
		t.Fatal(err)
	}
	calls := runner.Calls()
	if len(calls) != 1 || calls[0].Job.Late || calls[0].Job.Missed != 3 || calls[0].Job.Due.Day() != 4 {
		t.Fatalf("check-ins %+v, want one on time for 4 Jan, standing for the three skipped", calls)
	}
	log, _ := runLog(t, db, "T1", plan)
	var states []scheduler.State
	for _, e := range log {
		states = append(states, e.State)
	}
	want := []scheduler.State{scheduler.StatePosted, scheduler.StateSkipped, scheduler.StateSkipped, scheduler.StateSkipped}
	if diff := cmp.Diff(want, states); diff != "" {
		t.Errorf("log states (-want +got):\n%s", diff)
	}
}

// TestTwoProcessesPostOnce runs two schedulers on two connections to one
// database file, as two racebot processes would, both waking at the same
// moments, over hundreds of occurrences of several schedules, starting
// with a catch-up.
func TestTwoProcessesPostOnce(t *testing.T) {
	t.Parallel()
	path := testdb.Path(t)
	set := time.Date(2026, 3, 20, 0, 0, 0, 0, time.UTC)
	restart := time.Date(2026, 3, 22, 12, 0, 0, 0, time.UTC)
	// Nine days: past Europe's change to summer time on 29 March, and
	// over two hundred occurrences of the hourly schedule alone.
	end := time.Date(2026, 3, 31, 0, 0, 0, 0, time.UTC)
	clk := newFakeClock(set)
	dbA, dbB := openDB(t, path), openDB(t, path)
	runner := &fakeRunner{clk: clk}
	a := newScheduler(dbA, runner, clk, "a")
	b := newScheduler(dbB, runner, clk, "b")

	type planSpec struct {
		team string
		plan flows.PlanID
		spec schedule.Spec
	}
	var plans []planSpec
	for i, text := range []string{
		"0 * * * * UTC",
		"*/20 9-17 * * 1-5 Europe/Berlin",
		"every day 09:00 Europe/Berlin",
		"weekdays 9:30 America/Los_Angeles",
		"every monday 09:00 Europe/Berlin",
	} {
		team := fmt.Sprint("T", i%2)
		plan := newPlan(t, dbA, team, fmt.Sprint("plan ", i))
		plans = append(plans, planSpec{team, plan, setSchedule(t, a, team, plan, text)})
	}

	clk.Set(restart)
	w := startWalk(t, clk, 0, a, b)
	w.until(end)
	w.stop()

	posts := map[string]int{}
	for _, c := range runner.Calls() {
		posts[fmt.Sprint(c.Job.Plan, " ", c.Job.Key)]++
	}
	claims := map[string]int{}
	for _, p := range plans {
		// What should have been posted: the latest slot missed before the
		// restart, once, then every slot up to the end.
		all := slots(p.spec, set, end)
		var want []time.Time
		for i, at := range all {
			if at.After(restart) || (i+1 < len(all) && all[i+1].After(restart)) {
				want = append(want, at)
			}
		}
		for _, at := range want {
			if n := posts[fmt.Sprint(p.plan, " ", p.spec.Key(at))]; n != 1 {
				t.Errorf("%s: %v posted %d times", p.spec, at, n)
			}
		}
		_, rows := runLog(t, dbB, p.team, p.plan)
		if len(rows) != len(all) {
			t.Errorf("%s: log has %d entries, want %d", p.spec, len(rows), len(all))
		}
		for _, o := range rows {
			claims[o.ClaimedBy]++
			if o.State == scheduler.StateClaimed || o.State == scheduler.StateFailed {
				t.Errorf("%s: %s left %s", p.spec, o.Key, o.State)
			}
		}
	}
	if len(runner.Calls()) != len(posts) {
		t.Errorf("%d posts for %d occurrences", len(runner.Calls()), len(posts))
	}
	t.Logf("occurrences claimed per instance: %v", claims)
}

// slots lists a schedule's occurrences in (from, to].
func slots(spec schedule.Spec, from, to time.Time) []time.Time {
	var out []time.Time
	for at := spec.Next(from); !at.IsZero() && !at.After(to); at = spec.Next(at) {
		out = append(out, at)
	}
	return out
}

// TestCrashBetweenClaimAndFinish never posts an occurrence again once it
// has been claimed, whether the post died with the process, panicked or
// failed.
func TestCrashBetweenClaimAndFinish(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		fail      func(scheduler.Job) error
		wantState scheduler.State
	}{
		// runtime.Goexit ends the goroutine without a panic, as close to
		// the process dying mid-post as a test gets: nothing after the
		// post runs, so the claim is never finished.
		{"process dies", func(scheduler.Job) error { runtime.Goexit(); return nil }, scheduler.StateClaimed},
		{"runner panics", func(scheduler.Job) error { panic("slack exploded") }, scheduler.StateFailed},
		{"post fails", func(scheduler.Job) error { return errors.New("channel_not_found") }, scheduler.StateFailed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			utc := func(month time.Month, day, hour, minute int) time.Time {
				return time.Date(2026, month, day, hour, minute, 0, 0, time.UTC)
			}
			path := testdb.Path(t)
			clk := newFakeClock(utc(1, 1, 0, 0))
			db1 := openDB(t, path)
			plan := newPlan(t, db1, "T1", "Q1")
			first := &fakeRunner{clk: clk, fail: tt.fail}
			s1 := newScheduler(db1, first, clk, "first")
			setSchedule(t, s1, "T1", plan, "every monday 09:00 UTC")

			clk.Set(utc(1, 5, 9, 0))
			done := make(chan struct{})
			go func() {
				defer close(done)
				s1.Tick(context.Background())
			}()
			<-done
			// A second tick of the same process does not retry.
			if tt.wantState != scheduler.StateClaimed {
				clk.Set(utc(1, 5, 9, 5))
				if err := s1.Tick(context.Background()); err != nil {
					t.Fatal(err)
				}
			}
			db1.Close()
			if n := len(first.Calls()); n != 1 {
				t.Fatalf("first process posted %d times, want 1", n)
			}

			// The restarted process posts the next Monday only.
			db2 := openDB(t, path)
			second := &fakeRunner{clk: clk}
			s2 := newScheduler(db2, second, clk, "second")
			w := startWalk(t, clk, time.Minute, s2)
			w.until(utc(1, 13, 0, 0))
			w.stop()
			if diff := cmp.Diff([]time.Time{utc(1, 12, 9, 0)}, dues(second.Calls())); diff != "" {
				t.Errorf("check-ins after restart (-want +got):\n%s", diff)
			}

			log, rows := runLog(t, db2, "T1", plan)
			want := []logEntry{
				{utc(1, 12, 9, 0), scheduler.StatePosted, "second"},
				{utc(1, 5, 9, 0), tt.wantState, "first"},
			}
			if diff := cmp.Diff(want, log); diff != "" {
				t.Errorf("run log (-want +got):\n%s", diff)
			}
			if tt.wantState == scheduler.StateFailed && !strings.Contains(rows[1].Note, "not retried") {
				t.Errorf("failed note %q does not say it is not retried", rows[1].Note)
			}
		})
	}
}

func TestPausedPostsNothingAndResumeContinues(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	utc := func(month time.Month, day, hour int) time.Time {
		return time.Date(2026, month, day, hour, 0, 0, 0, time.UTC)
	}
	clk := newFakeClock(utc(1, 1, 0))
	db := openDB(t, "")
	plan := newPlan(t, db, "T1", "Q1")
	runner := &fakeRunner{clk: clk}
	s := newScheduler(db, runner, clk, "a")
	setSchedule(t, s, "T1", plan, "every monday 09:00 UTC")

	clk.Set(utc(1, 2, 12))
	if err := s.SetPaused(ctx, "T1", plan, true); err != nil {
		t.Fatal(err)
	}
	w := startWalk(t, clk, time.Minute, s)
	w.until(utc(1, 21, 12)) // Mondays 5, 12 and 19 Jan fall in the pause
	if n := len(runner.Calls()); n != 0 {
		t.Errorf("paused plan posted %d check-ins", n)
	}
	if err := s.SetPaused(ctx, "T1", plan, false); err != nil {
		t.Fatal(err)
	}
	w.until(utc(2, 3, 0))
	w.stop()

	if diff := cmp.Diff([]time.Time{utc(1, 26, 9), utc(2, 2, 9)}, dues(runner.Calls())); diff != "" {
		t.Errorf("check-ins after resume (-want +got):\n%s", diff)
	}
	for _, c := range runner.Calls() {
		if c.Job.Late {
			t.Errorf("check-in %s after resume ran late", c.Job.Key)
		}
	}
	log, rows := runLog(t, db, "T1", plan)
	want := []logEntry{
		{utc(2, 2, 9), scheduler.StatePosted, "a"},
		{utc(1, 26, 9), scheduler.StatePosted, "a"},
		{utc(1, 19, 9), scheduler.StatePaused, "a"},
		{utc(1, 12, 9), scheduler.StatePaused, "a"},
		{utc(1, 5, 9), scheduler.StatePaused, "a"},
	}
	if diff := cmp.Diff(want, log); diff != "" {
		t.Errorf("run log (-want +got):\n%s", diff)
	}
	if rows[4].Note != "plan paused" {
		t.Errorf("paused note %q", rows[4].Note)
	}
}

// TestResumeWhileDownDoesNotCatchUp pauses, stops racebot over two
// Mondays, resumes it: the Mondays of the pause are not caught up.
func TestResumeWhileDownDoesNotCatchUp(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	utc := func(month time.Month, day, hour int) time.Time {
		return time.Date(2026, month, day, hour, 0, 0, 0, time.UTC)
	}
	clk := newFakeClock(utc(1, 1, 0))
	db := openDB(t, "")
	plan := newPlan(t, db, "T1", "Q1")
	runner := &fakeRunner{clk: clk}
	s := newScheduler(db, runner, clk, "a")
	setSchedule(t, s, "T1", plan, "every monday 09:00 UTC")
	if err := s.SetPaused(ctx, "T1", plan, true); err != nil {
		t.Fatal(err)
	}
	clk.Set(utc(1, 14, 12))
	if err := s.SetPaused(ctx, "T1", plan, false); err != nil {
		t.Fatal(err)
	}
	w := startWalk(t, clk, time.Minute, s)
	w.until(utc(1, 20, 0))
	w.stop()
	if diff := cmp.Diff([]time.Time{utc(1, 19, 9)}, dues(runner.Calls())); diff != "" {
		t.Errorf("check-ins (-want +got):\n%s", diff)
	}
}

// TestNewScheduleNoticedWhileAsleep sets a schedule while Run sleeps with
// nothing to do: it is picked up within a minute and runs on time.
func TestNewScheduleNoticedWhileAsleep(t *testing.T) {
	t.Parallel()
	start := time.Date(2026, 1, 5, 8, 50, 0, 0, time.UTC)
	clk := newFakeClock(start)
	db := openDB(t, "")
	plan := newPlan(t, db, "T1", "Q1")
	runner := &fakeRunner{clk: clk}
	s := scheduler.New(db, runner, clk, nil, "a")

	w := startWalk(t, clk, 0, s)
	w.until(start.Add(30 * time.Second))
	setSchedule(t, s, "T1", plan, "every day 09:00 UTC")
	w.until(start.Add(time.Hour))
	w.stop()

	calls := runner.Calls()
	if len(calls) != 1 || !calls[0].Job.Due.Equal(start.Add(10*time.Minute)) || calls[0].Job.Late {
		t.Errorf("check-ins %+v, want one on time at 09:00", calls)
	}
}

func TestNext(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	berlin := mustLoad(t, "Europe/Berlin")
	clk := newFakeClock(time.Date(2026, 3, 20, 12, 0, 0, 0, time.UTC))
	db := openDB(t, "")
	plan := newPlan(t, db, "T1", "Q1")
	s := scheduler.New(db, &fakeRunner{clk: clk}, clk, nil, "a")

	if _, err := s.Next(ctx, "T1", plan, 3); !errors.Is(err, scheduler.ErrNoSchedule) {
		t.Errorf("Next without a schedule: %v, want ErrNoSchedule", err)
	}
	setSchedule(t, s, "T1", plan, "every monday 09:00 Europe/Berlin")
	got, err := s.Next(ctx, "T1", plan, 3)
	if err != nil {
		t.Fatal(err)
	}
	want := []time.Time{
		time.Date(2026, 3, 23, 9, 0, 0, 0, berlin),
		time.Date(2026, 3, 30, 9, 0, 0, 0, berlin),
		time.Date(2026, 4, 6, 9, 0, 0, 0, berlin),
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("next (-want +got):\n%s", diff)
	}
	if got[0].Location().String() != "Europe/Berlin" {
		t.Errorf("next runs in %v, want the schedule's zone", got[0].Location())
	}
	if _, err := s.Next(ctx, "T2", plan, 3); !errors.Is(err, flows.ErrNoPlan) {
		t.Errorf("Next for another team: %v, want ErrNoPlan", err)
	}
}

// TestLongOutageLogsBoundedBacklog restarts a half-hourly schedule after
// three days: one late check-in counts all 144 missed slots, and the log
// keeps only the latest hundred or so of them.
func TestLongOutageLogsBoundedBacklog(t *testing.T) {
	t.Parallel()
	set := time.Date(2026, 1, 1, 0, 0, 30, 0, time.UTC)
	clk := newFakeClock(set)
	db := openDB(t, "")
	plan := newPlan(t, db, "T1", "Q1")
	runner := &fakeRunner{clk: clk}
	s := newScheduler(db, runner, clk, "a")
	setSchedule(t, s, "T1", plan, "*/30 * * * * UTC")

	clk.Set(time.Date(2026, 1, 4, 0, 20, 0, 0, time.UTC))
	if err := s.Tick(context.Background()); err != nil {
		t.Fatal(err)
	}
	calls := runner.Calls()
	if len(calls) != 1 {
		t.Fatalf("%d check-ins, want 1", len(calls))
	}
	if c := calls[0].Job; !c.Late || c.Missed != 3*48 || !c.Due.Equal(time.Date(2026, 1, 4, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("catch-up job %+v, want the 00:00 slot, late, 144 missed", c)
	}
	_, rows := runLog(t, db, "T1", plan)
	if len(rows) != 101 || rows[0].State != scheduler.StateCaughtUp || rows[100].State != scheduler.StateSkipped {
		t.Errorf("log has %d entries, newest %+v", len(rows), rows[0])
	}
}

// flakyStore fails its first schedule listing, as a database locked by a
// backup might.
type flakyStore struct {
	*storage.DB
	mu     sync.Mutex
	failed bool
}

func (f *flakyStore) DueSchedules(ctx context.Context) ([]scheduler.Schedule, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if !f.failed {
		f.failed = true
		return nil, errors.New("database is locked")
	}
	return f.DB.DueSchedules(ctx)
}

// TestRunSurvivesFailedTick keeps running after a tick fails and catches
// up at the next wake-up, within a minute.
func TestRunSurvivesFailedTick(t *testing.T) {
	t.Parallel()
	set := time.Date(2026, 1, 5, 8, 0, 0, 0, time.UTC)
	clk := newFakeClock(set)
	db := openDB(t, "")
	plan := newPlan(t, db, "T1", "Q1")
	runner := &fakeRunner{clk: clk}
	s := scheduler.New(&flakyStore{DB: db}, runner, clk, nil, "a")
	setSchedule(t, s, "T1", plan, "every monday 09:00 UTC")

	clk.Set(set.Add(time.Hour)) // 09:00: the first tick fails
	w := startWalk(t, clk, 0, s)
	w.until(set.Add(2 * time.Hour))
	w.stop()

	calls := runner.Calls()
	if len(calls) != 1 || calls[0].Job.Late || !calls[0].At.Equal(set.Add(time.Hour+time.Minute)) {
		t.Errorf("check-ins %+v, want one on time at 09:01", calls)
	}
}
