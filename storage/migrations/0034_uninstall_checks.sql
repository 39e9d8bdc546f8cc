-- A removal (app_uninstalled, tokens_revoked) whose event time reads as
-- before the current install is taken only once Slack refuses the
-- install's token. While Slack cannot say, the check is kept here rather
-- than in the process that acknowledged the event, so that a racebot
-- started after it (a deploy), or another one, asks again.
-- uninstall_check_at (Unix milliseconds, 0: none) is when it is due;
-- uninstall_checks counts the times Slack could not say, which spaces the
-- next. A reinstall, or the removal taken, clears both. Old racebots
-- neither write nor read them; a mark an old racebot's reinstall left is
-- checked against the new install's token, which works, and cleared.
ALTER TABLE installations ADD COLUMN uninstall_check_at INTEGER NOT NULL DEFAULT 0;
ALTER TABLE installations ADD COLUMN uninstall_checks INTEGER NOT NULL DEFAULT 0;

CREATE INDEX installations_by_uninstall_check ON installations (uninstall_check_at) WHERE uninstall_check_at <> 0;
