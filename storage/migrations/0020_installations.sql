-- Installations of racebot through Slack's OAuth v2 flow: one row per
-- workspace, or per Enterprise Grid organisation for an org-wide install
-- (enterprise_install = 1, team_id ''). Tokens are stored as the app hands
-- them over, sealed with AES-GCM when RACEBOT_TOKEN_KEY is set. A rotation
-- replaces bot_token and refresh_token together, only while refresh_token
-- is still the one it started from, so of two processes rotating at once
-- one wins and the other reads the winner's pair.
--
-- uninstalled_at (Unix milliseconds, 0 while installed) starts the
-- retention after which the workspace's rows are deleted; a reinstall
-- before then clears it and serves the kept rows again.
CREATE TABLE installations (
    enterprise_id      TEXT    NOT NULL DEFAULT '',
    team_id            TEXT    NOT NULL DEFAULT '',
    enterprise_install INTEGER NOT NULL DEFAULT 0,
    app_id             TEXT    NOT NULL DEFAULT '',
    bot_user_id        TEXT    NOT NULL DEFAULT '',
    scopes             TEXT    NOT NULL DEFAULT '',
    installed_by       TEXT    NOT NULL DEFAULT '',
    bot_token          TEXT    NOT NULL,
    refresh_token      TEXT    NOT NULL DEFAULT '',
    expires_at         INTEGER NOT NULL DEFAULT 0, -- Unix milliseconds; 0: never
    installed_at       INTEGER NOT NULL,
    uninstalled_at     INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (enterprise_id, team_id, enterprise_install)
) WITHOUT ROWID;

CREATE INDEX installations_by_team ON installations (team_id) WHERE enterprise_install = 0;

-- The organisation each workspace served by an org-wide install was seen
-- in: background work (check-ins, reminders) knows only a plan's team.
CREATE TABLE enterprise_workspaces (
    team_id       TEXT NOT NULL PRIMARY KEY,
    enterprise_id TEXT NOT NULL
) WITHOUT ROWID;
