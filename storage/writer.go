package storage

import (
	"context"
	"database/sql"
	"errors"
	"sync"
	"sync/atomic"
	"time"
)

// writer is the one goroutine that writes. SQLite allows one writer at a
// time, and database/sql hands its single write connection to a random
// waiter, so under load the unluckiest write waited longest (a p99 of
// 100 ms). Here writes queue in arrival order, and everything waiting when
// the writer comes round is committed in one transaction: one fsync for the
// lot, which is what makes synchronous=FULL affordable. A busy writer waits
// a moment for a small batch to fill (see lingerBatch).
//
// A batch runs its members one after another in one transaction. When
// one fails (a duplicate key, a version conflict), the batch is rolled
// back and run again with each member inside a savepoint, so the failed
// one is rolled back alone and the rest commit. If the commit itself fails, nothing of the batch landed, and
// every member runs again in a transaction of its own, so one bad write
// cannot fail the others.
type writer struct {
	pool  *sql.DB
	queue chan *writeReq
	done  chan struct{}
	// begun, when set, runs first in every transaction, before its
	// members.
	begun func(context.Context, *sql.Tx) error

	mu     sync.RWMutex // held for reading while queueing, for writing to close
	closed bool

	// commits counts transactions committed, for tests and benchmarks to
	// see that writes were grouped.
	commits atomic.Int64

	// now and timer are the clock a batch waits by (see lingerBatch);
	// tests replace them.
	now   func() time.Time
	timer func(time.Duration) (<-chan time.Time, func() bool)
}

// maxBatch bounds one group commit, so a long queue still commits in
// steps and the first writes in it are answered early.
const maxBatch = 128

// Member states: a queued write may still be called off by its caller; once
// the writer has taken it, it runs to the end and its caller waits.
const (
	stateQueued int32 = iota
	stateTaken
	stateCancelled
)

type writeReq struct {
	ctx    context.Context
	fn     func(context.Context, *sql.Tx) error
	state  atomic.Int32
	result chan error
}

var errClosed = errors.New("database is closed")

func newWriter(pool *sql.DB, begun func(context.Context, *sql.Tx) error) *writer {
	w := makeWriter(pool, begun)
	go w.run()
	return w
}

// makeWriter is newWriter without starting it, for tests to set its clock.
func makeWriter(pool *sql.DB, begun func(context.Context, *sql.Tx) error) *writer {
	return &writer{pool: pool, queue: make(chan *writeReq, 4*maxBatch), done: make(chan struct{}), begun: begun,
		now: time.Now, timer: func(d time.Duration) (<-chan time.Time, func() bool) {
			t := time.NewTimer(d)
			return t.C, t.Stop
		}}
}

// do runs fn in a write transaction. fn gets a context that carries ctx's
// values but is never cancelled: cancelling a statement interrupts SQLite,
// which can roll back the whole transaction and with it the other members
// of a batch. ctx still bounds the wait: a write not yet taken when ctx
// ends is dropped and reports ctx's error, and nothing of it is written.
func (w *writer) do(ctx context.Context, fn func(context.Context, *sql.Tx) error) error {
	return w.run1(ctx, fn, true)
}

// probe is do for a write whose outcome matters to nobody but its caller
// (the readiness probe): once ctx ends the caller stops waiting, even if
// the writer has taken it. A probe stuck behind another process's write
// lock then reports in time instead of after the busy timeout.
func (w *writer) probe(ctx context.Context, fn func(context.Context, *sql.Tx) error) error {
	return w.run1(ctx, fn, false)
}

func (w *writer) run1(ctx context.Context, fn func(context.Context, *sql.Tx) error, waitIfTaken bool) error {
	if err := ctx.Err(); err != nil {
		// select picks at random among ready cases: without this, a write
		// whose caller has given up could still be queued and run.
		return err
	}
	r := &writeReq{ctx: ctx, fn: fn, result: make(chan error, 1)}
	w.mu.RLock()
	if w.closed {
		w.mu.RUnlock()
		return errClosed
	}
	select {
	case w.queue <- r:
	case <-ctx.Done():
		w.mu.RUnlock()
		return ctx.Err()
	}
	w.mu.RUnlock()
	select {
	case err := <-r.result:
		return err
	case <-ctx.Done():
		if r.state.CompareAndSwap(stateQueued, stateCancelled) || !waitIfTaken {
			return ctx.Err()
		}
		// Taken: it is being written and its outcome is what the caller
		// must report, whatever the deadline.
		return <-r.result
	}
}

// close stops taking writes, finishes the queued ones and ends the writer.
func (w *writer) close() {
	w.mu.Lock()
	if !w.closed {
		w.closed = true
		close(w.queue)
	}
	w.mu.Unlock()
	<-w.done
}

func (w *writer) run() {
	defer close(w.done)
	batch := make([]*writeReq, 0, maxBatch)
	var (
		idle time.Time // when the last commit ended
		last int       // how many writes it held
	)
	for first := range w.queue {
		batch = w.drain(append(batch[:0], first))
		if len(batch) < lingerBatch && last > 1 && w.now().Sub(idle) < maxLinger {
			timeout, stop := w.timer(maxLinger)
			batch = w.await(batch, lingerBatch, timeout)
			stop()
		}
		w.commit(batch)
		idle, last = w.now(), len(batch)
	}
}

