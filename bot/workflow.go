package bot

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/racebot/racebot/coach"
	"github.com/racebot/racebot/flows"
	"github.com/racebot/racebot/markup"
	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
)

// Workflow Builder steps: custom functions declared in the manifests'
// functions section under these callback ids, with these inputs.
const (
	functionRecordValues = "record_kpi_values"
	functionStartCheckin = "start_checkin"

	inputChannel = "channel_id" // slack#/types/channel_id: the plan's channel
	inputPlan    = "plan"       // the plan's name; the channel's current plan when empty
	inputValues  = "values"     // "visitors 12.4k, leads 310"
	inputUser    = "user_id"    // slack#/types/user_id: whose values they are

	outputRecorded = "recorded" // what record_kpi_values recorded, in words
	outputPlan     = "plan"     // the plan start_checkin checked in on
)

// functionExecuted runs a workflow step and completes it with
// functions.completeSuccess or functions.completeError after the
// acknowledgement. Slack delivers the event until it is acknowledged and
// never after, so the step is recorded first: a racebot that stops before
// completing it leaves it to stepTick, here or in another racebot. The
// function execution's id is the delivery key, so a redelivered or resumed
// step records or posts nothing twice; it still completes the step, which
// the first run may not have reached.
func (b *Bot) functionExecuted(ctx context.Context, team string, ev *slackevents.FunctionExecutedEvent) error {
	switch ev.Function.CallbackID {
	case functionRecordValues, functionStartCheckin:
	default:
		return nil
	}
	inputs := map[string]string{}
	for _, name := range []string{inputChannel, inputPlan, inputValues, inputUser} {
		if v := input(ev, name); v != "" {
			inputs[name] = v
		}
	}
	st, err := b.svc.AcceptStep(ctx, coach.Step{Team: team, Execution: ev.FunctionExecutionID, Function: ev.Function.CallbackID, Inputs: inputs, AcceptedAt: b.now()})
	if err != nil {
		return fmt.Errorf("workflow step: %w", err)
	}
	return b.runStep(ctx, st)
}

// stepLease is how long a racebot running a workflow step keeps others
// from running it, on a redelivery or a sweep: past its run, which
// claimTimeout bounds, and short of the minute after which Slack retries
// a delivery a second time, so a racebot that stopped mid-step leaves it
// to that retry or to the next sweep.
const stepLease = 30 * time.Second

// runStep runs a step not finished yet, unless another run, here or in
// another racebot, holds it: two at once would each find nothing posted
// and both post. The lease is not held for good: a racebot that stopped
// mid-step leaves it to a later run, which finds what the earlier one
// recorded and posted before posting anything again.
func (b *Bot) runStep(ctx context.Context, st coach.Step) error {
	if !st.FinishedAt.IsZero() {
		return nil
	}
	held, err := b.svc.Lease(ctx, st.Team, "step:"+st.Execution, stepLease, b.now())
	if err != nil {
		return fmt.Errorf("workflow step: %w", err)
	}
	if !held {
		return nil
	}
	switch st.Function {
	case functionRecordValues:
		return b.recordValuesStep(ctx, st)
	case functionStartCheckin:
		return b.startCheckinStep(ctx, st)
	}
	return nil
}

// stepLater runs the part of a step after the acknowledgement within
// claimTimeout, well inside its lease: a run that went on past the lease
// could post what the run that took the step over found missing and
// posted already.
func (b *Bot) stepLater(ctx context.Context, what string, fn func(context.Context)) {
	b.later(ctx, what, func(ctx context.Context) {
		ctx, cancel := b.claimBound(ctx)
		defer cancel()
		fn(ctx)
	})
}

