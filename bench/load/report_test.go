package main

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestPairsTakeTheRacebotRunAfterEachReference(t *testing.T) {
	var rs []result
	for round := 1; round <= 2; round++ {
		for _, rate := range []int{1000, 0} {
			for i, server := range order {
				rs = append(rs, result{run1: run1{n: len(rs), scenario: scenarioAnswers, round: round, server: server, rate: rate}, ok: 100 * (i + 1)})
			}
		}
	}
	// A run cut short by an interrupt leaves a reference without its
	// racebot run: no pair.
	rs = append(rs, result{run1: run1{n: len(rs), scenario: scenarioAnswers, round: 3, server: refVerify, rate: 1000}})

	type got struct{ Ref, Bot int }
	var ps []got
	for _, p := range pairs(rs) {
		if p.ref.round != p.bot.round || p.ref.rate != p.bot.rate || p.bot.server != racebot {
			t.Errorf("pair %+v / %+v", p.ref.run1, p.bot.run1)
		}
		ps = append(ps, got{p.ref.n, p.bot.n})
	}
	want := []got{{0, 1}, {2, 3}, {4, 5}, {6, 7}, {8, 9}, {10, 11}, {12, 13}, {14, 15}}
	if diff := cmp.Diff(want, ps); diff != "" {
		t.Errorf("pairs (-want +got):\n%s", diff)
	}
}

func TestRatiosAreRacebotOverReference(t *testing.T) {
	sec := time.Second
	ref := result{run1: run1{server: refCommit, round: 1}, ok: 2000, elapsed: sec, p99: 2 * time.Millisecond}
	bot := result{run1: run1{server: racebot, round: 1}, ok: 500, elapsed: sec, p99: 6 * time.Millisecond}
	p := pair{ref: ref, bot: bot}
	if got := p.ratio(result.throughput); got != 0.25 {
		t.Errorf("throughput ratio %v, want 0.25", got)
	}
	if got := p.ratio(func(r result) float64 { return float64(r.p99) }); got != 3 {
		t.Errorf("p99 ratio %v, want 3", got)
	}
	zero := pair{ref: result{}, bot: bot}
	if got := times(zero.ratio(result.throughput)); got != "–" {
		t.Errorf("ratio to a reference that answered nothing: %q, want –", got)
	}
	if got := median([]float64{3, 1, 2, 10}); got != 2.5 {
		t.Errorf("median %v, want 2.5", got)
	}
}

func TestPrintScenarioSummarisesEachRate(t *testing.T) {
	cfg := config{rates: []int{1000, 0}, rounds: 1, duration: time.Second, workers: 64}
	var rs []result
	for _, rate := range cfg.rates {
		for _, server := range order {
			ok := map[string]int{refVerify: 8000, refCommit: 4000, racebot: 1000}[server]
			if rate != 0 {
				ok = rate
			}
			rs = append(rs, result{run1: run1{scenario: scenarioAnswers, round: 1, server: server, rate: rate},
				sent: ok, ok: ok, acked: ok, stored: ok, elapsed: time.Second, p99: time.Millisecond})
		}
	}
	var out bytes.Buffer
	printScenario(&out, cfg, scenarioAnswers, rs)
	for _, want := range []string{
		"answers max: racebot 2xx/s = 0.25× group-commit ref, 0.12× verify-only ref;",
		"answers 1000/s: racebot 2xx/s = 1.00× group-commit ref, 1.00× verify-only ref;",
		"| 1 | max (64 workers) | ref-commit | 4000 |",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
}
