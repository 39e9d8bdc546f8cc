package postgres

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/racebot/racebot/flows"
	"github.com/racebot/racebot/storage/internal/record"
)

// recordKey records a delivery's key in the transaction that carries its
// effect, so the key and the effect land together or not at all. Two
// replicas recording one key at once meet on its unique index: the second
// waits for the first transaction and, if it committed, records nothing
// and refuses with flows.ErrDuplicate. An empty key records nothing.
func recordKey(ctx context.Context, tx pgx.Tx, team, key string) error {
	if key == "" {
		return nil
	}
	tag, err := tx.Exec(ctx, `INSERT INTO seen_keys (team_id, key, seen_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`,
		team, key, time.Now().UnixMilli())
	if err != nil {
		return fmt.Errorf("record key: %w", err)
	}
	if tag.RowsAffected() == 0 {
		return flows.ErrDuplicate
	}
	return nil
}

// CreatePlan stores a new plan and makes it its channel's current plan,
// refusing a name already used in the channel.
func (db *DB) CreatePlan(ctx context.Context, p *flows.Plan, key string) (flows.PlanID, error) {
	var id int64
	err := db.tx(ctx, func(ctx context.Context, tx pgx.Tx) error {
		if err := recordKey(ctx, tx, p.Team, key); err != nil {
			return err
		}
		var err error
		id, err = insertPlan(ctx, tx, p)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("insert plan: %w", err)
	}
	return flows.PlanID(id), nil
}

// insertPlan adds a plan and makes it its channel's current one.
func insertPlan(ctx context.Context, tx pgx.Tx, p *flows.Plan) (int64, error) {
	var id int64
	err := tx.QueryRow(ctx, `
		INSERT INTO plans (team_id, channel_id, name, name_key, created_by, created_at, stage, step, phase, privacy, thread, kind)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id`,
		p.Team, p.Channel, p.Name, nameKey(p.Name), p.CreatedBy, millis(p.CreatedAt),
		p.Cursor.Stage, p.Cursor.Step, string(p.Cursor.Phase), p.Privacy, p.Thread, string(p.Kind),
	).Scan(&id)
	if pgCode(err) == uniqueViolation {
		return 0, flows.ErrDuplicatePlan
	}
	if err != nil {
		return 0, err
	}
	return id, setCurrent(ctx, tx, p.Team, p.Channel, flows.PlanID(id))
}

func nameKey(name string) string { return strings.ToLower(strings.TrimSpace(name)) }

// Plan loads a plan of the team. A plan of another team is reported as not
// existing: workspaces never learn of each other's plans. The version read
// first is what keeps the cache honest across replicas.
func (db *DB) Plan(ctx context.Context, team string, id flows.PlanID) (*flows.Plan, error) {
	var version, created int64
	err := db.pool.QueryRow(ctx, `SELECT version, created_at FROM plans WHERE team_id = $1 AND id = $2`, team, id).Scan(&version, &created)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, flows.ErrNoPlan
	}
	if err != nil {
		return nil, fmt.Errorf("plan version: %w", err)
	}
	if p, ok := db.cache.get(id, team, version, fromMillis(created)); ok {
		return p, nil
	}
	var p *flows.Plan
	err = db.snapshot(ctx, func(tx pgx.Tx) error {
		var err error
		p, err = loadPlan(ctx, tx, `SELECT `+record.PlanColumns+` FROM plans WHERE team_id = $1 AND id = $2`, team, id)
		return err
	})
	if err != nil {
		return nil, err
	}
	db.cache.put(p)
	return p, nil
}

// PlanByName finds a plan in a channel by name, ignoring case.
func (db *DB) PlanByName(ctx context.Context, team, channel, name string) (*flows.Plan, error) {
	var p *flows.Plan
	err := db.snapshot(ctx, func(tx pgx.Tx) error {
		var err error
		p, err = loadPlan(ctx, tx, `SELECT `+record.PlanColumns+` FROM plans WHERE team_id = $1 AND channel_id = $2 AND name_key = $3`,
			team, channel, nameKey(name))
		return err
	})
	return p, err
}

// PlanIDByThread finds the plan whose coaching conversation is thread.
func (db *DB) PlanIDByThread(ctx context.Context, team, channel, thread string) (flows.PlanID, error) {
	if thread == "" {
		return 0, flows.ErrNoPlan
	}
	var id flows.PlanID
	err := db.pool.QueryRow(ctx, `SELECT id FROM plans WHERE team_id = $1 AND channel_id = $2 AND thread = $3`, team, channel, thread).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, flows.ErrNoPlan
	}
	if err != nil {
		return 0, fmt.Errorf("plan by thread: %w", err)
	}
	return id, nil
}

