package bot

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/racebot/racebot/install"
	"github.com/racebot/racebot/internal/slackfake"
	"github.com/racebot/racebot/metrics"
)

// TestOAuthUninstallSeenAheadCheckedAfterARestart: a removal whose event
// time reads as before the install is acknowledged, and Slack cannot say
// whether the token works. racebot is redeployed before it asks again.
// The racebot that starts asks Slack once the check is due and, the token
// refused, stops serving the workspace: the removal is not forgotten with
// the racebot that acknowledged it.
func TestOAuthUninstallSeenAheadCheckedAfterARestart(t *testing.T) {
	t.Parallel()
	e := newOAuthEnv(t, oauthOptions{})
	checks := removedAheadWhileSlackCannotSay(e, 1)
	e.fake.WaitFor(t, func() bool { return len(e.fake.Calls("auth.test")) == checks+1 }, "the token check after the ack")
	e.clk.Add(time.Minute)
	e.restart()
	e.settle()
	if e.bot.Serves(context.Background(), "TA") {
		t.Error("still serving TA after a restart, its token refused: the check Slack could not answer was dropped")
	}
	if n := len(e.fake.Calls("auth.test")) - checks; n != 2 {
		t.Errorf("%d token checks, want 2: one before the restart, one after", n)
	}
}

// TestOAuthReinstallDuringAnUninstallIsNotCountedAsOne: a workspace
// removes racebot and installs it again while the removal is handled (its
// installation read, not yet marked). The removal leaves the reinstall
// alone, and says so: no uninstall is counted, and the log says the
// workspace installed racebot again and nothing was removed, not that it
// was uninstalled.
func TestOAuthReinstallDuringAnUninstallIsNotCountedAsOne(t *testing.T) {
	t.Parallel()
	store := &reinstalledFirst{}
	m := metrics.New()
	logs := &logRecords{}
	e := newOAuthEnv(t, oauthOptions{metrics: m, logs: logs, wrap: func(s install.Store) install.Store {
		store.Store = s
		return store
	}})
	e.launchInTA()
	e.settle()
	e.fake.Revoke("TA")
	store.mu.Lock()
	store.then = func() {
		e.clk.Add(2 * time.Minute)
		e.install(slackfake.Workspace{TeamID: "TA"})
	}
	store.mu.Unlock()
	if status, _ := e.send(slackfake.EventBody(slackfake.AppUninstalled("TA", "", false))); status != http.StatusOK {
		t.Fatalf("app_uninstalled answered %d", status)
	}
	e.settle()
	if !e.bot.Serves(context.Background(), "TA") {
		t.Fatal("the removal handled across the reinstall stopped racebot in TA")
	}
	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	if line := `racebot_installs_total{outcome="uninstalled"}`; strings.Contains(rec.Body.String(), line) {
		t.Errorf("a removal that left the reinstall alone was counted: %s", metricLine(rec.Body.String(), line))
	}
	if got := logs.matching("workspace uninstalled; no longer served, its data kept for the retention"); len(got) != 0 {
		t.Errorf("a removal that left the reinstall alone was logged as an uninstall: %v", got)
	}
	if got := logs.matching(reinstalledMeanwhile); len(got) != 1 || attr(got[0], "team").String() != "TA" {
		t.Errorf("logged %v, want one line for TA: %q", got, reinstalledMeanwhile)
	}
}

// removedAheadWhileSlackCannotSay installs TA ten seconds by racebot's
// clock after the removal's event time, revokes its token and sends the
// removal while Slack fails the next n token checks (not for the token);
// it returns the token checks made before.
func removedAheadWhileSlackCannotSay(e *oauthEnv, n int) int {
	e.t.Helper()
	removal := slackfake.EventBody(slackfake.AppUninstalled("TA", "", false))
	e.clk.Add(10 * time.Second)
	e.launchInTA()
	e.settle()
	e.fake.Revoke("TA")
	checks := len(e.fake.Calls("auth.test"))
	e.fake.RefuseNext("auth.test", n, "fatal_error")
	if status, _ := e.send(removal); status != http.StatusOK {
		e.t.Fatalf("app_uninstalled answered %d", status)
	}
	return checks
}

// TestOAuthUninstallCheckSealedWithAnotherKeyIsSaidOnce: a removal's
// check is pending for an installation whose tokens were sealed with
// another racebot's key (or a key rotated since). A racebot with this key
// cannot make the check, and says so once, not every minute for as long
// as it runs; it leaves the check alone, so the racebot whose key opens
// the tokens still makes it when due.
func TestOAuthUninstallCheckSealedWithAnotherKeyIsSaidOnce(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	right, wrong := make([]byte, 32), make([]byte, 32)
	for i := range right {
		right[i], wrong[i] = byte(i), byte(i+1)
	}
	e := newOAuthEnv(t, oauthOptions{key: right})
	checks := removedAheadWhileSlackCannotSay(e, 1)
	e.fake.WaitFor(t, func() bool { return len(e.fake.Calls("auth.test")) == checks+1 }, "the token check after the ack")
	e.settle()
	// A second installation, TB, with a check due: each is said once.
	e.install(slackfake.Workspace{TeamID: "TB"})
	tb, err := e.db.FindInstallation(ctx, "", "TB")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.db.MoveUninstallCheck(ctx, tb.Key(), tb.InstalledAt, time.Time{}, e.clk.Now()); err != nil {
		t.Fatal(err)
	}

	// The racebot with another key, ticking for an hour.
	logs := &logRecords{}
	sealedWith := func(key []byte) install.Store {
		s, err := install.Sealed(e.db, key)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	e.opts.logs, e.store = logs, sealedWith(wrong)
	e.restart()
	for range 60 {
		e.clk.Add(time.Minute)
		e.bot.uninstallCheckTick(ctx)
	}
	var errs []string
	logs.mu.Lock()
	for _, r := range logs.records {
		if r.Level >= slog.LevelError {
			errs = append(errs, r.Message+": "+attr(r, "err").String())
		}
	}
	logs.mu.Unlock()
	if len(errs) != 2 {
		t.Errorf("%d ERROR lines in an hour for the two installations whose tokens do not open with this key, want 2, one each; the first: %q", len(errs), errs[:min(len(errs), 2)])
	}
	if n := len(e.fake.Calls("auth.test")) - checks; n != 1 {
		t.Errorf("%d token checks, want only the first: the racebot with another key has no token to ask with", n)
	}

	// The racebot whose key opens the tokens still makes the check.
	e.opts.logs, e.store = nil, sealedWith(right)
	e.restart()
	e.bot.uninstallCheckTick(ctx)
	e.settle()
	if n := len(e.fake.Calls("auth.test")) - checks; n != 3 {
		t.Errorf("%d token checks, want 3: the racebot with the right key did not make both checks", n)
	}
	if e.bot.Serves(ctx, "TA") {
		t.Error("still serving TA, its token refused: the check was lost to the racebot with another key")
	}
	if !e.bot.Serves(ctx, "TB") {
		t.Error("TB not served, its token working")
	}
}
