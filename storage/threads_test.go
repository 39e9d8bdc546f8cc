package storage_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/racebot/racebot/flows"
	"github.com/racebot/racebot/internal/testdb"
)

// TestCoAnswersEditsAndWithdrawalsSurviveReopening: every way an answer
// changes is stored as a row and replayed as the same change, so a plan
// read from the file (no cache) equals the plan the engine computed.
func TestCoAnswersEditsAndWithdrawalsSurviveReopening(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	path := testdb.Path(t)
	cat := flows.RACE()
	db := MustOpen(t, path)
	p := newPlan(t, db, "T1", "C1", "Q1")
	commit := func(out flows.Outcome) {
		t.Helper()
		if err := db.Commit(ctx, p, out.Changes, ""); err != nil {
			t.Fatal(err)
		}
		p = out.Plan
		p.Version++
	}
	stepIn := func(in flows.Input) {
		t.Helper()
		out, err := flows.Step(cat, p, in)
		if err != nil {
			t.Fatal(err)
		}
		commit(out)
	}
	q := flows.QuestionBusiness
	stepIn(flows.Input{Text: "Ana's answer", User: "UANA", Now: t0, Source: "C1/1.1"})
	stepIn(flows.Input{Text: "Ben's answer", User: "UBEN", Now: t0.Add(time.Second), Saw: q, Source: "C1/1.2"})
	stepIn(flows.Input{Text: "Priya's answer", User: "UPRIYA", Now: t0.Add(2 * time.Second), Saw: q, Source: "C1/1.3"})
	revised, err := flows.ReviseAnswer(cat, p, "C1/1.2", "Ben's answer, edited", "UBEN", t0.Add(time.Minute), "", "")
	if err != nil {
		t.Fatal(err)
	}
	commit(revised)
	commit(flows.WithdrawAnswer(cat, p, "C1/1.1", t0.Add(2*time.Minute)))
	stepIn(flows.Input{Text: "Fresh beans", User: "UANA", Now: t0.Add(3 * time.Minute), Source: "C1/1.4"})
	commit(flows.WithdrawAnswer(cat, p, "C1/1.4", t0.Add(4*time.Minute)))

	want := p.Answers
	if a := want[q]; a.Text != "Ben's answer, edited" || len(a.Also) != 1 || a.Revision != 4 || a.Last != 5 {
		t.Fatalf("engine's answer = %+v", a)
	}
	if a := want["plan.value-proposition"]; a.Text != "" || a.Revision != 2 {
		t.Fatalf("withdrawn answer = %+v", a)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	again := MustOpen(t, path)
	got, err := again.Plan(ctx, "T1", p.ID)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, got.Answers); diff != "" {
		t.Errorf("answers read back (-engine +file):\n%s", diff)
	}
	revs, err := again.Revisions(ctx, "T1", p.ID, q)
	if err != nil {
		t.Fatal(err)
	}
	var texts []string
	for _, r := range revs {
		texts = append(texts, r.Text)
	}
	wantTexts := []string{"Ana's answer", "Ben's answer", "Priya's answer", "Ben's answer, edited", ""}
	if diff := cmp.Diff(wantTexts, texts); diff != "" {
		t.Errorf("history keeps every text (-want +got):\n%s", diff)
	}
}

