package coach

import (
	"context"
	"fmt"
	"time"
)

// Step is a workflow step racebot accepted. Slack delivers a step's
// function_executed event until racebot acknowledges it, and never after,
// so a racebot that stops between the acknowledgement and the step's
// completion would leave the workflow waiting for ever; the step is kept
// until it is finished, for a racebot to finish it.
type Step struct {
	Team      string
	Execution string // Slack's function execution id
	Function  string // the step's callback id
	// Inputs are the step's inputs, as text, by name: all it needs to run
	// again.
	Inputs     map[string]string
	AcceptedAt time.Time
	// FinishedAt is when the step was completed at Slack, or given up;
	// zero until then.
	FinishedAt time.Time
}

// StepsResumed is how long after its acceptance a step not finished is
// still taken up again; one that could not be completed in a day (the
// workspace gone, the app's token revoked) is given up.
const StepsResumed = 24 * time.Hour

// AcceptStep records a step before it is acknowledged, and returns it as
// recorded: for a redelivery, the first delivery's step, finished or not.
func (s *Service) AcceptStep(ctx context.Context, st Step) (Step, error) {
	got, err := s.store.AcceptStep(ctx, st)
	if err != nil {
		return Step{}, fmt.Errorf("accept step: %w", err)
	}
	return got, nil
}

// FinishStep records that a step was completed at Slack, or given up, so
// nobody runs it again.
func (s *Service) FinishStep(ctx context.Context, team, execution string, now time.Time) error {
	if err := s.store.FinishStep(ctx, team, execution, now); err != nil {
		return fmt.Errorf("finish step: %w", err)
	}
	return nil
}

// ExpiredSteps lists the steps of every workspace not finished within
// StepsResumed of their acceptance: no sweep takes them up again, and
// their runs are to be ended with a word to their owners.
func (s *Service) ExpiredSteps(ctx context.Context, now time.Time) ([]Step, error) {
	steps, err := s.store.UnfinishedSteps(ctx, time.UnixMilli(0), now.Add(-StepsResumed))
	if err != nil {
		return nil, fmt.Errorf("expired steps: %w", err)
	}
	return steps, nil
}

// UnfinishedSteps lists the steps of every workspace accepted no longer
// than StepsResumed ago, and before before, that are not finished.
func (s *Service) UnfinishedSteps(ctx context.Context, before, now time.Time) ([]Step, error) {
	steps, err := s.store.UnfinishedSteps(ctx, now.Add(-StepsResumed), before)
	if err != nil {
		return nil, fmt.Errorf("unfinished steps: %w", err)
	}
	return steps, nil
}
