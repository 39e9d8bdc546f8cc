package bot

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/racebot/racebot/internal/slackfake"
	"github.com/racebot/racebot/storage"
)

// TestWorkflowStepRefusedForGoodIsNotSwept: Slack declines a step's
// completion (invalid_arguments: asking again is declined again). racebot
// ends the run with an error that says so, once, so the workflow does not
// stay "in progress" at Slack for ever, and gives the step up: no second
// confirmation looked for, no second completion by a later sweep. An
// error refused too is given up all the same, not sent again; and a step
// that fails for its inputs keeps its own error, sent once.
func TestWorkflowStepRefusedForGoodIsNotSwept(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name          string
		inputs        map[string]any // the values step's unless set
		errorRefused  bool           // functions.completeError refused too
		wantState     string
		wantError     []string // in the error the run ended with
		wantSuccesses int
	}{
		{name: "ended with an error", wantState: "failed", wantError: []string{"recorded the values", "invalid_arguments", "Workflow Builder"}, wantSuccesses: 1},
		{name: "the error refused too", errorRefused: true, wantState: "running", wantSuccesses: 1},
		{name: "a failed step's error refused", inputs: map[string]any{inputChannel: "C9", inputValues: "visitors 1", inputUser: "UANA"}, errorRefused: true, wantState: "running"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h, clk, srv, _, step := anasValuesStep(t, "FxNO")
			if tt.inputs != nil {
				step = slackfake.EventBody(slackfake.FunctionExecuted{CallbackID: functionRecordValues, ExecutionID: "FxNO", EventID: "EvFxNO2", Inputs: tt.inputs})
			}
			h.fake.RefuseNext("functions.completeSuccess", 100, "invalid_arguments")
			if tt.errorRefused {
				h.fake.RefuseNext("functions.completeError", 100, "invalid_arguments")
			}
			if code := h.deliver(srv, step); code != http.StatusOK {
				t.Fatalf("the delivery was answered %d", code)
			}
			h.fake.WaitCalls(t, "functions.completeError", 1)
			h.settle()
			e, _ := h.fake.Execution("FxNO")
			if e.State != tt.wantState {
				t.Errorf("the run is %s at Slack, want %s", e.State, tt.wantState)
			}
			for _, want := range tt.wantError {
				if !strings.Contains(e.Error, want) {
					t.Errorf("the run ended with %q, want it to name %q", e.Error, want)
				}
			}
			if stepUnfinished(t, h.db, "FxNO") {
				t.Error("the step is not recorded finished")
			}
			sweepCallsNothing(t, h, clk, "a sweep of the refused step")
			if n := len(h.fake.Calls("functions.completeSuccess")); n != tt.wantSuccesses {
				t.Errorf("functions.completeSuccess called %d times, want %d", n, tt.wantSuccesses)
			}
			if n := len(h.fake.Calls("functions.completeError")); n != 1 {
				t.Errorf("functions.completeError called %d times, want 1", n)
			}
		})
	}
}

// TestWorkflowStepOfAnUninstalledWorkspaceIsLeftQuietly: a step's
// completion is on its way to Slack when the workspace removes racebot.
// Slack refuses it for the revoked token; nobody is there to read an
// error any more, so none is sent, none is logged, and the step is given
// up.
func TestWorkflowStepOfAnUninstalledWorkspaceIsLeftQuietly(t *testing.T) {
	t.Parallel()
	e, errs, _, _ := launchInTA(t)
	e.settle()
	release := e.fake.Hold("functions.completeSuccess")
	defer release()
	e.fake.Executing("FxLEFT")
	step := slackfake.FunctionExecuted{CallbackID: functionStartCheckin, ExecutionID: "FxLEFT", EventID: "EvFxLEFT", TeamID: "TA", Inputs: map[string]any{inputChannel: "CA1"}}
	if status, _ := e.send(slackfake.EventBody(step)); status != http.StatusOK {
		t.Fatalf("the step was answered %d", status)
	}
	e.fake.WaitFor(t, func() bool { return e.fake.InFlight("functions.completeSuccess") == 1 }, "the completion on its way")

	e.uninstall("TA")
	release()
	e.settle()
	if c := e.fake.Calls("functions.completeSuccess"); len(c) != 1 || c[0].Error != "invalid_auth" {
		t.Fatalf("completions %+v, want one refused for the revoked token", c)
	}
	if n := len(e.fake.Calls("functions.completeError")); n != 0 {
		t.Errorf("functions.completeError called %d times for an uninstalled workspace", n)
	}
	if lines := errs.all(); len(lines) > 0 {
		t.Errorf("errors logged for a step of an uninstalled workspace:\n%s", strings.Join(lines, "\n"))
	}
	if stepUnfinished(t, e.db, "FxLEFT") {
		t.Error("the step is not given up")
	}
}

// stepUnfinished reports whether the step of execution waits to be run
// again.
func stepUnfinished(t *testing.T, db *storage.DB, execution string) bool {
	t.Helper()
	steps, err := db.UnfinishedSteps(context.Background(), time.Time{}, time.Now().Add(24*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	for _, st := range steps {
		if st.Execution == execution {
			return true
		}
	}
	return false
}
