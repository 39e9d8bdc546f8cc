package bench

import (
	"bytes"
	"encoding/json"
	"io"
	"mime"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/go-json-experiment/json/jsontext"
)

// BotUserID is the user racebot learns it is from auth.test.
const BotUserID = "UBENCHBOT"

// SlackAPI is a minimal, fast fake of the Slack Web API: enough for racebot
// serve (auth.test, chat.postMessage, chat.postEphemeral, chat.update,
// views.publish) and nothing else. Unlike internal/slackfake it keeps no
// message history, because under load the history would be what is
// measured; it remembers only the thread of each plan header.
type SlackAPI struct {
	srv *httptest.Server
	// PostDelay holds every chat.postMessage this long before answering,
	// to show acknowledgements do not wait for posts.
	postDelay time.Duration

	seq         atomic.Uint64
	posts       atomic.Int64
	threadPosts atomic.Int64
	ephemerals  atomic.Int64
	updates     atomic.Int64
	inFlight    atomic.Int64
	maxFlight   atomic.Int64

	mu sync.Mutex
	// pace is the least time between two posts in a channel; nextTurn is
	// each channel's next free turn.
	pace     time.Duration
	nextTurn map[string]time.Time
	headers  map[string]string // channel -> ts of its first top-level message
	byTS     map[string]string // header ts -> channel
	opened   map[string]bool   // header ts -> racebot has posted in its thread
	waiters  []chan struct{}
}

// NewSlackAPI starts the fake on a loopback port. Close it when done.
func NewSlackAPI(postDelay time.Duration) *SlackAPI {
	s := &SlackAPI{postDelay: postDelay, nextTurn: make(map[string]time.Time), headers: make(map[string]string), byTS: make(map[string]string), opened: make(map[string]bool)}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	return s
}

// URL is the Web API base URL to give racebot as SLACK_API_URL.
func (s *SlackAPI) URL() string { return s.srv.URL + "/api/" }

// ResponseURL is the response URL of the n-th slash command, served by
// the fake so that replies through it stay on the machine. It is as long
// as Slack's (https://hooks.slack.com/commands/…), give or take a few
// bytes.
func (s *SlackAPI) ResponseURL(n uint64) string {
	return s.srv.URL + "/commands/" + Team + "/" + strconv.FormatUint(7_700_000_000_000+n, 10) + "/q3ZbW8nKx2Lr5TcV9mHa1YdE"
}

// Close stops the fake, cutting any posts still held by PostDelay.
func (s *SlackAPI) Close() {
	s.srv.CloseClientConnections()
	s.srv.Close()
}

// Counts reports what racebot sent so far: messages posted, ephemeral
// messages and replies through response URLs (racebot's ways of
// explaining an error to one person), message
// updates, and the most posts it had in flight at once.
func (s *SlackAPI) Counts() (posts, ephemerals, updates, maxInFlight int64) {
	return s.posts.Load(), s.ephemerals.Load(), s.updates.Load(), s.maxFlight.Load()
}

// PacePosts makes chat.postMessage take at most one message per interval
// in a channel, as Slack does (about one a second): a post that comes
// before its channel's turn is held until then. Slack answers such a post
// with HTTP 429 instead, which racebot's client waits out; holding it
// keeps the fake's pace exact.
func (s *SlackAPI) PacePosts(interval time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.pace = interval
}

// turn books the channel's next turn at or after now and returns it.
func (s *SlackAPI) turn(channel string, now time.Time) time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.pace <= 0 {
		return now
	}
	t := now
	if next := s.nextTurn[channel]; next.After(t) {
		t = next
	}
	s.nextTurn[channel] = t.Add(s.pace)
	return t
}

// ThreadPosts is how many messages racebot has posted in threads.
func (s *SlackAPI) ThreadPosts() int64 { return s.threadPosts.Load() }

// Threads returns, by channel, the ts of each plan header racebot has
// posted and then answered in its own thread. racebot binds the thread to
// the plan between the two posts, so a reply sent before the first post in
// the thread could find no plan; a thread counts only once it is open.
func (s *SlackAPI) Threads() map[string]string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[string]string, len(s.opened))
	for ts := range s.opened {
		out[s.byTS[ts]] = ts
	}
	return out
}

