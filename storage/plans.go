package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/racebot/racebot/flows"
	"github.com/racebot/racebot/storage/internal/record"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// recordKey records a delivery's key in the transaction that carries its
// effect, so the key and the effect land together or not at all: a retry
// of a request that failed runs again, a retry of one that landed finds its
// key and is refused with flows.ErrDuplicate. An empty key records nothing.
func (db *DB) recordKey(ctx context.Context, tx *sql.Tx, team, key string) error {
	if key == "" {
		return nil
	}
	res, err := tx.ExecContext(ctx, qSeenKey, team, key, time.Now().UnixMilli())
	if err != nil {
		return fmt.Errorf("record key: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return flows.ErrDuplicate
	}
	return nil
}

// CreatePlan stores a new plan and makes it its channel's current plan,
// refusing a name already used in the channel.
func (db *DB) CreatePlan(ctx context.Context, p *flows.Plan, key string) (flows.PlanID, error) {
	var id int64
	gen := db.cache.generation()
	err := db.tx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		if err := db.recordKey(ctx, tx, p.Team, key); err != nil {
			return err
		}
		var err error
		id, err = insertPlan(ctx, tx, p)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("insert plan: %w", err)
	}
	db.cacheCreated(p, flows.PlanID(id), gen)
	return flows.PlanID(id), nil
}

// cacheCreated caches a plan just created, when the row is all there is of
// it, as it is for a new plan: its first answers then need no load. It
// has asked nothing yet either.
func (db *DB) cacheCreated(p *flows.Plan, id flows.PlanID, gen uint64) {
	if len(p.Answers) > 0 || len(p.Skipped) > 0 || len(p.Completed) > 0 || len(p.Actions) > 0 || len(p.KPIs) > 0 {
		return
	}
	c := p.Clone()
	c.ID, c.Version = id, 0
	db.cache.putCreated(c, gen)
}

