package bot

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/racebot/racebot/coach"
	"github.com/racebot/racebot/flows"
	"github.com/slack-go/slack"
)

// actionSetStatus is the action id of every control that sets an action's
// status: the buttons under a check-in's actions and the menu beside each
// action of the list. Its value (a button's, or the chosen option's) is
// "plan|action|status". The status the action had when the control was
// drawn is in the id of the control's block, "base|shown" (see
// shownBlockID): a racebot of the version before, still running while
// racebots are replaced one by one or after a rollback, reads the value
// and nothing else, and drops a value it cannot read without a word.
const actionSetStatus = "race_action_status"

// Block Kit budgets for actions: a check-in shows a few due actions with
// a row of buttons each; the list gives each action one section.
const (
	maxDueButtons    = 10
	maxListedActions = maxBlocks - 4
	maxButtonLabel   = 75
)

func statusValue(p *flows.Plan, a flows.Action, st flows.ActionStatus) string {
	return fmt.Sprintf("%d|%d|%s", p.ID, a.ID, st)
}

// shownBlockID is the id of the block holding an action's status
// controls: unique in its message, as ids.next makes it, and saying the
// status the controls were drawn with.
func shownBlockID(ids blockIDs, base string, a flows.Action) string {
	return ids.next(base) + "|" + string(a.State())
}

// shownIn reads the status a control was drawn with from its block's id;
// it is empty for a block drawn before ids said it.
func shownIn(blockID string) flows.ActionStatus {
	_, was, ok := strings.Cut(blockID, "|")
	if !ok {
		return ""
	}
	st, _ := flows.ParseActionStatus(was)
	return st
}

// parseStatusValue reads a status control's value. shown is what a value
// drawn as "plan|action|status|shown" says (for a while values said it
// themselves), and empty for any other.
func parseStatusValue(v string) (plan flows.PlanID, action int64, st, shown flows.ActionStatus, ok bool) {
	plan, rest, ok := parsePlanValue(v)
	if !ok {
		return 0, 0, "", "", false
	}
	id, rest, ok := strings.Cut(rest, "|")
	n, err := strconv.ParseInt(id, 10, 64)
	word, was, _ := strings.Cut(rest, "|")
	st, known := flows.ParseActionStatus(word)
	if was != "" {
		var read bool
		shown, read = flows.ParseActionStatus(was)
		known = known && read
	}
	if !ok || err != nil || n <= 0 || !known {
		return 0, 0, "", "", false
	}
	return plan, n, st, shown, true
}

// statusLabels are the words on the controls that move an action to a
// status.
var statusLabels = map[flows.ActionStatus]string{
	flows.ActionOpen:    "Reopen",
	flows.ActionDoing:   "Under way",
	flows.ActionDone:    "Done",
	flows.ActionDropped: "Drop",
}

// actionListBlocks renders the action list one section per action, each
// with a menu of the statuses it can move to.
func actionListBlocks(ids blockIDs, p *flows.Plan, r flows.Reply, text string) []slack.Block {
	if p == nil || len(r.Lines) == 0 || len(r.Lines) != len(p.Actions) {
		return sections(ids, "actions-list", text)
	}
	head, _, _ := strings.Cut(text, "\n")
	blocks := sections(ids, "actions-list", head)
	for i, a := range p.Actions {
		if i == maxListedActions {
			blocks = append(blocks, contextBlock(ids, "actions-more", fmt.Sprintf("…and %d more.", len(p.Actions)-i)))
			break
		}
		var opts []*slack.OptionBlockObject
		for _, st := range flows.ActionStatuses {
			if st == a.State() || a.ID == 0 {
				continue
			}
			opts = append(opts, slack.NewOptionBlockObject(statusValue(p, a, st),
				slack.NewTextBlockObject(slack.PlainTextType, statusLabels[st], false, false), nil))
		}
		var acc *slack.Accessory
		if len(opts) > 0 {
			acc = slack.NewAccessory(slack.NewOverflowBlockElement(actionSetStatus, opts...))
		}
		blocks = append(blocks, slack.NewSectionBlock(slack.NewTextBlockObject(slack.MarkdownType, truncate(mrkdwn(r.Lines[i]), maxSectionText), false, false), nil, acc,
			slack.SectionBlockOptionBlockID(shownBlockID(ids, "action", a))))
	}
	return blocks
}

