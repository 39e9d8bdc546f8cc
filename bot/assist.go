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
	"github.com/racebot/racebot/prompts"
	"github.com/slack-go/slack"
)

// Assistant drafts answers and reviews plans; assist.Assistant is the one
// racebot uses.
type Assistant interface {
	Enabled(p *flows.Plan) bool
	Draft(ctx context.Context, p *flows.Plan, names markup.Names, questionID string, onDelta func(string)) assist.Result
	Review(ctx context.Context, p *flows.Plan, names markup.Names, kpis []flows.KPI, now time.Time, onDelta func(string)) assist.Result
	SuggestKPIs(ctx context.Context, p *flows.Plan, names markup.Names, stage flows.StageID, onDelta func(string)) assist.Result
	SummarizeCheckin(ctx context.Context, p *flows.Plan, names markup.Names, s flows.CheckinSummary) assist.Result
}

var _ Assistant = (*assist.Assistant)(nil)

const (
	actionDraftUse     = "race_draft_use"
	actionDraftEdit    = "race_draft_edit"
	actionDraftDiscard = "race_draft_discard"
)

// postDraft drafts an answer after the acknowledgement and posts it in the
// plan's thread. A model's draft streams into a placeholder message, edited
// in place at Slack's pace, and ends with Use this / Edit / Discard; the
// built-in coach's help is posted as it is. While it is made, the same
// draft asked for again is not: its asker is told it is on its way.
func (b *Bot) postDraft(ctx context.Context, p *flows.Plan, d *flows.DraftRequest) {
	started, ok := b.startDraft(ctx, p, d)
	if !ok {
		b.tell(ctx, draftAsker(p, d), draftUnderWay(d))
		return
	}
	defer b.endDraft(ctx, p, d, started)
	if d.KPIs {
		b.postKPISuggestions(ctx, p, d.Stage, draftAsker(p, d))
		return
	}
	if b.assistant == nil || !b.assistant.Enabled(p) {
		m := flows.OfflineDraft(b.cat, p, d.QuestionID)
		if b.assistant != nil {
			m = b.assistant.Draft(ctx, p, nil, d.QuestionID, nil).Msg
		}
		if err := b.postMsg(ctx, p, "draft", m); err != nil {
			b.tell(ctx, draftAsker(p, d), postFailure(err, "the draft", "this thread", draftFailed))
		}
		return
	}
	q, _, _, _ := b.cat.Question(d.QuestionID)
	res, err := b.streamed(ctx, p, placeholderDraft, "✍️ Drafting an answer to: "+q.Text, func(ctx context.Context, onDelta func(string)) assist.Result {
		return b.assistant.Draft(ctx, p, b.textNames(ctx, p.Team, planTexts(p)...), d.QuestionID, onDelta)
	}, func(r assist.Result) message { return draftMessage(p, d.QuestionID, d.Revision, r) })
	if err != nil {
		// The placeholder is gone, or never came, or Slack did not say
		// what became of it: whoever asked would otherwise wait for a
		// draft that is not coming, or ask again beside one that came.
		b.tell(ctx, draftAsker(p, d), postFailure(err, "the draft", "this thread", draftFailed))
		return
	}
	if res.FromModel {
		b.log.Info("draft posted", "plan", p.ID, "question", d.QuestionID)
	}
}

// startDraft reports whether the draft d asks for of p may be made, and
// when it started: not while the same draft is being made, in any
// racebot. When the store cannot say, it is made, as a review is.
func (b *Bot) startDraft(ctx context.Context, p *flows.Plan, d *flows.DraftRequest) (started time.Time, ok bool) {
	started = b.now()
	ok, err := b.svc.StartDraft(ctx, p, d, started)
	if err != nil {
		b.log.Warn("draft: hold", "plan", p.ID, "err", err)
		return started, true
	}
	return started, ok
}

