package scheduler_test

import (
	"sync"
	"testing"
	"time"
)

// fakeClock is a simulated clock that tests move by hand. Sleepers (After)
// wake when the clock is set to or past their time, so a test can walk a
// scheduler through a year in as many steps as it sleeps.
type fakeClock struct {
	mu       sync.Mutex
	now      time.Time
	sleepers []sleeper
	changed  chan struct{} // closed and replaced whenever a sleeper is added
}

type sleeper struct {
	at time.Time
	ch chan time.Time
}

func newFakeClock(now time.Time) *fakeClock {
	return &fakeClock{now: now, changed: make(chan struct{})}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) After(d time.Duration) <-chan time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	ch := make(chan time.Time, 1)
	if d <= 0 {
		ch <- c.now
		return ch
	}
	c.sleepers = append(c.sleepers, sleeper{at: c.now.Add(d), ch: ch})
	close(c.changed)
	c.changed = make(chan struct{})
	return ch
}

// Set moves the clock to t and wakes the sleepers due by then. The clock
// never goes back.
func (c *fakeClock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if t.Before(c.now) {
		return
	}
	c.now = t
	kept := c.sleepers[:0]
	for _, s := range c.sleepers {
		if s.at.After(t) {
			kept = append(kept, s)
			continue
		}
		s.ch <- t
	}
	c.sleepers = kept
}

// forget drops every sleeper, for when the goroutines sleeping on the
// clock have ended.
func (c *fakeClock) forget() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.sleepers = nil
}

// waitSleepers blocks until at least n goroutines sleep on the clock and
// returns the earliest time one of them wakes.
func (c *fakeClock) waitSleepers(tb testing.TB, n int) time.Time {
	tb.Helper()
	// A guard against a scheduler that never sleeps again, so a bug fails
	// the test with a message instead of hanging it.
	guard := time.After(time.Minute)
	for {
		c.mu.Lock()
		if len(c.sleepers) >= n {
			earliest := c.sleepers[0].at
			for _, s := range c.sleepers[1:] {
				if s.at.Before(earliest) {
					earliest = s.at
				}
			}
			c.mu.Unlock()
			return earliest
		}
		changed := c.changed
		c.mu.Unlock()
		select {
		case <-changed:
		case <-guard:
			tb.Fatalf("clock at %v: waited for %d sleepers in vain", c.Now(), n)
		}
	}
}

func TestFakeClockWakesSleepersInOrder(t *testing.T) {
	t.Parallel()
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	c := newFakeClock(t0)
	a, b := c.After(time.Hour), c.After(time.Minute)
	if got := c.waitSleepers(t, 2); !got.Equal(t0.Add(time.Minute)) {
		t.Fatalf("earliest wake-up %v, want %v", got, t0.Add(time.Minute))
	}
	c.Set(t0.Add(30 * time.Minute))
	select {
	case <-a:
		t.Fatal("hour sleeper woke after 30 minutes")
	case got := <-b:
		if !got.Equal(t0.Add(30 * time.Minute)) {
			t.Errorf("minute sleeper woke at %v", got)
		}
	}
	c.Set(t0) // never back
	if !c.Now().Equal(t0.Add(30 * time.Minute)) {
		t.Errorf("clock went back to %v", c.Now())
	}
	select {
	case <-c.After(0):
	default:
		t.Error("After(0) did not fire at once")
	}
}
