-- Threads of deleted plans, so a late reply there gets an explanation
-- instead of silence.
CREATE TABLE deleted_threads (
    team_id    TEXT   NOT NULL,
    channel_id TEXT   NOT NULL,
    thread     TEXT   NOT NULL,
    name       TEXT   NOT NULL,
    deleted_at BIGINT NOT NULL,
    PRIMARY KEY (team_id, channel_id, thread)
);