// WaitThreads waits until n threads are open, or the timeout passes, and
// returns the threads open by then.
func (s *SlackAPI) WaitThreads(n int, timeout time.Duration) map[string]string {
	deadline := time.Now().Add(timeout)
	for {
		s.mu.Lock()
		open := len(s.opened)
		s.mu.Unlock()
		if open >= n || time.Now().After(deadline) {
			return s.Threads()
		}
		s.mu.Lock()
		ch := make(chan struct{})
		s.waiters = append(s.waiters, ch)
		s.mu.Unlock()
		select {
		case <-ch:
		case <-time.After(time.Until(deadline)):
		}
	}
}

// nextTS makes a message timestamp unique across the fake's life, in
// Slack's "seconds.micros" form.
func (s *SlackAPI) nextTS() string {
	n := s.seq.Add(1)
	return strconv.FormatUint(1_700_000_000+n/1_000_000, 10) + "." + pad6(n%1_000_000)
}

func pad6(n uint64) string {
	s := strconv.FormatUint(n, 10)
	return strings.Repeat("0", 6-len(s)) + s
}

func (s *SlackAPI) serve(w http.ResponseWriter, r *http.Request) {
	if strings.HasPrefix(r.URL.Path, "/commands/") {
		// A reply through a command's response URL: racebot's way of
		// explaining, after the acknowledgement, what went wrong.
		io.Copy(io.Discard, r.Body)
		s.ephemerals.Add(1)
		io.WriteString(w, "ok")
		return
	}
	method, ok := strings.CutPrefix(r.URL.Path, "/api/")
	if !ok {
		http.NotFound(w, r)
		return
	}
	args, err := readArgs(r)
	if err != nil {
		writeOK(w, map[string]any{"ok": false, "error": "invalid_arguments"})
		return
	}
	switch method {
	case "auth.test":
		writeOK(w, map[string]any{"ok": true, "url": "https://bench.slack.com/", "team": "Bench",
			"user": "racebot", "team_id": "T0BENCH", "user_id": BotUserID, "bot_id": "B0BENCH"})
	case "chat.postMessage":
		s.postMessage(w, r, args)
	case "chat.postEphemeral":
		s.ephemerals.Add(1)
		writeOK(w, map[string]any{"ok": true, "message_ts": s.nextTS()})
	case "chat.update":
		s.updates.Add(1)
		writeOK(w, map[string]any{"ok": true, "channel": args.Channel, "ts": args.TS, "text": ""})
	case "users.info":
		// racebot asks for a writer's zone when a reply has a date in it
		// ("within a day's delivery"), once a person.
		writeOK(w, map[string]any{"ok": true, "user": map[string]any{"tz": "Europe/London", "tz_offset": 0}})
	default:
		writeOK(w, map[string]any{"ok": true})
	}
}

func (s *SlackAPI) postMessage(w http.ResponseWriter, r *http.Request, args apiArgs) {
	n := s.inFlight.Add(1)
	defer s.inFlight.Add(-1)
	for {
		m := s.maxFlight.Load()
		if n <= m || s.maxFlight.CompareAndSwap(m, n) {
			break
		}
	}
	if s.postDelay > 0 {
		select {
		case <-time.After(s.postDelay):
		case <-r.Context().Done():
			return
		}
	}
	channel := args.Channel
	if wait := time.Until(s.turn(channel, time.Now())); wait > 0 {
		t := time.NewTimer(wait)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
			return
		}
	}
	ts := s.nextTS()
	s.posts.Add(1)
	thread := args.ThreadTS
	if thread != "" {
		s.threadPosts.Add(1)
	}
	s.mu.Lock()
	switch _, header := s.byTS[thread]; {
	case thread == "":
		if _, ok := s.headers[channel]; !ok {
			s.headers[channel] = ts
			s.byTS[ts] = channel
		}
	case header && !s.opened[thread]:
		s.opened[thread] = true
		for _, ch := range s.waiters {
			close(ch)
		}
		s.waiters = nil
	}
	s.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(posted{OK: true, Channel: channel, TS: ts, Message: postedMessage{Type: "message", User: BotUserID, TS: ts}})
}

