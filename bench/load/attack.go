package main

import (
	"bytes"
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
	bin     string // racebot
	self    string // this program, which is also the reference servers
	ackFile string // racebot's answer to `/race help`, for the references
	perPlan int
	pg      *pgServer // with --database-url: racebot's runs are on it
}

// run1 is one run: a server attacked at one rate in one scenario.
type run1 struct {
	n        int
	scenario string
	round    int
	server   string
	rate     int // 0: the maximum
}

// result is what one run measured.
type result struct {
	run1
	sent      int
	elapsed   time.Duration
	ok        int // 2xx
	errors    int // non-2xx and transport errors
	firstErr  string
	bytesIn   int64 // response bodies
	p50, p99  time.Duration
	max       time.Duration
	setupRSS  int64
	peakRSS   int64
	exitRSS   int64 // peak from the attack's start through the shutdown
	acked     int   // answers acknowledged with a 2xx
	stored    int   // answer rows in the database afterwards
	explained int   // ephemeral messages: errors explained to a person
	logErrors int   // ERROR lines in the server's log
	maxPosts  int64
	plans     int
	serverCPU time.Duration // the server's CPU time during the attack
	// dbCPU is the PostgreSQL server's CPU time during a racebot attack
	// with --database-url (0 otherwise): the references do their SQLite
	// work in their own process, so racebot's CPU a request includes it.
	dbCPU   time.Duration
	loadCPU time.Duration // this process's: load generator and fake Slack
	allCPU  time.Duration // the whole machine's busy time
}

func (b *bencher) prepare(ctx context.Context) error {
	fmt.Fprintf(b.out, "building racebot; %d CPUs, %s\n", runtime.NumCPU(), runtime.Version())
	bin, err := bench.Build(b.dir)
	if err != nil {
		return err
	}
	b.bin = bin
	if b.self, err = os.Executable(); err != nil {
		return fmt.Errorf("find this program for the reference servers: %w", err)
	}
	b.perPlan = b.cfg.perPlan
	if b.perPlan == 0 {
		// Past the first stage's questions a reply is read as an action,
		// which needs scores: every reply in the benchmark is an answer.
		b.perPlan = len(flows.RACE().Stages[0].Steps())
	}
	ack, err := b.helpAck(ctx)
	if err != nil {
		return fmt.Errorf("ask racebot for its /race help answer: %w", err)
	}
	b.ackFile = filepath.Join(b.dir, "help-ack.json")
	if err := os.WriteFile(b.ackFile, ack, 0o600); err != nil {
		return err
	}
	fmt.Fprintf(b.out, "racebot answers /race help with %d bytes of JSON; the reference servers answer every slash command with the same\n", len(ack))
	return nil
}

// helpAck starts racebot once and returns its answer to `/race help`, so
// the reference servers answer the slash scenario with the same bytes.
func (b *bencher) helpAck(ctx context.Context) ([]byte, error) {
	dir := filepath.Join(b.dir, "probe")
	if err := os.Mkdir(dir, 0o700); err != nil {
		return nil, err
	}
	api := bench.NewSlackAPI(0)
	defer api.Close()
	srv, err := bench.Start(b.bin, bench.SQLite(filepath.Join(dir, "racebot.db")), api.URL(), filepath.Join(dir, "racebot.log"))
	if err != nil {
		return nil, err
	}
	defer srv.Kill()
	body := helpCommand(api, 0)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, srv.URL(), bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header = bench.SignedHeader(body, bench.FormType, time.Now())
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	ack, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK || !bytes.HasPrefix(bytes.TrimSpace(ack), []byte("{")) {
		return nil, fmt.Errorf("HTTP %d %.200s", resp.StatusCode, ack)
	}
	srv.Stop(10 * time.Second)
	return ack, nil
}

// helpCommand is the i-th `/race help` of the slash scenario: a hundred
// people in a hundred channels.
func helpCommand(api *bench.SlackAPI, i uint64) []byte {
	return bench.Command{
		Channel:     "CS" + strconv.FormatUint(10000+i%100, 10),
		User:        "U" + strconv.FormatUint(1000+i%97, 10),
		Text:        "help",
		ResponseURL: api.ResponseURL(i),
		Seq:         i,
	}.Body()
}