// Plans lists a channel's plans, oldest first.
func (db *DB) Plans(ctx context.Context, team, channel string) ([]*flows.Plan, error) {
	return db.plansWhere(ctx, `team_id = $1 AND channel_id = $2`, team, channel)
}

// PlansFrom lists the channel's plans with an answer, an action, a KPI or
// a KPI value from the message source, oldest first, in one round trip;
// see coach.Store.PlansFrom. It probes each of the channel's plans by
// plan_id (answers by their UNIQUE (plan_id, question_id, revision),
// actions by actions_by_source, KPIs by (plan_id, key), values by
// measurements_by_source, which a non-empty source lets answer) and loads
// none. The probes sit in a LATERAL subquery with a LIMIT, which the
// planner cannot flatten: written as EXISTS or as joins, it prefers a
// hash of every answer from the message, a full scan of answers, which
// has no index on source (each answer's commit would pay for one).
func (db *DB) PlansFrom(ctx context.Context, team, channel, source string) ([]flows.PlanID, error) {
	if source == "" {
		return nil, nil
	}
	rows, err := db.pool.Query(ctx, `SELECT p.id FROM plans p CROSS JOIN LATERAL (
			SELECT FROM answers a WHERE a.plan_id = p.id AND a.source = $3
			UNION ALL SELECT FROM actions a WHERE a.plan_id = p.id AND a.source = $3 AND a.source <> ''
			UNION ALL SELECT FROM kpis k WHERE k.plan_id = p.id AND k.source = $3
			UNION ALL SELECT FROM measurements m JOIN kpis k ON k.id = m.kpi_id WHERE k.plan_id = p.id AND m.source = $3 AND m.source <> ''
			LIMIT 1) kept
		WHERE p.team_id = $1 AND p.channel_id = $2 ORDER BY p.id`, team, channel, source)
	if err != nil {
		return nil, fmt.Errorf("plans from a message: %w", err)
	}
	plans, err := pgx.CollectRows(rows, pgx.RowTo[flows.PlanID])
	if err != nil {
		return nil, fmt.Errorf("plans from a message: %w", err)
	}
	return plans, nil
}

// TeamPlans lists every plan of a workspace, oldest first.
func (db *DB) TeamPlans(ctx context.Context, team string) ([]*flows.Plan, error) {
	return db.plansWhere(ctx, `team_id = $1`, team)
}

