package storage

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
	"time"
	"unsafe"

	"github.com/google/go-cmp/cmp"
	"github.com/racebot/racebot/flows"
	"github.com/racebot/racebot/storage/internal/packed"
	"github.com/racebot/racebot/storage/internal/record"
)

var c0 = time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)

func cachePlan(id flows.PlanID, version int64) *flows.Plan {
	p := flows.NewPlan("T1", "C1", "P"+strconv.Itoa(int(id)), "U1", c0)
	p.ID, p.Version = id, version
	return p
}

// TestCachedPlanIsThePlan: what the cache gives back is the plan put, to
// its own team only, and the caller's own to change. (Package packed's
// tests check every field of the packing.)
func TestCachedPlanIsThePlan(t *testing.T) {
	t.Parallel()
	p := cachePlan(7, 3)
	p.Thread = "1.2"
	p.Answers["q1"] = flows.Answer{QuestionID: "q1", Text: "one", By: "U1", At: c0, Revision: 2, Source: "C1/1.3",
		Also: []flows.Contribution{{Text: "also", By: "U2", At: c0, Source: "C1/1.4", Revision: 3}}}
	p.Skipped["q3"] = true
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
	got.Answers["q1"] = flows.Answer{QuestionID: "q1", Text: "changed"}
	got.Skipped["q9"] = true
	again, _ := c.get("T1", 7)
	if diff := cmp.Diff(want, again); diff != "" {
		t.Errorf("a caller's change reached the cache (-want +got):\n%s", diff)
	}
}

// TestCachedTimesAreStored: the cache keeps times as the file does, to
// the millisecond, so a cached plan is the plan a load would give.
func TestCachedTimesAreStored(t *testing.T) {
	t.Parallel()
	at := time.Date(2026, 11, 23, 9, 0, 0, 123456789, time.FixedZone("CET", 3600))
	p := cachePlan(7, 3)
	p.Answers["q1"] = flows.Answer{QuestionID: "q1", Text: "one", At: at, Also: []flows.Contribution{{Text: "also", At: at}}}
	c := newPlanCache()
	c.put(p, c.generation())
	got, _ := c.get("T1", 7)
	a := got.Answers["q1"]
	if want := packed.Stored(at); !a.At.Equal(want) || !a.Also[0].At.Equal(want) {
		t.Errorf("times came back as %v and %v, want %v as the file keeps it", a.At, a.Also[0].At, want)
	}
}

