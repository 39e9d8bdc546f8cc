package record

import (
	"errors"
	"fmt"

	"github.com/racebot/racebot/flows"
)

// PlanColumns are the columns Plan reads, in its order.
const PlanColumns = `id, team_id, channel_id, name, created_by, created_at, stage, step, phase, version, privacy, thread, kind, last_action_number`

// Plan reads a plan's own row (PlanColumns), ready for its answers,
// skips and stages to be replayed into it. A scan error is returned as
// it is, so the caller can tell no row from a failure.
func Plan(scan Scan) (*flows.Plan, error) {
	var (
		p         flows.Plan
		createdAt int64
		phase     string
		kind      string
	)
	if err := scan(&p.ID, &p.Team, &p.Channel, &p.Name, &p.CreatedBy, &createdAt,
		&p.Cursor.Stage, &p.Cursor.Step, &phase, &p.Version, &p.Privacy, &p.Thread, &kind, &p.LastActionNumber); err != nil {
		return nil, err
	}
	p.CreatedAt = FromMillis(createdAt)
	p.Cursor.Phase = flows.Phase(phase)
	p.Kind = flows.Kind(kind)
	p.Answers = make(map[string]flows.Answer)
	p.Skipped = make(map[string]bool)
	p.Completed = make(map[flows.StageID]bool)
	return &p, nil
}

// Kinds of answer rows: what each does to its question when replayed.
const (
	KindAnswer    = "answer"
	KindAlso      = "also"
	KindRevised   = "revised"
	KindWithdrawn = "withdrawn"
)

// answerChange is the change an answer row of the given kind recorded;
// withdraws is the revision a withdrawn row names what it takes back by.
func answerChange(a flows.Answer, kind string, withdraws int) (flows.Change, error) {
	switch kind {
	case KindAnswer:
		return flows.AnswerRecorded{Answer: a}, nil
	case KindAlso:
		return flows.AnswerAdded{QuestionID: a.QuestionID, Revision: a.Revision, Contribution: flows.Contribution{Text: a.Text, By: a.By, At: a.At, Source: a.Source}}, nil
	case KindRevised:
		return flows.AnswerRevised{QuestionID: a.QuestionID, Revision: a.Revision, Source: a.Source, Text: a.Text, By: a.By, At: a.At}, nil
	case KindWithdrawn:
		return flows.AnswerWithdrawn{QuestionID: a.QuestionID, Revision: a.Revision, Source: a.Source, Of: withdraws, By: a.By, At: a.At}, nil
	}
	return nil, fmt.Errorf("answer %s revision %d: unknown kind %q", a.QuestionID, a.Revision, kind)
}

// answers replays answer rows (question_id, revision, text, author,
// created_at, drafted, source, kind, withdraws) into p as the changes
// that wrote them. Rows must come in ascending revision order per
// question, so the plan loaded is the plan the engine saw.
func answers(p *flows.Plan) Reader {
	return func(scan Scan) error {
		var (
			a         flows.Answer
			at        int64
			kind      string
			withdraws int
		)
		if err := scan(&a.QuestionID, &a.Revision, &a.Text, &a.By, &at, &a.Drafted, &a.Source, &kind, &withdraws); err != nil {
			return err
		}
		a.At = FromMillis(at)
		c, err := answerChange(a, kind, withdraws)
		if err != nil {
			return err
		}
		p.Apply(c)
		return nil
	}
}

// Committed is p as a commit of changes (as the store applied them) left
// it, a version on, or false when that is not known without reading the
// plan again: an added action comes back with the id the database gave
// it, but a KPI's id, or an action's not carried back, is known only to
// the database.
func Committed(p *flows.Plan, changes []flows.Change) (*flows.Plan, bool) {
	after := p.Clone()
	for _, c := range changes {
		switch c := c.(type) {
		case flows.ActionAdded:
			if c.Action.ID == 0 {
				return nil, false
			}
		case flows.KPISet:
			return nil, false
		}
		after.Apply(c)
	}
	after.Version++
	return after, true
}

// NumberActions gives each action changes add without a number the
// plan's next, as Plan.Apply would, writing it into changes, and returns
// the plan's highest number after them, for plans.last_action_number. p
// is the plan the changes were made from; the commit's version check
// vouches that its mark is the database's.
func NumberActions(p *flows.Plan, changes []flows.Change) int { return numberActions(p, changes, true) }

// LastActionNumber is what NumberActions returns, changes left alone.
func LastActionNumber(p *flows.Plan, changes []flows.Change) int {
	return numberActions(p, changes, false)
}

func numberActions(p *flows.Plan, changes []flows.Change, write bool) int {
	last := p.LastActionNumber
	for i, c := range changes {
		a, ok := c.(flows.ActionAdded)
		if !ok {
			continue
		}
		if a.Action.Number == 0 {
			a.Action.Number = last + 1
			if write {
				changes[i] = a
			}
		}
		last = max(last, a.Action.Number)
	}
	return last
}

