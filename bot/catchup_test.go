package bot

import (
	"context"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/racebot/racebot/flows"
	"github.com/racebot/racebot/internal/slackfake"
)

// fastCatchup lets a bot call conversations.replies without the pause
// that keeps a real one inside Slack's rate limit.
func fastCatchup(b *Bot) { b.catchupPacer.every = time.Millisecond }

// write posts a person's reply in a thread as Slack keeps it, at ts (the
// fake's next ts when ""), and, when live, delivers its event as Slack
// does while racebot is connected. It returns the reply's ts.
func (h *harness) write(thread, user, text, ts string, live bool) string {
	h.t.Helper()
	m := h.fake.AddMessage(slackfake.Message{Channel: "C1", ThreadTS: thread, User: user, Text: text, TS: ts})
	if live {
		h.fake.WaitAck(h.t, h.fake.SendEvent(slackfake.MessageEvent{Channel: "C1", User: user, Text: text, TS: m.TS, ThreadTS: thread}))
	}
	return m.TS
}

// outage drops racebot's Socket Mode connection and keeps it from opening
// another until the returned reconnect is called: Slack delivers nothing
// meanwhile.
func (h *harness) outage() (reconnect func()) {
	h.t.Helper()
	release := h.fake.Hold("apps.connections.open")
	h.t.Cleanup(release)
	h.fake.Disconnect("warning")
	h.fake.WaitFor(h.t, func() bool { return !h.bot.connected.Load() && h.fake.InFlight("apps.connections.open") > 0 }, "racebot to be trying to reconnect")
	return release
}

// waitCatchup waits until Slack was asked for replies more than calls
// times (so a catch-up began after the caller's cue) and every catch-up b
// began has finished, then until what b posted is out.
func (h *harness) waitCatchup(b *Bot, calls int) {
	h.t.Helper()
	h.fake.WaitFor(h.t, func() bool {
		done := b.catchupsDone.Load()
		return len(h.fake.Calls("conversations.replies")) > calls && done > 0 && done == b.catchupsStarted.Load()
	}, "a catch-up to finish")
	h.settle()
	if b != h.bot {
		done := make(chan struct{})
		go func() { b.pending.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(slackfake.DefaultWaitTimeout):
			h.t.Fatal("the restarted bot's background work did not finish")
		}
	}
}

// threadPosts lists the texts racebot posted in a thread.
func (h *harness) threadPosts(thread string) []string {
	var out []string
	for _, m := range h.fake.Replies("C1", thread) {
		if m.User == slackfake.BotUserID {
			out = append(out, m.Text)
		}
	}
	return out
}

