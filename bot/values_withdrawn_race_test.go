package bot

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/racebot/racebot/coach"
	"github.com/racebot/racebot/flows"
	"github.com/racebot/racebot/internal/slackfake"
)

// benDeletesElsewhere returns what racebot B does meanwhile in a race:
// Ben deletes his check-in reply ben in p's latest check-in, which takes
// his value back and raises the plan's version.
func (h *harness) benDeletesElsewhere(t *testing.T, p *flows.Plan, ben string) func(coach.Store) {
	return func(db coach.Store) {
		other := coach.New(coach.Config{Catalogue: flows.RACE(), Store: db})
		c, err := db.LatestCheckin(context.Background(), p.Team, p.ID)
		if err != nil {
			t.Errorf("the check-in: %v", err)
			return
		}
		resp, err := other.DeleteMessage(context.Background(), coach.Request{Team: p.Team, Channel: "C1", User: "UBEN", Checkin: c.ID, TS: ben, Now: h.bot.now(), Key: "EvBENDEL"})
		if err != nil || !resp.Changed {
			t.Errorf("Ben's deletion on the other racebot: %+v, %v", resp, err)
		}
	}
}

// wantYesNotFiled checks that Ana's yes to an offer was filed as no
// answer of plan Q1.
func (h *harness) wantYesNotFiled(t *testing.T, p *flows.Plan) {
	t.Helper()
	for id, a := range h.plan(p.Team, "C1", "Q1").Answers {
		if a.Text == "yes" {
			t.Errorf("Ana's yes was filed as the answer to %s", id)
		}
	}
}

// TestADeletedKPILineWhoseValuesWentMeanwhile: the visitors KPI came from
// Ana's line in the plan's thread, and Ben gave it its one value in a
// check-in. Ana deletes her line; in the same moment Ben, on another
// racebot, deletes his reply, which withdraws the value. Her deletion read
// the value before his withdrawal and commits after it: she is not told
// the KPI stays because values were recorded, as none are by then; it
// goes, as a KPI without values does when its line is deleted, and the
// thread is told.
func TestADeletedKPILineWhoseValuesWentMeanwhile(t *testing.T) {
	t.Parallel()
	race := &commitMeanwhile{hold: "EvDEL"}
	h := newHarness(t, func(s *setup) { race.Store = s.Store; s.Store = race })
	p, line := h.visitorsFromAMessage()
	_, opening := h.openCheckin(p)
	h.settle()
	ben := tsAfter(t, opening.TS, time.Millisecond)
	h.replyConfirmed(opening.TS, "UBEN", "visitors 9k", ben, "Recorded: Unique visitors 9,000")
	h.settle()
	race.meanwhile = h.benDeletesElsewhere(t, p, ben)

	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.MessageDeleted{Channel: "C1", User: "UANA", TS: line, ThreadTS: p.Thread,
		PreviousText: "visitors | baseline 8k | target 20k | by 2027-03-31 | owner <@UANA>", EventID: "EvDEL"}))
	h.settle()
	for _, e := range h.fake.Ephemerals() {
		if e.User == "UANA" && strings.Contains(e.Text, "stays because") {
			t.Errorf("Ana was told %q, while Ben had withdrawn the KPI's one value", e.Text)
		}
	}
	for _, k := range h.plan(p.Team, "C1", "Q1").KPIs {
		if k.Key == "visitors" {
			t.Errorf("the plan keeps the visitors KPI %+v, with no values and its line deleted", k)
		}
	}
	h.threadMessage("C1", p.Thread, "was removed from the plan")
}

// TestAnOfferOutlivesAValueTakenBack: during a check-in Ana types "new Q2
// Launch" in the plan's thread, kept as her answer with the plan offered.
// Before she replies yes, Ben deletes his check-in reply, which takes his
// value back and raises the plan's version. Nothing in the plan's
// conversation moved: her yes starts Q2 Launch, and is not filed as an
// answer.
func TestAnOfferOutlivesAValueTakenBack(t *testing.T) {
	t.Parallel()
	h, p, clk := checkinSetup(t)
	opening, summary, ben := h.checkinAnHourOn(p, clk)
	h.replyConfirmed(opening.TS, "UBEN", "visitors 13k", ben, "Recorded: Unique visitors 13k")
	h.say(p.Thread, "new Q2 Launch", "Start a new plan called")
	h.settle()
	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.MessageDeleted{Channel: "C1", User: "UBEN", TS: ben, ThreadTS: opening.TS, PreviousText: "visitors 13k", EventID: "EvDEL"}))
	h.waitSummary(summary.TS, "0 of 2 KPIs updated")
	h.settle()
	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.MessageEvent{Channel: "C1", User: "UANA", Text: "yes", ThreadTS: p.Thread}))
	h.header("C1", "Q2 Launch")
	h.wantYesNotFiled(t, p)
}

// offerMeanwhile runs meanwhile, once, before the first offer written
// with no changes (a refused line's, see explainAndOffer).
type offerMeanwhile struct {
	coach.Store
	once      sync.Once
	meanwhile func(coach.Store)
}

func (s *offerMeanwhile) CommitOffer(ctx context.Context, p *flows.Plan, changes []flows.Change, o flows.Offer, key string) error {
	if len(changes) == 0 && s.meanwhile != nil {
		s.once.Do(func() { s.meanwhile(s.Store) })
	}
	return s.Store.CommitOffer(ctx, p, changes, o, key)
}

// TestAnOfferOfARefusedLineMadeAsAValueIsTakenBack: at the actions step,
// during a check-in, Ana posts "New spring promo page …" without its
// scores in the plan's thread: racebot refuses it and offers a plan
// called "spring promo page …". Between its reading the plan and writing
// the offer, Ben, on another racebot, deletes his check-in reply, which
// takes his value back and raises the plan's version. Ana was told to
// reply yes: her yes starts the plan, and is not filed as an answer.
func TestAnOfferOfARefusedLineMadeAsAValueIsTakenBack(t *testing.T) {
	t.Parallel()
	race := &offerMeanwhile{}
	h, p, clk := checkinSetup(t, func(s *setup) { race.Store = s.Store; s.Store = race })
	h.say(p.Thread, "done", "· actions")
	opening, _, ben := h.checkinAnHourOn(p, clk)
	h.replyConfirmed(opening.TS, "UBEN", "visitors 13k", ben, "Recorded: Unique visitors 13k")
	h.settle()
	race.meanwhile = h.benDeletesElsewhere(t, p, ben)
	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.MessageEvent{Channel: "C1", User: "UANA", Text: "New spring promo page | <@UBEN> | 2027-02-15", ThreadTS: p.Thread}))
	h.waitEphemeral("UANA", "to start a new plan called")
	h.settle()
	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.MessageEvent{Channel: "C1", User: "UANA", Text: "yes", ThreadTS: p.Thread}))
	h.header("C1", "spring promo page | <@UBEN> | 2027-02-15")
	h.wantYesNotFiled(t, p)
}
