-- Which message of a plan's conversation asked what, so that a reply is
-- filed under the prompt its author saw. at orders the messages: a Slack ts
-- ("1700000000.000100") as a whole number of microseconds.
CREATE TABLE asked (
    plan_id BIGINT NOT NULL REFERENCES plans (id) ON DELETE CASCADE,
    at      BIGINT NOT NULL,
    ts      TEXT   NOT NULL,
    asks    TEXT   NOT NULL, -- a question id, actions:<stage>, kpis:<stage> or complete
    PRIMARY KEY (plan_id, at)
);

-- The message each answer and each KPI value came from ("channel/ts"; ''
-- for forms, drafts and the terminal), and what an answer row does to its
-- question when replayed in revision order.
ALTER TABLE answers
    ADD COLUMN source TEXT NOT NULL DEFAULT '',
    ADD COLUMN kind TEXT NOT NULL DEFAULT 'answer' CHECK (kind IN ('answer', 'also', 'revised', 'withdrawn'));
ALTER TABLE measurements ADD COLUMN source TEXT NOT NULL DEFAULT '';

CREATE INDEX measurements_by_source ON measurements (source) WHERE source <> '';
