package storage

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/racebot/racebot/flows"
	"github.com/racebot/racebot/internal/filetemplate"
)

// BenchmarkCommitAnswer measures storing one answer the way a thread reply
// does: one write transaction on a real file that records the event key,
// bumps the plan's version and inserts the answer revision.
func BenchmarkCommitAnswer(b *testing.B) {
	ctx := context.Background()
	db := openTemp(b)
	var err error
	p := flows.NewPlan("T1", "C1", "Bench", "UANA", time.Now())
	if p.ID, err = db.CreatePlan(ctx, p, ""); err != nil {
		b.Fatal(err)
	}
	now := time.Now()
	q := flows.RACE().Stages[0].Steps()[0].ID
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		i++
		a := flows.Answer{QuestionID: q, Text: "We sell roasted coffee by subscription.", By: "UANA", At: now, Revision: i}
		if err := db.Commit(ctx, p, []flows.Change{flows.AnswerRecorded{Answer: a}}, fmt.Sprintf("Ev%d", i)); err != nil {
			b.Fatal(err)
		}
		p.Version++
	}
}

// BenchmarkCommitAnswersTogether commits answers from many requests at
// once, each to a plan of its own, as under load: the writer commits them
// in batches, so it is the statements' cost rather than the fsync that
// the time per answer shows.
func BenchmarkCommitAnswersTogether(b *testing.B) {
	ctx := context.Background()
	db := openTemp(b)
	q := flows.RACE().Stages[0].Steps()[0].ID
	var plans atomic.Int64
	b.ReportAllocs()
	b.SetParallelism(32)
	b.RunParallel(func(pb *testing.PB) {
		n := plans.Add(1)
		p := flows.NewPlan("T1", fmt.Sprintf("C%d", n), "Bench", "UANA", time.Now())
		var err error
		if p.ID, err = db.CreatePlan(ctx, p, ""); err != nil {
			b.Error(err)
			return
		}
		now := time.Now()
		for i := 1; pb.Next(); i++ {
			a := flows.Answer{QuestionID: q, Text: "We sell roasted coffee by subscription.", By: "UANA", At: now, Revision: i}
			if err := db.Commit(ctx, p, []flows.Change{flows.AnswerRecorded{Answer: a}}, fmt.Sprintf("Ev%d.%d", n, i)); err != nil {
				b.Error(err)
				return
			}
			p.Version++
		}
	})
}

// openTemp opens a database in a file of the test's own, closed when the
// test ends.
// fresh is a database Open made, as testdb's, which this package's own
// tests cannot import.
var fresh = filetemplate.New("racebot.db", func(path string) error {
	db, err := Open(context.Background(), path)
	if err != nil {
		return err
	}
	return db.Close()
})

func openTemp(tb testing.TB) *DB {
	tb.Helper()
	db, err := Open(context.Background(), fresh.Path(tb))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	return db
}
