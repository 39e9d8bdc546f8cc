package bot

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/racebot/racebot/internal/slackfake"
)

// TestPacingIsPerWorkspace: a workspace that used up a channel's pace
// waits, and another workspace's messages (even to a channel of the same
// id) do not wait behind it.
func TestPacingIsPerWorkspace(t *testing.T) {
	t.Parallel()
	fake := slackfake.New(t)
	p := newPoster(NewAPI("xoxb-test", "", fake.APIURL()), time.Hour)
	in := func(team string) context.Context {
		// The deadline is far shorter than the pace: a post that would have
		// to wait for its turn fails at once instead.
		ctx, cancel := context.WithTimeout(teamCtx(team), time.Minute)
		t.Cleanup(cancel)
		return ctx
	}
	for range 3 { // the burst
		if _, err := p.post(in("TA"), "C1", "", hello()); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := p.post(in("TA"), "C1", "", hello()); !errors.Is(err, ErrNotPosted) {
		t.Fatalf("a fourth post in TA's busy channel: %v, want it held back (ErrNotPosted)", err)
	}
	if _, err := p.post(in("TB"), "C1", "", hello()); err != nil {
		t.Errorf("TB waited behind TA: %v", err)
	}
	if _, err := p.post(in("TA"), "C2", "", hello()); err != nil {
		t.Errorf("TA's other channel waited: %v", err)
	}
	if n := len(fake.Calls("chat.postMessage")); n != 5 {
		t.Errorf("%d posts, want 5", n)
	}
}
