package bot

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/racebot/racebot/coach"
	"github.com/racebot/racebot/flows"
	"github.com/racebot/racebot/internal/slackfake"
)

// TestValuesForAKPIRemovedThatMoment: Ana deletes the message that set
// the visitors KPI, which has no values yet, so the KPI goes, through one
// racebot, just as another reads Ben's /race values against the plan as
// it was and goes to record them. Ben is told in one
// sentence which of his values were recorded and that the visitors value
// was not, as its KPI was just removed, not that something went wrong;
// his other value is kept, and with nothing else to record, nothing is.
func TestValuesForAKPIRemovedThatMoment(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name, values string
		want         []string
		kept         int
	}{
		{
			name:   "with another value",
			values: "visitors 9k, lead-rate 2%",
			want:   []string{"Recorded: Lead conversion rate 2%.", "Not recorded: Unique visitors 9,000, as its KPI was removed from the plan just now."},
			kept:   1,
		},
		{
			name:   "alone",
			values: "visitors 9k",
			want:   []string{"Not recorded: Unique visitors 9,000, as its KPI was removed from the plan just now."},
		},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			held := &heldRecord{}
			h := newHarness(t, func(s *setup) { held.Store = s.Store; s.Store = held })
			p, ts := h.visitorsFromAMessage()
			other, _ := h.anotherRacebot()

			held.arm()
			acked := make(chan *ack, 1)
			go func() {
				acked <- h.bot.Command(context.Background(), h.slashIn("UBEN", "values "+tt.values, "1.1.a"))
			}()
			removeVisitorsOnceHeld(t, held, other, ts)
			if q, err := other.svc.Plan(context.Background(), p.Team, p.ID); err != nil || len(q.KPIs) != 1 {
				t.Fatalf("after the deletion the plan has KPIs %+v (%v), want lead-rate alone", q.KPIs, err)
			}
			close(held.release)
			a := <-acked
			h.settle()
			if a == nil {
				t.Fatal("the command was answered with nothing")
			}
			for _, want := range tt.want {
				if !strings.Contains(a.Text, want) {
					t.Errorf("Ben was told %q, want it to say %q", a.Text, want)
				}
			}
			ms, err := h.db.Measurements(context.Background(), p.Team, p.ID)
			if err != nil {
				t.Fatal(err)
			}
			n := 0
			for _, m := range ms {
				n += len(m)
			}
			if n != tt.kept {
				t.Errorf("%d values recorded, want %d", n, tt.kept)
			}
		})
	}
}

// TestFormValuesForAKPIRemovedThatMoment: as in
// TestValuesForAKPIRemovedThatMoment, but Ben gives his values in the
// check-in's "Enter values" form. The one whose KPI went is named as not
// recorded in the check-in's thread; the other is recorded; the form is
// not told the check-in is gone.
func TestFormValuesForAKPIRemovedThatMoment(t *testing.T) {
	t.Parallel()
	held := &heldRecord{}
	h := newHarness(t, func(s *setup) { held.Store = s.Store; s.Store = held })
	p, ts := h.visitorsFromAMessage()
	id, _ := h.openCheckin(p)
	h.settle()
	c, err := h.db.CheckinByID(context.Background(), p.Team, id)
	if err != nil {
		t.Fatal(err)
	}
	other, _ := h.anotherRacebot()

	held.arm()
	sent := h.fake.SendEvent(slackfake.ViewSubmission{
		CallbackID: callbackValues, PrivateMetadata: valuesMeta(flows.Checkin{ID: id, Channel: "C1"}, nil),
		UserID: "UBEN", TeamID: slackfake.TeamID,
		Values: map[string]map[string]slackfake.Input{
			"kpi:visitors":  {valueActionID: {Type: "plain_text_input", Value: "9k"}},
			"kpi:lead-rate": {valueActionID: {Type: "plain_text_input", Value: "2%"}},
		},
	})
	removeVisitorsOnceHeld(t, held, other, ts)
	close(held.release)
	ack := h.fake.WaitAck(t, sent)
	h.settle()
	if got := string(ack.Payload); strings.Contains(got, "no longer exists") || strings.Contains(got, "errors") {
		t.Errorf("the form was answered %s, want it closed", got)
	}
	var said []string
	for _, m := range h.fake.Replies("C1", c.Thread) {
		said = append(said, m.Text)
	}
	all := strings.Join(said, "\n")
	for _, want := range []string{"recorded: Lead conversion rate 2%.", "Not recorded: Unique visitors 9,000, as its KPI was removed from the plan just now."} {
		if !strings.Contains(all, want) {
			t.Errorf("the check-in's thread says %q, want %q", all, want)
		}
	}
	ms, err := h.db.Measurements(context.Background(), p.Team, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, m := range ms {
		n += len(m)
	}
	if n != 1 {
		t.Errorf("%d values recorded, want 1", n)
	}
}

// visitorsFromAMessage starts plan Q1 in C1 with a lead-rate KPI and a
// visitors KPI set by a message of Ana's in the thread, whose ts is
// returned: deleting that message removes the visitors KPI.
func (h *harness) visitorsFromAMessage() (*flows.Plan, string) {
	t := h.t
	t.Helper()
	h.runSocket()
	_, p := h.newPlanInSlack("Q1")
	p = h.setKPIs(p, flows.StageAct, "lead-rate | baseline 1.5% | target 2.5% | by 2027-03-31 | owner <@UBEN>")
	const ts = "1700000000.000100"
	k, err := flows.ParseKPILine(flows.RACE(), flows.StageReach, "visitors | baseline 8k | target 20k | by 2027-03-31 | owner <@UANA>", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	k.Plan, k.Source = p.ID, "C1/"+ts
	if err := h.db.Commit(context.Background(), p, []flows.Change{flows.KPISet{KPI: k}}, ""); err != nil {
		t.Fatal(err)
	}
	return h.plan(p.Team, p.Channel, p.Name), ts
}

// removeVisitorsOnceHeld waits until Ben's values are held on their way to
// be recorded, then has the other racebot delete Ana's message that set
// the visitors KPI (ts), which removes the KPI.
func removeVisitorsOnceHeld(t *testing.T, held *heldRecord, other *Bot, ts string) {
	t.Helper()
	select {
	case <-held.held:
	case <-time.After(slackfake.DefaultWaitTimeout):
		t.Fatal("Ben's values did not go to be recorded")
	}
	if _, err := other.svc.DeleteMessage(context.Background(), coach.Request{Team: slackfake.TeamID, Channel: "C1", User: "UANA", TS: ts, Now: time.Now(), Key: "deleted:" + ts}); err != nil {
		t.Fatal(err)
	}
}