// checkinOpening is a check-in's opening message, with a row of status
// buttons under each action due.
func checkinOpening(p *flows.Plan, opening flows.Msg, due []flows.Action) message {
	m := msgMessage("checkin", opening)
	if len(due) == 0 {
		return m
	}
	ids := blockIDs{"checkin": len(m.Blocks)}
	for _, a := range due[:min(len(due), maxDueButtons)] {
		var buttons []slack.BlockElement
		for _, st := range []flows.ActionStatus{flows.ActionDone, flows.ActionDoing, flows.ActionDropped} {
			if st == a.State() {
				continue
			}
			label := truncatePlain(statusLabels[st]+": "+plainUserText(a.Text), maxButtonLabel)
			buttons = append(buttons, button(actionSetStatus, label, statusValue(p, a, st), ""))
		}
		m.Blocks = append(m.Blocks, slack.NewActionBlock(shownBlockID(ids, "due-action", a), buttons...))
	}
	return m
}

// setActionStatus handles a status button or menu. A press on a shared
// message (a check-in) is answered in its thread for the team; one on
// the list shown only to its reader updates that list and tells the plan's
// thread.
func (b *Bot) setActionStatus(ctx context.Context, team string, cb slack.InteractionCallback, a *slack.BlockAction) {
	value := a.Value
	if a.SelectedOption.Value != "" {
		value = a.SelectedOption.Value
	}
	plan, action, st, shown, ok := parseStatusValue(value)
	if !ok {
		return
	}
	if shown == "" {
		shown = shownIn(a.BlockID)
	}
	user := cb.User.ID
	req := coach.Request{Team: team, Channel: cb.Channel.ID, User: user, Now: b.now(), Plan: plan, Key: actionKey(a, user)}
	resp, err := b.svc.SetActionStatus(ctx, req, action, st, shown)
	if err != nil {
		b.tellAfter(cb, b.explain(planErr(err), "action status"))
		return
	}
	if resp.Duplicate {
		return
	}
	if cb.Container.IsEphemeral || cb.Message.Timestamp == "" {
		list := flows.ActionListReply(resp.Plan, b.now())
		b.later(ctx, "update action list", func(ctx context.Context) {
			b.replaceWith(ctx, cb.ResponseURL, renderReplies(resp.Plan, []flows.Reply{list}))
			if resp.Changed {
				b.postToPlan(resp.Plan, cb.User.ID, resp.Replies, nil)
				return
			}
			// Nothing changed (the action had that status, or someone
			// else set another since the list was drawn): the list now
			// shows the status, the note says why.
			for _, r := range resp.Replies {
				b.respond(ctx, cb.ResponseURL, r.Msg)
			}
		})
		return
	}
	if !resp.Changed {
		// The action had that status already (another press of the
		// same button, or a status set elsewhere, told in the plan's
		// thread), or someone else set another since the buttons were
		// drawn: this press changed nothing, which only its presser
		// needs to hear.
		for _, r := range resp.Replies {
			b.tellAfter(cb, r.Msg)
		}
		return
	}
	thread := cb.Message.ThreadTimestamp
	if thread == "" {
		thread = cb.Message.Timestamp
	}
	channel := cb.Channel.ID
	if channel == "" {
		channel = resp.Plan.Channel
	}
	b.later(ctx, "post action status", func(ctx context.Context) {
		if _, err := b.poster.post(ctx, channel, thread, renderReplies(resp.Plan, resp.Replies)); err != nil {
			b.failed(ctx, "post action status", err, "plan", plan)
		}
	})
}

// replaceWith replaces the message a response_url belongs to, blocks and
// all.
func (b *Bot) replaceWith(ctx context.Context, url string, m message) {
	if url == "" {
		return
	}
	err := slack.PostWebhookContext(ctx, url, &slack.WebhookMessage{Text: truncate(m.Text, maxFallback), Blocks: &slack.Blocks{BlockSet: m.Blocks}, ReplaceOriginal: true})
	if err != nil {
		b.log.Warn("replace via response_url", "err", err)
	}
}
