package storetest

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/racebot/racebot/flows"
)

// planWithActions stores a plan with two actions and returns it as loaded.
func planWithActions(t *testing.T, db Store, team, name string) *flows.Plan {
	t.Helper()
	p := newPlan(t, db, team, "C1", name)
	var cs []flows.Change
	for _, text := range []string{"Webinar series", "Cart recovery emails"} {
		cs = append(cs, flows.ActionAdded{Action: flows.Action{Stage: flows.StageReach, Text: text, Owner: "Ana", Impact: 4, Effort: 2, By: "U1", At: t0}})
	}
	if err := db.Commit(ctxFor(t), p, cs, ""); err != nil {
		t.Fatal(err)
	}
	return load(t, db, team, p.ID)
}

// testActionStatus: every status an action is given is kept, the latest
// is its status on every handle, a retried delivery records nothing, and
// a status never reaches another plan's action.
func testActionStatus(t *testing.T, open Open, opts Options) {
	db, another := open(t)
	ctx := ctxFor(t)
	other := another()
	p := planWithActions(t, db, "T1", "Q1")
	load(t, other, "T1", p.ID) // cached there
	set := func(h Store, p *flows.Plan, i int, st flows.ActionStatus, user, key string, at time.Time) (*flows.Plan, error) {
		t.Helper()
		out, err := flows.SetActionStatus(p, i, st, user, at)
		if err != nil {
			t.Fatal(err)
		}
		if err := h.Commit(ctx, p, out.Changes, key); err != nil {
			return nil, err
		}
		return load(t, h, p.Team, p.ID), nil
	}
	p, err := set(db, p, 1, flows.ActionDoing, "UBEN", "k1", t0.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	settle(t, other, opts)
	p, err = set(other, load(t, other, "T1", p.ID), 1, flows.ActionDone, "UANA", "k2", t0.Add(2*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	settle(t, db, opts)
	if _, err := set(db, load(t, db, "T1", p.ID), 0, flows.ActionDropped, "UANA", "k2", t0.Add(3*time.Hour)); !errors.Is(err, flows.ErrDuplicate) {
		t.Errorf("retried key: %v, want ErrDuplicate", err)
	}
	// Two people setting statuses from one version: one lands.
	settle(t, db, opts)
	base := load(t, db, "T1", p.ID)
	handles := []Store{db, other}
	won := race(t, 4, func(i int) error {
		out, err := flows.SetActionStatus(base, 0, []flows.ActionStatus{flows.ActionDoing, flows.ActionDropped}[i%2], "U9", t0.Add(4*time.Hour))
		if err != nil {
			return err
		}
		return handles[i%2].Commit(ctx, base, out.Changes, "")
	}, flows.ErrConflict)
	if won != 1 {
		t.Errorf("%d of 4 racing status changes landed, want 1", won)
	}
	for _, h := range handles {
		settle(t, h, opts)
		got := load(t, h, "T1", p.ID)
		if a := got.Actions[1]; a.Status != flows.ActionDone || a.StatusBy != "UANA" || !a.StatusAt.Equal(t0.Add(2*time.Hour)) {
			t.Errorf("action 2 = %+v", a)
		}
		if s := got.Actions[0].State(); s != flows.ActionDoing && s != flows.ActionDropped {
			t.Errorf("action 1 = %+v, want the winner's status", got.Actions[0])
		}
	}

	// A change naming another plan's action is refused, whatever plan it
	// is committed to, and leaves both alone.
	b := planWithActions(t, db, "T1", "B")
	settle(t, db, opts)
	a := load(t, db, "T1", p.ID)
	c := flows.ActionStatusSet{Action: b.Actions[0].ID, Status: flows.ActionDone, By: "U1", At: t0}
	if err := other.Commit(ctx, a, []flows.Change{c}, "kx"); !errors.Is(err, flows.ErrConflict) {
		t.Errorf("commit across plans: %v, want ErrConflict", err)
	}
	if got := load(t, db, "T1", b.ID); got.Actions[0].State() != flows.ActionOpen {
		t.Error("another plan's action changed")
	}
	if got := load(t, db, "T1", a.ID); got.Version != a.Version {
		t.Errorf("a refused status moved the plan from version %d to %d", a.Version, got.Version)
	}
	if ok, _ := db.KeySeen(ctx, "T1", "kx"); ok {
		t.Error("a refused status recorded its key")
	}
}

// testCreatePlanFrom: a plan started from an earlier one keeps its copy of
// the answers and KPIs carried over when the old plan goes.
func testCreatePlanFrom(t *testing.T, open Open) {
	db, another := open(t)
	ctx := ctxFor(t)
	old := newPlan(t, db, "T1", "C1", "Q1 Launch")
	old = step(t, db, old, "We roast coffee &amp; sell it online.", "", t0)
	if err := db.Commit(ctx, old, []flows.Change{flows.KPISet{KPI: flows.KPI{Plan: old.ID, Stage: flows.StageReach, Key: "visitors", Name: "Visitors",
		Unit: flows.UnitCount, HigherIsBetter: true, Baseline: flows.Value{Amount: 8000, Unit: flows.UnitCount}, Target: flows.Value{Amount: 20000, Unit: flows.UnitCount},
		Owner: "Ana", By: "U1", At: t0, Period: flows.PeriodMonth}}}, ""); err != nil {
		t.Fatal(err)
	}
	old = load(t, db, "T1", old.ID)
	if err := db.RecordMeasurements(ctx, "T1", old.ID, []flows.Measurement{{KPI: old.KPIs[0].ID, Value: flows.Value{Amount: 18500, Unit: flows.UnitCount}, At: t0, By: "U1"}}, ""); err != nil {
		t.Fatal(err)
	}
	ms, err := db.Measurements(ctx, "T1", old.ID)
	if err != nil {
		t.Fatal(err)
	}
	p := flows.CarryOver(old, ms, "Q2 Plan", "U2", t0.AddDate(0, 4, 0))
	other := another()
	handles := []Store{db, other}
	ids := make([]flows.PlanID, 4)
	if won := race(t, 4, func(i int) error {
		var err error
		ids[i], err = handles[i%2].CreatePlanFrom(ctx, p, "new-1")
		return err
	}, flows.ErrDuplicate); won != 1 {
		t.Fatalf("one delivery of the new plan landed %d times", won)
	}
	var id flows.PlanID
	for _, got := range ids {
		id = max(id, got)
	}
	if _, err := db.CreatePlanFrom(ctx, p, "new-2"); !errors.Is(err, flows.ErrDuplicatePlan) {
		t.Errorf("same name again: %v, want ErrDuplicatePlan", err)
	}
	if ok, _ := db.KeySeen(ctx, "T1", "new-2"); ok {
		t.Error("a refused plan recorded its key")
	}
	if err := db.DeletePlan(ctx, "T1", old.ID, ""); err != nil {
		t.Fatal(err)
	}
	got := load(t, other, "T1", id)
	want := map[string]flows.Prior{flows.QuestionBusiness: {Text: "We roast coffee &amp; sell it online.", By: "U1", From: "Q1 Launch"}}
	if diff := cmp.Diff(want, got.Prior); diff != "" {
		t.Errorf("prior (-want +got):\n%s", diff)
	}
	if len(got.KPIs) != 1 || got.KPIs[0].Baseline.Amount != 18500 || got.KPIs[0].HasTarget() || got.KPIs[0].Owner != "Ana" {
		t.Errorf("kpis = %+v", got.KPIs)
	}
	if diff := cmp.Diff(p.KPIs, got.KPIs, cmpopts.IgnoreFields(flows.KPI{}, "ID", "Plan")); diff != "" {
		t.Errorf("kpis (-carried over +stored):\n%s", diff)
	}
	// A plan cached after a commit, and loaded from the cache, keeps them.
	load(t, db, "T1", id)
	got = step(t, db, load(t, db, "T1", id), "We roast coffee and sell it online.", "", t0.AddDate(0, 4, 0))
	if diff := cmp.Diff(want, got.Prior); diff != "" {
		t.Errorf("prior after a commit (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(want, load(t, db, "T1", id).Prior); diff != "" {
		t.Errorf("prior from the cache (-want +got):\n%s", diff)
	}
	if cur, _ := other.CurrentPlan(ctx, "T1", "C1"); cur != id {
		t.Errorf("current plan = %d, want the new one %d", cur, id)
	}
}

// testCapabilityHistory: ratings are kept per channel and workspace,
// newest first, and outlive the plan they were made under.
func testCapabilityHistory(t *testing.T, open Open) {
	db, another := open(t)
	ctx := ctxFor(t)
	other := another()
	p := newPlan(t, db, "T1", "C1", "Q1")
	rate := func(h Store, team string, plan flows.PlanID, at time.Time, scores map[flows.StageID]int, key string) error {
		_, err := h.AddCapabilityRating(ctx, flows.CapabilityRating{Team: team, Channel: "C1", Plan: plan, By: "UANA", At: at, Scores: scores}, key)
		return err
	}
	first := map[flows.StageID]int{flows.StagePlan: 2, flows.StageReach: 3}
	second := map[flows.StageID]int{flows.StagePlan: 3, flows.StageReach: 3, flows.StageEngage: 5}
	third := map[flows.StageID]int{flows.StageAct: 1}
	if err := rate(db, "T1", p.ID, t0, first, "r1"); err != nil {
		t.Fatal(err)
	}
	if err := rate(other, "T1", p.ID, t0.AddDate(0, 3, 0), second, "r2"); err != nil {
		t.Fatal(err)
	}
	if err := rate(db, "T1", 0, t0.AddDate(0, 6, 0), third, "r3"); err != nil {
		t.Fatal(err)
	}
	if err := rate(db, "T1", p.ID, t0, first, "r2"); !errors.Is(err, flows.ErrDuplicate) {
		t.Errorf("retried key: %v, want ErrDuplicate", err)
	}
	if err := rate(other, "T2", p.ID, t0, first, "r4"); !errors.Is(err, flows.ErrNoPlan) {
		t.Errorf("rating under another workspace's plan: %v, want ErrNoPlan", err)
	}
	if err := rate(db, "T1", p.ID, t0, map[flows.StageID]int{flows.StagePlan: 6}, "r5"); err == nil {
		t.Error("a score of 6 was stored")
	}
	if ok, _ := db.KeySeen(ctx, "T1", "r5"); ok {
		t.Error("a refused rating recorded its key")
	}
	got, err := other.CapabilityHistory(ctx, "T1", "C1", 2)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || !cmp.Equal(got[0].Scores, third) || !cmp.Equal(got[1].Scores, second) || got[0].Plan != 0 || got[1].Plan != p.ID ||
		got[1].By != "UANA" || !got[1].At.Equal(t0.AddDate(0, 3, 0)) || got[1].Team != "T1" || got[1].Channel != "C1" {
		t.Errorf("newest two = %+v", got)
	}
	if err := db.DeletePlan(ctx, "T1", p.ID, ""); err != nil {
		t.Fatal(err)
	}
	got, err = other.CapabilityHistory(ctx, "T1", "C1", 5)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 || !cmp.Equal(got[2].Scores, first) || got[1].Plan != 0 || got[2].Plan != 0 {
		t.Errorf("after the plan went = %+v", got)
	}
	for _, where := range [][2]string{{"T2", "C1"}, {"T1", "C2"}} {
		if h, err := db.CapabilityHistory(ctx, where[0], where[1], 5); err != nil || len(h) != 0 {
			t.Errorf("%s/%s sees %+v, %v", where[0], where[1], h, err)
		}
	}
}

// testCapabilityReminder: of replicas opening a quarter's first check-ins
// at once one claims the reminder, a retry of its occurrence keeps it, and
// a team that rated itself this quarter is not reminded.
func testCapabilityReminder(t *testing.T, open Open) {
	db, another := open(t)
	ctx := ctxFor(t)
	handles := []Store{db, another(), another()}
	p := newPlan(t, db, "T1", "C1", "Q1")
	q1 := time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)
	occs := []string{"occ-a", "occ-b", "occ-c", "occ-d", "occ-e", "occ-f"}
	claimed := make([]bool, len(occs))
	race(t, len(occs), func(i int) error {
		var err error
		claimed[i], err = handles[i%3].ClaimCapabilityReminder(ctx, "T1", "C1", p.ID, "2027-Q1", occs[i], q1, q1.Add(time.Hour))
		return err
	})
	winner := ""
	for i, ok := range claimed {
		if ok {
			if winner != "" {
				t.Fatalf("%s and %s both claimed the reminder", winner, occs[i])
			}
			winner = occs[i]
		}
	}
	if winner == "" {
		t.Fatal("no occurrence claimed the reminder")
	}
	claim := func(h Store, team, channel, quarter, occ string, since time.Time) bool {
		t.Helper()
		ok, err := h.ClaimCapabilityReminder(ctx, team, channel, p.ID, quarter, occ, since, since.Add(time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		return ok
	}
	if !claim(handles[1], "T1", "C1", "2027-Q1", winner, q1) {
		t.Error("a retry of the winning occurrence lost its own claim")
	}
	if claim(db, "T1", "C1", "2027-Q1", "occ-g", q1) {
		t.Error("a later check-in of the quarter claimed it again")
	}
	if !claim(db, "T1", "C2", "2027-Q1", "occ-a", q1) || !claim(db, "T2", "C1", "2027-Q1", "occ-a", q1) {
		t.Error("the claim reached another channel or workspace")
	}
	// A team that rated itself this quarter is not reminded; a rating of
	// the quarter before does not count.
	q2 := time.Date(2027, 4, 1, 0, 0, 0, 0, time.UTC)
	if _, err := db.AddCapabilityRating(ctx, flows.CapabilityRating{Team: "T1", Channel: "C1", By: "U1", At: q2.Add(time.Hour), Scores: map[flows.StageID]int{flows.StagePlan: 3}}, ""); err != nil {
		t.Fatal(err)
	}
	if claim(handles[2], "T1", "C1", "2027-Q2", "occ-h", q2) {
		t.Error("reminded a team that already rated itself this quarter")
	}
	if !claim(handles[2], "T1", "C1", "2027-Q3", "occ-i", time.Date(2027, 7, 1, 0, 0, 0, 0, time.UTC)) {
		t.Error("a rating last quarter stopped this quarter's reminder")
	}
}

// testRetros: a retro keeps its thread (the first bound), its answers in
// order and its prompts by message order, within its workspace, and goes
// with its plan.
func testRetros(t *testing.T, open Open) {
	db, another := open(t)
	ctx := ctxFor(t)
	other := another()
	p, id := planWithRetro(t, db, "open-1")
	if _, err := other.OpenRetro(ctx, flows.Retro{Team: "T1", Plan: p.ID, Channel: "C1", By: "UANA", At: t0}, "open-1"); !errors.Is(err, flows.ErrDuplicate) {
		t.Errorf("retried open: %v, want ErrDuplicate", err)
	}
	if _, err := db.OpenRetro(ctx, flows.Retro{Team: "T2", Plan: p.ID, Channel: "C1", By: "UX", At: t0}, "open-2"); !errors.Is(err, flows.ErrNoPlan) {
		t.Errorf("retro of another workspace's plan: %v, want ErrNoPlan", err)
	}
	if _, ok, err := other.LatestRetro(ctx, "T1", newPlan(t, db, "T1", "C1", "Q2").ID); ok || err != nil {
		t.Errorf("latest retro of a plan with none: %t, %v", ok, err)
	}
	if err := other.SetRetroThread(ctx, "T2", id, "900.000001"); err != nil {
		t.Fatal(err)
	}
	if err := db.SetRetroThread(ctx, "T1", id, "100.000001"); err != nil {
		t.Fatal(err)
	}
	if err := other.SetRetroThread(ctx, "T1", id, "200.000001"); err != nil {
		t.Fatal(err)
	}
	answers := []flows.RetroAnswer{
		{Question: "worked", Text: "Webinars", By: "UANA", At: t0},
		{Question: "worked", Text: "Reviews", By: "UBEN", At: t0.Add(time.Minute)},
		{Question: "change", Text: "Fewer channels", By: "UANA", At: t0.Add(2 * time.Minute), Source: "C1/300.1"},
	}
	for i, a := range answers {
		if err := []Store{db, other}[i%2].AddRetroAnswer(ctx, "T1", id, a, "a"+a.Text); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.AddRetroAnswer(ctx, "T1", id, answers[0], "aWebinars"); !errors.Is(err, flows.ErrDuplicate) {
		t.Errorf("retried answer: %v, want ErrDuplicate", err)
	}
	if err := db.AddRetroAnswer(ctx, "T1", id, flows.RetroAnswer{Question: "other", Text: "x", By: "UX", At: t0}, "bad"); err == nil {
		t.Error("an answer to no retro question was stored")
	}
	if err := other.AddRetroAnswer(ctx, "T2", id, flows.RetroAnswer{Question: "worked", Text: "x", By: "UX", At: t0}, "t2"); !errors.Is(err, flows.ErrNoRetro) {
		t.Errorf("answer from another workspace: %v, want ErrNoRetro", err)
	}
	for _, key := range []string{"bad", "t2"} {
		if ok, _ := db.KeySeen(ctx, "T1", key); ok {
			t.Errorf("refused answer %s recorded its key", key)
		}
	}
	want := flows.Retro{ID: id, Team: "T1", Plan: p.ID, Channel: "C1", Thread: "100.000001", By: "UANA", At: t0, Answers: answers}
	r, err := other.RetroByThread(ctx, "T1", "C1", "100.000001")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, r); diff != "" {
		t.Errorf("retro by thread (-want +got):\n%s", diff)
	}
	if r, err := db.Retro(ctx, "T1", id); err != nil || !cmp.Equal(want, r) {
		t.Errorf("retro by id = %+v, %v", r, err)
	}
	for _, call := range []struct {
		name string
		err  error
	}{
		{"RetroByThread in T2", func() error { _, err := db.RetroByThread(ctx, "T2", "C1", "100.000001"); return err }()},
		{"RetroByThread of no thread", func() error { _, err := db.RetroByThread(ctx, "T1", "C1", ""); return err }()},
		{"Retro in T2", func() error { _, err := db.Retro(ctx, "T2", id); return err }()},
	} {
		if !errors.Is(call.err, flows.ErrNoRetro) {
			t.Errorf("%s: %v, want ErrNoRetro", call.name, call.err)
		}
	}
	next, err := other.OpenRetro(ctx, flows.Retro{Team: "T1", Plan: p.ID, Channel: "C1", By: "UBEN", At: t0.Add(time.Hour)}, "")
	if err != nil {
		t.Fatal(err)
	}
	if latest, ok, err := db.LatestRetro(ctx, "T1", p.ID); err != nil || !ok || latest.ID != next || len(latest.Answers) != 0 {
		t.Errorf("latest = %+v, %v, %v; want %d", latest, ok, err, next)
	}

	// Prompts are ordered by message, not by when they were recorded.
	for _, pr := range []struct {
		at int64
		q  string
	}{{300, "didnt"}, {100, "worked"}, {999999999900000, "early"}, {1700000000000100, "change"}} {
		if err := db.RecordRetroPrompt(ctx, "T1", id, pr.at, "x", pr.q); err != nil {
			t.Fatal(err)
		}
	}
	if err := other.RecordRetroPrompt(ctx, "T1", id, 300, "again", "worked"); err != nil {
		t.Fatal(err)
	}
	if err := other.RecordRetroPrompt(ctx, "T2", id, 200, "x", "change"); err != nil {
		t.Fatal(err)
	}
	for at, want := range map[int64]string{50: "", 100: "worked", 299: "worked", 301: "didnt", 1000000000000000: "early", 1700000000000100: "change"} {
		if got, err := other.RetroPromptBefore(ctx, "T1", id, at); err != nil || got != want {
			t.Errorf("prompt before %d = %q, %v; want %q", at, got, err, want)
		}
	}
	if got, err := db.RetroPromptBefore(ctx, "T2", id, 1700000000000100); err != nil || got != "" {
		t.Errorf("another workspace reads prompt %q, %v", got, err)
	}
	if err := db.DeletePlan(ctx, "T1", p.ID, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := other.Retro(ctx, "T1", id); !errors.Is(err, flows.ErrNoRetro) {
		t.Errorf("retro outlived its plan: %v", err)
	}
	if got, err := other.RetroPromptBefore(ctx, "T1", id, 301); err != nil || got != "" {
		t.Errorf("prompts outlived their plan: %q, %v", got, err)
	}
}

// testRetroAnswersMoved: answers moved to a question recorded late move
// in one write, in their workspace only, and are stored after every
// other answer (which answer reached a question first is read from that
// order); one labelled by hand, one under another question and one from
// no message stay where they are.
func testRetroAnswersMoved(t *testing.T, open Open) {
	db, another := open(t)
	ctx := ctxFor(t)
	other := another()
	_, id := planWithRetro(t, db, "")
	answers := []flows.RetroAnswer{
		{Question: "worked", Text: "Webinars", By: "UANA", At: t0, Source: "C1/100.1"},
		{Question: "worked", Text: "Referrals", By: "UBEN", At: t0, Source: "C1/200.1", Labelled: true},
		{Question: "worked", Text: "Launch slipped", By: "UCY", At: t0, Source: "C1/300.1"},
		{Question: "change", Text: "Fewer channels", By: "UDAN", At: t0, Source: "C1/400.1"},
		{Question: "worked", Text: "Typed in the terminal", By: "UEVE", At: t0},
	}
	for _, a := range answers {
		if err := db.AddRetroAnswer(ctx, "T1", id, a, ""); err != nil {
			t.Fatal(err)
		}
	}
	if moved, err := other.MoveRetroAnswers(ctx, "T2", id, "worked", "didnt", []string{"C1/300.1"}); err != nil || len(moved) != 0 {
		t.Errorf("moved from another workspace: %q, %v", moved, err)
	}
	moved, err := other.MoveRetroAnswers(ctx, "T1", id, "worked", "didnt", []string{"C1/200.1", "C1/300.1", "C1/400.1", "", "C1/999.1"})
	if err != nil || !slices.Equal(moved, []string{"C1/300.1"}) {
		t.Errorf("moved %q, %v; want C1/300.1 only", moved, err)
	}
	if moved, err := db.MoveRetroAnswers(ctx, "T1", id, "worked", "didnt", []string{"C1/300.1"}); err != nil || len(moved) != 0 {
		t.Errorf("moved again: %q, %v", moved, err)
	}
	cy := answers[2]
	cy.Question = "didnt"
	answers = append(slices.Delete(answers, 2, 3), cy)
	later := flows.RetroAnswer{Question: "didnt", Text: "Hiring", By: "UFAY", At: t0, Source: "C1/500.1"}
	if err := db.AddRetroAnswer(ctx, "T1", id, later, ""); err != nil {
		t.Fatal(err)
	}
	answers = append(answers, later)
	r, err := db.Retro(ctx, "T1", id)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(answers, r.Answers); diff != "" {
		t.Errorf("answers (-want +got):\n%s", diff)
	}
}

// testOfferTakenOnce: one person's `yes` delivered to several handles at
// once, and two different `yes`es for one offer, start one plan.
func testOfferTakenOnce(t *testing.T, open Open) {
	db, another := open(t)
	ctx := ctxFor(t)
	handles := []Store{db, another(), another()}
	p := newPlan(t, db, "T1", "C1", "Q1")
	cs := changes(t, p, "We sell coffee", t0)
	o := flows.Offer{Team: "T1", Channel: "C1", Plan: p.ID, User: "U2", Command: "new Q2 Launch", QuestionID: flows.QuestionBusiness,
		Revision: 1, Version: p.Version + 1, Expires: t0.Add(10 * time.Minute)}
	if err := db.CommitOffer(ctx, p, cs, o, "EvOffer"); err != nil {
		t.Fatal(err)
	}
	p = load(t, db, "T1", p.ID)
	withdraw := []flows.Change{flows.AnswerWithdrawn{QuestionID: flows.QuestionBusiness, Revision: 2, By: "U2", At: t0}}
	ids := make([]flows.PlanID, 6)
	won := race(t, 6, func(i int) error {
		var err error
		// Half are one delivery retried, half fresh deliveries.
		key := "EvYes"
		if i%2 == 1 {
			key = "EvYes" + string(rune('a'+i))
		}
		ids[i], err = handles[i%3].TakeOffer(ctx, o, p, withdraw, flows.NewPlan("T1", "C1", "Q2 Launch", "U2", t0), key)
		return err
	}, flows.ErrDuplicate, flows.ErrConflict)
	if won != 1 {
		t.Fatalf("one offer taken %d times", won)
	}
	if ps, _ := db.Plans(ctx, "T1", "C1"); len(ps) != 2 {
		t.Errorf("%d plans after the offer was taken, want 2", len(ps))
	}
	if got := load(t, handles[2], "T1", p.ID); got.Version != p.Version+1 {
		t.Errorf("the plan the offer was made on: version %d→%d, want one step", p.Version, got.Version)
	}
	if _, ok, _ := handles[1].Offer(ctx, "T1", "C1", p.ID, "U2"); ok {
		t.Error("the offer is still there after it was taken")
	}
	// An offer replaced by a newer one is not taken by the old `yes`.
	p = load(t, db, "T1", p.ID)
	cs = changes(t, p, "We sell tea", t0)
	o3 := o
	o3.Command, o3.Version = "new Q3", p.Version+1
	if err := db.CommitOffer(ctx, p, cs, o3, ""); err != nil {
		t.Fatal(err)
	}
	o4 := o3
	p = load(t, db, "T1", p.ID)
	o4.Command, o4.Version = "new Q4", p.Version+1
	if err := handles[1].CommitOffer(ctx, p, changes(t, p, "We sell cake", t0), o4, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := handles[2].TakeOffer(ctx, o3, load(t, db, "T1", p.ID), nil, flows.NewPlan("T1", "C1", "Q3", "U2", t0), "EvOld"); !errors.Is(err, flows.ErrConflict) {
		t.Errorf("taking a replaced offer: %v, want ErrConflict", err)
	}
	if got, ok, _ := db.Offer(ctx, "T1", "C1", p.ID, "U2"); !ok || got.Command != "new Q4" {
		t.Errorf("offer after a stale yes = %+v, %t", got, ok)
	}
}

// testOfferLapses: an offer made with no answer to take back (a line the
// plan refused, flows.Offer.QuestionID empty) stands only while the plan
// is as it was. A `yes` that read the plan before another commit moved it
// (its author's corrected line taken meanwhile) starts nothing.
func testOfferLapses(t *testing.T, open Open) {
	db, another := open(t)
	ctx := ctxFor(t)
	other := another()
	p := newPlan(t, db, "T1", "C1", "Q1")
	o := flows.Offer{Team: "T1", Channel: "C1", Plan: p.ID, User: "U1", Command: "new Q1 Launch",
		Version: p.Version, Expires: t0.Add(10 * time.Minute)}
	if err := db.CommitOffer(ctx, p, nil, o, "msg:C1:2.2:refused:U1"); err != nil {
		t.Fatal(err)
	}
	seen := load(t, other, "T1", p.ID)
	if err := db.Commit(ctx, p, changes(t, p, "We sell coffee", t0), "EvEdit"); err != nil {
		t.Fatal(err)
	}
	if _, err := other.TakeOffer(ctx, o, seen, nil, flows.NewPlan("T1", "C1", "Q1 Launch", "U1", t0), "EvYes"); !errors.Is(err, flows.ErrConflict) {
		t.Errorf("taking an offer on a plan moved since it was read: %v, want ErrConflict", err)
	}
	if ps, _ := db.Plans(ctx, "T1", "C1"); len(ps) != 1 {
		t.Errorf("%d plans, want the one the offer was made on", len(ps))
	}
}

// testOfferWithdrawn: an offer its author's edit withdrew is written
// again, marked, with the edit's changes, and reads back marked, at the
// version it had, on every handle; it can no longer be taken. A new offer
// written over it stands.
func testOfferWithdrawn(t *testing.T, open Open) {
	db, another := open(t)
	ctx := ctxFor(t)
	other := another()
	p := newPlan(t, db, "T1", "C1", "Q1")
	o := flows.Offer{Team: "T1", Channel: "C1", Plan: p.ID, User: "U2", Command: "new Launch", QuestionID: flows.QuestionBusiness,
		Revision: 1, Version: p.Version + 1, Expires: t0.Add(10 * time.Minute)}
	if err := db.CommitOffer(ctx, p, changes(t, p, "new Launch", t0), o, "EvLine"); err != nil {
		t.Fatal(err)
	}
	p = load(t, db, "T1", p.ID)
	edit := []flows.Change{flows.AnswerRevised{QuestionID: flows.QuestionBusiness, Revision: 2, Text: "Coffee.", By: "U2", At: t0.Add(time.Second)}}
	withdrawn := o
	withdrawn.Withdrawn = true
	if err := db.CommitOffer(ctx, p, edit, withdrawn, "EvEdit"); err != nil {
		t.Fatal(err)
	}
	got, ok, err := other.Offer(ctx, "T1", "C1", p.ID, "U2")
	if err != nil || !ok {
		t.Fatalf("withdrawn offer: %v, %v", ok, err)
	}
	if diff := cmp.Diff(withdrawn, got); diff != "" {
		t.Errorf("withdrawn offer (-want +got):\n%s", diff)
	}
	p = load(t, other, "T1", p.ID)
	if got.Valid(p, t0) {
		t.Error("a withdrawn offer reads as valid")
	}
	if _, err := other.TakeOffer(ctx, got, p, nil, flows.NewPlan("T1", "C1", "Launch", "U2", t0), "EvYes"); !errors.Is(err, flows.ErrConflict) {
		t.Errorf("taking a withdrawn offer: %v, want ErrConflict", err)
	}
	again := flows.Offer{Team: "T1", Channel: "C1", Plan: p.ID, User: "U2", Command: "new Launch", QuestionID: flows.QuestionBusiness,
		Revision: 2, Version: p.Version, Expires: t0.Add(20 * time.Minute)}
	if err := other.CommitOffer(ctx, p, nil, again, "EvAgain"); err != nil {
		t.Fatal(err)
	}
	if got, _, err := db.Offer(ctx, "T1", "C1", p.ID, "U2"); err != nil || got.Withdrawn || !got.Valid(p, t0) {
		t.Errorf("a new offer over a withdrawn one: %+v, %v; want it standing", got, err)
	}
}

// planWithRetro makes plan Q1 in T1's C1 and opens a retro of it, keyed
// by key, as Ana at t0.
func planWithRetro(t *testing.T, db Store, key string) (*flows.Plan, int64) {
	t.Helper()
	p := newPlan(t, db, "T1", "C1", "Q1")
	id, err := db.OpenRetro(ctxFor(t), flows.Retro{Team: "T1", Plan: p.ID, Channel: "C1", By: "UANA", At: t0}, key)
	if err != nil {
		t.Fatal(err)
	}
	return p, id
}
