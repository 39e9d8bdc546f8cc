package bot

import (
	"bytes"
	"cmp"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"hash"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
)

// Slack signs every request; a request older or newer than this is refused
// so a captured request cannot be replayed later.
const replayWindow = 5 * time.Minute

// maxBody bounds what is read from a request; Slack's payloads are far
// smaller, and an unverified sender must not make us buffer gigabytes.
const maxBody = 1 << 20

var (
	errBadSignature = errors.New("bad signature")
	errStale        = errors.New("timestamp outside the replay window")
)

// Verify checks Slack's request signature: "v0=" + hex(HMAC-SHA256(secret,
// "v0:" + timestamp + ":" + body)), compared in constant time, with the
// timestamp within five minutes of now either way.
func Verify(secret string, header http.Header, body []byte, now time.Time) error {
	return new(signing).verify(secret, header, body, now)
}

// signer is Verify for one secret, keeping its keyed HMACs for the next
// request. Keying an HMAC allocates two SHA-256 states, their pads and a
// copy of the key; a keyed one is reset instead. Made anew for every
// request, they were half of what verifying a request allocated.
type signer struct {
	secret string
	work   sync.Pool // of *signing, keyed with secret
}

func newSigner(secret string) *signer {
	return &signer{secret: secret, work: sync.Pool{New: func() any { return new(signing) }}}
}

func (s *signer) verify(header http.Header, body []byte, now time.Time) error {
	g := s.work.Get().(*signing)
	defer s.work.Put(g)
	return g.verify(s.secret, header, body, now)
}

// signing is one verification's working space, kept for the next one with
// the same secret.
type signing struct {
	mac hash.Hash // keyed on first use
	buf []byte
	got [sha256.Size]byte
	sum [sha256.Size]byte
}

func (g *signing) verify(secret string, header http.Header, body []byte, now time.Time) error {
	if secret == "" {
		return errors.New("no signing secret configured")
	}
	tsText := header.Get("X-Slack-Request-Timestamp")
	ts, err := strconv.ParseInt(tsText, 10, 64)
	if err != nil {
		return errBadSignature
	}
	if d := now.Sub(time.Unix(ts, 0)); d > replayWindow || d < -replayWindow {
		return errStale
	}
	sig, ok := strings.CutPrefix(header.Get("X-Slack-Signature"), "v0=")
	if !ok || hex.DecodedLen(len(sig)) != sha256.Size {
		return errBadSignature
	}
	g.buf = append(g.buf[:0], sig...)
	if _, err := hex.Decode(g.got[:], g.buf); err != nil {
		return errBadSignature
	}
	if g.mac == nil {
		g.mac = hmac.New(sha256.New, []byte(secret))
	} else {
		g.mac.Reset()
	}
	g.buf = append(append(append(g.buf[:0], "v0:"...), tsText...), ':')
	g.mac.Write(g.buf)
	g.mac.Write(body)
	if !hmac.Equal(g.got[:], g.mac.Sum(g.sum[:0])) {
		return errBadSignature
	}
	return nil
}

// HTTPHandler serves Slack's HTTP front door at /slack/events (slash
// commands, interactivity and events alike) plus the operations endpoints.
func (b *Bot) HTTPHandler(secret string) http.Handler {
	mux := b.OpsHandler()
	signatures := newSigner(secret)
	mux.HandleFunc("POST /slack/events", func(w http.ResponseWriter, r *http.Request) { b.serveSlack(w, r, signatures) })
	if b.oauth != nil {
		mux.HandleFunc("GET /slack/install", b.handleInstall)
		mux.HandleFunc("GET /slack/oauth_redirect", b.handleRedirect)
	}
	return mux
}

