package bot

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/racebot/racebot/coach"
	"github.com/racebot/racebot/flows"
	"github.com/racebot/racebot/internal/slackfake"
	"github.com/slack-go/slack/socketmode"
)

func (h *harness) runSocket() {
	h.t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- h.bot.RunSocket(ctx, socketmode.New(h.api.api)) }()
	h.t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			h.t.Errorf("RunSocket: %v", err)
		}
	})
	h.fake.WaitConnections(h.t, 1)
}

func TestSocketModeEndToEnd(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.runSocket()

	env := h.fake.SendEvent(slackfake.SlashCommand{Command: "/race", Text: "new Q1 Launch", UserID: "UANA", ChannelID: "C1"})
	h.fake.WaitAck(t, env)
	header := h.header("C1", "Q1 Launch")
	h.threadMessage("C1", header.TS, "What does the business sell")

	// Each answers the question in front of them: the next is asked
	// before the next person replies.
	answers := []struct{ user, text, next string }{
		{"UANA", "Fernhill Coffee sells speciality coffee subscriptions.", "value proposition"},
		{"UBEN", "Beans roasted to order, at your door in 48 hours.", "Which customer segments"},
		{"UPRIYA", "Home brewers, gift buyers and small offices.", "Who is your typical customer"},
	}
	for _, a := range answers {
		h.fake.WaitAck(t, h.fake.SendEvent(slackfake.MessageEvent{Channel: "C1", User: a.user, Text: a.text, ThreadTS: header.TS}))
		h.threadMessage("C1", header.TS, a.next)
	}

	p := h.plan(slackfake.TeamID, "C1", "Q1 Launch")
	cat := flows.RACE()
	for i, a := range answers {
		q := cat.Stages[0].Steps()[i]
		got := p.Answers[q.ID]
		if got.Text != a.text || got.By != a.user {
			t.Errorf("answer %d = %q by %s, want %q by %s", i+1, got.Text, got.By, a.text, a.user)
		}
	}

	// Slack retries a delivery it thinks failed: the same event again
	// records nothing.
	dup := h.fake.SendEvent(slackfake.MessageEvent{Channel: "C1", User: "UANA", Text: "Maya, 34, a designer.", ThreadTS: header.TS, EventID: "EvDUPLICATE"})
	h.fake.WaitAck(t, dup)
	h.fake.WaitAck(t, h.fake.Redeliver(dup))
	h.threadMessage("C1", header.TS, "How do you position yourself")
	p = h.plan(slackfake.TeamID, "C1", "Q1 Launch")
	if n := p.Progress(cat)[0].Answered; n != 4 {
		t.Errorf("answered after a duplicate delivery = %d, want 4", n)
	}
	if p.Cursor.Step != 4 {
		t.Errorf("cursor step = %d, want 4: the duplicate must not advance the plan", p.Cursor.Step)
	}

	status := h.fake.WaitAck(t, h.fake.SendEvent(slackfake.SlashCommand{Command: "/race", Text: "status", UserID: "UANA", ChannelID: "C1"}))
	if got := ackText(t, status.Payload); !strings.Contains(got, "Plan     4/10 answered") {
		t.Errorf("status ack = %q, want Plan 4/10 answered", got)
	}

	// Slack asks the app to reconnect now and then; the client does so by
	// itself and nothing is lost.
	h.fake.Disconnect("refresh_requested")
	h.fake.WaitConnections(t, 2)
	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.MessageEvent{Channel: "C1", User: "UBEN", Text: "We beat Beanline on freshness.", ThreadTS: header.TS}))
	h.threadMessage("C1", header.TS, "strengths, weaknesses")
}

func TestSocketModeIgnoresBotsSideChatAndOtherThreads(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.runSocket()
	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.SlashCommand{Command: "/race", Text: "new Q1", UserID: "UANA", ChannelID: "C1"}))
	header := h.header("C1", "Q1")
	h.threadMessage("C1", header.TS, "What does the business sell")

	ignored := []slackfake.MessageEvent{
		{Channel: "C1", User: slackfake.BotUserID, Text: "my own words", ThreadTS: header.TS},
		{Channel: "C1", User: "UOTHER", BotID: "BOTHER", Text: "another bot", ThreadTS: header.TS, SubType: "bot_message"},
		{Channel: "C1", User: "UANA", Text: "// side chat: shall we get lunch?", ThreadTS: header.TS},
		{Channel: "C1", User: "UANA", Text: "<@UBEN> what do you think?", ThreadTS: header.TS},
		{Channel: "C1", User: "UANA", Text: "not in a thread"},
		{Channel: "C1", User: "UANA", Text: "another thread", ThreadTS: "1700000000.000100"},
	}
	for _, m := range ignored {
		h.fake.WaitAck(t, h.fake.SendEvent(m))
	}
	// A reply that addresses the bot by name is an answer.
	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.MessageEvent{Channel: "C1", User: "UANA", Text: "<@" + slackfake.BotUserID + "> We sell coffee.", ThreadTS: header.TS}))
	h.threadMessage("C1", header.TS, "value proposition")
	p := h.plan(slackfake.TeamID, "C1", "Q1")
	if got := p.Answers[flows.QuestionBusiness].Text; got != "We sell coffee." {
		t.Errorf("answer = %q, want only the addressed reply", got)
	}
	if n := p.Progress(flows.RACE())[0].Answered; n != 1 {
		t.Errorf("answered = %d, want 1", n)
	}
}

