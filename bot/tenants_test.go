package bot

import (
	"context"
	"errors"
	"github.com/racebot/racebot/flows"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/racebot/racebot/install"
	"github.com/racebot/racebot/internal/slackfake"
	"github.com/racebot/racebot/metrics"
)

// TestOAuthUninstallDeliveredAgainLeavesTheOrgInstall: in an Enterprise
// Grid organisation that has racebot installed org-wide (serving TB), the
// workspace TA has an installation of its own. Slack delivers TA's
// app_uninstalled twice (a retry, or tokens_revoked and app_uninstalled
// both): only TA stops being served; TB, served by the organisation's
// install, keeps its racebot.
func TestOAuthUninstallDeliveredAgainLeavesTheOrgInstall(t *testing.T) {
	t.Parallel()
	e := newOAuthEnv(t, oauthOptions{})
	ctx := context.Background()
	e.install(slackfake.Workspace{EnterpriseID: "E1", EnterpriseInstall: true})
	e.install(slackfake.Workspace{TeamID: "TA", EnterpriseID: "E1"})
	e.command(slackfake.SlashCommand{Text: "new Launch", TeamID: "TB", EnterpriseID: "E1", EnterpriseInstall: true, ChannelID: "CB1", UserID: "UB"})
	e.header("CB1", "Launch")
	e.settle()

	body := slackfake.EventBody(slackfake.AppUninstalled("TA", "E1", false))
	for range 2 {
		if status, _ := e.send(body); status != http.StatusOK {
			t.Fatalf("app_uninstalled answered %d", status)
		}
	}
	if e.bot.Serves(ctx, "TA") {
		t.Error("TA is still served after its uninstall")
	}
	if !e.bot.Serves(ctx, "TB") {
		t.Error("TA's uninstall, delivered again, stopped racebot in TB, which the organisation's install serves")
	}
	_, out := e.command(slackfake.SlashCommand{Text: "status", TeamID: "TB", EnterpriseID: "E1", EnterpriseInstall: true, ChannelID: "CB1", UserID: "UB"})
	if !strings.Contains(out, "Launch") {
		t.Errorf("status in TB after TA's uninstall: %q", out)
	}
}

// TestCatchupOfOneWorkspaceRateLimitedGoesOnWithTheOthers: Slack limits
// conversations.replies per workspace. When it keeps refusing the first
// workspace's thread, the catch-up still reads back the second
// workspace's thread: what its team wrote while racebot was away is
// recorded.
func TestCatchupOfOneWorkspaceRateLimitedGoesOnWithTheOthers(t *testing.T) {
	t.Parallel()
	h := newHarness(t, func(c *setup) {
		c.RetryWait = func(ctx context.Context, d time.Duration) bool { return ctx.Err() == nil }
		c.BeforeStart = func(b *Bot) {
			fastCatchup(b)
			b.catchupPacer.hold = func(ctx context.Context, d time.Duration) error { return ctx.Err() }
		}
	})
	h.runSocket()
	one, _ := h.newPlanInSlack("Q1")
	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.SlashCommand{Command: "/race", Text: "new Other", UserID: "UBO", ChannelID: "C2", TeamID: "T2"}))
	two := h.header("C2", "Other")
	h.threadMessage("C2", two.TS, "What does the business sell")
	h.fake.WaitFor(t, func() bool { return h.plan("T2", "C2", "Other").Thread != "" }, "T2's plan bound to its thread")
	h.settle()

	reconnect := h.outage()
	h.fake.AddMessage(slackfake.Message{Channel: "C1", ThreadTS: one.TS, User: "UANA", Text: "We sell coffee."})
	h.fake.AddMessage(slackfake.Message{Channel: "C2", ThreadTS: two.TS, User: "UBO", Text: "We sell bikes."})
	calls := len(h.fake.Calls("conversations.replies"))
	// T1's thread is read first (its plan is older); Slack refuses it
	// for as long as the catch-up keeps asking.
	h.fake.RateLimitNext("conversations.replies", 30, time.Second)
	reconnect()
	h.waitCatchup(h.bot, calls)
	var seen []string
	for _, c := range h.fake.Calls("conversations.replies")[calls:] {
		seen = append(seen, c.Get("channel")+":"+strconv.Itoa(c.Status))
	}
	t.Logf("conversations.replies after the outage: %v", seen)
	if got := h.plan("T2", "C2", "Other").Answers[flows.QuestionBusiness].Text; got != "We sell bikes." {
		t.Errorf("T2's answer written during the outage = %q, want it read back although T1's thread was rate limited", got)
	}
}

