package storage_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/racebot/racebot/flows"
	"github.com/racebot/racebot/storage"
)

// planWithActions stores a plan with two actions and returns it as loaded.
func planWithActions(t *testing.T, db *storage.DB, team, name string) *flows.Plan {
	t.Helper()
	p := newPlan(t, db, team, "C1", name)
	var changes []flows.Change
	for _, text := range []string{"Webinar series", "Cart recovery emails"} {
		changes = append(changes, flows.ActionAdded{Action: flows.Action{Stage: flows.StageReach, Text: text, Owner: "Ana", Impact: 4, Effort: 2, By: "U1", At: t0}})
	}
	if err := db.Commit(context.Background(), p, changes, ""); err != nil {
		t.Fatal(err)
	}
	got, err := db.Plan(context.Background(), team, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	return got
}

func setStatus(t *testing.T, db *storage.DB, p *flows.Plan, i int, st flows.ActionStatus, user, key string) (*flows.Plan, error) {
	t.Helper()
	out, err := flows.SetActionStatus(p, i, st, user, t0.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Commit(context.Background(), p, out.Changes, key); err != nil {
		return nil, err
	}
	got, err := db.Plan(context.Background(), p.Team, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	return got, nil
}

func TestActionStatusIsKeptWithItsHistory(t *testing.T) {
	t.Parallel()
	path := t.TempDir() + "/racebot.db"
	db := MustOpen(t, path)
	p := planWithActions(t, db, "T1", "Q1")
	p, err := setStatus(t, db, p, 1, flows.ActionDoing, "UBEN", "k1")
	if err != nil {
		t.Fatal(err)
	}
	p, err = setStatus(t, db, p, 1, flows.ActionDone, "UANA", "k2")
	if err != nil {
		t.Fatal(err)
	}
	// The same delivery again records nothing.
	if _, err := setStatus(t, db, p, 0, flows.ActionDropped, "UANA", "k2"); !errors.Is(err, flows.ErrDuplicate) {
		t.Errorf("retried key: %v", err)
	}
	check := func(p *flows.Plan) {
		t.Helper()
		if a := p.Actions[1]; a.Status != flows.ActionDone || a.StatusBy != "UANA" || !a.StatusAt.Equal(t0.Add(time.Hour)) {
			t.Errorf("action 2 = %+v", a)
		}
		if p.Actions[0].State() != flows.ActionOpen {
			t.Errorf("action 1 = %+v", p.Actions[0])
		}
	}
	check(p)
	// A fresh process reads the same plan from the file, not the cache.
	db.Close()
	again, err := MustOpen(t, path).Plan(context.Background(), "T1", p.ID)
	if err != nil {
		t.Fatal(err)
	}
	check(again)
}

func TestActionStatusStaysInItsPlan(t *testing.T) {
	t.Parallel()
	db := MustOpen(t, "")
	a := planWithActions(t, db, "T1", "A")
	b := planWithActions(t, db, "T1", "B")
	// A change naming another plan's action is refused, whatever plan it
	// is committed to.
	c := flows.ActionStatusSet{Action: b.Actions[0].ID, Status: flows.ActionDone, By: "U1", At: t0}
	if err := db.Commit(context.Background(), a, []flows.Change{c}, ""); !errors.Is(err, flows.ErrConflict) {
		t.Errorf("commit across plans: %v", err)
	}
	got, _ := db.Plan(context.Background(), "T1", b.ID)
	if got.Actions[0].State() != flows.ActionOpen {
		t.Error("another plan's action changed")
	}
}

func TestCreatePlanFrom(t *testing.T) {
	t.Parallel()
	db := MustOpen(t, "")
	ctx := context.Background()
	cat := flows.RACE()
	old := newPlan(t, db, "T1", "C1", "Q1 Launch")
	old = step(t, db, cat, old, "We roast coffee &amp; sell it online.", t0)
	k, err := flows.ParseKPILine(cat, flows.StageReach, "visitors | baseline 8k | target 20k | by 2027-03-31 | owner Ana", t0)
	if err != nil {
		t.Fatal(err)
	}
	k.Plan = old.ID
	if err := db.Commit(ctx, old, []flows.Change{flows.KPISet{KPI: k}}, ""); err != nil {
		t.Fatal(err)
	}
	old, _ = db.Plan(ctx, "T1", old.ID)
	if err := db.RecordMeasurements(ctx, "T1", old.ID, []flows.Measurement{{KPI: old.KPIs[0].ID, Value: flows.Value{Amount: 18500, Unit: flows.UnitCount}, At: t0, By: "U1"}}, ""); err != nil {
		t.Fatal(err)
	}
	ms, _ := db.Measurements(ctx, "T1", old.ID)

	p := flows.CarryOver(old, ms, "Q2 Plan", "U2", t0.AddDate(0, 4, 0))
	id, err := db.CreatePlanFrom(ctx, p, "new-1")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.CreatePlanFrom(ctx, p, "new-1"); !errors.Is(err, flows.ErrDuplicate) {
		t.Errorf("retried key: %v", err)
	}
	if _, err := db.CreatePlanFrom(ctx, p, "new-2"); !errors.Is(err, flows.ErrDuplicatePlan) {
		t.Errorf("same name again: %v", err)
	}
	// The old plan can go; the new one keeps its copy.
	if err := db.DeletePlan(ctx, "T1", old.ID, ""); err != nil {
		t.Fatal(err)
	}
	got, err := db.Plan(ctx, "T1", id)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]flows.Prior{flows.QuestionBusiness: {Text: "We roast coffee &amp; sell it online.", By: "U1", From: "Q1 Launch"}}
	if diff := cmp.Diff(want, got.Prior); diff != "" {
		t.Errorf("prior (-want +got):\n%s", diff)
	}
	if len(got.KPIs) != 1 || got.KPIs[0].Baseline.Amount != 18500 || got.KPIs[0].HasTarget() || got.KPIs[0].Owner != "Ana" {
		t.Errorf("kpis = %+v", got.KPIs)
	}
	if cur, _ := db.CurrentPlan(ctx, "T1", "C1"); cur != id {
		t.Errorf("current plan = %d, want the new one %d", cur, id)
	}
}

func TestCapabilityHistory(t *testing.T) {
	t.Parallel()
	db := MustOpen(t, "")
	ctx := context.Background()
	p := newPlan(t, db, "T1", "C1", "Q1")
	rate := func(team string, plan flows.PlanID, at time.Time, scores map[flows.StageID]int, key string) error {
		_, err := db.AddCapabilityRating(ctx, flows.CapabilityRating{Team: team, Channel: "C1", Plan: plan, By: "UANA", At: at, Scores: scores}, key)
		return err
	}
	first := map[flows.StageID]int{flows.StagePlan: 2, flows.StageReach: 3}
	second := map[flows.StageID]int{flows.StagePlan: 3, flows.StageReach: 3}
	if err := rate("T1", p.ID, t0, first, "r1"); err != nil {
		t.Fatal(err)
	}
	if err := rate("T1", p.ID, t0.AddDate(0, 3, 0), second, "r2"); err != nil {
		t.Fatal(err)
	}
	if err := rate("T1", p.ID, t0, first, "r2"); !errors.Is(err, flows.ErrDuplicate) {
		t.Errorf("retried key: %v", err)
	}
	if err := rate("T2", p.ID, t0, first, "r3"); !errors.Is(err, flows.ErrNoPlan) {
		t.Errorf("rating under another workspace's plan: %v", err)
	}
	if err := db.DeletePlan(ctx, "T1", p.ID, ""); err != nil {
		t.Fatal(err)
	}
	got, err := db.CapabilityHistory(ctx, "T1", "C1", 5)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || !cmp.Equal(got[0].Scores, second) || !cmp.Equal(got[1].Scores, first) || got[0].Plan != 0 || got[0].By != "UANA" {
		t.Errorf("history = %+v", got)
	}
	if other, _ := db.CapabilityHistory(ctx, "T2", "C1", 5); len(other) != 0 {
		t.Errorf("another workspace sees %+v", other)
	}
}

func TestCapabilityReminderIsClaimedOncePerQuarter(t *testing.T) {
	t.Parallel()
	path := t.TempDir() + "/racebot.db"
	db := MustOpen(t, path)
	ctx := context.Background()
	p := newPlan(t, db, "T1", "C1", "Q1")
	q1 := time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)
	claim := func(db *storage.DB, quarter, occ string, since time.Time) bool {
		t.Helper()
		ok, err := db.ClaimCapabilityReminder(ctx, "T1", "C1", p.ID, quarter, occ, since, since.Add(time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		return ok
	}
	// Two racebots open the same quarter's first check-ins at once: one
	// claim wins.
	other := MustOpen(t, path)
	var wg sync.WaitGroup
	won := make([]bool, 2)
	for i, d := range []*storage.DB{db, other} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			won[i] = claim(d, "2027-Q1", []string{"occ-a", "occ-b"}[i], q1)
		}()
	}
	wg.Wait()
	if won[0] == won[1] {
		t.Fatalf("claims = %v, want exactly one", won)
	}
	winner := map[bool]string{true: "occ-a", false: "occ-b"}[won[0]]
	if !claim(db, "2027-Q1", winner, q1) {
		t.Error("a retry of the winning occurrence lost its own claim")
	}
	if claim(db, "2027-Q1", "occ-c", q1) {
		t.Error("a later check-in of the quarter claimed it again")
	}
	// A team that rated itself this quarter is not reminded.
	q2 := time.Date(2027, 4, 1, 0, 0, 0, 0, time.UTC)
	if _, err := db.AddCapabilityRating(ctx, flows.CapabilityRating{Team: "T1", Channel: "C1", By: "U1", At: q2.Add(time.Hour), Scores: map[flows.StageID]int{flows.StagePlan: 3}}, ""); err != nil {
		t.Fatal(err)
	}
	if claim(db, "2027-Q2", "occ-d", q2) {
		t.Error("reminded a team that already rated itself this quarter")
	}
}

func TestRetroAnswersAndPrompts(t *testing.T) {
	t.Parallel()
	db := MustOpen(t, "")
	ctx := context.Background()
	p := newPlan(t, db, "T1", "C1", "Q1")
	id, err := db.OpenRetro(ctx, flows.Retro{Team: "T1", Plan: p.ID, Channel: "C1", By: "UANA", At: t0}, "open-1")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.OpenRetro(ctx, flows.Retro{Team: "T2", Plan: p.ID, Channel: "C1", By: "UX", At: t0}, ""); !errors.Is(err, flows.ErrNoPlan) {
		t.Errorf("retro of another workspace's plan: %v", err)
	}
	if err := db.SetRetroThread(ctx, "T1", id, "100.000001"); err != nil {
		t.Fatal(err)
	}
	if err := db.SetRetroThread(ctx, "T1", id, "200.000001"); err != nil {
		t.Fatal(err)
	}
	for _, a := range []flows.RetroAnswer{{Question: "worked", Text: "Webinars", By: "UANA", At: t0}, {Question: "worked", Text: "Reviews", By: "UBEN", At: t0}, {Question: "change", Text: "Fewer channels", By: "UANA", At: t0, Source: "C1/300.1"}} {
		if err := db.AddRetroAnswer(ctx, "T1", id, a, ""); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.AddRetroAnswer(ctx, "T2", id, flows.RetroAnswer{Question: "worked", Text: "x", By: "UX", At: t0}, ""); !errors.Is(err, flows.ErrNoRetro) {
		t.Errorf("answer from another workspace: %v", err)
	}
	r, err := db.RetroByThread(ctx, "T1", "C1", "100.000001")
	if err != nil {
		t.Fatal(err)
	}
	if r.ID != id || r.Plan != p.ID || len(r.Answers) != 3 || r.Answers[1].By != "UBEN" || r.Answers[2].Source != "C1/300.1" {
		t.Errorf("retro = %+v", r)
	}
	if _, err := db.RetroByThread(ctx, "T2", "C1", "100.000001"); !errors.Is(err, flows.ErrNoRetro) {
		t.Errorf("another workspace finds the retro: %v", err)
	}
	latest, ok, err := db.LatestRetro(ctx, "T1", p.ID)
	if err != nil || !ok || latest.ID != id {
		t.Errorf("latest = %+v, %v, %v", latest, ok, err)
	}

	if err := db.RecordRetroPrompt(ctx, "T1", id, 100, "0.000100", "worked"); err != nil {
		t.Fatal(err)
	}
	if err := db.RecordRetroPrompt(ctx, "T1", id, 300, "0.000300", "didnt"); err != nil {
		t.Fatal(err)
	}
	for at, want := range map[int64]string{50: "", 100: "worked", 299: "worked", 301: "didnt"} {
		if got, err := db.RetroPromptBefore(ctx, "T1", id, at); err != nil || got != want {
			t.Errorf("prompt before %d = %q, %v; want %q", at, got, err, want)
		}
	}
	if err := db.DeletePlan(ctx, "T1", p.ID, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Retro(ctx, "T1", id); !errors.Is(err, flows.ErrNoRetro) {
		t.Errorf("retro outlived its plan: %v", err)
	}
}
