package schedule

import (
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func rfc(tb testing.TB, s string) time.Time {
	tb.Helper()
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		tb.Fatal(err)
	}
	return t
}

// formatRuns writes runs in RFC 3339 with their offsets, so a diff shows
// both the wall time and which side of a transition it fell on.
func formatRuns(runs []time.Time) []string {
	out := make([]string, len(runs))
	for i, r := range runs {
		out[i] = r.Format(time.RFC3339)
	}
	return out
}

// TestNextAcrossDST pins the runs around the 2026 changes in Berlin (29
// March, 25 October: 02:00–02:59 is skipped, then repeated) and Los
// Angeles (8 March, 1 November: 02:00–02:59 skipped, 01:00–01:59
// repeated), for the friendly form and the cron form of each schedule.
func TestNextAcrossDST(t *testing.T) {
	tests := []struct {
		name  string
		specs []string
		after string
		want  []string
	}{
		{
			name:  "berlin 02:30 daily over the spring gap runs at 03:00",
			specs: []string{"every day 02:30 Europe/Berlin", "30 2 * * * Europe/Berlin"},
			after: "2026-03-27T00:00:00+01:00",
			want:  []string{"2026-03-27T02:30:00+01:00", "2026-03-28T02:30:00+01:00", "2026-03-29T03:00:00+02:00", "2026-03-30T02:30:00+02:00"},
		},
		{
			name:  "berlin 02:30 daily over the fall-back runs once",
			specs: []string{"every day 02:30 Europe/Berlin", "30 2 * * * Europe/Berlin"},
			after: "2026-10-24T00:00:00+02:00",
			want:  []string{"2026-10-24T02:30:00+02:00", "2026-10-25T02:30:00+02:00", "2026-10-26T02:30:00+01:00"},
		},
		{
			name:  "los angeles 02:30 daily over the spring gap runs at 03:00",
			specs: []string{"every day 02:30 America/Los_Angeles", "CRON_TZ=America/Los_Angeles 30 2 * * *"},
			after: "2026-03-07T00:00:00-08:00",
			want:  []string{"2026-03-07T02:30:00-08:00", "2026-03-08T03:00:00-07:00", "2026-03-09T02:30:00-07:00"},
		},
		{
			name:  "los angeles 01:30 daily over the fall-back runs once",
			specs: []string{"every day 01:30 America/Los_Angeles", "30 1 * * * America/Los_Angeles"},
			after: "2026-10-31T00:00:00-07:00",
			want:  []string{"2026-10-31T01:30:00-07:00", "2026-11-01T01:30:00-07:00", "2026-11-02T01:30:00-08:00"},
		},
		{
			name:  "berlin hourly: the gap folds into 03:00, the repeated hour runs once",
			specs: []string{"0 * * * * Europe/Berlin"},
			after: "2026-03-29T00:30:00+01:00",
			want:  []string{"2026-03-29T01:00:00+01:00", "2026-03-29T03:00:00+02:00", "2026-03-29T04:00:00+02:00"},
		},
		{
			name:  "berlin hourly over the fall-back",
			specs: []string{"0 * * * * Europe/Berlin"},
			after: "2026-10-25T00:30:00+02:00",
			want:  []string{"2026-10-25T01:00:00+02:00", "2026-10-25T02:00:00+02:00", "2026-10-25T03:00:00+01:00", "2026-10-25T04:00:00+01:00"},
		},
		{
			name:  "berlin every 30 minutes in the gap hour",
			specs: []string{"0,30 2,3 29 3 * Europe/Berlin"},
			after: "2026-03-29T00:00:00+01:00",
			want:  []string{"2026-03-29T03:00:00+02:00", "2026-03-29T03:30:00+02:00"},
		},
	}
	for _, tt := range tests {
		for _, text := range tt.specs {
			t.Run(tt.name+"/"+text, func(t *testing.T) {
				spec := mustParse(t, text, time.UTC)
				got := formatRuns(spec.Upcoming(rfc(t, tt.after), len(tt.want)))
				if diff := cmp.Diff(tt.want, got); diff != "" {
					t.Errorf("Upcoming mismatch (-want +got):\n%s", diff)
				}
			})
		}
	}
}

