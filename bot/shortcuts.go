package bot

import (
	"context"
	"encoding/json"
	"errors"
	"strconv"
	"time"

	"github.com/racebot/racebot/coach"
	"github.com/racebot/racebot/flows"
	"github.com/racebot/racebot/markup"
	"github.com/slack-go/slack"
)

// Shortcuts and the form the message shortcut opens. The callback ids are
// the contract with the manifests' shortcuts.
const (
	// shortcutAddToPlan is the message shortcut "Add to RACE plan".
	shortcutAddToPlan = "race_add_to_plan"
	// shortcutMyValues is the global shortcut "Enter my KPI values".
	shortcutMyValues = "race_my_values"
	callbackAddForm  = "race_add_form"
	callbackNothing  = "race_nothing"
)

// Kinds of what a message can be added as.
const (
	addAsAnswer = "answer"
	addAsAction = "action"
	addAsValues = "values"
)

// permalinkLookup bounds chat.getPermalink before the form opens: the
// shortcut's trigger lives three seconds.
const permalinkLookup = 700 * time.Millisecond

// addMeta is the add form's private_metadata: the message it adds. Its
// text travels as stored (mentions and links intact) when it fits, with
// the fingerprint of the plain words the form showed, so that a field left
// as it was adds the message as written.
type addMeta struct {
	Channel string `json:"c"`
	TS      string `json:"t"`
	Author  string `json:"a"`
	Link    string `json:"l,omitempty"`
	Stored  string `json:"s,omitempty"`
	Shown   string `json:"h,omitempty"`
}

// maxMetadata is Slack's limit on a view's private_metadata.
const maxMetadata = 3000

// addToPlan opens the "Add to RACE plan" form for a message: as an answer
// to a question, an action or KPI values, of one of the channel's plans
// (the plan of the thread the message is in, else the channel's current
// one, chosen first).
func (b *Bot) addToPlan(ctx context.Context, team string, cb slack.InteractionCallback) {
	msg := cb.Message
	channel := cb.Channel.ID
	if msg.User == "" || msg.BotID != "" || msg.User == b.botUser(ctx) {
		b.tellAfter(cb, say("Only messages people wrote can be added to a plan."))
		return
	}
	plans, current, err := b.svc.ChannelPlans(ctx, team, channel)
	if err != nil {
		b.log.Error("add to plan: plans", "err", err)
		b.tellAfter(cb, say("Sorry, the form could not be opened. Please try again."))
		return
	}
	if len(plans) == 0 {
		b.tellAfter(cb, flows.Sayf("This channel has no plan yet; start one with %s.", flows.Cmd("new <name>")))
		return
	}
	if thread := msg.ThreadTimestamp; thread != "" {
		if conv, err := b.svc.Locate(ctx, team, channel, thread); err == nil && conv.Plan != 0 {
			current = conv.Plan
		} else if err == nil && conv.Checkin.Plan != 0 {
			current = conv.Checkin.Plan
		}
	}
	stored := string(markup.FromSlack(msg.Text))
	plain := markup.Stored(stored).Plain(b.names.cached(team, stored))
	// The fingerprint is of what the field shows, cut to fit it.
	meta := addMeta{Channel: channel, TS: msg.Timestamp, Author: msg.User, Stored: stored, Shown: fingerprint(truncatePlain(plain, maxInputLength))}
	lctx, cancel := context.WithTimeout(ctx, permalinkLookup)
	link, err := b.slack(lctx).GetPermalinkContext(lctx, &slack.PermalinkParameters{Channel: channel, Ts: msg.Timestamp})
	cancel()
	if err != nil {
		// The form still opens; the message is linked by its place only.
		b.log.Warn("add to plan: permalink", "err", err)
	}
	meta.Link = link
	b.openModal(ctx, cb, addModal(b.cat, plans, current, meta, plain))
}

