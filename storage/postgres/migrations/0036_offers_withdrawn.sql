-- An offer its author's edit withdrew (the line edited into a plain
-- answer, the note saying so) is kept until it would have expired, with
-- its version written here too: a `yes` typed before its author read
-- the note is then told the offer was withdrawn, rather than filed as the
-- next question's answer. Its version stays as it was, behind the plan's,
-- so a racebot from before the mark, which does not read it, finds the
-- offer void as it always did; a new offer such a racebot writes over the
-- row has a later version, which the mark then does not name (0: none).
ALTER TABLE offers ADD COLUMN withdrawn_version BIGINT NOT NULL DEFAULT 0;