// stepTick finishes the steps accepted, here or by another racebot, and
// not finished: their racebot stopped before completing them, and Slack
// will not deliver them again. Steps no sweep finished within a day are
// given up (see giveUpStep).
func (b *Bot) stepTick(ctx context.Context) {
	now := b.now()
	steps, err := b.svc.UnfinishedSteps(ctx, now.Add(-stepLease), now)
	if err != nil {
		if ctx.Err() == nil {
			b.log.Error("list workflow steps", "err", err)
		}
		return
	}
	for _, st := range steps {
		if ctx.Err() != nil {
			return
		}
		if err := b.runStep(withTeam(ctx, "", st.Team), st); err != nil && ctx.Err() == nil {
			b.log.Warn("resume workflow step", "execution", st.Execution, "err", err)
		}
	}
	expired, err := b.svc.ExpiredSteps(ctx, now)
	if err != nil {
		if ctx.Err() == nil {
			b.log.Error("list expired workflow steps", "err", err)
		}
		return
	}
	for _, st := range expired {
		if ctx.Err() != nil {
			return
		}
		b.giveUpStep(withTeam(ctx, "", st.Team), st)
	}
}

// giveUpStep ends the run of a step no sweep finished within
// coach.StepsResumed (its check-in may be posted but could not be looked
// for, its error did not get through), rather than drop it and leave the
// run "in progress" at Slack for ever with nothing to tell its owner. Only
// the error is sent, nothing is posted: what the step did may stand in the
// channel already. An error that does not get through either is sent
// again by the next sweep, for a day more.
func (b *Bot) giveUpStep(ctx context.Context, st coach.Step) {
	held, err := b.svc.Lease(ctx, st.Team, "step:"+st.Execution, stepLease, b.now())
	if err != nil || !held {
		if err != nil {
			b.log.Warn("give up workflow step", "execution", st.Execution, "err", err)
		}
		return
	}
	ctx, cancel := b.claimBound(ctx)
	defer cancel()
	if b.now().After(st.AcceptedAt.Add(2 * coach.StepsResumed)) {
		// A day of sweeps could not get the error through either (Slack
		// failing all along): the step is left, rather than sent again
		// each minute for as long as it is kept.
		b.log.Error("workflow step not finished within two days: left without ending its run", "execution", st.Execution, "function", st.Function, "team", st.Team)
		if err := b.svc.FinishStep(ctx, st.Team, st.Execution, b.now()); err != nil {
			b.log.Warn("leave workflow step", "execution", st.Execution, "err", err)
		}
		return
	}
	b.log.Warn("workflow step not finished within a day: ending its run with an error", "execution", st.Execution, "function", st.Function, "team", st.Team)
	b.errorStep(ctx, st, givenUpReason(st))
}

// givenUpReason tells a workflow's owner, at Slack, why a step given up
// failed and what to check before running the workflow again, which
// would do the step's work a second time.
func givenUpReason(st coach.Step) string {
	switch st.Function {
	case functionRecordValues:
		return "racebot could not confirm within a day whether these values were recorded; check the plan's check-in in its channel before running the workflow again."
	case functionStartCheckin:
		return "racebot could not confirm within a day whether the check-in was posted; look in the plan's channel before running the workflow again."
	}
	return "racebot could not finish this step within a day; check the plan's channel before running the workflow again."
}

// input reads a step's input as text.
func input(ev *slackevents.FunctionExecutedEvent, name string) string {
	switch v := ev.Inputs[name].(type) {
	case nil:
		return ""
	case string:
		return strings.TrimSpace(v)
	default:
		return strings.TrimSpace(fmt.Sprint(v))
	}
}

// stepPlan finds the plan a step names: by name in its channel, or the
// channel's current plan.
func (b *Bot) stepPlan(ctx context.Context, st coach.Step) (*flows.Plan, error) {
	channel, name := st.Inputs[inputChannel], st.Inputs[inputPlan]
	plans, current, err := b.svc.ChannelPlans(ctx, st.Team, channel)
	if err != nil {
		return nil, err
	}
	for _, p := range plans {
		if (name == "" && p.ID == current) || (name != "" && strings.EqualFold(plainUserText(p.Name), name)) {
			return p, nil
		}
	}
	if name != "" {
		return nil, flows.UserErrorf(flows.ErrNoPlan, "There is no plan called %q in that channel.", flows.User(name))
	}
	return nil, flows.UserErrorf(flows.ErrNoPlan, "That channel has no plan; start one with %s there.", flows.Cmd("new <name>"))
}

