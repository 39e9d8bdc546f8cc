package flows

import (
	"fmt"
	"strings"
)

// ReplyKind tells a transport what a reply is, so Slack can render buttons
// for a question while the terminal prints the same reply as plain text.
type ReplyKind string

const (
	ReplyQuestion    ReplyKind = "question"
	ReplySaved       ReplyKind = "saved"
	ReplyNote        ReplyKind = "note"
	ReplyActions     ReplyKind = "actions"
	ReplyActionAdded ReplyKind = "action-added"
	ReplyKPIs        ReplyKind = "kpis"
	ReplyKPISet      ReplyKind = "kpi-set"
	ReplyFunnel      ReplyKind = "funnel"
	ReplyValues      ReplyKind = "values"
	ReplySchedule    ReplyKind = "schedule"
	ReplyStageDone   ReplyKind = "stage-done"
	ReplyPlanDone    ReplyKind = "plan-done"
	ReplyPlanCreated ReplyKind = "plan-created"
	ReplyStatus      ReplyKind = "status"
	ReplyPlans       ReplyKind = "plans"
	ReplyExport      ReplyKind = "export"
	ReplyHelp        ReplyKind = "help"
	ReplyConfirm     ReplyKind = "confirm"
	ReplyDeleted     ReplyKind = "deleted"
	ReplyDraft       ReplyKind = "draft"
)

// Reply is one message for the person or team. Text is always set and reads
// well as plain text (Slack's mrkdwn subset: `code`, *bold*, _italic_); the
// other fields let a transport render it richer.
type Reply struct {
	Kind       ReplyKind
	Text       string
	Stage      StageID
	QuestionID string
	Step       int
	Steps      int
	Current    string
	// Confirm is the exact command that carries out what a ReplyConfirm asks.
	Confirm string
	// Markdown holds a document, for ReplyExport.
	Markdown string
}

func questionText(st Stage, q Question, step, steps int, current string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "*%s* · question %d of %d\n%s", st.Name, step, steps, q.Text)
	if q.Hint != "" {
		fmt.Fprintf(&b, "\n_Hint: %s_", q.Hint)
	}
	if current != "" {
		fmt.Fprintf(&b, "\nCurrent answer: %s\nReply with a new answer to replace it (the old one is kept), or `skip` to keep it.", current)
	}
	return b.String()
}

func actionsPrompt(st Stage, p *Plan) string {
	var b strings.Builder
	fmt.Fprintf(&b, "*%s* · actions\n%s", st.Name, st.WrapUp.Action.Text)
	if st.WrapUp.Action.Hint != "" {
		fmt.Fprintf(&b, "\n_Hint: %s_", st.WrapUp.Action.Hint)
	}
	if ex := st.WrapUp.Action.Example; ex != "" {
		fmt.Fprintf(&b, "\nFor example: `%s`", ex)
	}
	n := 0
	for _, a := range p.Actions {
		if a.Stage == st.ID {
			n++
		}
	}
	if n > 0 {
		fmt.Fprintf(&b, "\n%d action(s) so far in this stage.", n)
	}
	b.WriteString(" Reply `done` to finish the stage.")
	return b.String()
}

func actionAddedText(a Action) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Action added: %s (impact %d, effort %d", a.Text, a.Impact, a.Effort)
	if a.QuickWin() {
		b.WriteString(", a quick win")
	}
	b.WriteString(").")
	var missing []string
	if a.Owner == "" {
		missing = append(missing, "an owner")
	}
	if a.Due.IsZero() {
		missing = append(missing, "a due date")
	}
	if len(missing) > 0 {
		fmt.Fprintf(&b, " It has no %s yet.", strings.Join(missing, " or "))
	}
	b.WriteString(" Add another, or reply `done`.")
	return b.String()
}

func kpisPrompt(st Stage, p *Plan) string {
	var b strings.Builder
	fmt.Fprintf(&b, "*%s* · KPIs\nWhich numbers will tell you %s is working? Pick from:", st.Name, strings.ToLower(st.Name))
	for _, k := range st.KPIs {
		fmt.Fprintf(&b, "\n• `%s` — %s", k.ID, k.Measures)
	}
	b.WriteString("\nOne KPI per reply, with a SMART target: `visitors | baseline 8k | target 20k | by 2027-03-31 | owner Ana`. A KPI of your own: `custom: webinar sign-ups (count) | target 200 | by 2027-03-31 | owner Ben`.")
	n := 0
	for _, k := range p.KPIs {
		if k.Stage == st.ID {
			n++
		}
	}
	if n > 0 {
		fmt.Fprintf(&b, "\n%d KPI(s) set in this stage.", n)
	}
	b.WriteString(" Reply `done` to finish the stage.")
	return b.String()
}
