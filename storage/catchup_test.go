package storage_test

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
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

// TestCatchupThreadsAreTheActiveConversations: a catch-up reads the
// threads of plans with something recent in them and of check-ins that
// are open or recent, each with how far it was read, and never moves a
// read back.
func TestCatchupThreadsAreTheActiveConversations(t *testing.T) {
	ctx := context.Background()
	db := MustOpen(t, "")
	cat := flows.RACE()
	since := t0.Add(-coach.CatchupWindow)
	old := since.Add(-24 * time.Hour)

	fresh := planAt(t, db, "T1", "fresh", t0, "100.000001")
	planAt(t, db, "T1", "no thread", t0, "")
	planAt(t, db, "T1", "stale", old, "100.000002")
	answered := planAt(t, db, "T1", "answered", old, "100.000003")
	step(t, db, cat, answered, "We sell shoes", t0)
	asked := planAt(t, db, "T2", "asked", old, "100.000004")
	if err := db.RecordAsked(ctx, "T2", asked.ID, t0.UnixMicro(), fmt.Sprintf("%d.000000", t0.Unix()), "q"); err != nil {
		t.Fatal(err)
	}
	read := planAt(t, db, "T1", "read lately", old, "100.000005")
	if err := db.ReadThrough(ctx, "T1", "C1", "100.000005", t0.UnixMicro(), "1795424400.000000"); err != nil {
		t.Fatal(err)
	}

	checkin := func(plan *flows.Plan, opened time.Time, thread string, closed bool) int64 {
		t.Helper()
		id, err := db.CreateCheckin(ctx, plan.Team, flows.Checkin{Plan: plan.ID, Channel: "C1", OpenedAt: opened, NudgeAt: opened.Add(time.Hour), CloseAt: opened.Add(2 * time.Hour)})
		if err != nil {
			t.Fatal(err)
		}
		if thread != "" {
			if err := db.SetCheckinMessages(ctx, id, thread, thread+"1"); err != nil {
				t.Fatal(err)
			}
		}
		if closed {
			if _, ok, err := db.ClaimClose(ctx, opened.Add(3*time.Hour)); err != nil || !ok {
				t.Fatalf("close: %t %v", ok, err)
			}
		}
		return id
	}
	stale := planAt(t, db, "T1", "stale for check-ins", old, "")
	// Closed first: a close claims the first check-in due.
	checkin(stale, old, "200.000002", true)
	closedNew := checkin(stale, t0, "200.000003", true)
	openOld := checkin(stale, old, "200.000001", false)
	checkin(stale, t0, "", false)

	if err := db.ReadThrough(ctx, "T1", "C1", "100.000001", 200, "0.000200"); err != nil {
		t.Fatal(err)
	}
	// An overlapping catch-up that read less does not move the read back.
	if err := db.ReadThrough(ctx, "T1", "C1", "100.000001", 150, "0.000150"); err != nil {
		t.Fatal(err)
	}

	got, err := db.CatchupThreads(ctx, since)
	if err != nil {
		t.Fatal(err)
	}
	want := []coach.Thread{
		{Team: "T1", Channel: "C1", Thread: "100.000001", Plan: fresh.ID, Read: "0.000200"},
		{Team: "T1", Channel: "C1", Thread: "100.000003", Plan: answered.ID},
		{Team: "T2", Channel: "C1", Thread: "100.000004", Plan: asked.ID},
		{Team: "T1", Channel: "C1", Thread: "100.000005", Plan: read.ID, Read: "1795424400.000000"},
		{Team: "T1", Channel: "C1", Thread: "200.000003", Plan: stale.ID, Checkin: closedNew},
		{Team: "T1", Channel: "C1", Thread: "200.000001", Plan: stale.ID, Checkin: openOld},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("catch-up threads (-want +got):\n%s", diff)
	}
}

// TestMessageKeysOutliveDeliveryKeys: pruning forgets delivery keys at
// the first cut-off and message keys only at the second, so a catch-up
// days later still finds the messages recorded live.
func TestMessageKeysOutliveDeliveryKeys(t *testing.T) {
	ctx := context.Background()
	db := MustOpen(t, "")
	msg := coach.MessageKey("C1", "100.000001")
	for _, key := range []string{"Ev1", msg} {
		if err := db.MarkSeen(ctx, "T1", key); err != nil {
			t.Fatal(err)
		}
	}
	seen := func(key string) bool {
		t.Helper()
		ok, err := db.KeySeen(ctx, "T1", key)
		if err != nil {
			t.Fatal(err)
		}
		return ok
	}
	if !seen("Ev1") || !seen(msg) || seen("Ev2") {
		t.Fatalf("before pruning: Ev1 %t, %s %t, Ev2 %t", seen("Ev1"), msg, seen(msg), seen("Ev2"))
	}
	if ok, _ := db.KeySeen(ctx, "T2", msg); ok {
		t.Error("T2 sees T1's message key")
	}
	now := time.Now()
	if err := db.PruneSeen(ctx, now.Add(time.Minute), now.Add(-time.Minute)); err != nil {
		t.Fatal(err)
	}
	if seen("Ev1") || !seen(msg) {
		t.Errorf("after the first cut-off: Ev1 %t (want false), message key %t (want true)", seen("Ev1"), seen(msg))
	}
	if err := db.PruneSeen(ctx, now.Add(time.Minute), now.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	if seen(msg) {
		t.Error("the message key outlived its own cut-off")
	}
}

// TestMigrationReadsOldThreadsFromNow: the conversations of a database
// written before catch-ups existed were followed with the events' own
// keys, so a catch-up reads them from the upgrade on, not from their
// start, which would record their replies again.
func TestMigrationReadsOldThreadsFromNow(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "racebot.db")
	old, err := sql.Open("sqlite", "file:"+path+"?_pragma=foreign_keys(1)")
	if err != nil {
		t.Fatal(err)
	}
	exec := func(q string, args ...any) {
		t.Helper()
		if _, err := old.ExecContext(ctx, q, args...); err != nil {
			t.Fatalf("%.60s: %v", q, err)
		}
	}
	exec(`CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)`)
	files, err := filepath.Glob("migrations/*.sql")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		base := filepath.Base(f)
		n, _ := strconv.Atoi(strings.SplitN(base, "_", 2)[0])
		if n >= 12 {
			continue
		}
		body, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		exec(string(body))
		exec(`INSERT INTO schema_migrations VALUES (?, ?, 0)`, n, base)
	}
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
