package bot

import (
	"context"
	"strings"
	"testing"

	"github.com/racebot/racebot/flows"
	"github.com/racebot/racebot/internal/slackfake"
)

// TestSocketReconnectWithWorkInFlight: Slack recycles the connection (or
// it drops) while a slash command or a thread reply is being handled. Once
// the socket is back each is acknowledged once, and the reply is recorded
// once, with the reply sent meanwhile after it.
func TestSocketReconnectWithWorkInFlight(t *testing.T) {
	t.Parallel()
	for _, how := range []string{"disconnect", "drop"} {
		cut := func(h *harness) {
			if how == "disconnect" {
				h.fake.Disconnect("refresh_requested")
			} else {
				h.fake.Drop()
			}
		}
		acks := func(h *harness, env string) int {
			n := 0
			for _, a := range h.fake.Acks() {
				if a.EnvelopeID == env {
					n++
				}
			}
			return n
		}
		t.Run(how+"/command", func(t *testing.T) {
			t.Parallel()
			h, gated := newGatedHarness(t, "CSLOW")
			h.runSocket()
			t.Cleanup(gated.release)
			env := h.fake.SendEvent(slackfake.SlashCommand{Command: "/race", Text: "status", UserID: "UANA", ChannelID: "CSLOW"})
			waitClosed(t, gated.entered, "the command to reach the store")
			cut(h)
			h.fake.WaitConnections(t, 2)
			gated.release()
			if got := ackText(t, h.fake.WaitAck(t, env).Payload); !strings.Contains(got, "no plan here yet") {
				t.Errorf("command ack = %q", got)
			}
			h.settle()
			if n := acks(h, env); n != 1 {
				t.Errorf("%d acks for one command", n)
			}
		})
		t.Run(how+"/thread reply", func(t *testing.T) {
			t.Parallel()
			h, gated := newGatedHarness(t, "CSLOW")
			header, id := h.slowThread()
			h.runSocket()
			t.Cleanup(gated.release)
			first := h.fake.SendEvent(slackfake.MessageEvent{Channel: "CSLOW", User: "UANA", Text: "We sell coffee.", ThreadTS: header.TS})
			waitClosed(t, gated.entered, "the reply to reach the store")
			cut(h)
			h.fake.WaitConnections(t, 2)
			second := h.fake.SendEvent(slackfake.MessageEvent{Channel: "CSLOW", User: "UBEN", Text: "By subscription, roasted weekly.", ThreadTS: header.TS})
			gated.release()
			h.fake.WaitAck(t, first)
			h.fake.WaitAck(t, second)
			h.settle()
			for _, env := range []string{first, second} {
				if n := acks(h, env); n != 1 {
					t.Errorf("%d acks for one reply", n)
				}
			}
			if revs, _ := h.db.Revisions(context.Background(), slackfake.TeamID, id, flows.QuestionBusiness); len(revs) != 1 || revs[0].Text != "We sell coffee." {
				t.Errorf("answers to the first question = %+v, want the reply that was in flight, once", revs)
			}
		})
	}
}
