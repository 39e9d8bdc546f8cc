-- A check-in whose post certainly did not go out (Slack answered 429, the
-- connection was refused) waits in state 'retry' until retry_at and is
-- claimed again from there; when the next occurrence is due first it ends
-- as 'missed'. missed keeps the Job.Missed an occurrence was claimed with,
-- so a retry or a recovery after a crash posts the same late check-in.
--
-- SQLite cannot change a CHECK constraint in place, so the table is
-- rebuilt (https://sqlite.org/lang_altertable.html#otheralter). No table
-- refers to occurrences, so foreign keys need not be switched off.
CREATE TABLE occurrences_new (
    plan_id     INTEGER NOT NULL REFERENCES plans (id) ON DELETE CASCADE,
    key         TEXT    NOT NULL, -- schedule.Spec.Key of the due time
    due_at      INTEGER NOT NULL,
    state       TEXT    NOT NULL CHECK (state IN ('claimed', 'retry', 'posted', 'caught-up', 'skipped', 'paused', 'failed', 'missed')),
    claimed_by  TEXT    NOT NULL, -- scheduler instance id of the latest claim
    claimed_at  INTEGER NOT NULL,
    finished_at INTEGER,          -- NULL while claimed
    note        TEXT    NOT NULL DEFAULT '',
    checkin_id  INTEGER,          -- NULL: nothing was posted
    missed      INTEGER NOT NULL DEFAULT 0, -- slots a late check-in stands for; 0 on time
    attempts    INTEGER NOT NULL DEFAULT 0, -- posts that certainly did not go out
    retry_at    INTEGER,          -- set exactly while state = 'retry'
    CHECK ((state = 'retry') = (retry_at IS NOT NULL)),
    PRIMARY KEY (plan_id, key)
) WITHOUT ROWID;

INSERT INTO occurrences_new (plan_id, key, due_at, state, claimed_by, claimed_at, finished_at, note, checkin_id)
SELECT plan_id, key, due_at, state, claimed_by, claimed_at, finished_at, note, checkin_id FROM occurrences;

DROP TABLE occurrences;
ALTER TABLE occurrences_new RENAME TO occurrences;

CREATE INDEX occurrences_by_due ON occurrences (plan_id, due_at);
-- The scheduler looks for these on every tick.
CREATE INDEX occurrences_pending ON occurrences (due_at) WHERE state IN ('claimed', 'retry');
