package bot

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/http"
	"path"
	"sync"
	"syscall"
	"time"

	"github.com/racebot/racebot/flows"
	"github.com/racebot/racebot/metrics"
	"github.com/slack-go/slack"
	"golang.org/x/time/rate"
)

// ErrNotPosted marks a post that certainly did not reach Slack: it
// answered 429 after the client's own retries, or no connection could be
// made. Trying again later cannot double it. Every other failure of a post
// may have come after Slack posted the message.
var ErrNotPosted = errors.New("not posted")

// ErrMaybePosted marks a post that may be out without racebot knowing it:
// Slack's answer was lost and the channel could not be read, or the post
// went out and recording it failed. Another try must look for it first
// (see poster.find and Bot.OpenCheckin) rather than post again.
var ErrMaybePosted = errors.New("maybe posted")

// errNoneFound is wrapped, beside ErrNotPosted, when an answer was lost
// and the channel did not show the post, and no later try went out (each
// of maxPostTries answers lost, or the last try certainly not taken): the
// safest guess, but Slack's history may show a post later than its answer
// would have, so a try much later looks again before it posts (see
// Bot.sendReminder).
var errNoneFound = errors.New("none in the channel")

// postEventType is the metadata event type of racebot's messages; the
// payload's "key" names the post, so that a post whose answer was lost is
// found in the channel instead of being posted again.
const postEventType = "racebot_post"

// Looking for a post whose answer was lost: from a little before the
// first try (Slack's clock and ours differ), a page at a time, through at
// most maxLookup messages or maxLookupPages pages (Slack may answer with
// fewer messages than asked for).
const (
	lookBack       = time.Minute
	lookupPage     = 200
	maxLookup      = 1000
	maxLookupPages = 20
)

// maxPostTries bounds the posts of one message whose answers were lost
// and which the channel did not show afterwards.
const maxPostTries = 3

// poster paces messages per channel and posts each exactly once. Slack
// allows about one message a second in a channel and answers bursts with
// HTTP 429; pacing here keeps a busy check-in from being throttled. The
// client (see NewAPI) retries a post only when Slack certainly did not
// take it; when the answer is lost (a 5xx, a dropped connection, a
// timeout) the poster looks in the channel for the post's key before it
// posts again.
type poster struct {
	api *Client
	// resolve, when set, picks the client of the workspace a context is
	// for (see workspaces); api serves every workspace otherwise.
	resolve  func(context.Context) *Client
	interval time.Duration
	// wall is the clock compared with Slack's timestamps: the real one,
	// even when the bot runs on a test's clock.
	wall func() time.Time

	mu       sync.Mutex
	channels map[string]*rate.Limiter
}

func newPoster(api *Client, interval time.Duration) *poster {
	return &poster{api: api, interval: interval, wall: time.Now, channels: make(map[string]*rate.Limiter)}
}

// noUnfurls keeps Slack from unfurling links in what racebot posts: a
// link quoted from an answer would otherwise grow a preview card in the
// middle of a coaching thread. chat.update does not document the
// arguments; they are sent there too, so an edit never adds a card.
var noUnfurls = []slack.MsgOption{slack.MsgOptionDisableLinkUnfurl(), slack.MsgOptionDisableMediaUnfurl()}

// client is the Slack client for the workspace ctx is for.
func (p *poster) client(ctx context.Context) *Client {
	if p.resolve != nil {
		return p.resolve(ctx)
	}
	return p.api
}

// paceKey names the pacing of a channel. It is the workspace's and the
// channel's: Slack limits each workspace on its own, so one busy workspace
// never delays another's messages.
func paceKey(ctx context.Context, channel string) string {
	return tenantOf(ctx).team + "/" + channel
}

// wait blocks until channel may take another message.
func (p *poster) wait(ctx context.Context, channel string) error {
	return p.pace(ctx, channel).Wait(ctx)
}

// pace is channel's pacing.
func (p *poster) pace(ctx context.Context, channel string) *rate.Limiter {
	key := paceKey(ctx, channel)
	p.mu.Lock()
	defer p.mu.Unlock()
	lim, ok := p.channels[key]
	if !ok {
		// A burst of three lets a short exchange (note, question, milestone)
		// flow at once; sustained traffic settles at one a second.
		lim = rate.NewLimiter(rate.Every(p.interval), 3)
		p.channels[key] = lim
	}
	return lim
}

// post sends a message, in a thread when thread is set, and returns its
// ts. It is postOnce under a key of its own: a lost answer does not double
// the message, though a second call of post is a second message.
func (p *poster) post(ctx context.Context, channel, thread string, m message) (string, error) {
	return p.postOnce(ctx, channel, thread, "once:"+randomKey(), m)
}

