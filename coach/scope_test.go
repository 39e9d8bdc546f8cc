package coach_test

import (
	"context"
	"errors"
	"testing"

	"github.com/racebot/racebot/coach"
	"github.com/racebot/racebot/flows"
)

// TestRequestsNamingAPlanOfAnotherChannelChangeNothing: every way a
// request names C1's plan or check-in by id (a thread or button, a form,
// the delete button, the values form) is refused with ErrOtherChannel,
// in a sentence, when it comes from another channel or names none, and
// changes nothing. From C1 itself the same request goes through.
func TestRequestsNamingAPlanOfAnotherChannelChangeNothing(t *testing.T) {
	ctx := context.Background()
	svc, db := newService(t, nil)
	p := startPlan(t, svc, db)
	v, err := svc.OpenCheckin(ctx, "T1", p.ID, "", false, t0)
	if err != nil {
		t.Fatal(err)
	}
	from := func(channel, key string) coach.Request {
		r := req(key, "")
		r.Channel, r.Plan = channel, p.ID
		return r
	}
	tries := []struct {
		name string
		run  func(r coach.Request) error
	}{
		{"button", func(r coach.Request) error { r.Text = "skip"; _, err := svc.Handle(ctx, r); return err }},
		{"load for a form", func(r coach.Request) error { _, err := svc.PlanFor(ctx, r); return err }},
		{"edit form", func(r coach.Request) error {
			_, err := svc.EditAnswers(ctx, r, map[string]string{flows.QuestionBusiness: "hijacked"})
			return err
		}},
		{"KPI form", func(r coach.Request) error {
			_, err := svc.SetKPI(ctx, r, flows.StageAct, "lead-rate | baseline 1.5% | target 2.5% | by 2027-03-31 | owner <@U1>")
			return err
		}},
		{"use a draft", func(r coach.Request) error {
			_, err := svc.AcceptDraft(ctx, r, flows.QuestionBusiness, "hijacked")
			return err
		}},
		{"values button", func(r coach.Request) error { r.Checkin = v.Checkin.ID; _, err := svc.CheckinFor(ctx, r); return err }},
		{"values form", func(r coach.Request) error {
			_, _, err := svc.SubmitValues(ctx, r, v.Checkin.ID, map[string]string{"visitors": "99k"})
			return err
		}},
		// Last: from C1 it deletes the plan.
		{"delete button", func(r coach.Request) error { _, err := svc.DeletePlan(ctx, r, p.ID); return err }},
	}
	before := state(t, db, p.ID)
	for _, tt := range tries {
		for _, channel := range []string{"C2", ""} {
			err := tt.run(from(channel, "elsewhere:"+tt.name+channel))
			if !errors.Is(err, coach.ErrOtherChannel) {
				t.Errorf("%s from channel %q: %v, want ErrOtherChannel", tt.name, channel, err)
				continue
			}
			if got := flows.Explain(err).String(); got != "That button belongs to another channel's plan." {
				t.Errorf("%s from channel %q says %q", tt.name, channel, got)
			}
		}
	}
	if after := state(t, db, p.ID); after != before {
		t.Fatalf("refused requests changed the plan: %+v, then %+v", before, after)
	}
	for _, tt := range tries {
		if err := tt.run(from("C1", "here:"+tt.name)); err != nil {
			t.Errorf("%s from the plan's own channel: %v", tt.name, err)
		}
	}
}
