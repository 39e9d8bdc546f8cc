package flows

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// testCatalogue is small enough to reason about step by step.
func testCatalogue(t *testing.T) *Catalogue {
	t.Helper()
	q := func(id string) Question { return Question{ID: id, Text: "Q " + id, Hint: "hint", Example: "example"} }
	stage := func(id StageID, name string) Stage {
		return Stage{
			ID: id, Name: name, Purpose: name + " purpose",
			Questions: []Question{q(string(id) + ".one"), q(string(id) + ".two")},
			WrapUp: WrapUp{
				Opportunity: q(string(id) + ".opportunity"),
				Strategy:    q(string(id) + ".strategy"),
				Action:      q(string(id) + ".action"),
			},
		}
	}
	c, err := NewCatalogue([]Stage{stage("plan", "Plan"), stage("reach", "Reach")})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

var t0 = time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)

// walk feeds inputs through Step, failing on any error, and returns the plan.
func walk(t *testing.T, c *Catalogue, p *Plan, inputs ...string) (*Plan, Outcome) {
	t.Helper()
	var out Outcome
	for i, in := range inputs {
		var err error
		out, err = Step(c, p, Input{Text: in, User: "U1", Now: t0.Add(time.Duration(i) * time.Minute)})
		if err != nil {
			t.Fatalf("step %d %q: %v", i, in, err)
		}
		p = out.Plan
	}
	return p, out
}

func TestStepWalksStagesInOrder(t *testing.T) {
	c := testCatalogue(t)
	p, _ := walk(t, c, NewPlan("T", "C", "P", "U1", t0),
		"a1", "a2", "opp", "strat", "Do it | Ana | 2027-01-10 | impact 5 | effort 1", "done")
	if got, want := p.Cursor, (Cursor{Stage: 1, Step: 0, Phase: PhaseQuestion}); got != want {
		t.Fatalf("cursor = %+v, want %+v", got, want)
	}
	if !p.Completed["plan"] {
		t.Error("plan stage not completed")
	}
	if got := p.Answers["plan.two"]; got.Text != "a2" || got.By != "U1" || got.Revision != 1 {
		t.Errorf("answer = %+v", got)
	}
	want := []Action{{Number: 1, Stage: "plan", Text: "Do it", Owner: "Ana", Due: time.Date(2027, 1, 10, 0, 0, 0, 0, time.UTC), Impact: 5, Effort: 1, By: "U1", At: t0.Add(4 * time.Minute)}}
	if diff := cmp.Diff(want, p.Actions); diff != "" {
		t.Errorf("actions (-want +got):\n%s", diff)
	}
}

func TestStepSkipBackAndEditKeepRevisions(t *testing.T) {
	c := testCatalogue(t)
	p, _ := walk(t, c, NewPlan("T", "C", "P", "U1", t0), "first", "skip", "back", "back", "first, better")
	if got := p.Answers["plan.one"]; got.Text != "first, better" || got.Revision != 2 {
		t.Fatalf("edited answer = %+v, want revision 2", got)
	}
	// plan.two was skipped, so the next open step is the opportunity.
	if got, want := p.Cursor, (Cursor{Stage: 0, Step: 2, Phase: PhaseQuestion}); got != want {
		t.Fatalf("cursor = %+v, want %+v", got, want)
	}
	if !p.Skipped["plan.two"] {
		t.Error("plan.two should stay skipped")
	}
	out, err := Edit(c, p, "plan 2")
	if err != nil {
		t.Fatal(err)
	}
	p = out.Plan
	if got := out.Replies[0]; got.QuestionID != "plan.two" {
		t.Fatalf("edit asked %q, want plan.two", got.QuestionID)
	}
	p, _ = walk(t, c, p, "now answered")
	if p.Skipped["plan.two"] || p.Answers["plan.two"].Text != "now answered" {
		t.Errorf("answering a skipped question should clear the skip: %+v", p.Answers["plan.two"])
	}
}

