package bot

import (
	"context"
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
