package bot

import (
	"context"
	"log/slog"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/racebot/racebot/coach"
	"github.com/racebot/racebot/flows"
	"github.com/racebot/racebot/internal/slackfake"
	"github.com/racebot/racebot/storage"
)

// anotherRacebot starts a second racebot on the harness's database file,
// through a database handle of its own, as a second process or a
// restarted one has; stop ends it and closes the handle. configure
// changes its configuration before it starts (a model of its own).
func (h *harness) anotherRacebot(configure ...func(*Config)) (b *Bot, stop func()) {
	h.t.Helper()
	db, err := storage.Open(context.Background(), filepath.Join(filepath.Dir(h.db.Path()), "racebot.db"))
	if err != nil {
		h.t.Fatal(err)
	}
	// Its prompts are recorded in h.asked too: a test waiting for a prompt
	// to be recorded does not know which racebot posted it.
	cfg := Config{
		API:          h.api,
		Service:      coach.New(coach.Config{Catalogue: flows.RACE(), Store: askedRecorder{db, h.asked}, Reminders: db}),
		Logger:       slog.New(slog.NewTextHandler(testWriter{h.t}, &slog.HandlerOptions{Level: slog.LevelWarn})),
		Now:          h.bot.now,
		PostInterval: time.Millisecond,
		CheckinPoll:  time.Hour,
	}
	for _, c := range configure {
		c(&cfg)
	}
	b = New(cfg)
	b.ackWithin = testAckWindow
	if err := b.Start(context.Background()); err != nil {
		h.t.Fatal(err)
	}
	// Its first ticks are over: a test's own tick never runs beside them.
	b.firstPass.Wait()
	var once sync.Once
	stop = func() {
		once.Do(func() {
			h.stop(b)
			db.Close()
		})
	}
	h.t.Cleanup(stop)
	return b, stop
}

// tickAll runs the reminder tick of several racebots at once.
func tickAll(bots ...*Bot) {
	var wg sync.WaitGroup
	for _, b := range bots {
		wg.Go(func() { b.remindTick(context.Background()) })
	}
	wg.Wait()
}

// dms lists the direct messages racebot sent a person.
func (h *harness) dms(user string) []slackfake.Message {
	return h.fake.Messages(h.fake.DMChannel(user))
}

