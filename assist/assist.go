// Package assist drafts answers and reviews plans: with a language model
// when one is configured and the plan allows it, with the built-in coach
// otherwise. It never fails a person: a model that is slow, down, refusing
// or babbling turns into a friendly note and the offline help.
package assist

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/racebot/racebot/flows"
	"github.com/racebot/racebot/markup"
	"github.com/racebot/racebot/prompts"
)

// Model is the language model, as the prompts client offers it.
type Model interface {
	Complete(ctx context.Context, planKey string, m prompts.Messages) (prompts.Result, error)
	Stream(ctx context.Context, planKey string, m prompts.Messages, onDelta func(soFar string)) (prompts.Result, error)
}

// Output lengths: a draft must fit one Slack section (3000 characters) and a
// button value (2000), which is how "Use this" carries it; a review is
// split over several sections.
const (
	MaxDraft  = 1900
	MaxReview = 8000
)

// Result is a draft or a review, ready to show.
type Result struct {
	Text string
	// Msg is the built-in coach's message, set when it answered; Text is
	// then its plain text. Transports render Msg, which keeps the team's
	// own words apart from the coach's.
	Msg flows.Msg
	// FromModel is true when the model wrote Text; false means the built-in
	// coach did.
	FromModel bool
	// Note says why the built-in coach answered, when it did.
	Note string
}

// Assistant drafts and reviews for the coach.
type Assistant struct {
	cat     *flows.Catalogue
	prompts *prompts.Prompts
	model   Model
	log     *slog.Logger
}