// endDraft ends the hold startDraft took at started.
func (b *Bot) endDraft(ctx context.Context, p *flows.Plan, d *flows.DraftRequest, started time.Time) {
	// Ended even when racebot is stopping, so asking again after the
	// restart is not turned away for minutes.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), claimedPostTimeout)
	defer cancel()
	if err := b.svc.EndDraft(ctx, p, d, started, b.now()); err != nil {
		b.log.Warn("draft: end hold", "plan", p.ID, "err", err)
	}
}

// draftUnderWay answers a draft asked for while the same one is being
// made. As with underWay, a racebot killed meanwhile leaves its hold for
// as long as a review's, so the person is told when asking again works.
func draftUnderWay(d *flows.DraftRequest) flows.Msg {
	if d.KPIs {
		return say("KPI suggestions for this stage are already on their way in this thread; if they have not come in six minutes, please ask again.")
	}
	return say("A draft answer to this question is already on its way in this thread; if it has not come in six minutes, please ask again.")
}

// errNotShown is a streamed result that did not replace its placeholder.
var errNotShown = errors.New("not shown")

// reviewFailure says to someone who asked for a review why it did not
// come; where is where it would be ("the plan's thread").
func reviewFailure(err error, where string) flows.Msg {
	return postFailure(err, "the review", where, reviewFailed)
}

// postFailure says why what (a review, a draft) did not come: failed,
// unless Slack took a post whose answer was lost and which could not be
// looked for. That one may be in where, and asking again without looking
// may post a second beside it.
func postFailure(err error, what, where string, failed flows.Msg) flows.Msg {
	if errors.Is(err, ErrMaybePosted) {
		return flows.Sayf("Slack did not confirm %s, which may have been posted all the same: please look in %s before you try again.", flows.Text(what), flows.Text(where))
	}
	return failed
}

var (
	reviewFailed         = say("Sorry, the review could not be posted. Please try again in a moment.")
	draftFailed          = say("Sorry, the draft could not be posted. Please try again in a moment.")
	kpiSuggestionsFailed = say("Sorry, the KPI suggestions could not be posted. Please try again in a moment.")
)

// draftAsker is whoever asked for a draft, told in the plan's thread: a
// draft is asked for there, by a reply or a button in it.
func draftAsker(p *flows.Plan, d *flows.DraftRequest) asker {
	return asker{user: d.User, channel: p.Channel, thread: p.Thread, plan: p.Name}
}

// postKPISuggestions proposes KPIs and targets for a stage in the thread,
// telling a if they could not be posted.
func (b *Bot) postKPISuggestions(ctx context.Context, p *flows.Plan, stage flows.StageID, a asker) {
	if b.assistant == nil {
		return
	}
	var err error
	if !b.assistant.Enabled(p) {
		err = b.postMsg(ctx, p, "kpi-suggestions", resultMsg(b.assistant.SuggestKPIs(ctx, p, nil, stage, nil)))
	} else {
		_, err = b.streamed(ctx, p, placeholderKPIs, "✍️ Suggesting KPIs…", func(ctx context.Context, onDelta func(string)) assist.Result {
			return b.assistant.SuggestKPIs(ctx, p, b.textNames(ctx, p.Team, planTexts(p)...), stage, onDelta)
		}, func(r assist.Result) message { return msgMessage("kpi-suggestions", resultMsg(r)) })
	}
	if err != nil {
		b.tell(ctx, a, postFailure(err, "the KPI suggestions", "this thread", kpiSuggestionsFailed))
	}
}

