package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/racebot/racebot/flows"
	"github.com/racebot/racebot/storage/internal/record"
)

// insertActionStatus records a new status of one of a plan's actions. The
// action must belong to the plan: a status change never reaches across
// plans, and so never across workspaces.
func insertActionStatus(ctx context.Context, tx *sql.Tx, plan flows.PlanID, c flows.ActionStatusSet) error {
	res, err := tx.ExecContext(ctx, `INSERT INTO action_updates (action_id, status, author, at)
		SELECT id, ?, ?, ? FROM actions WHERE id = ? AND plan_id = ?`,
		string(c.Status), c.By, millis(c.At), c.Action, plan)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("action %d is not in plan %d: %w", c.Action, plan, flows.ErrConflict)
	}
	return nil
}

// CreatePlanFrom stores a plan started from an earlier one (see
// flows.CarryOver): the plan, the answers it offers as starting points and
// the KPIs it carried over, in one transaction with the delivery key, and
// makes it its channel's current plan.
func (db *DB) CreatePlanFrom(ctx context.Context, p *flows.Plan, key string) (flows.PlanID, error) {
	var id int64
	err := db.tx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		if err := db.recordKey(ctx, tx, p.Team, key); err != nil {
			return err
		}
		var err error
		if id, err = insertPlan(ctx, tx, p); err != nil {
			return err
		}
		for qid, pr := range p.Prior {
			if _, err := tx.ExecContext(ctx, `INSERT INTO carried_answers (plan_id, question_id, text, author, from_plan) VALUES (?, ?, ?, ?, ?)`,
				id, qid, pr.Text, pr.By, pr.From); err != nil {
				return err
			}
		}
		for _, k := range p.KPIs {
			k.Plan = flows.PlanID(id)
			if _, err := saveKPI(ctx, tx, k); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("insert plan: %w", err)
	}
	return flows.PlanID(id), nil
}

// AddCapabilityRating stores a rating of a team's capability with its
// delivery key.
func (db *DB) AddCapabilityRating(ctx context.Context, r flows.CapabilityRating, key string) (int64, error) {
	var id int64
	err := db.tx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		if err := db.recordKey(ctx, tx, r.Team, key); err != nil {
			return err
		}
		var plan any
		if r.Plan != 0 {
			if err := teamHasPlan(ctx, tx, r.Team, r.Plan); err != nil {
				return err
			}
			plan = r.Plan
		}
		if err := tx.QueryRowContext(ctx, `INSERT INTO capability_ratings (team_id, channel_id, plan_id, rated_by, rated_at)
			VALUES (?, ?, ?, ?, ?) RETURNING id`, r.Team, r.Channel, plan, r.By, millis(r.At)).Scan(&id); err != nil {
			return err
		}
		for st, n := range r.Scores {
			if _, err := tx.ExecContext(ctx, `INSERT INTO capability_scores (rating_id, stage, score) VALUES (?, ?, ?)`, id, string(st), n); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("add capability rating: %w", err)
	}
	return id, nil
}