func TestStepDoneJumpAndComplete(t *testing.T) {
	c := testCatalogue(t)
	reach, err := JumpTo(c, NewPlan("T", "C", "P", "U1", t0), "reach")
	if err != nil {
		t.Fatal(err)
	}
	p, _ := walk(t, c, reach.Plan, "r1", "done", "done")
	// Reach done first; the coach brings the team back to Plan.
	if !p.Completed["reach"] || p.Cursor != (Cursor{Stage: 0, Step: 0, Phase: PhaseQuestion}) {
		t.Fatalf("after reach: completed=%v cursor=%+v", p.Completed, p.Cursor)
	}
	p, out := walk(t, c, p, "done", "done")
	if p.Cursor.Phase != PhaseComplete {
		t.Fatalf("phase = %s, want complete", p.Cursor.Phase)
	}
	if last := out.Replies[len(out.Replies)-1]; last.Kind != ReplyPlanDone {
		t.Errorf("last reply = %+v, want plan-done", last)
	}
}

func TestStepBadInputChangesNothing(t *testing.T) {
	c := testCatalogue(t)
	fresh := NewPlan("T", "C", "P", "U1", t0)
	actions, _ := walk(t, c, fresh, "done")
	complete, _ := walk(t, c, fresh, "done", "done", "done", "done")
	tests := []struct {
		name string
		plan *Plan
		in   string
	}{
		{"empty answer", fresh, "   "},
		{"back at the start", fresh, "back"},
		{"action without scores", actions, "Do something"},
		{"action with score out of range", actions, "Do it | impact 9 | effort 1"},
		{"action with past date", actions, "Do it | 2020-01-01 | impact 3 | effort 1"},
		{"action with unreadable date", actions, "Do it | 2027-13-45 | impact 3 | effort 1"},
		{"action with two owners", actions, "Do it | Ana | Ben | impact 3 | effort 1"},
		{"answer to a complete plan", complete, "more"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := tt.plan.Clone()
			out, err := Step(c, tt.plan, Input{Text: tt.in, User: "U1", Now: t0})
			var ue *UserError
			if !errors.As(err, &ue) || !errors.Is(err, ErrBadInput) || len(ue.Msg) == 0 {
				t.Fatalf("err = %v, want a *UserError wrapping ErrBadInput", err)
			}
			if len(out.Changes) != 0 {
				t.Errorf("changes = %v, want none", out.Changes)
			}
			if diff := cmp.Diff(before, tt.plan); diff != "" {
				t.Errorf("plan changed (-before +after):\n%s", diff)
			}
		})
	}
}

func TestStepDraftAsksTransport(t *testing.T) {
	c := testCatalogue(t)
	p := NewPlan("T", "C", "P", "U1", t0)
	p.ID = 7
	out, err := Step(c, p, Input{Text: "draft", User: "U2", Now: t0})
	if err != nil {
		t.Fatal(err)
	}
	want := &DraftRequest{Plan: 7, QuestionID: "plan.one", User: "U2"}
	if diff := cmp.Diff(want, out.Draft); diff != "" {
		t.Errorf("draft (-want +got):\n%s", diff)
	}
	if len(out.Changes) != 0 {
		t.Errorf("draft changed the plan: %v", out.Changes)
	}
}

func TestReplayingChangesRebuildsThePlan(t *testing.T) {
	c := testCatalogue(t)
	start := NewPlan("T", "C", "P", "U1", t0)
	var all []Change
	p := start
	for i, in := range []string{"a", "skip", "back", "b", "done", "X | 3 | 2", "done", "r1"} {
		out, err := Step(c, p, Input{Text: in, User: "U1", Now: t0.Add(time.Duration(i) * time.Second)})
		if err != nil {
			t.Fatalf("%q: %v", in, err)
		}
		all = append(all, out.Changes...)
		p = out.Plan
	}
	replayed := start.Clone()
	for _, ch := range all {
		replayed.Apply(ch)
	}
	if diff := cmp.Diff(p, replayed); diff != "" {
		t.Errorf("replayed plan differs (-stepped +replayed):\n%s", diff)
	}
}

