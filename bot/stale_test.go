package bot

import (
	"context"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/racebot/racebot/coach"
	"github.com/racebot/racebot/flows"
	"github.com/racebot/racebot/internal/slackfake"
)

// heldLoads holds the first n plan loads after arm until all n have
// arrived, so that n requests see the plan as it was before any of them.
type heldLoads struct {
	coach.Store
	mu      sync.Mutex
	waiting int
	release chan struct{}
}

func (s *heldLoads) arm(n int) {
	s.mu.Lock()
	s.waiting, s.release = n, make(chan struct{})
	s.mu.Unlock()
}

func (s *heldLoads) Plan(ctx context.Context, team string, id flows.PlanID) (*flows.Plan, error) {
	p, err := s.Store.Plan(ctx, team, id)
	s.mu.Lock()
	if s.waiting == 0 {
		s.mu.Unlock()
		return p, err
	}
	s.waiting--
	ch := s.release
	if s.waiting == 0 {
		close(ch)
	}
	s.mu.Unlock()
	select {
	case <-ch:
	case <-time.After(5 * time.Second):
	}
	return p, err
}

// TestSkipPressedByTwoAtOnceSkipsOneQuestion: Ana and Ben press Skip under
// the first question at the same moment, both having seen the plan before
// either press landed. The first question is skipped once; the second,
// which nobody has seen, stays open.
func TestSkipPressedByTwoAtOnceSkipsOneQuestion(t *testing.T) {
	held := &heldLoads{}
	h := newHarness(t, func(s *setup) { held.Store = s.Store; s.Store = held })
	h.runSocket()
	header, p := h.newPlanInSlack("Q1")
	h.settle()

	held.arm(2)
	a := h.fake.SendEvent(slackfake.BlockAction{ActionID: actionSkip, Value: planValue(p, flows.QuestionBusiness), UserID: "UANA", ChannelID: "C1", MessageTS: header.TS})
	b := h.fake.SendEvent(slackfake.BlockAction{ActionID: actionSkip, Value: planValue(p, flows.QuestionBusiness), UserID: "UBEN", ChannelID: "C1", MessageTS: header.TS})
	h.fake.WaitAck(t, a)
	h.fake.WaitAck(t, b)
	h.settle()

	got := h.plan(slackfake.TeamID, "C1", "Q1")
	var skipped []string
	for q, ok := range got.Skipped {
		if ok {
			skipped = append(skipped, q)
		}
	}
	if len(skipped) != 1 || got.Cursor.Step != 1 {
		t.Errorf("two presses of Skip under question 1 skipped %v, cursor %+v; want only %s skipped, cursor on step 1", skipped, got.Cursor, flows.QuestionBusiness)
	}
}

// TestStaleButtonsOfADeletedPlanReachNoOther: Ana asks to delete plan
// "Old" and gets the confirmation button; Ben deletes "Old" himself and
// starts "New" in the same channel. Old's buttons must not act on New:
// New never takes Old's id.
func TestStaleButtonsOfADeletedPlanReachNoOther(t *testing.T) {
	h := newHarness(t)
	h.runSocket()
	oldHeader, old := h.newPlanInSlack("Old")

	a := h.fake.WaitAck(t, h.fake.SendEvent(slackfake.SlashCommand{Command: "/race", Text: "delete Old", UserID: "UANA", ChannelID: "C1"}))
	if !strings.Contains(string(a.Payload), actionDeleteConfirm) {
		t.Fatalf("no confirm button: %s", a.Payload)
	}
	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.SlashCommand{Command: "/race", Text: "delete Old --yes", UserID: "UBEN", ChannelID: "C1"}))
	h.settle()
	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.SlashCommand{Command: "/race", Text: "new New", UserID: "UBEN", ChannelID: "C1"}))
	newHeader := h.header("C1", "New")
	h.threadMessage("C1", newHeader.TS, "What does the business sell")
	h.settle()
	if fresh := h.plan(slackfake.TeamID, "C1", "New"); fresh.ID == old.ID {
		t.Errorf("New took deleted Old's id %d", old.ID)
	}

	// Ana's stale Skip, under Old's first question.
	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.BlockAction{ActionID: actionSkip, Value: planValue(old, flows.QuestionBusiness), UserID: "UANA", ChannelID: "C1", MessageTS: oldHeader.TS}))
	h.settle()
	if got := h.plan(slackfake.TeamID, "C1", "New"); got.Skipped[flows.QuestionBusiness] {
		t.Errorf("a Skip pressed under deleted plan Old skipped New's first question")
	}

	// Ana's stale Confirm.
	url := h.fake.ResponseURL()
	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.BlockAction{ActionID: actionDeleteConfirm, Value: strconv.FormatInt(int64(old.ID), 10), UserID: "UANA", ChannelID: "C1", ResponseURL: url}))
	h.fake.WaitFor(t, func() bool { return len(h.fake.Responses(url)) == 1 }, "the answer to the stale confirm")
	h.settle()
	if _, err := h.db.PlanByName(context.Background(), slackfake.TeamID, "C1", "New"); err != nil {
		t.Errorf("plan New is gone after a stale Confirm for Old: %v; the press was answered %q", err, h.fake.Responses(url)[0].Text)
	}
	if got := h.fake.Responses(url)[0].Text; !strings.Contains(got, "no longer exists") {
		t.Errorf("the stale confirm was answered %q, want that the plan no longer exists", got)
	}
}