func TestSocketModePanicInOneEventKeepsServing(t *testing.T) {
	t.Parallel()
	h := newHarness(t, func(c *setup) { c.Store = panicky{c.Store} })
	h.runSocket()
	// PlanIDByThread panics for this channel; the loop must survive it, and
	// still acknowledge, so Slack does not deliver the poison event again.
	header, _ := h.newPlanInSlack("Q1")
	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.MessageEvent{Channel: "CPANIC", User: "UANA", Text: "boom", ThreadTS: header.TS}))
	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.MessageEvent{Channel: "C1", User: "UANA", Text: "We sell coffee.", ThreadTS: header.TS}))
	h.threadMessage("C1", header.TS, "value proposition")
}

type panicky struct{ coach.Store }

func (p panicky) PlanIDByThread(ctx context.Context, team, channel, thread string) (flows.PlanID, error) {
	if channel == "CPANIC" {
		panic("store exploded")
	}
	return p.Store.PlanIDByThread(ctx, team, channel, thread)
}

// gatedStore stalls the store calls made for one channel until the test
// opens the gate, as a stuck disk would: it does not give up when the
// caller's deadline passes.
type gatedStore struct {
	coach.Store
	channel string
	entered chan struct{}
	once    *sync.Once
	gate    chan struct{}
	// release opens the gate; calling it again is harmless.
	release func()
}

// newGatedStore gates s for channel.
func newGatedStore(s coach.Store, channel string) gatedStore {
	gate := make(chan struct{})
	var opened sync.Once
	release := func() { opened.Do(func() { close(gate) }) }
	return gatedStore{Store: s, channel: channel, entered: make(chan struct{}), once: &sync.Once{}, gate: gate, release: release}
}

// newGatedHarness is a harness whose store holds every call about channel
// until the gate is released.
func newGatedHarness(t *testing.T, channel string, configure ...func(*setup)) (*harness, gatedStore) {
	t.Helper()
	var gated gatedStore
	h := newHarness(t, append(configure, func(c *setup) {
		gated = newGatedStore(c.Store, channel)
		c.Store = gated
	})...)
	return h, gated
}

func (g gatedStore) hold(channel string) {
	if channel != g.channel {
		return
	}
	g.once.Do(func() { close(g.entered) })
	<-g.gate
}

func (g gatedStore) PlanIDByThread(ctx context.Context, team, channel, thread string) (flows.PlanID, error) {
	g.hold(channel)
	return g.Store.PlanIDByThread(ctx, team, channel, thread)
}

func (g gatedStore) CurrentPlan(ctx context.Context, team, channel string) (flows.PlanID, error) {
	g.hold(channel)
	return g.Store.CurrentPlan(ctx, team, channel)
}

func waitClosed(t *testing.T, c <-chan struct{}, what string) {
	t.Helper()
	select {
	case <-c:
	case <-time.After(slackfake.DefaultWaitTimeout):
		t.Fatalf("gave up waiting for %s", what)
	}
}

// TestSocketModeButtonsDoNotWaitForSlowEvents: while one event is stuck in
// the store, a button still opens its modal and a slash command is still
// answered (their trigger and ack windows are three seconds); events keep
// their order, the one behind the stuck one waiting for it.
func TestSocketModeButtonsDoNotWaitForSlowEvents(t *testing.T) {
	t.Parallel()
	h, gated := newGatedHarness(t, "CSLOW")
	h.runSocket()
	// Registered after runSocket, so a failing test opens the gate before
	// the socket loop is stopped and waited for.
	t.Cleanup(gated.release)
	header, p := h.newPlanInSlack("Q1")

	slow := h.fake.SendEvent(slackfake.MessageEvent{Channel: "CSLOW", User: "UANA", Text: "stuck", ThreadTS: "1700000000.000100"})
	waitClosed(t, gated.entered, "the slow event to reach the store")
	behind := h.fake.SendEvent(slackfake.MessageEvent{Channel: "C1", User: "UANA", Text: "We sell coffee.", ThreadTS: header.TS})

	button := h.fake.SendEvent(slackfake.BlockAction{ActionID: actionEditStage, Value: fmt.Sprintf("%d|plan", p.ID), UserID: "UANA", ChannelID: "C1", MessageTS: header.TS})
	h.fake.WaitAck(t, button)
	h.fake.WaitCalls(t, "views.open", 1)
	status := h.fake.WaitAck(t, h.fake.SendEvent(slackfake.SlashCommand{Command: "/race", Text: "status", UserID: "UANA", ChannelID: "C1"}))
	if got := ackText(t, status.Payload); !strings.Contains(got, "Q1") {
		t.Errorf("status ack while an event is stuck = %q", got)
	}
	for _, env := range []string{slow, behind} {
		if _, ok := h.fake.AckFor(env); ok {
			t.Fatalf("envelope %s acknowledged while the event ahead of it is stuck", env)
		}
	}

	gated.release()
	h.fake.WaitAck(t, slow)
	h.fake.WaitAck(t, behind)
	var order []string
	for _, a := range h.fake.Acks() {
		if a.EnvelopeID == slow || a.EnvelopeID == behind {
			order = append(order, a.EnvelopeID)
		}
	}
	if len(order) != 2 || order[0] != slow {
		t.Errorf("events acknowledged out of order: %v, want %s first", order, slow)
	}
	h.threadMessage("C1", header.TS, "value proposition")
}