// TestRemindersAtEachOwnersNineNeverTwice: KPI owners in Los Angeles and
// Berlin each get one direct message, at 09:00 of their own day before the
// check-in closes, the day the US moves its clocks; two racebots on one
// database and a restart between the two reminders send nothing twice.
// Values entered through the reminder's form land in the check-in thread
// and its summary.
func TestRemindersAtEachOwnersNineNeverTwice(t *testing.T) {
	t.Parallel()
	h, clk := clockedHarness(t, time.Date(2027, 3, 12, 17, 0, 0, 0, time.UTC))
	h.fake.AddUser(slackfake.User{ID: "ULA", TZ: "America/Los_Angeles"})
	h.fake.AddUser(slackfake.User{ID: "UBER", TZ: "Europe/Berlin"})
	_, p := h.newPlanInSlack("Q1")
	p = h.setKPIs(p, flows.StageReach, "visitors | baseline 8k | target 20k | by 2027-06-30 | owner <@ULA>")
	p = h.setKPIs(p, flows.StageConvert, "revenue | baseline $5,000 | target $9,000 | by 2027-06-30 | owner <@UBER>")
	// Closes Monday 15 March, 17:00 UTC: 10:00 in Los Angeles, 18:00 in
	// Berlin.
	id, opening, summary := h.openCheckinOfTwo(p)

	second, stopSecond := h.anotherRacebot()
	first := map[string]time.Time{}
	step := func(bots ...*Bot) {
		clk.Add(time.Hour)
		tickAll(bots...)
		for _, u := range []string{"ULA", "UBER"} {
			if _, ok := first[u]; !ok && len(h.dms(u)) > 0 {
				first[u] = clk.Now()
			}
		}
	}
	for clk.Now().Before(time.Date(2027, 3, 14, 12, 0, 0, 0, time.UTC)) {
		step(h.bot, second)
	}
	// A restart: the second racebot stops and a new one starts on the file.
	stopSecond()
	third, _ := h.anotherRacebot()
	for clk.Now().Before(time.Date(2027, 3, 15, 16, 0, 0, 0, time.UTC)) {
		step(h.bot, third)
	}
	if want := time.Date(2027, 3, 14, 8, 0, 0, 0, time.UTC); !first["UBER"].Equal(want) {
		t.Errorf("Berlin's reminder came at %v, want %v (09:00 CET)", first["UBER"], want)
	}
	if want := time.Date(2027, 3, 14, 16, 0, 0, 0, time.UTC); !first["ULA"].Equal(want) {
		t.Errorf("Los Angeles' reminder came at %v, want %v (09:00 PDT, the day the clocks moved)", first["ULA"], want)
	}
	for u, n := range map[string]int{"ULA": len(h.dms("ULA")), "UBER": len(h.dms("UBER"))} {
		if n != 1 {
			t.Errorf("%s got %d reminders, want 1", u, n)
		}
	}
	dm := h.dms("ULA")[0]
	for _, want := range []string{"closes tomorrow at 10:00 (Mon 15 Mar, your time)", "Unique visitors", `\u003c#C1\u003e`, actionOwnerValues} {
		if !strings.Contains(dm.Text+string(dm.Blocks), want) {
			t.Errorf("the reminder lacks %q:\n%s\n%s", want, dm.Text, dm.Blocks)
		}
	}
	if strings.Contains(h.dms("UBER")[0].Text, "Unique visitors") {
		t.Errorf("Berlin was asked for Los Angeles' KPI: %s", h.dms("UBER")[0].Text)
	}

	// The reminder's button opens the check-in's form in the DM; what is
	// saved there is confirmed in the check-in's thread.
	view := h.openView(slackfake.BlockAction{ActionID: actionOwnerValues, Value: strconv.FormatInt(id, 10), UserID: "ULA", ChannelID: h.fake.DMChannel("ULA"), MessageTS: dm.TS})
	if view.CallbackID != callbackValues || view.UserID != "ULA" {
		t.Fatalf("the button opened %+v", view)
	}
	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.ViewSubmission{ViewID: view.ID, UserID: "ULA", Values: map[string]map[string]slackfake.Input{
		"kpi:visitors": {valueActionID: {Value: "12.4k"}},
	}}))
	h.threadMessage("C1", opening.TS, "<@ULA> recorded: Unique visitors 12.4k")
	h.fake.WaitFor(t, func() bool {
		m, _ := h.message("C1", summary.TS)
		return m.Updated && strings.Contains(m.Text, "1 of 2 KPIs updated")
	}, "the summary updated to 1 of 2")
	if n := h.checkinValues(p, id); n != 1 {
		t.Errorf("%d values in the check-in, want 1", n)
	}
	// Someone who owns none of its KPIs can't open the form.
	url := h.fake.ResponseURL()
	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.BlockAction{ActionID: actionOwnerValues, Value: strconv.FormatInt(id, 10), UserID: "UZOE", ChannelID: h.fake.DMChannel("UZOE"), ResponseURL: url}))
	h.fake.WaitFor(t, func() bool { return len(h.fake.Responses(url)) == 1 }, "a word to someone else pressing the button")
}

