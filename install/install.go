// Package install describes racebot's installations in Slack workspaces:
// what Slack's OAuth v2 flow hands over (a bot token per workspace, or per
// Enterprise Grid organisation for an org-wide install), the storage both
// stores implement for it, and the sealing of tokens at rest. It imports
// only the standard library, so the bot, the stores and the command can
// share it without depending on one another.
package install

import (
	"context"
	"errors"
	"time"
)

// ErrNotInstalled means no installation serves the workspace: racebot was
// never installed there, or was uninstalled.
var ErrNotInstalled = errors.New("not installed")

// ErrRotated means a token rotation lost its compare-and-swap: the stored
// refresh token is no longer the one the rotation started from, because
// another process rotated first. The loser reads the installation again.
var ErrRotated = errors.New("tokens rotated by another process")

// Installation is racebot installed in one workspace, or org-wide in an
// Enterprise Grid organisation (EnterpriseInstall, with TeamID empty).
type Installation struct {
	EnterpriseID      string
	TeamID            string
	EnterpriseInstall bool

	AppID     string
	BotUserID string
	Scopes    string
	// InstalledBy is the user who approved the install.
	InstalledBy string

	// BotToken is the xoxb- token. With token rotation on, RefreshToken
	// renews it before ExpiresAt; a zero ExpiresAt means it does not
	// expire.
	BotToken     string
	RefreshToken string
	ExpiresAt    time.Time

	InstalledAt time.Time
	// UninstalledAt is when Slack said the app was removed or its tokens
	// revoked; zero while installed.
	UninstalledAt time.Time

	// UninstallCheckAt, when set, is when Slack is next to be asked
	// whether the bot token still works: a removal whose event time read
	// as before this install is taken only once Slack refuses the token,
	// and Slack could not say yet. UninstallChecks counts the times it
	// was asked meanwhile. A reinstall, or the removal taken, clears both.
	UninstallCheckAt time.Time
	UninstallChecks  int
}

// Key names an installation as Slack does: enterprise, team and whether
// it is an org-wide install.
type Key struct {
	EnterpriseID      string
	TeamID            string
	EnterpriseInstall bool
}

// Key is the installation's key.
func (in Installation) Key() Key {
	return Key{EnterpriseID: in.EnterpriseID, TeamID: in.TeamID, EnterpriseInstall: in.EnterpriseInstall}
}

// Active reports whether the installation serves its workspaces.
func (in Installation) Active() bool { return in.UninstalledAt.IsZero() }

// Store keeps installations. Both racebot stores implement it.
type Store interface {
	// SaveInstallation stores in, replacing the installation with its key
	// (a reinstall), installed again if it had been uninstalled and its
	// pending uninstall check ended: a removal from before is not of it.
	SaveInstallation(ctx context.Context, in Installation) error
	// FindInstallation returns the active installation that serves team:
	// the workspace's own, or else the org-wide install of enterprise (or,
	// when enterprise is empty, of the organisation the workspace was last
	// seen in, see NoteWorkspace). It fails with ErrNotInstalled when none
	// does.
	FindInstallation(ctx context.Context, enterprise, team string) (Installation, error)
	// Installation returns the installation with key k, installed or not;
	// it fails with ErrNotInstalled when there is none.
	Installation(ctx context.Context, k Key) (Installation, error)
	// NoteWorkspace records that team belongs to enterprise, so that
	// background work, which knows only the team, finds an org-wide
	// install.
	NoteWorkspace(ctx context.Context, enterprise, team string) error
	// RotateTokens replaces the installation's token pair, provided its
	// stored refresh token is still oldRefresh; otherwise it fails with
	// ErrRotated and changes nothing.
	RotateTokens(ctx context.Context, k Key, oldRefresh, token, refresh string, expires time.Time) error
	// MarkUninstalled records that the installation installed at
	// installedAt stopped serving at at, and ends its pending uninstall
	// check; an installation already marked keeps its first time, and
	// one installed again since (its InstalledAt another) is left alone:
	// the removal was of the one before it. marked reports whether it
	// marked it.
	MarkUninstalled(ctx context.Context, k Key, installedAt, at time.Time) (marked bool, err error)
	// MoveUninstallCheck moves the pending uninstall check of the
	// installation installed at installedAt (see UninstallCheckAt) from
	// from to to, provided it is still at from and the installation is
	// not uninstalled: a zero from starts one (none pending), a zero to
	// ends it, and a move from one time to another counts one more check
	// (UninstallChecks). Of processes moving the same check at once, one
	// does; moved reports whether it did.
	MoveUninstallCheck(ctx context.Context, k Key, installedAt, from, to time.Time) (moved bool, err error)
	// UninstallChecksDue lists the installations, not uninstalled, whose
	// pending uninstall check is due at t.
	UninstallChecksDue(ctx context.Context, t time.Time) ([]Installation, error)
	// UninstalledBefore lists the installations uninstalled before t.
	UninstalledBefore(ctx context.Context, t time.Time) ([]Installation, error)
	// PurgeInstallation deletes an installation uninstalled before
	// before, and every row of the workspaces it served (for an org-wide
	// install, those noted in its organisation that no installation of
	// their own serves). An installation installed again meanwhile, or
	// uninstalled again since before, is left alone; purged reports
	// whether it was deleted.
	PurgeInstallation(ctx context.Context, k Key, before time.Time) (purged bool, err error)
}
