-- Check-in schedules and the log of their occurrences. Both hang off a plan,
-- so team scoping goes through plans.team_id and deleting a plan takes its
-- schedule and run log with it. Times are Unix milliseconds (UTC).

CREATE TABLE schedules (
    plan_id    BIGINT  PRIMARY KEY REFERENCES plans (id) ON DELETE CASCADE,
    spec       TEXT    NOT NULL, -- canonical schedule.Spec.String(), zone included
    zone       TEXT    NOT NULL, -- IANA name, never a fixed offset
    paused     BOOLEAN NOT NULL DEFAULT false,
    created_by TEXT    NOT NULL,
    created_at BIGINT  NOT NULL,
    updated_at BIGINT  NOT NULL,
    last_due   BIGINT  NOT NULL  -- the latest occurrence handled; catch-up starts after it
);

-- One row per occurrence ever handled. The primary key is the "post once"
-- guarantee: a scheduler inserts the row (claims it) before it posts, and
-- only the insert that lands runs the check-in, whichever replica, and
-- whether or not an earlier attempt crashed half-way.
CREATE TABLE occurrences (
    plan_id     BIGINT NOT NULL REFERENCES plans (id) ON DELETE CASCADE,
    key         TEXT   NOT NULL, -- schedule.Spec.Key of the due time
    due_at      BIGINT NOT NULL,
    state       TEXT   NOT NULL
        CONSTRAINT occurrences_state_check CHECK (state IN ('claimed', 'posted', 'caught-up', 'skipped', 'paused', 'failed')),
    claimed_by  TEXT   NOT NULL, -- scheduler instance id
    claimed_at  BIGINT NOT NULL,
    finished_at BIGINT,          -- NULL while claimed
    note        TEXT   NOT NULL DEFAULT '',
    checkin_id  BIGINT,          -- NULL: nothing was posted
    PRIMARY KEY (plan_id, key)
);

CREATE INDEX occurrences_by_due ON occurrences (plan_id, due_at);
