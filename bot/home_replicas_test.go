package bot

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/racebot/racebot/coach"
	"github.com/racebot/racebot/flows"
	"github.com/racebot/racebot/internal/slackfake"
)

// sampleBags gives a plan an action of Ana's, due on 1 December.
func (h *harness) sampleBags(p *flows.Plan, at time.Time) *flows.Plan {
	h.t.Helper()
	return h.commitActions(p, flows.Action{Stage: flows.StageReach, Text: "Send sample bags", Owner: "<@UANA>", Due: time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC), Impact: 4, Effort: 1, By: "UANA", At: at})
}

// serve puts a racebot behind an HTTP front door of its own.
func serve(t *testing.T, b *Bot) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(b.HTTPHandler(secret))
	t.Cleanup(srv.Close)
	return srv
}

// pressDone presses Done on Ana's action through a racebot's front door,
// from the plan's channel, and waits for the thread to say so.
func (h *harness) pressDone(srv *httptest.Server, header slackfake.Message, p *flows.Plan) {
	h.t.Helper()
	resp, _ := h.post(srv, slackfake.InteractionBody(slackfake.BlockAction{ActionID: actionActionDone, Value: actionValue(p.ID, p.Actions[0].ID), UserID: "UANA", ChannelID: "C1", ResponseURL: h.fake.ResponseURL()}), formType, h.bot.now())
	if resp.StatusCode != http.StatusOK {
		h.t.Fatalf("the Done press answered %d", resp.StatusCode)
	}
	h.threadMessage("C1", header.TS, `<@UANA> marked "Send sample bags" done.`)
}

// homeShows reports whether a person's Home tab, as last published, has
// text on it.
func (h *harness) homeShows(user, text string) bool {
	v, ok := h.fake.HomeView(user)
	return ok && strings.Contains(string(v.JSON), text)
}

// TestHomeOpenedOnOneRacebotIsKeptByAnother: two racebots on one
// database. Ana opens her Home tab, and Slack tells racebot A; she then
// marks her action done from the plan's channel, and racebot B handles
// the press. B publishes her tab again, without the action, though it
// never heard of her opening it.
func TestHomeOpenedOnOneRacebotIsKeptByAnother(t *testing.T) {
	t.Parallel()
	h, clk := clockedHarness(t, time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC))
	header, p := h.newPlanInSlack("Q1")
	p = h.sampleBags(p, clk.Now())
	other, _ := h.anotherRacebot()
	otherSrv := serve(t, other)

	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.AppHomeOpened{User: "UANA"}))
	h.fake.WaitFor(t, func() bool { return h.homeShows("UANA", "Send sample bags") }, "Ana's Home with her action")
	h.settle()

	h.pressDone(otherSrv, header, p)
	settle(t, other, h.fake)
	if h.homeShows("UANA", "Send sample bags") {
		v, _ := h.fake.HomeView("UANA")
		t.Errorf("Ana's Home, after the other racebot marked her action done, still shows it:\n%s", homeText(t, v.JSON))
	}
}

// TestHomeOpenedBeforeARestartIsKeptAfterIt: Ana opens her Home tab, then
// racebot restarts; a change after the restart still publishes her tab
// again.
func TestHomeOpenedBeforeARestartIsKeptAfterIt(t *testing.T) {
	t.Parallel()
	h, clk := clockedHarness(t, time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC))
	header, p := h.newPlanInSlack("Q1")
	p = h.sampleBags(p, clk.Now())
	before, stop := h.anotherRacebot()
	if code := h.deliver(serve(t, before), slackfake.EventBody(slackfake.AppHomeOpened{User: "UANA"})); code != http.StatusOK {
		t.Fatalf("app_home_opened answered %d", code)
	}
	h.fake.WaitFor(t, func() bool { return h.homeShows("UANA", "Send sample bags") }, "Ana's Home with her action")
	stop()

	after, _ := h.anotherRacebot()
	h.pressDone(serve(t, after), header, p)
	settle(t, after, h.fake)
	if h.homeShows("UANA", "Send sample bags") {
		v, _ := h.fake.HomeView("UANA")
		t.Errorf("Ana's Home, after a change made once racebot restarted, still shows the done action:\n%s", homeText(t, v.JSON))
	}
}

