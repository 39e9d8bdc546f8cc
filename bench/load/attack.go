package main

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/racebot/racebot/bench"
	"github.com/racebot/racebot/flows"
	vegeta "github.com/tsenart/vegeta/v12/lib"
	_ "modernc.org/sqlite"
)

// bencher runs the benchmark's runs one after another.
type bencher struct {
	cfg     config
	dir     string
	out     io.Writer
	bin     string
	perPlan int
}

// result is what one run measured.
type result struct {
	rate      int
	sent      int
	elapsed   time.Duration
	ok        int // 2xx
	errors    int // non-2xx and transport errors
	firstErr  string
	p50, p99  time.Duration
	max       time.Duration
	setupRSS  int64
	peakRSS   int64
	acked     int // answers acknowledged with a 2xx
	stored    int // answer revisions in the database afterwards
	explained int // ephemeral messages: errors explained to a person
	logErrors int // ERROR lines in racebot's log
	maxPosts  int64
	plans     int
	serverCPU time.Duration // racebot's CPU time during the attack
	loadCPU   time.Duration // this process's: load generator and fake Slack
	allCPU    time.Duration // the whole machine's busy time
}

func (b *bencher) prepare() error {
	fmt.Fprintf(b.out, "building racebot; %d CPUs, %s\n", runtime.NumCPU(), runtime.Version())
	bin, err := bench.Build(b.dir)
	if err != nil {
		return err
	}
	b.bin = bin
	b.perPlan = b.cfg.perPlan
	if b.perPlan == 0 {
		// Past the first stage's questions a reply is read as an action,
		// which needs scores: every reply in the benchmark is an answer.
		b.perPlan = len(flows.RACE().Stages[0].Steps())
	}
	return nil
}

