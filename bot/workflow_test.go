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
	t.Parallel()
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
	t.Parallel()
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
	t.Parallel()
	for _, tt := range []struct{ name, stopsIn string }{
		{"stopped before the post", "chat.postMessage"},
		{"stopped before the completion", "functions.completeSuccess"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			clk := &clock{now: time.Now()}
			h := newHarness(t, func(c *setup) { c.Now = clk.Now })
			srv, step := h.checkinStepOverHTTP("FxSTOP")
			h.stopMidStep(step, "FxSTOP", tt.stopsIn)
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
	t.Parallel()
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
	srv, _, step := h.stepOverHTTP(functionStartCheckin, id, map[string]any{inputChannel: "C1", inputPlan: "Q1"})
	return srv, step
}

// stepOverHTTP serves racebot over HTTP with plan Q1 (Ana's visitors KPI)
// in C1, and gives the signed body of a step with the given inputs,
// execution id running at Slack.
func (h *harness) stepOverHTTP(callback, id string, inputs map[string]any) (*httptest.Server, *flows.Plan, []byte) {
	h.t.Helper()
	srv := h.serveHTTP()
	_, p := h.newPlanOverHTTP(srv, "C1", "Q1")
	p = h.setKPIs(p, flows.StageReach, "visitors | baseline 8k | target 20k | by 2027-03-31 | owner <@UANA>")
	step := slackfake.EventBody(slackfake.FunctionExecuted{CallbackID: callback, ExecutionID: id, EventID: "Ev" + id, Inputs: inputs})
	h.fake.Executing(id)
	return srv, p, step
}

// sweepCallsNothing runs the step sweep an hour on and fails if it
// called Slack: the steps it could find are finished or given up.
func sweepCallsNothing(t *testing.T, h *harness, clk *clock, what string) {
	t.Helper()
	calls := len(h.fake.Calls(""))
	clk.Add(time.Hour)
	h.bot.stepTick(t.Context())
	h.settle()
	if got := h.fake.Calls(""); len(got) != calls {
		t.Errorf("%s called Slack: %v", what, got[calls:])
	}
}

// anasValuesStep starts a harness on a clock the test moves, with plan Q1
// in C1 and a "Record KPI values" step, execution id, giving Ana's
// visitors 12.4k: the step built and expected by the fake, not delivered.
func anasValuesStep(t *testing.T, id string) (*harness, *clock, *httptest.Server, *flows.Plan, []byte) {
	t.Helper()
	clk := &clock{now: time.Now()}
	h := newHarness(t, func(c *setup) { c.Now = clk.Now })
	srv, p, step := h.stepOverHTTP(functionRecordValues, id, map[string]any{
		inputChannel: "C1", inputValues: "visitors 12.4k", inputUser: "UANA",
	})
	return h, clk, srv, p, step
}

// stopMidStep delivers a step to a racebot of its own, which acknowledges
// it, and stops that racebot while it waits on Slack's method: what it
// has not done by then, it never does, and Slack, having had its
// acknowledgement, does not deliver the step again by itself.
func (h *harness) stopMidStep(step []byte, execution, method string) {
	h.t.Helper()
	bounds := &claimBounds{}
	first := h.startBot(botOptions{claims: bounds})
	firstSrv := httptest.NewServer(first.HTTPHandler(secret))
	h.t.Cleanup(firstSrv.Close)
	release := h.fake.Hold(method)
	defer release()
	if code := h.deliver(firstSrv, step); code != http.StatusOK {
		h.t.Fatalf("the first delivery was answered %d", code)
	}
	h.fake.WaitFor(h.t, func() bool { return h.fake.InFlight(method) > 0 }, "the first racebot waiting on "+method)
	stopped, stop := context.WithCancel(context.Background())
	stop()
	// Shutdown waits for a claimed check-in's post (it runs on in time of
	// its own) until that time runs out, here at once.
	bounds.expire()
	_ = first.Shutdown(stopped)
	h.fake.WaitFor(h.t, func() bool { return h.fake.InFlight(method) == 0 }, "Slack seeing the first racebot gone")
	release()
	if e, _ := h.fake.Execution(execution); e.State != "running" {
		h.t.Fatalf("the step is %s after its racebot stopped, want running", e.State)
	}
}

// TestWorkflowStepFinishedAfterARestart: a racebot acknowledged a step
// and stopped part-way through it (before the post, or posted and before
// the completion). Slack, having had the acknowledgement, never delivers
// it again; racebot started again on the same database finishes it by
// itself: the check-in or the confirmation posted once, and the function
// completed once.
func TestWorkflowStepFinishedAfterARestart(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name, callback, stopsIn string
		checkin                 bool // a check-in open for the values
	}{
		{"check-in, stopped before the post", functionStartCheckin, "chat.postMessage", false},
		{"check-in, stopped before the completion", functionStartCheckin, "functions.completeSuccess", false},
		{"values, stopped before the confirmation", functionRecordValues, "chat.postMessage", true},
		{"values, stopped before the completion", functionRecordValues, "functions.completeSuccess", true},
		{"values without a check-in, stopped before the confirmation", functionRecordValues, "chat.postMessage", false},
		{"values without a check-in, stopped before the completion", functionRecordValues, "functions.completeSuccess", false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			clk := &clock{now: time.Now()}
			h := newHarness(t, func(c *setup) { c.Now = clk.Now })
			_, p, step := h.stepOverHTTP(tt.callback, "FxGONE", map[string]any{
				inputChannel: "C1", inputPlan: "Q1", inputValues: "visitors 12.4k", inputUser: "UANA",
			})
			thread := p.Thread
			if tt.checkin {
				_, opening := h.openCheckin(p)
				thread = opening.TS
			}
			h.stopMidStep(step, "FxGONE", tt.stopsIn)
			completions := len(h.fake.Calls("functions.completeSuccess"))

			clk.Add(time.Minute)
			restarted := h.startBot(botOptions{})
			h.fake.WaitFor(t, func() bool {
				e, _ := h.fake.Execution("FxGONE")
				return e.State == "completed"
			}, "the step completed by the restarted racebot")
			settle(t, restarted, h.fake)
			h.settle()
			if n := len(h.fake.Calls("functions.completeSuccess")) - completions; n != 1 {
				t.Errorf("the restarted racebot completed the step %d times, want 1", n)
			}
			if tt.callback == functionStartCheckin {
				if n := len(h.headers("C1", "KPI check-in")); n != 1 {
					t.Errorf("%d check-ins opened, want 1", n)
				}
				return
			}
			if n := h.countReplies("C1", thread, "From a workflow, for"); n != 1 {
				t.Errorf("%d confirmations in the thread, want 1", n)
				for _, m := range h.fake.Messages("C1") {
					t.Logf("%s %s %q", m.TS, m.ThreadTS, m.Text)
				}
			}
			ms, _ := h.db.Measurements(t.Context(), slackfake.TeamID, p.ID)
			if m := ms[p.KPIs[0].ID]; len(m) != 1 {
				t.Errorf("values = %+v, want one", m)
			}
		})
	}
}

