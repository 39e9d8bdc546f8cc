package slackfake_test

import (
	"context"
	"errors"
	"testing"

	"github.com/slack-go/slack"
)

// TestHoldKeepsAnswersUntilReleased: two posts held at once are both in
// flight, nothing is stored until release, then both land and later posts
// pass straight through.
func TestHoldKeepsAnswersUntilReleased(t *testing.T) {
	fake, api := newAPI(t)
	release := fake.Hold("chat.postMessage")

	done := make(chan error, 2)
	for _, text := range []string{"first", "second"} {
		go func() {
			_, _, err := api.PostMessageContext(t.Context(), "C1", slack.MsgOptionText(text, false))
			done <- err
		}()
	}
	fake.WaitFor(t, func() bool { return fake.InFlight("chat.postMessage") == 2 }, "both posts held")
	if got := fake.Messages("C1"); len(got) != 0 {
		t.Fatalf("held posts already stored: %+v", got)
	}
	release()
	release() // harmless
	for range 2 {
		if err := <-done; err != nil {
			t.Errorf("held post: %v", err)
		}
	}
	if _, _, err := api.PostMessage("C1", slack.MsgOptionText("third", false)); err != nil {
		t.Fatalf("post after release: %v", err)
	}
	if n := len(fake.Messages("C1")); n != 3 {
		t.Errorf("%d messages, want 3", n)
	}
}

func TestHeldCallerMayGiveUp(t *testing.T) {
	fake, api := newAPI(t)
	release := fake.Hold("chat.postMessage")
	defer release()
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() {
		_, _, err := api.PostMessageContext(ctx, "C1", slack.MsgOptionText("never", false))
		done <- err
	}()
	fake.WaitFor(t, func() bool { return fake.InFlight("chat.postMessage") == 1 }, "the held post")
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
	fake.WaitFor(t, func() bool { return fake.InFlight("chat.postMessage") == 0 }, "the held call to end")
	if n := len(fake.Messages("C1")); n != 0 {
		t.Errorf("a post whose caller gave up was stored")
	}
}
