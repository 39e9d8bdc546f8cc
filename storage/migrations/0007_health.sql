-- One row the readiness probe rewrites, to prove the writer can commit.
CREATE TABLE health (
    id        INTEGER PRIMARY KEY CHECK (id = 1),
    probed_at INTEGER NOT NULL
);
