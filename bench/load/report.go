package main

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"time"
)

func printRun(w io.Writer, r result) {
	fmt.Fprintf(w, "sent %d in %s = %.0f req/s; 2xx %d (%.0f/s); errors %d %s\n",
		r.sent, r.elapsed.Round(time.Millisecond), perSec(r.sent, r.elapsed), r.ok, perSec(r.ok, r.elapsed), r.errors, r.firstErr)
	fmt.Fprintf(w, "latency p50 %s  p99 %s  max %s; %.0f bytes a response\n", ms(r.p50), ms(r.p99), ms(r.max), r.respBytes())
	fmt.Fprintf(w, "CPU: %s %.0f%% of a core (%.0f µs a request), load generator and fake Slack %.0f%%\n",
		r.server, 100*r.serverCPU.Seconds()/r.elapsed.Seconds(), float64(r.serverCPU.Microseconds())/float64(max(1, r.sent)), 100*r.loadCPU.Seconds()/r.elapsed.Seconds())
	if r.dbCPU > 0 {
		fmt.Fprintf(w, "CPU: PostgreSQL server %.0f%% of a core; racebot and it together %.0f µs a request (the CPU/request figure below)\n",
			100*r.dbCPU.Seconds()/r.elapsed.Seconds(), r.cpuPerRequest())
	}
	if other := r.allCPU - r.serverCPU - r.dbCPU - r.loadCPU; other > r.elapsed/10 {
		fmt.Fprintf(w, "warning: other processes used %.0f%% of a core during the run; the figures are low\n", 100*other.Seconds()/r.elapsed.Seconds())
	}
	// Zero when the kernel's mark at exit was no higher than the load
	// tool's own (see bench.Server.PeakThroughExit): not a measurement.
	exit := "not known (no higher than the load tool's own)"
	if r.exitRSS > 0 {
		exit = mb(r.exitRSS)
	}
	fmt.Fprintf(w, "%s RSS after setup %s, peak during the run %s, through its shutdown %s\n", r.server, mb(r.setupRSS), mb(r.peakRSS), exit)
	var parts []string
	if r.scenario == scenarioAnswers && r.server != refVerify {
		parts = append(parts, fmt.Sprintf("answers acknowledged %d, stored %d", r.acked, r.stored))
	}
	if r.server == racebot {
		parts = append(parts, fmt.Sprintf("errors explained to users %d", r.explained))
	}
	parts = append(parts, fmt.Sprintf("ERROR log lines %d", r.logErrors))
	if r.server == racebot {
		parts = append(parts, fmt.Sprintf("most posts in flight %d", r.maxPosts))
	}
	fmt.Fprintln(w, strings.Join(parts, "; "))
}

// storeNote says, in a heading, that racebot ran on PostgreSQL while the
// references kept their SQLite files.
func storeNote(cfg config) string {
	if cfg.databaseURL == "" {
		return ""
	}
	return "; racebot on PostgreSQL, the references on SQLite"
}

// cpuPerRequest is the server's CPU time per request sent, in µs; for
// racebot on PostgreSQL the database server's with it, as the references'
// SQLite work is in theirs.
func (r result) cpuPerRequest() float64 {
	return float64((r.serverCPU + r.dbCPU).Microseconds()) / float64(max(1, r.sent))
}

func (r result) respBytes() float64 { return float64(r.bytesIn) / float64(max(1, r.sent)) }

func (r result) throughput() float64 { return perSec(r.ok, r.elapsed) }

