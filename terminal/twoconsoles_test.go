package terminal_test

import (
	"context"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/racebot/racebot/assist"
	"github.com/racebot/racebot/flows"
	"github.com/racebot/racebot/internal/testdb"
	"github.com/racebot/racebot/storage"
	"github.com/racebot/racebot/terminal"
)

// liveConsole is a terminal coach in a window of its own, on a database
// file another window may use too; the test types into it line by line.
type liveConsole struct {
	t    *testing.T
	scr  *screen
	in   *io.PipeWriter
	done chan error
}

func openConsole(t *testing.T, path, user string, model assist.Model) *liveConsole {
	t.Helper()
	cfg, _ := consoleConfig(t, path, user, model)
	r, w := io.Pipe()
	c := &liveConsole{t: t, scr: &screen{prompts: make(chan struct{}, 64)}, in: w, done: make(chan error, 1)}
	cfg.In, cfg.Out, cfg.Styled = r, c.scr, true
	go func() { c.done <- terminal.Run(context.Background(), cfg) }()
	c.waitPrompt()
	t.Cleanup(func() {
		w.Close()
		if err := <-c.done; err != nil {
			t.Errorf("run: %v", err)
		}
	})
	return c
}

func (c *liveConsole) waitPrompt() {
	c.t.Helper()
	select {
	case <-c.scr.prompts:
	case <-time.After(time.Minute):
		c.t.Fatalf("no prompt; screen so far:\n%s", c.screen())
	}
}

// typeLine types one line and waits until the console has answered it.
func (c *liveConsole) typeLine(line string) {
	c.t.Helper()
	if _, err := io.WriteString(c.in, line+"\n"); err != nil {
		c.t.Fatal(err)
	}
	c.waitPrompt()
}

func (c *liveConsole) screen() string {
	c.scr.mu.Lock()
	defer c.scr.mu.Unlock()
	return escapes.ReplaceAllString(c.scr.buf.String(), "")
}

// TestDraftAcceptedAfterAnotherWindowSwitchedPlans: ana asks for a draft
// of Fernhill's open question in one window; before she says y (or e and
// her version), a second window on the same file starts the plan Other,
// which becomes the terminal's current plan. The answer is saved to
// Fernhill, whose question the draft was written for, and Other is left
// unanswered; so is the line ana types next, to Fernhill's next question.
func TestDraftAcceptedAfterAnotherWindowSwitchedPlans(t *testing.T) {
	const drafted = "We roast single-origin beans for home brewers."
	second := flows.RACE().Stages[0].Steps()[1].ID
	for _, tc := range acceptances(drafted) {
		t.Run(tc.name, func(t *testing.T) {
			a, b, path := draftingBeside(t, drafted)
			b.typeLine("new Other")
			b.typeLine("yes")
			for _, line := range tc.lines {
				a.typeLine(line)
			}
			// The line after the draft answers Fernhill's next question,
			// the one ana's window showed once the draft was saved.
			const next = "Home brewers who want fresh beans."
			a.typeLine(next)

			db, err := storage.Open(context.Background(), path)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			ctx := context.Background()
			for name, want := range map[string]string{"Fernhill": tc.want, "Other": ""} {
				p, err := db.PlanByName(ctx, terminal.Team, terminal.Channel, name)
				if err != nil {
					t.Fatal(err)
				}
				if got := p.Answers[flows.QuestionBusiness].Text; got != want {
					t.Errorf("%s's first answer = %q, want %q\nana's window:\n%s", name, got, want, a.screen())
				}
				wantNext := ""
				if name == "Fernhill" {
					wantNext = next
				}
				if got := p.Answers[second].Text; got != wantNext {
					t.Errorf("%s's %s = %q, want %q\nana's window:\n%s", name, second, got, wantNext, a.screen())
				}
			}
		})
	}
}

