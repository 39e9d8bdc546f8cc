package bot

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/racebot/racebot/coach"
	"github.com/racebot/racebot/flows"
	"github.com/racebot/racebot/internal/slackfake"
	"github.com/racebot/racebot/storage"
)

// TestValuesFromAnotherProcessRefreshTheSummary: Ana gives her number in
// the terminal, which shares racebot's database but has no Slack
// connection, while the check-in is open in Slack. Within a check-in tick
// the Slack summary says so, and the nudge next day leaves her out.
func TestValuesFromAnotherProcessRefreshTheSummary(t *testing.T) {
	t.Parallel()
	h, p, clk := checkinSetup(t)
	id, opening, summary := h.openCheckinOfTwo(p)

	other, err := storage.Open(t.Context(), h.db.Path())
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	svc := coach.New(coach.Config{Catalogue: flows.RACE(), Store: other, Reminders: other})
	if _, err := svc.Handle(t.Context(), coach.Request{
		Team: p.Team, Channel: p.Channel, User: "UANA", Now: clk.Now(), Command: true,
		Text: "values visitors 12.4k", Key: "elsewhere:1",
	}); err != nil {
		t.Fatal(err)
	}
	if n := h.checkinValues(p, id); n != 1 {
		t.Fatalf("%d values in the check-in, want Ana's", n)
	}

	clk.Add(time.Minute)
	h.bot.checkinTick(t.Context())
	h.waitSummary(summary.TS, "1 of 2 KPIs updated")
	updates := len(h.fake.Calls("chat.update"))
	h.bot.checkinTick(t.Context())
	if n := len(h.fake.Calls("chat.update")); n != updates {
		t.Errorf("a tick with nothing new updated the summary again (%d updates, want %d)", n, updates)
	}
	h.nudgeSpares(clk, opening.TS, "UANA")
}

// startedRacebot is a racebot on the harness's database (through a handle
// of its own) and Slack that has just started, as a restarted process or
// a second replica is: it has drawn no summary yet. Its loops do not run;
// the test ticks it.
func (h *harness) startedRacebot() *Bot {
	h.t.Helper()
	db, err := storage.Open(context.Background(), h.db.Path())
	if err != nil {
		h.t.Fatal(err)
	}
	h.t.Cleanup(func() { db.Close() })
	return New(Config{
		API:          h.api,
		Service:      coach.New(coach.Config{Catalogue: flows.RACE(), Store: db, Reminders: db}),
		Logger:       slog.New(slog.NewTextHandler(testWriter{h.t}, &slog.HandlerOptions{Level: slog.LevelWarn})),
		Now:          h.bot.now,
		PostInterval: time.Millisecond,
		CheckinPoll:  time.Hour,
	})
}

// valuesElsewhere records a value in the plan's open check-in through a
// coach on a database handle of its own, as the terminal does.
func (h *harness) valuesElsewhere(p *flows.Plan, clk *clock, user, text string) {
	h.t.Helper()
	other, err := storage.Open(context.Background(), h.db.Path())
	if err != nil {
		h.t.Fatal(err)
	}
	defer other.Close()
	svc := coach.New(coach.Config{Catalogue: flows.RACE(), Store: other, Reminders: other})
	if _, err := svc.Handle(context.Background(), coach.Request{
		Team: p.Team, Channel: p.Channel, User: user, Now: clk.Now(), Command: true,
		Text: text, Key: "elsewhere:" + user + text,
	}); err != nil {
		h.t.Fatal(err)
	}
}

func (h *harness) updates() int { return len(h.fake.Calls("chat.update")) }

// TestRestartedRacebotsLeaveDrawnSummariesAlone: two racebots start on
// the database of the one that drew the check-in's summary, and a value
// given in Slack is drawn by the racebot that took it. Neither restart nor
// the value makes the others rewrite the summary: each chat.update counts
// against Slack's limit for the whole workspace.
func TestRestartedRacebotsLeaveDrawnSummariesAlone(t *testing.T) {
	t.Parallel()
	h, p, clk := checkinSetup(t)
	_, opening, summary, _ := h.anaRepliesInCheckin(p, "visitors 12.4k")
	h.waitSummary(summary.TS, "1 of 2 KPIs updated")
	h.settle()
	before := h.updates()

	r1, r2 := h.startedRacebot(), h.startedRacebot()
	clk.Add(time.Minute)
	r1.checkinTick(t.Context())
	r2.checkinTick(t.Context())
	if n := h.updates() - before; n != 0 {
		t.Errorf("the restarted racebots rewrote an unchanged summary %d times, want none", n)
	}

	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.MessageEvent{Channel: "C1", User: "UBEN", Text: "lead rate 1.9%", ThreadTS: opening.TS}))
	h.waitSummary(summary.TS, "2 of 2 KPIs updated")
	h.settle()
	before = h.updates()
	clk.Add(time.Minute)
	for _, b := range []*Bot{h.bot, r1, r2} {
		b.checkinTick(t.Context())
	}
	if n := h.updates() - before; n != 0 {
		t.Errorf("a value drawn by the racebot that took it was drawn again %d times by the others", n)
	}
}

