package prompts

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	openai "github.com/sashabaranov/go-openai"
)

// recorder sits between go-openai and the HTTP client for one attempt. It
// keeps what go-openai's errors drop: whether a request was sent at all, the
// status, Retry-After and Content-Type. Each attempt has its own, used by one
// goroutine.
type recorder struct {
	doer         *http.Client
	sent         bool
	status       int
	retryAfter   string
	retryAfterMS string
	contentType  string
	transportErr error
}

func (r *recorder) Do(req *http.Request) (*http.Response, error) {
	r.sent = true
	resp, err := r.doer.Do(req)
	if err != nil {
		r.transportErr = err
		return nil, err
	}
	r.status = resp.StatusCode
	r.retryAfter = resp.Header.Get("Retry-After")
	r.retryAfterMS = resp.Header.Get("Retry-After-Ms")
	r.contentType = resp.Header.Get("Content-Type")
	return resp, nil
}

// attemptCheckKey carries the check WithAttemptCheck sets.
type attemptCheckKey struct{}

// WithAttemptCheck returns a context under which a Client runs check
// before every request it sends, each retry included, and ends the call
// with check's error, sending nothing, when there is one. A caller whose
// leave to send can be withdrawn while the call waits (a plan made
// private) is asked again each time.
func WithAttemptCheck(ctx context.Context, check func(context.Context) error) context.Context {
	return context.WithValue(ctx, attemptCheckKey{}, check)
}

type attemptFunc func(ctx context.Context, oc *openai.Client, rec *recorder) (Result, error)

// call runs fn with a deadline per attempt, retrying 429 and 5xx answers
// with exponential backoff and jitter, or as long as Retry-After asks.
func (c *Client) call(ctx context.Context, fn attemptFunc) (Result, error) {
	check, _ := ctx.Value(attemptCheckKey{}).(func(context.Context) error)
	for attempt := 1; ; attempt++ {
		if check != nil {
			if err := check(ctx); err != nil {
				return Result{}, err
			}
		}
		rec := &recorder{doer: c.cfg.HTTPClient}
		actx, cancel := context.WithTimeout(ctx, c.cfg.Timeout)
		res, err := fn(actx, c.openai(rec), rec)
		timedOut := actx.Err() != nil
		cancel()
		if err == nil {
			return res, nil
		}
		err, retry := c.classify(ctx, err, rec, timedOut)
		if !retry {
			return Result{}, err
		}
		if attempt > c.cfg.MaxRetries {
			return Result{}, fmt.Errorf("after %d attempts: %w", attempt, err)
		}
		wait, ok := c.backoff(attempt, rec, time.Now())
		if !ok {
			return Result{}, fmt.Errorf("server asks to wait over %s: %w", c.cfg.maxWait, err)
		}
		if deadline, ok := ctx.Deadline(); ok && time.Until(deadline) < wait {
			return Result{}, fmt.Errorf("no time left to retry: %w", err)
		}
		c.logger.Debug("llm retry", "attempt", attempt, "wait", wait, "err", err)
		if err := c.cfg.sleep(ctx, wait); err != nil {
			return Result{}, fmt.Errorf("%w: %w", ErrUnavailable, err)
		}
	}
}

func (c *Client) openai(rec *recorder) *openai.Client {
	oc := openai.DefaultConfig(c.cfg.APIKey)
	oc.BaseURL = c.cfg.BaseURL
	oc.HTTPClient = rec
	return openai.NewClientWithConfig(oc)
}

// brief keeps an error's chain but cuts its message: go-openai puts whole
// response bodies, HTML error pages included, into its errors.
type brief struct{ err error }

func (b brief) Error() string {
	const limit = 300
	msg := b.err.Error()
	if len(msg) <= limit {
		return msg
	}
	cut := limit
	for cut > 0 && !utf8.RuneStart(msg[cut]) {
		cut--
	}
	return msg[:cut] + "…"
}

func (b brief) Unwrap() error { return b.err }

// classify maps an attempt's error to one of the sentinels and says whether
// another attempt may help.
func (c *Client) classify(ctx context.Context, err error, rec *recorder, timedOut bool) (error, bool) {
	err = brief{err}
	switch {
	case ctx.Err() != nil:
		return fmt.Errorf("%w: %w", ErrUnavailable, ctx.Err()), false
	case timedOut:
		return fmt.Errorf("%w: no answer within %s: %w", ErrUnavailable, c.cfg.Timeout, err), false
	case errors.Is(err, errNoStream), errors.Is(err, ErrUnavailable), errors.Is(err, ErrRefused),
		errors.Is(err, ErrEmpty), errors.Is(err, ErrMalformed):
		return err, false
	case rec.transportErr != nil:
		// Connection errors are not retried: a local server that is down
		// stays down, and the team should see the built-in hints at once.
		return fmt.Errorf("%w: %w", ErrUnavailable, err), false
	case contentFiltered(err):
		return fmt.Errorf("%w: %w", ErrRefused, err), false
	}
	status := statusOf(err)
	switch {
	case status == http.StatusTooManyRequests || status >= 500:
		return fmt.Errorf("%w: %w", ErrUnavailable, err), true
	case status >= 400:
		return fmt.Errorf("%w: %w", ErrRejected, err), false
	case decodeError(err) || errors.Is(err, io.EOF):
		// io.EOF here is an empty body where JSON was due.
		return fmt.Errorf("%w: %w", ErrMalformed, err), false
	case !rec.sent:
		// go-openai refused to build the request (an unusable base URL,
		// a model it knows cannot chat): a configuration problem.
		return fmt.Errorf("%w: %w", ErrRejected, err), false
	}
	return fmt.Errorf("%w: %w", ErrUnavailable, err), false
}

// backoff is how long to wait before attempt+1: what the server asked for in
// Retry-After, else base·2^(attempt-1) with jitter, capped at maxWait. It
// reports false when the server asks for longer than maxWait.
func (c *Client) backoff(attempt int, rec *recorder, now time.Time) (time.Duration, bool) {
	if d, ok := retryAfter(rec, now); ok {
		return d, d <= c.cfg.maxWait
	}
	d := c.cfg.backoffBase << min(attempt-1, 16)
	if d <= 0 || d > c.cfg.maxWait {
		d = c.cfg.maxWait
	}
	// Equal jitter: at least half the step, so clients that failed together
	// spread out without retrying at once.
	half := d / 2
	return half + rand.N(half+1), true
}

// retryAfter reads Retry-After-Ms (sent by OpenAI and Azure) or Retry-After
// in seconds or as an HTTP date.
func retryAfter(rec *recorder, now time.Time) (time.Duration, bool) {
	if ms, err := strconv.ParseFloat(strings.TrimSpace(rec.retryAfterMS), 64); err == nil && ms >= 0 {
		return duration(ms, time.Millisecond), true
	}
	v := strings.TrimSpace(rec.retryAfter)
	if v == "" {
		return 0, false
	}
	if secs, err := strconv.ParseFloat(v, 64); err == nil && secs >= 0 {
		return duration(secs, time.Second), true
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(t.Sub(now), 0), true
	}
	return 0, false
}

// duration converts n units, saturating instead of overflowing on absurd
// values such as "Retry-After: 1e30".
func duration(n float64, unit time.Duration) time.Duration {
	if d := n * float64(unit); d < float64(math.MaxInt64) {
		return time.Duration(d)
	}
	return math.MaxInt64
}

func sleepContext(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
