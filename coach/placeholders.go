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
// It is recorded before its post too, without TS: a racebot killed before
// it learnt the ts (or recorded it) leaves that record, and the racebot
// after it looks in Thread for the post made under Key.
type Placeholder struct {
	Team     string
	Channel  string
	TS       string // empty while the post is not known
	What     string // the work: draft, review or kpis
	PostedAt time.Time
	// Thread and Key say where the placeholder was posted and under which
	// key (see bot's poster.postOnce); set in a record made before the
	// post, and in the record of its ts, which replaces that one.
	Thread, Key string
}

// PlaceholdersKept is how long after its post a placeholder left behind
// is still replaced; one Slack kept refusing for that long (the channel
// archived, the app removed) is given up.
const PlaceholdersKept = 24 * time.Hour

// AddPlaceholder records a placeholder about to be posted (no TS) or just
// posted.
func (s *Service) AddPlaceholder(ctx context.Context, ph Placeholder) error {
	if err := s.store.AddPlaceholder(ctx, ph); err != nil {
		return fmt.Errorf("add placeholder: %w", err)
	}
	return nil
}

// RemovePlaceholder forgets a placeholder once it was replaced or taken
// down, or is known not posted: its record by TS and the one made before
// its post by Key, whichever are set.
func (s *Service) RemovePlaceholder(ctx context.Context, ph Placeholder) error {
	if err := s.store.RemovePlaceholder(ctx, ph); err != nil {
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
