package coach

import (
	"context"
	"fmt"
	"time"

	"github.com/racebot/racebot/flows"
)

// exportRatings is how many capability ratings an export reads: two
// years of quarterly ratings, of which its summary compares the oldest
// with the latest.
const exportRatings = 8

// Export is what a plan's export shows beyond the plan itself: its
// recorded values and the team's capability ratings, as of now, in the
// service's time zone, with people's text rendered as for every export.
// The transport names people (Export.People.Name), adds the latest review
// when it showed one, and renders it with Markdown.
func (s *Service) Export(ctx context.Context, p *flows.Plan, now time.Time) (flows.Export, error) {
	ms, err := s.store.Measurements(ctx, p.Team, p.ID)
	if err != nil {
		return flows.Export{}, fmt.Errorf("load values: %w", err)
	}
	ratings, err := s.store.CapabilityHistory(ctx, p.Team, p.Channel, exportRatings)
	if err != nil {
		return flows.Export{}, fmt.Errorf("load capability: %w", err)
	}
	return flows.Export{
		Catalogue: s.cat, Plan: p, Values: ms, Location: s.loc, Now: now,
		People: flows.People{Text: s.userText}, Capability: ratings,
	}, nil
}
