package bot

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
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

// anaRepliesIn has Ana reply text at ts in a thread of C1 and returns
// racebot's answer holding want, there or to her alone.
func (h *harness) anaRepliesIn(thread, text, ts, want string) string {
	h.t.Helper()
	h.fake.WaitAck(h.t, h.fake.SendEvent(slackfake.MessageEvent{Channel: "C1", User: "UANA", Text: text, TS: ts, ThreadTS: thread}))
	return h.reply("C1", thread, "UANA", want)
}

// openCheckinOfThree opens a check-in of p, a plan of three KPIs, and
// returns its id, its opening and the summary in its thread.
func (h *harness) openCheckinOfThree(p *flows.Plan) (int64, slackfake.Message, slackfake.Message) {
	h.t.Helper()
	return h.openCheckinShowing(p, "0 of 3 KPIs updated")
}

// openCheckinOfTwo opens a check-in of p, whose two KPIs checkinSetup
// set, and returns its id, opening message and summary.
func (h *harness) openCheckinOfTwo(p *flows.Plan) (int64, slackfake.Message, slackfake.Message) {
	h.t.Helper()
	return h.openCheckinShowing(p, "0 of 2 KPIs updated")
}

func (h *harness) openCheckinShowing(p *flows.Plan, summary string) (int64, slackfake.Message, slackfake.Message) {
	h.t.Helper()
	id, opening := h.openCheckin(p)
	return id, opening, h.threadMessage("C1", opening.TS, summary)
}

// noValuesIn checks, once racebot is done, that check-in id of p holds no
// value and that its summary still says none of the three KPIs is updated.
func (h *harness) noValuesIn(p *flows.Plan, id int64, summary slackfake.Message) {
	h.t.Helper()
	h.settle()
	if n := h.checkinValues(p, id); n != 0 {
		h.t.Errorf("%d values recorded in the check-in, want none", n)
	}
	h.waitSummary(summary.TS, "0 of 3 KPIs updated")
}

// TestACheckinReplyInAnotherCurrencyOrAsAFraction: the plan keeps its
// revenue in euros. Ana's reply "revenue 18k (USD)" was recorded as
// €18,000, and "lead rate 0.019" as 0.019%. The first is refused as
// "$18k" is, the second asked about as "2,1%" is, and neither is recorded.
func TestACheckinReplyInAnotherCurrencyOrAsAFraction(t *testing.T) {
	t.Parallel()
	h, p, _ := checkinSetup(t)
	p = h.setKPIs(p, flows.StageConvert, "revenue | baseline €5,000 | target €9,000 | by 2027-03-31 | owner <@UANA>")
	id, opening, summary := h.openCheckinOfThree(p)
	ts := tsAfter(t, summary.TS, time.Millisecond)
	h.anaRepliesIn(opening.TS, "revenue 18k (USD)", ts, "Revenue is kept in €, but $18,000 is in $; give it in € (I don't convert currencies).")
	h.anaRepliesIn(opening.TS, "lead rate 0.019", tsAfter(t, ts, time.Second), `"0.019" is ambiguous: did you mean 1.9% or 0.019%?`)
	h.noValuesIn(p, id, summary)
}

// TestACheckinReplyWithACurrencyBesideAnAside: the plan keeps its revenue
// in euros. Ana's reply "revenue 18k (USD, est)" was cut at the note's
// comma: €18,000 was recorded and she was told no value was found for
// "(USD" and "est)". The note is read whole, as "(USD)" is: the amount is
// refused in the one currency sentence, and nothing is recorded.
func TestACheckinReplyWithACurrencyBesideAnAside(t *testing.T) {
	t.Parallel()
	h, p, _ := checkinSetup(t)
	p = h.setKPIs(p, flows.StageConvert, "revenue | baseline €5,000 | target €9,000 | by 2027-03-31 | owner <@UANA>")
	id, opening, summary := h.openCheckinOfThree(p)
	ts := tsAfter(t, summary.TS, time.Millisecond)
	// "(est USD)" was cut off as a name without a value and "(US$)"
	// passed over as an aside, with €18,000 recorded.
	for i, text := range []string{"revenue 18k (USD, est)", "revenue 18k (est; USD)", "revenue 18k (est USD)", "revenue 18k (US$)"} {
		got := h.anaRepliesIn(opening.TS, text, tsAfter(t, ts, time.Duration(i)*time.Second), "Not recorded: Revenue is kept in €, but $18,000 is in $; give it in € (I don't convert currencies).")
		if strings.Contains(got, "no value") {
			t.Errorf("%q: told %q, want only the currency refused", text, got)
		}
	}
	h.noValuesIn(p, id, summary)
}