// addModal is the form of the message shortcut. Block and action ids are
// the same word, and the coach's field errors use it too.
func addModal(cat *flows.Catalogue, plans []*flows.Plan, current flows.PlanID, meta addMeta, plain string) slack.ModalViewRequest {
	ids := blockIDs{}
	text := func(s string) *slack.TextBlockObject {
		return slack.NewTextBlockObject(slack.PlainTextType, truncatePlain(s, 75), false, false)
	}
	input := func(id, label string, el slack.BlockElement, optional bool, hint string) *slack.InputBlock {
		var h *slack.TextBlockObject
		if hint != "" {
			h = slack.NewTextBlockObject(slack.PlainTextType, hint, false, false)
		}
		block := slack.NewInputBlock(ids.next(id), text(label), h, el)
		block.Optional = optional
		return block
	}
	var planOpts []*slack.OptionBlockObject
	var initial *slack.OptionBlockObject
	for _, p := range plans[:min(len(plans), 100)] {
		o := slack.NewOptionBlockObject(strconv.FormatInt(int64(p.ID), 10), text(plainUserText(p.Name)), nil)
		planOpts = append(planOpts, o)
		if p.ID == current || initial == nil {
			initial = o
		}
	}
	planSelect := slack.NewOptionsSelectBlockElement(slack.OptTypeStatic, text("Plan"), "plan", planOpts...).WithInitialOption(initial)

	asAnswer := slack.NewOptionBlockObject(addAsAnswer, text("An answer to a question"), nil)
	kind := slack.NewRadioButtonsBlockElement("kind", asAnswer,
		slack.NewOptionBlockObject(addAsAction, text("An action"), nil),
		slack.NewOptionBlockObject(addAsValues, text("KPI values"), nil))
	kind.InitialOption = asAnswer

	var groups []*slack.OptionGroupBlockObject
	var stages []*slack.OptionBlockObject
	for _, st := range cat.Stages {
		var qs []*slack.OptionBlockObject
		for i, q := range st.Steps() {
			qs = append(qs, slack.NewOptionBlockObject(q.ID, text(strconv.Itoa(i+1)+". "+q.Text), nil))
		}
		groups = append(groups, slack.NewOptionGroupBlockElement(text(st.Name), qs...))
		stages = append(stages, slack.NewOptionBlockObject(string(st.ID), text(st.Name), nil))
	}
	question := slack.NewOptionsGroupSelectBlockElement(slack.OptTypeStatic, text("Question"), "question", groups...)

	body := slack.NewPlainTextInputBlockElement(nil, "text")
	body.Multiline = true
	body.MaxLength = maxInputLength
	body.InitialValue = truncatePlain(plain, maxInputLength)

	owner := slack.NewOptionsSelectBlockElement(slack.OptTypeUser, text("Owner"), "owner").WithInitialUser(meta.Author)
	scores := func(id string) *slack.SelectBlockElement {
		var opts []*slack.OptionBlockObject
		for n := 1; n <= 5; n++ {
			opts = append(opts, slack.NewOptionBlockObject(strconv.Itoa(n), text(strconv.Itoa(n)), nil))
		}
		return slack.NewOptionsSelectBlockElement(slack.OptTypeStatic, text("1 to 5"), id, opts...)
	}

	blocks := []slack.Block{
		contextBlock(ids, "from", "A message by <@"+meta.Author+"> in <#"+meta.Channel+">; it stays theirs in the plan."),
		input("plan", "Plan", planSelect, false, ""),
		input("kind", "Add it as", kind, false, ""),
		input("text", "Text", body, false, "For values, write them like: visitors 12.4k, leads 310"),
		input("question", "Question (for an answer)", question, true, ""),
		input("stage", "Stage (for an action)", slack.NewOptionsSelectBlockElement(slack.OptTypeStatic, text("The plan's current stage"), "stage", stages...), true, ""),
		input("owner", "Owner (for an action)", owner, true, ""),
		input("due", "Due (for an action)", slack.NewDatePickerBlockElement("due"), true, ""),
		input("impact", "Impact (for an action)", scores("impact"), true, ""),
		input("effort", "Effort (for an action)", scores("effort"), true, ""),
	}
	raw, _ := json.Marshal(meta)
	if len(raw) > maxMetadata {
		// The message is read again from Slack when the form is saved
		// as it opened (see submitAdd).
		meta.Stored = ""
		raw, _ = json.Marshal(meta)
	}
	return slack.ModalViewRequest{
		Type:            slack.VTModal,
		CallbackID:      callbackAddForm,
		PrivateMetadata: string(raw),
		Title:           slack.NewTextBlockObject(slack.PlainTextType, "Add to RACE plan", false, false),
		Submit:          slack.NewTextBlockObject(slack.PlainTextType, "Add", false, false),
		Close:           slack.NewTextBlockObject(slack.PlainTextType, "Cancel", false, false),
		Blocks:          slack.Blocks{BlockSet: blocks},
	}
}