// TestNextInsideTransitions starts from instants inside the skipped and the
// repeated hour: a run that already happened at its first occurrence must
// not come round again.
func TestNextInsideTransitions(t *testing.T) {
	tests := []struct {
		spec, after, want string
	}{
		// 02:10 CET is the second pass through 02:xx; 02:30 ran at CEST.
		{"every day 02:30 Europe/Berlin", "2026-10-25T02:10:00+01:00", "2026-10-26T02:30:00+01:00"},
		{"every day 02:30 Europe/Berlin", "2026-10-25T02:40:00+02:00", "2026-10-26T02:30:00+01:00"},
		{"every day 02:30 Europe/Berlin", "2026-10-25T02:20:00+02:00", "2026-10-25T02:30:00+02:00"},
		{"every day 01:30 America/Los_Angeles", "2026-11-01T01:10:00-08:00", "2026-11-02T01:30:00-08:00"},
		// Strictly after: the 03:00 that stands in for 02:30 is not repeated.
		{"every day 02:30 Europe/Berlin", "2026-03-29T03:00:00+02:00", "2026-03-30T02:30:00+02:00"},
		{"every day 02:30 Europe/Berlin", "2026-03-29T01:59:59+01:00", "2026-03-29T03:00:00+02:00"},
		// after given in another zone is the same instant.
		{"every monday 09:00 Europe/Berlin", "2026-03-30T06:59:00Z", "2026-03-30T09:00:00+02:00"},
		{"every monday 09:00 Europe/Berlin", "2026-03-30T07:00:00Z", "2026-04-06T09:00:00+02:00"},
	}
	for _, tt := range tests {
		spec := mustParse(t, tt.spec, time.UTC)
		got := spec.Next(rfc(t, tt.after))
		if !got.Equal(rfc(t, tt.want)) || got.Location() != spec.Zone() {
			t.Errorf("%s: Next(%s) = %s, want %s", tt.spec, tt.after, got.Format(time.RFC3339), tt.want)
		}
	}
}

// TestWeeklyOverAYear runs weekly schedules through all of 2026 in both
// zones: the right number of runs, each on its weekday at its wall time
// (03:00 where the gap swallowed 02:30), one per day, exactly a week apart.
func TestWeeklyOverAYear(t *testing.T) {
	tests := []struct {
		spec  string
		runs  int
		inGap bool // the spring-forward Sunday swallows the wall time
	}{
		{"every monday 09:00", 52, false},
		{"every thursday 09:00", 53, false},
		{"every sunday 02:30", 52, true},
		{"every sunday 01:30", 52, false},
		{"every sunday 02:00", 52, true},
		{"30 2 * * 0", 52, true},
		{"30 1 * * sun", 52, false},
	}
	springForward := map[string]string{"Europe/Berlin": "2026-03-29", "America/Los_Angeles": "2026-03-08"}
	for zone, gapDate := range springForward {
		loc := mustZone(t, zone)
		for _, tt := range tests {
			t.Run(zone+"/"+tt.spec, func(t *testing.T) {
				spec := mustParse(t, tt.spec, loc)
				start := time.Date(2026, 1, 1, 0, 0, 0, 0, loc)
				end := time.Date(2027, 1, 1, 0, 0, 0, 0, loc)
				first := spec.Next(start)
				wantClock := first.Format("15:04")
				weekday := first.Weekday()

				var runs []time.Time
				for r := first; r.Before(end); r = spec.Next(r) {
					runs = append(runs, r)
				}
				if len(runs) != tt.runs {
					t.Fatalf("%d runs in 2026, want %d", len(runs), tt.runs)
				}
				seen := map[string]bool{}
				for i, r := range runs {
					local := r.In(loc)
					date := local.Format(time.DateOnly)
					if seen[date] {
						t.Errorf("two runs on %s", date)
					}
					seen[date] = true
					if local.Weekday() != weekday {
						t.Errorf("run %s is on a %s, want %s", local, local.Weekday(), weekday)
					}
					clock := wantClock
					if tt.inGap && date == gapDate {
						clock = "03:00"
					}
					if got := local.Format("15:04"); got != clock {
						t.Errorf("run on %s at %s, want %s", date, got, clock)
					}
					if i > 0 {
						prev := runs[i-1].In(loc)
						if days := civilDays(prev, local); days != 7 {
							t.Errorf("runs %s and %s are %d days apart, want 7", prev, local, days)
						}
					}
				}
			})
		}
	}
}

// civilDays counts calendar days between the local dates of a and b.
func civilDays(a, b time.Time) int {
	da := time.Date(a.Year(), a.Month(), a.Day(), 0, 0, 0, 0, time.UTC)
	db := time.Date(b.Year(), b.Month(), b.Day(), 0, 0, 0, 0, time.UTC)
	return int(db.Sub(da).Hours() / 24)
}

