package bot

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/racebot/racebot/coach"
	"github.com/racebot/racebot/flows"
	"github.com/racebot/racebot/internal/slackfake"
)

// settle waits until the work the bot has acknowledged so far (posts,
// uploads, responses) is done. Call it only while nothing new is being
// delivered.
func (h *harness) settle() {
	h.t.Helper()
	settle(h.t, h.bot, h.fake)
}

func settle(t testing.TB, b *Bot, fake *slackfake.Fake) {
	t.Helper()
	done := make(chan struct{})
	go func() {
		b.pending.Wait()
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(slackfake.DefaultWaitTimeout):
		t.Fatalf("the bot's background work did not finish\n%s", fake.Dump())
	}
}

// posts counts the chat.postMessage calls Slack has answered.
func (h *harness) posts() int { return len(h.fake.Calls("chat.postMessage")) }

// deliver posts a signed Events API body to the HTTP front door, signed at
// the bot's own time, and returns the status. A Slack retry sends the very same body again.
func (h *harness) deliver(srv *httptest.Server, body []byte) int {
	h.t.Helper()
	resp, _ := h.post(srv, body, "application/json", h.bot.now())
	return resp.StatusCode
}

// slash types /race text in a channel through the HTTP front door and
// returns the acknowledgement's text.
func (h *harness) slash(srv *httptest.Server, channel, text string) string {
	h.t.Helper()
	resp, body := h.post(srv, slackfake.FormBody(slackfake.SlashCommand{Command: "/race", Text: text, UserID: "UANA", ChannelID: channel}), formType, h.bot.now())
	if resp.StatusCode != http.StatusOK {
		h.t.Fatalf("/race %s: status %d: %s", text, resp.StatusCode, body)
	}
	return ackText(h.t, []byte(body))
}

// newPlanOverHTTP starts a plan with /race new and waits until its thread
// is bound and asks the first question.
func (h *harness) newPlanOverHTTP(srv *httptest.Server, channel, name string) (slackfake.Message, *flows.Plan) {
	h.t.Helper()
	h.slash(srv, channel, "new "+name)
	header := h.header(channel, name)
	h.threadMessage(channel, header.TS, "What does the business sell")
	h.fake.WaitFor(h.t, func() bool { return h.plan(slackfake.TeamID, channel, name).Thread != "" }, "the plan bound to its thread")
	h.settle()
	return header, h.plan(slackfake.TeamID, channel, name)
}

// countReplies counts the replies in a thread that contain text.
func (h *harness) countReplies(channel, thread, text string) int {
	n := 0
	for _, m := range h.fake.Replies(channel, thread) {
		if strings.Contains(m.Text, text) {
			n++
		}
	}
	return n
}