// TestCatchupAfterAnOutage: replies written while racebot was away for ten
// minutes, with no event delivered, are recorded once it reconnects,
// oldest first, each filed under the question its author saw; side chat
// and words for someone else stay out; a second reconnect records nothing
// again.
func TestCatchupAfterAnOutage(t *testing.T) {
	t.Parallel()
	clk := &clock{now: time.Now()}
	h := newHarness(t, func(c *setup) { c.Now = clk.Now; c.BeforeStart = fastCatchup })
	h.runSocket()
	header, _ := h.newPlanInSlack("Q1")
	h.write(header.TS, "UANA", "We sell coffee subscriptions.", "", true)
	h.threadMessage("C1", header.TS, "value proposition")

	reconnect := h.outage()
	at := func(d time.Duration) string { clk.Add(d); return slackTS(clk.Now()) }
	h.write(header.TS, "UBEN", "Roasted to order, at your door in 48 hours.", at(time.Minute), false)
	h.write(header.TS, "UANA", "// lunch after this?", at(time.Minute), false)
	h.write(header.TS, "UANA", "<@UBEN> shall we mention the price?", at(time.Minute), false)
	// Nobody has seen the next question: this is another answer to the
	// value proposition, not an answer to what comes after it.
	h.write(header.TS, "UPRIYA", "Cheaper than the café every morning.", at(time.Minute), false)
	clk.Add(6 * time.Minute)
	reconnect()
	h.fake.WaitConnections(t, 2)

	cat := flows.RACE()
	segments := cat.Stages[0].Steps()[2].ID
	h.threadMessage("C1", header.TS, "Which customer segments")
	h.fake.WaitFor(t, func() bool {
		return len(h.plan(slackfake.TeamID, "C1", "Q1").Answers[flows.QuestionValueProposition].Also) > 0
	}, "the second reply read back")
	h.waitCatchup(h.bot, 0)

	type answer struct {
		Text, By string
		Also     []string
	}
	answers := func() map[string]answer {
		out := map[string]answer{}
		for id, a := range h.plan(slackfake.TeamID, "C1", "Q1").Answers {
			got := answer{Text: a.Text, By: a.By}
			for _, c := range a.Also {
				got.Also = append(got.Also, c.By+": "+c.Text)
			}
			out[id] = got
		}
		return out
	}
	want := map[string]answer{
		flows.QuestionBusiness:         {Text: "We sell coffee subscriptions.", By: "UANA"},
		flows.QuestionValueProposition: {Text: "Roasted to order, at your door in 48 hours.", By: "UBEN", Also: []string{"UPRIYA: Cheaper than the café every morning."}},
	}
	if diff := cmp.Diff(want, answers()); diff != "" {
		t.Fatalf("answers after the catch-up (-want +got):\n%s\n%s", diff, h.fake.Dump())
	}
	if p := h.plan(slackfake.TeamID, "C1", "Q1"); p.Cursor.Step != 2 {
		t.Errorf("cursor at step %d, want 2 (%s asked, not answered)", p.Cursor.Step, segments)
	}
	posts := h.threadPosts(header.TS)

	// Slack recycles the connection: the catch-up after it reads the
	// thread again and records nothing twice.
	calls := len(h.fake.Calls("conversations.replies"))
	h.fake.Disconnect("refresh_requested")
	h.fake.WaitConnections(t, 3)
	h.waitCatchup(h.bot, calls)
	if diff := cmp.Diff(want, answers()); diff != "" {
		t.Errorf("answers after a second reconnect (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(posts, h.threadPosts(header.TS)); diff != "" {
		t.Errorf("racebot posted again after a second reconnect (-before +after):\n%s", diff)
	}
	if len(h.fake.Ephemerals()) != 0 {
		t.Errorf("ephemerals: %+v", h.fake.Ephemerals())
	}
}

// TestCatchupAndLiveDeliveryRecordOnce: a reply that came live and is in
// the thread's history is not recorded again by the catch-up; a reply
// read back first and then delivered late (Slack's last retry arriving
// after the reconnect) is not recorded again by the delivery.
func TestCatchupAndLiveDeliveryRecordOnce(t *testing.T) {
	t.Parallel()
	h := newHarness(t, func(c *setup) { c.BeforeStart = fastCatchup })
	h.runSocket()
	header, _ := h.newPlanInSlack("Q1")
	h.write(header.TS, "UANA", "We sell coffee.", "", true)
	h.threadMessage("C1", header.TS, "value proposition")

	h.settle()
	posts := h.threadPosts(header.TS)
	calls := len(h.fake.Calls("conversations.replies"))
	h.fake.Disconnect("refresh_requested")
	h.fake.WaitConnections(t, 2)
	h.waitCatchup(h.bot, calls)
	if diff := cmp.Diff(posts, h.threadPosts(header.TS)); diff != "" {
		t.Errorf("racebot posted after reading back a reply it had (-before +after):\n%s", diff)
	}
	p := h.plan(slackfake.TeamID, "C1", "Q1")
	if a := p.Answers[flows.QuestionBusiness]; a.Text != "We sell coffee." || a.Revision != 1 || len(a.Also) != 0 {
		t.Errorf("the live reply after a catch-up: %+v", a)
	}
	if a := p.Answers[flows.QuestionValueProposition]; a.Text != "" {
		t.Errorf("the live reply was recorded again, as the next answer: %+v", a)
	}
	if n := h.countReplies("C1", header.TS, "value proposition"); n != 1 {
		t.Errorf("%d prompts for the value proposition, want 1", n)
	}

	reconnect := h.outage()
	ts := h.write(header.TS, "UBEN", "Roasted to order.", "", false)
	reconnect()
	h.threadMessage("C1", header.TS, "Which customer segments")
	h.waitCatchup(h.bot, 0)
	posts = h.threadPosts(header.TS)
	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.MessageEvent{Channel: "C1", User: "UBEN", Text: "Roasted to order.", TS: ts, ThreadTS: header.TS}))
	h.settle()
	if diff := cmp.Diff(posts, h.threadPosts(header.TS)); diff != "" {
		t.Errorf("racebot posted after a late delivery of a reply it had read back (-before +after):\n%s", diff)
	}
	p = h.plan(slackfake.TeamID, "C1", "Q1")
	if a := p.Answers[flows.QuestionValueProposition]; a.Text != "Roasted to order." || a.Revision != 1 || len(a.Also) != 0 {
		t.Errorf("the reply read back, then delivered: %+v", a)
	}
	if p.Cursor.Step != 2 {
		t.Errorf("cursor at step %d, want 2", p.Cursor.Step)
	}
	if n := h.countReplies("C1", header.TS, "Which customer segments"); n != 1 {
		t.Errorf("%d prompts for the segments, want 1", n)
	}
}

