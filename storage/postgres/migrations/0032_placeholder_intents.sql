-- A placeholder about to be posted ("✍️ Drafting an answer…"), recorded
-- before its post: a racebot killed between Slack taking the post and
-- the placeholders row that names its ts would otherwise leave it
-- promising the work for good. post_key is the key in the post's metadata
-- (see poster.postOnce), by which a racebot sweeping left placeholders
-- finds it in the thread from posted_at, the moment before the post. The
-- row goes once the placeholder is recorded in placeholders, or is known
-- not posted, or replaced. Old racebots neither write nor read it. Rows
-- left longer than the message keys are kept are pruned with them.
CREATE TABLE placeholder_intents (
    team_id    TEXT    NOT NULL,
    channel_id TEXT    NOT NULL,
    thread     TEXT    NOT NULL,
    post_key   TEXT    NOT NULL,
    what       TEXT    NOT NULL,
    posted_at  BIGINT  NOT NULL,
    PRIMARY KEY (team_id, channel_id, post_key)
);

CREATE INDEX placeholder_intents_by_age ON placeholder_intents (posted_at);
