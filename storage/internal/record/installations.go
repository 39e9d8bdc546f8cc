package record

import "github.com/racebot/racebot/install"

// InstallationColumns are the columns Installation reads, in its order.
const InstallationColumns = `enterprise_id, team_id, enterprise_install, app_id, bot_user_id, scopes, installed_by,
	bot_token, refresh_token, expires_at, installed_at, uninstalled_at`

// Installation reads an installation's row (InstallationColumns); an
// expiry or uninstall time of 0 is none. A scan error is returned as it
// is, so the caller can tell no row from a failure.
func Installation(scan Scan) (install.Installation, error) {
	var (
		in                            install.Installation
		expires, installed, uninstall int64
	)
	err := scan(&in.EnterpriseID, &in.TeamID, &in.EnterpriseInstall, &in.AppID, &in.BotUserID, &in.Scopes, &in.InstalledBy,
		&in.BotToken, &in.RefreshToken, &expires, &installed, &uninstall)
	if expires != 0 {
		in.ExpiresAt = FromMillis(expires)
	}
	in.InstalledAt = FromMillis(installed)
	if uninstall != 0 {
		in.UninstalledAt = FromMillis(uninstall)
	}
	return in, err
}

// Installations reads installation rows into out.
func Installations(out *[]install.Installation) Reader {
	return func(scan Scan) error {
		in, err := Installation(scan)
		if err != nil {
			return err
		}
		*out = append(*out, in)
		return nil
	}
}

// WorkspaceTables hold a team_id column; every other table of a
// workspace's data hangs off plans and goes with them (ON DELETE
// CASCADE). Purging a workspace deletes its rows from each, in this
// order.
var WorkspaceTables = []string{
	"seen_keys", "current_plans", "deleted_threads", "offers", "thread_reads",
	"capability_ratings", "capability_reminders", "reminders", "plans",
}
