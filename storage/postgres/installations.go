package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/racebot/racebot/install"
	"github.com/racebot/racebot/storage/internal/record"
)

var _ install.Store = (*DB)(nil)

// SaveInstallation stores an installation, replacing the one with its key;
// a workspace has one installation of its own, so a reinstall reported
// under another organisation replaces the old row too.
func (db *DB) SaveInstallation(ctx context.Context, in install.Installation) error {
	err := db.tx(ctx, func(ctx context.Context, tx pgx.Tx) error {
		if !in.EnterpriseInstall {
			if _, err := tx.Exec(ctx, `DELETE FROM installations WHERE team_id = $1 AND NOT enterprise_install AND enterprise_id <> $2`,
				in.TeamID, in.EnterpriseID); err != nil {
				return err
			}
		}
		_, err := tx.Exec(ctx, `INSERT INTO installations (`+record.InstallationColumns+`)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 0, 0, 0)
			ON CONFLICT (enterprise_id, team_id, enterprise_install) DO UPDATE SET
				app_id = excluded.app_id, bot_user_id = excluded.bot_user_id, scopes = excluded.scopes,
				installed_by = excluded.installed_by, bot_token = excluded.bot_token,
				refresh_token = excluded.refresh_token, expires_at = excluded.expires_at,
				installed_at = excluded.installed_at, uninstalled_at = 0,
				uninstall_check_at = 0, uninstall_checks = 0`,
			record.InstallationValues(in)...)
		return err
	})
	if err != nil {
		return fmt.Errorf("save installation: %w", err)
	}
	return nil
}

// installationQueries are the SQL of the installation rules.
var installationQueries = record.InstallationQueries{
	Own: `SELECT ` + record.InstallationColumns + ` FROM installations
		WHERE team_id = $1 AND NOT enterprise_install AND uninstalled_at = 0`,
	Enterprise: `SELECT enterprise_id FROM enterprise_workspaces WHERE team_id = $1`,
	OrgWide: `SELECT ` + record.InstallationColumns + ` FROM installations
		WHERE enterprise_id = $1 AND team_id = '' AND enterprise_install AND uninstalled_at = 0`,
	// The purge keeps every installation from changing until it commits:
	// a reinstall that came first is waited for and seen (it is then no
	// longer uninstalled, or it serves the workspace), and one that comes
	// later waits for the purge, instead of the purge deleting the
	// reinstalled row or what the workspace it serves writes meanwhile.
	// Not the purged row only: a workspace is served again as well by
	// another row, its own installation or its organisation's, which may
	// not exist yet. Reads go on; writers wait one purge, which is rare.
	Lock:        `LOCK TABLE installations IN SHARE ROW EXCLUSIVE MODE`,
	Uninstalled: `SELECT uninstalled_at FROM installations WHERE enterprise_id = $1 AND team_id = $2 AND enterprise_install = $3`,
	Workspaces:  `SELECT team_id FROM enterprise_workspaces WHERE enterprise_id = $1`,
	Served: `SELECT EXISTS (SELECT 1 FROM installations i WHERE i.uninstalled_at = 0 AND (
		(i.team_id = $1 AND NOT i.enterprise_install) OR
		(i.enterprise_install AND i.enterprise_id = (SELECT enterprise_id FROM enterprise_workspaces WHERE team_id = $2))))`,
	DeleteTeam: `DELETE FROM %s WHERE team_id = $1`,
	DeleteOrg:  `DELETE FROM enterprise_workspaces WHERE enterprise_id = $1`,
	Delete:     `DELETE FROM installations WHERE enterprise_id = $1 AND team_id = $2 AND enterprise_install = $3`,
	MoveCheck: `UPDATE installations SET uninstall_check_at = $1, uninstall_checks = uninstall_checks + 1
		WHERE enterprise_id = $2 AND team_id = $3 AND enterprise_install = $4 AND installed_at = $5 AND uninstalled_at = 0
			AND uninstall_check_at = $6`,
	EndCheck: `UPDATE installations SET uninstall_check_at = $1, uninstall_checks = 0
		WHERE enterprise_id = $2 AND team_id = $3 AND enterprise_install = $4 AND installed_at = $5 AND uninstalled_at = 0
			AND uninstall_check_at = $6`,
}

// FindInstallation returns the active installation serving team: its own,
// else its organisation's org-wide one.
func (db *DB) FindInstallation(ctx context.Context, enterprise, team string) (install.Installation, error) {
	var in install.Installation
	err := db.snapshot(ctx, func(tx pgx.Tx) error {
		var err error
		in, err = record.FindInstallation(pgTx{ctx, tx}, &installationQueries, enterprise, team)
		return err
	})
	if err != nil {
		return install.Installation{}, fmt.Errorf("find installation: %w", err)
	}
	return in, nil
}

