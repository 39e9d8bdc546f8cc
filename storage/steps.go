package storage

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/racebot/racebot/coach"
)

// AcceptStep records a workflow step unless one with its execution id is
// recorded already, and returns the step as recorded.
func (db *DB) AcceptStep(ctx context.Context, st coach.Step) (coach.Step, error) {
	inputs, err := json.Marshal(st.Inputs)
	if err != nil {
		return coach.Step{}, fmt.Errorf("accept step: %w", err)
	}
	var got coach.Step
	err = db.tx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO workflow_steps (team_id, execution_id, callback_id, inputs, accepted_at)
			VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
			st.Team, st.Execution, st.Function, string(inputs), millis(st.AcceptedAt)); err != nil {
			return err
		}
		rows, err := tx.QueryContext(ctx, `SELECT `+stepColumns+` FROM workflow_steps WHERE team_id = ? AND execution_id = ?`, st.Team, st.Execution)
		if err != nil {
			return err
		}
		steps, err := scanSteps(rows)
		if err == nil && len(steps) == 1 {
			got = steps[0]
		}
		return err
	})
	if err != nil {
		return coach.Step{}, fmt.Errorf("accept step: %w", err)
	}
	return got, nil
}

// FinishStep marks a workflow step finished.
func (db *DB) FinishStep(ctx context.Context, team, execution string, at time.Time) error {
	err := db.tx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE workflow_steps SET finished_at = ? WHERE team_id = ? AND execution_id = ? AND finished_at = 0`,
			millis(at), team, execution)
		return err
	})
	if err != nil {
		return fmt.Errorf("finish step: %w", err)
	}
	return nil
}

// UnfinishedSteps lists the workflow steps of every workspace accepted at
// or after since and before before and not finished, oldest first.
func (db *DB) UnfinishedSteps(ctx context.Context, since, before time.Time) ([]coach.Step, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT `+stepColumns+` FROM workflow_steps
		WHERE finished_at = 0 AND accepted_at >= ? AND accepted_at < ? ORDER BY accepted_at, team_id, execution_id`,
		millis(since), millis(before))
	if err != nil {
		return nil, fmt.Errorf("unfinished steps: %w", classify(err))
	}
	steps, err := scanSteps(rows)
	if err != nil {
		return nil, fmt.Errorf("unfinished steps: %w", classify(err))
	}
	return steps, nil
}

const stepColumns = `team_id, execution_id, callback_id, inputs, accepted_at, finished_at`

func scanSteps(rows *sql.Rows) ([]coach.Step, error) {
	defer rows.Close()
	var out []coach.Step
	for rows.Next() {
		var (
			st                 coach.Step
			inputs             string
			accepted, finished int64
		)
		if err := rows.Scan(&st.Team, &st.Execution, &st.Function, &inputs, &accepted, &finished); err != nil {
			return nil, err
		}
		if err := json.Unmarshal([]byte(inputs), &st.Inputs); err != nil {
			return nil, fmt.Errorf("step %s: inputs: %w", st.Execution, err)
		}
		st.AcceptedAt = fromMillis(accepted)
		if finished != 0 {
			st.FinishedAt = fromMillis(finished)
		}
		out = append(out, st)
	}
	return out, rows.Err()
}