func TestLastAskedFollowsMessageOrder(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := MustOpen(t, "")
	p := newPlan(t, db, "T1", "C1", "Q1")
	for _, a := range []struct {
		at   int64
		asks string
	}{{100, "plan.business"}, {300, "plan.value-proposition"}, {200, "plan.business"}} {
		if err := db.RecordAsked(ctx, "T1", p.ID, a.at, "ts", a.asks); err != nil {
			t.Fatal(err)
		}
	}
	// Reported twice (a retried post, say): one row, the first kept.
	if err := db.RecordAsked(ctx, "T1", p.ID, 300, "ts", "other"); err != nil {
		t.Fatal(err)
	}
	for at, want := range map[int64]string{99: "", 100: "plan.business", 299: "plan.business", 300: "plan.value-proposition", 1 << 60: "plan.value-proposition"} {
		got, _, err := db.LastAsked(ctx, "T1", p.ID, at, "")
		if err != nil || got != want {
			t.Errorf("LastAsked(%d) = %q, %v; want %q", at, got, err, want)
		}
	}
	if got, _, _ := db.LastAsked(ctx, "T2", p.ID, 1000, ""); got != "" {
		t.Errorf("another workspace sees %q", got)
	}
	if err := db.RecordAsked(ctx, "T2", p.ID, 400, "ts", "x"); !errors.Is(err, flows.ErrNoPlan) {
		t.Errorf("recording for another workspace's plan: %v, want ErrNoPlan", err)
	}
}

func TestReplaceMeasurementsFromOneMessage(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := MustOpen(t, "")
	id := kpiTestPlan(t, db, "T1", "Q1")
	ks := kpiTestTargets(t, db, "T1", id, fernhillTargets)
	visitors, aov := ks[0].ID, ks[4].ID
	val := func(kpi int64, n float64, source string) flows.Measurement {
		return flows.Measurement{KPI: kpi, Value: flows.Value{Amount: n, Unit: flows.UnitCount}, At: kpiT0, By: "UANA", Source: source}
	}
	if err := db.RecordMeasurements(ctx, "T1", id, []flows.Measurement{val(visitors, 100, "C1/1.1"), val(aov, 30, "C1/1.1")}, "ev1"); err != nil {
		t.Fatal(err)
	}
	later := val(visitors, 200, "C1/1.2")
	later.At = kpiT0.Add(time.Hour)
	if err := db.RecordMeasurements(ctx, "T1", id, []flows.Measurement{later}, "ev2"); err != nil {
		t.Fatal(err)
	}

	// A message no value came from: nothing is written, not even the key.
	if r, err := db.ReplaceMeasurements(ctx, "T1", id, "C1/9.9", []flows.Measurement{val(visitors, 1, "C1/9.9")}, "ev3"); r.N != 0 || err != nil {
		t.Fatalf("unknown source: %d, %v", r.N, err)
	}
	r, err := db.ReplaceMeasurements(ctx, "T1", id, "C1/1.1", []flows.Measurement{val(visitors, 150, "C1/1.1")}, "ev3")
	if r.N != 2 || err != nil {
		t.Fatalf("replace: %d, %v; want 2 replaced", r.N, err)
	}
	if _, err := db.ReplaceMeasurements(ctx, "T1", id, "C1/1.1", nil, "ev3"); !errors.Is(err, flows.ErrDuplicate) {
		t.Fatalf("same key again: %v, want ErrDuplicate", err)
	}
	if _, err := db.ReplaceMeasurements(ctx, "T2", id, "C1/1.1", nil, "ev4"); !errors.Is(err, flows.ErrNoPlan) {
		t.Fatalf("another workspace: %v, want ErrNoPlan", err)
	}
	ms, err := db.Measurements(ctx, "T1", id)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, m := range ms[visitors] {
		got = append(got, flows.FormatValue(m.Value)+" from "+m.Source)
	}
	if diff := cmp.Diff([]string{"150 from C1/1.1", "200 from C1/1.2"}, got); diff != "" {
		t.Errorf("visitors (-want +got):\n%s", diff)
	}
	if len(ms[aov]) != 0 {
		t.Errorf("the AOV from the edited message stayed: %+v", ms[aov])
	}
	// A deleted message takes its values with it.
	if r, err := db.ReplaceMeasurements(ctx, "T1", id, "C1/1.2", nil, "ev5"); r.N != 1 || err != nil {
		t.Fatalf("delete: %d, %v", r.N, err)
	}
	if ms, _ := db.Measurements(ctx, "T1", id); len(ms[visitors]) != 1 {
		t.Errorf("after the delete: %+v", ms[visitors])
	}
}
