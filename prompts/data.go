package prompts

// StageInfo describes one RACE stage as the catalogue defines it. The
// framework knowledge reaches the model only through these values, so the
// prompts stay the same when the catalogue changes.
type StageInfo struct {
	Name    string
	Purpose string
	KPIs    []KPIInfo
}

// KPIInfo is a KPI the catalogue proposes for a stage.
type KPIInfo struct {
	ID             string
	Name           string
	Measures       string
	Unit           string
	HigherIsBetter bool
}

// AnswerInfo is the team's answer to one guiding question. Stage is the
// stage's display name. A blank Text marks a question the team has not
// answered yet: drafts skip it and reviews report it as a gap. By is whoever
// gave the answer (a display name, not a Slack mention).
type AnswerInfo struct {
	QuestionID string
	Stage      string
	Question   string
	Text       string
	By         string
}

// DraftData is the input of the prompt that drafts an answer to one guiding
// question. Question and Stage.Name are required; Hint and Example come from
// the catalogue and may be empty.
type DraftData struct {
	PlanName         string
	Business         string
	ValueProposition string
	Stage            StageInfo
	Question         string
	Hint             string
	Example          string
	Answers          []AnswerInfo
}

// KPITarget is a KPI the team chose, with its SMART target as entered. Any
// field may be empty when the team has not set it yet.
type KPITarget struct {
	ID       string
	Name     string
	Stage    string
	Baseline string
	Target   string
	Unit     string
	Deadline string
	Owner    string
}

// ActionInfo is a planned action. Impact and Effort are scores from 1 to 5;
// zero means not scored.
type ActionInfo struct {
	Stage  string
	Text   string
	Owner  string
	Due    string
	Impact int
	Effort int
}

// ReviewData is the input of the prompt that critiques a whole plan. Stages
// is required. Funnel is a pre-computed text summary of the funnel check and
// may be empty, in which case the model is told no funnel figures exist.
type ReviewData struct {
	PlanName string
	Stages   []StageInfo
	Answers  []AnswerInfo
	KPIs     []KPITarget
	Actions  []ActionInfo
	Funnel   string
}

// KPIData is the input of the prompt that suggests KPIs and SMART targets
// for one stage. Stage.Name is required.
type KPIData struct {
	PlanName string
	Stage    StageInfo
	Answers  []AnswerInfo
}

// ReadingInfo is one KPI value collected in a check-in, already formatted
// by the caller; Progress and Status (on track, at risk, off track) are
// computed by the caller, not by the model.
type ReadingInfo struct {
	KPI      string
	Value    string
	Target   string
	Progress string
	Status   string
}

// CheckinData is the input of the prompt that summarises a check-in. Missing
// names the KPIs nobody reported. At least one reading or missing KPI is
// required.
type CheckinData struct {
	PlanName string
	Readings []ReadingInfo
	Missing  []string
}
