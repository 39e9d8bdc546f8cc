package main

import (
	"bufio"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"sync/atomic"
	"time"

	"github.com/racebot/racebot/bench"
	vegeta "github.com/tsenart/vegeta/v12/lib"
)

// The backlog scenario: one thread gets answers far faster than Slack
// takes messages in its channel (about one a second), for a minute. It
// shows what racebot keeps while the replies wait (memory), what it posts
// (one message per turn of the channel, not one per answer), that every
// acknowledged answer is stored, and how long SIGTERM takes with replies
// still waiting.

// Targets of the backlog scenario.
const (
	backlogRSSTarget = 60 << 20
	// drainWindow is what racebot gives its background work on SIGTERM
	// (cmd/racebot shutdownGrace).
	drainWindow = 10 * time.Second
	// slackPace is the fake Slack's pace of posts in a channel.
	slackPace = time.Second
)

// backlogResult is what the backlog run measured.
type backlogResult struct {
	rate      int
	duration  time.Duration
	sent      int
	acked     int
	errors    int
	firstErr  string
	p50, p99  time.Duration
	setupRSS  int64
	peakRSS   int64
	posts     int64 // messages racebot posted in the thread, run and drain
	exit      time.Duration
	stopErr   error
	stored    stored
	explained int64
	notPosted int // replies racebot reported unposted at shutdown
	logErrors int
	// postgres is whether racebot ran on PostgreSQL, not an SQLite file.
	postgres bool
}

// stored is what the database holds of the replies: answers and
// co-answers, and the actions that replies became once the stage's
// questions were answered.
type stored struct {
	answers, also, actions int
}

func (s stored) total() int { return s.answers + s.also + s.actions }

// runBacklog starts racebot on a fresh file behind a fake Slack that
// takes one post a second per channel, creates one plan, sends answers
// into its thread at the backlog rate for the run's duration, then stops
// racebot with SIGTERM and checks the file.
func (b *bencher) runBacklog(ctx context.Context) (backlogResult, error) {
	res := backlogResult{rate: b.cfg.backlogRate, duration: b.cfg.duration, postgres: b.pg != nil}
	dir := filepath.Join(b.dir, "backlog")
	if err := os.Mkdir(dir, 0o700); err != nil {
		return res, err
	}
	api := bench.NewSlackAPI(b.cfg.postDelay)
	defer api.Close()
	api.PacePosts(slackPace)
	store, drop, err := b.racebotStore(ctx, filepath.Join(dir, "racebot.db"))
	if err != nil {
		return res, err
	}
	defer drop()
	srv, err := bench.Start(b.bin, store, api.URL(), filepath.Join(dir, "racebot.log"))
	if err != nil {
		return res, err
	}
	defer srv.Kill()

	client := &http.Client{Timeout: 30 * time.Second}
	plans, err := bench.CreatePlans(ctx, client, srv, api, "BL", 1)
	if err != nil {
		return res, err
	}
	plan := plans[0]
	// The plan's first posts take the channel's turns; start from a
	// quiet channel.
	time.Sleep(2 * slackPace)
	fmt.Fprintf(b.out, "\n== backlog: %d answers/s into one thread for %s%s; the fake Slack takes one post a second per channel\n", res.rate, res.duration, res.storeNote())
	res.setupRSS, _, _ = srv.Memory()
	if err := srv.ResetPeak(); err != nil {
		fmt.Fprintf(b.out, "cannot reset the peak RSS (%v); the figure includes setup\n", err)
	}
	posts0 := api.ThreadPosts()

	url := srv.URL()
	var seq atomic.Uint64
	targeter := func(t *vegeta.Target) error {
		i := seq.Add(1) - 1
		// One thread takes far more replies than its stage has questions;
		// past them a reply is read as an action, which needs its scores.
		// A line that is both a fair answer and a valid action keeps every
		// reply something racebot stores.
		m := bench.Answer(i, plan)
		m.Text = fmt.Sprintf("Backlog reply %d: call ten offices about the free tasting week | impact 3 | effort 2", i)
		// A mention or link after the scores would make the action line
		// unreadable, and racebot rightly refuses it.
		m.Mention, m.Link = "", ""
		body := m.AppendBody(make([]byte, 0, 3072))
		t.Method, t.URL, t.Body = http.MethodPost, url, body
		t.Header = bench.SignedHeader(body, bench.JSONType, time.Now())
		return nil
	}
	atk := vegeta.NewAttacker(vegeta.Timeout(10*time.Second), vegeta.KeepAlive(true))
	var lat []time.Duration
	for r := range atk.Attack(targeter, vegeta.Rate{Freq: res.rate, Per: time.Second}, res.duration, "backlog") {
		res.sent++
		lat = append(lat, r.Latency)
		if r.Code/100 == 2 {
			res.acked++
			continue
		}
		res.errors++
		if res.firstErr == "" {
			res.firstErr = fmt.Sprintf("HTTP %d %s", r.Code, r.Error)
		}
	}
	_, res.peakRSS, _ = srv.Memory()
	slices.Sort(lat)
	res.p50, res.p99 = quantile(lat, 0.50), quantile(lat, 0.99)

	start := time.Now()
	res.stopErr = srv.Stop(time.Minute)
	res.exit = time.Since(start)
	res.posts = api.ThreadPosts() - posts0
	_, res.explained, _, _ = api.Counts()
	res.logErrors = countErrors(srv.Log)
	if res.notPosted, err = notPostedInLog(srv.Log); err != nil {
		return res, err
	}
	if res.stored, err = countRacebot(ctx, store); err != nil {
		return res, err
	}
	return res, nil
}

