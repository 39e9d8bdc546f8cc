package record

import (
	"errors"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/racebot/racebot/flows"
)

// row is a Scan over one row of values, as a driver would copy them into
// the destinations; a nil value is a NULL.
func row(vals ...any) Scan {
	return func(dest ...any) error {
		if len(dest) != len(vals) {
			return fmt.Errorf("scan: %d destinations for %d columns", len(dest), len(vals))
		}
		for i, v := range vals {
			d := reflect.ValueOf(dest[i]).Elem()
			if v == nil {
				d.SetZero()
				continue
			}
			s := reflect.ValueOf(v)
			if d.Kind() == reflect.Pointer {
				p := reflect.New(d.Type().Elem())
				p.Elem().Set(s.Convert(d.Type().Elem()))
				d.Set(p)
				continue
			}
			d.Set(s.Convert(d.Type()))
		}
		return nil
	}
}

func TestAnswersReplayEveryKind(t *testing.T) {
	p, err := Plan(row(int64(7), "T1", "C1", "Launch", "U1", int64(1000), 1, 2, "asking", int64(3), false, "171.1", "saas", 4))
	if err != nil {
		t.Fatal(err)
	}
	read := answers(p)
	for _, r := range []Scan{
		row("q1", 1, "first", "U1", int64(2000), false, "C1/1", KindAnswer, 0),
		row("q1", 2, "second voice", "U2", int64(3000), false, "C1/2", KindAlso, 0),
		row("q1", 3, "first, edited", "U1", int64(4000), false, "C1/1", KindRevised, 0),
		row("q1", 4, "third voice", "U3", int64(4500), false, "", KindAlso, 0),
		row("q1", 5, "", "U3", int64(4600), false, "", KindWithdrawn, 4),
		row("q2", 1, "gone soon", "U1", int64(5000), true, "", KindAnswer, 0),
		row("q2", 2, "", "U1", int64(6000), false, "", KindWithdrawn, 0),
	} {
		if err := read(r); err != nil {
			t.Fatal(err)
		}
	}
	want := &flows.Plan{ID: 7, Team: "T1", Channel: "C1", Name: "Launch", CreatedBy: "U1", CreatedAt: time.UnixMilli(1000).UTC(),
		Cursor: flows.Cursor{Stage: 1, Step: 2, Phase: "asking"}, Version: 3, Thread: "171.1", Kind: "saas", LastActionNumber: 4,
		Answers: map[string]flows.Answer{}, Skipped: map[string]bool{}, Completed: map[flows.StageID]bool{}}
	for _, c := range []flows.Change{
		flows.AnswerRecorded{Answer: flows.Answer{QuestionID: "q1", Revision: 1, Text: "first", By: "U1", At: time.UnixMilli(2000).UTC(), Source: "C1/1"}},
		flows.AnswerAdded{QuestionID: "q1", Revision: 2, Contribution: flows.Contribution{Text: "second voice", By: "U2", At: time.UnixMilli(3000).UTC(), Source: "C1/2"}},
		flows.AnswerRevised{QuestionID: "q1", Revision: 3, Source: "C1/1", Text: "first, edited", By: "U1", At: time.UnixMilli(4000).UTC()},
		flows.AnswerAdded{QuestionID: "q1", Revision: 4, Contribution: flows.Contribution{Text: "third voice", By: "U3", At: time.UnixMilli(4500).UTC()}},
		flows.AnswerWithdrawn{QuestionID: "q1", Revision: 5, Of: 4, By: "U3", At: time.UnixMilli(4600).UTC()},
		flows.AnswerRecorded{Answer: flows.Answer{QuestionID: "q2", Revision: 1, Text: "gone soon", By: "U1", At: time.UnixMilli(5000).UTC(), Drafted: true}},
		flows.AnswerWithdrawn{QuestionID: "q2", Revision: 2, By: "U1", At: time.UnixMilli(6000).UTC()},
	} {
		want.Apply(c)
	}
	if diff := cmp.Diff(want, p); diff != "" {
		t.Errorf("replayed plan (-want +got):\n%s", diff)
	}
}

func TestAnswersRefuseAnUnknownKind(t *testing.T) {
	p := &flows.Plan{Answers: map[string]flows.Answer{}, Skipped: map[string]bool{}}
	if err := answers(p)(row("q1", 1, "x", "U1", int64(1), false, "", "rewritten", 0)); err == nil {
		t.Fatal("an answer row of an unknown kind was replayed")
	}
	if len(p.Answers) != 0 {
		t.Errorf("answers after a refused row: %v", p.Answers)
	}
}

