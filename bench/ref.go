package bench

import (
	"context"
	"crypto/hmac"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	_ "modernc.org/sqlite"
)

// RefKind names a reference server: a small Slack request handler written
// for the benchmark, run beside racebot through the same load so that
// racebot's figures can be read as ratios to what the machine gives a
// server that does much less.
type RefKind string

const (
	// RefVerify checks the signature and answers 200: the floor of any
	// Slack app over HTTP on this machine.
	RefVerify RefKind = "verify"
	// RefCommit checks the signature, decodes the event into a small
	// struct and inserts it into SQLite (WAL, synchronous=FULL) through one
	// writer goroutine that commits everything waiting in one transaction,
	// and answers 200 after the commit: the least a server must do to
	// store every acknowledged answer.
	RefCommit RefKind = "commit"
)

// refMaxBody matches racebot's cap on a request body.
const refMaxBody = 1 << 20

// refMaxBatch bounds one group commit, as racebot's writer does.
const refMaxBatch = 128

// refAckTimeout is how long a request waits for its commit before it is
// refused with 503: well inside Slack's three seconds.
const refAckTimeout = 2500 * time.Millisecond

var errRefClosed = errors.New("reference server is closed")

// Ref is a reference server's handler. Its zero value is not usable; see
// NewRef.
type Ref struct {
	kind RefKind
	ack  []byte // the answer to a slash command

	db     *sql.DB
	insert *sql.Stmt
	queue  chan *refWrite
	quit   chan struct{}
	done   chan struct{}

	// taken counts answers the writer has taken from the queue, commits
	// the transactions it committed: tests see from them that waiting
	// answers are grouped.
	taken, commits atomic.Int64
}

// refEvent is the part of an Events API request the commit reference
// reads; encoding/json skips the rest (blocks, profile, authorizations).
type refEvent struct {
	Type      string `json:"type"`
	Challenge string `json:"challenge"`
	TeamID    string `json:"team_id"`
	EventID   string `json:"event_id"`
	Event     struct {
		Type     string `json:"type"`
		SubType  string `json:"subtype"`
		BotID    string `json:"bot_id"`
		User     string `json:"user"`
		Channel  string `json:"channel"`
		Text     string `json:"text"`
		TS       string `json:"ts"`
		ThreadTS string `json:"thread_ts"`
	} `json:"event"`
}

type refWrite struct {
	ev     *refEvent
	result chan error
}

// NewRef makes a reference server of the given kind. ack is what it
// answers to a slash command (racebot's own answer to the command, for
// parity); db is the SQLite file of a RefCommit server. Close it after the
// HTTP server in front of it has stopped.
func NewRef(kind RefKind, db string, ack []byte) (*Ref, error) {
	r := &Ref{kind: kind, ack: ack}
	switch kind {
	case RefVerify:
		return r, nil
	case RefCommit:
	default:
		return nil, fmt.Errorf("unknown reference server %q", kind)
	}
	q := url.Values{}
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "synchronous(FULL)")
	q.Add("_pragma", "busy_timeout(10000)")
	q.Set("_txlock", "immediate")
	pool, err := sql.Open("sqlite", "file:"+db+"?"+q.Encode())
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", db, err)
	}
	// One connection: the writer goroutine is its only user.
	pool.SetMaxOpenConns(1)
	if _, err := pool.Exec(`CREATE TABLE IF NOT EXISTS answers (
		event_id  TEXT PRIMARY KEY,
		team      TEXT NOT NULL,
		channel   TEXT NOT NULL,
		thread_ts TEXT NOT NULL,
		user      TEXT NOT NULL,
		ts        TEXT NOT NULL,
		text      TEXT NOT NULL
	)`); err != nil {
		pool.Close()
		return nil, fmt.Errorf("create table: %w", err)
	}
	// A retried delivery carries the same event_id and is stored once.
	ins, err := pool.Prepare(`INSERT INTO answers (event_id, team, channel, thread_ts, user, ts, text)
		VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (event_id) DO NOTHING`)
	if err != nil {
		pool.Close()
		return nil, fmt.Errorf("prepare insert: %w", err)
	}
	r.db, r.insert = pool, ins
	r.queue = make(chan *refWrite, 4*refMaxBatch)
	r.quit, r.done = make(chan struct{}), make(chan struct{})
	go r.write()
	return r, nil
}

// Close stops the writer, after it has committed what was queued, and
// closes the database.
func (r *Ref) Close() error {
	if r.db == nil {
		return nil
	}
	close(r.quit)
	<-r.done
	return errors.Join(r.insert.Close(), r.db.Close())
}

// ServeHTTP serves Slack's requests at /slack/events.
func (r *Ref) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	if req.Method != http.MethodPost || req.URL.Path != "/slack/events" {
		http.NotFound(w, req)
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, req.Body, refMaxBody))
	if err != nil {
		http.Error(w, "request body too large", http.StatusRequestEntityTooLarge)
		return
	}
	if !verifySignature(Secret, req.Header, body, time.Now()) {
		http.Error(w, "invalid signature", http.StatusUnauthorized)
		return
	}
	isJSON := strings.HasPrefix(req.Header.Get("Content-Type"), JSONType)
	if r.kind == RefVerify {
		if !isJSON {
			r.writeAck(w)
		}
		return
	}
	if !isJSON {
		form, err := url.ParseQuery(string(body))
		if err != nil || form.Get("command") == "" {
			http.Error(w, "not a slash command", http.StatusBadRequest)
			return
		}
		r.writeAck(w)
		return
	}
	ev := new(refEvent)
	if err := json.Unmarshal(body, ev); err != nil {
		http.Error(w, "unreadable event", http.StatusBadRequest)
		return
	}
	switch {
	case ev.Type == "url_verification":
		w.Header().Set("Content-Type", "text/plain")
		io.WriteString(w, ev.Challenge)
		return
	case ev.Type != "event_callback" || ev.Event.Type != "message" || ev.Event.ThreadTS == "" ||
		ev.Event.BotID != "" || ev.Event.SubType != "" || ev.EventID == "":
		return // not an answer: acknowledged, nothing stored
	}
	if err := r.commit(req.Context(), ev); err != nil {
		// A 5xx makes Slack deliver the event again.
		w.Header().Set("Retry-After", "1")
		http.Error(w, "try again", http.StatusServiceUnavailable)
		return
	}
}

