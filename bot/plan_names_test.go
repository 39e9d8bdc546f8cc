package bot

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/racebot/racebot/flows"
	"github.com/racebot/racebot/internal/slackfake"
)

// TestQuotedPlanNameIsTheNameWithoutQuotes: Ana starts next quarter's
// plan as the help shows --from, quoting both names: /race new "Q2 Plan"
// --from "Q1 Launch". The plan must be called Q2 Plan, so that Ben can
// continue it, start a plan from it (where the quotes are taken off) and
// cannot start a second "Q2 Plan" beside it.
func TestQuotedPlanNameIsTheNameWithoutQuotes(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.runSocket()
	h.newPlanInSlack("Q1 Launch")

	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.SlashCommand{Command: "/race", Text: `new "Q2 Plan" --from "Q1 Launch"`, UserID: "UANA", ChannelID: "C1"}))
	h.settle()
	if _, err := h.db.PlanByName(context.Background(), slackfake.TeamID, "C1", "Q2 Plan"); err != nil {
		plans, _ := h.db.Plans(context.Background(), slackfake.TeamID, "C1")
		var names []string
		for _, p := range plans {
			names = append(names, p.Name)
		}
		t.Errorf("no plan called Q2 Plan after /race new \"Q2 Plan\" --from \"Q1 Launch\": %v; the channel's plans are %q", err, names)
	}

	a := h.fake.WaitAck(t, h.fake.SendEvent(slackfake.SlashCommand{Command: "/race", Text: `new Q3 Plan --from "Q2 Plan"`, UserID: "UBEN", ChannelID: "C1"}))
	if got := ackText(t, a.Payload); strings.Contains(got, "no plan called") {
		t.Errorf("/race new Q3 Plan --from \"Q2 Plan\" was answered %q", got)
	}
	h.settle()

	a = h.fake.WaitAck(t, h.fake.SendEvent(slackfake.SlashCommand{Command: "/race", Text: `new Q2 Plan`, UserID: "UBEN", ChannelID: "C1"}))
	h.settle()
	plans, err := h.db.Plans(context.Background(), slackfake.TeamID, "C1")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, p := range plans {
		if strings.Trim(p.Name, `"`) == "Q2 Plan" {
			n++
		}
	}
	if n != 1 {
		t.Errorf("%d plans called Q2 Plan, quoted or not, want 1; the second /race new was answered %q", n, ackText(t, a.Payload))
	}
}

// TestDeletingTheCurrentPlanLeavesTheOthersReachable: C1 has plans "Brand"
// and "Launch", Launch the one in use. Ben deletes Launch; Ana, who works
// on Brand, then asks for /race status. She must not be told the channel
// has no plan: Brand is still there, and she needs to hear how to reach
// it.
func TestDeletingTheCurrentPlanLeavesTheOthersReachable(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.runSocket()
	h.newPlanInSlack("Brand")
	_, launch := h.newPlanInSlack("Launch")

	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.SlashCommand{Command: "/race", Text: "delete Launch", UserID: "UBEN", ChannelID: "C1"}))
	url := h.fake.ResponseURL()
	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.BlockAction{ActionID: actionDeleteConfirm, Value: strconv.FormatInt(int64(launch.ID), 10), UserID: "UBEN", ChannelID: "C1", ResponseURL: url}))
	h.fake.WaitFor(t, func() bool { return len(h.fake.Responses(url)) == 1 }, "the delete's answer")
	h.settle()

	a := h.fake.WaitAck(t, h.fake.SendEvent(slackfake.SlashCommand{Command: "/race", Text: "status", UserID: "UANA", ChannelID: "C1"}))
	got := ackText(t, a.Payload)
	if strings.Contains(got, "no plan here") || !strings.Contains(got, "Brand") {
		t.Errorf("/race status in a channel with plan Brand left was answered %q; want Brand's status, or how to continue Brand", got)
	}
}

// TestDoneTypedByTwoAtOnceFinishesOneStep: Ana and Ben both type /race done
// at the same moment to leave the Plan stage's questions, both having seen
// its first question. The questions are left for the stage's actions
// once; the actions, which nobody has seen yet, are not passed over too
// (the Plan stage left undone and Reach opened).
func TestDoneTypedByTwoAtOnceFinishesOneStep(t *testing.T) {
	t.Parallel()
	h, held := withHeldLoads(t)
	header, _ := h.newPlanInSlack("Q1")
	h.settle()

	held.arm(2)
	a := h.fake.SendEvent(slackfake.SlashCommand{Command: "/race", Text: "done", UserID: "UANA", ChannelID: "C1"})
	b := h.fake.SendEvent(slackfake.SlashCommand{Command: "/race", Text: "done", UserID: "UBEN", ChannelID: "C1"})
	acks := ackText(t, h.fake.WaitAck(t, a).Payload) + ackText(t, h.fake.WaitAck(t, b).Payload)
	h.settle()

	got := h.plan(slackfake.TeamID, "C1", "Q1")
	if !strings.Contains(acks, "moved on since you saw it") {
		t.Errorf("neither command's author was told the plan moved on; the acks read %q", acks)
	}
	if got.Cursor.Stage != 0 || got.Cursor.Phase != flows.PhaseActions {
		t.Errorf("after two /race done typed at once under the first question the plan stands at %+v; want the Plan stage's actions", got.Cursor)
	}
	for _, m := range h.fake.Replies("C1", header.TS) {
		if strings.Contains(m.Text, "moved on since you saw it") {
			t.Errorf("the losing command's note is posted in the thread for all:\n%s", m.Text)
		}
	}
}

// TestHeaderShowsTheProgressMade: the plan's header in the channel shows
// each stage's progress. Once Ana and Ben have answered the first two
// questions in its thread, it must not still say that nothing is
// answered. (Rewrites are paced, a minute apart by default; here a
// millisecond.)
func TestHeaderShowsTheProgressMade(t *testing.T) {
	t.Parallel()
	h := newHarness(t, func(c *setup) { c.HeaderEvery = time.Millisecond })
	h.runSocket()
	header, q1, _ := h.firstQuestion("Q1")
	if !strings.Contains(string(header.Blocks), "○ Plan 0/") {
		t.Fatalf("the new header shows no progress line: %s", header.Blocks)
	}
	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.MessageEvent{Channel: "C1", User: "UANA", Text: "Coffee beans by subscription.", TS: tsAfter(t, q1.TS, time.Millisecond), ThreadTS: header.TS}))
	q2 := h.threadMessage("C1", header.TS, "What is your value proposition")
	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.MessageEvent{Channel: "C1", User: "UBEN", Text: "Roasted to order, at your door in 48 hours.", TS: tsAfter(t, q2.TS, time.Millisecond), ThreadTS: header.TS}))
	h.threadMessage("C1", header.TS, "Which customer segments")
	h.settle()
	m, _ := h.message("C1", header.TS)
	if !strings.Contains(string(m.Blocks), "◐ Plan 2/") {
		t.Errorf("after two answers the header still reads:\n%s", m.Blocks)
	}
}
