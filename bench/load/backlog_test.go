package main

import (
	"io"
	"strings"
	"testing"
	"time"
)

func TestBacklogRunsAMinuteUnlessToldOtherwise(t *testing.T) {
	for _, tt := range []struct {
		args []string
		want time.Duration
	}{
		{[]string{"--scenario", "backlog"}, time.Minute},
		{[]string{"--scenario", "backlog", "--duration", "15s"}, 15 * time.Second},
		{[]string{"--scenario", "answers"}, 5 * time.Second},
	} {
		cfg, err := parseFlags(tt.args, io.Discard)
		if err != nil {
			t.Fatalf("%v: %v", tt.args, err)
		}
		if cfg.duration != tt.want || cfg.backlogRate != 50 {
			t.Errorf("%v: duration %s, rate %d; want %s at 50/s", tt.args, cfg.duration, cfg.backlogRate, tt.want)
		}
	}
	if _, err := parseFlags([]string{"--scenario", "backlog", "--backlog-rate", "0"}, io.Discard); err == nil {
		t.Error("a backlog rate of 0 was accepted")
	}
}

func TestNotPostedAddsUpTheShutdownRecords(t *testing.T) {
	log := `{"time":"t","level":"INFO","msg":"racebot serving Slack over HTTP","addr":"127.0.0.1:1"}
{"time":"t","level":"WARN","msg":"replies not posted before shutdown","plan":3,"replies":4,"err":"context canceled"}
not json at all
{"time":"t","level":"WARN","msg":"replies not posted before shutdown","replies":12,"threads":2}
{"time":"t","level":"WARN","msg":"something else","replies":100}
`
	n, err := notPostedIn(strings.NewReader(log))
	if err != nil || n != 16 {
		t.Errorf("notPostedIn = %d, %v; want 16", n, err)
	}
}

func TestBacklogFailsWhenAnAcknowledgedReplyIsMissing(t *testing.T) {
	r := backlogResult{acked: 10, stored: stored{answers: 2, also: 5, actions: 3}}
	if err := backlogOK(r); err != nil {
		t.Errorf("10 acknowledged, 10 stored: %v", err)
	}
	r.stored.actions = 2
	if err := backlogOK(r); err == nil {
		t.Error("10 acknowledged, 9 stored: no error")
	}
}
