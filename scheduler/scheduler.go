// Package scheduler runs the KPI check-ins of every plan's schedule,
// durably: the schedules and a log of each occurrence live in SQLite, and
// an occurrence is claimed in a write transaction before anything is
// posted, so a restart, a crash mid-post or two racebot processes on the
// same database never post it twice.
//
// Occurrences missed while racebot was down are not replayed one by one: a
// single late check-in stands for all of them (Job.Late, Job.Missed) and
// the older ones are logged as skipped. A failed post is logged and not
// retried, because a post that failed half-way (Slack accepted it, the
// response was lost) would be doubled by a retry; people re-run a check-in
// by hand instead.
package scheduler

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"time"

	"github.com/racebot/racebot/flows"
	"github.com/racebot/racebot/schedule"
	"github.com/racebot/racebot/storage"
)

// Defaults of the Scheduler's tunables.
const (
	// DefaultGrace is how late an occurrence may run and still count as
	// on time: a check-in at 09:10 for 09:00 is not worth a "late" note.
	DefaultGrace = 15 * time.Minute
	// DefaultRecheck bounds how long Run sleeps, so a schedule set in the
	// meantime, by this process or another, is noticed within it.
	DefaultRecheck = time.Minute
)

// maxLogged bounds how many missed occurrences one catch-up writes to the
// log: a minutely cron schedule after a week's outage would add ten
// thousand rows that say the same thing. Older ones are only counted.
const maxLogged = 100

// Run-log notes.
const (
	noteMissed = "missed while racebot was down"
	notePaused = "plan paused"
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
	// Missed counts the slots missed while racebot was down, this one
	// included; 0 if the check-in is on time.
	Missed int
}

// Runner posts check-ins. The Slack bot implements it by opening the
// check-in thread in the plan's channel.
type Runner interface {
	RunCheckin(ctx context.Context, job Job) (checkinID int64, err error)
}

