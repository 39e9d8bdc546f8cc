package flows

import "testing"

func TestCommandHint(t *testing.T) {
	lc := LineContext{Catalogue: RACE(), Open: true}
	for _, tc := range []struct {
		line string
		want string // "" for no hint
	}{
		{"stage nowhere", "If you meant the `stage` command, name a stage: plan, reach, act, convert or engage."},
		{"Stage nowhere", "If you meant the `stage` command, name a stage: plan, reach, act, convert or engage."},
		{"action done 1", "If you meant the `action` command, the plan has no actions yet to mark."},
		{"statu", "If you meant the `status` command, type `status` on its own."},
		{"stge reach", "If you meant the `stage` command, name a stage: plan, reach, act, convert or engage."},
		{"values visitors 12k", "If you meant the `values` command, the plan needs KPIs first; `kpi` sets them."},
		{"privacy maybe", "If you meant the `privacy` command, add `on` or `off`."},
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
