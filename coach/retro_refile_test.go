package coach_test

import (
	"context"
	"errors"
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
	db := &lateMeanwhile{DB: testdb.Open(t)}
	svc := coach.New(coach.Config{Catalogue: flows.RACE(), Store: db})
	id, req := askingFirstRetroQuestion(t, svc)
	resp := benAnswersAsTheSecondQuestionIsRecorded(t, svc, db, id, req)
	var said []string
	for _, rep := range resp.Replies {
		said = append(said, rep.Msg.String())
	}
	if len(resp.Replies) != 2 || resp.Replies[1].QuestionID != "change" || !strings.Contains(said[0], "What didn't work") {
		t.Errorf("Ben was told %q, want his answer noted under the second question and the third asked", said)
	}
}

// promptsFailAfterAnAnswer is the real store, except that once armed, the
// first read of the prompts after an answer is stored fails, as a
// database that stops answering just after a write would.
type promptsFailAfterAnAnswer struct {
	*storage.DB
	armed, failing bool
}

func (s *promptsFailAfterAnAnswer) AddRetroAnswer(ctx context.Context, team string, retro int64, a flows.RetroAnswer, key string) error {
	err := s.DB.AddRetroAnswer(ctx, team, retro, a, key)
	if err == nil && s.armed {
		s.armed, s.failing = false, true
	}
	return err
}

func (s *promptsFailAfterAnAnswer) RetroPromptBefore(ctx context.Context, team string, retro int64, at int64) (string, error) {
	if s.failing {
		s.failing = false
		return "", errors.New("database gone")
	}
	return s.DB.RetroPromptBefore(ctx, team, retro, at)
}

// TestRetroAnswerStoredThoughTheSecondLookFails: Ana's answer is stored,
// then the database fails the look for a question recorded late. Her
// answer is noted and brings the second question, as a failed read-back
// does: an error would have Slack deliver it again, and the redelivery,
// a duplicate, would say nothing.
func TestRetroAnswerStoredThoughTheSecondLookFails(t *testing.T) {
	ctx := context.Background()
	db := &promptsFailAfterAnAnswer{DB: testdb.Open(t)}
	svc := coach.New(coach.Config{Catalogue: flows.RACE(), Store: db})
	id, req := askingFirstRetroQuestion(t, svc)
	db.armed = true
	resp, err := svc.RetroReply(ctx, req("ana", "Webinars.", "e1", "1000.000300"), id, "Webinars.")
	if err != nil {
		t.Fatalf("reply: %v", err)
	}
	if len(resp.Replies) != 2 || resp.Replies[1].QuestionID != "didnt" {
		t.Errorf("Ana was told %+v, want her answer noted and the second question asked", resp.Replies)
	}
}

// moveMeanwhile is the real store, except that before answers are moved
// it runs meanwhile once: what another reply does between the mover's
// reads and its move.
type moveMeanwhile struct {
	*storage.DB
	meanwhile func()
}

func (s *moveMeanwhile) MoveRetroAnswers(ctx context.Context, team string, retro int64, from, to string, sources []string) ([]string, error) {
	if f := s.meanwhile; f != nil {
		s.meanwhile = nil
		f()
	}
	return s.DB.MoveRetroAnswers(ctx, team, retro, from, to, sources)
}

// asked counts the replies that ask question id.
func asked(id string, resps ...coach.Response) int {
	n := 0
	for _, r := range resps {
		for _, rep := range r.Replies {
			if rep.Kind == flows.ReplyRetroQuestion && rep.QuestionID == id {
				n++
			}
		}
	}
	return n
}

// TestRetroQuestionAskedOnceWhenAnAnswerArrivesDuringTheMove: the second
// question's post is found late; Ben's answer to it was filed under the
// first question meanwhile. As racebot moves it, Dan's answer to the
// second question, read after it was recorded, is stored under it. The
// third question is asked once, by the move or by Dan's answer.
func TestRetroQuestionAskedOnceWhenAnAnswerArrivesDuringTheMove(t *testing.T) {
	ctx := context.Background()
	db := &moveMeanwhile{DB: testdb.Open(t)}
	svc := coach.New(coach.Config{Catalogue: flows.RACE(), Store: db})
	id, req := askingFirstRetroQuestion(t, svc)
	if _, err := svc.RetroReply(ctx, req("ana", "Webinars.", "e1", "1000.000300"), id, "Webinars."); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.RetroReply(ctx, req("ben", "The launch slipped.", "e2", "1000.000500"), id, "The launch slipped."); err != nil {
		t.Fatal(err)
	}
	if err := svc.RetroAsked(ctx, "T1", id, "didnt", "1000.000400"); err != nil {
		t.Fatal(err)
	}
	var dan coach.Response
	db.meanwhile = func() {
		var err error
		if dan, err = svc.RetroReply(ctx, req("dan", "Hiring took long.", "e3", "1000.000600"), id, "Hiring took long."); err != nil {
			t.Error(err)
		}
	}
	moved, err := svc.RefileRetroLate(ctx, "T1", "C1", id, "didnt", "1000.000400")
	if err != nil {
		t.Fatal(err)
	}
	if n := asked("change", moved, dan); n != 1 {
		t.Errorf("the third question asked %d times, want once\nmove: %s\nDan: %s", n, told(moved), told(dan))
	}
}

