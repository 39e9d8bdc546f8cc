package bot

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/racebot/racebot/flows"
	"github.com/racebot/racebot/internal/slackfake"
	"github.com/slack-go/slack/socketmode"
)

// runSocketUntil serves the harness over Socket Mode until stop is called,
// as racebot's main does until a signal ends its context, and returns a
// channel that carries what RunSocket returned.
func (h *harness) runSocketUntil() (stop context.CancelFunc, done <-chan error) {
	h.t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { errc <- h.bot.RunSocket(ctx, socketmode.New(h.api.api)) }()
	h.t.Cleanup(cancel)
	h.fake.WaitConnections(h.t, 1)
	return cancel, errc
}

// waitReturned waits for RunSocket to return and fails on an error.
func waitReturned(t *testing.T, done <-chan error) {
	t.Helper()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("RunSocket: %v", err)
		}
	case <-time.After(slackfake.DefaultWaitTimeout):
		t.Fatal("RunSocket did not return after its context ended")
	}
}

// TestSocketStopFinishesWhatIsInFlight: racebot stopping (a deploy's
// SIGTERM) while a slash command or a thread reply is being handled
// finishes it and acknowledges it over the connection before closing it,
// as the HTTP front door finishes its requests. Slack never delivers a
// command again; cut off, its author would see "failed with the error
// operation_timeout".
func TestSocketStopFinishesWhatIsInFlight(t *testing.T) {
	t.Parallel()
	t.Run("slash command", func(t *testing.T) {
		h, gated := newGatedHarness(t, "CSLOW")
		stop, done := h.runSocketUntil()
		t.Cleanup(gated.release)
		env := h.fake.SendEvent(slackfake.SlashCommand{Command: "/race", Text: "status", UserID: "UANA", ChannelID: "CSLOW"})
		waitClosed(t, gated.entered, "the command to reach the store")
		stop()
		gated.release()
		if got := ackText(t, h.fake.WaitAck(t, env).Payload); !strings.Contains(got, "no plan here yet") {
			t.Errorf("command ack = %q", got)
		}
		waitReturned(t, done)
	})

	t.Run("thread reply", func(t *testing.T) {
		h, gated := newGatedHarness(t, "CSLOW")
		header, _ := h.slowThread()
		stop, done := h.runSocketUntil()
		t.Cleanup(gated.release)
		env := h.fake.SendEvent(slackfake.MessageEvent{Channel: "CSLOW", User: "UANA", Text: "We sell coffee.", ThreadTS: header.TS})
		waitClosed(t, gated.entered, "the reply to reach the store")
		stop()
		gated.release()
		h.fake.WaitAck(t, env)
		waitReturned(t, done)
		p := h.plan(slackfake.TeamID, "CSLOW", "Q1")
		if got := p.Answers[flows.QuestionBusiness].Text; got != "We sell coffee." {
			t.Errorf("answer = %q, want the reply that was in flight", got)
		}
	})
}

// runOtherSocket serves b over Socket Mode on the harness's fake until the
// test ends, as a second racebot process connected to the same app does,
// and waits for its connection to be the one envelopes go to.
func (h *harness) runOtherSocket(b *Bot) {
	h.t.Helper()
	before := h.fake.Connections()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- b.RunSocket(ctx, socketmode.New(h.api.api)) }()
	h.t.Cleanup(func() {
		cancel()
		waitReturned(h.t, done)
	})
	h.fake.WaitConnections(h.t, before+1)
}

// TestSocketRetryToAnotherProcessRecordsOnce: a reply reaches one racebot
// and is stuck there past Slack's three seconds; Slack delivers it again
// to the other racebot connected to the app, which records it. When the
// first one gets going again, the answer is still recorded once and
// answered once.
func TestSocketRetryToAnotherProcessRecordsOnce(t *testing.T) {
	t.Parallel()
	h, gated := newGatedHarness(t, "CSLOW")
	header, id := h.slowThread()
	h.runSocket()
	t.Cleanup(gated.release)

	env := h.fake.SendEvent(slackfake.MessageEvent{Channel: "CSLOW", User: "UANA", Text: "We sell coffee.", ThreadTS: header.TS})
	waitClosed(t, gated.entered, "the reply to reach the first racebot's store")
	other, _ := h.anotherRacebot()
	h.runOtherSocket(other)
	retry := h.fake.Redeliver(env)
	h.fake.WaitAck(t, retry)
	settle(t, other, h.fake)
	replies := len(h.fake.Replies("CSLOW", header.TS))
	if replies == 0 {
		t.Fatal("the racebot that recorded the retry said nothing in the thread")
	}

	gated.release()
	h.fake.WaitAck(t, env)
	h.settle()
	settle(t, other, h.fake)
	if revs, _ := h.db.Revisions(context.Background(), slackfake.TeamID, id, flows.QuestionBusiness); len(revs) != 1 {
		t.Errorf("%d revisions of the answer, want 1", len(revs))
	}
	if n := len(h.fake.Replies("CSLOW", header.TS)); n != replies {
		t.Errorf("%d replies in the thread after the first racebot got going again, want the %d the retry got", n, replies)
	}
}

// slowThread makes a plan with its thread in CSLOW, the channel
// newGatedHarness holds. It is made in the store directly: the gate holds
// every look-up of the channel, and only the reply is to be stuck in it.
func (h *harness) slowThread() (slackfake.Message, flows.PlanID) {
	h.t.Helper()
	ctx := context.Background()
	header := h.fake.AddMessage(slackfake.Message{Channel: "CSLOW", User: slackfake.BotUserID, Text: "Q1"})
	id, err := h.db.CreatePlan(ctx, flows.NewPlan(slackfake.TeamID, "CSLOW", "Q1", "UANA", time.Now()), "")
	if err != nil {
		h.t.Fatal(err)
	}
	if _, err := h.db.BindThread(ctx, slackfake.TeamID, id, header.TS); err != nil {
		h.t.Fatal(err)
	}
	return header, id
}