// Store is the storage the scheduler needs; *storage.DB implements it.
type Store interface {
	DueSchedules(ctx context.Context) ([]storage.ScheduleRow, error)
	Schedule(ctx context.Context, team string, plan flows.PlanID) (storage.ScheduleRow, error)
	SetSchedule(ctx context.Context, team string, plan flows.PlanID, spec, zone, by string, now time.Time) error
	SetPaused(ctx context.Context, team string, plan flows.PlanID, paused bool, now time.Time) error
	ClaimOccurrence(ctx context.Context, plan flows.PlanID, key string, due time.Time, instance string, now time.Time) (bool, error)
	FinishOccurrence(ctx context.Context, plan flows.PlanID, key, state, note string, checkin int64, now time.Time) error
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

	mu    sync.Mutex
	specs map[string]schedule.Spec // parsed schedules by stored spec and zone

	// Grace and Recheck default to DefaultGrace and DefaultRecheck. Change
	// them before Run or Tick is first called, not while they run.
	Grace   time.Duration
	Recheck time.Duration
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
		Grace: DefaultGrace, Recheck: DefaultRecheck,
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
// schedule's zone, whether or not it is paused. It fails like
// storage.DB.Schedule when the plan has no schedule.
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
func (s *Scheduler) parse(row storage.ScheduleRow) (schedule.Spec, error) {
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
func (s *Scheduler) forgetSpecsBut(rows []storage.ScheduleRow) {
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

// Tick runs what is due now: for every schedule, the occurrences after its
// LastDue up to now. Errors of single schedules do not stop the others;
// they are returned together.
func (s *Scheduler) Tick(ctx context.Context) error {
	_, err := s.tick(ctx)
	return err
}

// Run ticks at once, which catches up what was missed while racebot was
// down, then sleeps until the next occurrence of any schedule (at most
// Recheck), ticks, and so on until ctx ends; then it returns nil. A failed
// tick is logged and retried at the next wake-up.
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

// tick is Tick that also returns the earliest next occurrence of any
// schedule (zero if none), for Run to sleep until.
func (s *Scheduler) tick(ctx context.Context) (time.Time, error) {
	now := s.clock.Now()
	rows, err := s.store.DueSchedules(ctx)
	if err != nil {
		return time.Time{}, fmt.Errorf("tick: %w", err)
	}
	s.forgetSpecsBut(rows)
	var (
		next time.Time
		errs []error
	)
	for _, row := range rows {
		if err := ctx.Err(); err != nil {
			return next, err
		}
		spec, err := s.parse(row)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		// A plan deleted since DueSchedules read it takes its schedule
		// with it; that is not an error.
		if err := s.handle(ctx, row, spec, now); err != nil && !errors.Is(err, flows.ErrNoPlan) {
			errs = append(errs, fmt.Errorf("plan %d: %w", row.Plan, err))
		}
		if t := spec.Next(now); !t.IsZero() && (next.IsZero() || t.Before(next)) {
			next = t
		}
	}
	return next, errors.Join(errs...)
}

// handle runs one schedule's occurrences due in (row.LastDue, now].
func (s *Scheduler) handle(ctx context.Context, row storage.ScheduleRow, spec schedule.Spec, now time.Time) error {
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
		return nil
	}
	if row.Paused {
		for _, t := range due {
			if err := s.record(ctx, row.Plan, spec.Key(t), t, storage.OccurrencePaused, notePaused); err != nil {
				return err
			}
		}
		return nil
	}
	// Everything but the latest occurrence was missed; the latest runs,
	// late unless it is within the grace period.
	for _, t := range due[:len(due)-1] {
		if err := s.record(ctx, row.Plan, spec.Key(t), t, storage.OccurrenceSkipped, noteMissed); err != nil {
			return err
		}
	}
	last := due[len(due)-1]
	job := Job{Team: row.Team, Plan: row.Plan, Due: last, Key: spec.Key(last)}
	if now.Sub(last) > s.Grace {
		job.Late, job.Missed = true, total
	}
	return s.run(ctx, job)
}

// record logs an occurrence that runs nothing, claiming it first so that
// of two schedulers only one writes it.
func (s *Scheduler) record(ctx context.Context, plan flows.PlanID, key string, due time.Time, state, note string) error {
	won, err := s.store.ClaimOccurrence(ctx, plan, key, due, s.instance, s.clock.Now())
	if err != nil || !won {
		return err
	}
	return s.store.FinishOccurrence(ctx, plan, key, state, note, 0, s.clock.Now())
}

// run claims a job's occurrence and, if this scheduler won it, posts the
// check-in and records how that went.
func (s *Scheduler) run(ctx context.Context, job Job) error {
	won, err := s.store.ClaimOccurrence(ctx, job.Plan, job.Key, job.Due, s.instance, s.clock.Now())
	if err != nil || !won {
		return err
	}
	log := s.log.With("team", job.Team, "plan", job.Plan, "key", job.Key, "late", job.Late, "missed", job.Missed)
	id, err := s.call(ctx, job)
	state, note := storage.OccurrencePosted, ""
	switch {
	case err != nil:
		state = storage.OccurrenceFailed
		note = "post failed; not retried automatically: " + err.Error()
		log.Error("check-in failed; not retried automatically", "err", err)
	case job.Late:
		state = storage.OccurrenceCaughtUp
		note = fmt.Sprintf("posted late, at %s; %d %s missed while racebot was down",
			s.clock.Now().In(job.Due.Location()).Format("Mon 2 Jan 15:04 MST"), job.Missed, plural(job.Missed, "slot", "slots"))
		log.Info("late check-in posted", "checkin", id)
	default:
		log.Info("check-in posted", "checkin", id)
	}
	// The outcome is recorded even when ctx ended during the post: the
	// check-in may well be out, and the log should say what happened.
	if err := s.store.FinishOccurrence(context.WithoutCancel(ctx), job.Plan, job.Key, state, note, id, s.clock.Now()); err != nil {
		return err
	}
	return nil
}

// call runs the runner, turning a panic into an error so that one bad post
// is logged as failed and does not take the scheduler down.
func (s *Scheduler) call(ctx context.Context, job Job) (id int64, err error) {
	defer func() {
		if r := recover(); r != nil {
			id, err = 0, fmt.Errorf("runner panicked: %v", r)
		}
	}()
	return s.runner.RunCheckin(ctx, job)
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
