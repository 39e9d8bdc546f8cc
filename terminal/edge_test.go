package terminal_test

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/racebot/racebot/assist"
	"github.com/racebot/racebot/coach"
	"github.com/racebot/racebot/flows"
	"github.com/racebot/racebot/internal/openaifake"
	"github.com/racebot/racebot/internal/testdb"
	"github.com/racebot/racebot/prompts"
	"github.com/racebot/racebot/storage"
	"github.com/racebot/racebot/terminal"
)

// piped runs the terminal coach on a fresh database with input piped in
// at once, as `racebot < file` does, and returns what it wrote.
func piped(t *testing.T, input string) (string, *storage.DB) {
	t.Helper()
	return pipedWith(t, input, nil)
}

// pipedWith is piped with a language model behind the assistant.
func pipedWith(t *testing.T, input string, model assist.Model) (string, *storage.DB) {
	t.Helper()
	cfg, db := consoleConfig(t, testdb.Path(t), "ana", model)
	var out bytes.Buffer
	cfg.In, cfg.Out = strings.NewReader(input), &out
	if err := terminal.Run(context.Background(), cfg); err != nil {
		t.Fatalf("run: %v", err)
	}
	return out.String(), db
}

// consoleConfig is the terminal coach of user on the database file at
// path (opened here, closed when the test ends), with model behind its
// assistant and a clock that moves a minute each time it is read; the
// caller sets its input and output.
func consoleConfig(t *testing.T, path, user string, model assist.Model) (terminal.Config, *storage.DB) {
	t.Helper()
	db, err := storage.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	cat := flows.RACE()
	helper, err := assist.New(cat, model, nil)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	return terminal.Config{
		Service: coach.New(coach.Config{Catalogue: cat, Store: db}), Assistant: helper,
		Dir: filepath.Dir(path), User: user,
		Now: func() time.Time { now = now.Add(time.Minute); return now },
	}, db
}

// TestLineTooLong: a line past the 1 MiB limit is refused with a sentence
// and nothing of it is saved; the lines after it are read as usual. A
// bufio.Scanner once stopped the whole session there.
func TestLineTooLong(t *testing.T) {
	long := "Our business " + strings.Repeat("x", 1<<20)
	input := "new Fernhill\n" + long + "\r\n" + "Coffee beans by subscription.\nstatus\n"
	out, db := piped(t, input)
	if !strings.Contains(out, "That line is longer than 1 MiB, so I left it out and saved nothing.") {
		t.Errorf("no refusal of the long line in:\n%s", out)
	}
	if strings.Contains(out, "xxxxxxxx") {
		t.Error("the long line was echoed or stored")
	}
	p, err := db.PlanByName(context.Background(), terminal.Team, terminal.Channel, "Fernhill")
	if err != nil {
		t.Fatal(err)
	}
	if got := p.Answers[flows.QuestionBusiness].Text; got != "Coffee beans by subscription." {
		t.Errorf("first answer = %q, want the line after the long one", got)
	}
	if !strings.Contains(out, "Fernhill — Plan: question 2 of") {
		t.Errorf("status after the long line is missing:\n%s", out)
	}

	// A line of exactly the limit is still read.
	limit := strings.Repeat("y", 1<<20)
	out, db = piped(t, "new Edge\n"+limit)
	if strings.Contains(out, "longer than") {
		t.Errorf("a line of exactly 1 MiB, without a final line end, was refused")
	}
	p, err = db.PlanByName(context.Background(), terminal.Team, terminal.Channel, "Edge")
	if err != nil {
		t.Fatal(err)
	}
	if got := len(p.Answers[flows.QuestionBusiness].Text); got != 1<<20 {
		t.Errorf("the 1 MiB answer was stored as %d bytes", got)
	}
}

