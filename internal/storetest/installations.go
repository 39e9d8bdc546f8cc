package storetest

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/racebot/racebot/coach"
	"github.com/racebot/racebot/flows"
	"github.com/racebot/racebot/install"
)

func installation(team, token string) install.Installation {
	return install.Installation{
		TeamID: team, AppID: "A1", BotUserID: "UBOT" + team, Scopes: "chat:write,commands", InstalledBy: "U1",
		BotToken: token, RefreshToken: "xoxe-" + token, ExpiresAt: t0.Add(12 * time.Hour), InstalledAt: t0,
	}
}

// testInstallations: an installation is found by its workspace and comes
// back as saved; a reinstall replaces it; another workspace finds nothing.
func testInstallations(t *testing.T, open Open) {
	db, another := open(t)
	ctx := ctxFor(t)
	if _, err := db.FindInstallation(ctx, "", "T1"); !errors.Is(err, install.ErrNotInstalled) {
		t.Fatalf("before any install: %v, want ErrNotInstalled", err)
	}
	in := installation("T1", "xoxb-1")
	if err := db.SaveInstallation(ctx, in); err != nil {
		t.Fatal(err)
	}
	got, err := another().FindInstallation(ctx, "", "T1")
	if err != nil || !cmp.Equal(got, in) {
		t.Fatalf("found %+v %v, want %+v", got, err, in)
	}
	if _, err := db.FindInstallation(ctx, "", "T2"); !errors.Is(err, install.ErrNotInstalled) {
		t.Errorf("T2: %v, want ErrNotInstalled", err)
	}
	// A token that does not expire has no expiry.
	forever := installation("T2", "xoxb-2")
	forever.RefreshToken, forever.ExpiresAt = "", time.Time{}
	if err := db.SaveInstallation(ctx, forever); err != nil {
		t.Fatal(err)
	}
	if got, err := db.FindInstallation(ctx, "", "T2"); err != nil || !cmp.Equal(got, forever) {
		t.Errorf("T2 found %+v %v", got, err)
	}
	// Reinstalling replaces the tokens and serves the workspace again.
	if marked, err := db.MarkUninstalled(ctx, in.Key(), in.InstalledAt, t0.Add(time.Hour)); err != nil || !marked {
		t.Fatal(marked, err)
	}
	if _, err := db.FindInstallation(ctx, "", "T1"); !errors.Is(err, install.ErrNotInstalled) {
		t.Errorf("uninstalled T1: %v, want ErrNotInstalled", err)
	}
	if got, err := db.Installation(ctx, in.Key()); err != nil || !got.UninstalledAt.Equal(t0.Add(time.Hour)) {
		t.Errorf("uninstalled row: %+v %v", got, err)
	}
	again := installation("T1", "xoxb-3")
	again.InstalledAt = t0.Add(2 * time.Hour)
	if err := db.SaveInstallation(ctx, again); err != nil {
		t.Fatal(err)
	}
	if got, err := db.FindInstallation(ctx, "", "T1"); err != nil || !cmp.Equal(got, again) {
		t.Errorf("reinstalled: %+v %v, want %+v", got, err, again)
	}
	// A removal of the installation before the reinstall, marked late,
	// leaves the reinstall serving, and says it marked nothing.
	if marked, err := db.MarkUninstalled(ctx, in.Key(), in.InstalledAt, t0.Add(3*time.Hour)); err != nil || marked {
		t.Errorf("late mark of the installation before the reinstall: marked %t, %v; want left alone", marked, err)
	}
	if got, err := db.FindInstallation(ctx, "", "T1"); err != nil || !cmp.Equal(got, again) {
		t.Errorf("reinstall after a late mark of the one before: %+v %v, want %+v", got, err, again)
	}
}

