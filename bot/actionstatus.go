package bot

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"

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
		m.Blocks = append(m.Blocks, dueActionRow(p, a, ids.next("due-action")))
	}
	return m
}

// dueActionRow is the row of status buttons under an action a check-in
// asks about; base is its block's id, unique in the message, which the
// row's id extends with the status the buttons are drawn with.
func dueActionRow(p *flows.Plan, a flows.Action, base string) *slack.ActionBlock {
	var buttons []slack.BlockElement
	for _, st := range []flows.ActionStatus{flows.ActionDone, flows.ActionDoing, flows.ActionDropped} {
		if st == a.State() {
			continue
		}
		label := truncatePlain(statusLabels[st]+": "+plainUserText(a.Text), maxButtonLabel)
		buttons = append(buttons, button(actionSetStatus, label, statusValue(p, a, st), ""))
	}
	return slack.NewActionBlock(base+"|"+string(a.State()), buttons...)
}

// withStatuses redraws the rows of status buttons in blocks (a check-in's
// opening, as Slack sent it with a press) with the statuses p's actions
// have now; a row of an action no longer in p goes. The rest stays as it
// was drawn. shown names the statuses drawn, one per row, and is empty
// when blocks have no such rows.
func withStatuses(p *flows.Plan, blocks []slack.Block) (out []slack.Block, shown string) {
	var drawn strings.Builder
	for _, bl := range blocks {
		row, ok := bl.(*slack.ActionBlock)
		if !ok || len(row.Elements.ElementSet) == 0 {
			out = append(out, bl)
			continue
		}
		first, ok := row.Elements.ElementSet[0].(*slack.ButtonBlockElement)
		if !ok || first.ActionID != actionSetStatus {
			out = append(out, bl)
			continue
		}
		_, id, _, _, ok := parseStatusValue(first.Value)
		if !ok {
			out = append(out, bl)
			continue
		}
		i := slices.IndexFunc(p.Actions, func(a flows.Action) bool { return a.ID == id })
		if i < 0 {
			fmt.Fprintf(&drawn, "%d=gone;", id)
			continue
		}
		base, _, _ := strings.Cut(row.BlockID, "|")
		out = append(out, dueActionRow(p, p.Actions[i], base))
		fmt.Fprintf(&drawn, "%d=%s;", id, p.Actions[i].State())
	}
	return out, drawn.String()
}

// redrawStatuses redraws the status buttons of a check-in's opening
// (channel, ts; m as Slack sent it with a press) after a press, with the
// statuses as they stand: buttons still showing the status a press found
// changed would mislead the next person too.
func (b *Bot) redrawStatuses(ctx context.Context, team string, plan flows.PlanID, channel, ts string, m slack.Msg) {
	b.redrawInTurn(ctx, channel+"/"+ts, "", "redraw status buttons", plan, maxStatusRedraws, func(ctx context.Context) (string, message, error) {
		p, err := b.svc.PlanNow(ctx, team, plan)
		if err != nil {
			return "", message{}, err
		}
		// No buttons to redraw (shown is empty) on a list's menus, or a
		// message whose blocks did not come with the press: sending back
		// what came would only rewrite it with slack-go's reading of it.
		blocks, shown := withStatuses(p, m.Blocks.BlockSet)
		return shown, message{Text: m.Text, Blocks: blocks}, nil
	}, func(ctx context.Context, _ string, m message) error {
		return b.poster.update(ctx, channel, ts, m)
	})
}

// redrawList redraws the action list shown to its reader alone (key
// names it) after a press on it, with the statuses as they stand, through
// url, the press's response_url.
func (b *Bot) redrawList(ctx context.Context, team string, plan flows.PlanID, key, url string) {
	b.redrawInTurn(ctx, key, url, "update action list", plan, maxListRedraws, func(ctx context.Context) (string, message, error) {
		p, err := b.svc.PlanNow(ctx, team, plan)
		if err != nil {
			return "", message{}, err
		}
		var shown strings.Builder
		for _, a := range p.Actions {
			fmt.Fprintf(&shown, "%d=%s;", a.ID, a.State())
		}
		return "list:" + shown.String(), renderReplies(p, []flows.Reply{flows.ActionListReply(p, b.now())}), nil
	}, func(ctx context.Context, url string, m message) error {
		return b.replaceWith(ctx, url, m)
	})
}

// listKey names, for its redraws' turns, the list a press was on: a list
// shown to one person alone is told apart by the person, its channel and
// its ts. A press that came without the list's ts has its list to itself.
func listKey(cb slack.InteractionCallback) string {
	ts := cmp.Or(cb.Container.MessageTs, cb.Message.Timestamp)
	if ts == "" {
		return "list " + cb.ResponseURL
	}
	return "list " + cb.Channel.ID + "/" + cb.User.ID + "/" + ts
}

