package storage_test

import (
	"context"
	"errors"
	"maps"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/racebot/racebot/flows"
	"github.com/racebot/racebot/internal/testdb"
	"github.com/racebot/racebot/storage"
)

// MustOpen opens a database file in the test's temp dir and closes it when
// the test ends.
func MustOpen(tb testing.TB, path string) *storage.DB {
	tb.Helper()
	if path == "" {
		path = testdb.Path(tb)
	}
	db, err := storage.Open(context.Background(), path)
	if err != nil {
		tb.Fatalf("open %s: %v", path, err)
	}
	tb.Cleanup(func() { db.Close() })
	return db
}

var t0 = time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)

func newPlan(tb testing.TB, db *storage.DB, team, channel, name string) *flows.Plan {
	tb.Helper()
	p := flows.NewPlan(team, channel, name, "U1", t0)
	id, err := db.CreatePlan(context.Background(), p, "")
	if err != nil {
		tb.Fatalf("create plan: %v", err)
	}
	p.ID = id
	return p
}

// step runs one input through the engine and commits it, as the coach does.
func step(tb testing.TB, db *storage.DB, cat *flows.Catalogue, p *flows.Plan, text string, at time.Time) *flows.Plan {
	tb.Helper()
	out, err := flows.Step(cat, p, flows.Input{Text: text, User: "U1", Now: at})
	if err != nil {
		tb.Fatalf("step %q: %v", text, err)
	}
	if err := db.Commit(context.Background(), p, out.Changes, ""); err != nil {
		tb.Fatalf("commit %q: %v", text, err)
	}
	got, err := db.Plan(context.Background(), p.Team, p.ID)
	if err != nil {
		tb.Fatalf("reload: %v", err)
	}
	return got
}

func TestReopenRunsNoMigrationTwiceAndResumes(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "racebot.db")
	cat := flows.RACE()

	db, err := storage.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	p := newPlan(t, db, "T1", "C1", "Q1 Launch")
	p = step(t, db, cat, p, "We sell coffee", t0)
	p = step(t, db, cat, p, "skip", t0.Add(time.Minute))
	p = step(t, db, cat, p, "back", t0.Add(2*time.Minute))
	p = step(t, db, cat, p, "Fresh beans", t0.Add(3*time.Minute))
	p = step(t, db, cat, p, "done", t0.Add(4*time.Minute))
	p = step(t, db, cat, p, "Ask for reviews | Ana | 2027-02-01 | impact 4 | effort 2", t0.Add(5*time.Minute))
	if err := db.SetCurrentPlan(ctx, "T1", "C1", p.ID, ""); err != nil {
		t.Fatal(err)
	}
	db.Close()

	// Opening the same file again applies no migration a second time and
	// finds the plan exactly where it was.
	again := MustOpen(t, path)
	got, err := again.Plan(ctx, "T1", p.ID)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(p, got); diff != "" {
		t.Errorf("reopened plan differs (-before +after):\n%s", diff)
	}
	cur, err := again.CurrentPlan(ctx, "T1", "C1")
	if err != nil || cur != p.ID {
		t.Errorf("current plan = %d, %v; want %d", cur, err, p.ID)
	}
}

func TestEditsKeepEveryRevision(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := MustOpen(t, "")
	cat := flows.RACE()
	p := newPlan(t, db, "T1", "C1", "P")
	p = step(t, db, cat, p, "first", t0)
	p = step(t, db, cat, p, "back", t0.Add(time.Minute))
	p = step(t, db, cat, p, "second", t0.Add(2*time.Minute))
	revs, err := db.Revisions(ctx, "T1", p.ID, flows.QuestionBusiness)
	if err != nil {
		t.Fatal(err)
	}
	var texts []string
	for _, r := range revs {
		texts = append(texts, r.Text)
	}
	if diff := cmp.Diff([]string{"first", "second"}, texts); diff != "" {
		t.Errorf("revisions (-want +got):\n%s", diff)
	}
	if got := p.Answers[flows.QuestionBusiness]; got.Text != "second" || got.Revision != 2 {
		t.Errorf("current answer = %+v", got)
	}
	if revs, _ := db.Revisions(ctx, "T2", p.ID, flows.QuestionBusiness); len(revs) != 0 {
		t.Errorf("another workspace read %d revisions", len(revs))
	}
}