// insertPlan adds a plan and makes it its channel's current one. Its id
// is past every id given before, deleted plans' included (see
// migrations/0021_plan_ids.sql).
func insertPlan(ctx context.Context, tx *sql.Tx, p *flows.Plan) (int64, error) {
	var id int64
	err := tx.QueryRowContext(ctx, `
		INSERT INTO plans (id, team_id, channel_id, name, name_key, created_by, created_at, stage, step, phase, privacy, thread, kind)
		VALUES ((SELECT last + 1 FROM plan_ids), ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		p.Team, p.Channel, p.Name, nameKey(p.Name), p.CreatedBy, millis(p.CreatedAt),
		p.Cursor.Stage, p.Cursor.Step, string(p.Cursor.Phase), p.Privacy, p.Thread, string(p.Kind),
	).Scan(&id)
	if isConstraint(err) {
		return 0, flows.ErrDuplicatePlan
	}
	if err != nil {
		return 0, err
	}
	return id, setCurrent(ctx, tx, p.Team, p.Channel, flows.PlanID(id))
}

func nameKey(name string) string { return strings.ToLower(strings.TrimSpace(name)) }

func isConstraint(err error) bool {
	var se *sqlite.Error
	return errors.As(err, &se) && se.Code()&0xff == sqlite3.SQLITE_CONSTRAINT
}

// Plan loads a plan of the team. A plan of another team is reported as not
// existing: workspaces never learn of each other's plans.
//
// A cached plan is returned without reading the file (see planCache):
// every change this process makes updates or drops it, and a commit from
// a plan another process has moved since fails with flows.ErrConflict
// and drops it, so the caller's retry loads it afresh.
func (db *DB) Plan(ctx context.Context, team string, id flows.PlanID) (*flows.Plan, error) {
	if p, ok := db.cache.get(team, id); ok {
		return p, nil
	}
	gen := db.cache.generation()
	var p *flows.Plan
	err := db.snapshot(ctx, func(tx *sql.Tx) error {
		var err error
		p, err = planParts.Load(sqlTx{ctx: ctx, tx: tx}, qPlan, team, id)
		return err
	})
	if err != nil {
		return nil, err
	}
	db.cache.put(p, gen)
	return p, nil
}

// PlanByName finds a plan in a channel by name, ignoring case.
func (db *DB) PlanByName(ctx context.Context, team, channel, name string) (*flows.Plan, error) {
	var p *flows.Plan
	err := db.snapshot(ctx, func(tx *sql.Tx) error {
		var err error
		p, err = planParts.Load(sqlTx{ctx: ctx, tx: tx}, qPlanByName, team, channel, nameKey(name))
		return err
	})
	return p, err
}

// PlanIDByThread finds the plan whose coaching conversation is thread:
// from the cache when the plan is cached (a plan keeps its thread for
// life), else from one indexed row.
func (db *DB) PlanIDByThread(ctx context.Context, team, channel, thread string) (flows.PlanID, error) {
	if thread == "" {
		return 0, flows.ErrNoPlan
	}
	if id, ok := db.cache.thread(team, channel, thread); ok {
		return id, nil
	}
	var id flows.PlanID
	err := db.read.QueryRowContext(ctx, `SELECT id FROM plans WHERE team_id = ? AND channel_id = ? AND thread = ?`, team, channel, thread).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, flows.ErrNoPlan
	}
	if err != nil {
		return 0, fmt.Errorf("plan by thread: %w", classify(err))
	}
	return id, nil
}

// Plans lists a channel's plans, oldest first.
func (db *DB) Plans(ctx context.Context, team, channel string) ([]*flows.Plan, error) {
	return db.plansWhere(ctx, `team_id = ? AND channel_id = ?`, team, channel)
}

// PlansFrom lists the channel's plans with an answer, an action, a KPI or
// a KPI value from the message source, oldest first; see
// coach.Store.PlansFrom. It probes each of the channel's plans by plan_id
// (answers by their UNIQUE (plan_id, question_id, revision), actions by
// actions_by_source, KPIs by (plan_id, key)) and finds the values by
// measurements_by_source, which a non-empty source lets answer, so it
// scans no table and loads no plan. Answers have no index on source:
// every answer's commit would pay for one.
func (db *DB) PlansFrom(ctx context.Context, team, channel, source string) ([]flows.PlanID, error) {
	if source == "" {
		return nil, nil
	}
	var ids []int64
	if err := db.eachRead(ctx, record.IDs(&ids), qPlansFrom, team, channel, source); err != nil {
		return nil, fmt.Errorf("plans from a message: %w", err)
	}
	plans := make([]flows.PlanID, len(ids))
	for i, id := range ids {
		plans[i] = flows.PlanID(id)
	}
	return plans, nil
}

// qPlansFrom finds the plans of a channel (?1, ?2) that keep something
// from a message (?3).
const qPlansFrom = `SELECT p.id FROM plans p WHERE p.team_id = ?1 AND p.channel_id = ?2 AND (
	EXISTS (SELECT 1 FROM answers a WHERE a.plan_id = p.id AND a.source = ?3)
	OR EXISTS (SELECT 1 FROM actions a WHERE a.plan_id = p.id AND a.source = ?3 AND a.source <> '')
	OR EXISTS (SELECT 1 FROM kpis k WHERE k.plan_id = p.id AND k.source = ?3)
	OR p.id IN (SELECT k.plan_id FROM measurements m JOIN kpis k ON k.id = m.kpi_id WHERE m.source = ?3 AND m.source <> ''))
	ORDER BY p.id`

// TeamPlans lists every plan of a workspace, oldest first.
func (db *DB) TeamPlans(ctx context.Context, team string) ([]*flows.Plan, error) {
	return db.plansWhere(ctx, `team_id = ?`, team)
}

func (db *DB) plansWhere(ctx context.Context, where string, args ...any) ([]*flows.Plan, error) {
	var plans []*flows.Plan
	err := db.snapshot(ctx, func(tx *sql.Tx) error {
		var err error
		plans, err = planParts.List(sqlTx{ctx: ctx, tx: tx}, `SELECT id FROM plans WHERE `+where+` ORDER BY id`, args...)
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
	Answers: `SELECT question_id, revision, text, author, created_at, drafted, source, kind, withdraws FROM answers WHERE plan_id = ? ORDER BY question_id, revision`,
	Skips:   `SELECT question_id FROM skips WHERE plan_id = ?`,
	Stages:  `SELECT stage FROM completed_stages WHERE plan_id = ?`,
	Actions: `SELECT id, number, stage, text, owner, due, impact, effort, created_by, created_at, source, edited_at FROM actions WHERE plan_id = ? ORDER BY id`,
	ActionStatuses: `SELECT u.action_id, u.status, u.author, u.at FROM action_updates u JOIN actions a ON a.id = u.action_id
		WHERE a.plan_id = ? ORDER BY u.id`,
	Priors: `SELECT question_id, text, author, from_plan FROM carried_answers WHERE plan_id = ?`,
	KPIs:   kpisQuery,
	ByID:   `SELECT ` + record.PlanColumns + ` FROM plans WHERE id = ?`,
}

// queryIDs runs a query that returns ids and reads them all, so the rows
// are closed before the ids are used for further queries in the same
// transaction.
func queryIDs(ctx context.Context, tx *sql.Tx, query string, args ...any) ([]int64, error) {
	var ids []int64
	err := each(ctx, tx, record.IDs(&ids), query, args...)
	return ids, err
}

// each runs a query and hands every row to read.
func each(ctx context.Context, tx *sql.Tx, read record.Reader, query string, args ...any) error {
	return sqlTx{ctx: ctx, tx: tx}.Each(read, query, args...)
}

// sqlTx is a transaction as the rules both stores share use it.
type sqlTx struct {
	ctx context.Context
	tx  *sql.Tx
}

var _ record.Tx = sqlTx{}

func (t sqlTx) Row(query string, args ...any) record.Scan {
	row := t.tx.QueryRowContext(t.ctx, query, args...)
	return func(dest ...any) error {
		err := row.Scan(dest...)
		if errors.Is(err, sql.ErrNoRows) {
			return record.ErrNoRows
		}
		return err
	}
}

func (t sqlTx) Exec(query string, args ...any) (int64, error) {
	res, err := t.tx.ExecContext(t.ctx, query, args...)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

func (t sqlTx) Each(read record.Reader, query string, args ...any) error {
	rows, err := t.tx.QueryContext(t.ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	return record.ReadAll(rows, read)
}

// Commit applies a step's changes in one transaction. The version check makes
// it refuse a step computed from a plan that has moved on since it was loaded,
// one with no changes too; the key check makes a retried delivery record
// nothing.
func (db *DB) Commit(ctx context.Context, p *flows.Plan, changes []flows.Change, key string) error {
	gen := db.cache.generation()
	err := db.commit(ctx, p, changes, key)
	db.cacheAfter(p, changes, gen, err)
	return err
}

// cacheAfter brings the cache up to date with a commit of changes to p
// that began at generation gen and ended with err. After a success it
// caches the plan as the commit left it, so the next answer needs no
// load. An added action comes back with its id (see commitTx); a KPI's id
// is not known here, and the plan is loaded afresh after one instead.
// After a conflict it drops the plan: the cached copy is behind the file
// (another process moved it), and the caller's retry must load it.
func (db *DB) cacheAfter(p *flows.Plan, changes []flows.Change, gen uint64, err error) {
	switch {
	case errors.Is(err, flows.ErrConflict), errors.Is(err, flows.ErrNoPlan):
		db.cache.drop(p.ID)
		return
	case err != nil, len(changes) == 0:
		return
	}
	after, ok := record.Committed(p, changes)
	if !ok {
		db.cache.drop(p.ID)
		return
	}
	db.cache.committed(after, gen)
	for _, c := range changes {
		if c, ok := c.(flows.AskedAuthor); ok {
			db.cache.asked(p.Team, p.ID, c.At, c.Asks, c.Author)
		}
	}
}

func (db *DB) commit(ctx context.Context, p *flows.Plan, changes []flows.Change, key string) error {
	return db.tx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		if err := db.recordKey(ctx, tx, p.Team, key); err != nil {
			return err
		}
		if len(changes) == 0 {
			// Nothing to write means no version check in commitTx, yet
			// what the step answers (an action kept because it is under
			// way) holds only while the plan is as p was read.
			return unmoved(ctx, tx, p)
		}
		return db.commitTx(ctx, tx, p, changes)
	})
}

// unmoved fails with flows.ErrConflict if the plan moved since p was
// loaded, and with flows.ErrNoPlan if it is gone.
func unmoved(ctx context.Context, tx *sql.Tx, p *flows.Plan) error {
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM plans WHERE id = ? AND team_id = ? AND version = ? AND created_at = ?`,
		p.ID, p.Team, p.Version, millis(p.CreatedAt)).Scan(&n); err != nil {
		return fmt.Errorf("plan version: %w", err)
	}
	if n == 0 {
		return planGoneOrMoved(ctx, tx, p)
	}
	return nil
}