func (b *Bot) recordValuesStep(ctx context.Context, st coach.Step) error {
	p, err := b.stepPlan(ctx, st)
	if err != nil {
		return b.failStep(ctx, err, st)
	}
	user := st.Inputs[inputUser]
	if user == "" {
		return b.failStep(ctx, flows.UserErrorf(flows.ErrBadInput, "Say whose values these are: the step needs a person."), st)
	}
	// The values were given when Slack ran the step, which the sweep after
	// a restart may resume much later: they are dated then, and go to the
	// check-in open then.
	given := st.AcceptedAt
	if given.IsZero() {
		given = b.now()
	}
	req := coach.Request{Team: st.Team, Channel: p.Channel, User: user, Now: given, Plan: p.ID, Key: "function:" + st.Execution}
	a, err := b.svc.RecordValues(ctx, req, string(markup.FromPlain(st.Inputs[inputValues])))
	if err != nil {
		return b.failStep(ctx, err, st)
	}
	recorded := ""
	for _, r := range a.Replies {
		recorded += plainText(r.Msg)
	}
	replies := append([]flows.Reply{{Kind: flows.ReplyNote, Msg: flows.Sayf("From a workflow, for %s:", flows.Person(user))}}, a.Replies...)
	b.stepLater(ctx, "workflow step", func(ctx context.Context) {
		b.confirmStepValues(ctx, st, a, replyKey(req.Key), renderReplies(a.Plan, replies))
		if c := a.Checkin; c.ID != 0 {
			// Again on a redelivery too: the first run may have stopped
			// before it refreshed the summary.
			b.refreshSummary(ctx, c)
		}
		b.completeStep(ctx, st, map[string]string{outputRecorded: recorded})
	})
	return nil
}

// confirmStepValues posts what a step recorded under key: in the plan's
// open check-in, else in the plan's thread. A step's values recorded by an
// earlier run (a redelivery, or a racebot that stopped mid-step) were
// perhaps confirmed by it already; the confirmation is looked for first,
// and nothing is posted when the thread cannot be read.
func (b *Bot) confirmStepValues(ctx context.Context, st coach.Step, a coach.Response, key string, m message) {
	channel, thread := a.Checkin.Channel, a.Checkin.Thread
	if a.Checkin.ID == 0 {
		ts, err := b.ensureThread(ctx, a.Plan)
		if err != nil {
			b.failed(ctx, "workflow values: plan thread", err, "plan", a.Plan.ID)
			return
		}
		channel, thread = a.Plan.Channel, ts
	}
	if a.Duplicate {
		_, found, err := b.poster.find(ctx, channel, thread, key, st.AcceptedAt.Add(-lookBack))
		if err != nil {
			b.failed(ctx, "workflow values: look for the confirmation", err, "plan", a.Plan.ID)
			return
		}
		if found {
			return
		}
	}
	if _, err := b.poster.postOnce(ctx, channel, thread, key, m); err != nil {
		b.log.Warn("workflow values: confirm", "err", err)
	}
}

func (b *Bot) startCheckinStep(ctx context.Context, st coach.Step) error {
	p, err := b.stepPlan(ctx, st)
	if err != nil {
		return b.failStep(ctx, err, st)
	}
	b.stepLater(ctx, "workflow check-in", func(ctx context.Context) {
		if _, err := b.OpenCheckin(ctx, st.Team, p.ID, "workflow:"+st.Execution, false, 0); err != nil {
			b.log.Error("workflow check-in", "plan", p.ID, "err", err)
			if errors.Is(err, ErrMaybePosted) {
				// The check-in may stand in the channel unrecorded: an
				// error would have it run again beside a second one. The
				// sweep opens the same occurrence, which looks for it.
				return
			}
			b.errorStep(ctx, st, "The check-in could not be posted; try running the workflow again.")
			return
		}
		b.completeStep(ctx, st, map[string]string{outputPlan: plainUserText(p.Name)})
	})
	return nil
}

// failStep completes a step with the reason a person can act on, after
// the acknowledgement; an error that may pass is returned, so Slack
// delivers the event again (and the step stays for the sweep).
func (b *Bot) failStep(ctx context.Context, err error, st coach.Step) error {
	if !isUserError(err) {
		return fmt.Errorf("workflow step: %w", err)
	}
	b.stepLater(ctx, "workflow step failed", func(ctx context.Context) { b.errorStep(ctx, st, plainText(flows.Explain(err))) })
	return nil
}

