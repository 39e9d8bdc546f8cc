package flows

import (
	"slices"
	"strconv"
	"strings"
	"sync"
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

	ReplyActionStatus ReplyKind = "action-status"
	ReplyActionList   ReplyKind = "action-list"
	// ReplyScoreForm asks for the team's capability ratings: a transport
	// shows its form (a Slack modal, one terminal prompt per stage).
	ReplyScoreForm  ReplyKind = "score-form"
	ReplyCapability ReplyKind = "capability"
	ReplyRetro      ReplyKind = "retro"
	// ReplyRetroQuestion asks one of a retro's questions; QuestionID
	// names it (see RetroQuestions).
	ReplyRetroQuestion ReplyKind = "retro-question"
)

// Reply is one message for the person or team. Msg is always set; the
// other fields let a transport render it richer.
type Reply struct {
	Kind       ReplyKind
	Msg        Msg
	Stage      StageID
	QuestionID string
	Step       int
	Steps      int
	Current    string
	// Confirm is the exact command that carries out what a ReplyConfirm asks.
	Confirm string
	// Action is the number of the action a ReplyActionAdded added, for a
	// transport that confirms many replies in one line.
	Action int
	// Markdown holds a document, for ReplyExport.
	Markdown string
	// Lines are the items of a list one by one, for a transport that gives
	// each controls of its own: for ReplyActionList, one per action in
	// Plan.Actions order.
	Lines []Msg
}

func questionText(cat *Catalogue, k Kind, st Stage, q Question, step, steps int, current string) Msg {
	if current != "" {
		return buildQuestionText(cat, k, st, q, step, steps, current)
	}
	return openPrompts.get(promptKey{kind: k, stage: st.Name, id: q.ID, text: q.Text, hint: q.Hint,
		example: ExampleFor(cat, q.ID, k), step: step, steps: steps}, func() Msg {
		return buildQuestionText(cat, k, st, q, step, steps, "")
	})
}

func buildQuestionText(cat *Catalogue, k Kind, st Stage, q Question, step, steps int, current string) Msg {
	var b msgBuilder
	b.printf("%s · question %d of %d\n%s", Text(st.Name).Strong(), step, steps, q.Text)
	if q.Hint != "" {
		b.add("\n", Text("Hint: "+q.Hint).Emph())
	}
	if ex := exampleLine(cat, k, q.ID); len(ex) > 0 {
		b.printf("\n%s", ex)
	}
	if current != "" {
		b.printf("\nCurrent answer: %s\nReply with a new answer to replace it (the old one is kept), or %s to keep it.", User(current), Code("skip"))
	}
	return b.msg()
}

// openPrompts holds each question's prompt as it is asked with no answer
// yet, the prompt nearly every answer is followed by. It is made of the
// catalogue's fixed text alone, so it is built once per question, kind of
// business and position; the key holds every text it is made of, so a
// catalogue changed after use cannot be answered from here with old words.
var openPrompts = promptMemo{max: 4096}

type promptKey struct {
	kind                           Kind
	stage, id, text, hint, example string
	step, steps                    int
}

// promptMemo is a bounded memo of messages. The messages it returns are
// shared: clipped, so that appending to one copies it, and never changed
// in place by anything in this package or its callers.
type promptMemo struct {
	mu  sync.RWMutex
	m   map[promptKey]Msg
	max int
}

func (c *promptMemo) get(k promptKey, build func() Msg) Msg {
	c.mu.RLock()
	m, ok := c.m[k]
	c.mu.RUnlock()
	if ok {
		return m
	}
	m = slices.Clip(build())
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil {
		c.m = make(map[promptKey]Msg)
	}
	if len(c.m) < c.max {
		c.m[k] = m
	}
	return m
}

