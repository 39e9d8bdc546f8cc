-- KPI check-ins: one thread each. Nudge and close times are stored, and
-- claimed by flipping their flag in one statement, so a restart or a second
-- racebot never nudges or closes the same check-in twice.
CREATE TABLE checkins (
    id          INTEGER PRIMARY KEY,
    plan_id     INTEGER NOT NULL REFERENCES plans (id) ON DELETE CASCADE,
    occurrence  TEXT    NOT NULL DEFAULT '', -- the schedule occurrence key, '' when run by hand
    channel_id  TEXT    NOT NULL,
    thread      TEXT    NOT NULL DEFAULT '', -- ts of the opening message
    summary_ts  TEXT    NOT NULL DEFAULT '', -- ts of the summary message, updated in place
    late        INTEGER NOT NULL DEFAULT 0,
    opened_at   INTEGER NOT NULL,
    nudge_at    INTEGER NOT NULL,
    nudged      INTEGER NOT NULL DEFAULT 0,
    close_at    INTEGER NOT NULL,
    closed      INTEGER NOT NULL DEFAULT 0
);

CREATE INDEX checkins_by_thread ON checkins (channel_id, thread) WHERE thread <> '';
CREATE INDEX checkins_open ON checkins (closed, close_at);
