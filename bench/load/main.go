// Command load is racebot's load benchmark: it builds racebot, starts
// `racebot serve` on a fresh SQLite file against an in-process fake of the
// Slack Web API, and attacks /slack/events with freshly signed thread
// replies (Events API message events) that each record a coaching answer,
// at fixed rates and at the maximum. For every run it prints requests/s,
// p50/p99/max latency, errors, the server's peak memory, and how many of
// the acknowledged answers are in the database afterwards.
//
//	go run ./bench/load --rates 1000,5000,10000,max --duration 5s
//	go run ./bench/load --post-delay 2s --rates 1000,5000   # ack under load
//
// See bench/README.md for what it measures and the figures on a 2-core box.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"
)

func main() {
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

var errUsage = errors.New("usage")

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
}

func parseFlags(args []string, stderr io.Writer) (config, error) {
	fs := flag.NewFlagSet("load", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var (
		cfg   config
		rates string
	)
	fs.StringVar(&rates, "rates", "1000,5000,10000,max", "comma-separated request rates per second; max attacks as fast as racebot answers")
	fs.DurationVar(&cfg.duration, "duration", 5*time.Second, "length of each run")
	fs.BoolVar(&cfg.keep, "keep", false, "keep the temporary folder with databases, logs and profiles")
	fs.DurationVar(&cfg.postDelay, "post-delay", 0, "make the fake Slack hold every chat.postMessage this long (ack under load: try 2s)")
	fs.IntVar(&cfg.perPlan, "per-plan", 0, "answers per plan; 0 means the number of questions in the first RACE stage")
	fs.Uint64Var(&cfg.workers, "workers", 64, "concurrent requests in the max run")
	fs.IntVar(&cfg.maxRate, "max-capacity", 5000, "plans for the max run are created for this many requests/s")
	fs.BoolVar(&cfg.perf, "perf", false, "record each run with `perf record` and print racebot's hottest functions")
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
	if cfg.duration <= 0 || cfg.workers == 0 || cfg.maxRate <= 0 {
		fmt.Fprintln(stderr, "load: --duration, --workers and --max-capacity must be positive")
		return cfg, errUsage
	}
	return cfg, nil
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cfg, err := parseFlags(args, stderr)
	if err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", "racebot-load-")
	if err != nil {
		return err
	}
	if cfg.keep {
		fmt.Fprintf(stdout, "keeping %s\n", dir)
	} else {
		defer os.RemoveAll(dir)
	}
	b := &bencher{cfg: cfg, dir: dir, out: stdout}
	if err := b.prepare(); err != nil {
		return err
	}
	var results []result
	for i, rate := range cfg.rates {
		if ctx.Err() != nil {
			break
		}
		r, err := b.runOne(ctx, i, rate)
		if err != nil {
			return fmt.Errorf("run %s: %w", rateName(rate), err)
		}
		results = append(results, r)
	}
	printTable(stdout, cfg, results)
	for _, r := range results {
		if r.stored != r.acked {
			return fmt.Errorf("%s: %d answers acknowledged but %d stored", rateName(r.rate), r.acked, r.stored)
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
