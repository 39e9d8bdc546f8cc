-- Workflow steps racebot acknowledged and has yet to complete. Slack
-- delivers a step's function_executed event until racebot acknowledges
-- it, and never again: a racebot that stops before completing the step
-- would leave the workflow waiting for ever. The row goes in before the
-- acknowledgement, and any racebot on the database finishes a step whose
-- run stopped (its lease, "step:<execution>" in seen_keys, gone stale).
-- inputs are the step's inputs as a JSON object of strings; finished_at
-- is 0 until the step is completed at Slack. Finished rows are pruned
-- with the delivery keys.
CREATE TABLE workflow_steps (
    team_id      TEXT    NOT NULL,
    execution_id TEXT    NOT NULL,
    callback_id  TEXT    NOT NULL,
    inputs       TEXT    NOT NULL,
    accepted_at  INTEGER NOT NULL,
    finished_at  INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (team_id, execution_id)
) WITHOUT ROWID;

CREATE INDEX workflow_steps_unfinished ON workflow_steps (accepted_at) WHERE finished_at = 0;
