-- The plan a line kept as an answer started, when its author took the offer
-- made with it (see TakeOffer): set on the line's own revision, 0 for none.
-- Its author's later edit of the line is then told the plan it started,
-- rather than nothing.
ALTER TABLE answers ADD COLUMN started BIGINT NOT NULL DEFAULT 0;
