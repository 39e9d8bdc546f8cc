package terminal_test

import (
	"bytes"
	"context"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/racebot/racebot/coach"
	"github.com/racebot/racebot/flows"
	"github.com/racebot/racebot/internal/testdb"
	"github.com/racebot/racebot/storage"
	"github.com/racebot/racebot/terminal"
)

// wait bounds every wait for the console; generous, as a -race run on a
// busy machine is slow.
const wait = 10 * time.Second

// output is the console's output, safe to read while it is written.
type output struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (o *output) Write(p []byte) (int, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.buf.Write(p)
}

func (o *output) String() string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.buf.String()
}

// waitFor polls the output until it contains text.
func (o *output) waitFor(t *testing.T, text string) {
	t.Helper()
	deadline := time.Now().Add(wait)
	for !strings.Contains(o.String(), text) {
		if time.Now().After(deadline) {
			t.Fatalf("the console never said %q:\n%s", text, o.String())
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// start runs a console on db that reads from a pipe nobody closes, as a
// person who has stopped typing.
func start(t *testing.T, ctx context.Context, db *storage.DB) (io.Writer, *output, <-chan error) {
	t.Helper()
	in, typing := io.Pipe()
	t.Cleanup(func() { typing.Close() })
	out := &output{}
	done := make(chan error, 1)
	go func() {
		done <- terminal.Run(ctx, terminal.Config{
			Service: coach.New(coach.Config{Catalogue: flows.RACE(), Store: db}),
			Dir:     t.TempDir(),
			User:    "ana",
			In:      in,
			Out:     out,
		})
	}()
	return typing, out, done
}

func returned(t *testing.T, done <-chan error) {
	t.Helper()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Run = %v, want nil", err)
		}
	case <-time.After(wait):
		t.Fatal("Run still waits for input after its context ended")
	}
}

// TestRunReturnsOnCancelWhileWaitingForInput: Ctrl-C or SIGTERM (the
// context ending) ends the conversation at once, although no more input
// comes and none ends; what was typed before is saved.
func TestRunReturnsOnCancelWhileWaitingForInput(t *testing.T) {
	db := testdb.Open(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	typing, out, done := start(t, ctx, db)
	io.WriteString(typing, "new Q1\n")
	out.waitFor(t, "What does the business sell")
	io.WriteString(typing, "We sell coffee.\n")
	out.waitFor(t, "value proposition")

	cancel()
	returned(t, done)
	p, err := db.PlanByName(context.Background(), terminal.Team, terminal.Channel, "Q1")
	if err != nil {
		t.Fatal(err)
	}
	if got := p.Answers[flows.QuestionBusiness].Text; got != "We sell coffee." {
		t.Errorf("answer = %q", got)
	}
}

// TestRunWithAnEndedContextReturns: a console started after the signal
// came returns without waiting for a line.
func TestRunWithAnEndedContextReturns(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, _, done := start(t, ctx, testdb.Open(t))
	returned(t, done)
}

// TestEndOfInputEndsTheConversation: a script piped in ends when its
// input does, every line handled.
func TestEndOfInputEndsTheConversation(t *testing.T) {
	db := testdb.Open(t)
	out := &output{}
	err := terminal.Run(context.Background(), terminal.Config{
		Service: coach.New(coach.Config{Catalogue: flows.RACE(), Store: db}),
		Dir:     t.TempDir(),
		User:    "ana",
		In:      strings.NewReader("new Q1\nWe sell coffee.\nstatus\n"),
		Out:     out,
	})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "1/10 answered") {
		t.Errorf("the last line was not handled:\n%s", out.String())
	}
}