// TestHomeViewersRecordedHourlyAndForgotten: Ana opens her Home tab many
// times an hour; racebot records that she looks at most once an hour.
// After a month without looking, her tab is no longer published on a
// change, and pruning forgets her.
func TestHomeViewersRecordedHourlyAndForgotten(t *testing.T) {
	t.Parallel()
	start := time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC)
	h, clk := clockedHarness(t, start)
	header, p := h.newPlanInSlack("Q1")
	ctx := context.Background()
	viewers := func(since time.Time) []string {
		t.Helper()
		got, err := h.db.HomeViewers(ctx, slackfake.TeamID, since)
		if err != nil {
			t.Fatal(err)
		}
		return got
	}
	open := func() {
		t.Helper()
		h.fake.WaitAck(t, h.fake.SendEvent(slackfake.AppHomeOpened{User: "UANA"}))
		h.settle()
	}

	open()
	clk.Add(30 * time.Minute)
	open()
	if got := viewers(start.Add(time.Minute)); len(got) != 0 {
		t.Errorf("Ana's second opening within the hour was written: viewers since 08:01 = %v", got)
	}
	clk.Add(31 * time.Minute)
	open()
	if got := viewers(start.Add(time.Hour)); !slices.Equal(got, []string{"UANA"}) {
		t.Errorf("viewers since 09:00 = %v, want Ana, who opened her tab again at 09:01", got)
	}

	clk.Add(coach.HomesKept + time.Minute)
	publishes := len(h.fake.Calls("views.publish"))
	p = h.sampleBags(p, clk.Now())
	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.BlockAction{ActionID: actionActionDone, Value: actionValue(p.ID, p.Actions[0].ID), UserID: "UANA", ChannelID: "C1", ResponseURL: h.fake.ResponseURL()}))
	h.threadMessage("C1", header.TS, `<@UANA> marked "Send sample bags" done.`)
	h.settle()
	if n := len(h.fake.Calls("views.publish")); n != publishes {
		t.Errorf("%d publishes of a tab not looked at for a month, want none", n-publishes)
	}
	if err := h.bot.svc.Prune(ctx, clk.Now()); err != nil {
		t.Fatal(err)
	}
	if got := viewers(time.Time{}); len(got) != 0 {
		t.Errorf("viewers after pruning = %v, want none", got)
	}
}

// measuresHeld is the real store, whose reads of one plan's KPI values
// wait, once the plan is set, until the test lets them go.
type measuresHeld struct {
	coach.Store
	plan    *atomic.Int64
	entered chan struct{}
	once    *sync.Once
	gate    chan struct{}
}

func (m measuresHeld) Measurements(ctx context.Context, team string, plan flows.PlanID) (map[int64][]flows.Measurement, error) {
	if int64(plan) == m.plan.Load() {
		m.once.Do(func() { close(m.entered) })
		<-m.gate
	}
	return m.Store.Measurements(ctx, team, plan)
}

