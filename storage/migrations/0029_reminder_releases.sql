-- A reminder given up after Slack lost its answer to each post, and showed
-- none of them in the direct message, may still have gone out: Slack's
-- history can show a post later than its answer would have. Its claim is
-- kept, released (released_at, 0 while claimed), so that the racebot that
-- claims it again knows to look in the direct message from claimed_at, the
-- first try's start, before it sends the reminder again.
ALTER TABLE reminders ADD COLUMN released_at INTEGER NOT NULL DEFAULT 0;