// planGoneOrMoved tells, after a version check failed, whether p's plan is
// gone (flows.ErrNoPlan) or moved on (flows.ErrConflict).
func planGoneOrMoved(ctx context.Context, tx *sql.Tx, p *flows.Plan) error {
	var exists int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM plans WHERE id = ? AND team_id = ? AND created_at = ?`, p.ID, p.Team, millis(p.CreatedAt)).Scan(&exists); err != nil {
		return err
	}
	if exists == 0 {
		return flows.ErrNoPlan
	}
	return flows.ErrConflict
}

// commitTx applies changes to a plan inside tx, refusing them with
// flows.ErrConflict if the plan moved since p was loaded.
func (db *DB) commitTx(ctx context.Context, tx *sql.Tx, p *flows.Plan, changes []flows.Change) error {
	if len(changes) == 0 {
		return nil
	}
	cursor := p.Cursor
	for _, c := range changes {
		if m, ok := c.(flows.CursorMoved); ok {
			cursor = m.Cursor
		}
	}
	res, err := tx.ExecContext(ctx, qBumpCursor, cursor.Stage, cursor.Step, string(cursor.Phase), record.LastActionNumber(p, changes), p.ID, p.Team, p.Version, millis(p.CreatedAt))
	if err != nil {
		return fmt.Errorf("update plan: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return planGoneOrMoved(ctx, tx, p)
	}
	// Added actions take their numbers in place, as they take their ids
	// below, once the version check vouches for p's: the cache takes the
	// actions as they were stored.
	record.NumberActions(p, changes)
	// The version check just passed, so the file's skips are p's, and
	// those the changes add as they go.
	var skipped []string
	isSkipped := func(q string) bool { return p.Skipped[q] || slices.Contains(skipped, q) }
	for i, c := range changes {
		if a, ok := c.(flows.ActionAdded); ok {
			// The action's id comes from the database; the change carries
			// it back, so the cached plan can take the action in place
			// instead of being read again (a plan with a long action list
			// would otherwise be reloaded on every action added).
			id, err := insertAction(ctx, tx, p.ID, a.Action)
			if err != nil {
				return fmt.Errorf("apply %T: %w", c, err)
			}
			a.Action.ID = id
			changes[i] = a
			continue
		}
		if q, ok := c.(flows.QuestionSkipped); ok {
			skipped = append(skipped, q.QuestionID)
		}
		if err := db.applyChange(ctx, tx, p.ID, c, isSkipped); err != nil {
			return err
		}
	}
	return nil
}

func insertAction(ctx context.Context, tx *sql.Tx, plan flows.PlanID, a flows.Action) (int64, error) {
	var id int64
	// Past every id given before, removed actions' included (see
	// migrations/0027_action_ids.sql).
	err := tx.QueryRowContext(ctx, `INSERT INTO actions (id, plan_id, number, stage, text, owner, due, impact, effort, created_by, created_at, source, edited_at)
		VALUES ((SELECT last + 1 FROM action_ids), ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		plan, a.Number, string(a.Stage), a.Text, a.Owner, record.Date(a.Due), a.Impact, a.Effort, a.By, millis(a.At), a.Source, record.OptionalMillis(a.Edited)).Scan(&id)
	return id, err
}

