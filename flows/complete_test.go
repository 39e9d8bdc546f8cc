package flows

import (
	"strings"
	"testing"
	"time"
)

// asked is the question (or phase) a step leaves the coach asking.
func asked(c *Catalogue, p *Plan) string { return p.Asking(c) }

func TestSkippedQuestionsComeBackOnceAtStageEnd(t *testing.T) {
	c := testCatalogue(t)
	steps := []struct {
		in   string
		want string // what the coach asks after the reply
		note string // a reply that must be said, if any
	}{
		{"a1", "plan.two", ""},
		{"skip", "plan.opportunity", "It comes back once at the end of the stage"},
		{"skip", "plan.strategy", ""},
		{"strategy", "plan.two", "Before Plan's actions, back to the 2 questions you skipped"},
		{"skip", "plan.opportunity", "Skipped again."},
		{"the opportunity", "actions:plan", ""},
	}
	p := NewPlan("T", "C", "P", "U1", t0)
	for i, st := range steps {
		out, err := Step(c, p, Input{Text: st.in, User: "U1", Now: t0.Add(time.Duration(i) * time.Minute)})
		if err != nil {
			t.Fatalf("step %d %q: %v", i, st.in, err)
		}
		p = out.Plan
		if got := asked(c, p); got != st.want {
			t.Fatalf("after %q the coach asks %q, want %q", st.in, got, st.want)
		}
		if st.note != "" && !strings.Contains(repliesText(out.Replies), st.note) {
			t.Errorf("after %q replies %q, want %q", st.in, repliesText(out.Replies), st.note)
		}
	}
	if !p.Skipped["plan.two"] || p.Skipped["plan.opportunity"] {
		t.Errorf("skips = %v, want plan.two still skipped and the opportunity answered", p.Skipped)
	}
}

// The last question skipped does not come straight back.
func TestSkippingTheLastQuestionMovesOn(t *testing.T) {
	c := testCatalogue(t)
	p, _ := walk(t, c, NewPlan("T", "C", "P", "U1", t0), "a1", "a2", "opp", "skip")
	if got := asked(c, p); got != "actions:plan" {
		t.Errorf("the coach asks %q, want the actions", got)
	}
}

func repliesText(rs []Reply) string {
	var b strings.Builder
	for _, r := range rs {
		b.WriteString(r.Msg.String() + "\n")
	}
	return b.String()
}

func TestStageWithNoAnswersIsNeverComplete(t *testing.T) {
	c := testCatalogue(t)
	// Plan is answered; every question of Reach is skipped, then its
	// actions are done.
	p, out := walk(t, c, NewPlan("T", "C", "P", "U1", t0),
		"a1", "a2", "opp", "strat", "done",
		"skip", "skip", "skip", "skip", "skip", "skip", "skip", "skip", "done")
	if p.Completed["reach"] {
		t.Fatal("reach marked complete with no answers")
	}
	all := repliesText(out.Replies)
	if !strings.Contains(all, "Reach stays open: it has no answers yet (4 skipped).") {
		t.Errorf("replies %q do not say Reach stays open", all)
	}
	if strings.Contains(all, "your RACE plan is complete") || !strings.Contains(all, "the plan isn't complete yet: Reach has no answers yet") {
		t.Errorf("replies %q, want the plan to say what is left", all)
	}
	if p.Cursor.Phase != PhaseComplete {
		t.Fatalf("cursor %+v, want the coach through every stage", p.Cursor)
	}
	status := StatusText(c, p, nil, t0).String()
	for _, want := range []string{"through every stage, 4 question(s) still open", "○ Reach    0/4 answered, 4 skipped", "✓ Plan     4/4 answered"} {
		if !strings.Contains(status, want) {
			t.Errorf("status %q does not contain %q", status, want)
		}
	}
	if strings.Contains(status, "✓ Reach") {
		t.Errorf("status marks Reach done: %q", status)
	}
}

// A stage completed with no answers before this rule (an older plan) shows
// as open.
func TestStatusShowsEmptyCompletedStageOpen(t *testing.T) {
	c := testCatalogue(t)
	p := NewPlan("T", "C", "P", "U1", t0)
	p.Completed["reach"] = true
	for _, q := range c.Stages[1].Steps() {
		p.Skipped[q.ID] = true
	}
	p.Cursor = Cursor{Stage: 1, Phase: PhaseComplete}
	status := StatusText(c, p, nil, t0).String()
	if strings.Contains(status, "✓ Reach") || !strings.Contains(status, "○ Reach") {
		t.Errorf("status = %q, want Reach open", status)
	}
	if got := planDoneText(c, p).String(); strings.Contains(got, "complete.") {
		t.Errorf("plan-done = %q, want what is left", got)
	}
}

// done before the questions are through leaves the rest as skips, and
// the coach does not bring the team round and round to a stage it left.
func TestDoneLeavesTheRestOpen(t *testing.T) {
	c := testCatalogue(t)
	p, out := walk(t, c, NewPlan("T", "C", "P", "U1", t0), "done", "done", "done", "done")
	if p.Cursor.Phase != PhaseComplete || p.Completed["plan"] || p.Completed["reach"] {
		t.Fatalf("cursor %+v completed %v", p.Cursor, p.Completed)
	}
	if len(p.Skipped) != 8 {
		t.Errorf("skipped = %v, want all 8 questions", p.Skipped)
	}
	want := "the plan isn't complete yet: Plan has no answers yet; Reach has no answers yet."
	if got := repliesText(out.Replies); !strings.Contains(got, want) {
		t.Errorf("replies %q, want %q", got, want)
	}
}

func TestCompletePlanSaysComplete(t *testing.T) {
	c := testCatalogue(t)
	p, out := walk(t, c, NewPlan("T", "C", "P", "U1", t0),
		"a1", "a2", "opp", "strat", "done", "b1", "b2", "opp", "strat", "done")
	if got := repliesText(out.Replies); !strings.Contains(got, "your RACE plan is complete") {
		t.Errorf("replies %q, want the plan complete", got)
	}
	if got := whereText(c, p); got != "complete" {
		t.Errorf("whereText = %q", got)
	}
}
