package bot

import (
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/racebot/racebot/internal/slackfake"
	"github.com/racebot/racebot/metrics"
)

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

func TestOpsEndpointsAndMetrics(t *testing.T) {
	m := metrics.New()
	h := newHarness(t, func(c *setup) { c.Metrics = m })
	srv := h.serveHTTP()
	if code, _ := get(t, srv.URL+"/healthz"); code != http.StatusOK {
		t.Errorf("healthz = %d", code)
	}
	if code, body := get(t, srv.URL+"/readyz"); code != http.StatusOK {
		t.Errorf("readyz = %d %s", code, body)
	}
	h.fake.RateLimitNext("chat.postMessage", 1, time.Second)
	h.post(srv, slackfake.FormBody(slackfake.SlashCommand{Command: "/race", Text: "new Measured", UserID: "UANA", ChannelID: "C1"}), formType, time.Now())
	h.header("C1", "Measured")
	_, body := get(t, srv.URL+"/metrics")
	for _, want := range []string{
		`racebot_requests_total{kind="command"} 1`,
		`racebot_ack_seconds_count{kind="command"} 1`,
		`racebot_slack_api_calls_total{outcome="rate_limited"} 1`,
		`racebot_slack_api_calls_total{outcome="ok"}`,
		"go_goroutines",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("metrics lack %q", want)
		}
	}
	// A closed database makes the bot not ready.
	h.db.Close()
	if code, body := get(t, srv.URL+"/readyz"); code != http.StatusServiceUnavailable || !strings.Contains(body, "database") {
		t.Errorf("readyz with a closed database = %d %q", code, body)
	}
}
