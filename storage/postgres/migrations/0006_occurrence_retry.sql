-- A check-in whose post certainly did not go out waits in state 'retry'
-- until retry_at and is claimed again from there; when the next occurrence
-- is due first it ends as 'missed'. missed keeps the Job.Missed an
-- occurrence was claimed with, so a retry or a recovery after a crash posts
-- the same late check-in. Unlike SQLite, PostgreSQL changes a CHECK
-- constraint in place.
ALTER TABLE occurrences
    DROP CONSTRAINT occurrences_state_check,
    ADD CONSTRAINT occurrences_state_check
        CHECK (state IN ('claimed', 'retry', 'posted', 'caught-up', 'skipped', 'paused', 'failed', 'missed')),
    ADD COLUMN missed   INTEGER NOT NULL DEFAULT 0, -- slots a late check-in stands for; 0 on time
    ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0, -- posts that certainly did not go out
    ADD COLUMN retry_at BIGINT,                     -- set exactly while state = 'retry'
    ADD CONSTRAINT occurrences_retry_check CHECK ((state = 'retry') = (retry_at IS NOT NULL));

-- The scheduler looks for these on every tick.
CREATE INDEX occurrences_pending ON occurrences (due_at) WHERE state IN ('claimed', 'retry');
