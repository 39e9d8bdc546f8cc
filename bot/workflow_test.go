package bot

import (
	"strings"
	"testing"

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
	h.fake.WaitFor(t, func() bool {
		m, _ := h.message("C1", summary.TS)
		return strings.Contains(m.Text, "1 of 1 KPIs updated")
	}, "the summary updated")
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
