package flows

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// FuzzStep feeds random replies to plans at different points (fresh,
// halfway through a stage, collecting actions, setting KPIs, complete). A step never panics and never touches the plan it was given; an
// error is a friendly *UserError; and the changes it returns, replayed
// with Plan.Apply, give exactly the plan it returned, which is what makes
// the stored plan and the engine's agree.
func FuzzStep(f *testing.F) {
	cat := RACE()
	starts := fuzzStarts(f, cat)
	for _, s := range []string{
		"We sell roasted coffee.", "", " ", "skip", "SKIP", "skip it", "back", "done", "next", "draft",
		"stage reach", "stage nowhere", "edit reach 2", "edit plan 99", "edit plan.business", "edit",
		"Launch offer page | Ana | impact 4 | effort 2", "x | impact 9 | effort 1", "x | 2000-01-01 | 3 | 3",
		"x | in 3 weeks | 5 | 1", "x | Ana | Ben | 3 | 3", "x | 1 | 2 | 3",
	} {
		for i := range starts {
			f.Add(s, uint8(i))
		}
	}
	now := time.Date(2027, 1, 4, 9, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, text string, start uint8) {
		plan := starts[int(start)%len(starts)]
		before := plan.Clone()
		out, err := Step(cat, plan, Input{Text: text, User: "UFUZZ", Now: now})
		if diff := cmp.Diff(before, plan); diff != "" {
			t.Fatalf("Step(%q) changed the plan it was given (-before +after):\n%s", text, diff)
		}
		if err != nil {
			var ue *UserError
			if !errors.As(err, &ue) || strings.TrimSpace(ue.Msg.String()) == "" {
				t.Fatalf("Step(%q) error %#v is not a friendly UserError", text, err)
			}
			if len(out.Changes) != 0 {
				t.Fatalf("Step(%q) failed but returned %d changes", text, len(out.Changes))
			}
			return
		}
		replayed := plan.Clone()
		for _, c := range out.Changes {
			replayed.Apply(c)
		}
		if diff := cmp.Diff(out.Plan, replayed); diff != "" {
			t.Fatalf("Step(%q): replaying the changes differs from the plan returned (-returned +replayed):\n%s", text, diff)
		}
		if _, _, ok := out.Plan.Current(cat); !ok && out.Plan.Cursor.Phase == PhaseQuestion {
			t.Fatalf("Step(%q) left the cursor outside the catalogue: %+v", text, out.Plan.Cursor)
		}
	})
}

// fuzzStarts walks a plan through the catalogue, answering with the
// examples, and keeps it at each kind of point worth starting from: fresh,
// halfway through a stage after a skip, collecting actions, setting KPIs,
// and complete.
func fuzzStarts(tb testing.TB, cat *Catalogue) []*Plan {
	tb.Helper()
	now := time.Date(2027, 1, 4, 9, 0, 0, 0, time.UTC)
	p := NewPlan("T1", "C1", "Fuzz", "UANA", now)
	starts := []*Plan{p}
	kept := map[string]bool{}
	keep := func(what string) {
		if !kept[what] {
			kept[what] = true
			starts = append(starts, p)
		}
	}
	acted := map[int]bool{}
	for range 500 {
		c := p.Cursor
		var text string
		switch c.Phase {
		case PhaseComplete:
			return append(starts, p)
		case PhaseQuestion:
			_, q, _ := p.Current(cat)
			text = q.Example
			if c.Stage == 1 && c.Step == 1 && !p.Skipped[q.ID] {
				text = "skip"
			}
			if c.Stage == 1 && c.Step == 3 {
				keep("mid-stage")
			}
		case PhaseActions:
			keep("actions")
			text = "done"
			if !acted[c.Stage] {
				acted[c.Stage] = true
				text = cat.Stages[c.Stage].WrapUp.Action.Example
			}
		default:
			keep(string(c.Phase))
			text = "done"
		}
		out, err := Step(cat, p, Input{Text: text, User: "UANA", Now: now})
		if err != nil {
			tb.Fatalf("setup at %+v, %q: %v", c, text, err)
		}
		p = out.Plan
	}
	tb.Fatalf("setup: plan not complete after 500 steps, cursor %+v", p.Cursor)
	return nil
}
