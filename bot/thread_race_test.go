package bot

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/racebot/racebot/internal/slackfake"
)

// TestRacingHeadersLeaveOneThread: `/race new Q1` and, before its header
// is out, `/race continue Q1` both find the plan without a thread and both
// post its header. The first header bound wins; the other is deleted, and
// both commands are answered in the winner's thread, where the coaching
// goes on. Which post Slack answers first varies, so the race is run a
// number of times.
func TestRacingHeadersLeaveOneThread(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	srv := h.serveHTTP()
	for i := range 20 {
		channel := fmt.Sprintf("C%d", 100+i)
		release := h.fake.Hold("chat.postMessage")
		h.slash(srv, channel, "new Q1")
		h.fake.WaitFor(t, func() bool { return h.fake.InFlight("chat.postMessage") == 1 }, "the first header held")
		if ack := h.slash(srv, channel, "continue Q1"); !strings.Contains(ack, "continues in its thread") {
			t.Fatalf("continue ack = %q", ack)
		}
		h.fake.WaitFor(t, func() bool { return h.fake.InFlight("chat.postMessage") == 2 }, "both headers held")
		release()
		h.settle()

		p := h.plan(slackfake.TeamID, channel, "Q1")
		headers := h.headers(channel, "Q1")
		if len(headers) != 1 || headers[0].TS != p.Thread {
			t.Fatalf("round %d: %d headers left, plan thread %q; want one, the plan's\n%s", i, len(headers), p.Thread, h.fake.Dump())
		}
		deleted := 0
		for _, c := range h.fake.Calls("chat.delete") {
			if c.Get("channel") == channel {
				deleted++
			}
		}
		if deleted != 1 {
			t.Errorf("round %d: %d headers deleted, want the loser's", i, deleted)
		}
		for _, m := range h.fake.Messages(channel) {
			if m.ThreadTS != "" && m.ThreadTS != p.Thread {
				t.Errorf("round %d: a reply went to thread %s, not the plan's %s: %q", i, m.ThreadTS, p.Thread, m.Text)
			}
		}
		if h.countReplies(channel, p.Thread, "is ready") != 1 || h.countReplies(channel, p.Thread, "Continuing") != 1 {
			t.Errorf("round %d: both commands should be answered once in the plan's thread\n%s", i, h.fake.Dump())
		}

		// The coaching goes on in that thread.
		body := slackfake.EventBody(slackfake.MessageEvent{Channel: channel, User: "UANA", Text: "We sell coffee.", ThreadTS: p.Thread})
		if code := h.deliver(srv, body); code != http.StatusOK {
			t.Fatalf("round %d: answer: status %d", i, code)
		}
		h.settle()
		if h.countReplies(channel, p.Thread, "value proposition") == 0 {
			t.Errorf("round %d: the next question is not in the plan's thread", i)
		}
	}
}

// TestHeaderWhoseThreadWasNotBoundIsRemoved: a header posted for a plan
// whose thread then could not be recorded is taken down again, so the
// person's `/race continue` leaves one header in the channel, not two.
func TestHeaderWhoseThreadWasNotBoundIsRemoved(t *testing.T) {
	t.Parallel()
	h, fs := newFailingHarness(t)
	srv := h.serveHTTP()
	fs.bind.Store(1)
	url := h.fake.ResponseURL()
	resp, _ := h.post(srv, slackfake.FormBody(slackfake.SlashCommand{Command: "/race", Text: "new Q1", UserID: "UANA", ChannelID: "C1", ResponseURL: url}), formType, time.Now())
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d", resp.StatusCode)
	}
	h.settle()
	if rs := h.fake.Responses(url); len(rs) != 1 || !strings.Contains(rs[0].Text, "/race continue Q1") {
		t.Fatalf("responses = %+v, want how to start the thread again", rs)
	}
	if hs := h.headers("C1", "Q1"); len(hs) != 0 {
		t.Errorf("%d headers left for a thread that was not recorded", len(hs))
	}
	h.slash(srv, "C1", "continue Q1")
	h.settle()
	p := h.plan(slackfake.TeamID, "C1", "Q1")
	if hs := h.headers("C1", "Q1"); len(hs) != 1 || hs[0].TS != p.Thread {
		t.Errorf("after /race continue: %d headers, plan thread %q\n%s", len(hs), p.Thread, h.fake.Dump())
	}
}

// TestConcurrentNewPlansAreOne: two people typing `/race new Q1` at once
// get one plan; the second is told the name is taken.
func TestConcurrentNewPlansAreOne(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	srv := h.serveHTTP()
	acks := make(chan string, 2)
	for _, user := range []string{"UANA", "UBEN"} {
		go func() {
			body := slackfake.FormBody(slackfake.SlashCommand{Command: "/race", Text: "new Q1", UserID: user, ChannelID: "C1"})
			req := slackfake.SignedRequest(secret, srv.URL+"/slack/events", body, time.Now())
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				acks <- "error: " + err.Error()
				return
			}
			defer resp.Body.Close()
			var b strings.Builder
			io.Copy(&b, resp.Body)
			acks <- fmt.Sprintf("%d %s", resp.StatusCode, b.String())
		}()
	}
	var refused int
	for range 2 {
		ack := <-acks
		switch {
		case strings.Contains(ack, "already has a plan called"):
			refused++
		case ack != "200 ":
			t.Errorf("unexpected ack %q", ack)
		}
	}
	h.settle()
	if refused != 1 {
		t.Errorf("%d of the two were refused, want 1", refused)
	}
	plans, err := h.db.Plans(context.Background(), slackfake.TeamID, "C1")
	if err != nil || len(plans) != 1 {
		t.Fatalf("%d plans, %v; want 1", len(plans), err)
	}
	if hs := h.headers("C1", "Q1"); len(hs) != 1 || hs[0].TS != plans[0].Thread {
		t.Errorf("%d headers, plan thread %q; want one, the plan's", len(hs), plans[0].Thread)
	}
}
