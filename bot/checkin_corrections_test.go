package bot

import (
	"strings"
	"testing"
	"time"

	"github.com/racebot/racebot/coach"
	"github.com/racebot/racebot/flows"
	"github.com/racebot/racebot/internal/slackfake"
)

// valuesOf lists the values recorded for a plan's KPI.
func (h *harness) valuesOf(p *flows.Plan, kpi int64) []flows.Measurement {
	h.t.Helper()
	ms, err := h.db.Measurements(h.t.Context(), p.Team, p.ID)
	if err != nil {
		h.t.Fatal(err)
	}
	return ms[kpi]
}

// anaRepliesInCheckin opens a check-in of p and has Ana reply text in its
// thread: it returns the check-in, its opening and summary messages, and
// her reply's ts.
func (h *harness) anaRepliesInCheckin(p *flows.Plan, text string) (id int64, opening, summary slackfake.Message, ts string) {
	h.t.Helper()
	id, opening, summary = h.openCheckinOfTwo(p)
	ts = tsAfter(h.t, summary.TS, time.Millisecond)
	h.fake.WaitAck(h.t, h.fake.SendEvent(slackfake.MessageEvent{Channel: "C1", User: "UANA", Text: text, TS: ts, ThreadTS: opening.TS}))
	return id, opening, summary, ts
}

// TestARefusedCheckinReplyCorrectedByAnEdit: in a check-in's thread Ana
// replies "visitors 12..4k", which racebot can't read and explains. Ben
// edits her message (an admin's edit, say): nothing changes. She edits it
// to 12.4k, and Slack delivers the edit twice. Her value is recorded once,
// dated by the edit, confirmed once in the thread as a new reply's is, and
// the summary and the nudge follow. A later edit changes the value as any
// edit does, and the first edit, delivered late, changes nothing.
func TestARefusedCheckinReplyCorrectedByAnEdit(t *testing.T) {
	t.Parallel()
	h, p, clk := checkinSetup(t)
	bad := "visitors 12..4k"
	id, opening, summary, ts := h.anaRepliesInCheckin(p, bad)
	refusal := h.waitEphemeral("UANA", "")

	h.edit(t, slackfake.MessageChanged{User: "UANA", Editor: "UBEN", TS: ts, ThreadTS: opening.TS, Text: "visitors 12.4k", PreviousText: bad,
		EditTS: tsAfter(t, ts, 5*time.Second), EventID: "EvBEN"})
	h.settle()
	if n := h.checkinValues(p, id); n != 0 {
		t.Fatalf("Ben's edit of Ana's refused reply recorded %d values", n)
	}

	fixAt := tsAfter(t, ts, 10*time.Second)
	first := slackfake.MessageChanged{Channel: "C1", User: "UANA", TS: ts, ThreadTS: opening.TS, Text: "visitors 12.4k", PreviousText: bad,
		EditTS: fixAt, EventID: "EvFIX1"}
	h.twice(first)
	h.threadMessage("C1", opening.TS, "Recorded: Unique visitors 12.4k")
	h.waitSummary(summary.TS, "1 of 2 KPIs updated")
	got := h.valuesOf(p, p.KPIs[0].ID)
	edited, _ := coach.MessageTime(fixAt)
	if len(got) != 1 || got[0].Value.Amount != 12400 || got[0].By != "UANA" || got[0].Checkin != id || got[0].At.Sub(edited).Abs() >= time.Millisecond {
		t.Fatalf("after the corrected edit: visitors %+v, want Ana's 12.4k in check-in %d at %v", got, id, edited)
	}

	second := slackfake.MessageChanged{Channel: "C1", User: "UANA", TS: ts, ThreadTS: opening.TS, Text: "visitors 12.6k", PreviousText: "visitors 12.4k",
		EditTS: tsAfter(t, ts, 20*time.Second), EventID: "EvFIX2"}
	h.fake.WaitAck(t, h.fake.SendEvent(second))
	h.waitEphemeral("UANA", "Updated: Unique visitors 12.6k")
	first.EventID = "EvFIX1LATE"
	h.fake.WaitAck(t, h.fake.SendEvent(first))
	h.settle()
	if got := h.valuesOf(p, p.KPIs[0].ID); len(got) != 1 || got[0].Value.Amount != 12600 {
		t.Errorf("after a second edit and the first delivered late: visitors %+v, want only 12.6k", got)
	}
	if n := h.countReplies("C1", opening.TS, "Recorded:"); n != 1 {
		t.Errorf("%d confirmations in the thread, want 1:\n%s", n, strings.Join(h.threadPosts(opening.TS), "\n"))
	}
	if n := h.countEphemerals("UANA", refusal.Text); n != 1 {
		t.Errorf("the refusal was explained %d times, want once", n)
	}
	h.nudgeSpares(clk, opening.TS, "UANA")
}

