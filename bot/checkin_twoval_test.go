package bot

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/racebot/racebot/coach"
	"github.com/racebot/racebot/flows"
	"github.com/racebot/racebot/internal/slackfake"
)

// replyConfirmed has user reply text at ts in a check-in's thread and
// waits for racebot's answer there holding confirmed: the tests below
// differ in who replies what, not in how.
func (h *harness) replyConfirmed(thread, user, text, ts, confirmed string) slackfake.Message {
	h.t.Helper()
	h.fake.WaitAck(h.t, h.fake.SendEvent(slackfake.MessageEvent{Channel: "C1", User: user, Text: text, TS: ts, ThreadTS: thread}))
	return h.threadMessage("C1", thread, confirmed)
}

// TestAValueReplacingAnothersSaysWhose: Ana replies "visitors 12k" in the
// check-in's thread, and a minute later Ben replies "visitors 13k". Ben's
// value is the check-in's now; Ana's is kept in the history, and nothing
// of hers disappears silently: Ben's confirmation says whose value it
// replaced (mentioning Ana), and the summary says who gave the value
// shown, as it is not the KPI's owner's.
func TestAValueReplacingAnothersSaysWhose(t *testing.T) {
	t.Parallel()
	h, p, _ := checkinSetup(t)
	c, opening, summary := h.openCheckinAsStored(p)
	ana := tsAfter(t, summary.TS, time.Millisecond)
	first := h.replyConfirmed(opening.TS, "UANA", "visitors 12k", ana, "Recorded: Unique visitors 12k")
	h.waitSummary(summary.TS, "1 of 2 KPIs updated")
	second := h.replyConfirmed(opening.TS, "UBEN", "visitors 13k", tsAfter(t, ana, time.Minute), "Recorded: Unique visitors 13k")
	h.settle()
	if strings.Contains(first.Text, "replac") {
		t.Errorf("Ana's confirmation %q says it replaced something", first.Text)
	}
	if !strings.Contains(second.Text, "Replaced <@UANA>'s Unique visitors 12k in this check-in.") {
		t.Errorf("Ben's confirmation %q does not say it replaced Ana's 12k", second.Text)
	}
	if n := h.checkinValues(p, c.ID); n != 2 {
		t.Errorf("%d values in the check-in, want both Ana's and Ben's kept", n)
	}
	h.waitSummary(summary.TS, "13k")
	if m, _ := h.message("C1", summary.TS); !strings.Contains(m.Text, "13k from <@UBEN>") {
		t.Errorf("the summary does not say Ben gave the 13k:\n%s", m.Text)
	}
}

// TestCorrectingOnesOwnValueNamesNobody: Ana replies "visitors 12k" and
// a minute later corrects herself with "visitors 13k". Nothing of anyone
// else's was replaced: her reply says so in no words, and the summary
// names nobody, the value being its owner's.
func TestCorrectingOnesOwnValueNamesNobody(t *testing.T) {
	t.Parallel()
	h, p, _ := checkinSetup(t)
	_, opening, summary := h.openCheckinAsStored(p)
	ana := tsAfter(t, summary.TS, time.Millisecond)
	h.replyConfirmed(opening.TS, "UANA", "visitors 12k", ana, "Recorded: Unique visitors 12k")
	second := h.replyConfirmed(opening.TS, "UANA", "visitors 13k", tsAfter(t, ana, time.Minute), "Recorded: Unique visitors 13k")
	h.settle()
	if second.Text != "Recorded: Unique visitors 13k." {
		t.Errorf("Ana's correction answered %q, want the plain confirmation", second.Text)
	}
	h.waitSummary(summary.TS, "13k")
	if m, _ := h.message("C1", summary.TS); strings.Contains(m.Text, "<@") {
		t.Errorf("the summary names someone for the owner's own value:\n%s", m.Text)
	}
}

