package bot

import (
	"testing"
	"time"

	"github.com/racebot/racebot/coach"
	"github.com/racebot/racebot/flows"
	"github.com/racebot/racebot/storage"
)

// TestValuesFromAnotherProcessRefreshTheSummary: Ana gives her number in
// the terminal, which shares racebot's database but has no Slack
// connection, while the check-in is open in Slack. Within a check-in tick
// the Slack summary says so, and the nudge next day leaves her out.
func TestValuesFromAnotherProcessRefreshTheSummary(t *testing.T) {
	h, p, clk := checkinSetup(t)
	id, opening := h.openCheckin(p)
	summary := h.threadMessage("C1", opening.TS, "0 of 2 KPIs updated")

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
