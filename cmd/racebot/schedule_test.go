package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

func TestScheduleNextAcrossDST(t *testing.T) {
	var out, errb bytes.Buffer
	args := []string{"schedule", "next", "daily 02:30 Europe/Berlin", "--after", "2026-03-27T00:00:00Z", "--count", "4"}
	if err := run(context.Background(), args, func(string) string { return "" }, nil, &out, &errb); err != nil {
		t.Fatalf("%v: %s", err, errb.String())
	}
	want := `every day at 02:30 (Europe/Berlin)
Fri 2026-03-27 02:30 CET  (2026-03-27T01:30:00Z)
Sat 2026-03-28 02:30 CET  (2026-03-28T01:30:00Z)
Sun 2026-03-29 03:00 CEST  (2026-03-29T01:00:00Z)
Mon 2026-03-30 02:30 CEST  (2026-03-30T00:30:00Z)
`
	if out.String() != want {
		t.Errorf("got:\n%s\nwant:\n%s", out.String(), want)
	}
	for _, bad := range [][]string{
		{"schedule", "next", "every blursday"},
		{"schedule", "next", "every monday 09:00", "--after", "yesterday"},
		{"schedule", "next", "every monday 09:00 UTC+1"},
	} {
		out.Reset()
		err := run(context.Background(), bad, func(string) string { return "" }, nil, &out, &errb)
		if err == nil || strings.Contains(err.Error(), "\n") {
			t.Errorf("%q: err = %v, want one clear sentence", bad, err)
		}
	}
}