// TestACheckinReplyPartlyRefusedCorrectedByAnEdit: Ana replies with her
// visitors and Ben's lead rate, which racebot can't read: visitors is
// recorded, the lead rate refused. She edits the reply to a readable
// lead rate: both values from the message are now recorded, replacing
// what it gave, and the summary counts both.
func TestACheckinReplyPartlyRefusedCorrectedByAnEdit(t *testing.T) {
	t.Parallel()
	h, p, _ := checkinSetup(t)
	bad := "visitors 12.4k, lead rate 1..9%"
	id, opening, summary, ts := h.anaRepliesInCheckin(p, bad)
	h.threadMessage("C1", opening.TS, "Recorded: Unique visitors 12.4k")
	h.waitSummary(summary.TS, "1 of 2 KPIs updated")

	h.twice(slackfake.MessageChanged{Channel: "C1", User: "UANA", TS: ts, ThreadTS: opening.TS, Text: "visitors 12.4k, lead rate 1.9%", PreviousText: bad,
		EditTS: tsAfter(t, ts, 10*time.Second), EventID: "EvPART"})
	h.waitSummary(summary.TS, "2 of 2 KPIs updated")
	if n := h.checkinValues(p, id); n != 2 {
		t.Errorf("%d values in the check-in, want visitors and the lead rate", n)
	}
	if got := h.valuesOf(p, p.KPIs[1].ID); len(got) != 1 || got[0].Value.Amount != 1.9 {
		t.Errorf("lead rate %+v, want 1.9%%", got)
	}
	if got := h.valuesOf(p, p.KPIs[0].ID); len(got) != 1 || got[0].Value.Amount != 12400 {
		t.Errorf("visitors %+v, want the one 12.4k", got)
	}
}

// TestARefusedCheckinReplyCorrectedAfterTheClose: Ana's reply is refused,
// and the check-in closes before she corrects it. Her correction counts
// as a late reply does (Ben's, here): recorded in that check-in and
// confirmed in its thread.
func TestARefusedCheckinReplyCorrectedAfterTheClose(t *testing.T) {
	t.Parallel()
	h, p, clk := checkinSetup(t)
	bad := "vistors 12.4k"
	id, opening, summary, ts := h.anaRepliesInCheckin(p, bad)
	h.waitEphemeral("UANA", "")
	clk.Add(25 * time.Hour)
	h.bot.checkinTick(t.Context())
	h.threadMessage("C1", opening.TS, "still missing")
	clk.Add(48 * time.Hour)
	h.bot.checkinTick(t.Context())
	h.threadMessage("C1", opening.TS, "Check-in closed")

	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.MessageEvent{Channel: "C1", User: "UBEN", Text: "lead rate 1.9%", ThreadTS: opening.TS}))
	h.threadMessage("C1", opening.TS, "Recorded: Lead conversion rate 1.9%")
	h.edit(t, slackfake.MessageChanged{User: "UANA", TS: ts, ThreadTS: opening.TS, Text: "visitors 12.4k", PreviousText: bad,
		EditTS: tsAfter(t, ts, 73*time.Hour), EventID: "EvAFTER"})
	h.threadMessage("C1", opening.TS, "Recorded: Unique visitors 12.4k")
	h.waitSummary(summary.TS, "2 of 2 KPIs updated")
	if n := h.checkinValues(p, id); n != 2 {
		t.Errorf("%d values in the closed check-in, want Ben's late one and Ana's corrected one", n)
	}
}