// runOne measures one rate (0: the maximum) on a fresh server and file.
func (b *bencher) runOne(ctx context.Context, n, rate int) (result, error) {
	res := result{rate: rate}
	runDir := filepath.Join(b.dir, fmt.Sprintf("run%d-%s", n, strings.TrimSuffix(rateName(rate), "/s")))
	if err := os.Mkdir(runDir, 0o700); err != nil {
		return res, err
	}
	api := bench.NewSlackAPI(b.cfg.postDelay)
	defer api.Close()
	db := filepath.Join(runDir, "racebot.db")
	srv, err := bench.Start(b.bin, db, api.URL(), filepath.Join(runDir, "racebot.log"))
	if err != nil {
		return res, err
	}
	defer srv.Kill()

	// Enough plans that every request answers an open question.
	perSecond := rate
	if rate == 0 {
		perSecond = b.cfg.maxRate
	}
	capacity := int(float64(perSecond)*b.cfg.duration.Seconds()*1.05) + 1
	res.plans = (capacity + b.perPlan - 1) / b.perPlan
	setup := time.Now()
	client := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 16}}
	plans, err := bench.CreatePlans(ctx, client, srv, api, fmt.Sprintf("R%d", n), res.plans)
	if err != nil {
		return res, err
	}
	client.CloseIdleConnections()
	fmt.Fprintf(b.out, "\n== %s for %s: %d plans created in %s\n", rateName(rate), b.cfg.duration, len(plans), time.Since(setup).Round(time.Millisecond))
	// Let the plan headers' follow-up posts settle, then measure from here.
	time.Sleep(time.Second)
	res.setupRSS, _, _ = srv.Memory()
	if err := srv.ResetPeak(); err != nil {
		fmt.Fprintf(b.out, "cannot reset the peak RSS (%v); the figure includes setup\n", err)
	}

	var stopPerf func() (string, error)
	if b.cfg.perf {
		stopPerf, err = startPerf(srv.PID(), filepath.Join(runDir, "perf.data"))
		if err != nil {
			return res, err
		}
	}

	var seq atomic.Uint64
	targeter := func(t *vegeta.Target) error {
		i := seq.Add(1) - 1
		if i >= uint64(capacity) {
			return vegeta.ErrNoTargets
		}
		// Round robin over the plans: a plan's next answer comes a whole
		// round later, as in a team that answers between other work, so
		// answers do not queue behind each other on one plan.
		body := bench.Answer(i, plans[i%uint64(len(plans))]).AppendBody(make([]byte, 0, 3072))
		t.Method = http.MethodPost
		t.URL = srv.URL()
		t.Body = body
		t.Header = bench.SignedHeader(body, bench.JSONType, time.Now())
		return nil
	}
	opts := []func(*vegeta.Attacker){vegeta.Timeout(10 * time.Second), vegeta.KeepAlive(true)}
	pacer := vegeta.Rate{Freq: rate, Per: time.Second}
	if rate == 0 {
		opts = append(opts, vegeta.Workers(b.cfg.workers), vegeta.MaxWorkers(b.cfg.workers))
		pacer = vegeta.Rate{}
	}
	atk := vegeta.NewAttacker(opts...)
	var lat []time.Duration
	cpu0, _ := srv.CPUTime()
	self0 := selfCPU()
	all0 := machineCPU()
	start := time.Now()
	var end time.Time
	for r := range atk.Attack(vegeta.Targeter(targeter), pacer, b.cfg.duration, "answers") {
		if r.Error == vegeta.ErrNoTargets.Error() && r.Code == 0 {
			continue // the plans are full: the attack ends here
		}
		res.sent++
		lat = append(lat, r.Latency)
		if e := r.End(); e.After(end) {
			end = e
		}
		if r.Code/100 == 2 {
			res.ok++
			continue
		}
		res.errors++
		if res.firstErr == "" {
			res.firstErr = fmt.Sprintf("HTTP %d %s", r.Code, r.Error)
		}
	}
	res.elapsed = end.Sub(start)
	if res.sent >= capacity {
		fmt.Fprintf(b.out, "every plan was full before the time was up; the run ended early (raise --max-capacity)\n")
	}
	cpu1, _ := srv.CPUTime()
	res.serverCPU, res.loadCPU, res.allCPU = cpu1-cpu0, selfCPU()-self0, machineCPU()-all0
	res.acked = res.ok
	_, res.peakRSS, _ = srv.Memory()
	if stopPerf != nil {
		report, err := stopPerf()
		if err != nil {
			fmt.Fprintf(b.out, "perf: %v\n", err)
		}
		fmt.Fprint(b.out, report)
	}
	slices.Sort(lat)
	res.p50, res.p99, res.max = quantile(lat, 0.50), quantile(lat, 0.99), quantile(lat, 1)

	// SIGTERM drains the posts still queued, then the file is checked.
	if err := srv.Stop(time.Minute); err != nil {
		fmt.Fprintf(b.out, "racebot did not stop cleanly: %v\n", err)
	}
	_, explained, _, maxPosts := api.Counts()
	res.explained, res.maxPosts = int(explained), maxPosts
	res.logErrors = countErrors(srv.Log)
	if res.stored, err = countAnswers(db); err != nil {
		return res, err
	}
	printRun(b.out, res)
	return res, nil
}

func selfCPU() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// machineCPU is the busy time of all processors so far, from /proc/stat:
// everything but idle and iowait.
func machineCPU() time.Duration {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0
	}
	line, _, _ := strings.Cut(string(b), "\n")
	f := strings.Fields(line)
	var busy int64
	for i, v := range f[1:] {
		n, _ := strconv.ParseInt(v, 10, 64)
		if i != 3 && i != 4 && i < 8 { // idle, iowait; guest time is already in user
			busy += n
		}
	}
	return time.Duration(busy) * 10 * time.Millisecond
}

func quantile(sorted []time.Duration, q float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(q*float64(len(sorted))+0.5) - 1
	return sorted[max(0, min(i, len(sorted)-1))]
}

// countAnswers counts answer revisions in the database and checks its
// integrity on the way.
func countAnswers(path string) (int, error) {
	db, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		return 0, err
	}
	defer db.Close()
	var check string
	if err := db.QueryRow(`PRAGMA integrity_check`).Scan(&check); err != nil {
		return 0, fmt.Errorf("integrity check: %w", err)
	}
	if check != "ok" {
		return 0, fmt.Errorf("integrity check: %s", check)
	}
	var n int
	if err := db.QueryRow(`SELECT count(*) FROM answers`).Scan(&n); err != nil {
		return 0, fmt.Errorf("count answers: %w", err)
	}
	return n, nil
}

