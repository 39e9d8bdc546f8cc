package record

import "github.com/racebot/racebot/flows"

// CapabilityRatings reads a channel's rating rows (id, plan_id, rated_by,
// rated_at) into out, each with an empty score map for Scores to fill. A
// rating of no plan has a NULL plan_id and comes back with Plan 0.
func CapabilityRatings(team, channel string, out *[]flows.CapabilityRating) Reader {
	return func(scan Scan) error {
		r := flows.CapabilityRating{Team: team, Channel: channel, Scores: map[flows.StageID]int{}}
		var (
			plan *int64
			at   int64
		)
		if err := scan(&r.ID, &plan, &r.By, &at); err != nil {
			return err
		}
		if plan != nil {
			r.Plan = flows.PlanID(*plan)
		}
		r.At = FromMillis(at)
		*out = append(*out, r)
		return nil
	}
}

// Scores reads a rating's score rows (stage, score) into r.
func Scores(r *flows.CapabilityRating) Reader {
	return func(scan Scan) error {
		var (
			st string
			n  int
		)
		if err := scan(&st, &n); err != nil {
			return err
		}
		r.Scores[flows.StageID(st)] = n
		return nil
	}
}

// RetroColumns are the columns Retro reads, in its order, from retros r
// joined with plans p.
const RetroColumns = `r.id, p.team_id, r.plan_id, r.channel_id, r.thread, r.opened_by, r.opened_at`

// Retro reads a retro's own row (RetroColumns), ready for its answers
// (RetroAnswer). A scan error is returned as it is, so the caller can tell
// no row from a failure.
func Retro(scan Scan) (flows.Retro, error) {
	var r flows.Retro
	var at int64
	if err := scan(&r.ID, &r.Team, &r.Plan, &r.Channel, &r.Thread, &r.By, &at); err != nil {
		return flows.Retro{}, err
	}
	r.At = FromMillis(at)
	return r, nil
}

// RetroAnswer reads a retro's answer row (question, text, author, at,
// source, labelled).
func RetroAnswer(scan Scan) (flows.RetroAnswer, error) {
	var (
		a  flows.RetroAnswer
		at int64
	)
	if err := scan(&a.Question, &a.Text, &a.By, &at, &a.Source, &a.Labelled); err != nil {
		return flows.RetroAnswer{}, err
	}
	a.At = FromMillis(at)
	return a, nil
}

// CapabilityReminderQueries are a store's SQL for ClaimCapabilityReminder,
// each described with the parameters it takes.
type CapabilityReminderQueries struct {
	Rated string // team, channel, since: whether the channel rated itself since
	Claim string // team, channel, quarter, plan, occurrence, now: the claim, inserting nothing when there is one
	Held  string // team, channel, quarter: the plan and occurrence holding the claim
}

// ClaimCapabilityReminder claims the quarter's capability reminder for a
// channel on behalf of one check-in occurrence, and reports whether the
// occurrence holds the claim: it made it now, or made it before and this
// is a retry of the same occurrence. A channel that rated itself since
// the quarter began needs no reminder, and no claim is made.
func ClaimCapabilityReminder(tx Tx, q *CapabilityReminderQueries, team, channel string, plan flows.PlanID, quarter, occurrence string, since, now int64) (bool, error) {
	var rated bool
	if err := tx.Row(q.Rated, team, channel, since)(&rated); err != nil {
		return false, err
	}
	if rated {
		return false, nil
	}
	n, err := tx.Exec(q.Claim, team, channel, quarter, plan, occurrence, now)
	if err != nil {
		return false, err
	}
	if n == 1 {
		return true, nil
	}
	var (
		heldPlan flows.PlanID
		held     string
	)
	if err := tx.Row(q.Held, team, channel, quarter)(&heldPlan, &held); err != nil {
		return false, err
	}
	return heldPlan == plan && held == occurrence, nil
}
