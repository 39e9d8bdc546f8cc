-- Plans and everything the coach needs to resume them. Every row hangs off a
-- plan, and every plan carries its workspace's team_id, so one workspace can
-- never reach another's data. Times are Unix milliseconds (UTC).

CREATE TABLE plans (
    id         INTEGER PRIMARY KEY,
    team_id    TEXT    NOT NULL,
    channel_id TEXT    NOT NULL,
    name       TEXT    NOT NULL,
    name_key   TEXT    NOT NULL, -- lower-cased name: names are unique per channel ignoring case
    created_by TEXT    NOT NULL,
    created_at INTEGER NOT NULL,
    stage      INTEGER NOT NULL DEFAULT 0,
    step       INTEGER NOT NULL DEFAULT 0,
    phase      TEXT    NOT NULL DEFAULT 'question',
    version    INTEGER NOT NULL DEFAULT 0,
    privacy    INTEGER NOT NULL DEFAULT 0,
    thread     TEXT    NOT NULL DEFAULT '',
    UNIQUE (team_id, channel_id, name_key)
);

CREATE INDEX plans_by_thread ON plans (team_id, channel_id, thread) WHERE thread <> '';

-- Every revision of every answer: edits append, nothing is overwritten.
CREATE TABLE answers (
    id          INTEGER PRIMARY KEY,
    plan_id     INTEGER NOT NULL REFERENCES plans (id) ON DELETE CASCADE,
    question_id TEXT    NOT NULL,
    revision    INTEGER NOT NULL,
    text        TEXT    NOT NULL,
    author      TEXT    NOT NULL,
    created_at  INTEGER NOT NULL,
    drafted     INTEGER NOT NULL DEFAULT 0,
    UNIQUE (plan_id, question_id, revision)
);

CREATE TABLE skips (
    plan_id     INTEGER NOT NULL REFERENCES plans (id) ON DELETE CASCADE,
    question_id TEXT    NOT NULL,
    PRIMARY KEY (plan_id, question_id)
) WITHOUT ROWID;

CREATE TABLE completed_stages (
    plan_id INTEGER NOT NULL REFERENCES plans (id) ON DELETE CASCADE,
    stage   TEXT    NOT NULL,
    PRIMARY KEY (plan_id, stage)
) WITHOUT ROWID;

CREATE TABLE actions (
    id         INTEGER PRIMARY KEY,
    plan_id    INTEGER NOT NULL REFERENCES plans (id) ON DELETE CASCADE,
    stage      TEXT    NOT NULL,
    text       TEXT    NOT NULL,
    owner      TEXT    NOT NULL DEFAULT '',
    due        TEXT    NOT NULL DEFAULT '', -- YYYY-MM-DD: a calendar date, not an instant
    impact     INTEGER NOT NULL CHECK (impact BETWEEN 1 AND 5),
    effort     INTEGER NOT NULL CHECK (effort BETWEEN 1 AND 5),
    created_by TEXT    NOT NULL,
    created_at INTEGER NOT NULL
);

CREATE INDEX actions_by_plan ON actions (plan_id);

-- The plan a channel is working on, so a bare reply knows where it goes.
CREATE TABLE current_plans (
    team_id    TEXT    NOT NULL,
    channel_id TEXT    NOT NULL,
    plan_id    INTEGER NOT NULL REFERENCES plans (id) ON DELETE CASCADE,
    PRIMARY KEY (team_id, channel_id)
) WITHOUT ROWID;

-- Keys of inputs already recorded (Slack event ids, for instance): Slack
-- retries deliveries, and a retry must record nothing twice.
CREATE TABLE seen_keys (
    team_id TEXT    NOT NULL,
    key     TEXT    NOT NULL,
    seen_at INTEGER NOT NULL,
    PRIMARY KEY (team_id, key)
) WITHOUT ROWID;

CREATE INDEX seen_keys_by_age ON seen_keys (seen_at);
