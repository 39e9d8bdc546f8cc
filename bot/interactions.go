package bot

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strconv"
	"strings"

	"github.com/racebot/racebot/coach"
	"github.com/racebot/racebot/flows"
	"github.com/racebot/racebot/markup"
	"github.com/slack-go/slack"
)

// viewAck is what a view submission answers: nothing (close the modal) or
// errors shown beside the fields.
type viewAck struct {
	ResponseAction string            `json:"response_action"`
	Errors         map[string]string `json:"errors,omitempty"`
}

// editMeta travels in the modal's private_metadata, so the submission knows
// which plan and stage it edits without a lookup table. A submission carries
// no channel of its own: the one recorded here, where the button that
// opened the form was pressed, is the channel the service checks the plan
// against.
type editMeta struct {
	Plan    flows.PlanID  `json:"p"`
	Stage   flows.StageID `json:"s"`
	Channel string        `json:"c"`
	// Shown fingerprints the text each field of the answers form started
	// with, by question id. A plain-text field cannot hold a mention or a
	// link, so a field left as it was keeps the stored answer instead of
	// the words it showed.
	Shown map[string]string `json:"h,omitempty"`
	// Rev is the revision of each answer the form showed (0 for none), so
	// that a field changed over an answer someone changed meanwhile (an
	// edit of their message in the thread) keeps their words too.
	Rev map[string]int `json:"r,omitempty"`
	// Draft marks the form that edits a model's draft: saved, it is
	// taken as the draft is by Use this, which keeps an answer given
	// meanwhile in the thread.
	Draft bool `json:"d,omitempty"`
}

// fingerprint identifies a form field's text in editMeta.Shown, short
// enough for private_metadata's 3000 characters. Surrounding blanks do not
// count, as the coach trims answers.
func fingerprint(text string) string {
	sum := sha256.Sum256([]byte(strings.TrimSpace(text)))
	return base64.RawURLEncoding.EncodeToString(sum[:9])
}

// Interaction handles a button press or a modal submission. The returned
// value, if not nil, is the acknowledgement's body.
func (b *Bot) Interaction(ctx context.Context, cb slack.InteractionCallback) any {
	ctx, cancel := b.ackBound(ctx)
	defer cancel()
	team := cb.Team.ID
	if team == "" {
		team = cb.User.TeamID
	}
	t := tenant{enterprise: cb.Enterprise.ID, team: team}
	ctx = withTenant(ctx, t)
	if !b.serves(ctx, t) {
		return nil
	}
	switch cb.Type {
	case slack.InteractionTypeBlockActions:
		for _, a := range cb.ActionCallback.BlockActions {
			b.blockAction(ctx, team, cb, a)
		}
		return nil
	case slack.InteractionTypeViewSubmission:
		switch cb.View.CallbackID {
		case callbackEditAnswers:
			return b.submitEdits(ctx, team, cb)
		case callbackValues:
			return b.submitValues(ctx, team, cb)
		case callbackKPI:
			return b.submitKPI(ctx, team, cb)
		case callbackScore:
			return b.submitScore(ctx, team, cb)
		case callbackAddForm:
			return b.submitAdd(ctx, team, cb)
		}
	case slack.InteractionTypeMessageAction:
		if cb.CallbackID == shortcutAddToPlan {
			b.addToPlan(ctx, team, cb)
		}
	case slack.InteractionTypeShortcut:
		if cb.CallbackID == shortcutMyValues {
			b.myValues(ctx, team, cb)
		}
	}
	return nil
}

