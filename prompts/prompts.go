package prompts

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"text/template"
)

// ErrMissing reports that a prompt lacks data it cannot do without, such as
// the question to draft an answer for.
var ErrMissing = errors.New("missing prompt data")

//go:embed templates/*.tmpl
var templateFS embed.FS

// Messages is one rendered job: the system message sets the model's role and
// rules, the user message carries the plan's data and the task.
type Messages struct {
	System string
	User   string
}

// Prompts holds the parsed templates. It is safe for concurrent use.
type Prompts struct {
	t *template.Template
}

// New parses the embedded templates. Call it once at start-up and share the
// result; an error here means a template file is broken.
func New() (*Prompts, error) {
	t, err := template.New("prompts").
		Option("missingkey=error").
		Funcs(template.FuncMap{
			"data":       quoteData,
			"attr":       quoteAttr,
			"answered":   answered,
			"unanswered": unanswered,
		}).
		ParseFS(templateFS, "templates/*.tmpl")
	if err != nil {
		return nil, fmt.Errorf("parse prompt templates: %w", err)
	}
	return &Prompts{t: t}, nil
}

// Draft renders the prompt that drafts an answer to one guiding question.
func (p *Prompts) Draft(d DraftData) (Messages, error) {
	if blank(d.Question) || blank(d.Stage.Name) {
		return Messages{}, fmt.Errorf("draft prompt: %w: question and stage name are required", ErrMissing)
	}
	return p.job("draft", d)
}

// Review renders the prompt that critiques a whole plan.
func (p *Prompts) Review(d ReviewData) (Messages, error) {
	if len(d.Stages) == 0 {
		return Messages{}, fmt.Errorf("review prompt: %w: stages are required", ErrMissing)
	}
	return p.job("review", d)
}

// KPI renders the prompt that suggests KPIs and SMART targets for a stage.
func (p *Prompts) KPI(d KPIData) (Messages, error) {
	if blank(d.Stage.Name) {
		return Messages{}, fmt.Errorf("kpi prompt: %w: stage name is required", ErrMissing)
	}
	return p.job("kpi", d)
}

// Checkin renders the prompt that summarises a KPI check-in.
func (p *Prompts) Checkin(d CheckinData) (Messages, error) {
	if len(d.Readings) == 0 && len(d.Missing) == 0 {
		return Messages{}, fmt.Errorf("checkin prompt: %w: readings or missing KPIs are required", ErrMissing)
	}
	return p.job("checkin", d)
}

// job renders the "<name>.system" and "<name>.user" templates.
func (p *Prompts) job(name string, data any) (Messages, error) {
	system, err := p.render(name+".system", data)
	if err != nil {
		return Messages{}, err
	}
	user, err := p.render(name+".user", data)
	if err != nil {
		return Messages{}, err
	}
	return Messages{System: system, User: user}, nil
}

func (p *Prompts) render(name string, data any) (string, error) {
	var buf bytes.Buffer
	if err := p.t.ExecuteTemplate(&buf, name, data); err != nil {
		// The templates are fixed and golden-tested, so an execution error
		// means the data lacks something a template needs: a map key under
		// missingkey=error, or a nil value.
		return "", fmt.Errorf("render %s: %w: %w", name, ErrMissing, err)
	}
	return tidy(buf.String()), nil
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

// tidy lets the templates be written for readability: it drops trailing
// spaces and collapses runs of blank lines left by actions.
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
