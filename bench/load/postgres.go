package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/racebot/racebot/bench"
)

// pgServer is the PostgreSQL server of --database-url. Each racebot run
// gets a database of its own on it, as it gets a fresh SQLite file
// without the flag, so no run starts with another's plans.
type pgServer struct {
	base *url.URL
	// tag is in the name of every database this invocation creates, so
	// databases kept by an earlier --keep, or made by another invocation
	// at the same time, are never reused.
	tag  string
	keep bool
	n    int
	// settings is how the server commits, for the header: a server
	// without fsync makes racebot's commits cheaper than the references'.
	settings string
	// postmaster is the server's process on this machine, whose CPU
	// time and its children's is the database's share of a racebot run;
	// 0 when the server is elsewhere or its data folder unreadable.
	postmaster int
}

// pgTimeout bounds each statement the tool itself sends to the server.
const pgTimeout = 30 * time.Second

// openServer checks that the server at raw answers and reads how it
// commits.
func openServer(ctx context.Context, raw string, keep bool) (*pgServer, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("--database-url: %w", err)
	}
	var b [4]byte
	rand.Read(b[:])
	p := &pgServer{base: u, tag: hex.EncodeToString(b[:]), keep: keep}
	ctx, cancel := context.WithTimeout(ctx, pgTimeout)
	defer cancel()
	conn, err := pgx.Connect(ctx, raw)
	if err != nil {
		return nil, fmt.Errorf("connect to %s: %w", u.Redacted(), err)
	}
	defer conn.Close(ctx)
	var version, fsync, syncCommit string
	err = conn.QueryRow(ctx, `SELECT current_setting('server_version'), current_setting('fsync'), current_setting('synchronous_commit')`).
		Scan(&version, &fsync, &syncCommit)
	if err != nil {
		return nil, fmt.Errorf("read the server's settings: %w", err)
	}
	p.settings = fmt.Sprintf("PostgreSQL %s, fsync=%s, synchronous_commit=%s", version, fsync, syncCommit)
	if fsync != "on" || syncCommit == "off" {
		p.settings += " (commits not durable: cheaper than the references' synchronous=FULL)"
	}
	// Only a superuser (or pg_read_all_settings) may read data_directory;
	// without it the server's CPU goes unmeasured, and the output says so.
	var dataDir string
	if conn.QueryRow(ctx, `SELECT current_setting('data_directory')`).Scan(&dataDir) == nil {
		p.postmaster = postmasterPID(dataDir)
	}
	if p.postmaster == 0 {
		p.settings += "; its CPU is not measured (not on this machine, or its data folder unreadable), so racebot's CPU/request leaves out the database's share"
	} else {
		p.settings += "; racebot's CPU/request includes the server's processes'"
	}
	return p, nil
}

// postmasterPID is the PostgreSQL server running on dataDir on this
// machine, or 0.
func postmasterPID(dataDir string) int {
	b, err := os.ReadFile(filepath.Join(dataDir, "postmaster.pid"))
	if err != nil {
		return 0
	}
	line, _, _ := strings.Cut(string(b), "\n")
	pid, err := strconv.Atoi(strings.TrimSpace(line))
	if err != nil || pid <= 0 {
		return 0
	}
	if _, err := os.Stat(fmt.Sprintf("/proc/%d", pid)); err != nil {
		return 0
	}
	return pid
}

// cpu is the processor time the server has used so far: the postmaster's
// and its children's, live ones (backends, writers, autovacuum) and those
// it has reaped. 0 when the server is not on this machine.
func (p *pgServer) cpu() time.Duration {
	if p.postmaster == 0 {
		return 0
	}
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return 0
	}
	var ticks int64
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
		if err != nil {
			continue // gone since the listing
		}
		// After the parenthesised command name: state, ppid, …; utime,
		// stime, cutime and cstime are the 14th to 17th fields.
		_, rest, ok := strings.Cut(string(b), ") ")
		f := strings.Fields(rest)
		if !ok || len(f) < 15 {
			continue
		}
		if ppid, _ := strconv.Atoi(f[1]); pid != p.postmaster && ppid != p.postmaster {
			continue
		}
		for _, v := range f[11:15] {
			n, _ := strconv.ParseInt(v, 10, 64)
			ticks += n
		}
	}
	return time.Duration(ticks) * 10 * time.Millisecond
}

// describe names the server, without a password, and how it commits.
func (p *pgServer) describe() string {
	return fmt.Sprintf("%s, a fresh database each run (racebot_bench_%s_*); the references on SQLite files, as ever, their group commit the yardstick; %s",
		p.base.Redacted(), p.tag, p.settings)
}

// create makes a fresh database for one racebot run. The returned
// function drops it, unless --keep, and says so when it cannot.
func (p *pgServer) create(ctx context.Context, warn func(format string, args ...any)) (bench.Store, func(), error) {
	name := fmt.Sprintf("racebot_bench_%s_%d", p.tag, p.n)
	p.n++
	if err := p.exec(ctx, `CREATE DATABASE `+name); err != nil {
		return bench.Store{}, nil, err
	}
	u := *p.base
	u.Path, u.RawPath = "/"+name, ""
	drop := func() {
		if p.keep {
			warn("keeping database %s\n", name)
			return
		}
		// The run may have ended with ctx cancelled (an interrupt); the
		// database goes all the same. FORCE ends a killed racebot's
		// connections that the server has not noticed yet.
		if err := p.exec(context.WithoutCancel(ctx), `DROP DATABASE IF EXISTS `+name+` WITH (FORCE)`); err != nil {
			warn("cannot drop database %s: %v\n", name, err)
		}
	}
	return bench.Store{URL: u.String()}, drop, nil
}

// leftover lists the databases of this invocation still on the server.
func (p *pgServer) leftover(ctx context.Context) ([]string, error) {
	ctx, cancel := context.WithTimeout(ctx, pgTimeout)
	defer cancel()
	conn, err := pgx.Connect(ctx, p.base.String())
	if err != nil {
		return nil, fmt.Errorf("connect to %s: %w", p.base.Redacted(), err)
	}
	defer conn.Close(ctx)
	rows, err := conn.Query(ctx, `SELECT datname FROM pg_database WHERE datname LIKE $1 ORDER BY datname`, "racebot_bench_"+p.tag+"_%")
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, pgx.RowTo[string])
}

func (p *pgServer) exec(ctx context.Context, sql string) error {
	ctx, cancel := context.WithTimeout(ctx, pgTimeout)
	defer cancel()
	conn, err := pgx.Connect(ctx, p.base.String())
	if err != nil {
		return fmt.Errorf("connect to %s: %w", p.base.Redacted(), err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, sql); err != nil {
		return fmt.Errorf("%s: %w", sql, err)
	}
	return nil
}

// countStoredPG counts what the replies became in racebot's PostgreSQL
// database, as countStored does in an SQLite file.
func countStoredPG(ctx context.Context, dbURL string) (stored, error) {
	var s stored
	// Counted after an interrupt too, as the SQLite file is.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), pgTimeout)
	defer cancel()
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		return s, fmt.Errorf("connect to racebot's database: %w", err)
	}
	defer conn.Close(ctx)
	err = conn.QueryRow(ctx, storedQuery).Scan(&s.answers, &s.also, &s.actions)
	if err != nil {
		return s, fmt.Errorf("count stored replies: %w", err)
	}
	return s, nil
}
