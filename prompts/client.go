package prompts

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync/atomic"
	"time"

	openai "github.com/sashabaranov/go-openai"
)

// Failures of a model call, for the caller to branch on with errors.Is. Each
// returned error wraps exactly one of them, with short context and the
// underlying cause.
var (
	// ErrUnavailable means the server could not be reached or did not
	// answer in time: a timeout, a connection error, or 5xx or 429
	// responses that outlasted the retries.
	ErrUnavailable = errors.New("llm unavailable")
	// ErrRefused means the model or its content filter declined to answer.
	ErrRefused = errors.New("llm refused")
	// ErrEmpty means the server answered with no choices or blank text.
	ErrEmpty = errors.New("llm returned no text")
	// ErrMalformed means the server's answer could not be parsed.
	ErrMalformed = errors.New("llm response malformed")
	// ErrRejected means the server refused the request itself, a 4xx other
	// than 429 such as a bad API key or an unknown model, or the request
	// could not be built; retrying will not help, fixing the configuration
	// will.
	ErrRejected = errors.New("llm rejected request")
)

// Defaults for the zero values of Config.
const (
	DefaultBaseURL = "https://api.openai.com/v1"
	DefaultModel   = "gpt-4o-mini"

	defaultTimeout     = 30 * time.Second
	defaultMaxRetries  = 3
	defaultBackoffBase = 500 * time.Millisecond
	defaultMaxWait     = 20 * time.Second
)

// Config says which OpenAI-compatible server to use and how patiently. A
// BaseURL such as http://localhost:11434/v1 selects Ollama, vLLM or LM
// Studio; APIKey may then be empty.
type Config struct {
	APIKey  string
	BaseURL string // default DefaultBaseURL
	Model   string // default DefaultModel
	// Timeout bounds each request to the server, a streamed one included;
	// the caller's context bounds the whole call with its retries.
	// Default 30s.
	Timeout time.Duration
	// MaxRetries is how often a 429 or 5xx is retried. Default 3; a
	// negative value turns retries off.
	MaxRetries int
	HTTPClient *http.Client // default a plain http.Client

	// Tests shorten the backoff and replace the sleep so they run fast.
	backoffBase time.Duration
	maxWait     time.Duration
	sleep       func(ctx context.Context, d time.Duration) error
}

// String keeps the API key out of anything that prints a Config.
func (c Config) String() string {
	return fmt.Sprintf("prompts.Config{BaseURL: %q, Model: %q, Timeout: %s, MaxRetries: %d, APIKey: %s}",
		c.BaseURL, c.Model, c.Timeout, c.MaxRetries, redact(c.APIKey))
}

// LogValue keeps the API key out of structured logs.
func (c Config) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("base_url", c.BaseURL),
		slog.String("model", c.Model),
		slog.Duration("timeout", c.Timeout),
		slog.Int("max_retries", c.MaxRetries),
		slog.String("api_key", redact(c.APIKey)),
	)
}

func redact(key string) string {
	if key == "" {
		return "(none)"
	}
	return "(set)"
}

// Result is the text a model produced and the tokens it cost, as the server
// reported them (zero when a server does not report usage).
type Result struct {
	Text             string
	PromptTokens     int
	CompletionTokens int
}

// Client calls an OpenAI-compatible chat completions server. It is safe for
// concurrent use.
type Client struct {
	cfg    Config
	logger *slog.Logger
	// noStream is set once a server has refused a streamed request and
	// answered the same request unstreamed, so later calls skip the probe.
	noStream atomic.Bool
}

