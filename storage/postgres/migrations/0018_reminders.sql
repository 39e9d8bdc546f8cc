-- Personal reminders: direct messages to KPI owners before a check-in
-- closes and to action owners before and after an action is due.
--
-- A reminder is claimed by inserting its row before the message is sent.
-- The primary key is the "send once" guarantee, like occurrences for
-- check-ins: whichever replica inserts the row sends the message, and a
-- restart or another replica finds the row and sends nothing. key names
-- what the reminder is about and which time it is: checkin:<id>,
-- action:<id>:due, action:<id>:overdue, action:<id>:snoozed:<until>.
CREATE TABLE reminders (
    team_id    TEXT   NOT NULL,
    user_id    TEXT   NOT NULL,
    key        TEXT   NOT NULL,
    plan_id    BIGINT NOT NULL REFERENCES plans (id) ON DELETE CASCADE,
    claimed_at BIGINT NOT NULL,
    channel_id TEXT   NOT NULL DEFAULT '', -- the direct message, once sent
    ts         TEXT   NOT NULL DEFAULT '',
    PRIMARY KEY (team_id, user_id, key)
);

CREATE INDEX reminders_by_plan ON reminders (plan_id);

-- People who turned reminders off for a plan (`remind off`).
CREATE TABLE reminder_mutes (
    plan_id  BIGINT NOT NULL REFERENCES plans (id) ON DELETE CASCADE,
    user_id  TEXT   NOT NULL,
    muted_at BIGINT NOT NULL,
    PRIMARY KEY (plan_id, user_id)
);

-- An action reminder put off by its owner ("Snooze"): one more reminder at
-- until, replacing any earlier snooze of the same action by the same person.
CREATE TABLE reminder_snoozes (
    action_id BIGINT NOT NULL REFERENCES actions (id) ON DELETE CASCADE,
    user_id   TEXT   NOT NULL,
    until     BIGINT NOT NULL,
    PRIMARY KEY (action_id, user_id)
);
