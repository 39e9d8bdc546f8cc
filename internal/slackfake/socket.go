package slackfake

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// pingInterval is how often the fake pings each Socket Mode connection.
// slack-go reconnects when it hears no ping for 30s, so the fake pings well
// inside that, as Slack does.
const pingInterval = 2 * time.Second

// writeTimeout bounds one WebSocket write so a stuck client cannot hang
// the fake.
const writeTimeout = 5 * time.Second

// disconnectGrace is how long a connection told to disconnect stays open
// for the client to close it and for acks still in flight to arrive.
const disconnectGrace = 2 * time.Second

// Envelope is one Socket Mode envelope the fake sent or queued.
type Envelope struct {
	ID                     string
	Type                   string // "events_api", "slash_commands", "interactive"
	Payload                json.RawMessage
	AcceptsResponsePayload bool
	// RetryAttempt and RetryReason are set on redeliveries (see Redeliver).
	RetryAttempt int
	RetryReason  string
	Queued       time.Time
	Delivered    bool
}

// Ack is an acknowledgement the app sent over Socket Mode.
type Ack struct {
	EnvelopeID string
	// Payload is the response payload, nil for a bare ack.
	Payload json.RawMessage
	At      time.Time
}

// socketState is the Socket Mode half of the fake. Its fields are guarded
// by Fake.mu except where noted.
type socketState struct {
	// sendMu serialises delivery so envelopes reach the client in the order
	// they were sent, also across reconnects. It is taken before Fake.mu.
	sendMu sync.Mutex

	tickets     map[string]bool // unused apps.connections.open tickets
	conns       map[*socketConn]bool
	current     *socketConn // where envelopes go; nil while disconnected
	connections int
	envelopes   []*Envelope
	queue       []*Envelope // accepted but not yet delivered
	acks        []Ack
}

func (s *socketState) init() {
	s.tickets = map[string]bool{}
	s.conns = map[*socketConn]bool{}
}

// socketConn is one WebSocket connection from the app.
type socketConn struct {
	ws   *websocket.Conn
	wmu  sync.Mutex // gorilla allows one writer at a time
	done chan struct{}
	once sync.Once
	// num is the connection's place among all ever made, from 1.
	num int
}

func (c *socketConn) write(b []byte) error {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	_ = c.ws.SetWriteDeadline(time.Now().Add(writeTimeout))
	return c.ws.WriteMessage(websocket.TextMessage, b)
}

func (c *socketConn) close() {
	c.once.Do(func() {
		close(c.done)
		_ = c.ws.Close()
	})
}

var upgrader = websocket.Upgrader{CheckOrigin: func(*http.Request) bool { return true }}

// serveLink is the WebSocket URL apps.connections.open hands out.
func (f *Fake) serveLink(w http.ResponseWriter, r *http.Request) {
	ticket := r.URL.Query().Get("ticket")
	f.mu.Lock()
	valid := f.socket.tickets[ticket]
	delete(f.socket.tickets, ticket)
	f.mu.Unlock()
	if !valid {
		http.Error(w, "invalid or used ticket", http.StatusUnauthorized)
		return
	}
	ws, err := upgrader.Upgrade(w, r, nil)
	if err != nil {
		return // Upgrade has answered the client already.
	}
	c := &socketConn{ws: ws, done: make(chan struct{})}

	f.mu.Lock()
	select {
	case <-f.closing:
		f.mu.Unlock()
		c.close()
		return
	default:
	}
	f.socket.conns[c] = true
	f.socket.connections++
	c.num = f.socket.connections
	num := len(f.socket.conns)
	f.notifyLocked()
	f.mu.Unlock()

	hello, _ := json.Marshal(map[string]any{
		"type":            "hello",
		"num_connections": num,
		"debug_info": map[string]any{
			"host":                        "applink-fake",
			"build_number":                1,
			"approximate_connection_time": 18060,
		},
		"connection_info": map[string]any{"app_id": AppID},
	})
	if c.write(hello) != nil {
		f.dropConn(c)
		return
	}
	f.promote(c)
	go f.pingLoop(c)
	f.readAcks(c)
}