// NewClient returns a client for cfg, filling in defaults. A nil logger
// discards the usage logs.
func NewClient(cfg Config, logger *slog.Logger) *Client {
	if cfg.BaseURL == "" {
		cfg.BaseURL = DefaultBaseURL
	}
	if cfg.Model == "" {
		cfg.Model = DefaultModel
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = defaultTimeout
	}
	switch {
	case cfg.MaxRetries == 0:
		cfg.MaxRetries = defaultMaxRetries
	case cfg.MaxRetries < 0:
		cfg.MaxRetries = 0
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{}
	}
	if cfg.backoffBase <= 0 {
		cfg.backoffBase = defaultBackoffBase
	}
	if cfg.maxWait <= 0 {
		cfg.maxWait = defaultMaxWait
	}
	if cfg.sleep == nil {
		cfg.sleep = sleepContext
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &Client{cfg: cfg, logger: logger}
}

// Model is the model the client asks for.
func (c *Client) Model() string { return c.cfg.Model }

// Complete sends m and waits for the whole answer. planKey only labels the
// usage log.
func (c *Client) Complete(ctx context.Context, planKey string, m Messages) (Result, error) {
	if blank(m.System) && blank(m.User) {
		return Result{}, fmt.Errorf("llm complete: %w: empty messages", ErrMissing)
	}
	start := time.Now()
	res, err := c.call(ctx, func(ctx context.Context, oc *openai.Client, _ *recorder) (Result, error) {
		return c.completeOnce(ctx, oc, m)
	})
	if err != nil {
		return Result{}, fmt.Errorf("llm complete: %w", err)
	}
	c.logUsage(planKey, res, start, "complete")
	return res, nil
}

// Stream sends m and calls onDelta with the text so far each time more
// arrives, then returns the whole answer. onDelta may be called often: wrap
// it with Throttle before it edits a Slack message. When the server cannot
// stream, Stream falls back to Complete and calls onDelta once with the
// full text.
func (c *Client) Stream(ctx context.Context, planKey string, m Messages, onDelta func(soFar string)) (Result, error) {
	if blank(m.System) && blank(m.User) {
		return Result{}, fmt.Errorf("llm stream: %w: empty messages", ErrMissing)
	}
	if onDelta == nil {
		onDelta = func(string) {}
	}
	start := time.Now()
	var (
		res Result
		err error
	)
	mode := "stream"
	plain := c.noStream.Load()
	if !plain {
		res, err = c.call(ctx, func(ctx context.Context, oc *openai.Client, rec *recorder) (Result, error) {
			return c.streamOnce(ctx, oc, rec, m, onDelta)
		})
	}
	if plain || errors.Is(err, errNoStream) {
		if err != nil {
			c.logger.Debug("llm streaming unsupported, asking without streaming", "plan", planKey, "err", err)
		}
		mode = "complete"
		res, err = c.call(ctx, func(ctx context.Context, oc *openai.Client, _ *recorder) (Result, error) {
			return c.completeOnce(ctx, oc, m)
		})
		if err == nil {
			if !c.noStream.Swap(true) {
				c.logger.Info("llm server does not stream; using plain completions", "model", c.cfg.Model)
			}
			onDelta(res.Text)
		}
	}
	if err != nil {
		return Result{}, fmt.Errorf("llm stream: %w", err)
	}
	c.logUsage(planKey, res, start, mode)
	return res, nil
}

func (c *Client) logUsage(planKey string, res Result, start time.Time, mode string) {
	c.logger.Info("llm call",
		"plan", planKey,
		"prompt_tokens", res.PromptTokens,
		"completion_tokens", res.CompletionTokens,
		"model", c.cfg.Model,
		"duration", time.Since(start),
		"mode", mode,
	)
}

func (c *Client) request(m Messages) openai.ChatCompletionRequest {
	msgs := make([]openai.ChatCompletionMessage, 0, 2)
	if !blank(m.System) {
		msgs = append(msgs, openai.ChatCompletionMessage{Role: openai.ChatMessageRoleSystem, Content: m.System})
	}
	msgs = append(msgs, openai.ChatCompletionMessage{Role: openai.ChatMessageRoleUser, Content: m.User})
	return openai.ChatCompletionRequest{Model: c.cfg.Model, Messages: msgs}
}

func (c *Client) completeOnce(ctx context.Context, oc *openai.Client, m Messages) (Result, error) {
	resp, err := oc.CreateChatCompletion(ctx, c.request(m))
	if err != nil {
		return Result{}, err
	}
	if len(resp.Choices) == 0 {
		return Result{}, fmt.Errorf("%w: no choices", ErrEmpty)
	}
	ch := resp.Choices[0]
	if ch.FinishReason == openai.FinishReasonContentFilter || ch.Message.Refusal != "" {
		return Result{}, fmt.Errorf("%w: finish reason %q", ErrRefused, ch.FinishReason)
	}
	return result(ch.Message.Content, resp.Usage)
}

// result finishes an answer: it drops a reasoning model's <think> block and
// surrounding space, and calls blank text empty.
func result(text string, usage openai.Usage) (Result, error) {
	text = strings.TrimSpace(stripThink(text))
	if text == "" {
		return Result{}, fmt.Errorf("%w: blank text", ErrEmpty)
	}
	return Result{Text: text, PromptTokens: usage.PromptTokens, CompletionTokens: usage.CompletionTokens}, nil
}

// stripThink removes the <think>…</think> preamble that reasoning models
// served by Ollama or vLLM write before the answer. While the block is still
// open, as it is early in a stream, nothing is visible yet.
func stripThink(s string) string {
	t := strings.TrimLeft(s, " \t\r\n")
	const open, closing = "<think>", "</think>"
	if t == "" || strings.HasPrefix(open, t) {
		return ""
	}
	if !strings.HasPrefix(t, open) {
		return s
	}
	end := strings.Index(t, closing)
	if end < 0 {
		return ""
	}
	return strings.TrimLeft(t[end+len(closing):], " \t\r\n")
}
