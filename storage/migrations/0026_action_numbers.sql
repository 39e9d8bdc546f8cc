-- An action's number is how people name it (`action done 2`). It was its
-- place in the plan's list, so deleting the message that added an action
-- moved every later one down, and a reply written against the list as it
-- was marked the wrong action. Now an action keeps the number it was
-- given: one past the plan's highest yet, never given again, removed
-- actions' included (plans.last_action_number).
ALTER TABLE actions ADD COLUMN number INTEGER NOT NULL DEFAULT 0;
ALTER TABLE plans ADD COLUMN last_action_number INTEGER NOT NULL DEFAULT 0;

-- Actions kept before this get the numbers the list showed them with:
-- their place in their plan's actions, ordered by id.
UPDATE actions SET number = (SELECT count(*) FROM actions b WHERE b.plan_id = actions.plan_id AND b.id <= actions.id);
UPDATE plans SET last_action_number = (SELECT count(*) FROM actions WHERE plan_id = plans.id);

CREATE UNIQUE INDEX actions_by_number ON actions (plan_id, number);