func (b *Bot) blockAction(ctx context.Context, team string, cb slack.InteractionCallback, a *slack.BlockAction) {
	user := cb.User.ID
	channel := pressedIn(cb)
	switch a.ActionID {
	case actionDraft, actionSkip:
		p, qid, ok := b.buttonPlan(ctx, team, cb, a.Value)
		if !ok {
			return
		}
		if _, q, open := p.Current(b.cat); !open || q.ID != qid {
			b.tellAfter(cb, say("That question is no longer the open one; the latest question is at the bottom of the thread."))
			return
		}
		word := "draft"
		if a.ActionID == actionSkip {
			word = "skip"
		}
		// The check above read the plan outside its lock; Saw has the
		// coach check again under it, so two presses at once skip one
		// question, not that one and the next, which nobody has seen.
		resp, err := b.svc.Handle(ctx, coach.Request{Team: team, Channel: channel, User: user, Text: word, Now: b.now(), Plan: p.ID, Saw: qid, Key: actionKey(a, user)})
		if err != nil {
			b.tellAfter(cb, b.explain(err, "button"))
			return
		}
		if resp.Duplicate {
			return
		}
		if !resp.Changed && resp.Draft == nil {
			// The question moved on under the lock (another press won):
			// that is for the presser alone, as the check above says it.
			for _, r := range resp.Replies {
				b.tellAfter(cb, r.Msg)
			}
			return
		}
		b.postToPlan(resp.Plan, user, resp.Replies, resp.Draft)
	case actionEditStage:
		p, stage, ok := b.buttonPlan(ctx, team, cb, a.Value)
		if !ok {
			return
		}
		if si, ok := b.cat.Stage(stage); ok {
			// The form opens now, so it shows the names already known
			// and asks Slack for none.
			b.openModal(ctx, cb, editModal(b.cat, p, si, b.names.cached(team, stageTexts(b.cat, p, si)...)))
		}
	case actionDeleteConfirm:
		n, err := strconv.ParseInt(a.Value, 10, 64)
		if err != nil {
			return
		}
		resp, err := b.svc.DeletePlan(ctx, coach.Request{Team: team, Channel: channel, User: user, Now: b.now(), Key: actionKey(a, user)}, flows.PlanID(n))
		if err != nil {
			b.replaceAfter(cb, b.explain(planErr(err), "delete"))
			return
		}
		if resp.Duplicate {
			return
		}
		p := resp.Plan
		b.replaceAfter(cb, flows.Sayf("Deleted plan %q.", flows.User(p.Name)))
		if p.Thread != "" {
			b.later(ctx, "announce delete", func(ctx context.Context) {
				text := mrkdwn(flows.Sayf("%s deleted this plan. Replies here are no longer recorded.", flows.Person(user)))
				if _, err := b.poster.post(ctx, p.Channel, p.Thread, message{Text: text, Blocks: sections(blockIDs{}, "deleted", text)}); err != nil {
					b.log.Warn("announce delete", "err", err)
				}
			})
		}
	case actionDeleteCancel:
		b.replaceAfter(cb, say("Kept the plan; nothing was deleted."))
	case actionDraftUse, actionDraftEdit, actionDraftDiscard:
		b.draftAction(ctx, team, cb, a)
	case actionEnterValues:
		b.openValuesModal(ctx, team, cb, a.Value)
	case actionKPIModal:
		b.openKPIModal(ctx, team, cb, a.Value)
	case actionScoreOpen:
		b.openScoreFromButton(ctx, team, cb, a.Value)
	case actionSetStatus:
		b.setActionStatus(ctx, team, cb, a)
	case actionOwnerValues:
		b.ownerValues(ctx, team, cb, a.Value)
	case actionActionDone, actionActionSnooze:
		b.actionButton(ctx, team, cb, a)
	case actionExportRest:
		b.exportRestPressed(ctx, team, cb, a.Value)
	}
}

// actionKey is a button press's delivery key. Slack sends no id of its own
// for a press; the press's timestamp and who pressed identify it, so a
// redelivered press is recognised.
func actionKey(a *slack.BlockAction, user string) string {
	return "action:" + a.ActionTs + ":" + user
}

// viewKey is a form submission's delivery key: the view and its hash, which
// changes whenever the view does.
func viewKey(cb slack.InteractionCallback) string {
	return "view:" + cb.View.ID + ":" + cb.View.Hash
}

// pressedIn is the channel of the message whose button was pressed.
func pressedIn(cb slack.InteractionCallback) string {
	return cmp.Or(cb.Channel.ID, cb.Container.ChannelID)
}

// buttonPlan reads a "planID|rest" button value and loads the plan. A plan
// deleted since the button was posted, or one of another channel than the
// button's message (a copied or forged value), is explained to whoever
// pressed it.
func (b *Bot) buttonPlan(ctx context.Context, team string, cb slack.InteractionCallback, value string) (*flows.Plan, string, bool) {
	id, rest, ok := parsePlanValue(value)
	if !ok {
		return nil, "", false
	}
	p, err := b.svc.PlanFor(ctx, coach.Request{Team: team, Channel: pressedIn(cb), Plan: id})
	if err != nil {
		b.tellAfter(cb, b.explain(planErr(err), "button"))
		return nil, "", false
	}
	return p, rest, true
}