// TestCommandsTypedInAThreadTakeEffectOnce: a command typed as a reply in
// a plan's thread does what it says and is answered there, and Slack's
// retry of the same delivery (same body, same event_id) changes nothing and
// posts nothing more. Before each write recorded its own key, a command in
// a thread was marked seen first and its commit then refused as its own
// duplicate: `/race stage reach` was acknowledged and silently dropped.
func TestCommandsTypedInAThreadTakeEffectOnce(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	srv := h.serveHTTP()
	header, _ := h.newPlanOverHTTP(srv, "C1", "Q1")
	cat := flows.RACE()
	reach, _ := cat.Stage("reach")

	tests := []struct {
		text   string
		effect func(*flows.Plan) bool // nil for a command that only answers
		reply  string
	}{
		{"We sell coffee.", func(p *flows.Plan) bool { return p.Answers[flows.QuestionBusiness].Text == "We sell coffee." }, "value proposition"},
		{"/race stage reach", func(p *flows.Plan) bool { return p.Cursor.Stage == reach }, "Reach"},
		{"kpi", func(p *flows.Plan) bool { return p.Cursor.Phase == flows.PhaseKPIs }, "KPIs"},
		{"/race privacy on", func(p *flows.Plan) bool { return p.Privacy }, "Privacy is on"},
		{"status", nil, "answered"},
	}
	for i, tt := range tests {
		body := slackfake.EventBody(slackfake.MessageEvent{Channel: "C1", User: "UANA", Text: tt.text, ThreadTS: header.TS, EventID: fmt.Sprintf("EvTHREAD%d", i)})
		before := h.posts()
		if code := h.deliver(srv, body); code != http.StatusOK {
			t.Fatalf("%q: status %d", tt.text, code)
		}
		h.settle()
		p := h.plan(slackfake.TeamID, "C1", "Q1")
		if tt.effect != nil && !tt.effect(p) {
			t.Errorf("%q took no effect: cursor %+v, privacy %t", tt.text, p.Cursor, p.Privacy)
		}
		if got := h.posts() - before; got != 1 {
			t.Errorf("%q: %d messages posted, want 1", tt.text, got)
		}
		replies := h.fake.Replies("C1", header.TS)
		if last := replies[len(replies)-1]; !strings.Contains(last.Text, tt.reply) {
			t.Errorf("%q answered %q, want it to mention %q", tt.text, last.Text, tt.reply)
		}

		// Slack's retry of the same delivery.
		after := h.posts()
		if code := h.deliver(srv, body); code != http.StatusOK {
			t.Fatalf("%q retried: status %d", tt.text, code)
		}
		h.settle()
		if got := h.plan(slackfake.TeamID, "C1", "Q1"); got.Version != p.Version {
			t.Errorf("%q retried: plan moved from version %d to %d", tt.text, p.Version, got.Version)
		}
		if n := h.posts() - after; n != 0 {
			t.Errorf("%q retried: %d more messages posted, want none\n%s", tt.text, n, h.fake.Dump())
		}
	}
	if revs, _ := h.db.Revisions(context.Background(), slackfake.TeamID, h.plan(slackfake.TeamID, "C1", "Q1").ID, flows.QuestionBusiness); len(revs) != 1 {
		t.Errorf("the answer has %d revisions, want 1", len(revs))
	}
}

var errBusy = errors.New("database is busy")

// failingStore fails the next write of each kind while its counter is
// positive, as a database busy past the deadline would; each failure takes
// one off. Reads pass through.
type failingStore struct {
	coach.Store
	commit, seen, measure, create, bind atomic.Int32
	// lost commits, then reports a failure, as a request that ran out of
	// time just after its commit would.
	lost atomic.Int32
}

func take(n *atomic.Int32) bool { return n.Add(-1) >= 0 }

func (f *failingStore) Commit(ctx context.Context, p *flows.Plan, changes []flows.Change, key string) error {
	if take(&f.commit) {
		return errBusy
	}
	if take(&f.lost) {
		if err := f.Store.Commit(ctx, p, changes, key); err != nil {
			return err
		}
		return context.DeadlineExceeded
	}
	return f.Store.Commit(ctx, p, changes, key)
}

func (f *failingStore) MarkSeen(ctx context.Context, team, key string) error {
	if take(&f.seen) {
		return errBusy
	}
	return f.Store.MarkSeen(ctx, team, key)
}

func (f *failingStore) RecordMeasurements(ctx context.Context, team string, plan flows.PlanID, ms []flows.Measurement, key string) error {
	if take(&f.measure) {
		return errBusy
	}
	return f.Store.RecordMeasurements(ctx, team, plan, ms, key)
}

func (f *failingStore) CreatePlan(ctx context.Context, p *flows.Plan, key string) (flows.PlanID, error) {
	if take(&f.create) {
		return 0, errBusy
	}
	return f.Store.CreatePlan(ctx, p, key)
}

func (f *failingStore) BindThread(ctx context.Context, team string, id flows.PlanID, thread string) (string, error) {
	if take(&f.bind) {
		return "", errBusy
	}
	return f.Store.BindThread(ctx, team, id, thread)
}

func newFailingHarness(t *testing.T) (*harness, *failingStore) {
	t.Helper()
	fs := &failingStore{}
	h := newHarness(t, func(s *setup) {
		fs.Store = s.Store
		s.Store = fs
	})
	return h, fs
}

