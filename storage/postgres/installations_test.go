package postgres_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/racebot/racebot/flows"
	"github.com/racebot/racebot/install"
	"github.com/racebot/racebot/internal/pgtest"
	"github.com/racebot/racebot/storage/postgres"
)

// purgeBound bounds every wait on the server in the purge tests: a bound,
// not a timing claim.
const purgeBound = 30 * time.Second

// TestPurgeLeavesAReinstallAlone: a workspace installed again while its
// purge runs keeps its new installation, whichever of the two reaches the
// installation's row first. SQLite's single writer keeps them apart;
// PostgreSQL lets them overlap. Each order is forced by a transaction the
// test holds, and the wait it causes is read from the server's locks.
func TestPurgeLeavesAReinstallAlone(t *testing.T) {
	pgtest.URL(t) // skips early, with the reason, when there is no server

	t.Run("ReinstallFirst", func(t *testing.T) {
		w := uninstalledWorkspace(t)
		ctx := w.ctx
		reinstall := begin(t, w.url)
		// The lock SaveInstallation's upsert takes on the row of a
		// workspace installed again, held until the test commits.
		if _, err := reinstall.tx.Exec(ctx, `UPDATE installations SET installed_at = $1, uninstalled_at = 0
			WHERE enterprise_id = $2 AND team_id = $3 AND enterprise_install = $4`,
			w.again.InstalledAt.UnixMilli(), w.in.EnterpriseID, w.in.TeamID, w.in.EnterpriseInstall); err != nil {
			t.Fatal(err)
		}
		purge := start(func() error { _, err := w.db.PurgeInstallation(ctx, w.in.Key(), w.again.InstalledAt); return err })
		if _, ok := w.waiterOn(t, reinstall.pid, purge); !ok {
			t.Fatalf("the purge ended (%v) without waiting for the reinstall that holds the installation", purge.err)
		}
		if err := reinstall.tx.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		if err := purge.wait(t); err != nil {
			t.Fatalf("purge: %v", err)
		}
		w.installedAgain(t)
		if _, err := w.db.Plan(ctx, w.in.TeamID, w.plan); err != nil {
			t.Errorf("the workspace installed again lost its plan: %v", err)
		}
	})

	t.Run("PurgeFirst", func(t *testing.T) {
		w := uninstalledWorkspace(t)
		ctx := w.ctx
		if err := w.db.MarkSeen(ctx, w.in.TeamID, "k1"); err != nil {
			t.Fatal(err)
		}
		// Stalls the purge at its first delete, once it has read the
		// installation.
		stall := begin(t, w.url)
		if _, err := stall.tx.Exec(ctx, `SELECT 1 FROM seen_keys WHERE team_id = $1 FOR UPDATE`, w.in.TeamID); err != nil {
			t.Fatal(err)
		}
		purge := start(func() error { _, err := w.db.PurgeInstallation(ctx, w.in.Key(), w.again.InstalledAt); return err })
		purger, ok := w.waiterOn(t, stall.pid, purge)
		if !ok {
			t.Fatalf("the purge ended (%v) without reaching the workspace's keys", purge.err)
		}
		save := start(func() error { return w.db.SaveInstallation(ctx, w.again) })
		if _, ok := w.waiterOn(t, purger, save); !ok {
			t.Errorf("the reinstall ended (%v) while the purge was under way: the purge did not hold the installation", save.err)
		}
		if err := stall.tx.Rollback(ctx); err != nil {
			t.Fatal(err)
		}
		if err := purge.wait(t); err != nil {
			t.Fatalf("purge: %v", err)
		}
		if err := save.wait(t); err != nil {
			t.Fatalf("reinstall: %v", err)
		}
		w.installedAgain(t)
		if _, err := w.db.Plan(ctx, w.in.TeamID, w.plan); !errors.Is(err, flows.ErrNoPlan) {
			t.Errorf("plan purged before the reinstall: %v, want ErrNoPlan", err)
		}
	})
}

// workspace is a workspace that was uninstalled with a plan of its own,
// and the installation that installs it again.
type workspace struct {
	ctx       context.Context
	db        *postgres.DB
	url       string
	monitor   *pgx.Conn
	in, again install.Installation
	plan      flows.PlanID
}

func uninstalledWorkspace(t *testing.T) *workspace {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), purgeBound)
	t.Cleanup(cancel)
	url := pgtest.URL(t)
	w := &workspace{ctx: ctx, db: mustOpen(t, url), url: url, monitor: connect(t, url)}
	at := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	w.in = install.Installation{TeamID: "T1", AppID: "A1", BotUserID: "UBOT", Scopes: "chat:write", InstalledBy: "U1",
		BotToken: "xoxb-1", InstalledAt: at}
	w.again = w.in
	w.again.BotToken, w.again.InstalledAt = "xoxb-2", at.Add(48*time.Hour)
	if err := w.db.SaveInstallation(ctx, w.in); err != nil {
		t.Fatal(err)
	}
	id, err := w.db.CreatePlan(ctx, flows.NewPlan("T1", "C1", "Launch", "U1", at), "")
	if err != nil {
		t.Fatal(err)
	}
	w.plan = id
	if _, err := w.db.MarkUninstalled(ctx, w.in.Key(), w.in.InstalledAt, at.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	return w
}

// installedAgain checks that the workspace is served by its reinstall.
func (w *workspace) installedAgain(t *testing.T) {
	t.Helper()
	got, err := w.db.FindInstallation(w.ctx, "", w.in.TeamID)
	if err != nil {
		t.Errorf("the reinstall did not survive the purge: %v", err)
	} else if !got.InstalledAt.Equal(w.again.InstalledAt) {
		t.Errorf("installation installed at %v, want the reinstall at %v", got.InstalledAt, w.again.InstalledAt)
	}
}

