package bot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/racebot/racebot/coach"
	"github.com/racebot/racebot/flows"
	"github.com/racebot/racebot/markup"
	"github.com/slack-go/slack"
)

const (
	actionKPIModal = "race_kpi_modal"
	callbackKPI    = "race_kpi"
)

// KPI form block ids; the flows field names double as the keys of its
// errors, so a refused target is shown beside the field it concerns.
const (
	kpiBlockKPI      = "kpi"
	kpiBlockBaseline = "baseline"
	kpiBlockTarget   = "target"
	kpiBlockDeadline = "deadline"
	kpiBlockOwner    = "owner"
)

// kpiModal sets one of a stage's KPIs with its SMART target. Custom KPIs
// are set in the thread, where their unit can be named.
func kpiModal(cat *flows.Catalogue, p *flows.Plan, stageIdx int, meta string) slack.ModalViewRequest {
	st := cat.Stages[stageIdx]
	ids := blockIDs{}
	var opts []*slack.OptionBlockObject
	for _, k := range st.KPIs {
		opts = append(opts, slack.NewOptionBlockObject(k.ID,
			slack.NewTextBlockObject(slack.PlainTextType, truncatePlain(k.Name, 75), false, false),
			slack.NewTextBlockObject(slack.PlainTextType, truncatePlain(k.Measures, 75), false, false)))
	}
	text := func(s string) *slack.TextBlockObject {
		return slack.NewTextBlockObject(slack.PlainTextType, s, false, false)
	}
	valueInput := func(block, label, placeholder, hint string, optional bool) *slack.InputBlock {
		el := slack.NewPlainTextInputBlockElement(text(placeholder), answerActionID)
		b := slack.NewInputBlock(block, text(label), text(hint), el)
		b.Optional = optional
		return b
	}
	blocks := []slack.Block{
		contextBlock(ids, "plan", fmt.Sprintf("*%s* · %s KPIs. A custom KPI? Reply in the thread with `custom: name (unit) | target … | by … | owner …`.", slackStyledText(p.Name), st.Name)),
		slack.NewInputBlock(kpiBlockKPI, text("KPI"), nil, slack.NewOptionsSelectBlockElement(slack.OptTypeStatic, text("Pick a KPI"), answerActionID, opts...)),
		valueInput(kpiBlockBaseline, "Baseline (today)", "8k", "Where the number stands now, so progress can be judged.", true),
		valueInput(kpiBlockTarget, "Target", "20k", "Write it as you would say it: 20k, $9,000, 2.5%, 3m 30s.", false),
		slack.NewInputBlock(kpiBlockDeadline, text("Deadline"), nil, slack.NewDatePickerBlockElement(answerActionID)),
		slack.NewInputBlock(kpiBlockOwner, text("Owner"), text("Reports this number at check-ins."), slack.NewOptionsSelectBlockElement(slack.OptTypeUser, text("Pick a person"), answerActionID)),
	}
	return slack.ModalViewRequest{
		Type:            slack.VTModal,
		CallbackID:      callbackKPI,
		PrivateMetadata: meta,
		Title:           text(truncatePlain("Set a "+st.Name+" KPI", maxModalTitle)),
		Submit:          text("Save"),
		Close:           text("Cancel"),
		Blocks:          slack.Blocks{BlockSet: blocks},
	}
}

// openKPIModal opens the KPI form for a plan's stage.
func (b *Bot) openKPIModal(ctx context.Context, team string, cb slack.InteractionCallback, value string) {
	p, stage, ok := b.buttonPlan(ctx, team, cb, value)
	if !ok {
		return
	}
	if si, ok := b.cat.Stage(stage); ok && len(b.cat.Stages[si].KPIs) > 0 {
		b.openModal(ctx, cb, kpiModal(b.cat, p, si, stageMeta(b.cat, p, si)))
	}
}

// submitKPI sets the KPI from the form. A target that breaks a SMART rule
// keeps the form open with the reason beside the field.
func (b *Bot) submitKPI(ctx context.Context, team string, cb slack.InteractionCallback) any {
	var meta editMeta
	if err := json.Unmarshal([]byte(cb.View.PrivateMetadata), &meta); err != nil || meta.Plan == 0 || cb.View.State == nil {
		return nil
	}
	field := func(block string) slack.BlockAction { return cb.View.State.Values[block][answerActionID] }
	kpi := field(kpiBlockKPI).SelectedOption.Value
	parts := []string{kpi}
	// Typed values are plain text, and the line is in the stored form.
	typed := func(block string) string { return string(markup.FromPlain(strings.TrimSpace(field(block).Value))) }
	if v := typed(kpiBlockBaseline); v != "" {
		parts = append(parts, "baseline "+v)
	}
	if v := typed(kpiBlockTarget); v != "" {
		parts = append(parts, "target "+v)
	}
	deadline := field(kpiBlockDeadline).SelectedDate
	if deadline != "" {
		parts = append(parts, "by "+deadline)
	}
	if v := field(kpiBlockOwner).SelectedUser; v != "" {
		parts = append(parts, "owner <@"+v+">")
	}
	// The parts are the coach's own KPI line, so the form and the thread
	// check a target by the same rules.
	line := strings.Join(parts, " | ")
	req := coach.Request{Team: team, Channel: meta.Channel, User: cb.User.ID, Now: b.now(), Plan: meta.Plan, Key: viewKey(cb)}
	if deadline != "" {
		// The deadline is a day of the writer's calendar: one of today
		// there is not past.
		req.Zone = b.userZone(ctx, cb.User.ID)
	}
	resp, err := b.svc.SetKPI(ctx, req, meta.Stage, line)
	if errors.Is(err, coach.ErrOtherChannel) {
		return formError(cb, formElsewhere)
	}
	if fe, ok := errors.AsType[flows.FieldErrors](err); ok {
		errs := map[string]string{}
		for f, msg := range fe {
			errs[f] = plainText(msg)
		}
		return viewAck{ResponseAction: "errors", Errors: errs}
	}
	if err != nil {
		// An error that names no field (two currencies, say) is about the
		// target as much as anything; its field is the one always shown.
		return viewAck{ResponseAction: "errors", Errors: map[string]string{kpiBlockTarget: plainText(b.explain(planErr(err), "kpi modal"))}}
	}
	if resp.Duplicate {
		return nil
	}
	if !resp.Changed {
		// The target was set so already, perhaps by someone else a moment
		// before: news to the sender only, as a status button pressed
		// twice is.
		b.tellBeside(ctx, resp.Plan, cb.User.ID, resp.Replies)
		return nil
	}
	replies := append([]flows.Reply{{Kind: flows.ReplyNote, Msg: flows.Sayf("From %s:", flows.Person(cb.User.ID))}}, resp.Replies...)
	b.postToPlan(resp.Plan, cb.User.ID, replies, nil)
	return nil
}