// posted is chat.postMessage's answer, as a struct: the fake shares the
// machine with racebot, so what it spends on each post is taken from
// racebot's share.
type posted struct {
	OK      bool          `json:"ok"`
	Channel string        `json:"channel"`
	TS      string        `json:"ts"`
	Message postedMessage `json:"message"`
}

type postedMessage struct {
	Type string `json:"type"`
	User string `json:"user"`
	TS   string `json:"ts"`
}

// apiArgs are the arguments of a Web API call the fake reads.
type apiArgs struct {
	Channel  string `json:"channel"`
	ThreadTS string `json:"thread_ts"`
	TS       string `json:"ts"`
}

// readArgs reads a Web API call's arguments, sent as a form or as JSON.
// Only the few it uses are decoded, not the blocks: the fake shares the
// machine with racebot, and what it spends on a post is taken from
// racebot's share. json.Unmarshal, though it kept none of the blocks,
// still scanned them twice: a sixth of the load tool's CPU.
func readArgs(r *http.Request) (apiArgs, error) {
	body, err := readBody(r)
	if err != nil {
		return apiArgs{}, err
	}
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if ct != "application/json" {
		form, err := url.ParseQuery(string(body))
		return apiArgs{Channel: form.Get("channel"), ThreadTS: form.Get("thread_ts"), TS: form.Get("ts")}, err
	}
	return jsonArgs(body)
}

// readBody reads a request's body in one go when its length is known.
func readBody(r *http.Request) ([]byte, error) {
	const limit = 8 << 20
	if n := r.ContentLength; n > 0 && n <= limit {
		body := make([]byte, n)
		_, err := io.ReadFull(r.Body, body)
		return body, err
	}
	return io.ReadAll(io.LimitReader(r.Body, limit))
}

// jsonArgs reads the arguments from a JSON body: the three strings it
// uses are read, every other value skipped unread. Anything it does not
// expect (an escaped name, a name in other case, more after the object)
// goes to json.Unmarshal instead.
func jsonArgs(body []byte) (apiArgs, error) {
	var args apiArgs
	d := decoders.Get().(*jsontext.Decoder)
	defer func() {
		d.Reset(new(bytes.Buffer)) // so the pool does not keep the body
		decoders.Put(d)
	}()
	// A bytes.Buffer is read in place, not copied into the decoder's own.
	d.Reset(bytes.NewBuffer(body))
	ok := func() bool {
		if tok, err := d.ReadToken(); err != nil || tok.Kind() != '{' {
			return false
		}
		for d.PeekKind() == '"' {
			name, err := d.ReadValue()
			if err != nil || bytes.IndexByte(name, '\\') >= 0 {
				return false
			}
			var field *string
			switch string(name[1 : len(name)-1]) {
			case "channel":
				field = &args.Channel
			case "thread_ts":
				field = &args.ThreadTS
			case "ts":
				field = &args.TS
			default:
				// encoding/json matches names with case folded.
				if n := string(name[1 : len(name)-1]); strings.EqualFold(n, "channel") || strings.EqualFold(n, "thread_ts") || strings.EqualFold(n, "ts") ||
					d.SkipValue() != nil {
					return false
				}
				continue
			}
			tok, err := d.ReadToken()
			if err != nil || tok.Kind() != '"' {
				return false
			}
			*field = tok.String()
		}
		if tok, err := d.ReadToken(); err != nil || tok.Kind() != '}' {
			return false
		}
		_, err := d.ReadToken()
		return err == io.EOF
	}()
	if !ok {
		args = apiArgs{}
		err := json.Unmarshal(body, &args)
		return args, err
	}
	return args, nil
}

// decoders are kept for reuse: a new one's buffers and name tables cost
// as much as reading a post.
var decoders = sync.Pool{New: func() any { return jsontext.NewDecoder(new(bytes.Buffer)) }}

func writeOK(w http.ResponseWriter, v map[string]any) {
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(v)
}
