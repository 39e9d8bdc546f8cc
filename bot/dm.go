package bot

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/racebot/racebot/assist"
	"github.com/racebot/racebot/coach"
	"github.com/racebot/racebot/flows"
	"github.com/racebot/racebot/markup"
	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
)

// Buttons of personal reminders and the Home tab.
const (
	// actionOwnerValues opens a check-in's values form for one of its KPI
	// owners, wherever the button is: a direct message, the Home tab.
	actionOwnerValues  = "race_owner_values"
	actionActionDone   = "race_action_done"
	actionActionSnooze = "race_action_snooze"
)

// remindTick sends every reminder due now, one at a time (Start polls it).
// Each is claimed in the database before it is sent (see sendReminder), so
// it may run in any number of racebots on one database, and across
// restarts, without anyone hearing twice.
func (b *Bot) remindTick(ctx context.Context) {
	rs, err := b.svc.DueReminders(ctx, b.now(), b.zoneOf)
	if err != nil {
		if ctx.Err() == nil {
			b.log.Error("list reminders", "err", err)
		}
		return
	}
	for _, r := range rs {
		if ctx.Err() != nil {
			return
		}
		b.sendReminder(ctx, r)
	}
}

// reminderZoneLookup bounds the users.info call for a reminder's time
// zone: no acknowledgement waits on it, so a rate-limited answer may be
// retried; a zone still unread leaves the person's reminders for the next
// tick, rather than sending them at UTC's hour.
const reminderZoneLookup = 10 * time.Second

// zoneOf is a person's Slack time zone, for the coach's reminders, read
// with the token of the person's workspace: the reminder loop's context
// names none, and in a racebot installed through "Add to Slack" no other
// token can read it.
func (b *Bot) zoneOf(ctx context.Context, team, user string) (*time.Location, error) {
	return b.lookupZone(onTeam(ctx, team), user, reminderZoneLookup)
}

// sendReminder claims a reminder and sends it as a direct message. Once
// claimed nobody else sends it, so the claim and the post run to the end
// under a context shutdown does not cancel, like a check-in's nudge; a
// post that may have gone out is logged, not tried again, because a retry
// could send it twice. One Slack certainly did not take for a passing
// reason (a 5xx opening the conversation, a rate limit) gives the claim
// up, so that a later tick sends it rather than nobody; so does one whose
// answers were all lost and that the conversation did not show, or whose
// answer was lost and the conversation could not be read, and the later
// tick looks for it before it sends it again.
func (b *Bot) sendReminder(ctx context.Context, r coach.Reminder) {
	ctx, cancel := b.claimBound(context.WithoutCancel(onTeam(ctx, r.Team)))
	defer cancel()
	// A reminder claimed for a workspace that is not served would be lost.
	if !b.serves(ctx, tenant{team: r.Team}) {
		return
	}
	// Listed a while ago, maybe: the reminders before it each waited on
	// Slack. What it is about may have been done since.
	fresh, due, err := b.svc.Recheck(ctx, r, b.now())
	if err != nil {
		b.log.Error("recheck reminder", "key", r.Key, "err", err)
		return
	}
	if !due {
		return
	}
	r = fresh
	r, ok, err := b.svc.ClaimReminder(ctx, r, b.now())
	if err != nil {
		b.log.Error("claim reminder", "key", r.Key, "err", err)
		return
	}
	if !ok {
		return
	}
	channel, err := b.dmChannel(ctx, r.User)
	if err != nil {
		b.failed(ctx, "reminder claimed but not sent: open direct message", err, "key", r.Key, "user", r.User)
		if !declinedForGood(err) && !b.left(ctx, err) {
			b.releaseReminder(ctx, r, false)
		}
		return
	}
	// Keyed by the reminder, so that an answer lost on the way back is
	// looked for rather than sent again.
	key := "reminder:" + r.User + ":" + r.Key
	if !r.Tried.IsZero() {
		ts, found, err := b.poster.find(ctx, channel, "", key, r.Tried.Add(-lookBack))
		switch {
		case err != nil:
			b.failed(ctx, "reminder claimed but not sent: look for an earlier try", err, "key", r.Key, "user", r.User)
			// A look refused for good would be refused on every tick, and
			// posting without it may remind the person twice.
			if !declinedForGood(err) && !b.left(ctx, err) {
				b.releaseReminder(ctx, r, true)
			}
			return
		case found:
			if err := b.svc.ReminderSent(ctx, r, channel, ts); err != nil {
				b.log.Warn("record reminder message", "key", r.Key, "err", err)
			}
			return
		}
	}
	ts, err := b.poster.postOnce(ctx, channel, "", key, reminderMessage(r))
	if err != nil {
		b.failed(ctx, "reminder claimed but not sent", err, "key", r.Key, "user", r.User)
		switch {
		case b.left(ctx, err):
		case errors.Is(err, ErrNotPosted):
			b.releaseReminder(ctx, r, errors.Is(err, errNoneFound))
		case errors.Is(err, ErrMaybePosted):
			// Slack lost its answer and then failed the look for the post:
			// kept claimed, the reminder would be neither known sent nor
			// sent. A later tick looks again before it posts.
			b.releaseReminder(ctx, r, true)
		}
		return
	}
	if err := b.svc.ReminderSent(ctx, r, channel, ts); err != nil {
		b.log.Warn("record reminder message", "key", r.Key, "err", err)
	}
}

