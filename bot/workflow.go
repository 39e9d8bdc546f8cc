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
// acknowledgement. The function execution's id is the delivery key, so a
// redelivered event records or posts nothing twice; it still completes the
// step, which the first delivery may not have reached.
func (b *Bot) functionExecuted(ctx context.Context, team string, ev *slackevents.FunctionExecutedEvent) error {
	switch ev.Function.CallbackID {
	case functionRecordValues:
		return b.recordValuesStep(ctx, team, ev)
	case functionStartCheckin:
		return b.startCheckinStep(ctx, team, ev)
	}
	return nil
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
func (b *Bot) stepPlan(ctx context.Context, team string, ev *slackevents.FunctionExecutedEvent) (*flows.Plan, error) {
	channel, name := input(ev, inputChannel), input(ev, inputPlan)
	plans, current, err := b.svc.ChannelPlans(ctx, team, channel)
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

func (b *Bot) recordValuesStep(ctx context.Context, team string, ev *slackevents.FunctionExecutedEvent) error {
	execution := ev.FunctionExecutionID
	p, err := b.stepPlan(ctx, team, ev)
	if err != nil {
		return b.failStep(ctx, err, execution)
	}
	user := input(ev, inputUser)
	if user == "" {
		return b.failStep(ctx, flows.UserErrorf(flows.ErrBadInput, "Say whose values these are: the step needs a person."), execution)
	}
	req := coach.Request{Team: team, Channel: p.Channel, User: user, Now: b.now(), Plan: p.ID, Key: "function:" + execution}
	a, err := b.svc.RecordValues(ctx, req, string(markup.FromPlain(input(ev, inputValues))))
	if err != nil {
		return b.failStep(ctx, err, execution)
	}
	recorded := ""
	for _, r := range a.Replies {
		recorded += plainText(r.Msg)
	}
	replies := append([]flows.Reply{{Kind: flows.ReplyNote, Msg: flows.Sayf("From a workflow, for %s:", flows.Person(user))}}, a.Replies...)
	if !a.Duplicate && a.Checkin.ID == 0 {
		b.postToPlan(a.Plan, user, replies, nil)
	}
	b.later(ctx, "workflow step", func(ctx context.Context) {
		if c := a.Checkin; !a.Duplicate && c.ID != 0 {
			if _, err := b.poster.postOnce(ctx, c.Channel, c.Thread, replyKey(req.Key), renderReplies(a.Plan, replies)); err != nil {
				b.log.Warn("workflow values: confirm", "err", err)
			}
			b.refreshSummary(ctx, c)
		}
		b.completeStep(ctx, execution, map[string]string{outputRecorded: recorded})
	})
	return nil
}

// stepLease is how long a racebot running a workflow step keeps others
// from running it on a redelivery: past its run, which claimTimeout
// bounds, and short of the minute after which Slack retries a delivery a
// second time, so a racebot that stopped mid-step leaves it to that retry.
const stepLease = 30 * time.Second

func (b *Bot) startCheckinStep(ctx context.Context, team string, ev *slackevents.FunctionExecutedEvent) error {
	execution := ev.FunctionExecutionID
	p, err := b.stepPlan(ctx, team, ev)
	if err != nil {
		return b.failStep(ctx, err, execution)
	}
	// A delivery while another, here or in another racebot, runs the step
	// leaves it to that one: two at once would each find no opening in
	// the channel and both post one. The lease is not held for good: a
	// racebot that stopped mid-step leaves it to a later redelivery, which
	// finds the check-in again by its occurrence and what the earlier run
	// posted before posting anything again.
	held, err := b.svc.Lease(ctx, team, "step:"+execution, stepLease, b.now())
	if err != nil {
		return fmt.Errorf("workflow step: %w", err)
	}
	if !held {
		return nil
	}
	b.later(ctx, "workflow check-in", func(ctx context.Context) {
		if _, err := b.OpenCheckin(ctx, team, p.ID, "workflow:"+execution, false, 0); err != nil {
			b.log.Error("workflow check-in", "plan", p.ID, "err", err)
			b.errorStep(ctx, execution, "The check-in could not be posted; try running the workflow again.")
			return
		}
		b.completeStep(ctx, execution, map[string]string{outputPlan: plainUserText(p.Name)})
	})
	return nil
}

// failStep completes a step with the reason a person can act on, after
// the acknowledgement; an error that may pass is returned, so Slack
// delivers the event again.
func (b *Bot) failStep(ctx context.Context, err error, execution string) error {
	if !isUserError(err) {
		return fmt.Errorf("workflow step: %w", err)
	}
	b.later(ctx, "workflow step failed", func(ctx context.Context) { b.errorStep(ctx, execution, plainText(flows.Explain(err))) })
	return nil
}

func (b *Bot) completeStep(ctx context.Context, execution string, outputs map[string]string) {
	err := b.slack(ctx).FunctionCompleteSuccessContext(ctx, execution, slack.FunctionCompleteSuccessRequestOptionOutput(outputs))
	b.logStep(ctx, err, execution)
}

func (b *Bot) errorStep(ctx context.Context, execution, reason string) {
	b.logStep(ctx, b.slack(ctx).FunctionCompleteErrorContext(ctx, execution, reason), execution)
}

// logStep logs a completion that failed. One that finds the step
// completed already (a redelivered event) is expected: Slack's docs give
// function_execution_not_found as the typical answer for an execution
// completed and gone, and execution_not_in_running_state for one not
// running any more.
func (b *Bot) logStep(ctx context.Context, err error, execution string) {
	var se slack.SlackErrorResponse
	switch {
	case err == nil:
	case errors.As(err, &se) && (se.Err == "execution_not_in_running_state" || se.Err == "function_execution_not_found"):
		b.log.Debug("workflow step completed already", "execution", execution)
	default:
		b.failed(ctx, "complete workflow step", err, "execution", execution)
	}
}
