package packed

import (
	"maps"
	"reflect"
	"runtime"
	"strings"
	"testing"
	"time"
	"unsafe"

	"github.com/google/go-cmp/cmp"
	"github.com/racebot/racebot/flows"
)

var c0 = time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)

// TestUnpackIsThePlan: what is unpacked equals what was packed, every
// field of it, and is the caller's own to change.
func TestUnpackIsThePlan(t *testing.T) {
	p := flows.NewPlan("T1", "C1", "Launch", "U1", c0)
	p.ID, p.Version, p.Thread, p.Privacy = 7, 3, "1.2", true
	p.Cursor = flows.Cursor{Stage: 1, Step: 2, Phase: flows.PhaseActions}
	p.Answers["q1"] = flows.Answer{QuestionID: "q1", Text: "one", By: "U1", At: c0, Revision: 2, Last: 3, Source: "C1/1.3", Edited: c0.Add(time.Second),
		Also: []flows.Contribution{{Text: "also", By: "U2", At: c0, Source: "C1/1.4", Revision: 3, Edited: c0.Add(2 * time.Second)}}}
	p.Answers["q2"] = flows.Answer{QuestionID: "q2", Text: "two", Drafted: true}
	p.Answers["q4"] = flows.Answer{QuestionID: "q4", Text: "four é ✓", By: "U3", Revision: 1, At: c0.Add(1500 * time.Millisecond),
		Also: []flows.Contribution{{Text: "", By: "U4"}, {Text: "more", At: c0.Add(-time.Hour), Revision: 7}}}
	p.Skipped["q3"] = true
	p.Completed["reach"] = true
	p.Actions = []flows.Action{{ID: 1, Stage: "reach", Text: "do", Owner: "U1", Due: c0, Impact: 4, Effort: 1, By: "U1", At: c0}}
	p.KPIs = []flows.KPI{{ID: 2, Plan: 7, Stage: "reach", Key: "visitors", Name: "Visitors", Unit: "count",
		Baseline: flows.Value{Amount: 1, Unit: "count"}, Target: flows.Value{Amount: 2, Unit: "count"}, Deadline: c0, At: c0}}
	p.Prior = map[string]flows.Prior{"q1": {Text: "last quarter", By: "U1", From: "Q3"}}
	want := p.Clone()
	want.Prior = maps.Clone(p.Prior)

	e := Pack(p, nil)
	got := e.Unpack()
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("unpacked plan differs (-packed +got):\n%s", diff)
	}
	if !got.Answers["q2"].At.IsZero() {
		t.Errorf("an answer with no time came back at %v", got.Answers["q2"].At)
	}

	// Scribbling on one copy, appending a co-answer included, leaves the
	// next copy as it was.
	a := got.Answers["q1"]
	a.Also = append(a.Also, flows.Contribution{Text: "mine"})
	got.Answers["q1"] = a
	got.Actions[0].Text = "changed"
	got.KPIs[0].Name = "changed"
	got.Skipped["q9"] = true
	got.Prior["q1"] = flows.Prior{}
	if diff := cmp.Diff(want, e.Unpack()); diff != "" {
		t.Errorf("a caller's change reached the packed plan (-want +got):\n%s", diff)
	}
	b := e.Unpack().Answers["q1"]
	b.Also = append(b.Also, flows.Contribution{Text: "theirs"})
	if a.Also[len(a.Also)-1].Text != "mine" {
		t.Error("two callers' appended co-answers share an array")
	}
}

// TestPackKeepsUnchangedAnswers: packing a plan again keeps the bytes of
// the answers it has unchanged, and packs the one it changed afresh.
func TestPackKeepsUnchangedAnswers(t *testing.T) {
	p := flows.NewPlan("T1", "C1", "Launch", "U1", c0)
	p.Answers["q1"] = flows.Answer{QuestionID: "q1", Text: "one", By: "U1", At: c0, Revision: 1}
	p.Answers["q2"] = flows.Answer{QuestionID: "q2", Text: "two", By: "U1", At: c0, Revision: 1}
	old := Pack(p, nil)

	next := old.Unpack()
	q2 := next.Answers["q2"]
	q2.Also = append(q2.Also, flows.Contribution{Text: "two, too", By: "U2", At: c0, Revision: 2})
	next.Answers["q2"] = q2
	e := Pack(next, &old)

	got := e.Unpack()
	if unsafe.StringData(got.Answers["q1"].Text) != unsafe.StringData(old.Unpack().Answers["q1"].Text) {
		t.Error("the unchanged answer was packed again")
	}
	if diff := cmp.Diff(next, got); diff != "" {
		t.Errorf("plan packed again (-put +got):\n%s", diff)
	}
}

