package flows

import (
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
)

func TestRACEBuilds(t *testing.T) {
	if _, err := NewCatalogue(raceStages()); err != nil {
		t.Fatalf("NewCatalogue(raceStages()) = %v", err)
	}
	if RACE() == nil {
		t.Fatal("RACE() = nil")
	}
}

func TestRACEStages(t *testing.T) {
	c := RACE()
	var ids []StageID
	for _, st := range c.Stages {
		ids = append(ids, st.ID)
	}
	want := []StageID{StagePlan, StageReach, StageAct, StageConvert, StageEngage}
	if diff := cmp.Diff(want, ids); diff != "" {
		t.Errorf("stage IDs (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"Plan", "Reach", "Act", "Convert", "Engage"}, c.StageNames()); diff != "" {
		t.Errorf("stage names (-want +got):\n%s", diff)
	}
	for _, st := range c.Stages {
		if strings.TrimSpace(st.Purpose) == "" {
			t.Errorf("stage %s has no purpose", st.ID)
		}
		if n := len(st.Questions); n < 5 {
			t.Errorf("stage %s has %d guiding questions, want at least 5", st.ID, n)
		}
	}
}

// allQuestions lists every question of a stage, the Action step included,
// which Stage.Steps leaves out.
func allQuestions(st Stage) []Question {
	return append(st.Steps(), st.WrapUp.Action)
}

func TestRACEQuestionContent(t *testing.T) {
	slug := regexp.MustCompile(`^([a-z]+)\.[a-z0-9]+(-[a-z0-9]+)*$`)
	seen := make(map[string]bool)
	for _, st := range RACE().Stages {
		for _, q := range allQuestions(st) {
			m := slug.FindStringSubmatch(q.ID)
			switch {
			case m == nil:
				t.Errorf("question id %q is not <stage>.<slug>", q.ID)
			case m[1] != string(st.ID):
				t.Errorf("question id %q sits in stage %s", q.ID, st.ID)
			}
			if seen[q.ID] {
				t.Errorf("question id %q used twice", q.ID)
			}
			seen[q.ID] = true
			checkText(t, q.ID, "Text", q.Text)
			checkText(t, q.ID, "Hint", q.Hint)
			checkText(t, q.ID, "Example", q.Example)
			// The question is asked in a chat thread, so it must read at a glance.
			if n := utf8.RuneCountInString(q.Text); n > 140 {
				t.Errorf("%s: Text is %d characters, want at most 140", q.ID, n)
			}
			if strings.Contains(q.Text, "\n") {
				t.Errorf("%s: Text spans several lines", q.ID)
			}
		}
	}
}

func checkText(tb testing.TB, id, field, s string) {
	tb.Helper()
	if strings.TrimSpace(s) == "" {
		tb.Errorf("%s: %s is empty", id, field)
		return
	}
	if s != strings.TrimSpace(s) {
		tb.Errorf("%s: %s has leading or trailing space", id, field)
	}
}

func TestRACEWrapUpIDs(t *testing.T) {
	for _, st := range RACE().Stages {
		got := []string{st.WrapUp.Opportunity.ID, st.WrapUp.Strategy.ID, st.WrapUp.Action.ID}
		want := []string{string(st.ID) + ".opportunity", string(st.ID) + ".strategy", string(st.ID) + ".action"}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("stage %s wrap-up IDs (-want +got):\n%s", st.ID, diff)
		}
	}
}

// Drafting uses these two answers as context, so other code refers to them
// by ID; the business comes first so it is asked before anything else.
func TestRACEWellKnownQuestions(t *testing.T) {
	c := RACE()
	if got := c.Stages[0].Questions[0].ID; got != "plan.business" {
		t.Errorf("first question = %q, want plan.business", got)
	}
	for _, id := range []string{"plan.business", "plan.value-proposition"} {
		_, stage, _, ok := c.Question(id)
		if !ok {
			t.Errorf("Question(%q) not found", id)
			continue
		}
		if got := c.Stages[stage].ID; got != StagePlan {
			t.Errorf("Question(%q) is in stage %s, want plan", id, got)
		}
	}
}