// TestWorkflowValuesStepConfirmedOnceOnARedelivery: the "Record KPI
// values" step's racebot stopped before it confirmed the values, or after
// and before it completed the step; the step delivered again records
// nothing more, and confirms the values once in all.
func TestWorkflowValuesStepConfirmedOnceOnARedelivery(t *testing.T) {
	t.Parallel()
	for _, stopsIn := range []string{"chat.postMessage", "functions.completeSuccess"} {
		t.Run(stopsIn, func(t *testing.T) {
			h, clk, srv, p, step := anasValuesStep(t, "FxAGAIN")
			_, opening := h.openCheckin(p)
			h.stopMidStep(step, "FxAGAIN", stopsIn)
			clk.Add(time.Minute)

			if code := h.deliver(srv, step); code != http.StatusOK {
				t.Fatalf("the redelivery was answered %d", code)
			}
			h.fake.WaitFor(t, func() bool {
				e, _ := h.fake.Execution("FxAGAIN")
				return e.State == "completed"
			}, "the redelivered step completed")
			h.settle()
			if n := h.countReplies("C1", opening.TS, "From a workflow, for <@UANA>"); n != 1 {
				t.Errorf("%d confirmations in the check-in, want 1", n)
			}
			ms, _ := h.db.Measurements(t.Context(), slackfake.TeamID, p.ID)
			if m := ms[p.KPIs[0].ID]; len(m) != 1 {
				t.Errorf("values = %+v, want one", m)
			}
		})
	}
}