func (r *Ref) writeAck(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "application/json")
	w.Write(r.ack)
}

// commit queues the answer for the writer and waits until it is committed.
func (r *Ref) commit(ctx context.Context, ev *refEvent) error {
	ctx, cancel := context.WithTimeout(ctx, refAckTimeout)
	defer cancel()
	wr := &refWrite{ev: ev, result: make(chan error, 1)}
	select {
	case r.queue <- wr:
	case <-r.quit:
		return errRefClosed
	case <-ctx.Done():
		return ctx.Err()
	}
	// Once queued the write will be committed or fail; waiting for it,
	// rather than giving up at the deadline, keeps "acknowledged" and
	// "stored" the same thing.
	return <-wr.result
}

// write is the one writer: it takes the first queued answer, everything
// queued behind it up to refMaxBatch, and commits them in one transaction,
// so one fsync serves the lot.
func (r *Ref) write() {
	defer close(r.done)
	batch := make([]*refWrite, 0, refMaxBatch)
	for {
		var first *refWrite
		select {
		case first = <-r.queue:
		case <-r.quit:
			// Whatever was queued before the quit is still committed.
			select {
			case first = <-r.queue:
			default:
				return
			}
		}
		batch = append(batch[:0], first)
	more:
		for len(batch) < refMaxBatch {
			select {
			case wr := <-r.queue:
				batch = append(batch, wr)
			default:
				break more
			}
		}
		r.taken.Add(int64(len(batch)))
		err := r.commitBatch(batch)
		if err == nil {
			r.commits.Add(1)
		}
		for _, wr := range batch {
			wr.result <- err
		}
	}
}

func (r *Ref) commitBatch(batch []*refWrite) error {
	tx, err := r.db.Begin()
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	ins := tx.Stmt(r.insert)
	for _, wr := range batch {
		e := wr.ev
		if _, err := ins.Exec(e.EventID, e.TeamID, e.Event.Channel, e.Event.ThreadTS, e.Event.User, e.Event.TS, e.Event.Text); err != nil {
			tx.Rollback()
			return fmt.Errorf("insert: %w", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// verifySignature checks Slack's request signature the way racebot does:
// the timestamp within five minutes of now, the HMAC compared in constant
// time.
func verifySignature(secret string, h http.Header, body []byte, now time.Time) bool {
	stamp := h.Get("X-Slack-Request-Timestamp")
	ts, err := strconv.ParseInt(stamp, 10, 64)
	if err != nil {
		return false
	}
	if d := now.Sub(time.Unix(ts, 0)); d > 5*time.Minute || d < -5*time.Minute {
		return false
	}
	sig, ok := strings.CutPrefix(h.Get("X-Slack-Signature"), "v0=")
	if !ok {
		return false
	}
	got, err := hex.DecodeString(sig)
	if err != nil {
		return false
	}
	return hmac.Equal(got, sign(secret, stamp, body))
}

// RunRef is a reference server's main: it serves until ctx is done, then
// shuts down, committing what it acknowledged. It logs JSON to stderr,
// announcing its address the way racebot does, so StartRef finds it.
//
//	ref --kind verify|commit --db FILE --ack FILE --addr 127.0.0.1:0
func RunRef(ctx context.Context, args []string, stderr io.Writer) error {
	fs := flag.NewFlagSet("ref", flag.ContinueOnError)
	fs.SetOutput(stderr)
	kind := fs.String("kind", string(RefVerify), "verify or commit")
	db := fs.String("db", "", "SQLite file of the commit server")
	ackFile := fs.String("ack", "", "file with the JSON answer to a slash command")
	addr := fs.String("addr", "127.0.0.1:0", "listen address")
	if err := fs.Parse(args); err != nil {
		return err
	}
	log := slog.New(slog.NewJSONHandler(stderr, nil))
	var ack []byte
	if *ackFile != "" {
		b, err := os.ReadFile(*ackFile)
		if err != nil {
			return fmt.Errorf("read ack: %w", err)
		}
		ack = b
	}
	ref, err := NewRef(RefKind(*kind), *db, ack)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		ref.Close()
		return fmt.Errorf("listen: %w", err)
	}
	srv := &http.Server{Handler: ref, ReadHeaderTimeout: 10 * time.Second}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	log.Info(listenMessage, "addr", ln.Addr().String(), "kind", *kind)
	select {
	case err = <-served:
	case <-ctx.Done():
		sctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		err = srv.Shutdown(sctx)
		cancel()
	}
	if errors.Is(err, http.ErrServerClosed) {
		err = nil
	}
	if cerr := ref.Close(); cerr != nil {
		log.Error("close", "err", cerr)
		err = errors.Join(err, cerr)
	}
	return err
}
