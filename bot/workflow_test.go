package bot

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/racebot/racebot/flows"
	"github.com/racebot/racebot/internal/slackfake"
)

// TestWorkflowStepRecordsValues: the "Record KPI values" step records the
// values in the plan's open check-in, as the person's, confirms them in
// its thread and completes the function; delivered again it records
// nothing more. Values it can't read fail the step with the reason.
func TestWorkflowStepRecordsValues(t *testing.T) {
	h := newHarness(t)
	h.runSocket()
	_, p := h.newPlanInSlack("Q1")
	p = h.setKPIs(p, flows.StageReach, "visitors | baseline 8k | target 20k | by 2027-03-31 | owner <@UANA>")
	id, opening := h.openCheckin(p)
	summary := h.threadMessage("C1", opening.TS, "0 of 1 KPIs updated")

	step := slackfake.FunctionExecuted{CallbackID: functionRecordValues, ExecutionID: "Fx1", Inputs: map[string]any{
		inputChannel: "C1", inputValues: "visitors 12.4k", inputUser: "UANA",
	}}
	h.twice(step)
	h.fake.WaitFor(t, func() bool {
		e, _ := h.fake.Execution("Fx1")
		return e.State == "completed"
	}, "the step completed")
	if e, _ := h.fake.Execution("Fx1"); !strings.Contains(e.Outputs["recorded"].(string), "Unique visitors 12.4k") {
		t.Errorf("outputs = %v", e.Outputs)
	}
	h.threadMessage("C1", opening.TS, "From a workflow, for <@UANA>")
	h.waitSummary(summary.TS, "1 of 1 KPIs updated")
	if n := h.checkinValues(p, id); n != 1 {
		t.Errorf("%d values in the check-in, want 1", n)
	}
	ms, _ := h.db.Measurements(t.Context(), slackfake.TeamID, p.ID)
	if m := ms[p.KPIs[0].ID]; len(m) != 1 || m[0].By != "UANA" {
		t.Errorf("values = %+v", m)
	}

	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.FunctionExecuted{CallbackID: functionRecordValues, ExecutionID: "Fx2", Inputs: map[string]any{
		inputChannel: "C1", inputValues: "lots", inputUser: "UANA",
	}}))
	h.fake.WaitFor(t, func() bool {
		e, _ := h.fake.Execution("Fx2")
		return e.State == "failed"
	}, "the step failed")
	if e, _ := h.fake.Execution("Fx2"); !strings.Contains(e.Error, "couldn't read any values") {
		t.Errorf("error = %q", e.Error)
	}
	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.FunctionExecuted{CallbackID: functionRecordValues, ExecutionID: "Fx3", Inputs: map[string]any{
		inputChannel: "C9", inputValues: "visitors 1", inputUser: "UANA",
	}}))
	h.fake.WaitFor(t, func() bool {
		e, _ := h.fake.Execution("Fx3")
		return e.State == "failed" && strings.Contains(e.Error, "no plan")
	}, "a step naming a channel without a plan fails")
}

// TestWorkflowStepStartsACheckin: the "Start a check-in" step opens one
// check-in in the plan's channel and completes; delivered again, it opens
// no second one.
func TestWorkflowStepStartsACheckin(t *testing.T) {
	h := newHarness(t)
	h.runSocket()
	_, p := h.newPlanInSlack("Q1")
	h.setKPIs(p, flows.StageReach, "visitors | baseline 8k | target 20k | by 2027-03-31 | owner <@UANA>")
	h.twice(slackfake.FunctionExecuted{CallbackID: functionStartCheckin, ExecutionID: "Fx9", Inputs: map[string]any{inputChannel: "C1", inputPlan: "q1"}})
	h.fake.WaitFor(t, func() bool {
		e, _ := h.fake.Execution("Fx9")
		return e.State == "completed"
	}, "the step completed")
	if n := len(h.headers("C1", "KPI check-in")); n != 1 {
		t.Errorf("%d check-ins opened, want 1", n)
	}
}

