package slackfake

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"
)

// Identities the fake workspace uses unless a payload says otherwise.
const (
	TeamID     = "T1"
	TeamDomain = "racebot-test"
	AppID      = "A1"
	BotUserID  = "UBOT"
	BotID      = "BBOT"
	BotName    = "racebot"
)

// Pseudo-method names under which calls that are not Web API methods are
// recorded and can be given faults.
const (
	// MethodUpload is the POST of file content to an upload URL handed out
	// by files.getUploadURLExternal.
	MethodUpload = "upload"
	// MethodResponseURL is a POST to a URL handed out by ResponseURL.
	MethodResponseURL = "response_url"
)

// DefaultWaitTimeout bounds every Wait helper. It is generous on purpose:
// the waits return as soon as their condition holds, and a slow -race run on
// two cores must not turn into a flaky failure.
const DefaultWaitTimeout = 10 * time.Second

// Call is one request the fake received, recorded after it was answered.
type Call struct {
	Method string
	// Params holds form-encoded and query parameters, nil for JSON bodies.
	Params url.Values
	// JSON holds a JSON body, nil for form bodies.
	JSON map[string]any
	// Token is the bearer or form token the caller presented.
	Token string
	// Team is the workspace (team id, or enterprise id for an org-wide
	// install) the fake issued Token for; empty while the fake knows no
	// workspaces (see AddWorkspace).
	Team string
	// Status is the HTTP status the fake answered with, 0 if the caller
	// gave up while Delay or Hold held the answer or ResetAfterNext reset
	// the connection.
	Status int
	// Error is the Slack error code of an ok:false answer, if any.
	Error string
	// At is when the request arrived.
	At time.Time
}

// Get returns the named parameter from the form or, for JSON bodies, the
// top-level field: strings as they are, anything else as JSON.
func (c Call) Get(key string) string {
	if v, ok := c.Params[key]; ok && len(v) > 0 {
		return v[0]
	}
	v, ok := c.JSON[key]
	if !ok || v == nil {
		return ""
	}
	if s, ok := v.(string); ok {
		return s
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// Fake is a loopback Slack: a Web API and a Socket Mode endpoint on one
// httptest server. All methods are safe for concurrent use.
type Fake struct {
	t   testing.TB
	srv *httptest.Server

	closing   chan struct{}
	closeOnce sync.Once

	mu          sync.Mutex
	changed     chan struct{} // closed and replaced whenever state changes
	waitTimeout time.Duration
	lastMicro   int64
	seq         int

	calls      []Call
	inFlight   map[string]int
	faults     map[string]*fault
	users      map[string]User
	channels   map[string]Channel
	messages   map[string][]Message // by channel, in posting order
	ephemerals []Ephemeral
	views      []*View
	triggers   map[string]string // trigger_id -> user id
	files      map[string]*pendingFile
	// shareLag is how many files.info calls about a completed file still
	// show it unshared (see ShareLag); lagLeft counts them down per file.
	shareLag   int
	lagLeft    map[string]int
	uploads    []Upload
	hooks      map[string]*hook // response URL path -> state
	responses  []Response
	executions map[string]*Execution // custom function runs by function_execution_id

	oauth  oauthState
	socket socketState
}

// New starts a fake on a loopback port and stops it when the test ends.
func New(t testing.TB) *Fake {
	t.Helper()
	f := &Fake{
		t:           t,
		closing:     make(chan struct{}),
		changed:     make(chan struct{}),
		waitTimeout: DefaultWaitTimeout,
		inFlight:    map[string]int{},
		faults:      map[string]*fault{},
		users:       map[string]User{},
		channels:    map[string]Channel{},
		messages:    map[string][]Message{},
		triggers:    map[string]string{},
		files:       map[string]*pendingFile{},
		hooks:       map[string]*hook{},
		executions:  map[string]*Execution{},
	}
	f.socket.init()
	mux := http.NewServeMux()
	mux.HandleFunc("/api/{method}", f.serveAPI)
	mux.HandleFunc("/upload/{file}", f.serveUpload)
	mux.HandleFunc("/hooks/{id}", f.serveResponseURL)
	mux.HandleFunc("/link/", f.serveLink)
	f.srv = httptest.NewServer(mux)
	t.Cleanup(f.Close)
	return f
}

// Close drops every Socket Mode connection and stops the server. New
// registers it with t.Cleanup; calling it again is harmless.
func (f *Fake) Close() {
	f.closeOnce.Do(func() {
		close(f.closing)
		f.closeSockets()
		f.srv.Close()
	})
}

// URL is the root of the fake server, without a trailing slash.
func (f *Fake) URL() string { return f.srv.URL }

// APIURL is what slack.OptionAPIURL expects: the Web API root, ending in "/".
func (f *Fake) APIURL() string { return f.srv.URL + "/api/" }

// SetWaitTimeout changes how long the Wait helpers wait before failing the
// test (DefaultWaitTimeout otherwise).
func (f *Fake) SetWaitTimeout(d time.Duration) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.waitTimeout = d
}

// Calls returns the recorded calls of one method ("chat.postMessage",
// MethodUpload, ...) in arrival order, or of all methods if method is "".
func (f *Fake) Calls(method string) []Call {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []Call
	for _, c := range f.calls {
		if method == "" || c.Method == method {
			out = append(out, c)
		}
	}
	return out
}

// InFlight reports how many requests for method are being held by Delay or
// are otherwise not yet answered.
func (f *Fake) InFlight(method string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.inFlight[method]
}

// WaitFor polls cond until it holds, failing the test with a dump of
// everything the fake saw if it does not within the wait timeout. Like
// t.Fatal it must be called from the test's own goroutine.
func (f *Fake) WaitFor(t testing.TB, cond func() bool, what string) {
	t.Helper()
	f.mu.Lock()
	deadline := time.Now().Add(f.waitTimeout)
	f.mu.Unlock()
	poll := time.NewTicker(10 * time.Millisecond)
	defer poll.Stop()
	for {
		f.mu.Lock()
		changed := f.changed
		f.mu.Unlock()
		if cond() {
			return
		}
		if !time.Now().Before(deadline) {
			t.Fatalf("slackfake: gave up waiting for %s\n%s", what, f.Dump())
			return
		}
		// State changes wake us at once; the ticker covers conditions that
		// depend on things outside the fake.
		select {
		case <-changed:
		case <-poll.C:
		}
	}
}

// WaitCalls waits until at least n calls of method were answered and
// returns all of them.
func (f *Fake) WaitCalls(t testing.TB, method string, n int) []Call {
	t.Helper()
	f.WaitFor(t, func() bool { return len(f.Calls(method)) >= n }, fmt.Sprintf("%d call(s) of %s", n, method))
	return f.Calls(method)
}

// WaitMessage waits until the channel holds a message that match accepts
// and returns it.
func (f *Fake) WaitMessage(t testing.TB, channel string, match func(Message) bool, what string) Message {
	t.Helper()
	var found Message
	f.WaitFor(t, func() bool {
		for _, m := range f.Messages(channel) {
			if match(m) {
				found = m
				return true
			}
		}
		return false
	}, what)
	return found
}

// Dump describes everything the fake has seen, for failure messages.
func (f *Fake) Dump() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var b strings.Builder
	fmt.Fprintf(&b, "--- slackfake: %d call(s)\n", len(f.calls))
	for _, c := range f.calls {
		fmt.Fprintf(&b, "  %s %-32s %d", c.At.Format("15:04:05.000"), c.Method, c.Status)
		if c.Error != "" {
			fmt.Fprintf(&b, " error=%s", c.Error)
		}
		b.WriteString(describeParams(c))
		b.WriteByte('\n')
	}
	channels := make([]string, 0, len(f.messages))
	for ch := range f.messages {
		channels = append(channels, ch)
	}
	sort.Strings(channels)
	for _, ch := range channels {
		fmt.Fprintf(&b, "--- messages in %s\n", ch)
		for _, m := range f.messages[ch] {
			fmt.Fprintf(&b, "  ts=%s thread=%s updated=%t text=%q blocks=%s%s\n",
				m.TS, m.ThreadTS, m.Updated, clip(m.Text), clip(string(m.Blocks)), describeMetadata(m.Metadata))
		}
	}
	f.socket.dump(&b)
	return b.String()
}