// OpsHandler serves /healthz (the process is up), /readyz (the database
// answers and takes a write, and Slack is connected) and /metrics
// (Prometheus).
func (b *Bot) OpsHandler() *http.ServeMux {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		io.WriteString(w, "ok\n")
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		if err := b.Ready(r.Context()); err != nil {
			w.WriteHeader(http.StatusServiceUnavailable)
			io.WriteString(w, err.Error()+"\n")
			return
		}
		io.WriteString(w, "ready\n")
	})
	if b.metrics != nil {
		mux.Handle("GET /metrics", b.metrics.Handler())
	}
	return mux
}

// bodyReadTimeout bounds reading a request's body, counted from the moment
// its headers arrived. Slack sends its few kilobytes at once; a sender that
// drips a body a byte at a time is cut off instead of holding a connection
// and a goroutine for as long as it likes.
const bodyReadTimeout = 2 * time.Second

// slotWait is how long a verified slash command or interaction waits for an
// in-flight slot. Slack never delivers those again, so they wait rather
// than being turned away, but not past the point where the work would miss
// the three seconds.
const slotWait = time.Second

// busyText is what a person sees when every slot stayed taken.
const busyText = "I'm very busy right now; please try that again in a moment."

func (b *Bot) serveSlack(w http.ResponseWriter, r *http.Request, signatures *signer) {
	start := time.Now()
	body, err := readBody(w, r, start.Add(bodyReadTimeout))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			http.Error(w, "request body too large", http.StatusRequestEntityTooLarge)
			return
		}
		w.Header().Set("Connection", "close")
		http.Error(w, "request body too slow", http.StatusRequestTimeout)
		return
	}
	// Nothing is parsed, and no slot is taken, before the signature is
	// checked: an unsigned sender costs a read and an HMAC, nothing more.
	if err := signatures.verify(r.Header, body, b.now()); err != nil {
		if ok, suppressed := b.refused.note(b.now()); ok {
			b.log.Warn("refused unsigned request", "err", err, "remote", r.RemoteAddr, "suppressed", suppressed)
		}
		http.Error(w, "invalid signature", http.StatusUnauthorized)
		return
	}
	// The work before the ack shares the three seconds with the wait above.
	ctx, cancel := context.WithDeadline(r.Context(), start.Add(b.ackWindow()))
	defer cancel()
	if strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
		release, ok := b.admitEvent(ctx, start)
		if !ok {
			b.metrics.Busy("event")
			w.Header().Set("Retry-After", "1")
			http.Error(w, "busy, try again", http.StatusServiceUnavailable)
			return
		}
		defer release()
		b.serveEvent(ctx, w, body)
		b.metrics.Ack("event", time.Since(start))
		return
	}
	form, err := url.ParseQuery(string(body))
	if err != nil {
		http.Error(w, "unreadable form", http.StatusBadRequest)
		return
	}
	switch {
	case form.Get("ssl_check") == "1":
		// Slack checks the certificate of a distributed app's URLs now and
		// then with a token and nothing to act on.
		w.WriteHeader(http.StatusOK)
	case form.Has("payload"):
		var cb slack.InteractionCallback
		if err := json.Unmarshal([]byte(form.Get("payload")), &cb); err != nil {
			http.Error(w, "unreadable interaction payload", http.StatusBadRequest)
			return
		}
		release, ok := b.admit(ctx, start.Add(slotWait))
		if !ok {
			b.metrics.Busy("interaction")
			writeJSON(w, b.busyInteraction(cb))
			return
		}
		defer release()
		writeJSON(w, b.Interaction(ctx, cb))
		b.metrics.Ack("interaction", time.Since(start))
	case form.Has("command"):
		release, ok := b.admit(ctx, start.Add(slotWait))
		if !ok {
			b.metrics.Busy("command")
			writeJSON(w, textAck(busyText))
			return
		}
		defer release()
		cmd := slashFromForm(form)
		if a := b.Command(ctx, cmd); a != nil {
			writeJSON(w, a)
		} else {
			w.WriteHeader(http.StatusOK)
		}
		b.metrics.Ack("command", time.Since(start))
	default:
		http.Error(w, "not a Slack command, interaction or event", http.StatusBadRequest)
	}
}