// TestPackKnowsEveryPlanField: a packed plan is copied field by field where
// the field holds a map or a slice. A new such field on flows.Plan or
// flows.Answer must be handled in Pack and Unpack, or two callers would
// share it.
func TestPackKnowsEveryPlanField(t *testing.T) {
	known := map[string]bool{"Plan.Answers": true, "Plan.Skipped": true, "Plan.Completed": true, "Plan.Actions": true, "Plan.KPIs": true, "Plan.Prior": true, "Answer.Also": true}
	for _, typ := range []reflect.Type{reflect.TypeFor[flows.Plan](), reflect.TypeFor[flows.Answer]()} {
		for i := range typ.NumField() {
			f := typ.Field(i)
			switch f.Type.Kind() {
			case reflect.Map, reflect.Slice, reflect.Pointer:
				if name := typ.Name() + "." + f.Name; !known[name] {
					t.Errorf("%s is a %s the plan cache does not copy", name, f.Type.Kind())
				}
			}
		}
	}
}

// TestPackedAnswerKeepsEveryField: every field of an answer and of its
// co-answers, each set to something other than its zero value, comes back
// from packing. A field added to flows.Answer or flows.Contribution that
// packAnswer does not write fails here, instead of being dropped by the
// caches while the stores keep it.
func TestPackedAnswerKeepsEveryField(t *testing.T) {
	var a flows.Answer
	fillFields(t, reflect.ValueOf(&a).Elem())
	got := packAnswer(a).unpack()
	if diff := cmp.Diff(a, got); diff != "" {
		t.Errorf("answer after packing (-want +got):\n%s", diff)
	}
}

// TestPackedAnswerTakesItsLength: a cached answer costs the heap its
// packed length, rounded up to the allocator's size class, and not room
// for the longest varints besides (some 80 bytes an answer, before).
func TestPackedAnswerTakesItsLength(t *testing.T) {
	a := flows.Answer{QuestionID: "business", Text: strings.Repeat("a", 500), By: "U0123456", At: c0, Revision: 1, Source: "C0123456/1700000000.000100"}
	length := len(packAnswer(a))
	const n = 1000
	kept := make([]Answer, n)
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	for i := range kept {
		kept[i] = packAnswer(a)
	}
	runtime.ReadMemStats(&after)
	// Size classes are at most 64 bytes apart at this length; other
	// goroutines' allocations meanwhile only add to the figure.
	if per := int(after.TotalAlloc-before.TotalAlloc) / n; per >= length+64 {
		t.Errorf("each packed answer of %d bytes allocated %d", length, per)
	}
	runtime.KeepAlive(kept)
}

// fillFields sets every field of the struct v to a value other than zero,
// and a slice of structs to one filled element.
func fillFields(t *testing.T, v reflect.Value) {
	t.Helper()
	for i := range v.NumField() {
		f, name := v.Field(i), v.Type().Field(i).Name
		switch {
		case f.Type() == reflect.TypeFor[time.Time]():
			f.Set(reflect.ValueOf(c0.Add(time.Duration(i) * time.Minute)))
		case f.Kind() == reflect.String:
			f.SetString(name + " ✓")
		case f.Kind() == reflect.Int:
			f.SetInt(int64(i + 1))
		case f.Kind() == reflect.Bool:
			f.SetBool(true)
		case f.Kind() == reflect.Slice && f.Type().Elem().Kind() == reflect.Struct:
			f.Set(reflect.MakeSlice(f.Type(), 1, 1))
			fillFields(t, f.Index(0))
		default:
			t.Fatalf("%s.%s is a %s the test cannot fill; teach it, and packAnswer", v.Type().Name(), name, f.Type())
		}
	}
}
