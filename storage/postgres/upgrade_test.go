package postgres_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/racebot/racebot/coach"
	"github.com/racebot/racebot/flows"
	"github.com/racebot/racebot/internal/pgtest"
	"github.com/racebot/racebot/internal/storetest"
)

// TestUpgradeReadsOldThreadsFromNow: a database written before catch-ups
// existed (migrations up to 0010, as the first PostgreSQL racebots left
// it) followed its conversations with the events' own keys, so after the
// upgrade a catch-up reads them from the upgrade on, not from their start,
// which would record their replies again. Its plans and check-ins come
// through the later migrations intact.
func TestUpgradeReadsOldThreadsFromNow(t *testing.T) {
	ctx := context.Background()
	url := pgtest.URL(t)
	old, exec := olderDatabase(t, url, 11)
	now := time.Now()
	var q1, q2 flows.PlanID
	if err := old.QueryRow(ctx, `INSERT INTO plans (team_id, channel_id, name, name_key, created_by, created_at, thread)
		VALUES ('T1', 'C1', 'Q1', 'q1', 'U1', $1, '100.000001') RETURNING id`, now.UnixMilli()).Scan(&q1); err != nil {
		t.Fatal(err)
	}
	if err := old.QueryRow(ctx, `INSERT INTO plans (team_id, channel_id, name, name_key, created_by, created_at)
		VALUES ('T1', 'C1', 'Q2', 'q2', 'U1', $1) RETURNING id`, now.UnixMilli()).Scan(&q2); err != nil {
		t.Fatal(err)
	}
	exec(`INSERT INTO checkins (plan_id, channel_id, thread, opened_at, nudge_at, close_at) VALUES ($1, 'C1', '200.000001', $2, $2, $2)`,
		q2, now.UnixMilli())

	before := slackTS(now.Add(-time.Second))
	db := mustOpen(t, url)
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
	p, err := db.Plan(ctx, "T1", q1)
	if err != nil || p.Kind != "" || p.Thread != "100.000001" {
		t.Fatalf("the old plan after the upgrade: %+v, %v", p, err)
	}
	// Threads bound after the upgrade are read from their start.
	id, err := db.CreatePlan(ctx, flows.NewPlan("T1", "C1", "new", "U1", now), "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.BindThread(ctx, "T1", id, "300.000001"); err != nil {
		t.Fatal(err)
	}
	got, err = db.CatchupThreads(ctx, now.Add(-time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if i := slices.IndexFunc(got, func(th coach.Thread) bool { return th.Plan == id }); i < 0 || got[i].Read != "" {
		t.Errorf("a new thread: %+v", got)
	}
}

// olderDatabase makes the database at url as a racebot from before
// migration first left it: the migrations table as Open makes it, and
// every migration numbered below first, applied and recorded. It returns
// the connection, closed when the test ends, and an exec that fails the
// test on an error.
func olderDatabase(t *testing.T, url string, first int) (*pgx.Conn, func(q string, args ...any)) {
	t.Helper()
	ctx := context.Background()
	old, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { old.Close(ctx) })
	exec := func(q string, args ...any) {
		t.Helper()
		if _, err := old.Exec(ctx, q, args...); err != nil {
			t.Fatalf("%.60s: %v", q, err)
		}
	}
	exec(`CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)`)
	files, err := filepath.Glob("migrations/*.sql")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		base := filepath.Base(f)
		n, _ := strconv.Atoi(strings.SplitN(base, "_", 2)[0])
		if n >= first {
			continue
		}
		body, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		exec(string(body))
		exec(`INSERT INTO schema_migrations VALUES ($1, $2, 0)`, n, base)
	}
	return old, exec
}

// TestUpgradeNumbersActionsAsListed: actions kept before numbers were
// stored get the numbers the list showed them with, their place in their
// plan ordered by id, plans' ids interleaved; the next action added takes
// the number after.
func TestUpgradeNumbersActionsAsListed(t *testing.T) {
	url := pgtest.URL(t)
	_, exec := olderDatabase(t, url, 26)
	now := time.Now().UnixMilli()
	exec(`INSERT INTO plans (id, team_id, channel_id, name, name_key, created_by, created_at) VALUES
		(1, 'T1', 'C1', 'Q1', 'q1', 'U1', $1), (2, 'T1', 'C1', 'Q2', 'q2', 'U1', $1), (3, 'T1', 'C1', 'Q3', 'q3', 'U1', $1)`, now)
	exec(`INSERT INTO actions (id, plan_id, stage, text, impact, effort, created_by, created_at) VALUES
		(10, 1, 'plan', 'Gift boxes', 4, 2, 'U1', $1), (11, 2, 'plan', 'Other plan', 3, 3, 'U1', $1),
		(12, 1, 'plan', 'Webinar series', 3, 3, 'U1', $1), (14, 1, 'plan', 'Cart recovery emails', 5, 1, 'U1', $1)`, now)

	storetest.NumberedAsListed(t, mustOpen(t, url))
}

func slackTS(t time.Time) string {
	us := t.UnixMicro()
	return fmt.Sprintf("%d.%06d", us/1e6, us%1e6)
}

// TestUpgradePassesActionIDsRemindedOf: a database whose actions' ids
// were set by a copy from SQLite before 0027 (ids past the last action
// left, so the sequence stood at it) still has reminders about action 9,
// removed. The next action added after the upgrade takes an id past 9:
// Done and Snooze on those reminders must not reach it.
func TestUpgradePassesActionIDsRemindedOf(t *testing.T) {
	ctx := context.Background()
	url := pgtest.URL(t)
	_, exec := olderDatabase(t, url, 27)
	now := time.Now().UnixMilli()
	exec(`INSERT INTO plans (id, team_id, channel_id, name, name_key, created_by, created_at, last_action_number) VALUES
		(1, 'T1', 'C1', 'Q1', 'q1', 'U1', $1, 2)`, now)
	exec(`INSERT INTO actions (id, plan_id, number, stage, text, impact, effort, created_by, created_at) VALUES
		(8, 1, 1, 'plan', 'Gift boxes', 4, 2, 'U1', $1)`, now)
	exec(`SELECT setval(pg_get_serial_sequence('actions', 'id'), 8)`)
	exec(`INSERT INTO reminders (team_id, user_id, key, plan_id, claimed_at) VALUES
		('T1', 'U1', 'action:8:2027-01-04:due', 1, $1), ('T1', 'U1', 'action:9:2027-01-05:due', 1, $1),
		('T1', 'U1', 'action:9:overdue', 1, $1), ('T1', 'U1', 'checkin:40', 1, $1)`, now)

	db := mustOpen(t, url)
	p, err := db.Plan(ctx, "T1", 1)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Commit(ctx, p, []flows.Change{flows.ActionAdded{Action: flows.Action{Number: 2, Stage: flows.StagePlan, Text: "Gift cards", Impact: 3, Effort: 2, By: "U1", At: time.Now()}}}, ""); err != nil {
		t.Fatal(err)
	}
	if p, err = db.Plan(ctx, "T1", 1); err != nil || len(p.Actions) != 2 || p.Actions[1].ID != 10 {
		t.Errorf("the action added after the upgrade: %+v, %v; want id 10, past the reminded 9", p.Actions, err)
	}
}
