package terminal_test

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/racebot/racebot/assist"
	"github.com/racebot/racebot/coach"
	"github.com/racebot/racebot/flows"
	"github.com/racebot/racebot/internal/testdb"
	"github.com/racebot/racebot/schedule"
	"github.com/racebot/racebot/storage"
	"github.com/racebot/racebot/terminal"
)

var update = flag.Bool("update", false, "rewrite golden files in testdata")

// screen is what a person at the terminal sees: the console's output and
// the lines they type, echoed. Each prompt the console writes lets the
// typist type the next line, so the two never interleave.
type screen struct {
	mu      sync.Mutex
	buf     bytes.Buffer
	prompts chan struct{}
}

func (s *screen) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if string(p) == "> " {
		s.prompts <- struct{}{}
	}
	return s.buf.Write(p)
}

// typist types one line each time the console prompts for one.
type typist struct {
	screen *screen
	lines  []string
	rest   []byte
}

func (t *typist) Read(p []byte) (int, error) {
	if len(t.rest) == 0 {
		if len(t.lines) == 0 {
			return 0, io.EOF
		}
		select {
		case <-t.screen.prompts:
		case <-time.After(time.Minute):
			return 0, io.ErrNoProgress
		}
		t.rest = []byte(t.lines[0] + "\n")
		t.lines = t.lines[1:]
		t.screen.mu.Lock()
		t.screen.buf.Write(t.rest)
		t.screen.mu.Unlock()
	}
	n := copy(p, t.rest)
	t.rest = t.rest[n:]
	return n, nil
}

var escapes = regexp.MustCompile("\x1b\\[[0-9;]*m")

// session runs the terminal coach on a fresh database with lines typed at
// it, and returns the screen without its bold and dim.
func session(t *testing.T, lines []string) (string, *storage.DB) {
	t.Helper()
	return sessionIn(t, filepath.Dir(testdb.Path(t)), lines)
}

// sessionIn is session on the database in dir, which an earlier session
// may have left there.
func sessionIn(t *testing.T, dir string, lines []string) (string, *storage.DB) {
	t.Helper()
	db, err := storage.Open(context.Background(), filepath.Join(dir, "racebot.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	cat := flows.RACE()
	helper, err := assist.New(cat, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	parse := func(spec string) error {
		_, err := schedule.Parse(spec, nil)
		return err
	}
	scr := &screen{prompts: make(chan struct{}, len(lines)+1)}
	now := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	err = terminal.Run(context.Background(), terminal.Config{
		Service:   coach.New(coach.Config{Catalogue: cat, Store: db, ParseSchedule: parse}),
		Assistant: helper,
		Dir:       dir,
		User:      "ana",
		In:        &typist{screen: scr, lines: lines},
		Out:       scr,
		Styled:    true,
		Now: func() time.Time {
			now = now.Add(time.Minute)
			return now
		},
	})
	if err != nil {
		t.Fatalf("run: %v", err)
	}
	scr.mu.Lock()
	defer scr.mu.Unlock()
	return escapes.ReplaceAllString(scr.buf.String(), ""), db
}

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./terminal -update to create it)", err)
	}
	if diff := cmp.Diff(string(want), got); diff != "" {
		t.Errorf("%s differs (-want +got):\n%s", path, diff)
	}
}

// sentences start with every command word and are answers to the open
// question (or, with scores, an action), one per line of the session.
var sentences = []string{
	"New clinic owners in the US, sold online.",
	"Help desks in hospitals are our second market.",
	"Plans start at $29 a month; clinics pay yearly.",
	"Continue growing the newsletter to 5,000 readers.",
	"Stage by stage onboarding is our strategy.",
	"Skip the middleman: we sell direct.",
	"Back to basics: one simple subscription.",
	"Done right, onboarding sells the upgrade.",
	"Next we open an office in Toronto.",
	"Draft a referral programme for existing clinics.",
	"Review sites outreach to 20 clinics | Ana | impact 4 | effort 2",
	"done",
	"Edit: we also sell onboarding workshops.",
	"Status quo is our biggest competitor.",
	"Export to Germany in 2027.",
	"Kpi dashboards for every clinic manager.",
	"Funnel visitors through the blog and webinars.",
	"Values matter most to our buyers.",
	"Report monthly to the board.",
	"Checkin every Monday is our ritual.",
	"Resume writing help for clinic staff | Ben | impact 3 | effort 2",
	"done",
	"done",
	"Schedule flexibility is why clinics choose us.",
	"Pause any time, that's our promise.",
	"Privacy matters to our customers.",
	"Delete the old funnel and start over.",
	"Review sites bring most of our traffic.",
	"yes",
}

