package coach

import (
	"context"
	"fmt"
	"time"
)

// Placeholder is a message posted to stand for work still under way (a
// draft, a review) until the work's result replaces it. It is kept until
// then: a racebot killed meanwhile would otherwise leave the thread
// promising the result for good, and the racebot after it finds it here.
type Placeholder struct {
	Team     string
	Channel  string
	TS       string
	What     string // the work: draft, review or kpis
	PostedAt time.Time
}

// PlaceholdersKept is how long after its post a placeholder left behind
// is still replaced; one Slack kept refusing for that long (the channel
// archived, the app removed) is given up.
const PlaceholdersKept = 24 * time.Hour

// AddPlaceholder records a placeholder just posted.
func (s *Service) AddPlaceholder(ctx context.Context, ph Placeholder) error {
	if err := s.store.AddPlaceholder(ctx, ph); err != nil {
		return fmt.Errorf("add placeholder: %w", err)
	}
	return nil
}

// RemovePlaceholder forgets a placeholder once it was replaced or taken
// down.
func (s *Service) RemovePlaceholder(ctx context.Context, team, channel, ts string) error {
	if err := s.store.RemovePlaceholder(ctx, team, channel, ts); err != nil {
		return fmt.Errorf("remove placeholder: %w", err)
	}
	return nil
}

// LeftPlaceholders lists the placeholders of every workspace posted before
// before, and no longer than PlaceholdersKept ago, that are still there.
func (s *Service) LeftPlaceholders(ctx context.Context, before, now time.Time) ([]Placeholder, error) {
	phs, err := s.store.Placeholders(ctx, now.Add(-PlaceholdersKept), before)
	if err != nil {
		return nil, fmt.Errorf("left placeholders: %w", err)
	}
	return phs, nil
}