func TestRACEKPIs(t *testing.T) {
	tests := []struct {
		id     string
		stage  StageID
		unit   UnitKind
		higher bool
	}{
		{"visitors", StageReach, UnitCount, true},
		{"value-per-visit", StageReach, UnitCurrency, true},
		{"followers", StageReach, UnitCount, true},
		{"shares", StageReach, UnitCount, true},
		{"lead-rate", StageAct, UnitPercent, true},
		{"leads", StageAct, UnitCount, true},
		{"time-on-site", StageAct, UnitDuration, true},
		{"engagement-actions", StageAct, UnitCount, true},
		{"bounce-rate", StageAct, UnitPercent, false},
		{"pages-per-visit", StageAct, UnitRatio, true},
		{"product-page-conversion", StageAct, UnitPercent, true},
		{"sales", StageConvert, UnitCount, true},
		{"revenue", StageConvert, UnitCurrency, true},
		{"profit", StageConvert, UnitCurrency, true},
		{"aov", StageConvert, UnitCurrency, true},
		{"sales-rate", StageConvert, UnitPercent, true},
		{"visitor-to-buyer", StageConvert, UnitPercent, true},
		{"repeat-rate", StageEngage, UnitPercent, true},
		{"clv", StageEngage, UnitCurrency, true},
		{"satisfaction", StageEngage, UnitRatio, true},
		{"referrals", StageEngage, UnitCount, true},
		{"repeat-visitors", StageEngage, UnitCount, true},
		{"mentions", StageEngage, UnitCount, true},
	}
	c := RACE()
	for _, tt := range tests {
		t.Run(tt.id, func(t *testing.T) {
			k, ok := c.KPI(tt.id)
			if !ok {
				t.Fatalf("KPI(%q) not found", tt.id)
			}
			got := []any{k.Stage, k.Unit, k.HigherIsBetter}
			want := []any{tt.stage, tt.unit, tt.higher}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("KPI(%q) stage, unit, higher-is-better (-want +got):\n%s", tt.id, diff)
			}
		})
	}
}

func TestRACEKPIDefinitions(t *testing.T) {
	units := map[UnitKind]bool{UnitCount: true, UnitCurrency: true, UnitPercent: true, UnitDuration: true, UnitRatio: true}
	for _, st := range RACE().Stages {
		for _, k := range st.KPIs {
			if k.Stage != st.ID {
				t.Errorf("KPI %q says stage %s but sits in %s", k.ID, k.Stage, st.ID)
			}
			if !units[k.Unit] {
				t.Errorf("KPI %q has unknown unit %q", k.ID, k.Unit)
			}
			checkText(t, k.ID, "Name", k.Name)
			checkText(t, k.ID, "Measures", k.Measures)
		}
	}
	// The funnel check multiplies by the sales rate, which only works if it
	// is defined per lead, not per visitor; the text must say so.
	k, _ := RACE().KPI("sales-rate")
	if !strings.Contains(k.Measures, "leads") {
		t.Errorf("sales-rate Measures = %q, want it defined as a share of leads", k.Measures)
	}
}

// The Action examples are what "Use this" would send back, so each must be a
// full line in the format the coach asks for and must parse into the action
// it describes.
func TestRACEActionExamples(t *testing.T) {
	now := time.Date(2027, 1, 1, 9, 0, 0, 0, time.UTC)
	for _, st := range RACE().Stages {
		q := st.WrapUp.Action
		for line := range strings.Lines(q.Example) {
			line = strings.TrimSpace(line)
			f := strings.Split(line, " | ")
			if len(f) != 5 {
				t.Errorf("%s: example line %q has %d fields, want what | owner | date | impact | effort", q.ID, line, len(f))
				continue
			}
			due, err := time.Parse(time.DateOnly, f[2])
			if err != nil {
				t.Errorf("%s: example due date: %v", q.ID, err)
			}
			impact, _ := strconv.Atoi(strings.TrimPrefix(f[3], "impact "))
			effort, _ := strconv.Atoi(strings.TrimPrefix(f[4], "effort "))
			want := Action{Text: f[0], Owner: f[1], Due: due, Impact: impact, Effort: effort}
			got, err := ParseAction(line, now)
			if err != nil {
				t.Errorf("%s: ParseAction(%q) = %v", q.ID, line, err)
				continue
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("%s: ParseAction(%q) (-want +got):\n%s", q.ID, line, diff)
			}
		}
	}
}

func TestRACEReturnsFreshCopies(t *testing.T) {
	a := RACE()
	a.Stages[0].Name = "changed"
	a.Stages[1].Questions[0].Text = "changed"
	b := RACE()
	if b.Stages[0].Name != "Plan" || b.Stages[1].Questions[0].Text == "changed" {
		t.Error("changing one RACE() catalogue changed another")
	}
}