func TestTerminalAnswersAreAnswers(t *testing.T) {
	lines := append([]string{"new Fernhill"}, sentences...)
	lines = append(lines,
		// Mid-question, `new <name>` is kept as the answer and offered; yes
		// takes the answer back and starts the plan.
		"new Q1 Launch",
		"yes",
		"plans",
		"continue Fernhill",
		"status",
		"export",
	)
	out, db := session(t, lines)
	golden(t, "answers.transcript", out)

	ctx := context.Background()
	p, err := db.PlanByName(ctx, terminal.Team, terminal.Channel, "Fernhill")
	if err != nil {
		t.Fatal(err)
	}
	stored := map[string]bool{}
	for _, a := range p.Answers {
		stored[a.Text] = true
	}
	for _, a := range p.Actions {
		stored[a.Text] = true
	}
	for _, s := range sentences {
		text, _, _ := strings.Cut(s, " | ")
		if s != "done" && !stored[text] {
			t.Errorf("%q was not stored as an answer", text)
		}
	}
	if _, err := db.PlanByName(ctx, terminal.Team, terminal.Channel, "Q1 Launch"); err != nil {
		t.Errorf("yes did not start Q1 Launch: %v", err)
	}
	if stored["new Q1 Launch"] {
		t.Error("the answer yes took back is still the current answer")
	}
	_, q, ok := p.Current(flows.RACE())
	if !ok {
		t.Fatalf("Fernhill is not at a question: %+v", p.Cursor)
	}
	revs, err := db.Revisions(ctx, terminal.Team, p.ID, q.ID)
	if err != nil || len(revs) != 2 || revs[0].Text != "new Q1 Launch" || revs[1].Text != "" {
		t.Errorf("revisions of %s = %+v, %v; want the withdrawn answer kept, then none", q.ID, revs, err)
	}
	if !strings.Contains(out, "New clinic owners in the US, sold online.") || strings.Contains(out, `Plan "clinic owners`) {
		t.Error("the first answer started a plan")
	}
}

// TestTerminalNewWhenNothingIsOpen: before any plan, and once a plan is
// complete, `new <name>` is a command at once.
func TestTerminalNewWhenNothingIsOpen(t *testing.T) {
	lines := []string{"New clinic owners"}
	for range 14 { // every stage: questions, actions, then KPIs where it has them
		lines = append(lines, "done")
	}
	out, db := session(t, append(lines, "new Second"))
	// Every stage was left with no answers, so the coach, through with
	// them, says what is left rather than calling the plan complete.
	if !strings.Contains(out, "You've been through every stage, but the plan isn't complete yet") {
		t.Fatalf("the coach did not get through every stage:\n%s", out)
	}
	for _, name := range []string{"clinic owners", "Second"} {
		if _, err := db.PlanByName(context.Background(), terminal.Team, terminal.Channel, name); err != nil {
			t.Errorf("plan %q was not started: %v\n%s", name, err, out)
		}
	}
	if strings.Contains(out, "Reply `yes`") {
		t.Errorf("an offer was made with nothing open:\n%s", out)
	}
}

// TestTerminalNewAtAStagesActions: at a stage's actions, where a line is
// an action or refused as one, `new <name>` is refused as an action and the
// plan offered; `yes` starts it.
func TestTerminalNewAtAStagesActions(t *testing.T) {
	out, db := session(t, []string{"new Q1 Launch", "done", "new Q2 Launch", "yes"})
	if !strings.Contains(out, "Or reply `yes` to start a new plan called \"Q2 Launch\".") {
		t.Errorf("no offer of the plan after the refused action line:\n%s", out)
	}
	if _, err := db.PlanByName(context.Background(), terminal.Team, terminal.Channel, "Q2 Launch"); err != nil {
		t.Errorf("yes did not start Q2 Launch: %v\n%s", err, out)
	}
	if strings.Contains(out, "Took back that answer") {
		t.Errorf("yes took back an answer that was never kept:\n%s", out)
	}
}

