package scheduler_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/racebot/racebot/flows"
	"github.com/racebot/racebot/internal/pgtest"
	"github.com/racebot/racebot/internal/testdb"
	"github.com/racebot/racebot/scheduler"
	"github.com/racebot/racebot/storage/postgres"
)

// blockingRunner posts check-ins, holding the post of one plan until told
// to go on, as a slow Slack would.
type blockingRunner struct {
	hold    flows.PlanID
	posting chan struct{} // closed when the held post begins
	release chan struct{} // closed to let it finish

	mu    sync.Mutex
	posts []scheduler.Job
}

func (r *blockingRunner) RunCheckin(ctx context.Context, job scheduler.Job) (int64, error) {
	if job.Plan == r.hold {
		close(r.posting)
		<-r.release
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.posts = append(r.posts, job)
	return int64(len(r.posts)), nil
}

func (r *blockingRunner) posted(plan flows.PlanID) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
	for _, j := range r.posts {
		if j.Plan == plan {
			n++
		}
	}
	return n
}

// replica is a store two schedulers share, each through a handle of its
// own, as two racebot processes do.
type replica interface {
	scheduler.Store
	CreatePlan(ctx context.Context, p *flows.Plan, key string) (flows.PlanID, error)
	Occurrences(ctx context.Context, team string, plan flows.PlanID, limit int) ([]scheduler.Occurrence, error)
}

// TestPauseOnAnotherReplicaDuringATick: two replicas on one database (a
// SQLite file, and PostgreSQL when a server is given). Monday 09:00 falls
// due for two plans; the first replica's tick reads the schedules and
// posts the first plan's check-in, which Slack is slow to take. Meanwhile
// the second plan's lead types `/race pause`, which the other replica
// confirms. The tick then reaches the second plan: a plan its team was
// told is paused posts no check-in, and its run log says it was paused.
func TestPauseOnAnotherReplicaDuringATick(t *testing.T) {
	t.Parallel()
	t.Run("sqlite", func(t *testing.T) {
		t.Parallel()
		path := testdb.Path(t)
		pauseDuringATick(t, openDB(t, path), openDB(t, path))
	})
	t.Run("postgres", func(t *testing.T) {
		t.Parallel()
		url := pgtest.URL(t)
		open := func() *postgres.DB {
			db, err := postgres.Open(context.Background(), url)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { db.Close() })
			return db
		}
		pauseDuringATick(t, open(), open())
	})
}

func pauseDuringATick(t *testing.T, dbA, dbB replica) {
	ctx := context.Background()
	set := time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC) // a Friday
	due := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)  // the Monday after
	clk := newFakeClock(set)
	var plans []flows.PlanID
	for _, name := range []string{"Q1 Launch", "Holiday plan"} {
		id, err := dbA.CreatePlan(ctx, flows.NewPlan("T1", "C"+name[:1], name, "U1", set), "")
		if err != nil {
			t.Fatal(err)
		}
		plans = append(plans, id)
	}
	runner := &blockingRunner{hold: plans[0], posting: make(chan struct{}), release: make(chan struct{})}
	a := scheduler.New(dbA, runner, clk, nil, "a")
	b := scheduler.New(dbB, runner, clk, nil, "b")
	for _, id := range plans {
		setSchedule(t, a, "T1", id, "every monday 09:00 UTC")
	}

	clk.Set(due.Add(10 * time.Second))
	ticked := make(chan error, 1)
	go func() { ticked <- a.Tick(ctx) }()
	<-runner.posting
	if err := b.SetPaused(ctx, "T1", plans[1], true); err != nil {
		t.Fatal(err)
	}
	close(runner.release)
	if err := <-ticked; err != nil {
		t.Fatal(err)
	}

	if n := runner.posted(plans[0]); n != 1 {
		t.Errorf("Q1 Launch: %d check-ins posted, want 1", n)
	}
	if n := runner.posted(plans[1]); n != 0 {
		t.Errorf("Holiday plan: %d check-ins posted after its pause was confirmed, want 0", n)
	}
	log, err := dbB.Occurrences(ctx, "T1", plans[1], 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(log) != 1 || log[0].State != scheduler.StatePaused {
		t.Errorf("Holiday plan: run log %+v, want its one occurrence paused", log)
	}
}

// TestBacklogJustBeforeASlotPostsOnce: two racebots come back after a
// week's outage a moment before Monday's 09:00 check-in, one clock five
// seconds ahead of the other. The one whose clock still reads 08:59
// finds last Monday's check-in missed; posting it late would put two
// check-ins in the channel seconds apart, as the other posts 09:00's. Only
// the 09:00 one is posted, on time, and last Monday's is logged as
// skipped; the one posted knows it stands for that one (Missed), so that
// the team is told.
func TestBacklogJustBeforeASlotPostsOnce(t *testing.T) {
	t.Parallel()
	path := testdb.Path(t)
	monday := time.Date(2026, 1, 12, 9, 0, 0, 0, time.UTC)
	behind := newFakeClock(monday.Add(-8 * 24 * time.Hour))
	runner := &fakeRunner{clk: behind}
	dbB := openDB(t, path)
	plan := newPlan(t, dbB, "T1", "Q1")
	b := newScheduler(dbB, runner, behind, "behind")
	setSchedule(t, b, "T1", plan, "every monday 09:00 UTC")

	ahead := newFakeClock(monday.Add(3 * time.Second))
	a := newScheduler(openDB(t, path), runner, ahead, "ahead")
	behind.Set(monday.Add(-2 * time.Second))
	for _, s := range []*scheduler.Scheduler{b, a, b} {
		if err := s.Tick(context.Background()); err != nil {
			t.Fatal(err)
		}
		behind.Set(monday)
	}
	var dues []time.Time
	for _, c := range runner.Calls() {
		dues = append(dues, c.Job.Due)
		if c.Job.Late {
			t.Errorf("a late check-in was posted for %s", c.Job.Due)
		}
		if c.Job.Missed != 1 {
			t.Errorf("the check-in of %s stands for %d missed ones, want last Monday's", c.Job.Due, c.Job.Missed)
		}
	}
	if len(dues) != 1 || !dues[0].Equal(monday) {
		t.Errorf("check-ins posted for %v, want one, for %s", dues, monday)
	}
	log, _ := runLog(t, dbB, "T1", plan)
	want := []logEntry{
		{monday, scheduler.StatePosted, "ahead"},
		{monday.AddDate(0, 0, -7), scheduler.StateSkipped, "behind"},
	}
	if diff := cmp.Diff(want, log); diff != "" {
		t.Errorf("run log (-want +got):\n%s", diff)
	}
}