// openModal opens a modal at once: trigger_id expires three seconds after
// the click, so it cannot wait until after the acknowledgement.
func (b *Bot) openModal(ctx context.Context, cb slack.InteractionCallback, view slack.ModalViewRequest) {
	if _, err := b.slack(ctx).OpenViewContext(ctx, cb.TriggerID, view); err != nil {
		b.failed(ctx, "open modal", err, "callback", view.CallbackID)
		b.tellAfter(cb, say("Sorry, the form could not be opened. Please press the button again."))
	}
}

// stageMeta is the private_metadata of a form about one stage of a plan.
func stageMeta(cat *flows.Catalogue, p *flows.Plan, stage int) string {
	meta, _ := json.Marshal(editMeta{Plan: p.ID, Stage: cat.Stages[stage].ID, Channel: p.Channel})
	return string(meta)
}

// planErr turns a missing plan into words: a button on an old message may
// point at a plan deleted since.
func planErr(err error) error {
	if errors.Is(err, flows.ErrNoPlan) {
		return &flows.UserError{Err: err, Msg: say("That plan no longer exists; it may have been deleted.")}
	}
	return err
}

func (b *Bot) tellAfter(cb slack.InteractionCallback, m flows.Msg) {
	b.later(interactionCtx(cb), "respond", func(ctx context.Context) { b.respond(ctx, cb.ResponseURL, m) })
}

func (b *Bot) replaceAfter(cb slack.InteractionCallback, m flows.Msg) {
	b.later(interactionCtx(cb), "respond", func(ctx context.Context) { b.replace(ctx, cb.ResponseURL, m) })
}

// submitEdits records a stage's answers from the modal. Problems go back
// as field errors, so the modal stays open with the person's text intact.
func (b *Bot) submitEdits(ctx context.Context, team string, cb slack.InteractionCallback) any {
	var meta editMeta
	if err := json.Unmarshal([]byte(cb.View.PrivateMetadata), &meta); err != nil || meta.Plan == 0 || cb.View.State == nil {
		return nil
	}
	// Form fields are plain text, which Slack sends as typed: encoded
	// here, they are stored like a reply in the thread.
	answers, fields, shown := map[string]string{}, map[string]string{}, map[string]int{}
	for blockID, actions := range cb.View.State.Values {
		qid, ok := strings.CutPrefix(blockID, "answer:")
		if !ok {
			continue
		}
		value := actions[answerActionID].Value
		fields[qid] = value
		if shown, ok := meta.Shown[qid]; ok && shown == fingerprint(value) {
			continue
		}
		answers[qid] = string(markup.FromPlain(value))
		if rev, ok := meta.Rev[qid]; ok {
			shown[qid] = rev
		} else if meta.Shown[qid] == fingerprint("") {
			// A form opened before forms kept revisions: an empty field
			// showed no answer.
			shown[qid] = 0
		}
	}
	req := coach.Request{Team: team, Channel: meta.Channel, User: cb.User.ID, Now: b.now(), Plan: meta.Plan, Key: viewKey(cb)}
	var (
		resp coach.Response
		err  error
	)
	if qid, text, ok := onlyAnswer(answers); meta.Draft && ok {
		resp, err = b.svc.AcceptDraftShown(ctx, req, qid, text, shown)
	} else {
		resp, err = b.svc.EditAnswersShown(ctx, req, answers, shown)
	}
	var fe flows.FieldErrors
	switch {
	case errors.Is(err, coach.ErrOtherChannel):
		return formError(cb, formElsewhere)
	case errors.As(err, &fe):
		errs := map[string]string{}
		for qid, msg := range fe {
			errs[inputBlockID(qid)] = plainText(msg)
		}
		return viewAck{ResponseAction: "errors", Errors: errs}
	case err != nil:
		return fieldError(fields, plainText(b.explain(planErr(err), "edit modal")))
	case resp.Duplicate, !resp.Changed:
		return nil
	}
	replies := append([]flows.Reply{{Kind: flows.ReplyNote, Msg: flows.Sayf("From %s:", flows.Person(cb.User.ID))}}, resp.Replies...)
	b.postToPlan(resp.Plan, cb.User.ID, replies, nil)
	return nil
}

// onlyAnswer is the one answer of a form that has one.
func onlyAnswer(answers map[string]string) (qid, text string, ok bool) {
	for qid, text := range answers {
		return qid, text, len(answers) == 1
	}
	return "", "", false
}

// formElsewhere answers a form whose metadata names a plan or check-in of
// another channel than the one it was opened in. The metadata is racebot's
// own, so only a forged or tampered form gets it.
var formElsewhere = say("This form belongs to another channel's plan; nothing was saved.")