// TestWorkflowStepFinishedOnceByTwoRacebots: two racebots start on the
// database of one that stopped before completing a "Start a check-in"
// step, and both look for unfinished steps at once: one finishes it, and
// the step is completed once, with one check-in.
func TestWorkflowStepFinishedOnceByTwoRacebots(t *testing.T) {
	t.Parallel()
	clk := &clock{now: time.Now()}
	h := newHarness(t, func(c *setup) { c.Now = clk.Now })
	_, step := h.checkinStepOverHTTP("FxPAIR")
	h.stopMidStep(step, "FxPAIR", "functions.completeSuccess")
	completions := len(h.fake.Calls("functions.completeSuccess"))

	clk.Add(time.Minute)
	one, two := h.startBot(botOptions{}), h.startBot(botOptions{})
	h.fake.WaitFor(t, func() bool {
		e, _ := h.fake.Execution("FxPAIR")
		return e.State == "completed"
	}, "the step completed")
	// Both have swept once Start's ticks are past; a direct tick each
	// makes sure, and finds the step finished.
	one.stepTick(t.Context())
	two.stepTick(t.Context())
	settle(t, one, h.fake)
	settle(t, two, h.fake)
	if n := len(h.fake.Calls("functions.completeSuccess")) - completions; n != 1 {
		t.Errorf("the step was completed %d times, want 1", n)
	}
	if n := len(h.headers("C1", "KPI check-in")); n != 1 {
		t.Errorf("%d check-ins opened, want 1", n)
	}
}

// TestWorkflowStepsFinishedAreNotSwept: steps completed, one with its
// values and one with an error for a channel without a plan, are not run
// again by a later sweep: nothing posted, nothing completed again.
func TestWorkflowStepsFinishedAreNotSwept(t *testing.T) {
	t.Parallel()
	h, clk, srv, p, good := anasValuesStep(t, "FxDONE")
	bad := slackfake.EventBody(slackfake.FunctionExecuted{CallbackID: functionStartCheckin, ExecutionID: "FxBAD", EventID: "EvFxBAD", Inputs: map[string]any{inputChannel: "C9"}})
	h.fake.Executing("FxBAD")
	for _, body := range [][]byte{good, bad} {
		if code := h.deliver(srv, body); code != http.StatusOK {
			t.Fatalf("a delivery was answered %d", code)
		}
	}
	h.fake.WaitFor(t, func() bool {
		done, _ := h.fake.Execution("FxDONE")
		bad, _ := h.fake.Execution("FxBAD")
		return done.State == "completed" && bad.State == "failed"
	}, "the steps completed")
	h.settle()
	sweepCallsNothing(t, h, clk, "a sweep of finished steps")
	if n := h.countReplies("C1", p.Thread, "From a workflow, for <@UANA>"); n != 1 {
		t.Errorf("%d confirmations, want 1", n)
	}
}

// TestWorkflowValuesStepSlowConfirmationPostedOnce: Slack holds the
// confirmation of a "Record KPI values" step. Its run gives up within its
// bound, short of the step's lease, rather than posting after a sweep
// (here or in another racebot) has taken the step over, found no
// confirmation and posted one: the confirmation stands once. The bound
// runs out when the test says, once Slack holds the confirmation, and
// Slack drops it once it sees the run gone: let go before, it would post
// it after the run gave up, which no racebot can prevent.
func TestWorkflowValuesStepSlowConfirmationPostedOnce(t *testing.T) {
	t.Parallel()
	h, clk, _, p, step := anasValuesStep(t, "FxSLOW")
	bounds := &claimBounds{}
	first := h.startBot(botOptions{claims: bounds})
	if first.claimTimeout >= stepLease {
		t.Fatalf("a step's run is bounded by %v, not short of its lease, %v", first.claimTimeout, stepLease)
	}
	firstSrv := httptest.NewServer(first.HTTPHandler(secret))
	t.Cleanup(firstSrv.Close)
	release := h.fake.Hold("chat.postMessage")
	defer release()
	if code := h.deliver(firstSrv, step); code != http.StatusOK {
		t.Fatalf("the delivery was answered %d", code)
	}
	h.fake.WaitFor(t, func() bool { return h.fake.InFlight("chat.postMessage") > 0 }, "the confirmation waiting on Slack")
	bounds.expire()
	settle(t, first, h.fake)
	h.fake.WaitFor(t, func() bool { return h.fake.InFlight("chat.postMessage") == 0 }, "Slack seeing the first racebot give up")
	release()

	clk.Add(time.Minute)
	h.bot.stepTick(t.Context())
	h.fake.WaitFor(t, func() bool {
		e, _ := h.fake.Execution("FxSLOW")
		return e.State == "completed"
	}, "the step completed")
	h.settle()
	settle(t, first, h.fake)
	if n := h.countReplies("C1", p.Thread, "From a workflow, for <@UANA>"); n != 1 {
		t.Errorf("%d confirmations in the thread, want 1", n)
	}
}

