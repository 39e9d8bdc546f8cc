package flows

import (
	"cmp"
	"maps"
	"slices"
	"strings"
	"time"
)

// PlanID identifies a plan in the store.
type PlanID int64

// Phase says what the coach is waiting for in the current stage.
type Phase string

const (
	// PhaseQuestion waits for the answer to the stage's current step.
	PhaseQuestion Phase = "question"
	// PhaseActions collects the stage's actions, one per reply.
	PhaseActions Phase = "actions"
	// PhaseKPIs sets the stage's KPIs and their SMART targets, one per reply.
	PhaseKPIs Phase = "kpis"
	// PhaseComplete means every stage has been worked through.
	PhaseComplete Phase = "complete"
)

// Cursor is where the coach stands in a plan. It is all the state the engine
// needs to resume, so the store keeps it with the plan.
type Cursor struct {
	Stage int
	Step  int
	Phase Phase
}

// ReadsDates reports whether a reply to the plan now may carry a date
// relative to the writer's day: at a stage's actions (a due date) or its
// KPIs (a deadline), not at a question.
func (p *Plan) ReadsDates() bool {
	return p.Cursor.Phase == PhaseActions || p.Cursor.Phase == PhaseKPIs
}

// Answer is the current text for one question. Earlier texts are kept as
// revisions; Revision counts from 1. Every change to the question (a new
// text, a co-answer, an edit, a withdrawal) is one revision: Revision is
// the one that wrote Text, Last the latest of them.
type Answer struct {
	QuestionID string
	Text       string
	By         string
	At         time.Time
	Revision   int
	Drafted    bool
	Last       int
	// Source is the message the text came from (a transport's
	// "channel/ts"), so an edit or a deletion of that message can find it;
	// empty for forms, drafts and the terminal.
	Source string
	// Also are answers others gave to the same question after the coach
	// had moved on from it, in the order given: two people answering at
	// once both keep their words.
	Also []Contribution
	// Edited is when the text was last edited at its Source (the edit's
	// own time, not when racebot heard of it); zero for a text as first
	// given. An edit made before it is an older one delivered late.
	Edited time.Time
}

// Contribution is one more answer to a question, beside its Answer.
// Revision is the question's revision that wrote Text.
type Contribution struct {
	Text     string
	By       string
	At       time.Time
	Source   string
	Revision int
	// Edited is as Answer.Edited.
	Edited time.Time
}

// Next is the number of the question's next revision.
func (a Answer) Next() int { return max(a.Revision, a.Last) + 1 }

// Has reports whether text is the answer or one of its co-answers.
func (a Answer) Has(text string) bool {
	return a.Text == text || slices.ContainsFunc(a.Also, func(o Contribution) bool { return o.Text == text })
}

// Action is a concrete thing the team will do, scored so the plan can put
// quick wins first.
type Action struct {
	ID int64
	// Number is how people name the action: given when it is added, one
	// past the plan's highest yet (see Plan.LastActionNumber), and never
	// changed or given again, so `action done 2` means the action someone
	// saw as 2 even after another was removed.
	Number int
	Stage  StageID
	Text   string
	Owner  string
	Due    time.Time
	Impact int
	Effort int
	By     string
	At     time.Time
	// Status is where the action stands; empty means open (see State).
	Status ActionStatus
	// StatusBy and StatusAt say who set Status, and when.
	StatusBy string
	StatusAt time.Time
	// Source is the message the action's line came from (a transport's
	// "channel/ts"), so an edit or a deletion of that message finds it;
	// empty for forms, shortcuts and the terminal.
	Source string
	// Edited is when the line was last edited at its Source, as
	// Answer.Edited; zero for a line as first given.
	Edited time.Time
}

// QuickWin reports whether the action is worth doing first: high impact for
// low effort.
func (a Action) QuickWin() bool { return a.Impact >= 4 && a.Effort <= 2 }

// Plan is a team's RACE plan. It belongs to one workspace (Team) and one
// channel, and its name is unique in that channel.
type Plan struct {
	ID        PlanID
	Team      string
	Channel   string
	Name      string
	CreatedBy string
	CreatedAt time.Time

	Cursor    Cursor
	Answers   map[string]Answer
	Skipped   map[string]bool
	Completed map[StageID]bool
	Actions   []Action
	// LastActionNumber is the highest number given to any of the plan's
	// actions, removed ones included: numbers are not used twice.
	LastActionNumber int
	// KPIs are the plan's chosen KPIs with their targets, in the order set.
	KPIs []KPI

	// Version counts committed steps; the store refuses a commit made
	// against an older version, so two people answering at once never
	// overwrite each other.
	Version int64

	// Privacy keeps the plan's text away from the LLM.
	Privacy bool
	// Kind is the kind of business the plan is for; it picks the worked
	// examples and KPI suggestions. Empty until known, which reads as the
	// catalogue's own (e-commerce) examples.
	Kind Kind
	// Thread is the transport's handle on the plan's coaching conversation
	// (a Slack thread ts); empty in the terminal.
	Thread string

	// Prior holds the answers of the plan this one was started from, by
	// question id: starting points to keep or change, not answers until
	// someone keeps them. It is set when the plan is created and never
	// changed, so clones share it.
	Prior map[string]Prior
}

