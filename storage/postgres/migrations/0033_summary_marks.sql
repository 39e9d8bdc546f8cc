-- A check-in's summary may show older values than the store's: a racebot
-- marks it (with a token of its drawing) before a drawing that could land
-- over newer values another racebot drew and recorded drawn, and clears
-- its own mark once its drawing is known to show the latest values. A
-- racebot killed in between, or stopped with the drawing in flight,
-- leaves it marked, and the next tick of any racebot draws the summary as
-- the values stand rather than take the record's word. 0 is no mark. Old
-- racebots neither write nor read it.
ALTER TABLE checkins ADD COLUMN summary_mark BIGINT NOT NULL DEFAULT 0;
