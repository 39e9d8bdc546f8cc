package bot

import (
	"context"
	"log/slog"
	"testing"
	"time"
)

// TestFirstTicksTakeTurnsBriefly: the loops' first ticks take turns, but
// one held up (Slack slow to take a backlog of check-in posts) holds up the
// others a second at most, not until it is done.
func TestFirstTicksTakeTurnsBriefly(t *testing.T) {
	t.Parallel()
	b := &Bot{pollEvery: time.Hour, firstTicks: make(chan struct{}, 1)}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	held, release := make(chan struct{}), make(chan struct{})
	defer close(release)
	go b.poll(func(context.Context) {
		close(held)
		<-release
	})(ctx)
	<-held
	ran := make(chan struct{})
	go b.poll(func(context.Context) { close(ran) })(ctx)
	select {
	case <-ran:
	case <-time.After(time.Minute):
		t.Fatal("a first tick waited for another one held up")
	}
}

// TestAPanickingTickStopsNothing: a tick that panics (a bad record, say) is
// logged, gives its first turn back, and the next tick runs on time; the
// loop nudges, closes and reminds, and used to end with the panic.
func TestAPanickingTickStopsNothing(t *testing.T) {
	t.Parallel()
	b := &Bot{pollEvery: time.Millisecond, firstTicks: make(chan struct{}, 1), log: slog.New(slog.DiscardHandler)}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ticks := make(chan int, 10)
	n := 0
	go b.poll(func(context.Context) {
		n++
		ticks <- n
		if n == 1 {
			panic("a bad plan")
		}
	})(ctx)
	for want := 1; want <= 2; want++ {
		select {
		case got := <-ticks:
			if got != want {
				t.Fatalf("tick %d, want %d", got, want)
			}
		case <-time.After(time.Minute):
			t.Fatalf("tick %d never ran after the first panicked", want)
		}
	}
	select {
	case b.firstTicks <- struct{}{}:
		<-b.firstTicks
	case <-time.After(time.Minute):
		t.Fatal("the first tick that panicked kept its turn")
	}
	cancel()
}
