package bot

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/racebot/racebot/flows"
	"github.com/racebot/racebot/internal/slackfake"
)

// TestValuesWrittenBeforeTheCloseCountAfterIt: Ana answers her reminder
// by direct message and Ben mentions racebot with his value, each a
// minute before the check-in closes; Slack delivers both only after the
// close (racebot was restarting, and Slack retried). Like a late reply in
// the check-in's thread, both count in that check-in: confirmed in its
// thread, its summary redrawn.
func TestValuesWrittenBeforeTheCloseCountAfterIt(t *testing.T) {
	t.Parallel()
	h, p, clk := checkinSetup(t)
	c, opening, summary := h.openCheckinAsStored(p)
	id := c.ID
	written := c.CloseAt.Add(-time.Minute)
	clk.Add(c.CloseAt.Sub(clk.Now()) + 3*time.Minute)
	h.bot.checkinTick(context.Background())
	h.threadMessage("C1", opening.TS, "Check-in closed")

	dm := h.fake.DMChannel("UANA")
	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.MessageEvent{Channel: dm, User: "UANA", Text: "values visitors 12.4k", TS: slackTS(written)}))
	h.fake.WaitMessage(t, dm, func(m slackfake.Message) bool { return strings.Contains(m.Text, "Recorded: Unique visitors 12.4k") }, "the reply in the DM")
	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.AppMention{Channel: "C1", User: "UBEN", Text: "<@" + slackfake.BotUserID + "> values lead rate 1.9%", TS: slackTS(written.Add(time.Second))}))
	h.fake.WaitMessage(t, "C1", func(m slackfake.Message) bool {
		return m.ThreadTS == slackTS(written.Add(time.Second)) && strings.Contains(m.Text, "Recorded:")
	}, "the answer under the mention")
	h.settle()
	if n := h.checkinValues(p, id); n != 2 {
		t.Errorf("%d values in the check-in they were written for, want 2", n)
	}
	h.threadMessage("C1", opening.TS, "From <@UANA>:")
	h.threadMessage("C1", opening.TS, "From <@UBEN>:")
	h.waitSummary(summary.TS, "2 of 2 KPIs updated")
}

// TestALateDirectMessageKeepsTheTimeItWasWritten: Ana sends "visitors
// 11k" by direct message two minutes before the check-in closes, and a
// minute later corrects it in the check-in's thread to 12.4k. Slack
// delivers the thread reply on time and the direct message only after the
// close. Her value in the check-in is the one she wrote last, 12.4k: the
// direct message's values were given when it was written, not when it
// came.
func TestALateDirectMessageKeepsTheTimeItWasWritten(t *testing.T) {
	t.Parallel()
	h, p, clk := checkinSetup(t)
	c, opening, summary := h.openCheckinAsStored(p)
	id := c.ID
	clk.Add(c.CloseAt.Sub(clk.Now()) - 30*time.Second)
	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.MessageEvent{Channel: "C1", User: "UANA", Text: "visitors 12.4k", TS: slackTS(c.CloseAt.Add(-time.Minute)), ThreadTS: opening.TS}))
	h.waitSummary(summary.TS, "1 of 2 KPIs updated")
	clk.Add(3 * time.Minute)
	h.bot.checkinTick(context.Background())
	h.threadMessage("C1", opening.TS, "Check-in closed")

	dm := h.fake.DMChannel("UANA")
	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.MessageEvent{Channel: dm, User: "UANA", Text: "values visitors 11k", TS: slackTS(c.CloseAt.Add(-2 * time.Minute))}))
	h.fake.WaitMessage(t, dm, func(m slackfake.Message) bool { return strings.Contains(m.Text, "Recorded: Unique visitors 11k") }, "the reply in the DM")
	h.settle()
	if n := h.checkinValues(p, id); n != 2 {
		t.Errorf("%d values in the check-in, want Ana's two", n)
	}
	ms, err := h.db.Measurements(context.Background(), p.Team, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	line := flows.SummarizeCheckin(p.KPIs, ms, id, clk.Now()).Lines[0]
	if line.Latest == nil || flows.FormatValue(line.Latest.Value) != "12.4k" {
		t.Errorf("Ana's visitors in the check-in: %+v, want the 12.4k she wrote last", line.Latest)
	}
}

// TestADirectMessageWrittenBeforeACheckinOpenedIsNotInIt: Ana sends her
// value by direct message a minute before a check-in opens; Slack
// delivers it only after the opening (racebot was restarting). Had it
// come on time it would be in no check-in; it is in none now either.
func TestADirectMessageWrittenBeforeACheckinOpenedIsNotInIt(t *testing.T) {
	t.Parallel()
	h, p, clk := checkinSetup(t)
	written := clk.Now()
	clk.Add(time.Minute)
	id, _ := h.openCheckin(p)
	clk.Add(time.Minute)
	dm := h.fake.DMChannel("UANA")
	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.MessageEvent{Channel: dm, User: "UANA", Text: "values visitors 12.4k", TS: slackTS(written)}))
	h.fake.WaitMessage(t, dm, func(m slackfake.Message) bool { return strings.Contains(m.Text, "Recorded: Unique visitors 12.4k") }, "the reply in the DM")
	h.settle()
	if n := h.checkinValues(p, id); n != 0 {
		t.Errorf("%d values in a check-in opened after they were written, want 0", n)
	}
}

// openCheckinAsStored opens a check-in of p and returns it as stored, with
// its opening message and the summary in its thread.
func (h *harness) openCheckinAsStored(p *flows.Plan) (flows.Checkin, slackfake.Message, slackfake.Message) {
	h.t.Helper()
	id, opening, summary := h.openCheckinOfTwo(p)
	c, err := h.db.CheckinByID(context.Background(), p.Team, id)
	if err != nil {
		h.t.Fatal(err)
	}
	return c, opening, summary
}