// TestDraftAcceptedAfterAnotherWindowDeletedItsPlan: ana asks for a draft
// of Fernhill's open question; before she says y, a second window on the
// same file deletes Fernhill. She is told the plan was deleted and her
// draft not saved, not that something went wrong.
func TestDraftAcceptedAfterAnotherWindowDeletedItsPlan(t *testing.T) {
	a, b, _ := draftingBeside(t, "We roast single-origin beans for home brewers.")
	b.typeLine("delete Fernhill")
	b.typeLine("yes")
	if !strings.Contains(b.screen(), "Deleted plan") {
		t.Fatalf("the plan was not deleted; ben's window:\n%s", b.screen())
	}
	before := len(a.screen())
	a.typeLine("y")
	said := a.screen()[before:]
	if strings.Contains(said, "went wrong") || !strings.Contains(said, "deleted") || !strings.Contains(said, "Nothing was saved") {
		t.Errorf("after y, ana's window says:\n%s\nwant that the plan was deleted", said)
	}
}

// draftingBeside opens two windows on one new file: in a, ana starts plan
// Fernhill and is offered the model's draft (drafted) of its first
// question; b is ben's window beside it.
func draftingBeside(t *testing.T, drafted string) (a, b *liveConsole, path string) {
	t.Helper()
	path = testdb.Path(t)
	a = openConsole(t, path, "ana", fakeModel(t, drafted))
	a.typeLine("new Fernhill")
	a.typeLine("draft")
	if !strings.Contains(a.screen(), "Use this draft?") {
		t.Fatalf("no draft offered:\n%s", a.screen())
	}
	return a, openConsole(t, path, "ben", nil), path
}

// TestAnswerStaysWithItsWindowsPlan: ana answers Fernhill's questions in
// one window while ben, in a second window on the same file, starts or
// switches to Spring, which becomes the file's current plan. Ana's next
// answer still goes to Fernhill, the plan her window is on and whose
// question she saw; Spring gets none of it. A window opened after that
// opens on Spring, the last plan anyone used.
func TestAnswerStaysWithItsWindowsPlan(t *testing.T) {
	const answer = "We roast single-origin beans for home brewers."
	for _, tc := range []struct {
		name string
		// setup leaves ana's window (a) on Fernhill and ben's (b) beside it.
		setup func(a, b *liveConsole)
		// switchTo is what ben types to move to Spring.
		switchTo []string
	}{
		{"new", func(a, b *liveConsole) {}, []string{"new Spring", "yes"}},
		{"continue", func(a, b *liveConsole) {
			b.typeLine("new Spring")
			b.typeLine("yes")
			a.typeLine("continue Fernhill")
		}, []string{"continue Spring"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := testdb.Path(t)
			a := openConsole(t, path, "ana", nil)
			a.typeLine("new Fernhill")
			b := openConsole(t, path, "ben", nil)
			tc.setup(a, b)
			for _, line := range tc.switchTo {
				b.typeLine(line)
			}
			a.typeLine(answer)

			db, err := storage.Open(context.Background(), path)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			ctx := context.Background()
			for name, want := range map[string]string{"Fernhill": answer, "Spring": ""} {
				p, err := db.PlanByName(ctx, terminal.Team, terminal.Channel, name)
				if err != nil {
					t.Fatal(err)
				}
				if got := p.Answers[flows.QuestionBusiness].Text; got != want {
					t.Errorf("%s's first answer = %q, want %q\nana's window:\n%s", name, got, want, a.screen())
				}
			}
			if c := openConsole(t, path, "cem", nil); !strings.Contains(c.screen(), `Continuing "Spring"`) {
				t.Errorf("a new window did not open on Spring, the last plan used:\n%s", c.screen())
			}
		})
	}
}