// TestCacheKeepsUnchangedAnswers: a commit changes an answer or two of
// many; the cache packs those again and keeps the bytes of the rest.
func TestCacheKeepsUnchangedAnswers(t *testing.T) {
	t.Parallel()
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

// TestCacheBounds: past the count or the byte budget, a full cache takes a
// plan in only if it was used more lately than the plan it would drop,
// and then drops the least recently used.
func TestCacheBounds(t *testing.T) {
	t.Parallel()
	c := newPlanCache()
	c.maxPlans = 3
	use := func(id flows.PlanID, times int) {
		for range times {
			if _, ok := c.get("T1", id); !ok {
				c.put(cachePlan(id, 0), c.generation())
			}
		}
	}
	use(1, 2)
	use(2, 2)
	use(3, 2)
	use(4, 1)
	if _, ok := c.plans[4]; ok {
		t.Error("plan 4, used once, took the place of a plan used twice")
	}
	use(2, 1) // now the most recently used
	use(5, 3)
	for id, want := range map[flows.PlanID]bool{1: false, 2: true, 3: true, 4: false, 5: true} {
		if _, ok := c.plans[id]; ok != want {
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
	c.get("T1", 2)
	c.get("T1", 2)
	c.put(cachePlan(2, 0), c.generation())
	if _, ok := c.plans[1]; ok {
		t.Error("the byte budget kept the big plan beside one used more")
	}
	if _, ok := c.plans[2]; !ok {
		t.Error("the plan used more was turned away")
	}
	if c.bytes > c.maxBytes {
		t.Errorf("cache holds %d bytes, over its %d", c.bytes, c.maxBytes)
	}
}

// TestCacheOrdersPuts: loads and commits finish in any order; an older
// version never replaces a newer one, and a load that overlapped a drop is
// not cached.
func TestCacheOrdersPuts(t *testing.T) {
	t.Parallel()
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
	t.Parallel()
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
	t.Parallel()
	ctx := context.Background()
	path := fresh.Path(t)
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
			got, _, err := db.LastAsked(ctx, "T1", id, at, "")
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
	if got, _, _ := db.LastAsked(ctx, "T1", id, math.MaxInt64, ""); got != "newest" {
		t.Errorf("LastAsked(the end of time) = %q, want the newest prompt", got)
	}
	if _, _, err := db.LastAsked(ctx, "T2", id, 1000, ""); err != nil {
		t.Fatal(err)
	}
	if got, _, _ := db.LastAsked(ctx, "T2", id, 1000, ""); got != "" {
		t.Errorf("another team learned the plan's prompt %q", got)
	}
}

// lastAskedFromTable is LastAsked without the cache.
func (db *DB) lastAskedFromTable(ctx context.Context, team string, plan flows.PlanID, at int64) (string, error) {
	db.cache.clear()
	asks, _, err := db.LastAsked(ctx, team, plan, at, "")
	return asks, err
}

// TestAnswerReadsNothing: once a plan is cached, what an answer needs
// before its commit (the thread's plan, the plan, the prompt its author
// saw) comes from memory: with the read pool closed it all still works.
func TestAnswerReadsNothing(t *testing.T) {
	t.Parallel()
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
		saw, _, err := db.LastAsked(ctx, "T1", id, int64(10+i), "")
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

// BenchmarkLoadPlan is what a cache miss costs: the plan of
// BenchmarkCachedPlan read from the file, its row and its seven parts.
func BenchmarkLoadPlan(b *testing.B) {
	ctx := context.Background()
	db := openTemp(b)
	p := createdPlan(b, db)
	for i, st := range flows.RACE().Stages[0].Steps() {
		a := flows.Answer{QuestionID: st.ID, Text: strings.Repeat("x", 430), By: "U0123456", At: c0, Revision: 1, Source: "C0123456/1700000000.000100"}
		if err := db.Commit(ctx, p, []flows.Change{flows.AnswerRecorded{Answer: a}}, "Ev"+strconv.Itoa(i)); err != nil {
			b.Fatal(err)
		}
		p.Version++
	}
	b.ReportAllocs()
	for b.Loop() {
		db.cache.clear()
		got, err := db.Plan(ctx, "T1", p.ID)
		if err != nil || len(got.Answers) != len(flows.RACE().Stages[0].Steps()) {
			b.Fatalf("plan: %v, %d answers", err, len(got.Answers))
		}
	}
}

// TestPlanReadsStayInTheSnapshot: a plan's parts are read one by one, each
// through a statement its connection keeps compiled, and all on the
// snapshot's connection, so a commit made between two of them is seen by
// neither. A statement run on the pool instead would read it.
func TestPlanReadsStayInTheSnapshot(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := openTemp(t)
	p := createdPlan(t, db)
	err := db.snapshot(ctx, func(tx *sql.Tx) error {
		r := sqlTx{ctx: ctx, tx: tx}
		// The snapshot begins with its first read.
		if _, err := record.Plan(r.Row(qPlan, "T1", p.ID)); err != nil {
			return err
		}
		a := flows.Answer{QuestionID: flows.QuestionBusiness, Text: "We roast coffee.", By: "U1", At: c0, Revision: 1}
		if err := db.Commit(ctx, p, []flows.Change{flows.AnswerRecorded{Answer: a}}, "Ev1"); err != nil {
			return err
		}
		n := 0
		if err := r.Each(func(record.Scan) error { n++; return nil }, planParts.Answers, p.ID); err != nil {
			return err
		}
		if n != 0 {
			t.Errorf("a read of the snapshot saw an answer committed after it began (%d rows)", n)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	got, err := db.Plan(ctx, "T1", p.ID)
	if err != nil || len(got.Answers) != 1 {
		t.Fatalf("after the snapshot: %v, %d answers", err, len(got.Answers))
	}
}

// createdPlan is a new plan of team T1, created in db.
func createdPlan(tb testing.TB, db *DB) *flows.Plan {
	tb.Helper()
	p := flows.NewPlan("T1", "C1", "P", "U1", c0)
	var err error
	if p.ID, err = db.CreatePlan(context.Background(), p, ""); err != nil {
		tb.Fatal(err)
	}
	return p
}

// TestCacheResistsAScan: plans started, then answered round after round
// (many busy workspaces on one racebot, or a load test), outgrow the cache,
// by their bytes as they grow or by their count from the start. Each
// answer reads its plan (from the file when the cache lacks it) and
// commits, and its reply's post reads the plan again, at once or after
// other answers. A plain least-recently-used cache then drops each plan
// just before its turn comes again, and no answer finds its plan. Here the
// plans answered before stay, and only newcomers come and go.
func TestCacheResistsAScan(t *testing.T) {
	t.Parallel()
	const plans, rounds = 100, 8
	text := strings.Repeat("x", 200)
	for _, bound := range []string{"bytes", "count"} {
		for _, postLag := range []int{0, 10, 150} {
			t.Run(fmt.Sprintf("%s, posts %d answers later", bound, postLag), func(t *testing.T) {
				c := newPlanCache()
				if bound == "count" {
					c.maxPlans = plans * 4 / 5
				}
				file := make([]*flows.Plan, plans)
				for i := range file {
					file[i] = cachePlan(flows.PlanID(i+1), 0)
					c.putCreated(file[i], c.generation())
				}
				if bound == "bytes" {
					// Room for the plans as started and two answers each.
					c.maxBytes = c.bytes + plans*2*(len(text)+100)
				}
				var posts []flows.PlanID
				for r := range rounds {
					hits := 0
					for i := range file {
						id := file[i].ID
						got, ok := c.get("T1", id)
						if ok {
							hits++
						} else {
							got = file[i].Clone()
							c.put(got, c.generation())
						}
						q := "q" + strconv.Itoa(r)
						got.Answers[q] = flows.Answer{QuestionID: q, Text: text, By: "U1", At: c0}
						got.Version++
						c.committed(got, c.generation())
						file[i] = got
						for posts = append(posts, id); len(posts) > postLag; posts = posts[1:] {
							c.get("T1", posts[0])
						}
					}
					if c.bytes > c.maxBytes || len(c.plans) > c.maxPlans {
						t.Fatalf("round %d: %d plans, %d bytes cached, over %d, %d", r, len(c.plans), c.bytes, c.maxPlans, c.maxBytes)
					}
					if r == rounds-1 {
						t.Logf("last round: %d of %d plans found", hits, plans)
						if hits < plans/4 {
							t.Errorf("want at least %d", plans/4)
						}
					}
				}
			})
		}
	}
}

// answerPlan is what an answer does to the cache: it reads the plan,
// loading it when the cache lacks it, and commits. It reports whether the
// plan was found.
func answerPlan(c *planCache, id flows.PlanID) bool {
	p, ok := c.get("T1", id)
	if !ok {
		p = cachePlan(id, 0)
		c.put(p, c.generation())
	}
	p.Version++
	c.committed(p, c.generation())
	return ok
}

// TestCacheKeepsANewPlanInUse: with the cache full of plans answered over
// and over, a plan just started and then answered as often as they are
// comes to be kept like them, while newcomers used once are turned away.
func TestCacheKeepsANewPlanInUse(t *testing.T) {
	t.Parallel()
	c := newPlanCache()
	c.maxPlans = 10
	for range 3 {
		for id := range flows.PlanID(10) {
			answerPlan(c, id+1)
		}
	}
	c.putCreated(cachePlan(100, 0), c.generation())
	kept := -1
	for i := range 20 {
		switch found := answerPlan(c, 100); {
		case found && kept < 0:
			kept = i
		case !found && kept >= 0:
			t.Fatalf("answer %d: the new plan, cached since answer %d, was dropped", i, kept)
		}
		c.putCreated(cachePlan(flows.PlanID(200+i), 0), c.generation())
	}
	if kept < 0 || kept > 4 {
		t.Errorf("the new plan was first found at answer %d, want within its first five", kept)
	}
	if e := c.plans[100]; e == nil || !e.protected {
		t.Error("the new plan, answered again and again, is not among the plans in use")
	}
	for i := range 20 {
		if _, ok := c.plans[flows.PlanID(200+i)]; ok && i < 19 {
			t.Errorf("plan %d, started and never used again, is cached", 200+i)
		}
	}
}

// TestCacheForgetsABurst: a plan answered a hundred times in one sitting
// and then left drifts to probation's end, where every plan new to the
// full cache is weighed against it. A new plan answered as often as the
// others must still come in within a few answers: the sketch counts no
// higher than its period gives a plan the cache holds, so a halving or two
// forgets the burst. Counted to 255, it took eight.
func TestCacheForgetsABurst(t *testing.T) {
	t.Parallel()
	const plans = 100
	c := newPlanCache()
	c.maxPlans, c.usage = plans, newUsage(plans)
	answer := func(id flows.PlanID) bool {
		ok := answerPlan(c, id)
		c.get("T1", id) // the reply's post
		return ok
	}
	for id := range flows.PlanID(plans) {
		c.putCreated(cachePlan(id+1, 0), c.generation())
	}
	for range 100 {
		answer(1)
	}
	round := func() {
		for id := flows.PlanID(2); id <= plans; id++ {
			answer(id)
		}
	}
	round()
	c.putCreated(cachePlan(1000, 0), c.generation())
	for i := range 5 {
		round()
		if answer(1000) {
			return
		}
		t.Logf("answer %d: the new plan was not found; plan 1, idle, estimates %d", i, c.usage.estimate(1))
	}
	t.Error("a plan answered as often as the others was not found within five answers")
}

// TestCacheWeighsEveryPlanABigOneWouldDrop: a plan new to a cache full by
// its bytes may take the place of several; it is taken in only if it was
// used more lately than each of them, not only than the first to go.
func TestCacheWeighsEveryPlanABigOneWouldDrop(t *testing.T) {
	t.Parallel()
	c := newPlanCache()
	for id := range flows.PlanID(4) {
		c.put(cachePlan(id+1, 0), c.generation())
	}
	for id := flows.PlanID(2); id <= 4; id++ {
		for range 3 {
			c.get("T1", id)
		}
	} // plan 1, never used, is probation's oldest
	c.maxBytes = c.bytes
	big := cachePlan(5, 0)
	for i := range 3 {
		q := "q" + strconv.Itoa(i)
		big.Answers[q] = flows.Answer{QuestionID: q, Text: strings.Repeat("x", c.plans[1].size), By: "U1", At: c0}
	}
	c.get("T1", 5)
	c.get("T1", 5) // used more than plan 1, less than the others
	c.put(big, c.generation())
	for id, want := range map[flows.PlanID]bool{1: true, 2: true, 3: true, 4: true, 5: false} {
		if _, ok := c.plans[id]; ok != want {
			t.Errorf("plan %d cached = %v, want %v", id, ok, want)
		}
	}
}

// TestCreatedPlanMarksOnlyItsOwnEntry: a plan just created has asked
// nothing, but an entry already there was loaded by someone else, who
// may have recorded a prompt while the plan was not cached (noting
// nothing here); the creation must not vouch for that entry's prompts.
func TestCreatedPlanMarksOnlyItsOwnEntry(t *testing.T) {
	t.Parallel()
	c := newPlanCache()
	gen := c.generation() // CreatePlan begins
	// Between its commit and its putCreated, another request found the
	// plan (the channel's current one), loaded it and recorded a prompt.
	// (A prompt recorded before the load is TestCreatedPlanKnowsNoPromptItMissed.)
	c.put(cachePlan(1, 0), c.generation())
	c.asked("T1", 1, 5, flows.QuestionBusiness, "")
	c.putCreated(cachePlan(1, 0), gen)
	if r, ok, tok := c.lastAsked("T1", 1, 10, ""); ok || tok.e == nil {
		t.Errorf("lastAsked = %q, %v from the cache; the prompt recorded is only in the file", r.asks, ok)
	}
}

// TestCacheStaysConsistent drives the cache with random operations under
// small bounds. After each, the two lists must hold exactly the map's
// plans, each entry's size must be what its contents measure, and the
// counts and byte totals must be the sums over the lists; after each put
// that stores and each hit the bounds and the protected share must hold,
// and the plan put must be kept.
func TestCacheStaysConsistent(t *testing.T) {
	t.Parallel()
	one := newPlanCache()
	one.put(cachePlan(1, 0), one.generation())
	plain := one.bytes
	for _, b := range []struct{ plans, bytes int }{
		{0, 100 * plain}, {1, 100 * plain}, {2, 3 * plain}, {3, plain / 2}, {5, 4 * plain}, {8, 100 * plain}, {8, 3 * plain},
	} {
		t.Run(fmt.Sprintf("%d plans %d bytes", b.plans, b.bytes), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(uint64(b.plans), uint64(b.bytes)))
			c := newPlanCache()
			c.maxPlans, c.maxBytes = b.plans, b.bytes
			stale := c.generation()
			for i := range 2000 {
				id := flows.PlanID(1 + rng.IntN(12))
				var op string
				switch n := rng.IntN(100); {
				case n < 35:
					p := randomCachePlan(rng, id)
					gen := c.generation()
					if rng.IntN(10) == 0 {
						gen = stale
					}
					old, had := c.plans[id]
					kept := !c.stale(id, gen) && c.maxPlans > 0 && (!had ||
						old.Head.Team == p.Team && old.Head.CreatedAt.Equal(packed.Stored(p.CreatedAt)) && old.Head.Version <= p.Version)
					// A plan new to a full cache may be turned away (see
					// admits).
					probe := &cached{}
					probe.fill(p)
					full := len(c.plans) >= c.maxPlans || c.bytes+probe.measure() > c.maxBytes
					op = fmt.Sprintf("put(%d v%d, %d answers)", id, p.Version, len(p.Answers))
					switch rng.IntN(4) {
					case 0:
						op = "putCreated" + op[3:]
						c.putCreated(p, gen)
					case 1:
						op = "committed" + op[3:]
						c.committed(p, gen)
					default:
						c.put(p, gen)
					}
					if !kept {
						// Nothing stored, nothing fitted.
						break
					}
					e, ok := c.plans[id]
					if !ok && !had && full {
						break
					}
					if !ok || e.Head.Version != p.Version {
						t.Fatalf("op %d %s: the plan put was not kept", i, op)
					}
					checkCacheBounds(t, c, i, op)
				case n < 60:
					team := "T1"
					if rng.IntN(10) == 0 {
						team = "T2"
					}
					op = fmt.Sprintf("get(%s, %d)", team, id)
					if _, ok := c.get(team, id); ok {
						// A miss fits nothing: the prompts and threads
						// noted since the last put may have grown past
						// the bounds.
						checkCacheBounds(t, c, i, op)
					}
				case n < 68:
					version := int64(rng.IntN(10))
					if e, ok := c.plans[id]; ok && rng.IntN(4) != 0 {
						version = e.Head.Version + 1
					}
					op = fmt.Sprintf("bound(%d v%d)", id, version)
					c.bound("T1", id, "t"+strconv.Itoa(int(id)), version, c.generation())
				case n < 80:
					op = fmt.Sprintf("asked(%d)", id)
					c.asked("T1", id, int64(rng.IntN(100)), strings.Repeat("a", rng.IntN(50)), "")
				case n < 92:
					op = fmt.Sprintf("installAsked(%d)", id)
					_, _, tok := c.lastAsked("T1", id, int64(rng.IntN(100)), "")
					if rng.IntN(5) == 0 {
						c.asked("T1", id, int64(rng.IntN(100)), "meanwhile", "")
					}
					rows := make([]askedRow, rng.IntN(maxAsked+2))
					for j := range rows {
						rows[j] = askedRow{at: int64(1000 - 10*j), asks: strings.Repeat("r", rng.IntN(40))}
					}
					c.installAsked(tok, rows)
				case n < 98:
					op = fmt.Sprintf("drop(%d)", id)
					if rng.IntN(2) == 0 {
						stale = c.generation()
					}
					c.drop(id)
				default:
					op = "clear"
					c.clear()
				}
				checkCacheLists(t, c, i, op)
			}
		})
	}
}

// randomCachePlan is plan id at a random version, with random answers, a
// thread half the time and, now and then, created again (the id reused).
func randomCachePlan(rng *rand.Rand, id flows.PlanID) *flows.Plan {
	p := cachePlan(id, int64(rng.IntN(10)))
	for q := range rng.IntN(5) {
		qid := "q" + strconv.Itoa(q)
		p.Answers[qid] = flows.Answer{QuestionID: qid, Text: strings.Repeat("x", rng.IntN(300)), By: "U1", At: c0}
	}
	if rng.IntN(2) == 0 {
		p.Thread = "t" + strconv.Itoa(int(id))
	}
	if rng.IntN(20) == 0 {
		p.CreatedAt = c0.Add(time.Hour)
	}
	return p
}

// checkCacheLists checks that the lists, the map, the thread index and
// the totals agree.
func checkCacheLists(t *testing.T, c *planCache, i int, op string) {
	t.Helper()
	seen := make(map[*cached]bool)
	walk := func(head *cached, protected bool) (n, bytes int) {
		prev := head
		for e := head.next; e != head; prev, e = e, e.next {
			switch {
			case e == nil || e.prev != prev:
				t.Fatalf("op %d %s: the list is broken after %d entries", i, op, n)
			case seen[e] || n > len(c.plans):
				t.Fatalf("op %d %s: plan %d is on the lists twice", i, op, e.Head.ID)
			case c.plans[e.Head.ID] != e:
				t.Fatalf("op %d %s: plan %d is on a list but not in the map", i, op, e.Head.ID)
			case e.protected != protected:
				t.Fatalf("op %d %s: plan %d marked protected=%v on the other list", i, op, e.Head.ID, e.protected)
			case e.size != e.measure():
				t.Fatalf("op %d %s: plan %d has size %d, measures %d", i, op, e.Head.ID, e.size, e.measure())
			}
			seen[e] = true
			n++
			bytes += e.size
		}
		return n, bytes
	}
	probationPlans, probationBytes := walk(&c.probation, false)
	protectedPlans, protectedBytes := walk(&c.protected, true)
	if got, want := len(c.plans), probationPlans+protectedPlans; got != want {
		t.Fatalf("op %d %s: %d plans in the map, %d on the lists", i, op, got, want)
	}
	if c.protectedPlans != protectedPlans || c.protectedBytes != protectedBytes || c.bytes != probationBytes+protectedBytes {
		t.Fatalf("op %d %s: counted %d protected plans of %d bytes and %d bytes in all; the lists hold %d of %d and %d",
			i, op, c.protectedPlans, c.protectedBytes, c.bytes, protectedPlans, protectedBytes, probationBytes+protectedBytes)
	}
	for k, id := range c.threads {
		e, ok := c.plans[id]
		if !ok || (threadKey{e.Head.Team, e.Head.Channel, e.Head.Thread}) != k {
			t.Fatalf("op %d %s: thread %v leads to plan %d, which is not cached on it", i, op, k, id)
		}
	}
	for id, e := range c.plans {
		if e.Head.Thread != "" && c.threads[threadKey{e.Head.Team, e.Head.Channel, e.Head.Thread}] != id {
			t.Fatalf("op %d %s: plan %d's thread is not indexed", i, op, id)
		}
	}
}

// checkCacheBounds checks the bounds fit keeps.
func checkCacheBounds(t *testing.T, c *planCache, i int, op string) {
	t.Helper()
	if len(c.plans) > c.maxPlans || (c.bytes > c.maxBytes && len(c.plans) > 1) {
		t.Fatalf("op %d %s: %d plans of %d bytes cached, past %d or %d", i, op, len(c.plans), c.bytes, c.maxPlans, c.maxBytes)
	}
	if c.protectedPlans > c.maxPlans*protectedShare/100 ||
		(c.protectedBytes > c.maxBytes/100*protectedShare && c.protectedPlans > 1) {
		t.Fatalf("op %d %s: %d protected plans of %d bytes, past the share", i, op, c.protectedPlans, c.protectedBytes)
	}
}

// TestCacheDropsThePlanPutLast: a plan put is dropped only when nothing
// else is left, not while a protected plan handed back to probation by
// the same put waits there; and that plan, the least recently used, goes
// before a protected plan in use.
func TestCacheDropsThePlanPutLast(t *testing.T) {
	t.Parallel()
	c := newPlanCache()
	for id := range flows.PlanID(2) {
		p := cachePlan(id+1, 0)
		c.put(p, c.generation())
		for range 2 {
			p.Version++
			c.committed(p, c.generation())
		}
	} // both protected, 1 the least recently used
	// Plan 1's prompts, read from the file after, take it past the
	// protected share; nothing is fitted until the next put.
	_, _, tok := c.lastAsked("T1", 1, 0, "")
	rows := make([]askedRow, maxAsked)
	for i := range rows {
		rows[i] = askedRow{at: int64(len(rows) - i), asks: strings.Repeat("a", 100)}
	}
	c.installAsked(tok, rows)
	// Room for plan 1 or plan 2 beside plan 3 (as large as 2), not for
	// all three.
	c.maxBytes = c.plans[1].size + c.plans[2].size - 1
	for range 3 {
		c.get("T1", 3) // used more than plan 1 lately
	}
	c.put(cachePlan(3, 0), c.generation())
	for id, want := range map[flows.PlanID]bool{1: false, 2: true, 3: true} {
		if _, ok := c.plans[id]; ok != want {
			t.Errorf("plan %d cached = %v, want %v", id, ok, want)
		}
	}
}

// TestCacheCountsAPlanPutAgain: a plan put again (a commit of a cached
// plan), on probation or protected, counts its new size once, so the
// totals are back to nothing once it is dropped.
func TestCacheCountsAPlanPutAgain(t *testing.T) {
	t.Parallel()
	for _, protected := range []bool{false, true} {
		c := newPlanCache()
		p := cachePlan(1, 0)
		c.put(p, c.generation())
		if protected {
			c.committed(p, c.generation())
			c.committed(p, c.generation())
		}
		p = p.Clone()
		p.Version++
		p.Answers["q1"] = flows.Answer{QuestionID: "q1", Text: strings.Repeat("x", 500), By: "U1", At: c0}
		c.put(p, c.generation())
		if e := c.plans[1]; e.size != e.measure() || c.bytes != e.size {
			t.Errorf("protected %v: plan counted as %d bytes, cache as %d; it measures %d", protected, e.size, c.bytes, e.measure())
		}
		c.drop(1)
		if c.bytes != 0 || c.protectedBytes != 0 || c.protectedPlans != 0 {
			t.Errorf("protected %v: dropped the only plan, the cache still counts %d bytes, %d protected of %d bytes",
				protected, c.bytes, c.protectedPlans, c.protectedBytes)
		}
	}
}

// fullCache is a cache with room for two plans, holding plans 1 and 2,
// each answered the given number of times: a plan new to it must be used
// more than they were to be taken in.
func fullCache(answers int) *planCache {
	c := newPlanCache()
	c.maxPlans = 2
	for id := flows.PlanID(1); id <= 2; id++ {
		for range answers {
			answerPlan(c, id)
		}
	}
	return c
}

// TestCacheNeverGoesBack: a read loads a plan while a step commits it
// (reads take no turn), and the commit's newer version is not cached:
// a full cache turned it away, or pushed it out at once. The read's put,
// coming last, must not cache the version the commit replaced: the
// step's own reply, read next, would show the plan without its answer,
// and the next step would be refused for a conflict.
func TestCacheNeverGoesBack(t *testing.T) {
	t.Parallel()
	for _, lost := range []string{"turned away", "pushed out"} {
		t.Run(lost, func(t *testing.T) {
			c := fullCache(3)
			c.get("T1", 3) // the read misses
			read := c.generation()
			old := cachePlan(3, 0) // and loads version 0
			if lost == "turned away" {
				answerPlan(c, 3) // the step: version 1, turned away
			} else {
				c.maxPlans = 3
				answerPlan(c, 3) // the step: version 1, cached
				c.maxPlans = 2
				answerPlan(c, 1) // and pushed out
			}
			if _, ok := c.plans[3]; ok {
				t.Fatal("the step's version is cached; the test sets up nothing")
			}
			for range 5 {
				c.get("T1", 3) // the step's reply, a header: misses too
			}
			c.put(old, read)
			if p, ok := c.get("T1", 3); ok && p.Version < 1 {
				t.Errorf("the cache serves version %d, the file holds 1", p.Version)
			}
			c.put(cachePlan(3, 1), c.generation())
			if _, ok := c.plans[3]; !ok {
				t.Error("a load begun now is turned away too; the test shows nothing")
			}
		})
	}
}

// TestCreatedPlanKnowsNoPromptItMissed: between a plan's creation and its
// putCreated, another request records a prompt on it while it is not
// cached (a full cache turned its load away, or it read nothing): no
// entry noted the prompt, so the one putCreated makes must not vouch for
// the plan's prompts.
func TestCreatedPlanKnowsNoPromptItMissed(t *testing.T) {
	t.Parallel()
	for _, how := range []string{"load turned away", "no load"} {
		t.Run(how, func(t *testing.T) {
			c := fullCache(1)
			gen := c.generation() // CreatePlan begins
			if how == "load turned away" {
				c.get("T1", 3)
				c.put(cachePlan(3, 0), c.generation())
				if _, ok := c.plans[3]; ok {
					t.Fatal("the load was cached; the test sets up nothing")
				}
			}
			c.asked("T1", 3, 5, flows.QuestionBusiness, "")
			c.get("T1", 3)
			c.get("T1", 3)
			c.putCreated(cachePlan(3, 0), gen)
			if r, ok, _ := c.lastAsked("T1", 3, 10, ""); ok {
				t.Errorf("lastAsked = %q from the cache; the prompt recorded is only in the file", r.asks)
			}
			c.put(cachePlan(3, 0), c.generation())
			if _, ok := c.plans[3]; !ok {
				t.Error("a load begun now is turned away too; the test shows nothing")
			}
		})
	}
}

// TestCachedAskedSkipsOthersMoves: a move recorded for one person alone
// (flows.AskedAuthor) is what the cache answers for them, and everyone
// else reads past it to the prompt posted before; when only such rows are
// kept at or before a reply, and older ones exist, the file is read.
func TestCachedAskedSkipsOthersMoves(t *testing.T) {
	t.Parallel()
	c := newPlanCache()
	c.put(cachePlan(1, 0), c.generation())
	_, _, tok := c.lastAsked("T1", 1, 0, "")
	c.installAsked(tok, []askedRow{{at: 10, asks: "q2"}})
	c.asked("T1", 1, 20, "q1", "UANA")
	for _, w := range []struct {
		author string
		at     int64
		want   string
	}{{"UANA", 30, "q1"}, {"UBEN", 30, "q2"}, {"", 30, "q2"}, {"UANA", 19, "q2"}} {
		if r, ok, _ := c.lastAsked("T1", 1, w.at, w.author); !ok || r.asks != w.want {
			t.Errorf("lastAsked(%d, %q) = %q, %v; want %q from the cache", w.at, w.author, r.asks, ok, w.want)
		}
	}

	c.put(cachePlan(2, 0), c.generation())
	_, _, tok = c.lastAsked("T1", 2, 0, "")
	rows := make([]askedRow, maxAsked+1) // newest first, one more than kept
	for i := range rows {
		rows[i] = askedRow{at: int64(100 - i), asks: "moved", author: "UANA"}
	}
	c.installAsked(tok, rows)
	if r, ok, _ := c.lastAsked("T1", 2, 200, "UBEN"); ok {
		t.Errorf("lastAsked for Ben = %q from the cache; what he saw is older than the kept rows", r.asks)
	}
	if r, ok, _ := c.lastAsked("T1", 2, 200, "UANA"); !ok || r.asks != "moved" {
		t.Errorf("lastAsked for Ana = %q, %v; want her move from the cache", r.asks, ok)
	}
}
