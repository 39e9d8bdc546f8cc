package postgres_test

import (
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/jackc/pgx/v5"

	"github.com/racebot/racebot/flows"
	"github.com/racebot/racebot/install"
	"github.com/racebot/racebot/internal/pgtest"
	"github.com/racebot/racebot/internal/storetest"
	"github.com/racebot/racebot/storage"
	"github.com/racebot/racebot/storage/postgres"
)

// TestMigrationsMirrorSQLite: every SQLite migration has a PostgreSQL one
// of the same number and name, so a migration added to one store and not
// the other fails here, server or no server.
func TestMigrationsMirrorSQLite(t *testing.T) {
	names := func(dir string) []string {
		t.Helper()
		entries, err := os.ReadDir(dir)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, e := range entries {
			if strings.HasSuffix(e.Name(), ".sql") {
				out = append(out, e.Name())
			}
		}
		return out
	}
	lite, pg := names("../migrations"), names("migrations")
	if diff := cmp.Diff(lite, pg); diff != "" {
		t.Errorf("storage/migrations (-) and storage/postgres/migrations (+) differ; a migration of one store needs its counterpart in the other:\n%s", diff)
	}
}

// sqliteFile opens a new SQLite database through package storage, so its
// schema is current, and returns the store and a raw read handle on it.
func sqliteFile(t *testing.T) (*storage.DB, *sql.DB) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "racebot.db")
	db, err := storage.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	raw, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { raw.Close() })
	return db, raw
}

// TestSchemaMatchesSQLite: the two stores' migrations build the same
// tables with the same columns.
func TestSchemaMatchesSQLite(t *testing.T) {
	pg := mustOpen(t, pgtest.URL(t))
	_, raw := sqliteFile(t)
	sums, err := pg.Verify(context.Background(), raw)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range sums {
		if s.Rows != 0 {
			t.Errorf("%s: %d rows in new databases", s.Table, s.Rows)
		}
	}
}

