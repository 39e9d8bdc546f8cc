package storetest

import (
	"fmt"
	"testing"
	"time"

	"github.com/racebot/racebot/coach"
	"github.com/racebot/racebot/flows"
	"github.com/racebot/racebot/scheduler"
)

// Filled names what Fill wrote.
type Filled struct {
	// Plans are the plans left, by team.
	Plans map[string][]flows.PlanID
	// DeletedThread is the thread of a plan Fill deleted, in T1's C1.
	DeletedThread string
}

// Fill writes a little of everything a team accumulates into db, through
// the store's own methods: plans in two workspaces with answers, skips,
// revisions, co-answers, withdrawals, actions, privacy, threads, KPIs with
// and without baselines and targets and with a period, values (n/a among
// them, some from a check-in), a schedule with a run log, check-ins, an
// offer, asked messages, read marks, action statuses, an action removed
// (its number kept from reuse), a kind of business, capability ratings
// and a reminder claim, personal reminders with a mute and a snooze, a
// latest review, a retro with answers and prompts, a plan started from
// another, seen keys, a current plan and a deleted plan. Tests of copying
// one store into another fill one and compare.
func Fill(t *testing.T, db Store) Filled {
	t.Helper()
	ctx := ctxFor(t)
	at := func(m int) time.Time { return t0.Add(time.Duration(m) * time.Minute) }
	q := flows.QuestionBusiness

	p := newPlan(t, db, "T1", "C1", "Q1 Launch")
	for i, line := range []string{"We sell coffee — “fresh” & 100% fair", "skip", "back", "Fresh beans", "done",
		"Ask for reviews | Ana | 2027-02-01 | impact 4 | effort 2", "Run a tasting | Ben | | impact 3 | effort 3"} {
		p = step(t, db, p, line, "EvLine"+string(rune('a'+i)), at(i))
	}
	commit := func(cs ...flows.Change) {
		t.Helper()
		if err := db.Commit(ctx, p, cs, ""); err != nil {
			t.Fatalf("commit %T: %v", cs[0], err)
		}
		p = load(t, db, "T1", p.ID)
	}
	commit(flows.AnswerAdded{QuestionID: q, Revision: p.Answers[q].Next(), Contribution: flows.Contribution{Text: "And cake 🍰.", By: "U2", At: at(10), Source: "C1/1700000010.000100"}})
	commit(flows.AnswerRevised{QuestionID: q, Revision: p.Answers[q].Next(), Source: "C1/1700000010.000100", Text: "And carrot cake 🥕.", By: "U2", At: at(11)})
	commit(flows.AnswerAdded{QuestionID: q, Revision: p.Answers[q].Next(), Contribution: flows.Contribution{Text: "Tea, too.", By: "U3", At: at(12), Source: "C1/1700000012.000100"}})
	commit(flows.AnswerWithdrawn{QuestionID: q, Revision: p.Answers[q].Next(), Source: "C1/1700000012.000100", By: "U3", At: at(13)})
	commit(flows.PrivacySet{On: true})
	commit(flows.KindSet{Kind: flows.KindEcommerce})
	commit(flows.ActionStatusSet{Action: p.Actions[0].ID, Status: flows.ActionDoing, By: "U2", At: at(14)})
	commit(flows.ActionStatusSet{Action: p.Actions[0].ID, Status: flows.ActionDone, By: "U3", At: at(15)})
	// An action whose message was deleted: its number is not given again.
	commit(flows.ActionAdded{Action: flows.Action{Number: p.NextActionNumber(), Stage: flows.StagePlan, Text: "Gone soon", Impact: 2, Effort: 2, By: "U2", At: at(16), Source: "C1/1700000016.000100"}})
	commit(flows.ActionRemoved{Source: "C1/1700000016.000100"})
	if _, err := db.BindThread(ctx, "T1", p.ID, "1700000000.000100"); err != nil {
		t.Fatal(err)
	}
	for i, asks := range []string{"plan.business", "plan.value", "actions:plan"} {
		if err := db.RecordAsked(ctx, "T1", p.ID, 1700000000000100+int64(i)*1000000, "1700000000.000100", asks); err != nil {
			t.Fatal(err)
		}
	}

	revenue, err := db.SaveKPI(ctx, "T1", flows.KPI{Plan: p.ID, Stage: flows.StageConvert, Key: "revenue", Name: "Revenue", Unit: flows.UnitCurrency,
		Currency: "EUR", HigherIsBetter: true, Baseline: flows.Value{Amount: 1234.5678, Unit: flows.UnitCurrency, Currency: "USD"},
		Target: flows.Value{Amount: 0.1 + 0.2, Unit: flows.UnitCurrency, Currency: "EUR"}, Deadline: time.Date(2027, 6, 30, 0, 0, 0, 0, time.UTC),
		Owner: "U2", By: "U1", At: at(20)})
	if err != nil {
		t.Fatal(err)
	}
	visits, err := db.SaveKPI(ctx, "T1", flows.KPI{Plan: p.ID, Stage: flows.StageReach, Key: "visits", Name: "Site visits", Unit: flows.UnitCount, By: "U1", At: at(21), Period: flows.PeriodMonth})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.SetSchedule(ctx, "T1", p.ID, "every monday 09:00 Europe/Berlin", "Europe/Berlin", "U1", at(22)); err != nil {
		t.Fatal(err)
	}
	due := t0.Add(7 * 24 * time.Hour)
	if _, err := db.ClaimOccurrence(ctx, p.ID, "2026-11-30T09:00", due, 0, "replica-a", due); err != nil {
		t.Fatal(err)
	}
	checkin, err := db.CreateCheckin(ctx, "T1", flows.Checkin{Plan: p.ID, Occurrence: "2026-11-30T09:00", Channel: "C1",
		OpenedAt: due, NudgeAt: due.Add(24 * time.Hour), CloseAt: due.Add(72 * time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.SetCheckinMessages(ctx, checkin, "1700000100.000100", "1700000100.000200"); err != nil {
		t.Fatal(err)
	}
	if err := db.FinishOccurrence(ctx, p.ID, "2026-11-30T09:00", "replica-a", scheduler.StatePosted, "", checkin, due.Add(time.Second)); err != nil {
		t.Fatal(err)
	}
	if _, _, err := db.ClaimNudge(ctx, due.Add(25*time.Hour)); err != nil {
		t.Fatal(err)
	}
	next := due.Add(7 * 24 * time.Hour)
	if _, err := db.ClaimOccurrence(ctx, p.ID, "2026-12-07T09:00", next, 2, "replica-b", next); err != nil {
		t.Fatal(err)
	}
	if err := db.RetryOccurrence(ctx, p.ID, "2026-12-07T09:00", "replica-b", next.Add(30*time.Second), "try 1 not posted (429)", next); err != nil {
		t.Fatal(err)
	}
	ms := []flows.Measurement{
		{KPI: revenue, Value: flows.Value{Amount: 1500.25, Unit: flows.UnitCurrency, Currency: "EUR"}, At: due.Add(time.Hour), By: "U2", Checkin: checkin, Source: "C1/1700000101.000100"},
		{KPI: visits, Value: flows.Value{Unit: flows.UnitCount, Missing: true}, At: due.Add(time.Hour), By: "U3", Checkin: checkin},
		{KPI: visits, Value: flows.Value{Amount: 420, Unit: flows.UnitCount}, At: due.Add(2 * time.Hour), By: "U3"},
	}
	if err := db.RecordMeasurements(ctx, "T1", p.ID, ms, "EvValues"); err != nil {
		t.Fatal(err)
	}
	p = load(t, db, "T1", p.ID)
	o := flows.Offer{Team: "T1", Channel: "C1", Plan: p.ID, User: "U4", Command: "new Q2 Launch", QuestionID: "plan.value", Revision: 1,
		Version: p.Version + 1, Expires: at(40)}
	if err := db.CommitOffer(ctx, p, nil, o, "EvOffer"); err != nil {
		t.Fatal(err)
	}

	if err := db.ReadThrough(ctx, "T1", "C1", "1700000000.000100", 1700000003000100, "1700000003.000100"); err != nil {
		t.Fatal(err)
	}
	if err := db.ReadThrough(ctx, "T1", "C1", "1700000100.000100", 1700000101000100, "1700000101.000100"); err != nil {
		t.Fatal(err)
	}
	for i, plan := range []flows.PlanID{p.ID, 0} {
		if _, err := db.AddCapabilityRating(ctx, flows.CapabilityRating{Team: "T1", Channel: "C1", Plan: plan, By: "U2", At: at(60 + i),
			Scores: map[flows.StageID]int{flows.StagePlan: 2 + i, flows.StageReach: 3, flows.StageEngage: 5 - i}}, fmt.Sprintf("EvRate%d", i)); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := db.ClaimCapabilityReminder(ctx, "T1", "C2", p.ID, "2026-Q4", "2026-11-30T09:00", t0.AddDate(0, -2, 0), due); err != nil {
		t.Fatal(err)
	}
	retro, err := db.OpenRetro(ctx, flows.Retro{Team: "T1", Plan: p.ID, Channel: "C1", By: "U1", At: at(70)}, "EvRetro")
	if err != nil {
		t.Fatal(err)
	}
	if err := db.SetRetroThread(ctx, "T1", retro, "1700000200.000100"); err != nil {
		t.Fatal(err)
	}
	for i, a := range []flows.RetroAnswer{{Question: "worked", Text: "Tastings — “full” rooms", By: "U2", At: at(71), Source: "C1/1700000201.000100"},
		{Question: "worked", Text: "Reviews", By: "U3", At: at(72)}, {Question: "change", Text: "Fewer channels", By: "U2", At: at(73), Labelled: true}} {
		if err := db.AddRetroAnswer(ctx, "T1", retro, a, fmt.Sprintf("EvRetroAnswer%d", i)); err != nil {
			t.Fatal(err)
		}
	}
	for i, q := range []string{"worked", "didnt", "change"} {
		if err := db.RecordRetroPrompt(ctx, "T1", retro, 1700000200000100+int64(i)*1000, "1700000200.000100", q); err != nil {
			t.Fatal(err)
		}
	}
	reminder := fmt.Sprintf("checkin:%d", checkin)
	if ok, _, err := db.ClaimReminder(ctx, "T1", "U2", reminder, p.ID, due.Add(2*time.Hour)); !ok || err != nil {
		t.Fatalf("claim reminder: %t, %v", ok, err)
	}
	if err := db.ReminderSent(ctx, "T1", "U2", reminder, "D2", "1700000300.000100"); err != nil {
		t.Fatal(err)
	}
	if err := db.SetReminders(ctx, "T1", p.ID, "U3", false, at(90), "EvRemindOff"); err != nil {
		t.Fatal(err)
	}
	if err := db.Snooze(ctx, "T1", p.ID, p.Actions[1].ID, "U2", due.Add(48*time.Hour), "EvSnooze"); err != nil {
		t.Fatal(err)
	}
	if err := db.SetLatestReview(ctx, "T1", flows.ExportReview{Plan: p.ID, At: at(95), By: "U2", Text: "Gaps: &lt;none&gt; — “fine”", FromModel: true}); err != nil {
		t.Fatal(err)
	}
	ms2, err := db.Measurements(ctx, "T1", p.ID)
	if err != nil {
		t.Fatal(err)
	}
	carried, err := db.CreatePlanFrom(ctx, flows.CarryOver(load(t, db, "T1", p.ID), ms2, "Q2 Launch", "U2", at(80)), "EvFrom")
	if err != nil {
		t.Fatal(err)
	}

	gone := newPlan(t, db, "T1", "C1", "Old plan")
	if _, err := db.BindThread(ctx, "T1", gone.ID, "1690000000.000100"); err != nil {
		t.Fatal(err)
	}
	if err := db.DeletePlan(ctx, "T1", gone.ID, "EvDelete"); err != nil {
		t.Fatal(err)
	}
	if err := db.SetCurrentPlan(ctx, "T1", "C1", p.ID, "EvSwitch"); err != nil {
		t.Fatal(err)
	}

	other := newPlan(t, db, "T2", "C7", "Café ☕ launch")
	other = step(t, db, other, "Wir rösten selbst. 'Quotes' \"and\" \\backslashes\\", "", at(50))
	step(t, db, other, "skip", "", at(51))
	if err := db.SawHome(ctx, "T1", "U1", at(5)); err != nil {
		t.Fatal(err)
	}
	for i, execution := range []string{"Fx1", "Fx2"} {
		st := coach.Step{Team: "T1", Execution: execution, Function: "record_values", AcceptedAt: at(60 + i),
			Inputs: map[string]string{"channel_id": "C1", "values": "visitors 12.4k ☕ \"quoted\""}}
		if _, err := db.AcceptStep(ctx, st); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.FinishStep(ctx, "T1", "Fx1", at(61)); err != nil {
		t.Fatal(err)
	}
	if err := db.AddPlaceholder(ctx, coach.Placeholder{Team: "T1", Channel: "C1", TS: "1690000000.000200", What: "draft", PostedAt: at(62)}); err != nil {
		t.Fatal(err)
	}
	if err := db.AddPlaceholder(ctx, coach.Placeholder{Team: "T1", Channel: "C1", Thread: "1690000000.000100", Key: "placeholder:f", What: "draft", PostedAt: at(63)}); err != nil {
		t.Fatal(err)
	}
	if err := db.MarkSeen(ctx, "T2", "EvStatus"); err != nil {
		t.Fatal(err)
	}
	return Filled{Plans: map[string][]flows.PlanID{"T1": {p.ID, carried}, "T2": {other.ID}}, DeletedThread: "1690000000.000100"}
}
