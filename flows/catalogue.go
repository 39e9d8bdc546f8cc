package flows

import (
	"fmt"
	"slices"
	"strings"
)

// StageID names a RACE stage. The IDs are stable: they are stored in the
// database and used in question IDs, so they never change once shipped.
type StageID string

const (
	StagePlan    StageID = "plan"
	StageReach   StageID = "reach"
	StageAct     StageID = "act"
	StageConvert StageID = "convert"
	StageEngage  StageID = "engage"
)

// UnitKind says how a KPI's values are written and compared.
type UnitKind string

const (
	UnitCount    UnitKind = "count"
	UnitCurrency UnitKind = "currency"
	UnitPercent  UnitKind = "percent"
	UnitDuration UnitKind = "duration"
	UnitRatio    UnitKind = "ratio"
)

// Question is one guiding question of a stage. Its ID ("reach.audience") is
// what answers are stored under, so rewording Text never orphans an answer.
type Question struct {
	ID      string
	Text    string
	Hint    string
	Example string
}

// KPIDef is a key performance indicator the catalogue proposes for a stage.
type KPIDef struct {
	ID             string
	Stage          StageID
	Name           string
	Measures       string
	Unit           UnitKind
	HigherIsBetter bool
	// Per is the period a count or an amount is usually counted over
	// (visitors a month); PeriodNone for rates, averages and levels. A
	// KPI line may say otherwise ("per week", "over the plan").
	Per Period
}

// WrapUp holds the Opportunity / Strategy / Action prompts that close each
// stage, the structure of Smart Insights' own RACE templates.
type WrapUp struct {
	Opportunity Question
	Strategy    Question
	Action      Question
}

// Stage is one step of the RACE plan with everything the coach needs to
// walk a team through it.
type Stage struct {
	ID        StageID
	Name      string
	Purpose   string
	Questions []Question
	WrapUp    WrapUp
	KPIs      []KPIDef

	// steps is Steps as NewCatalogue indexed it: every answer asks for
	// them several times, and building them each time was a tenth of an
	// answer's allocations.
	steps []Question
}

// Steps lists the questions the coach asks in this stage, in order: the
// guiding questions, then the opportunity and the strategy. Actions follow
// as a step of their own. The list is shared: read it, do not change it.
func (s *Stage) Steps() []Question {
	if s.steps != nil {
		return slices.Clip(s.steps)
	}
	return s.buildSteps()
}

func (s *Stage) buildSteps() []Question {
	steps := make([]Question, 0, len(s.Questions)+2)
	steps = append(steps, s.Questions...)
	return append(steps, s.WrapUp.Opportunity, s.WrapUp.Strategy)
}

// Catalogue is the RACE content the coach works from. It is data: the engine
// takes it as an argument, so tests can run on a small catalogue of their own.
type Catalogue struct {
	Stages []Stage

	questions map[string]questionRef
}

type questionRef struct {
	stage int
	step  int
}

// NewCatalogue indexes stages for lookup and checks that every ID is unique,
// so a typo in the content is caught when the program starts.
func NewCatalogue(stages []Stage) (*Catalogue, error) {
	c := &Catalogue{Stages: stages, questions: make(map[string]questionRef)}
	kpis := make(map[string]bool)
	for si := range stages {
		st := &stages[si]
		if st.ID == "" || st.Name == "" {
			return nil, fmt.Errorf("catalogue: stage %d has no id or name", si)
		}
		st.steps = st.buildSteps()
		for qi, q := range st.steps {
			if q.ID == "" || q.Text == "" {
				return nil, fmt.Errorf("catalogue: stage %s step %d has no id or text", st.ID, qi)
			}
			if _, dup := c.questions[q.ID]; dup {
				return nil, fmt.Errorf("catalogue: question id %q used twice", q.ID)
			}
			c.questions[q.ID] = questionRef{stage: si, step: qi}
		}
		for _, k := range st.KPIs {
			if kpis[k.ID] {
				return nil, fmt.Errorf("catalogue: kpi id %q used twice", k.ID)
			}
			kpis[k.ID] = true
		}
	}
	return c, nil
}

// Stage finds a stage by ID or by name, ignoring case, so "Reach", "reach"
// and "REACH" all work as a user would expect.
func (c *Catalogue) Stage(name string) (int, bool) {
	name = strings.TrimSpace(name)
	for i, st := range c.Stages {
		if strings.EqualFold(string(st.ID), name) || strings.EqualFold(st.Name, name) {
			return i, true
		}
	}
	return 0, false
}

// Question returns the question with the given ID and where it sits.
func (c *Catalogue) Question(id string) (q Question, stage, step int, ok bool) {
	ref, ok := c.questions[id]
	if !ok {
		return Question{}, 0, 0, false
	}
	return c.Stages[ref.stage].Steps()[ref.step], ref.stage, ref.step, true
}

// KPI returns the catalogue KPI with the given ID.
func (c *Catalogue) KPI(id string) (KPIDef, bool) {
	for _, st := range c.Stages {
		for _, k := range st.KPIs {
			if k.ID == id {
				return k, true
			}
		}
	}
	return KPIDef{}, false
}

// StageNames lists the stage names in order, for messages such as
// "try one of Plan, Reach, Act, Convert, Engage".
func (c *Catalogue) StageNames() []string {
	names := make([]string, len(c.Stages))
	for i, st := range c.Stages {
		names[i] = st.Name
	}
	return names
}