func TestEveryNWeeks(t *testing.T) {
	berlin := mustZone(t, "Europe/Berlin")
	spec := mustParse(t, "every 2 weeks on friday 16:00", berlin)
	// 2 January 2026 is 9132 days, week 1304, after Monday 1 January 2001.
	runs := []string{"2026-01-02T16:00:00+01:00", "2026-01-16T16:00:00+01:00", "2026-01-30T16:00:00+01:00", "2026-02-13T16:00:00+01:00"}
	// The same weeks whichever day the scheduler starts counting from: the
	// anchor is fixed, not the moment of parsing.
	for _, tt := range []struct {
		after string
		want  []string
	}{
		{"2026-01-01T00:00:00Z", runs[:3]},
		{"2026-01-02T15:00:00Z", runs[1:]},
		{"2026-01-09T14:59:00Z", runs[1:]},
	} {
		got := formatRuns(spec.Upcoming(rfc(t, tt.after), 3))
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("Upcoming(%s) mismatch (-want +got):\n%s", tt.after, diff)
		}
	}
	// Weeks since Monday 1 January 2001 that are multiples of 2.
	for _, r := range spec.Upcoming(rfc(t, "2026-01-01T00:00:00Z"), 60) {
		d := naive(r.In(berlin))
		if w := weekIndex(time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, time.UTC)); w%2 != 0 {
			t.Fatalf("run %s is in week %d, want an even week", r, w)
		}
	}

	// A start date moves the weeks and holds back earlier runs.
	from := mustParse(t, "every 2 weeks on friday 16:00 from 2026-01-05", berlin)
	got := formatRuns(from.Upcoming(rfc(t, "2026-01-01T00:00:00Z"), 3))
	want := []string{"2026-01-09T16:00:00+01:00", "2026-01-23T16:00:00+01:00", "2026-02-06T16:00:00+01:00"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("with start date, mismatch (-want +got):\n%s", diff)
	}

	// Several days a week keep their week parity too.
	two := mustParse(t, "every 3 weeks on monday and thursday 09:00 from 2026-03-26 UTC", nil)
	got = formatRuns(two.Upcoming(rfc(t, "2026-01-01T00:00:00Z"), 4))
	want = []string{"2026-03-26T09:00:00Z", "2026-04-13T09:00:00Z", "2026-04-16T09:00:00Z", "2026-05-04T09:00:00Z"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("three-weekly mismatch (-want +got):\n%s", diff)
	}
}

func TestMonthly(t *testing.T) {
	tests := []struct {
		spec  string
		after string
		want  []string
	}{
		{"monthly on the 31st 10:00 UTC", "2026-01-01T00:00:00Z", []string{"2026-01-31T10:00:00Z", "2026-02-28T10:00:00Z", "2026-03-31T10:00:00Z", "2026-04-30T10:00:00Z"}},
		{"monthly on the last day 17:00 UTC", "2028-01-31T17:00:00Z", []string{"2028-02-29T17:00:00Z", "2028-03-31T17:00:00Z"}},
		{"monthly on the 1st 10:00 Europe/Berlin", "2026-03-01T10:00:00+01:00", []string{"2026-04-01T10:00:00+02:00", "2026-05-01T10:00:00+02:00"}},
	}
	for _, tt := range tests {
		spec := mustParse(t, tt.spec, nil)
		got := formatRuns(spec.Upcoming(rfc(t, tt.after), len(tt.want)))
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("%s mismatch (-want +got):\n%s", tt.spec, diff)
		}
	}
}

func TestUpcoming(t *testing.T) {
	spec := mustParse(t, "every weekday 09:30 Europe/Berlin", nil)
	runs := spec.Upcoming(rfc(t, "2026-03-27T12:00:00Z"), 3)
	want := []string{"2026-03-30T09:30:00+02:00", "2026-03-31T09:30:00+02:00", "2026-04-01T09:30:00+02:00"}
	if diff := cmp.Diff(want, formatRuns(runs)); diff != "" {
		t.Errorf("Upcoming mismatch (-want +got):\n%s", diff)
	}
	if got := spec.Upcoming(time.Now(), 0); len(got) != 0 {
		t.Errorf("Upcoming(n=0) = %v", got)
	}
}

func TestKey(t *testing.T) {
	spec := mustParse(t, "every day 02:30 Europe/Berlin", nil)
	runs := spec.Upcoming(rfc(t, "2026-10-24T00:00:00Z"), 3)
	var keys []string
	for _, r := range runs {
		keys = append(keys, spec.Key(r))
	}
	want := []string{"2026-10-24T00:30:00Z", "2026-10-25T00:30:00Z", "2026-10-26T01:30:00Z"}
	if diff := cmp.Diff(want, keys); diff != "" {
		t.Errorf("keys mismatch (-want +got):\n%s", diff)
	}
	// The key ignores the zone a time is expressed in and sub-minute noise.
	r := runs[0]
	if spec.Key(r.In(time.UTC)) != keys[0] || spec.Key(r.Add(17*time.Second)) != keys[0] {
		t.Errorf("key of %s is not stable", r)
	}
	// The two 01:30s of the Los Angeles fall-back are different instants
	// with different keys, though only the first is ever a run.
	la := mustParse(t, "every day 01:30 America/Los_Angeles", nil)
	first, second := rfc(t, "2026-11-01T01:30:00-07:00"), rfc(t, "2026-11-01T01:30:00-08:00")
	if la.Key(first) == la.Key(second) {
		t.Errorf("fall-back occurrences share key %s", la.Key(first))
	}
}

func ExampleSpec_Upcoming() {
	spec, err := Parse("every monday 09:00 Europe/Berlin", nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(spec.Describe())
	for _, t := range spec.Upcoming(time.Date(2026, 3, 20, 0, 0, 0, 0, time.UTC), 2) {
		fmt.Println(t.Format(time.RFC3339), spec.Key(t))
	}
	// Output:
	// every Monday at 09:00 (Europe/Berlin)
	// 2026-03-23T09:00:00+01:00 2026-03-23T08:00:00Z
	// 2026-03-30T09:00:00+02:00 2026-03-30T07:00:00Z
}
