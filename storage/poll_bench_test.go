package storage

import (
	"context"
	"database/sql"
	"fmt"
	"testing"
	"time"

	"github.com/racebot/racebot/flows"
	"github.com/racebot/racebot/scheduler"
	"github.com/racebot/racebot/storage/internal/record"
)

// BenchmarkSchedulerPoll measures the two reads every process makes on
// every scheduler tick, with 50 scheduled plans: through their prepared
// statements, as the store runs them, and, as the reference in the same
// run, compiled afresh inside a read transaction, as they were before.
func BenchmarkSchedulerPoll(b *testing.B) {
	ctx := context.Background()
	db := openTemp(b)
	now := time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)
	for i := range 50 {
		id, err := db.CreatePlan(ctx, flows.NewPlan("T1", fmt.Sprintf("C%d", i), "Q1", "U1", now), "")
		if err != nil {
			b.Fatal(err)
		}
		if err := db.SetSchedule(ctx, "T1", id, "every monday 09:00 Europe/Berlin", "Europe/Berlin", "U1", now); err != nil {
			b.Fatal(err)
		}
	}
	b.Run("prepared", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if s, err := db.DueSchedules(ctx); err != nil || len(s) != 50 {
				b.Fatal(len(s), err)
			}
			if _, err := db.PendingOccurrences(ctx); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("compiled each time", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			var s []scheduler.Schedule
			var o []scheduler.Occurrence
			err := db.snapshot(ctx, func(tx *sql.Tx) error {
				return each(ctx, tx, record.Rows(&s, record.Schedule), qDueSchedules)
			})
			if err == nil {
				err = db.snapshot(ctx, func(tx *sql.Tx) error {
					return each(ctx, tx, record.Rows(&o, record.Occurrence), qPendingOccurrences)
				})
			}
			if err != nil || len(s) != 50 {
				b.Fatal(len(s), err)
			}
		}
	})
}
