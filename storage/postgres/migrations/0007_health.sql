-- One row the readiness probe rewrites, to prove the database takes a
-- write.
CREATE TABLE health (
    id        INTEGER PRIMARY KEY CHECK (id = 1),
    probed_at BIGINT  NOT NULL
);
