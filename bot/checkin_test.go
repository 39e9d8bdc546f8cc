package bot

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/racebot/racebot/flows"
	"github.com/racebot/racebot/internal/slackfake"
)

// clock is a hand-moved clock for the bot.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *clock) Add(d time.Duration) { c.mu.Lock(); c.now = c.now.Add(d); c.mu.Unlock() }

// setKPIs gives a plan KPIs through the coach's own KPI lines.
func (h *harness) setKPIs(p *flows.Plan, stage flows.StageID, lines ...string) *flows.Plan {
	h.t.Helper()
	cat := flows.RACE()
	for _, line := range lines {
		k, err := flows.ParseKPILine(cat, stage, line, time.Now())
		if err != nil {
			h.t.Fatalf("%q: %v", line, err)
		}
		k.Plan = p.ID
		if err := h.db.Commit(context.Background(), p, []flows.Change{flows.KPISet{KPI: k}}, ""); err != nil {
			h.t.Fatal(err)
		}
		p = h.plan(p.Team, p.Channel, p.Name)
	}
	return p
}

// checkinSetup is a Socket Mode bot on a simulated clock (Monday 30 Nov
// 2026, 08:00 UTC) with plan Q1 and two KPIs owned by Ana and Ben, ready
// for a check-in.
func checkinSetup(t *testing.T, configure ...func(*setup)) (*harness, *flows.Plan, *clock) {
	t.Helper()
	h, clk := clockedHarness(t, time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC), configure...)
	_, p := h.newPlanInSlack("Q1")
	p = h.setKPIs(p, flows.StageReach, "visitors | baseline 8k | target 20k | by 2027-03-31 | owner <@UANA>")
	p = h.setKPIs(p, flows.StageAct, "lead-rate | baseline 1.5% | target 2.5% | by 2027-03-31 | owner <@UBEN>")
	return h, p, clk
}

// clockedHarness is a running harness on a clock of its own, starting at
// at, whose check-in loop waits to be ticked by the test.
func clockedHarness(t *testing.T, at time.Time, configure ...func(*setup)) (*harness, *clock) {
	t.Helper()
	clk := &clock{now: at}
	h := newHarness(t, append([]func(*setup){func(c *setup) { c.Now = clk.Now; c.CheckinPoll = time.Hour }}, configure...)...)
	h.runSocket()
	return h, clk
}

func countMentions(text, user string) int { return strings.Count(text, "<@"+user+">") }

// TestCheckinEndToEnd: a check-in thread is posted, two owners reply, the
// summary is updated in place, the nudge mentions only the third owner,
// and the close uploads a chart.
func TestCheckinEndToEnd(t *testing.T) {
	t.Parallel()
	// Drawing the chart under -race on a machine with a load of 15 took
	// the close past its 8-second bound and the upload past the fake's
	// wait: bounds this test is not about, so they are long here.
	h, p, clk := checkinSetup(t, func(c *setup) { c.BeforeStart = func(b *Bot) { b.claimTimeout = 2 * time.Minute } })
	h.fake.SetWaitTimeout(2 * time.Minute)
	p = h.setKPIs(p, flows.StageConvert, "revenue | baseline $5,000 | target $9,000 | by 2027-03-31 | owner <@UPRIYA>")

	id, err := h.bot.OpenCheckin(context.Background(), slackfake.TeamID, p.ID, "2026-11-30T08:00:00Z", false, 0)
	if err != nil {
		t.Fatal(err)
	}
	opening := h.fake.WaitMessage(t, "C1", func(m slackfake.Message) bool {
		return m.ThreadTS == "" && strings.Contains(m.Text, "KPI check-in")
	}, "the check-in's opening message")
	for _, u := range []string{"UANA", "UBEN", "UPRIYA"} {
		if n := countMentions(opening.Text, u); n != 1 {
			t.Errorf("opening mentions %s %d times, want once:\n%s", u, n, opening.Text)
		}
	}
	if strings.Contains(opening.Text, "<!channel>") || strings.Contains(opening.Text, "<!here>") {
		t.Error("the opening message pings the whole channel")
	}
	summary := h.threadMessage("C1", opening.TS, "0 of 3 KPIs updated")

	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.MessageEvent{Channel: "C1", User: "UANA", Text: "visitors 12.4k", ThreadTS: opening.TS}))
	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.MessageEvent{Channel: "C1", User: "UBEN", Text: "lead rate 1.9%", ThreadTS: opening.TS}))
	h.threadMessage("C1", opening.TS, "Recorded: Lead conversion rate 1.9%")
	h.fake.WaitFor(t, func() bool {
		for _, m := range h.fake.Messages("C1") {
			if m.TS == summary.TS && m.Updated && strings.Contains(m.Text, "2 of 3 KPIs updated") {
				return true
			}
		}
		return false
	}, "the summary updated in place to 2 of 3")

	// Unreadable values get a question back and record nothing.
	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.MessageEvent{Channel: "C1", User: "UPRIYA", Text: "revenue 1,25", ThreadTS: opening.TS}))
	h.fake.WaitFor(t, func() bool {
		for _, e := range h.fake.Ephemerals() {
			if e.User == "UPRIYA" && strings.Contains(e.Text, "1.25 or 125") {
				return true
			}
		}
		return false
	}, "a question about the ambiguous number")

	clk.Add(25 * time.Hour)
	h.bot.checkinTick(context.Background())
	nudge := h.threadMessage("C1", opening.TS, "still missing")
	if countMentions(nudge.Text, "UPRIYA") != 1 || countMentions(nudge.Text, "UANA") != 0 || countMentions(nudge.Text, "UBEN") != 0 {
		t.Errorf("nudge should mention only Priya:\n%s", nudge.Text)
	}
	h.bot.checkinTick(context.Background()) // a second tick nudges no more
	clk.Add(48 * time.Hour)
	h.bot.checkinTick(context.Background())
	h.threadMessage("C1", opening.TS, "Check-in closed: 2 of 3 KPIs updated")
	h.fake.WaitFor(t, func() bool { return len(h.fake.Uploads()) == 1 }, "the chart upload")
	up := h.fake.Uploads()[0]
	if up.ThreadTS != opening.TS || !strings.HasSuffix(up.Filename, ".png") || len(up.Content) < 1000 {
		t.Errorf("upload = %s in thread %s, %d bytes", up.Filename, up.ThreadTS, len(up.Content))
	}
	nudges := 0
	for _, m := range h.fake.Replies("C1", opening.TS) {
		if strings.Contains(m.Text, "still missing") {
			nudges++
		}
	}
	if nudges != 1 {
		t.Errorf("%d nudges, want exactly one", nudges)
	}
	// A late value still lands in its check-in.
	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.MessageEvent{Channel: "C1", User: "UPRIYA", Text: "revenue $6,100", ThreadTS: opening.TS}))
	h.threadMessage("C1", opening.TS, "Recorded: Revenue $6,100")
	ms, _ := h.db.Measurements(context.Background(), slackfake.TeamID, p.ID)
	n := 0
	for _, list := range ms {
		for _, m := range list {
			if m.Checkin == id {
				n++
			}
		}
	}
	if n != 3 {
		t.Errorf("values in the check-in = %d, want 3", n)
	}
}

