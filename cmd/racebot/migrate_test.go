package main

import (
	"bytes"
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/racebot/racebot/flows"
	"github.com/racebot/racebot/internal/pgtest"
	"github.com/racebot/racebot/internal/storetest"
	"github.com/racebot/racebot/storage"
	"github.com/racebot/racebot/storage/postgres"
	"github.com/racebot/racebot/terminal"
)

// exports renders every plan Fill left as Markdown, the way `racebot
// export` does, at one fixed moment.
func exports(t *testing.T, db interface {
	Plan(context.Context, string, flows.PlanID) (*flows.Plan, error)
	Measurements(context.Context, string, flows.PlanID) (map[int64][]flows.Measurement, error)
}, filled storetest.Filled) map[flows.PlanID]string {
	t.Helper()
	ctx := context.Background()
	now := time.Date(2027, 1, 4, 12, 0, 0, 0, time.UTC)
	out := map[flows.PlanID]string{}
	for team, ids := range filled.Plans {
		for _, id := range ids {
			p, err := db.Plan(ctx, team, id)
			if err != nil {
				t.Fatal(err)
			}
			ms, err := db.Measurements(ctx, team, id)
			if err != nil {
				t.Fatal(err)
			}
			out[id] = flows.ExportMarkdown(flows.RACE(), p, ms, time.UTC, now, flows.People{Text: terminal.MarkdownUserText})
		}
	}
	return out
}

// TestMigrateToPostgres copies a SQLite database with revisions,
// co-answers, KPIs, values and schedules into PostgreSQL with `racebot
// migrate`, and every plan exports the same from both; a second migrate
// is refused, and forced it replaces the copy.
func TestMigrateToPostgres(t *testing.T) {
	url := pgtest.URL(t)
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "racebot.db")
	lite, err := storage.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	filled := storetest.Fill(t, lite)
	want := exports(t, lite, filled)
	lite.Close()
	for _, must := range []string{"And carrot cake", "Revenue", "1,500.25", "Ask for reviews"} {
		if !strings.Contains(want[filled.Plans["T1"][0]], must) {
			t.Fatalf("the SQLite export lacks %q, so comparing exports proves little:\n%s", must, want[filled.Plans["T1"][0]])
		}
	}

	migrate := func(args ...string) (string, string, error) {
		var stdout, stderr bytes.Buffer
		err := run(ctx, append([]string{"migrate"}, args...), func(string) string { return "" }, strings.NewReader(""), &stdout, &stderr)
		return stdout.String(), stderr.String(), err
	}
	out, errOut, err := migrate("--to", url, "--db", path)
	if err != nil {
		t.Fatalf("migrate: %v\n%s", err, errOut)
	}
	if !strings.Contains(out, "every table matches row for row") || !strings.Contains(out, "answers") {
		t.Errorf("migrate said:\n%s", out)
	}
	if strings.Contains(out, "password") || strings.Contains(out, "?host") {
		t.Errorf("migrate printed the URL as given:\n%s", out)
	}

	pg, err := postgres.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer pg.Close()
	got := exports(t, pg, filled)
	for id, md := range want {
		if got[id] != md {
			t.Errorf("plan %d exports differently from PostgreSQL:\n--- sqlite\n%s\n--- postgres\n%s", id, md, got[id])
		}
	}

	// The target holds the team's data now: a second migrate is refused
	// and changes nothing; forced, it replaces the target's contents.
	if _, err := pg.CreatePlan(ctx, flows.NewPlan("T1", "C1", "Made after the move", "U1", time.Now()), ""); err != nil {
		t.Fatal(err)
	}
	_, _, err = migrate("--to", url, "--db", path)
	if err == nil || !strings.Contains(err.Error(), "--force") || exitCode(err) != 1 {
		t.Fatalf("migrate into a database with data: %v, want a refusal naming --force", err)
	}
	if _, err := pg.PlanByName(ctx, "T1", "C1", "Made after the move"); err != nil {
		t.Errorf("a refused migrate changed the target: %v", err)
	}
	if _, errOut, err := migrate("--db", path, "--force", "--to", url); err != nil {
		t.Fatalf("migrate --force: %v\n%s", err, errOut)
	}
	if _, err := pg.PlanByName(ctx, "T1", "C1", "Made after the move"); !errors.Is(err, flows.ErrNoPlan) {
		t.Errorf("migrate --force kept the target's own plan: %v", err)
	}
	if got := exports(t, pg, filled); got[filled.Plans["T1"][0]] != want[filled.Plans["T1"][0]] {
		t.Error("the forced copy exports differently")
	}
}

func TestMigrateUsage(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	tests := []struct {
		name string
		args []string
		env  map[string]string
		want string // in the error or on stderr
	}{
		{"no target", []string{"migrate", "--db", filepath.Join(dir, "x.db")}, nil, "name the PostgreSQL database"},
		{"no file", []string{"migrate", "--to", "postgres://u@127.0.0.1:1/racebot", "--db", filepath.Join(dir, "missing.db")}, nil, "there is no database at"},
		{"bad URL", []string{"serve"}, map[string]string{"RACEBOT_DATABASE_URL": "mysql://x", "SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s"}, "must be a postgres:// URL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			err := run(ctx, tt.args, func(k string) string { return tt.env[k] }, strings.NewReader(""), &stdout, &stderr)
			if err == nil {
				t.Fatal("no error")
			}
			if msg := err.Error() + stderr.String(); !strings.Contains(msg, tt.want) {
				t.Errorf("got %q, want it to say %q", msg, tt.want)
			}
		})
	}
}