func TestWorkspacesNeverSeeEachOther(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := MustOpen(t, "")
	p := newPlan(t, db, "T1", "C1", "Secret")
	if _, err := db.Plan(ctx, "T2", p.ID); !errors.Is(err, flows.ErrNoPlan) {
		t.Errorf("T2 loading T1's plan: err = %v, want ErrNoPlan", err)
	}
	if _, err := db.PlanByName(ctx, "T2", "C1", "Secret"); !errors.Is(err, flows.ErrNoPlan) {
		t.Errorf("T2 finding T1's plan by name: err = %v, want ErrNoPlan", err)
	}
	if err := db.DeletePlan(ctx, "T2", p.ID, ""); !errors.Is(err, flows.ErrNoPlan) {
		t.Errorf("T2 deleting T1's plan: err = %v, want ErrNoPlan", err)
	}
	other := *p
	other.Team = "T2"
	out, _ := flows.Step(flows.RACE(), &other, flows.Input{Text: "hijack", User: "U9", Now: t0})
	if err := db.Commit(ctx, &other, out.Changes, ""); !errors.Is(err, flows.ErrNoPlan) {
		t.Errorf("T2 committing to T1's plan: err = %v, want ErrNoPlan", err)
	}
	// The same name in another workspace is a different plan.
	newPlan(t, db, "T2", "C1", "Secret")
}