// runOne measures one server at one rate on a fresh process and file.
func (b *bencher) runOne(ctx context.Context, r1 run1) (result, error) {
	res := result{run1: r1}
	rate := r1.rate
	runDir := filepath.Join(b.dir, fmt.Sprintf("run%03d-%s-%s-%s", r1.n, r1.scenario, r1.server, strings.TrimSuffix(rateName(rate), "/s")))
	if err := os.Mkdir(runDir, 0o700); err != nil {
		return res, err
	}
	// Every run has the fake Slack, whose URLs are in the slash commands'
	// response_url; only racebot calls it.
	api := bench.NewSlackAPI(b.cfg.postDelay)
	defer api.Close()
	db := filepath.Join(runDir, r1.server+".db")
	logFile := filepath.Join(runDir, r1.server+".log")
	var (
		srv   *bench.Server
		store bench.Store
		err   error
	)
	switch r1.server {
	case racebot:
		var drop func()
		if store, drop, err = b.racebotStore(ctx, db); err != nil {
			return res, err
		}
		defer drop()
		srv, err = bench.Start(b.bin, store, api.URL(), logFile)
	case refVerify:
		srv, err = bench.StartRef(b.self, bench.RefVerify, db, b.ackFile, logFile)
	case refCommit:
		srv, err = bench.StartRef(b.self, bench.RefCommit, db, b.ackFile, logFile)
	}
	if err != nil {
		return res, err
	}
	defer srv.Kill()

	// capacity bounds the requests of a run; racebot's answers need an
	// open question each, so its plans set the bound.
	capacity := uint64(1) << 62
	var plans []bench.Plan
	setup := time.Now()
	if r1.scenario == scenarioAnswers {
		perSecond := rate
		if rate == 0 {
			perSecond = b.cfg.maxRate
		}
		c := int(float64(perSecond)*b.cfg.duration.Seconds()*1.05) + 1
		res.plans = (c + b.perPlan - 1) / b.perPlan
		prefix := fmt.Sprintf("R%d", r1.n)
		if r1.server == racebot {
			capacity = uint64(c)
			client := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 16}}
			plans, err = bench.CreatePlans(ctx, client, srv, api, prefix, res.plans)
			if err != nil {
				return res, err
			}
			client.CloseIdleConnections()
		} else {
			// The references keep no plans; they get the same number of
			// channels and threads of the same shape, so the bodies match.
			plans = make([]bench.Plan, res.plans)
			for i := range plans {
				plans[i] = bench.Plan{Channel: fmt.Sprintf("C%s%05d", prefix, i), Thread: "1700000000." + fmt.Sprintf("%06d", 2*i+1)}
			}
		}
	}
	fmt.Fprintf(b.out, "\n== %s round %d, %s %s for %s", r1.scenario, r1.round, r1.server, rateName(rate), b.cfg.duration)
	if r1.server == racebot && len(plans) > 0 {
		fmt.Fprintf(b.out, ": %d plans created in %s", len(plans), time.Since(setup).Round(time.Millisecond))
		// Let the plan headers' follow-up posts settle, then measure from here.
		time.Sleep(time.Second)
	}
	fmt.Fprintln(b.out)
	res.setupRSS, _, _ = srv.Memory()
	if err := srv.ResetPeak(); err != nil {
		fmt.Fprintf(b.out, "cannot reset the peak RSS (%v); the figure includes setup\n", err)
	}

	var stopPerf func() (string, error)
	if b.cfg.perf && r1.server == racebot {
		stopPerf, err = startPerf(srv.PID(), filepath.Join(runDir, "perf.data"))
		if err != nil {
			return res, err
		}
	}

	var seq atomic.Uint64
	url := srv.URL()
	targeter := func(t *vegeta.Target) error {
		i := seq.Add(1) - 1
		if i >= capacity {
			return vegeta.ErrNoTargets
		}
		var body []byte
		contentType := bench.JSONType
		if r1.scenario == scenarioAnswers {
			// Round robin over the plans: a plan's next answer comes a
			// whole round later, as in a team that answers between other
			// work, so answers do not queue behind each other on one plan.
			body = bench.Answer(i, plans[i%uint64(len(plans))]).AppendBody(make([]byte, 0, 3072))
		} else {
			body, contentType = helpCommand(api, i), bench.FormType
		}
		t.Method = http.MethodPost
		t.URL = url
		t.Body = body
		t.Header = bench.SignedHeader(body, contentType, time.Now())
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
	var db0 time.Duration
	if store.URL != "" {
		db0 = b.pg.cpu()
	}
	self0 := selfCPU()
	all0 := machineCPU()
	start := time.Now()
	var end time.Time
	for r := range atk.Attack(vegeta.Targeter(targeter), pacer, b.cfg.duration, r1.scenario) {
		if r.Error == vegeta.ErrNoTargets.Error() && r.Code == 0 {
			continue // the plans are full: the attack ends here
		}
		res.sent++
		res.bytesIn += int64(r.BytesIn)
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
	if uint64(res.sent) >= capacity {
		fmt.Fprintf(b.out, "every plan was full before the time was up; the run ended early (raise --max-capacity)\n")
	}
	cpu1, _ := srv.CPUTime()
	if store.URL != "" {
		res.dbCPU = b.pg.cpu() - db0
	}
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

	// SIGTERM drains what is still queued (racebot's posts, the commit
	// reference's writes), then the file is checked.
	if err := srv.Stop(time.Minute); err != nil {
		fmt.Fprintf(b.out, "%s did not stop cleanly: %v\n", r1.server, err)
	}
	// A server may need more to stop (its queued work at once) than to
	// serve; the kernel's high-water mark at exit shows it.
	res.exitRSS = srv.PeakThroughExit()
	_, explained, _, maxPosts := api.Counts()
	res.explained, res.maxPosts = int(explained), maxPosts
	res.logErrors = countErrors(srv.Log)
	switch r1.server {
	case racebot:
		s, err := countRacebot(ctx, store)
		if err != nil {
			return res, err
		}
		res.stored = s.answers + s.also
	case refCommit:
		if res.stored, err = countAnswers(db); err != nil {
			return res, err
		}
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

// racebotStore is where one racebot run keeps its data: the SQLite file
// file, or with --database-url a fresh database on that server, which the
// returned function drops once the run is over.
func (b *bencher) racebotStore(ctx context.Context, file string) (bench.Store, func(), error) {
	if b.pg == nil {
		return bench.SQLite(file), func() {}, nil
	}
	return b.pg.create(ctx, func(format string, args ...any) { fmt.Fprintf(b.out, format, args...) })
}

// countRacebot counts what a racebot run stored, in whichever store it
// ran on.
func countRacebot(ctx context.Context, store bench.Store) (stored, error) {
	if store.URL != "" {
		return countStoredPG(ctx, store.URL)
	}
	return countStored(store.File)
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
