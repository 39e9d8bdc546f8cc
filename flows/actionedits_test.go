package flows

import (
	"errors"
	"strings"
	"testing"
	"time"
)

// TestMessageEditsOfActionsAndKPIs: an action or a KPI keeps the message
// its line came from; its author's edit changes it (an action keeps its
// status), an older edit or someone else's changes nothing, a line that no
// longer reads is refused, and a deletion removes it, except a KPI with
// values, which stays.
func TestMessageEditsOfActionsAndKPIs(t *testing.T) {
	cat := RACE()
	p := NewPlan("T", "C", "Q1", "UANA", t0)
	p.Cursor = Cursor{Stage: 1, Phase: PhaseActions}
	out, err := Step(cat, p, Input{Text: "Ads | impact 3 | effort 2", User: "UANA", Now: t0, Source: "C/1"})
	if err != nil {
		t.Fatal(err)
	}
	p = out.Plan
	p.Actions[0].Status = ActionDone
	if a, ok := p.ActionFrom("C/1"); !ok || a.Text != "Ads" {
		t.Fatalf("the action from C/1: %+v, %v", a, ok)
	}

	if out, _ := ReviseAction(cat, p, "C/1", "", "Hijack | impact 5 | effort 1", "UBEN", t0.Add(time.Minute), nil); len(out.Changes) != 0 {
		t.Errorf("someone else's edit changed %+v", out.Changes)
	}
	out, err = ReviseAction(cat, p, "C/1", "", "Search ads | impact 4 | effort 2", "UANA", t0.Add(2*time.Minute), nil)
	if err != nil {
		t.Fatal(err)
	}
	p = out.Plan
	if a := p.Actions[0]; a.Text != "Search ads" || a.Impact != 4 || a.State() != ActionDone || len(out.Replies) != 1 ||
		!strings.Contains(out.Replies[0].Msg.String(), "Updated your action: Search ads") {
		t.Errorf("after the edit: %+v, said %+v", a, out.Replies)
	}
	if out, _ := ReviseAction(cat, p, "C/1", "", "Ads | impact 5 | effort 2", "UANA", t0.Add(time.Minute), nil); len(out.Changes) != 0 {
		t.Errorf("an older edit changed %+v", out.Changes)
	}
	if _, err := ReviseAction(cat, p, "C/1", "", "Search ads | effort 2", "UANA", t0.Add(3*time.Minute), nil); !errors.Is(err, ErrBadInput) {
		t.Errorf("an edit that reads as no action: %v, want ErrBadInput", err)
	}

	p.Cursor = Cursor{Stage: 1, Phase: PhaseKPIs}
	line := "visitors | baseline 8k | target 20k | by 2027-03-31 | owner Ana"
	out, err = Step(cat, p, Input{Text: line, User: "UANA", Now: t0, Source: "C/2"})
	if err != nil {
		t.Fatal(err)
	}
	p = out.Plan
	out, err = ReviseKPI(cat, p, "C/2", "", strings.Replace(line, "20k", "25k", 1), "UANA", t0.Add(time.Minute), nil)
	if err != nil {
		t.Fatal(err)
	}
	p = out.Plan
	if k, _ := p.KPIFrom("C/2"); k.Target.Amount != 25000 {
		t.Errorf("the edited KPI: %+v", k)
	}
	if _, err := ReviseKPI(cat, p, "C/2", "", "fans | target 500 | by 2027-03-31", "UANA", t0.Add(2*time.Minute), nil); !errors.Is(err, ErrBadInput) {
		t.Errorf("an edit naming another KPI: %v, want ErrBadInput", err)
	}
	if out := WithdrawKPI(cat, p, "C/2", true); len(out.Changes) != 0 || len(out.Replies) != 1 {
		t.Errorf("a KPI with values withdrawn: %+v", out)
	}
	if out := WithdrawKPI(cat, p, "C/2", false); len(out.Plan.KPIs) != 0 {
		t.Errorf("KPIs after the deletion: %+v", out.Plan.KPIs)
	}
	p.Actions[0].Status = ""
	if out := WithdrawAction(cat, p, "C/1"); len(out.Plan.Actions) != 0 || len(p.Actions) != 1 {
		t.Errorf("actions after the deletion: %+v; the plan it was applied to has %d", out.Plan.Actions, len(p.Actions))
	}
}

// TestADeletedLineKeepsAnActionSomeoneUpdated: the message an action came
// from is deleted. An open action goes; one someone said was under way,
// done or dropped stays, with one sentence on why (and, while it is
// under way, the reply that drops it).
func TestADeletedLineKeepsAnActionSomeoneUpdated(t *testing.T) {
	cat := RACE()
	p := NewPlan("T", "C", "Q1", "UANA", t0)
	// Actions 1 to 3 were removed: the reply names the number the list
	// shows, not the place.
	p.Actions = []Action{{ID: 4, Number: 4, Text: "Ads", Source: "C/1"}, {ID: 5, Number: 5, Text: "Search ads", Source: "C/2"}}
	p.LastActionNumber = 5
	for _, tc := range []struct {
		status ActionStatus
		says   string
	}{
		{ActionDoing, `The message that added "Search ads" was deleted, but the action stays because it is under way; reply ` + "`action dropped 5`" + ` to drop it.`},
		{ActionDone, `The message that added "Search ads" was deleted, but the action stays because it is done.`},
		{ActionDropped, `The message that added "Search ads" was deleted, but the action stays because it is dropped.`},
	} {
		p.Actions[1].Status = tc.status
		out := WithdrawAction(cat, p, "C/2")
		if len(out.Changes) != 0 || len(out.Plan.Actions) != 2 {
			t.Errorf("%s: changes %+v, actions %+v; want the action kept", tc.status, out.Changes, out.Plan.Actions)
		}
		if len(out.Replies) != 1 || out.Replies[0].Msg.String() != tc.says {
			t.Errorf("%s: said %+v, want %q", tc.status, out.Replies, tc.says)
		}
	}
	p.Actions[1].Status = ActionOpen
	if out := WithdrawAction(cat, p, "C/2"); len(out.Plan.Actions) != 1 || out.Plan.Actions[0].Text != "Ads" {
		t.Errorf("an open action's line deleted: actions %+v, want it gone", out.Plan.Actions)
	}
}