// postReview runs a review for the person a after the acknowledgement,
// posts it in the plan's thread, and keeps it as the plan's latest for its
// exports. startWork took its hold at started, which ends a moment after
// it does.
func (b *Bot) postReview(ctx context.Context, p *flows.Plan, a asker, started time.Time) {
	asked := b.now()
	var shown bool
	defer func() { b.endWork(ctx, p, coach.WorkReview, "", started, shown) }()
	kpis, err := b.svc.KPIs(ctx, p.Team, p.ID)
	if err != nil {
		b.log.Error("review: load kpis", "plan", p.ID, "err", err)
	}
	var res assist.Result
	var postErr error
	switch {
	case b.assistant == nil:
		res = assist.Result{Msg: flows.ReviewPlan(b.cat, p, kpis, b.now()).Text(p.Name)}
		postErr = b.postMsg(ctx, p, "review", res.Msg)
	case !b.assistant.Enabled(p):
		res = b.assistant.Review(ctx, p, nil, kpis, b.now(), nil)
		postErr = b.postMsg(ctx, p, "review", resultMsg(res))
	default:
		res, postErr = b.streamed(ctx, p, placeholderReview, "🔎 Reviewing the plan…", func(ctx context.Context, onDelta func(string)) assist.Result {
			return b.assistant.Review(ctx, p, b.textNames(ctx, p.Team, planTexts(p)...), kpis, b.now(), onDelta)
		}, func(r assist.Result) message { return msgMessage("review", resultMsg(r)) })
	}
	// A review that may be in the thread holds like one that is, so that
	// asking again at once does not post a second beside it, and is kept
	// as the latest: the team may have read it, and one asked for again
	// replaces it.
	shown = postErr == nil || errors.Is(postErr, ErrMaybePosted)
	if postErr != nil {
		// The ack promised a review in the thread; its placeholder may
		// be stuck there.
		b.tell(ctx, a, reviewFailure(postErr, "the plan's thread"))
	}
	if shown {
		b.keepReview(ctx, p, res, a.user, asked)
	}
}

// keepReview keeps a review shown to the team as the plan's latest, for
// its exports, wherever it was asked for. It is dated when it was asked
// for (asked), not when it came back: a slow model's review of the plan
// as it was must not replace one asked for after it, of the plan as it
// is, that came back first.
func (b *Bot) keepReview(ctx context.Context, p *flows.Plan, res assist.Result, by string, asked time.Time) {
	// The review's own words, without the note on how it came about: the
	// model's as they are, the built-in coach's as plain text.
	text := markup.FromPlain(res.Text)
	if !res.FromModel && res.Msg != nil {
		text = markup.FromPlain(plainText(res.Msg))
	}
	if err := b.svc.ReviewGiven(ctx, p.Team, p.ID, string(text), res.FromModel, by, asked); err != nil && !errors.Is(err, flows.ErrNoPlan) {
		b.log.Error("review: keep", "plan", p.ID, "err", err)
	}
}

// resultMsg is a draft or review as a message: the note in italics, then
// the built-in coach's message or the model's words, which are escaped like
// our own.
func resultMsg(r assist.Result) flows.Msg {
	body := r.Msg
	if body == nil {
		body = say(r.Text)
	}
	if r.Note == "" {
		return body
	}
	return flows.Sayf("%s\n%s", flows.Text(r.Note).Emph(), body)
}

// streamUpdateInterval paces in-place edits of a streaming message; Slack
// rate-limits chat.update per channel like posting.
const streamUpdateInterval = time.Second