// submitAdd adds the message as the form says. What is added is the
// message's author's; the plan's thread (or its check-in's, for values)
// says who added it, with a link to the message.
func (b *Bot) submitAdd(ctx context.Context, team string, cb slack.InteractionCallback) any {
	var meta addMeta
	if err := json.Unmarshal([]byte(cb.View.PrivateMetadata), &meta); err != nil || meta.Author == "" || cb.View.State == nil {
		return nil
	}
	field := func(id string) slack.BlockAction { return cb.View.State.Values[id][id] }
	plan, err := strconv.ParseInt(field("plan").SelectedOption.Value, 10, 64)
	if err != nil {
		return fieldErrorBlock("plan", "Pick a plan.")
	}
	typed := field("text").Value
	text := string(markup.FromPlain(typed))
	// The message as it reads now: its author may have deleted or edited
	// it while the form was open, which after it was added would have
	// withdrawn or revised what it gave.
	now, read := b.messageText(ctx, meta.Channel, meta.TS)
	if read == messageGone {
		// The form saved again, after Slack lost the answer to a save
		// that added the message before it was deleted: that save stands,
		// so the form closes as for any save done already.
		if done, err := b.svc.Handled(ctx, team, viewKey(cb)); err == nil && done {
			return nil
		}
		return fieldErrorBlock("text", "That message has been deleted, so nothing was added.")
	}
	if meta.Shown != "" && fingerprint(typed) == meta.Shown {
		// Left as it opened: the message as written, which the form
		// may show cut and shows as plain words.
		if read == messageRead {
			text = now
		} else if meta.Stored != "" {
			text = meta.Stored
		}
	}
	linked := coach.Linked(text, meta.Link)
	sharer := cb.User.ID
	req := coach.Request{Team: team, Channel: meta.Channel, User: meta.Author, Now: b.now(), Plan: flows.PlanID(plan), Key: viewKey(cb), TS: meta.TS}
	var (
		resp    coach.Response
		checkin flows.Checkin
	)
	switch field("kind").SelectedOption.Value {
	case addAsAnswer:
		q := field("question").SelectedOption.Value
		if q == "" {
			return fieldErrorBlock("question", "Pick the question this message answers.")
		}
		resp, err = b.svc.AddAnswer(ctx, req, sharer, q, linked)
	case addAsAction:
		a := flows.Action{Text: linked, Stage: flows.StageID(field("stage").SelectedOption.Value)}
		if u := field("owner").SelectedUser; u != "" {
			a.Owner = "<@" + u + ">"
		}
		if d := field("due").SelectedDate; d != "" {
			if a.Due, err = time.Parse(time.DateOnly, d); err != nil {
				return fieldErrorBlock("due", "Pick a date.")
			}
			// A day of the calendar of whoever filled in the form: today
			// is theirs, not the server's.
			req.Zone = b.userZone(ctx, sharer)
		}
		a.Impact, _ = strconv.Atoi(field("impact").SelectedOption.Value)
		a.Effort, _ = strconv.Atoi(field("effort").SelectedOption.Value)
		resp, err = b.svc.AddAction(ctx, req, sharer, a)
	case addAsValues:
		var asked coach.Response
		asked, err = b.svc.RecordValues(ctx, req, text)
		resp, checkin = asked, asked.Checkin
	default:
		return fieldErrorBlock("kind", "Say what to add the message as.")
	}
	var fe flows.FieldErrors
	switch {
	case errors.As(err, &fe):
		errs := map[string]string{}
		for id, msg := range fe {
			errs[id] = plainText(msg)
		}
		return viewAck{ResponseAction: "errors", Errors: errs}
	case errors.Is(err, coach.ErrOtherChannel):
		return fieldErrorBlock("plan", plainText(formElsewhere))
	case err != nil:
		return fieldErrorBlock("text", plainText(b.explain(planErr(err), "add to plan")))
	case resp.Duplicate || !resp.Changed:
		return nil
	}
	replies := resp.Replies
	if hasKind(replies, flows.ReplyValues) {
		from := flows.Say(flows.Text("a message"))
		if meta.Link != "" {
			from = flows.Say(flows.User("<" + meta.Link + "|a message>"))
		}
		note := flows.Sayf("%s added values from %s by %s:", flows.Person(sharer), from, flows.Person(meta.Author))
		replies = append([]flows.Reply{{Kind: flows.ReplyNote, Msg: note}}, replies...)
	}
	if checkin.ID == 0 {
		b.postToPlan(resp.Plan, sharer, replies, nil)
		return nil
	}
	b.later(ctx, "after add to plan", func(ctx context.Context) {
		if _, err := b.poster.postOnce(ctx, checkin.Channel, checkin.Thread, replyKey(req.Key), renderReplies(resp.Plan, replies)); err != nil {
			b.log.Warn("confirm values", "err", err)
		}
		b.refreshSummary(ctx, checkin)
	})
	return nil
}