func (db *DB) plansWhere(ctx context.Context, where string, args ...any) ([]*flows.Plan, error) {
	var plans []*flows.Plan
	err := db.snapshot(ctx, func(tx pgx.Tx) error {
		var err error
		plans, err = planParts.List(pgTx{ctx, tx}, `SELECT id FROM plans WHERE `+where+` ORDER BY id`, args...)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("list plans: %w", err)
	}
	return plans, nil
}

// planParts are the queries for the rows a plan is assembled from.
// Answer revisions come in ascending order and statuses oldest first, so
// that replaying them gives the plan the engine saw.
var planParts = record.PlanParts{
	Answers: `SELECT question_id, revision, text, author, created_at, drafted, source, kind, withdraws FROM answers
		WHERE plan_id = $1 ORDER BY question_id COLLATE "C", revision`,
	Skips:   `SELECT question_id FROM skips WHERE plan_id = $1`,
	Stages:  `SELECT stage FROM completed_stages WHERE plan_id = $1`,
	Actions: `SELECT id, number, stage, text, owner, due, impact, effort, created_by, created_at, source, edited_at FROM actions WHERE plan_id = $1 ORDER BY id`,
	ActionStatuses: `SELECT u.action_id, u.status, u.author, u.at FROM action_updates u JOIN actions a ON a.id = u.action_id
		WHERE a.plan_id = $1 ORDER BY u.id`,
	Priors: `SELECT question_id, text, author, from_plan FROM carried_answers WHERE plan_id = $1`,
	KPIs:   kpisQuery,
	ByID:   `SELECT ` + record.PlanColumns + ` FROM plans WHERE id = $1`,
}

func loadPlan(ctx context.Context, tx pgx.Tx, query string, args ...any) (*flows.Plan, error) {
	return planParts.Load(pgTx{ctx, tx}, query, args...)
}

// queryIDs runs a query that returns ids and reads them all, so the rows
// are closed before the ids are used for further queries in the same
// transaction.
func queryIDs(ctx context.Context, tx pgx.Tx, query string, args ...any) ([]int64, error) {
	var ids []int64
	err := each(ctx, tx, record.IDs(&ids), query, args...)
	return ids, err
}

// each runs a query and hands every row to read.
func each(ctx context.Context, tx pgx.Tx, read record.Reader, query string, args ...any) error {
	rows, err := tx.Query(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	return record.ReadAll(rows, read)
}

// pgTx is a transaction as the rules both stores share use it.
type pgTx struct {
	ctx context.Context
	tx  pgx.Tx
}

var _ record.Tx = pgTx{}

func (t pgTx) Row(query string, args ...any) record.Scan {
	row := t.tx.QueryRow(t.ctx, query, args...)
	return func(dest ...any) error {
		err := row.Scan(dest...)
		if errors.Is(err, pgx.ErrNoRows) {
			return record.ErrNoRows
		}
		return err
	}
}

func (t pgTx) Exec(query string, args ...any) (int64, error) {
	tag, err := t.tx.Exec(t.ctx, query, args...)
	return tag.RowsAffected(), err
}

func (t pgTx) Each(read record.Reader, query string, args ...any) error {
	return each(t.ctx, t.tx, read, query, args...)
}

// Commit applies a step's changes in one transaction. The version check
// makes it refuse a step computed from a plan that has moved on since it
// was loaded, by this replica or another, one with no changes too; the key check makes a retried
// delivery record nothing.
func (db *DB) Commit(ctx context.Context, p *flows.Plan, changes []flows.Change, key string) error {
	var applied []flows.Change
	err := db.tx(ctx, func(ctx context.Context, tx pgx.Tx) error {
		if err := recordKey(ctx, tx, p.Team, key); err != nil {
			return err
		}
		if len(changes) == 0 {
			// Nothing to write means no version check in commitTx, yet
			// what the step answers (an action kept because it is under
			// way) holds only while the plan is as p was read.
			return unmoved(ctx, tx, p)
		}
		var err error
		applied, err = commitTx(ctx, tx, p, changes)
		return err
	})
	if err != nil || len(changes) == 0 {
		return err
	}
	db.cacheAfter(p, applied)
	return nil
}

// unmoved fails with flows.ErrConflict if the plan moved since p was
// loaded, and with flows.ErrNoPlan if it is gone. FOR SHARE waits for a
// replica's commit to the plan under way, and then reads what it left.
func unmoved(ctx context.Context, tx pgx.Tx, p *flows.Plan) error {
	var version int64
	err := tx.QueryRow(ctx, `SELECT version FROM plans WHERE id = $1 AND team_id = $2 FOR SHARE`, p.ID, p.Team).Scan(&version)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return flows.ErrNoPlan
	case err != nil:
		return fmt.Errorf("plan version: %w", err)
	case version != p.Version:
		return flows.ErrConflict
	}
	return nil
}

// cacheAfter caches the plan as the commit left it (changes as commitTx
// applied them), so the next answer needs no reload. An added action
// comes back with its id; a KPI's id is not known here, and the plan is
// reloaded after one instead.
func (db *DB) cacheAfter(p *flows.Plan, changes []flows.Change) {
	after, ok := record.Committed(p, changes)
	if !ok {
		db.cache.drop(p.ID)
		return
	}
	db.cache.put(after)
}

// commitTx applies changes to a plan inside tx, refusing them with
// flows.ErrConflict if the plan moved since p was loaded. The UPDATE takes
// the plan's row lock, so a second replica committing to the same plan
// waits here, then finds the version moved. It returns the changes as
// applied: a copy, in which an added action carries its number and the
// id the database gave it, so the cache can take the action in place; the
// caller's slice is left alone, as it may be shared.
func commitTx(ctx context.Context, tx pgx.Tx, p *flows.Plan, changes []flows.Change) ([]flows.Change, error) {
	if len(changes) == 0 {
		return nil, nil
	}
	cursor := p.Cursor
	for _, c := range changes {
		if m, ok := c.(flows.CursorMoved); ok {
			cursor = m.Cursor
		}
	}
	applied := slices.Clone(changes)
	last := record.NumberActions(p, applied)
	tag, err := tx.Exec(ctx, `UPDATE plans SET version = version + 1, stage = $1, step = $2, phase = $3,
		last_action_number = GREATEST(last_action_number, $7)
		WHERE id = $4 AND team_id = $5 AND version = $6`,
		cursor.Stage, cursor.Step, string(cursor.Phase), p.ID, p.Team, p.Version, last)
	if err != nil {
		return nil, fmt.Errorf("update plan: %w", err)
	}
	if tag.RowsAffected() == 0 {
		if err := teamHasPlan(ctx, tx, p.Team, p.ID); err != nil {
			return nil, err
		}
		return nil, flows.ErrConflict
	}
	for i, c := range applied {
		if a, ok := c.(flows.ActionAdded); ok {
			id, err := insertAction(ctx, tx, p.ID, a.Action)
			if err != nil {
				return nil, fmt.Errorf("apply %T: %w", c, err)
			}
			a.Action.ID = id
			applied[i] = a
			continue
		}
		if err := applyChange(ctx, tx, p.ID, c); err != nil {
			return nil, err
		}
	}
	return applied, nil
}

func insertAction(ctx context.Context, tx pgx.Tx, plan flows.PlanID, a flows.Action) (int64, error) {
	var id int64
	err := tx.QueryRow(ctx, `INSERT INTO actions (plan_id, number, stage, text, owner, due, impact, effort, created_by, created_at, source, edited_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id`,
		plan, a.Number, string(a.Stage), a.Text, a.Owner, record.Date(a.Due), a.Impact, a.Effort, a.By, millis(a.At), a.Source, record.OptionalMillis(a.Edited)).Scan(&id)
	return id, err
}

const (
	qAnswer = `INSERT INTO answers (plan_id, question_id, revision, text, author, created_at, drafted, source, kind)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`
	qWithdrawn = `INSERT INTO answers (plan_id, question_id, revision, text, author, created_at, drafted, source, kind, withdraws)
		VALUES ($1, $2, $3, '', $4, $5, false, $6, $7, $8)`
	qUnskip = `DELETE FROM skips WHERE plan_id = $1 AND question_id = $2`
)

func applyChange(ctx context.Context, tx pgx.Tx, plan flows.PlanID, c flows.Change) error {
	var err error
	switch c := c.(type) {
	case flows.AnswerRecorded:
		a := c.Answer
		_, err = tx.Exec(ctx, qAnswer, plan, a.QuestionID, a.Revision, a.Text, a.By, millis(a.At), a.Drafted, a.Source, record.KindAnswer)
		if err == nil {
			_, err = tx.Exec(ctx, qUnskip, plan, a.QuestionID)
		}
	case flows.AnswerAdded:
		o := c.Contribution
		_, err = tx.Exec(ctx, qAnswer, plan, c.QuestionID, c.Revision, o.Text, o.By, millis(o.At), false, o.Source, record.KindAlso)
		if err == nil {
			_, err = tx.Exec(ctx, qUnskip, plan, c.QuestionID)
		}
	case flows.AnswerRevised:
		_, err = tx.Exec(ctx, qAnswer, plan, c.QuestionID, c.Revision, c.Text, c.By, millis(c.At), false, c.Source, record.KindRevised)
	case flows.AnswerWithdrawn:
		_, err = tx.Exec(ctx, qWithdrawn, plan, c.QuestionID, c.Revision, c.By, millis(c.At), c.Source, record.KindWithdrawn, c.Of)
	case flows.QuestionSkipped:
		_, err = tx.Exec(ctx, `INSERT INTO skips (plan_id, question_id) VALUES ($1, $2) ON CONFLICT DO NOTHING`, plan, c.QuestionID)
	case flows.StageCompleted:
		_, err = tx.Exec(ctx, `INSERT INTO completed_stages (plan_id, stage) VALUES ($1, $2) ON CONFLICT DO NOTHING`, plan, string(c.Stage))
	case flows.ActionAdded:
		_, err = insertAction(ctx, tx, plan, c.Action)
	case flows.KPISet:
		k := c.KPI
		k.Plan = plan
		_, err = saveKPI(ctx, tx, k)
	case flows.PrivacySet:
		_, err = tx.Exec(ctx, `UPDATE plans SET privacy = $1 WHERE id = $2`, c.On, plan)
	case flows.ActionStatusSet:
		err = insertActionStatus(ctx, tx, plan, c)
	case flows.ActionRevised:
		_, err = tx.Exec(ctx, `UPDATE actions SET text = $1, owner = $2, due = $3, impact = $4, effort = $5, edited_at = $6 WHERE plan_id = $7 AND source = $8 AND source <> ''`,
			c.Text, c.Owner, record.Date(c.Due), c.Impact, c.Effort, record.OptionalMillis(c.Edited), plan, c.Source)
	case flows.ActionRemoved:
		_, err = tx.Exec(ctx, `DELETE FROM actions WHERE plan_id = $1 AND source = $2 AND source <> ''`, plan, c.Source)
	case flows.KPIRemoved:
		var tag pgconn.CommandTag
		if tag, err = tx.Exec(ctx, `DELETE FROM kpis WHERE plan_id = $1 AND key = $2
			AND NOT EXISTS (SELECT 1 FROM measurements m WHERE m.kpi_id = kpis.id)`, plan, c.Key); err == nil {
			err = record.KPIRemoved(tag.RowsAffected())
		}
	case flows.KindSet:
		_, err = tx.Exec(ctx, `UPDATE plans SET kind = $1 WHERE id = $2`, string(c.Kind), plan)
	case flows.CursorMoved:
		// Written with the version bump above.
	case flows.AskedAuthor:
		// The first row written for a message stays, as with RecordAsked.
		_, err = tx.Exec(ctx, `INSERT INTO asked (plan_id, at, ts, asks, author) VALUES ($1, $2, $3, $4, $5)
			ON CONFLICT DO NOTHING`, plan, c.At, c.TS, c.Asks, c.Author)
	default:
		return fmt.Errorf("unknown change %T", c)
	}
	if err != nil {
		return fmt.Errorf("apply %T: %w", c, err)
	}
	return nil
}

// Revisions lists every row of one question's history, oldest first.
func (db *DB) Revisions(ctx context.Context, team string, plan flows.PlanID, questionID string) ([]flows.Answer, error) {
	var out []flows.Answer
	err := db.snapshot(ctx, func(tx pgx.Tx) error {
		return each(ctx, tx, record.Rows(&out, record.Revision), `SELECT a.question_id, a.revision, a.text, a.author, a.created_at, a.drafted, a.source
			FROM answers a JOIN plans p ON p.id = a.plan_id
			WHERE p.team_id = $1 AND a.plan_id = $2 AND a.question_id = $3 ORDER BY a.revision`, team, plan, questionID)
	})
	return out, err
}

// DeletePlan removes a plan; its answers, actions and the rest go with it
// through ON DELETE CASCADE. Its thread is remembered, so a late reply there
// can be told the plan is gone.
func (db *DB) DeletePlan(ctx context.Context, team string, id flows.PlanID, key string) error {
	return db.tx(ctx, func(ctx context.Context, tx pgx.Tx) error {
		if err := recordKey(ctx, tx, team, key); err != nil {
			return err
		}
		// Its thread and its check-ins' threads are remembered before the
		// plan takes them with it: a late reply or number in any of them
		// is answered.
		_, err := tx.Exec(ctx, `INSERT INTO deleted_threads (team_id, channel_id, thread, name, deleted_at)
			SELECT team_id, channel_id, thread, name, $1::bigint FROM plans WHERE team_id = $2 AND id = $3 AND thread <> ''
			UNION ALL
			SELECT p.team_id, c.channel_id, c.thread, p.name, $1::bigint FROM checkins c JOIN plans p ON p.id = c.plan_id
			WHERE p.team_id = $2 AND p.id = $3 AND c.thread <> ''
			ON CONFLICT (team_id, channel_id, thread) DO UPDATE SET name = excluded.name, deleted_at = excluded.deleted_at`, time.Now().UnixMilli(), team, id)
		if err != nil {
			return err
		}
		tag, err := tx.Exec(ctx, `DELETE FROM plans WHERE team_id = $1 AND id = $2`, team, id)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return flows.ErrNoPlan
		}
		db.cache.drop(id)
		return nil
	})
}