// TestTerminalKeepsWhatWasTyped: what is typed here is stored in Slack's
// encoding, like a reply in a Slack thread, and shown back exactly as it
// was typed; the same plan name reaches the same plan.
func TestTerminalKeepsWhatWasTyped(t *testing.T) {
	out, db := session(t, []string{"new R&D <3 & co", "We sell <b>tea</b> & cake, see <https://x.example|this>", "plans", "continue R&D <3 & co", "status", "edit plan 1"})
	ctx := context.Background()
	p, err := db.PlanByName(ctx, terminal.Team, terminal.Channel, "R&amp;D &lt;3 &amp; co")
	if err != nil {
		t.Fatalf("plan not stored in Slack's encoding: %v\n%s", err, out)
	}
	if got, want := p.Answers[flows.QuestionBusiness].Text, "We sell &lt;b&gt;tea&lt;/b&gt; &amp; cake, see &lt;https://x.example|this&gt;"; got != want {
		t.Errorf("stored answer = %q, want %q", got, want)
	}
	for _, want := range []string{`Continuing "R&D <3 & co"`, "R&D <3 & co —", "Current answer: We sell <b>tea</b> & cake, see <https://x.example|this>\n"} {
		if !strings.Contains(out, want) {
			t.Errorf("screen lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "&amp;") || strings.Contains(out, "&lt;") {
		t.Errorf("screen shows an entity:\n%s", out)
	}
}

// TestTerminalNewTypedAgainAtActionsStillTakesTheAnswerBack: `new Q2
// Launch` typed at a stage's last question is kept as its answer and the
// plan offered; typed again at the actions that follow, where it is
// refused, it must not replace that offer with one that forgets the
// answer: `yes` starts the plan and takes the answer back, as offered.
func TestTerminalNewTypedAgainAtActionsStillTakesTheAnswerBack(t *testing.T) {
	steps := flows.RACE().Stages[0].Steps()
	lines := []string{"new Q1 Launch"}
	for i := range len(steps) - 1 {
		lines = append(lines, fmt.Sprintf("Answer %d.", i+1))
	}
	lines = append(lines, "new Q2 Launch", "new Q2 Launch", "yes")
	out, db := session(t, lines)
	if _, err := db.PlanByName(context.Background(), terminal.Team, terminal.Channel, "Q2 Launch"); err != nil {
		t.Fatalf("yes did not start Q2 Launch: %v\n%s", err, out)
	}
	q1, err := db.PlanByName(context.Background(), terminal.Team, terminal.Channel, "Q1 Launch")
	if err != nil {
		t.Fatal(err)
	}
	last := steps[len(steps)-1].ID
	if got := q1.Answers[last].Text; strings.Contains(got, "Q2 Launch") {
		t.Errorf("Q1 Launch keeps %q as the answer to %s after yes took the offer:\n%s", got, last, out)
	}
}

// TestTerminalValuesItCannotReadAreExplained: `values` naming a KPI of the
// plan, typed while a question is open, is the command even when a value
// is ambiguous or of the wrong kind: the README promises a question back,
// not the line kept as the open question's answer.
func TestTerminalValuesItCannotReadAreExplained(t *testing.T) {
	out, db := session(t, []string{
		"new Fernhill", "stage reach", "done", "done",
		"visitors | baseline 8k | target 20k | by 2027-03-31 | owner Ana", "done",
		"values visitors 1,25",
		"values visitors 3.5%",
	})
	for _, want := range []string{`"1,25" is ambiguous`, `"3.5%" is a percentage`} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	p, err := db.PlanByName(context.Background(), terminal.Team, terminal.Channel, "Fernhill")
	if err != nil {
		t.Fatal(err)
	}
	for id, a := range p.Answers {
		if strings.HasPrefix(a.Text, "values") {
			t.Errorf("%q was kept as the answer to %s", a.Text, id)
		}
	}
}

// TestTerminalStatusSaysTheTargetsPeriod: a target set as 240k visitors a
// year is shown so in status, as "KPI set" said it, not as a bare 240k.
func TestTerminalStatusSaysTheTargetsPeriod(t *testing.T) {
	out, _ := session(t, []string{
		"new Fernhill", "stage reach", "done", "done",
		"visitors | baseline 96k | target 240k a year | by 2027-12-31 | owner Ana", "done",
		"status",
	})
	_, status, _ := strings.Cut(out, "Unique visitors: no values yet")
	if !strings.HasPrefix(status, " · target 240k a year by 31 Dec 2027") {
		t.Errorf("status shows the yearly target without its period:\n%s", out)
	}
}

// TestTerminalMistypedCommandIsSaidToBeAnAnswer: a command that does not
// read where it was typed is kept as the open question's answer, by the
// rule, and the confirmation says so and what the command needs; a
// sentence that starts with a command word is confirmed as usual.
func TestTerminalMistypedCommandIsSaidToBeAnAnswer(t *testing.T) {
	out, db := session(t, []string{
		"new Q1 Launch",
		"stage nowhere",
		"statu",
		"action done 1",
		"Stage one of our launch is the pilot.",
	})
	for _, want := range []string{
		"Saved as your answer. Is this B2B SaaS",
		"\nIf you meant the `stage` command, name a stage: plan, reach, act, convert or engage.\n",
		"> statu\nSaved as your answer.\nIf you meant the `status` command, type `status` on its own.\n",
		"> action done 1\nSaved as your answer.\nIf you meant the `action` command, the plan has no actions yet to mark.\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("the session never says %q:\n%s", want, out)
		}
	}
	if n := strings.Count(out, "If you meant"); n != 3 {
		t.Errorf("%d hints, want 3 (none for the sentence):\n%s", n, out)
	}
	p, err := db.PlanByName(context.Background(), terminal.Team, terminal.Channel, "Q1 Launch")
	if err != nil {
		t.Fatal(err)
	}
	if got := len(p.Answers); got != 4 {
		t.Errorf("%d answers, want all four lines kept", got)
	}
}