// storedQuery counts what the replies became, in either store.
const storedQuery = `SELECT
	(SELECT count(*) FROM answers WHERE kind <> 'also'),
	(SELECT count(*) FROM answers WHERE kind = 'also'),
	(SELECT count(*) FROM actions)`

// countStored counts what the replies became in the SQLite file, checking
// its integrity on the way.
func countStored(path string) (stored, error) {
	var s stored
	if _, err := countAnswers(path); err != nil {
		return s, err
	}
	db, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		return s, err
	}
	defer db.Close()
	err = db.QueryRow(storedQuery).Scan(&s.answers, &s.also, &s.actions)
	if err != nil {
		return s, fmt.Errorf("count stored replies: %w", err)
	}
	return s, nil
}

// notPostedInLog adds up the replies racebot's log reports it could not
// post before shutting down.
func notPostedInLog(path string) (int, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	return notPostedIn(f)
}

func notPostedIn(r io.Reader) (int, error) {
	n := 0
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	for sc.Scan() {
		var rec struct {
			Msg     string `json:"msg"`
			Replies int    `json:"replies"`
		}
		if json.Unmarshal(sc.Bytes(), &rec) == nil && rec.Msg == "replies not posted before shutdown" {
			n += rec.Replies
		}
	}
	return n, sc.Err()
}

func printBacklog(w io.Writer, r backlogResult) {
	fmt.Fprintf(w, "sent %d, acknowledged %d, errors %d %s\n", r.sent, r.acked, r.errors, r.firstErr)
	fmt.Fprintf(w, "ack latency p50 %s  p99 %s\n", ms(r.p50), ms(r.p99))
	fmt.Fprintf(w, "stored %d: %d answers, %d co-answers, %d actions (replies past the stage's questions); errors explained to users %d\n",
		r.stored.total(), r.stored.answers, r.stored.also, r.stored.actions, r.explained)
	fmt.Fprintf(w, "thread posts %d (%.1f answers a post)\n", r.posts, float64(r.acked)/float64(max(1, r.posts)))
	fmt.Fprintf(w, "racebot RSS after setup %s, peak during the run %s (target < %s: %s)\n", mb(r.setupRSS), mb(r.peakRSS), mb(backlogRSSTarget), met(r.peakRSS < backlogRSSTarget))
	stop := "clean"
	if r.stopErr != nil {
		stop = r.stopErr.Error()
	}
	fmt.Fprintf(w, "exit after SIGTERM %s (%s; within the %s drain window: %s); replies reported not posted %d; ERROR log lines %d\n",
		r.exit.Round(time.Millisecond), stop, drainWindow, met(r.exit < drainWindow), r.notPosted, r.logErrors)
	fmt.Fprintln(w)
	if r.postgres {
		fmt.Fprintf(w, "racebot on PostgreSQL:\n\n")
	}
	fmt.Fprintf(w, "| rate | duration | acked / stored | thread posts | peak RSS | exit after SIGTERM | not posted |\n")
	fmt.Fprintf(w, "| ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n")
	fmt.Fprintf(w, "| %d/s | %s | %d / %d | %d | %s | %s | %d |\n", r.rate, r.duration, r.acked, r.stored.total(), r.posts, mb(r.peakRSS), r.exit.Round(time.Millisecond), r.notPosted)
}

// storeNote says, in the run's heading, that racebot ran on PostgreSQL.
func (r backlogResult) storeNote() string {
	if r.postgres {
		return ", racebot on PostgreSQL"
	}
	return ""
}

func met(ok bool) string {
	if ok {
		return "met"
	}
	return "not met"
}

// backlogOK is the exit status's verdict: every acknowledged reply stored.
func backlogOK(r backlogResult) error {
	if r.stored.total() != r.acked {
		return fmt.Errorf("backlog: %d replies acknowledged but %d stored", r.acked, r.stored.total())
	}
	return nil
}