func TestRankedActionsPutsQuickWinsFirst(t *testing.T) {
	p := NewPlan("T", "C", "P", "U1", t0)
	p.Actions = []Action{
		{Text: "big bet", Impact: 5, Effort: 5},
		{Text: "meh", Impact: 2, Effort: 1},
		{Text: "quick win late", Impact: 4, Effort: 2, Due: t0.AddDate(0, 2, 0)},
		{Text: "quick win early", Impact: 4, Effort: 2, Due: t0.AddDate(0, 1, 0)},
		{Text: "best quick win", Impact: 5, Effort: 1},
	}
	var got []string
	for _, a := range p.RankedActions() {
		got = append(got, a.Text)
	}
	want := []string{"best quick win", "quick win early", "quick win late", "meh", "big bet"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("ranking (-want +got):\n%s", diff)
	}
}

func TestParseCommand(t *testing.T) {
	tests := []struct {
		in      string
		want    Command
		wantErr bool
	}{
		{"", Command{Name: "help"}, false},
		{"new Q1 Launch", Command{Name: "new", Arg: "Q1 Launch"}, false},
		{"/race new Q1 Launch", Command{}, true}, // the prefix is the transport's to cut
		{"STATUS", Command{Name: "status"}, false},
		{"delete Q1 Launch --yes", Command{Name: "delete", Arg: "Q1 Launch", Yes: true}, false},
		{"delete Q1 Launch", Command{Name: "delete", Arg: "Q1 Launch"}, false},
		{"frobnicate", Command{}, true},
	}
	for _, tt := range tests {
		got, err := ParseCommand(tt.in)
		if (err != nil) != tt.wantErr {
			t.Errorf("ParseCommand(%q) err = %v", tt.in, err)
			continue
		}
		if got != tt.want {
			t.Errorf("ParseCommand(%q) = %+v, want %+v", tt.in, got, tt.want)
		}
	}
}

func TestEditAnswersRecordsRevisionsAndRefusesClearing(t *testing.T) {
	c := testCatalogue(t)
	p, _ := walk(t, c, NewPlan("T", "C", "P", "U1", t0), "one")
	out, err := EditAnswers(c, p, map[string]string{"plan.one": "one", "plan.two": "two", "plan.strategy": " strat "}, "U2", t0)
	if err != nil {
		t.Fatal(err)
	}
	if got := out.Plan.Answers["plan.two"]; got.Text != "two" || got.By != "U2" || got.Revision != 1 {
		t.Errorf("plan.two = %+v", got)
	}
	if got := out.Plan.Answers["plan.one"]; got.Revision != 1 {
		t.Errorf("unchanged answer got a new revision: %+v", got)
	}
	// The open question (plan.two) was answered in the form, so the coach
	// moves on to the next open one.
	if got := out.Plan.Cursor; got != (Cursor{Stage: 0, Step: 2, Phase: PhaseQuestion}) {
		t.Errorf("cursor = %+v", got)
	}
	_, err = EditAnswers(c, out.Plan, map[string]string{"plan.one": "  ", "nope": "x"}, "U2", t0)
	var fe FieldErrors
	if !errors.As(err, &fe) || len(fe["plan.one"]) == 0 || len(fe["nope"]) == 0 || !errors.Is(err, ErrBadInput) {
		t.Fatalf("err = %v, want field errors for plan.one and nope", err)
	}
}

func TestActionsDue(t *testing.T) {
	p := NewPlan("T", "C", "P", "U1", t0)
	day := func(d int) time.Time { return time.Date(2026, 11, d, 0, 0, 0, 0, time.UTC) }
	p.Actions = []Action{
		{Text: "later", Due: day(30)},
		{Text: "overdue", Due: day(20), Owner: "Ana"},
		{Text: "no date"},
		{Text: "this week", Due: day(25)},
	}
	var got []string
	for _, a := range p.ActionsDue(day(27)) {
		got = append(got, a.Text)
	}
	if diff := cmp.Diff([]string{"overdue", "this week"}, got); diff != "" {
		t.Errorf("due (-want +got):\n%s", diff)
	}
	text := ActionsDueText(p.ActionsDue(day(27)), day(23)).String()
	for _, want := range []string{"overdue (overdue since 20 Nov, Ana)", "this week (due 25 Nov)"} {
		if !strings.Contains(text, want) {
			t.Errorf("text lacks %q:\n%s", want, text)
		}
	}
	if len(ActionsDueText(nil, t0)) != 0 {
		t.Error("no actions due should say nothing")
	}
}
