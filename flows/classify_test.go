package flows

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"
)

// classifyContext is a plan waiting for an answer, in a channel with the
// plans "Q1 Launch" and "Old funnel", with a visitors KPI and a schedule
// parser that knows one schedule.
func classifyContext(open bool) LineContext {
	plans := map[string]bool{"q1 launch": true, "old funnel": true}
	return LineContext{
		Catalogue: RACE(),
		Open:      open,
		KPIs:      []KPI{{ID: 1, Key: "visitors", Name: "Visitors", Unit: UnitCount, HigherIsBetter: true}},
		// Action 1 was removed: its message was deleted.
		Actions:          []Action{{ID: 2, Number: 2, Text: "Webinar series"}, {ID: 3, Number: 3, Text: "Cart recovery emails"}},
		LastActionNumber: 3,
		PlanExists: func(name string) bool {
			return plans[strings.ToLower(name)]
		},
		ParseSchedule: func(spec string) error {
			if strings.EqualFold(spec, "every monday 09:00") {
				return nil
			}
			return errors.New("not a schedule")
		},
	}
}

func TestClassify(t *testing.T) {
	tests := []struct {
		in   string
		want Command
		kind LineKind
	}{
		// Every command word alone is a command, even those that need an
		// argument: their handler says what to add.
		{"help", Command{Name: "help"}, LineCommand},
		{"kind", Command{Name: "kind"}, LineCommand},
		{"new", Command{Name: "new"}, LineCommand},
		{"plans", Command{Name: "plans"}, LineCommand},
		{"continue", Command{Name: "continue"}, LineCommand},
		{"stage", Command{Name: "stage"}, LineCommand},
		{"skip", Command{Name: "skip"}, LineCommand},
		{"back", Command{Name: "back"}, LineCommand},
		{"done", Command{Name: "done"}, LineCommand},
		{"next", Command{Name: "done"}, LineCommand},
		{"draft", Command{Name: "draft"}, LineCommand},
		{"edit", Command{Name: "edit"}, LineCommand},
		{"status", Command{Name: "status"}, LineCommand},
		{"export", Command{Name: "export"}, LineCommand},
		{"kpi", Command{Name: "kpi"}, LineCommand},
		{"funnel", Command{Name: "funnel"}, LineCommand},
		{"values", Command{Name: "values"}, LineCommand},
		{"report", Command{Name: "report"}, LineCommand},
		{"checkin", Command{Name: "checkin"}, LineCommand},
		{"schedule", Command{Name: "schedule"}, LineCommand},
		{"pause", Command{Name: "pause"}, LineCommand},
		{"resume", Command{Name: "resume"}, LineCommand},
		{"review", Command{Name: "review"}, LineCommand},
		{"privacy", Command{Name: "privacy"}, LineCommand},
		{"delete", Command{Name: "delete"}, LineCommand},
		{"actions", Command{Name: "actions"}, LineCommand},
		{"action", Command{Name: "action"}, LineCommand},
		{"score", Command{Name: "score"}, LineCommand},
		{"retro", Command{Name: "retro"}, LineCommand},
		{"  Status ", Command{Name: "status"}, LineCommand},
		{"SKIP", Command{Name: "skip"}, LineCommand},

		// A command word with arguments that parse here.
		{"continue q1 launch", Command{Name: "continue", Arg: "q1 launch"}, LineCommand},
		{"stage reach", Command{Name: "stage", Arg: "reach"}, LineCommand},
		{"Stage  Convert", Command{Name: "stage", Arg: "Convert"}, LineCommand},
		{"edit plan 2", Command{Name: "edit", Arg: "plan 2"}, LineCommand},
		{"edit plan.business", Command{Name: "edit", Arg: "plan.business"}, LineCommand},
		{"kpi reach", Command{Name: "kpi", Arg: "reach"}, LineCommand},
		{"values visitors 12.4k", Command{Name: "values", Arg: "visitors 12.4k"}, LineCommand},
		// Naming a KPI of the plan makes it the command, so a value it
		// cannot take is explained rather than kept as the answer.
		{"values visitors 1,25", Command{Name: "values", Arg: "visitors 1,25"}, LineCommand},
		{"values visitors 3.5%", Command{Name: "values", Arg: "visitors 3.5%"}, LineCommand},
		// So does naming a catalogue KPI the plan lacks: "leads" is told it
		// is not tracked, never kept as the answer nor read as another KPI.
		{"values leads 30", Command{Name: "values", Arg: "leads 30"}, LineCommand},
		{"checkin every monday 09:00", Command{Name: "checkin", Arg: "every monday 09:00"}, LineCommand},
		{"privacy on", Command{Name: "privacy", Arg: "on"}, LineCommand},
		{"privacy OFF", Command{Name: "privacy", Arg: "OFF"}, LineCommand},
		{"remind off", Command{Name: "remind", Arg: "off"}, LineCommand},
		{"delete Old funnel", Command{Name: "delete", Arg: "Old funnel"}, LineCommand},
		{"delete Q1 Launch --yes", Command{Name: "delete", Arg: "Q1 Launch", Yes: true}, LineCommand},
		{"stage\treach", Command{Name: "stage", Arg: "reach"}, LineCommand},
		{"action done 2", Command{Name: "action", Arg: "done 2"}, LineCommand},
		// A removed action's number: its author is told it is gone.
		{"action done 1", Command{Name: "action", Arg: "done 1"}, LineCommand},
		{"action doing webinar series", Command{Name: "action", Arg: "doing webinar series"}, LineCommand},
		{"score plan 3, reach 2, act 3, convert 2, engage 4", Command{Name: "score", Arg: "plan 3, reach 2, act 3, convert 2, engage 4"}, LineCommand},
		{"kind saas", Command{Name: "kind", Arg: "saas"}, LineCommand},
		{"Kind B2B services", Command{Name: "kind", Arg: "B2B services"}, LineCommand},
		{"help kpi", Command{Name: "help", Arg: "kpi"}, LineCommand},
		{"help Actions", Command{Name: "help", Arg: "Actions"}, LineCommand},

		// `new <name>` while the plan waits for an answer could be either.
		{"new Q1 Launch", Command{Name: "new", Arg: "Q1 Launch"}, LineAmbiguous},
		{"New clinic owners in the US, sold online.", Command{Name: "new", Arg: "clinic owners in the US, sold online."}, LineAmbiguous},
		{`new Q2 Plan --from "Q1 Launch"`, Command{Name: "new", Arg: "Q2 Plan", From: "Q1 Launch"}, LineCommand},

		// Every command word at the start of a sentence is an answer.
		{"Help desks in hospitals are our biggest buyers.", Command{}, LineAnswer},
		{"New " + strings.Repeat("and improved ", 7) + "coffee for everyone.", Command{}, LineAnswer},
		{"Plans for Q3 include a pop-up store.", Command{}, LineAnswer},
		{"Continue growing the newsletter.", Command{}, LineAnswer},
		{"Stage by stage onboarding is our strategy.", Command{}, LineAnswer},
		{"Skip the middleman: we sell direct.", Command{}, LineAnswer},
		{"Back to basics: one simple subscription.", Command{}, LineAnswer},
		{"Done right, coffee sells itself.", Command{}, LineAnswer},
		{"Next we open a second shop.", Command{}, LineAnswer},
		{"Draft beer and cold brew on tap.", Command{}, LineAnswer},
		{"Edit: we also sell gift cards.", Command{}, LineAnswer},
		{"Edit the copy every week.", Command{}, LineAnswer},
		{"Status quo is our biggest competitor.", Command{}, LineAnswer},
		{"Export to Germany in 2027.", Command{}, LineAnswer},
		{"Kpi dashboards for every team.", Command{}, LineAnswer},
		{"Funnel visitors through the blog.", Command{}, LineAnswer},
		{"Values matter most to our buyers.", Command{}, LineAnswer},
		{"values signups 40", Command{}, LineAnswer},
		{"Values leads our hiring.", Command{}, LineAnswer},
		{"Report monthly to the board.", Command{}, LineAnswer},
		{"Checkin every Monday is our ritual.", Command{}, LineAnswer},
		{"Schedule flexibility is why people choose us.", Command{}, LineAnswer},
		{"Pause any time, that's our promise.", Command{}, LineAnswer},
		{"Resume writing services for graduates.", Command{}, LineAnswer},
		{"Review sites bring most of our traffic.", Command{}, LineAnswer},
		{"Privacy matters to our customers.", Command{}, LineAnswer},
		{"Remind buyers before the sale ends.", Command{}, LineAnswer},
		{"Delete the old funnel and start over.", Command{}, LineAnswer},
		{"Actions speak louder than ads.", Command{}, LineAnswer},
		{"Action cameras are our best sellers.", Command{}, LineAnswer},
		{"action done 7", Command{}, LineAnswer},
		{"Score big with bundle deals.", Command{}, LineAnswer},
		{"score 3 out of 5 on reviews", Command{}, LineAnswer},
		{"Retro styling is our brand.", Command{}, LineAnswer},
		{"Kind words from customers keep us going.", Command{}, LineAnswer},
		{"Kind regards", Command{}, LineAnswer},
		{"Help me", Command{}, LineAnswer},

		// Not command words at all.
		{"We sell coffee.", Command{}, LineAnswer},
		{"yes", Command{}, LineAnswer},
		{"", Command{}, LineAnswer},
		{"statuses", Command{}, LineAnswer},
	}
	seen := map[string]bool{}
	for _, tt := range tests {
		cmd, kind := Classify(tt.in, classifyContext(true))
		if cmd != tt.want || kind != tt.kind {
			t.Errorf("Classify(%q) = %+v, %v; want %+v, %v", tt.in, cmd, kind, tt.want, tt.kind)
		}
		word, _, _ := strings.Cut(strings.ToLower(strings.TrimSpace(tt.in)), " ")
		if kind == LineCommand {
			seen["command "+word] = true
		} else {
			seen["answer "+word] = true
		}
	}
	for _, s := range commandSpecs {
		for _, form := range []string{"command ", "answer "} {
			if !seen[form+s.Name] {
				t.Errorf("no case has %q as a %s", s.Name, strings.TrimSpace(form))
			}
		}
	}
}

