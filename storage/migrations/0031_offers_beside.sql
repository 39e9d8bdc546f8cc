-- An offer made with a line kept as a co-answer names its question here,
-- and none in question_id: a racebot from before such offers reads it as
-- an offer with no answer to take back, so its `yes` starts the plan and
-- leaves the co-answer, instead of reopening the question the coach had
-- moved on to.
ALTER TABLE offers ADD COLUMN beside TEXT NOT NULL DEFAULT '';