// testEnterpriseInstallations: an org-wide install serves every workspace
// of its organisation, named with the request's enterprise id or, for
// background work, through the workspace noted in it; a workspace's own
// installation comes first.
func testEnterpriseInstallations(t *testing.T, open Open) {
	db, _ := open(t)
	ctx := ctxFor(t)
	org := install.Installation{EnterpriseID: "E1", EnterpriseInstall: true, AppID: "A1", BotUserID: "UORG", BotToken: "xoxb-org", InstalledAt: t0}
	if err := db.SaveInstallation(ctx, org); err != nil {
		t.Fatal(err)
	}
	if got, err := db.FindInstallation(ctx, "E1", "T7"); err != nil || !cmp.Equal(got, org) {
		t.Errorf("T7 in E1: %+v %v", got, err)
	}
	if _, err := db.FindInstallation(ctx, "", "T7"); !errors.Is(err, install.ErrNotInstalled) {
		t.Errorf("T7 before it was noted: %v, want ErrNotInstalled", err)
	}
	if err := db.NoteWorkspace(ctx, "E1", "T7"); err != nil {
		t.Fatal(err)
	}
	if got, err := db.FindInstallation(ctx, "", "T7"); err != nil || got.BotToken != "xoxb-org" {
		t.Errorf("noted T7: %+v %v", got, err)
	}
	if _, err := db.FindInstallation(ctx, "E2", "T8"); !errors.Is(err, install.ErrNotInstalled) {
		t.Errorf("another organisation: %v, want ErrNotInstalled", err)
	}
	own := installation("T7", "xoxb-own")
	own.EnterpriseID = "E1"
	if err := db.SaveInstallation(ctx, own); err != nil {
		t.Fatal(err)
	}
	if got, err := db.FindInstallation(ctx, "E1", "T7"); err != nil || got.BotToken != "xoxb-own" {
		t.Errorf("T7 with its own install: %+v %v", got, err)
	}
}

// testTokenRotation: of many handles rotating one installation's tokens
// from the same refresh token at once, exactly one wins; the others are
// told to read again and find the winner's pair.
func testTokenRotation(t *testing.T, open Open) {
	db, another := open(t)
	ctx := ctxFor(t)
	in := installation("T1", "xoxb-1")
	if err := db.SaveInstallation(ctx, in); err != nil {
		t.Fatal(err)
	}
	handles := []Store{db, another(), another()}
	won := race(t, 9, func(i int) error {
		return handles[i%3].RotateTokens(ctx, in.Key(), in.RefreshToken, fmt.Sprintf("xoxb-new%d", i), fmt.Sprintf("xoxe-new%d", i), t0.Add(24*time.Hour))
	}, install.ErrRotated)
	if won != 1 {
		t.Fatalf("%d rotations won, want 1", won)
	}
	got, err := another().FindInstallation(ctx, "", "T1")
	if err != nil {
		t.Fatal(err)
	}
	var i int
	if _, err := fmt.Sscanf(got.BotToken, "xoxb-new%d", &i); err != nil || got.RefreshToken != fmt.Sprintf("xoxe-new%d", i) || !got.ExpiresAt.Equal(t0.Add(24*time.Hour)) {
		t.Errorf("stored pair %q %q %v is not one rotation's", got.BotToken, got.RefreshToken, got.ExpiresAt)
	}
	if err := db.RotateTokens(ctx, in.Key(), in.RefreshToken, "xoxb-late", "xoxe-late", t0); !errors.Is(err, install.ErrRotated) {
		t.Errorf("a rotation from the old refresh token: %v, want ErrRotated", err)
	}
}

