package coach_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/racebot/racebot/coach"
	"github.com/racebot/racebot/flows"
	"github.com/racebot/racebot/internal/testdb"
	"github.com/racebot/racebot/storage"
)

// readBothFirst is the real store, except that an answer to a retro is
// stored only once two replies have read the retro: two people answering
// at the same moment, as a busy thread has them.
type readBothFirst struct {
	*storage.DB
	mu    sync.Mutex
	reads int
	both  chan struct{}
}

func (s *readBothFirst) Retro(ctx context.Context, team string, id int64) (flows.Retro, error) {
	r, err := s.DB.Retro(ctx, team, id)
	s.mu.Lock()
	if s.reads++; s.reads == 2 {
		close(s.both)
	}
	s.mu.Unlock()
	return r, err
}

func (s *readBothFirst) AddRetroAnswer(ctx context.Context, team string, retro int64, a flows.RetroAnswer, key string) error {
	select {
	case <-s.both:
	case <-time.After(2 * time.Second):
	}
	return s.DB.AddRetroAnswer(ctx, team, retro, a, key)
}

// TestRetroAnswersAtOnceAskTheNextQuestionOnce: two people answer the
// question being asked at the same moment. Both answers are kept, and the
// next question is asked once, not once per answer.
func TestRetroAnswersAtOnceAskTheNextQuestionOnce(t *testing.T) {
	ctx := context.Background()
	db := &readBothFirst{DB: testdb.Open(t), both: make(chan struct{})}
	svc := coach.New(coach.Config{Catalogue: flows.RACE(), Store: db})
	id, req := askingFirstRetroQuestion(t, svc)
	var wg sync.WaitGroup
	resps := make([]coach.Response, 2)
	errs := make([]error, 2)
	for i, who := range []string{"ana", "ben"} {
		wg.Go(func() {
			ts := "1000.00030" + string(rune('0'+i))
			resps[i], errs[i] = svc.RetroReply(ctx, req(who, "The webinars.", "e"+who, ts), id, "The webinars.")
		})
	}
	wg.Wait()
	asked := 0
	for i, resp := range resps {
		if errs[i] != nil {
			t.Fatal(errs[i])
		}
		for _, r := range resp.Replies {
			if r.Kind == flows.ReplyRetroQuestion {
				asked++
			}
		}
	}
	if asked != 1 {
		t.Errorf("the second question was asked %d times, want once: %+v", asked, resps)
	}
	r, err := svc.Retro(ctx, "T1", id)
	if err != nil || len(r.Answers) != 2 {
		t.Errorf("answers = %+v, %v; want both", r.Answers, err)
	}
}

// TestCapabilityFormOfADeletedPlanStillRates: Ana has the capability form
// of Q1 open while Ben deletes Q1 and the team carries on in Q2. Ratings
// belong to the channel, not to a plan: Ana's rating is kept, under the
// plan the channel uses now, rather than refused.
func TestCapabilityFormOfADeletedPlanStillRates(t *testing.T) {
	ctx := context.Background()
	db := testdb.Open(t)
	svc := coach.New(coach.Config{Catalogue: flows.RACE(), Store: db})
	now := time.Date(2027, 4, 1, 9, 0, 0, 0, time.UTC)
	req := func(user, text, key string) coach.Request {
		return coach.Request{Team: "T1", Channel: "C1", User: user, Text: text, Now: now, Key: key}
	}
	q1, err := svc.Handle(ctx, req("ana", "/race new Q1", "new1"))
	if err != nil {
		t.Fatal(err)
	}
	q2, err := svc.Handle(ctx, req("ben", "/race new Q2", "new2"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.DeletePlan(ctx, req("ben", "", "del1"), q1.Plan.ID); err != nil {
		t.Fatal(err)
	}
	form := req("ana", "", "view:V1:h1")
	form.Plan = q1.Plan.ID
	scores := map[flows.StageID]int{flows.StagePlan: 3, flows.StageReach: 2, flows.StageAct: 3, flows.StageConvert: 2, flows.StageEngage: 4}
	resp, err := svc.RecordCapability(ctx, form, scores)
	if err != nil {
		t.Fatalf("rating refused: %v", err)
	}
	if resp.Plan == nil || resp.Plan.ID != q2.Plan.ID || !resp.Changed {
		t.Errorf("rating recorded under %+v, want Q2", resp.Plan)
	}
	if last, err := svc.LastCapability(ctx, "T1", "C1"); err != nil || last == nil || last.By != "ana" {
		t.Errorf("last rating = %+v, %v", last, err)
	}
}
