// Package scheduler runs the KPI check-ins of every plan's schedule,
// durably: the schedules and a log of each occurrence live in a Store, and
// an occurrence is claimed in a write transaction before anything is
// posted, so a restart, a crash mid-post or two racebot processes on the
// same database never post it twice.
//
// Occurrences missed while racebot was down are not replayed one by one: a
// single late check-in stands for all of them (Job.Late, Job.Missed) and
// the older ones are logged as skipped. When the next occurrence is due in
// moments, it stands for them instead, on time, and all are skipped.
//
// A post that certainly did not go out (the Runner says ErrNotPosted) is
// tried again with exponential backoff until the schedule's next
// occurrence is due; then it is logged as missed. Any other failure is
// logged and not retried, because a post that failed half-way (Slack
// accepted it, the response was lost) would be doubled by a retry; people
// re-run a check-in by hand instead. A claim left by a process that died
// mid-post is handed to the Runner's Recover, if it has one, once the
// claim is older than the lease.
package scheduler

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/racebot/racebot/flows"
	"github.com/racebot/racebot/schedule"
)

// Defaults of the Scheduler's tunables.
const (
	// DefaultGrace is how late an occurrence may run and still count as
	// on time: a check-in at 09:10 for 09:00 is not worth a "late" note.
	DefaultGrace = 15 * time.Minute
	// DefaultRecheck bounds how long Run sleeps, so a schedule set in the
	// meantime, by this process or another, is noticed within it.
	DefaultRecheck = time.Minute
	// DefaultLease is how old a claim must be before a scheduler takes it
	// for abandoned and recovers it.
	DefaultLease = 2 * time.Minute
)

// Backoff of a check-in that certainly was not posted: the first retry
// after 30 s, doubling each time, never more than 10 min apart.
const (
	firstRetry = 30 * time.Second
	maxRetry   = 10 * time.Minute
)

// maxLogged bounds how many missed occurrences one catch-up writes to the
// log: a minutely cron schedule after a week's outage would add ten
// thousand rows that say the same thing. Older ones are only counted.
const maxLogged = 100

// Run-log notes.
const (
	noteMissed       = "missed while racebot was down"
	notePaused       = "plan paused"
	notePausedRetry  = "plan paused before the check-in could be posted"
	noteRecovered    = "recovered after racebot stopped while posting"
	noteStaleOverdue = "racebot stopped while posting and the next check-in is due; not known whether it was posted"
)

// Job is one check-in for a Runner to post.
type Job struct {
	Team string
	Plan flows.PlanID
	Due  time.Time // in the schedule's zone
	Key  string    // the occurrence's unique key (schedule.Spec.Key)
	// Late is set when the check-in runs more than the grace period after
	// Due because racebot was down; it stands for every slot missed.
	Late bool
	// Missed counts the slots missed while racebot was down: for a late
	// check-in, this one included; for one on time, the earlier ones it
	// stands for, logged as skipped just before it (see handle).
	Missed int
	// Attempt is 1 for the first try, and counts up when earlier tries
	// certainly posted nothing (ErrNotPosted).
	Attempt int
}

// Runner posts check-ins. The Slack bot implements it by opening the
// check-in thread in the plan's channel. RunCheckin wraps ErrNotPosted
// into its error when it knows nothing went out, so the scheduler may try
// again; every other error is final.
type Runner interface {
	RunCheckin(ctx context.Context, job Job) (checkinID int64, err error)
}

// Recoverer is a Runner that can finish a check-in whose scheduler stopped
// mid-post, when nobody knows whether it went out. Recover looks for the
// check-in by job.Key where it would have been posted and returns it if it
// is there; otherwise it posts it. Its errors mean what RunCheckin's do.
// A Runner without Recover leaves such claims as they are.
type Recoverer interface {
	Recover(ctx context.Context, job Job) (checkinID int64, err error)
}