// TestAFormValueReplacingAnothersSaysWhose: Ana replies "visitors 12k";
// Ben opens the check-in's form (12k filled in), changes it to 13k and
// saves. His confirmation in the thread says whose value it replaced.
func TestAFormValueReplacingAnothersSaysWhose(t *testing.T) {
	t.Parallel()
	h, p, clk := checkinSetup(t)
	c, opening, summary := h.openCheckinAsStored(p)
	h.replyConfirmed(opening.TS, "UANA", "visitors 12k", tsAfter(t, summary.TS, time.Millisecond), "Recorded: Unique visitors 12k")
	clk.Add(time.Minute)
	view := h.openView(slackfake.BlockAction{ActionID: actionEnterValues, Value: strconv.FormatInt(c.ID, 10), UserID: "UBEN", ChannelID: "C1"})
	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.ViewSubmission{ViewID: view.ID, UserID: "UBEN", Values: map[string]map[string]slackfake.Input{
		"kpi:visitors": {valueActionID: {Type: "plain_text_input", Value: "13k"}},
	}}))
	got := h.threadMessage("C1", opening.TS, "<@UBEN> recorded: Unique visitors 13k")
	if !strings.Contains(got.Text, "Replaced <@UANA>'s Unique visitors 12k in this check-in.") {
		t.Errorf("Ben's form answered %q, want it to say it replaced Ana's 12k", got.Text)
	}
	h.waitSummary(summary.TS, "13k from <@UBEN>")
}

// TestAValueInAnOlderCheckinsThreadSaysWhichCheckin: last week's check-in
// is still open for late values when this week's opens; Ana replies in
// last week's thread. Her value goes where she wrote it (the thread is
// the check-in she chose), and the reply says which check-in that is, so
// she notices if she meant this week's.
func TestAValueInAnOlderCheckinsThreadSaysWhichCheckin(t *testing.T) {
	t.Parallel()
	h, p, clk := checkinSetup(t)
	old, opening, _ := h.openCheckinAsStored(p)
	clk.Add(7 * 24 * time.Hour)
	id, _ := h.openCheckin(p)
	got := h.replyConfirmed(opening.TS, "UANA", "visitors 12k", slackTS(clk.Now().Add(time.Minute)), "Recorded: Unique visitors 12k")
	h.settle()
	if n := h.checkinValues(p, old.ID); n != 1 {
		t.Errorf("%d values in the check-in whose thread Ana answered, want 1", n)
	}
	if n := h.checkinValues(p, id); n != 0 {
		t.Errorf("%d values in this week's check-in, want 0", n)
	}
	if want := "This is for the check-in of Mon 30 Nov; the newer one of Mon 7 Dec has a thread of its own."; !strings.Contains(got.Text, want) {
		t.Errorf("reply in last week's thread = %q, want it to say %q", got.Text, want)
	}
}