func describeParams(c Call) string {
	var parts []string
	for k, v := range c.Params {
		if k != "token" && len(v) > 0 {
			parts = append(parts, k+"="+clip(v[0]))
		}
	}
	for k, v := range c.JSON {
		b, _ := json.Marshal(v)
		parts = append(parts, k+"="+clip(string(b)))
	}
	if len(parts) == 0 {
		return ""
	}
	sort.Strings(parts)
	return " " + strings.Join(parts, " ")
}

func clip(s string) string {
	const max = 160
	if len(s) > max {
		return s[:max] + "…"
	}
	return s
}

// notifyLocked wakes WaitFor callers. f.mu must be held.
func (f *Fake) notifyLocked() {
	close(f.changed)
	f.changed = make(chan struct{})
}

// nextTSLocked returns a Slack timestamp ("1732380000.000100") that is
// unique and larger than every one handed out before, so ordering by ts
// works within and across channels. f.mu must be held.
func (f *Fake) nextTSLocked() string {
	micro := max(time.Now().UnixMicro(), f.lastMicro+1)
	f.lastMicro = micro
	return fmt.Sprintf("%d.%06d", micro/1e6, micro%1e6)
}

// observeTS moves the fake's clock past ts, a Slack timestamp a test
// chose; one that does not parse is ignored.
func (f *Fake) observeTS(ts string) {
	var sec, micro int64
	if n, err := fmt.Sscanf(ts, "%d.%06d", &sec, &micro); err != nil || n != 2 {
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.lastMicro = max(f.lastMicro, sec*1e6+micro)
}

// nextTS is nextTSLocked for callers that do not hold f.mu.
func (f *Fake) nextTS() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.nextTSLocked()
}

// nextIDLocked returns a Slack-looking ID with the given one-letter prefix.
// f.mu must be held.
func (f *Fake) nextIDLocked(prefix string) string {
	f.seq++
	return fmt.Sprintf("%s%08d", prefix, f.seq)
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// newUUID returns a random version 4 UUID, the shape of Slack's envelope IDs.
func newUUID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b)
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}