// Scheduler runs due check-ins. Its methods are safe to call from several
// goroutines; several Schedulers, in one process or many, may share a
// database.
type Scheduler struct {
	store    Store
	runner   Runner
	clock    Clock
	log      *slog.Logger
	instance string

	mu       sync.Mutex
	specs    map[string]schedule.Spec // parsed schedules by stored spec and zone
	reported map[string]bool          // abandoned claims logged as unrecoverable

	// Grace, Recheck and Lease default to DefaultGrace, DefaultRecheck and
	// DefaultLease. Change them before Run or Tick is first called, not
	// while they run. A post gets half the lease: a claim older than that
	// belongs to a scheduler that stopped or hangs, and taking it over
	// cannot race a post still in flight.
	Grace   time.Duration
	Recheck time.Duration
	Lease   time.Duration
}

// New returns a Scheduler. instance names this process in the run log
// (claimed_by); it defaults to host:pid. A nil logger discards.
func New(store Store, runner Runner, clock Clock, logger *slog.Logger, instance string) *Scheduler {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	if clock == nil {
		clock = RealClock{}
	}
	if instance == "" {
		host, _ := os.Hostname()
		instance = fmt.Sprintf("%s:%d", host, os.Getpid())
	}
	return &Scheduler{
		store: store, runner: runner, clock: clock, log: logger, instance: instance,
		Grace: DefaultGrace, Recheck: DefaultRecheck, Lease: DefaultLease,
	}
}

// Set gives a team's plan the schedule spec, stored in canonical form with
// its zone. Only occurrences after now run.
func (s *Scheduler) Set(ctx context.Context, team string, plan flows.PlanID, spec schedule.Spec, by string) error {
	return s.store.SetSchedule(ctx, team, plan, spec.String(), spec.ZoneName(), by, s.clock.Now())
}

// SetPaused pauses or resumes a team's plan's check-ins. A paused plan's
// occurrences are logged as paused; resuming continues with the next one.
func (s *Scheduler) SetPaused(ctx context.Context, team string, plan flows.PlanID, paused bool) error {
	return s.store.SetPaused(ctx, team, plan, paused, s.clock.Now())
}

// Next returns the next n check-in times of a team's plan, in the
// schedule's zone, whether or not it is paused. It fails with
// ErrNoSchedule when the plan has no schedule.
func (s *Scheduler) Next(ctx context.Context, team string, plan flows.PlanID, n int) ([]time.Time, error) {
	row, err := s.store.Schedule(ctx, team, plan)
	if err != nil {
		return nil, err
	}
	spec, err := s.parse(row)
	if err != nil {
		return nil, err
	}
	return spec.Upcoming(s.clock.Now(), n), nil
}

// parse reads a stored schedule back. Parsed schedules are kept between
// ticks, as loading a zone reads the zone database each time.
func (s *Scheduler) parse(row Schedule) (schedule.Spec, error) {
	key := row.Spec + "\x00" + row.Zone
	s.mu.Lock()
	spec, ok := s.specs[key]
	s.mu.Unlock()
	if ok {
		return spec, nil
	}
	// The canonical text carries its zone; row.Zone is only a fallback.
	loc, err := time.LoadLocation(row.Zone)
	if err != nil {
		loc = nil
	}
	spec, err = schedule.Parse(row.Spec, loc)
	if err != nil {
		return schedule.Spec{}, fmt.Errorf("plan %d schedule %q: %w", row.Plan, row.Spec, err)
	}
	s.mu.Lock()
	if s.specs == nil {
		s.specs = make(map[string]schedule.Spec)
	}
	s.specs[key] = spec
	s.mu.Unlock()
	return spec, nil
}