// failThenRetry delivers body three times, as Slack does after a failure.
// The first attempt meets a failing store: it must be answered 503, so
// Slack retries, with nothing recorded and nothing said. The retry records
// and answers once. A third delivery changes nothing and says nothing.
func (h *harness) failThenRetry(srv *httptest.Server, body []byte, recorded func() bool) {
	h.t.Helper()
	start := h.posts()
	if code := h.deliver(srv, body); code != http.StatusServiceUnavailable {
		h.t.Fatalf("a delivery whose write failed was answered %d, want 503 so Slack retries", code)
	}
	h.settle()
	if recorded() {
		h.t.Fatal("recorded although the write failed")
	}
	if n := h.posts() - start; n != 0 {
		h.t.Errorf("the failed delivery posted %d messages", n)
	}
	if code := h.deliver(srv, body); code != http.StatusOK {
		h.t.Fatalf("the retry was answered %d", code)
	}
	h.settle()
	if !recorded() {
		h.t.Fatal("the retry recorded nothing: the failed attempt must not have kept its key")
	}
	if n := h.posts() - start; n != 1 {
		h.t.Errorf("the retry posted %d messages, want 1", n)
	}
	if code := h.deliver(srv, body); code != http.StatusOK {
		h.t.Fatalf("the third delivery was answered %d", code)
	}
	h.settle()
	if n := h.posts() - start; n != 1 {
		h.t.Errorf("after a third delivery %d messages, want still 1", n)
	}
}

func TestFailedWritesAreRetriedAndRecordedOnce(t *testing.T) {
	t.Parallel()
	t.Run("command in a thread", func(t *testing.T) {
		h, fs := newFailingHarness(t)
		srv := h.serveHTTP()
		header, _ := h.newPlanOverHTTP(srv, "C1", "Q1")
		reach, _ := flows.RACE().Stage("reach")
		fs.commit.Store(1)
		body := slackfake.EventBody(slackfake.MessageEvent{Channel: "C1", User: "UANA", Text: "/race stage reach", ThreadTS: header.TS, EventID: "EvSTAGE"})
		h.failThenRetry(srv, body, func() bool { return h.plan(slackfake.TeamID, "C1", "Q1").Cursor.Stage == reach })
	})

	t.Run("reply-only command in a thread", func(t *testing.T) {
		h, fs := newFailingHarness(t)
		srv := h.serveHTTP()
		header, _ := h.newPlanOverHTTP(srv, "C1", "Q1")
		fs.seen.Store(1)
		body := slackfake.EventBody(slackfake.MessageEvent{Channel: "C1", User: "UANA", Text: "status", ThreadTS: header.TS, EventID: "EvSTATUS"})
		h.failThenRetry(srv, body, func() bool { return h.countReplies("C1", header.TS, "answered") == 1 })
	})

	t.Run("values in a check-in thread", func(t *testing.T) {
		h, fs := newFailingHarness(t)
		srv := h.serveHTTP()
		_, p := h.newPlanOverHTTP(srv, "C1", "Q1")
		p = h.setKPIs(p, flows.StageReach, "visitors | baseline 8k | target 20k | by 2027-03-31 | owner <@UANA>")
		id, opening := h.openCheckin(p)
		fs.measure.Store(1)
		body := slackfake.EventBody(slackfake.MessageEvent{Channel: "C1", User: "UANA", Text: "visitors 12.4k", ThreadTS: opening.TS, EventID: "EvVALUES"})
		h.failThenRetry(srv, body, func() bool { return h.checkinValues(p, id) == 1 })
		if n := h.checkinValues(p, id); n != 1 {
			t.Errorf("%d values recorded, want 1", n)
		}
	})

	t.Run("answer that landed although the store said it failed", func(t *testing.T) {
		h, fs := newFailingHarness(t)
		srv := h.serveHTTP()
		header, _ := h.newPlanOverHTTP(srv, "C1", "Q1")
		// The answer is committed, then the request runs out of time:
		// Slack retries, and the retry finds the key committed with the
		// answer instead of recording it a second time.
		fs.lost.Store(1)
		body := slackfake.EventBody(slackfake.MessageEvent{Channel: "C1", User: "UANA", Text: "We sell coffee.", ThreadTS: header.TS, EventID: "EvLANDED"})
		if code := h.deliver(srv, body); code != http.StatusServiceUnavailable {
			t.Fatalf("status %d, want 503", code)
		}
		if code := h.deliver(srv, body); code != http.StatusOK {
			t.Fatalf("retry: status %d", code)
		}
		h.settle()
		p := h.plan(slackfake.TeamID, "C1", "Q1")
		if revs, _ := h.db.Revisions(context.Background(), slackfake.TeamID, p.ID, flows.QuestionBusiness); len(revs) != 1 || p.Cursor.Step != 1 {
			t.Errorf("after a retry of an answer that landed: %d revisions, cursor %+v; want 1 and step 1", len(revs), p.Cursor)
		}
	})

	t.Run("/race new", func(t *testing.T) {
		h, fs := newFailingHarness(t)
		srv := h.serveHTTP()
		fs.create.Store(1)
		// Slack does not retry slash commands: the person is told, and
		// nothing is left half-done for them to trip over.
		if ack := h.slash(srv, "C1", "new Q1"); !strings.Contains(ack, "nothing was changed") {
			t.Errorf("ack = %q, want it to say nothing changed", ack)
		}
		h.settle()
		if n := len(h.fake.Messages("C1")); n != 0 {
			t.Errorf("%d messages posted for a plan that was not saved", n)
		}
		plans, err := h.db.TeamPlans(context.Background(), slackfake.TeamID)
		if err != nil || len(plans) != 0 {
			t.Fatalf("plans after a failed /race new: %d, %v", len(plans), err)
		}
		if cur, _ := h.db.CurrentPlan(context.Background(), slackfake.TeamID, "C1"); cur != 0 {
			t.Errorf("the channel's current plan is %d, want none", cur)
		}
		// Typing it again works, once.
		header, _ := h.newPlanOverHTTP(srv, "C1", "Q1")
		if n := len(h.headers("C1", "Q1")); n != 1 {
			t.Errorf("%d headers, want 1 (%s)", n, header.TS)
		}
	})
}

