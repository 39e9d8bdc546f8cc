package schedule

import (
	"errors"
	"testing"
	"time"

	"github.com/racebot/racebot/flows"
)

// FuzzParse checks that Parse never panics, that its errors are friendly
// ErrBadSpec sentences, and that every schedule it accepts reads back from
// its String as the same schedule with the same runs.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"every monday 09:00 Europe/Berlin", "every mon 9am", "weekdays 9:30", "every 2 weeks on friday 16:00",
		"monthly on the 1st 10:00", "every day 08:00", "0 9 * * 1", "CRON_TZ=Europe/Berlin 0 9 * * 1",
		"0 9 * * 1 America/Los_Angeles", "every 2 weeks on friday 16:00 from 2026-01-09", "monthly on the last day 5pm",
		"every monday 09:00 +01:00", "every monday 09:00 CET", "*/15 2 * 3 sun", "biweekly", "@every 1h",
		"every other week on mon and thu at 9", "on the 31st of every month at noon UTC", "0 0 31 2 *",
	} {
		f.Add(s)
	}
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		f.Fatal(err)
	}
	probe := time.Date(2026, 3, 28, 12, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, s string) {
		spec, err := Parse(s, berlin)
		if err != nil {
			if !errors.Is(err, ErrBadSpec) || flows.Explain(err).String() != err.Error() || err.Error() == "" {
				t.Fatalf("Parse(%q) error %#v is not a friendly ErrBadSpec", s, err)
			}
			return
		}
		text := spec.String()
		again, err := Parse(text, time.UTC)
		if err != nil {
			t.Fatalf("Parse(%q).String() = %q, which does not parse: %v", s, text, err)
		}
		if again.String() != text || again.Describe() != spec.Describe() {
			t.Fatalf("Parse(%q) gives %q, then %q", s, text, again.String())
		}
		runs, runsAgain := spec.Upcoming(probe, 3), again.Upcoming(probe, 3)
		if len(runs) == 0 || len(runs) != len(runsAgain) {
			t.Fatalf("%q runs %v, re-parsed %v", text, runs, runsAgain)
		}
		prev := probe
		for i, r := range runs {
			if !r.After(prev) || !r.Equal(runsAgain[i]) {
				t.Fatalf("%q runs %v, re-parsed %v", text, runs, runsAgain)
			}
			prev = r
		}
	})
}
