package coach

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/racebot/racebot/flows"
)

// Conversation is what a thread belongs to: a plan's coaching thread, a
// check-in thread, the thread of a plan deleted since, or nothing racebot
// knows.
type Conversation struct {
	Plan    flows.PlanID
	Checkin flows.Checkin
	// Retro is the retro whose thread this is. Retro answers are kept as
	// given, so Known leaves retro threads out: their edits and deletions
	// change nothing.
	Retro int64
	// Deleted names the deleted plan whose thread this was.
	Deleted string
}

// Known reports whether the thread is one racebot keeps.
func (c Conversation) Known() bool { return c.Plan != 0 || c.Checkin.ID != 0 }

// Locate finds what a thread belongs to.
func (s *Service) Locate(ctx context.Context, team, channel, thread string) (Conversation, error) {
	id, err := s.store.PlanIDByThread(ctx, team, channel, thread)
	if err == nil {
		return Conversation{Plan: id}, nil
	}
	if !errors.Is(err, flows.ErrNoPlan) {
		return Conversation{}, fmt.Errorf("find plan by thread: %w", err)
	}
	c, err := s.store.CheckinByThread(ctx, team, channel, thread)
	if err == nil {
		return Conversation{Checkin: c}, nil
	}
	if !errors.Is(err, flows.ErrNoCheckin) {
		return Conversation{}, fmt.Errorf("find check-in by thread: %w", err)
	}
	r, err := s.store.RetroByThread(ctx, team, channel, thread)
	if err == nil {
		return Conversation{Retro: r.ID}, nil
	}
	if !errors.Is(err, flows.ErrNoRetro) {
		return Conversation{}, fmt.Errorf("find retro by thread: %w", err)
	}
	name, ok, err := s.store.DeletedPlanName(ctx, team, channel, thread)
	if err != nil || !ok {
		return Conversation{}, err
	}
	return Conversation{Deleted: name}, nil
}

// Filed lists the channel's plans that keep something from a message
// outside their threads (channel, ts): an answer or values added from side
// chat with "Add to RACE plan", which files a message only into its own
// channel's plans. An edit or a deletion of such a message revises or
// withdraws what it gave, as for a reply in a plan's thread; one of a
// message no plan keeps anything from (nearly all side chat) changes
// nothing and is not looked at further. Only edits and deletions ask,
// never a new message: they come before the ack, for any message of any
// channel racebot is in, so one read finds the plans the message gave
// something, and only those are loaded, however many plans the channel
// has had.
func (s *Service) Filed(ctx context.Context, team, channel, ts string) ([]flows.PlanID, error) {
	src := source(Request{Channel: channel, TS: ts})
	if src == "" {
		return nil, nil
	}
	from, err := s.store.PlansFrom(ctx, team, channel, src)
	if err != nil {
		return nil, fmt.Errorf("find plans from a message: %w", err)
	}
	var ids []flows.PlanID
	for _, id := range from {
		// Listed for a row from the message, which may be an answer
		// withdrawn or replaced since: what the plan keeps decides.
		p, err := s.store.Plan(ctx, team, id)
		if errors.Is(err, flows.ErrNoPlan) {
			continue // deleted meanwhile
		}
		if err != nil {
			return nil, fmt.Errorf("load plan: %w", err)
		}
		if gave, _ := keptFrom(p, src); gave != keptNothing {
			ids = append(ids, p.ID)
			continue
		}
		given, err := s.valuesFrom(ctx, team, id, src)
		if err != nil {
			return nil, err
		}
		if len(given) > 0 {
			ids = append(ids, id)
		}
	}
	return ids, nil
}

// BindThread records the thread a plan's header started. When another post
// of the header won the race, it returns the winner's thread and false: the
// caller removes its own header and uses the winner's.
func (s *Service) BindThread(ctx context.Context, team string, plan flows.PlanID, thread string) (string, bool, error) {
	bound, err := s.store.BindThread(ctx, team, plan, thread)
	if err != nil {
		return "", false, err
	}
	return bound, bound == thread, nil
}

// Plan loads a plan of the team.
func (s *Service) Plan(ctx context.Context, team string, id flows.PlanID) (*flows.Plan, error) {
	return s.store.Plan(ctx, team, id)
}

// TeamPlans lists a workspace's plans.
func (s *Service) TeamPlans(ctx context.Context, team string) ([]*flows.Plan, error) {
	return s.store.TeamPlans(ctx, team)
}

// Measurements lists a plan's KPI values by KPI id.
func (s *Service) Measurements(ctx context.Context, team string, plan flows.PlanID) (map[int64][]flows.Measurement, error) {
	return s.store.Measurements(ctx, team, plan)
}

// KPIs lists a plan's KPIs.
func (s *Service) KPIs(ctx context.Context, team string, plan flows.PlanID) ([]flows.KPI, error) {
	return s.store.KPIs(ctx, team, plan)
}

// KeysKept is how long delivery keys are remembered. Slack retries a
// delivery for a few minutes; two hours leaves a wide margin.
const KeysKept = 2 * time.Hour

// Prune forgets delivery keys older than KeysKept, the keys of messages
// older than MessageKeysKept, and the people who have not looked at their
// dashboard for HomesKept.
func (s *Service) Prune(ctx context.Context, now time.Time) error {
	if err := s.store.PruneSeen(ctx, now.Add(-KeysKept), now.Add(-MessageKeysKept)); err != nil {
		return err
	}
	return s.store.ForgetHomes(ctx, now.Add(-HomesKept))
}

// readyProbe bounds the write probe behind readiness: a store that cannot
// commit within it is as good as stuck for Slack's three seconds.
const readyProbe = time.Second

// Ready reports whether the store answers and takes a write: reads can go
// on while writes cannot (a full disk, a read-only file system, another
// process holding the write lock), and a bot that cannot commit what
// people type must not be taken for ready.
func (s *Service) Ready(ctx context.Context) error {
	if err := s.store.Ping(ctx); err != nil {
		return fmt.Errorf("database: %w", err)
	}
	ctx, cancel := context.WithTimeout(ctx, readyProbe)
	defer cancel()
	if err := s.store.PingWrite(ctx); err != nil {
		return fmt.Errorf("database writes: %w", err)
	}
	return nil
}
