-- A scheduled check-in is found again by its occurrence: a retry after a
-- post that certainly did not go out, or a recovery after racebot stopped
-- mid-post, finishes the check-in already recorded instead of opening a
-- second one. Not unique: databases from before may hold a second row for
-- an occurrence that was retried.
CREATE INDEX checkins_by_occurrence ON checkins (plan_id, occurrence) WHERE occurrence <> '';
