package scheduler

import (
	"context"
	"fmt"
	"time"
)

// pending moves on an occurrence that waits for an outcome: a retry whose
// time has come, or a claim abandoned for longer than the lease. It
// returns when the occurrence will next need a look, if that is later.
func (s *Scheduler) pending(ctx context.Context, p planSchedule, o Occurrence, now time.Time) (time.Time, error) {
	switch o.State {
	case StateRetry:
		if o.RetryAt.After(now) {
			return o.RetryAt, nil
		}
		return s.retry(ctx, p, o, now)
	case StateClaimed:
		expires := o.ClaimedAt.Add(s.Lease)
		rec, ok := s.runner.(Recoverer)
		switch {
		case expires.After(now):
			if ok {
				return expires, nil
			}
		case ok:
			return s.recover(ctx, rec, p, o, now)
		default:
			s.reportStale(o)
		}
	}
	return time.Time{}, nil
}

// retry claims an occurrence back from StateRetry and tries it again, or
// logs it as missed if the next check-in is due by now. It returns when
// to retry again, if the try certainly posted nothing.
func (s *Scheduler) retry(ctx context.Context, p planSchedule, o Occurrence, now time.Time) (time.Time, error) {
	won, err := s.store.ClaimRetry(ctx, o.Plan, o.Key, s.instance, now)
	if err != nil || !won {
		return time.Time{}, err
	}
	job := jobFor(p, o)
	switch {
	case s.pausedSince(ctx, p.row):
		return time.Time{}, s.finish(ctx, job, StatePaused, notePausedRetry, 0)
	case !now.Before(deadline(p.spec, job.Due)):
		// Racebot was down, or busy, past the next occurrence: posting
		// now would put an old check-in beside the new one.
		s.jobLog(job).Error("check-in missed: not posted before the next one was due")
		return time.Time{}, s.finish(ctx, job, StateMissed, fmt.Sprintf("not posted: %d %s failed before the next check-in was due",
			o.Attempts, plural(o.Attempts, "try", "tries")), 0)
	}
	return s.post(ctx, p.spec, s.standingFor(ctx, job), s.runner.RunCheckin, "")
}

// recover takes over a claim abandoned mid-post and has the runner find
// the check-in or post it. A check-in no longer due is not posted: it
// is logged as failed, since nobody knows whether it went out. It returns
// when to retry, like retry.
func (s *Scheduler) recover(ctx context.Context, rec Recoverer, p planSchedule, o Occurrence, now time.Time) (time.Time, error) {
	won, err := s.store.ClaimStale(ctx, o.Plan, o.Key, s.instance, now.Add(-s.Lease), now)
	if err != nil || !won {
		return time.Time{}, err
	}
	job := jobFor(p, o)
	log := s.jobLog(job).With("abandoned_by", o.ClaimedBy)
	if p.row.Paused || !now.Before(deadline(p.spec, job.Due)) {
		log.Error("check-in abandoned mid-post is no longer due; not known whether it was posted")
		return time.Time{}, s.finish(ctx, job, StateFailed, noteStaleOverdue, 0)
	}
	log.Info("recovering check-in abandoned mid-post")
	return s.post(ctx, p.spec, s.standingFor(ctx, job), rec.Recover, noteRecovered)
}

// reportStale logs, once per occurrence, a claim abandoned mid-post that
// the runner cannot recover. It stays claimed and shows as unfinished in
// the run log.
func (s *Scheduler) reportStale(o Occurrence) {
	key := fmt.Sprint(o.Plan, " ", o.Key)
	s.mu.Lock()
	seen := s.reported[key]
	if s.reported == nil {
		s.reported = make(map[string]bool)
	}
	s.reported[key] = true
	s.mu.Unlock()
	if !seen {
		s.log.Warn("check-in abandoned mid-post; the runner cannot recover it, so it is left unfinished",
			"plan", o.Plan, "key", o.Key, "claimed_by", o.ClaimedBy, "claimed_at", o.ClaimedAt)
	}
}

// jobFor rebuilds the job of an occurrence claimed again.
func jobFor(p planSchedule, o Occurrence) Job {
	return Job{
		Team: p.row.Team, Plan: o.Plan, Due: o.Due.In(p.spec.Zone()), Key: o.Key,
		Late: o.Missed > 0, Missed: o.Missed, Attempt: o.Attempts + 1,
	}
}