// postOnce sends a message under key, in a thread when thread is set, and
// returns its ts. The key goes into the message's metadata. When Slack's
// answer is lost the channel (or thread) is searched for the key, and the
// message found there is the post; only when it is not there is it posted
// again. A key names one message: callers derive it from what the message
// is for (a check-in's opening, a delivery's reply), so that a second try
// of the same work finds the first one's post too, via find.
//
// Errors wrap ErrNotPosted when nothing went out: Slack certainly did not
// take it, or the message was not in the channel after each of
// maxPostTries lost answers. They wrap ErrMaybePosted when an answer was
// lost and the channel could not be read.
func (p *poster) postOnce(ctx context.Context, channel, thread, key string, m message) (string, error) {
	ts, _, err := p.postOrFind(ctx, channel, thread, key, m)
	return ts, err
}

// postOrFind is postOnce that also says whether the post was found by
// looking for it, after Slack's answer was lost, or Slack took longer than
// unseenPost to answer: either way it may have stood in the channel for a
// while before its ts was known here. Waits before a try (pacing, Retry-
// After) do not count: the message was not out yet.
func (p *poster) postOrFind(ctx context.Context, channel, thread, key string, m message) (ts string, looked bool, err error) {
	since := p.wall().Add(-lookBack)
	// notPosted is the error of a try that certainly sent nothing; an
	// earlier try whose answer was lost may still have.
	notPosted := func(try int, err error) error {
		if try > 1 {
			return fmt.Errorf("%w (try %d, earlier ones %w): %w", ErrNotPosted, try, errNoneFound, err)
		}
		return fmt.Errorf("%w: %w", ErrNotPosted, err)
	}
	for try := 1; ; try++ {
		if err := p.wait(ctx, channel); err != nil {
			return "", false, notPosted(try, err)
		}
		ts, took, err := p.client(ctx).chat.postMessage(ctx, channel, thread, key, m)
		switch {
		case err == nil:
			return ts, took > unseenPost, nil
		case certainlyNotPosted(err):
			return "", false, notPosted(try, err)
		case refused(err):
			return "", false, err
		}
		ts, found, ferr := p.find(ctx, channel, thread, key, since)
		switch {
		case ferr != nil:
			return "", false, fmt.Errorf("%w: %w; looking for it: %w", ErrMaybePosted, err, ferr)
		case found:
			return ts, true, nil
		case try == maxPostTries:
			return "", false, fmt.Errorf("%w (%d tries, %w): %w", ErrNotPosted, try, errNoneFound, err)
		}
	}
}

// unseenPost is how long Slack may take to answer a post before replies
// to it could have been written before its ts was known here: a person
// needs longer than this to read a message and answer it.
const unseenPost = time.Second

// find looks for the message posted under key since the given time: in
// the channel's history for a top-level post, in the thread's replies
// otherwise. It reads at most maxLookup messages.
func (p *poster) find(ctx context.Context, channel, thread, key string, since time.Time) (string, bool, error) {
	oldest := slackTS(since)
	cursor := ""
	for read, pages := 0, 0; read < maxLookup && pages < maxLookupPages; pages++ {
		var (
			ms   []slack.Message
			next string
			err  error
		)
		if thread == "" {
			var h *slack.GetConversationHistoryResponse
			h, err = p.client(ctx).api.GetConversationHistoryContext(ctx, &slack.GetConversationHistoryParameters{
				ChannelID: channel, Oldest: oldest, Inclusive: true, Limit: lookupPage, Cursor: cursor, IncludeAllMetadata: true,
			})
			if h != nil {
				ms, next = h.Messages, h.ResponseMetaData.NextCursor
			}
		} else {
			ms, _, next, err = p.client(ctx).api.GetConversationRepliesContext(ctx, &slack.GetConversationRepliesParameters{
				ChannelID: channel, Timestamp: thread, Oldest: oldest, Inclusive: true, Limit: lookupPage, Cursor: cursor, IncludeAllMetadata: true,
			})
		}
		if err != nil {
			return "", false, err
		}
		read += len(ms)
		for _, m := range ms {
			if m.Metadata.EventType == postEventType && m.Metadata.EventPayload["key"] == key {
				return m.Timestamp, true, nil
			}
		}
		if next == "" {
			break
		}
		cursor = next
	}
	return "", false, nil
}

