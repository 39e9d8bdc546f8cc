package coach_test

import (
	"context"
	"strings"
	"testing"

	"github.com/racebot/racebot/coach"
	"github.com/racebot/racebot/flows"
	"github.com/racebot/racebot/internal/testdb"
	"github.com/racebot/racebot/storage"
)

// lateMeanwhile is the real store, except that before an answer is stored
// it runs meanwhile once: what another delivery does between the reply's
// read of the prompts and its write.
type lateMeanwhile struct {
	*storage.DB
	meanwhile func()
}

func (s *lateMeanwhile) AddRetroAnswer(ctx context.Context, team string, retro int64, a flows.RetroAnswer, key string) error {
	if f := s.meanwhile; f != nil {
		s.meanwhile = nil
		f()
	}
	return s.DB.AddRetroAnswer(ctx, team, retro, a, key)
}

// TestRetroAnswerStoredAsItsLateQuestionIsRecordedMovesToIt: Ben's reply
// to the second question, whose post was found late, reads the prompts
// before that question is recorded and is stored after the look for
// answers to move found none. The reply itself sees the question recorded
// once it is stored: it is filed under the second question, and the third
// is asked.
func TestRetroAnswerStoredAsItsLateQuestionIsRecordedMovesToIt(t *testing.T) {
	ctx := context.Background()
	db := &lateMeanwhile{DB: testdb.Open(t)}
	svc := coach.New(coach.Config{Catalogue: flows.RACE(), Store: db})
	id, req := askingFirstRetroQuestion(t, svc)
	if _, err := svc.RetroReply(ctx, req("ana", "Webinars.", "e1", "1000.000300"), id, "Webinars."); err != nil {
		t.Fatal(err)
	}
	db.meanwhile = func() {
		if err := svc.RetroAsked(ctx, "T1", id, "didnt", "1000.000400"); err != nil {
			t.Error(err)
		}
		if resp, err := svc.RefileRetroLate(ctx, "T1", "C1", id, "didnt", "1000.000400"); err != nil || len(resp.Replies) != 0 {
			t.Errorf("refile before Ben's answer is stored = %+v, %v; want nothing", resp, err)
		}
	}
	resp, err := svc.RetroReply(ctx, req("ben", "The launch slipped.", "e2", "1000.000500"), id, "The launch slipped.")
	if err != nil {
		t.Fatal(err)
	}
	r, err := svc.Retro(ctx, "T1", id)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Answers) != 2 || r.Answers[1].Question != "didnt" {
		t.Errorf("answers = %+v, want Ben's under the second question", r.Answers)
	}
	var said []string
	for _, rep := range resp.Replies {
		said = append(said, rep.Msg.String())
	}
	if len(resp.Replies) != 2 || resp.Replies[1].QuestionID != "change" || !strings.Contains(said[0], "What didn't work") {
		t.Errorf("Ben was told %q, want his answer noted under the second question and the third asked", said)
	}
}