// TestAnswerAfterAnotherWindowDeletedTheWindowsPlan: ana is on Fernhill;
// in a second window ben starts Spring and deletes Fernhill. Ana's next
// answer is met with one sentence saying her plan was deleted, and is
// saved nowhere: not to Spring, the file's current plan.
func TestAnswerAfterAnotherWindowDeletedTheWindowsPlan(t *testing.T) {
	path := testdb.Path(t)
	a := openConsole(t, path, "ana", nil)
	a.typeLine("new Fernhill")
	b := openConsole(t, path, "ben", nil)
	for _, line := range []string{"new Spring", "yes", "delete Fernhill", "yes"} {
		b.typeLine(line)
	}
	if !strings.Contains(b.screen(), `Deleted plan "Fernhill"`) {
		t.Fatalf("the plan was not deleted; ben's window:\n%s", b.screen())
	}
	before := len(a.screen())
	a.typeLine("We roast single-origin beans for home brewers.")
	said := strings.TrimSuffix(strings.TrimPrefix(a.screen()[before:], "> "), "> ")
	if lines := strings.Split(strings.TrimSpace(said), "\n"); len(lines) != 1 || !strings.Contains(said, `"Fernhill"`) || !strings.Contains(said, "deleted") || strings.Contains(said, "went wrong") {
		t.Errorf("after the answer, ana's window says:\n%s\nwant one sentence that Fernhill was deleted", said)
	}
	db, err := storage.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	p, err := db.PlanByName(context.Background(), terminal.Team, terminal.Channel, "Spring")
	if err != nil {
		t.Fatal(err)
	}
	for id, ans := range p.Answers {
		if ans.Text != "" {
			t.Errorf("Spring's %s = %q, want no answer", id, ans.Text)
		}
	}
}

// TestDraftAcceptedAfterAnotherWindowAnsweredAndWentBack: ana asks for a
// draft of Fernhill's first question; before she says y (or e and her
// version), ben, in a second window, answers that question and types
// back, so it is the open one again. Ben's answer, which ana's draft was
// not written over, keeps its words; the draft joins it, as it does in
// Slack.
func TestDraftAcceptedAfterAnotherWindowAnsweredAndWentBack(t *testing.T) {
	const drafted, bens = "We roast single-origin beans for home brewers.", "Handmade ceramic mugs."
	for _, tc := range acceptances(drafted) {
		t.Run(tc.name, func(t *testing.T) {
			a, b, path := draftingBeside(t, drafted)
			b.typeLine(bens)
			b.typeLine("back")
			for _, line := range tc.lines {
				a.typeLine(line)
			}
			db, err := storage.Open(context.Background(), path)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			p, err := db.PlanByName(context.Background(), terminal.Team, terminal.Channel, "Fernhill")
			if err != nil {
				t.Fatal(err)
			}
			got := []string{p.Answers[flows.QuestionBusiness].Text}
			for _, o := range p.Answers[flows.QuestionBusiness].Also {
				got = append(got, o.Text)
			}
			if all := strings.Join(got, " | "); !strings.Contains(all, bens) || !strings.Contains(all, tc.want) {
				t.Errorf("Fernhill's first answers = %q, want ben's and %q\nana's window:\n%s\nben's window:\n%s", all, tc.want, a.screen(), b.screen())
			}
		})
	}
}

// TestAnswerStaysWithThePlanAWindowOpenedBeforeFound: ana's window opens
// on a file with no plan yet; ben, in a second window, starts Spring and
// Fernhill and goes on with Fernhill, whose first question ana answers:
// her window shows Fernhill's next one. Her window is on Fernhill from
// then on: when ben continues Spring, ana's next answer still goes to
// Fernhill.
func TestAnswerStaysWithThePlanAWindowOpenedBeforeFound(t *testing.T) {
	const first, next = "We roast single-origin beans for home brewers.", "Beans at your door within 48 hours."
	second := flows.RACE().Stages[0].Steps()[1].ID
	path := testdb.Path(t)
	a := openConsole(t, path, "ana", nil)
	b := openConsole(t, path, "ben", nil)
	for _, line := range []string{"new Fernhill", "new Spring", "yes", "continue Fernhill"} {
		b.typeLine(line)
	}
	a.typeLine(first)
	b.typeLine("continue Spring")
	a.typeLine(next)

	db, err := storage.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	for name, want := range map[string][2]string{"Fernhill": {first, next}, "Spring": {"", ""}} {
		p, err := db.PlanByName(ctx, terminal.Team, terminal.Channel, name)
		if err != nil {
			t.Fatalf("%s: %v\nana's window:\n%s\nben's window:\n%s", name, err, a.screen(), b.screen())
		}
		if got := [2]string{p.Answers[flows.QuestionBusiness].Text, p.Answers[second].Text}; got != want {
			t.Errorf("%s's first two answers = %q, want %q\nana's window:\n%s", name, got, want, a.screen())
		}
	}
}

