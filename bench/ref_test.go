package bench

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"sync"
	"syscall"
	"testing"
	"time"
)

// TestMain lets the test binary be a reference server, so StartRef can run
// it as a subprocess the way the load tool runs itself.
func TestMain(m *testing.M) {
	if len(os.Args) > 1 && os.Args[1] == "ref" {
		ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
		err := RunRef(ctx, os.Args[2:], os.Stderr)
		stop()
		if err != nil {
			fmt.Fprintln(os.Stderr, "ref:", err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

var testAck = []byte(`{"response_type":"ephemeral","text":"help"}`)

func newTestRef(t *testing.T, kind RefKind) (*Ref, *httptest.Server, string) {
	t.Helper()
	db := filepath.Join(t.TempDir(), "ref.db")
	ref, err := NewRef(kind, db, testAck)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(ref)
	t.Cleanup(func() {
		srv.Close()
		if err := ref.Close(); err != nil {
			t.Errorf("close: %v", err)
		}
	})
	return ref, srv, db
}

// send posts body signed at when and returns the status and the answer.
func send(t *testing.T, url string, body []byte, contentType string, when time.Time) (int, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url+"/slack/events", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header = SignedHeader(body, contentType, when)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func countRows(t *testing.T, path string) int {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n int
	if err := db.QueryRow(`SELECT count(*) FROM answers`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

var testPlan = Plan{Channel: "CREF0001", Thread: "1700000000.000001"}

func TestRefAnswers(t *testing.T) {
	now := time.Now()
	slash := Command{Channel: "C1", User: "U1", Text: "help", ResponseURL: "http://127.0.0.1:1/commands/x"}.Body()
	answer := Answer(1, testPlan).AppendBody(nil)
	for _, kind := range []RefKind{RefVerify, RefCommit} {
		t.Run(string(kind), func(t *testing.T) {
			_, srv, _ := newTestRef(t, kind)
			tests := []struct {
				name        string
				body        []byte
				contentType string
				when        time.Time
				code        int
				answer      string
			}{
				{"answer", answer, JSONType, now, http.StatusOK, ""},
				{"slash command", slash, FormType, now, http.StatusOK, string(testAck)},
				{"stale signature", answer, JSONType, now.Add(-6 * time.Minute), http.StatusUnauthorized, "invalid signature\n"},
				{"signature from the future", answer, JSONType, now.Add(6 * time.Minute), http.StatusUnauthorized, "invalid signature\n"},
			}
			for _, tt := range tests {
				code, got := send(t, srv.URL, tt.body, tt.contentType, tt.when)
				if code != tt.code || got != tt.answer {
					t.Errorf("%s: HTTP %d %q, want %d %q", tt.name, code, got, tt.code, tt.answer)
				}
			}
			// A body changed after signing is refused.
			req, _ := http.NewRequest(http.MethodPost, srv.URL+"/slack/events", bytes.NewReader(append([]byte(nil), answer[:len(answer)-1]...)))
			req.Header = SignedHeader(answer, JSONType, now)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusUnauthorized {
				t.Errorf("tampered body: HTTP %d, want 401", resp.StatusCode)
			}
		})
	}
}

func TestRefCommitStoresEveryAcknowledgedAnswerOnce(t *testing.T) {
	_, srv, db := newTestRef(t, RefCommit)
	const n = 40
	var wg sync.WaitGroup
	codes := make([]int, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			codes[i], _ = send(t, srv.URL, Answer(uint64(i), testPlan).AppendBody(nil), JSONType, time.Now())
		}()
	}
	wg.Wait()
	for i, c := range codes {
		if c != http.StatusOK {
			t.Errorf("answer %d: HTTP %d", i, c)
		}
	}
	// Slack delivers an event again when it missed the ack: stored once.
	if code, _ := send(t, srv.URL, Answer(7, testPlan).AppendBody(nil), JSONType, time.Now()); code != http.StatusOK {
		t.Errorf("redelivery: HTTP %d", code)
	}
	// Messages that are not answers are acknowledged and not stored.
	top := Answer(1000, Plan{Channel: "C2"}) // no thread
	if code, _ := send(t, srv.URL, top.AppendBody(nil), JSONType, time.Now()); code != http.StatusOK {
		t.Errorf("top-level message: HTTP %d", code)
	}
	if got := countRows(t, db); got != n {
		t.Errorf("%d answers stored, want %d", got, n)
	}
}

// TestRefCommitGroupsWaitingAnswers holds SQLite's write lock from another
// connection so answers queue behind the writer, then releases it: the
// writer commits everything that waited in one transaction.
func TestRefCommitGroupsWaitingAnswers(t *testing.T) {
	ref, srv, db := newTestRef(t, RefCommit)
	// The table exists (NewRef made it); take the write lock.
	other, err := sql.Open("sqlite", "file:"+db+"?_pragma=busy_timeout(10000)")
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	conn, err := other.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(context.Background(), `BEGIN IMMEDIATE`); err != nil {
		t.Fatal(err)
	}

	const n = 20
	var wg sync.WaitGroup
	codes := make([]int, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			codes[i], _ = send(t, srv.URL, Answer(uint64(i), testPlan).AppendBody(nil), JSONType, time.Now())
		}()
	}
	// The writer has taken the first answer (or the first few) and waits
	// for the lock; the others wait in the queue.
	deadline := time.Now().Add(10 * time.Second)
	for ref.taken.Load()+int64(len(ref.queue)) < n {
		if time.Now().After(deadline) {
			t.Fatalf("only %d answers taken or queued", ref.taken.Load()+int64(len(ref.queue)))
		}
		time.Sleep(time.Millisecond)
	}
	if _, err := conn.ExecContext(context.Background(), `COMMIT`); err != nil {
		t.Fatal(err)
	}
	wg.Wait()
	for i, c := range codes {
		if c != http.StatusOK {
			t.Errorf("answer %d: HTTP %d", i, c)
		}
	}
	// What the writer took first committed once, all that waited together.
	if got := ref.commits.Load(); got != 2 {
		t.Errorf("%d commits for %d answers, want 2", got, n)
	}
	if got := countRows(t, db); got != n {
		t.Errorf("%d answers stored, want %d", got, n)
	}
}

// TestRefSubprocess runs the commit server the way the load tool does and
// stops it with SIGTERM: it announces its address, answers, and on the way
// out keeps every answer it acknowledged.
func TestRefSubprocess(t *testing.T) {
	dir := t.TempDir()
	ackFile := filepath.Join(dir, "ack.json")
	if err := os.WriteFile(ackFile, testAck, 0o600); err != nil {
		t.Fatal(err)
	}
	db := filepath.Join(dir, "ref.db")
	srv, err := StartRef(os.Args[0], RefCommit, db, ackFile, filepath.Join(dir, "ref.log"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Kill)
	base := "http://" + srv.Addr
	if code, got := send(t, base, Command{Channel: "C1", User: "U1", Text: "help"}.Body(), FormType, time.Now()); code != http.StatusOK || got != string(testAck) {
		t.Errorf("slash command: HTTP %d %q", code, got)
	}
	const n = 10
	for i := range n {
		if code, _ := send(t, base, Answer(uint64(i), testPlan).AppendBody(nil), JSONType, time.Now()); code != http.StatusOK {
			t.Fatalf("answer %d: HTTP %d", i, code)
		}
	}
	if err := srv.Stop(30 * time.Second); err != nil {
		t.Fatalf("stop: %v\n%s", err, srv.TailLog(2000))
	}
	if got := countRows(t, db); got != n {
		t.Errorf("%d answers stored, want %d", got, n)
	}
}

// TestPeakThroughExitIsNotTheLoadToolsOwn starts a small server from a
// process that holds far more memory than it: Linux starts a child's
// ru_maxrss at the high-water mark of the memory it was started from, and
// clear_refs does not lower it, so that figure is the load tool's, not
// the server's, and must not be printed as the server's.
func TestPeakThroughExitIsNotTheLoadToolsOwn(t *testing.T) {
	const held = 256 << 20
	big := make([]byte, held)
	for i := 0; i < len(big); i += 4096 {
		big[i] = 1
	}
	dir := t.TempDir()
	ackFile := filepath.Join(dir, "ack.json")
	if err := os.WriteFile(ackFile, testAck, 0o600); err != nil {
		t.Fatal(err)
	}
	srv, err := StartRef(os.Args[0], RefCommit, filepath.Join(dir, "ref.db"), ackFile, filepath.Join(dir, "ref.log"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Kill)
	if err := srv.ResetPeak(); err != nil {
		t.Fatal(err)
	}
	if err := srv.Stop(30 * time.Second); err != nil {
		t.Fatalf("stop: %v\n%s", err, srv.TailLog(2000))
	}
	if got := srv.PeakThroughExit(); got >= held/2 {
		t.Errorf("peak through exit %d MB: the load tool's %d MB, not the server's", got>>20, held>>20)
	}
	runtime.KeepAlive(big)
}