// readBack is what reading a message back from Slack found: the message,
// that it is deleted, or nothing (Slack failed or was slow).
type readBack int

const (
	messageUnknown readBack = iota
	messageRead
	messageGone
)

// messageText reads a message's text back from Slack, in the stored form.
// It is bounded as the permalink lookup is, since it runs before the
// acknowledgement.
func (b *Bot) messageText(ctx context.Context, channel, ts string) (string, readBack) {
	ctx, cancel := context.WithTimeout(ctx, permalinkLookup)
	defer cancel()
	// A reply's ts stands for its thread: the parent comes first, then
	// the reply within the window.
	msgs, _, _, err := b.slack(ctx).GetConversationRepliesContext(ctx, &slack.GetConversationRepliesParameters{
		ChannelID: channel, Timestamp: ts, Oldest: ts, Latest: ts, Inclusive: true, Limit: 2,
	})
	if se, ok := errors.AsType[slack.SlackErrorResponse](err); ok && se.Err == "thread_not_found" {
		return "", messageGone
	}
	if err != nil {
		b.log.Warn("add to plan: read the message", "err", err)
		return "", messageUnknown
	}
	for _, m := range msgs {
		if m.Timestamp == ts {
			if m.SubType == "tombstone" {
				// A deleted message with replies stays as a stub.
				return "", messageGone
			}
			return string(markup.FromSlack(m.Text)), messageRead
		}
	}
	if len(msgs) == 0 {
		return "", messageUnknown
	}
	// The thread is there without the reply: the reply was deleted.
	return "", messageGone
}

// myValues answers the global shortcut: the values form of the latest open
// check-in where the person owns a KPI, or a word that none is waiting.
func (b *Bot) myValues(ctx context.Context, team string, cb slack.InteractionCallback) {
	v, ok, err := b.svc.MyCheckin(ctx, team, cb.User.ID)
	if err != nil {
		b.log.Error("my values: check-in", "err", err)
	}
	if !ok {
		// A global shortcut has no response_url: a form is the only way
		// to answer.
		b.openModal(ctx, cb, noticeModal("Enter KPI values", "No check-in is waiting for values of KPIs you own. When one opens, this shortcut brings up its form."))
		return
	}
	b.openModal(ctx, cb, valuesModal(v.Plan, v.Checkin, v.Values))
}

// noticeModal is a form that only says something.
func noticeModal(title, text string) slack.ModalViewRequest {
	ids := blockIDs{}
	return slack.ModalViewRequest{
		Type:       slack.VTModal,
		CallbackID: callbackNothing,
		Title:      slack.NewTextBlockObject(slack.PlainTextType, truncatePlain(title, maxModalTitle), false, false),
		Close:      slack.NewTextBlockObject(slack.PlainTextType, "Close", false, false),
		Blocks:     slack.Blocks{BlockSet: sections(ids, "notice", escape(text))},
	}
}
