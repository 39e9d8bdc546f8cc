package bot

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/racebot/racebot/internal/slackfake"
)

// channelPlanNames lists the names of C1's plans.
func (h *harness) channelPlanNames() []string {
	h.t.Helper()
	plans, err := h.db.Plans(context.Background(), slackfake.TeamID, "C1")
	if err != nil {
		h.t.Fatal(err)
	}
	var names []string
	for _, p := range plans {
		names = append(names, p.Name)
	}
	return names
}

// TestPlanNameWithQuotedWordsKeepsItsQuotes: Ana names a plan after the
// choice it tests, /race new "Buy" vs "Rent". The quotes belong to the
// words, not around the whole name: the plan is called "Buy" vs "Rent",
// not Buy" vs "Rent.
func TestPlanNameWithQuotedWordsKeepsItsQuotes(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.runSocket()
	for _, name := range []string{`"Buy" vs "Rent"`, `'Old' or 'New' pricing`, `'Summer' sale 'Winter'`} {
		h.fake.WaitAck(t, h.fake.SendEvent(slackfake.SlashCommand{Command: "/race", Text: "new " + name, UserID: "UANA", ChannelID: "C1"}))
		h.settle()
		if _, err := h.db.PlanByName(context.Background(), slackfake.TeamID, "C1", name); err != nil {
			t.Errorf("/race new %s: no plan of that name (%v); the channel's plans are %q", name, err, h.channelPlanNames())
		}
	}
}

// TestNewFromAPlanWithQuotesInItsName: last quarter's plan is called
// "Q1" Launch, quotes and all, or Partners' Push, or Q1 Partners'. Ana starts the next one
// from it, writing its name as it is, or in quotes as the help shows.
func TestNewFromAPlanWithQuotesInItsName(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.runSocket()
	for i, c := range []struct{ old, from string }{
		{`"Q1" Launch`, `"Q1" Launch`},
		{`Partners' Push`, `Partners' Push`},
		{`Partners' Push`, `"Partners' Push"`},
		{`Q1 Partners'`, `Q1 Partners'`},
	} {
		if i != 2 {
			h.newPlanInSlack(c.old)
		}
		next := "Next " + string(rune('A'+i))
		a := h.fake.WaitAck(t, h.fake.SendEvent(slackfake.SlashCommand{Command: "/race", Text: "new " + next + " --from " + c.from, UserID: "UANA", ChannelID: "C1"}))
		h.settle()
		if _, err := h.db.PlanByName(context.Background(), slackfake.TeamID, "C1", next); err != nil {
			t.Errorf("/race new %s --from %s was answered %q; the channel's plans are %q", next, c.from, ackText(t, a.Payload), h.channelPlanNames())
		}
	}
}

// TestHeaderProgressIsWrittenBeforeShutdown: Ana answers the first
// question and racebot is restarted (a deploy) within the minute the
// header's rewrite waits for. The header must not keep saying that
// nothing is answered until someone answers again, which may be never.
func TestHeaderProgressIsWrittenBeforeShutdown(t *testing.T) {
	t.Parallel()
	h := newHarness(t, func(c *setup) { c.HeaderEvery = time.Hour })
	h.runSocket()
	header, q1, _ := h.firstQuestion("Q1")
	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.MessageEvent{Channel: "C1", User: "UANA", Text: "Coffee beans by subscription.", TS: tsAfter(t, q1.TS, time.Millisecond), ThreadTS: header.TS}))
	h.threadMessage("C1", header.TS, "What is your value proposition")
	h.settle()
	h.stop(h.bot)
	m, _ := h.message("C1", header.TS)
	if !strings.Contains(string(m.Blocks), "◐ Plan 1/") {
		t.Errorf("after an answer and a restart the header still reads:\n%s", m.Blocks)
	}
}

// TestShutdownCutsShortAHeaderRewriteHeldBySlack: a header rewrite is
// out when racebot is told to stop, and Slack holds it (its pace for the
// channel). Shutdown waits for background work only until its deadline,
// then cancels what is left; the rewrite must notice, or the process
// never stops.
func TestShutdownCutsShortAHeaderRewriteHeldBySlack(t *testing.T) {
	t.Parallel()
	h := newHarness(t, func(c *setup) { c.HeaderEvery = time.Millisecond })
	h.runSocket()
	header, q1, _ := h.firstQuestion("Q1")
	h.settle()
	release := h.fake.Hold("chat.update")
	defer release()
	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.MessageEvent{Channel: "C1", User: "UANA", Text: "Coffee beans by subscription.", TS: tsAfter(t, q1.TS, time.Millisecond), ThreadTS: header.TS}))
	h.fake.WaitFor(t, func() bool { return h.fake.InFlight("chat.update") == 1 }, "the header rewrite out")
	done := make(chan error, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
		defer cancel()
		done <- h.bot.Shutdown(ctx)
	}()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Errorf("Shutdown with a 200ms deadline has not returned after 5s: the header rewrite ignores the cancel")
		release()
		<-done
	}
}
