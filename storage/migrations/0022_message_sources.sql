-- The message an action's line or a KPI's line came from ('channel/ts';
-- '' for forms, shortcuts and the terminal), so an edit of that message
-- changes the action or the KPI and its deletion removes it, as for
-- answers; and when the line was last edited there (Unix milliseconds; 0
-- for never), so an older edit delivered late changes nothing. Values
-- keep their message already; they too keep when it was last edited.
ALTER TABLE actions ADD COLUMN source TEXT NOT NULL DEFAULT '';
ALTER TABLE actions ADD COLUMN edited_at INTEGER NOT NULL DEFAULT 0;
CREATE INDEX actions_by_source ON actions (plan_id, source) WHERE source <> '';
ALTER TABLE kpis ADD COLUMN source TEXT NOT NULL DEFAULT '';
ALTER TABLE kpis ADD COLUMN edited_at INTEGER NOT NULL DEFAULT 0;
ALTER TABLE measurements ADD COLUMN edited_at INTEGER NOT NULL DEFAULT 0;
