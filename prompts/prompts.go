package prompts

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
)

// ErrMissing reports that a prompt lacks data it cannot do without, such as
// the question to draft an answer for.
var ErrMissing = errors.New("missing prompt data")

// Messages is one rendered job: the system message sets the model's role and
// rules, the user message carries the plan's data and the task.
type Messages struct {
	System string
	User   string
}

// Prompts renders the prompts, written in Go (text.go) rather than with
// text/template: the template engine looks methods up by name through
// reflection, which keeps every exported method of every type in the binary
// and cost the shipped binary about 3.9 MB. It is safe for concurrent use.
type Prompts struct{}

// New returns the prompts. Call it once at start-up and share the result; it
// cannot fail now that nothing is parsed, and keeps its error for callers.
func New() (*Prompts, error) {
	return &Prompts{}, nil
}

// Draft renders the prompt that drafts an answer to one guiding question.
func (p *Prompts) Draft(d DraftData) (Messages, error) {
	if blank(d.Question) || blank(d.Stage.Name) {
		return Messages{}, fmt.Errorf("draft prompt: %w: question and stage name are required", ErrMissing)
	}
	return messages(draftSystem, draftUser(d)), nil
}

// Review renders the prompt that critiques a whole plan.
func (p *Prompts) Review(d ReviewData) (Messages, error) {
	if len(d.Stages) == 0 {
		return Messages{}, fmt.Errorf("review prompt: %w: stages are required", ErrMissing)
	}
	return messages(reviewSystem(d), reviewUser(d)), nil
}

// KPI renders the prompt that suggests KPIs and SMART targets for a stage.
func (p *Prompts) KPI(d KPIData) (Messages, error) {
	if blank(d.Stage.Name) {
		return Messages{}, fmt.Errorf("kpi prompt: %w: stage name is required", ErrMissing)
	}
	return messages(kpiSystem, kpiUser(d)), nil
}

// Checkin renders the prompt that summarises a KPI check-in.
func (p *Prompts) Checkin(d CheckinData) (Messages, error) {
	if len(d.Readings) == 0 && len(d.Missing) == 0 {
		return Messages{}, fmt.Errorf("checkin prompt: %w: readings or missing KPIs are required", ErrMissing)
	}
	return messages(checkinSystem, checkinUser(d)), nil
}

func messages(system, user string) Messages {
	return Messages{System: tidy(system), User: tidy(user)}
}

// answered keeps the answers with text, in order.
func answered(as []AnswerInfo) []AnswerInfo {
	var out []AnswerInfo
	for _, a := range as {
		if !blank(a.Text) {
			out = append(out, a)
		}
	}
	return out
}

// unanswered keeps the questions without an answer, in order.
func unanswered(as []AnswerInfo) []AnswerInfo {
	var out []AnswerInfo
	for _, a := range as {
		if blank(a.Text) {
			out = append(out, a)
		}
	}
	return out
}

func blank(s string) bool { return strings.TrimSpace(s) == "" }

// tidy lets the prompts be written for readability: it drops trailing
// spaces and collapses runs of blank lines left by empty optional parts.
func tidy(s string) string {
	lines := strings.Split(s, "\n")
	out := make([]string, 0, len(lines))
	for _, l := range lines {
		l = strings.TrimRight(l, " \t\r")
		if l == "" && (len(out) == 0 || out[len(out)-1] == "") {
			continue
		}
		out = append(out, l)
	}
	return strings.TrimSpace(strings.Join(out, "\n"))
}

var (
	// Slack delivers message text with <, > and & escaped, so the entity
	// forms must be neutralised too, or a model that decodes them could still
	// see a closing tag.
	ltEntity = regexp.MustCompile(`(?i)&(?:lt|#0*60|#x0*3c);`)
	gtEntity = regexp.MustCompile(`(?i)&(?:gt|#0*62|#x0*3e);`)
	angles   = strings.NewReplacer("<", "‹", ">", "›")
)

// quoteData makes team-written text safe to place inside a delimited block:
// with every angle bracket replaced by a look-alike guillemet, no text can
// open or close a block such as <answer>, whatever its case or spacing.
func quoteData(s string) string {
	s = ltEntity.ReplaceAllString(s, "<")
	s = gtEntity.ReplaceAllString(s, ">")
	return strings.TrimSpace(angles.Replace(s))
}

// quoteAttr is quoteData for a value inside a double-quoted attribute: one
// line, no double quotes.
func quoteAttr(s string) string {
	s = quoteData(s)
	s = strings.Join(strings.Fields(s), " ")
	return strings.ReplaceAll(s, `"`, "'")
}