// promote makes c the connection envelopes go to and delivers the queue.
func (f *Fake) promote(c *socketConn) {
	f.socket.sendMu.Lock()
	defer f.socket.sendMu.Unlock()
	f.mu.Lock()
	f.socket.current = c
	queue := f.socket.queue
	f.socket.queue = nil
	f.mu.Unlock()
	for i, env := range queue {
		if err := f.deliver(c, env); err != nil {
			f.mu.Lock()
			f.socket.queue = append(queue[i:], f.socket.queue...)
			f.mu.Unlock()
			return
		}
	}
}

// deliver writes one envelope. On failure c stops being current, and the
// caller queues the envelope again. The caller holds sendMu.
func (f *Fake) deliver(c *socketConn, env *Envelope) error {
	b, _ := json.Marshal(map[string]any{
		"envelope_id":              env.ID,
		"type":                     env.Type,
		"payload":                  env.Payload,
		"accepts_response_payload": env.AcceptsResponsePayload,
		"retry_attempt":            env.RetryAttempt,
		"retry_reason":             env.RetryReason,
	})
	err := c.write(b)
	f.mu.Lock()
	defer f.mu.Unlock()
	if err != nil {
		if f.socket.current == c {
			f.socket.current = nil
		}
		return err
	}
	env.Delivered = true
	f.notifyLocked()
	return nil
}

func (f *Fake) pingLoop(c *socketConn) {
	t := time.NewTicker(pingInterval)
	defer t.Stop()
	for n := 0; ; n++ {
		if err := c.ws.WriteControl(websocket.PingMessage, fmt.Appendf(nil, "ping-%d", n), time.Now().Add(writeTimeout)); err != nil {
			return
		}
		select {
		case <-t.C:
		case <-c.done:
			return
		}
	}
}

// readAcks records acks until the connection ends. gorilla's default ping
// handler answers the client's pings while this reads.
func (f *Fake) readAcks(c *socketConn) {
	defer f.dropConn(c)
	for {
		_, b, err := c.ws.ReadMessage()
		if err != nil {
			return
		}
		var ack struct {
			EnvelopeID string          `json:"envelope_id"`
			Payload    json.RawMessage `json:"payload"`
		}
		if err := json.Unmarshal(b, &ack); err != nil || ack.EnvelopeID == "" {
			f.t.Logf("slackfake: ignoring Socket Mode message that is not an ack: %s", clip(string(b)))
			continue
		}
		var fields map[string]json.RawMessage
		if json.Unmarshal(ack.Payload, &fields) == nil {
			f.checkNoBroadcast("ack", nil, fields)
		}
		f.mu.Lock()
		f.socket.acks = append(f.socket.acks, Ack{EnvelopeID: ack.EnvelopeID, Payload: ack.Payload, At: time.Now()})
		f.notifyLocked()
		f.mu.Unlock()
	}
}

func (f *Fake) dropConn(c *socketConn) {
	c.close()
	f.mu.Lock()
	defer f.mu.Unlock()
	delete(f.socket.conns, c)
	if f.socket.current == c {
		f.socket.current = nil
	}
	f.notifyLocked()
}

func (f *Fake) closeSockets() {
	f.mu.Lock()
	conns := make([]*socketConn, 0, len(f.socket.conns))
	for c := range f.socket.conns {
		conns = append(conns, c)
	}
	f.mu.Unlock()
	for _, c := range conns {
		c.close()
	}
}

// SendEnvelope sends a Socket Mode envelope of type typ ("events_api",
// "slash_commands", "interactive") carrying payload, which is marshalled to
// JSON unless it is already json.RawMessage or []byte, and returns its
// envelope_id. While no client is connected the envelope waits and goes
// out, in order, when one connects. Payload builders of this package get
// the fake's response URLs, timestamps and views filled in; prefer
// SendEvent for them.
func (f *Fake) SendEnvelope(typ string, payload any) string {
	var raw json.RawMessage
	switch p := payload.(type) {
	case Payload:
		raw = mustJSON(p.wire(f.defaults()))
	case json.RawMessage:
		raw = p
	case []byte:
		raw = p
	default:
		raw = mustJSON(payload)
	}
	env := &Envelope{
		ID:                     newUUID(),
		Type:                   typ,
		Payload:                raw,
		AcceptsResponsePayload: acceptsResponsePayload(typ, raw),
		Queued:                 time.Now(),
	}
	f.learnTrigger(raw)
	f.enqueue(env)
	return env.ID
}