// TestCheckinCorrectionsDeliveredOutOfOrder: Ana's refused reply is
// corrected twice, and Slack delivers the later edit first. Her value ends
// as the later edit: the earlier one, taken as older than the value it
// finds, changes nothing.
func TestCheckinCorrectionsDeliveredOutOfOrder(t *testing.T) {
	t.Parallel()
	h, p, _ := checkinSetup(t)
	bad := "visitors 12..4k"
	_, opening, _, ts := h.anaRepliesInCheckin(p, bad)
	h.waitEphemeral("UANA", "not a number I can read")
	h.edit(t, slackfake.MessageChanged{User: "UANA", TS: ts, ThreadTS: opening.TS, Text: "visitors 12.8k", PreviousText: "visitors 12.6k",
		EditTS: tsAfter(t, ts, 20*time.Second), EventID: "EvLATER"})
	h.threadMessage("C1", opening.TS, "Recorded: Unique visitors 12.8k")
	h.edit(t, slackfake.MessageChanged{User: "UANA", TS: ts, ThreadTS: opening.TS, Text: "visitors 12.6k", PreviousText: bad,
		EditTS: tsAfter(t, ts, 10*time.Second), EventID: "EvEARLIER"})
	h.settle()
	if got := h.valuesOf(p, p.KPIs[0].ID); len(got) != 1 || got[0].Value.Amount != 12800 {
		t.Errorf("visitors %+v, want only the later edit's 12.8k", got)
	}
}

// TestACheckinCorrectionDeliveredBeforeTheRefusedReply: Ana replies
// "visitors 12..4k" and corrects it at once; the edit reaches racebot
// before the reply. Her corrected value is recorded once and confirmed
// once.
func TestACheckinCorrectionDeliveredBeforeTheRefusedReply(t *testing.T) {
	t.Parallel()
	h, p, _ := checkinSetup(t)
	id, opening, summary := h.openCheckinOfTwo(p)
	ts := tsAfter(t, summary.TS, time.Millisecond)
	bad := "visitors 12..4k"
	h.edit(t, slackfake.MessageChanged{User: "UANA", TS: ts, ThreadTS: opening.TS, Text: "visitors 12.4k", PreviousText: bad,
		EditTS: tsAfter(t, ts, 10*time.Second), EventID: "EvEARLY"})
	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.MessageEvent{Channel: "C1", User: "UANA", Text: bad, TS: ts, ThreadTS: opening.TS}))
	h.settle()
	h.waitSummary(summary.TS, "1 of 2 KPIs updated")
	if got := h.valuesOf(p, p.KPIs[0].ID); len(got) != 1 || got[0].Value.Amount != 12400 || got[0].Checkin != id {
		t.Errorf("visitors %+v, want the one corrected 12.4k", got)
	}
	if n := h.countReplies("C1", opening.TS, "Recorded: Unique visitors 12.4k"); n != 1 {
		t.Errorf("%d confirmations in the thread, want 1", n)
	}
}

// TestAnEditOfACorrectedCheckinReplyKeepsItsTime: Ana's reply is refused;
// Ben replies a minute later with his visitors count; Ana corrects hers a
// minute after that, so hers is the check-in's latest. She then fixes a
// digit: her value is still the one given when she corrected the reply,
// the latest, and the summary shows it, not Ben's.
func TestAnEditOfACorrectedCheckinReplyKeepsItsTime(t *testing.T) {
	t.Parallel()
	h, p, clk := checkinSetup(t)
	// Messages are dated by Slack's clock: the test's runs ahead of it, so
	// each value is dated by its message.
	clk.Add(time.Since(clk.Now()) + time.Hour)
	bad := "visitors 12..4k"
	_, opening, summary, ts := h.anaRepliesInCheckin(p, bad)
	h.waitEphemeral("UANA", "")
	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.MessageEvent{Channel: "C1", User: "UBEN", Text: "visitors 13k", TS: tsAfter(t, ts, time.Minute), ThreadTS: opening.TS}))
	h.threadMessage("C1", opening.TS, "Recorded: Unique visitors 13k")
	h.edit(t, slackfake.MessageChanged{User: "UANA", TS: ts, ThreadTS: opening.TS, Text: "visitors 12.4k", PreviousText: bad,
		EditTS: tsAfter(t, ts, 2*time.Minute), EventID: "EvFIX"})
	h.threadMessage("C1", opening.TS, "Recorded: Unique visitors 12.4k")
	h.waitSummary(summary.TS, "12.4k")

	fixAt := tsAfter(t, ts, 2*time.Minute)
	h.edit(t, slackfake.MessageChanged{User: "UANA", TS: ts, ThreadTS: opening.TS, Text: "visitors 12.6k", PreviousText: "visitors 12.4k",
		EditTS: tsAfter(t, ts, 3*time.Minute), EventID: "EvDIGIT"})
	h.waitEphemeral("UANA", "Updated: Unique visitors 12.6k")
	h.settle()
	corrected, _ := coach.MessageTime(fixAt)
	for _, m := range h.valuesOf(p, p.KPIs[0].ID) {
		if m.By == "UANA" && m.At.Sub(corrected).Abs() >= time.Millisecond {
			t.Errorf("Ana's edited value is dated %v, want %v, when she corrected the reply", m.At, corrected)
		}
	}
	if m, _ := h.message("C1", summary.TS); !strings.Contains(m.Text, "12.6k") {
		t.Errorf("the summary shows another value than Ana's latest:\n%s", m.Text)
	}
}