func TestCopyFromSQLite(t *testing.T) {
	ctx := context.Background()
	url := pgtest.URL(t)
	pg := mustOpen(t, url)
	lite, raw := sqliteFile(t)
	filled := storetest.Fill(t, lite)
	// The newest plan deleted: its id is past those of the rows copied.
	typo, err := lite.CreatePlan(ctx, flows.NewPlan("T2", "C9", "Typo", "U1", storetest.T0), "")
	if err != nil {
		t.Fatal(err)
	}
	if err := lite.DeletePlan(ctx, "T2", typo, ""); err != nil {
		t.Fatal(err)
	}
	// The newest action removed: its id is past those of the rows copied.
	removed := addAction(t, lite, "T1", filled.Plans["T1"][0], "Typo action", "C1/typo")
	p, err := lite.Plan(ctx, "T1", filled.Plans["T1"][0])
	if err != nil {
		t.Fatal(err)
	}
	if err := lite.Commit(ctx, p, []flows.Change{flows.ActionRemoved{Source: "C1/typo"}}, ""); err != nil {
		t.Fatal(err)
	}

	// An installation whose removal's token check is pending: the check
	// moves with it, and is made by the racebots serving from PostgreSQL.
	in := install.Installation{TeamID: "T1", AppID: "A1", BotUserID: "UBOT", BotToken: "xoxb-1", InstalledAt: storetest.T0}
	if err := lite.SaveInstallation(ctx, in); err != nil {
		t.Fatal(err)
	}
	checkAt := storetest.T0.Add(time.Hour)
	for _, move := range [][2]time.Time{{{}, storetest.T0}, {storetest.T0, checkAt}} {
		if moved, err := lite.MoveUninstallCheck(ctx, in.Key(), in.InstalledAt, move[0], move[1]); err != nil || !moved {
			t.Fatal(moved, err)
		}
	}

	sums, err := pg.CopyFromSQLite(ctx, raw, false)
	if err != nil {
		t.Fatal(err)
	}
	due, err := pg.UninstallChecksDue(ctx, checkAt)
	if want := (install.Installation{TeamID: "T1", AppID: "A1", BotUserID: "UBOT", BotToken: "xoxb-1", InstalledAt: storetest.T0,
		UninstallCheckAt: checkAt, UninstallChecks: 1}); err != nil || len(due) != 1 || !cmp.Equal(due[0], want) {
		t.Errorf("uninstall checks due after the copy: %+v, %v; want %+v", due, err, want)
	}
	rows := map[string]int64{}
	for _, s := range sums {
		rows[s.Table] = s.Rows
		if len(s.Checksum) != 64 {
			t.Errorf("%s checksum %q", s.Table, s.Checksum)
		}
	}
	for table, min := range map[string]int64{"plans": 2, "answers": 7, "skips": 1, "actions": 2, "kpis": 2, "measurements": 3,
		"schedules": 1, "occurrences": 2, "checkins": 1, "offers": 1, "asked": 3, "seen_keys": 10, "deleted_threads": 1, "current_plans": 2,
		"thread_reads": 2, "action_updates": 2, "capability_ratings": 2, "capability_scores": 6, "capability_reminders": 1,
		"retros": 1, "retro_answers": 3, "retro_prompts": 3, "carried_answers": 1, "reminders": 1, "reminder_mutes": 1, "reminder_snoozes": 1,
		"plan_reviews": 1, "home_viewers": 1, "workflow_steps": 2} {
		if rows[table] < min {
			t.Errorf("%s: %d rows copied, want at least %d", table, rows[table], min)
		}
	}

	// What each store gives back is the same.
	for team, plans := range filled.Plans {
		for _, id := range plans {
			want, err := lite.Plan(ctx, team, id)
			if err != nil {
				t.Fatal(err)
			}
			got, err := pg.Plan(ctx, team, id)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(want, got, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("plan %d (-sqlite +postgres):\n%s", id, diff)
			}
			wv, err1 := lite.Measurements(ctx, team, id)
			gv, err2 := pg.Measurements(ctx, team, id)
			same(t, "values", wv, err1, gv, err2)
			wl, err1 := lite.Occurrences(ctx, team, id, 0)
			gl, err2 := pg.Occurrences(ctx, team, id, 0)
			same(t, "run log", wl, err1, gl, err2)
			wr, err1 := lite.Revisions(ctx, team, id, flows.QuestionBusiness)
			gr, err2 := pg.Revisions(ctx, team, id, flows.QuestionBusiness)
			same(t, "revisions", wr, err1, gr, err2)
		}
	}
	since := storetest.T0.Add(-365 * 24 * time.Hour)
	wt, err1 := lite.CatchupThreads(ctx, since)
	gt, err2 := pg.CatchupThreads(ctx, since)
	same(t, "catch-up threads", wt, err1, gt, err2)
	wc, err1 := lite.CapabilityHistory(ctx, "T1", "C1", 10)
	gc, err2 := pg.CapabilityHistory(ctx, "T1", "C1", 10)
	same(t, "capability history", wc, err1, gc, err2)
	wrt, _, err1 := lite.LatestRetro(ctx, "T1", filled.Plans["T1"][0])
	grt, _, err2 := pg.LatestRetro(ctx, "T1", filled.Plans["T1"][0])
	same(t, "retro", wrt, err1, grt, err2)
	wrq, err1 := lite.RetroPromptBefore(ctx, "T1", wrt.ID, 1700000200001100)
	grq, err2 := pg.RetroPromptBefore(ctx, "T1", wrt.ID, 1700000200001100)
	same(t, "retro prompt", wrq, err1, grq, err2)
	wo, err1 := lite.CheckinByOccurrence(ctx, "T1", filled.Plans["T1"][0], "2026-11-30T09:00")
	gob, err2 := pg.CheckinByOccurrence(ctx, "T1", filled.Plans["T1"][0], "2026-11-30T09:00")
	same(t, "check-in by occurrence", wo, err1, gob, err2)
	if ok, err := pg.ClaimCapabilityReminder(ctx, "T1", "C2", filled.Plans["T1"][0], "2026-Q4", "2026-12-07T09:00", storetest.T0.AddDate(0, -2, 0), storetest.T0); ok || err != nil {
		t.Errorf("a reminder claimed in SQLite is claimed again in PostgreSQL: %t, %v", ok, err)
	}
	wrv, _, err1 := lite.LatestReview(ctx, "T1", filled.Plans["T1"][0])
	grv, _, err2 := pg.LatestReview(ctx, "T1", filled.Plans["T1"][0])
	same(t, "latest review", wrv, err1, grv, err2)
	wrp, err1 := lite.RemindedPlans(ctx, "T1", "U2")
	grp, err2 := pg.RemindedPlans(ctx, "T1", "U2")
	same(t, "reminded plans", wrp, err1, grp, err2)
	wsn, err1 := lite.Snoozes(ctx, "T1", filled.Plans["T1"][0])
	gsn, err2 := pg.Snoozes(ctx, "T1", filled.Plans["T1"][0])
	same(t, "snoozes", wsn, err1, gsn, err2)
	wmu, err1 := lite.MutedReminders(ctx, "T1", filled.Plans["T1"][0])
	gmu, err2 := pg.MutedReminders(ctx, "T1", filled.Plans["T1"][0])
	same(t, "mutes", wmu, err1, gmu, err2)
	if len(wrp) != 1 || len(wsn) != 1 || len(wmu) != 1 {
		t.Errorf("Fill left reminded plans %v, snoozes %v, mutes %v; want one each", wrp, wsn, wmu)
	}
	wp, err1 := lite.PendingOccurrences(ctx)
	gp, err2 := pg.PendingOccurrences(ctx)
	same(t, "pending occurrences", wp, err1, gp, err2)
	if name, ok, err := pg.DeletedPlanName(ctx, "T1", "C1", filled.DeletedThread); !ok || err != nil || name != "Old plan" {
		t.Errorf("deleted thread: %q, %v, %v", name, ok, err)
	}
	if err := pg.MarkSeen(ctx, "T1", "EvValues"); !errors.Is(err, flows.ErrDuplicate) {
		t.Errorf("a delivery recorded in SQLite is new in PostgreSQL: %v", err)
	}

	// New rows are numbered after the copied ones.
	id, err := pg.CreatePlan(ctx, flows.NewPlan("T1", "C1", "After the move", "U1", filled0), "")
	if err != nil {
		t.Fatal(err)
	}
	if id <= filled.Plans["T2"][0] || id <= typo {
		t.Errorf("new plan id %d collides with copied ids or with %d, deleted in SQLite", id, typo)
	}
	if a := addAction(t, pg, "T1", filled.Plans["T1"][0], "After the move", "C1/after"); a <= removed {
		t.Errorf("new action id %d collides with %d, removed in SQLite", a, removed)
	}

	// A second copy is refused, and forced it replaces the target.
	if _, err := pg.CopyFromSQLite(ctx, raw, false); !errors.Is(err, postgres.ErrNotEmpty) {
		t.Fatalf("copy into a non-empty database: %v, want ErrNotEmpty", err)
	}
	if _, err := pg.Plan(ctx, "T1", id); err != nil {
		t.Errorf("a refused copy changed the target: %v", err)
	}
	again, err := pg.CopyFromSQLite(ctx, raw, true)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(sums, again); diff != "" {
		t.Errorf("forced copy sums differ from the first (-first +forced):\n%s", diff)
	}
	if _, err := pg.Plan(ctx, "T1", id); !errors.Is(err, flows.ErrNoPlan) {
		t.Errorf("a forced copy kept the target's own plan: %v", err)
	}

	// Verify finds a changed, a missing and an extra row.
	tamper := func(sql, want string) {
		t.Helper()
		conn, err := pgx.Connect(ctx, url)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close(ctx)
		tx, err := conn.Begin(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer tx.Rollback(ctx)
		if _, err := tx.Exec(ctx, sql); err != nil {
			t.Fatal(err)
		}
		if err := tx.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		_, err = pg.Verify(ctx, raw)
		if !errors.Is(err, postgres.ErrMismatch) || !strings.Contains(err.Error(), want) {
			t.Errorf("after %s: Verify = %v, want ErrMismatch naming %q", sql, err, want)
		}
	}
	if _, err := pg.Verify(ctx, raw); err != nil {
		t.Fatalf("verify the copy: %v", err)
	}
	tamper(`UPDATE measurements SET value = value + 0.000001 WHERE value IS NOT NULL AND kpi_id = (SELECT min(kpi_id) FROM measurements)`, "measurements row")
	if _, err := pg.CopyFromSQLite(ctx, raw, true); err != nil {
		t.Fatal(err)
	}
	tamper(`DELETE FROM skips`, "missing from PostgreSQL")
	if _, err := pg.CopyFromSQLite(ctx, raw, true); err != nil {
		t.Fatal(err)
	}
	tamper(`INSERT INTO seen_keys (team_id, key, seen_at) VALUES ('T9', 'extra', 1)`, "in PostgreSQL only")
}

var filled0 = storetest.T0

// same compares two stores' answers to one call.
func same(t *testing.T, what string, want any, wantErr error, got any, gotErr error) {
	t.Helper()
	if wantErr != nil || gotErr != nil {
		t.Fatalf("%s: sqlite %v, postgres %v", what, wantErr, gotErr)
	}
	if diff := cmp.Diff(want, got, cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("%s (-sqlite +postgres):\n%s", what, diff)
	}
}

// TestCopyRefusesDriftedSchema: a column one store has and the other has
// not stops the copy before it writes anything.
func TestCopyRefusesDriftedSchema(t *testing.T) {
	ctx := context.Background()
	pg := mustOpen(t, pgtest.URL(t))
	_, raw := sqliteFile(t)
	if _, err := raw.ExecContext(ctx, `ALTER TABLE plans ADD COLUMN drift TEXT NOT NULL DEFAULT ''`); err != nil {
		t.Fatal(err)
	}
	_, err := pg.CopyFromSQLite(ctx, raw, false)
	if !errors.Is(err, postgres.ErrSchemaMismatch) || !strings.Contains(err.Error(), "plans.drift is in SQLite only") {
		t.Errorf("copy with a column PostgreSQL lacks: %v", err)
	}
}

// addAction adds an action from source to a plan and returns its id.
func addAction(t *testing.T, db storetest.Store, team string, plan flows.PlanID, text, source string) int64 {
	t.Helper()
	ctx := context.Background()
	p, err := db.Plan(ctx, team, plan)
	if err != nil {
		t.Fatal(err)
	}
	add := flows.ActionAdded{Action: flows.Action{Number: p.NextActionNumber(), Stage: flows.StagePlan, Text: text, Impact: 3, Effort: 2, By: "U1", At: storetest.T0, Source: source}}
	if err := db.Commit(ctx, p, []flows.Change{add}, ""); err != nil {
		t.Fatal(err)
	}
	if p, err = db.Plan(ctx, team, plan); err != nil {
		t.Fatal(err)
	}
	for _, a := range p.Actions {
		if a.Source == source {
			return a.ID
		}
	}
	t.Fatalf("the action from %s was not stored", source)
	return 0
}
