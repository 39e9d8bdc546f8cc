-- A plan's id names it on buttons, in forms and in links long after the
-- message that carries them was posted, so no id is ever given to a second
-- plan. SQLite gives a new row one more than the largest id in its table,
-- which frees the id of a deleted newest plan for the next one, and a
-- stale "Delete" button would then delete the new plan. plan_ids keeps the
-- largest id ever given; a new plan takes the next (insertPlan), and the
-- trigger keeps the mark past ids inserted any other way.
CREATE TABLE plan_ids (
    last INTEGER NOT NULL
);

-- Ids given before this migration are known from the plans left, and from
-- the capability reminders, which outlive their plan.
INSERT INTO plan_ids (last) SELECT max(
    coalesce((SELECT max(id) FROM plans), 0),
    coalesce((SELECT max(plan_id) FROM capability_reminders), 0));

CREATE TRIGGER plan_ids_past_insert AFTER INSERT ON plans
WHEN NEW.id > (SELECT last FROM plan_ids)
BEGIN
    UPDATE plan_ids SET last = NEW.id;
END;
