package scheduler

import "context"

// ServedOnly is store with the schedules of workspaces that serves rejects
// left out of DueSchedules: a workspace that uninstalled racebot gets no
// check-ins, and gets them again (the scheduler catching up as after any
// pause in service) if it is installed again while its data is kept.
func ServedOnly(store Store, serves func(ctx context.Context, team string) bool) Store {
	return servedOnly{Store: store, serves: serves}
}

type servedOnly struct {
	Store
	serves func(ctx context.Context, team string) bool
}

func (s servedOnly) DueSchedules(ctx context.Context) ([]Schedule, error) {
	all, err := s.Store.DueSchedules(ctx)
	if err != nil {
		return nil, err
	}
	out := all[:0]
	verdict := map[string]bool{}
	for _, sc := range all {
		ok, seen := verdict[sc.Team]
		if !seen {
			ok = s.serves(ctx, sc.Team)
			verdict[sc.Team] = ok
		}
		if ok {
			out = append(out, sc)
		}
	}
	return out, nil
}
