package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"
	"runtime"
	"sync"
	"testing"
	"time"
)

// openWriter opens a bare SQLite file with one table and a writer on it.
func openWriter(t *testing.T) (*writer, *sql.DB) {
	t.Helper()
	pool := openTable(t)
	w := newWriter(pool, nil)
	t.Cleanup(func() { w.close() })
	return w, pool
}

// openTable opens a bare SQLite file with one table, t (k).
func openTable(t *testing.T) *sql.DB {
	t.Helper()
	pool, err := sql.Open("sqlite", dsn(filepath.Join(t.TempDir(), "w.db"), "immediate", "FULL"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pool.Close() })
	pool.SetMaxOpenConns(1)
	if _, err := pool.Exec(`CREATE TABLE t (k TEXT PRIMARY KEY)`); err != nil {
		t.Fatal(err)
	}
	return pool
}

func insert(k string) func(context.Context, *sql.Tx) error {
	return func(ctx context.Context, tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO t (k) VALUES (?)`, k)
		return err
	}
}

func count(t *testing.T, pool *sql.DB) int {
	t.Helper()
	var n int
	if err := pool.QueryRow(`SELECT count(*) FROM t`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestGroupCommitIsolatesFailingMembers: many writers at once, a third of
// them failing (a key taken twice, an error of their own); every good write
// lands, every bad one lands nothing, and each caller hears its own result.
func TestGroupCommitIsolatesFailingMembers(t *testing.T) {
	t.Parallel()
	w, pool := openWriter(t)
	const n = 300
	errMine := errors.New("refused by the caller")
	var wg sync.WaitGroup
	results := make([]error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			switch i % 3 {
			case 0:
				results[i] = w.do(context.Background(), insert(fmt.Sprint(i)))
			case 1:
				// Its own row, then a key that case 0 writes too: whichever
				// of the two comes second fails, and its first row with it.
				results[i] = w.do(context.Background(), func(ctx context.Context, tx *sql.Tx) error {
					if err := insert(fmt.Sprint(i))(ctx, tx); err != nil {
						return err
					}
					return insert(fmt.Sprint(i-1))(ctx, tx)
				})
			default:
				results[i] = w.do(context.Background(), func(ctx context.Context, tx *sql.Tx) error {
					if err := insert(fmt.Sprint(i))(ctx, tx); err != nil {
						return err
					}
					return errMine
				})
			}
		}()
	}
	wg.Wait()
	want := 0
	for i := 0; i < n; i += 3 {
		// Of each pair fighting over key i, exactly one won: the plain
		// insert (one row) or the pair insert (its own row and key i).
		switch a, b := results[i], results[i+1]; {
		case a == nil && b != nil:
			want++
		case a != nil && b == nil:
			want += 2
		default:
			t.Errorf("keys %d/%d: results %v and %v, want exactly one success", i, i+1, a, b)
		}
		if !errors.Is(results[i+2], errMine) {
			t.Errorf("write %d: %v, want its own error", i+2, results[i+2])
		}
	}
	if got := count(t, pool); got != want {
		t.Errorf("rows = %d, want %d", got, want)
	}
}

// TestWriteCalledOffBeforeItRuns: a caller whose deadline passes while its
// write waits in the queue gets its context's error and nothing is written;
// one already taken finishes and reports its real outcome.
func TestWriteCalledOffBeforeItRuns(t *testing.T) {
	t.Parallel()
	w, pool := openWriter(t)
	started, release := make(chan struct{}), make(chan struct{})
	first := make(chan error, 1)
	go func() {
		first <- w.do(context.Background(), func(ctx context.Context, tx *sql.Tx) error {
			close(started)
			<-release
			return insert("first")(ctx, tx)
		})
	}()
	<-started
	ctx, cancel := context.WithCancel(context.Background())
	queued := make(chan error, 1)
	go func() { queued <- w.do(ctx, insert("called off")) }()
	// The queued write cannot be taken while the first one holds the
	// writer; calling it off now must drop it.
	for len(w.queue) == 0 {
		select {
		case err := <-queued:
			t.Fatalf("queued write returned before it was taken: %v", err)
		default:
			runtime.Gosched()
		}
	}
	cancel()
	if err := <-queued; !errors.Is(err, context.Canceled) {
		t.Errorf("called-off write: %v, want context.Canceled", err)
	}
	close(release)
	if err := <-first; err != nil {
		t.Fatal(err)
	}
	if got := count(t, pool); got != 1 {
		t.Errorf("rows = %d, want only the first", got)
	}
}

// TestWriterClosedRefuses: after close, writes are refused, never lost in a
// queue nobody reads.
func TestWriterClosedRefuses(t *testing.T) {
	t.Parallel()
	w, _ := openWriter(t)
	if err := w.do(context.Background(), insert("a")); err != nil {
		t.Fatal(err)
	}
	w.close()
	if err := w.do(context.Background(), insert("b")); !errors.Is(err, errClosed) {
		t.Errorf("write after close: %v, want errClosed", err)
	}
}

// TestWritesWaitingTogetherCommitTogether: writes that queue while the
// writer is busy are committed in one transaction, in arrival order.
func TestWritesWaitingTogetherCommitTogether(t *testing.T) {
	t.Parallel()
	w, pool := openWriter(t)
	started, release := make(chan struct{}), make(chan struct{})
	go w.do(context.Background(), func(ctx context.Context, tx *sql.Tx) error {
		close(started)
		<-release
		return nil
	})
	<-started
	const n = 50
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := w.do(context.Background(), insert(fmt.Sprint(i))); err != nil {
				t.Error(err)
			}
		}()
	}
	for len(w.queue) < n {
		runtime.Gosched()
	}
	before := w.commits.Load()
	close(release)
	wg.Wait()
	if got := count(t, pool); got != n {
		t.Fatalf("rows = %d, want %d", got, n)
	}
	// The blocking write's own commit, then the fifty queued behind it.
	if got := w.commits.Load() - before; got != 2 {
		t.Errorf("%d transactions for %d queued writes, want them grouped into one (plus the blocking one)", got, n)
	}
}

// TestBusyWriterWaitsForCompany: a write that finds the writer idle, or
// that follows a commit of one write alone, is committed at once; one that
// comes right after a commit of several waits for the batch to fill, so the
// writes a commit wakes are committed together instead of the first of
// them alone. The clock is the test's, and its timer never fires: nothing
// here depends on how fast the machine is.
func TestBusyWriterWaitsForCompany(t *testing.T) {
	t.Parallel()
	pool := openTable(t)
	w := makeWriter(pool, nil)
	var mu sync.Mutex
	now := time.Date(2027, 1, 4, 9, 0, 0, 0, time.UTC)
	reads := 0 // of the clock, by the writer
	w.now = func() time.Time { mu.Lock(); defer mu.Unlock(); reads++; return now }
	readsSoFar := func() int { mu.Lock(); defer mu.Unlock(); return reads }
	waits := make(chan struct{}, 2*lingerBatch)
	w.timer = func(time.Duration) (<-chan time.Time, func() bool) {
		waits <- struct{}{}
		return nil, func() bool { return true }
	}
	go w.run()
	defer w.close()

	atOnce := func(k string) {
		t.Helper()
		done := make(chan error, 1)
		go func() { done <- w.do(context.Background(), insert(k)) }()
		select {
		case err := <-done:
			if err != nil {
				t.Fatal(err)
			}
		case <-waits:
			t.Fatalf("write %q waited for company", k)
		}
	}
	atOnce("first")
	// The clock has not moved, but the writer's last commit held this
	// caller's own write alone: nobody else is writing.
	atOnce("one after another")

	// Two writes queued behind a held one commit together...
	held, release := make(chan struct{}), make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		w.do(context.Background(), func(context.Context, *sql.Tx) error {
			close(held)
			<-release
			return nil
		})
	}()
	<-held
	for i := range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := w.do(context.Background(), insert(fmt.Sprint("pair-", i))); err != nil {
				t.Error(err)
			}
		}()
	}
	for len(w.queue) < 2 {
		runtime.Gosched()
	}
	close(release)
	wg.Wait()
	before := w.commits.Load()

	// ...so the next write, with the clock still where it was, waits
	// until lingerBatch writes are there, and they commit together.
	first := make(chan error, 1)
	go func() { first <- w.do(context.Background(), insert("busy-0")) }()
	select {
	case <-waits:
	case err := <-first:
		t.Fatalf("a write right after a commit of several was committed alone (%v)", err)
	}
	// The writer has read the clock to decide to wait; it reads it once
	// more to note when the batch's commit ended.
	noted := readsSoFar() + 1
	for i := 1; i < lingerBatch; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := w.do(context.Background(), insert(fmt.Sprint("busy-", i))); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if err := <-first; err != nil {
		t.Fatal(err)
	}
	if got := w.commits.Load() - before; got != 1 {
		t.Errorf("%d transactions for a batch of %d, want 1", got, lingerBatch)
	}

	// Once the writer has been idle for maxLinger, a write goes at once.
	// The callers are woken before the writer notes the commit's end: the
	// clock moves on only after that note, or the note would read the
	// moved clock and the pause would not be one.
	for readsSoFar() < noted {
		runtime.Gosched()
	}
	mu.Lock()
	now = now.Add(maxLinger)
	mu.Unlock()
	atOnce("after a pause")
	if got, want := count(t, pool), 2+2+lingerBatch+1; got != want {
		t.Errorf("rows = %d, want %d", got, want)
	}
}