// releaseReminder gives the claim up in time of its own: the claim's may
// be what ran out (Slack slower than it to answer), and a release that
// fails leaves the reminder claimed and never sent. maybePosted says that
// this try's message may have gone out unseen.
func (b *Bot) releaseReminder(ctx context.Context, r coach.Reminder, maybePosted bool) {
	ctx, cancel := b.claimBound(context.WithoutCancel(ctx))
	defer cancel()
	if err := b.svc.ReleaseReminder(ctx, r, maybePosted, b.now()); err != nil {
		b.log.Warn("release reminder not sent", "key", r.Key, "err", err)
	}
}

// dmChannel opens (or finds) the direct message with a person, as the
// workspace of ctx's token sees it: in an Enterprise Grid organisation one
// person is in several workspaces, each with an installation of its own.
func (b *Bot) dmChannel(ctx context.Context, user string) (string, error) {
	key := personKey{tenantOf(ctx).team, user}
	if ch, ok := b.dms.Load(key); ok {
		return ch.(string), nil
	}
	ch, _, _, err := b.slack(ctx).OpenConversationContext(ctx, &slack.OpenConversationParameters{Users: []string{user}})
	if err != nil {
		return "", fmt.Errorf("conversations.open: %w", err)
	}
	b.dms.Store(key, ch.ID)
	return ch.ID, nil
}

// reminderMessage is a reminder with the buttons that act on it: Enter
// values for a check-in, Done and Snooze for an action.
func reminderMessage(r coach.Reminder) message {
	ids := blockIDs{}
	text := mrkdwn(r.Msg)
	blocks := sections(ids, "reminder", text)
	blocks = append(blocks, contextBlock(ids, "where", fmt.Sprintf("%s · <#%s>", slackUserText(r.Plan.Name), r.Plan.Channel)))
	if r.Kind == flows.RemindCheckin {
		blocks = append(blocks, slack.NewActionBlock(ids.next("reminder-buttons"),
			button(actionOwnerValues, "Enter values", strconv.FormatInt(r.Checkin.ID, 10), "primary")))
	} else {
		value := actionValue(r.Plan.ID, r.Action.ID)
		blocks = append(blocks, slack.NewActionBlock(ids.next("reminder-buttons"),
			button(actionActionDone, "Done", value, "primary"), button(actionActionSnooze, "Snooze", value, "")))
	}
	return message{Text: text, Blocks: blocks}
}

// actionValue is a Done or Snooze button's value: the plan and the action.
func actionValue(plan flows.PlanID, action int64) string {
	return fmt.Sprintf("%d|%d", plan, action)
}