// Installation returns the installation with key k, installed or not.
func (db *DB) Installation(ctx context.Context, k install.Key) (install.Installation, error) {
	var in install.Installation
	err := db.snapshot(ctx, func(tx pgx.Tx) error {
		row := tx.QueryRow(ctx, `SELECT `+record.InstallationColumns+` FROM installations
			WHERE enterprise_id = $1 AND team_id = $2 AND enterprise_install = $3`, k.EnterpriseID, k.TeamID, k.EnterpriseInstall)
		var err error
		in, err = record.Installation(row.Scan)
		if errors.Is(err, pgx.ErrNoRows) {
			return install.ErrNotInstalled
		}
		return err
	})
	if err != nil {
		return install.Installation{}, fmt.Errorf("installation: %w", err)
	}
	return in, nil
}

// NoteWorkspace records the organisation team was seen in.
func (db *DB) NoteWorkspace(ctx context.Context, enterprise, team string) error {
	err := db.tx(ctx, func(ctx context.Context, tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO enterprise_workspaces (team_id, enterprise_id) VALUES ($1, $2)
			ON CONFLICT (team_id) DO UPDATE SET enterprise_id = excluded.enterprise_id`, team, enterprise)
		return err
	})
	if err != nil {
		return fmt.Errorf("note workspace: %w", err)
	}
	return nil
}

// RotateTokens swaps in a new token pair while the stored refresh token is
// still oldRefresh.
func (db *DB) RotateTokens(ctx context.Context, k install.Key, oldRefresh, token, refresh string, expires time.Time) error {
	err := db.tx(ctx, func(ctx context.Context, tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE installations SET bot_token = $1, refresh_token = $2, expires_at = $3
			WHERE enterprise_id = $4 AND team_id = $5 AND enterprise_install = $6 AND refresh_token = $7`,
			token, refresh, record.OptionalMillis(expires), k.EnterpriseID, k.TeamID, k.EnterpriseInstall, oldRefresh)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return install.ErrRotated
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("rotate tokens: %w", err)
	}
	return nil
}

// MarkUninstalled records when the installation installed at installedAt
// stopped serving, and ends its pending uninstall check.
func (db *DB) MarkUninstalled(ctx context.Context, k install.Key, installedAt, at time.Time) (bool, error) {
	var marked bool
	err := db.tx(ctx, func(ctx context.Context, tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE installations SET uninstalled_at = $1, uninstall_check_at = 0, uninstall_checks = 0
			WHERE enterprise_id = $2 AND team_id = $3 AND enterprise_install = $4 AND installed_at = $5 AND uninstalled_at = 0`,
			millis(at), k.EnterpriseID, k.TeamID, k.EnterpriseInstall, millis(installedAt))
		marked = err == nil && tag.RowsAffected() > 0
		return err
	})
	if err != nil {
		return false, fmt.Errorf("mark uninstalled: %w", err)
	}
	return marked, nil
}

// MoveUninstallCheck moves the pending uninstall check of the
// installation installed at installedAt from from to to, while it is
// still at from (see install.Store).
func (db *DB) MoveUninstallCheck(ctx context.Context, k install.Key, installedAt, from, to time.Time) (bool, error) {
	var moved bool
	err := db.tx(ctx, func(ctx context.Context, tx pgx.Tx) error {
		var err error
		moved, err = record.MoveUninstallCheck(pgTx{ctx, tx}, &installationQueries, k, installedAt, from, to)
		return err
	})
	if err != nil {
		return false, fmt.Errorf("move uninstall check: %w", err)
	}
	return moved, nil
}

// UninstallChecksDue lists the installations whose pending uninstall
// check is due at t.
func (db *DB) UninstallChecksDue(ctx context.Context, t time.Time) ([]install.Installation, error) {
	var out []install.Installation
	err := db.snapshot(ctx, func(tx pgx.Tx) error {
		return each(ctx, tx, record.Rows(&out, record.Installation), `SELECT `+record.InstallationColumns+` FROM installations
			WHERE uninstalled_at = 0 AND uninstall_check_at <> 0 AND uninstall_check_at <= $1 ORDER BY uninstall_check_at`, millis(t))
	})
	if err != nil {
		return nil, fmt.Errorf("uninstall checks due: %w", err)
	}
	return out, nil
}

// UninstalledBefore lists the installations uninstalled before t.
func (db *DB) UninstalledBefore(ctx context.Context, t time.Time) ([]install.Installation, error) {
	var out []install.Installation
	err := db.snapshot(ctx, func(tx pgx.Tx) error {
		return each(ctx, tx, record.Rows(&out, record.Installation), `SELECT `+record.InstallationColumns+` FROM installations WHERE uninstalled_at <> 0 AND uninstalled_at < $1
			ORDER BY uninstalled_at`, millis(t))
	})
	if err != nil {
		return nil, fmt.Errorf("uninstalled installations: %w", err)
	}
	return out, nil
}

// PurgeInstallation deletes an uninstalled installation and the data of
// the workspaces only it served, reporting whether it did (see
// install.Store).
func (db *DB) PurgeInstallation(ctx context.Context, k install.Key, before time.Time) (bool, error) {
	var purged bool
	err := db.tx(ctx, func(ctx context.Context, tx pgx.Tx) error {
		var err error
		purged, err = record.PurgeInstallation(pgTx{ctx, tx}, &installationQueries, k, before)
		return err
	})
	if err != nil {
		return false, fmt.Errorf("purge installation: %w", err)
	}
	return purged, nil
}
