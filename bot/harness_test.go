package bot

import (
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/racebot/racebot/coach"
	"github.com/racebot/racebot/flows"
	"github.com/racebot/racebot/internal/slackfake"
	"github.com/racebot/racebot/internal/testdb"
	"github.com/racebot/racebot/schedule"
	"github.com/racebot/racebot/storage"
)

// harness is a Bot wired to a real SQLite file and the Slack fake, with the
// real slack-go client in between.
type harness struct {
	t     *testing.T
	fake  *slackfake.Fake
	db    *storage.DB
	api   *Client
	bot   *Bot
	asked *askedLog
}

// setup is what a test may change before the harness starts: the bot's
// Config, and the store and schedules its coaching service runs on.
type setup struct {
	Config
	Store     coach.Store
	Schedules coach.Schedules
	// Reminders, when set, keeps the reminders in place of the harness's
	// SQLite file (a test on another database).
	Reminders coach.ReminderStore
	// BeforeStart, when set, sees the bot before it starts.
	BeforeStart func(*Bot)
	// RetryWait, when set, is how the Slack client waits before a retry
	// (see WithRetryWait).
	RetryWait func(context.Context, time.Duration) bool
}

// testAckWindow is the tests' bound on the work before an ack. Slack's
// three seconds are a fact about Slack; a test run on a busy machine can
// take longer to list a channel's plans, and is not checking that.
const testAckWindow = time.Minute

func newHarness(t *testing.T, configure ...func(*setup)) *harness {
	t.Helper()
	fake := slackfake.New(t)
	db, err := storage.Open(context.Background(), testdb.Path(t))
	if err != nil {
		t.Fatal(err)
	}
	s := setup{
		Config: Config{
			Logger:       slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelWarn})),
			PostInterval: time.Millisecond,
		},
		Store: db,
	}
	for _, c := range configure {
		c(&s)
	}
	asked := &askedLog{ts: map[string]bool{}}
	cfg := s.Config
	reminders := coach.ReminderStore(db)
	if s.Reminders != nil {
		reminders = s.Reminders
	}
	cfg.Service = coach.New(coach.Config{Catalogue: flows.RACE(), Store: askedRecorder{s.Store, asked}, Schedules: s.Schedules, ParseSchedule: parseSchedule, Reminders: reminders})
	opts := []APIOption{WithMetrics(cfg.Metrics)}
	if s.RetryWait != nil {
		opts = append(opts, WithRetryWait(s.RetryWait))
	}
	api := NewAPI("xoxb-test", "xapp-test", fake.APIURL(), opts...)
	cfg.API = api
	b := New(cfg)
	b.ackWithin = testAckWindow
	if s.BeforeStart != nil {
		s.BeforeStart(b)
	}
	if err := b.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	// Its first ticks are over: a test's own tick never runs beside them.
	b.firstPass.Wait()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := b.Shutdown(ctx); err != nil {
			t.Errorf("shutdown: %v", err)
		}
		db.Close()
	})
	return &harness{t: t, fake: fake, db: db, api: api, bot: b, asked: asked}
}

// askedLog notes the messages the bot has reported as asking something.
type askedLog struct {
	mu sync.Mutex
	ts map[string]bool
}

func (l *askedLog) has(ts string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.ts[ts]
}

// askedRecorder is the real store, noting what RecordAsked recorded.
type askedRecorder struct {
	coach.Store
	log *askedLog
}

func (r askedRecorder) RecordAsked(ctx context.Context, team string, plan flows.PlanID, at int64, ts, asks string) error {
	err := r.Store.RecordAsked(ctx, team, plan, at, ts, asks)
	if err == nil {
		r.log.mu.Lock()
		r.log.ts[ts] = true
		r.log.mu.Unlock()
	}
	return err
}

// asksSomething reports whether a message the bot posted carries a prompt
// (a question, a stage's actions or KPIs, the plan's completion), which
// the bot reports to the coach once Slack has taken the message.
func asksSomething(m slackfake.Message) bool {
	blocks := string(m.Blocks)
	return strings.Contains(blocks, `"block_id":"question-buttons"`) || strings.Contains(blocks, `"block_id":"actions-buttons"`) ||
		strings.Contains(m.Text, " · KPIs\n") || strings.Contains(m.Text, "your RACE plan is complete")
}

// parseSchedule is the check a deployed racebot makes of `checkin <spec>`.
func parseSchedule(spec string) error {
	_, err := schedule.Parse(spec, nil)
	return err
}

// testWriter sends the bot's logs to the test log, so a failing test shows
// what the bot said went wrong.
type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}

// header waits for the plan header message in a channel.
func (h *harness) header(channel, name string) slackfake.Message {
	h.t.Helper()
	return h.fake.WaitMessage(h.t, channel, func(m slackfake.Message) bool {
		return m.ThreadTS == "" && strings.Contains(m.Text, name)
	}, "plan header for "+name)
}

// threadMessage waits for a reply in thread containing text. A prompt is
// waited for until the bot has recorded it too: a person needs seconds to
// read it and answer, a test microseconds, and an answer is filed under
// the prompt its author saw.
func (h *harness) threadMessage(channel, thread, text string) slackfake.Message {
	h.t.Helper()
	m := h.fake.WaitMessage(h.t, channel, func(m slackfake.Message) bool {
		return m.ThreadTS == thread && strings.Contains(m.Text, text)
	}, "thread reply containing "+text)
	if asksSomething(m) {
		h.fake.WaitFor(h.t, func() bool { return h.asked.has(m.TS) }, "the bot to record the prompt in "+m.TS)
	}
	return m
}

// plan loads a plan by name from the database.
func (h *harness) plan(team, channel, name string) *flows.Plan {
	h.t.Helper()
	p, err := h.db.PlanByName(context.Background(), team, channel, name)
	if err != nil {
		h.t.Fatalf("load plan %q: %v", name, err)
	}
	return p
}

// ackText reads the text of a slash command's acknowledgement payload.
func ackText(t *testing.T, raw json.RawMessage) string {
	t.Helper()
	var a struct {
		Text string `json:"text"`
	}
	if len(raw) == 0 {
		return ""
	}
	if err := json.Unmarshal(raw, &a); err != nil {
		t.Fatalf("ack payload %s: %v", raw, err)
	}
	return a.Text
}
