-- The team's capability, rated 1 to 5 per stage, kept as a history per
-- channel: a team outlives its quarterly plans, so a rating survives the
-- plan it was made under (plan_id becomes NULL when that plan is deleted).
CREATE TABLE capability_ratings (
    id         INTEGER PRIMARY KEY,
    team_id    TEXT    NOT NULL,
    channel_id TEXT    NOT NULL,
    plan_id    INTEGER REFERENCES plans (id) ON DELETE SET NULL,
    rated_by   TEXT    NOT NULL,
    rated_at   INTEGER NOT NULL
);

CREATE INDEX capability_by_channel ON capability_ratings (team_id, channel_id, rated_at);

CREATE TABLE capability_scores (
    rating_id INTEGER NOT NULL REFERENCES capability_ratings (id) ON DELETE CASCADE,
    stage     TEXT    NOT NULL,
    score     INTEGER NOT NULL CHECK (score BETWEEN 1 AND 5),
    PRIMARY KEY (rating_id, stage)
) WITHOUT ROWID;

-- The quarterly reminder to rate capability rides on the first scheduled
-- check-in of a quarter. The primary key lets one check-in occurrence
-- claim it per channel and quarter, so a restart or a second racebot
-- never asks twice; a retry of the same occurrence finds its own claim.
CREATE TABLE capability_reminders (
    team_id    TEXT    NOT NULL,
    channel_id TEXT    NOT NULL,
    quarter    TEXT    NOT NULL, -- "2027-Q1"
    plan_id    INTEGER NOT NULL,
    occurrence TEXT    NOT NULL, -- the check-in occurrence key that carries it
    claimed_at INTEGER NOT NULL,
    PRIMARY KEY (team_id, channel_id, quarter)
) WITHOUT ROWID;