// waiterOn waits until a server process waits for a lock the process pid
// holds, and returns the waiter's pid; or reports false once op ends
// without that. It asks on a connection of its own, outside any
// transaction, as the server keeps pg_stat_activity still within one.
func (w *workspace) waiterOn(t *testing.T, pid uint32, op *async) (uint32, bool) {
	t.Helper()
	for {
		var waiter uint32
		err := w.monitor.QueryRow(w.ctx, `SELECT pid FROM pg_stat_activity WHERE $1 = ANY (pg_blocking_pids(pid))`, pid).Scan(&waiter)
		if err == nil {
			return waiter, true
		}
		if !errors.Is(err, pgx.ErrNoRows) {
			t.Fatalf("waiting on process %d: %v", pid, err)
		}
		select {
		case <-op.done:
			return 0, false
		case <-time.After(5 * time.Millisecond):
		}
	}
}

// held is a transaction on a connection of its own, rolled back (if the
// test has not ended it) when the test ends.
type held struct {
	tx  pgx.Tx
	pid uint32
}

func begin(t *testing.T, url string) held {
	t.Helper()
	conn := connect(t, url)
	tx, err := conn.Begin(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { tx.Rollback(context.Background()) })
	return held{tx: tx, pid: conn.PgConn().PID()}
}

func connect(t *testing.T, url string) *pgx.Conn {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), purgeBound)
	defer cancel()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	return conn
}

// async is a store call running in a goroutine of its own.
type async struct {
	done chan struct{}
	err  error
}

func start(fn func() error) *async {
	a := &async{done: make(chan struct{})}
	go func() {
		defer close(a.done)
		a.err = fn()
	}()
	return a
}

func (a *async) wait(t *testing.T) error {
	t.Helper()
	select {
	case <-a.done:
		return a.err
	case <-time.After(purgeBound):
		t.Fatal("a store call did not end")
		return nil
	}
}

// TestOrgPurgeLeavesAWorkspaceInstalledMidPurge: an organisation's
// org-wide installation, uninstalled past its retention, is purged while
// one of its workspaces installs racebot on its own. That installation
// is another row than the one the purge reads, so locking that row keeps
// nothing apart: were the workspace's installation to commit after the
// purge found the workspace unserved, what its people then write would
// go with the purge. It must wait for the purge, or be seen by it.
func TestOrgPurgeLeavesAWorkspaceInstalledMidPurge(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), purgeBound)
	defer cancel()
	url := pgtest.URL(t)
	w := &workspace{ctx: ctx, db: mustOpen(t, url), url: url, monitor: connect(t, url)}
	at := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	org := install.Installation{EnterpriseID: "E1", EnterpriseInstall: true, AppID: "A1", BotUserID: "UBOT", Scopes: "chat:write",
		InstalledBy: "U1", BotToken: "xoxb-1", InstalledAt: at}
	own := install.Installation{EnterpriseID: "E1", TeamID: "T1", AppID: "A1", BotUserID: "UBOT", Scopes: "chat:write",
		InstalledBy: "U1", BotToken: "xoxb-2", InstalledAt: at.Add(48 * time.Hour)}
	if err := w.db.SaveInstallation(ctx, org); err != nil {
		t.Fatal(err)
	}
	if err := w.db.NoteWorkspace(ctx, "E1", "T1"); err != nil {
		t.Fatal(err)
	}
	if err := w.db.MarkSeen(ctx, "T1", "k1"); err != nil {
		t.Fatal(err)
	}
	if _, err := w.db.MarkUninstalled(ctx, org.Key(), org.InstalledAt, at.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	// Stalls the purge at its first delete, once it has found T1 served
	// by nothing.
	stall := begin(t, url)
	if _, err := stall.tx.Exec(ctx, `SELECT 1 FROM seen_keys WHERE team_id = 'T1' FOR UPDATE`); err != nil {
		t.Fatal(err)
	}
	purge := start(func() error { _, err := w.db.PurgeInstallation(ctx, org.Key(), own.InstalledAt); return err })
	purger, ok := w.waiterOn(t, stall.pid, purge)
	if !ok {
		t.Fatalf("the purge ended (%v) without reaching the workspace's keys", purge.err)
	}
	save := start(func() error { return w.db.SaveInstallation(ctx, own) })
	var written flows.PlanID
	if _, ok := w.waiterOn(t, purger, save); !ok {
		if save.err != nil {
			t.Fatalf("reinstall: %v", save.err)
		}
		// Installed mid-purge: someone starts a plan at once.
		id, err := w.db.CreatePlan(ctx, flows.NewPlan("T1", "C1", "After", "U1", own.InstalledAt), "")
		if err != nil {
			t.Fatal(err)
		}
		written = id
	}
	if err := stall.tx.Rollback(ctx); err != nil {
		t.Fatal(err)
	}
	if err := purge.wait(t); err != nil {
		t.Fatalf("purge: %v", err)
	}
	if err := save.wait(t); err != nil {
		t.Fatalf("reinstall: %v", err)
	}
	if written == 0 {
		id, err := w.db.CreatePlan(ctx, flows.NewPlan("T1", "C1", "After", "U1", own.InstalledAt), "")
		if err != nil {
			t.Fatal(err)
		}
		written = id
	}
	if got, err := w.db.FindInstallation(ctx, "", "T1"); err != nil || got.EnterpriseInstall {
		t.Errorf("T1's installation after the purge: %+v %v, want its own", got, err)
	}
	if _, err := w.db.Plan(ctx, "T1", written); err != nil {
		t.Errorf("a plan started once T1 was installed again was lost to the purge: %v", err)
	}
}