func countErrors(log string) int {
	b, err := os.ReadFile(log)
	if err != nil {
		return -1
	}
	return strings.Count(string(b), `"level":"ERROR"`)
}

// startPerf samples racebot's stacks with perf until the returned function
// is called, which returns its hottest functions.
func startPerf(pid int, out string) (func() (string, error), error) {
	cmd := exec.Command("perf", "record", "-F", "997", "-g", "-p", strconv.Itoa(pid), "-o", out)
	cmd.Stdout, cmd.Stderr = io.Discard, io.Discard
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("perf record: %w", err)
	}
	time.Sleep(200 * time.Millisecond) // perf attaches
	return func() (string, error) {
		cmd.Process.Signal(syscall.SIGINT)
		cmd.Wait()
		flat, err := exec.Command("perf", "report", "-i", out, "--stdio", "--no-children", "-g", "none",
			"--sort", "symbol", "--percent-limit", "1.5").Output()
		if err != nil {
			return "", fmt.Errorf("perf report: %w", err)
		}
		cum, err := exec.Command("perf", "report", "-i", out, "--stdio", "--children", "-g", "none",
			"--sort", "symbol", "--percent-limit", "4").Output()
		if err != nil {
			return "", fmt.Errorf("perf report: %w", err)
		}
		return "-- racebot CPU, self time (perf):\n" + perfLines(flat) + "-- racebot CPU, including callees (perf):\n" + perfLines(cum), nil
	}, nil
}

func perfLines(report []byte) string {
	var sb strings.Builder
	for line := range strings.Lines(string(report)) {
		if strings.HasPrefix(line, "#") || strings.TrimSpace(line) == "" {
			continue
		}
		sb.WriteString("   " + line)
	}
	return sb.String()
}

func printRun(w io.Writer, r result) {
	fmt.Fprintf(w, "sent %d in %s = %.0f req/s; 2xx %d (%.0f/s); errors %d %s\n",
		r.sent, r.elapsed.Round(time.Millisecond), perSec(r.sent, r.elapsed), r.ok, perSec(r.ok, r.elapsed), r.errors, r.firstErr)
	fmt.Fprintf(w, "latency p50 %s  p99 %s  max %s\n", ms(r.p50), ms(r.p99), ms(r.max))
	fmt.Fprintf(w, "CPU: racebot %.0f%% of a core (%.0f µs a request), load generator and fake Slack %.0f%%\n",
		100*r.serverCPU.Seconds()/r.elapsed.Seconds(), float64(r.serverCPU.Microseconds())/float64(max(1, r.sent)),
		100*r.loadCPU.Seconds()/r.elapsed.Seconds())
	if other := r.allCPU - r.serverCPU - r.loadCPU; other > r.elapsed/10 {
		fmt.Fprintf(w, "warning: other processes used %.0f%% of a core during the run; the figures are low\n", 100*other.Seconds()/r.elapsed.Seconds())
	}
	fmt.Fprintf(w, "racebot RSS after setup %s, peak during the run %s\n", mb(r.setupRSS), mb(r.peakRSS))
	fmt.Fprintf(w, "answers acknowledged %d, stored %d; errors explained to users %d; ERROR log lines %d; most posts in flight %d\n",
		r.acked, r.stored, r.explained, r.logErrors, r.maxPosts)
}

func printTable(w io.Writer, cfg config, rs []result) {
	fmt.Fprintf(w, "\n| rate | achieved req/s | p50 | p99 | max | errors | peak RSS | acked / stored |\n")
	fmt.Fprintf(w, "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n")
	for _, r := range rs {
		name := rateName(r.rate)
		if r.rate == 0 {
			name = fmt.Sprintf("max (%d workers)", cfg.workers)
		}
		fmt.Fprintf(w, "| %s | %.0f | %s | %s | %s | %d | %s | %d / %d |\n",
			name, perSec(r.ok, r.elapsed), ms(r.p50), ms(r.p99), ms(r.max), r.errors, mb(r.peakRSS), r.acked, r.stored)
	}
	if cfg.postDelay > 0 {
		fmt.Fprintf(w, "(the fake Slack held every chat.postMessage for %s)\n", cfg.postDelay)
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