// TestClassifyWithNothingOpen: with no question open (no plan yet, or the
// plan is complete) `new <name>` is a command, whatever the name.
func TestClassifyWithNothingOpen(t *testing.T) {
	long := "New " + strings.Repeat("x", MaxPlanName+1)
	for _, in := range []string{"new Q1 Launch", "New clinic owners in the US, sold online.", long} {
		cmd, kind := Classify(in, classifyContext(false))
		if kind != LineCommand || cmd.Name != "new" {
			t.Errorf("Classify(%q) with nothing open = %+v, %v; want the new command", in, cmd, kind)
		}
	}
}

// TestClassifyWithoutLookups: without the channel's plans, KPIs or a
// schedule parser, the commands that need them are answers.
func TestClassifyWithoutLookups(t *testing.T) {
	lc := LineContext{Catalogue: RACE(), Open: true}
	for _, in := range []string{"continue Q1 Launch", "delete Q1 Launch", "values visitors 12.4k", "checkin every monday 09:00"} {
		if cmd, kind := Classify(in, lc); kind != LineAnswer {
			t.Errorf("Classify(%q) without lookups = %+v, %v; want an answer", in, cmd, kind)
		}
	}
}

// TestStepTakesCommandShapedSentencesAsAnswers: Step stores any text that
// is not a reply word alone; commands are told apart before it runs.
func TestStepTakesCommandShapedSentencesAsAnswers(t *testing.T) {
	c := testCatalogue(t)
	for _, in := range []string{"Stage by stage onboarding", "stage reach", "Edit the copy weekly", "edit plan 2", "done right"} {
		out, err := Step(c, NewPlan("T", "C", "P", "U1", t0), Input{Text: in, User: "U1", Now: t0})
		if err != nil {
			t.Fatalf("Step(%q): %v", in, err)
		}
		if got := out.Plan.Answers["plan.one"].Text; got != in {
			t.Errorf("Step(%q) stored %q as the answer", in, got)
		}
	}
}

