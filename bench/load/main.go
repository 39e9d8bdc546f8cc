// Command load is racebot's load benchmark. It builds racebot and attacks
// `racebot serve` (a subprocess on a fresh SQLite file, or with
// --database-url on a fresh PostgreSQL database, against an in-process fake of the Slack Web API) with freshly signed requests as
// Slack sends them, at fixed rates and at the maximum, in two scenarios:
// answers (thread replies that each record a coaching answer) and slash
// (`/race help`). A third scenario, backlog, runs racebot alone: answers
// into one thread far faster than Slack takes messages in a channel. In the same invocation, alternated with racebot through
// the same load, it runs two reference servers (bench.RefVerify and
// bench.RefCommit), so every figure of racebot's is also a ratio to what
// the same machine, at the same moment, gives a server that does much less.
// For every run it prints requests/s, p50/p99/max latency, errors, peak
// memory, CPU per request, and how many acknowledged answers are stored.
//
//	go run ./load --rates 1000,4000,max --duration 5s --rounds 3
//	go run ./load --scenario answers --post-delay 2s --rates 300,500   # ack under load
//	go run ./load --scenario backlog --duration 60s                    # 50 answers/s into one thread
//	go run ./load --database-url "$(../.ci/postgres start /tmp/pg)"   # racebot on PostgreSQL
//
// Run it from the bench folder (bench is a module of its own). See
// bench/README.md for what it measures and what the ratios mean.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/racebot/racebot/bench"
)

func main() {
	if len(os.Args) > 1 && os.Args[1] == "ref" {
		os.Exit(ref(os.Args[2:]))
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	switch {
	case errors.Is(err, errUsage):
		os.Exit(2)
	case err != nil:
		fmt.Fprintln(os.Stderr, "load:", err)
		os.Exit(1)
	}
}

// ref runs a reference server until SIGTERM and returns its exit status.
// The load tool runs itself as the reference servers, so they are
// processes of their own as racebot is.
func ref(args []string) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := bench.RunRef(ctx, args, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "load ref:", err)
		return 1
	}
	return 0
}

var errUsage = errors.New("usage")

// Scenarios: what each request asks of the server.
const (
	scenarioAnswers = "answers" // a thread reply that records a coaching answer
	scenarioSlash   = "slash"   // `/race help`, answered with an ephemeral message
	scenarioBacklog = "backlog" // answers into one thread, faster than Slack takes replies
)

// backlogDuration is the backlog scenario's run unless --duration says
// otherwise: long enough for a backlog to build up.
const backlogDuration = time.Minute

// config is the benchmark's command line.
type config struct {
	rates     []int // 0 is the maximum
	duration  time.Duration
	keep      bool
	postDelay time.Duration
	perPlan   int
	workers   uint64
	maxRate   int
	perf      bool
	scenarios []string
	rounds    int
	// backlogRate is the backlog scenario's answers a second.
	backlogRate int
	// databaseURL is the PostgreSQL server racebot runs on, a fresh
	// database each run; empty: an SQLite file each run.
	databaseURL string
}

// databaseURLEnv is the default of --database-url.
const databaseURLEnv = "RACEBOT_BENCH_DATABASE_URL"

func parseFlags(args []string, stderr io.Writer) (config, error) {
	fs := flag.NewFlagSet("load", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var (
		cfg      config
		rates    string
		scenario string
	)
	fs.StringVar(&rates, "rates", "1000,4000,max", "comma-separated request rates per second; max attacks as fast as the server answers")
	fs.DurationVar(&cfg.duration, "duration", 5*time.Second, "length of each run (the backlog scenario's default is 1m)")
	fs.StringVar(&scenario, "scenario", "both", "answers (thread replies that record an answer), slash (/race help), both, or backlog (answers into one thread, racebot alone)")
	fs.IntVar(&cfg.backlogRate, "backlog-rate", 50, "answers a second into the backlog scenario's one thread")
	fs.IntVar(&cfg.rounds, "rounds", 1, "rounds; each runs every rate on ref-verify, racebot, ref-commit, racebot in turn")
	fs.BoolVar(&cfg.keep, "keep", false, "keep the temporary folder with databases, logs and profiles")
	fs.DurationVar(&cfg.postDelay, "post-delay", 0, "make the fake Slack hold every chat.postMessage this long (ack under load: try 2s)")
	fs.IntVar(&cfg.perPlan, "per-plan", 0, "answers per plan; 0 means the number of questions in the first RACE stage")
	fs.Uint64Var(&cfg.workers, "workers", 64, "concurrent requests in the max run")
	fs.IntVar(&cfg.maxRate, "max-capacity", 6000, "plans for racebot's max answers run are created for this many requests/s")
	fs.BoolVar(&cfg.perf, "perf", false, "record racebot's runs with `perf record` and print its hottest functions")
	fs.StringVar(&cfg.databaseURL, "database-url", os.Getenv(databaseURLEnv), "run racebot on this PostgreSQL server (postgres://…), in a database of its own each run that is dropped afterwards unless --keep; the references stay on SQLite (env "+databaseURLEnv+")")
	if err := fs.Parse(args); err != nil {
		return cfg, errUsage
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "load: unexpected argument %q\n", fs.Arg(0))
		return cfg, errUsage
	}
	for _, r := range strings.Split(rates, ",") {
		r = strings.TrimSpace(r)
		if r == "max" {
			cfg.rates = append(cfg.rates, 0)
			continue
		}
		n, err := strconv.Atoi(r)
		if err != nil || n <= 0 {
			fmt.Fprintf(stderr, "load: --rates: %q is not a positive number or max\n", r)
			return cfg, errUsage
		}
		cfg.rates = append(cfg.rates, n)
	}
	switch scenario {
	case scenarioAnswers, scenarioSlash:
		cfg.scenarios = []string{scenario}
	case "both":
		cfg.scenarios = []string{scenarioAnswers, scenarioSlash}
	case scenarioBacklog:
		cfg.scenarios = []string{scenario}
		explicit := false
		fs.Visit(func(f *flag.Flag) { explicit = explicit || f.Name == "duration" })
		if !explicit {
			cfg.duration = backlogDuration
		}
	default:
		fmt.Fprintf(stderr, "load: --scenario: %q is not answers, slash, both or backlog\n", scenario)
		return cfg, errUsage
	}
	if u := cfg.databaseURL; u != "" && !strings.HasPrefix(u, "postgres://") && !strings.HasPrefix(u, "postgresql://") {
		fmt.Fprintln(stderr, "load: --database-url must be a postgres:// URL")
		return cfg, errUsage
	}
	if cfg.duration <= 0 || cfg.workers == 0 || cfg.maxRate <= 0 || cfg.rounds <= 0 || cfg.backlogRate <= 0 {
		fmt.Fprintln(stderr, "load: --duration, --workers, --max-capacity, --rounds and --backlog-rate must be positive")
		return cfg, errUsage
	}
	return cfg, nil
}

