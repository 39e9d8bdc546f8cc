package storage

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/racebot/racebot/flows"
)

// TestCacheUnderLoadNeverGoesBack: answers and reads of more plans than a
// small cache holds, at once, on a real file. Each plan has one writer
// (the coach gives a plan's steps turns); reads, like a reply's post,
// take none. A read begun after a commit returned must see that commit or
// a later one, whatever the cache turned away, pushed out or took in
// meanwhile.
func TestCacheUnderLoadNeverGoesBack(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := openTemp(t)
	db.cache.maxPlans = 4
	const plans, writers, readers, answers = 12, 3, 3, 30
	ids := make([]flows.PlanID, plans)
	committed := make([]atomic.Int64, plans)
	for i := range ids {
		id, err := db.CreatePlan(ctx, flows.NewPlan("T1", "C"+strconv.Itoa(i), "P", "U1", c0), "")
		if err != nil {
			t.Fatal(err)
		}
		ids[i] = id
	}
	text := strings.Repeat("x", 100)
	var writing, reading sync.WaitGroup
	var done atomic.Bool
	errs := make(chan error, writers+readers)
	for w := range writers {
		writing.Go(func() {
			for n := range answers {
				for i := w; i < plans; i += writers {
					p, err := db.Plan(ctx, "T1", ids[i])
					if err != nil {
						errs <- err
						return
					}
					if p.Version < committed[i].Load() {
						errs <- errors.New("a writer read plan " + strconv.Itoa(i) + " older than its own commit")
						return
					}
					q := "q" + strconv.Itoa(n)
					a := flows.Answer{QuestionID: q, Text: text, By: "U1", At: c0, Revision: 1}
					key := "Ev" + strconv.Itoa(i) + "-" + strconv.Itoa(n)
					if err := db.Commit(ctx, p, []flows.Change{flows.AnswerRecorded{Answer: a}}, key); err != nil {
						errs <- err
						return
					}
					committed[i].Store(p.Version + 1)
				}
			}
		})
	}
	for r := range readers {
		reading.Go(func() {
			for n := 0; !done.Load(); n++ {
				i := (n*7 + r) % plans
				want := committed[i].Load()
				p, err := db.Plan(ctx, "T1", ids[i])
				if err != nil {
					errs <- err
					return
				}
				if p.Version < want {
					errs <- errors.New("a read of plan " + strconv.Itoa(i) + " at version " + strconv.FormatInt(p.Version, 10) +
						" after its commit of version " + strconv.FormatInt(want, 10))
					return
				}
			}
		})
	}
	writing.Wait()
	done.Store(true)
	reading.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}
