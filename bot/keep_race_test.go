package bot

import (
	"context"
	"strings"
	"sync"
	"testing"

	"github.com/racebot/racebot/coach"
	"github.com/racebot/racebot/flows"
	"github.com/racebot/racebot/internal/slackfake"
)

// commitMeanwhile is the real store, except that before the commit under
// key hold it runs meanwhile once: what another racebot on the same
// database does between this one's read of the plan and its write.
type commitMeanwhile struct {
	coach.Store
	hold      string
	once      sync.Once
	meanwhile func(coach.Store)
}

func (s *commitMeanwhile) Commit(ctx context.Context, p *flows.Plan, changes []flows.Change, key string) error {
	if key == s.hold {
		s.once.Do(func() { s.meanwhile(s.Store) })
	}
	return s.Store.Commit(ctx, p, changes, key)
}

// TestADeletedLineOfAnActionReopenedMeanwhile: Ana's action is under way
// when she deletes the line that added it; in the same moment Ben, on
// another racebot, reopens it. Her deletion read the plan before his
// reopen and commits after it: she is not told the action stays because
// it is under way, as it is open by then; it goes, as an open action's
// line deleted does, and the thread is told.
func TestADeletedLineOfAnActionReopenedMeanwhile(t *testing.T) {
	t.Parallel()
	race := &commitMeanwhile{hold: "EvDEL"}
	h := newHarness(t, func(s *setup) { race.Store = s.Store; s.Store = race })
	h.runSocket()
	header, ts := h.anaAddsAction(giftBoxes)
	h.slashAck("UBEN", "action doing 1")
	h.settle()
	race.meanwhile = func(db coach.Store) {
		other := coach.New(coach.Config{Catalogue: flows.RACE(), Store: db})
		p := h.plan(slackfake.TeamID, "C1", "Q1")
		resp, err := other.SetActionStatus(context.Background(), coach.Request{Team: slackfake.TeamID, Channel: "C1", User: "UBEN", Plan: p.ID, Now: h.bot.now(), Key: "EvREOPEN"},
			p.Actions[0].ID, flows.ActionOpen, "")
		if err != nil || !resp.Changed {
			t.Errorf("Ben's reopen on the other racebot: %+v, %v", resp, err)
		}
	}

	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.MessageDeleted{Channel: "C1", User: "UANA", TS: ts, ThreadTS: header.TS, PreviousText: giftBoxes, EventID: "EvDEL"}))
	h.settle()
	for _, e := range h.fake.Ephemerals() {
		if e.User == "UANA" && strings.Contains(e.Text, "stays because") {
			t.Errorf("Ana was told %q, while Ben had reopened the action", e.Text)
		}
	}
	if a := h.plan(slackfake.TeamID, "C1", "Q1").Actions; len(a) != 0 {
		t.Errorf("the plan keeps %+v, want the open action of the deleted line gone", a)
	}
	h.threadMessage("C1", header.TS, "was removed from the plan")
}