// order is the servers of one rate in one round. racebot runs right after
// each reference, and each ratio is taken against the racebot run that
// followed that reference: the two ran seconds apart, on the same machine
// in the same state.
var order = []string{refVerify, racebot, refCommit, racebot}

// Server names in the output.
const (
	racebot   = "racebot"
	refVerify = "ref-verify"
	refCommit = "ref-commit"
)

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cfg, err := parseFlags(args, stderr)
	if err != nil {
		return err
	}
	b, err := newBencher(ctx, cfg, stdout)
	if err != nil {
		return err
	}
	defer b.close()
	if cfg.scenarios[0] == scenarioBacklog {
		return b.backlog(ctx)
	}
	results, err := b.runAll(ctx)
	if err != nil {
		return err
	}
	for _, sc := range cfg.scenarios {
		printScenario(stdout, cfg, sc, results)
	}
	return storedAll(results)
}

// newBencher makes the invocation's temporary folder and, with
// --database-url, checks the PostgreSQL server and says how it commits.
func newBencher(ctx context.Context, cfg config, stdout io.Writer) (*bencher, error) {
	dir, err := os.MkdirTemp("", "racebot-load-")
	if err != nil {
		return nil, err
	}
	b := &bencher{cfg: cfg, dir: dir, out: stdout}
	if cfg.keep {
		fmt.Fprintf(stdout, "keeping %s\n", dir)
	}
	if cfg.databaseURL != "" {
		if b.pg, err = openServer(ctx, cfg.databaseURL, cfg.keep); err != nil {
			b.close()
			return nil, err
		}
		fmt.Fprintf(stdout, "racebot on PostgreSQL: %s\n", b.pg.describe())
	}
	return b, nil
}

// close removes the temporary folder unless --keep.
func (b *bencher) close() {
	if !b.cfg.keep {
		os.RemoveAll(b.dir)
	}
}

// runAll runs every scenario, round, rate and server in turn.
func (b *bencher) runAll(ctx context.Context) ([]result, error) {
	if err := b.prepare(ctx); err != nil {
		return nil, err
	}
	var results []result
	n := 0
	for _, sc := range b.cfg.scenarios {
		for round := 1; round <= b.cfg.rounds; round++ {
			for _, rate := range b.cfg.rates {
				for _, server := range order {
					if ctx.Err() != nil {
						break
					}
					r, err := b.runOne(ctx, run1{n: n, scenario: sc, round: round, server: server, rate: rate})
					n++
					if err != nil {
						return results, fmt.Errorf("%s %s %s round %d: %w", sc, server, rateName(rate), round, err)
					}
					results = append(results, r)
				}
			}
		}
	}
	return results, nil
}

// storedAll is the exit status's verdict: every answer that racebot or
// ref-commit acknowledged is stored.
func storedAll(results []result) error {
	for _, r := range results {
		if r.scenario == scenarioAnswers && r.server != refVerify && r.stored != r.acked {
			return fmt.Errorf("%s %s %s round %d: %d answers acknowledged but %d stored",
				r.scenario, r.server, rateName(r.rate), r.round, r.acked, r.stored)
		}
	}
	return nil
}

func rateName(rate int) string {
	if rate == 0 {
		return "max"
	}
	return strconv.Itoa(rate) + "/s"
}

// backlog runs the backlog scenario once and reports it; it fails when an
// acknowledged answer is missing from the database.
func (b *bencher) backlog(ctx context.Context) error {
	fmt.Fprintf(b.out, "building racebot; %d CPUs, %s\n", runtime.NumCPU(), runtime.Version())
	bin, err := bench.Build(b.dir)
	if err != nil {
		return err
	}
	b.bin = bin
	r, err := b.runBacklog(ctx)
	if err != nil {
		return fmt.Errorf("backlog: %w", err)
	}
	printBacklog(b.out, r)
	return backlogOK(r)
}
