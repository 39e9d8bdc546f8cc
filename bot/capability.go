package bot

import (
	"context"
	"encoding/json"
	"strconv"
	"time"

	"github.com/racebot/racebot/coach"
	"github.com/racebot/racebot/flows"
	"github.com/slack-go/slack"
)

const (
	actionScoreOpen = "race_score_open"
	callbackScore   = "race_score"
)

// scoreBlockID is the form's block for a stage's rating; a refusal is
// shown beside it.
func scoreBlockID(stage flows.StageID) string { return "score:" + string(stage) }

// scoreMeta travels in the capability form's private_metadata.
type scoreMeta struct {
	Plan    flows.PlanID `json:"p"`
	Channel string       `json:"c"`
}

// scoreModal rates the team 1 to 5 per stage: radio buttons whose 1, 3
// and 5 carry the rubric, preset to the last rating so a rater changes
// only what moved.
func scoreModal(cat *flows.Catalogue, p *flows.Plan, last *flows.CapabilityRating) slack.ModalViewRequest {
	text := func(s string) *slack.TextBlockObject {
		return slack.NewTextBlockObject(slack.PlainTextType, s, false, false)
	}
	ids := blockIDs{}
	intro := plainText(flows.ScoreFormText(cat, last))
	blocks := []slack.Block{contextBlock(ids, "intro", escape(intro))}
	for _, r := range flows.Rubrics(cat) {
		var opts []*slack.OptionBlockObject
		for n := 1; n <= 5; n++ {
			desc := "Between the levels around it."
			if n%2 == 1 {
				desc = r.Levels[n/2]
			}
			opts = append(opts, slack.NewOptionBlockObject(strconv.Itoa(n), text(strconv.Itoa(n)), text(truncatePlain(desc, 75))))
		}
		el := slack.NewRadioButtonsBlockElement(answerActionID, opts...)
		if last != nil {
			if n := last.Scores[r.Stage]; n >= 1 && n <= 5 {
				el.InitialOption = opts[n-1]
			}
		}
		blocks = append(blocks, slack.NewInputBlock(scoreBlockID(r.Stage), text(r.Name), nil, el))
	}
	meta, _ := json.Marshal(scoreMeta{Plan: p.ID, Channel: p.Channel})
	return slack.ModalViewRequest{
		Type:            slack.VTModal,
		CallbackID:      callbackScore,
		PrivateMetadata: string(meta),
		Title:           text("Team capability"),
		Submit:          text("Save"),
		Close:           text("Cancel"),
		Blocks:          slack.Blocks{BlockSet: blocks},
	}
}

// openScoreForm opens the capability form for a slash command. It runs
// before the acknowledgement: the trigger_id dies three seconds after the
// command, so the form cannot wait for background work.
func (b *Bot) openScoreForm(ctx context.Context, cmd slack.SlashCommand, p *flows.Plan) *ack {
	last, err := b.svc.LastCapability(ctx, cmd.TeamID, p.Channel)
	if err != nil {
		return msgAck(b.explain(err, "score form"))
	}
	if _, err := b.slack(ctx).OpenViewContext(ctx, cmd.TriggerID, scoreModal(b.cat, p, last)); err != nil {
		b.failed(ctx, "open modal", err, "callback", callbackScore)
		return textAck("Sorry, the form could not be opened. Please type /race score again.")
	}
	return nil
}

// openScoreFromButton opens the capability form from a button (the
// quarterly reminder, or a score typed in a thread) whose value is the
// plan's id.
func (b *Bot) openScoreFromButton(ctx context.Context, team string, cb slack.InteractionCallback, value string) {
	id, err := strconv.ParseInt(value, 10, 64)
	if err != nil {
		return
	}
	// A plan of the channel it was pressed in, as for every plan button.
	p, err := b.svc.PlanFor(ctx, coach.Request{Team: team, Channel: pressedIn(cb), Plan: flows.PlanID(id)})
	if err != nil {
		b.tellAfter(cb, b.explain(planErr(err), "score button"))
		return
	}
	last, err := b.svc.LastCapability(ctx, team, p.Channel)
	if err != nil {
		b.tellAfter(cb, b.explain(err, "score button"))
		return
	}
	b.openModal(ctx, cb, scoreModal(b.cat, p, last))
}