// TestOAuthUninstallDeliveredAfterAReinstallLeavesIt: a workspace removes
// racebot and installs it again at once; Slack delivers the removal's
// app_uninstalled again afterwards (its first delivery was not
// acknowledged in time). The reinstall stands: racebot still serves the
// workspace, and its data is not purged after the retention.
func TestOAuthUninstallDeliveredAfterAReinstallLeavesIt(t *testing.T) {
	t.Parallel()
	e := newOAuthEnv(t, oauthOptions{})
	ctx := context.Background()
	plan := e.launchInTA()
	e.settle()

	removal := slackfake.EventBody(slackfake.AppUninstalled("TA", "", false))
	if status, _ := e.send(removal); status != http.StatusOK {
		t.Fatalf("app_uninstalled answered %d", status)
	}
	e.fake.Revoke("TA")
	e.clk.Add(2 * time.Minute)
	e.install(slackfake.Workspace{TeamID: "TA"})
	e.clk.Add(time.Minute)
	if status, _ := e.send(removal); status != http.StatusOK {
		t.Fatalf("app_uninstalled delivered again answered %d", status)
	}
	if !e.bot.Serves(ctx, "TA") {
		t.Error("the removal delivered again after the reinstall stopped racebot in TA")
	}
	_, out := e.command(slackfake.SlashCommand{Text: "status", TeamID: "TA", ChannelID: "CA1", UserID: "UA"})
	if !strings.Contains(out, "Launch") {
		t.Errorf("status after the reinstall: %q", out)
	}
	e.clk.Add(defaultRetention + time.Hour)
	if err := e.bot.purgeUninstalled(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := e.db.Plan(ctx, "TA", plan); err != nil {
		t.Errorf("the reinstalled workspace's plan was purged: %v", err)
	}
}

// reinstalledFirst runs then, once armed, before the next marking of an
// uninstall goes through: the workspace installs racebot again between
// the removal's read of its installation and its mark.
type reinstalledFirst struct {
	install.Store
	mu   sync.Mutex
	then func()
}

func (s *reinstalledFirst) MarkUninstalled(ctx context.Context, k install.Key, installedAt, at time.Time) (bool, error) {
	if then := takeOnce(&s.mu, &s.then); then != nil {
		then()
	}
	return s.Store.MarkUninstalled(ctx, k, installedAt, at)
}

// TestOAuthReinstallDuringAnUninstallStands: a workspace removes racebot;
// while the removal is handled (its installation read, not yet marked),
// the workspace installs racebot again. The mark is for the installation
// the removal read, so the reinstall stands: racebot still serves the
// workspace, and its data is not purged after the retention.
func TestOAuthReinstallDuringAnUninstallStands(t *testing.T) {
	t.Parallel()
	store := &reinstalledFirst{}
	e := newOAuthEnv(t, oauthOptions{wrap: func(s install.Store) install.Store {
		store.Store = s
		return store
	}})
	ctx := context.Background()
	plan := e.launchInTA()
	e.settle()

	removal := slackfake.EventBody(slackfake.AppUninstalled("TA", "", false))
	e.fake.Revoke("TA")
	store.mu.Lock()
	store.then = func() {
		e.clk.Add(2 * time.Minute)
		e.install(slackfake.Workspace{TeamID: "TA"})
	}
	store.mu.Unlock()
	if status, _ := e.send(removal); status != http.StatusOK {
		t.Fatalf("app_uninstalled answered %d", status)
	}
	if !e.bot.Serves(ctx, "TA") {
		t.Error("the removal handled across the reinstall stopped racebot in TA")
	}
	e.clk.Add(defaultRetention + time.Hour)
	if err := e.bot.purgeUninstalled(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := e.db.Plan(ctx, "TA", plan); err != nil {
		t.Errorf("the reinstalled workspace's plan was purged: %v", err)
	}
}

// TestOAuthUninstallSeenAheadOfItsInstallIsTaken: racebot's clock runs
// ten seconds ahead of Slack's. A workspace installs racebot and removes
// it at once: the removal's event time reads as before the install. Its
// token no longer works, so the removal is taken all the same: racebot
// stops serving the workspace.
func TestOAuthUninstallSeenAheadOfItsInstallIsTaken(t *testing.T) {
	t.Parallel()
	e := newOAuthEnv(t, oauthOptions{})
	removal := slackfake.EventBody(slackfake.AppUninstalled("TA", "", false))
	e.clk.Add(10 * time.Second)
	e.launchInTA()
	e.settle()
	e.fake.Revoke("TA")
	if status, _ := e.send(removal); status != http.StatusOK {
		t.Fatalf("app_uninstalled answered %d", status)
	}
	e.settle()
	if e.bot.Serves(context.Background(), "TA") {
		t.Error("still serving TA after its removal, its token refused")
	}
}

// TestOAuthUninstallSeenAheadOfItsInstallIsTakenWithRotation: as
// TestOAuthUninstallSeenAheadOfItsInstallIsTaken, with token rotation,
// the removal handled when the bot token is due for renewal: the refresh
// token is refused along with the bot token, and that refusal is Slack's
// answer too. The removal is taken, not failed on every delivery.
func TestOAuthUninstallSeenAheadOfItsInstallIsTakenWithRotation(t *testing.T) {
	t.Parallel()
	e := newOAuthEnv(t, oauthOptions{rotation: true})
	ctx := context.Background()
	removal := e.removedAheadWhileDue()
	if status, _ := e.send(removal); status != http.StatusOK {
		t.Fatalf("app_uninstalled answered %d", status)
	}
	e.settle()
	if _, err := e.db.FindInstallation(ctx, "", "TA"); !errors.Is(err, install.ErrNotInstalled) {
		t.Errorf("TA's installation after its removal, its tokens refused: %v, want it uninstalled", err)
	}
}

// takenMeanwhile, once armed, marks the installation it finds as
// uninstalled just after handing it out: another replica takes the same
// removal while this one handles it.
type takenMeanwhile struct {
	install.Store
	mu    sync.Mutex
	armed bool
}

func (s *takenMeanwhile) FindInstallation(ctx context.Context, enterprise, team string) (install.Installation, error) {
	in, err := s.Store.FindInstallation(ctx, enterprise, team)
	s.mu.Lock()
	armed := s.armed
	s.armed = false
	s.mu.Unlock()
	if armed && err == nil {
		_, err = s.Store.MarkUninstalled(ctx, in.Key(), in.InstalledAt, in.InstalledAt.Add(time.Second))
	}
	return in, err
}

// TestOAuthUninstallSeenAheadTakenByAnotherReplicaMeanwhile: with token
// rotation, a removal whose event time reads as before the install is
// handled by two replicas; the other one marks the installation while
// this one renews its token to ask Slack. This one finds it taken: the
// event is acknowledged, not delivered again.
func TestOAuthUninstallSeenAheadTakenByAnotherReplicaMeanwhile(t *testing.T) {
	t.Parallel()
	store := &takenMeanwhile{}
	e := newOAuthEnv(t, oauthOptions{rotation: true, wrap: func(s install.Store) install.Store {
		store.Store = s
		return store
	}})
	ctx := context.Background()
	removal := e.removedAheadWhileDue()
	store.mu.Lock()
	store.armed = true
	store.mu.Unlock()
	if status, _ := e.send(removal); status != http.StatusOK {
		t.Fatalf("app_uninstalled answered %d", status)
	}
	e.settle()
	if e.bot.Serves(ctx, "TA") {
		t.Error("still serving TA after its removal")
	}
}

// removedAheadWhileDue installs racebot in TA with racebot's clock ten
// seconds ahead of Slack's (the event's), and revokes it at Slack when
// its rotating token is due for renewal; it returns the removal's event,
// which reads as sent before the install.
func (e *oauthEnv) removedAheadWhileDue() []byte {
	e.t.Helper()
	removal := slackfake.EventBody(slackfake.AppUninstalled("TA", "", false))
	e.clk.Add(10 * time.Second)
	e.launchInTA()
	e.settle()
	in, err := e.db.FindInstallation(context.Background(), "", "TA")
	if err != nil {
		e.t.Fatal(err)
	}
	e.clk.Add(in.ExpiresAt.Sub(e.clk.Now()) - refreshAhead + time.Minute)
	e.fake.Revoke("TA")
	return removal
}

// reinstalledAfterListing runs then, once armed, after the next listing of
// installations uninstalled past their retention: the workspace installs
// racebot again between the purge's listing and its purge.
type reinstalledAfterListing struct {
	install.Store
	mu   sync.Mutex
	then func()
}

func (s *reinstalledAfterListing) UninstalledBefore(ctx context.Context, t time.Time) ([]install.Installation, error) {
	ins, err := s.Store.UninstalledBefore(ctx, t)
	if then := takeOnce(&s.mu, &s.then); then != nil {
		then()
	}
	return ins, err
}

// TestOAuthPurgeOfAWorkspaceReinstalledMeanwhileIsNotCounted: a workspace
// removed racebot longer than the retention ago is listed for purging and
// installs racebot again before its purge. Its data stays, and the purge
// that left it alone is neither counted nor logged as one.
func TestOAuthPurgeOfAWorkspaceReinstalledMeanwhileIsNotCounted(t *testing.T) {
	t.Parallel()
	store := &reinstalledAfterListing{}
	m := metrics.New()
	e := newOAuthEnv(t, oauthOptions{metrics: m, wrap: func(s install.Store) install.Store {
		store.Store = s
		return store
	}})
	ctx := context.Background()
	plan := e.launchInTA()
	e.settle()
	if status, _ := e.send(slackfake.EventBody(slackfake.AppUninstalled("TA", "", false))); status != http.StatusOK {
		t.Fatalf("app_uninstalled answered %d", status)
	}
	e.fake.Revoke("TA")
	e.clk.Add(defaultRetention + time.Hour)
	store.mu.Lock()
	store.then = func() { e.install(slackfake.Workspace{TeamID: "TA"}) }
	store.mu.Unlock()
	if err := e.bot.purgeUninstalled(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := e.db.Plan(ctx, "TA", plan); err != nil {
		t.Errorf("the reinstalled workspace's plan was purged: %v", err)
	}
	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	if line := `racebot_installs_total{outcome="purged"}`; strings.Contains(rec.Body.String(), line) {
		t.Errorf("a purge that left the reinstalled workspace alone was counted: %s", metricLine(rec.Body.String(), line))
	}
}

// metricLine is the line of a metrics page that starts with prefix.
func metricLine(page, prefix string) string {
	for _, l := range strings.Split(page, "\n") {
		if strings.HasPrefix(l, prefix) {
			return l
		}
	}
	return ""
}

// TestOAuthUninstallSeenAheadIsAckedWhileSlackIsSlow: a removal whose
// event time reads as before the install is checked with Slack
// (auth.test), and Slack is slow to answer. The event is acknowledged at
// once all the same, not after Slack answers or the ack window runs out
// (Slack would deliver it again, or give up on it); the check is done
// after the ack, once: a removed installation's token refused, racebot
// stops serving the workspace; a working one (a removal from before a
// reinstall), it keeps serving it.
func TestOAuthUninstallSeenAheadIsAckedWhileSlackIsSlow(t *testing.T) {
	t.Parallel()
	for _, revoked := range []bool{true, false} {
		t.Run(map[bool]string{true: "token refused", false: "token working"}[revoked], func(t *testing.T) {
			t.Parallel()
			e := newOAuthEnv(t, oauthOptions{})
			ctx := context.Background()
			removal := slackfake.EventBody(slackfake.AppUninstalled("TA", "", false))
			e.clk.Add(10 * time.Second)
			e.launchInTA()
			e.settle()
			if revoked {
				e.fake.Revoke("TA")
			}
			checks := len(e.fake.Calls("auth.test"))
			release := e.fake.Hold("auth.test")
			t.Cleanup(release)

			// Answered while Slack still holds auth.test: the ack does not
			// wait for it.
			if status, _ := e.send(removal); status != http.StatusOK {
				t.Fatalf("app_uninstalled answered %d while Slack held auth.test", status)
			}
			e.fake.WaitFor(t, func() bool { return e.fake.InFlight("auth.test") == 1 }, "the token check under way after the ack")
			release()
			e.settle()
			if served := e.bot.Serves(ctx, "TA"); served == revoked {
				t.Errorf("TA served = %v after the check, its token refused = %v", served, revoked)
			}
			if n := len(e.fake.Calls("auth.test")) - checks; n != 1 {
				t.Errorf("%d token checks for the one removal, want 1", n)
			}
		})
	}
}

// TestOAuthUninstallSeenAheadCheckedAgainWhileSlackCannotSay: a removal
// whose event time reads as before the install is acknowledged at once,
// and Slack cannot say whether the token works (auth.test fails, not
// for the token). Slack does not deliver an acknowledged event again, so
// racebot asks again itself: a minute later, then five, then fifteen,
// then hourly for as long as Slack cannot say, so that a removed
// installation is not served on for good. It stops asking once Slack
// says, when the workspace installed racebot again meanwhile, or when
// another delivery or replica took the removal meanwhile.
func TestOAuthUninstallSeenAheadCheckedAgainWhileSlackCannotSay(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	// checkedAfter moves racebot's clock by wait, a second short first,
	// running the checks due each time: Slack is asked again once, when
	// the wait is over.
	checkedAfter := func(t *testing.T, e *oauthEnv, wait time.Duration) {
		t.Helper()
		checks := len(e.fake.Calls("auth.test"))
		e.clk.Add(wait - time.Second)
		e.bot.uninstallCheckTick(ctx)
		if n := len(e.fake.Calls("auth.test")) - checks; n != 0 {
			t.Fatalf("%d token checks %v after the last, want none before %v", n, wait-time.Second, wait)
		}
		e.clk.Add(time.Second)
		e.bot.uninstallCheckTick(ctx)
		if n := len(e.fake.Calls("auth.test")) - checks; n != 1 {
			t.Fatalf("%d token checks %v after the last, want 1", n, wait)
		}
	}

	t.Run("taken on a later try", func(t *testing.T) {
		t.Parallel()
		e := newOAuthEnv(t, oauthOptions{})
		removedAheadWhileSlackCannotSay(e, 2)
		e.settle()
		checkedAfter(t, e, time.Minute)
		if !e.bot.Serves(ctx, "TA") {
			t.Fatal("TA not served while Slack could not say whether its token works")
		}
		checkedAfter(t, e, 5*time.Minute)
		if e.bot.Serves(ctx, "TA") {
			t.Error("still serving TA, its token refused on the third check")
		}
	})

	t.Run("asked hourly while Slack cannot say", func(t *testing.T) {
		t.Parallel()
		waits := []time.Duration{time.Minute, 5 * time.Minute, 15 * time.Minute, time.Hour, time.Hour, time.Hour}
		e := newOAuthEnv(t, oauthOptions{})
		// Slack cannot say on the first check and after each wait but
		// the last.
		removedAheadWhileSlackCannotSay(e, len(waits))
		e.settle()
		for _, wait := range waits {
			if !e.bot.Serves(ctx, "TA") {
				t.Fatal("TA not served while Slack could not say whether its token works")
			}
			checkedAfter(t, e, wait)
		}
		if e.bot.Serves(ctx, "TA") {
			t.Error("still serving TA, its token refused once Slack could say")
		}
	})

	// While racebot waits to check again, the installation changes; the
	// next look at it ends the checks before asking Slack.
	for _, tc := range []struct {
		name      string
		meanwhile func(t *testing.T, e *oauthEnv)
		served    bool
		why       string
	}{
		{"installed again meanwhile", func(t *testing.T, e *oauthEnv) {
			e.clk.Add(time.Minute)
			e.install(slackfake.Workspace{TeamID: "TA"})
		}, true, "the reinstall is not what the removal removed"},
		{"taken meanwhile by another replica", func(t *testing.T, e *oauthEnv) {
			in, err := e.db.FindInstallation(ctx, "", "TA")
			if err != nil {
				t.Fatal(err)
			}
			if _, err := e.db.MarkUninstalled(ctx, in.Key(), in.InstalledAt, e.clk.Now()); err != nil {
				t.Fatal(err)
			}
		}, false, "the removal was taken already"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newOAuthEnv(t, oauthOptions{})
			removedAheadWhileSlackCannotSay(e, 1)
			e.settle()
			tc.meanwhile(t, e)
			checks := len(e.fake.Calls("auth.test"))
			for _, wait := range []time.Duration{time.Minute, 5 * time.Minute, time.Hour} {
				e.clk.Add(wait)
				e.bot.uninstallCheckTick(ctx)
			}
			if served := e.bot.Serves(ctx, "TA"); served != tc.served {
				t.Errorf("TA served = %v, want %v: %s", served, tc.served, tc.why)
			}
			if n := len(e.fake.Calls("auth.test")) - checks; n != 0 {
				t.Errorf("%d token checks after the first, want none: %s", n, tc.why)
			}
		})
	}
}