// New makes an Assistant. A nil model means no model is configured.
func New(cat *flows.Catalogue, model Model, logger *slog.Logger) (*Assistant, error) {
	p, err := prompts.New()
	if err != nil {
		return nil, fmt.Errorf("load prompts: %w", err)
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &Assistant{cat: cat, prompts: p, model: model, log: logger}, nil
}

// Enabled reports whether a model may be used for this plan.
func (a *Assistant) Enabled(p *flows.Plan) bool { return a.model != nil && !p.Privacy }

// ErrPrivate is what a check run before each request to the model (see
// prompts.WithAttemptCheck) returns when the plan was made private since
// the draft or review began: nothing more of it goes to the model.
var ErrPrivate = errors.New("plan is private")

const privateNote = "This plan is private, so its text never goes to the AI model; here is the built-in coach's help instead."

// offlineNote says why the built-in coach answers instead of the model.
func (a *Assistant) offlineNote(p *flows.Plan) string {
	if p.Privacy {
		return privateNote
	}
	return ""
}

// Draft writes a first answer to a question. onDelta, if not nil, receives
// the text so far while a model streams it. names, which may be nil, names
// the people and channels the plan's text mentions (see teamText).
func (a *Assistant) Draft(ctx context.Context, p *flows.Plan, names markup.Names, questionID string, onDelta func(string)) Result {
	offline := builtIn(flows.OfflineDraft(a.cat, p, questionID), a.offlineNote(p))
	if !a.Enabled(p) {
		return offline
	}
	data, err := a.draftData(p, teamText(names), questionID)
	if err != nil {
		a.log.Warn("draft prompt", "plan", p.ID, "err", err)
		return offline
	}
	m, err := a.prompts.Draft(data)
	if err != nil {
		a.log.Warn("draft prompt", "plan", p.ID, "err", err)
		return offline
	}
	return a.ask(ctx, p, m, MaxDraft, onDelta, offline)
}

// Review critiques the whole plan. The built-in checks always run; the
// model, when allowed, gets their funnel summary as grounding. names is as
// for Draft.
func (a *Assistant) Review(ctx context.Context, p *flows.Plan, names markup.Names, kpis []flows.KPI, now time.Time, onDelta func(string)) Result {
	rules := flows.ReviewPlan(a.cat, p, kpis, now)
	offline := builtIn(rules.Text(p.Name), a.offlineNote(p))
	if !a.Enabled(p) {
		return offline
	}
	m, err := a.prompts.Review(a.reviewData(p, teamText(names), kpis, rules))
	if err != nil {
		a.log.Warn("review prompt", "plan", p.ID, "err", err)
		return offline
	}
	return a.ask(ctx, p, m, MaxReview, onDelta, offline)
}

// ask calls the model and cleans what it says; any failure becomes the
// offline result with a note in plain words.
func (a *Assistant) ask(ctx context.Context, p *flows.Plan, m prompts.Messages, maxLen int, onDelta func(string), offline Result) Result {
	key := fmt.Sprintf("%s/%d", p.Team, p.ID)
	var clean func(string)
	if onDelta != nil {
		clean = func(s string) { onDelta(prompts.Clean(s, maxLen)) }
	}
	res, err := a.model.Stream(ctx, key, m, clean)
	if errors.Is(err, ErrPrivate) {
		offline.Note = privateNote
		return offline
	}
	if err != nil {
		a.log.Warn("llm call failed", "plan", key, "err", err)
		offline.Note = failureNote(err)
		return offline
	}
	text := prompts.Clean(res.Text, maxLen)
	if strings.TrimSpace(text) == "" {
		offline.Note = failureNote(prompts.ErrEmpty)
		return offline
	}
	return Result{Text: text, FromModel: true}
}

// builtIn is the built-in coach's answer.
func builtIn(m flows.Msg, note string) Result {
	return Result{Text: m.String(), Msg: m, Note: note}
}

func failureNote(err error) string {
	switch {
	case errors.Is(err, prompts.ErrRefused):
		return "The AI model declined to answer this one; here is the built-in coach's help instead."
	case errors.Is(err, prompts.ErrEmpty), errors.Is(err, prompts.ErrMalformed):
		return "The AI model's reply was empty or garbled; here is the built-in coach's help instead."
	case errors.Is(err, prompts.ErrRejected):
		return "The AI model refused the request (check the API key and model name); here is the built-in coach's help instead."
	default:
		return "The AI model is not answering right now; here is the built-in coach's help instead."
	}
}

// teamText renders text the team typed, kept in Slack's encoding, as the
// plain words a model reads: entities decoded, mentions as @Name, links as
// "label (url)". The prompts then fence it off as data.
func teamText(names markup.Names) func(stored string) string {
	return func(s string) string { return markup.Stored(s).Plain(names) }
}

func stageInfo(st flows.Stage) prompts.StageInfo {
	info := prompts.StageInfo{Name: st.Name, Purpose: st.Purpose}
	for _, k := range st.KPIs {
		info.KPIs = append(info.KPIs, prompts.KPIInfo{ID: k.ID, Name: k.Name, Measures: k.Measures, Unit: string(k.Unit), HigherIsBetter: k.HigherIsBetter})
	}
	return info
}

// answers lists every step of the plan, blank where unanswered. Authors
// are left out: Slack user IDs mean nothing to a model and need not leave
// the workspace.
func (a *Assistant) answers(p *flows.Plan, text func(string) string) []prompts.AnswerInfo {
	var out []prompts.AnswerInfo
	for _, st := range a.cat.Stages {
		for _, q := range st.Steps() {
			out = append(out, prompts.AnswerInfo{QuestionID: q.ID, Stage: st.Name, Question: q.Text, Text: text(p.Answers[q.ID].Text)})
		}
	}
	return out
}

func (a *Assistant) draftData(p *flows.Plan, text func(string) string, questionID string) (prompts.DraftData, error) {
	q, si, _, ok := a.cat.Question(questionID)
	if !ok {
		return prompts.DraftData{}, fmt.Errorf("unknown question %q", questionID)
	}
	var earlier []prompts.AnswerInfo
	for _, ai := range a.answers(p, text) {
		if ai.QuestionID != questionID {
			earlier = append(earlier, ai)
		}
	}
	return prompts.DraftData{
		PlanName:         text(p.Name),
		Business:         text(p.Answers[flows.QuestionBusiness].Text),
		ValueProposition: text(p.Answers[flows.QuestionValueProposition].Text),
		Stage:            stageInfo(a.cat.Stages[si]),
		Question:         q.Text,
		Hint:             q.Hint,
		Example:          flows.ExampleFor(a.cat, questionID, p.Kind),
		Answers:          earlier,
	}, nil
}

func (a *Assistant) reviewData(p *flows.Plan, text func(string) string, kpis []flows.KPI, rules flows.Review) prompts.ReviewData {
	d := prompts.ReviewData{PlanName: text(p.Name), Answers: a.answers(p, text), Funnel: rules.Funnel.String()}
	for _, st := range a.cat.Stages {
		d.Stages = append(d.Stages, stageInfo(st))
	}
	for _, k := range kpis {
		t := prompts.KPITarget{ID: k.Key, Name: text(k.Name), Stage: string(k.Stage), Unit: string(k.Unit), Owner: text(k.Owner)}
		if k.HasBaseline() {
			t.Baseline = flows.FormatValue(k.Baseline)
		}
		if k.HasTarget() {
			t.Target = flows.TargetValue(k)
		}
		if !k.Deadline.IsZero() {
			t.Deadline = k.Deadline.Format(time.DateOnly)
		}
		d.KPIs = append(d.KPIs, t)
	}
	for _, act := range p.RankedActions() {
		due := ""
		if !act.Due.IsZero() {
			due = act.Due.Format(time.DateOnly)
		}
		d.Actions = append(d.Actions, prompts.ActionInfo{Stage: string(act.Stage), Text: text(act.Text), Owner: text(act.Owner), Due: due, Impact: act.Impact, Effort: act.Effort})
	}
	return d
}

// SuggestKPIs proposes KPIs and SMART targets for a stage. Offline it lists
// the stage's catalogue KPIs with the line to set each. names is as for
// Draft.
func (a *Assistant) SuggestKPIs(ctx context.Context, p *flows.Plan, names markup.Names, stage flows.StageID, onDelta func(string)) Result {
	si, ok := a.cat.Stage(string(stage))
	if !ok {
		return Result{Text: "That stage does not exist."}
	}
	st := a.cat.Stages[si]
	// The stage's KPIs as they suit the plan's kind of business, for the
	// built-in coach and the model alike.
	st.KPIs = flows.StageKPIs(a.cat, st.ID, p.Kind)
	offline := builtIn(offlineKPIs(st, p.Kind), a.offlineNote(p))
	if !a.Enabled(p) {
		return offline
	}
	text := teamText(names)
	m, err := a.prompts.KPI(prompts.KPIData{PlanName: text(p.Name), Stage: stageInfo(st), Answers: a.answers(p, text)})
	if err != nil {
		a.log.Warn("kpi prompt", "plan", p.ID, "err", err)
		return offline
	}
	return a.ask(ctx, p, m, MaxDraft, onDelta, offline)
}

func offlineKPIs(st flows.Stage, k flows.Kind) flows.Msg {
	var m flows.Msg
	if k.Valid() {
		m = flows.Sayf("%s (built-in suggestions for %s)", flows.Text("KPIs for "+st.Name).Strong(), k.Name())
	} else {
		m = flows.Sayf("%s (built-in suggestions)", flows.Text("KPIs for "+st.Name).Strong())
	}
	for _, d := range st.KPIs {
		m = m.Append("\n• ", flows.Code(d.ID), " — "+d.Measures)
	}
	example := "…"
	if len(st.KPIs) > 0 {
		example = st.KPIs[0].ID
	}
	return m.Append("\nSet one with a baseline, a target, a deadline and an owner, for example ",
		flows.Code(example+" | baseline … | target … | by 2027-03-31 | owner Ana"), ". Pick two or three you can measure today.")
}

// SummarizeCheckin writes a short summary of a closed check-in, to follow
// its closing text. Offline, and for private plans, it is the closing text
// itself, which already says it all. names is as for Draft.
func (a *Assistant) SummarizeCheckin(ctx context.Context, p *flows.Plan, names markup.Names, s flows.CheckinSummary) Result {
	offline := builtIn(flows.ClosingText(s), "")
	if !a.Enabled(p) || s.Nobody {
		return offline
	}
	text := teamText(names)
	d := prompts.CheckinData{PlanName: text(p.Name)}
	for _, l := range s.Lines {
		ri := prompts.ReadingInfo{KPI: text(l.KPI.Name), Status: string(l.Progress.Status)}
		if l.KPI.HasTarget() {
			ri.Target = flows.TargetValue(l.KPI)
		}
		if l.Latest == nil {
			d.Missing = append(d.Missing, text(l.KPI.Name))
		} else {
			ri.Value = flows.FormatValue(l.Latest.Value)
			ri.Progress = fmt.Sprintf("%.0f%% of the way", l.Progress.Percent)
		}
		d.Readings = append(d.Readings, ri)
	}
	m, err := a.prompts.Checkin(d)
	if err != nil {
		a.log.Warn("check-in prompt", "plan", p.ID, "err", err)
		return offline
	}
	return a.ask(ctx, p, m, MaxDraft, nil, offline)
}
