-- Which message of a plan's conversation asked what, so that a reply is
-- filed under the prompt its author saw, not the one the coach has moved
-- on to since. at orders the messages: a Slack ts ("1700000000.000100")
-- as a whole number of microseconds, which compares correctly where the
-- text would not.
CREATE TABLE asked (
    plan_id INTEGER NOT NULL REFERENCES plans (id) ON DELETE CASCADE,
    at      INTEGER NOT NULL,
    ts      TEXT    NOT NULL,
    asks    TEXT    NOT NULL, -- a question id, actions:<stage>, kpis:<stage> or complete
    PRIMARY KEY (plan_id, at)
) WITHOUT ROWID;

-- The message each answer and each KPI value came from ("channel/ts"; ''
-- for forms, drafts and the terminal), so that an edit or a deletion of
-- the message finds them. kind says what an answer row does to its
-- question, replayed in revision order: sets the answer, adds a co-answer
-- beside it, revises the one from source, or withdraws it. Nothing is
-- overwritten: a withdrawn text stays in its earlier row.
ALTER TABLE answers ADD COLUMN source TEXT NOT NULL DEFAULT '';
ALTER TABLE answers ADD COLUMN kind TEXT NOT NULL DEFAULT 'answer' CHECK (kind IN ('answer', 'also', 'revised', 'withdrawn'));
ALTER TABLE measurements ADD COLUMN source TEXT NOT NULL DEFAULT '';

CREATE INDEX measurements_by_source ON measurements (source) WHERE source <> '';
