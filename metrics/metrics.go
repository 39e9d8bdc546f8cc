// Package metrics holds racebot's Prometheus metrics: what the bot was
// asked, how fast it acknowledged, how Slack and the model answered, and
// what the check-ins did.
package metrics

import (
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Metrics is one registry with racebot's collectors. A nil *Metrics is
// valid and records nothing, so tests and the terminal need no setup.
type Metrics struct {
	reg        *prometheus.Registry
	requests   *prometheus.CounterVec
	ack        *prometheus.HistogramVec
	slackCalls *prometheus.CounterVec
	llmSeconds prometheus.Histogram
	llmTokens  *prometheus.CounterVec
	checkins   *prometheus.CounterVec
	installs   *prometheus.CounterVec
}

// New registers racebot's collectors, plus the Go runtime's and the
// process's, on a registry of its own.
func New() *Metrics {
	m := &Metrics{
		reg: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "racebot_requests_total", Help: "Slack requests handled, by kind (command, event, interaction).",
		}, []string{"kind"}),
		// Slack allows three seconds; the buckets resolve the fast end.
		ack: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "racebot_ack_seconds", Help: "Time from receiving a Slack request to acknowledging it.",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5},
		}, []string{"kind"}),
		slackCalls: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "racebot_slack_api_calls_total", Help: "Slack Web API calls by outcome (ok, rate_limited, server_error, client_error, network_error).",
		}, []string{"outcome"}),
		llmSeconds: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "racebot_llm_seconds", Help: "Language model call latency.",
			Buckets: prometheus.ExponentialBuckets(0.1, 2, 10),
		}),
		llmTokens: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "racebot_llm_tokens_total", Help: "Language model tokens used, by kind (prompt, completion).",
		}, []string{"kind"}),
		checkins: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "racebot_checkins_total", Help: "Check-ins by result (posted, caught_up, failed, nudged, closed).",
		}, []string{"result"}),
		installs: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "racebot_installs_total", Help: "Workspace installations and their tokens by outcome (installed, cancelled, refused, failed, refreshed, refresh_failed, uninstalled, purged); never by workspace.",
		}, []string{"outcome"}),
	}
	m.reg.MustRegister(m.requests, m.ack, m.slackCalls, m.llmSeconds, m.llmTokens, m.checkins, m.installs,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// Handler serves the metrics in Prometheus' text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{})
}

// Ack records one acknowledged request of a kind and how long it took.
func (m *Metrics) Ack(kind string, took time.Duration) {
	if m == nil {
		return
	}
	m.requests.WithLabelValues(kind).Inc()
	m.ack.WithLabelValues(kind).Observe(took.Seconds())
}

// Install records one outcome of installing racebot in a workspace or of
// keeping its tokens (see the metric's help for the outcomes).
func (m *Metrics) Install(outcome string) {
	if m == nil {
		return
	}
	m.installs.WithLabelValues(outcome).Inc()
}

// LLM records one model call.
func (m *Metrics) LLM(took time.Duration, promptTokens, completionTokens int) {
	if m == nil {
		return
	}
	m.llmSeconds.Observe(took.Seconds())
	m.llmTokens.WithLabelValues("prompt").Add(float64(promptTokens))
	m.llmTokens.WithLabelValues("completion").Add(float64(completionTokens))
}

// Checkin records what a check-in did.
func (m *Metrics) Checkin(result string) {
	if m == nil {
		return
	}
	m.checkins.WithLabelValues(result).Inc()
}

// Transport counts Slack Web API outcomes, 429s among them, on their way
// through base (http.DefaultTransport when nil).
func (m *Metrics) Transport(base http.RoundTripper) http.RoundTripper {
	if base == nil {
		base = http.DefaultTransport
	}
	if m == nil {
		return base
	}
	return roundTripper(func(r *http.Request) (*http.Response, error) {
		resp, err := base.RoundTrip(r)
		m.slackCalls.WithLabelValues(outcome(resp, err)).Inc()
		return resp, err
	})
}

type roundTripper func(*http.Request) (*http.Response, error)

func (f roundTripper) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func outcome(resp *http.Response, err error) string {
	switch {
	case err != nil:
		return "network_error"
	case resp.StatusCode == http.StatusTooManyRequests:
		return "rate_limited"
	case resp.StatusCode >= 500:
		return "server_error"
	case resp.StatusCode >= 400:
		return "client_error"
	}
	return "ok"
}
