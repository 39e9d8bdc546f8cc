-- The latest review of each plan, as the transport showed it, so that an
-- export made later (or by another replica) includes it. Only the latest
-- is kept: an older review says nothing the newer one does not. text is in
-- the stored form (markup.Stored).
CREATE TABLE plan_reviews (
    plan_id    BIGINT  PRIMARY KEY REFERENCES plans (id) ON DELETE CASCADE,
    text       TEXT    NOT NULL,
    from_model BOOLEAN NOT NULL,
    by_user    TEXT    NOT NULL,
    at         BIGINT  NOT NULL
);