// message reads the message at ts in channel, reporting false when it is
// not there (deleted). conversations.replies takes a reply's ts for its
// thread's, and a message without replies for itself: a placeholder's
// record need not know its thread.
func (p *poster) message(ctx context.Context, channel, ts string) (slack.Message, bool, error) {
	// The thread's parent comes first whatever the window.
	ms, _, _, err := p.client(ctx).api.GetConversationRepliesContext(ctx, &slack.GetConversationRepliesParameters{
		ChannelID: channel, Timestamp: ts, Oldest: ts, Latest: ts, Inclusive: true, Limit: 2,
	})
	if err != nil {
		return slack.Message{}, false, err
	}
	for _, m := range ms {
		if m.Timestamp == ts {
			return m, true, nil
		}
	}
	return slack.Message{}, false, nil
}

// headerKey names a plan's header (see poster.postOnce). Two headers of a
// plan posted at once share it, so one that finds the other's after a
// lost answer binds the same thread, and neither is removed.
func headerKey(p *flows.Plan) string { return fmt.Sprintf("header:%d", p.ID) }

func randomKey() string {
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// certainlyNotPosted reports errors after which Slack cannot have taken
// the request: it answered 429 (after the client's own retries), no
// connection was ever made, the post never got a slot to go out, or no
// client was had for the workspace (nothing was sent for it).
func certainlyNotPosted(err error) bool {
	var limited *slack.RateLimitedError
	var status slack.StatusCodeError
	var slackErr slack.SlackErrorResponse
	switch {
	case errors.Is(err, errNoSlot), errors.Is(err, errNotServed), errors.Is(err, errNoClient):
		return true
	case errors.As(err, &limited):
		return true
	case errors.As(err, &status):
		return status.Code == http.StatusTooManyRequests
	case errors.As(err, &slackErr):
		return slackErr.Err == "ratelimited"
	}
	return dialFailed(err)
}

// refused reports an answer in which Slack declined the request
// (not_in_channel, msg_too_long, ...): nothing was posted, and posting
// again would be declined again. Slack's own failures, which it reports
// the same way, are not refusals: the post may have gone through.
func refused(err error) bool {
	var slackErr slack.SlackErrorResponse
	if !errors.As(err, &slackErr) {
		return false
	}
	switch slackErr.Err {
	case "internal_error", "fatal_error", "service_unavailable", "request_timeout":
		return false
	}
	return true
}

// dialFailed reports a connection that was never made: the request was
// not sent.
func dialFailed(err error) bool {
	var op *net.OpError
	if errors.As(err, &op) && op.Op == "dial" {
		return true
	}
	return errors.Is(err, syscall.ECONNREFUSED)
}

// update rewrites a message in place.
func (p *poster) update(ctx context.Context, channel, ts string, m message) error {
	if err := p.wait(ctx, channel); err != nil {
		return err
	}
	_, _, _, err := p.client(ctx).api.UpdateMessageContext(ctx, channel, ts, append(m.options(), noUnfurls...)...)
	return err
}

// ephemeral shows a message to one person only.
func (p *poster) ephemeral(ctx context.Context, channel, thread, user string, m message) error {
	opts := m.options()
	if thread != "" {
		opts = append(opts, slack.MsgOptionTS(thread))
	}
	_, err := p.client(ctx).api.PostEphemeralContext(ctx, channel, user, opts...)
	return err
}

// APIOption configures NewAPI.
type APIOption func(*apiConfig)

type apiConfig struct {
	metrics *metrics.Metrics
	sleep   func(context.Context, time.Duration) bool
}

// WithMetrics counts every Slack Web API call's outcome in m.
func WithMetrics(m *metrics.Metrics) APIOption { return func(c *apiConfig) { c.metrics = m } }

// WithRetryWait replaces how the client waits before a retry: wait
// reports whether the retry should go ahead after d. Tests pass one that
// moves a simulated clock, so a 30-second Retry-After takes no time.
func WithRetryWait(wait func(ctx context.Context, d time.Duration) bool) APIOption {
	return func(c *apiConfig) { c.sleep = wait }
}

// apiTimeout bounds one call of the Web API, from the request to the
// end of the answer.
const apiTimeout = 30 * time.Second

// apiRetries is how many times the client tries a call again.
const apiRetries = 4

// slackConns is how many posts a client has out at once.
const slackConns = 32

// NewAPI makes the Slack Web API client racebot uses. Reads, edits and
// deletions are retried on rate limits (honouring Retry-After), connection
// errors and 5xx answers. Methods that create something (a message, a
// file) are retried only when Slack certainly did not take the request: on
// a 429 and when no connection could be made. A 5xx or a connection lost
// after sending may come after the message was posted; the poster then
// looks before it posts again.
func NewAPI(token, appToken, apiURL string, options ...APIOption) *Client {
	ac := apiConfig{sleep: sleepUnlessLate}
	for _, o := range options {
		o(&ac)
	}
	m := ac.metrics
	cfg := slack.DefaultRetryConfig()
	cfg.MaxRetries = apiRetries
	cfg.RetryAfterDuration = 5 * time.Second
	cfg.Handlers = []slack.RetryHandler{newRetryPolicy(cfg, ac.sleep)}
	// Posts run concurrently, one per busy channel. When more were in
	// flight than the pool kept idle, each extra one dialled a connection
	// and closed it after one post: under load a sixth of racebot's CPU
	// went to connecting. The JSON poster lets at most slackConns posts
	// out at once, and the pool keeps twice that idle, so a post finds a
	// connection waiting. (Transport.MaxConnsPerHost would bound them too,
	// but has hung HTTP/2 clients, golang/go#34941, and slack.com speaks
	// HTTP/2.)
	base := http.DefaultTransport.(*http.Transport).Clone()
	base.MaxIdleConnsPerHost = 2 * slackConns
	transport := m.Transport(base)
	client := &http.Client{Transport: transport, Timeout: apiTimeout}
	// The retry wrapper must come after the HTTP client option, or it wraps
	// the default client instead.
	opts := []slack.Option{slack.OptionHTTPClient(client), slack.OptionRetryConfig(cfg)}
	if appToken != "" {
		opts = append(opts, slack.OptionAppLevelToken(appToken))
	}
	if apiURL != "" {
		opts = append(opts, slack.OptionAPIURL(apiURL))
	} else {
		apiURL = slack.APIURL
	}
	return &Client{
		api: slack.New(token, opts...),
		// The poster's client has no Timeout: it bounds each try with its
		// context instead (see chatPoster.try).
		chat: chatPoster{url: apiURL + "chat.postMessage", token: token, http: &http.Client{Transport: transport}, timeout: apiTimeout,
			retries: cfg.MaxRetries, limited: slack.NewRateLimitErrorRetryHandler(cfg), sleep: ac.sleep,
			slots: make(chan struct{}, slackConns)},
	}
}

// creating lists the Web API methods that make something new each time
// they run. Ephemeral messages are left out: they vanish, and one shown
// twice does less harm than one lost.
var creating = map[string]bool{
	"chat.postMessage":             true,
	"chat.scheduleMessage":         true,
	"chat.meMessage":               true,
	"files.completeUploadExternal": true,
	"files.upload":                 true,
}

// retryPolicy picks the retry handlers by method and does the waiting
// itself, through sleep, so that tests can simulate it and so that a wait
// the request's deadline would cut short is not begun: the client then
// returns the 429 itself, which says "not posted", rather than the
// context's error, which would not.
type retryPolicy struct {
	create, other []slack.RetryHandler
	sleep         func(context.Context, time.Duration) bool
}

func newRetryPolicy(cfg slack.RetryConfig, sleep func(context.Context, time.Duration) bool) retryPolicy {
	limit := slack.NewRateLimitErrorRetryHandler(cfg)
	return retryPolicy{
		create: []slack.RetryHandler{limit, dialRetryHandler{}},
		other:  []slack.RetryHandler{slack.NewConnectionErrorRetryHandler(), limit, slack.NewServerErrorRetryHandler(cfg)},
		sleep:  sleep,
	}
}

func (rp retryPolicy) ShouldRetry(state *slack.RetryState, req *http.Request, resp *http.Response, err error) (bool, time.Duration) {
	handlers := rp.other
	if creating[path.Base(req.URL.Path)] {
		handlers = rp.create
	}
	for _, h := range handlers {
		if retry, wait := h.ShouldRetry(state, req, resp, err); retry {
			return rp.sleep(req.Context(), wait), 0
		}
	}
	return false, 0
}

// dialRetryHandler retries a request whose connection could not be made.
type dialRetryHandler struct{}

func (dialRetryHandler) ShouldRetry(state *slack.RetryState, _ *http.Request, resp *http.Response, err error) (bool, time.Duration) {
	if resp != nil || err == nil || !dialFailed(err) || state.Attempt >= state.MaxRetries {
		return false, 0
	}
	return true, state.Backoff.Duration()
}

// sleepUnlessLate waits d, reporting false without waiting when ctx ends
// first or would end before d is over.
func sleepUnlessLate(ctx context.Context, d time.Duration) bool {
	if deadline, ok := ctx.Deadline(); ok && time.Until(deadline) < d {
		return false
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}