// testUninstallAndPurge: an uninstalled workspace is listed once its
// retention starts; purging deletes its rows and no other workspace's,
// and leaves a workspace installed again meanwhile alone.
func testUninstallAndPurge(t *testing.T, open Open) {
	db, _ := open(t)
	ctx := ctxFor(t)
	a, b := installation("TA", "xoxb-a"), installation("TB", "xoxb-b")
	for _, in := range []install.Installation{a, b} {
		if err := db.SaveInstallation(ctx, in); err != nil {
			t.Fatal(err)
		}
	}
	pa := step(t, db, newPlan(t, db, "TA", "C1", "Q1"), "Our audience is founders", "a1", t0)
	pb := step(t, db, newPlan(t, db, "TB", "C1", "Q1"), "Our audience is founders", "b1", t0)
	if err := db.SetSchedule(ctx, "TA", pa.ID, "every monday 09:00", "UTC", "U1", t0); err != nil {
		t.Fatal(err)
	}
	if ok, _, err := db.ClaimReminder(ctx, "TA", "U1", "checkin:1", pa.ID, t0); !ok || err != nil {
		t.Fatal(ok, err)
	}
	for _, team := range []string{"TA", "TB"} {
		if err := db.SawHome(ctx, team, "U1", t0); err != nil {
			t.Fatal(err)
		}
		if _, err := db.AcceptStep(ctx, coach.Step{Team: team, Execution: "Fx" + team, Function: "record_values", Inputs: map[string]string{}, AcceptedAt: t0}); err != nil {
			t.Fatal(err)
		}
	}
	gone := t0.Add(time.Hour)
	if marked, err := db.MarkUninstalled(ctx, a.Key(), a.InstalledAt, gone); err != nil || !marked {
		t.Fatal(marked, err)
	}
	if marked, err := db.MarkUninstalled(ctx, a.Key(), a.InstalledAt, gone.Add(time.Hour)); err != nil || marked {
		t.Errorf("TA marked again: marked %t, %v; want it to keep its first mark", marked, err)
	}
	if got, err := db.UninstalledBefore(ctx, gone); err != nil || len(got) != 0 {
		t.Errorf("uninstalled before %v: %+v %v", gone, got, err)
	}
	got, err := db.UninstalledBefore(ctx, gone.Add(time.Minute))
	if err != nil || len(got) != 1 || got[0].TeamID != "TA" || !got[0].UninstalledAt.Equal(gone) {
		t.Fatalf("uninstalled: %+v %v, want TA at its first uninstall", got, err)
	}
	if purged, err := db.PurgeInstallation(ctx, a.Key(), gone.Add(time.Minute)); err != nil || !purged {
		t.Fatalf("purge of TA past its retention: %t, %v; want purged", purged, err)
	}
	if _, err := db.Plan(ctx, "TA", pa.ID); !errors.Is(err, flows.ErrNoPlan) {
		t.Errorf("TA's plan after the purge: %v, want ErrNoPlan", err)
	}
	if _, err := db.Schedule(ctx, "TA", pa.ID); err == nil {
		t.Error("TA's schedule outlived the purge")
	}
	if got, err := db.RemindedPlans(ctx, "TA", "U1"); err != nil || len(got) != 0 {
		t.Errorf("TA's reminders after the purge: %v %v", got, err)
	}
	if _, err := db.Installation(ctx, a.Key()); !errors.Is(err, install.ErrNotInstalled) {
		t.Errorf("TA's installation after the purge: %v", err)
	}
	if got, err := db.HomeViewers(ctx, "TA", t0); err != nil || len(got) != 0 {
		t.Errorf("TA's Home viewers after the purge: %v %v", got, err)
	}
	if got, err := db.HomeViewers(ctx, "TB", t0); err != nil || len(got) != 1 {
		t.Errorf("TB's Home viewers after TA's purge: %v %v, want U1", got, err)
	}
	if got, err := db.UnfinishedSteps(ctx, t0, t0.Add(time.Minute)); err != nil || len(got) != 1 || got[0].Team != "TB" {
		t.Errorf("workflow steps after TA's purge: %+v %v, want TB's", got, err)
	}
	if p := load(t, db, "TB", pb.ID); len(p.Answers) == 0 {
		t.Errorf("TB's plan lost its answers: %+v", p)
	}
	if _, err := db.FindInstallation(ctx, "", "TB"); err != nil {
		t.Errorf("TB's installation: %v", err)
	}
	// A purge of an installation that is installed again does nothing.
	if _, err := db.MarkUninstalled(ctx, b.Key(), b.InstalledAt, gone); err != nil {
		t.Fatal(err)
	}
	if err := db.SaveInstallation(ctx, b); err != nil {
		t.Fatal(err)
	}
	if purged, err := db.PurgeInstallation(ctx, b.Key(), gone.Add(time.Minute)); err != nil || purged {
		t.Fatalf("purge of TB installed again: %t, %v; want left alone", purged, err)
	}
	load(t, db, "TB", pb.ID)
	// Uninstalled again after the purge listed it: the retention counts
	// from the new removal, so a purge with the old cutoff leaves it.
	again := gone.Add(48 * time.Hour)
	if _, err := db.MarkUninstalled(ctx, b.Key(), b.InstalledAt, again); err != nil {
		t.Fatal(err)
	}
	if purged, err := db.PurgeInstallation(ctx, b.Key(), gone.Add(time.Minute)); err != nil || purged {
		t.Fatalf("purge of TB uninstalled again since: %t, %v; want left alone", purged, err)
	}
	load(t, db, "TB", pb.ID)
	if purged, err := db.PurgeInstallation(ctx, b.Key(), again.Add(time.Minute)); err != nil || !purged {
		t.Fatalf("purge of TB past its new retention: %t, %v; want purged", purged, err)
	}
	if _, err := db.Plan(ctx, "TB", pb.ID); !errors.Is(err, flows.ErrNoPlan) {
		t.Errorf("TB's plan after its retention: %v, want ErrNoPlan", err)
	}
}

