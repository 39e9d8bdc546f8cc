package record

import (
	"errors"
	"fmt"
	"time"

	"github.com/racebot/racebot/install"
)

// InstallationColumns are the columns Installation reads, in its order.
const InstallationColumns = `enterprise_id, team_id, enterprise_install, app_id, bot_user_id, scopes, installed_by,
	bot_token, refresh_token, expires_at, installed_at, uninstalled_at, uninstall_check_at, uninstall_checks`

// Installation reads an installation's row (InstallationColumns); an
// expiry, uninstall or check time of 0 is none. A scan error is returned as it
// is, so the caller can tell no row from a failure.
func Installation(scan Scan) (install.Installation, error) {
	var (
		in                            install.Installation
		expires, installed, uninstall int64
		check                         int64
		checks                        int64
	)
	err := scan(&in.EnterpriseID, &in.TeamID, &in.EnterpriseInstall, &in.AppID, &in.BotUserID, &in.Scopes, &in.InstalledBy,
		&in.BotToken, &in.RefreshToken, &expires, &installed, &uninstall, &check, &checks)
	if expires != 0 {
		in.ExpiresAt = FromMillis(expires)
	}
	in.InstalledAt = FromMillis(installed)
	if uninstall != 0 {
		in.UninstalledAt = FromMillis(uninstall)
	}
	if check != 0 {
		in.UninstallCheckAt = FromMillis(check)
	}
	in.UninstallChecks = int(checks)
	return in, err
}

// workspaceTables hold a team_id column; every other table of a
// workspace's data hangs off plans and goes with them (ON DELETE
// CASCADE). Purging a workspace deletes its rows from each, in this
// order.
var workspaceTables = []string{
	"seen_keys", "workflow_steps", "placeholders", "placeholder_intents", "current_plans", "deleted_threads", "offers", "thread_reads", "home_viewers",
	"capability_ratings", "capability_reminders", "reminders", "plans",
}

// InstallationQueries are a store's SQL for FindInstallation and
// PurgeInstallation, each described with the parameters it takes; a key
// is the enterprise id, team id and enterprise_install flag.
type InstallationQueries struct {
	Own        string // team: the workspace's own active installation (InstallationColumns)
	Enterprise string // team: the organisation the workspace was seen in
	OrgWide    string // enterprise: the organisation's active org-wide installation (InstallationColumns)

	Lock        string // none: keep every installation as the purge reads it until it commits, where writers overlap; empty where they take turns
	Uninstalled string // key: the installation's uninstalled_at
	Workspaces  string // enterprise: the workspaces seen in the organisation
	Served      string // team, team: whether an active installation still serves the workspace
	DeleteTeam  string // team, with %s for a table name: delete the workspace's rows of the table
	DeleteOrg   string // enterprise: forget the organisation's workspaces
	Delete      string // key: delete the installation
	// to, the key, installed_at, from: move a pending uninstall check from
	// from to to, counting one more try; EndCheck sets the count to 0.
	MoveCheck string
	EndCheck  string
}

// MoveUninstallCheck moves the pending uninstall check of the
// installation k installed at installedAt from from to to, while it is
// still at from, and says whether it did. Starting a check (from zero) or
// ending one (to zero) sets the tries to 0; moving one counts a try.
func MoveUninstallCheck(tx Tx, q *InstallationQueries, k install.Key, installedAt, from, to time.Time) (bool, error) {
	query := q.MoveCheck
	if from.IsZero() || to.IsZero() {
		query = q.EndCheck
	}
	n, err := tx.Exec(query, OptionalMillis(to), k.EnterpriseID, k.TeamID, k.EnterpriseInstall, Millis(installedAt), OptionalMillis(from))
	return n > 0, err
}

// FindInstallation returns the active installation serving team: its own,
// else its organisation's org-wide one. An empty enterprise is looked up
// from the organisation the team was last seen in.
func FindInstallation(tx Tx, q *InstallationQueries, enterprise, team string) (install.Installation, error) {
	if team != "" {
		in, err := Installation(tx.Row(q.Own, team))
		if !errors.Is(err, ErrNoRows) {
			return in, err
		}
		if enterprise == "" {
			err := tx.Row(q.Enterprise, team)(&enterprise)
			if errors.Is(err, ErrNoRows) {
				return install.Installation{}, install.ErrNotInstalled
			}
			if err != nil {
				return install.Installation{}, err
			}
		}
	}
	if enterprise == "" {
		return install.Installation{}, install.ErrNotInstalled
	}
	in, err := Installation(tx.Row(q.OrgWide, enterprise))
	if errors.Is(err, ErrNoRows) {
		return install.Installation{}, install.ErrNotInstalled
	}
	return in, err
}

// PurgeInstallation deletes an installation uninstalled before before and
// the data of the workspaces only it served. An installation still
// installed, not there at all, or uninstalled again since the caller
// listed it (its retention starts again), is left alone, and purged is
// false.
func PurgeInstallation(tx Tx, q *InstallationQueries, k install.Key, before time.Time) (purged bool, err error) {
	if q.Lock != "" {
		if _, err := tx.Exec(q.Lock); err != nil {
			return false, err
		}
	}
	var uninstalled int64
	err = tx.Row(q.Uninstalled, k.EnterpriseID, k.TeamID, k.EnterpriseInstall)(&uninstalled)
	if errors.Is(err, ErrNoRows) || (err == nil && (uninstalled == 0 || uninstalled >= before.UnixMilli())) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	teams := []string{k.TeamID}
	if k.EnterpriseInstall {
		teams = nil
		if err := tx.Each(Strings(&teams), q.Workspaces, k.EnterpriseID); err != nil {
			return false, err
		}
	}
	for _, team := range teams {
		// A workspace still served, by an installation of its own or by
		// its organisation's, keeps its data.
		var served bool
		if err := tx.Row(q.Served, team, team)(&served); err != nil {
			return false, err
		}
		if served {
			continue
		}
		for _, table := range workspaceTables {
			if _, err := tx.Exec(fmt.Sprintf(q.DeleteTeam, table), team); err != nil {
				return false, fmt.Errorf("%s: %w", table, err)
			}
		}
	}
	if k.EnterpriseInstall {
		if _, err := tx.Exec(q.DeleteOrg, k.EnterpriseID); err != nil {
			return false, err
		}
	}
	if _, err := tx.Exec(q.Delete, k.EnterpriseID, k.TeamID, k.EnterpriseInstall); err != nil {
		return false, err
	}
	return true, nil
}

// InstallationValues are in's values for InstallationColumns but the
// last three, uninstalled_at and its check, which a saved installation
// does not have yet. An unset expiry is stored as 0.
func InstallationValues(in install.Installation) []any {
	return []any{in.EnterpriseID, in.TeamID, in.EnterpriseInstall, in.AppID, in.BotUserID, in.Scopes, in.InstalledBy,
		in.BotToken, in.RefreshToken, OptionalMillis(in.ExpiresAt), Millis(in.InstalledAt)}
}