// formError shows m beside the submitted form's first field, the only
// place a modal can show an error while keeping what was typed.
func formError(cb slack.InteractionCallback, m flows.Msg) any {
	first := ""
	if cb.View.State != nil {
		for id := range cb.View.State.Values {
			if first == "" || id < first {
				first = id
			}
		}
	}
	if first == "" {
		return nil
	}
	return fieldErrorBlock(first, plainText(m))
}

// fieldError shows a general problem on the first field, the only place a
// modal can show an error while keeping what was typed.
func fieldError(answers map[string]string, msg string) any {
	first := ""
	for qid := range answers {
		if first == "" || qid < first {
			first = qid
		}
	}
	if first == "" {
		return nil
	}
	return viewAck{ResponseAction: "errors", Errors: map[string]string{inputBlockID(first): msg}}
}

// draftAction handles the buttons under a model's draft.
func (b *Bot) draftAction(ctx context.Context, team string, cb slack.InteractionCallback, a *slack.BlockAction) {
	if a.ActionID == actionDraftDiscard {
		// Someone else may have pressed Use this on the same draft a
		// moment before: then the message keeps saying so, and only the
		// presser hears that it is the answer now.
		if used := b.draftUsed(ctx, team, cb, a.Value); used {
			b.tellAfter(cb, draftUsedAlready)
			return
		}
		b.later(interactionCtx(cb), "respond", func(ctx context.Context) {
			b.replace(ctx, cb.ResponseURL, say("Draft discarded."))
			// A Use this pressed at the same moment may have saved the
			// draft after the look above, and its "Used as the answer"
			// reached the message before this: looked at again once
			// this has landed, the message ends up saying what happened.
			if _, rest, ok := parsePlanValue(a.Value); ok && b.draftUsed(ctx, team, cb, a.Value) {
				_, _, text, _ := draftValue(rest)
				b.replace(ctx, cb.ResponseURL, draftUsedMsg(text))
				b.respond(ctx, cb.ResponseURL, draftUsedAlready)
			}
		})
		return
	}
	p, rest, ok := b.buttonPlan(ctx, team, cb, a.Value)
	if !ok {
		return
	}
	qid, shown, text, ok := draftValue(rest)
	if !ok {
		return
	}
	if a.ActionID == actionDraftEdit {
		if _, si, _, ok := b.cat.Question(qid); ok {
			meta, _ := json.Marshal(editMeta{Plan: p.ID, Stage: b.cat.Stages[si].ID, Channel: p.Channel, Draft: true, Rev: shown})
			b.openModal(ctx, cb, draftModal(b.cat, p, qid, text, string(meta)))
		}
		return
	}
	// The draft is the model's plain text, stored like a form field's.
	resp, err := b.svc.AcceptDraftShown(ctx, coach.Request{Team: team, Channel: pressedIn(cb), User: cb.User.ID, Now: b.now(), Plan: p.ID, Key: actionKey(a, cb.User.ID)}, qid, string(markup.FromPlain(text)), shown)
	if err != nil {
		b.tellAfter(cb, b.explain(err, "use draft"))
		return
	}
	if resp.Duplicate {
		return
	}
	if !resp.Changed {
		// Another press used the draft first and told the thread: this
		// one's note is for its presser alone.
		for _, r := range resp.Replies {
			b.tellAfter(cb, r.Msg)
		}
		return
	}
	b.replaceAfter(cb, draftUsedMsg(text))
	b.postToPlan(resp.Plan, cb.User.ID, resp.Replies, resp.Draft)
}

// draftUsedAlready tells whoever discarded a draft that someone used it.
var draftUsedAlready = say("Someone has already used this draft as the answer, so it stays; edit the answer to change it.")

// draftUsedMsg is what a draft's message says once it is the answer.
func draftUsedMsg(text string) flows.Msg { return say("✅ Used as the answer:\n" + text) }

// draftUsed reports whether a draft's text, as its buttons carry it, is
// already an answer to its question.
func (b *Bot) draftUsed(ctx context.Context, team string, cb slack.InteractionCallback, value string) bool {
	id, rest, ok := parsePlanValue(value)
	if !ok {
		return false
	}
	qid, _, text, ok := draftValue(rest)
	if !ok {
		return false
	}
	p, err := b.svc.PlanFor(ctx, coach.Request{Team: team, Channel: pressedIn(cb), Plan: id})
	if err != nil {
		return false
	}
	stored := strings.TrimSpace(string(markup.FromPlain(text)))
	return p.Answers[qid].Has(stored)
}