// applyChange writes one change of a plan's step. isSkipped says whether a
// question stands skipped in the file, so that answering it only deletes
// the skip when there is one: a statement less for nearly every answer.
func (db *DB) applyChange(ctx context.Context, tx *sql.Tx, plan flows.PlanID, c flows.Change, isSkipped func(string) bool) error {
	var err error
	switch c := c.(type) {
	case flows.AnswerRecorded:
		a := c.Answer
		_, err = tx.ExecContext(ctx, qAnswer, plan, a.QuestionID, a.Revision, a.Text, a.By, millis(a.At), a.Drafted, a.Source, record.KindAnswer)
		if err == nil && isSkipped(a.QuestionID) {
			_, err = tx.ExecContext(ctx, qUnskip, plan, a.QuestionID)
		}
	case flows.AnswerAdded:
		o := c.Contribution
		_, err = tx.ExecContext(ctx, qAnswer, plan, c.QuestionID, c.Revision, o.Text, o.By, millis(o.At), false, o.Source, record.KindAlso)
		if err == nil && isSkipped(c.QuestionID) {
			_, err = tx.ExecContext(ctx, qUnskip, plan, c.QuestionID)
		}
	case flows.AnswerRevised:
		_, err = tx.ExecContext(ctx, qAnswer, plan, c.QuestionID, c.Revision, c.Text, c.By, millis(c.At), false, c.Source, record.KindRevised)
	case flows.AnswerWithdrawn:
		_, err = tx.ExecContext(ctx, qWithdrawn, plan, c.QuestionID, c.Revision, c.By, millis(c.At), c.Source, record.KindWithdrawn, c.Of)
	case flows.QuestionSkipped:
		_, err = tx.ExecContext(ctx, qSkip, plan, c.QuestionID)
	case flows.StageCompleted:
		_, err = tx.ExecContext(ctx, qCompleted, plan, string(c.Stage))
	case flows.ActionAdded:
		_, err = insertAction(ctx, tx, plan, c.Action)
	case flows.KPISet:
		k := c.KPI
		k.Plan = plan
		_, err = saveKPI(ctx, tx, k)
	case flows.PrivacySet:
		_, err = tx.ExecContext(ctx, `UPDATE plans SET privacy = ? WHERE id = ?`, c.On, plan)
	case flows.ActionStatusSet:
		err = insertActionStatus(ctx, tx, plan, c)
	case flows.ActionRevised:
		_, err = tx.ExecContext(ctx, `UPDATE actions SET text = ?, owner = ?, due = ?, impact = ?, effort = ?, edited_at = ? WHERE plan_id = ? AND source = ? AND source <> ''`,
			c.Text, c.Owner, record.Date(c.Due), c.Impact, c.Effort, record.OptionalMillis(c.Edited), plan, c.Source)
	case flows.ActionRemoved:
		_, err = tx.ExecContext(ctx, `DELETE FROM actions WHERE plan_id = ? AND source = ? AND source <> ''`, plan, c.Source)
	case flows.KPIRemoved:
		var res sql.Result
		if res, err = tx.ExecContext(ctx, `DELETE FROM kpis WHERE plan_id = ? AND key = ?
			AND NOT EXISTS (SELECT 1 FROM measurements m WHERE m.kpi_id = kpis.id)`, plan, c.Key); err == nil {
			var n int64
			if n, err = res.RowsAffected(); err == nil {
				err = record.KPIRemoved(n)
			}
		}
	case flows.KindSet:
		_, err = tx.ExecContext(ctx, qKind, string(c.Kind), plan)
	case flows.CursorMoved:
		// Written with the version bump above.
	case flows.AskedAuthor:
		_, err = tx.ExecContext(ctx, qAskedAuthor, plan, c.At, c.TS, c.Asks, c.Author)
	default:
		return fmt.Errorf("unknown change %T", c)
	}
	if err != nil {
		return fmt.Errorf("apply %T: %w", c, err)
	}
	return nil
}

