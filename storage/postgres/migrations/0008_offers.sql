-- Commands racebot offered to run instead of a line it kept as an answer
-- ("new Q1 Launch" typed while a question was open): at most one per person
-- and plan, written with the answer, taken by that person's `yes`.
CREATE TABLE offers (
    team_id     TEXT    NOT NULL,
    channel_id  TEXT    NOT NULL,
    plan_id     BIGINT  NOT NULL REFERENCES plans (id) ON DELETE CASCADE,
    user_id     TEXT    NOT NULL,
    command     TEXT    NOT NULL,
    question_id TEXT    NOT NULL DEFAULT '', -- the answer the line was saved as
    revision    INTEGER NOT NULL DEFAULT 0,
    prior       TEXT    NOT NULL DEFAULT '', -- the text that answer replaced
    version     BIGINT  NOT NULL,            -- the plan's version after the answer
    expires_at  BIGINT  NOT NULL,
    PRIMARY KEY (team_id, channel_id, plan_id, user_id)
);

CREATE INDEX offers_by_plan ON offers (plan_id);
