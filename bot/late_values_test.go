package bot

import (
	"context"
	"strings"
	"testing"
	"time"

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
	id, opening := h.openCheckin(p)
	summary := h.threadMessage("C1", opening.TS, "0 of 2 KPIs updated")
	c, err := h.db.CheckinByID(context.Background(), p.Team, id)
	if err != nil {
		t.Fatal(err)
	}
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
