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
// every scheduler tick, with 50 scheduled plans: as the store runs them,
// compiled once by each connection, and, as the reference in the same run,
// through modernc's own driver, which compiles them afresh each time.
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
	b.Run("kept compiled", func(b *testing.B) {
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
		ref, err := sql.Open("sqlite", dsn(db.path, "deferred", "NORMAL"))
		if err != nil {
			b.Fatal(err)
		}
		defer ref.Close()
		b.ReportAllocs()
		for b.Loop() {
			var s []scheduler.Schedule
			var o []scheduler.Occurrence
			read := func(r record.Reader, query string) error {
				tx, err := ref.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
				if err != nil {
					return err
				}
				defer tx.Rollback()
				return each(ctx, tx, r, query)
			}
			err := read(record.Rows(&s, record.Schedule), qDueSchedules)
			if err == nil {
				err = read(record.Rows(&o, record.Occurrence), qPendingOccurrences)
			}
			if err != nil || len(s) != 50 {
				b.Fatal(len(s), err)
			}
		}
	})
}