// openCheckin opens a check-in of p and waits for its opening message.
func (h *harness) openCheckin(p *flows.Plan) (int64, slackfake.Message) {
	h.t.Helper()
	id, err := h.bot.OpenCheckin(context.Background(), p.Team, p.ID, "", false, 0)
	if err != nil {
		h.t.Fatal(err)
	}
	c, err := h.db.CheckinByID(context.Background(), p.Team, id)
	if err != nil || c.Thread == "" {
		h.t.Fatalf("check-in %d: thread %q, %v", id, c.Thread, err)
	}
	opening, _ := h.message(p.Channel, c.Thread)
	return id, opening
}

// message finds a message by its ts.
func (h *harness) message(channel, ts string) (slackfake.Message, bool) {
	for _, m := range h.fake.Messages(channel) {
		if m.TS == ts {
			return m, true
		}
	}
	return slackfake.Message{}, false
}

// checkinValues counts the values recorded in a check-in.
func (h *harness) checkinValues(p *flows.Plan, checkin int64) int {
	h.t.Helper()
	ms, err := h.db.Measurements(context.Background(), p.Team, p.ID)
	if err != nil {
		h.t.Fatal(err)
	}
	n := 0
	for _, list := range ms {
		for _, m := range list {
			if m.Checkin == checkin {
				n++
			}
		}
	}
	return n
}

// headers lists the top-level messages of a channel that name a plan.
func (h *harness) headers(channel, name string) []slackfake.Message {
	var out []slackfake.Message
	for _, m := range h.fake.Messages(channel) {
		if m.ThreadTS == "" && strings.Contains(m.Text, name) {
			out = append(out, m)
		}
	}
	return out
}