// Revisions lists every row of one question's history, oldest first: each
// text it was given, co-answers, edits and withdrawals (with no text)
// included.
func (db *DB) Revisions(ctx context.Context, team string, plan flows.PlanID, questionID string) ([]flows.Answer, error) {
	var out []flows.Answer
	err := db.snapshot(ctx, func(tx *sql.Tx) error {
		return each(ctx, tx, record.Rows(&out, record.Revision), `SELECT a.question_id, a.revision, a.text, a.author, a.created_at, a.drafted, a.source
			FROM answers a JOIN plans p ON p.id = a.plan_id
			WHERE p.team_id = ? AND a.plan_id = ? AND a.question_id = ? ORDER BY a.revision`, team, plan, questionID)
	})
	return out, err
}

// DeletePlan removes a plan; its answers, actions and the rest go with it
// through ON DELETE CASCADE. Its thread is remembered, so a late reply there
// can be told the plan is gone.
func (db *DB) DeletePlan(ctx context.Context, team string, id flows.PlanID, key string) error {
	// Dropped once the delete is over, not inside it: a load between the
	// drop and the commit would cache the plan again.
	defer db.cache.drop(id)
	return db.tx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		if err := db.recordKey(ctx, tx, team, key); err != nil {
			return err
		}
		// Its thread and its check-ins' threads are remembered before the
		// plan takes them with it: a late reply or number in any of them
		// is answered. (The WHERE of the last SELECT also keeps SQLite
		// from reading ON CONFLICT as a join's ON.)
		_, err := tx.ExecContext(ctx, `INSERT INTO deleted_threads (team_id, channel_id, thread, name, deleted_at)
			SELECT team_id, channel_id, thread, name, ?1 FROM plans WHERE team_id = ?2 AND id = ?3 AND thread <> ''
			UNION ALL
			SELECT p.team_id, c.channel_id, c.thread, p.name, ?1 FROM checkins c JOIN plans p ON p.id = c.plan_id
			WHERE p.team_id = ?2 AND p.id = ?3 AND c.thread <> ''
			ON CONFLICT DO UPDATE SET name = excluded.name, deleted_at = excluded.deleted_at`, time.Now().UnixMilli(), team, id)
		if err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `DELETE FROM plans WHERE team_id = ? AND id = ?`, team, id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return flows.ErrNoPlan
		}
		return nil
	})
}