func parseActionValue(v string) (flows.PlanID, int64, bool) {
	plan, rest, ok := parsePlanValue(v)
	if !ok {
		return 0, 0, false
	}
	id, err := strconv.ParseInt(rest, 10, 64)
	return plan, id, err == nil && id > 0
}

// ownerValues opens a check-in's values form for one of its KPI owners,
// from a reminder or the Home tab. The form is the one the check-in's
// thread opens; what is saved there is confirmed in the thread.
func (b *Bot) ownerValues(ctx context.Context, team string, cb slack.InteractionCallback, value string) {
	id, err := strconv.ParseInt(value, 10, 64)
	if err != nil {
		return
	}
	v, err := b.svc.CheckinForOwner(ctx, coach.Request{Team: team, User: cb.User.ID, Checkin: id})
	switch {
	case errors.Is(err, flows.ErrNoCheckin), errors.Is(err, flows.ErrNoPlan):
		b.homeOutdated(team, cb)
		b.tellAfter(cb, say("That check-in no longer exists."))
		return
	case isUserError(err):
		b.tellAfter(cb, flows.Explain(err))
		return
	case err != nil:
		b.log.Warn("values form: check-in", "err", err)
		b.tellAfter(cb, say("Sorry, the form could not be opened. Please press the button again."))
		return
	}
	b.openModal(ctx, cb, valuesModal(v.Plan, v.Checkin, v.Values))
}

// actionButton handles Done and Snooze on a reminder or the Home tab.
// Only the action's owner may press them; Done marks the action done for
// everyone (its reminders stop, the Home tabs and the check-ins leave it
// out) and says so in the plan's thread.
func (b *Bot) actionButton(ctx context.Context, team string, cb slack.InteractionCallback, a *slack.BlockAction) {
	plan, action, ok := parseActionValue(a.Value)
	if !ok {
		return
	}
	user := cb.User.ID
	req := coach.Request{Team: team, User: user, Now: b.now(), Plan: plan, Key: actionKey(a, user)}
	var (
		resp coach.Response
		err  error
	)
	if a.ActionID == actionActionSnooze {
		req.Zone = b.userZone(ctx, user)
		resp, err = b.svc.Snooze(ctx, req, action)
	} else {
		resp, err = b.svc.MarkDone(ctx, req, action)
	}
	switch {
	case err != nil:
		if errors.Is(err, flows.ErrNoPlan) {
			b.homeOutdated(team, cb)
		}
		b.tellAfter(cb, b.explain(planErr(err), "action button"))
		return
	case resp.Duplicate:
		return
	}
	if a.ActionID == actionActionSnooze && !resp.Changed {
		// Nothing was put off (the action is closed, or the person's
		// reminders are off): the reminder keeps its buttons, and the
		// reason is for the presser.
		for _, r := range resp.Replies {
			b.tellAfter(cb, r.Msg)
		}
		return
	}
	if len(resp.Replies) > 0 {
		// A reminder becomes what was done with it; on the Home tab there
		// is no message to replace, and the tab is published again.
		b.replaceAfter(cb, resp.Replies[0].Msg)
	}
	if a.ActionID == actionActionDone && resp.Changed {
		b.postToPlan(resp.Plan, user, resp.Replies, nil)
	}
}

// directMessage handles a message someone wrote to racebot directly: the
// commands a mention takes, about the writer's own plans. Values written
// here go into the plan's open check-in and are confirmed in its thread
// too, as if typed there.
func (b *Bot) directMessage(ctx context.Context, team string, m *slackevents.MessageEvent) error {
	if m.BotID != "" || m.User == "" || m.User == b.botUser(ctx) || m.SubType != "" {
		return nil
	}
	text := withoutMentionOf(string(markup.FromSlack(m.Text)), b.botUser(ctx))
	key := coach.MessageKey(m.Channel, m.TimeStamp)
	req := coach.Request{Team: team, Channel: m.Channel, User: m.User, Text: text, Now: b.now(), Key: key, Written: written(m.TimeStamp)}
	if name := commandName(afterPlanName(text)); name == "schedule" {
		req.Zone = b.userZone(ctx, m.User)
	}
	a, err := b.svc.Direct(ctx, req)
	if err != nil {
		if !isUserError(err) {
			return fmt.Errorf("direct message: %w", err)
		}
		b.later(ctx, "direct reply", func(ctx context.Context) {
			if _, err := b.poster.postOnce(ctx, m.Channel, "", replyKey(key), msgMessage("note", flows.Explain(err))); err != nil {
				b.log.Warn("direct reply", "err", err)
			}
		})
		return nil
	}
	if a.Duplicate {
		return nil
	}
	b.later(ctx, "direct reply", func(ctx context.Context) { b.answerAsked(ctx, key, m.Channel, "", a, m.User) })
	return nil
}

