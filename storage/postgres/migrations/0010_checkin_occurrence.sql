-- A scheduled check-in is found again by its occurrence: a retry after a
-- post that certainly did not go out, or a recovery after a replica
-- stopped mid-post, finishes the check-in already recorded instead of
-- opening a second one. Not unique, as in SQLite: a database copied from
-- an older file may hold a second row for an occurrence that was retried.
CREATE INDEX checkins_by_occurrence ON checkins (plan_id, occurrence) WHERE occurrence <> '';
