package bot

import (
	"context"
	"net/http"
	"sync"
	"time"

	"github.com/racebot/racebot/metrics"
	"github.com/slack-go/slack"
	"golang.org/x/time/rate"
)

// poster paces messages per channel. Slack allows about one message a
// second in a channel and answers bursts with HTTP 429; pacing here keeps a
// busy check-in from being throttled, and the slack client's retry handlers
// (see NewAPI) wait out the 429s and transient errors that still happen.
type poster struct {
	api      *slack.Client
	interval time.Duration

	mu       sync.Mutex
	channels map[string]*rate.Limiter
}

func newPoster(api *slack.Client, interval time.Duration) *poster {
	return &poster{api: api, interval: interval, channels: make(map[string]*rate.Limiter)}
}

// noUnfurls keeps Slack from unfurling links in what racebot posts: a
// link quoted from an answer would otherwise grow a preview card in the
// middle of a coaching thread. chat.update does not document the
// arguments; they are sent there too, so an edit never adds a card.
var noUnfurls = []slack.MsgOption{slack.MsgOptionDisableLinkUnfurl(), slack.MsgOptionDisableMediaUnfurl()}

// wait blocks until channel may take another message.
func (p *poster) wait(ctx context.Context, channel string) error {
	p.mu.Lock()
	lim, ok := p.channels[channel]
	if !ok {
		// A burst of three lets a short exchange (note, question, milestone)
		// flow at once; sustained traffic settles at one a second.
		lim = rate.NewLimiter(rate.Every(p.interval), 3)
		p.channels[channel] = lim
	}
	p.mu.Unlock()
	return lim.Wait(ctx)
}

// post sends a message, in a thread when thread is set, and returns its ts.
func (p *poster) post(ctx context.Context, channel, thread string, m message) (string, error) {
	if err := p.wait(ctx, channel); err != nil {
		return "", err
	}
	opts := append(m.options(), noUnfurls...)
	if thread != "" {
		opts = append(opts, slack.MsgOptionTS(thread))
	}
	_, ts, err := p.api.PostMessageContext(ctx, channel, opts...)
	return ts, err
}

// update rewrites a message in place.
func (p *poster) update(ctx context.Context, channel, ts string, m message) error {
	if err := p.wait(ctx, channel); err != nil {
		return err
	}
	_, _, _, err := p.api.UpdateMessageContext(ctx, channel, ts, append(m.options(), noUnfurls...)...)
	return err
}

// ephemeral shows a message to one person only.
func (p *poster) ephemeral(ctx context.Context, channel, thread, user string, m message) error {
	opts := m.options()
	if thread != "" {
		opts = append(opts, slack.MsgOptionTS(thread))
	}
	_, err := p.api.PostEphemeralContext(ctx, channel, user, opts...)
	return err
}

// APIOption configures NewAPI.
type APIOption func(*apiConfig)

type apiConfig struct{ metrics *metrics.Metrics }

// WithMetrics counts every Slack Web API call's outcome in m.
func WithMetrics(m *metrics.Metrics) APIOption { return func(c *apiConfig) { c.metrics = m } }

// NewAPI makes the Slack Web API client racebot uses: retries on rate
// limits (honouring Retry-After), connection errors and 5xx answers.
func NewAPI(token, appToken, apiURL string, options ...APIOption) *slack.Client {
	var ac apiConfig
	for _, o := range options {
		o(&ac)
	}
	m := ac.metrics
	cfg := slack.DefaultRetryConfig()
	cfg.MaxRetries = 4
	cfg.RetryAfterDuration = 5 * time.Second
	cfg.Handlers = append(slack.AllBuiltinRetryHandlers(cfg), slack.NewServerErrorRetryHandler(cfg))
	// Posts run concurrently (one per answer being replied to); the
	// default two idle connections per host would make most of them dial.
	base := http.DefaultTransport.(*http.Transport).Clone()
	base.MaxIdleConnsPerHost = 64
	client := &http.Client{Transport: m.Transport(base), Timeout: 30 * time.Second}
	// The retry wrapper must come after the HTTP client option, or it wraps
	// the default client instead.
	opts := []slack.Option{slack.OptionHTTPClient(client), slack.OptionRetryConfig(cfg)}
	if appToken != "" {
		opts = append(opts, slack.OptionAppLevelToken(appToken))
	}
	if apiURL != "" {
		opts = append(opts, slack.OptionAPIURL(apiURL))
	}
	return slack.New(token, opts...)
}
