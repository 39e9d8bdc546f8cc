package coach

import "testing"

func TestCutCommandPrefix(t *testing.T) {
	for _, tc := range []struct {
		text, rest string
		ok         bool
	}{
		{"/race", "", true},
		{"  /race  ", "", true},
		{"/race status", "status", true},
		{"/race\tstatus", "status", true},
		{"/race\u00a0status", "status", true},
		{"/racestatus", "status", true},
		{"/raceNEW Launch plan", "NEW Launch plan", true},
		{"/raceday is Friday", "/raceday is Friday", false},
		{"/racestatuses", "/racestatuses", false},
		{"/races", "/races", false},
		{" status ", "status", false},
		{"race status", "race status", false},
		{"/RACE status", "/RACE status", false},
	} {
		rest, ok := CutCommandPrefix(tc.text)
		if rest != tc.rest || ok != tc.ok {
			t.Errorf("CutCommandPrefix(%q) = %q, %v; want %q, %v", tc.text, rest, ok, tc.rest, tc.ok)
		}
	}
}