// DeletedPlanName reports the name of the deleted plan a thread belonged to.
func (db *DB) DeletedPlanName(ctx context.Context, team, channel, thread string) (string, bool, error) {
	var name string
	err := db.pool.QueryRow(ctx, `SELECT name FROM deleted_threads WHERE team_id = $1 AND channel_id = $2 AND thread = $3`, team, channel, thread).Scan(&name)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("deleted thread: %w", err)
	}
	return name, true, nil
}

// MarkSeen records the key of an input whose only effect is what racebot
// says back, failing with flows.ErrDuplicate if it was recorded before.
func (db *DB) MarkSeen(ctx context.Context, team, key string) error {
	return db.tx(ctx, func(ctx context.Context, tx pgx.Tx) error { return recordKey(ctx, tx, team, key) })
}

// LeaseKey records key as held from now unless another holder took it
// after staleBefore, and reports whether this call took it. Two takers at
// once meet on the key's row: the second waits for the first and sees its
// fresh time, so only one wins. Pruned with the delivery keys.
func (db *DB) LeaseKey(ctx context.Context, team, key string, staleBefore, now time.Time) (bool, error) {
	var won bool
	err := db.tx(ctx, func(ctx context.Context, tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `
			INSERT INTO seen_keys (team_id, key, seen_at) VALUES ($1, $2, $3)
			ON CONFLICT (team_id, key) DO UPDATE SET seen_at = excluded.seen_at
			WHERE seen_keys.seen_at <= $4`,
			team, key, now.UnixMilli(), staleBefore.UnixMilli())
		won = tag.RowsAffected() == 1
		return err
	})
	if err != nil {
		return false, fmt.Errorf("lease key: %w", err)
	}
	return won, nil
}

