-- Messages racebot posted to stand for work still under way ("✍️
-- Drafting an answer…", "🔎 Reviewing the plan…") and has yet to replace
-- with the result. A racebot killed before it did would leave the thread
-- promising a draft for good; the row stays until the placeholder is
-- replaced or taken down, and any racebot on the database replaces one
-- left past the longest its work may take (its lease,
-- "placeholder:<channel>/<ts>" in seen_keys, keeping two from doing so at
-- once). what is the work: draft, review or kpis. Rows left longer than
-- the message keys are kept are pruned with them.
CREATE TABLE placeholders (
    team_id    TEXT    NOT NULL,
    channel_id TEXT    NOT NULL,
    ts         TEXT    NOT NULL,
    what       TEXT    NOT NULL,
    posted_at  INTEGER NOT NULL,
    PRIMARY KEY (team_id, channel_id, ts)
) WITHOUT ROWID;

CREATE INDEX placeholders_by_age ON placeholders (posted_at);
