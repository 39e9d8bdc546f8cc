package bot

import (
	"context"
	"strings"
	"testing"

	"github.com/racebot/racebot/coach"
	"github.com/racebot/racebot/flows"
	"github.com/racebot/racebot/internal/slackfake"
	"github.com/slack-go/slack/socketmode"
)

func (h *harness) runSocket() {
	h.t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- h.bot.RunSocket(ctx, socketmode.New(h.api)) }()
	h.t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			h.t.Errorf("RunSocket: %v", err)
		}
	})
	h.fake.WaitConnections(h.t, 1)
}

func TestSocketModeEndToEnd(t *testing.T) {
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

	// Slack retries a delivery it thinks failed: the same event id again
	// records nothing.
	dup := slackfake.MessageEvent{Channel: "C1", User: "UANA", Text: "Maya, 34, a designer.", ThreadTS: header.TS, EventID: "EvDUPLICATE"}
	h.fake.WaitAck(t, h.fake.SendEvent(dup))
	h.fake.WaitAck(t, h.fake.SendEvent(dup))
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
