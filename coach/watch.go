package coach

import (
	"context"
	"sync"
	"time"

	"github.com/racebot/racebot/flows"
)

// watchers are told after every change to a plan, whatever made it.
type watchers struct {
	mu  sync.Mutex
	fns []func(team string, plan flows.PlanID)
}

// Watch asks to be told, after every change to a plan (answers, actions,
// KPIs, values, check-ins opening and closing, an action done), which
// plan changed. fn runs on the path of the request that made the change,
// after it is stored: it must hand the news on and return at once.
func (s *Service) Watch(fn func(team string, plan flows.PlanID)) {
	s.watch.mu.Lock()
	defer s.watch.mu.Unlock()
	s.watch.fns = append(s.watch.fns, fn)
}

func (s *Service) notify(team string, plan flows.PlanID) {
	s.watch.mu.Lock()
	fns := s.watch.fns
	s.watch.mu.Unlock()
	for _, fn := range fns {
		fn(team, plan)
	}
}

// watchedStore is the store, telling the service's watchers about every
// write that landed. Watching at the store catches every way in (thread
// replies, forms, commands, edits, the scheduler) without each of them
// remembering to say so.
type watchedStore struct {
	Store
	notify func(team string, plan flows.PlanID)
	// opening holds the check-ins created and not yet posted, by id: a
	// check-in counts for people once its thread is there.
	opening *sync.Map
}

func (w watchedStore) CreatePlan(ctx context.Context, p *flows.Plan, key string) (flows.PlanID, error) {
	id, err := w.Store.CreatePlan(ctx, p, key)
	if err == nil {
		w.notify(p.Team, id)
	}
	return id, err
}

func (w watchedStore) Commit(ctx context.Context, p *flows.Plan, changes []flows.Change, key string) error {
	err := w.Store.Commit(ctx, p, changes, key)
	if err == nil && len(changes) > 0 {
		w.notify(p.Team, p.ID)
	}
	return err
}

func (w watchedStore) DeletePlan(ctx context.Context, team string, id flows.PlanID, key string) error {
	err := w.Store.DeletePlan(ctx, team, id, key)
	if err == nil {
		w.notify(team, id)
	}
	return err
}

func (w watchedStore) RecordMeasurements(ctx context.Context, team string, plan flows.PlanID, ms []flows.Measurement, key string) error {
	err := w.Store.RecordMeasurements(ctx, team, plan, ms, key)
	if err == nil {
		w.notify(team, plan)
	}
	return err
}

func (w watchedStore) CommitOffer(ctx context.Context, p *flows.Plan, changes []flows.Change, o flows.Offer, key string) error {
	err := w.Store.CommitOffer(ctx, p, changes, o, key)
	if err == nil {
		w.notify(p.Team, p.ID)
	}
	return err
}

func (w watchedStore) TakeOffer(ctx context.Context, o flows.Offer, from *flows.Plan, changes []flows.Change, p *flows.Plan, key string) (flows.PlanID, error) {
	id, err := w.Store.TakeOffer(ctx, o, from, changes, p, key)
	if err == nil {
		w.notify(from.Team, from.ID)
		w.notify(from.Team, id)
	}
	return id, err
}

func (w watchedStore) ReplaceMeasurements(ctx context.Context, team string, plan flows.PlanID, source string, ms []flows.Measurement, key string) (Replaced, error) {
	r, err := w.Store.ReplaceMeasurements(ctx, team, plan, source, ms, key)
	if err == nil && r.N > 0 {
		w.notify(team, plan)
	}
	return r, err
}

func (w watchedStore) CreateCheckin(ctx context.Context, team string, c flows.Checkin) (int64, error) {
	id, err := w.Store.CreateCheckin(ctx, team, c)
	if err == nil {
		w.opening.Store(id, flows.Checkin{Team: team, Plan: c.Plan})
	}
	return id, err
}

func (w watchedStore) SetCheckinMessages(ctx context.Context, id int64, thread, summary string) error {
	err := w.Store.SetCheckinMessages(ctx, id, thread, summary)
	if c, ok := w.opening.LoadAndDelete(id); ok && err == nil {
		w.notify(c.(flows.Checkin).Team, c.(flows.Checkin).Plan)
	}
	return err
}

func (w watchedStore) ClaimClose(ctx context.Context, now time.Time) (flows.Checkin, bool, error) {
	c, ok, err := w.Store.ClaimClose(ctx, now)
	if err == nil && ok {
		w.notify(c.Team, c.Plan)
	}
	return c, ok, err
}