// Revision reads a row of one question's history (question_id, revision,
// text, author, created_at, drafted, source).
func Revision(scan Scan) (flows.Answer, error) {
	var a flows.Answer
	var at int64
	if err := scan(&a.QuestionID, &a.Revision, &a.Text, &a.By, &at, &a.Drafted, &a.Source); err != nil {
		return flows.Answer{}, err
	}
	a.At = FromMillis(at)
	return a, nil
}

// actions reads action rows (id, number, stage, text, owner, due, impact,
// effort, created_by, created_at, source, edited_at) into p, in the order
// they come.
func actions(p *flows.Plan) Reader {
	return func(scan Scan) error {
		var (
			a          flows.Action
			due        string
			at, edited int64
		)
		if err := scan(&a.ID, &a.Number, &a.Stage, &a.Text, &a.Owner, &due, &a.Impact, &a.Effort, &a.By, &at, &a.Source, &edited); err != nil {
			return err
		}
		d, err := parseDate(due)
		if err != nil {
			return fmt.Errorf("action %d due %q: %w", a.ID, due, err)
		}
		a.Due, a.At = d, FromMillis(at)
		if edited != 0 {
			a.Edited = FromMillis(edited)
		}
		p.Actions = append(p.Actions, a)
		return nil
	}
}

// actionStatuses replays status rows (action_id, status, author, at) into
// p; rows must come oldest first, so the plan loaded is the plan the
// engine saw.
func actionStatuses(p *flows.Plan) Reader {
	return func(scan Scan) error {
		var (
			c      flows.ActionStatusSet
			status string
			at     int64
		)
		if err := scan(&c.Action, &status, &c.By, &at); err != nil {
			return err
		}
		c.Status, c.At = flows.ActionStatus(status), FromMillis(at)
		p.Apply(c)
		return nil
	}
}

// PlanParts are a store's queries for the rows a plan is assembled from,
// each taking the plan's id as its one parameter and each returning the
// columns its reader takes: Answers, Skips, Stages, Actions,
// ActionStatuses, Priors and KPIs.
type PlanParts struct {
	Answers, Skips, Stages, Actions, ActionStatuses, Priors, KPIs string

	// ByID reads a plan's own row (PlanColumns) by its id, for List.
	ByID string
}

// Load reads the plan the query's one row (PlanColumns) names, with all
// its parts, failing with flows.ErrNoPlan when the query finds none.
func (q *PlanParts) Load(tx Tx, query string, args ...any) (*flows.Plan, error) {
	p, err := Plan(tx.Row(query, args...))
	if errors.Is(err, ErrNoRows) {
		return nil, flows.ErrNoPlan
	}
	if err != nil {
		return nil, fmt.Errorf("load plan: %w", err)
	}
	if err := q.fill(tx, p); err != nil {
		return nil, err
	}
	return p, nil
}

// List loads the plans whose ids the query returns, in its order. The ids
// are all read before the first plan is, so the query's rows are closed
// before the next query of the transaction runs.
func (q *PlanParts) List(tx Tx, ids string, args ...any) ([]*flows.Plan, error) {
	var list []int64
	if err := tx.Each(IDs(&list), ids, args...); err != nil {
		return nil, err
	}
	var plans []*flows.Plan
	for _, id := range list {
		p, err := q.Load(tx, q.ByID, id)
		if err != nil {
			return nil, err
		}
		plans = append(plans, p)
	}
	return plans, nil
}

// fill reads the parts of a plan whose own row Plan read.
func (q *PlanParts) fill(tx Tx, p *flows.Plan) error {
	parts := [...]struct {
		what, query string
		r           Reader
	}{
		{"answers", q.Answers, answers(p)},
		{"skips", q.Skips, Set(p.Skipped)},
		{"stages", q.Stages, Set(p.Completed)},
		{"actions", q.Actions, actions(p)},
		{"action statuses", q.ActionStatuses, actionStatuses(p)},
		{"carried answers", q.Priors, priors(p)},
		{"kpis", q.KPIs, KPIs(&p.KPIs)},
	}
	for _, part := range parts {
		if err := tx.Each(part.r, part.query, p.ID); err != nil {
			return fmt.Errorf("load %s: %w", part.what, err)
		}
	}
	return nil
}

// priors reads the answers a plan was started with from an earlier one
// (question_id, text, author, from_plan) into p.
func priors(p *flows.Plan) Reader {
	return func(scan Scan) error {
		var (
			id string
			pr flows.Prior
		)
		if err := scan(&id, &pr.Text, &pr.By, &pr.From); err != nil {
			return err
		}
		if p.Prior == nil {
			p.Prior = make(map[string]flows.Prior)
		}
		p.Prior[id] = pr
		return nil
	}
}
