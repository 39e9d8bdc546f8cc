package bot

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/racebot/racebot/coach"
	"github.com/racebot/racebot/flows"
)

// TestWorkflowRefusedStepErrorThatDoesNotGetThroughIsSentAgain: Slack
// declines a step's result for good (invalid_arguments), and the error
// racebot ends the run with fails on Slack's side (HTTP 500): it did not
// get through. The step is not given up on that: the sweep sends the
// error again, and the run ends, rather than stay "in progress" at Slack
// for ever with nothing to tell its owner why.
func TestWorkflowRefusedStepErrorThatDoesNotGetThroughIsSentAgain(t *testing.T) {
	t.Parallel()
	h, clk, srv, _, step := anasValuesStep(t, "FxLOST")
	h.fake.RefuseNext("functions.completeSuccess", 100, "invalid_arguments")
	h.fake.FailNext("functions.completeError", 5, http.StatusInternalServerError)
	if code := h.deliver(srv, step); code != http.StatusOK {
		t.Fatalf("the delivery was answered %d", code)
	}
	h.fake.WaitCalls(t, "functions.completeError", 5)
	h.settle()
	if e, _ := h.fake.Execution("FxLOST"); e.State != "running" {
		t.Fatalf("the run is %s at Slack after the error failed, want running", e.State)
	}

	clk.Add(time.Minute)
	h.bot.stepTick(t.Context())
	h.settle()
	e, _ := h.fake.Execution("FxLOST")
	if e.State != "failed" || !strings.Contains(e.Error, "recorded the values") {
		t.Errorf("after a sweep the run is %s (%q) at Slack, want failed with the reason", e.State, e.Error)
	}
	if stepUnfinished(t, h.db, "FxLOST") {
		t.Error("the step is not recorded finished once its error got through")
	}
	if n := h.countReplies("C1", h.plan("T1", "C1", "Q1").Thread, "From a workflow, for <@UANA>"); n != 1 {
		t.Errorf("%d confirmations, want 1", n)
	}
	sweepCallsNothing(t, h, clk, "a sweep after the error got through")
}

// TestWorkflowCheckinStepMaybePostedIsFinishedNotFailed: the "Start a
// check-in" step posts the check-in, but Slack's answer is lost (a 500
// after the post) and the channel cannot be read to look for it. The
// check-in may well be out: the run must not end with "could not be
// posted; try running the workflow again" (which would open a second
// one); the sweep finds the opening, records its thread and completes the
// step, with one check-in in the channel whose replies count.
func TestWorkflowCheckinStepMaybePostedIsFinishedNotFailed(t *testing.T) {
	t.Parallel()
	h, clk, p := checkinStepMaybePosted(t, "FxMAYBE")
	if e, _ := h.fake.Execution("FxMAYBE"); e.State == "failed" {
		t.Errorf("the run ended with %q while its check-in stands in the channel", e.Error)
	}

	clk.Add(time.Minute)
	h.bot.stepTick(t.Context())
	h.fake.WaitFor(t, func() bool {
		e, _ := h.fake.Execution("FxMAYBE")
		return e.State != "running"
	}, "the step ended")
	h.settle()
	if e, _ := h.fake.Execution("FxMAYBE"); e.State != "completed" {
		t.Errorf("the step is %s (%q), want completed", e.State, e.Error)
	}
	if n := len(h.headers("C1", "KPI check-in")); n != 1 {
		t.Errorf("%d check-ins in the channel, want 1", n)
	}
	c, err := h.db.LatestCheckin(t.Context(), p.Team, p.ID)
	if err != nil || c.Thread == "" {
		t.Errorf("check-in = %+v, %v; want its thread recorded", c, err)
	}
}

// TestWorkflowStepLeftToTheSweepPastADayTellsItsOwner: the "Start a
// check-in" step posts the check-in, Slack's answer is lost and the
// channel cannot be read, so the step is left to the sweep; no sweep
// finishes it within the day it is taken up again for. Past that day the
// run is not dropped without a word, "in progress" at Slack for ever: it
// ends with an error that says what may have happened, and nothing is
// posted again.
func TestWorkflowStepLeftToTheSweepPastADayTellsItsOwner(t *testing.T) {
	t.Parallel()
	h, clk, _ := checkinStepMaybePosted(t, "FxDAY")
	if e, _ := h.fake.Execution("FxDAY"); e.State != "running" {
		t.Fatalf("the run is %s (%q) after the lost answer, want running", e.State, e.Error)
	}

	clk.Add(coach.StepsResumed + time.Minute)
	h.bot.stepTick(t.Context())
	h.settle()
	e, _ := h.fake.Execution("FxDAY")
	if e.State != "failed" || !strings.Contains(e.Error, "channel") {
		t.Errorf("a day on the run is %s (%q) at Slack, want failed, saying to look in the channel", e.State, e.Error)
	}
	if n := len(h.headers("C1", "KPI check-in")); n != 1 {
		t.Errorf("%d check-ins in the channel, want 1", n)
	}
	if stepUnfinished(t, h.db, "FxDAY") {
		t.Error("the step given up is not recorded finished")
	}
	sweepCallsNothing(t, h, clk, "a sweep after the step was given up")
}

// checkinStepMaybePosted runs the "Start a check-in" step of workflow run
// id for plan Q1 in C1: Slack posts the check-in but its answer is lost
// (a 500 after the post), and the channel cannot be read to look for it,
// so the step is left to the sweep. The harness's clock is returned to
// move.
func checkinStepMaybePosted(t *testing.T, id string) (*harness, *clock, *flows.Plan) {
	t.Helper()
	clk := &clock{now: time.Now()}
	h := newHarness(t, func(c *setup) { c.Now = clk.Now })
	srv, p, step := h.stepOverHTTP(functionStartCheckin, id, map[string]any{inputChannel: "C1", inputPlan: "Q1"})
	h.fake.FailAfterNext("chat.postMessage", 1, http.StatusInternalServerError)
	h.fake.FailNext("conversations.history", 5, http.StatusInternalServerError)
	if code := h.deliver(srv, step); code != http.StatusOK {
		t.Fatalf("the delivery was answered %d", code)
	}
	h.fake.WaitCalls(t, "conversations.history", 5)
	h.settle()
	return h, clk, p
}

// TestWorkflowStepGivenUpIsLeftAfterASecondDay: the step left to the
// sweep is past its day, and Slack fails every error racebot sends to end
// its run (a 5xx, an outage). Each sweep sends it again for a day more;
// then the step is recorded finished and Slack is not called for it
// again, rather than once a minute for as long as the step is kept.
func TestWorkflowStepGivenUpIsLeftAfterASecondDay(t *testing.T) {
	t.Parallel()
	h, clk, _ := checkinStepMaybePosted(t, "FxTWO")
	h.fake.FailNext("functions.completeError", 1000, http.StatusInternalServerError)
	clk.Add(coach.StepsResumed + time.Minute)
	h.bot.stepTick(t.Context())
	h.settle()
	if !stepUnfinished(t, h.db, "FxTWO") {
		t.Fatal("a step whose error did not get through is recorded finished; the next sweep should send it again")
	}
	tries := len(h.fake.Calls("functions.completeError"))
	clk.Add(coach.StepsResumed)
	h.bot.stepTick(t.Context())
	h.settle()
	if n := len(h.fake.Calls("functions.completeError")); n != tries {
		t.Errorf("two days on, the error was sent %d times more", n-tries)
	}
	if stepUnfinished(t, h.db, "FxTWO") {
		t.Error("a step two days old is still taken up by every sweep")
	}
	sweepCallsNothing(t, h, clk, "a sweep after the step was left")
}
