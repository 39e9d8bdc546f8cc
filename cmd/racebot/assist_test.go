package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/racebot/racebot/flows"
	"github.com/racebot/racebot/internal/openaifake"
	"github.com/racebot/racebot/storage"
	"github.com/racebot/racebot/terminal"
)

// runScript runs the terminal coach in-process on a fresh database.
func runScript(t *testing.T, env map[string]string, script ...string) (string, string) {
	t.Helper()
	db := filepath.Join(t.TempDir(), "r.db")
	getenv := func(k string) string {
		if k == "RACEBOT_DB" {
			return db
		}
		return env[k]
	}
	var out, errb bytes.Buffer
	if err := run(context.Background(), nil, getenv, strings.NewReader(strings.Join(script, "\n")+"\n"), &out, &errb); err != nil {
		t.Fatalf("run: %v\n%s", err, errb.String())
	}
	return out.String(), db
}

func TestTerminalDraftYesEditNo(t *testing.T) {
	t.Parallel()
	llm := openaifake.New(t, "Beans roasted to order, at your door within 48 hours. @here")
	env := map[string]string{"OPENAI_BASE_URL": llm.URL(), "OPENAI_MODEL": "test-model"}
	out, path := runScript(t, env,
		"new Q1", "We roast coffee.",
		"draft", "y", // value proposition: the draft as it is
		"draft", "e", "Our own words about segments.", // segments: edited first
		"draft", "n", // persona: discarded
		"status",
	)
	for _, want := range []string{"Use this draft? y = save it", "Saved the draft as the answer", "Type your version", "Draft discarded", "Plan     3/10 answered"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "@here") {
		t.Error("a mention from the model reached the terminal")
	}
	db, err := storage.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	p, err := db.PlanByName(context.Background(), terminal.Team, terminal.Channel, "Q1")
	if err != nil {
		t.Fatal(err)
	}
	vp := p.Answers[flows.QuestionValueProposition]
	if !vp.Drafted || !strings.HasPrefix(vp.Text, "Beans roasted to order") {
		t.Errorf("accepted draft = %+v", vp)
	}
	seg := p.Answers["plan.segments"]
	if seg.Drafted || seg.Text != "Our own words about segments." {
		t.Errorf("edited draft = %+v", seg)
	}
	if n := len(llm.Requests()); n != 3 {
		t.Errorf("model requests = %d, want 3", n)
	}
}

func TestTerminalPrivacyAndOfflineReview(t *testing.T) {
	t.Parallel()
	llm := openaifake.New(t, "should never be asked")
	out, _ := runScript(t, map[string]string{"OPENAI_BASE_URL": llm.URL()},
		"new Q1", "privacy on", "We roast coffee.", "draft", "review", "/race privacy maybe")
	if n := len(llm.Requests()); n != 0 {
		t.Fatalf("%d requests reached the model with privacy on", n)
	}
	for _, want := range []string{"Privacy is on", "its text never goes to the AI model", "A head start for", "Review of Q1* (built-in checks)", "Write `privacy on`"} {
		if !strings.Contains(out, strings.ReplaceAll(want, "*", "")) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

func TestTerminalValuesAndReportChart(t *testing.T) {
	t.Parallel()
	out, db := runScript(t, nil,
		"new Launch Plan", "stage reach", "done", "done",
		"visitors | baseline 8k | target 20k | by 2030-03-31 | owner Ana",
		"values visitors 9.1k",
		"report", "checkin every monday 09:00 Europe/Berlin")
	want := filepath.Join(filepath.Dir(db), "launch-plan-kpis.png")
	for _, s := range []string{"KPI set: Unique visitors", "Recorded: Unique visitors 9,100.", "Chart written to " + want, "Scheduled check-ins run where racebot is connected to Slack"} {
		if !strings.Contains(out, s) {
			t.Errorf("output lacks %q:\n%s", s, out)
		}
	}
	png, err := os.ReadFile(want)
	if err != nil || !bytes.HasPrefix(png, []byte("\x89PNG")) {
		t.Errorf("chart file: %v, %d bytes", err, len(png))
	}
}
