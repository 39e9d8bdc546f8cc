package coach

import (
	"context"
	"sync"

	"github.com/racebot/racebot/flows"
)

// planLocks lets one request at a time step a plan in this process. The
// store's version check keeps steps from overwriting each other anyway,
// but a busy thread (a team answering at once, a burst of values) would
// otherwise spend its retries colliding: every step made from the same
// version, one commit winning each round. Taking turns, each step starts
// from the version the previous one left. Other processes sharing the
// store are still kept apart by the version check.
type planLocks struct {
	mu    sync.Mutex
	locks map[flows.PlanID]*planLock
}

type planLock struct {
	turn chan struct{} // holds a token while the plan is free
	refs int
}

// lock waits for the plan's turn, or for ctx to end.
func (l *planLocks) lock(ctx context.Context, id flows.PlanID) (unlock func(), err error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	l.mu.Lock()
	if l.locks == nil {
		l.locks = make(map[flows.PlanID]*planLock)
	}
	pl, ok := l.locks[id]
	if !ok {
		pl = &planLock{turn: make(chan struct{}, 1)}
		pl.turn <- struct{}{}
		l.locks[id] = pl
	}
	pl.refs++
	l.mu.Unlock()

	release := func() {
		l.mu.Lock()
		if pl.refs--; pl.refs == 0 {
			delete(l.locks, id)
		}
		l.mu.Unlock()
	}
	select {
	case <-pl.turn:
		return func() {
			pl.turn <- struct{}{}
			release()
		}, nil
	case <-ctx.Done():
		release()
		return nil, ctx.Err()
	}
}