// CapabilityHistory lists a channel's capability ratings, newest first, at
// most limit of them.
func (db *DB) CapabilityHistory(ctx context.Context, team, channel string, limit int) ([]flows.CapabilityRating, error) {
	var out []flows.CapabilityRating
	err := db.snapshot(ctx, func(tx *sql.Tx) error {
		if err := each(ctx, tx, record.CapabilityRatings(team, channel, &out), `SELECT id, plan_id, rated_by, rated_at FROM capability_ratings WHERE team_id = ? AND channel_id = ?
			ORDER BY rated_at DESC, id DESC LIMIT ?`, team, channel, limit); err != nil {
			return err
		}
		for i := range out {
			r := &out[i]
			if err := each(ctx, tx, record.Scores(r), `SELECT stage, score FROM capability_scores WHERE rating_id = ?`, r.ID); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("capability history: %w", err)
	}
	return out, nil
}

// capabilityReminderQueries are the SQL of the capability reminder claim.
var capabilityReminderQueries = record.CapabilityReminderQueries{
	Rated: `SELECT EXISTS (SELECT 1 FROM capability_ratings WHERE team_id = ? AND channel_id = ? AND rated_at >= ?)`,
	Claim: `INSERT INTO capability_reminders (team_id, channel_id, quarter, plan_id, occurrence, claimed_at)
		VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
	Held: `SELECT plan_id, occurrence FROM capability_reminders WHERE team_id = ? AND channel_id = ? AND quarter = ?`,
}

// ClaimCapabilityReminder claims the quarter's capability reminder for a
// channel on behalf of one check-in occurrence. It reports true when the
// occurrence holds the claim: it made it now, or made it before and this
// is a retry of the same occurrence (whose earlier post certainly did not
// go out). It reports false when another occurrence has it, or when the
// team rated itself since the quarter began, which makes a reminder moot.
func (db *DB) ClaimCapabilityReminder(ctx context.Context, team, channel string, plan flows.PlanID, quarter, occurrence string, since, now time.Time) (bool, error) {
	var ours bool
	err := db.tx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		var err error
		ours, err = record.ClaimCapabilityReminder(sqlTx{ctx: ctx, tx: tx}, &capabilityReminderQueries, team, channel, plan, quarter, occurrence, millis(since), millis(now))
		return err
	})
	if err != nil {
		return false, fmt.Errorf("claim capability reminder: %w", err)
	}
	return ours, nil
}

// OpenRetro stores a new retro of a team's plan with the delivery key and
// returns its id.
func (db *DB) OpenRetro(ctx context.Context, r flows.Retro, key string) (int64, error) {
	var id int64
	err := db.tx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		if err := db.recordKey(ctx, tx, r.Team, key); err != nil {
			return err
		}
		if err := teamHasPlan(ctx, tx, r.Team, r.Plan); err != nil {
			return err
		}
		return tx.QueryRowContext(ctx, `INSERT INTO retros (plan_id, channel_id, thread, opened_by, opened_at) VALUES (?, ?, ?, ?, ?) RETURNING id`,
			r.Plan, r.Channel, r.Thread, r.By, millis(r.At)).Scan(&id)
	})
	if err != nil {
		return 0, fmt.Errorf("open retro: %w", err)
	}
	return id, nil
}

// SetRetroThread records the thread a retro's opening message started,
// unless it has one.
func (db *DB) SetRetroThread(ctx context.Context, team string, id int64, thread string) error {
	err := db.tx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE retros SET thread = ? WHERE id = ? AND thread = ''
			AND plan_id IN (SELECT id FROM plans WHERE team_id = ?)`, thread, id, team)
		return err
	})
	if err != nil {
		return fmt.Errorf("set retro thread: %w", err)
	}
	return nil
}

// Retro loads a team's retro with its answers, or fails with
// flows.ErrNoRetro.
func (db *DB) Retro(ctx context.Context, team string, id int64) (flows.Retro, error) {
	return db.loadRetro(ctx, `SELECT `+record.RetroColumns+` FROM retros r JOIN plans p ON p.id = r.plan_id WHERE p.team_id = ? AND r.id = ?`, team, id)
}

// RetroByThread finds the retro whose conversation is thread.
func (db *DB) RetroByThread(ctx context.Context, team, channel, thread string) (flows.Retro, error) {
	if thread == "" {
		return flows.Retro{}, flows.ErrNoRetro
	}
	return db.loadRetro(ctx, `SELECT `+record.RetroColumns+` FROM retros r JOIN plans p ON p.id = r.plan_id
		WHERE p.team_id = ? AND r.channel_id = ? AND r.thread = ?`, team, channel, thread)
}

// LatestRetro loads the newest retro of a team's plan, reporting false when
// it has none.
func (db *DB) LatestRetro(ctx context.Context, team string, plan flows.PlanID) (flows.Retro, bool, error) {
	r, err := db.loadRetro(ctx, `SELECT `+record.RetroColumns+` FROM retros r JOIN plans p ON p.id = r.plan_id
		WHERE p.team_id = ? AND r.plan_id = ? ORDER BY r.id DESC LIMIT 1`, team, plan)
	if errors.Is(err, flows.ErrNoRetro) {
		return flows.Retro{}, false, nil
	}
	return r, err == nil, err
}

