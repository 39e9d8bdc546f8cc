package postgres_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/racebot/racebot/coach"
	"github.com/racebot/racebot/flows"
	"github.com/racebot/racebot/internal/pgtest"
	"github.com/racebot/racebot/storage/postgres"
)

// visitorsPlan creates Ana's plan Q1 in db at t0, with a visitors KPI;
// it returns the plan's and the KPI's ids.
func visitorsPlan(t *testing.T, ctx context.Context, db *postgres.DB, t0 time.Time) (flows.PlanID, int64) {
	t.Helper()
	id, err := db.CreatePlan(ctx, flows.NewPlan("T1", "C1", "Q1", "UANA", t0), "")
	if err != nil {
		t.Fatal(err)
	}
	kpi, err := db.SaveKPI(ctx, "T1", flows.KPI{Plan: id, Stage: flows.StageReach, Key: "visitors", Name: "Visitors", Unit: flows.UnitCount, By: "UANA", At: t0})
	if err != nil {
		t.Fatal(err)
	}
	return id, kpi
}

// TestEditsOfOneMessageTakeTurns: Ana edits "visitors 12k" to 13k and
// then to 14k, and Slack hands the two edits to two racebots at once.
// Each checked that no later edit was stored, then replaced the message's
// values; without a lock between the check and the replacement, the
// older edit's replacement, committed first, left the newer one nothing
// to replace, and the check-in kept 13k while her message says 14k. A
// third connection holding the message's value lets both edits start
// before either writes, in the order each case names. Her deleting the
// message while the 14k edit is on its way leaves no value either way.
func TestEditsOfOneMessageTakeTurns(t *testing.T) {
	type edit struct {
		n       float64
		edited  time.Duration
		key     string
		deleted bool
	}
	older, newer := edit{13000, time.Minute, "EvEdit1", false}, edit{14000, 2 * time.Minute, "EvEdit2", false}
	deletion := edit{key: "EvDelete", deleted: true}
	for _, tc := range []struct {
		name  string
		order []edit
		want  []float64
	}{
		{"older edit first", []edit{older, newer}, []float64{14000}},
		{"newer edit first", []edit{newer, older}, []float64{14000}},
		{"edit before deletion", []edit{newer, deletion}, nil},
		{"deletion before edit", []edit{deletion, newer}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			url, app := named(t, pgtest.URL(t))
			a, b := mustOpen(t, url), mustOpen(t, url)
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			t0 := time.Now().Truncate(time.Millisecond)
			id, kpi := visitorsPlan(t, ctx, a, t0)
			value := func(n float64, edited time.Duration) []flows.Measurement {
				m := flows.Measurement{KPI: kpi, Value: flows.Value{Amount: n, Unit: flows.UnitCount}, At: t0, By: "UANA", Source: "C1/1"}
				if edited != 0 {
					m.Edited = t0.Add(edited)
				}
				return []flows.Measurement{m}
			}
			if err := a.RecordMeasurements(ctx, "T1", id, value(12000, 0), ""); err != nil {
				t.Fatal(err)
			}

			hold, watcher := holdRows(t, ctx, url, `SELECT 1 FROM measurements WHERE source = 'C1/1' FOR UPDATE`)
			waiting := func(n int) { t.Helper(); waitBehind(t, ctx, watcher, app, n, "edits behind the value's holder") }
			order := tc.order
			done := make(chan error, 2)
			for i, e := range order {
				db := a
				if i == 1 {
					db = b
				}
				ms := value(e.n, e.edited)
				if e.deleted {
					ms = nil
				}
				go func() {
					_, err := db.ReplaceMeasurements(ctx, "T1", id, "C1/1", ms, e.key)
					done <- err
				}()
				waiting(i + 1)
			}
			if err := hold.Commit(ctx); err != nil {
				t.Fatal(err)
			}
			for range order {
				if err := <-done; err != nil {
					t.Errorf("edit: %v", err)
				}
			}
			vs, err := a.Measurements(ctx, "T1", id)
			if err != nil {
				t.Fatal(err)
			}
			var got []float64
			for _, m := range vs[kpi] {
				got = append(got, m.Value.Amount)
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("visitors after both: %v, want %v as her message says", got, tc.want)
			}
		})
	}
}

// TestTwoWithdrawalsAtOnceLeaveOneStandingAgain: Ana gave visitors 12k
// in a check-in, Ben 13k after her, Cara 14k after him; Ben and Cara
// take theirs back at once, through two racebots. Each withdrawal reads
// what it left after taking the plan's row, so the second reads the
// first's too: exactly one finds Ana's 12k standing again (see
// flows.StandsAgain), whichever goes first. Read before the other
// committed, both found it, and the check-in's thread was told twice.
func TestTwoWithdrawalsAtOnceLeaveOneStandingAgain(t *testing.T) {
	for _, first := range []string{"C1/ben", "C1/cara"} {
		t.Run(first+" first", func(t *testing.T) {
			url, app := named(t, pgtest.URL(t))
			a, b := mustOpen(t, url), mustOpen(t, url)
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			t0 := time.Now().Truncate(time.Millisecond)
			id, kpi := visitorsPlan(t, ctx, a, t0)
			checkin, err := a.CreateCheckin(ctx, "T1", flows.Checkin{Plan: id, Channel: "C1", OpenedAt: t0, NudgeAt: t0.Add(time.Hour), CloseAt: t0.Add(2 * time.Hour)})
			if err != nil {
				t.Fatal(err)
			}
			for i, by := range []string{"ana", "ben", "cara"} {
				m := flows.Measurement{KPI: kpi, Value: flows.Value{Amount: float64(12000 + 1000*i), Unit: flows.UnitCount}, At: t0.Add(time.Duration(i) * time.Minute),
					By: "U" + by, Checkin: checkin, Source: "C1/" + by}
				if err := a.RecordMeasurements(ctx, "T1", id, []flows.Measurement{m}, ""); err != nil {
					t.Fatal(err)
				}
			}

			hold, watcher := holdRows(t, ctx, url, `SELECT 1 FROM plans WHERE id = $1 FOR UPDATE`, id)
			waiting := func(n int) { t.Helper(); waitBehind(t, ctx, watcher, app, n, "withdrawals behind the plan's holder") }
			order := []string{first, map[string]string{"C1/ben": "C1/cara", "C1/cara": "C1/ben"}[first]}
			done := make(chan coach.Replaced, 2)
			for i, src := range order {
				db := a
				if i == 1 {
					db = b
				}
				go func() {
					r, err := db.ReplaceMeasurements(ctx, "T1", id, src, nil, "")
					if err != nil {
						t.Errorf("withdraw %s: %v", src, err)
					}
					done <- r
				}()
				waiting(i + 1)
			}
			if err := hold.Commit(ctx); err != nil {
				t.Fatal(err)
			}
			var again []string
			for range order {
				r := <-done
				for _, m := range r.Gone {
					if s, ok := flows.StandsAgain(r.Left[m.KPI], m); ok {
						again = append(again, s.Source)
					}
				}
			}
			if n := len(slices.DeleteFunc(slices.Clone(again), func(s string) bool { return s != "C1/ana" })); n != 1 {
				t.Errorf("found standing again: %v, want Ana's once", again)
			}
		})
	}
}