// TestCatchupAtStartRecordsCheckinValues: values written in a check-in
// thread while racebot was down are recorded when it starts again (over
// HTTP, where no connect event comes), confirmed and shown in the summary;
// what came live before is neither recorded nor explained again, however
// often racebot starts.
func TestCatchupAtStartRecordsCheckinValues(t *testing.T) {
	t.Parallel()
	h := newHarness(t, func(c *setup) { c.BeforeStart = fastCatchup; c.CheckinPoll = time.Hour })
	srv := h.serveHTTP()
	_, p := h.newPlanOverHTTP(srv, "C1", "Q1")
	p = h.setKPIs(p, flows.StageReach, "visitors | baseline 8k | target 20k | by 2027-03-31 | owner <@UANA>")
	p = h.setKPIs(p, flows.StageAct, "lead-rate | baseline 1.5% | target 2.5% | by 2027-03-31 | owner <@UBEN>")
	id, opening := h.openCheckin(p)
	c, err := h.db.CheckinByID(context.Background(), p.Team, id)
	if err != nil {
		t.Fatal(err)
	}
	for _, text := range []string{"visitors 12.4k", "visitors lots"} {
		ts := h.write(opening.TS, "UANA", text, "", false)
		if code := h.deliver(srv, slackfake.EventBody(slackfake.MessageEvent{Channel: "C1", User: "UANA", Text: text, TS: ts, ThreadTS: opening.TS})); code != 200 {
			t.Fatalf("%q delivered live: status %d", text, code)
		}
	}
	h.settle()
	h.stop(h.bot)

	h.write(opening.TS, "UBEN", "lead-rate 2.1%", "", false)
	for range 2 {
		calls := len(h.fake.Calls("conversations.replies"))
		b := h.startBot(botOptions{beforeStart: fastCatchup})
		h.waitCatchup(b, calls)
	}
	if n := h.checkinValues(p, id); n != 2 {
		t.Errorf("%d values in the check-in, want 2", n)
	}
	summary, _ := h.message("C1", c.SummaryTS)
	if !strings.Contains(summary.Text, "12.4k") || !strings.Contains(summary.Text, "2.1%") {
		t.Errorf("summary after the catch-up: %q", summary.Text)
	}
	for _, v := range []string{"12.4k", "2.1%"} {
		confirmed := 0
		for _, m := range h.fake.Replies("C1", opening.TS) {
			if m.User == slackfake.BotUserID && m.TS != c.SummaryTS && strings.Contains(m.Text, v) {
				confirmed++
			}
		}
		if confirmed != 1 {
			t.Errorf("%d confirmations of %s, want 1\n%s", confirmed, v, h.fake.Dump())
		}
	}
	var explained int
	for _, e := range h.fake.Ephemerals() {
		if e.User == "UANA" && e.ThreadTS == opening.TS {
			explained++
		}
	}
	if explained != 1 {
		t.Errorf("%d explanations of the unreadable reply, want 1", explained)
	}
}

