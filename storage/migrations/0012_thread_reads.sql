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

-- The conversations there are already were followed with other keys (the
-- events' ids): read back from their start, their replies would be
-- recorded again. They are read back from now on.
INSERT INTO thread_reads (team_id, channel_id, thread, at, ts)
SELECT team_id, channel_id, thread, CAST(strftime('%s', 'now') AS INTEGER) * 1000000, strftime('%s', 'now') || '.000000'
FROM plans WHERE thread <> ''
ON CONFLICT DO NOTHING;

INSERT INTO thread_reads (team_id, channel_id, thread, at, ts)
SELECT p.team_id, c.channel_id, c.thread, CAST(strftime('%s', 'now') AS INTEGER) * 1000000, strftime('%s', 'now') || '.000000'
FROM checkins c JOIN plans p ON p.id = c.plan_id WHERE c.thread <> ''
ON CONFLICT DO NOTHING;