// readBody reads a request body of at most maxBody bytes by deadline.
//
// The deadline is lifted once the body is in: the server watches the idle
// connection while the handler runs, and a deadline passing then would
// cancel the request's context. After a failed read it stays, so the
// server, which tries to drain an unread body before reusing the
// connection, gives up on it at once instead of waiting for the drip.
func readBody(w http.ResponseWriter, r *http.Request, deadline time.Time) ([]byte, error) {
	rc := http.NewResponseController(w)
	// Recorders and HTTP/2 may not support deadlines; the server's own
	// ReadTimeout still bounds those.
	supported := rc.SetReadDeadline(deadline) == nil
	body, err := readAll(http.MaxBytesReader(w, r.Body, maxBody), r.ContentLength)
	if err == nil && supported {
		rc.SetReadDeadline(time.Time{})
	}
	return body, err
}

// readAll is io.ReadAll into a buffer of the announced length, read in
// one go instead of grown from 512 bytes; past maxBody the reader fails
// anyway, so a false length costs at most that.
func readAll(r io.Reader, length int64) ([]byte, error) {
	if length <= 0 || length > maxBody {
		return io.ReadAll(r)
	}
	buf := make([]byte, 0, length+1) // +1: reaching EOF needs room for one more read
	for {
		n, err := r.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if err == io.EOF {
			return buf, nil
		}
		if err != nil {
			return buf, err
		}
		if len(buf) == cap(buf) {
			buf = slices.Grow(buf, 512)
		}
	}
}

// An event that finds every slot taken waits up to eventSlotWait for one,
// and at most maxEventWaiters wait at once; past either it is turned away
// with 503. At a steady 3,000 answers a second, well below what the
// benchmark's machine serves, a pause of a few tens of milliseconds (a
// garbage collection's marking, chiefly) filled every slot: six runs of
// 15,000 answers had up to 703 turned away each, 1,056 in all; with the
// wait, 14 in all. Slack retries a refused event, but the 503 costs a
// second delivery, a second signature check and a second parse.
// The line is bounded because an unbounded one was tried: under lasting
// overload its waiters held 270 MB and fewer answers were served. A
// waiter uses no CPU, and the wait is short beside the three seconds,
// whose deadline it shares with the work.
const (
	eventSlotWait   = 100 * time.Millisecond
	maxEventWaiters = maxInFlight
)

// admitEvent is admit for an Events API delivery that arrived at start.
func (b *Bot) admitEvent(ctx context.Context, start time.Time) (release func(), ok bool) {
	if release, ok := b.admit(ctx, time.Time{}); ok {
		return release, true
	}
	if b.eventWaiters.Add(1) > maxEventWaiters {
		b.eventWaiters.Add(-1)
		return nil, false
	}
	defer b.eventWaiters.Add(-1)
	return b.admit(ctx, start.Add(cmp.Or(b.eventWait, eventSlotWait)))
}

// admit takes an in-flight slot, waiting for one until wait (not at all
// for a zero wait) or until ctx ends.
func (b *Bot) admit(ctx context.Context, wait time.Time) (release func(), ok bool) {
	select {
	case b.inflight <- struct{}{}:
		return func() { <-b.inflight }, true
	default:
	}
	if wait.IsZero() {
		return nil, false
	}
	timer := time.NewTimer(time.Until(wait))
	defer timer.Stop()
	select {
	case b.inflight <- struct{}{}:
		return func() { <-b.inflight }, true
	case <-timer.C:
	case <-ctx.Done():
	}
	return nil, false
}