// NewPlan starts an empty plan at the first question.
func NewPlan(team, channel, name, by string, now time.Time) *Plan {
	return &Plan{
		Team:      team,
		Channel:   channel,
		Name:      strings.TrimSpace(name),
		CreatedBy: by,
		CreatedAt: now,
		Cursor:    Cursor{Phase: PhaseQuestion},
		Answers:   make(map[string]Answer),
		Skipped:   make(map[string]bool),
		Completed: make(map[StageID]bool),
		Kind:      nameKind(name),
	}
}

// nameKind reads a kind of business from a plan's name when the name makes
// it plain ("Webshop relaunch"); most names ("Q1 Launch") say nothing.
func nameKind(name string) Kind {
	if k, ok := DetectKind(name); ok {
		return k
	}
	return ""
}

// Clone returns a deep copy, so Step can work on a plan without touching
// the caller's.
func (p *Plan) Clone() *Plan {
	c := *p
	c.Answers = cloneMap(p.Answers)
	c.Skipped = cloneMap(p.Skipped)
	c.Completed = cloneMap(p.Completed)
	c.Actions = slices.Clone(p.Actions)
	c.KPIs = slices.Clone(p.KPIs)
	return &c
}

// cloneMap is maps.Clone, which copies a map's table whole rather than
// inserting key by key, except that the copy of a nil map is an empty one
// the clone's owner can write to.
func cloneMap[K comparable, V any](m map[K]V) map[K]V {
	if m == nil {
		return make(map[K]V)
	}
	return maps.Clone(m)
}

// RankedActions orders actions for the 90-day plan: quick wins first, then by
// impact minus effort, then the earliest due date, then insertion order.
func (p *Plan) RankedActions() []Action {
	ranked := slices.Clone(p.Actions)
	slices.SortStableFunc(ranked, func(a, b Action) int {
		if a.QuickWin() != b.QuickWin() {
			if a.QuickWin() {
				return -1
			}
			return 1
		}
		if c := cmp.Compare(b.Impact-b.Effort, a.Impact-a.Effort); c != 0 {
			return c
		}
		if c := cmp.Compare(b.Impact, a.Impact); c != 0 {
			return c
		}
		return a.Due.Compare(b.Due)
	})
	return ranked
}

// StageProgress counts a stage's answered steps.
type StageProgress struct {
	Stage    StageID
	Name     string
	Answered int
	Skipped  int
	Total    int
	Actions  int
	Done     bool
}

// Progress reports how far each stage has come.
func (p *Plan) Progress(c *Catalogue) []StageProgress {
	out := make([]StageProgress, len(c.Stages))
	for i := range c.Stages {
		st := &c.Stages[i]
		sp := StageProgress{Stage: st.ID, Name: st.Name, Done: p.Completed[st.ID]}
		for _, q := range st.Steps() {
			sp.Total++
			switch {
			case p.Answers[q.ID].Text != "":
				sp.Answered++
			case p.Skipped[q.ID]:
				sp.Skipped++
			}
		}
		for _, a := range p.Actions {
			if a.Stage == st.ID {
				sp.Actions++
			}
		}
		out[i] = sp
	}
	return out
}

// Current returns the question the coach is asking, if it is asking one.
func (p *Plan) Current(c *Catalogue) (Stage, Question, bool) {
	if p.Cursor.Phase != PhaseQuestion || p.Cursor.Stage >= len(c.Stages) {
		return Stage{}, Question{}, false
	}
	st := c.Stages[p.Cursor.Stage]
	steps := st.Steps()
	if p.Cursor.Step >= len(steps) {
		return Stage{}, Question{}, false
	}
	return st, steps[p.Cursor.Step], true
}

// ActionsDue lists the actions still to do that are due by the given time,
// overdue ones included, earliest first: what a check-in asks about.
func (p *Plan) ActionsDue(by time.Time) []Action {
	var due []Action
	for _, a := range p.Actions {
		if !a.Closed() && !a.Due.IsZero() && !a.Due.After(by) {
			due = append(due, a)
		}
	}
	slices.SortStableFunc(due, func(a, b Action) int { return a.Due.Compare(b.Due) })
	return due
}

// ActionsDueText asks about the actions due, for a check-in; empty when
// none are.
func ActionsDueText(actions []Action, now time.Time) Msg {
	if len(actions) == 0 {
		return nil
	}
	var b msgBuilder
	b.printf("%s — reply with how they went:", Text("Actions due").Strong())
	for _, a := range actions {
		when := "due " + a.Due.Format("2 Jan")
		if a.Due.Before(startOfDay(now)) {
			when = "overdue since " + a.Due.Format("2 Jan")
		}
		if a.State() == ActionDoing {
			when = "under way, " + when
		}
		if a.Owner != "" {
			b.printf("\n• %s (%s, %s)", User(a.Text), when, User(a.Owner))
		} else {
			b.printf("\n• %s (%s)", User(a.Text), when)
		}
	}
	b.printf("\nFinished one? Reply %s (or %s, %s).", Code("done: "+actionRefExample(actions[0].Text)), Code("doing: …"), Code("dropped: …"))
	return b.msg()
}
