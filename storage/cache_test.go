package storage

import (
	"context"
	"fmt"
	"math"
	"path/filepath"
	"reflect"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"
	"unsafe"

	"github.com/google/go-cmp/cmp"
	"github.com/racebot/racebot/flows"
)

var c0 = time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)

func cachePlan(id flows.PlanID, version int64) *flows.Plan {
	p := flows.NewPlan("T1", "C1", "P"+strconv.Itoa(int(id)), "U1", c0)
	p.ID, p.Version = id, version
	return p
}

// TestCachedPlanIsThePlan: what the cache gives back equals what was put,
// every field of it, and is the caller's own to change.
func TestCachedPlanIsThePlan(t *testing.T) {
	p := cachePlan(7, 3)
	p.Thread = "1.2"
	p.Privacy = true
	p.Cursor = flows.Cursor{Stage: 1, Step: 2, Phase: flows.PhaseActions}
	p.Answers["q1"] = flows.Answer{QuestionID: "q1", Text: "one", By: "U1", At: c0, Revision: 2, Last: 3, Source: "C1/1.3",
		Also: []flows.Contribution{{Text: "also", By: "U2", At: c0, Source: "C1/1.4", Revision: 3}}}
	p.Answers["q2"] = flows.Answer{QuestionID: "q2", Text: "two", Drafted: true}
	p.Answers["q4"] = flows.Answer{QuestionID: "q4", Text: "four é ✓", By: "U3", Revision: 1, At: c0.Add(1500 * time.Millisecond),
		Also: []flows.Contribution{{Text: "", By: "U4"}, {Text: "more", At: c0.Add(-time.Hour), Revision: 7}}}
	p.Skipped["q3"] = true
	p.Completed["reach"] = true
	p.Actions = []flows.Action{{ID: 1, Stage: "reach", Text: "do", Owner: "U1", Due: c0, Impact: 4, Effort: 1, By: "U1", At: c0}}
	p.KPIs = []flows.KPI{{ID: 2, Plan: 7, Stage: "reach", Key: "visitors", Name: "Visitors", Unit: "count",
		Baseline: flows.Value{Amount: 1, Unit: "count"}, Target: flows.Value{Amount: 2, Unit: "count"}, Deadline: c0, At: c0}}
	want := p.Clone()

	c := newPlanCache()
	c.put(p, c.generation())
	got, ok := c.get("T1", 7)
	if !ok {
		t.Fatal("not cached")
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("cached plan differs (-put +got):\n%s", diff)
	}
	if _, ok := c.get("T2", 7); ok {
		t.Error("another team got the plan")
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
	again, _ := c.get("T1", 7)
	if diff := cmp.Diff(want, again); diff != "" {
		t.Errorf("a caller's change reached the cache (-want +got):\n%s", diff)
	}
	other, _ := c.get("T1", 7)
	b := other.Answers["q1"]
	b.Also = append(b.Also, flows.Contribution{Text: "theirs"})
	if a.Also[len(a.Also)-1].Text != "mine" {
		t.Error("two callers' appended co-answers share an array")
	}
}

// TestCachedTimesAreStored: the cache keeps times as the file does, to
// the millisecond, so a cached plan is the plan a load would give.
func TestCachedTimesAreStored(t *testing.T) {
	at := time.Date(2026, 11, 23, 9, 0, 0, 123456789, time.FixedZone("CET", 3600))
	p := cachePlan(7, 3)
	p.Answers["q1"] = flows.Answer{QuestionID: "q1", Text: "one", At: at, Also: []flows.Contribution{{Text: "also", At: at}}}
	c := newPlanCache()
	c.put(p, c.generation())
	got, _ := c.get("T1", 7)
	a := got.Answers["q1"]
	if want := stored(at); !a.At.Equal(want) || !a.Also[0].At.Equal(want) {
		t.Errorf("times came back as %v and %v, want %v as the file keeps it", a.At, a.Also[0].At, want)
	}
}

// TestCacheKeepsUnchangedAnswers: a commit changes an answer or two of
// many; the cache packs those again and keeps the bytes of the rest.
func TestCacheKeepsUnchangedAnswers(t *testing.T) {
	p := cachePlan(7, 3)
	p.Answers["q1"] = flows.Answer{QuestionID: "q1", Text: "one", By: "U1", At: c0, Revision: 1}
	p.Answers["q2"] = flows.Answer{QuestionID: "q2", Text: "two", By: "U1", At: c0, Revision: 1}
	c := newPlanCache()
	c.put(p, c.generation())
	first, _ := c.get("T1", 7)

	next, _ := c.get("T1", 7)
	next.Version++
	q2 := next.Answers["q2"]
	q2.Also = append(q2.Also, flows.Contribution{Text: "two, too", By: "U2", At: c0, Revision: 2})
	next.Answers["q2"] = q2
	c.put(next, c.generation())

	got, _ := c.get("T1", 7)
	if unsafe.StringData(got.Answers["q1"].Text) != unsafe.StringData(first.Answers["q1"].Text) {
		t.Error("the unchanged answer was packed again")
	}
	if diff := cmp.Diff(next, got); diff != "" {
		t.Errorf("plan after the commit (-put +got):\n%s", diff)
	}
}

// TestCacheKnowsEveryPlanField: the cache copies a plan field by field
// where the field holds a map or a slice. A new such field on flows.Plan
// or flows.Answer must be handled in cached.fill and materialize, or two
// callers would share it.
func TestCacheKnowsEveryPlanField(t *testing.T) {
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

// TestCacheBounds: the least recently used plans go first, past the count
// or the byte budget.
func TestCacheBounds(t *testing.T) {
	c := newPlanCache()
	c.maxPlans = 3
	for id := range flows.PlanID(4) {
		c.put(cachePlan(id+1, 0), c.generation())
	}
	if _, ok := c.get("T1", 1); ok {
		t.Error("plan 1, the oldest, is still cached past the count")
	}
	c.get("T1", 2) // now the newest
	c.put(cachePlan(5, 0), c.generation())
	for id, want := range map[flows.PlanID]bool{2: true, 3: false, 4: true, 5: true} {
		if _, ok := c.get("T1", id); ok != want {
			t.Errorf("plan %d cached = %v, want %v", id, ok, want)
		}
	}

	c = newPlanCache()
	big := cachePlan(1, 0)
	for i := range 10 {
		q := "q" + strconv.Itoa(i)
		big.Answers[q] = flows.Answer{QuestionID: q, Text: string(make([]byte, 1000))}
	}
	c.put(big, c.generation())
	c.maxBytes = c.bytes + 100 // room for the big one and a bit
	c.put(cachePlan(2, 0), c.generation())
	if _, ok := c.get("T1", 1); ok {
		t.Error("the byte budget kept the big plan beside a new one")
	}
	if _, ok := c.get("T1", 2); !ok {
		t.Error("the newest plan was dropped")
	}
	if c.bytes > c.maxBytes {
		t.Errorf("cache holds %d bytes, over its %d", c.bytes, c.maxBytes)
	}
}

// TestCacheOrdersPuts: loads and commits finish in any order; an older
// version never replaces a newer one, and a load that overlapped a drop is
// not cached.
func TestCacheOrdersPuts(t *testing.T) {
	c := newPlanCache()
	c.put(cachePlan(1, 5), c.generation())
	c.put(cachePlan(1, 4), c.generation())
	if p, _ := c.get("T1", 1); p.Version != 5 {
		t.Errorf("version %d, want 5", p.Version)
	}

	gen := c.generation() // a load begins
	c.drop(1)             // a commit elsewhere changed the plan meanwhile
	c.put(cachePlan(1, 6), gen)
	if _, ok := c.get("T1", 1); ok {
		t.Error("a load that overlapped a drop was cached")
	}

	// A plan of the same id created later (the id reused) replaces
	// nothing: the file decides which is live.
	c.put(cachePlan(2, 1), c.generation())
	reused := cachePlan(2, 3)
	reused.CreatedAt = c0.Add(time.Hour)
	c.put(reused, c.generation())
	if _, ok := c.get("T1", 2); ok {
		t.Error("a plan of a reused id replaced the cached one")
	}
}

func TestCachedThreads(t *testing.T) {
	c := newPlanCache()
	p := cachePlan(1, 0)
	c.putCreated(p, c.generation())
	if _, ok := c.thread("T1", "C1", "1.5"); ok {
		t.Error("an unbound plan has a thread")
	}
	c.bound("T1", 1, "1.5", 1, c.generation())
	if id, ok := c.thread("T1", "C1", "1.5"); !ok || id != 1 {
		t.Errorf("thread = %d, %v", id, ok)
	}
	if got, _ := c.get("T1", 1); got.Thread != "1.5" || got.Version != 1 {
		t.Errorf("bound plan = thread %q, version %d", got.Thread, got.Version)
	}
	if _, ok := c.thread("T2", "C1", "1.5"); ok {
		t.Error("another team's thread found the plan")
	}
	c.drop(1)
	if _, ok := c.thread("T1", "C1", "1.5"); ok {
		t.Error("a dropped plan's thread is still cached")
	}
}

// TestCachedAskedMatchesTheTable: LastAsked answers the same from the cache
// as from the table, for times before, between and after prompts, past
// the kept tail, with prompts recorded out of order and twice.
func TestCachedAskedMatchesTheTable(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "racebot.db")
	db, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	p := flows.NewPlan("T1", "C1", "P", "U1", c0)
	id, err := db.CreatePlan(ctx, p, "")
	if err != nil {
		t.Fatal(err)
	}
	// An uncached reader of the same file answers from the table.
	table, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer table.Close()
	record := func(at int64, asks string) {
		t.Helper()
		if err := db.RecordAsked(ctx, "T1", id, at, fmt.Sprint(at), asks); err != nil {
			t.Fatal(err)
		}
	}
	check := func(when string) {
		t.Helper()
		for at := int64(0); at <= 1000; at += 5 {
			want, err := table.lastAskedFromTable(ctx, "T1", id, at)
			if err != nil {
				t.Fatal(err)
			}
			got, err := db.LastAsked(ctx, "T1", id, at)
			if err != nil {
				t.Fatal(err)
			}
			if got != want {
				t.Fatalf("%s: LastAsked(%d) = %q, the table says %q", when, at, got, want)
			}
		}
	}
	check("nothing asked")
	for at := int64(100); at < 100+10*(maxAsked+5); at += 10 {
		record(at, "q"+strconv.FormatInt(at, 10))
	}
	record(105, "late")     // recorded after newer ones, older than the tail
	record(990, "newest")   // past every other
	record(990, "repeated") // the first record at a time stays
	check("more prompts than kept")
	if _, err := db.Plan(ctx, "T1", id); err != nil {
		t.Fatal(err)
	}
	db.cache.drop(id) // the log is read again from the file
	if _, err := db.Plan(ctx, "T1", id); err != nil {
		t.Fatal(err)
	}
	check("read back from the file")
	record(985, "between")
	check("recorded after the read")
	if got, _ := db.LastAsked(ctx, "T1", id, math.MaxInt64); got != "newest" {
		t.Errorf("LastAsked(the end of time) = %q, want the newest prompt", got)
	}
	if _, err := db.LastAsked(ctx, "T2", id, 1000); err != nil {
		t.Fatal(err)
	}
	if got, _ := db.LastAsked(ctx, "T2", id, 1000); got != "" {
		t.Errorf("another team learned the plan's prompt %q", got)
	}
}

// lastAskedFromTable is LastAsked without the cache.
func (db *DB) lastAskedFromTable(ctx context.Context, team string, plan flows.PlanID, at int64) (string, error) {
	db.cache.clear()
	return db.LastAsked(ctx, team, plan, at)
}

// TestAnswerReadsNothing: once a plan is cached, what an answer needs
// before its commit (the thread's plan, the plan, the prompt its author
// saw) comes from memory: with the read pool closed it all still works.
func TestAnswerReadsNothing(t *testing.T) {
	ctx := context.Background()
	db := openTemp(t)
	cat := flows.RACE()
	id, err := db.CreatePlan(ctx, flows.NewPlan("T1", "C1", "P", "U1", c0), "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.BindThread(ctx, "T1", id, "1.1"); err != nil {
		t.Fatal(err)
	}
	if err := db.RecordAsked(ctx, "T1", id, 2, "1.2", flows.QuestionBusiness); err != nil {
		t.Fatal(err)
	}
	db.read.Close()
	for i := range 3 {
		got, err := db.PlanIDByThread(ctx, "T1", "C1", "1.1")
		if err != nil || got != id {
			t.Fatalf("answer %d: thread = %d, %v", i, got, err)
		}
		p, err := db.Plan(ctx, "T1", id)
		if err != nil {
			t.Fatalf("answer %d: plan: %v", i, err)
		}
		saw, err := db.LastAsked(ctx, "T1", id, int64(10+i))
		if err != nil {
			t.Fatalf("answer %d: last asked: %v", i, err)
		}
		out, err := flows.Step(cat, p, flows.Input{Text: "answer " + strconv.Itoa(i), User: "U1", Now: c0, Saw: saw})
		if err != nil {
			t.Fatal(err)
		}
		if err := db.Commit(ctx, p, out.Changes, "Ev"+strconv.Itoa(i)); err != nil {
			t.Fatalf("answer %d: commit: %v", i, err)
		}
	}
}

// BenchmarkCachedPlan is what the cache does for one answer to a plan
// whose first stage is answered: a get for the caller, and a put of the
// plan as committed.
func BenchmarkCachedPlan(b *testing.B) {
	p := cachePlan(1, 0)
	for i := range 10 {
		q := "question-" + strconv.Itoa(i)
		p.Answers[q] = flows.Answer{QuestionID: q, Text: string(make([]byte, 430)), By: "U0123456", At: c0, Revision: 1, Source: "C0123456/1700000000.000100"}
	}
	c := newPlanCache()
	c.put(p, c.generation())
	b.ReportAllocs()
	for b.Loop() {
		got, _ := c.get("T1", 1)
		got.Version++
		c.put(got, c.generation())
	}
}

// TestPackedAnswerKeepsEveryField: every field of an answer and of its
// co-answers, each set to something other than its zero value, comes back
// from packing. A field added to flows.Answer or flows.Contribution that
// packAnswer does not write fails here, instead of being dropped by the
// cache while the file keeps it.
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
	kept := make([]packedAnswer, n)
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
