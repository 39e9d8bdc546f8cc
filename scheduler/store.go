package scheduler

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/racebot/racebot/flows"
)

// ErrNoSchedule means the plan has no check-in schedule. It wraps
// flows.ErrNoPlan, so callers that only ask "is there a schedule for this
// plan?" can branch on either.
var ErrNoSchedule = fmt.Errorf("no schedule: %w", flows.ErrNoPlan)

// ErrNotClaimed means a Store found no occurrence claimed by the instance
// to finish or put back: it was never claimed, its outcome is already
// recorded, or another scheduler took over a claim it thought abandoned.
var ErrNotClaimed = errors.New("occurrence not claimed")

// ErrNotPosted marks a Runner error after which the check-in is certainly
// not posted: Slack answered 429, the connection was refused. Only the
// runner can tell, so it wraps the cause with this sentinel
// (fmt.Errorf("post: %w: %w", scheduler.ErrNotPosted, err)); the scheduler
// then tries again later. A runner whose next try looks for what this one
// may have posted before posting (the Slack runner does) may use it for
// such a try as well. Any other error may have come after the post went
// out, and is not retried.
var ErrNotPosted = errors.New("check-in not posted")

// ErrNotServed marks a Runner error for a check-in of a workspace that
// removed racebot meanwhile: nothing can be posted there any more, and
// nothing went wrong. The occurrence is logged as missed, at info, and is
// not tried again; ServedOnly keeps the workspace's next ones from
// coming due at all.
var ErrNotServed = errors.New("the workspace removed racebot")

// State is where an occurrence stands in the run log.
type State string

// States of an occurrence. An occurrence is claimed before anything is
// posted; it then ends in one of the final states, or goes back to
// StateRetry and is claimed again later.
const (
	StateClaimed  State = "claimed"   // a scheduler is posting it, or crashed while it did
	StateRetry    State = "retry"     // certainly not posted; to be claimed again at RetryAt
	StatePosted   State = "posted"    // the check-in was posted on time
	StateCaughtUp State = "caught-up" // posted late, once, for slots missed while down
	StateSkipped  State = "skipped"   // missed while down, and covered by a later caught-up check-in
	StatePaused   State = "paused"    // due while the plan was paused; nothing posted
	StateFailed   State = "failed"    // posting failed and may have gone out; not retried
	StateMissed   State = "missed"    // never posted: retries ran out when the next check-in was due
)

// Final reports whether s is an outcome, as opposed to StateClaimed and
// StateRetry, which wait for one.
func (s State) Final() bool {
	switch s {
	case StatePosted, StateCaughtUp, StateSkipped, StatePaused, StateFailed, StateMissed:
		return true
	}
	return false
}

// Schedule is a plan's check-in schedule as stored.
type Schedule struct {
	Team      string
	Plan      flows.PlanID
	Spec      string // canonical schedule text, zone included
	Zone      string // IANA zone name
	Paused    bool
	CreatedBy string
	CreatedAt time.Time
	UpdatedAt time.Time
	// LastDue is the latest occurrence handled (claimed by some scheduler),
	// or when the schedule was set or resumed if that is later. Only
	// occurrences after it are due.
	LastDue time.Time
}

// Occurrence is one entry of a plan's run log.
type Occurrence struct {
	Plan       flows.PlanID
	Key        string
	Due        time.Time
	State      State
	ClaimedBy  string
	ClaimedAt  time.Time
	FinishedAt time.Time // zero while claimed
	Note       string
	Checkin    int64 // 0: nothing was posted
	// Missed is the Job.Missed the occurrence was claimed with, so that a
	// retry or a recovery posts the same check-in.
	Missed int
	// Attempts counts the posts that certainly did not go out (ErrNotPosted).
	Attempts int
	RetryAt  time.Time // set while the state is StateRetry
}

// Store is the storage the scheduler needs; *storage.DB implements it.
// Claims are atomic: of any number of schedulers claiming one occurrence,
// in any number of processes, exactly one wins.
type Store interface {
	DueSchedules(ctx context.Context) ([]Schedule, error)
	// Schedule fails with ErrNoSchedule when the plan has none.
	Schedule(ctx context.Context, team string, plan flows.PlanID) (Schedule, error)
	SetSchedule(ctx context.Context, team string, plan flows.PlanID, spec, zone, by string, now time.Time) error
	SetPaused(ctx context.Context, team string, plan flows.PlanID, paused bool, now time.Time) error

	// ClaimOccurrence claims an occurrence not handled before, and moves
	// the schedule's LastDue up to due.
	ClaimOccurrence(ctx context.Context, plan flows.PlanID, key string, due time.Time, missed int, instance string, now time.Time) (bool, error)
	// ClaimRetry claims an occurrence in StateRetry whose RetryAt is not
	// after now.
	ClaimRetry(ctx context.Context, plan flows.PlanID, key, instance string, now time.Time) (bool, error)
	// ClaimStale takes over an occurrence left in StateClaimed since before
	// claimedBefore.
	ClaimStale(ctx context.Context, plan flows.PlanID, key, instance string, claimedBefore, now time.Time) (bool, error)
	// FinishOccurrence records the final state of an occurrence claimed by
	// instance; it fails with ErrNotClaimed if instance does not hold it.
	FinishOccurrence(ctx context.Context, plan flows.PlanID, key, instance string, state State, note string, checkin int64, now time.Time) error
	// RetryOccurrence puts an occurrence claimed by instance back in
	// StateRetry until retryAt and counts the attempt; it fails with
	// ErrNotClaimed if instance does not hold it.
	RetryOccurrence(ctx context.Context, plan flows.PlanID, key, instance string, retryAt time.Time, note string, now time.Time) error
	// PendingOccurrences lists the occurrences of every plan that wait for
	// an outcome: StateClaimed and StateRetry.
	PendingOccurrences(ctx context.Context) ([]Occurrence, error)
	// History tells an on-time check-in which skipped occurrences it
	// stands for.
	History
}

// History is the run log the coach shows with /race schedule, newest
// first.
type History interface {
	Occurrences(ctx context.Context, team string, plan flows.PlanID, limit int) ([]Occurrence, error)
}