// PruneSeen forgets keys recorded before the given time, when Slack has
// long stopped retrying, and the keys of messages (coach.MessageKey, the
// "msg:" prefix) recorded before messagesBefore: a catch-up may read a
// message back days after it was recorded. Workflow steps finished before
// the first time go with them, and those accepted before the second,
// finished or given up, and the placeholders posted (or about to be) before
// the second.
func (db *DB) PruneSeen(ctx context.Context, before, messagesBefore time.Time) error {
	return db.tx(ctx, func(ctx context.Context, tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `DELETE FROM seen_keys WHERE seen_at < $1 AND (left(key, 4) <> 'msg:' OR seen_at < $2)`,
			before.UnixMilli(), messagesBefore.UnixMilli())
		if err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `DELETE FROM workflow_steps WHERE (finished_at <> 0 AND finished_at < $1) OR accepted_at < $2`,
			before.UnixMilli(), messagesBefore.UnixMilli())
		if err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `DELETE FROM placeholders WHERE posted_at < $1`, messagesBefore.UnixMilli())
		if err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `DELETE FROM placeholder_intents WHERE posted_at < $1`, messagesBefore.UnixMilli())
		return err
	})
}

// CurrentPlan returns the plan a channel is working on, or 0.
func (db *DB) CurrentPlan(ctx context.Context, team, channel string) (flows.PlanID, error) {
	var id flows.PlanID
	err := db.pool.QueryRow(ctx, `SELECT plan_id FROM current_plans WHERE team_id = $1 AND channel_id = $2`, team, channel).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("current plan: %w", err)
	}
	return id, nil
}