func actionsPrompt(cat *Catalogue, st Stage, p *Plan) Msg {
	var b msgBuilder
	b.printf("%s · actions\n%s", Text(st.Name).Strong(), st.WrapUp.Action.Text)
	if st.WrapUp.Action.Hint != "" {
		b.add("\n", Text("Hint: "+st.WrapUp.Action.Hint).Emph())
	}
	if ex := ExampleFor(cat, st.WrapUp.Action.ID, p.Kind); ex != "" {
		b.printf("\nFor example: %s", Code(ex))
	}
	n := 0
	for _, a := range p.Actions {
		if a.Stage == st.ID {
			n++
		}
	}
	if n > 0 {
		b.printf("\n%d action(s) so far in this stage.", n)
	}
	b.printf(" Reply %s to finish the stage.", Code("done"))
	return b.msg()
}

// actionAddedText says back what the coach understood of an action line,
// so a date read from "end of February" or an owner can be checked at once,
// and the number that status commands and check-in lines take for it.
// Only an action added at its stage's actions (atIts) invites another;
// one added there after the plan moved on names its stage instead.
func actionAddedText(a Action, st Stage, atIts bool) Msg {
	lead := "Added action " + strconv.Itoa(a.Number)
	if !atIts {
		return actionText(lead+" to "+st.Name+": ", a, Say(Text(".")))
	}
	return actionText(lead+": ", a, Sayf(". Add another, or reply %s.", Code("done")))
}

// actionUpdatedText says back an action as its edited line now reads.
func actionUpdatedText(a Action) Msg {
	return actionText("Updated your action: ", a, Say(Text(".")))
}

// actionText says what an action says, between lead and end: its text,
// owner, due date and scores.
func actionText(lead string, a Action, end Msg) Msg {
	var b msgBuilder
	b.add(lead)
	b.printf("%s — ", User(a.Text))
	if a.Owner != "" {
		b.printf("owner %s, ", User(a.Owner))
	} else {
		b.add("no owner yet, ")
	}
	if !a.Due.IsZero() {
		b.printf("due %s, ", dueText(a.Due))
	} else {
		b.add("no due date yet, ")
	}
	b.printf("impact %d, effort %d", a.Impact, a.Effort)
	if a.QuickWin() {
		b.add(" (a quick win)")
	}
	b.add(end)
	return b.msg()
}

// kpiLineExample and customKPIExample are KPI lines that ParseKPILine
// reads, for messages.
const (
	kpiLineExample   = "visitors | baseline 8k | target 20k | by 2027-03-31 | owner Ana"
	customKPIExample = "custom: webinar sign-ups (count) | target 200 | by 2027-03-31 | owner Ben"
)

func kpisPrompt(cat *Catalogue, st Stage, p *Plan) Msg {
	var b msgBuilder
	defs := StageKPIs(cat, st.ID, p.Kind)
	if p.Kind.Valid() {
		b.printf("%s · KPIs\nWhich numbers will tell you %s is working? For %s, pick from:", Text(st.Name).Strong(), strings.ToLower(st.Name), kindBusiness(p.Kind))
	} else {
		b.printf("%s · KPIs\nWhich numbers will tell you %s is working? Pick from:", Text(st.Name).Strong(), strings.ToLower(st.Name))
	}
	suggested := map[string]bool{}
	for _, k := range defs {
		suggested[k.ID] = true
		b.printf("\n• %s — %s", Code(k.ID), k.Measures)
	}
	var others []Msg
	for _, k := range st.KPIs {
		if !suggested[k.ID] {
			others = append(others, Say(Code(k.ID)))
		}
	}
	if len(others) > 0 {
		b.printf("\nAlso in the catalogue: %s.", Join(others, ", "))
	}
	b.printf("\nOne KPI per reply, with a SMART target: %s. A KPI of your own: %s.", Code(kpiLineExample), Code(customKPIExample))
	n := 0
	for _, k := range p.KPIs {
		if k.Stage == st.ID {
			n++
		}
	}
	if n > 0 {
		b.printf("\n%d KPI(s) set in this stage.", n)
	}
	b.printf(" Reply %s to finish the stage.", Code("done"))
	return b.msg()
}