// TestACheckinReplyWithABracket: Ana's check-in replies hold brackets. An
// open one with a currency in it ("visitors 12.4k (est, revenue $18k")
// refused her visitors too; one of readings of the plan's other KPIs
// ("(lead rate 2.1%, revenue €18k)") was refused whole; "€18k (incl.
// dollar-store sales)" was asked about as two currencies; and "18k (not
// USD)" on a revenue kept in dollars was recorded as $18,000; a bracket
// of readings beside an aside ("(lead rate 2.1%, est)") was refused
// whole, and the readings in it lost. Each now records what she gave and
// says in one sentence what it did not read.
func TestACheckinReplyWithABracket(t *testing.T) {
	t.Parallel()
	visitors := flows.Value{Amount: 12400, Unit: flows.UnitCount}
	tests := []struct {
		currency, text, answer string
		want                   map[string]flows.Value // by KPI key
	}{
		{"EUR", "visitors 12.4k (est, revenue $18k", `I didn't read "(est, revenue $18k", as its bracket is not closed`, map[string]flows.Value{"visitors": visitors}},
		{"EUR", "visitors 12.4k (lead rate 2.1%, revenue €18k)", "Recorded: Unique visitors 12.4k", map[string]flows.Value{
			"visitors":  visitors,
			"lead-rate": {Amount: 2.1, Unit: flows.UnitPercent},
			"revenue":   {Amount: 18000, Unit: flows.UnitCurrency, Currency: "EUR"},
		}},
		{"EUR", "visitors 12.4k (lead rate 2.1%, est)", "Recorded: Unique visitors 12.4k", map[string]flows.Value{
			"visitors":  visitors,
			"lead-rate": {Amount: 2.1, Unit: flows.UnitPercent},
		}},
		{"EUR", "visitors 12.4k (lead rate 2.1%, revenue €18k, rough)", "Recorded: Unique visitors 12.4k", map[string]flows.Value{
			"visitors":  visitors,
			"lead-rate": {Amount: 2.1, Unit: flows.UnitPercent},
			"revenue":   {Amount: 18000, Unit: flows.UnitCurrency, Currency: "EUR"},
		}},
		{"EUR", "revenue €18k (incl. dollar-store sales)", "Recorded: Revenue €18,000", map[string]flows.Value{"revenue": {Amount: 18000, Unit: flows.UnitCurrency, Currency: "EUR"}}},
		{"USD", "revenue 18k (not USD)", `"18k (not USD)" says which currency it is not; write it with the one it is, like $18,250.`, map[string]flows.Value{}},
		// A reading in an open bracket beside an aside was recorded, and
		// the aside asked for its value ("I found no value for "est"").
		{"EUR", "visitors 12.4k (lead rate 2.1%, est", `I didn't read "(lead rate 2.1%, est", as its bracket is not closed`, map[string]flows.Value{"visitors": visitors}},
		// A currency beside a reading in a bracket refused visitors as
		// "not a number I can read", naming no currency.
		{"EUR", "visitors 12.4k (revenue €18k, USD)", `For revenue, "€18k (USD)" names two currencies`, map[string]flows.Value{"visitors": visitors}},
		// A currency after money and another reading may be the money's:
		// revenue was recorded as €18,000.
		{"EUR", "visitors 12.4k (revenue 18k, lead rate 2.1%, USD)", `For visitors, "12.4k (revenue 18k, lead rate 2.1%, USD)" is not a number I can read`, map[string]flows.Value{}},
		{"EUR", "visitors 12.4k, revenue €20k (target)", `I didn't record "€20k (target)", as "(target)" says it is a target or a forecast, not a value reached`, map[string]flows.Value{"visitors": visitors}},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			t.Parallel()
			h, p, _ := checkinSetup(t)
			sym := map[string]string{"EUR": "€", "USD": "$"}[tt.currency]
			p = h.setKPIs(p, flows.StageConvert, "revenue | baseline "+sym+"5,000 | target "+sym+"9,000 | by 2027-03-31 | owner <@UANA>")
			id, opening, summary := h.openCheckinOfThree(p)
			said := h.anaRepliesIn(opening.TS, tt.text, tsAfter(t, summary.TS, time.Millisecond), tt.answer)
			if strings.HasPrefix(tt.answer, "Recorded") && strings.Contains(said, "didn't read") {
				t.Errorf("%q: told %q, want all of it read", tt.text, said)
			}
			h.waitSummary(summary.TS, fmt.Sprintf("%d of 3 KPIs updated", len(tt.want)))
			h.settle()
			ms, err := h.db.Measurements(t.Context(), p.Team, p.ID)
			if err != nil {
				t.Fatal(err)
			}
			got := map[string]flows.Value{}
			for _, k := range p.KPIs {
				for _, m := range ms[k.ID] {
					if m.Checkin == id {
						got[k.Key] = m.Value
					}
				}
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("values recorded (-want +got):\n%s", diff)
			}
		})
	}
}