// DeletedPlanName reports the name of the deleted plan a thread belonged to.
func (db *DB) DeletedPlanName(ctx context.Context, team, channel, thread string) (string, bool, error) {
	var name string
	err := db.read.QueryRowContext(ctx, `SELECT name FROM deleted_threads WHERE team_id = ? AND channel_id = ? AND thread = ?`, team, channel, thread).Scan(&name)
	if errors.Is(err, sql.ErrNoRows) {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("deleted thread: %w", classify(err))
	}
	return name, true, nil
}

// MarkSeen records the key of an input whose only effect is what racebot
// says back (status, help), failing with flows.ErrDuplicate if it was
// recorded before.
func (db *DB) MarkSeen(ctx context.Context, team, key string) error {
	return db.tx(ctx, func(ctx context.Context, tx *sql.Tx) error { return db.recordKey(ctx, tx, team, key) })
}

// LeaseKey records key as held from now unless another holder took it
// after staleBefore, and reports whether this call took it. The upsert's
// condition holds for the first of several takers only, across processes
// as much as goroutines. Pruned with the delivery keys.
func (db *DB) LeaseKey(ctx context.Context, team, key string, staleBefore, now time.Time) (bool, error) {
	var won bool
	err := db.tx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `
			INSERT INTO seen_keys (team_id, key, seen_at) VALUES (?, ?, ?)
			ON CONFLICT (team_id, key) DO UPDATE SET seen_at = excluded.seen_at
			WHERE seen_keys.seen_at <= ?`,
			team, key, now.UnixMilli(), staleBefore.UnixMilli())
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		won = n == 1
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
	return db.tx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `DELETE FROM seen_keys WHERE seen_at < ? AND (substr(key, 1, 4) <> 'msg:' OR seen_at < ?)`,
			before.UnixMilli(), messagesBefore.UnixMilli())
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `DELETE FROM workflow_steps WHERE (finished_at <> 0 AND finished_at < ?) OR accepted_at < ?`,
			before.UnixMilli(), messagesBefore.UnixMilli())
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `DELETE FROM placeholders WHERE posted_at < ?`, messagesBefore.UnixMilli())
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `DELETE FROM placeholder_intents WHERE posted_at < ?`, messagesBefore.UnixMilli())
		return err
	})
}

