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

// Retro reads a retro's own row (RetroColumns), ready for RetroAnswers. A
// scan error is returned as it is, so the caller can tell no row from a
// failure.
func Retro(scan Scan) (flows.Retro, error) {
	var r flows.Retro
	var at int64
	if err := scan(&r.ID, &r.Team, &r.Plan, &r.Channel, &r.Thread, &r.By, &at); err != nil {
		return flows.Retro{}, err
	}
	r.At = FromMillis(at)
	return r, nil
}

// RetroAnswers reads a retro's answer rows (question, text, author, at,
// source) into r, in the order they come.
func RetroAnswers(r *flows.Retro) Reader {
	return func(scan Scan) error {
		var (
			a  flows.RetroAnswer
			at int64
		)
		if err := scan(&a.Question, &a.Text, &a.By, &at, &a.Source); err != nil {
			return err
		}
		a.At = FromMillis(at)
		r.Answers = append(r.Answers, a)
		return nil
	}
}
