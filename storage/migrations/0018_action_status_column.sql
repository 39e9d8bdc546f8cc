-- The Done button on reminders and the Home tab needs to know an action is
-- done. This is the smallest status that does: one column, open until
-- someone marks the action done. A richer status history (open, doing,
-- done, dropped, with who and when) may replace it; it then reads its
-- starting point from this column.
ALTER TABLE actions ADD COLUMN status TEXT NOT NULL DEFAULT 'open';
