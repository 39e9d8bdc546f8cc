// Package metrics holds racebot's Prometheus metrics: what the bot was
// asked, how fast it acknowledged, how Slack and the model answered, and
// what the check-ins did.
//
// They are kept with VictoriaMetrics' metrics package, which writes
// Prometheus' text format with no more than the standard library: the
// Prometheus client brought protocol buffers and most of four megabytes
// into a binary that serves a handful of counters.
package metrics

import (
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"

	vm "github.com/VictoriaMetrics/metrics"
)

// Metrics is racebot's metric families, each a set of its own so that it
// is written under its own HELP and TYPE lines. A nil *Metrics is valid
// and records nothing, so tests and the terminal need no setup.
type Metrics struct {
	families []*family

	requests, ack, busy, slackCalls, llmSeconds, llmTokens, checkins, installs *family
}

// family is one metric name with its help, its type and its series. Label
// values come from racebot's own code (kinds, outcomes, results), never
// from a workspace, so the series stay few.
type family struct {
	name, help, kind string
	buckets          []float64
	set              *vm.Set
	// series holds each label value's counter or histogram, so that
	// recording one needs no name built.
	series sync.Map
}

// seriesName names the series of a label value; an empty label means the
// family has no labels.
func (f *family) seriesName(label, value string) string {
	if label == "" {
		return f.name
	}
	return fmt.Sprintf(`%s{%s=%q}`, f.name, label, value)
}

func (f *family) counter(label, value string) *vm.Counter {
	if c, ok := f.series.Load(value); ok {
		return c.(*vm.Counter)
	}
	c, _ := f.series.LoadOrStore(value, f.set.GetOrCreateCounter(f.seriesName(label, value)))
	return c.(*vm.Counter)
}

func (f *family) histogram(label, value string) *vm.PrometheusHistogram {
	if h, ok := f.series.Load(value); ok {
		return h.(*vm.PrometheusHistogram)
	}
	h, _ := f.series.LoadOrStore(value, f.set.GetOrCreatePrometheusHistogramExt(f.seriesName(label, value), f.buckets))
	return h.(*vm.PrometheusHistogram)
}

// New makes racebot's metric families.
func New() *Metrics {
	m := &Metrics{}
	add := func(name, kind, help string, buckets ...float64) *family {
		f := &family{name: name, help: help, kind: kind, buckets: buckets, set: vm.NewSet()}
		m.families = append(m.families, f)
		return f
	}
	m.requests = add("racebot_requests_total", "counter", "Slack requests handled, by kind (command, event, interaction).")
	// Slack allows three seconds; the buckets resolve the fast end.
	m.ack = add("racebot_ack_seconds", "histogram", "Time from receiving a Slack request to acknowledging it.",
		.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5)
	m.busy = add("racebot_busy_total", "counter", "Slack requests that found every in-flight slot taken, by kind: events are answered 503 for Slack to deliver again, commands and interactions with a note that racebot is busy.")
	m.slackCalls = add("racebot_slack_api_calls_total", "counter", "Slack Web API calls by outcome (ok, rate_limited, server_error, client_error, network_error).")
	m.llmSeconds = add("racebot_llm_seconds", "histogram", "Language model call latency.",
		0.1, 0.2, 0.4, 0.8, 1.6, 3.2, 6.4, 12.8, 25.6, 51.2)
	m.llmTokens = add("racebot_llm_tokens_total", "counter", "Language model tokens used, by kind (prompt, completion).")
	m.checkins = add("racebot_checkins_total", "counter", "Check-ins by result (posted, caught_up, failed, nudged, closed).")
	m.installs = add("racebot_installs_total", "counter", "Workspace installations and their tokens by outcome (installed, cancelled, refused, failed, refreshed, refresh_failed, uninstalled, purged); never by workspace.")
	return m
}

// Handler serves the metrics in Prometheus' text format, with the Go
// runtime's and the process's own (go_*, process_*).
func (m *Metrics) Handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
		m.write(w)
		vm.WriteProcessMetrics(w)
	})
}

func (m *Metrics) write(w io.Writer) {
	for _, f := range m.families {
		fmt.Fprintf(w, "# HELP %s %s\n# TYPE %s %s\n", f.name, f.help, f.name, f.kind)
		f.set.WritePrometheus(w)
	}
}

// Ack records one acknowledged request of a kind and how long it took.
func (m *Metrics) Ack(kind string, took time.Duration) {
	if m == nil {
		return
	}
	m.requests.counter("kind", kind).Inc()
	m.ack.histogram("kind", kind).Update(took.Seconds())
}

// Busy records one request of a kind (command, event, interaction) that
// found every in-flight slot taken.
func (m *Metrics) Busy(kind string) {
	if m == nil {
		return
	}
	m.busy.counter("kind", kind).Inc()
}

// Install records one outcome of installing racebot in a workspace or of
// keeping its tokens (see the metric's help for the outcomes).
func (m *Metrics) Install(outcome string) {
	if m == nil {
		return
	}
	m.installs.counter("outcome", outcome).Inc()
}

// LLM records one model call.
func (m *Metrics) LLM(took time.Duration, promptTokens, completionTokens int) {
	if m == nil {
		return
	}
	m.llmSeconds.histogram("", "").Update(took.Seconds())
	m.llmTokens.counter("kind", "prompt").Add(promptTokens)
	m.llmTokens.counter("kind", "completion").Add(completionTokens)
}

// Checkin records what a check-in did.
func (m *Metrics) Checkin(result string) {
	if m == nil {
		return
	}
	m.checkins.counter("result", result).Inc()
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
		m.slackCalls.counter("outcome", outcome(resp, err)).Inc()
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
