package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

// TestScheduleNextReadsEveryWordOfTheSpec: a spec typed without quotes,
// or with its zone outside them, is read whole, never cut to its first
// word with the rest dropped in silence. Dropping the zone printed the
// check-ins of another time zone as if they were the ones asked about.
func TestScheduleNextReadsEveryWordOfTheSpec(t *testing.T) {
	want := `every Monday at 09:00 (Europe/Berlin)
Mon 2026-03-30 09:00 CEST  (2026-03-30T07:00:00Z)
Mon 2026-04-06 09:00 CEST  (2026-04-06T07:00:00Z)
`
	for _, args := range [][]string{
		{"schedule", "next", "every monday 09:00 Europe/Berlin", "--after", "2026-03-27T00:00:00Z", "--count", "2"},
		{"schedule", "next", "every monday 09:00", "Europe/Berlin", "--after", "2026-03-27T00:00:00Z", "--count", "2"},
		{"schedule", "next", "every", "monday", "09:00", "Europe/Berlin", "--after", "2026-03-27T00:00:00Z", "--count", "2"},
		{"schedule", "next", "--after", "2026-03-27T00:00:00Z", "--count", "2", "every", "monday", "09:00", "Europe/Berlin"},
	} {
		var out, errb bytes.Buffer
		err := run(context.Background(), args, func(string) string { return "" }, nil, &out, &errb)
		if err != nil {
			t.Errorf("%q: %v %s", args[2:], err, errb.String())
			continue
		}
		if out.String() != want {
			t.Errorf("%q printed:\n%s\nwant:\n%s", args[2:], out.String(), want)
		}
	}
	// Words after the flags are part of the spec too, not ignored.
	var out, errb bytes.Buffer
	err := run(context.Background(), []string{"schedule", "next", "every monday 09:00", "--count", "1", "Europe/Berlin"}, func(string) string { return "" }, nil, &out, &errb)
	if err == nil && !strings.Contains(out.String(), "Europe/Berlin") {
		t.Errorf("the zone after the flags was dropped:\n%s", out.String())
	}
}

// TestScheduleNextExplainsAWordThatLooksLikeAFlag: a spec word that
// starts with '-' ("-05:00", a fixed offset) is the spec's, and gets the
// schedule's own explanation, not "flag provided but not defined" and
// the flags' usage; after "--" no word is a flag.
func TestScheduleNextExplainsAWordThatLooksLikeAFlag(t *testing.T) {
	for _, args := range [][]string{
		{"schedule", "next", "every", "day", "09:00", "-05:00"},
		{"schedule", "next", "--count", "1", "every", "day", "09:00", "-05:00"},
		{"schedule", "next", "--", "every", "day", "09:00", "-05:00"},
	} {
		var out, errb bytes.Buffer
		err := run(context.Background(), args, func(string) string { return "" }, nil, &out, &errb)
		if err == nil || !strings.Contains(err.Error(), "fixed offset") || strings.Contains(errb.String(), "not defined") {
			t.Errorf("%q: err %v, stderr %q; want the schedule's word on a fixed offset", args[2:], err, errb.String())
		}
	}
	// A flag after "--" is a word of the spec, not a flag.
	var out, errb bytes.Buffer
	err := run(context.Background(), []string{"schedule", "next", "--count", "1", "--", "every", "day", "09:00", "--count", "3"}, func(string) string { return "" }, nil, &out, &errb)
	if err == nil {
		t.Errorf("words after -- were read as flags:\n%s", out.String())
	}
}