// A batch that finds the writer busy with others' writes waits a moment
// for company. Under load, the writes a commit wakes come back as the next
// ones a moment after it; committing the first of them alone cost a whole
// fsync while the rest queued behind it, and one commit in three held a
// single write. A write that finds the writer idle (no commit ended within
// maxLinger) never waits, nor does one after a commit of a single write:
// a caller writing one thing after another would only wait for itself.
// At 1,000 answers a second the wait took CPU per answer from about 810 to
// 690 µs, and the acknowledgement's median from 1.0–1.5 to 1.3–1.5 ms.
const (
	lingerBatch = 8
	maxLinger   = 500 * time.Microsecond
)

// drain adds the writes already queued to batch, up to maxBatch.
func (w *writer) drain(batch []*writeReq) []*writeReq {
	for len(batch) < maxBatch {
		select {
		case r, ok := <-w.queue:
			if !ok {
				return batch
			}
			batch = append(batch, r)
		default:
			return batch
		}
	}
	return batch
}

// await adds writes to batch as they come, until it holds want of them or
// timeout fires.
func (w *writer) await(batch []*writeReq, want int, timeout <-chan time.Time) []*writeReq {
	for len(batch) < want {
		select {
		case r, ok := <-w.queue:
			if !ok {
				return batch
			}
			batch = append(batch, r)
		case <-timeout:
			return batch
		}
	}
	return batch
}

func (w *writer) commit(batch []*writeReq) {
	live := make([]*writeReq, 0, len(batch))
	for _, r := range batch {
		if r.state.CompareAndSwap(stateQueued, stateTaken) {
			live = append(live, r)
		}
	}
	if len(live) == 1 {
		live[0].result <- w.single(live[0])
		return
	}
	if len(live) == 0 {
		return
	}
	errs, err := w.groupPlain(live)
	if errors.Is(err, errMemberFailed) {
		errs, err = w.group(live)
	}
	if err != nil {
		for _, r := range live {
			r.result <- w.single(r)
		}
		return
	}
	for i, r := range live {
		r.result <- errs[i]
	}
}

// errMemberFailed says a member of a plain batch failed, so the batch
// was rolled back to be run again with savepoints.
var errMemberFailed = errors.New("a member of the batch failed")

// groupPlain runs every member in one transaction with no savepoints:
// members nearly always succeed, and two statements fewer per member is a
// large share of a small write. The first member that fails rolls the lot
// back with errMemberFailed, for group to run again member by member.
func (w *writer) groupPlain(live []*writeReq) ([]error, error) {
	ctx := context.Background()
	tx, err := w.begin(ctx)
	if err != nil {
		return nil, err
	}
	for _, r := range live {
		if err := r.fn(context.WithoutCancel(r.ctx), tx); err != nil {
			tx.Rollback()
			return nil, errMemberFailed
		}
	}
	if err := tx.Commit(); err != nil {
		return nil, err
	}
	w.commits.Add(1)
	return make([]error, len(live)), nil
}

// group runs every member in one transaction, each in a savepoint, and
// returns each member's own error. An error of its own means the
// transaction as a whole did not commit.
func (w *writer) group(live []*writeReq) ([]error, error) {
	ctx := context.Background()
	tx, err := w.begin(ctx)
	if err != nil {
		return nil, err
	}
	errs := make([]error, len(live))
	for i, r := range live {
		if _, err := tx.ExecContext(ctx, `SAVEPOINT member`); err != nil {
			tx.Rollback()
			return nil, err
		}
		if errs[i] = r.fn(context.WithoutCancel(r.ctx), tx); errs[i] != nil {
			// A failed statement may have ended the whole transaction
			// (SQLITE_FULL, an I/O error); then this fails too, and the
			// batch is retried member by member.
			if _, err := tx.ExecContext(ctx, `ROLLBACK TO member`); err != nil {
				tx.Rollback()
				return nil, err
			}
		}
		if _, err := tx.ExecContext(ctx, `RELEASE member`); err != nil {
			tx.Rollback()
			return nil, err
		}
	}
	if err := tx.Commit(); err != nil {
		return nil, err
	}
	w.commits.Add(1)
	return errs, nil
}

func (w *writer) single(r *writeReq) error {
	ctx := context.WithoutCancel(r.ctx)
	tx, err := w.begin(ctx)
	if err != nil {
		return err
	}
	if err := r.fn(ctx, tx); err != nil {
		tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return err
	}
	w.commits.Add(1)
	return nil
}

func (w *writer) begin(ctx context.Context) (*sql.Tx, error) {
	tx, err := w.pool.BeginTx(ctx, nil)
	if err != nil || w.begun == nil {
		return tx, err
	}
	if err := w.begun(ctx, tx); err != nil {
		tx.Rollback()
		return nil, err
	}
	return tx, nil
}