// TestHomeOpenedWhilePlanDeletedElsewhere: Ana has two plans. She opens
// her Home tab on racebot A, and while A reads her plans, one of them is
// deleted through racebot B (which has not yet heard she looks at her
// tab: it read its list of viewers a moment before). Her tab is still
// published, with the plan left and without the deleted one; it is not
// left unpublished because one plan vanished halfway through the read.
func TestHomeOpenedWhilePlanDeletedElsewhere(t *testing.T) {
	t.Parallel()
	held := measuresHeld{plan: &atomic.Int64{}, entered: make(chan struct{}), once: &sync.Once{}, gate: make(chan struct{})}
	var release sync.Once
	h, _ := clockedHarness(t, time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC), func(c *setup) {
		held.Store = c.Store
		c.Store = held
	})
	t.Cleanup(func() { release.Do(func() { close(held.gate) }) })
	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.SlashCommand{Command: "/race", Text: "new Keep", UserID: "UANA", ChannelID: "C2"}))
	h.header("C2", "Keep")
	_, doomed := h.newPlanInSlack("Doomed")
	h.settle()

	other, _ := h.anotherRacebot()
	otherSrv := serve(t, other)
	// A change through B reads B's list of who looks at their tab: nobody
	// yet.
	h.slash(otherSrv, "C2", "skip")
	settle(t, other, h.fake)

	held.plan.Store(int64(doomed.ID))
	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.AppHomeOpened{User: "UANA"}))
	waitClosed(t, held.entered, "A's read of Ana's plans to reach the doomed one")

	resp, _ := h.post(otherSrv, slackfake.InteractionBody(slackfake.BlockAction{ActionID: actionDeleteConfirm, Value: strconv.FormatInt(int64(doomed.ID), 10), UserID: "UANA", ChannelID: "C1", ResponseURL: h.fake.ResponseURL()}), formType, h.bot.now())
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("the delete press answered %d", resp.StatusCode)
	}
	h.fake.WaitFor(t, func() bool {
		_, err := h.db.Plan(context.Background(), slackfake.TeamID, doomed.ID)
		return errors.Is(err, flows.ErrNoPlan)
	}, "the plan deleted")
	settle(t, other, h.fake)
	release.Do(func() { close(held.gate) })
	h.settle()

	v, ok := h.fake.HomeView("UANA")
	if !ok {
		t.Fatal("Ana opened her Home tab, and it was never published")
	}
	if text := homeText(t, v.JSON); !strings.Contains(text, "Keep") || strings.Contains(text, "Doomed") {
		t.Errorf("Ana's Home, want Keep without the deleted plan:\n%s", text)
	}
}

// TestHomePressOnADeletedPlanRepublishesTheTab: Ana's Home tab, published
// by racebot A, shows her action and her KPI awaiting a value in a plan
// that is then deleted through racebot B (which has not yet heard she
// looks at her tab). She presses Done, or Enter values, on it: the press
// cannot be answered in a message (a Home tab has none), so her tab is
// published again, without the plan, rather than the press doing nothing
// at all.
func TestHomePressOnADeletedPlanRepublishesTheTab(t *testing.T) {
	t.Parallel()
	for _, button := range []string{actionActionDone, actionOwnerValues} {
		t.Run(button, func(t *testing.T) {
			t.Parallel()
			h, clk := clockedHarness(t, time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC))
			_, p := h.newPlanInSlack("Doomed")
			p = h.setKPIs(p, flows.StageReach, "visitors | baseline 8k | target 20k | by 2027-03-31 | owner <@UANA>")
			p = h.sampleBags(p, clk.Now())
			checkin, _ := h.openCheckin(p)
			other, _ := h.anotherRacebot()
			otherSrv := serve(t, other)
			// A change through B reads B's list of who looks at their
			// tab: nobody yet.
			h.slash(otherSrv, "C2", "new Keep")
			settle(t, other, h.fake)

			h.fake.WaitAck(t, h.fake.SendEvent(slackfake.AppHomeOpened{User: "UANA"}))
			h.fake.WaitFor(t, func() bool { return h.homeShows("UANA", "Send sample bags") && h.homeShows("UANA", actionOwnerValues) }, "Ana's Home with her action and her KPI")
			h.settle()
			resp, _ := h.post(otherSrv, slackfake.InteractionBody(slackfake.BlockAction{ActionID: actionDeleteConfirm, Value: strconv.FormatInt(int64(p.ID), 10), UserID: "UANA", ChannelID: "C1", ResponseURL: h.fake.ResponseURL()}), formType, clk.Now())
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("the delete press answered %d", resp.StatusCode)
			}
			settle(t, other, h.fake)
			if !h.homeShows("UANA", "Send sample bags") {
				t.Fatal("B published Ana's tab after all; the test wants it left as A published it")
			}

			clk.Add(11 * time.Second)
			home, _ := h.fake.HomeView("UANA")
			value := actionValue(p.ID, p.Actions[0].ID)
			if button == actionOwnerValues {
				value = strconv.FormatInt(checkin, 10)
			}
			h.fake.WaitAck(t, h.fake.SendEvent(slackfake.BlockAction{ActionID: button, Value: value, UserID: "UANA", ViewID: home.ID}))
			h.settle()
			if h.homeShows("UANA", "Doomed") {
				v, _ := h.fake.HomeView("UANA")
				t.Errorf("Ana pressed a button of a deleted plan on her Home, which still shows the plan:\n%s", homeText(t, v.JSON))
			}
		})
	}
}