func TestEditRefusesAnUnknownQuestion(t *testing.T) {
	c := testCatalogue(t)
	p := NewPlan("T", "C", "P", "U1", t0)
	out, err := Edit(c, p, "nowhere 9")
	if !errors.Is(err, ErrBadInput) || len(out.Changes) != 0 {
		t.Fatalf("Edit(nowhere 9) = %d changes, %v; want a bad-input error and no changes", len(out.Changes), err)
	}
}

func TestWithdrawRestoresThePriorTextAndReopensTheQuestion(t *testing.T) {
	c := testCatalogue(t)
	p, _ := walk(t, c, NewPlan("T", "C", "P", "U1", t0), "first")
	p, _ = walk(t, c, p, "back", "new Q2")
	o := Offer{Plan: p.ID, QuestionID: "plan.one", Revision: 2, Prior: "first", Version: p.Version}
	out, err := Withdraw(c, p, o, nil, Input{User: "U1", Now: t0})
	if err != nil {
		t.Fatal(err)
	}
	if got := out.Plan.Answers["plan.one"]; got.Text != "first" || got.Revision != 3 {
		t.Errorf("answer after withdrawing = %+v, want the prior text as revision 3", got)
	}
	if got := out.Plan.Cursor; got != (Cursor{Stage: 0, Step: 0, Phase: PhaseQuestion}) {
		t.Errorf("cursor = %+v, want the withdrawn question", got)
	}
	replayed := p.Clone()
	for _, ch := range out.Changes {
		replayed.Apply(ch)
	}
	if !reflect.DeepEqual(replayed.Answers["plan.one"], out.Plan.Answers["plan.one"]) || replayed.Cursor != out.Plan.Cursor {
		t.Error("replaying the changes differs from the plan returned")
	}
	// An answer revised since the offer is not the one to take back.
	o.Revision = 1
	out, err = Withdraw(c, p, o, nil, Input{User: "U1", Now: t0})
	if err != nil {
		t.Fatal(err)
	}
	if got := out.Plan.Answers["plan.one"]; got.Text != "new Q2" {
		t.Errorf("a revised answer was withdrawn: %+v", got)
	}
}

