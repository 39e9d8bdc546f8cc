package storage

import (
	"context"

	"github.com/racebot/racebot/storage/internal/record"
)

// The queries every answer runs, and the reads of the minutely ticks. Each
// connection compiles a text once and keeps it (see compiledDriver).
//
// qBumpCursor also matches created_at: a plan cached here may have been
// deleted by another process and its id reused by a new plan, whose
// version may well equal the cached one's.
const (
	qSeenKey    = `INSERT INTO seen_keys (team_id, key, seen_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING`
	qBumpCursor = `UPDATE plans SET version = version + 1, stage = ?, step = ?, phase = ?, last_action_number = max(last_action_number, ?) WHERE id = ? AND team_id = ? AND version = ? AND created_at = ?`
	qAnswer     = `INSERT INTO answers (plan_id, question_id, revision, text, author, created_at, drafted, source, kind) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`
	qWithdrawn  = `INSERT INTO answers (plan_id, question_id, revision, text, author, created_at, drafted, source, kind, withdraws) VALUES (?, ?, ?, '', ?, ?, 0, ?, ?, ?)`
	qUnskip     = `DELETE FROM skips WHERE plan_id = ? AND question_id = ?`
	qSkip       = `INSERT INTO skips (plan_id, question_id) VALUES (?, ?) ON CONFLICT DO NOTHING`
	qCompleted  = `INSERT INTO completed_stages (plan_id, stage) VALUES (?, ?) ON CONFLICT DO NOTHING`
	qKind       = `UPDATE plans SET kind = ? WHERE id = ?`
	// qAsked runs once for every prompt posted, as often as answers come.
	qAsked = `INSERT INTO asked (plan_id, at, ts, asks)
		SELECT id, ?, ?, ? FROM plans WHERE id = ? AND team_id = ?
		ON CONFLICT DO NOTHING`

	// qAskedAuthor writes a step's flows.AskedAuthor in its commit; the
	// first row written for a message stays, as with qAsked.
	qAskedAuthor = `INSERT INTO asked (plan_id, at, ts, asks, author) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT DO NOTHING`

	qDataVersion = `PRAGMA data_version`

	// What the cache reads when it misses: a plan's row, then its parts.
	qPlan       = `SELECT ` + record.PlanColumns + ` FROM plans WHERE team_id = ? AND id = ?`
	qPlanByName = `SELECT ` + record.PlanColumns + ` FROM plans WHERE team_id = ? AND channel_id = ? AND name_key = ?`
)

// The scheduler's two reads, which every process runs on every tick.
var (
	qDueSchedules       = `SELECT ` + record.ScheduleColumns + ` FROM schedules s JOIN plans p ON p.id = s.plan_id ORDER BY s.plan_id`
	qPendingOccurrences = `SELECT ` + record.OccurrenceColumns + ` FROM occurrences o
		WHERE o.state IN ('claimed', 'retry')
		ORDER BY o.due_at, o.plan_id, o.key`
)

// eachRead runs one read, a statement on its own (so it needs no
// transaction to see one state of the file), and hands every row to read.
func (db *DB) eachRead(ctx context.Context, read record.Reader, query string, args ...any) error {
	rows, err := db.read.QueryContext(ctx, query, args...)
	if err != nil {
		return classify(err)
	}
	defer rows.Close()
	return classify(record.ReadAll(rows, read))
}