// TestShutdownWaitsForSocketCommands: a slash command being handled when
// shutdown begins is waited for, so it never runs against a closed store.
func TestShutdownWaitsForSocketCommands(t *testing.T) {
	t.Parallel()
	h, gated := newGatedHarness(t, "CSLOW")
	h.runSocket()
	t.Cleanup(gated.release)
	env := h.fake.SendEvent(slackfake.SlashCommand{Command: "/race", Text: "status", UserID: "UANA", ChannelID: "CSLOW"})
	waitClosed(t, gated.entered, "the command to reach the store")

	stopped := make(chan error, 1)
	go func() { stopped <- h.bot.Shutdown(context.Background()) }()
	// Shutdown stops the loops first; a Shutdown that did not wait for the
	// command would return right after.
	waitClosed(t, h.bot.loopCtx.Done(), "shutdown to begin")
	select {
	case err := <-stopped:
		t.Fatalf("Shutdown returned (%v) while a command was still being handled", err)
	default:
	}
	gated.release()
	select {
	case err := <-stopped:
		if err != nil {
			t.Errorf("shutdown: %v", err)
		}
	case <-time.After(slackfake.DefaultWaitTimeout):
		t.Fatal("Shutdown did not return after the command finished")
	}
	if n := len(h.bot.inflight); n != 0 {
		t.Errorf("%d in-flight slots still taken after Shutdown", n)
	}
	if got := ackText(t, h.fake.WaitAck(t, env).Payload); !strings.Contains(got, "no plan here yet") {
		t.Errorf("command ack = %q", got)
	}
}

// TestOversizedCommandReplyFollowsThroughResponseURL: Slack drops a Socket
// Mode ack of 20 KB or more, leaving the command unanswered. A reply that
// large is acknowledged with its start and a note, and the whole of it
// follows through the command's response_url.
func TestOversizedCommandReplyFollowsThroughResponseURL(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.runSocket()
	ctx := context.Background()
	var last string
	for i := range 200 {
		last = fmt.Sprintf("Plan %03d for the spring campaign of Fernhill Coffee, roasted to order, at your door", i)
		if _, err := h.db.CreatePlan(ctx, flows.NewPlan(slackfake.TeamID, "C1", last, "UANA", time.Now()), ""); err != nil {
			t.Fatal(err)
		}
	}
	env := h.fake.SendEvent(slackfake.SlashCommand{Command: "/race", Text: "plans", UserID: "UANA", ChannelID: "C1"})
	a := h.fake.WaitAck(t, env)
	if len(a.Payload) > maxAckBytes {
		t.Errorf("ack payload is %d bytes, over %d", len(a.Payload), maxAckBytes)
	}
	if got := ackText(t, a.Payload); !strings.Contains(got, "Plan 000") || !strings.Contains(got, "full reply follows") {
		t.Errorf("short ack = %q", got)
	}
	h.fake.WaitFor(t, func() bool { return len(h.fake.ResponsesFor(env)) > 0 }, "the full reply on the response_url")
	full := h.fake.ResponsesFor(env)
	if len(full) != 1 {
		t.Fatalf("%d responses, want 1", len(full))
	}
	var blocks []json.RawMessage
	if err := json.Unmarshal(full[0].Blocks, &blocks); err != nil || len(blocks) == 0 {
		t.Fatalf("full reply blocks %s: %v", full[0].Blocks, err)
	}
	if full[0].ResponseType != "ephemeral" || !strings.Contains(string(full[0].Blocks), last) {
		t.Errorf("full reply: type %q, last plan listed: %t", full[0].ResponseType, strings.Contains(string(full[0].Blocks), last))
	}
}