// TestValueFromTheTerminalIsDrawnOnceAcrossRacebots: three racebots tick
// after a value was typed in the terminal; one of them rewrites the
// summary.
func TestValueFromTheTerminalIsDrawnOnceAcrossRacebots(t *testing.T) {
	t.Parallel()
	h, p, clk := checkinSetup(t)
	_, _, summary := h.openCheckinOfTwo(p)
	r1, r2 := h.startedRacebot(), h.startedRacebot()
	h.settle()
	before := h.updates()

	h.valuesElsewhere(p, clk, "UANA", "values visitors 12.4k")
	clk.Add(time.Minute)
	for _, b := range []*Bot{r1, h.bot, r2} {
		b.checkinTick(t.Context())
	}
	h.waitSummary(summary.TS, "1 of 2 KPIs updated")
	if n := h.updates() - before; n != 1 {
		t.Errorf("the summary was rewritten %d times for one value, want once", n)
	}
}

// TestDeletedSummaryIsNotRetriedEveryMinute: the check-in's summary was
// deleted in Slack. A value typed in the terminal makes one attempt to
// rewrite it; the next ticks leave it alone (Slack will say
// message_not_found every time).
func TestDeletedSummaryIsNotRetriedEveryMinute(t *testing.T) {
	t.Parallel()
	h, p, clk := checkinSetup(t)
	_, _, summary := h.openCheckinOfTwo(p)
	if _, _, err := h.api.api.DeleteMessageContext(t.Context(), "C1", summary.TS); err != nil {
		t.Fatal(err)
	}
	h.settle()
	before := h.updates()

	h.valuesElsewhere(p, clk, "UANA", "values visitors 12.4k")
	for range 5 {
		clk.Add(time.Minute)
		h.bot.checkinTick(t.Context())
	}
	if n := h.updates() - before; n != 1 {
		t.Errorf("%d chat.update calls over five ticks for a deleted summary, want one", n)
	}
}

// TestFailingSummaryUpdateGivesUp: Slack declines every chat.update, as
// it will again (msg_too_long). The summary is tried on a few ticks, not
// every minute for ever; a new value tries again, and once Slack answers
// the summary is drawn. (A failure Slack may not repeat is tried again
// later: TestMarkedSummaryFailingForAWhileIsTriedAgainLater.)
func TestFailingSummaryUpdateGivesUp(t *testing.T) {
	t.Parallel()
	h, p, clk := checkinSetup(t)
	_, _, summary := h.openCheckinOfTwo(p)
	h.settle()
	h.fake.RefuseNext("chat.update", 1_000_000, "msg_too_long")
	h.valuesElsewhere(p, clk, "UANA", "values visitors 12.4k")
	tick := func() int {
		before := h.updates()
		clk.Add(time.Minute)
		h.bot.checkinTick(t.Context())
		return h.updates() - before
	}
	tried := 0
	for i := range 10 {
		if tick() > 0 {
			tried = i + 1
		}
	}
	if tried == 0 || tried > 3 {
		t.Errorf("the failing summary was last tried on tick %d of 10, want within the first %d", tried, 3)
	}

	h.fake.RefuseNext("chat.update", 0, "")
	h.valuesElsewhere(p, clk, "UBEN", "values lead-rate 1.9%")
	if tick() == 0 {
		t.Error("a new value did not try the summary again")
	}
	h.waitSummary(summary.TS, "2 of 2 KPIs updated")
}

// TestStaleSummariesArePacedAcrossTicks: 25 open check-ins whose summaries
// no racebot is known to have drawn (their records expired, or a racebot
// of the version before them drew them) are rewritten over two ticks, not
// 25 chat.update calls in one minute.
func TestStaleSummariesArePacedAcrossTicks(t *testing.T) {
	t.Parallel()
	h, p, clk := checkinSetup(t)
	const open = 25
	for range open {
		h.openCheckin(p)
	}
	h.settle()
	r := h.startedRacebot()
	if err := r.svc.Prune(t.Context(), clk.Now().AddDate(1, 0, 0)); err != nil {
		t.Fatal(err)
	}
	tick := func() int {
		before := h.updates()
		clk.Add(time.Minute)
		r.checkinTick(t.Context())
		return h.updates() - before
	}
	first := tick()
	second := tick()
	if first > summariesPerTick || first+second != open {
		t.Errorf("the ticks rewrote %d and %d summaries, want at most %d a tick and all %d in two", first, second, summariesPerTick, open)
	}
}
