package postgres_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// named gives every connection made with dsn an application_name of its
// own and returns both. The tests that order writers by making them wait
// behind a held row count their own waiters by it: the server is shared
// with other packages' tests, run by go test at the same moment, whose
// lock waits a count over the whole database would take for this test's.
func named(t *testing.T, dsn string) (string, string) {
	t.Helper()
	var b [6]byte
	rand.Read(b[:])
	name := "racebot_test_" + hex.EncodeToString(b[:])
	if !strings.Contains(dsn, "://") {
		return dsn + " application_name=" + name, name
	}
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("application_name", name)
	u.RawQuery = q.Encode()
	return u.String(), name
}

// waitBehind returns once n connections named app wait for a lock, and
// fails t if ctx ends first.
func waitBehind(t *testing.T, ctx context.Context, watcher *pgx.Conn, app string, n int, what string) {
	t.Helper()
	for {
		var got int
		if err := watcher.QueryRow(ctx, `SELECT count(*) FROM pg_stat_activity WHERE application_name = $1 AND wait_event_type = 'Lock'`, app).Scan(&got); err != nil {
			t.Fatal(err)
		}
		if got >= n {
			return
		}
		select {
		case <-ctx.Done():
			t.Fatalf("%d %s waiting, want %d", got, what, n)
		case <-time.After(5 * time.Millisecond):
		}
	}
}

// holdRows opens two connections to url: on the first, a transaction
// holding the rows query locks, which the caller commits to let its
// waiters go (it is rolled back at cleanup otherwise); the second is left
// for waitBehind to watch with.
func holdRows(t *testing.T, ctx context.Context, url, query string, args ...any) (hold pgx.Tx, watcher *pgx.Conn) {
	t.Helper()
	connect := func() *pgx.Conn {
		c, err := pgx.Connect(ctx, url)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close(context.Background()) })
		return c
	}
	holder, watcher := connect(), connect()
	hold, err := holder.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { hold.Rollback(context.Background()) })
	if _, err := hold.Exec(ctx, query, args...); err != nil {
		t.Fatal(err)
	}
	return hold, watcher
}