// TestARefusedValuesCommandInThePlansThreadCorrectedByAnEdit: while a
// check-in is open, Ana writes "values visitors 12..4k" in the plan's
// coaching thread (with and without the slash command's name), which
// racebot can't read and explains. She edits it to 12.4k, and Slack
// delivers the edit twice. Her value is recorded once, in the check-in,
// dated by the edit, confirmed once where the command's confirmation goes
// (the plan's thread and the check-in's), and the summary follows.
func TestARefusedValuesCommandInThePlansThreadCorrectedByAnEdit(t *testing.T) {
	t.Parallel()
	for _, prefix := range []string{"", "/race "} {
		t.Run(prefix+"values", func(t *testing.T) {
			h, p, _ := checkinSetup(t)
			id, opening, summary := h.openCheckinOfTwo(p)
			ts := tsAfter(t, summary.TS, time.Millisecond)
			bad := prefix + "values visitors 12..4k"
			h.fake.WaitAck(t, h.fake.SendEvent(slackfake.MessageEvent{Channel: "C1", User: "UANA", Text: bad, TS: ts, ThreadTS: p.Thread}))
			h.waitEphemeral("UANA", "not a number I can read")

			fixAt := tsAfter(t, ts, 10*time.Second)
			h.twice(slackfake.MessageChanged{Channel: "C1", User: "UANA", TS: ts, ThreadTS: p.Thread, Text: prefix + "values visitors 12.4k", PreviousText: bad,
				EditTS: fixAt, EventID: "EvFIX"})
			h.waitSummary(summary.TS, "1 of 2 KPIs updated")
			got := h.valuesOf(p, p.KPIs[0].ID)
			edited, _ := coach.MessageTime(fixAt)
			if len(got) != 1 || got[0].Value.Amount != 12400 || got[0].By != "UANA" || got[0].Checkin != id || got[0].At.Sub(edited).Abs() >= time.Millisecond {
				t.Fatalf("after the corrected edit: visitors %+v, want Ana's 12.4k in check-in %d at %v", got, id, edited)
			}
			h.threadMessage("C1", p.Thread, "Recorded: Unique visitors 12.4k")
			h.threadMessage("C1", opening.TS, "Recorded: Unique visitors 12.4k")
			h.settle()
			if n := h.countReplies("C1", p.Thread, "Recorded: Unique visitors 12.4k"); n != 1 {
				t.Errorf("%d confirmations in the plan's thread, want 1", n)
			}
			if n := h.countReplies("C1", opening.TS, "Recorded: Unique visitors 12.4k"); n != 1 {
				t.Errorf("%d confirmations in the check-in's thread, want 1", n)
			}
		})
	}
}

