package flows

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// TestStepFilesRepliesUnderWhatTheirAuthorSaw: a reply answers the prompt
// its author saw (Input.Saw), not the one the coach moved on to.
func TestStepFilesRepliesUnderWhatTheirAuthorSaw(t *testing.T) {
	c := testCatalogue(t)
	// Ana answered plan.one; the coach now asks plan.two.
	start, err := Step(c, NewPlan("T", "C", "P", "UANA", t0), Input{Text: "a1", User: "UANA", Now: t0, Source: "C/1"})
	if err != nil {
		t.Fatal(err)
	}
	base := start.Plan
	at := t0.Add(time.Minute)
	atTwo := Cursor{Stage: 0, Step: 1, Phase: PhaseQuestion}
	tests := []struct {
		name, saw, text, user string
		want                  []Change // nil: none
		reply                 string   // a substring of the first reply
		cursor                Cursor
		err                   bool
	}{
		{
			name: "answer to the question before is a co-answer", saw: "plan.one", text: "b1", user: "UBEN",
			want:  []Change{AnswerAdded{QuestionID: "plan.one", Revision: 2, Contribution: Contribution{Text: "b1", By: "UBEN", At: at, Source: "C/2"}}},
			reply: "Saved as your answer to Plan question 1 (one), alongside UANA's.", cursor: atTwo,
		},
		{
			name: "a second message of the same author is kept too", saw: "plan.one", text: "and more", user: "UANA",
			want:  []Change{AnswerAdded{QuestionID: "plan.one", Revision: 2, Contribution: Contribution{Text: "and more", By: "UANA", At: at, Source: "C/2"}}},
			reply: "alongside your earlier one", cursor: atTwo,
		},
		{
			name: "the same text again changes nothing", saw: "plan.one", text: "a1", user: "UBEN",
			reply: "already saved", cursor: atTwo,
		},
		{
			name: "an open question gets its answer, the coach stays", saw: "reach.one", text: "r1", user: "UBEN",
			want:  []Change{AnswerRecorded{Answer: Answer{QuestionID: "reach.one", Text: "r1", By: "UBEN", At: at, Revision: 1, Source: "C/2"}}},
			reply: "Saved as your answer to Reach question 1 (one).", cursor: atTwo,
		},
		{name: "skip of a question moved on from changes nothing", saw: "plan.one", text: "skip", user: "UBEN", reply: "moved on", cursor: atTwo},
		{name: "back likewise", saw: "plan.one", text: "back", user: "UBEN", reply: "`back` changed nothing", cursor: atTwo},
		{name: "draft likewise", saw: "plan.one", text: "draft", user: "UBEN", reply: "`draft` changed nothing", cursor: atTwo},
		{name: "done likewise", saw: "plan.one", text: "Done", user: "UBEN", reply: "`done` changed nothing", cursor: atTwo},
		{
			name: "an action for a stage's actions prompt lands in that stage", saw: "actions:reach", text: "Ads | Ana | impact 3 | effort 2", user: "UBEN",
			want:  []Change{ActionAdded{Action: Action{Number: 1, Stage: "reach", Text: "Ads", Owner: "Ana", Impact: 3, Effort: 2, By: "UBEN", At: at, Source: "C/2"}}},
			reply: "Added action 1 to Reach: Ads", cursor: atTwo,
		},
		{name: "a bad action is refused", saw: "actions:plan", text: "Ads | impact 9", user: "UBEN", err: true, cursor: atTwo},
		{name: "a reply to the completed plan files nothing", saw: "complete", text: "thanks", user: "UBEN", reply: "moved on", cursor: atTwo},
		{name: "an empty late answer is refused", saw: "plan.one", text: " ", user: "UBEN", err: true, cursor: atTwo},
		{
			name: "a reply to the current question is an answer", saw: "plan.two", text: "b2", user: "UBEN",
			want: []Change{
				AnswerRecorded{Answer: Answer{QuestionID: "plan.two", Text: "b2", By: "UBEN", At: at, Revision: 1, Source: "C/2"}},
				CursorMoved{Cursor: Cursor{Stage: 0, Step: 2, Phase: PhaseQuestion}},
			},
			reply: "Saved.", cursor: Cursor{Stage: 0, Step: 2, Phase: PhaseQuestion},
		},
		{
			name: "without Saw the current question is answered", text: "b2", user: "UBEN",
			want: []Change{
				AnswerRecorded{Answer: Answer{QuestionID: "plan.two", Text: "b2", By: "UBEN", At: at, Revision: 1, Source: "C/2"}},
				CursorMoved{Cursor: Cursor{Stage: 0, Step: 2, Phase: PhaseQuestion}},
			},
			reply: "Saved.", cursor: Cursor{Stage: 0, Step: 2, Phase: PhaseQuestion},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := Step(c, base, Input{Text: tt.text, User: tt.user, Now: at, Saw: tt.saw, Source: "C/2"})
			if tt.err {
				if !errors.Is(err, ErrBadInput) {
					t.Fatalf("err = %v, want bad input", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, out.Changes); diff != "" {
				t.Errorf("changes (-want +got):\n%s", diff)
			}
			if out.Plan.Cursor != tt.cursor {
				t.Errorf("cursor = %+v, want %+v", out.Plan.Cursor, tt.cursor)
			}
			if len(out.Replies) == 0 || !strings.Contains(out.Replies[0].Msg.String(), tt.reply) {
				t.Errorf("replies = %+v, want the first to contain %q", out.Replies, tt.reply)
			}
			if got := base.Answers["plan.one"]; got.Text != "a1" || len(got.Also) != 0 {
				t.Errorf("the step changed the plan it was given: %+v", got)
			}
		})
	}
}

func TestCoAnswersEditsAndWithdrawals(t *testing.T) {
	c := testCatalogue(t)
	p := NewPlan("T", "C", "P", "UANA", t0)
	step := func(in Input) {
		t.Helper()
		out, err := Step(c, p, in)
		if err != nil {
			t.Fatal(err)
		}
		p = out.Plan
	}
	step(Input{Text: "ana's", User: "UANA", Now: t0, Source: "C/1"})
	step(Input{Text: "ben's", User: "UBEN", Now: t0.Add(time.Second), Saw: "plan.one", Source: "C/2"})
	step(Input{Text: "priya's", User: "UPRIYA", Now: t0.Add(2 * time.Second), Saw: "plan.one", Source: "C/3"})
	before := p

	// Someone else's edit of Ben's message changes nothing.
	if out, _ := ReviseAnswer(c, p, "C/2", "hijacked", "UANA", t0, "", ""); len(out.Changes) != 0 {
		t.Fatalf("an edit by someone else changed %+v", out.Changes)
	}
	if out, _ := ReviseAnswer(c, p, "C/99", "unknown", "UANA", t0, "", ""); len(out.Changes) != 0 || len(out.Replies) != 0 {
		t.Fatalf("an edit of an unknown message changed %+v", out.Changes)
	}
	out, err := ReviseAnswer(c, p, "C/2", "ben's, better", "UBEN", t0.Add(time.Minute), "", "")
	if err != nil {
		t.Fatal(err)
	}
	p = out.Plan
	if len(out.Replies) != 1 || !strings.Contains(out.Replies[0].Msg.String(), "Updated your answer to Plan question 1 (one)") {
		t.Errorf("replies = %+v", out.Replies)
	}
	a := p.Answers["plan.one"]
	want := []Contribution{
		{Text: "ben's, better", By: "UBEN", At: t0.Add(time.Minute), Source: "C/2", Revision: 4, Edited: t0.Add(time.Minute)},
		{Text: "priya's", By: "UPRIYA", At: t0.Add(2 * time.Second), Source: "C/3", Revision: 3},
	}
	if a.Text != "ana's" || a.Revision != 1 || a.Last != 4 || a.Next() != 5 || !cmp.Equal(want, a.Also) {
		t.Errorf("after the edit: %+v", a)
	}
	if got := before.Answers["plan.one"].Also[0].Text; got != "ben's" {
		t.Errorf("the edit reached a plan it was not applied to: %q", got)
	}
	// An earlier edit of Ben's, delivered late, rolls nothing back.
	if out, _ := ReviseAnswer(c, p, "C/2", "ben's, first try", "UBEN", t0.Add(30*time.Second), "", ""); len(out.Changes) != 0 {
		t.Errorf("an older edit delivered late changed %+v", out.Changes)
	}

	// Ana's message is deleted: Ben's answer takes its place.
	out = WithdrawAnswer(c, p, "C/1", t0.Add(2*time.Minute))
	p = out.Plan
	a = p.Answers["plan.one"]
	if a.Text != "ben's, better" || a.By != "UBEN" || a.Revision != 4 || a.Last != 5 || len(a.Also) != 1 {
		t.Errorf("after withdrawing the answer: %+v", a)
	}
	if !strings.Contains(out.Replies[0].Msg.String(), "the other answers to it stay") {
		t.Errorf("reply = %q", out.Replies[0].Msg.String())
	}
	p = WithdrawAnswer(c, p, "C/3", t0).Plan
	out = WithdrawAnswer(c, p, "C/2", t0.Add(3*time.Minute))
	p = out.Plan
	if a := p.Answers["plan.one"]; a.Text != "" || a.Also != nil || a.Next() != 8 {
		t.Errorf("after withdrawing every answer: %+v", a)
	}
	if !strings.Contains(out.Replies[0].Msg.String(), "open again") {
		t.Errorf("reply = %q", out.Replies[0].Msg.String())
	}
	if got := StatusText(c, p, nil, t0).String(); !strings.Contains(got, "Open questions: Plan 1,") {
		t.Errorf("status does not list the withdrawn question as open:\n%s", got)
	}
	if out := WithdrawAnswer(c, p, "C/2", t0); len(out.Changes) != 0 {
		t.Errorf("a second withdrawal changed %+v", out.Changes)
	}
}

func TestMarkdownShowsEveryContribution(t *testing.T) {
	c := testCatalogue(t)
	p := NewPlan("T", "C", "P", "UANA", t0)
	for _, ch := range []Change{
		AnswerRecorded{Answer: Answer{QuestionID: "plan.one", Text: "Ana's words", By: "UANA", At: t0, Revision: 1}},
		AnswerAdded{QuestionID: "plan.one", Revision: 2, Contribution: Contribution{Text: "Ben's words", By: "UBEN", At: t0.Add(time.Minute)}},
	} {
		p.Apply(ch)
	}
	md := Markdown(c, p, time.UTC, People{})
	if strings.Contains(md, "(revision") {
		t.Errorf("a co-answer made Ana's answer look revised:\n%s", md)
	}
	for _, want := range []string{"> Ana's words\n\n— UANA, 2026-11-23 09:00", "> Ben's words\n\n— UBEN, 2026-11-23 09:01 (also answered)"} {
		if !strings.Contains(md, want) {
			t.Errorf("export lacks %q:\n%s", want, md)
		}
	}
}

func TestAsksNamesWhatThePlanAsks(t *testing.T) {
	c := testCatalogue(t)
	p, _ := walk(t, c, NewPlan("T", "C", "P", "U1", t0), "a1")
	for _, in := range []string{"a2", "opp", "strat", "done", "skip"} {
		out, err := Step(c, p, Input{Text: in, User: "U1", Now: t0})
		if err != nil {
			t.Fatal(err)
		}
		p = out.Plan
		last := ""
		for _, r := range out.Replies {
			if a := r.Asks(); a != "" {
				last = a
			}
		}
		if last != p.Asking(c) {
			t.Errorf("after %q the reply asks %q, the plan %q", in, last, p.Asking(c))
		}
	}
}

// TestAcceptDraftKeepsAnAnswerGivenMeanwhile: a draft is made for the open
// question. Accepted while it is still open, it is the answer and the
// coach moves on; accepted after someone answered it in the thread, it
// joins that answer, as a late reply would; accepted again, it changes
// nothing.
func TestAcceptDraftKeepsAnAnswerGivenMeanwhile(t *testing.T) {
	c := testCatalogue(t)
	fresh := NewPlan("T", "C", "P", "UANA", t0)

	out, err := AcceptDraft(c, fresh, "plan.one", "drafted", "UANA", t0)
	if err != nil {
		t.Fatal(err)
	}
	if a := out.Plan.Answers["plan.one"]; a.Text != "drafted" || !a.Drafted || a.By != "UANA" {
		t.Errorf("draft of the open question: %+v", a)
	}
	if _, q, _ := out.Plan.Current(c); q.ID != "plan.two" {
		t.Errorf("after the draft of the open question the coach asks %s", q.ID)
	}

	answered, err := Step(c, fresh, Input{Text: "ben's", User: "UBEN", Now: t0, Source: "C/2"})
	if err != nil {
		t.Fatal(err)
	}
	out, err = AcceptDraft(c, answered.Plan, "plan.one", "drafted", "UANA", t0.Add(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	a := out.Plan.Answers["plan.one"]
	want := []Contribution{{Text: "drafted", By: "UANA", At: t0.Add(time.Minute), Revision: 2}}
	if a.Text != "ben's" || a.By != "UBEN" || a.Source != "C/2" || !cmp.Equal(want, a.Also) {
		t.Errorf("draft of a question answered meanwhile: %+v", a)
	}
	if _, q, _ := out.Plan.Current(c); q.ID != "plan.two" {
		t.Errorf("after the late draft the coach asks %s", q.ID)
	}

	again, err := AcceptDraft(c, out.Plan, "plan.one", "drafted", "UCHO", t0.Add(2*time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	if len(again.Changes) != 0 || len(again.Replies) != 1 || !strings.Contains(again.Replies[0].Msg.String(), "already") {
		t.Errorf("the same draft accepted again: changes %+v, replies %+v", again.Changes, again.Replies)
	}
}

// TestAcceptDraftAfterTheQuestionIsAskedAgain: a draft is asked for while
// the question has no answer; someone answers it and goes back to it, so
// it is open again. The draft, used now, joins that answer; one asked for
// while the answer was there replaces it, as its user has seen it.
func TestAcceptDraftAfterTheQuestionIsAskedAgain(t *testing.T) {
	c := testCatalogue(t)
	fresh := NewPlan("T", "C", "P", "UANA", t0)
	asked, err := Step(c, fresh, Input{Text: "draft", User: "UANA", Now: t0})
	if err != nil || asked.Draft == nil {
		t.Fatalf("draft: %+v, %v", asked.Draft, err)
	}
	answered, err := Step(c, fresh, Input{Text: "ben's", User: "UBEN", Now: t0, Source: "C/2"})
	if err != nil {
		t.Fatal(err)
	}
	back, err := Step(c, answered.Plan, Input{Text: "back", User: "UBEN", Now: t0})
	if err != nil {
		t.Fatal(err)
	}
	shown := map[string]int{asked.Draft.QuestionID: asked.Draft.Revision}
	out, err := AcceptDraftShown(c, back.Plan, "plan.one", "drafted", "UANA", t0.Add(time.Minute), shown)
	if err != nil {
		t.Fatal(err)
	}
	if a := out.Plan.Answers["plan.one"]; a.Text != "ben's" || len(a.Also) != 1 || a.Also[0].Text != "drafted" {
		t.Errorf("draft asked for before the answer: %+v", a)
	}

	again, err := Step(c, back.Plan, Input{Text: "draft", User: "UANA", Now: t0})
	if err != nil || again.Draft == nil {
		t.Fatalf("draft: %+v, %v", again.Draft, err)
	}
	shown = map[string]int{again.Draft.QuestionID: again.Draft.Revision}
	out, err = AcceptDraftShown(c, back.Plan, "plan.one", "drafted", "UANA", t0.Add(time.Minute), shown)
	if err != nil {
		t.Fatal(err)
	}
	if a := out.Plan.Answers["plan.one"]; a.Text != "drafted" || len(a.Also) != 0 {
		t.Errorf("draft asked for over the answer: %+v", a)
	}
}

// TestStepReplyToAQuestionAskedAgain: the coach came back to a question
// (back, edit) after someone answered it; a reply to the first time it was
// asked, delivered now, joins that answer rather than replacing it, while
// one written to the question asked again replaces it.
func TestStepReplyToAQuestionAskedAgain(t *testing.T) {
	c := testCatalogue(t)
	answered, err := Step(c, NewPlan("T", "C", "P", "UANA", t0), Input{Text: "a1", User: "UANA", Now: t0, Source: "C/1"})
	if err != nil {
		t.Fatal(err)
	}
	back, err := Step(c, answered.Plan, Input{Text: "back", User: "UCARL", Now: t0, Source: "C/2"})
	if err != nil {
		t.Fatal(err)
	}
	if back.Plan.Asking(c) != "plan.one" {
		t.Fatalf("after back the coach asks %q", back.Plan.Asking(c))
	}
	late, err := Step(c, back.Plan, Input{Text: "b1", User: "UBEN", Now: t0, Saw: "plan.one", Answered: true, Source: "C/3"})
	if err != nil {
		t.Fatal(err)
	}
	if a := late.Plan.Answers["plan.one"]; a.Text != "a1" || len(a.Also) != 1 || a.Also[0].Text != "b1" {
		t.Errorf("a late reply to the first asking: %+v", a)
	}
	if late.Plan.Asking(c) != "plan.one" {
		t.Errorf("a late reply moved the coach to %q", late.Plan.Asking(c))
	}
	again, err := Step(c, back.Plan, Input{Text: "a2", User: "UANA", Now: t0, Saw: "plan.one", Source: "C/4"})
	if err != nil {
		t.Fatal(err)
	}
	if a := again.Plan.Answers["plan.one"]; a.Text != "a2" || len(a.Also) != 0 {
		t.Errorf("a reply to the question asked again: %+v", a)
	}
}

// TestEditAnswersBesideSaysTheAnswerWasAdded: a form's answer saved beside
// the one given meanwhile in the thread must say so; "Updated" tells the
// team the thread's answer was replaced, which it was not.
func TestEditAnswersBesideSaysTheAnswerWasAdded(t *testing.T) {
	c := testCatalogue(t)
	answered, err := Step(c, NewPlan("T", "C", "P", "UANA", t0), Input{Text: "a1", User: "UANA", Now: t0, Source: "C/1"})
	if err != nil {
		t.Fatal(err)
	}
	out, err := EditAnswersBeside(c, answered.Plan, map[string]string{"plan.one": "b1", "plan.two": "b2"}, map[string]int{"plan.one": 0}, "UBEN", t0)
	if err != nil {
		t.Fatal(err)
	}
	if a := out.Plan.Answers["plan.one"]; a.Text != "a1" || len(a.Also) != 1 || a.Also[0].Text != "b1" {
		t.Fatalf("plan.one = %+v", a)
	}
	var said []string
	for _, r := range out.Replies {
		said = append(said, r.Msg.String())
	}
	got := strings.Join(said, "\n")
	if strings.Contains(got, "Updated 2 answer") || !strings.Contains(got, "alongside UANA's") {
		t.Errorf("the form's answer added beside Ana's was announced as %q", got)
	}
}

// TestRefileMovesAReplyToThePromptItCameAfter: Ben's reply was filed
// beside Ana's answer to question 1, because the prompt of question 2 was
// recorded only after it was read. Refiled, it answers question 2 and the
// coach moves on; his text stays in question 1's history. A reply filed
// there already, or none, changes nothing; one refiled after question 2
// was answered meanwhile joins that answer.
func TestRefileMovesAReplyToThePromptItCameAfter(t *testing.T) {
	c := testCatalogue(t)
	one, err := Step(c, NewPlan("T", "C", "P", "UANA", t0), Input{Text: "a1", User: "UANA", Now: t0, Source: "C/1"})
	if err != nil {
		t.Fatal(err)
	}
	wrote := t0.Add(time.Minute)
	misfiled, err := Step(c, one.Plan, Input{Text: "b2", User: "UBEN", Now: wrote, Source: "C/3", Saw: "plan.one"})
	if err != nil {
		t.Fatal(err)
	}
	p := misfiled.Plan
	moved := t0.Add(time.Hour)
	out, err := Refile(c, p, Input{Saw: "plan.two", Source: "C/3", Now: moved})
	if err != nil {
		t.Fatal(err)
	}
	got := out.Plan
	if a := got.Answers["plan.one"]; a.Text != "a1" || len(a.Also) != 0 {
		t.Errorf("question 1 after the move: %+v", a)
	}
	if a := got.Answers["plan.two"]; a.Text != "b2" || a.By != "UBEN" || !a.At.Equal(wrote) || a.Source != "C/3" {
		t.Errorf("question 2 after the move: %+v, want Ben's reply as he wrote it", a)
	}
	if got.Cursor.Step != 2 {
		t.Errorf("cursor %+v, want question 3", got.Cursor)
	}
	if w, ok := out.Changes[0].(AnswerWithdrawn); !ok || w.QuestionID != "plan.one" || w.Source != "C/3" || !w.At.Equal(moved) {
		t.Errorf("first change %#v, want the withdrawal from question 1", out.Changes[0])
	}
	if len(out.Replies) == 0 || out.Replies[0].Msg.String() != "Moved UBEN's reply from Plan question 1 (one) to Plan question 2 (two): it was written after that question was asked." {
		t.Errorf("replies %+v", out.Replies)
	}
	if p.Answers["plan.two"].Text != "" || len(p.Answers["plan.one"].Also) != 1 {
		t.Errorf("the plan refiled from changed: %+v", p.Answers)
	}

	for name, in := range map[string]Input{
		"filed there already": {Saw: "plan.one", Source: "C/3", Now: moved},
		"no such reply":       {Saw: "plan.two", Source: "C/9", Now: moved},
	} {
		if out, err := Refile(c, p, in); err != nil || len(out.Changes) != 0 || len(out.Replies) != 0 {
			t.Errorf("%s: %+v, %v; want nothing", name, out, err)
		}
	}

	answered, err := Step(c, p, Input{Text: "a2", User: "UANA", Now: wrote.Add(time.Second), Source: "C/4"})
	if err != nil {
		t.Fatal(err)
	}
	out, err = Refile(c, answered.Plan, Input{Saw: "plan.two", Source: "C/3", Now: moved})
	if err != nil {
		t.Fatal(err)
	}
	if a := out.Plan.Answers["plan.two"]; a.Text != "a2" || len(a.Also) != 1 || a.Also[0].Text != "b2" || out.Plan.Cursor != answered.Plan.Cursor {
		t.Errorf("refiled after question 2 was answered: %+v, cursor %+v", a, out.Plan.Cursor)
	}
}
