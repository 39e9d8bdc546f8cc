// Package pgtest gives tests a PostgreSQL database of their own on the
// server named by RACEBOT_TEST_DATABASE_URL (.ci/postgres starts one), and
// skips them when it is not set.
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// Env names the variable that points the tests at a server.
const Env = "RACEBOT_TEST_DATABASE_URL"

// URL returns the URL of an empty database for tb: a schema of its own on
// the test server, dropped when tb ends. Every connection made with the
// URL works in that schema (search_path), so tests in parallel never see
// each other's rows, and the server needs no database created per test.
// It skips tb when Env is not set.
func URL(tb testing.TB) string {
	tb.Helper()
	base := os.Getenv(Env)
	if base == "" {
		tb.Skip(Env + " not set: the PostgreSQL tests need a server; `export " + Env + "=$(.ci/postgres start /tmp/racebot-pg)` starts one")
	}
	var b [6]byte
	rand.Read(b[:])
	schema := "t_" + hex.EncodeToString(b[:])
	exec(tb, base, `CREATE SCHEMA `+schema)
	tb.Cleanup(func() { exec(tb, base, `DROP SCHEMA `+schema+` CASCADE`) })
	return WithSchema(tb, base, schema)
}

// WithSchema returns base with its search_path set to schema.
func WithSchema(tb testing.TB, base, schema string) string {
	tb.Helper()
	if !strings.Contains(base, "://") {
		return base + " search_path=" + schema // a keyword/value connection string
	}
	u, err := url.Parse(base)
	if err != nil {
		tb.Fatalf("%s is not a URL: %v", Env, err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

func exec(tb testing.TB, dsn, sql string) {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		tb.Fatalf("connect to the test server: %v", err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, sql); err != nil {
		tb.Fatalf("%s: %v", sql, err)
	}
}
