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
// unanswered.
func TestDraftAcceptedAfterAnotherWindowSwitchedPlans(t *testing.T) {
	const drafted = "We roast single-origin beans for home brewers."
	for _, tc := range []struct {
		name  string
		lines []string
		want  string
	}{
		{"use", []string{"y"}, drafted},
		{"edit", []string{"e", "We roast beans to order."}, "We roast beans to order."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a, b, path := draftingBeside(t, drafted)
			b.typeLine("new Other")
			b.typeLine("yes")
			for _, line := range tc.lines {
				a.typeLine(line)
			}

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
