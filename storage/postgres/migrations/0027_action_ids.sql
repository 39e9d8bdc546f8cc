-- The SQLite store's 0027 keeps action ids from being given twice. Here the
-- actions table's identity never gives an id twice on its own; but a
-- database copied from SQLite before that had its identity set past the
-- actions left only, while reminders (key action:<id>:...) outlive their
-- action, as do the Done and Snooze buttons of those reminders. Move the
-- identity past the ids they name too.
SELECT setval(pg_get_serial_sequence('actions', 'id'), greatest(
    (SELECT coalesce(max(id), 0) FROM actions),
    (SELECT coalesce(max(split_part(key, ':', 2)::bigint), 0) FROM reminders WHERE key ~ '^action:[0-9]+:'),
    coalesce(pg_sequence_last_value(pg_get_serial_sequence('actions', 'id')::regclass), 0)) + 1, false);
