package main

import (
	"bufio"
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/racebot/racebot/flows"
	"github.com/racebot/racebot/internal/slackfake"
	"github.com/racebot/racebot/storage"
	"github.com/racebot/racebot/terminal"
)

// patience bounds every wait in these tests: a bound, not a timing claim.
const patience = 10 * time.Second

// syncBuffer collects a stream that is written while the test reads it.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// eventually polls cond until it holds or patience runs out.
func eventually(t *testing.T, cond func() bool, what string) {
	t.Helper()
	deadline := time.Now().Add(patience)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestTerminalExitsAtOnceOnSignal: the terminal coach waiting for input on
// a pipe that stays open ends on Ctrl-C (SIGINT) and on SIGTERM, with exit
// status 0 and an intact database holding what was typed.
func TestTerminalExitsAtOnceOnSignal(t *testing.T) {
	t.Parallel()
	bin := buildBinary(t)
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM} {
		t.Run(sig.String(), func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			cmd := exec.Command(bin)
			cmd.Dir = dir
			cmd.Env = []string{"HOME=" + dir, "PATH=" + os.Getenv("PATH"), noExitPause()}
			stdin, err := cmd.StdinPipe()
			if err != nil {
				t.Fatal(err)
			}
			var stdout, stderr syncBuffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			exited := make(chan error, 1)
			go func() { exited <- cmd.Wait() }()
			t.Cleanup(func() { cmd.Process.Kill(); stdin.Close() })

			io.WriteString(stdin, "new Q1\nWe sell coffee.\n")
			eventually(t, func() bool { return strings.Contains(stdout.String(), "value proposition") }, "the second question")
			if err := cmd.Process.Signal(sig); err != nil {
				t.Fatal(err)
			}
			select {
			case err := <-exited:
				if err != nil {
					t.Fatalf("exit after %s: %v\nstderr: %s", sig, err, stderr.String())
				}
			case <-time.After(patience):
				t.Fatalf("still waiting for input %s after %s\nstdout: %s", patience, sig, stdout.String())
			}

			path := filepath.Join(dir, "racebot.db")
			checkIntegrity(t, path)
			db, err := storage.Open(context.Background(), path)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			p, err := db.PlanByName(context.Background(), terminal.Team, terminal.Channel, "Q1")
			if err != nil {
				t.Fatal(err)
			}
			if got := p.Answers[flows.QuestionBusiness].Text; got != "We sell coffee." {
				t.Errorf("answer typed before the signal = %q", got)
			}
		})
	}
}

// checkIntegrity runs SQLite's own check over the file.
func checkIntegrity(t *testing.T, path string) {
	t.Helper()
	raw, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	var verdict string
	if err := raw.QueryRow(`PRAGMA integrity_check`).Scan(&verdict); err != nil || verdict != "ok" {
		t.Errorf("integrity_check = %q, %v", verdict, err)
	}
}

// logLine is one line of racebot's JSON log.
type logLine struct {
	Level string `json:"level"`
	Msg   string `json:"msg"`
	Addr  string `json:"addr"`
	Err   string `json:"err"`
}

func logLines(t *testing.T, s string) []logLine {
	t.Helper()
	var out []logLine
	sc := bufio.NewScanner(strings.NewReader(s))
	for sc.Scan() {
		var l logLine
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			t.Errorf("not a JSON log line: %q", sc.Text())
			continue
		}
		out = append(out, l)
	}
	return out
}

// TestServeFinishesAcknowledgedWorkBeforeClosingTheStore runs `racebot
// serve` in process against the Slack fake and stops it while the header
// of a plan it acknowledged is still on its way to Slack: the front door
// closes, the header is posted, its thread is bound in the database, and
// only then does the store close. A store closed first would log "sql:
// database is closed" and leave the plan without its thread.
func TestServeFinishesAcknowledgedWorkBeforeClosingTheStore(t *testing.T) {
	const secret = "shutdown-order-secret"
	fake := slackfake.New(t)
	dbPath := filepath.Join(t.TempDir(), "racebot.db")
	env := map[string]string{
		"SLACK_BOT_TOKEN":      "xoxb-test",
		"SLACK_SIGNING_SECRET": secret,
		"SLACK_API_URL":        fake.APIURL(),
		"RACEBOT_DB":           dbPath,
	}
	var logs syncBuffer
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"serve", "--addr", "127.0.0.1:0"}, func(k string) string { return env[k] }, strings.NewReader(""), io.Discard, &logs)
	}()
	var addr string
	eventually(t, func() bool {
		for _, l := range logLines(t, logs.String()) {
			if l.Msg == "racebot serving Slack over HTTP" {
				addr = l.Addr
			}
		}
		return addr != ""
	}, "racebot to listen")

	release := fake.Hold("chat.postMessage")
	defer release()
	body := slackfake.FormBody(slackfake.SlashCommand{Command: "/race", Text: "new Q1", UserID: "UANA", ChannelID: "C1"})
	req := slackfake.SignedRequest(secret, "http://"+addr+"/slack/events", body, time.Now())
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("/race new: status %d", resp.StatusCode)
	}
	fake.WaitFor(t, func() bool { return fake.InFlight("chat.postMessage") == 1 }, "the header on its way")

	cancel()
	eventually(t, func() bool {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			c.Close()
		}
		return err != nil
	}, "the front door to close")
	release()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("run = %v", err)
		}
	case <-time.After(3 * patience):
		t.Fatal("racebot serve did not return")
	}

	for _, l := range logLines(t, logs.String()) {
		if l.Level != "INFO" && l.Level != "DEBUG" {
			t.Errorf("%s while shutting down: %s %s", l.Level, l.Msg, l.Err)
		}
	}
	db, err := storage.Open(context.Background(), dbPath)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	p, err := db.PlanByName(context.Background(), slackfake.TeamID, "C1", "Q1")
	if err != nil {
		t.Fatal(err)
	}
	var header slackfake.Message
	for _, m := range fake.Messages("C1") {
		if m.ThreadTS == "" {
			header = m
		}
	}
	if p.Thread == "" || p.Thread != header.TS {
		t.Errorf("plan thread %q, header %q: the thread was not bound before the store closed", p.Thread, header.TS)
	}
	if len(fake.Replies("C1", header.TS)) == 0 {
		t.Error("the first question was not posted before shutdown finished")
	}
}
