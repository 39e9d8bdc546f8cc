package schedule

import (
	"errors"
	"testing"
	"time"

	"github.com/racebot/racebot/flows"
)

func mustZone(tb testing.TB, name string) *time.Location {
	tb.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		tb.Fatalf("load zone %s: %v", name, err)
	}
	return loc
}

func mustParse(tb testing.TB, s string, zone *time.Location) Spec {
	tb.Helper()
	spec, err := Parse(s, zone)
	if err != nil {
		tb.Fatalf("Parse(%q): %v", s, err)
	}
	return spec
}

func TestParse(t *testing.T) {
	berlin := mustZone(t, "Europe/Berlin")
	tests := []struct {
		in       string
		want     string // canonical String
		describe string
	}{
		{"every monday 09:00 Europe/Berlin", "every monday 09:00 Europe/Berlin", "every Monday at 09:00 (Europe/Berlin)"},
		{"every mon 9am", "every monday 09:00 Europe/Berlin", "every Monday at 09:00 (Europe/Berlin)"},
		{"Every Monday at 9 AM", "every monday 09:00 Europe/Berlin", "every Monday at 09:00 (Europe/Berlin)"},
		{"mondays at 9", "every monday 09:00 Europe/Berlin", "every Monday at 09:00 (Europe/Berlin)"},
		{"every tues 12pm", "every tuesday 12:00 Europe/Berlin", "every Tuesday at 12:00 (Europe/Berlin)"},
		{"every thurs 12am", "every thursday 00:00 Europe/Berlin", "every Thursday at 00:00 (Europe/Berlin)"},
		{"every friday 4:30 p.m.", "every friday 16:30 Europe/Berlin", "every Friday at 16:30 (Europe/Berlin)"},
		{"every monday and thursday 9:30am", "every monday and thursday 09:30 Europe/Berlin", "every Monday and Thursday at 09:30 (Europe/Berlin)"},
		{"every mon, wed, fri at noon", "every monday, wednesday and friday 12:00 Europe/Berlin", "every Monday, Wednesday and Friday at 12:00 (Europe/Berlin)"},
		{"weekdays 9:30", "every weekday 09:30 Europe/Berlin", "every weekday at 09:30 (Europe/Berlin)"},
		{"every weekday 9:30", "every weekday 09:30 Europe/Berlin", "every weekday at 09:30 (Europe/Berlin)"},
		{"weekends 10:00", "every saturday and sunday 10:00 Europe/Berlin", "every Saturday and Sunday at 10:00 (Europe/Berlin)"},
		{"every day 08:00", "every day 08:00 Europe/Berlin", "every day at 08:00 (Europe/Berlin)"},
		{"daily at 8am", "every day 08:00 Europe/Berlin", "every day at 08:00 (Europe/Berlin)"},
		{"every monday tuesday wednesday thursday friday saturday sunday 8:00", "every day 08:00 Europe/Berlin", "every day at 08:00 (Europe/Berlin)"},
		{"weekly on monday 09:00", "every monday 09:00 Europe/Berlin", "every Monday at 09:00 (Europe/Berlin)"},
		{"every week on monday 09:00", "every monday 09:00 Europe/Berlin", "every Monday at 09:00 (Europe/Berlin)"},
		{"every 2 weeks on friday 16:00", "every 2 weeks on friday 16:00 Europe/Berlin", "every 2 weeks on Friday at 16:00 (Europe/Berlin)"},
		{"every other week on friday 16:00", "every 2 weeks on friday 16:00 Europe/Berlin", "every 2 weeks on Friday at 16:00 (Europe/Berlin)"},
		{"fortnightly on fri 4pm", "every 2 weeks on friday 16:00 Europe/Berlin", "every 2 weeks on Friday at 16:00 (Europe/Berlin)"},
		{"every 3 weeks on weekdays 09:00", "every 3 weeks on weekdays 09:00 Europe/Berlin", "every 3 weeks on weekdays at 09:00 (Europe/Berlin)"},
		// The start date is moved to the first run on or after it.
		{"every 2 weeks on friday 16:00 from 2026-01-10", "every 2 weeks on friday 16:00 from 2026-01-16 Europe/Berlin", "every 2 weeks on Friday at 16:00, starting Fri 16 Jan 2026 (Europe/Berlin)"},
		{"every 2 weeks on friday starting on 2026-01-09 at 16:00", "every 2 weeks on friday 16:00 from 2026-01-09 Europe/Berlin", "every 2 weeks on Friday at 16:00, starting Fri 9 Jan 2026 (Europe/Berlin)"},
		{"monthly on the 1st 10:00", "monthly on the 1st 10:00 Europe/Berlin", "monthly on the 1st at 10:00 (Europe/Berlin)"},
		{"on the 22nd of every month at 10am", "monthly on the 22nd 10:00 Europe/Berlin", "monthly on the 22nd at 10:00 (Europe/Berlin)"},
		{"monthly on day 13 10:00", "monthly on the 13th 10:00 Europe/Berlin", "monthly on the 13th at 10:00 (Europe/Berlin)"},
		{"monthly on the last day 5pm", "monthly on the last day 17:00 Europe/Berlin", "monthly on the last day at 17:00 (Europe/Berlin)"},
		{"0 9 * * 1", "0 9 * * 1 Europe/Berlin", `on the cron schedule "0 9 * * 1" (Europe/Berlin)`},
		{"0 9 * * MON-FRI", "0 9 * * mon-fri Europe/Berlin", `on the cron schedule "0 9 * * mon-fri" (Europe/Berlin)`},
		{"CRON_TZ=America/New_York 0 9 * * 1", "0 9 * * 1 America/New_York", `on the cron schedule "0 9 * * 1" (America/New_York)`},
		{"TZ=UTC 30 8 1 * *", "30 8 1 * * UTC", `on the cron schedule "30 8 1 * *" (UTC)`},
		{"0 9 * * 1 Asia/Tokyo", "0 9 * * 1 Asia/Tokyo", `on the cron schedule "0 9 * * 1" (Asia/Tokyo)`},
		{"0 0 29 2 *", "0 0 29 2 * Europe/Berlin", `on the cron schedule "0 0 29 2 *" (Europe/Berlin)`},
		// Zones: IANA names in any case, UTC, Etc/UTC.
		{"every monday 09:00 america/los_angeles", "every monday 09:00 America/Los_Angeles", "every Monday at 09:00 (America/Los_Angeles)"},
		{"every monday 09:00 in Europe/London", "every monday 09:00 Europe/London", "every Monday at 09:00 (Europe/London)"},
		{"every monday 09:00 UTC", "every monday 09:00 UTC", "every Monday at 09:00 (UTC)"},
		{"every monday 09:00 Etc/UTC", "every monday 09:00 Etc/UTC", "every Monday at 09:00 (Etc/UTC)"},
		{"every monday 09:00 America/Argentina/Buenos_Aires", "every monday 09:00 America/Argentina/Buenos_Aires", "every Monday at 09:00 (America/Argentina/Buenos_Aires)"},
	}
	for _, tt := range tests {
		spec, err := Parse(tt.in, berlin)
		if err != nil {
			t.Errorf("Parse(%q): %v", tt.in, err)
			continue
		}
		if got := spec.String(); got != tt.want {
			t.Errorf("Parse(%q).String() = %q, want %q", tt.in, got, tt.want)
		}
		if got := spec.Describe(); got != tt.describe {
			t.Errorf("Parse(%q).Describe() = %q, want %q", tt.in, got, tt.describe)
		}
		again, err := Parse(spec.String(), time.UTC)
		if err != nil || again.String() != spec.String() {
			t.Errorf("Parse(%q) does not round-trip: %q, %v", spec.String(), again.String(), err)
		}
	}
}