// redrawInTurn redraws a message after a press on its status controls:
// look reads what it should show now, named by shown ("" when it has
// nothing to redraw), and draw puts that in place through at, the way to
// reach the message the newest press on it brought ("" for a message
// reached by its channel and ts); bound is how many drawings each round
// may make.
//
// Two presses at once each ask for a redraw, and the one that read the
// plan first may reach Slack last; so one message's redraws (key) take
// turns, and one asked for while another runs is folded into one more run
// after it, as a summary's refreshes are (see refreshSummary), through the
// newest at. Another racebot takes no such turns: after a drawing lands,
// the plan is read again, and drawn again if its statuses moved
// meanwhile.
func (b *Bot) redrawInTurn(ctx context.Context, key, at, what string, plan flows.PlanID, bound int,
	look func(ctx context.Context) (shown string, m message, err error),
	draw func(ctx context.Context, at string, m message) error) {
	if !b.statusRedraws.begin(key, at) {
		return
	}
	drawn := "-" // nothing drawn yet: no statuses name it
	for tries := 0; ; {
		shown, m, err := look(ctx)
		if err != nil {
			b.log.Warn(what+": plan", "plan", plan, "err", err)
			b.statusRedraws.end(key)
			return
		}
		if shown == "" {
			b.statusRedraws.end(key)
			return
		}
		if shown != drawn && tries < bound {
			tries++
			if err := draw(ctx, at, m); err != nil {
				b.log.Warn(what, "plan", plan, "err", err)
				b.statusRedraws.end(key)
				return
			}
			drawn = shown
			continue // read again: another racebot may have moved it meanwhile
		}
		var again bool
		if at, again = b.statusRedraws.again(key, at); !again {
			return
		}
		// A press asked for this round: it has drawings of its own, or
		// one landing after the bound is spent would stay undrawn.
		tries = 0
	}
}

// maxStatusRedraws bounds the drawings of one message's turn after a
// press, while presses on other racebots keep moving its statuses (they
// have their own); each press here asks for a turn with the full bound.
const maxStatusRedraws = 5

// maxListRedraws bounds a round's drawings of an action list: each goes
// through one press's response_url, which Slack takes only five posts
// through, and that press's note (the status it found) needs one of them.
// A round after the first goes through a newer press's response_url.
const maxListRedraws = maxStatusRedraws - 1

// redrawTurns tracks the messages whose status controls are being
// redrawn, whether another redraw was asked for meanwhile, and the way to
// reach the message the newest press brought.
type redrawTurns struct {
	mu      sync.Mutex
	running map[string]bool   // key -> asked for again
	newest  map[string]string // key -> at, of a press asking meanwhile
}

// begin reports whether the caller should redraw, or leave it to the
// redraw already running, which will go round once more through at.
func (r *redrawTurns) begin(key, at string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.running == nil {
		r.running = make(map[string]bool)
		r.newest = make(map[string]string)
	}
	if _, busy := r.running[key]; busy {
		r.running[key] = true
		if at != "" {
			r.newest[key] = at
		}
		return false
	}
	r.running[key] = false
	return true
}

// again reports whether a redraw was asked for during the last run, and
// the way to reach the message to use for it (at, unless a press brought
// a newer one); otherwise it ends the turn.
func (r *redrawTurns) again(key, at string) (string, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.running[key] {
		r.running[key] = false
		if newer, ok := r.newest[key]; ok {
			at = newer
			delete(r.newest, key)
		}
		return at, true
	}
	r.endLocked(key)
	return at, false
}

// end ends the turn whatever was asked for meanwhile: the redraw failed,
// and the next press tries again.
func (r *redrawTurns) end(key string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.endLocked(key)
}

func (r *redrawTurns) endLocked(key string) {
	delete(r.running, key)
	delete(r.newest, key)
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
		key := listKey(cb)
		b.later(ctx, "update action list", func(ctx context.Context) {
			if resp.Changed {
				// Told before the redraw: a turn drawing for presses
				// made meanwhile would hold this one's note back past
				// theirs, and the thread would tell them out of order.
				b.postToPlan(resp.Plan, cb.User.ID, resp.Replies, nil)
				b.redrawList(ctx, team, plan, key, cb.ResponseURL)
				return
			}
			b.redrawList(ctx, team, plan, key, cb.ResponseURL)
			// Nothing changed (the action had that status, or someone
			// else set another since the list was drawn): the list
			// shows the status, or will once the redraw running for it
			// lands, and the note says why.
			for _, r := range resp.Replies {
				b.respond(ctx, cb.ResponseURL, r.Msg)
			}
		})
		return
	}
	channel := cb.Channel.ID
	if channel == "" {
		channel = resp.Plan.Channel
	}
	if !resp.Changed {
		// The action had that status already (another press of the
		// same button, or a status set elsewhere, told in the plan's
		// thread), or someone else set another since the buttons were
		// drawn: this press changed nothing, which only its presser
		// needs to hear; the buttons then show the status as it is.
		for _, r := range resp.Replies {
			b.tellAfter(cb, r.Msg)
		}
		b.later(ctx, "redraw status buttons", func(ctx context.Context) {
			b.redrawStatuses(ctx, team, plan, channel, cb.Message.Timestamp, cb.Message.Msg)
		})
		return
	}
	thread := cb.Message.ThreadTimestamp
	if thread == "" {
		thread = cb.Message.Timestamp
	}
	b.later(ctx, "post action status", func(ctx context.Context) {
		if _, err := b.poster.post(ctx, channel, thread, renderReplies(resp.Plan, resp.Replies)); err != nil {
			b.failed(ctx, "post action status", err, "plan", plan)
		}
		b.redrawStatuses(ctx, team, plan, channel, cb.Message.Timestamp, cb.Message.Msg)
	})
}

// replaceWith replaces the message a response_url belongs to, blocks and
// all.
func (b *Bot) replaceWith(ctx context.Context, url string, m message) error {
	if url == "" {
		return nil
	}
	err := slack.PostWebhookContext(ctx, url, &slack.WebhookMessage{Text: truncate(m.Text, maxFallback), Blocks: &slack.Blocks{BlockSet: m.Blocks}, ReplaceOriginal: true})
	if err != nil {
		return fmt.Errorf("replace via response_url: %w", err)
	}
	return nil
}
