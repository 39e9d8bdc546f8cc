package storage_test

import (
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/racebot/racebot/internal/fulldisk"
	"github.com/racebot/racebot/internal/testdb"
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
	t.Parallel()
	path := testdb.Path(t)
	db := MustOpen(t, path)
	ctx := context.Background()
	if err := db.PingWrite(ctx); err != nil {
		t.Fatalf("probe on a healthy database: %v", err)
	}

	release := holdWriteLock(t, path)
	probe, cancel := context.WithTimeout(ctx, 300*time.Millisecond)
	defer cancel()
	// The probe reports when its own deadline passes, not after the
	// writer's busy timeout: a readiness check must answer in time.
	if err := db.PingWrite(probe); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("write probe while another connection held the write lock = %v, want its deadline exceeded", err)
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

// TestPingWriteFailsOnAFullDiskAndRecovers fills a real file system (a
// small tmpfs) under the database: the write probe fails while no byte is
// left and succeeds again once the room comes back, without reopening.
//
// The disk is filled after a checkpoint has restarted the WAL, the state a
// long-running racebot is usually in: commits then overwrite frames the
// WAL file already has, so a one-row commit alone would still succeed on
// the full disk. The probe must claim new space to notice.
func TestPingWriteFailsOnAFullDiskAndRecovers(t *testing.T) {
	t.Parallel()
	dir := fulldisk.Mount(t, "4m")
	path := filepath.Join(dir, "racebot.db")
	db := MustOpen(t, path)
	ctx := context.Background()
	newPlan(t, db, "T1", "C1", "Before")
	if err := db.PingWrite(ctx); err != nil {
		t.Fatalf("probe on a disk with room: %v", err)
	}
	checkpoint(t, path)
	// The first commit after the checkpoint restarts the WAL at its start.
	if err := db.PingWrite(ctx); err != nil {
		t.Fatalf("probe after a checkpoint: %v", err)
	}

	free := fulldisk.Fill(t, dir)
	if err := commitOnce(ctx, path); err == nil {
		t.Log("a one-row commit still succeeds on the full disk (WAL frames reused)")
	} else {
		t.Logf("a one-row commit fails on the full disk too: %v", err)
	}
	for range 2 {
		if err := db.PingWrite(ctx); err == nil {
			t.Fatal("write probe succeeded on a full disk")
		}
	}
	if err := db.Ping(ctx); err != nil {
		t.Errorf("reads should still answer on a full disk: %v", err)
	}

	free()
	if err := db.PingWrite(ctx); err != nil {
		t.Fatalf("probe once the room came back: %v", err)
	}
	newPlan(t, db, "T1", "C1", "After")
	if leftovers, _ := filepath.Glob(path + "-probe-*"); len(leftovers) != 0 {
		t.Errorf("the probe left files behind: %v", leftovers)
	}
}

// checkpoint copies the WAL into the database from a connection of its
// own, as SQLite's automatic checkpoints do every thousand pages.
func checkpoint(t *testing.T, path string) {
	t.Helper()
	other, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	var busy, logged, done int
	if err := other.QueryRow("PRAGMA wal_checkpoint(PASSIVE)").Scan(&busy, &logged, &done); err != nil {
		t.Fatal(err)
	}
	if busy != 0 || logged != done {
		t.Fatalf("checkpoint copied %d of %d frames (busy %d)", done, logged, busy)
	}
}

// commitOnce makes the one-row commit the probe used to be, from a
// connection of its own.
func commitOnce(ctx context.Context, path string) error {
	other, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(5000)")
	if err != nil {
		return err
	}
	defer other.Close()
	_, err = other.ExecContext(ctx, `UPDATE health SET probed_at = probed_at + 1 WHERE id = 1`)
	return err
}
