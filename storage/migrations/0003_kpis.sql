-- KPI targets and the values recorded against them. Both hang off a plan,
-- so team scoping goes through plans.team_id and deleting a plan takes its
-- KPIs and their history with it.

CREATE TABLE kpis (
    id                INTEGER PRIMARY KEY,
    plan_id           INTEGER NOT NULL REFERENCES plans (id) ON DELETE CASCADE,
    stage             TEXT    NOT NULL,
    key               TEXT    NOT NULL, -- catalogue id, or a slug for a custom KPI
    name              TEXT    NOT NULL,
    unit              TEXT    NOT NULL,
    currency          TEXT    NOT NULL DEFAULT '', -- of the target; '' is the plan's own currency
    higher_is_better  INTEGER NOT NULL,
    baseline          REAL,                        -- NULL: no baseline given
    baseline_currency TEXT    NOT NULL DEFAULT '',
    target            REAL,                        -- NULL: no target yet
    deadline          TEXT    NOT NULL DEFAULT '', -- YYYY-MM-DD: a calendar date, not an instant
    owner             TEXT    NOT NULL DEFAULT '',
    created_by        TEXT    NOT NULL,
    created_at        INTEGER NOT NULL,
    UNIQUE (plan_id, key)
);

CREATE TABLE measurements (
    id         INTEGER PRIMARY KEY,
    kpi_id     INTEGER NOT NULL REFERENCES kpis (id) ON DELETE CASCADE,
    value      REAL,                     -- NULL: the owner answered n/a
    currency   TEXT    NOT NULL DEFAULT '',
    at         INTEGER NOT NULL,
    author     TEXT    NOT NULL,         -- "by" is an SQL keyword
    checkin_id INTEGER,                  -- NULL: given outside a check-in
    key        TEXT,                     -- idempotency key (a Slack event id); NULL: none
    UNIQUE (kpi_id, key)                 -- NULL keys never collide
);

CREATE INDEX measurements_by_kpi ON measurements (kpi_id, at);
