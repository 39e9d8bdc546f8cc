package storage

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/racebot/racebot/flows"
	"github.com/racebot/racebot/internal/fulldisk"
)

// TestBackupOfLiveDatabase backs up while another goroutine keeps writing
// answers: the copy opens, passes integrity_check and holds the plan with
// an unbroken run of answer revisions, the database as of one moment.
func TestBackupOfLiveDatabase(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dir := t.TempDir()
	db, err := Open(ctx, fresh.Path(t))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	p := flows.NewPlan("T1", "C1", "Live", "UANA", time.Now())
	if p.ID, err = db.CreatePlan(ctx, p, ""); err != nil {
		t.Fatal(err)
	}
	q := flows.RACE().Stages[0].Steps()[0].ID
	commit := func(rev int) error {
		a := flows.Answer{QuestionID: q, Text: fmt.Sprintf("revision %d", rev), By: "UANA", At: time.Now(), Revision: rev}
		if err := db.Commit(ctx, p, []flows.Change{flows.AnswerRecorded{Answer: a}}, fmt.Sprintf("Ev%d", rev)); err != nil {
			return err
		}
		p.Version++
		return nil
	}
	const before = 50
	for rev := 1; rev <= before; rev++ {
		if err := commit(rev); err != nil {
			t.Fatal(err)
		}
	}

	stop := make(chan struct{})
	var (
		wg       sync.WaitGroup
		written  = before
		writeErr error
	)
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			select {
			case <-stop:
				return
			default:
			}
			if err := commit(written + 1); err != nil {
				writeErr = err
				return
			}
			written++
		}
	}()
	backup := filepath.Join(dir, "backup.db")
	err = db.Backup(ctx, backup)
	close(stop)
	wg.Wait()
	if err != nil {
		t.Fatal(err)
	}
	if writeErr != nil {
		t.Fatalf("writing during the backup: %v", writeErr)
	}

	cp, err := Open(ctx, backup)
	if err != nil {
		t.Fatal(err)
	}
	defer cp.Close()
	var check string
	if err := cp.read.QueryRowContext(ctx, `PRAGMA integrity_check`).Scan(&check); err != nil || check != "ok" {
		t.Fatalf("integrity_check of the copy = %q, %v", check, err)
	}
	got, err := cp.PlanByName(ctx, "T1", "C1", "Live")
	if err != nil {
		t.Fatal(err)
	}
	revs, err := cp.Revisions(ctx, "T1", got.ID, q)
	if err != nil {
		t.Fatal(err)
	}
	if len(revs) < before || len(revs) > written {
		t.Fatalf("copy has %d revisions; %d were written before the backup and %d by its end", len(revs), before, written)
	}
	for i, a := range revs {
		if want := fmt.Sprintf("revision %d", i+1); a.Revision != i+1 || a.Text != want {
			t.Fatalf("copy revision %d = %d %q, want an unbroken run", i+1, a.Revision, a.Text)
		}
	}
	if got.Version != int64(len(revs)) {
		t.Errorf("copy's plan version %d does not match its %d revisions: not one moment", got.Version, len(revs))
	}
	t.Logf("%d answers before the backup, %d by its end, %d in the copy", before, written, len(revs))
}

func TestBackupRefusesToOverwrite(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dir := t.TempDir()
	db, err := Open(ctx, fresh.Path(t))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	existing := filepath.Join(dir, "existing.db")
	if err := os.WriteFile(existing, []byte("an earlier backup"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, path string
		want       error
	}{
		{"existing file", existing, ErrBackupExists},
		{"existing folder", dir, ErrBackupExists},
		{"missing folder", filepath.Join(dir, "nope", "b.db"), nil},
		{"no name", "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := db.Backup(ctx, tt.path)
			if err == nil {
				t.Fatal("backup succeeded, want an error")
			}
			if tt.want != nil && !errors.Is(err, tt.want) {
				t.Errorf("err = %v, want %v", err, tt.want)
			}
		})
	}
	if b, _ := os.ReadFile(existing); string(b) != "an earlier backup" {
		t.Errorf("the existing file was changed: %q", b)
	}
}

// TestBackupThatFailsLeavesNoFile: a backup that cannot finish (here the
// disk it writes to fills up; an interrupted one goes the same way) leaves
// no file under the backup's name, which would look like a backup and
// refuse the next backup to that name, and nothing of its own beside it.
func TestBackupThatFailsLeavesNoFile(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db, err := Open(ctx, fresh.Path(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	p := flows.NewPlan("T1", "C1", "Big", "UANA", time.Now())
	if p.ID, err = db.CreatePlan(ctx, p, ""); err != nil {
		t.Fatal(err)
	}
	q := flows.RACE().Stages[0].Steps()[0].ID
	long := strings.Repeat("We roast coffee and sell subscriptions online. ", 4000) // about 190 KB
	for rev := 1; rev <= 8; rev++ {
		a := flows.Answer{QuestionID: q, Text: fmt.Sprintf("%d %s", rev, long), By: "UANA", At: time.Now(), Revision: rev}
		if err := db.Commit(ctx, p, []flows.Change{flows.AnswerRecorded{Answer: a}}, ""); err != nil {
			t.Fatal(err)
		}
		p.Version++
	}

	dir := fulldisk.Mount(t, "512k")
	target := filepath.Join(dir, "copy.db")
	if err := db.Backup(ctx, target); err == nil {
		t.Fatal("a backup onto a disk too small for it succeeded")
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		t.Errorf("a failed backup left %s behind", e.Name())
	}
}

// TestBackupKeepsTheDatabaseMode: the copy is readable by whoever may read
// the live database (an operator's backup agent, a restore run as another
// user), as a copy SQLite creates itself was before backups went through a
// temporary file; a private temporary file's 0600 must not become the
// backup's.
func TestBackupKeepsTheDatabaseMode(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dir := t.TempDir()
	live := filepath.Join(dir, "live.db")
	db, err := Open(ctx, live)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := os.Chmod(live, 0o640); err != nil {
		t.Fatal(err)
	}
	target := filepath.Join(dir, "copy.db")
	if err := db.Backup(ctx, target); err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(target)
	if err != nil {
		t.Fatal(err)
	}
	if got := st.Mode().Perm(); got != 0o640 {
		t.Errorf("backup mode = %v, want the live database's -rw-r-----", st.Mode().Perm())
	}
}