// TestControlCharactersNeverReachTheTerminal: control characters typed
// into a plan, or written by a model, are never sent to the terminal as
// they are, wherever the console prints them: replies, drafts, status and
// the export. Typed ones are dropped when stored; what is left (a model's
// escape sequences, a bidirectional override) is shown escaped.
func TestControlCharactersNeverReachTheTerminal(t *testing.T) {
	model := fakeModel(t, "Fresh \x1b[2Jbeans\x07 \u009b31mdaily\u202e")
	input := "new Q1\x1b[2J\u202e\n" +
		"Beans\x1b]0;owned\x07 and \u009b31m cups\u202e\n" +
		"draft\nn\nstatus\nexport\n"
	out, _ := pipedWith(t, input, model)
	for _, r := range out {
		if (r < 0x20 && r != '\n' && r != '\t') || (r >= 0x7f && r <= 0x9f) || (r >= 0x202a && r <= 0x202e) {
			t.Errorf("the console wrote the control character %U", r)
		}
	}
	for _, want := range []string{
		// Typed: the escapes were dropped when stored; the override is
		// shown, not obeyed, and the export leaves it out.
		"Q1[2J\\u202e — Plan",
		"\n# Q1[2J\n",
		"> Beans]0;owned and 31m cups\n",
		"Draft:\nFresh ^[[2Jbeans^G \\u009b31mdaily\\u202e",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q, the escaped text:\n%s", want, out)
		}
	}
}

// TestExportCarriesCapabilityAndReview: what the service keeps (the
// capability ratings) and what the console showed (the latest review) are
// in the export's summary and after it.
func TestExportCarriesCapabilityAndReview(t *testing.T) {
	out, _ := piped(t, "new Fernhill\nWe roast coffee for home brewers.\n"+
		"score 2 2 1 2 1\nscore plan 3, reach 2, act 2, convert 2, engage 3\nreview\nexport\n")
	_, export, ok := strings.Cut(out, "# Fernhill\n")
	if !ok {
		t.Fatalf("no export in:\n%s", out)
	}
	for _, want := range []string{
		"**Capability** (1–5), 23 Nov 2026 → 23 Nov 2026: Plan 2 → 3, Reach 2 → 2, Act 1 → 2, Convert 2 → 2, Engage 1 → 3.",
		"\n## Latest review\n\n_Made on 23 November 2026 for ana._\n\n> Review of Fernhill (built-in checks)\n",
	} {
		if !strings.Contains(export, want) {
			t.Errorf("export lacks %q:\n%s", want, export)
		}
	}
}

// TestReviewIsKeptForItsPlanOnly: a review shown on the console is stored
// as its plan's latest, for exports made later or elsewhere; an export of
// another plan in the same session leaves it out.
func TestReviewIsKeptForItsPlanOnly(t *testing.T) {
	out, db := piped(t, "new Fernhill\nWe roast coffee for home brewers.\nreview\n"+
		"new Other\nyes\nWe sell tea.\nexport\ncontinue Fernhill\nexport\n")
	_, other, ok := strings.Cut(out, "# Other\n\nA RACE plan")
	if !ok {
		t.Fatalf("no export of Other in:\n%s", out)
	}
	other, fernhill, ok := strings.Cut(other, "# Fernhill\n\nA RACE plan")
	if !ok {
		t.Fatalf("no export of Fernhill after Other's in:\n%s", out)
	}
	if strings.Contains(other, "Latest review") || strings.Contains(other, "Review of Fernhill") {
		t.Errorf("the export of Other shows Fernhill's review:\n%s", other)
	}
	if want := "\n## Latest review\n\n_Made on 23 November 2026 for ana._\n\n> Review of Fernhill (built-in checks)\n"; !strings.Contains(fernhill, want) {
		t.Errorf("the export of Fernhill lacks %q:\n%s", want, fernhill)
	}

	ctx := context.Background()
	p, err := db.PlanByName(ctx, terminal.Team, terminal.Channel, "Fernhill")
	if err != nil {
		t.Fatal(err)
	}
	r, ok, err := db.LatestReview(ctx, terminal.Team, p.ID)
	if err != nil || !ok {
		t.Fatalf("the review was not kept: %v %v", ok, err)
	}
	if r.By != "ana" || r.FromModel || !strings.HasPrefix(r.Text, "Review of Fernhill (built-in checks)") {
		t.Errorf("kept review = %+v", r)
	}
	o, err := db.PlanByName(ctx, terminal.Team, terminal.Channel, "Other")
	if err != nil {
		t.Fatal(err)
	}
	if _, ok, err := db.LatestReview(ctx, terminal.Team, o.ID); ok || err != nil {
		t.Errorf("Other has a review: %v %v", ok, err)
	}
}

// fakeModel is a model served by the OpenAI-speaking fake, answering every
// request with reply.
func fakeModel(t *testing.T, reply string) assist.Model {
	t.Helper()
	llm := openaifake.New(t, reply)
	return prompts.NewClient(prompts.Config{BaseURL: llm.URL(), Model: "test-model", Timeout: 5 * time.Second, MaxRetries: -1}, nil)
}