// enqueue delivers env now if a client is connected and nothing is waiting
// ahead of it, and queues it otherwise.
func (f *Fake) enqueue(env *Envelope) {
	f.socket.sendMu.Lock()
	defer f.socket.sendMu.Unlock()
	f.mu.Lock()
	f.socket.envelopes = append(f.socket.envelopes, env)
	c := f.socket.current
	if c == nil || len(f.socket.queue) > 0 {
		f.socket.queue = append(f.socket.queue, env)
		f.notifyLocked()
		f.mu.Unlock()
		return
	}
	f.mu.Unlock()
	if err := f.deliver(c, env); err != nil {
		f.mu.Lock()
		f.socket.queue = append(f.socket.queue, env)
		f.mu.Unlock()
	}
}

// Redeliver sends an envelope's payload again the way Slack retries an
// Events API delivery that was not acknowledged in time: a new envelope_id,
// the same payload (so the same event_id), retry_attempt counting up and
// retry_reason "timeout". Use it to prove the app handles a retried event
// once. It returns the new envelope_id, or "" if envelopeID is unknown.
func (f *Fake) Redeliver(envelopeID string) string {
	f.mu.Lock()
	var orig *Envelope
	attempts := 0
	for _, e := range f.socket.envelopes {
		if e.ID == envelopeID {
			orig = e
		}
	}
	if orig != nil {
		for _, e := range f.socket.envelopes {
			if string(e.Payload) == string(orig.Payload) {
				attempts = max(attempts, e.RetryAttempt)
			}
		}
	}
	f.mu.Unlock()
	if orig == nil {
		return ""
	}
	env := &Envelope{
		ID:                     newUUID(),
		Type:                   orig.Type,
		Payload:                orig.Payload,
		AcceptsResponsePayload: orig.AcceptsResponsePayload,
		RetryAttempt:           attempts + 1,
		RetryReason:            "timeout",
		Queued:                 time.Now(),
	}
	f.enqueue(env)
	return env.ID
}

// SendEvent sends a payload built with this package (MessageEvent,
// SlashCommand, BlockAction, ...) in the envelope type it belongs in, and
// returns the envelope_id.
func (f *Fake) SendEvent(p Payload) string {
	return f.SendEnvelope(p.EnvelopeType(), p)
}

// acceptsResponsePayload mirrors Slack: the app may answer slash commands,
// view submissions and options requests in its ack, nothing else.
func acceptsResponsePayload(typ string, payload json.RawMessage) bool {
	switch typ {
	case "slash_commands":
		return true
	case "interactive":
		var p struct {
			Type string `json:"type"`
		}
		_ = json.Unmarshal(payload, &p)
		return p.Type == "view_submission" || p.Type == "block_suggestion"
	}
	return false
}

