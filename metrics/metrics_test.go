package metrics

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// TestExposition: what racebot records reads back in Prometheus' text
// format, each family once under its HELP and TYPE lines, with the Go
// runtime's and the process's own metrics after them.
func TestExposition(t *testing.T) {
	m := New()
	m.Ack("command", 3*time.Millisecond)
	m.Ack("command", 30*time.Millisecond)
	m.Ack("event", time.Millisecond)
	m.LLM(time.Second, 120, 30)
	m.Checkin("posted")
	m.Install("installed")
	tr := m.Transport(roundTripper(func(*http.Request) (*http.Response, error) {
		return &http.Response{StatusCode: http.StatusTooManyRequests}, nil
	}))
	tr.RoundTrip(httptest.NewRequest(http.MethodPost, "http://slack.test/api/chat.postMessage", nil))
	failing := m.Transport(roundTripper(func(*http.Request) (*http.Response, error) { return nil, errors.New("refused") }))
	failing.RoundTrip(httptest.NewRequest(http.MethodPost, "http://slack.test/api/chat.postMessage", nil))

	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	body := rec.Body.String()
	for _, want := range []string{
		"# HELP racebot_requests_total Slack requests handled, by kind (command, event, interaction).\n# TYPE racebot_requests_total counter\n",
		`racebot_requests_total{kind="command"} 2`,
		`racebot_requests_total{kind="event"} 1`,
		"# TYPE racebot_ack_seconds histogram\n",
		`racebot_ack_seconds_bucket{kind="command",le="0.005"} 1`,
		`racebot_ack_seconds_bucket{kind="command",le="0.05"} 2`,
		`racebot_ack_seconds_count{kind="command"} 2`,
		`racebot_llm_seconds_count 1`,
		`racebot_llm_tokens_total{kind="prompt"} 120`,
		`racebot_llm_tokens_total{kind="completion"} 30`,
		`racebot_checkins_total{result="posted"} 1`,
		`racebot_installs_total{outcome="installed"} 1`,
		`racebot_slack_api_calls_total{outcome="rate_limited"} 1`,
		`racebot_slack_api_calls_total{outcome="network_error"} 1`,
		"go_goroutines ",
		"process_resident_memory_bytes ",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("metrics lack %q", want)
		}
	}
	if n := strings.Count(body, "# TYPE racebot_requests_total "); n != 1 {
		t.Errorf("racebot_requests_total has %d TYPE lines, want 1", n)
	}
	if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "text/plain; version=0.0.4") {
		t.Errorf("Content-Type %q", ct)
	}
}

// TestNilRecordsNothing: the terminal and tests pass no metrics.
func TestNilRecordsNothing(t *testing.T) {
	var m *Metrics
	m.Ack("command", time.Millisecond)
	m.LLM(time.Second, 1, 1)
	m.Checkin("posted")
	m.Install("installed")
	if m.Transport(nil) != http.DefaultTransport {
		t.Error("a nil Metrics wraps the transport")
	}
}