// TestTwoRacebotsTakingTwoValuesOfOneKPI: two racebots on one PostgreSQL
// database. Ana replies "visitors 12k" and Ben, a moment later, "visitors
// 13k", each reaching another racebot at the same moment; whichever is
// recorded second hears of the other's value. Ben's is the check-in's
// value (written later): recorded second, it says whose it replaced;
// Ana's recorded second says Ben's stands over it. Neither is a plain
// "recorded" that knows nothing of the other.
func TestTwoRacebotsTakingTwoValuesOfOneKPI(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		second string // whose reply is recorded second, through racebot A
		want   string
	}{
		{"Ben recorded second", "UBEN", "Replaced <@UANA>'s Unique visitors 12k in this check-in."},
		{"Ana recorded second", "UANA", "<@UBEN>'s Unique visitors 13k, given after it, stays the check-in's value."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			held := &heldRecord{}
			var base coach.Store
			h, other := pgRacebots(t, func(c *setup) { base, held.Store = c.Store, c.Store; c.Store = held })
			otherSrv := serve(t, other)
			ctx := t.Context()
			h.fake.WaitAck(t, h.fake.SendEvent(slackfake.SlashCommand{Command: "/race", Text: "new Q1", UserID: "UANA", ChannelID: "C1"}))
			h.header("C1", "Q1")
			h.settle()
			p, err := base.PlanByName(ctx, slackfake.TeamID, "C1", "Q1")
			if err != nil {
				t.Fatal(err)
			}
			k, err := flows.ParseKPILine(flows.RACE(), flows.StageReach, "visitors | baseline 8k | target 20k | by 2027-03-31 | owner <@UANA>", time.Now())
			if err != nil {
				t.Fatal(err)
			}
			k.Plan = p.ID
			if err := base.Commit(ctx, p, []flows.Change{flows.KPISet{KPI: k}}, ""); err != nil {
				t.Fatal(err)
			}
			id, err := h.bot.OpenCheckin(ctx, slackfake.TeamID, p.ID, "", false, 0)
			if err != nil {
				t.Fatal(err)
			}
			c, err := base.CheckinByID(ctx, slackfake.TeamID, id)
			if err != nil {
				t.Fatal(err)
			}
			h.threadMessage("C1", c.Thread, "0 of 1 KPIs updated")
			ana := slackTS(time.Now())
			replies := map[string]slackfake.MessageEvent{
				"UANA": {Channel: "C1", User: "UANA", Text: "visitors 12k", TS: ana, ThreadTS: c.Thread},
				"UBEN": {Channel: "C1", User: "UBEN", Text: "visitors 13k", TS: tsAfter(t, ana, time.Second), ThreadTS: c.Thread},
			}
			first := "UANA"
			if tc.second == "UANA" {
				first = "UBEN"
			}

			held.arm()
			// Recorded before it is acknowledged: the ack waits.
			env := h.fake.SendEvent(replies[tc.second])
			waitClosed(t, held.held, "racebot A to take the reply recorded second")
			if code := h.deliver(otherSrv, slackfake.EventBody(replies[first])); code != 200 {
				t.Fatalf("the reply through racebot B answered %d", code)
			}
			settle(t, other, h.fake)
			close(held.release)
			h.fake.WaitAck(t, env)
			h.settle()
			var got []string
			for _, m := range h.fake.Messages("C1") {
				if m.ThreadTS == c.Thread && strings.HasPrefix(m.Text, "Recorded:") {
					got = append(got, m.Text)
				}
			}
			if len(got) != 2 {
				t.Fatalf("confirmations in the thread: %q, want two", got)
			}
			if !strings.Contains(got[1], tc.want) {
				t.Errorf("the reply recorded second was confirmed %q, want it to say %q", got[1], tc.want)
			}
		})
	}
}

// TestAnEditOfAValueAnotherReplacedSaysWhoseStays: Ana replies "visitors
// 12k", Ben a minute later "visitors 13k". Ana then edits her reply to
// 14k: the edit keeps her reply's time, so Ben's 13k, given after it,
// stays the check-in's value. Her "Updated" must say so, not leave her
// thinking the check-in now says 14k.
func TestAnEditOfAValueAnotherReplacedSaysWhoseStays(t *testing.T) {
	t.Parallel()
	h, p, clk := checkinSetup(t)
	opening, summary, ana := h.checkinAnHourOn(p, clk)
	h.replyConfirmed(opening.TS, "UANA", "visitors 12k", ana, "Recorded: Unique visitors 12k")
	h.replyConfirmed(opening.TS, "UBEN", "visitors 13k", tsAfter(t, ana, time.Minute), "Recorded: Unique visitors 13k")
	h.settle()
	h.edit(t, slackfake.MessageChanged{User: "UANA", TS: ana, ThreadTS: opening.TS, Text: "visitors 14k", PreviousText: "visitors 12k",
		EditTS: tsAfter(t, ana, 2*time.Minute)})
	got := h.waitEphemeral("UANA", "Updated: Unique visitors 14k")
	if want := "<@UBEN>'s Unique visitors 13k, given after it, stays the check-in's value."; !strings.Contains(got.Text, want) {
		t.Errorf("Ana's edit answered %q, want it to say %q", got.Text, want)
	}
	h.waitSummary(summary.TS, "13k from <@UBEN>")
}