// acceptance is one way to take a draft in the terminal: the lines typed,
// and the answer they save.
type acceptance struct {
	name  string
	lines []string
	want  string
}

// acceptances are the two ways: y takes the draft as written, e and a
// line of one's own takes that line.
func acceptances(drafted string) []acceptance {
	return []acceptance{
		{"use", []string{"y"}, drafted},
		{"edit", []string{"e", "We roast beans to order."}, "We roast beans to order."},
	}
}

// TestPlansMarksTheWindowsPlan: ana is on Fernhill; in a second window
// ben starts Spring, the file's current plan now. `plans` in ana's window
// marks Fernhill, where her lines go; in ben's, Spring.
func TestPlansMarksTheWindowsPlan(t *testing.T) {
	path := testdb.Path(t)
	a := openConsole(t, path, "ana", nil)
	a.typeLine("new Fernhill")
	b := openConsole(t, path, "ben", nil)
	b.typeLine("new Spring")
	b.typeLine("yes")
	for _, tc := range []struct {
		who    string
		c      *liveConsole
		marked string
	}{{"ana", a, "Fernhill"}, {"ben", b, "Spring"}} {
		before := len(tc.c.screen())
		tc.c.typeLine("plans")
		said := tc.c.screen()[before:]
		if !strings.Contains(said, "▸ "+tc.marked+" ") || strings.Count(said, "▸") != 1 {
			t.Errorf("plans in %s's window:\n%s\nwant %s marked, alone", tc.who, said, tc.marked)
		}
	}
}

// TestNewTypedBesideAnotherWindowsAnswer: ben answers Fernhill's first
// question in his window; ana, whose window still shows that question,
// types `new Spring`. The line is kept as her answer beside ben's, and,
// as for an answer of her own, she is offered the plan: her `yes` starts
// Spring and takes back her co-answer alone. Ben's answer stands, and
// Fernhill stays at the question his answer moved it to.
func TestNewTypedBesideAnotherWindowsAnswer(t *testing.T) {
	const answer = "We roast single-origin beans for home brewers."
	path := testdb.Path(t)
	a := openConsole(t, path, "ana", nil)
	a.typeLine("new Fernhill")
	b := openConsole(t, path, "ben", nil)
	b.typeLine(answer)

	before := len(a.screen())
	a.typeLine("new Spring")
	if said := a.screen()[before:]; !strings.Contains(said, "alongside ben's") || !strings.Contains(said, `Start a new plan called "Spring"?`) {
		t.Fatalf("after new Spring, ana's window says:\n%s\nwant it kept beside ben's answer, and Spring offered", said)
	}
	before = len(a.screen())
	a.typeLine("yes")
	if said := a.screen()[before:]; !strings.Contains(said, "Took back that answer") {
		t.Errorf("after yes, ana's window says:\n%s\nwant the answer taken back", said)
	}

	db, err := storage.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	if _, err := db.PlanByName(ctx, terminal.Team, terminal.Channel, "Spring"); err != nil {
		t.Fatalf("Spring: %v\nana's window:\n%s", err, a.screen())
	}
	p, err := db.PlanByName(ctx, terminal.Team, terminal.Channel, "Fernhill")
	if err != nil {
		t.Fatal(err)
	}
	if got := p.Answers[flows.QuestionBusiness]; got.Text != answer || got.By != "ben" || len(got.Also) != 0 {
		t.Errorf("Fernhill's first answer = %q by %s, co-answers %+v; want ben's alone", got.Text, got.By, got.Also)
	}
	if want := (flows.Cursor{Stage: 0, Step: 1, Phase: flows.PhaseQuestion}); p.Cursor != want {
		t.Errorf("Fernhill's cursor = %+v, want %+v, the question after ben's answer", p.Cursor, want)
	}
}