// streamed posts a placeholder, lets run stream into it, and replaces it
// with the final rendering. Its error, when that rendering was not shown,
// wraps ErrMaybePosted when it may have been: Slack's answer to the final
// edit was lost and the placeholder could not be taken down.
// run's context has the plan looked up again before every request to the
// model: p was loaded before the placeholder waited its turn in the
// channel, and a plan made private meanwhile sends the model nothing.
//
// The placeholder is recorded (what says for what work) until it is
// replaced or taken down: a racebot killed meanwhile would leave it
// promising the result for good, and placeholderTick replaces it. It is
// recorded before its post too, under the key it is posted with, so that
// a kill before its ts is known (or recorded) leaves a record by which
// placeholderTick finds it in the thread.
func (b *Bot) streamed(ctx context.Context, p *flows.Plan, what, placeholder string, run func(context.Context, func(string)) assist.Result, final func(assist.Result) message) (assist.Result, error) {
	thread, err := b.ensureThread(ctx, p)
	if err != nil {
		b.failed(ctx, "stream: thread", err, "plan", p.ID)
		return assist.Result{}, errNotShown
	}
	ph := coach.Placeholder{Team: p.Team, Channel: p.Channel, Thread: thread, Key: "placeholder:" + randomKey(), What: what, PostedAt: b.now()}
	intended := b.keepPlaceholder(ctx, ph)
	pctx, cancel := context.WithTimeout(ctx, placeholderPost)
	ts, err := b.poster.postOnce(pctx, p.Channel, thread, ph.Key, plainMessage(workingBlock, placeholder))
	cancel()
	if err != nil {
		b.failed(ctx, "stream: placeholder", err, "plan", p.ID)
		// One that may be out unseen stays recorded, for placeholderTick
		// to look for; otherwise nothing went out.
		if intended && !errors.Is(err, ErrMaybePosted) {
			b.dropPlaceholder(ctx, ph)
		}
		return assist.Result{}, errNotShown
	}
	ph.TS, ph.PostedAt = ts, b.now()
	kept := b.keepPlaceholder(ctx, ph) || intended
	// The work is bounded so that a placeholder still there past
	// placeholderLeft is one nobody is working on: the partial texts'
	// updates too, which the model's stream waits for, and which Slack
	// may keep retrying for minutes.
	rctx, stop := context.WithTimeout(prompts.WithAttemptCheck(ctx, b.stillShared(p)), streamLimit)
	push, _ := prompts.Throttle(streamUpdateInterval, nil, func(soFar string) {
		if err := b.poster.update(rctx, p.Channel, ts, plainMessage(workingBlock, soFar+" …")); err != nil {
			b.log.Warn("stream: update", "plan", p.ID, "err", err)
		}
	})
	// A partial text still held by the throttle is never flushed: the final
	// rendering replaces it.
	res := run(rctx, push)
	stop()
	// The final rendering is shown though shutdown stopped the work
	// meanwhile: the model's answer in hand, or the built-in help its
	// cancelled request left, beats a placeholder taken down with
	// nobody told why (the context that would tell them has ended).
	fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), claimedPostTimeout)
	defer cancel()
	if err := b.poster.update(fctx, p.Channel, ts, final(res)); err != nil {
		b.failed(ctx, "stream: final update", err, "plan", p.ID)
		if b.takeDown(ctx, p.Channel, ts) {
			if kept {
				b.dropPlaceholder(ctx, ph)
			}
			return res, errNotShown
		}
		if certainlyNotPosted(err) || refused(err) {
			// The placeholder (or a partial text) is still there, for
			// placeholderTick to replace.
			return res, errNotShown
		}
		// Slack may have made the edit and lost its answer: the result
		// may be whole in the thread. Its record stays, for
		// placeholderTick to replace only if it is still a placeholder.
		return res, fmt.Errorf("%w: final update: %w", ErrMaybePosted, err)
	}
	if kept {
		b.dropPlaceholder(ctx, ph)
	}
	return res, nil
}

// takeDown deletes a placeholder whose result cannot be shown, so that
// nobody in the thread waits for it, and reports whether it is gone. An
// update whose answer was lost may have shown the result after all; it
// goes too, as the caller then reports it not shown. The update may have
// failed because the work was stopped, so the delete does not end with
// ctx.
func (b *Bot) takeDown(ctx context.Context, channel, ts string) bool {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), claimedPostTimeout)
	defer cancel()
	if _, _, err := b.slack(ctx).DeleteMessageContext(ctx, channel, ts); err != nil {
		b.failed(ctx, "take down placeholder", err, "channel", channel, "ts", ts)
		return false
	}
	return true
}

// stillShared checks, before a request to the model, that the plan may
// still go to it: not made private, nor deleted, since p was loaded, by
// this process or another on the store.
func (b *Bot) stillShared(p *flows.Plan) func(context.Context) error {
	return func(ctx context.Context) error {
		cur, err := b.svc.PlanNow(ctx, p.Team, p.ID)
		switch {
		case err != nil:
			return fmt.Errorf("look up plan: %w", err)
		case cur.Privacy:
			return assist.ErrPrivate
		}
		return nil
	}
}