func TestParseZoneDefaults(t *testing.T) {
	if got := mustParse(t, "every monday 09:00", nil).ZoneName(); got != "UTC" {
		t.Errorf("nil default zone gave %q, want UTC", got)
	}
	la := mustZone(t, "America/Los_Angeles")
	spec := mustParse(t, "every monday 09:00", la)
	if spec.ZoneName() != "America/Los_Angeles" || spec.Zone().String() != "America/Los_Angeles" {
		t.Errorf("default zone gave %q / %v", spec.ZoneName(), spec.Zone())
	}
	if got := mustParse(t, "every monday 09:00 Asia/Tokyo", la).ZoneName(); got != "Asia/Tokyo" {
		t.Errorf("explicit zone gave %q, want Asia/Tokyo", got)
	}
	var zero Spec
	if zero.Zone() != time.UTC || zero.ZoneName() != "UTC" || zero.String() != "" || !zero.Next(time.Now()).IsZero() {
		t.Errorf("zero Spec is not an inert UTC schedule: %v %q %q", zero.Zone(), zero.ZoneName(), zero.String())
	}
}

func TestParseErrors(t *testing.T) {
	berlin := mustZone(t, "Europe/Berlin")
	tests := []struct {
		in   string
		zone *time.Location
		msg  string
	}{
		{"", berlin, `Tell me when to check in, for example "every monday 09:00 Europe/Berlin".`},
		{"every monday", berlin, `Add a time of day, for example "every monday 09:00 Europe/Berlin".`},
		{"every fooday 9am", berlin, `I didn't understand "fooday" in "every fooday 9am"; try something like "every monday 09:00 Europe/Berlin".`},
		{"every monday 25:00", berlin, `"25:00" is not a time of day; write it like 09:00 or 9am.`},
		{"every monday 13pm", berlin, `"13pm" is not a time of day; write it like 09:00 or 9am.`},
		{"every monday 9:5", berlin, `"9:5" is not a time of day I can read; write it like 09:00 or 9am.`},
		{"every monday 9am 10am", berlin, `"every monday 9am 10am" has two times of day; give one, like "every monday 09:00 Europe/Berlin".`},
		{"09:00", berlin, `Say which days to check in, for example "every monday 09:00 Europe/Berlin" or "every day 09:00".`},
		{"every 3 days 09:00", berlin, `I can check in daily, on chosen weekdays, every few weeks or monthly; for example "every monday 09:00 Europe/Berlin".`},
		{"biweekly on friday 16:00", berlin, `"Biweekly" can mean twice a week or every two weeks; write "every 2 weeks on friday 16:00" or "every monday and thursday 09:00".`},
		{"every 60 weeks on friday 16:00", berlin, `I can check in every 1 to 52 weeks; for example "every 2 weeks on friday 16:00".`},
		{"every 2 weeks 16:00", berlin, `Say which day of the week, for example "every 2 weeks on friday 16:00".`},
		{"monthly 10:00", berlin, `Say which day of the month, for example "monthly on the 1st 10:00" or "monthly on the last day 17:00".`},
		{"monthly on the 32nd 10:00", berlin, `There is no 32nd day in a month; pick the 1st to the 31st or the last day, like "monthly on the 1st 10:00".`},
		{"monthly on monday 10:00", berlin, `I couldn't make a schedule of "monthly on monday 10:00"; try something like "every monday 09:00 Europe/Berlin".`},
		{"every monday 09:00 from 2026-01-09", berlin, `A start date only matters for schedules like "every 2 weeks on friday 16:00 from 2026-01-09".`},
		{"every 2 weeks on friday 16:00 from 2026-13-01", berlin, `"2026-13-01" is not a date I can read; write the start date like 2026-01-09.`},
		{"every 2 weeks on friday 16:00 from", berlin, `Add the start date after "from", like "every 2 weeks on friday 16:00 from 2026-01-09".`},
		{"every monday 09:00 CET", berlin, `"CET" is an abbreviation, which can't follow daylight saving; use a city zone name like Europe/Berlin.`},
		{"every monday 09:00 pst", berlin, `"pst" is an abbreviation, which can't follow daylight saving; use a city zone name like America/Los_Angeles.`},
		{"every monday 09:00 +01:00", berlin, `"+01:00" is a fixed offset, which would be an hour off whenever daylight saving changes; use a city zone name like Europe/Berlin.`},
		{"every monday 09:00 UTC+1", berlin, `"UTC+1" is a fixed offset, which would be an hour off whenever daylight saving changes; use a city zone name like Europe/Berlin.`},
		{"every monday 09:00 Etc/GMT-1", berlin, `"Etc/GMT-1" is a fixed offset, which would be an hour off whenever daylight saving changes; use a city zone name like Europe/Berlin.`},
		{"every monday 09:00 Europe/Berlinn", berlin, `I don't know the time zone "Europe/Berlinn"; use a city zone name like Europe/Berlin or America/New_York.`},
		{"CRON_TZ=CET 0 9 * * 1", berlin, `"CET" is an abbreviation, which can't follow daylight saving; use a city zone name like Europe/Berlin.`},
		{"CRON_TZ= 0 9 * * 1", berlin, `"CRON_TZ=" needs a zone name after the =, like CRON_TZ=Europe/Berlin.`},
		{"CRON_TZ=Europe/Berlin 0 9 * * 1 Europe/Paris", berlin, `"CRON_TZ=Europe/Berlin 0 9 * * 1 Europe/Paris" names two time zones; give one at the end, like "every monday 09:00 Europe/Berlin".`},
		{"Europe/Berlin", berlin, `Say when to check in as well as where, for example "every monday 09:00 Europe/Berlin".`},
		{"every monday 09:00", time.FixedZone("CET", 3600), `The team's time zone "CET" is not a city zone name; add one to the schedule, like "every monday 09:00 Europe/Berlin".`},
		{"every monday 09:00", time.Local, `The team's time zone "Local" is not a city zone name; add one to the schedule, like "every monday 09:00 Europe/Berlin".`},
		{"0 9 * * 8", berlin, `The cron schedule "0 9 * * 8" is not valid (end of range (8) above maximum (6): 8); a working one is "0 9 * * 1" for Mondays at 09:00.`},
		{"0 9 * *", berlin, `A cron schedule has 5 fields (minute hour day month weekday), like "0 9 * * 1", but "0 9 * *" has 4.`},
		{"0 0 9 * * 1", berlin, `A cron schedule has 5 fields (minute hour day month weekday), like "0 9 * * 1", but "0 0 9 * * 1" has 6.`},
		{"0 0 31 2 *", berlin, `The cron schedule "0 0 31 2 *" never runs; a working one is "0 9 * * 1" for Mondays at 09:00.`},
		{"@weekly", berlin, `"@weekly" is a shortcut I don't read; write it like "every monday 09:00 Europe/Berlin" or "0 9 * * 1".`},
		{"@every 1h", berlin, `"@every" is a shortcut I don't read; write it like "every monday 09:00 Europe/Berlin" or "0 9 * * 1".`},
	}
	for _, tt := range tests {
		_, err := Parse(tt.in, tt.zone)
		if !errors.Is(err, ErrBadSpec) || !errors.Is(err, flows.ErrBadInput) {
			t.Errorf("Parse(%q) error = %v, want ErrBadSpec", tt.in, err)
			continue
		}
		if got := flows.Explain(err).String(); got != tt.msg {
			t.Errorf("Parse(%q) message:\n got %s\nwant %s", tt.in, got, tt.msg)
		}
	}
}