// TestWorkflowValuesResumedAreDatedWhenGiven: a racebot accepted a
// "Record KPI values" step and failed before it recorded the values; the
// sweep of a racebot started an hour later records them. They were given
// when Slack ran the step, so they are dated then, and go to the check-in
// open then while it is the plan's latest (closed since, like a late reply
// in its thread), never to one opened after.
func TestWorkflowValuesResumedAreDatedWhenGiven(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name                     string
		openBefore, closeBetween bool // a check-in open when the step ran; closed before the sweep
		openBetween              bool // a check-in opened before the sweep
		wantCheckin              string
	}{
		{name: "check-in open", openBefore: true, wantCheckin: "before"},
		{name: "check-in closed since", openBefore: true, closeBetween: true, wantCheckin: "before"},
		{name: "check-in opened since", openBetween: true, wantCheckin: ""},
		{name: "no check-in", wantCheckin: ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			clk := &clock{now: time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC)}
			fs := &failingStore{}
			h := newHarness(t, func(s *setup) {
				fs.Store, s.Store = s.Store, fs
				s.Now, s.CheckinPoll = clk.Now, time.Hour
			})
			srv, p, step := h.stepOverHTTP(functionRecordValues, "FxLATE", map[string]any{
				inputChannel: "C1", inputPlan: "Q1", inputValues: "visitors 12.4k", inputUser: "UANA",
			})
			checkins := map[string]int64{"": 0}
			if tt.openBefore {
				checkins["before"], _ = h.openCheckin(p)
			}
			if tt.closeBetween {
				// Ran half an hour before the check-in was due to close.
				clk.Add(71*time.Hour + 30*time.Minute)
			}
			given := clk.Now()
			fs.measure.Store(1)
			if code := h.deliver(srv, step); code != http.StatusServiceUnavailable {
				t.Fatalf("the step whose values could not be written was answered %d", code)
			}
			h.settle()

			clk.Add(time.Hour)
			if tt.closeBetween {
				h.bot.checkinTick(t.Context())
				if c, err := h.db.CheckinByID(t.Context(), p.Team, checkins["before"]); err != nil || !c.Closed {
					t.Fatalf("check-in = %+v, %v; want it closed before the sweep", c, err)
				}
			}
			if tt.openBetween {
				checkins["after"], _ = h.openCheckin(p)
			}
			restarted := h.startBot(botOptions{})
			h.fake.WaitFor(t, func() bool {
				e, _ := h.fake.Execution("FxLATE")
				return e.State == "completed"
			}, "the step completed by the sweep")
			settle(t, restarted, h.fake)
			ms, _ := h.db.Measurements(t.Context(), slackfake.TeamID, p.ID)
			m := ms[p.KPIs[0].ID]
			if len(m) != 1 {
				t.Fatalf("values = %+v, want one", m)
			}
			if !m[0].At.Equal(given) {
				t.Errorf("the value is dated %s, want %s, when the step ran", m[0].At, given)
			}
			if want := checkins[tt.wantCheckin]; m[0].Checkin != want {
				t.Errorf("the value went to check-in %d, want %d (%q)", m[0].Checkin, want, tt.wantCheckin)
			}
		})
	}
}
