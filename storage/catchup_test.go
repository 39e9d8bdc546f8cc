package storage_test

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/racebot/racebot/coach"
	"github.com/racebot/racebot/flows"
	"github.com/racebot/racebot/storage"
)

// planAt creates a plan at a time, bound to thread unless it is "".
func planAt(t *testing.T, db *storage.DB, team, name string, at time.Time, thread string) *flows.Plan {
	t.Helper()
	ctx := context.Background()
	p := flows.NewPlan(team, "C1", name, "U1", at)
	id, err := db.CreatePlan(ctx, p, "")
	if err != nil {
		t.Fatal(err)
	}
	p.ID = id
	if thread != "" {
		if _, err := db.BindThread(ctx, team, id, thread); err != nil {
			t.Fatal(err)
		}
	}
	got, err := db.Plan(ctx, team, id)
	if err != nil {
		t.Fatal(err)
	}
	return got
}

// TestMigrationReadsOldThreadsFromNow: the conversations of a database
// written before catch-ups existed were followed with the events' own
// keys, so a catch-up reads them from the upgrade on, not from their
// start, which would record their replies again.
func TestMigrationReadsOldThreadsFromNow(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "racebot.db")
	old, exec := olderDatabase(t, path, 12)
	now := time.Now()
	exec(`INSERT INTO plans (id, team_id, channel_id, name, name_key, created_by, created_at, thread) VALUES
		(1, 'T1', 'C1', 'Q1', 'q1', 'U1', ?, '100.000001'), (2, 'T1', 'C1', 'Q2', 'q2', 'U1', ?, '')`, now.UnixMilli(), now.UnixMilli())
	exec(`INSERT INTO checkins (id, plan_id, channel_id, thread, opened_at, nudge_at, close_at) VALUES (7, 2, 'C1', '200.000001', ?, ?, ?)`,
		now.UnixMilli(), now.UnixMilli(), now.UnixMilli())
	old.Close()

	before := slackTS(now.Add(-time.Second))
	db := MustOpen(t, path)
	after := slackTS(time.Now().Add(time.Second))
	got, err := db.CatchupThreads(ctx, now.Add(-time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 {
		t.Fatalf("threads after the upgrade: %+v", got)
	}
	for _, th := range got {
		if !coach.MessageAfter(th.Read, before) || !coach.MessageAfter(after, th.Read) {
			t.Errorf("thread %s read through %q, want between %s and %s", th.Thread, th.Read, before, after)
		}
	}
	// Threads bound after the upgrade are read from their start.
	p := planAt(t, db, "T1", "new", now, "300.000001")
	got, err = db.CatchupThreads(ctx, now.Add(-time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if i := slices.IndexFunc(got, func(th coach.Thread) bool { return th.Plan == p.ID }); i < 0 || got[i].Read != "" {
		t.Errorf("a new thread: %+v", got)
	}
}

func slackTS(t time.Time) string {
	us := t.UnixMicro()
	return fmt.Sprintf("%d.%06d", us/1e6, us%1e6)
}