func (db *DB) loadRetro(ctx context.Context, query string, args ...any) (flows.Retro, error) {
	var r flows.Retro
	err := db.snapshot(ctx, func(tx *sql.Tx) error {
		var err error
		r, err = record.Retro(tx.QueryRowContext(ctx, query, args...).Scan)
		if errors.Is(err, sql.ErrNoRows) {
			return flows.ErrNoRetro
		}
		if err != nil {
			return err
		}
		return each(ctx, tx, record.Rows(&r.Answers, record.RetroAnswer), `SELECT question, text, author, at, source, labelled FROM retro_answers WHERE retro_id = ? ORDER BY id`, r.ID)
	})
	if err != nil {
		if errors.Is(err, flows.ErrNoRetro) {
			return flows.Retro{}, err
		}
		return flows.Retro{}, fmt.Errorf("load retro: %w", err)
	}
	return r, nil
}

// AddRetroAnswer stores an answer to one of a team's retro's questions
// with its delivery key.
func (db *DB) AddRetroAnswer(ctx context.Context, team string, retro int64, a flows.RetroAnswer, key string) error {
	err := db.tx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		if err := db.recordKey(ctx, tx, team, key); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO retro_answers (retro_id, question, text, author, at, source, labelled)
			SELECT r.id, ?, ?, ?, ?, ?, ? FROM retros r JOIN plans p ON p.id = r.plan_id WHERE r.id = ? AND p.team_id = ?`,
			a.Question, a.Text, a.By, millis(a.At), a.Source, a.Labelled, retro, team)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return flows.ErrNoRetro
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("add retro answer: %w", err)
	}
	return nil
}

// MoveRetroAnswers moves to question to the answers of a team's retro
// that came from the messages in sources and stand under question from,
// in one transaction, and returns the sources of those it moved. Answers
// labelled by hand stay where their authors put them, and answers under
// another question (moved already) stay too. A moved answer is stored
// after every other, as if given now: which answer reached a question
// first is read from the order answers are stored in (see coach's
// RetroReply), and an answer stored under it meanwhile came before.
func (db *DB) MoveRetroAnswers(ctx context.Context, team string, retro int64, from, to string, sources []string) ([]string, error) {
	var moved []string
	err := db.tx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		moved = moved[:0]
		for _, src := range sources {
			ids, err := queryIDs(ctx, tx, `SELECT id FROM retro_answers
				WHERE retro_id = ? AND question = ? AND source = ? AND source <> '' AND labelled = 0
				AND retro_id IN (SELECT r.id FROM retros r JOIN plans p ON p.id = r.plan_id WHERE p.team_id = ?)
				ORDER BY id`, retro, from, src, team)
			if err != nil {
				return err
			}
			for _, id := range ids {
				if _, err := tx.ExecContext(ctx, `UPDATE retro_answers SET question = ?, id = (SELECT MAX(id) + 1 FROM retro_answers) WHERE id = ?`, to, id); err != nil {
					return err
				}
			}
			if len(ids) > 0 {
				moved = append(moved, src)
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("move retro answers: %w", err)
	}
	return moved, nil
}

// RecordRetroPrompt records that message ts of a retro's thread, ordered
// by at, asked the question; recording it again changes nothing.
func (db *DB) RecordRetroPrompt(ctx context.Context, team string, retro int64, at int64, ts, question string) error {
	err := db.tx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO retro_prompts (retro_id, at, ts, question)
			SELECT r.id, ?, ?, ? FROM retros r JOIN plans p ON p.id = r.plan_id WHERE r.id = ? AND p.team_id = ?
			ON CONFLICT DO NOTHING`, at, ts, question, retro, team)
		return err
	})
	if err != nil {
		return fmt.Errorf("record retro prompt: %w", err)
	}
	return nil
}

// RetroPromptBefore names the question the latest prompt of a retro's
// thread at or before at asked, or "" when none is recorded.
func (db *DB) RetroPromptBefore(ctx context.Context, team string, retro int64, at int64) (string, error) {
	var q string
	err := db.read.QueryRowContext(ctx, `SELECT x.question FROM retro_prompts x JOIN retros r ON r.id = x.retro_id JOIN plans p ON p.id = r.plan_id
		WHERE p.team_id = ? AND x.retro_id = ? AND x.at <= ? ORDER BY x.at DESC LIMIT 1`, team, retro, at).Scan(&q)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("retro prompt: %w", classify(err))
	}
	return q, nil
}
