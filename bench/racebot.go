package bench

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Secret is the signing secret racebot is started with and requests are
// signed with.
const Secret = "bench-signing-secret-0123456789abcdef"

// Build compiles racebot into dir and returns the binary's path. bench
// is a module of its own (its load generator stays out of the shipped
// module graph), so the binary is built in the racebot module that bench's
// go.mod points to with its replace directive, with that module's own
// go.mod and dependencies, whatever folder the caller runs in.
func Build(dir string) (string, error) {
	root, err := racebotRoot()
	if err != nil {
		return "", err
	}
	bin := filepath.Join(dir, "racebot")
	// As the Dockerfile builds it (cgo off: Go's own resolver, no libc),
	// but with its symbols, which perf needs and which are never loaded.
	cmd := exec.Command("go", "build", "-trimpath", "-o", bin, "./cmd/racebot")
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	out, err := cmd.CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("go build in %s: %w\n%s", root, err, out)
	}
	return bin, nil
}

// racebotRoot is the folder of the racebot module, as bench's go.mod
// resolves it. The bench module is found from this source file, which
// go run and go test compile in place.
func racebotRoot() (string, error) {
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		return "", errors.New("cannot locate the bench module's source")
	}
	cmd := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "github.com/racebot/racebot")
	cmd.Dir = filepath.Dir(file)
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("find the racebot module from %s: %w", cmd.Dir, err)
	}
	root := strings.TrimSpace(string(out))
	if root == "" {
		return "", fmt.Errorf("find the racebot module from %s: no folder", cmd.Dir)
	}
	return root, nil
}

// Server is a running server subprocess: `racebot serve` or a reference
// server.
type Server struct {
	// Name is what the server is called in messages: racebot, or the
	// reference server's kind.
	Name string
	// Addr is the host:port it listens on.
	Addr string
	// Log is the file its stderr (JSON logs) goes to.
	Log string

	cmd  *exec.Cmd
	done chan struct{}
	err  error
	// inherited bounds from above the high-water mark the kernel gave the
	// server's ru_maxrss at exec: this program's own, which no ResetPeak
	// of the server lowers.
	inherited int64
}

// listenMessage is the log message with which racebot, and the reference
// servers after it, announce the address they listen on.
const listenMessage = "serving Slack over HTTP"

// Store is where a racebot run keeps its data: the SQLite file File, or,
// when URL is set, the PostgreSQL database it names (RACEBOT_DATABASE_URL).
type Store struct {
	File string
	URL  string
}

// SQLite is the store of an SQLite file.
func SQLite(file string) Store { return Store{File: file} }

// Start runs `racebot serve` on store, talking to the Slack Web API at
// apiURL, on a loopback port it picks itself, and waits until it listens.
func Start(bin string, store Store, apiURL, logFile string) (*Server, error) {
	// HOME is a folder of the run's own, so nothing racebot might keep
	// there outlives the run: the database's folder, or the log's when the
	// database is a server's.
	home := filepath.Dir(logFile)
	db := "RACEBOT_DB=" + store.File
	if store.URL != "" {
		db = "RACEBOT_DATABASE_URL=" + store.URL
	} else {
		home = filepath.Dir(store.File)
	}
	cmd := exec.Command(bin, "serve")
	cmd.Env = []string{
		"PATH=" + os.Getenv("PATH"),
		"HOME=" + home,
		"SLACK_BOT_TOKEN=xoxb-bench",
		"SLACK_SIGNING_SECRET=" + Secret,
		"SLACK_API_URL=" + apiURL,
		db,
		"RACEBOT_ADDR=127.0.0.1:0",
	}
	// The Go runtime's own settings pass through, so their effect can be
	// measured: GOGC=50 go run ./load …
	for _, k := range []string{"GODEBUG", "GOGC", "GOMEMLIMIT", "GOMAXPROCS"} {
		if v, ok := os.LookupEnv(k); ok {
			cmd.Env = append(cmd.Env, k+"="+v)
		}
	}
	return start(cmd, "racebot", logFile)
}

// StartRef runs a reference server of the given kind as a subprocess, as
// racebot runs, so both pay for a process of their own: exe must run
// RunRef when its first argument is "ref" (the load tool does). db is the
// commit server's file; ackFile holds its answer to slash commands.
func StartRef(exe string, kind RefKind, db, ackFile, logFile string) (*Server, error) {
	cmd := exec.Command(exe, "ref", "--kind", string(kind), "--db", db, "--ack", ackFile)
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + filepath.Dir(db)}
	return start(cmd, "ref-"+string(kind), logFile)
}

