package terminal_test

import (
	"context"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/racebot/racebot/internal/testdb"
	"github.com/racebot/racebot/storage"
)

// openShared opens the database file at path as one more racebot process
// would: a handle with its own connections and plan cache.
func openShared(t *testing.T, path string) *storage.DB {
	t.Helper()
	db, err := storage.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// TestTwoTerminalsOnOneFileExportWhatBothTyped: two terminal coaches run
// on one database file, as two people at one plan would. What one of them
// typed is in the plan that the other then exports and reports on: an
// answer committed by another process is never left out of them.
func TestTwoTerminalsOnOneFileExportWhatBothTyped(t *testing.T) {
	path := testdb.Path(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()

	ana, anaOut, _ := start(t, ctx, openShared(t, path))
	io.WriteString(ana, "new Q1\n")
	anaOut.waitFor(t, "What does the business sell")
	io.WriteString(ana, "We sell coffee.\n")
	anaOut.waitFor(t, "value proposition")

	ben, benOut, _ := start(t, ctx, openShared(t, path))
	benOut.waitFor(t, "value proposition")
	io.WriteString(ben, "Fresh beans to offices every week.\n")
	benOut.waitFor(t, "question 3 of 10")

	mark := len(anaOut.String())
	io.WriteString(ana, "export\n")
	waitSince(t, anaOut, mark, "## Action plan")
	if export := anaOut.String()[mark:]; !strings.Contains(export, "Fresh beans to offices every week.") {
		t.Errorf("the export on Ana's terminal leaves out Ben's answer:\n%s", export)
	}

	mark = len(anaOut.String())
	io.WriteString(ana, "status\n")
	waitSince(t, anaOut, mark, "To raise it")
	io.WriteString(ben, "Small offices of ten to fifty people.\n")
	benOut.waitFor(t, "question 4 of 10")
	mark = len(anaOut.String())
	io.WriteString(ana, "status\n")
	waitSince(t, anaOut, mark, "To raise it")
	if status := anaOut.String()[mark:]; !strings.Contains(status, "3/10 answered") {
		t.Errorf("status on Ana's terminal does not count Ben's answers:\n%s", status)
	}
}

// waitSince polls the output until what was written past mark contains
// text, and returns that part.
func waitSince(t *testing.T, o *output, mark int, text string) string {
	t.Helper()
	deadline := time.Now().Add(wait)
	for {
		if got := o.String()[mark:]; strings.Contains(got, text) {
			return got
		}
		if time.Now().After(deadline) {
			t.Fatalf("the console never said %q:\n%s", text, o.String()[mark:])
		}
		time.Sleep(5 * time.Millisecond)
	}
}
