package bench

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/racebot/racebot/flows"
	_ "modernc.org/sqlite"
)

// TestCrashLosesNoAcknowledgedAnswer kills racebot with SIGKILL in the
// middle of a load of thread replies, restarts it on the same file, and
// checks that every reply racebot acknowledged with a 2xx is stored and
// that the file is sound. Slack takes a 2xx as "delivered" and never
// sends that event again, so an acknowledged answer that is lost is lost
// for good.
func TestCrashLosesNoAcknowledgedAnswer(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the racebot binary")
	}
	const (
		workers        = 8
		plansPerWorker = 8
		// killAfter acknowledged answers the server is killed, with every
		// worker still sending.
		killAfter = 200
	)
	ctx := context.Background()
	dir := t.TempDir()
	bin, err := Build(dir)
	if err != nil {
		t.Fatal(err)
	}
	api := NewSlackAPI(0)
	defer api.Close()
	db := filepath.Join(dir, "racebot.db")
	client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: workers * 2}}

	srv := startServer(t, bin, db, api, filepath.Join(dir, "first.log"))
	plans, err := CreatePlans(ctx, client, srv, api, "CR", workers*plansPerWorker)
	if err != nil {
		t.Fatal(err)
	}
	// Each worker answers its own plans, so no two requests race for one
	// plan and each answer is one a person could have given; a plan takes
	// at most as many answers as its first stage has questions, after
	// which replies would be read as actions.
	perPlan := len(flows.RACE().Stages[0].Steps())

	type outcome struct {
		text  string
		acked bool
		err   error
	}
	var (
		acked    atomic.Int64
		wg       sync.WaitGroup
		outcomes = make([][]outcome, workers)
	)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := range plansPerWorker * perPlan {
				p := plans[w*plansPerWorker+k%plansPerWorker]
				m := Message{
					EventID: fmt.Sprintf("EvCRASH%d_%d", w, k),
					Channel: p.Channel,
					User:    fmt.Sprintf("UWORKER%d", w),
					Thread:  p.Thread,
					TS:      MessageTS(uint64(w*10_000 + k)),
					Text:    fmt.Sprintf("crash answer w%d n%d", w, k),
				}
				err := postEvent(ctx, client, srv.URL(), m)
				outcomes[w] = append(outcomes[w], outcome{text: m.Text, acked: err == nil, err: err})
				if err != nil {
					return // the server is gone
				}
				acked.Add(1)
			}
		}()
	}
	for acked.Load() < killAfter {
		time.Sleep(time.Millisecond)
	}
	srv.Kill()
	wg.Wait()

	// The restarted server recovers the file (SQLite replays or discards
	// the write-ahead log) and goes on taking answers.
	srv = startServer(t, bin, db, api, filepath.Join(dir, "second.log"))
	after, err := CreatePlans(ctx, client, srv, api, "AF", 1)
	if err != nil {
		t.Fatal(err)
	}
	const afterText = "an answer after the restart"
	if err := postEvent(ctx, client, srv.URL(), Message{EventID: "EvAFTER", Channel: after[0].Channel, User: "UAFTER",
		Thread: after[0].Thread, TS: MessageTS(999_999), Text: afterText}); err != nil {
		t.Fatalf("answer after restart: %v", err)
	}
	if err := srv.Stop(10 * time.Second); err != nil {
		t.Errorf("restarted racebot did not stop cleanly: %v\n%s", err, srv.TailLog(2000))
	}

	stored := storedAnswers(t, db)
	var nAcked, nLost, nCut, nCutStored int
	for _, ws := range outcomes {
		for _, o := range ws {
			switch {
			case o.acked:
				nAcked++
				if !stored[o.text] {
					nLost++
					t.Errorf("acknowledged answer %q is not in the database", o.text)
				}
			default:
				nCut++
				if stored[o.text] {
					nCutStored++
				}
			}
		}
	}
	if !stored[afterText] {
		t.Errorf("the answer given after the restart is not in the database")
	}
	if nAcked < killAfter {
		t.Errorf("only %d answers were acknowledged before the kill, want at least %d", nAcked, killAfter)
	}
	t.Logf("killed after %d acknowledged answers; %d lost; %d requests cut off by the kill, %d of them stored anyway",
		nAcked, nLost, nCut, nCutStored)
}

func startServer(t *testing.T, bin, db string, api *SlackAPI, log string) *Server {
	t.Helper()
	srv, err := Start(bin, SQLite(db), api.URL(), log)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		srv.Kill()
		if t.Failed() {
			t.Logf("racebot log %s:\n%s", log, srv.TailLog(4000))
		}
	})
	return srv
}

// postEvent delivers a message event and reports whether it was
// acknowledged with a 2xx.
func postEvent(ctx context.Context, client *http.Client, url string, m Message) error {
	body := m.AppendBody(nil)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header = SignedHeader(body, JSONType, time.Now())
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, resp.Body)
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("HTTP %d", resp.StatusCode)
	}
	return nil
}

// storedAnswers checks the file's integrity and returns the text of every
// answer revision in it.
func storedAnswers(t *testing.T, path string) map[string]bool {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var check string
	if err := db.QueryRow(`PRAGMA integrity_check`).Scan(&check); err != nil {
		t.Fatal(err)
	}
	if check != "ok" {
		t.Errorf("integrity_check: %s", check)
	}
	rows, err := db.Query(`SELECT text FROM answers`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]bool{}
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		out[s] = true
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}