// SetCurrentPlan records which plan a channel is working on.
func (db *DB) SetCurrentPlan(ctx context.Context, team, channel string, id flows.PlanID, key string) error {
	return db.tx(ctx, func(ctx context.Context, tx pgx.Tx) error {
		if err := recordKey(ctx, tx, team, key); err != nil {
			return err
		}
		return setCurrent(ctx, tx, team, channel, id)
	})
}

func setCurrent(ctx context.Context, tx pgx.Tx, team, channel string, id flows.PlanID) error {
	_, err := tx.Exec(ctx, `INSERT INTO current_plans (team_id, channel_id, plan_id) VALUES ($1, $2, $3)
		ON CONFLICT (team_id, channel_id) DO UPDATE SET plan_id = excluded.plan_id`, team, channel, id)
	return err
}

// BindThread binds a plan to its coaching conversation unless it has one
// already, and returns the thread the plan ends up with. Of two binds,
// from one replica or two, the first wins: the second's UPDATE waits for
// the first's row lock, then finds the thread set and changes nothing.
func (db *DB) BindThread(ctx context.Context, team string, id flows.PlanID, thread string) (string, error) {
	var bound string
	err := db.tx(ctx, func(ctx context.Context, tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `UPDATE plans SET thread = $1, version = version + 1 WHERE team_id = $2 AND id = $3 AND thread = ''`, thread, team, id); err != nil {
			return err
		}
		err := tx.QueryRow(ctx, `SELECT thread FROM plans WHERE team_id = $1 AND id = $2`, team, id).Scan(&bound)
		if errors.Is(err, pgx.ErrNoRows) {
			return flows.ErrNoPlan
		}
		return err
	})
	if err != nil {
		return "", fmt.Errorf("bind thread: %w", err)
	}
	db.cache.drop(id)
	return bound, nil
}