// forgetSpecsBut drops the parsed schedules no schedule uses any more.
func (s *Scheduler) forgetSpecsBut(rows []Schedule) {
	used := make(map[string]bool, len(rows))
	for _, r := range rows {
		used[r.Spec+"\x00"+r.Zone] = true
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for k := range s.specs {
		if !used[k] {
			delete(s.specs, k)
		}
	}
}

// Tick runs what is due now: retries whose time has come, claims
// abandoned for longer than the lease, and for every schedule the
// occurrences after its LastDue up to now. Errors of single schedules do
// not stop the others; they are returned together.
func (s *Scheduler) Tick(ctx context.Context) error {
	_, err := s.tick(ctx)
	return err
}

// Run ticks at once, which catches up what was missed while racebot was
// down, then sleeps until the next occurrence or retry of any schedule (at
// most Recheck), ticks, and so on until ctx ends; then it returns nil. A
// failed tick is logged and retried at the next wake-up.
func (s *Scheduler) Run(ctx context.Context) error {
	s.log.Info("scheduler started", "instance", s.instance)
	for {
		next, err := s.tick(ctx)
		if ctx.Err() != nil {
			return nil
		}
		if err != nil {
			s.log.Error("scheduler tick", "err", err)
		}
		wait := s.Recheck
		if !next.IsZero() {
			wait = min(wait, next.Sub(s.clock.Now()))
		}
		select {
		case <-ctx.Done():
			return nil
		case <-s.clock.After(wait):
		}
	}
}

// planSchedule is a stored schedule with its parsed spec.
type planSchedule struct {
	row  Schedule
	spec schedule.Spec
}

// tick is Tick that also returns when there is next something to do (zero
// if nothing is known), for Run to sleep until.
func (s *Scheduler) tick(ctx context.Context) (time.Time, error) {
	now := s.clock.Now()
	rows, err := s.store.DueSchedules(ctx)
	if err != nil {
		return time.Time{}, fmt.Errorf("tick: %w", err)
	}
	pending, err := s.store.PendingOccurrences(ctx)
	if err != nil {
		return time.Time{}, fmt.Errorf("tick: %w", err)
	}
	s.forgetSpecsBut(rows)
	var (
		next time.Time
		errs []error
	)
	wake := func(t time.Time) {
		if !t.IsZero() && (next.IsZero() || t.Before(next)) {
			next = t
		}
	}
	// A plan deleted since the listings were read takes its schedule and
	// run log with it; that is not an error.
	keep := func(plan flows.PlanID, err error) {
		if err != nil && !errors.Is(err, flows.ErrNoPlan) {
			errs = append(errs, fmt.Errorf("plan %d: %w", plan, err))
		}
	}
	plans := make(map[flows.PlanID]planSchedule, len(rows))
	for _, row := range rows {
		spec, err := s.parse(row)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		plans[row.Plan] = planSchedule{row, spec}
	}
	// Pending occurrences go first: they are older than anything due now,
	// and a retry that ran out is logged as missed before the next
	// check-in is posted.
	for _, o := range pending {
		if err := ctx.Err(); err != nil {
			return next, err
		}
		if p, ok := plans[o.Plan]; ok {
			at, err := s.pending(ctx, p, o, now)
			wake(at)
			keep(o.Plan, err)
		}
	}
	for _, row := range rows {
		if err := ctx.Err(); err != nil {
			return next, err
		}
		p, ok := plans[row.Plan]
		if !ok {
			continue
		}
		at, err := s.handle(ctx, p, now)
		wake(at)
		keep(row.Plan, err)
		wake(p.spec.Next(now))
	}
	return next, errors.Join(errs...)
}

// handle runs one schedule's occurrences due in (row.LastDue, now]. It
// returns when to retry the check-in, if it certainly was not posted.
func (s *Scheduler) handle(ctx context.Context, p planSchedule, now time.Time) (time.Time, error) {
	row, spec := p.row, p.spec
	var (
		due   []time.Time // the latest maxLogged+1 of them, oldest first
		total int
	)
	for t := spec.Next(row.LastDue); !t.IsZero() && !t.After(now); t = spec.Next(t) {
		total++
		if len(due) == maxLogged+1 {
			due = append(due[:0], due[1:]...)
		}
		due = append(due, t)
	}
	if total == 0 {
		return time.Time{}, nil
	}
	if row.Paused {
		for _, t := range due {
			if err := s.record(ctx, row.Plan, spec.Key(t), t, StatePaused, notePaused); err != nil {
				return time.Time{}, err
			}
		}
		return time.Time{}, nil
	}
	last := due[len(due)-1]
	if next := spec.Next(last); now.Sub(last) > s.Grace && !next.IsZero() && soon(next.Sub(now), next.Sub(last), s.Grace) {
		// Missed, and the next check-in is due in moments: posting this
		// one late would put two in the channel minutes or seconds apart
		// (another racebot, its clock a little ahead, may be posting the
		// next already). The next one stands for them.
		for _, t := range due {
			if err := s.record(ctx, row.Plan, spec.Key(t), t, StateSkipped, noteMissed); err != nil {
				return time.Time{}, err
			}
		}
		return time.Time{}, nil
	}
	// Everything but the latest occurrence was missed; the latest runs,
	// late unless it is within the grace period.
	for _, t := range due[:len(due)-1] {
		if err := s.record(ctx, row.Plan, spec.Key(t), t, StateSkipped, noteMissed); err != nil {
			return time.Time{}, err
		}
	}
	job := Job{Team: row.Team, Plan: row.Plan, Due: last, Key: spec.Key(last), Attempt: 1}
	if now.Sub(last) > s.Grace {
		job.Late, job.Missed = true, total
	}
	won, err := s.store.ClaimOccurrence(ctx, job.Plan, job.Key, job.Due, job.Missed, s.instance, s.clock.Now())
	if err != nil || !won {
		return time.Time{}, err
	}
	if s.pausedSince(ctx, row) {
		return time.Time{}, s.finish(ctx, job, StatePaused, notePaused, 0)
	}
	return s.post(ctx, spec, s.standingFor(ctx, job), s.runner.RunCheckin, "")
}

// standingFor sets an on-time job's Missed to the occurrences logged as
// skipped just before it, which it stands for: missed while racebot was
// down, they were skipped for it by this tick or an earlier one, maybe of
// another racebot, so the run log is where they are counted. A late job
// has counted its own. Any other entry ends the run: a skipped one before
// it was covered by the check-in that entry is.
func (s *Scheduler) standingFor(ctx context.Context, job Job) Job {
	if job.Late {
		return job
	}
	log, err := s.store.Occurrences(ctx, job.Team, job.Plan, maxLogged+2)
	if err != nil {
		// The check-in goes out all the same, without the word.
		s.jobLog(job).Warn("count the check-ins skipped before", "err", err)
		return job
	}
	job.Missed = 0
	for _, o := range log { // newest first
		if !o.Due.Before(job.Due) {
			continue
		}
		if o.State != StateSkipped {
			break
		}
		job.Missed++
	}
	return job
}

// soon reports whether a check-in due in wait, of a schedule whose
// check-ins are interval apart, is close enough to stand for a missed one
// that would otherwise be posted now: within the grace period, and within
// a quarter of the interval, so that a half-hourly schedule still catches
// up ten minutes before its next slot.
func soon(wait, interval, grace time.Duration) bool {
	return wait <= grace && wait <= interval/4
}

// pausedSince reports whether a plan whose schedule read as running when
// the tick began has been paused since, by this process or another: a
// tick that posts many check-ins reaches the last of them seconds after
// it read the schedules, and a team told its plan is paused must not get
// a check-in. Asked once the occurrence is claimed, so a pause confirmed
// before the claim is always seen. A failed read says not paused: the
// claim is held, and posting is what the tick meant to do.
func (s *Scheduler) pausedSince(ctx context.Context, row Schedule) bool {
	if row.Paused {
		return true
	}
	now, err := s.store.Schedule(ctx, row.Team, row.Plan)
	if err != nil {
		s.log.Warn("reread schedule before posting", "team", row.Team, "plan", row.Plan, "err", err)
		return false
	}
	return now.Paused
}

// record logs an occurrence that runs nothing, claiming it first so that
// of two schedulers only one writes it.
func (s *Scheduler) record(ctx context.Context, plan flows.PlanID, key string, due time.Time, state State, note string) error {
	won, err := s.store.ClaimOccurrence(ctx, plan, key, due, 0, s.instance, s.clock.Now())
	if err != nil || !won {
		return err
	}
	return s.store.FinishOccurrence(ctx, plan, key, s.instance, state, note, 0, s.clock.Now())
}

// post has the runner post a job whose occurrence this scheduler holds,
// through call (RunCheckin or Recover), and records how that went: a
// final state, or a retry if the post certainly did not go out and there
// is time for another try; then it returns when. how, if set, starts the
// run-log note.
func (s *Scheduler) post(ctx context.Context, spec schedule.Spec, job Job, call func(context.Context, Job) (int64, error), how string) (time.Time, error) {
	log := s.jobLog(job)
	id, err := s.call(ctx, call, job)
	now := s.clock.Now()
	var (
		state State
		notes = []string{how}
	)
	switch {
	case errors.Is(err, ErrNotServed):
		state, id = StateMissed, 0
		notes = append(notes, "not posted: the workspace removed racebot")
		log.Info("check-in not posted: the workspace removed racebot", "err", err)
	case errors.Is(err, ErrNotPosted):
		retryAt := now.Add(backoff(job.Attempt))
		if retryAt.Before(deadline(spec, job.Due)) {
			log.Warn("check-in not posted; will retry", "err", err, "retry_at", retryAt)
			notes = append(notes, fmt.Sprintf("try %d not posted (%v); next try at %s", job.Attempt, err, retryAt.In(job.Due.Location()).Format("15:04:05 MST")))
			return retryAt, s.store.RetryOccurrence(context.WithoutCancel(ctx), job.Plan, job.Key, s.instance, retryAt, joinNotes(notes), now)
		}
		state, id = StateMissed, 0
		notes = append(notes, fmt.Sprintf("not posted: %d %s failed before the next check-in was due; last: %v",
			job.Attempt, plural(job.Attempt, "try", "tries"), err))
		log.Error("check-in missed: not posted before the next one was due", "err", err)
	case err != nil:
		state = StateFailed
		notes = append(notes, "post failed; not retried automatically: "+err.Error())
		log.Error("check-in failed; not retried automatically", "err", err)
	case job.Late:
		state = StateCaughtUp
		notes = append(notes, fmt.Sprintf("posted late, at %s; %d %s missed while racebot was down",
			stamp(now, job.Due), job.Missed, plural(job.Missed, "slot", "slots")))
		log.Info("late check-in posted", "checkin", id)
	default:
		state = StatePosted
		log.Info("check-in posted", "checkin", id)
	}
	if err == nil && job.Attempt > 1 {
		notes = append(notes, fmt.Sprintf("posted at %s, on try %d", stamp(now, job.Due), job.Attempt))
	}
	return time.Time{}, s.finish(ctx, job, state, joinNotes(notes), id)
}

// finish records a job's outcome, even when ctx ended during the post:
// the check-in may well be out, and the log should say what happened.
func (s *Scheduler) finish(ctx context.Context, job Job, state State, note string, checkin int64) error {
	return s.store.FinishOccurrence(context.WithoutCancel(ctx), job.Plan, job.Key, s.instance, state, note, checkin, s.clock.Now())
}

// call runs the runner with half the lease to finish, turning a panic into
// an error so that one bad post is logged as failed and does not take the
// scheduler down.
func (s *Scheduler) call(ctx context.Context, call func(context.Context, Job) (int64, error), job Job) (id int64, err error) {
	ctx, cancel := context.WithTimeout(ctx, s.Lease/2)
	defer cancel()
	defer func() {
		if r := recover(); r != nil {
			id, err = 0, fmt.Errorf("runner panicked: %v", r)
		}
	}()
	return call(ctx, job)
}

func (s *Scheduler) jobLog(job Job) *slog.Logger {
	return s.log.With("team", job.Team, "plan", job.Plan, "key", job.Key, "late", job.Late, "missed", job.Missed, "attempt", job.Attempt)
}

// backoff is how long to wait after the try-th try certainly posted
// nothing.
func backoff(try int) time.Duration {
	d := firstRetry
	for i := 1; i < try && d < maxRetry; i++ {
		d *= 2
	}
	return min(d, maxRetry)
}

// deadline is when a check-in due at due is no longer worth posting: when
// the schedule's next one is due, or a day later for a schedule that does
// not run again.
func deadline(spec schedule.Spec, due time.Time) time.Time {
	if t := spec.Next(due); !t.IsZero() {
		return t
	}
	return due.Add(24 * time.Hour)
}

// stamp formats t for a run-log note, in the zone of due.
func stamp(t, due time.Time) string {
	return t.In(due.Location()).Format("Mon 2 Jan 15:04 MST")
}

func joinNotes(notes []string) string {
	var kept []string
	for _, n := range notes {
		if n != "" {
			kept = append(kept, n)
		}
	}
	return strings.Join(kept, "; ")
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