// testUninstallChecks: a pending uninstall check is kept with its
// installation, listed once due, and moved by one of the handles that
// find it due at once; a reinstall, the removal taken, or the check's
// end clears it.
func testUninstallChecks(t *testing.T, open Open) {
	db, another := open(t)
	ctx := ctxFor(t)
	in := installation("T1", "xoxb-1")
	if err := db.SaveInstallation(ctx, in); err != nil {
		t.Fatal(err)
	}
	k := in.Key()
	due := t0.Add(time.Minute)
	if moved, err := db.MoveUninstallCheck(ctx, k, in.InstalledAt, time.Time{}, due); err != nil || !moved {
		t.Fatalf("check started: %t, %v", moved, err)
	}
	// Another delivery of the removal finds it pending.
	if moved, err := db.MoveUninstallCheck(ctx, k, in.InstalledAt, time.Time{}, t0); err != nil || moved {
		t.Errorf("a second check started over the pending one: %t, %v", moved, err)
	}
	if got, err := db.UninstallChecksDue(ctx, due.Add(-time.Millisecond)); err != nil || len(got) != 0 {
		t.Errorf("due before its time: %+v %v", got, err)
	}
	got, err := another().UninstallChecksDue(ctx, due)
	want := in
	want.UninstallCheckAt = due
	if err != nil || len(got) != 1 || !cmp.Equal(got[0], want) {
		t.Fatalf("due: %+v %v, want %+v", got, err, want)
	}
	if got, err := db.FindInstallation(ctx, "", "T1"); err != nil || !cmp.Equal(got, want) {
		t.Errorf("found %+v %v, want %+v: a pending check still serves the workspace", got, err, want)
	}
	// Handles that find it due at once: one moves it, and counts a check.
	next := due.Add(5 * time.Minute)
	handles := []Store{db, another(), another()}
	won := race(t, 9, func(i int) error {
		moved, err := handles[i%3].MoveUninstallCheck(ctx, k, in.InstalledAt, due, next)
		if err == nil && !moved {
			return errNotMoved
		}
		return err
	}, errNotMoved)
	if won != 1 {
		t.Fatalf("%d handles moved the check, want 1", won)
	}
	if got, err := db.Installation(ctx, k); err != nil || !got.UninstallCheckAt.Equal(next) || got.UninstallChecks != 1 {
		t.Errorf("after one check: at %v, %d checks, %v; want at %v, 1 check", got.UninstallCheckAt, got.UninstallChecks, err, next)
	}
	if moved, err := db.MoveUninstallCheck(ctx, k, in.InstalledAt.Add(time.Second), next, next.Add(time.Hour)); err != nil || moved {
		t.Errorf("check of another install moved: %t, %v", moved, err)
	}
	// Ended (Slack said the token works): nothing pending.
	if moved, err := db.MoveUninstallCheck(ctx, k, in.InstalledAt, next, time.Time{}); err != nil || !moved {
		t.Fatalf("check ended: %t, %v", moved, err)
	}
	if got, err := db.Installation(ctx, k); err != nil || !cmp.Equal(got, in) {
		t.Errorf("after its check ended: %+v %v, want %+v", got, err, in)
	}
	// A reinstall ends a pending check: the removal was not of it.
	if _, err := db.MoveUninstallCheck(ctx, k, in.InstalledAt, time.Time{}, due); err != nil {
		t.Fatal(err)
	}
	again := installation("T1", "xoxb-2")
	again.InstalledAt = t0.Add(time.Hour)
	if err := db.SaveInstallation(ctx, again); err != nil {
		t.Fatal(err)
	}
	if got, err := db.UninstallChecksDue(ctx, next); err != nil || len(got) != 0 {
		t.Errorf("due after the reinstall: %+v %v", got, err)
	}
	if got, err := db.Installation(ctx, k); err != nil || !cmp.Equal(got, again) {
		t.Errorf("reinstalled: %+v %v, want %+v", got, err, again)
	}
	// The removal taken ends it too, and a taken one is not started.
	if _, err := db.MoveUninstallCheck(ctx, k, again.InstalledAt, time.Time{}, due); err != nil {
		t.Fatal(err)
	}
	if marked, err := db.MarkUninstalled(ctx, k, again.InstalledAt, next); err != nil || !marked {
		t.Fatal(marked, err)
	}
	if got, err := db.UninstallChecksDue(ctx, next); err != nil || len(got) != 0 {
		t.Errorf("due after the removal was taken: %+v %v", got, err)
	}
	if got, err := db.Installation(ctx, k); err != nil || !got.UninstallCheckAt.IsZero() || got.UninstallChecks != 0 {
		t.Errorf("uninstalled: %+v %v, want no check", got, err)
	}
	if moved, err := db.MoveUninstallCheck(ctx, k, again.InstalledAt, time.Time{}, next); err != nil || moved {
		t.Errorf("check started for an uninstalled installation: %t, %v", moved, err)
	}
}

var errNotMoved = errors.New("not moved")
