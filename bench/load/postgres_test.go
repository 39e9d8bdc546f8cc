package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"testing"
)

// testDatabaseURLEnv names the server the PostgreSQL tests run on; .ci/run
// starts one and exports it.
const testDatabaseURLEnv = "RACEBOT_TEST_DATABASE_URL"

func TestDatabaseURLComesFromTheFlagOrTheEnvironment(t *testing.T) {
	t.Setenv(databaseURLEnv, "")
	cfg, err := parseFlags(nil, io.Discard)
	if err != nil || cfg.databaseURL != "" {
		t.Errorf("no flag, no env: %q, %v; want SQLite", cfg.databaseURL, err)
	}
	t.Setenv(databaseURLEnv, "postgres://bench@db/env")
	if cfg, err = parseFlags(nil, io.Discard); err != nil || cfg.databaseURL != "postgres://bench@db/env" {
		t.Errorf("env only: %q, %v", cfg.databaseURL, err)
	}
	if cfg, err = parseFlags([]string{"--database-url", "postgresql://bench@db/flag"}, io.Discard); err != nil || cfg.databaseURL != "postgresql://bench@db/flag" {
		t.Errorf("flag and env: %q, %v; want the flag's", cfg.databaseURL, err)
	}
	for _, bad := range []string{"mysql://bench@db/x", "host=db dbname=x", "/tmp/racebot.db"} {
		if _, err := parseFlags([]string{"--database-url", bad}, io.Discard); !errors.Is(err, errUsage) {
			t.Errorf("--database-url %q: %v; want a usage error", bad, err)
		}
	}
}

// TestLoadOnPostgreSQL runs the answers scenario for a second at 200/s
// with racebot on PostgreSQL, and checks that every answer racebot
// acknowledged is in its database there and that each run's database is
// dropped afterwards.
func TestLoadOnPostgreSQL(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the racebot binary")
	}
	url := os.Getenv(testDatabaseURLEnv)
	if url == "" {
		t.Skip(testDatabaseURLEnv + " not set: racebot's load on PostgreSQL needs a server; `export " + testDatabaseURLEnv + "=$(.ci/postgres start /tmp/racebot-pg)` starts one")
	}
	var stderr bytes.Buffer
	cfg, err := parseFlags([]string{"--scenario", "answers", "--rates", "200", "--duration", "1s", "--database-url", url}, &stderr)
	if err != nil {
		t.Fatalf("%v: %s", err, stderr.String())
	}
	ctx := context.Background()
	var out bytes.Buffer
	b, err := newBencher(ctx, cfg, &out)
	if err != nil {
		t.Fatal(err)
	}
	defer b.close()
	results, err := b.runAll(ctx)
	if err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	var runs int
	for _, r := range results {
		if r.server != racebot {
			continue
		}
		runs++
		// The count comes from racebot's PostgreSQL database; had racebot
		// written elsewhere, that database would have no tables to count.
		if r.acked == 0 || r.stored != r.acked {
			t.Errorf("racebot run %d: %d answers acknowledged, %d stored on PostgreSQL; want the same, and some", r.n, r.acked, r.stored)
		}
		// A server on this machine (as .ci/postgres starts) does the
		// commits' work in its own processes; racebot's CPU a request
		// must include it, as the references' includes their SQLite.
		if b.pg.postmaster != 0 && r.dbCPU <= 0 {
			t.Errorf("racebot run %d: no CPU time measured for the PostgreSQL server (postmaster %d)", r.n, b.pg.postmaster)
		}
	}
	if runs != 2 {
		t.Errorf("%d racebot runs, want 2", runs)
	}
	if err := storedAll(results); err != nil {
		t.Error(err)
	}
	if b.pg.n != runs {
		t.Errorf("%d databases created for %d racebot runs", b.pg.n, runs)
	}
	left, err := b.pg.leftover(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(left) > 0 {
		t.Errorf("databases left on the server: %v", left)
	}
	if t.Failed() {
		t.Logf("output:\n%s", out.String())
	}
}