// TestAnEditedDeadlineWrittenRelativeToTheEditsDay: a KPI due by 21
// December is edited a week later to "in 4 weeks", which names 28
// December from the edit's day (and 21 December from the line's): the
// deadline moves to the 28th. An edit after that which leaves "in 4
// weeks" as written keeps the 28th.
func TestAnEditedDeadlineWrittenRelativeToTheEditsDay(t *testing.T) {
	cat := RACE()
	p := NewPlan("T", "C", "Q1", "UANA", t0)
	p.Cursor = Cursor{Stage: 1, Phase: PhaseKPIs}
	line := "visitors | baseline 8k | target 20k | by 2026-12-21 | owner Ana"
	out, err := Step(cat, p, Input{Text: line, User: "UANA", Now: t0, Source: "C/2"})
	if err != nil {
		t.Fatal(err)
	}
	relative := "visitors | baseline 8k | target 20k | in 4 weeks | owner Ana"
	out, err = ReviseKPI(cat, out.Plan, "C/2", line, relative, "UANA", t0.AddDate(0, 0, 7), nil)
	if err != nil {
		t.Fatal(err)
	}
	if k, _ := out.Plan.KPIFrom("C/2"); k.Deadline.Format(time.DateOnly) != "2026-12-28" {
		t.Fatalf("deadline after the edit to in 4 weeks: %s, want 2026-12-28", k.Deadline.Format(time.DateOnly))
	}
	out, err = ReviseKPI(cat, out.Plan, "C/2", relative, strings.Replace(relative, "20k", "22k", 1), "UANA", t0.AddDate(0, 0, 14), nil)
	if err != nil {
		t.Fatal(err)
	}
	if k, _ := out.Plan.KPIFrom("C/2"); k.Target.Amount != 22000 || k.Deadline.Format(time.DateOnly) != "2026-12-28" {
		t.Errorf("after a later edit of the target: %+v by %s, want 22k by 2026-12-28", k.Target, k.Deadline.Format(time.DateOnly))
	}
}

// TestAnEditedDueDateWrittenOutIsTaken: an action due "tomorrow", written
// on 23 November, is edited on the 26th to the date written out, 27
// November, which is also the edit's tomorrow: it is due on the 27th.
func TestAnEditedDueDateWrittenOutIsTaken(t *testing.T) {
	cat := RACE()
	p := NewPlan("T", "C", "Q1", "UANA", t0)
	p.Cursor = Cursor{Stage: 1, Phase: PhaseActions}
	line := "Ads | impact 3 | effort 2 | tomorrow"
	out, err := Step(cat, p, Input{Text: line, User: "UANA", Now: t0, Source: "C/1"})
	if err != nil {
		t.Fatal(err)
	}
	out, err = ReviseAction(cat, out.Plan, "C/1", line, "Ads | impact 3 | effort 2 | 2026-11-27", "UANA", t0.AddDate(0, 0, 3), nil)
	if err != nil {
		t.Fatal(err)
	}
	if a, _ := out.Plan.ActionFrom("C/1"); a.Due.Format(time.DateOnly) != "2026-11-27" {
		t.Errorf("due %s after the edit to 2026-11-27, want 2026-11-27", a.Due.Format(time.DateOnly))
	}
}

// TestAnEditedKPILineWithAnUnreadableValueSaysWhy: a rate's line set as
// "bounce rate | target 45%" is edited to "target 0.4", which is asked
// about since "0.4" may be 40% or 0.4%. The edit keeps the target as it
// was and says why; before, it was told only that the line no longer read
// as a KPI target, with an example for visitors.
func TestAnEditedKPILineWithAnUnreadableValueSaysWhy(t *testing.T) {
	cat := RACE()
	p := &Plan{ID: 1, Name: "Q1", Kind: KindEcommerce, Cursor: Cursor{Stage: 2, Phase: PhaseKPIs}}
	line := "bounce rate | baseline 55% | target 45% | by 2027-03-31 | owner Ana"
	out, err := Step(cat, p, Input{Text: line, User: "UANA", Now: t0, Source: "C/2"})
	if err != nil {
		t.Fatal(err)
	}
	out, err = ReviseKPI(cat, out.Plan, "C/2", line, strings.Replace(line, "target 45%", "target 0.4", 1), "UANA", t0.Add(time.Minute), nil)
	if k, _ := out.Plan.KPIFrom("C/2"); k.Target.Amount != 45 || len(out.Changes) != 0 {
		t.Errorf("after the edit: %+v, changes %+v; want the target kept at 45%%", k, out.Changes)
	}
	if !errors.Is(err, ErrBadInput) || !strings.Contains(Explain(err).String(), `For the target, "0.4" is ambiguous: did you mean 40% or 0.4%?`) {
		t.Errorf("ReviseKPI: %v; want the bounce rate target kept, saying why", err)
	}
}