// busyInteraction acknowledges an interaction that found no slot. A modal
// stays open with a note beside its first field, so nothing typed is lost;
// a button press is answered through its response_url.
func (b *Bot) busyInteraction(cb slack.InteractionCallback) any {
	if cb.Type == slack.InteractionTypeViewSubmission {
		if cb.View.State == nil || len(cb.View.State.Values) == 0 {
			return nil
		}
		first := slices.Min(slices.Collect(maps.Keys(cb.View.State.Values)))
		return viewAck{ResponseAction: "errors", Errors: map[string]string{first: busyText}}
	}
	b.tellAfter(cb, say(busyText))
	return nil
}

// sampleEvery is how often a sampledLog lets a line through: a flood of
// forged requests, say, must not become a flood of log lines.
const sampleEvery = time.Minute

// sampledLog decides which of many like events are logged: the first in
// each interval, with the count of those left out since the last line.
type sampledLog struct {
	mu         sync.Mutex
	next       time.Time
	suppressed int
}

func (l *sampledLog) note(now time.Time) (log bool, suppressed int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if now.Before(l.next) {
		l.suppressed++
		return false, 0
	}
	l.next = now.Add(sampleEvery)
	suppressed, l.suppressed = l.suppressed, 0
	return true, suppressed
}

// serveEvent handles an Events API body. Message events, nearly all of
// them, are decoded once into the few fields racebot reads (see
// messageCallback); the rest go through slackevents.
func (b *Bot) serveEvent(ctx context.Context, w http.ResponseWriter, body []byte) {
	ev, ok := decodeMessageEvent(body)
	if !ok {
		var err error
		ev, err = slackevents.ParseEvent(json.RawMessage(body), slackevents.OptionNoVerifyToken())
		if err != nil {
			http.Error(w, "unreadable event", http.StatusBadRequest)
			return
		}
	}
	if ev.Type == slackevents.URLVerification {
		var ch slackevents.ChallengeResponse
		if err := json.Unmarshal(body, &ch); err != nil {
			http.Error(w, "unreadable challenge", http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Type", "text/plain")
		io.WriteString(w, ch.Challenge)
		return
	}
	if err := b.Event(ctx, ev); err != nil {
		// A 5xx makes Slack deliver the event again: nothing was recorded.
		b.log.Error("event not recorded; asking Slack to retry", "err", err)
		http.Error(w, "try again", http.StatusServiceUnavailable)
		return
	}
	w.WriteHeader(http.StatusOK)
}

// slashFromForm reads a slash command from the verified body; reading
// r.Form instead would also take query parameters nobody signed.
func slashFromForm(f url.Values) slack.SlashCommand {
	return slack.SlashCommand{
		Token:               f.Get("token"),
		TeamID:              f.Get("team_id"),
		TeamDomain:          f.Get("team_domain"),
		EnterpriseID:        f.Get("enterprise_id"),
		ChannelID:           f.Get("channel_id"),
		ChannelName:         f.Get("channel_name"),
		UserID:              f.Get("user_id"),
		UserName:            f.Get("user_name"),
		Command:             f.Get("command"),
		Text:                f.Get("text"),
		ResponseURL:         f.Get("response_url"),
		TriggerID:           f.Get("trigger_id"),
		APIAppID:            f.Get("api_app_id"),
		IsEnterpriseInstall: f.Get("is_enterprise_install") == "true",
	}
}

func writeJSON(w http.ResponseWriter, v any) {
	if v == nil {
		w.WriteHeader(http.StatusOK)
		return
	}
	body, err := encodeAck(v)
	if err != nil {
		slog.Error("encode ack", "err", err)
		w.WriteHeader(http.StatusOK)
		return
	}
	// A length lets the server send the body in one piece, not chunked.
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.Write(body)
}

// encodeAck is an acknowledgement's JSON body.
func encodeAck(v any) ([]byte, error) {
	if a, ok := v.(*ack); ok && a.encoded != nil {
		return a.encoded, nil
	}
	var buf bytes.Buffer
	if err := json.NewEncoder(&buf).Encode(v); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
