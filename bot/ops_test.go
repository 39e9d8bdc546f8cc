package bot

import (
	"context"
	"database/sql"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/racebot/racebot/internal/fulldisk"
	"github.com/racebot/racebot/internal/slackfake"
	"github.com/racebot/racebot/metrics"
	"github.com/racebot/racebot/storage"
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
	t.Parallel()
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

// TestReadyzNeedsAWritableDatabase: while another process holds the
// database's write lock, reads still answer but racebot could not record
// anything anyone types, so it is not ready; once the lock is let go it is
// ready again by itself.
func TestReadyzNeedsAWritableDatabase(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	srv := h.serveHTTP()
	if code, body := get(t, srv.URL+"/readyz"); code != http.StatusOK {
		t.Fatalf("readyz = %d %q", code, body)
	}

	ctx := context.Background()
	// Another process takes the write lock; it waits its turn, as racebot's
	// own connections do, should racebot be writing at that moment.
	other, err := sql.Open("sqlite", "file:"+h.db.Path()+"?_pragma=busy_timeout(10000)")
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	conn, err := other.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "BEGIN IMMEDIATE"); err != nil {
		t.Fatalf("take the write lock: %v", err)
	}
	if err := h.db.Ping(ctx); err != nil {
		t.Fatalf("reads should still answer: %v", err)
	}
	if code, body := get(t, srv.URL+"/readyz"); code != http.StatusServiceUnavailable || !strings.Contains(body, "database writes") {
		t.Errorf("readyz while writes cannot commit = %d %q, want 503 naming database writes", code, body)
	}

	if _, err := conn.ExecContext(ctx, "ROLLBACK"); err != nil {
		t.Fatal(err)
	}
	if code, body := get(t, srv.URL+"/readyz"); code != http.StatusOK {
		t.Errorf("readyz after the lock was let go = %d %q", code, body)
	}
}

// TestReadyzWithAFullDisk: with the database on a real file system filled
// to the last byte, racebot could not record what anyone types, so it is
// not ready, naming database writes; once the room comes back it is ready
// again by itself, and records again.
func TestReadyzWithAFullDisk(t *testing.T) {
	t.Parallel()
	dir := fulldisk.Mount(t, "4m")
	db, err := storage.Open(context.Background(), filepath.Join(dir, "racebot.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	h := newHarness(t, func(c *setup) { c.Store = db })
	srv := h.serveHTTP()
	if code, body := get(t, srv.URL+"/readyz"); code != http.StatusOK {
		t.Fatalf("readyz = %d %q", code, body)
	}

	free := fulldisk.Fill(t, dir)
	for range 2 {
		if code, body := get(t, srv.URL+"/readyz"); code != http.StatusServiceUnavailable || !strings.HasPrefix(body, "database writes") {
			t.Errorf("readyz on a full disk = %d %q, want 503 naming database writes", code, body)
		}
	}

	free()
	if code, body := get(t, srv.URL+"/readyz"); code != http.StatusOK {
		t.Errorf("readyz once the room came back = %d %q", code, body)
	}
	h.post(srv, slackfake.FormBody(slackfake.SlashCommand{Command: "/race", Text: "new Roomy", UserID: "UANA", ChannelID: "C1"}), formType, time.Now())
	h.header("C1", "Roomy")
	if _, err := db.PlanByName(context.Background(), slackfake.TeamID, "C1", "Roomy"); err != nil {
		t.Errorf("a plan started once the room came back was not recorded: %v", err)
	}
}

// TestReadyzFollowsTheSlackConnection: when the Socket Mode connection
// drops, racebot is not ready, saying Slack is not connected, for as long
// as it cannot reconnect; once the client has reconnected by itself it is
// ready again and serves over the new connection.
func TestReadyzFollowsTheSlackConnection(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	srv := httptest.NewServer(h.bot.OpsHandler())
	t.Cleanup(srv.Close)
	h.runSocket()
	ready := func() (bool, string) {
		code, body := get(t, srv.URL+"/readyz")
		return code == http.StatusOK, body
	}
	h.fake.WaitFor(t, func() bool { ok, _ := ready(); return ok }, "readyz 200 while connected")

	// Slack is unreachable: the connection breaks and every attempt to
	// open a new one hangs until the test lets it through.
	reopen := h.fake.Hold("apps.connections.open")
	t.Cleanup(reopen)
	h.fake.Drop()
	h.fake.WaitFor(t, func() bool { return h.fake.InFlight("apps.connections.open") == 1 }, "the client trying to reconnect")
	notConnected := func() bool {
		code, body := get(t, srv.URL+"/readyz")
		return code == http.StatusServiceUnavailable && body == "slack: not connected\n"
	}
	h.fake.WaitFor(t, notConnected, "readyz 503 saying slack: not connected")
	// Nothing but a new connection makes it ready again.
	if ok, body := ready(); ok || h.fake.Connected() {
		t.Fatalf("readyz = %q while the reconnect is held (connected: %t)", body, h.fake.Connected())
	}

	reopen()
	h.fake.WaitConnections(t, 2)
	h.fake.WaitFor(t, func() bool { ok, _ := ready(); return ok }, "readyz 200 after the client reconnected")
	ack := h.fake.WaitAck(t, h.fake.SendEvent(slackfake.SlashCommand{Command: "/race", Text: "help", UserID: "UANA", ChannelID: "C1"}))
	if !strings.Contains(ackText(t, ack.Payload), "new") {
		t.Errorf("help over the new connection acked %s", ack.Payload)
	}
}
