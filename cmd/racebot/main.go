// Command racebot coaches marketing teams through a RACE plan, in Slack when
// tokens are set and in the terminal when they are not.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"
)

func main() {
	guardMemory(os.Getenv)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Getenv, os.Stdin, os.Stdout, os.Stderr)
	stop()
	if err != nil {
		if !errors.Is(err, errUsage) {
			fmt.Fprintln(os.Stderr, "racebot:", err)
		}
		os.Exit(exitCode(err))
	}
}

// defaultMemoryLimit is the soft memory limit racebot runs under when
// GOMEMLIMIT is not set: a guard against a runaway heap, far above what
// racebot needs (its peak RSS under the load benchmark is 80-100 MB, a
// fifth of it the binary's own pages). It used to be 64 MiB, which
// overload reached: past capacity the live heap grew towards it, the
// collector then took half the CPU, fewer requests were served, more
// waited, and at 4,000 answers/s four runs in 26 fell to a quarter of their
// throughput (at 256 MiB, none of 12). It is soft, so racebot can still
// use more when its live data needs it; set GOMEMLIMIT (or
// GOMEMLIMIT=off) to choose otherwise.
const defaultMemoryLimit = 256 << 20

// guardMemory sets defaultMemoryLimit unless the environment sets a limit
// of its own, which the runtime has already applied.
func guardMemory(getenv func(string) string) {
	if getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(defaultMemoryLimit)
	}
}

// errUsage is a command-line mistake already explained on stderr.
var errUsage = errors.New("usage")

func exitCode(err error) int {
	if errors.Is(err, errUsage) {
		return 2
	}
	return 1
}

// run is main without the process: tests call it with their own arguments,
// environment and streams.
func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	cfg := loadConfig(getenv)
	sub := ""
	if len(args) > 0 && len(args[0]) > 0 && args[0][0] != '-' {
		sub, args = args[0], args[1:]
	}
	switch sub {
	case "", "coach":
		return runCoach(ctx, cfg, args, stdin, stdout, stderr)
	case "serve":
		return runServe(ctx, cfg, args, stdout, stderr)
	case "export":
		return runExport(ctx, cfg, args, stdout, stderr)
	case "schedule":
		return runScheduleNext(args, stdout, stderr)
	case "backup":
		return runBackup(ctx, cfg, args, stdout, stderr)
	case "migrate":
		return runMigrate(ctx, cfg, args, stdout, stderr)
	case "help":
		fmt.Fprint(stdout, usage)
		return nil
	default:
		fmt.Fprintf(stderr, "racebot: unknown command %q\n\n%s", sub, usage)
		return errUsage
	}
}

const usage = `racebot coaches your marketing team through a RACE plan (Plan, Reach, Act, Convert, Engage).

Usage:
  racebot [--db FILE]                     the coach: in Slack when tokens are set, else in this terminal
  racebot serve [--addr :3000]            Slack over HTTP (needs SLACK_SIGNING_SECRET)
  racebot export --plan NAME [--db FILE]  print a plan as Markdown
  racebot schedule next "SPEC" [--after T] [--count N]
                                          print the next check-ins of a schedule
  racebot backup FILE [--db FILE]         consistent copy of a live database
  racebot migrate --to postgres://… [--db FILE] [--force]
                                          copy the SQLite database into PostgreSQL, verified
  racebot help (or --help)                this text

Environment: RACEBOT_DB (default racebot.db), RACEBOT_DATABASE_URL (PostgreSQL
instead of the file, for several replicas), SLACK_BOT_TOKEN, SLACK_APP_TOKEN,
SLACK_SIGNING_SECRET, OPENAI_API_KEY, OPENAI_BASE_URL, OPENAI_MODEL; GOMEMLIMIT
(default 256MiB, a soft limit: the collector works harder near it).
`