func TestDuplicateNamesAndDeletion(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := MustOpen(t, "")
	p := newPlan(t, db, "T1", "C1", "Q1 Launch")
	if _, err := db.CreatePlan(ctx, flows.NewPlan("T1", "C1", "q1 launch", "U2", t0), ""); !errors.Is(err, flows.ErrDuplicatePlan) {
		t.Fatalf("duplicate name: err = %v, want ErrDuplicatePlan", err)
	}
	newPlan(t, db, "T1", "C2", "Q1 Launch") // another channel is fine
	step(t, db, flows.RACE(), p, "an answer", t0)
	if err := db.DeletePlan(ctx, "T1", p.ID, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Plan(ctx, "T1", p.ID); !errors.Is(err, flows.ErrNoPlan) {
		t.Errorf("deleted plan still loads: %v", err)
	}
	if revs, _ := db.Revisions(ctx, "T1", p.ID, flows.QuestionBusiness); len(revs) != 0 {
		t.Errorf("answers of a deleted plan remain: %v", revs)
	}
}

func TestStaleCommitIsRefused(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := MustOpen(t, "")
	cat := flows.RACE()
	p := newPlan(t, db, "T1", "C1", "P")
	a, _ := flows.Step(cat, p, flows.Input{Text: "from Ana", User: "UA", Now: t0})
	b, _ := flows.Step(cat, p, flows.Input{Text: "from Ben", User: "UB", Now: t0})
	if err := db.Commit(ctx, p, a.Changes, ""); err != nil {
		t.Fatal(err)
	}
	if err := db.Commit(ctx, p, b.Changes, ""); !errors.Is(err, flows.ErrConflict) {
		t.Fatalf("second commit from the same version: err = %v, want ErrConflict", err)
	}
	got, _ := db.Plan(ctx, "T1", p.ID)
	if got.Answers[flows.QuestionBusiness].Text != "from Ana" {
		t.Errorf("answer = %q", got.Answers[flows.QuestionBusiness].Text)
	}
}

func TestRetriedKeyRecordsOnce(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := MustOpen(t, "")
	cat := flows.RACE()
	p := newPlan(t, db, "T1", "C1", "P")
	out, _ := flows.Step(cat, p, flows.Input{Text: "once", User: "U1", Now: t0})
	if err := db.Commit(ctx, p, out.Changes, "Ev1"); err != nil {
		t.Fatal(err)
	}
	fresh, _ := db.Plan(ctx, "T1", p.ID)
	again, _ := flows.Step(cat, fresh, flows.Input{Text: "once", User: "U1", Now: t0})
	if err := db.Commit(ctx, fresh, again.Changes, "Ev1"); !errors.Is(err, flows.ErrDuplicate) {
		t.Fatalf("retry: err = %v, want ErrDuplicate", err)
	}
	if revs, _ := db.Revisions(ctx, "T1", p.ID, flows.QuestionBusiness); len(revs) != 1 {
		t.Errorf("revisions = %d, want 1", len(revs))
	}
}

// TestConcurrentWritersNeverLock has two connections to one file (as two
// racebot processes would have) write at once: immediate transactions and
// busy_timeout mean neither sees "database is locked".
func TestConcurrentWritersNeverLock(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	path := testdb.Path(t)
	dbs := []*storage.DB{MustOpen(t, path), MustOpen(t, path)}
	const perWriter = 100
	var wg sync.WaitGroup
	errs := make(chan error, 2*perWriter)
	for w, db := range dbs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range perWriter {
				p := flows.NewPlan("T1", "C1", "", "U1", t0)
				p.Name = "plan " + string(rune('A'+w)) + time.Duration(i).String()
				id, err := db.CreatePlan(ctx, p, "")
				if err != nil {
					errs <- err
					continue
				}
				p.ID = id
				out, err := flows.Step(flows.RACE(), p, flows.Input{Text: "answer", User: "U1", Now: t0})
				if err != nil {
					errs <- err
					continue
				}
				if err := db.Commit(ctx, p, out.Changes, ""); err != nil {
					errs <- err
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Errorf("concurrent write: %v", err)
	}
	plans, err := dbs[0].Plans(ctx, "T1", "C1")
	if err != nil {
		t.Fatal(err)
	}
	if len(plans) != 2*perWriter {
		t.Errorf("plans = %d, want %d", len(plans), 2*perWriter)
	}
	for _, p := range plans {
		if p.Answers[flows.QuestionBusiness].Text != "answer" {
			t.Errorf("plan %q lost its answer", p.Name)
		}
	}
}

func TestBadFilesAreExplained(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dir := t.TempDir()
	corrupt := filepath.Join(dir, "corrupt.db")
	if err := os.WriteFile(corrupt, []byte("this is not a database, just some text that is long enough to have a header....."), 0o600); err != nil {
		t.Fatal(err)
	}
	before, _ := os.ReadFile(corrupt)
	if _, err := storage.Open(ctx, corrupt); !errors.Is(err, storage.ErrCorrupt) {
		t.Errorf("corrupt file: err = %v, want ErrCorrupt", err)
	}
	after, _ := os.ReadFile(corrupt)
	if string(before) != string(after) {
		t.Error("opening a corrupt file changed it")
	}
	if _, err := storage.Open(ctx, filepath.Join(dir, "missing", "racebot.db")); !errors.Is(err, storage.ErrReadOnly) {
		t.Errorf("missing folder: err = %v, want ErrReadOnly", err)
	}
	if os.Getuid() != 0 { // root writes anywhere
		ro := filepath.Join(dir, "ro")
		os.Mkdir(ro, 0o500)
		if _, err := storage.Open(ctx, filepath.Join(ro, "racebot.db")); !errors.Is(err, storage.ErrReadOnly) {
			t.Errorf("read-only folder: err = %v, want ErrReadOnly", err)
		}
	}
}

// TestCachedPlansFollowOtherWriters: a plan cached by one connection is
// never committed over a newer version another connection (another
// racebot process) wrote: the commit fails with ErrConflict, and the plan
// loads afresh after it. Once the first connection writes anything, it
// notices the other's commits and follows them without a conflict.
func TestCachedPlansFollowOtherWriters(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	path := testdb.Path(t)
	a, b := MustOpen(t, path), MustOpen(t, path)
	cat := flows.RACE()
	p := newPlan(t, a, "T1", "C1", "Q1")
	first, err := a.Plan(ctx, "T1", p.ID) // now cached in a
	if err != nil {
		t.Fatal(err)
	}
	step(t, b, cat, first, "written by the other process", t0)
	if _, err := b.BindThread(ctx, "T1", p.ID, "123.456"); err != nil {
		t.Fatal(err)
	}
	cached, err := a.Plan(ctx, "T1", p.ID)
	if err != nil {
		t.Fatal(err)
	}
	out, err := flows.Step(cat, cached, flows.Input{Text: "from a stale copy", User: "U2", Now: t0})
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Commit(ctx, cached, out.Changes, ""); !errors.Is(err, flows.ErrConflict) {
		t.Fatalf("commit from a stale cached plan: err = %v, want ErrConflict", err)
	}
	got, err := a.Plan(ctx, "T1", p.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Answers[flows.QuestionBusiness].Text != "written by the other process" || got.Thread != "123.456" {
		t.Errorf("after the conflict a still has a stale plan: answer %q, thread %q", got.Answers[flows.QuestionBusiness].Text, got.Thread)
	}
	if id, err := a.PlanIDByThread(ctx, "T1", "C1", "123.456"); err != nil || id != p.ID {
		t.Errorf("thread = plan %d, %v; want %d", id, err, p.ID)
	}
	// Changing the copy a caller got never changes the cache.
	got.Answers[flows.QuestionBusiness] = flows.Answer{Text: "scribbled"}
	again, _ := a.Plan(ctx, "T1", p.ID)
	if again.Answers[flows.QuestionBusiness].Text != "written by the other process" {
		t.Error("a caller's edit leaked into the cache")
	}

	// b moves the plan again; a's next write, whatever it is, notices.
	step(t, b, cat, again, "the other process again", t0.Add(time.Minute))
	if err := a.MarkSeen(ctx, "T1", "Ev-any-write"); err != nil {
		t.Fatal(err)
	}
	if got, _ := a.Plan(ctx, "T1", p.ID); got.Version != again.Version+1 || len(got.Answers) != 2 {
		t.Errorf("after a wrote, a still has version %d with %d answers; want %d with 2", got.Version, len(got.Answers), again.Version+1)
	}

	// A deleted plan is gone, and a new plan that reuses its id is itself.
	if err := a.DeletePlan(ctx, "T1", p.ID, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Plan(ctx, "T1", p.ID); !errors.Is(err, flows.ErrNoPlan) {
		t.Errorf("deleted plan: %v", err)
	}
	if _, err := a.PlanIDByThread(ctx, "T1", "C1", "123.456"); !errors.Is(err, flows.ErrNoPlan) {
		t.Errorf("thread of the deleted plan: %v", err)
	}
	fresh := newPlan(t, b, "T1", "C1", "Q2")
	if loaded, err := a.Plan(ctx, "T1", fresh.ID); err != nil || loaded.Name != "Q2" || len(loaded.Answers) != 0 {
		t.Errorf("plan %d = %+v, %v", fresh.ID, loaded, err)
	}
}

// TestReusedIDIsNotAnotherPlan: a plan cached by one connection, deleted by
// another which then creates a plan that gets the same id at the same
// version, never takes the first plan's answers.
func TestReusedIDIsNotAnotherPlan(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	path := testdb.Path(t)
	a, b := MustOpen(t, path), MustOpen(t, path)
	cat := flows.RACE()
	p := newPlan(t, a, "T1", "C1", "Old")
	old, err := a.Plan(ctx, "T1", p.ID)
	if err != nil {
		t.Fatal(err)
	}
	if err := b.DeletePlan(ctx, "T1", p.ID, ""); err != nil {
		t.Fatal(err)
	}
	reused := flows.NewPlan("T1", "C1", "New", "U2", t0.Add(time.Hour))
	id, err := b.CreatePlan(ctx, reused, "")
	if err != nil {
		t.Fatal(err)
	}
	if id != p.ID {
		t.Skipf("SQLite gave the new plan id %d, not the deleted %d", id, p.ID)
	}
	out, err := flows.Step(cat, old, flows.Input{Text: "meant for the old plan", User: "U1", Now: t0})
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Commit(ctx, old, out.Changes, ""); !errors.Is(err, flows.ErrNoPlan) {
		t.Fatalf("commit to the deleted plan: err = %v, want ErrNoPlan", err)
	}
	got, err := b.Plan(ctx, "T1", id)
	if err != nil {
		t.Fatal(err)
	}
	if got.Name != "New" || len(got.Answers) != 0 {
		t.Errorf("the new plan took the old one's answer: %+v", got)
	}
}

// TestAnsweringASkippedQuestionUnskipsItInTheFile: an answer deletes its
// question's skip only when the plan has one, and the file agrees with the
// cache afterwards, also when the skip and the answer come in one step.
func TestAnsweringASkippedQuestionUnskipsItInTheFile(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	path := testdb.Path(t)
	db, err := storage.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	steps := flows.RACE().Stages[0].Steps()
	q1, q2, q3 := steps[0].ID, steps[1].ID, steps[2].ID
	now := time.Now()
	p := flows.NewPlan("T1", "C1", "Skips", "UANA", now)
	if p.ID, err = db.CreatePlan(ctx, p, ""); err != nil {
		t.Fatal(err)
	}
	commit := func(key string, changes ...flows.Change) {
		t.Helper()
		cur, err := db.Plan(ctx, "T1", p.ID)
		if err != nil {
			t.Fatal(err)
		}
		if err := db.Commit(ctx, cur, changes, key); err != nil {
			t.Fatal(err)
		}
	}
	answer := func(q string, revision int) flows.Change {
		return flows.AnswerRecorded{Answer: flows.Answer{QuestionID: q, Text: "An answer.", By: "UANA", At: now, Revision: revision}}
	}
	commit("skip", flows.QuestionSkipped{QuestionID: q1}, flows.QuestionSkipped{QuestionID: q2})
	commit("answer q1", answer(q1, 1))
	commit("answer q3", answer(q3, 1))
	commit("skip and answer q3", flows.QuestionSkipped{QuestionID: q3}, answer(q3, 2))
	db.Close()

	fresh, err := storage.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer fresh.Close()
	got, err := fresh.Plan(ctx, "T1", p.ID)
	if err != nil {
		t.Fatal(err)
	}
	if want := map[string]bool{q2: true}; !maps.Equal(got.Skipped, want) {
		t.Errorf("skipped in the file: %v, want %v", got.Skipped, want)
	}
}