// printScenario prints one scenario's runs as a table, then racebot's
// figures as ratios to the references.
func printScenario(w io.Writer, cfg config, sc string, rs []result) {
	rs = slices.DeleteFunc(slices.Clone(rs), func(r result) bool { return r.scenario != sc })
	if len(rs) == 0 {
		return
	}
	what := "thread replies that record an answer"
	if sc == scenarioSlash {
		what = "`/race help`"
	}
	fmt.Fprintf(w, "\n## %s: %s, %s a run, %d round(s)%s\n\n", sc, what, cfg.duration, cfg.rounds, storeNote(cfg))
	fmt.Fprintf(w, "| round | rate | server | achieved 2xx/s | p50 | p99 | max | non-2xx | peak RSS | CPU/request | bytes/response | acked / stored |\n")
	fmt.Fprintf(w, "| ---: | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n")
	for _, r := range rs {
		stored := "–"
		if sc == scenarioAnswers && r.server != refVerify {
			stored = fmt.Sprintf("%d / %d", r.acked, r.stored)
		}
		fmt.Fprintf(w, "| %d | %s | %s | %.0f | %s | %s | %s | %d | %s | %.0f µs | %.0f | %s |\n",
			r.round, rateLabel(cfg, r.rate), r.server, r.throughput(), ms(r.p50), ms(r.p99), ms(r.max), r.errors,
			mb(r.peakRSS), r.cpuPerRequest(), r.respBytes(), stored)
	}
	if cfg.postDelay > 0 && sc == scenarioAnswers {
		fmt.Fprintf(w, "(the fake Slack held every chat.postMessage for %s)\n", cfg.postDelay)
	}

	ps := pairs(rs)
	if len(ps) == 0 {
		return
	}
	fmt.Fprintf(w, "\nracebot ÷ reference, each against the racebot run right after that reference (2xx/s: below 1 is slower; latency, CPU, RSS: above 1 is costlier):\n\n")
	fmt.Fprintf(w, "| round | rate | against | 2xx/s | p50 | p99 | CPU/request | peak RSS |\n")
	fmt.Fprintf(w, "| ---: | --- | --- | ---: | ---: | ---: | ---: | ---: |\n")
	for _, p := range ps {
		fmt.Fprintf(w, "| %d | %s | %s | %s | %s | %s | %s | %s |\n", p.ref.round, rateLabel(cfg, p.ref.rate), refName(p.ref.server),
			times(p.ratio(result.throughput)), times(p.ratio(func(r result) float64 { return float64(r.p50) })),
			times(p.ratio(func(r result) float64 { return float64(r.p99) })), times(p.ratio(result.cpuPerRequest)),
			times(p.ratio(func(r result) float64 { return float64(r.peakRSS) })))
	}

	// One line per rate, the median over rounds of each ratio.
	fmt.Fprintf(w, "\nIn short (median over %d round(s)):\n", cfg.rounds)
	for _, rate := range cfg.rates {
		var parts []string
		for _, m := range []struct {
			name string
			f    func(result) float64
		}{
			{"2xx/s", result.throughput},
			{"p99", func(r result) float64 { return float64(r.p99) }},
			{"CPU/request", result.cpuPerRequest},
		} {
			var each []string
			for _, ref := range []string{refCommit, refVerify} {
				var rs []float64
				for _, p := range ps {
					if p.ref.rate == rate && p.ref.server == ref {
						rs = append(rs, p.ratio(m.f))
					}
				}
				each = append(each, times(median(rs))+" "+refName(ref))
			}
			parts = append(parts, m.name+" = "+strings.Join(each, ", "))
		}
		fmt.Fprintf(w, "%s %s: racebot %s\n", sc, rateName(rate), strings.Join(parts, "; "))
	}
}

// pair is a reference run and the racebot run that followed it.
type pair struct{ ref, bot result }

// ratio is racebot's figure divided by the reference's; 0 when the
// reference's is 0.
func (p pair) ratio(f func(result) float64) float64 {
	if d := f(p.ref); d != 0 {
		return f(p.bot) / d
	}
	return 0
}

// pairs matches each reference run with the racebot run of the same
// round and rate that came right after it.
func pairs(rs []result) []pair {
	var ps []pair
	for i, r := range rs {
		if r.server == racebot || i+1 >= len(rs) {
			continue
		}
		next := rs[i+1]
		if next.server == racebot && next.round == r.round && next.rate == r.rate {
			ps = append(ps, pair{ref: r, bot: next})
		}
	}
	return ps
}

func refName(server string) string {
	switch server {
	case refCommit:
		return "group-commit ref"
	case refVerify:
		return "verify-only ref"
	}
	return server
}

func rateLabel(cfg config, rate int) string {
	if rate == 0 {
		return fmt.Sprintf("max (%d workers)", cfg.workers)
	}
	return rateName(rate)
}

func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	xs = slices.Clone(xs)
	slices.Sort(xs)
	n := len(xs)
	if n%2 == 1 {
		return xs[n/2]
	}
	return (xs[n/2-1] + xs[n/2]) / 2
}

// times prints a ratio; 0 stands for one that could not be taken.
func times(x float64) string {
	switch {
	case x == 0:
		return "–"
	case x < 10:
		return fmt.Sprintf("%.2f×", x)
	default:
		return fmt.Sprintf("%.0f×", x)
	}
}

func perSec(n int, d time.Duration) float64 {
	if d <= 0 {
		return 0
	}
	return float64(n) / d.Seconds()
}

func ms(d time.Duration) string { return fmt.Sprintf("%.2f ms", float64(d)/float64(time.Millisecond)) }

func mb(b int64) string { return fmt.Sprintf("%.1f MB", float64(b)/(1<<20)) }
