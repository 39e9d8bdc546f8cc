package storage_test

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"
	"time"
)

// holdWriteLock takes the database's write lock from a connection of its
// own, as another process (a second racebot, an sqlite3 shell left in a
// transaction) would, and returns the function that lets go of it.
func holdWriteLock(t *testing.T, path string) (release func()) {
	t.Helper()
	ctx := context.Background()
	other, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	conn, err := other.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := conn.ExecContext(ctx, "BEGIN IMMEDIATE"); err != nil {
		t.Fatalf("take the write lock: %v", err)
	}
	released := false
	release = func() {
		if released {
			return
		}
		released = true
		if _, err := conn.ExecContext(ctx, "ROLLBACK"); err != nil {
			t.Errorf("release the write lock: %v", err)
		}
		conn.Close()
		other.Close()
	}
	t.Cleanup(release)
	return release
}

// TestPingWriteNeedsTheWriteLock: while another connection holds the write
// lock, reads still answer but the write probe fails within its deadline;
// once the lock is free the probe succeeds again without reopening.
func TestPingWriteNeedsTheWriteLock(t *testing.T) {
	path := filepath.Join(t.TempDir(), "racebot.db")
	db := MustOpen(t, path)
	ctx := context.Background()
	if err := db.PingWrite(ctx); err != nil {
		t.Fatalf("probe on a healthy database: %v", err)
	}

	release := holdWriteLock(t, path)
	probe, cancel := context.WithTimeout(ctx, 300*time.Millisecond)
	defer cancel()
	if err := db.PingWrite(probe); err == nil {
		t.Fatal("write probe succeeded while another connection held the write lock")
	}
	if err := db.Ping(ctx); err != nil {
		t.Errorf("reads should still answer under a held write lock: %v", err)
	}

	release()
	if err := db.PingWrite(ctx); err != nil {
		t.Fatalf("probe after the lock was released: %v", err)
	}
	// A second probe rewrites the same row rather than adding one.
	if err := db.PingWrite(ctx); err != nil {
		t.Fatalf("second probe: %v", err)
	}
}