// postMsg posts a coach's message in the plan's thread. Its error wraps
// ErrMaybePosted when the message may be there all the same.
func (b *Bot) postMsg(ctx context.Context, p *flows.Plan, base string, m flows.Msg) error {
	thread, err := b.ensureThread(ctx, p)
	if err != nil {
		b.failed(ctx, "post: thread", err, "plan", p.ID)
		// The header may be out unseen (ErrMaybePosted); the message is
		// certainly not.
		return fmt.Errorf("%w: no thread", ErrNotPosted)
	}
	if _, err := b.poster.post(ctx, p.Channel, thread, msgMessage(base, m)); err != nil {
		b.failed(ctx, "post", err, "plan", p.ID)
		return err
	}
	return nil
}

// draftMessage shows a model's draft with the buttons that decide its fate.
// The draft travels in the button values (at most 2000 characters, which
// assist.MaxDraft respects), so accepting it needs no server-side state;
// so does the revision of the answer it was asked over (rev), so that
// using it keeps an answer given since (see draftValue).
func draftMessage(p *flows.Plan, questionID string, rev int, r assist.Result) message {
	if !r.FromModel {
		return msgMessage("draft", resultMsg(r))
	}
	ids := blockIDs{}
	text := escape(r.Text)
	value := fmt.Sprintf("%d|%s#%d|%s", p.ID, questionID, rev, r.Text)
	blocks := sections(ids, "draft", text)
	blocks = append(blocks,
		contextBlock(ids, "draft-note", "Drafted by AI from your plan so far. Check the facts before you use it."),
		slack.NewActionBlock(ids.next("draft-buttons"),
			button(actionDraftUse, "Use this", value, "primary"),
			button(actionDraftEdit, "Edit", value, ""),
			button(actionDraftDiscard, "Discard", value, ""),
		))
	return message{Text: text, Blocks: blocks}
}

// draftValue reads what a draft's buttons carry after the plan's id: its
// question, the revision of the question's answer when the draft was asked
// for, as the shown revisions of a form (nil from a button posted before
// drafts carried it), and the draft.
func draftValue(rest string) (qid string, shown map[string]int, text string, ok bool) {
	qid, text, ok = strings.Cut(rest, "|")
	if !ok {
		return "", nil, "", false
	}
	if id, r, found := strings.Cut(qid, "#"); found {
		rev, err := strconv.Atoi(r)
		if err != nil {
			return "", nil, "", false
		}
		qid, shown = id, map[string]int{id: rev}
	}
	return qid, shown, text, true
}

// draftModal opens a model's draft for editing before it becomes the answer.
func draftModal(cat *flows.Catalogue, p *flows.Plan, questionID, text, meta string) slack.ModalViewRequest {
	q, _, _, _ := cat.Question(questionID)
	ids := blockIDs{}
	input := slack.NewPlainTextInputBlockElement(nil, answerActionID)
	input.Multiline = true
	input.MaxLength = maxInputLength
	input.InitialValue = truncatePlain(text, maxInputLength)
	block := slack.NewInputBlock(inputBlockID(questionID), slack.NewTextBlockObject(slack.PlainTextType, truncatePlain(q.Text, 2000), false, false), nil, input)
	return slack.ModalViewRequest{
		Type:            slack.VTModal,
		CallbackID:      callbackEditAnswers,
		PrivateMetadata: meta,
		Title:           slack.NewTextBlockObject(slack.PlainTextType, "Edit the draft", false, false),
		Submit:          slack.NewTextBlockObject(slack.PlainTextType, "Save answer", false, false),
		Close:           slack.NewTextBlockObject(slack.PlainTextType, "Cancel", false, false),
		Blocks:          slack.Blocks{BlockSet: []slack.Block{contextBlock(ids, "plan", slackUserText(p.Name)), block}},
	}
}
