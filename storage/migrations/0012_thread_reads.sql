-- How far racebot has read each of its conversations (a plan's or a
-- check-in's thread) back from Slack, so that a catch-up after an outage
-- asks only for the replies after it. at orders messages as asked.at does.
-- Rows of conversations that are gone are never read again, so they are
-- left alone.
CREATE TABLE thread_reads (
    team_id    TEXT    NOT NULL,
    channel_id TEXT    NOT NULL,
    thread     TEXT    NOT NULL,
    at         INTEGER NOT NULL,
    ts         TEXT    NOT NULL,
    PRIMARY KEY (team_id, channel_id, thread)
) WITHOUT ROWID;
