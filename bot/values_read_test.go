package bot

import (
	"strings"
	"testing"
	"time"

	"github.com/racebot/racebot/flows"
	"github.com/racebot/racebot/internal/slackfake"
)

// reply waits for racebot's answer to a message, in its thread or to its
// author alone, holding text.
func (h *harness) reply(channel, thread, user, text string) string {
	h.t.Helper()
	var got string
	h.fake.WaitFor(h.t, func() bool {
		for _, e := range h.fake.Ephemerals() {
			if e.User == user && strings.Contains(e.Text, text) {
				got = e.Text
				return true
			}
		}
		for _, m := range h.fake.Messages(channel) {
			if m.ThreadTS == thread && strings.Contains(m.Text, text) {
				got = m.Text
				return true
			}
		}
		return false
	}, "an answer containing "+text)
	return got
}

// TestValuesOfACountAreNotFiledUnderTheRate: in a plan thread with its
// first question open, Ana writes "values repeat purchases 40", "values
// unsubscribes 12" and "values visit 3000", counts of what the plan's
// repeat purchase rate, unsubscribe rate and value per visit are of. Each
// was recorded as the rate or the amount; each is now answered that the
// plan does not track it, and nothing is recorded nor kept as her answer.
func TestValuesOfACountAreNotFiledUnderTheRate(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.runSocket()
	header, q1, p := h.firstQuestion("Q1")
	p = h.setKPIs(p, flows.StageReach, "value-per-visit | baseline $2 | target $3 | by 2027-03-31 | owner <@UANA>")
	p = h.setKPIs(p, flows.StageEngage,
		"repeat-rate | baseline 20% | target 30% | by 2027-03-31 | owner <@UANA>",
		"unsubscribe-rate | baseline 0.6% | target 0.3% | by 2027-03-31 | owner <@UANA>")
	ts := tsAfter(t, q1.TS, time.Second)
	for i, name := range []string{"repeat purchases 40", "unsubscribes 12", "visit 3000"} {
		h.fake.WaitAck(t, h.fake.SendEvent(slackfake.MessageEvent{Channel: "C1", User: "UANA", Text: "values " + name, TS: tsAfter(t, ts, time.Duration(i)*time.Second), ThreadTS: header.TS}))
		h.reply("C1", header.TS, "UANA", `I don't track "`+name[:strings.LastIndex(name, " ")]+`"`)
	}
	h.settle()
	ms, err := h.db.Measurements(t.Context(), slackfake.TeamID, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range p.KPIs {
		if len(ms[k.ID]) != 0 {
			t.Errorf("%s: %+v recorded, want nothing", k.Name, ms[k.ID])
		}
	}
	if got := h.plan(slackfake.TeamID, "C1", "Q1"); len(got.Answers) != 0 {
		t.Errorf("answers %v, want the values lines not kept as an answer", got.Answers)
	}
}

// TestACheckinReplyInAnotherCurrencyOrAsAFraction: the plan keeps its
// revenue in euros. Ana's reply "revenue 18k (USD)" was recorded as
// €18,000, and "lead rate 0.019" as 0.019%. The first is refused as
// "$18k" is, the second asked about as "2,1%" is, and neither is recorded.
func TestACheckinReplyInAnotherCurrencyOrAsAFraction(t *testing.T) {
	t.Parallel()
	h, p, _ := checkinSetup(t)
	p = h.setKPIs(p, flows.StageConvert, "revenue | baseline €5,000 | target €9,000 | by 2027-03-31 | owner <@UANA>")
	id, opening := h.openCheckin(p)
	summary := h.threadMessage("C1", opening.TS, "0 of 3 KPIs updated")
	ts := tsAfter(t, summary.TS, time.Millisecond)
	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.MessageEvent{Channel: "C1", User: "UANA", Text: "revenue 18k (USD)", TS: ts, ThreadTS: opening.TS}))
	h.reply("C1", opening.TS, "UANA", "Revenue is kept in €, but $18,000 is in $; give it in € (I don't convert currencies).")
	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.MessageEvent{Channel: "C1", User: "UANA", Text: "lead rate 0.019", TS: tsAfter(t, ts, time.Second), ThreadTS: opening.TS}))
	h.reply("C1", opening.TS, "UANA", `"0.019" is ambiguous: did you mean 1.9% or 0.019%?`)
	h.settle()
	if n := h.checkinValues(p, id); n != 0 {
		t.Errorf("%d values recorded in the check-in, want none", n)
	}
	h.waitSummary(summary.TS, "0 of 3 KPIs updated")
}
