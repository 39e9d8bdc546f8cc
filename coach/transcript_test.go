package coach_test

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/racebot/racebot/coach"
	"github.com/racebot/racebot/flows"
	"github.com/racebot/racebot/internal/testdb"
)

var update = flag.Bool("update", false, "rewrite golden files in testdata")

// golden compares got with testdata/name, or rewrites it with -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./coach -update to create it)", err)
	}
	if diff := cmp.Diff(string(want), got); diff != "" {
		t.Errorf("%s differs (-want +got):\n%s", path, diff)
	}
}

// transcript plays scripted lines through a coach on a real database file
// and writes what was said as "> user" / "< bot" lines.
func transcript(t *testing.T, script []string) string {
	t.Helper()
	db := testdb.Open(t)
	svc := coach.New(coach.Config{Catalogue: flows.RACE(), Store: db})
	now := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	var b strings.Builder
	for _, line := range script {
		user, text, _ := strings.Cut(line, ": ")
		now = now.Add(time.Minute)
		fmt.Fprintf(&b, "> %s: %s\n", user, text)
		resp, err := svc.Handle(context.Background(), coach.Request{Team: "T1", Channel: "C1", User: user, Text: text, Now: now})
		if err != nil {
			fmt.Fprintf(&b, "< (error) %s\n", flows.Explain(err))
			continue
		}
		for _, r := range resp.Replies {
			text := r.Msg.String()
			if r.Kind == flows.ReplyExport {
				text = r.Markdown
			}
			fmt.Fprintf(&b, "< %s\n", strings.ReplaceAll(text, "\n", "\n  "))
		}
		if resp.Draft != nil {
			fmt.Fprintf(&b, "< (draft) %s\n", strings.ReplaceAll(flows.OfflineDraft(svc.Catalogue(), resp.Plan, resp.Draft.QuestionID).String(), "\n", "\n  "))
		}
	}
	return b.String()
}

// wholePlan answers every question of every stage, using each stage's own
// worked examples, with a skip, a back, an edit, a draft and actions on the way.
func wholePlan(cat *flows.Catalogue) []string {
	script := []string{"ana: /race new Q1 Launch"}
	for si, st := range cat.Stages {
		for qi, q := range st.Steps() {
			switch {
			case si == 1 && qi == 1:
				script = append(script, "ben: skip")
			case si == 1 && qi == 2:
				script = append(script, "ben: back", "ben: "+st.Steps()[qi-1].Example, "ben: "+q.Example)
			case si == 2 && qi == 0:
				script = append(script, "ana: draft", "ana: "+q.Example)
			default:
				script = append(script, "ana: "+q.Example)
			}
		}
		script = append(script, "priya: "+st.WrapUp.Action.Example, "ana: done")
		if len(st.KPIs) > 0 {
			script = append(script, kpiLines[st.ID]...)
			script = append(script, "ana: done")
		}
	}
	return append(script,
		"ana: edit plan 1",
		"ana: Fernhill Coffee roasts speciality coffee and sells subscriptions online.",
		"ana: status",
		"ben: /race values visitors 9.1k, lead rate 1.8%, revenue $5,600, leads twelve",
		"ben: /race values",
		"ana: status",
		"ana: funnel",
		"ana: export",
	)
}

// kpiLines set each stage's KPIs, with one target the coach must refuse.
var kpiLines = map[flows.StageID][]string{
	flows.StageReach: {
		"ana: visitors | baseline 8k | target 20k | by 2027-03-31",
		"ana: visitors | baseline 8k | target 20k | by 2027-03-31 | owner Ana",
	},
	flows.StageAct: {"priya: lead-rate | baseline 1.5% | target 2.5% | by 2027-03-31 | owner Priya"},
	flows.StageConvert: {
		"ben: sales-rate | baseline 15% | target 20% | by 2027-03-31 | owner Ben",
		"ben: aov | baseline $28 | target $30 | by 2027-03-31 | owner Ben",
		"ben: revenue | baseline $5,000 | target $9,000 | by 2027-03-31 | owner Ben",
	},
	flows.StageEngage: {"ana: repeat-rate | baseline 40% | target 50% | by 2027-06-30 | owner Ana"},
}

func TestTranscriptWholePlan(t *testing.T) {
	golden(t, "whole-plan.transcript", transcript(t, wholePlan(flows.RACE())))
}

func TestTranscriptBadInput(t *testing.T) {
	golden(t, "bad-input.transcript", transcript(t, []string{
		"ana: hello",
		"ana: /race frobnicate",
		"ana: /race new",
		"ana: /race new Q1 Launch",
		"ana: /race new q1 launch",
		"ana: ",
		"ana: /race stage Retain",
		"ana: back",
		"ana: /race continue Q9",
		"ana: /race delete Q9",
		"ana: /race delete Q1 Launch",
		"ana: plans",
		"ana: /race delete Q1 Launch --yes",
		"ana: status",
	}))
}
