package bot

import (
	"strings"
	"testing"
	"time"

	"github.com/racebot/racebot/internal/slackfake"
)

// TestAPartlyUnreadableEditKeepsTheValueItCouldNotRead: Ana's reply gave
// both KPIs; she edits it to a new visitors number and a lead rate
// written with a decimal comma, which is asked about. The new visitors
// number counts, and her lead rate stays as it was: an edit that can't be
// read changes nothing of what it could not read.
func TestAPartlyUnreadableEditKeepsTheValueItCouldNotRead(t *testing.T) {
	t.Parallel()
	h, p, _ := checkinSetup(t)
	c, opening, summary := h.openCheckinAsStored(p)
	ts := tsAfter(t, summary.TS, time.Millisecond)
	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.MessageEvent{Channel: "C1", User: "UANA", Text: "visitors 12.4k, lead rate 1.9%", TS: ts, ThreadTS: opening.TS}))
	h.waitSummary(summary.TS, "2 of 2 KPIs updated")
	h.edit(t, slackfake.MessageChanged{User: "UANA", TS: ts, ThreadTS: opening.TS, Text: "visitors 13k, lead rate 2,1%", PreviousText: "visitors 12.4k, lead rate 1.9%",
		EditTS: tsAfter(t, ts, 20*time.Second), EventID: "EvPART"})
	h.waitEphemeral("UANA", "2,1%")
	h.settle()
	ms, err := h.db.Measurements(t.Context(), slackfake.TeamID, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got := ms[p.KPIs[0].ID]; len(got) != 1 || got[0].Value.Amount != 13000 {
		t.Errorf("visitors = %+v, want the edit's 13k", got)
	}
	if got := ms[p.KPIs[1].ID]; len(got) != 1 || got[0].Value.Amount != 1.9 || got[0].Checkin != c.ID {
		t.Errorf("lead rate = %+v, want the reply's 1.9%% kept", got)
	}
	h.waitSummary(summary.TS, "2 of 2 KPIs updated")
}

// TestAReplyDeletedWhileTheSummaryIsRedrawn: Ana's value is being drawn
// into the summary (Slack slow to answer) when she deletes her reply. The
// summary ends without it.
func TestAReplyDeletedWhileTheSummaryIsRedrawn(t *testing.T) {
	t.Parallel()
	h, p, _ := checkinSetup(t)
	_, opening, summary := h.openCheckinAsStored(p)
	ts := tsAfter(t, summary.TS, time.Millisecond)
	release := h.fake.Hold("chat.update")
	defer release()
	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.MessageEvent{Channel: "C1", User: "UANA", Text: "visitors 12.4k", TS: ts, ThreadTS: opening.TS}))
	h.fake.WaitFor(t, func() bool { return h.fake.InFlight("chat.update") == 1 }, "the summary update held")
	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.MessageDeleted{Channel: "C1", User: "UANA", TS: ts, ThreadTS: opening.TS, PreviousText: "visitors 12.4k",
		DeleteTS: tsAfter(t, ts, 5*time.Second), EventID: "EvDEL"}))
	release()
	h.settle()
	h.waitSummary(summary.TS, "0 of 2 KPIs updated")
}

// TestAReplyEditedAfterTheCloseRedrawsTheSummary: the check-in has
// closed; Ana corrects her reply. The value in the check-in is the
// corrected one, and the summary shows it.
func TestAReplyEditedAfterTheCloseRedrawsTheSummary(t *testing.T) {
	t.Parallel()
	h, p, clk := checkinSetup(t)
	c, opening, summary := h.openCheckinAsStored(p)
	ts := tsAfter(t, summary.TS, time.Millisecond)
	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.MessageEvent{Channel: "C1", User: "UANA", Text: "visitors 12.4k", TS: ts, ThreadTS: opening.TS}))
	h.waitSummary(summary.TS, "12.4k")
	clk.Add(c.CloseAt.Sub(clk.Now()) + time.Minute)
	h.bot.checkinTick(t.Context())
	h.threadMessage("C1", opening.TS, "Check-in closed")
	h.edit(t, slackfake.MessageChanged{User: "UANA", TS: ts, ThreadTS: opening.TS, Text: "visitors 13.1k", PreviousText: "visitors 12.4k",
		EditTS: slackTS(clk.Now()), EventID: "EvLATEEDIT"})
	h.settle()
	h.waitSummary(summary.TS, "13.1k")
	if n := h.checkinValues(p, c.ID); n != 1 {
		t.Errorf("%d values in the check-in, want 1", n)
	}
}

// TestAPartlyUnreadableEditSaysWhichValuesItKept: Ana's reply gave both
// KPIs; she edits it to a new visitors number and a name racebot does not
// track, leaving her lead rate out. The lead rate stays (the part it could
// not read may have meant it), and she is told so: the reply she now reads
// no longer gives it, and the check-in still does.
func TestAPartlyUnreadableEditSaysWhichValuesItKept(t *testing.T) {
	t.Parallel()
	h, p, _ := checkinSetup(t)
	_, opening, summary := h.openCheckinAsStored(p)
	ts := tsAfter(t, summary.TS, time.Millisecond)
	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.MessageEvent{Channel: "C1", User: "UANA", Text: "visitors 12.4k, lead rate 1.9%", TS: ts, ThreadTS: opening.TS}))
	h.waitSummary(summary.TS, "2 of 2 KPIs updated")
	h.edit(t, slackfake.MessageChanged{User: "UANA", TS: ts, ThreadTS: opening.TS, Text: "visitors 13k, revnue 5", PreviousText: "visitors 12.4k, lead rate 1.9%",
		EditTS: tsAfter(t, ts, 20*time.Second), EventID: "EvKEPT"})
	got := h.waitEphemeral("UANA", "revnue")
	if !strings.Contains(got.Text, "Kept as it was: Lead conversion rate 1.9%") {
		t.Errorf("edit answered %q, want it to say the lead rate was kept", got.Text)
	}
}