// learnTrigger remembers whose trigger_id a payload carries, so the modal
// the app opens with it is recorded as that user's.
func (f *Fake) learnTrigger(payload json.RawMessage) {
	var p struct {
		TriggerID string `json:"trigger_id"`
		UserID    string `json:"user_id"`
		User      struct {
			ID string `json:"id"`
		} `json:"user"`
	}
	if json.Unmarshal(payload, &p) != nil || p.TriggerID == "" {
		return
	}
	user := p.UserID
	if user == "" {
		user = p.User.ID
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.triggers[p.TriggerID] = user
}

// Disconnect tells the current connection to go away, as Slack does before
// it recycles a connection (reason "refresh_requested", "warning", ...),
// and closes it shortly after. A slack-go client reconnects on its own,
// calling apps.connections.open again; envelopes sent meanwhile wait for
// the new connection.
func (f *Fake) Disconnect(reason string) {
	f.socket.sendMu.Lock()
	defer f.socket.sendMu.Unlock()
	f.mu.Lock()
	c := f.socket.current
	f.socket.current = nil
	f.mu.Unlock()
	if c == nil {
		f.t.Logf("slackfake: Disconnect(%q) with no client connected", reason)
		return
	}
	msg, _ := json.Marshal(map[string]any{
		"type":       "disconnect",
		"reason":     reason,
		"debug_info": map[string]any{"host": "applink-fake"},
	})
	_ = c.write(msg)
	go func() {
		t := time.NewTimer(disconnectGrace)
		defer t.Stop()
		select {
		case <-t.C:
			f.dropConn(c)
		case <-c.done:
		}
	}()
}

// Drop closes the current connection at once, without the disconnect
// message Slack sends before it recycles one, as a network failure or a
// Slack outage does. A slack-go client notices the broken connection and
// reconnects on its own; envelopes sent meanwhile wait for the new one.
func (f *Fake) Drop() {
	f.socket.sendMu.Lock()
	defer f.socket.sendMu.Unlock()
	f.mu.Lock()
	c := f.socket.current
	f.mu.Unlock()
	if c == nil {
		f.t.Logf("slackfake: Drop with no client connected")
		return
	}
	f.dropConn(c)
}

// Connections counts the Socket Mode connections ever opened.
func (f *Fake) Connections() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.socket.connections
}

// Connected reports whether a client is connected and receiving envelopes.
func (f *Fake) Connected() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.socket.current != nil
}

// WaitConnections waits until the n-th connection opened, or a later one,
// is receiving envelopes.
func (f *Fake) WaitConnections(t testing.TB, n int) {
	t.Helper()
	// The n-th connection, or a later one, must be where envelopes go: a
	// connection counted but not yet greeted is not, and one sent before
	// it is greeted goes to the connection before.
	f.WaitFor(t, func() bool {
		f.mu.Lock()
		defer f.mu.Unlock()
		return f.socket.current != nil && f.socket.current.num >= n
	}, fmt.Sprintf("Socket Mode connection #%d", n))
}

// Envelopes returns every envelope sent so far, delivered or queued.
func (f *Fake) Envelopes() []Envelope {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make([]Envelope, len(f.socket.envelopes))
	for i, e := range f.socket.envelopes {
		out[i] = *e
	}
	return out
}

// Acks returns every ack received, in arrival order.
func (f *Fake) Acks() []Ack {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make([]Ack, len(f.socket.acks))
	copy(out, f.socket.acks)
	return out
}

// AckFor returns the ack of an envelope, if it came.
func (f *Fake) AckFor(envelopeID string) (Ack, bool) {
	for _, a := range f.Acks() {
		if a.EnvelopeID == envelopeID {
			return a, true
		}
	}
	return Ack{}, false
}

// WaitAck waits for the ack of an envelope and returns it.
func (f *Fake) WaitAck(t testing.TB, envelopeID string) Ack {
	t.Helper()
	var ack Ack
	f.WaitFor(t, func() bool {
		var ok bool
		ack, ok = f.AckFor(envelopeID)
		return ok
	}, "ack of envelope "+envelopeID)
	return ack
}

// dump appends the Socket Mode history to a failure message. f.mu is held.
func (s *socketState) dump(b *strings.Builder) {
	fmt.Fprintf(b, "--- socket mode: %d connection(s), connected=%t\n", s.connections, s.current != nil)
	acked := map[string]bool{}
	for _, a := range s.acks {
		acked[a.EnvelopeID] = true
	}
	for _, e := range s.envelopes {
		fmt.Fprintf(b, "  %s %-14s %s delivered=%t acked=%t payload=%s\n",
			e.Queued.Format("15:04:05.000"), e.Type, e.ID, e.Delivered, acked[e.ID], clip(string(e.Payload)))
	}
	for _, a := range s.acks {
		fmt.Fprintf(b, "  ack %s %s payload=%s\n", a.At.Format("15:04:05.000"), a.EnvelopeID, clip(string(a.Payload)))
	}
}

func mustJSON(v any) json.RawMessage {
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("slackfake: marshal payload: %v", err))
	}
	return b
}
