package flows

import (
	"slices"
	"strings"
	"testing"
	"time"
)

func TestCommandHint(t *testing.T) {
	lc := LineContext{Catalogue: RACE(), Open: true}
	for _, tc := range []struct {
		line string
		want string // "" for no hint
	}{
		{"stage nowhere", "If you meant the `stage` command, name a stage: plan, reach, act, convert or engage."},
		{"Stage nowhere", ""},
		// Phones capitalise a line's first word: a command word so written
		// is the command when what follows is unmistakably a try at it.
		{"Stage reech", "If you meant the `stage` command, name a stage: plan, reach, act, convert or engage."},
		{"Action done 1", "If you meant the `action` command, the plan has no actions yet to mark."},
		{"Values visitors 12k", "If you meant the `values` command, the plan needs KPIs first; `kpi` sets them."},
		{"Edit reach", "If you meant the `edit` command, name a stage and a question's number, as in `edit reach 2`."},
		{"Edit 3", "If you meant the `edit` command, name a stage and a question's number, as in `edit reach 2`."},
		{"Edit reech 2", "If you meant the `edit` command, name a stage and a question's number, as in `edit reach 2`."},
		{"Kind saes", "If you meant the `kind` command, name one: saas, ecommerce, local, agency or nonprofit."},
		{"STAGE reech", ""},
		{"action done 1", "If you meant the `action` command, the plan has no actions yet to mark."},
		{"statu", "If you meant the `status` command, type `status` on its own."},
		{"stge reach", "If you meant the `stage` command, name a stage: plan, reach, act, convert or engage."},
		{"values visitors 12k", "If you meant the `values` command, the plan needs KPIs first; `kpi` sets them."},
		{"privacy of", "If you meant the `privacy` command, add `on` or `off`."},
		{"remind yes", "If you meant the `remind` command, add `on` or `off`."},
		{"help kpis", "If you meant the `help` command, type `help` alone, or `help kpi` or `help actions`."},
		{"edit reach", "If you meant the `edit` command, name a stage and a question's number, as in `edit reach 2`."},
		{"score plan 3", "If you meant the `score` command, rate every stage from 1 to 5, as in `score plan 3, reach 2, act 3, convert 2, engage 4`."},
		{"checkin weekly", "If you meant the `checkin` command, check-ins are not available here."},
		{"actons", "If you meant the `actions` command, type `actions` on its own."},
		// Sentences that start with a command word are answers.
		{"Stage one of our launch is the pilot.", ""},
		{"Stage one is the pilot", ""},
		{"stage nowhere.", ""},
		{"Status quo", ""},
		{"status quo", ""},
		{"Statu", ""},
		// Everyday words near the step words, and short words.
		{"none", ""},
		{"note", ""},
		{"ship", ""},
		{"statu quo", ""},
		{"new shop", ""},
		{"stage\nnowhere", ""},
		{"coffee", ""},
	} {
		msg, ok := CommandHint(tc.line, lc)
		if got := msg.String(); ok != (tc.want != "") || got != tc.want {
			t.Errorf("CommandHint(%q) = %q, %v; want %q", tc.line, got, ok, tc.want)
		}
	}
}

func TestMoreWordsThan(t *testing.T) {
	for _, c := range []struct {
		s    string
		n    int
		want bool
	}{{"stage nowhere", 4, false}, {"a b c d", 4, false}, {"a b c d e", 4, true}, {"  a\tb  c \u00a0 d  ", 4, false}, {"one", 0, true}, {"", 0, false}} {
		if got := moreWordsThan(c.s, c.n); got != c.want {
			t.Errorf("moreWordsThan(%q, %d) = %t, want %t", c.s, c.n, got, c.want)
		}
	}
}

// TestCommandHintLeavesRealAnswersAlone: short answers a team gives to
// the RACE questions, many starting with a command word or one letter
// from one, get no hint: a hint on a real answer is noise.
func TestCommandHintLeavesRealAnswersAlone(t *testing.T) {
	lc := LineContext{Catalogue: RACE(), Open: true}
	for _, line := range []string{
		"Stage 2 rollout", "Action plan pending", "Score high", "Edit later", "Kind of both",
		"Help desk", "Privacy first", "Remind sales", "Checkin weekly", "Values: trust, speed",
		"Delete old posts", "Continue blog series", "Kpi dashboard", "Stage gate", "Score leads",
		"Action items", "Values first", "Help customers", "Edit videos weekly",
		"Kind regards", "Stage presence", "Kpi growth", "Scope", "Expert",
		"Edit 3 videos", "Edit reels 3x", "Edit Q3 deck",
		// The same, typed in lower case as chat often is.
		"stage 2 rollout", "action plan pending", "score high", "edit later", "kind of both",
		"help desk", "privacy first", "remind sales", "values trust speed", "delete old posts",
		"continue blog series", "action items", "score of 80",
		// Everyday words one letter from a command: plurals, singulars,
		// and a dropped first letter.
		"plan", "value", "stages", "reports", "reviews", "retros", "kinds", "funnels", "checkins", "core", "sore",
	} {
		if msg, ok := CommandHint(line, lc); ok {
			t.Errorf("CommandHint(%q) = %q, want no hint on an answer", line, msg.String())
		}
	}
}

// TestCommandHintAllocatesNothingForSentences: every answer to a question
// goes through CommandHint.
func TestCommandHintAllocatesNothingForSentences(t *testing.T) {
	lc := LineContext{Catalogue: RACE(), Open: true}
	for _, line := range []string{
		"We reach new customers through LinkedIn ads, webinars and partners",
		"Our webinars bring most of the leads.",
		"Stage one is the pilot",
	} {
		if n := testing.AllocsPerRun(50, func() { CommandHint(line, lc) }); n != 0 {
			t.Errorf("CommandHint(%q) allocates %v times, want none", line, n)
		}
	}
}

// TestHintFollowsTheConfirmation: the answer is confirmed in one
// sentence, then the hint; an edited answer says it replaced the earlier
// one without an "it" that points nowhere.
func TestHintFollowsTheConfirmation(t *testing.T) {
	cat := RACE()
	t0 := time.Date(2027, 1, 4, 9, 0, 0, 0, time.UTC)
	lc := LineContext{Catalogue: cat, Open: true}
	hint, _ := CommandHint("statu", lc)
	p := NewPlan("T1", "C1", "Q1", "UANA", t0)
	texts := func(in Input) []string {
		t.Helper()
		out, err := Step(cat, p, in)
		if err != nil {
			t.Fatal(err)
		}
		p = out.Plan
		var got []string
		for _, r := range out.Replies[:min(2, len(out.Replies))] {
			got = append(got, r.Msg.String())
		}
		return got
	}
	texts(Input{Text: "We sell software to dentists.", User: "UANA", Now: t0})
	want := []string{"Saved as your answer.", "If you meant the `status` command, type `status` on its own."}
	if got := texts(Input{Text: "statu", User: "UANA", Now: t0, Hint: hint}); !slices.Equal(got, want) {
		t.Errorf("replies = %q, want %q", got, want)
	}
	texts(Input{Text: "back", User: "UANA", Now: t0})
	want[0] = "Saved as your new answer; the earlier one is kept in the plan's history."
	hint, _ = CommandHint("stge reach", lc)
	if got := texts(Input{Text: "stge reach", User: "UANA", Now: t0.Add(time.Minute), Hint: hint}); strings.Contains(got[0], " it;") || got[0] != want[0] {
		t.Errorf("edited confirmation = %q, want %q", got[0], want[0])
	}
}