func TestCheckinNobodyAnswered(t *testing.T) {
	t.Parallel()
	h, clk := clockedHarness(t, time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC))
	_, p := h.newPlanInSlack("Quiet")
	p = h.setKPIs(p, flows.StageReach, "visitors | baseline 8k | target 20k | by 2027-03-31 | owner <@UANA>")
	p = h.commitActions(p, flows.Action{Stage: flows.StageReach, Text: "Send sample bags", Owner: "Ana", Due: time.Date(2026, 12, 3, 0, 0, 0, 0, time.UTC), Impact: 4, Effort: 1})
	if _, err := h.bot.OpenCheckin(context.Background(), slackfake.TeamID, p.ID, "", true, 3); err != nil {
		t.Fatal(err)
	}
	opening := h.fake.WaitMessage(t, "C1", func(m slackfake.Message) bool {
		return m.ThreadTS == "" && strings.Contains(m.Text, "3 check-ins were missed")
	}, "a late opening that says it catches up")
	if !strings.Contains(opening.Text, "Send sample bags (due 3 Dec, Ana)") {
		t.Errorf("the check-in does not ask about the action due:\n%s", opening.Text)
	}
	clk.Add(100 * time.Hour)
	h.bot.checkinTick(context.Background())
	h.threadMessage("C1", opening.TS, "nobody answered")
}

// TestSummaryEndsWithTheLatestValues: two values arrive while the first
// one's summary update is still on its way to Slack. The summary ends
// showing both, not whichever update happened to land last.
func TestSummaryEndsWithTheLatestValues(t *testing.T) {
	t.Parallel()
	h, p, _ := checkinSetup(t)
	if _, err := h.bot.OpenCheckin(context.Background(), slackfake.TeamID, p.ID, "2026-11-30T08:00:00Z", false, 0); err != nil {
		t.Fatal(err)
	}
	opening := h.fake.WaitMessage(t, "C1", func(m slackfake.Message) bool {
		return m.ThreadTS == "" && strings.Contains(m.Text, "KPI check-in")
	}, "the check-in's opening message")
	summary := h.threadMessage("C1", opening.TS, "0 of 2 KPIs updated")

	release := h.fake.Hold("chat.update")
	defer release()
	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.MessageEvent{Channel: "C1", User: "UANA", Text: "visitors 12.4k", ThreadTS: opening.TS}))
	h.fake.WaitFor(t, func() bool { return h.fake.InFlight("chat.update") == 1 }, "the first summary update held")
	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.MessageEvent{Channel: "C1", User: "UBEN", Text: "lead rate 1.9%", ThreadTS: opening.TS}))
	h.threadMessage("C1", opening.TS, "Recorded: Lead conversion rate 1.9%")
	release()

	h.fake.WaitFor(t, func() bool {
		return len(h.fake.Calls("chat.update")) >= 2 && h.fake.InFlight("chat.update") == 0
	}, "both values' summary updates answered")
	for _, m := range h.fake.Messages("C1") {
		if m.TS == summary.TS && !strings.Contains(m.Text, "2 of 2 KPIs updated") {
			t.Errorf("the summary ends as %q, want 2 of 2 updated", m.Text)
		}
	}
}
