-- Every status an action was given (open, doing, done, dropped), oldest
-- first: the latest row is the action's status, the rest its history. An
-- action with no row is open. Rows hang off their action, so deleting a
-- plan takes them with it.
CREATE TABLE action_updates (
    id        INTEGER PRIMARY KEY,
    action_id INTEGER NOT NULL REFERENCES actions (id) ON DELETE CASCADE,
    status    TEXT    NOT NULL CHECK (status IN ('open', 'doing', 'done', 'dropped')),
    author    TEXT    NOT NULL,
    at        INTEGER NOT NULL
);

CREATE INDEX action_updates_by_action ON action_updates (action_id, id);
