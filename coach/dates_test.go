package coach_test

import (
	"context"
	"testing"
	"time"

	"github.com/racebot/racebot/coach"
	"github.com/racebot/racebot/flows"
	"github.com/racebot/racebot/internal/testdb"
)

// Dates in action lines are read in the writer's zone: just after midnight
// in Berlin, "tomorrow" is the day after that Berlin day, whatever the
// server's clock says.
func TestActionDatesInTheWritersZone(t *testing.T) {
	ctx := context.Background()
	db := testdb.Open(t)
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Skip("no zone database:", err)
	}
	svc := coach.New(coach.Config{Catalogue: flows.RACE(), Store: db})
	// Sunday 29 November 2026, 23:30 UTC: already Monday 30th in Berlin.
	now := time.Date(2026, 11, 29, 23, 30, 0, 0, time.UTC)
	req := func(key, text string) coach.Request {
		return coach.Request{Team: "T1", Channel: "C1", User: "ana", Text: text, Now: now, Key: key, Zone: berlin}
	}
	for i, text := range []string{"/race new Q1", "done"} {
		if _, err := svc.Handle(ctx, req(string(rune('a'+i)), text)); err != nil {
			t.Fatal(err)
		}
	}
	resp, err := svc.Handle(ctx, req("c", "Call the roaster - Ben - tomorrow - impact 3, effort 1"))
	if err != nil {
		t.Fatal(flows.Explain(err))
	}
	acts := resp.Plan.Actions
	if len(acts) != 1 || acts[0].Due.Format(time.DateOnly) != "2026-12-01" {
		t.Errorf("actions = %+v, want one due Tuesday 1 December", acts)
	}
}

// "In a month" on the last days of a month is the same day of the next
// month or, where that month is shorter, its last day: on 31 January it
// is the end of February (the 29th in a leap year), never early March.
func TestActionInMonthsAtTheMonthsEnd(t *testing.T) {
	for _, tt := range []struct {
		now  time.Time
		when string
		want string
	}{
		{time.Date(2027, 1, 31, 10, 0, 0, 0, time.UTC), "in a month", "2027-02-28"},
		{time.Date(2028, 1, 30, 10, 0, 0, 0, time.UTC), "in 1 month", "2028-02-29"},
		{time.Date(2027, 3, 31, 10, 0, 0, 0, time.UTC), "in a month", "2027-04-30"},
		{time.Date(2026, 11, 30, 10, 0, 0, 0, time.UTC), "in 3 months", "2027-02-28"},
		{time.Date(2027, 1, 15, 10, 0, 0, 0, time.UTC), "in two months", "2027-03-15"},
	} {
		t.Run(tt.now.Format(time.DateOnly)+" "+tt.when, func(t *testing.T) {
			ctx := context.Background()
			svc := coach.New(coach.Config{Catalogue: flows.RACE(), Store: testdb.Open(t)})
			req := func(key, text string) coach.Request {
				return coach.Request{Team: "T1", Channel: "C1", User: "ana", Text: text, Now: tt.now, Key: key, Zone: time.UTC}
			}
			for i, text := range []string{"/race new Q1", "done"} {
				if _, err := svc.Handle(ctx, req(string(rune('a'+i)), text)); err != nil {
					t.Fatal(err)
				}
			}
			resp, err := svc.Handle(ctx, req("c", "Call the roaster - Ben - "+tt.when+" - impact 3, effort 1"))
			if err != nil {
				t.Fatal(flows.Explain(err))
			}
			if acts := resp.Plan.Actions; len(acts) != 1 || acts[0].Due.Format(time.DateOnly) != tt.want {
				t.Errorf("actions = %+v, want one due %s", acts, tt.want)
			}
		})
	}
}