// TestDirectMessageValuesLandInTheCheckin: values written to racebot in a
// direct message go into the person's plan's open check-in and are
// confirmed there; `remind off` there stops the reminders.
func TestDirectMessageValuesLandInTheCheckin(t *testing.T) {
	t.Parallel()
	h, _ := clockedHarness(t, time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC))
	_, p := h.newPlanInSlack("Q1")
	p = h.setKPIs(p, flows.StageReach, "visitors | baseline 8k | target 20k | by 2027-03-31 | owner <@UANA>")
	id, opening := h.openCheckin(p)
	summary := h.threadMessage("C1", opening.TS, "0 of 1 KPIs updated")

	dm := h.fake.DMChannel("UANA")
	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.MessageEvent{Channel: dm, User: "UANA", Text: "values visitors 12.4k"}))
	h.fake.WaitMessage(t, dm, func(m slackfake.Message) bool { return strings.Contains(m.Text, "Recorded: Unique visitors 12.4k") }, "the reply in the DM")
	h.threadMessage("C1", opening.TS, "From <@UANA>:")
	h.waitSummary(summary.TS, "1 of 1 KPIs updated")
	if n := h.checkinValues(p, id); n != 1 {
		t.Errorf("%d values in the check-in, want 1", n)
	}

	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.MessageEvent{Channel: dm, User: "UANA", Text: "remind off"}))
	h.fake.WaitMessage(t, dm, func(m slackfake.Message) bool { return strings.Contains(m.Text, "Reminders for") }, "reminders off")
	// Racebot's own message in the DM comes back as an event; it is not
	// answered.
	before := len(h.dms("UANA"))
	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.MessageEvent{Channel: dm, BotID: slackfake.BotID, Text: "status"}))
	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.MessageEvent{Channel: dm, User: "UANA", Text: "frobnicate"}))
	h.fake.WaitMessage(t, dm, func(m slackfake.Message) bool { return strings.Contains(m.Text, "about your own plans") }, "what racebot answers here")
	h.settle()
	if n := len(h.dms("UANA")); n != before+1 {
		t.Errorf("%d messages after two, want one more than %d", n, before)
	}
}

// TestActionReminderDoneAndSnooze: an action's owner is reminded the day
// before it is due, at 09:00 their time; Snooze brings the reminder back
// the next morning, and Done on it marks the action done, says so in the
// plan's thread and turns the reminder into a note.
func TestActionReminderDoneAndSnooze(t *testing.T) {
	t.Parallel()
	h, clk := clockedHarness(t, time.Date(2026, 12, 1, 6, 0, 0, 0, time.UTC))
	h.fake.AddUser(slackfake.User{ID: "UBER", TZ: "Europe/Berlin"})
	header, p := h.newPlanInSlack("Q1")
	p = h.commitActions(p, flows.Action{Stage: flows.StageReach, Text: "Send sample bags", Owner: "<@UBER>", Due: time.Date(2026, 12, 2, 0, 0, 0, 0, time.UTC), Impact: 4, Effort: 1, By: "UANA", At: clk.Now()})
	value := actionValue(p.ID, p.Actions[0].ID)

	h.bot.remindTick(context.Background())
	if n := len(h.dms("UBER")); n != 0 {
		t.Fatalf("%d reminders before 09:00 in Berlin", n)
	}
	clk.Add(2 * time.Hour) // 08:00 UTC, 09:00 in Berlin
	h.bot.remindTick(context.Background())
	dms := h.dms("UBER")
	if len(dms) != 1 || !strings.Contains(dms[0].Text, `"Send sample bags" (Q1) is due tomorrow, Wed 2 Dec`) {
		t.Fatalf("reminders = %+v", dms)
	}
	snooze := h.snooze(p, dms[0])
	h.fake.WaitFor(t, func() bool {
		rs := h.fake.Responses(snooze)
		return len(rs) == 1 && strings.Contains(rs[0].Text, "again Wed 2 Dec at 09:00")
	}, "the reminder replaced by the snooze")

	clk.Add(24 * time.Hour) // 09:00 in Berlin the next day
	h.bot.remindTick(context.Background())
	dms = h.dms("UBER")
	if len(dms) != 2 {
		t.Fatalf("%d reminders after the snooze, want 2", len(dms))
	}
	done := h.fake.ResponseURL()
	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.BlockAction{ActionID: actionActionDone, Value: value, UserID: "UBER", ChannelID: h.fake.DMChannel("UBER"), MessageTS: dms[1].TS, ResponseURL: done}))
	h.threadMessage("C1", header.TS, `<@UBER> marked "Send sample bags" done.`)
	h.fake.WaitFor(t, func() bool { return len(h.fake.Responses(done)) == 1 }, "the reminder replaced by the note")
	clk.Add(24 * time.Hour) // overdue by now, but done
	h.bot.remindTick(context.Background())
	if n := len(h.dms("UBER")); n != 2 {
		t.Errorf("%d reminders, want no more after Done", n)
	}
}
