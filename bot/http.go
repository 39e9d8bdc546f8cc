package bot

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
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
	if !ok {
		return errBadSignature
	}
	got, err := hex.DecodeString(sig)
	if err != nil {
		return errBadSignature
	}
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte("v0:" + tsText + ":"))
	mac.Write(body)
	if !hmac.Equal(got, mac.Sum(nil)) {
		return errBadSignature
	}
	return nil
}

// HTTPHandler serves Slack's HTTP front door at /slack/events (slash
// commands, interactivity and events alike) plus the operations endpoints.
func (b *Bot) HTTPHandler(secret string) http.Handler {
	mux := b.OpsHandler()
	mux.HandleFunc("POST /slack/events", func(w http.ResponseWriter, r *http.Request) { b.serveSlack(w, r, secret) })
	return mux
}

// OpsHandler serves /healthz (the process is up), /readyz (the database
// answers and Slack is connected) and /metrics (Prometheus).
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

func (b *Bot) serveSlack(w http.ResponseWriter, r *http.Request, secret string) {
	start := time.Now()
	select {
	case b.inflight <- struct{}{}:
		defer func() { <-b.inflight }()
	default:
		w.Header().Set("Retry-After", "1")
		http.Error(w, "busy, try again", http.StatusServiceUnavailable)
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	if err != nil {
		http.Error(w, "request body too large", http.StatusRequestEntityTooLarge)
		return
	}
	// Nothing is parsed before the signature is checked.
	if err := Verify(secret, r.Header, body, b.now()); err != nil {
		b.log.Warn("refused unsigned request", "err", err, "remote", r.RemoteAddr)
		http.Error(w, "invalid signature", http.StatusUnauthorized)
		return
	}
	ctx := r.Context()
	if strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
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
	case form.Has("payload"):
		var cb slack.InteractionCallback
		if err := json.Unmarshal([]byte(form.Get("payload")), &cb); err != nil {
			http.Error(w, "unreadable interaction payload", http.StatusBadRequest)
			return
		}
		writeJSON(w, b.Interaction(ctx, cb))
		b.metrics.Ack("interaction", time.Since(start))
	case form.Has("command"):
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

func (b *Bot) serveEvent(ctx context.Context, w http.ResponseWriter, body []byte) {
	ev, err := slackevents.ParseEvent(json.RawMessage(body), slackevents.OptionNoVerifyToken())
	if err != nil {
		http.Error(w, "unreadable event", http.StatusBadRequest)
		return
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
	var buf bytes.Buffer
	if err := json.NewEncoder(&buf).Encode(v); err != nil {
		slog.Error("encode ack", "err", err)
		w.WriteHeader(http.StatusOK)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Write(buf.Bytes())
}