func (b *Bot) completeStep(ctx context.Context, st coach.Step, outputs map[string]string) {
	err := b.slack(ctx).FunctionCompleteSuccessContext(ctx, st.Execution, slack.FunctionCompleteSuccessRequestOptionOutput(outputs))
	if err != nil && !completedAlready(err) && declinedForGood(err) && !b.left(ctx, err) {
		b.refusedStep(ctx, st, err)
		return
	}
	b.stepCompleted(ctx, err, st)
}

func (b *Bot) errorStep(ctx context.Context, st coach.Step, reason string) {
	b.stepCompleted(ctx, b.slack(ctx).FunctionCompleteErrorContext(ctx, st.Execution, reason), st)
}

// refusedStep ends with an error the run of a step whose result Slack
// declined for good: given up without a word, it would stay "in
// progress" at Slack for ever, with nothing to tell its owner why. An
// error declined too is given up; one that did not get through (a 5xx, a
// lost connection) leaves the step to the sweep, which has the result
// declined again and sends the error once more.
func (b *Bot) refusedStep(ctx context.Context, st coach.Step, refusal error) {
	b.log.Error("complete workflow step: refused; ending the run with an error", "execution", st.Execution, "function", st.Function, "err", refusal)
	b.stepCompleted(ctx, b.slack(ctx).FunctionCompleteErrorContext(ctx, st.Execution, refusedReason(st, refusal)), st)
}

// refusedReason tells a workflow's owner, at Slack, why a step whose
// result Slack refused failed: its work is done (running the workflow
// again does it again), and the step's outputs are where to look.
func refusedReason(st coach.Step, refusal error) string {
	done := "racebot did its part"
	switch st.Function {
	case functionRecordValues:
		done = "racebot recorded the values"
	case functionStartCheckin:
		done = "racebot started the check-in"
	}
	var se slack.SlackErrorResponse
	errors.As(refusal, &se)
	return fmt.Sprintf("%s, but Slack refused the step's result (%s); check the step's outputs in Workflow Builder.", done, se.Err)
}

// stepCompleted records a step completed, so nobody runs it again, or
// logs a completion that failed, leaving the step for the sweep. One that
// finds the step completed already (by an earlier run) is expected. One
// Slack declines for good, or of a workspace that removed racebot, is
// given up: each sweep for a day would run the step again to be declined
// again.
func (b *Bot) stepCompleted(ctx context.Context, err error, st coach.Step) {
	switch {
	case err == nil:
	case completedAlready(err):
		b.log.Debug("workflow step completed already", "execution", st.Execution)
	case b.left(ctx, err) || declinedForGood(err):
		b.failed(ctx, "complete workflow step: given up", err, "execution", st.Execution)
	default:
		b.failed(ctx, "complete workflow step", err, "execution", st.Execution)
		return
	}
	b.finishStep(ctx, st)
}

// finishStep records a step completed at Slack, or given up, even while
// shutting down: otherwise the next sweep runs the step once more for
// nothing.
func (b *Bot) finishStep(ctx context.Context, st coach.Step) {
	if err := b.svc.FinishStep(context.WithoutCancel(ctx), st.Team, st.Execution, b.now()); err != nil {
		b.log.Warn("workflow step: record finished", "execution", st.Execution, "err", err)
	}
}

// completedAlready reports a completion that finds the step's run ended,
// by an earlier completion: Slack's docs give function_execution_not_found
// as the typical answer for an execution completed and gone, and
// execution_not_in_running_state for one not running any more.
func completedAlready(err error) bool {
	return slackRefusal(err, "execution_not_in_running_state", "function_execution_not_found")
}

// declinedForGood reports a completion Slack refused that it will refuse
// again. A failed authentication is not one: a renewed token, or the
// workspace found gone (Bot.left), decides it.
func declinedForGood(err error) bool {
	var se slack.SlackErrorResponse
	if !refused(err) || !errors.As(err, &se) {
		return false
	}
	switch se.Err {
	case "ratelimited", "invalid_auth", "not_authed", "token_expired", "token_revoked", "account_inactive", "team_not_found":
		return false
	}
	return true
}