// submitScore records the ratings of the form and posts the comparison in
// the plan's thread, where the team sees which stage comes next.
func (b *Bot) submitScore(ctx context.Context, team string, cb slack.InteractionCallback) any {
	var meta scoreMeta
	if err := json.Unmarshal([]byte(cb.View.PrivateMetadata), &meta); err != nil || meta.Plan == 0 || cb.View.State == nil {
		return nil
	}
	scores := map[flows.StageID]int{}
	errs := map[string]string{}
	for _, st := range b.cat.Stages {
		raw := cb.View.State.Values[scoreBlockID(st.ID)][answerActionID].SelectedOption.Value
		n, err := strconv.Atoi(raw)
		if err != nil || n < 1 || n > 5 {
			errs[scoreBlockID(st.ID)] = "Pick a rating from 1 to 5."
			continue
		}
		scores[st.ID] = n
	}
	if len(errs) > 0 {
		return viewAck{ResponseAction: "errors", Errors: errs}
	}
	req := coach.Request{Team: team, Channel: meta.Channel, User: cb.User.ID, Now: b.now(), Plan: meta.Plan, Key: viewKey(cb)}
	resp, err := b.svc.RecordCapability(ctx, req, scores)
	if err != nil {
		first := scoreBlockID(b.cat.Stages[0].ID)
		return viewAck{ResponseAction: "errors", Errors: map[string]string{first: plainText(b.explain(planErr(err), "score modal"))}}
	}
	if resp.Duplicate {
		return nil
	}
	b.postToPlan(resp.Plan, cb.User.ID, resp.Replies, nil)
	return nil
}

// scoreButtonMessage is a message with a button that opens the
// capability form for the plan.
func scoreButtonMessage(p *flows.Plan, m flows.Msg) message {
	ids := blockIDs{}
	text := mrkdwn(m)
	blocks := sections(ids, "score", text)
	blocks = append(blocks, slack.NewActionBlock(ids.next("score-buttons"),
		button(actionScoreOpen, "Rate capability", strconv.FormatInt(int64(p.ID), 10), "primary")))
	return message{Text: text, Blocks: blocks}
}

// remindCapability posts the quarter's capability reminder in a check-in
// thread when this check-in carries it (see coach's
// CapabilityReminderDue). The claim comes first, so no other check-in
// posts it; a failure to post is logged, and /race score still works. A
// try that may follow an earlier one of the same occurrence (look) looks
// for that one's reminder first.
func (b *Bot) remindCapability(ctx context.Context, team string, p *flows.Plan, thread, occurrence string, look bool, since time.Time) {
	due, err := b.svc.CapabilityReminderDue(ctx, team, p.ID, occurrence, b.now())
	if err != nil {
		b.log.Warn("capability reminder", "plan", p.ID, "err", err)
		return
	}
	if !due {
		return
	}
	key := "capability:" + strconv.FormatInt(int64(p.ID), 10) + ":" + occurrence
	if look {
		// An earlier try of this occurrence claimed the reminder too, and
		// may have posted it.
		if _, ok, err := b.poster.find(ctx, p.Channel, thread, key, since); err != nil || ok {
			if err != nil {
				b.failed(ctx, "look for capability reminder", err, "plan", p.ID)
			}
			return
		}
	}
	if _, err := b.poster.postOnce(ctx, p.Channel, thread, key, scoreButtonMessage(p, flows.CapabilityReminderText())); err != nil {
		b.failed(ctx, "post capability reminder", err, "plan", p.ID)
	}
}

// scoreInThread answers `score` typed in a thread, where no trigger
// comes with the message to open a form with: a button that opens it.
func (b *Bot) scoreInThread(ctx context.Context, p *flows.Plan, thread string) {
	if _, err := b.poster.post(ctx, p.Channel, thread, scoreButtonMessage(p, flows.ScoreButtonText())); err != nil {
		b.log.Warn("post score button", "plan", p.ID, "err", err)
	}
}
