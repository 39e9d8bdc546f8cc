package record

import (
	"time"

	"github.com/racebot/racebot/flows"
)

// PlanTeams reads rows of (plan id, team) into out.
func PlanTeams(out map[flows.PlanID]string) Reader {
	return func(scan Scan) error {
		var (
			id   flows.PlanID
			team string
		)
		if err := scan(&id, &team); err != nil {
			return err
		}
		out[id] = team
		return nil
	}
}

// PlanTimes reads rows of (plan id, time) into out.
func PlanTimes(out map[flows.PlanID]time.Time) Reader {
	return func(scan Scan) error {
		var (
			plan flows.PlanID
			at   int64
		)
		if err := scan(&plan, &at); err != nil {
			return err
		}
		out[plan] = FromMillis(at)
		return nil
	}
}

// Claimed reads claimed reminder rows (user_id, key) into out, as "user
// key", the form the coach looks them up by.
func Claimed(out map[string]bool) Reader {
	return func(scan Scan) error {
		var user, key string
		if err := scan(&user, &key); err != nil {
			return err
		}
		out[user+" "+key] = true
		return nil
	}
}

// Snoozes reads snooze rows (action_id, user_id, until) into out: action
// id to person to the time the reminder is due again.
func Snoozes(out map[int64]map[string]time.Time) Reader {
	return func(scan Scan) error {
		var (
			action int64
			user   string
			until  int64
		)
		if err := scan(&action, &user, &until); err != nil {
			return err
		}
		if out[action] == nil {
			out[action] = map[string]time.Time{}
		}
		out[action][user] = FromMillis(until)
		return nil
	}
}
