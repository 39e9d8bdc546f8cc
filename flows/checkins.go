package flows

import "time"

// Checkin is one KPI check-in: a thread in the plan's channel where owners
// report their numbers, nudged once and closed after a while.
type Checkin struct {
	ID   int64
	Team string
	Plan PlanID
	// Occurrence is the schedule occurrence key; empty when run by hand.
	Occurrence string
	Channel    string
	// Thread and SummaryTS are the transport's handles on the opening and
	// the summary message (Slack ts values).
	Thread    string
	SummaryTS string
	Late      bool
	OpenedAt  time.Time
	NudgeAt   time.Time
	CloseAt   time.Time
	Nudged    bool
	Closed    bool
	// SummaryMark, when not 0: a drawing of the summary may have landed,
	// or may yet land, over newer values, and none known to show the
	// latest has landed since. It names the drawing and says by when it
	// lands (see coach.SummaryMarkLive).
	SummaryMark int64
}