// start runs cmd with its stderr copied to logFile and waits until it
// announces where it listens.
func start(cmd *exec.Cmd, name, logFile string) (*Server, error) {
	logf, err := os.OpenFile(logFile, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return nil, err
	}
	stderr, err := cmd.StderrPipe()
	if err != nil {
		logf.Close()
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		logf.Close()
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	// Read after Start, which returns once the exec is done: this
	// program's mark only grows, so it is at least what the exec handed on.
	_, inherited, _ := memory("/proc/self/status")
	s := &Server{Name: name, Log: logFile, cmd: cmd, done: make(chan struct{}), inherited: inherited}
	addr := make(chan string, 1)
	go func() {
		// The log is copied whole; the listen address is read from the
		// line that announces it, because the server picks the port.
		sc := bufio.NewScanner(stderr)
		sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
		for sc.Scan() {
			line := sc.Bytes()
			logf.Write(append(line, '\n'))
			if a := listenAddr(line); a != "" {
				select {
				case addr <- a:
				default:
				}
			}
		}
		io.Copy(logf, stderr)
		s.err = cmd.Wait()
		logf.Close()
		close(s.done)
	}()
	select {
	case a := <-addr:
		s.Addr = a
		return s, nil
	case <-s.done:
		return nil, fmt.Errorf("%s exited before listening: %v\n%s", name, s.err, tailFile(logFile, 2000))
	case <-time.After(30 * time.Second):
		s.Kill()
		return nil, fmt.Errorf("%s did not listen within 30s\n%s", name, tailFile(logFile, 2000))
	}
}

func listenAddr(line []byte) string {
	if !bytes.Contains(line, []byte(listenMessage)) {
		return ""
	}
	var rec struct {
		Addr string `json:"addr"`
	}
	if json.Unmarshal(line, &rec) != nil {
		return ""
	}
	return rec.Addr
}

// URL is the Slack request URL of the server.
func (s *Server) URL() string { return "http://" + s.Addr + "/slack/events" }

// PID is the server's process id.
func (s *Server) PID() int { return s.cmd.Process.Pid }

// Kill ends the server with SIGKILL, as a crash or the OOM killer would,
// and waits for it to be gone.
func (s *Server) Kill() {
	s.cmd.Process.Signal(syscall.SIGKILL)
	<-s.done
}

// Stop asks the server to shut down with SIGTERM and waits for it; after
// timeout it is killed. It returns the exit error of a server that did not
// stop cleanly.
func (s *Server) Stop(timeout time.Duration) error {
	s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.done:
		return s.err
	case <-time.After(timeout):
		s.Kill()
		return errors.New(s.Name + " did not stop within " + timeout.String())
	}
}

// Memory reads the server's resident set size and its peak (VmRSS and
// VmHWM in /proc/<pid>/status), in bytes.
func (s *Server) Memory() (rss, peak int64, err error) {
	return memory(fmt.Sprintf("/proc/%d/status", s.PID()))
}

func memory(status string) (rss, peak int64, err error) {
	b, err := os.ReadFile(status)
	if err != nil {
		return 0, 0, err
	}
	for line := range strings.Lines(string(b)) {
		key, val, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(val), " kB"), 10, 64)
		if err != nil {
			continue
		}
		switch key {
		case "VmRSS":
			rss = kb << 10
		case "VmHWM":
			peak = kb << 10
		}
	}
	return rss, peak, nil
}

// PeakThroughExit is the peak resident set size of a server that has
// exited, since the last ResetPeak, in bytes: the kernel's high-water
// mark as the process ended (ru_maxrss), which takes in its shutdown,
// after the last Memory. Zero while it runs, where the system does not
// say, or where the mark is no higher than this program's own as it
// started the server: Linux starts a child's ru_maxrss there (the memory
// it was started from, golang/go#32054), so the figure would be ours. The
// two are read from counters the kernel keeps per CPU and sums loosely,
// so a mark within inheritedSlack of ours is taken for ours too.
func (s *Server) PeakThroughExit() int64 {
	select {
	case <-s.done:
	default:
		return 0
	}
	if ru, ok := s.cmd.ProcessState.SysUsage().(*syscall.Rusage); ok && ru.Maxrss<<10 > s.inherited+inheritedSlack(s.inherited) {
		return ru.Maxrss << 10
	}
	return 0
}

// inheritedSlack is how far above this program's own mark a server's may
// be and still be this program's.
func inheritedSlack(own int64) int64 { return own/16 + 4<<20 }

// ResetPeak starts a new peak RSS measurement (Linux: "5" > clear_refs).
func (s *Server) ResetPeak() error {
	return os.WriteFile(fmt.Sprintf("/proc/%d/clear_refs", s.PID()), []byte("5"), 0)
}

// tailFile returns the last n bytes of a file, for error messages.
func tailFile(path string, n int) string {
	b, _ := os.ReadFile(path)
	if len(b) > n {
		b = b[len(b)-n:]
	}
	return string(b)
}

// TailLog returns the end of the server's log.
func (s *Server) TailLog(n int) string { return tailFile(s.Log, n) }

// CPUTime is the processor time the server has used so far, user and
// system together.
func (s *Server) CPUTime() (time.Duration, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", s.PID()))
	if err != nil {
		return 0, err
	}
	// Fields after the parenthesised command name; utime and stime are
	// the 14th and 15th fields, in clock ticks (100 a second on Linux).
	_, rest, ok := strings.Cut(string(b), ") ")
	if !ok {
		return 0, errors.New("unreadable /proc stat")
	}
	f := strings.Fields(rest)
	if len(f) < 13 {
		return 0, errors.New("unreadable /proc stat")
	}
	utime, err1 := strconv.ParseInt(f[11], 10, 64)
	stime, err2 := strconv.ParseInt(f[12], 10, 64)
	if err := errors.Join(err1, err2); err != nil {
		return 0, err
	}
	return time.Duration(utime+stime) * 10 * time.Millisecond, nil
}
