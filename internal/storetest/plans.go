package storetest

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/racebot/racebot/flows"
)

// planOpts compares plans as the engine sees them; ids of actions and
// KPIs come from the database, and an empty list is no list.
var planOpts = cmp.Options{
	cmpopts.EquateEmpty(),
	cmpopts.IgnoreFields(flows.Action{}, "ID"),
	cmpopts.IgnoreFields(flows.KPI{}, "ID"),
}

func isAny(err error, targets []error) bool {
	for _, t := range targets {
		if errors.Is(err, t) {
			return true
		}
	}
	return false
}

// testPlanRoundTrip commits every kind of change and checks that the plan
// each handle loads is the plan the engine saw: the changes applied in
// memory, the version one up per commit.
func testPlanRoundTrip(t *testing.T, open Open) {
	db, another := open(t)
	ctx := ctxFor(t)
	p := newPlan(t, db, "T1", "C1", "Q1 Launch")
	q := flows.QuestionBusiness
	commit := func(cs ...flows.Change) {
		t.Helper()
		want := p.Clone()
		for _, c := range cs {
			want.Apply(c)
		}
		want.Version++
		if err := db.Commit(ctx, p, cs, ""); err != nil {
			t.Fatalf("commit %T: %v", cs[0], err)
		}
		p = load(t, db, "T1", p.ID)
		if diff := cmp.Diff(want, p, planOpts); diff != "" {
			t.Fatalf("after %T (-engine +stored):\n%s", cs[0], diff)
		}
	}
	at := func(m int) time.Time { return t0.Add(time.Duration(m) * time.Minute) }

	for i, line := range []string{"We sell coffee", "skip", "back", "Fresh beans", "done",
		"Ask for reviews | Ana | 2027-02-01 | impact 4 | effort 2"} {
		commit(changes(t, p, line, at(i))...)
	}
	a := p.Answers[q]
	commit(flows.AnswerAdded{QuestionID: q, Revision: a.Next(), Contribution: flows.Contribution{Text: "And cake.", By: "U2", At: at(10), Source: "C1/10"}})
	commit(flows.AnswerRevised{QuestionID: q, Revision: p.Answers[q].Next(), Source: "C1/10", Text: "And carrot cake.", By: "U2", At: at(11)})
	commit(flows.AnswerRecorded{Answer: flows.Answer{QuestionID: "plan.goals", Text: "Double sales", By: "U3", At: at(12), Revision: 1, Source: "C1/12", Drafted: true}})
	commit(flows.AnswerWithdrawn{QuestionID: "plan.goals", Revision: 2, Source: "C1/12", By: "U3", At: at(13)})
	// Co-answers typed in the terminal come from no message: a withdrawal
	// names one by its revision, and takes back that one alone.
	vp := flows.QuestionValueProposition
	tea := p.Answers[vp].Next()
	commit(flows.AnswerAdded{QuestionID: vp, Revision: tea, Contribution: flows.Contribution{Text: "And tea.", By: "U2", At: at(13)}})
	commit(flows.AnswerAdded{QuestionID: vp, Revision: p.Answers[vp].Next(), Contribution: flows.Contribution{Text: "And mugs.", By: "U3", At: at(13)}})
	commit(flows.AnswerWithdrawn{QuestionID: vp, Revision: p.Answers[vp].Next(), Of: tea, By: "U2", At: at(14)})
	if a := p.Answers[vp]; a.Text == "" || len(a.Also) != 1 || a.Also[0].Text != "And mugs." {
		t.Errorf("after taking back the first of two co-answers, %s = %+v; want its answer and the second", vp, a)
	}
	commit(flows.PrivacySet{On: true})
	commit(flows.KindSet{Kind: flows.KindEcommerce})
	commit(flows.ActionStatusSet{Action: p.Actions[0].ID, Status: flows.ActionDoing, By: "U2", At: at(15)})
	commit(flows.ActionStatusSet{Action: p.Actions[0].ID, Status: flows.ActionDone, By: "U3", At: at(16)})
	commit(flows.StageCompleted{Stage: flows.StageReach}, flows.QuestionSkipped{QuestionID: "reach.channels"},
		flows.CursorMoved{Cursor: flows.Cursor{Stage: 2, Step: 1, Phase: flows.PhaseActions}})
	commit(flows.KPISet{KPI: flows.KPI{Plan: p.ID, Stage: flows.StageReach, Key: "visits", Name: "Site visits", Unit: flows.UnitCount,
		HigherIsBetter: true, Baseline: flows.Value{Unit: flows.UnitCount, Missing: true}, Target: flows.Value{Amount: 5000, Unit: flows.UnitCount}, Deadline: time.Date(2027, 3, 1, 0, 0, 0, 0, time.UTC), Owner: "U1", By: "U1", At: at(14), Period: flows.PeriodMonth}})

	// Another handle, with a cold cache, loads the same plan.
	other := another()
	if diff := cmp.Diff(p, load(t, other, "T1", p.ID), cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("another handle loads (-first +other):\n%s", diff)
	}
	revs, err := other.Revisions(ctx, "T1", p.ID, q)
	if err != nil {
		t.Fatal(err)
	}
	var texts []string
	for _, r := range revs {
		texts = append(texts, fmt.Sprintf("%d %s", r.Revision, r.Text))
	}
	if diff := cmp.Diff([]string{"1 We sell coffee", "2 And cake.", "3 And carrot cake."}, texts); diff != "" {
		t.Errorf("revisions (-want +got):\n%s", diff)
	}

	byName, err := other.PlanByName(ctx, "T1", "C1", "  q1 LAUNCH ")
	if err != nil || byName.ID != p.ID {
		t.Errorf("PlanByName ignoring case = %v, %v", byName, err)
	}
	if _, err := other.PlanByName(ctx, "T1", "C2", "Q1 Launch"); !errors.Is(err, flows.ErrNoPlan) {
		t.Errorf("PlanByName in another channel: %v, want ErrNoPlan", err)
	}
	second := newPlan(t, db, "T1", "C1", "Q2")
	third := newPlan(t, db, "T1", "C2", "Q3")
	names := func(ps []*flows.Plan, err error) []string {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, p := range ps {
			out = append(out, p.Name)
		}
		return out
	}
	if diff := cmp.Diff([]string{"Q1 Launch", "Q2"}, names(other.Plans(ctx, "T1", "C1"))); diff != "" {
		t.Errorf("Plans of C1, oldest first (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"Q1 Launch", "Q2", "Q3"}, names(other.TeamPlans(ctx, "T1"))); diff != "" {
		t.Errorf("TeamPlans (-want +got):\n%s", diff)
	}
	// Creating a plan makes it its channel's current one.
	for channel, want := range map[string]flows.PlanID{"C1": second.ID, "C2": third.ID, "C9": 0} {
		if got, err := other.CurrentPlan(ctx, "T1", channel); err != nil || got != want {
			t.Errorf("CurrentPlan(%s) = %d, %v; want %d", channel, got, err, want)
		}
	}
	if err := other.SetCurrentPlan(ctx, "T1", "C1", p.ID, ""); err != nil {
		t.Fatal(err)
	}
	if got, _ := db.CurrentPlan(ctx, "T1", "C1"); got != p.ID {
		t.Errorf("CurrentPlan after SetCurrentPlan = %d, want %d", got, p.ID)
	}
}

func testPlanNames(t *testing.T, open Open) {
	db, _ := open(t)
	ctx := ctxFor(t)
	newPlan(t, db, "T1", "C1", "Q1 Launch")
	if _, err := db.CreatePlan(ctx, flows.NewPlan("T1", "C1", "q1 launch", "U2", t0), "k1"); !errors.Is(err, flows.ErrDuplicatePlan) {
		t.Fatalf("same name, other case: %v, want ErrDuplicatePlan", err)
	}
	// The refused plan did not take its key.
	if err := db.MarkSeen(ctx, "T1", "k1"); err != nil {
		t.Errorf("key of a refused plan was recorded: %v", err)
	}
	newPlan(t, db, "T1", "C2", "Q1 Launch")
	newPlan(t, db, "T2", "C1", "Q1 Launch")
}

// testTeams: every read and write that takes a plan id from outside
// refuses another team's plan as if it did not exist.
func testTeams(t *testing.T, open Open) {
	db, _ := open(t)
	ctx := ctxFor(t)
	p := newPlan(t, db, "T1", "C1", "Q1")
	if _, err := db.SaveKPI(ctx, "T1", flows.KPI{Plan: p.ID, Stage: flows.StagePlan, Key: "k", Name: "K", Unit: flows.UnitCount, By: "U1", At: t0}); err != nil {
		t.Fatal(err)
	}
	if err := db.SetSchedule(ctx, "T1", p.ID, "every monday 09:00 UTC", "UTC", "U1", t0); err != nil {
		t.Fatal(err)
	}
	calls := map[string]error{}
	_, calls["Plan"] = db.Plan(ctx, "T2", p.ID)
	_, calls["KPIs"] = db.KPIs(ctx, "T2", p.ID)
	_, calls["Measurements"] = db.Measurements(ctx, "T2", p.ID)
	_, calls["SaveKPI"] = db.SaveKPI(ctx, "T2", flows.KPI{Plan: p.ID, Key: "x", By: "U9", At: t0})
	calls["RecordMeasurements"] = db.RecordMeasurements(ctx, "T2", p.ID, nil, "")
	_, calls["ReplaceMeasurements"] = db.ReplaceMeasurements(ctx, "T2", p.ID, "C1/1", nil, "")
	calls["DeletePlan"] = db.DeletePlan(ctx, "T2", p.ID, "")
	_, calls["BindThread"] = db.BindThread(ctx, "T2", p.ID, "1.1")
	calls["RecordAsked"] = db.RecordAsked(ctx, "T2", p.ID, 1, "1.1", "x")
	_, calls["CreateCheckin"] = db.CreateCheckin(ctx, "T2", flows.Checkin{Plan: p.ID, Channel: "C1", OpenedAt: t0, NudgeAt: t0, CloseAt: t0})
	_, calls["Schedule"] = db.Schedule(ctx, "T2", p.ID)
	calls["SetSchedule"] = db.SetSchedule(ctx, "T2", p.ID, "every day 08:00 UTC", "UTC", "U9", t0)
	calls["SetPaused"] = db.SetPaused(ctx, "T2", p.ID, true, t0)
	_, calls["Occurrences"] = db.Occurrences(ctx, "T2", p.ID, 0)
	other := p.Clone()
	other.Team = "T2"
	calls["Commit"] = db.Commit(ctx, other, []flows.Change{flows.PrivacySet{On: true}}, "")
	for name, err := range calls {
		if !errors.Is(err, flows.ErrNoPlan) {
			t.Errorf("%s on another team's plan: %v, want ErrNoPlan", name, err)
		}
	}
	if got := load(t, db, "T1", p.ID); got.Version != p.Version+1 || got.Privacy || got.Thread != "" {
		t.Errorf("another team changed the plan: version %d→%d, privacy %v, thread %q", p.Version, got.Version, got.Privacy, got.Thread)
	}
	if s, err := db.Schedule(ctx, "T1", p.ID); err != nil || s.Paused || s.Spec != "every monday 09:00 UTC" {
		t.Errorf("another team changed the schedule: %+v, %v", s, err)
	}
	if id, _ := db.PlanIDByThread(ctx, "T2", "C1", ""); id != 0 {
		t.Errorf("PlanIDByThread with no thread = %d", id)
	}
}

// testKeys: a key lands with its effect, or not at all, per team.
func testKeys(t *testing.T, open Open) {
	db, another := open(t)
	ctx := ctxFor(t)
	id, err := db.CreatePlan(ctx, flows.NewPlan("T1", "C1", "Q1", "U1", t0), "Ev1")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.CreatePlan(ctx, flows.NewPlan("T1", "C1", "Q2", "U1", t0), "Ev1"); !errors.Is(err, flows.ErrDuplicate) {
		t.Fatalf("second CreatePlan with the key: %v, want ErrDuplicate", err)
	}
	if ps, _ := db.Plans(ctx, "T1", "C1"); len(ps) != 1 {
		t.Fatalf("%d plans after a duplicate delivery, want 1", len(ps))
	}
	// Keys are per workspace.
	if err := db.MarkSeen(ctx, "T2", "Ev1"); err != nil {
		t.Errorf("the same key in another team: %v", err)
	}

	p := load(t, db, "T1", id)
	p = step(t, db, p, "We sell coffee", "Ev2", t0)
	// A retry of a delivery that landed records nothing, on any handle.
	other := another()
	stale := p.Clone()
	if err := other.Commit(ctx, stale, changes(t, stale, "Fresh beans", t0), "Ev2"); !errors.Is(err, flows.ErrDuplicate) {
		t.Fatalf("retry of a landed commit: %v, want ErrDuplicate", err)
	}
	if got := load(t, other, "T1", id); got.Version != p.Version {
		t.Errorf("a duplicate moved the plan from version %d to %d", p.Version, got.Version)
	}
	// A write refused for another reason leaves its key free for the retry.
	old := p.Clone()
	old.Version--
	if err := db.Commit(ctx, old, changes(t, old, "x", t0), "Ev3"); !errors.Is(err, flows.ErrConflict) {
		t.Fatalf("stale commit: %v, want ErrConflict", err)
	}
	step(t, db, p, "Fresh beans", "Ev3", t0)
	if err := other.MarkSeen(ctx, "T1", "Ev3"); !errors.Is(err, flows.ErrDuplicate) {
		t.Errorf("MarkSeen of a committed key: %v, want ErrDuplicate", err)
	}
	for _, call := range []struct {
		name string
		err  error
	}{
		{"SetCurrentPlan", other.SetCurrentPlan(ctx, "T1", "C1", id, "Ev3")},
		{"RecordMeasurements", other.RecordMeasurements(ctx, "T1", id, nil, "Ev3")},
		{"DeletePlan", other.DeletePlan(ctx, "T1", id, "Ev3")},
	} {
		if !errors.Is(call.err, flows.ErrDuplicate) {
			t.Errorf("%s with a recorded key: %v, want ErrDuplicate", call.name, call.err)
		}
	}
	if _, err := db.Plan(ctx, "T1", id); err != nil {
		t.Errorf("a duplicate DeletePlan deleted the plan: %v", err)
	}

	// Pruning forgets keys recorded before the cut, and only those.
	if err := db.PruneSeen(ctx, time.Now().Add(-time.Hour), time.Now().Add(-time.Hour)); err != nil {
		t.Fatal(err)
	}
	if err := db.MarkSeen(ctx, "T1", "Ev3"); !errors.Is(err, flows.ErrDuplicate) {
		t.Errorf("a recent key was pruned: %v", err)
	}
	if err := db.PruneSeen(ctx, time.Now().Add(time.Hour), time.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if err := db.MarkSeen(ctx, "T1", "Ev3"); err != nil {
		t.Errorf("a pruned key is still seen: %v", err)
	}
}

// testKeyRace: one delivery handed to several handles at once (Slack
// retrying to another replica) lands once.
func testKeyRace(t *testing.T, open Open) {
	db, another := open(t)
	ctx := ctxFor(t)
	handles := []Store{db, another(), another()}
	p := newPlan(t, db, "T1", "C1", "Q1")
	cs := changes(t, p, "We sell coffee", t0)
	for round := range 5 {
		key := fmt.Sprintf("EvMark%d", round)
		if won := race(t, 6, func(i int) error { return handles[i%3].MarkSeen(ctx, "T1", key) }, flows.ErrDuplicate); won != 1 {
			t.Errorf("MarkSeen %s: %d won, want 1", key, won)
		}
	}
	won := race(t, 6, func(i int) error {
		return handles[i%3].Commit(ctx, p.Clone(), cs, "EvAnswer")
	}, flows.ErrDuplicate, flows.ErrConflict)
	if won != 1 {
		t.Errorf("one answer delivered six times: %d commits landed, want 1", won)
	}
	revs, err := db.Revisions(ctx, "T1", p.ID, flows.QuestionBusiness)
	if err != nil || len(revs) != 1 {
		t.Errorf("revisions after the race: %d, %v; want 1", len(revs), err)
	}
	won = race(t, 6, func(i int) error {
		_, err := handles[i%3].CreatePlan(ctx, flows.NewPlan("T1", "C2", fmt.Sprintf("Plan %d", i), "U1", t0), "EvNew")
		return err
	}, flows.ErrDuplicate)
	if ps, _ := db.Plans(ctx, "T1", "C2"); won != 1 || len(ps) != 1 {
		t.Errorf("one /race new delivered six times: %d won, %d plans; want 1 and 1", won, len(ps))
	}
}

func testVersionConflict(t *testing.T, open Open) {
	db, another := open(t)
	ctx := ctxFor(t)
	other := another()
	p := newPlan(t, db, "T1", "C1", "Q1")
	seenByOther := load(t, other, "T1", p.ID)
	p = step(t, db, p, "We sell coffee", "", t0)
	err := other.Commit(ctx, seenByOther, changes(t, seenByOther, "We sell tea", t0), "EvTea")
	if !errors.Is(err, flows.ErrConflict) {
		t.Fatalf("commit from a plan another handle moved: %v, want ErrConflict", err)
	}
	if got := load(t, other, "T1", p.ID); got.Answers[flows.QuestionBusiness].Text != "We sell coffee" {
		t.Errorf("answer after the conflict = %q", got.Answers[flows.QuestionBusiness].Text)
	}
	// A step that changes nothing still answers from the plan as it was
	// read ("it stays because it is under way"): its commit is refused
	// too, its key left free for the retry.
	if err := other.Commit(ctx, seenByOther, nil, "EvKeep"); !errors.Is(err, flows.ErrConflict) {
		t.Errorf("empty commit from a plan another handle moved: %v, want ErrConflict", err)
	}
	if err := other.Commit(ctx, load(t, other, "T1", p.ID), nil, "EvKeep"); err != nil {
		t.Errorf("empty commit from the plan as it stands: %v", err)
	}
	if err := db.DeletePlan(ctx, "T1", p.ID, ""); err != nil {
		t.Fatal(err)
	}
	if err := other.Commit(ctx, p, changes(t, p, "x", t0), ""); !errors.Is(err, flows.ErrNoPlan) {
		t.Errorf("commit to a deleted plan: %v, want ErrNoPlan", err)
	}
	if err := db.Commit(ctx, p, nil, ""); !errors.Is(err, flows.ErrNoPlan) {
		t.Errorf("empty commit to a deleted plan: %v, want ErrNoPlan", err)
	}
}

// testCommitRace: of commits computed from one version on several handles
// at once, exactly one lands, and the plan holds exactly its change.
func testCommitRace(t *testing.T, open Open) {
	db, another := open(t)
	ctx := ctxFor(t)
	handles := []Store{db, another(), another()}
	p := newPlan(t, db, "T1", "C1", "Q1")
	for round := range 4 {
		base := load(t, db, "T1", p.ID)
		cs := make([][]flows.Change, 6)
		for i := range cs {
			cs[i] = changes(t, base, fmt.Sprintf("answer %d from %d", round, i), t0)
		}
		won := race(t, 6, func(i int) error {
			return handles[i%3].Commit(ctx, base, cs[i], fmt.Sprintf("Ev%d-%d", round, i))
		}, flows.ErrConflict)
		if won != 1 {
			t.Fatalf("round %d: %d of 6 racing commits landed, want 1", round, won)
		}
		p = load(t, handles[round%3], "T1", p.ID)
		if p.Version != base.Version+1 {
			t.Errorf("round %d: version %d → %d, want one step", round, base.Version, p.Version)
		}
	}
}

// testCacheAcrossHandles: what one handle writes, another reads though it
// had the plan cached: at once where reads are fresh, else from its next
// write on; a plan it reads as it was is never committed over the newer.
func testCacheAcrossHandles(t *testing.T, open Open, opts Options) {
	db, another := open(t)
	ctx := ctxFor(t)
	other := another()
	p := newPlan(t, db, "T1", "C1", "Q1")
	load(t, other, "T1", p.ID) // cached there
	p = step(t, db, p, "We sell coffee", "", t0)
	if seen := load(t, other, "T1", p.ID); seen.Version != p.Version {
		if opts.FreshReads {
			t.Errorf("other handle after a commit: version %d, want %d", seen.Version, p.Version)
		}
		if err := other.Commit(ctx, seen, changes(t, seen, "We sell tea", t0), ""); !errors.Is(err, flows.ErrConflict) {
			t.Errorf("commit from a plan read as it was: %v, want ErrConflict", err)
		}
	}
	settle(t, other, opts)
	if got := load(t, other, "T1", p.ID); got.Answers[flows.QuestionBusiness].Text != "We sell coffee" || got.Version != p.Version {
		t.Errorf("other handle after a commit: version %d, answer %q", got.Version, got.Answers[flows.QuestionBusiness].Text)
	}
	if _, err := db.SaveKPI(ctx, "T1", flows.KPI{Plan: p.ID, Stage: flows.StageReach, Key: "visits", Name: "Visits", Unit: flows.UnitCount, By: "U1", At: t0}); err != nil {
		t.Fatal(err)
	}
	settle(t, other, opts)
	if got := load(t, other, "T1", p.ID); len(got.KPIs) != 1 {
		t.Errorf("other handle after SaveKPI: %d KPIs, want 1", len(got.KPIs))
	}
	if err := db.Commit(ctx, load(t, db, "T1", p.ID), []flows.Change{flows.KPIRemoved{Key: "visits"}}, ""); err != nil {
		t.Fatal(err)
	}
	settle(t, other, opts)
	if got := load(t, other, "T1", p.ID); len(got.KPIs) != 0 {
		t.Errorf("other handle after a KPI's removal: %d KPIs, want 0", len(got.KPIs))
	}
	if _, err := db.BindThread(ctx, "T1", p.ID, "1700000000.000100"); err != nil {
		t.Fatal(err)
	}
	settle(t, other, opts)
	if got := load(t, other, "T1", p.ID); got.Thread != "1700000000.000100" {
		t.Errorf("other handle after BindThread: thread %q", got.Thread)
	}
	// A plan deleted on one handle is gone on the other, cache or not.
	if err := db.DeletePlan(ctx, "T1", p.ID, ""); err != nil {
		t.Fatal(err)
	}
	settle(t, other, opts)
	if _, err := other.Plan(ctx, "T1", p.ID); !errors.Is(err, flows.ErrNoPlan) {
		t.Errorf("other handle after DeletePlan: %v, want ErrNoPlan", err)
	}
}

func testDeletePlan(t *testing.T, open Open) {
	db, _ := open(t)
	ctx := ctxFor(t)
	p := newPlan(t, db, "T1", "C1", "Q1")
	if _, err := db.BindThread(ctx, "T1", p.ID, "1.000100"); err != nil {
		t.Fatal(err)
	}
	if id, err := db.PlanIDByThread(ctx, "T1", "C1", "1.000100"); err != nil || id != p.ID {
		t.Fatalf("PlanIDByThread = %d, %v", id, err)
	}
	p = load(t, db, "T1", p.ID)
	p = step(t, db, p, "We sell coffee", "", t0)
	kpi, err := db.SaveKPI(ctx, "T1", flows.KPI{Plan: p.ID, Stage: flows.StageReach, Key: "visits", Name: "Visits", Unit: flows.UnitCount, By: "U1", At: t0})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.RecordMeasurements(ctx, "T1", p.ID, []flows.Measurement{{KPI: kpi, Value: flows.Value{Amount: 3}, At: t0, By: "U1"}}, ""); err != nil {
		t.Fatal(err)
	}
	if err := db.SetSchedule(ctx, "T1", p.ID, "every monday 09:00 UTC", "UTC", "U1", t0); err != nil {
		t.Fatal(err)
	}
	checkin, err := db.CreateCheckin(ctx, "T1", flows.Checkin{Plan: p.ID, Channel: "C1", OpenedAt: t0, NudgeAt: t0.Add(time.Hour), CloseAt: t0.Add(48 * time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.SetCheckinMessages(ctx, checkin, "2.000100", "2.000200"); err != nil {
		t.Fatal(err)
	}
	if err := db.DeletePlan(ctx, "T1", p.ID, "EvDel"); err != nil {
		t.Fatal(err)
	}
	if err := db.DeletePlan(ctx, "T1", p.ID, ""); !errors.Is(err, flows.ErrNoPlan) {
		t.Errorf("deleting again: %v, want ErrNoPlan", err)
	}
	if _, err := db.PlanIDByThread(ctx, "T1", "C1", "1.000100"); !errors.Is(err, flows.ErrNoPlan) {
		t.Errorf("PlanIDByThread after delete: %v", err)
	}
	if name, ok, err := db.DeletedPlanName(ctx, "T1", "C1", "1.000100"); err != nil || !ok || name != "Q1" {
		t.Errorf("DeletedPlanName = %q, %v, %v", name, ok, err)
	}
	// A value given late in its open check-in's thread is answered too.
	if name, ok, err := db.DeletedPlanName(ctx, "T1", "C1", "2.000100"); err != nil || !ok || name != "Q1" {
		t.Errorf("DeletedPlanName of its check-in's thread = %q, %v, %v", name, ok, err)
	}
	if _, ok, _ := db.DeletedPlanName(ctx, "T2", "C1", "1.000100"); ok {
		t.Error("another team learns of a deleted plan")
	}
	if cur, _ := db.CurrentPlan(ctx, "T1", "C1"); cur != 0 {
		t.Errorf("CurrentPlan after delete = %d, want 0", cur)
	}
	due, err := db.DueSchedules(ctx)
	if err != nil || len(due) != 0 {
		t.Errorf("schedules after delete: %d, %v", len(due), err)
	}
	// The name is free again in the channel, but not the id: buttons and
	// forms of the deleted plan still name it, and must not reach this one.
	again := newPlan(t, db, "T1", "C1", "Q1")
	if again.ID <= p.ID {
		t.Errorf("a plan made after plan %d was deleted got id %d: ids are never given twice", p.ID, again.ID)
	}
	if _, err := db.Plan(ctx, "T1", p.ID); !errors.Is(err, flows.ErrNoPlan) {
		t.Errorf("the deleted plan's id loads a plan: %v", err)
	}
}

// testBindThread: two posts of a plan's header race to bind it; the first
// wins and both learn its thread.
func testBindThread(t *testing.T, open Open) {
	db, another := open(t)
	ctx := ctxFor(t)
	handles := []Store{db, another()}
	p := newPlan(t, db, "T1", "C1", "Q1")
	bound := make([]string, 6)
	won := race(t, 6, func(i int) error {
		var err error
		bound[i], err = handles[i%2].BindThread(ctx, "T1", p.ID, fmt.Sprintf("17000000%02d.000100", i))
		return err
	})
	if won != 6 {
		t.Fatalf("%d of 6 binds succeeded", won)
	}
	for i, b := range bound {
		if b != bound[0] {
			t.Errorf("bind %d learned thread %q, bind 0 %q", i, b, bound[0])
		}
	}
	if got := load(t, another(), "T1", p.ID); got.Thread != bound[0] {
		t.Errorf("plan thread %q, binds learned %q", got.Thread, bound[0])
	}
	if _, err := db.BindThread(ctx, "T1", p.ID+1000, "1.1"); !errors.Is(err, flows.ErrNoPlan) {
		t.Errorf("BindThread of a missing plan: %v", err)
	}
}

func testPing(t *testing.T, open Open) {
	db, another := open(t)
	ctx := ctxFor(t)
	for _, s := range []Store{db, another()} {
		if err := s.Ping(ctx); err != nil {
			t.Errorf("Ping: %v", err)
		}
		if err := s.PingWrite(ctx); err != nil {
			t.Errorf("PingWrite: %v", err)
		}
	}
}

// testAddedActionsCached: actions added by commits come back with the ids
// the database gave them, from the handle that added them (and may have
// cached the plan) as from a fresh one, and a status set right after
// reaches the right action.
func testAddedActionsCached(t *testing.T, open Open) {
	db, another := open(t)
	ctx := ctxFor(t)
	p := newPlan(t, db, "T1", "C1", "Q1")
	for i := range 3 {
		cur := load(t, db, "T1", p.ID)
		var cs []flows.Change
		for j := range i + 1 {
			cs = append(cs, flows.ActionAdded{Action: flows.Action{Stage: flows.StagePlan, Text: fmt.Sprintf("step %d.%d", i, j), Impact: 3, Effort: 2, By: "U1", At: t0}})
		}
		if err := db.Commit(ctx, cur, cs, ""); err != nil {
			t.Fatal(err)
		}
	}
	cached := load(t, db, "T1", p.ID)
	fresh := load(t, another(), "T1", p.ID)
	if len(cached.Actions) != 6 {
		t.Fatalf("%d actions, want 6", len(cached.Actions))
	}
	for _, a := range cached.Actions {
		if a.ID == 0 {
			t.Errorf("action %q has no id", a.Text)
		}
	}
	if diff := cmp.Diff(fresh, cached, cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("the adding handle's plan differs from a fresh handle's (-fresh +adding):\n%s", diff)
	}
	out, err := flows.SetActionStatus(cached, 4, flows.ActionDone, "U2", t0)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Commit(ctx, cached, out.Changes, ""); err != nil {
		t.Fatal(err)
	}
	got := load(t, another(), "T1", p.ID)
	for i, a := range got.Actions {
		if want := map[bool]flows.ActionStatus{true: flows.ActionDone, false: flows.ActionOpen}[i == 4]; a.State() != want {
			t.Errorf("action %d %q is %s, want %s", i, a.Text, a.State(), want)
		}
	}
}

// testMessageSources: an action and a KPI keep the message their line came
// from and when it was last edited there; an edit of the action changes it
// in place, its status kept, and the deletions remove the action and the
// KPI. The handle that committed sees what a fresh one reads.
func testMessageSources(t *testing.T, open Open) {
	db, another := open(t)
	ctx := ctxFor(t)
	p := newPlan(t, db, "T1", "C1", "Q1")
	due := time.Date(2027, 2, 15, 0, 0, 0, 0, time.UTC)
	commit := func(cs ...flows.Change) {
		t.Helper()
		if err := db.Commit(ctx, load(t, db, "T1", p.ID), cs, ""); err != nil {
			t.Fatal(err)
		}
	}
	commit(
		flows.ActionAdded{Action: flows.Action{Stage: flows.StagePlan, Text: "Gift boxes", Impact: 4, Effort: 2, By: "U1", At: t0, Source: "C1/1.1"}},
		flows.ActionAdded{Action: flows.Action{Stage: flows.StagePlan, Text: "From a form", Impact: 3, Effort: 3, By: "U1", At: t0}},
		flows.KPISet{KPI: flows.KPI{Plan: p.ID, Stage: flows.StageReach, Key: "visits", Name: "Site visits", Unit: flows.UnitCount, HigherIsBetter: true,
			Baseline: flows.Value{Amount: 10, Unit: flows.UnitCount}, Target: flows.Value{Amount: 20, Unit: flows.UnitCount},
			Deadline: due, Owner: "U1", By: "U1", At: t0, Source: "C1/1.2", Edited: t0.Add(time.Minute)}},
	)
	a := load(t, db, "T1", p.ID).Actions[0]
	commit(flows.ActionStatusSet{Action: a.ID, Status: flows.ActionDone, By: "U2", At: t0})
	edited := t0.Add(2 * time.Minute)
	commit(flows.ActionRevised{Source: "C1/1.1", Text: "Gift boxes for 40", Owner: "<@U2>", Due: due, Impact: 5, Effort: 2, Edited: edited})

	for _, h := range []Store{db, another()} {
		got := load(t, h, "T1", p.ID)
		if len(got.Actions) != 2 || len(got.KPIs) != 1 {
			t.Fatalf("actions %+v, KPIs %+v", got.Actions, got.KPIs)
		}
		want := flows.Action{ID: a.ID, Number: 1, Stage: flows.StagePlan, Text: "Gift boxes for 40", Owner: "<@U2>", Due: due, Impact: 5, Effort: 2, By: "U1", At: t0,
			Status: flows.ActionDone, StatusBy: "U2", StatusAt: t0, Source: "C1/1.1", Edited: edited}
		if diff := cmp.Diff(want, got.Actions[0]); diff != "" {
			t.Errorf("the edited action (-want +got):\n%s", diff)
		}
		if k := got.KPIs[0]; k.Source != "C1/1.2" || !k.Edited.Equal(t0.Add(time.Minute)) {
			t.Errorf("the KPI's source %q, edited %v", k.Source, k.Edited)
		}
	}
	commit(flows.ActionRemoved{Source: "C1/1.1"}, flows.KPIRemoved{Key: "visits"})
	for _, h := range []Store{db, another()} {
		got := load(t, h, "T1", p.ID)
		if len(got.Actions) != 1 || got.Actions[0].Text != "From a form" || len(got.KPIs) != 0 {
			t.Errorf("after the deletions: actions %+v, KPIs %+v", got.Actions, got.KPIs)
		}
	}
}

// testActionNumbers: an action keeps the number it was given, whether the
// change carried it or the store gave it, through a reload, the removal
// of another, and the removal of the newest, whose number is not given
// again. The handle that committed sees what a fresh one reads.
func testActionNumbers(t *testing.T, open Open) {
	db, another := open(t)
	ctx := ctxFor(t)
	p := newPlan(t, db, "T1", "C1", "Q1")
	add := func(text, source string, number int) flows.Change {
		return flows.ActionAdded{Action: flows.Action{Number: number, Stage: flows.StagePlan, Text: text, Impact: 3, Effort: 2, By: "U1", At: t0, Source: source}}
	}
	commit := func(cs ...flows.Change) {
		t.Helper()
		if err := db.Commit(ctx, load(t, db, "T1", p.ID), cs, ""); err != nil {
			t.Fatal(err)
		}
	}
	check := func(when string, last int, want map[string]int) {
		t.Helper()
		for _, h := range []Store{db, another()} {
			got := load(t, h, "T1", p.ID)
			numbers := map[string]int{}
			for _, a := range got.Actions {
				numbers[a.Text] = a.Number
			}
			if diff := cmp.Diff(want, numbers); diff != "" || got.LastActionNumber != last {
				t.Errorf("%s: last number %d, want %d; numbers (-want +got):\n%s", when, got.LastActionNumber, last, diff)
			}
		}
	}
	commit(add("Gift boxes", "C1/1", 0), add("Webinar series", "C1/2", 0))
	commit(add("Cart recovery emails", "C1/3", load(t, db, "T1", p.ID).NextActionNumber()))
	check("added", 3, map[string]int{"Gift boxes": 1, "Webinar series": 2, "Cart recovery emails": 3})
	commit(flows.ActionRemoved{Source: "C1/1"})
	check("the first removed", 3, map[string]int{"Webinar series": 2, "Cart recovery emails": 3})
	newest := load(t, db, "T1", p.ID).Actions[1].ID
	commit(flows.ActionRemoved{Source: "C1/3"})
	check("the newest removed", 3, map[string]int{"Webinar series": 2})
	commit(add("Gift cards", "C1/4", 0))
	check("one added after", 4, map[string]int{"Webinar series": 2, "Gift cards": 4})
	// Status buttons and menus name an action by its id long after they
	// were posted: one of a removed action must not reach a new one.
	if got := load(t, db, "T1", p.ID).Actions[1]; got.ID == newest {
		t.Errorf("%q was given id %d, the id of the removed newest action: ids are never given twice", got.Text, got.ID)
	}
	if err := db.Commit(ctx, load(t, db, "T1", p.ID), []flows.Change{add("Twice", "C1/5", 2)}, ""); err == nil {
		t.Error("an action given a number the plan has was stored")
	}
	check("a number given twice refused", 4, map[string]int{"Webinar series": 2, "Gift cards": 4})
}

// testRemovedKPIKeepsValuesGivenMeanwhile: the message that set a KPI is
// deleted while someone records its first value. The removal was decided
// on a plan read before the value came (the KPI had none), so it is
// refused as a conflict: the caller reads again and keeps the KPI, and
// the value is not lost with it.
func testRemovedKPIKeepsValuesGivenMeanwhile(t *testing.T, open Open) {
	db, another := open(t)
	ctx := ctxFor(t)
	p := newPlan(t, db, "T1", "C1", "Q1")
	if err := db.Commit(ctx, p, []flows.Change{flows.KPISet{KPI: flows.KPI{Plan: p.ID, Stage: flows.StageReach, Key: "visits", Name: "Site visits",
		Unit: flows.UnitCount, HigherIsBetter: true, Baseline: flows.Value{Amount: 10, Unit: flows.UnitCount}, Target: flows.Value{Amount: 20, Unit: flows.UnitCount},
		Deadline: time.Date(2027, 2, 15, 0, 0, 0, 0, time.UTC), Owner: "U1", By: "U1", At: t0, Source: "C1/1.2"}}}, ""); err != nil {
		t.Fatal(err)
	}
	before := load(t, db, "T1", p.ID)
	k := before.KPIs[0]
	if err := another().RecordMeasurements(ctx, "T1", p.ID, []flows.Measurement{{KPI: k.ID, Value: flows.Value{Amount: 12, Unit: flows.UnitCount}, At: t0, By: "U2"}}, ""); err != nil {
		t.Fatal(err)
	}
	if err := db.Commit(ctx, before, []flows.Change{flows.KPIRemoved{Key: "visits"}}, "EvDel"); !errors.Is(err, flows.ErrConflict) {
		t.Errorf("removing a KPI given a value since the plan was read: %v, want ErrConflict", err)
	}
	for _, h := range []Store{db, another()} {
		if got := load(t, h, "T1", p.ID).KPIs; len(got) != 1 {
			t.Errorf("KPIs after the refused removal: %+v", got)
		}
		if vs, err := h.Measurements(ctx, "T1", p.ID); err != nil || len(vs[k.ID]) != 1 {
			t.Errorf("values after the refused removal: %v, %v", vs, err)
		}
	}
}

// NumberedAsListed checks a store just migrated from a database whose
// plan 1 had the actions Gift boxes (id 10), Webinar series (12) and Cart
// recovery emails (14), plan 2 one action (11) and plan 3 none: each is
// numbered in the order the list shows, and the next action added to
// plan 1 takes number 4.
func NumberedAsListed(t *testing.T, db Store) {
	t.Helper()
	ctx := ctxFor(t)
	for id, want := range map[flows.PlanID]map[string]int{
		1: {"Gift boxes": 1, "Webinar series": 2, "Cart recovery emails": 3},
		2: {"Other plan": 1},
		3: {},
	} {
		p, err := db.Plan(ctx, "T1", id)
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]int{}
		for _, a := range p.Actions {
			got[a.Text] = a.Number
		}
		if diff := cmp.Diff(want, got); diff != "" || p.LastActionNumber != len(want) {
			t.Errorf("plan %d: last number %d, want %d; numbers (-want +got):\n%s", id, p.LastActionNumber, len(want), diff)
		}
	}
	p, err := db.Plan(ctx, "T1", 1)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Commit(ctx, p, []flows.Change{flows.ActionAdded{Action: flows.Action{Stage: flows.StagePlan, Text: "Gift cards", Impact: 3, Effort: 2, By: "U1", At: time.Now()}}}, ""); err != nil {
		t.Fatal(err)
	}
	if p, err = db.Plan(ctx, "T1", 1); err != nil || p.Actions[3].Number != 4 {
		t.Errorf("the action added after the upgrade: %+v, %v; want number 4", p.Actions, err)
	}
}

// testPlansFrom: the plans of a channel that keep an answer (or a
// co-answer), an action, a KPI or a KPI value from a message are found by the message, each once,
// oldest first; a plan with other messages' rows, or of another channel
// or workspace, is not. An action, KPI or values removed since no longer
// list their plan.
func testPlansFrom(t *testing.T, open Open) {
	db, another := open(t)
	ctx := ctxFor(t)
	const src = "C1/1700000000.000100"
	commit := func(p *flows.Plan, cs ...flows.Change) {
		t.Helper()
		if err := db.Commit(ctx, load(t, db, p.Team, p.ID), cs, ""); err != nil {
			t.Fatal(err)
		}
	}
	answer := func(q, source string) flows.Change {
		return flows.AnswerRecorded{Answer: flows.Answer{QuestionID: q, Text: "We roast coffee.", By: "U1", At: t0, Revision: 1, Source: source}}
	}
	kpi := func(p *flows.Plan, key, source string) flows.Change {
		return flows.KPISet{KPI: flows.KPI{Plan: p.ID, Stage: flows.StageReach, Key: key, Name: key, Unit: flows.UnitCount, HigherIsBetter: true,
			Target: flows.Value{Amount: 20, Unit: flows.UnitCount}, Owner: "U1", By: "U1", At: t0, Source: source}}
	}
	// value records n values of the plan's first KPI from source.
	value := func(p *flows.Plan, source string, n int) {
		t.Helper()
		k := load(t, db, p.Team, p.ID).KPIs[0]
		var ms []flows.Measurement
		for i := range n {
			ms = append(ms, flows.Measurement{KPI: k.ID, Value: flows.Value{Amount: float64(12 + i), Unit: flows.UnitCount}, At: t0, By: "U1", Source: source})
		}
		if err := db.RecordMeasurements(ctx, p.Team, p.ID, ms, ""); err != nil {
			t.Fatal(err)
		}
	}

	answered := newPlan(t, db, "T1", "C1", "Answered")
	commit(answered, answer(flows.QuestionBusiness, src), answer("plan.goals", "C1/1700000001.000100"))
	elsewhere := newPlan(t, db, "T1", "C1", "Elsewhere")
	commit(elsewhere, answer(flows.QuestionBusiness, "C1/1700000001.000100"),
		flows.ActionAdded{Action: flows.Action{Stage: flows.StagePlan, Text: "From a form", Impact: 3, Effort: 3, By: "U1", At: t0}},
		kpi(elsewhere, "visits", ""))
	value(elsewhere, "", 1)
	value(elsewhere, "C1/1700000002.000100", 1)
	actioned := newPlan(t, db, "T1", "C1", "Actioned")
	commit(actioned, flows.ActionAdded{Action: flows.Action{Stage: flows.StagePlan, Text: "Gift boxes", Impact: 4, Effort: 2, By: "U1", At: t0, Source: src}})
	targeted := newPlan(t, db, "T1", "C1", "Targeted")
	commit(targeted, kpi(targeted, "visits", src))
	measured := newPlan(t, db, "T1", "C1", "Measured")
	commit(measured, kpi(measured, "visits", ""))
	value(measured, src, 2) // two values from it list the plan once
	everything := newPlan(t, db, "T1", "C1", "Everything")
	commit(everything, answer(flows.QuestionBusiness, src), kpi(everything, "visits", src),
		flows.ActionAdded{Action: flows.Action{Stage: flows.StagePlan, Text: "Gift boxes", Impact: 4, Effort: 2, By: "U1", At: t0, Source: src}})
	value(everything, src, 1)
	// A co-answer from the message, to an answer from another one.
	coanswered := newPlan(t, db, "T1", "C1", "Co-answered")
	commit(coanswered, answer(flows.QuestionBusiness, "C1/1700000001.000100"))
	commit(coanswered, flows.AnswerAdded{QuestionID: flows.QuestionBusiness, Revision: 2,
		Contribution: flows.Contribution{Text: "And gift boxes.", By: "U2", At: t0, Source: src}})
	otherChannel := newPlan(t, db, "T1", "C2", "Other channel")
	commit(otherChannel, answer(flows.QuestionBusiness, src))
	otherTeam := newPlan(t, db, "T2", "C1", "Other team")
	commit(otherTeam, answer(flows.QuestionBusiness, src), kpi(otherTeam, "visits", ""))
	value(otherTeam, src, 1)

	check := func(when, team, channel, source string, want ...*flows.Plan) {
		t.Helper()
		wantIDs := []flows.PlanID{}
		for _, p := range want {
			wantIDs = append(wantIDs, p.ID)
		}
		for _, h := range []Store{db, another()} {
			got, err := h.PlansFrom(ctx, team, channel, source)
			if err != nil {
				t.Fatalf("%s: %v", when, err)
			}
			if diff := cmp.Diff(wantIDs, got, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("%s: plans of %s/%s from %q (-want +got):\n%s", when, team, channel, source, diff)
			}
		}
	}
	check("kept", "T1", "C1", src, answered, actioned, targeted, measured, everything, coanswered)
	check("another workspace", "T2", "C1", src, otherTeam)
	check("another channel", "T1", "C2", src, otherChannel)
	check("a message nothing came from", "T1", "C1", "C1/1700000009.000100")
	check("no message", "T1", "C1", "")

	commit(actioned, flows.ActionRemoved{Source: src})
	commit(targeted, flows.KPIRemoved{Key: "visits"})
	if _, err := db.ReplaceMeasurements(ctx, "T1", measured.ID, src, nil, ""); err != nil {
		t.Fatal(err)
	}
	check("the action, KPI and values removed", "T1", "C1", src, answered, everything, coanswered)
}
