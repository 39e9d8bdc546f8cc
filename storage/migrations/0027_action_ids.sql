-- An action's id names it on status buttons and menus, in check-ins, DMs
-- and Home tabs, long after they were posted, so no id is ever given to a
-- second action (as 0021 does for plans). SQLite gives a new row one more
-- than the largest id in its table, which freed the id of a removed newest
-- action for the next one, and a stale "Done" would then mark the new
-- action done. action_ids keeps the largest id ever given; a new action
-- takes the next (insertAction), and the trigger keeps the mark past ids
-- inserted any other way.
CREATE TABLE action_ids (
    last INTEGER NOT NULL
);

-- Ids given before this migration are known from the actions left, and
-- from the reminders sent about them (key action:<id>:...), which outlive
-- their action, as do the Done and Snooze buttons of those reminders.
INSERT INTO action_ids (last) SELECT max(
    coalesce((SELECT max(id) FROM actions), 0),
    coalesce((SELECT max(CAST(substr(key, 8, instr(substr(key, 8), ':') - 1) AS INTEGER))
        FROM reminders WHERE key LIKE 'action:%:%'), 0));

CREATE TRIGGER action_ids_past_insert AFTER INSERT ON actions
WHEN NEW.id > (SELECT last FROM action_ids)
BEGIN
    UPDATE action_ids SET last = NEW.id;
END;