// TestWithdrawTakesBackACoAnswerAlone: U1 answers the first question; U2,
// who saw it still open, replies "new Q2", kept beside U1's answer. The
// offer's withdrawal takes back U2's co-answer alone, with or without the
// message it came from (typed in the terminal), and leaves the question
// the coach had moved on to; an offer to someone else takes nothing back.
func TestWithdrawTakesBackACoAnswerAlone(t *testing.T) {
	c := testCatalogue(t)
	for _, source := range []string{"", "C/2"} {
		p, _ := walk(t, c, NewPlan("T", "C", "P", "U1", t0), "first")
		out, err := Step(c, p, Input{Text: "new Q2", User: "U2", Now: t0, Saw: "plan.one", Source: source})
		if err != nil {
			t.Fatal(err)
		}
		added, ok := out.Changes[0].(AnswerAdded)
		if !ok {
			t.Fatalf("changes = %+v, want the line added as a co-answer", out.Changes)
		}
		p = out.Plan
		o := Offer{Plan: p.ID, User: "U2", QuestionID: "plan.one", Revision: added.Revision, Version: p.Version}
		out, err = Withdraw(c, p, o, nil, Input{User: "U2", Now: t0.Add(time.Minute)})
		if err != nil {
			t.Fatal(err)
		}
		if got := out.Plan.Answers["plan.one"]; got.Text != "first" || got.By != "U1" || len(got.Also) != 0 {
			t.Errorf("source %q: answer after withdrawing = %+v, want U1's alone", source, got)
		}
		if out.Plan.Cursor != p.Cursor {
			t.Errorf("source %q: cursor = %+v, want %+v, where U1's answer left it", source, out.Plan.Cursor, p.Cursor)
		}
		replayed := p.Clone()
		for _, ch := range out.Changes {
			replayed.Apply(ch)
		}
		if !reflect.DeepEqual(replayed.Answers["plan.one"], out.Plan.Answers["plan.one"]) || replayed.Cursor != out.Plan.Cursor {
			t.Errorf("source %q: replaying the changes differs from the plan returned", source)
		}

		o.User = "U1"
		if out, _ := Withdraw(c, p, o, nil, Input{User: "U1", Now: t0}); len(out.Plan.Answers["plan.one"].Also) != 1 {
			t.Errorf("source %q: an offer to U1 took back U2's co-answer", source)
		}
	}
}

// FuzzClassify checks that any line is an answer with no command, or a
// command (or offer) of a known name with a trimmed argument; only `new`,
// and only while the plan waits for a reply, is ever ambiguous.
func FuzzClassify(f *testing.F) {
	for _, s := range []string{
		"new Q1 Launch", "stage reach", "Stage by stage", "values visitors 12k, leads 3", "delete Old funnel --yes",
		"checkin every monday 09:00", "", "edit plan 2", "next", "privacy on", "kpi", "continue q1 launch", "help me",
	} {
		f.Add(s, true)
		f.Add(s, false)
	}
	f.Fuzz(func(t *testing.T, text string, open bool) {
		cmd, kind := Classify(text, classifyContext(open))
		switch kind {
		case LineAnswer:
			if cmd != (Command{}) {
				t.Fatalf("Classify(%q) = answer with command %+v", text, cmd)
			}
		case LineCommand, LineAmbiguous:
			if _, ok := findSpec(cmd.Name); !ok {
				t.Fatalf("Classify(%q) = unknown command %+v", text, cmd)
			}
			if cmd.Arg != strings.TrimSpace(cmd.Arg) {
				t.Fatalf("Classify(%q) = %+v: argument not trimmed", text, cmd)
			}
			if kind == LineAmbiguous && (cmd.Name != "new" || !open) {
				t.Fatalf("Classify(%q, open=%v) = ambiguous %+v", text, open, cmd)
			}
		default:
			t.Fatalf("Classify(%q) = kind %v", text, kind)
		}
	})
}
