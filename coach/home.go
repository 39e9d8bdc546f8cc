package coach

import (
	"context"
	"time"
)

// HomeStore remembers whose dashboard (a Slack App Home tab) is open, so
// that whichever process of several on one database changes a plan keeps
// the dashboards it concerns current, and a restarted one still does.
type HomeStore interface {
	// SawHome records that a person looked at their dashboard at a time;
	// an earlier time than the one recorded changes nothing.
	SawHome(ctx context.Context, team, user string, at time.Time) error
	// HomeViewers lists the people of a workspace who looked at their
	// dashboard at or after since.
	HomeViewers(ctx context.Context, team string, since time.Time) ([]string, error)
	// ForgetHomes forgets the people who have not looked at their
	// dashboard since before.
	ForgetHomes(ctx context.Context, before time.Time) error
}

// HomesKept is how long a person's dashboard is kept current after they
// last looked at it: someone back from a month away opens it again, and
// is published afresh then.
const HomesKept = 30 * 24 * time.Hour

// SawHome records that a person looked at their dashboard at now.
func (s *Service) SawHome(ctx context.Context, team, user string, now time.Time) error {
	return s.store.SawHome(ctx, team, user, now)
}

// HomeViewers lists the people of a workspace whose dashboards are kept
// current as of now.
func (s *Service) HomeViewers(ctx context.Context, team string, now time.Time) ([]string, error) {
	return s.store.HomeViewers(ctx, team, now.Add(-HomesKept))
}