// TestWorkflowCheckinStepFinishedByARedelivery: a racebot that stopped
// part-way through the "Start a check-in" step (the check-in opened but
// not posted; posted but the function not completed) leaves the step to
// the event Slack delivers again a minute on, which racebot, restarted or
// another copy on the same database, finishes: one check-in in the
// channel, and the workflow goes on.
func TestWorkflowCheckinStepFinishedByARedelivery(t *testing.T) {
	for _, tt := range []struct{ name, stopsIn string }{
		{"stopped before the post", "chat.postMessage"},
		{"stopped before the completion", "functions.completeSuccess"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			clk := &clock{now: time.Now()}
			h := newHarness(t, func(c *setup) { c.Now = clk.Now })
			srv, step := h.checkinStepOverHTTP("FxSTOP")

			first := h.startBot(botOptions{claimTimeout: time.Second})
			firstSrv := httptest.NewServer(first.HTTPHandler(secret))
			t.Cleanup(firstSrv.Close)
			release := h.fake.Hold(tt.stopsIn)
			if code := h.deliver(firstSrv, step); code != http.StatusOK {
				t.Fatalf("the first delivery was answered %d", code)
			}
			h.fake.WaitFor(t, func() bool { return h.fake.InFlight(tt.stopsIn) > 0 }, "the first racebot waiting on "+tt.stopsIn)
			// It stops there: what it has not done by now, it never does.
			stopped, stop := context.WithCancel(context.Background())
			stop()
			_ = first.Shutdown(stopped)
			h.fake.WaitFor(t, func() bool { return h.fake.InFlight(tt.stopsIn) == 0 }, "Slack seeing the first racebot gone")
			release()
			if e, _ := h.fake.Execution("FxSTOP"); e.State != "running" {
				t.Fatalf("the step is %s before the redelivery, want running", e.State)
			}
			clk.Add(time.Minute)

			if code := h.deliver(srv, step); code != http.StatusOK {
				t.Fatalf("the redelivery was answered %d", code)
			}
			h.fake.WaitFor(t, func() bool {
				e, _ := h.fake.Execution("FxSTOP")
				return e.State == "completed"
			}, "the redelivered step completed")
			h.settle()
			if n := len(h.headers("C1", "KPI check-in")); n != 1 {
				t.Errorf("%d check-ins opened, want 1", n)
			}
		})
	}
}

// TestWorkflowCheckinStepRedeliveredToAnotherRacebot: two racebots share
// one database. Slack, not seeing the first one's ack in time, delivers
// the "Start a check-in" step again to the second while the first is
// still posting the check-in. The second leaves the step to the first:
// one check-in in the channel, and the step completed.
func TestWorkflowCheckinStepRedeliveredToAnotherRacebot(t *testing.T) {
	h := newHarness(t)
	srv, step := h.checkinStepOverHTTP("FxTWO")

	other := h.startBot(botOptions{})
	otherSrv := httptest.NewServer(other.HTTPHandler(secret))
	t.Cleanup(otherSrv.Close)
	release := h.fake.Hold("chat.postMessage")
	defer release()
	if code := h.deliver(otherSrv, step); code != http.StatusOK {
		t.Fatalf("the first delivery was answered %d", code)
	}
	h.fake.WaitFor(t, func() bool { return h.fake.InFlight("chat.postMessage") > 0 }, "the first racebot posting the check-in")
	if code := h.deliver(srv, step); code != http.StatusOK {
		t.Fatalf("the redelivery was answered %d", code)
	}
	// The second racebot either posts too (held like the first) or has
	// nothing left to do.
	idle := make(chan struct{})
	go func() { h.bot.pending.Wait(); close(idle) }()
	h.fake.WaitFor(t, func() bool {
		select {
		case <-idle:
			return true
		default:
			return h.fake.InFlight("chat.postMessage") > 1
		}
	}, "the second racebot done with the redelivery")
	release()
	<-idle
	h.fake.WaitFor(t, func() bool {
		e, _ := h.fake.Execution("FxTWO")
		return e.State == "completed"
	}, "the step completed")
	h.settle()
	settle(t, other, h.fake)
	if n := len(h.headers("C1", "KPI check-in")); n != 1 {
		t.Errorf("%d check-ins opened, want 1", n)
	}
}

// checkinStepOverHTTP serves racebot over HTTP with plan Q1 (Ana's
// visitors KPI) in C1, and gives the signed body of a "Start a check-in"
// step for it, execution id running at Slack.
func (h *harness) checkinStepOverHTTP(id string) (*httptest.Server, []byte) {
	h.t.Helper()
	srv := h.serveHTTP()
	_, p := h.newPlanOverHTTP(srv, "C1", "Q1")
	h.setKPIs(p, flows.StageReach, "visitors | baseline 8k | target 20k | by 2027-03-31 | owner <@UANA>")
	step := slackfake.EventBody(slackfake.FunctionExecuted{CallbackID: functionStartCheckin, ExecutionID: id, EventID: "Ev" + id,
		Inputs: map[string]any{inputChannel: "C1", inputPlan: "Q1"}})
	h.fake.Executing(id)
	return srv, step
}