// TestACheckinReplyOfTrialConversions: a SaaS plan tracks its
// trial-to-paid conversion. Ana's reply "trial conversions 20", a count
// of conversions, was recorded as a 20% conversion. It is answered that
// the plan does not track it, and nothing is recorded, while "trial
// conversions 20%" is the rate.
func TestACheckinReplyOfTrialConversions(t *testing.T) {
	t.Parallel()
	h, p, _ := checkinSetup(t)
	if err := h.db.Commit(t.Context(), p, []flows.Change{flows.KindSet{Kind: flows.KindSaaS}}, ""); err != nil {
		t.Fatal(err)
	}
	p = h.plan(p.Team, p.Channel, p.Name)
	out, err := flows.SetKPI(flows.RACE(), p, flows.StageConvert, "trial-to-paid-conversion | baseline 15% | target 20% | by 2027-03-31 | owner <@UANA>", "UANA", time.Now(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := h.db.Commit(t.Context(), p, out.Changes, ""); err != nil {
		t.Fatal(err)
	}
	p = h.plan(p.Team, p.Channel, p.Name)
	id, opening, summary := h.openCheckinOfThree(p)
	ts := tsAfter(t, summary.TS, time.Millisecond)
	h.anaRepliesIn(opening.TS, "trial conversions 20", ts, `I don't track "trial conversions" in this plan.`)
	h.noValuesIn(p, id, summary)

	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.MessageEvent{Channel: "C1", User: "UANA", Text: "trial conversions 18%", TS: tsAfter(t, ts, time.Second), ThreadTS: opening.TS}))
	h.waitSummary(summary.TS, "1 of 3 KPIs updated")
	ms, err := h.db.Measurements(t.Context(), p.Team, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range p.KPIs {
		if k.Key == "trial-to-paid-conversion" && (len(ms[k.ID]) != 1 || ms[k.ID][0].Value.Amount != 18) {
			t.Errorf("trial-to-paid conversion values %+v, want only 18%%", ms[k.ID])
		}
	}
}

// TestACheckinReplyWithABracketOfAPart: the plan tracks Unique visitors
// and New customers. Ana's reply "visitors 12.4k (new 3k)" was answered
// `For (new, "3k)" is not a number I can read…`, and "leads 310 (est,
// rough" with two sentences that found no value for "(est" and "rough".
// Her visitors are recorded, and she is told in one sentence that quotes
// the bracket whole that it was not read.
func TestACheckinReplyWithABracketOfAPart(t *testing.T) {
	t.Parallel()
	h, p, _ := checkinSetup(t)
	p = h.setKPIs(p, flows.StageConvert, "custom: new customers (count) | baseline 10 | target 40 | by 2027-03-31 | owner <@UANA>")
	id, opening, summary := h.openCheckinOfThree(p)
	ts := tsAfter(t, summary.TS, time.Millisecond)
	for i, tc := range []struct{ text, answer string }{
		{"visitors 12.4k (new 3k)", `I didn't read "(new 3k)", as in brackets I read numbers only as readings alone, each after a KPI's whole name, like (leads 310); write its values outside brackets.`},
		{"visitors 12.5k (est, rough", `I didn't read "(est, rough", as its bracket is not closed; close it, or write its values outside brackets.`},
	} {
		got := h.anaRepliesIn(opening.TS, tc.text, tsAfter(t, ts, time.Duration(i)*time.Second), tc.answer)
		for _, clumsy := range []string{"For (", "no value", "is not a number"} {
			if strings.Contains(got, clumsy) {
				t.Errorf("%q: told %q", tc.text, got)
			}
		}
	}
	h.waitSummary(summary.TS, "1 of 3 KPIs updated")
	h.settle()
	if n := h.checkinValues(p, id); n != 2 {
		t.Errorf("%d values recorded in the check-in, want Ana's two of visitors, and no new customers", n)
	}
}
