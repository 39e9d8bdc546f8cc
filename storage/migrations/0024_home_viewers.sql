-- Who has looked at their App Home tab, and when last (Unix
-- milliseconds): every racebot on the database keeps those tabs current,
-- not only the one Slack told of the opening, and a restarted one still
-- does. Rows not seen for a long while are pruned with the delivery keys.
CREATE TABLE home_viewers (
    team_id TEXT    NOT NULL,
    user_id TEXT    NOT NULL,
    seen_at INTEGER NOT NULL,
    PRIMARY KEY (team_id, user_id)
) WITHOUT ROWID;

CREATE INDEX home_viewers_by_seen ON home_viewers (seen_at);