// written is when a message was written, by its ts; zero when the ts
// does not read.
func written(ts string) time.Time {
	at, _ := coach.MessageTime(ts)
	return at
}

// afterPlanName drops a leading "<plan name>:" from a direct message.
func afterPlanName(text string) string {
	if _, rest, ok := strings.Cut(text, ":"); ok {
		return rest
	}
	return text
}

// withoutMentionOf reads what someone asked racebot in a message that
// mentions it: the words after its first mention ("hey @racebot status"),
// or before it when nothing follows ("status @racebot"), with any other
// mention of it removed.
func withoutMentionOf(text, bot string) string {
	first, at := "", len(text)
	for _, form := range mentionForms(text, bot) {
		if i := strings.Index(text, form); i >= 0 && i < at {
			first, at = form, i
		}
	}
	if first != "" {
		before, after := text[:at], text[at+len(first):]
		text = after
		if strings.TrimSpace(after) == "" {
			text = before
		}
		for _, form := range mentionForms(text, bot) {
			text = strings.ReplaceAll(text, form, " ")
		}
	}
	return strings.Join(strings.Fields(text), " ")
}

// mentionForms lists the ways id is mentioned in text: "<@U1>" and
// "<@U1|name>".
func mentionForms(text, id string) []string {
	forms := []string{"<@" + id + ">"}
	for rest := text; ; {
		i := strings.Index(rest, "<@"+id+"|")
		if i < 0 {
			return forms
		}
		end := strings.IndexByte(rest[i:], '>')
		if end < 0 {
			return forms
		}
		forms = append(forms, rest[i:i+end+1])
		rest = rest[i+end+1:]
	}
}

// answerAsked posts what a mention or a direct message asked for where it
// was asked: the reply, a review, a chart. Values that went into a
// check-in are confirmed in its thread as well, and its summary updated.
// key is the question's delivery key, from which the replies' keys are
// made.
func (b *Bot) answerAsked(ctx context.Context, key, channel, thread string, a coach.Response, user string) {
	switch {
	case a.Review, a.Report:
		// Held as /race review and /race report are: one review or chart
		// of the plan at a time in the place it goes to.
		w := coach.WorkReport
		if a.Review {
			w = coach.WorkReview
		}
		started, ok := b.startWork(ctx, a.Plan, w, workPlace(a.Plan, channel, thread))
		if !ok {
			b.tell(ctx, asker{user: user, channel: channel, thread: thread, plan: a.Plan.Name}, underWay(w, a.Plan))
			break
		}
		if a.Review {
			b.reviewInto(ctx, a.Plan, channel, thread, user, started)
		} else {
			b.chartInto(ctx, a.Plan, channel, thread, user, started)
		}
	case len(a.Replies) > 0:
		if _, err := b.poster.postOnce(ctx, channel, thread, replyKey(key), renderReplies(a.Plan, a.Replies)); err != nil {
			b.log.Error("answer", "err", err)
		}
	}
	if c := a.Checkin; c.Channel != channel || c.Thread != thread {
		b.confirmInCheckin(ctx, key, a, user)
	}
}