// TestRetroQuestionAskedOnceWhenAnAnswerArrivesAsItMovesItself: as
// above, but Ben's reply itself finds the second question recorded once
// his answer is stored, and moves it; Dan's answer is stored under the
// second question just before. The third question is asked once.
func TestRetroQuestionAskedOnceWhenAnAnswerArrivesAsItMovesItself(t *testing.T) {
	ctx := context.Background()
	late := &lateMeanwhile{DB: testdb.Open(t)}
	db := &moveMeanwhile{DB: late.DB}
	svc := coach.New(coach.Config{Catalogue: flows.RACE(), Store: moveAndAdd{late, db}})
	id, req := askingFirstRetroQuestion(t, svc)
	if _, err := svc.RetroReply(ctx, req("ana", "Webinars.", "e1", "1000.000300"), id, "Webinars."); err != nil {
		t.Fatal(err)
	}
	late.meanwhile = func() {
		if err := svc.RetroAsked(ctx, "T1", id, "didnt", "1000.000400"); err != nil {
			t.Error(err)
		}
	}
	var dan coach.Response
	db.meanwhile = func() {
		var err error
		if dan, err = svc.RetroReply(ctx, req("dan", "Hiring took long.", "e3", "1000.000600"), id, "Hiring took long."); err != nil {
			t.Error(err)
		}
	}
	ben, err := svc.RetroReply(ctx, req("ben", "The launch slipped.", "e2", "1000.000500"), id, "The launch slipped.")
	if err != nil {
		t.Fatal(err)
	}
	if n := asked("change", ben, dan); n != 1 {
		t.Errorf("the third question asked %d times, want once\nBen: %s\nDan: %s", n, told(ben), told(dan))
	}
}

// moveAndAdd is the real store with both hooks: adds through late, moves
// through moves.
type moveAndAdd struct {
	*lateMeanwhile
	moves *moveMeanwhile
}

func (s moveAndAdd) MoveRetroAnswers(ctx context.Context, team string, retro int64, from, to string, sources []string) ([]string, error) {
	return s.moves.MoveRetroAnswers(ctx, team, retro, from, to, sources)
}

func told(r coach.Response) string {
	var out []string
	for _, rep := range r.Replies {
		out = append(out, rep.Msg.String())
	}
	return strings.Join(out, " / ")
}

// TestRetroSecondQuestionFoundBeforeTheFirstTakesItsAnswers: Slack's
// answers to both the first and the second question's posts are lost.
// Ana answers the first; Ben answers the second, after its post, while
// neither is recorded, so his reply is filed under the first. The second
// question's post is found before the first's: Ben's answer moves to it,
// and the third question is asked. The first's, found last, moves
// nothing.
func TestRetroSecondQuestionFoundBeforeTheFirstTakesItsAnswers(t *testing.T) {
	ctx := context.Background()
	svc := coach.New(coach.Config{Catalogue: flows.RACE(), Store: testdb.Open(t)})
	id, req := postedRetro(t, svc)
	// The first question went out at 1000.000200, the second at
	// 1000.000400; neither is recorded yet.
	if _, err := svc.RetroReply(ctx, req("ana", "Webinars.", "e1", "1000.000300"), id, "Webinars."); err != nil {
		t.Fatal(err)
	}
	ben, err := svc.RetroReply(ctx, req("ben", "The launch slipped.", "e2", "1000.000500"), id, "The launch slipped.")
	if err != nil {
		t.Fatal(err)
	}
	if err := svc.RetroAsked(ctx, "T1", id, "didnt", "1000.000400"); err != nil {
		t.Fatal(err)
	}
	second, err := svc.RefileRetroLate(ctx, "T1", "C1", id, "didnt", "1000.000400")
	if err != nil {
		t.Fatal(err)
	}
	if err := svc.RetroAsked(ctx, "T1", id, "worked", "1000.000200"); err != nil {
		t.Fatal(err)
	}
	first, err := svc.RefileRetroLate(ctx, "T1", "C1", id, "worked", "1000.000200")
	if err != nil {
		t.Fatal(err)
	}
	r, err := svc.Retro(ctx, "T1", id)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, a := range r.Answers {
		got = append(got, a.By+":"+a.Question)
	}
	if want := "ana:worked ben:didnt"; strings.Join(got, " ") != want {
		t.Errorf("answers filed %v, want %s", got, want)
	}
	if n := asked("change", ben, second, first); n != 1 {
		t.Errorf("the third question asked %d times, want once\nBen: %s\nsecond found: %s\nfirst found: %s", n, told(ben), told(second), told(first))
	}
}

// TestRetroAnswerStoredAsTheSecondQuestionIsRecordedBeforeTheFirst: as
// above, but the second question is recorded, and the look for answers
// to move finds none, between Ben's read of the prompts and his answer's
// write. His reply sees the question once his answer is stored, and
// moves it there.
func TestRetroAnswerStoredAsTheSecondQuestionIsRecordedBeforeTheFirst(t *testing.T) {
	db := &lateMeanwhile{DB: testdb.Open(t)}
	svc := coach.New(coach.Config{Catalogue: flows.RACE(), Store: db})
	id, req := postedRetro(t, svc)
	ben := benAnswersAsTheSecondQuestionIsRecorded(t, svc, db, id, req)
	if asked("change", ben) != 1 {
		t.Errorf("Ben was told %s, want the third question asked", told(ben))
	}
}

// benAnswersAsTheSecondQuestionIsRecorded: after Ana's answer to the
// first question (1000.000300), Ben answers the second (1000.000500),
// whose post at 1000.000400 is recorded, and the answers it should take
// looked for, between his read of the prompts and his answer's write. His
// answer must end under the second question; what he was told is
// returned.
func benAnswersAsTheSecondQuestionIsRecorded(t *testing.T, svc *coach.Service, db *lateMeanwhile, id int64, req func(user, text, key, ts string) coach.Request) coach.Response {
	t.Helper()
	ctx := context.Background()
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
	ben, err := svc.RetroReply(ctx, req("ben", "The launch slipped.", "e2", "1000.000500"), id, "The launch slipped.")
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
	return ben
}