// CurrentPlan returns the plan a channel is working on, or 0.
func (db *DB) CurrentPlan(ctx context.Context, team, channel string) (flows.PlanID, error) {
	var id flows.PlanID
	err := db.read.QueryRowContext(ctx, `SELECT plan_id FROM current_plans WHERE team_id = ? AND channel_id = ?`, team, channel).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("current plan: %w", classify(err))
	}
	return id, nil
}

// SetCurrentPlan records which plan a channel is working on.
func (db *DB) SetCurrentPlan(ctx context.Context, team, channel string, id flows.PlanID, key string) error {
	return db.tx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		if err := db.recordKey(ctx, tx, team, key); err != nil {
			return err
		}
		return setCurrent(ctx, tx, team, channel, id)
	})
}

func setCurrent(ctx context.Context, tx *sql.Tx, team, channel string, id flows.PlanID) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO current_plans (team_id, channel_id, plan_id) VALUES (?, ?, ?)
		ON CONFLICT (team_id, channel_id) DO UPDATE SET plan_id = excluded.plan_id`, team, channel, id)
	return err
}

// BindThread binds a plan to its coaching conversation (a Slack thread ts)
// unless it has one already, and returns the thread the plan ends up with.
// Two posts of a plan's header can race (two /race new acknowledged before
// either header is out); the first to bind wins, and the loser learns the
// winner's thread instead of overwriting it.
func (db *DB) BindThread(ctx context.Context, team string, id flows.PlanID, thread string) (string, error) {
	var (
		bound   string
		version int64 // the plan's version after binding it here; 0 when it was bound before
	)
	gen := db.cache.generation()
	err := db.tx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		version = 0
		err := tx.QueryRowContext(ctx, `UPDATE plans SET thread = ?, version = version + 1 WHERE team_id = ? AND id = ? AND thread = '' RETURNING version`,
			thread, team, id).Scan(&version)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		err = tx.QueryRowContext(ctx, `SELECT thread FROM plans WHERE team_id = ? AND id = ?`, team, id).Scan(&bound)
		if errors.Is(err, sql.ErrNoRows) {
			return flows.ErrNoPlan
		}
		return err
	})
	if err != nil {
		db.cache.drop(id)
		return "", fmt.Errorf("bind thread: %w", err)
	}
	if version != 0 {
		db.cache.bound(team, id, thread, version, gen)
	}
	return bound, nil
}
