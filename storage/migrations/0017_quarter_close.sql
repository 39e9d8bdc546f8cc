-- Closing a quarter: retros with their three questions' answers, and the
-- answers a plan started from an earlier one offers as starting points.

CREATE TABLE retros (
    id         INTEGER PRIMARY KEY,
    plan_id    INTEGER NOT NULL REFERENCES plans (id) ON DELETE CASCADE,
    channel_id TEXT    NOT NULL,
    thread     TEXT    NOT NULL DEFAULT '', -- ts of the retro's opening message; '' in the terminal
    opened_by  TEXT    NOT NULL,
    opened_at  INTEGER NOT NULL
);

CREATE INDEX retros_by_thread ON retros (channel_id, thread) WHERE thread <> '';
CREATE INDEX retros_by_plan ON retros (plan_id, id);

-- Which message of a retro's thread asked which question, ordered by at
-- (a Slack ts as microseconds, as in asked), so a reply is filed under the
-- question its author saw.
CREATE TABLE retro_prompts (
    retro_id INTEGER NOT NULL REFERENCES retros (id) ON DELETE CASCADE,
    at       INTEGER NOT NULL,
    ts       TEXT    NOT NULL,
    question TEXT    NOT NULL,
    PRIMARY KEY (retro_id, at)
) WITHOUT ROWID;

-- Every answer kept; several people may answer one question.
CREATE TABLE retro_answers (
    id       INTEGER PRIMARY KEY,
    retro_id INTEGER NOT NULL REFERENCES retros (id) ON DELETE CASCADE,
    question TEXT    NOT NULL CHECK (question IN ('worked', 'didnt', 'change')),
    text     TEXT    NOT NULL,
    author   TEXT    NOT NULL,
    at       INTEGER NOT NULL,
    source   TEXT    NOT NULL DEFAULT ''
);

CREATE INDEX retro_answers_by_retro ON retro_answers (retro_id, id);

-- Answers copied from the plan a new one was started from: offered with
-- each question until someone keeps one or writes a new answer. A copy,
-- not a reference, so deleting the old plan takes nothing from the new.
CREATE TABLE carried_answers (
    plan_id     INTEGER NOT NULL REFERENCES plans (id) ON DELETE CASCADE,
    question_id TEXT    NOT NULL,
    text        TEXT    NOT NULL,
    author      TEXT    NOT NULL,
    from_plan   TEXT    NOT NULL, -- the name of the plan it came from
    PRIMARY KEY (plan_id, question_id)
) WITHOUT ROWID;