// TestCatchupWaitsOutRateLimits: Slack refusing conversations.replies
// with 429, more often than the client retries by itself, is waited out
// and the reply is still recorded.
func TestCatchupWaitsOutRateLimits(t *testing.T) {
	t.Parallel()
	// Slack's pauses are noted rather than spent: the client's own
	// retries wait through RetryWait, the catch-up's through its pacer.
	var mu sync.Mutex
	var waits []time.Duration
	note := func(d time.Duration) {
		mu.Lock()
		defer mu.Unlock()
		waits = append(waits, d)
	}
	h := newHarness(t, func(c *setup) {
		c.RetryWait = func(ctx context.Context, d time.Duration) bool {
			note(d)
			return ctx.Err() == nil
		}
		c.BeforeStart = func(b *Bot) {
			fastCatchup(b)
			b.catchupPacer.hold = func(ctx context.Context, d time.Duration) error {
				note(d)
				return ctx.Err()
			}
		}
	})
	h.fake.SetWaitTimeout(time.Minute)
	h.runSocket()
	header, _ := h.newPlanInSlack("Q1")
	reconnect := h.outage()
	h.write(header.TS, "UANA", "We sell coffee.", "", false)
	calls := len(h.fake.Calls("conversations.replies"))
	h.fake.RateLimitNext("conversations.replies", 5, time.Second)
	reconnect()
	h.threadMessage("C1", header.TS, "value proposition")
	if got := h.plan(slackfake.TeamID, "C1", "Q1").Answers[flows.QuestionBusiness].Text; got != "We sell coffee." {
		t.Errorf("answer = %q", got)
	}
	var statuses []int
	for _, c := range h.fake.Calls("conversations.replies")[calls:] {
		statuses = append(statuses, c.Status)
	}
	if want := []int{429, 429, 429, 429, 429, 200}; !slices.Equal(statuses[:min(len(statuses), 6)], want) {
		t.Errorf("conversations.replies answered %v after the outage; want %v", statuses, want)
	}
	mu.Lock()
	defer mu.Unlock()
	// The client adds up to a second of jitter to each of its waits, so
	// that many clients limited at once do not come back at once.
	if len(waits) != 5 || slices.ContainsFunc(waits, func(d time.Duration) bool { return d < time.Second || d >= 2*time.Second }) {
		t.Errorf("waits after five 429s with Retry-After 1 s: %v; want five, each of 1 to 2 s", waits)
	}
}

// TestShutdownCancelsACatchup: a catch-up waiting on Slack does not hold
// up shutdown, and records nothing.
func TestShutdownCancelsACatchup(t *testing.T) {
	t.Parallel()
	h := newHarness(t, func(c *setup) { c.BeforeStart = fastCatchup })
	srv := h.serveHTTP()
	header, _ := h.newPlanOverHTTP(srv, "C1", "Q1")
	h.stop(h.bot)
	h.write(header.TS, "UANA", "We sell coffee.", "", false)

	release := h.fake.Hold("conversations.replies")
	defer release()
	b := h.startBot(botOptions{beforeStart: fastCatchup})
	h.fake.WaitFor(t, func() bool { return h.fake.InFlight("conversations.replies") == 1 }, "the catch-up waiting on Slack")
	done := h.stopWhile(b)
	h.waitShutdown(done)
	if got := h.plan(slackfake.TeamID, "C1", "Q1").Answers[flows.QuestionBusiness].Text; got != "" {
		t.Errorf("answer recorded by a cancelled catch-up: %q", got)
	}
}