func TestKPIsWithoutNumbersAreMissing(t *testing.T) {
	var got []flows.KPI
	read := KPIs(&got)
	if err := read(row(int64(1), int64(7), "reach", "visits", "Visits", "count", "", true,
		nil, "", nil, "", "U1", "U1", int64(1000), "", "", int64(0))); err != nil {
		t.Fatal(err)
	}
	if err := read(row(int64(2), int64(7), "act", "revenue", "Revenue", "money", "EUR", true,
		100.0, "EUR", 250.5, "2026-12-31", "U1", "U1", int64(2000), "month", "C1/1.2", int64(3000))); err != nil {
		t.Fatal(err)
	}
	want := []flows.KPI{
		{ID: 1, Plan: 7, Stage: "reach", Key: "visits", Name: "Visits", Unit: "count", HigherIsBetter: true,
			Baseline: flows.Value{Unit: "count", Missing: true}, Target: flows.Value{Unit: "count", Missing: true},
			Owner: "U1", By: "U1", At: time.UnixMilli(1000).UTC()},
		{ID: 2, Plan: 7, Stage: "act", Key: "revenue", Name: "Revenue", Unit: "money", Currency: "EUR", HigherIsBetter: true,
			Baseline: flows.Value{Amount: 100, Unit: "money", Currency: "EUR"}, Target: flows.Value{Amount: 250.5, Unit: "money", Currency: "EUR"},
			Deadline: time.Date(2026, 12, 31, 0, 0, 0, 0, time.UTC), Owner: "U1", By: "U1", At: time.UnixMilli(2000).UTC(), Period: "month",
			Source: "C1/1.2", Edited: time.UnixMilli(3000).UTC()},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("kpis (-want +got):\n%s", diff)
	}
}

func TestActionsRefuseABadDueDate(t *testing.T) {
	p := &flows.Plan{}
	err := actions(p)(row(int64(3), 1, "act", "Ship it", "U1", "31/12/2026", 3, 1, "U1", int64(1), "", int64(0)))
	var perr *time.ParseError
	if !errors.As(err, &perr) {
		t.Fatalf("err = %v, want a date parse error", err)
	}
	if len(p.Actions) != 0 {
		t.Errorf("actions after a refused row: %v", p.Actions)
	}
}

func TestCommittedKnowsThePlanOnlyWithoutDatabaseIDs(t *testing.T) {
	p := &flows.Plan{ID: 7, Version: 4, Answers: map[string]flows.Answer{}, Skipped: map[string]bool{}, Completed: map[flows.StageID]bool{}}
	added := flows.ActionAdded{Action: flows.Action{ID: 12, Text: "Ship it"}}
	after, ok := Committed(p, []flows.Change{flows.QuestionSkipped{QuestionID: "q1"}, added})
	if !ok {
		t.Fatal("a commit whose action came back with its id is not known")
	}
	if after.Version != 5 || !after.Skipped["q1"] || len(after.Actions) != 1 || after.Actions[0].ID != 12 {
		t.Errorf("after = version %d, skipped %v, actions %v; want version 5, q1 skipped, action 12", after.Version, after.Skipped, after.Actions)
	}
	if p.Version != 4 || len(p.Skipped) != 0 || len(p.Actions) != 0 {
		t.Errorf("the plan committed from changed: version %d, skipped %v, actions %v", p.Version, p.Skipped, p.Actions)
	}
	for _, c := range []flows.Change{flows.ActionAdded{Action: flows.Action{Text: "no id"}}, flows.KPISet{KPI: flows.KPI{Key: "visits"}}} {
		if _, ok := Committed(p, []flows.Change{c}); ok {
			t.Errorf("Committed after %T with no database id reports the plan known", c)
		}
	}
}

// TestNumberActions: an added action without a number takes the one past
// the plan's highest, and past those given before it in the same commit;
// a number given stays. LastActionNumber says the same and changes
// nothing.
func TestNumberActions(t *testing.T) {
	p := &flows.Plan{LastActionNumber: 4}
	changes := []flows.Change{
		flows.ActionAdded{Action: flows.Action{Text: "a"}},
		flows.QuestionSkipped{QuestionID: "q1"},
		flows.ActionAdded{Action: flows.Action{Text: "b", Number: 7}},
		flows.ActionAdded{Action: flows.Action{Text: "c"}},
	}
	if got := LastActionNumber(p, changes); got != 8 || changes[0].(flows.ActionAdded).Action.Number != 0 {
		t.Errorf("LastActionNumber = %d, changes %+v; want 8, changes untouched", got, changes)
	}
	if got := NumberActions(p, changes); got != 8 {
		t.Errorf("NumberActions = %d, want 8", got)
	}
	var numbers []int
	for _, c := range changes {
		if a, ok := c.(flows.ActionAdded); ok {
			numbers = append(numbers, a.Action.Number)
		}
	}
	if diff := cmp.Diff([]int{5, 7, 8}, numbers); diff != "" {
		t.Errorf("numbers (-want +got):\n%s", diff)
	}
}
