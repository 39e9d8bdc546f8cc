package bot

import (
	"testing"
	"time"
)

// TestEventLineWaitsOutABurstAndNotALastingOverload: an event joining a
// line that has been empty within the long wait may wait until the long
// wait from the line's last empty moment; once the line has stayed busy
// longer than that, a newcomer waits only eventWaitBusy; and once it has
// emptied, the next one may wait long again.
func TestEventLineWaitsOutABurstAndNotALastingOverload(t *testing.T) {
	t.Parallel()
	const long = 250 * time.Millisecond
	var l eventLine
	t0 := time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)
	at := func(d time.Duration) time.Time { return t0.Add(d) }

	// The first to find every slot taken starts the line's busy spell.
	if until, ok := l.join(at(-2*time.Millisecond), at(0), long); !ok || !until.Equal(at(long-2*time.Millisecond)) {
		t.Fatalf("first waiter: until %v ok %v, want its arrival plus the long wait", until.Sub(t0), ok)
	}
	// Within the spell, a newcomer waits until the spell's long wait ends.
	if until, ok := l.join(at(100*time.Millisecond), at(100*time.Millisecond), long); !ok || !until.Equal(at(long)) {
		t.Errorf("waiter 100ms into the spell: until %v, want %v", until.Sub(t0), long)
	}
	// Near its end, still eventWaitBusy at least.
	if until, _ := l.join(at(long-time.Millisecond), at(long-time.Millisecond), long); !until.Equal(at(long - time.Millisecond + eventWaitBusy)) {
		t.Errorf("waiter 1ms before the spell's end: until %v, want %v", until.Sub(t0), long-time.Millisecond+eventWaitBusy)
	}
	// Past it, the overload is lasting: eventWaitBusy only.
	if until, _ := l.join(at(time.Second), at(time.Second), long); !until.Equal(at(time.Second + eventWaitBusy)) {
		t.Errorf("waiter a second into the spell: until %v, want %v", until.Sub(t0), time.Second+eventWaitBusy)
	}
	for range 4 {
		l.leave(at(0), at(2*time.Second-time.Millisecond), false)
	}
	if n := l.waiting(); n != 0 {
		t.Fatalf("%d waiting after all left", n)
	}
	// Emptied, the line starts a new spell.
	if until, _ := l.join(at(2*time.Second), at(2*time.Second), long); !until.Equal(at(2*time.Second + long)) {
		t.Errorf("waiter after the line emptied: until %v, want %v", until.Sub(t0), 2*time.Second+long)
	}
}

// TestEventLineIsFullAtItsBound: past maxEventWaiters a newcomer is
// turned away, and taken again once one has left.
func TestEventLineIsFullAtItsBound(t *testing.T) {
	t.Parallel()
	var l eventLine
	now := time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)
	for i := range maxEventWaiters {
		if _, ok := l.join(now, now, eventSlotWait); !ok {
			t.Fatalf("waiter %d turned away", i)
		}
	}
	if _, ok := l.join(now, now, eventSlotWait); ok {
		t.Fatal("a waiter past the bound was taken")
	}
	l.leave(now, now, false)
	if _, ok := l.join(now, now, eventSlotWait); !ok {
		t.Error("a waiter after one left was turned away")
	}
}

// TestEventLineBusyWithShortWaitsIsNotAnOverload: near capacity the line
// can stay non-empty for long stretches, one short wait overlapping the
// next. While waiters keep getting a slot within eventWaitGood the line
// drains, and a newcomer may still wait long: a slot it would get in
// 20 ms is not refused after eventWaitBusy.
func TestEventLineBusyWithShortWaitsIsNotAnOverload(t *testing.T) {
	t.Parallel()
	const long = 250 * time.Millisecond
	var l eventLine
	t0 := time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)
	at := func(d time.Duration) time.Time { return t0.Add(d) }

	// A waiter every millisecond for a second, each served a millisecond
	// after it joined: the line is never empty.
	l.join(at(0), at(0), long)
	for ms := time.Duration(1); ms <= 1000; ms++ {
		now := at(ms * time.Millisecond)
		l.join(now, now, long)
		l.leave(at((ms-1)*time.Millisecond), now, true)
	}
	if n := l.waiting(); n != 1 {
		t.Fatalf("%d waiting, want 1", n)
	}
	now := at(1000*time.Millisecond + 500*time.Microsecond)
	if until, _ := l.join(now, now, long); until.Sub(now) < 20*time.Millisecond {
		t.Errorf("newcomer to a line draining within a millisecond may wait %v, want the long wait", until.Sub(now))
	}
}

// TestEventLineStandingIsAnOverload: a line whose waiters are served only
// after more than eventWaitGood, or not at all, is a lasting overload once
// it has stood for the long wait, however many are served.
func TestEventLineStandingIsAnOverload(t *testing.T) {
	t.Parallel()
	const long = 250 * time.Millisecond
	var l eventLine
	t0 := time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)
	at := func(d time.Duration) time.Time { return t0.Add(d) }

	l.join(at(0), at(0), long)
	for ms := time.Duration(1); ms <= 400; ms++ {
		now := at(ms * time.Millisecond)
		l.join(now, now, long)
		// Every other one is served after six milliseconds, the rest
		// give up.
		l.leave(now.Add(-6*time.Millisecond), now, ms%2 == 0)
	}
	now := at(400 * time.Millisecond)
	if until, _ := l.join(now, now, long); !until.Equal(now.Add(eventWaitBusy)) {
		t.Errorf("newcomer to a line standing for 400ms may wait %v, want %v", until.Sub(now), eventWaitBusy)
	}
}
