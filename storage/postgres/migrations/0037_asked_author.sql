-- A step that moves a plan to another question without answering (back,
-- stage, edit, a yes taking a line back) is recorded as asked at its own
-- message, for its author alone: that person's next reply answers the
-- question the step moved to, even when the prompt asking it is never
-- posted. Everyone else's replies stay filed under the prompts they saw.
-- '' is a prompt posted, seen by everyone.
ALTER TABLE asked ADD COLUMN author TEXT NOT NULL DEFAULT '';
