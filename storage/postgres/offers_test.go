package postgres_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/racebot/racebot/flows"
	"github.com/racebot/racebot/internal/pgtest"
)

// TestTakeOfferLocksThePlanFirst: a `yes` taking an offer and a value
// taken back on its plan, at once. The withdrawal raises the plan's
// version and then moves the plan's offers with it; TakeOffer removed the
// offer before it looked at the plan, so each held what the other
// waited for, and the server parted them only after its deadlock timeout
// (a second by default). TakeOffer must take the plan's row first, as
// every other writer does: while both wait behind a third holding the
// plan, the offer's row is free.
func TestTakeOfferLocksThePlanFirst(t *testing.T) {
	url, app := named(t, pgtest.URL(t))
	db := mustOpen(t, url)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	t0 := time.Now()
	id, err := db.CreatePlan(ctx, flows.NewPlan("T1", "C1", "Q1", "U1", t0), "")
	if err != nil {
		t.Fatal(err)
	}
	kpi, err := db.SaveKPI(ctx, "T1", flows.KPI{Plan: id, Stage: flows.StageReach, Key: "visits", Name: "Visits", Unit: flows.UnitCount, By: "U1", At: t0})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.RecordMeasurements(ctx, "T1", id, []flows.Measurement{{KPI: kpi, Value: flows.Value{Amount: 1, Unit: flows.UnitCount}, At: t0, By: "U1", Source: "C1/1"}}, ""); err != nil {
		t.Fatal(err)
	}
	p, err := db.Plan(ctx, "T1", id)
	if err != nil {
		t.Fatal(err)
	}
	o := flows.Offer{Team: "T1", Channel: "C1", Plan: id, User: "U2", Command: "new Q2", Version: p.Version, Expires: t0.Add(time.Hour)}
	if err := db.CommitOffer(ctx, p, nil, o, ""); err != nil {
		t.Fatal(err)
	}

	hold, watcher := holdRows(t, ctx, url, `SELECT 1 FROM plans WHERE id = $1 FOR UPDATE`, id)
	waiting := func(n int) { t.Helper(); waitBehind(t, ctx, watcher, app, n, "writers behind the plan's holder") }
	replaced := make(chan error, 1)
	go func() {
		_, err := db.ReplaceMeasurements(ctx, "T1", id, "C1/1", nil, "")
		replaced <- err
	}()
	waiting(1)
	taken := make(chan error, 1)
	go func() {
		_, err := db.TakeOffer(ctx, o, p, nil, flows.NewPlan("T1", "C1", "Q2", "U2", t0), "")
		taken <- err
	}()
	waiting(2)

	check, err := watcher.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	_, err = check.Exec(ctx, `SELECT 1 FROM offers WHERE plan_id = $1 FOR UPDATE NOWAIT`, id)
	check.Rollback(ctx)
	if pe, ok := errors.AsType[*pgconn.PgError](err); ok && pe.Code == "55P03" {
		t.Errorf("TakeOffer holds the offer's row while it waits for the plan's: a withdrawal on the plan deadlocks with it")
	} else if err != nil {
		t.Fatal(err)
	}

	if err := hold.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	if err := <-replaced; err != nil {
		t.Errorf("withdraw the value: %v", err)
	}
	// The withdrawal went first and moved the offer: this try finds the
	// plan moved, and the service's next, reading both again, takes it.
	if err := <-taken; !errors.Is(err, flows.ErrConflict) {
		t.Errorf("take the offer behind the withdrawal: %v, want ErrConflict", err)
	}
	now, err := db.Plan(ctx, "T1", id)
	if err != nil {
		t.Fatal(err)
	}
	if got, ok, err := db.Offer(ctx, "T1", "C1", id, "U2"); err != nil || !ok || !got.Valid(now, t0) {
		t.Errorf("after the withdrawal the offer is %+v (%v, %v), want it valid on version %d", got, ok, err, now.Version)
	}
	if _, err := db.TakeOffer(ctx, flows.Offer{Team: "T1", Channel: "C1", Plan: id, User: "U2", Command: "new Q2", Version: now.Version, Expires: t0.Add(time.Hour)}, now, nil, flows.NewPlan("T1", "C1", "Q2", "U2", t0), ""); err != nil {
		t.Errorf("take the offer read again: %v", err)
	}
}