// confirmInCheckin confirms values given outside a check-in's thread (a
// mention, a direct message, a slash command) in the thread of the
// check-in they went into, and updates its summary.
func (b *Bot) confirmInCheckin(ctx context.Context, key string, a coach.Response, user string) {
	c := a.Checkin
	if c.ID == 0 || !a.Changed {
		return
	}
	replies := []flows.Reply{{Kind: flows.ReplyNote, Msg: flows.Sayf("From %s:", flows.Person(user))}}
	for _, r := range a.Replies {
		if r.Kind == flows.ReplyValues {
			replies = append(replies, r)
		}
	}
	if _, err := b.poster.postOnce(ctx, c.Channel, c.Thread, replyKey(key)+":checkin", renderReplies(a.Plan, replies)); err != nil {
		b.log.Warn("confirm values in the check-in", "checkin", c.ID, "err", err)
	}
	b.refreshSummary(ctx, c)
}

// workPlace names where a review or chart asked for in a mention or a
// direct message goes, for its hold (see coach.Work): "" when that is the
// plan's own thread, where /race review posts too.
func workPlace(p *flows.Plan, channel, thread string) string {
	if channel == p.Channel && thread != "" && thread == p.Thread {
		return ""
	}
	return channel + "/" + thread
}

// chartInto uploads the plan's KPI chart for user where it was asked for,
// or tells them why it could not. startWork took its hold at started,
// which ends a moment after it does.
func (b *Bot) chartInto(ctx context.Context, p *flows.Plan, channel, thread, user string, started time.Time) {
	var shown bool
	defer func() { b.endWork(ctx, p, coach.WorkReport, workPlace(p, channel, thread), started, shown) }()
	ms, err := b.svc.Measurements(ctx, p.Team, p.ID)
	if err != nil {
		b.log.Error("report: values", "plan", p.ID, "err", err)
	}
	if err == nil {
		err = b.uploadChart(ctx, p, ms, channel, thread)
		shown = err == nil || errors.Is(err, errMaybeShared)
	}
	if err != nil {
		// A direct message's chart is in the conversation, not a thread.
		where := "this thread"
		if thread == "" {
			where = "this conversation"
		}
		b.tellEvenStopping(ctx, asker{user: user, channel: channel, thread: thread, plan: p.Name}, msgMessage("note", chartFailure(err, channel, where)))
	}
}

// reviewInto reviews a plan for user and posts the review where it was
// asked for, in one piece: a mention's thread or a direct message is no
// place for a placeholder edited as the model writes. Like /race review,
// it becomes the plan's latest review. startWork took its hold at
// started, which ends a moment after it does.
func (b *Bot) reviewInto(ctx context.Context, p *flows.Plan, channel, thread, user string, started time.Time) {
	asked := b.now()
	var shown bool
	defer func() { b.endWork(ctx, p, coach.WorkReview, workPlace(p, channel, thread), started, shown) }()
	kpis, err := b.svc.KPIs(ctx, p.Team, p.ID)
	if err != nil {
		b.log.Error("review: load kpis", "plan", p.ID, "err", err)
	}
	var res assist.Result
	switch {
	case b.assistant == nil:
		res = assist.Result{Msg: flows.ReviewPlan(b.cat, p, kpis, b.now()).Text(p.Name)}
	case !b.assistant.Enabled(p):
		res = b.assistant.Review(ctx, p, nil, kpis, b.now(), nil)
	default:
		res = b.assistant.Review(ctx, p, b.textNames(ctx, p.Team, planTexts(p)...), kpis, b.now(), nil)
	}
	_, err = b.poster.post(ctx, channel, thread, msgMessage("review", resultMsg(res)))
	// A review that may be there holds like one that is, so that asking
	// again at once does not post a second beside it, and is kept as the
	// latest: its asker may have read it, and one asked for again
	// replaces it.
	shown = err == nil || errors.Is(err, ErrMaybePosted)
	if err != nil {
		b.failed(ctx, "post review", err, "plan", p.ID)
		// A direct message's review is in the conversation, not a thread.
		where := "this thread"
		if thread == "" {
			where = "this conversation"
		}
		b.tell(ctx, asker{user: user, channel: channel, thread: thread, plan: p.Name}, reviewFailure(err, where))
	}
	if shown {
		b.keepReview(ctx, p, res, user, asked)
	}
}
