package coach

import (
	"context"
	"errors"

	"github.com/racebot/racebot/flows"
)

// ErrOtherChannel means a request named a plan or check-in (a button's
// value, a form's metadata) that belongs to another channel than the one
// the request came from. Nothing is changed and nothing about the plan is
// shown: a button or form is only good in the channel it was posted for.
var ErrOtherChannel = errors.New("plan belongs to another channel")

// errOtherChannel says so without naming the plan, which the person may
// not be allowed to see.
var errOtherChannel error = flows.UserErrorf(ErrOtherChannel, "That button belongs to another channel's plan.")

// inChannel refuses a request about something kept in channel unless the
// request came from that channel. Every request that names a plan or a
// check-in by id carries the channel it came from; one without a channel
// is refused too, so a forgotten channel fails closed.
func inChannel(req Request, channel string) error {
	if req.Channel != channel {
		return errOtherChannel
	}
	return nil
}

// PlanFor loads the plan a button or form names (req.Plan), refusing one
// of another workspace (flows.ErrNoPlan) or another channel than
// req.Channel (ErrOtherChannel).
func (s *Service) PlanFor(ctx context.Context, req Request) (*flows.Plan, error) {
	if req.Plan == 0 {
		return nil, flows.ErrNoPlan
	}
	return s.target(ctx, req)
}

// CheckinFor loads the check-in a button or form names (req.Checkin) with
// its plan and values, refusing one of another workspace
// (flows.ErrNoCheckin) or another channel than req.Channel
// (ErrOtherChannel).
func (s *Service) CheckinFor(ctx context.Context, req Request) (CheckinView, error) {
	c, err := s.store.CheckinByID(ctx, req.Team, req.Checkin)
	if err != nil {
		return CheckinView{}, err
	}
	if err := inChannel(req, c.Channel); err != nil {
		return CheckinView{}, err
	}
	v, err := s.view(ctx, c)
	if err != nil {
		return CheckinView{}, err
	}
	// A check-in is posted in its plan's channel; a plan found elsewhere
	// is refused all the same.
	if err := inChannel(req, v.Plan.Channel); err != nil {
		return CheckinView{}, err
	}
	return v, nil
}