// TestARefusedValuesCommandEditedIntoAnotherCommand: Ana's refused
// "values visitors 12..4k" in the plan's thread, edited to another
// command, runs nothing: a command is never run from an edit.
func TestARefusedValuesCommandEditedIntoAnotherCommand(t *testing.T) {
	t.Parallel()
	h, p, _ := checkinSetup(t)
	ts := tsAfter(t, p.Thread, time.Second)
	bad := "values visitors 12..4k"
	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.MessageEvent{Channel: "C1", User: "UANA", Text: bad, TS: ts, ThreadTS: p.Thread}))
	h.waitEphemeral("UANA", "not a number I can read")
	before := h.plan(p.Team, p.Channel, p.Name).Cursor
	for i, text := range []string{"kpi convert", "/race kpi convert"} {
		h.edit(t, slackfake.MessageChanged{User: "UANA", TS: ts, ThreadTS: p.Thread, Text: text, PreviousText: bad,
			EditTS: tsAfter(t, ts, time.Duration(i+1)*time.Second), EventID: "EvCMD" + text})
	}
	h.settle()
	if got := h.plan(p.Team, p.Channel, p.Name).Cursor; got != before {
		t.Errorf("an edit ran a command: the plan went from %+v to %+v", before, got)
	}
}

// TestAValuesCommandCorrectionDeliveredBeforeTheRefusedReply: Ana writes
// "values visitors 12..4k" in the plan's thread during a check-in and
// corrects it at once; the edit reaches racebot before the message. Her
// corrected value counts once in the check-in, confirmed once there.
func TestAValuesCommandCorrectionDeliveredBeforeTheRefusedReply(t *testing.T) {
	t.Parallel()
	h, p, _ := checkinSetup(t)
	id, opening, summary := h.openCheckinOfTwo(p)
	ts := tsAfter(t, summary.TS, time.Millisecond)
	bad := "values visitors 12..4k"
	h.edit(t, slackfake.MessageChanged{User: "UANA", TS: ts, ThreadTS: p.Thread, Text: "values visitors 12.4k", PreviousText: bad,
		EditTS: tsAfter(t, ts, 10*time.Second), EventID: "EvEARLY"})
	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.MessageEvent{Channel: "C1", User: "UANA", Text: bad, TS: ts, ThreadTS: p.Thread}))
	h.waitSummary(summary.TS, "1 of 2 KPIs updated")
	h.settle()
	if got := h.valuesOf(p, p.KPIs[0].ID); len(got) != 1 || got[0].Value.Amount != 12400 || got[0].Checkin != id {
		t.Errorf("visitors %+v, want the one corrected 12.4k", got)
	}
	if n := h.countReplies("C1", opening.TS, "Recorded: Unique visitors 12.4k"); n != 1 {
		t.Errorf("%d confirmations in the check-in's thread, want 1", n)
	}
}

// TestACorrectedCheckinReplyLeavesANewerActionStatus: Ana replies
// "doing: webinar series" with a number racebot can't read, so nothing of
// it is taken. Ben then marks the webinar series done. Ana fixes only the
// number: her value is recorded, and the status line she wrote before
// Ben's, which her edit left as it was, does not reopen the action.
func TestACorrectedCheckinReplyLeavesANewerActionStatus(t *testing.T) {
	t.Parallel()
	h, p, clk := checkinSetup(t)
	clk.Add(time.Since(clk.Now()) + time.Hour)
	p = h.addActions(p, "Webinar series")
	bad := "doing: webinar series\nvisitors 12..4k"
	_, opening, summary, ts := h.anaRepliesInCheckin(p, bad)
	h.waitEphemeral("UANA", "not a number I can read")
	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.MessageEvent{Channel: "C1", User: "UBEN", Text: "done: webinar series", TS: tsAfter(t, ts, time.Minute), ThreadTS: opening.TS}))
	h.threadMessage("C1", opening.TS, "marked")

	h.edit(t, slackfake.MessageChanged{User: "UANA", TS: ts, ThreadTS: opening.TS, Text: "doing: webinar series\nvisitors 12.4k", PreviousText: bad,
		EditTS: tsAfter(t, ts, 2*time.Minute), EventID: "EvFIX"})
	h.waitSummary(summary.TS, "1 of 2 KPIs updated")
	h.threadMessage("C1", opening.TS, `"Webinar series" stays done: <@UBEN> set it after this reply was written.`)
	h.settle()
	p = h.plan(p.Team, p.Channel, p.Name)
	if a := p.Actions[0]; a.State() != flows.ActionDone || a.StatusBy != "UBEN" {
		t.Errorf("the webinar series is %s by %s, want still done by Ben:\n%s", a.State(), a.StatusBy, strings.Join(h.threadPosts(opening.TS), "\n"))
	}
}
