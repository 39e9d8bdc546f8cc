package bot

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/racebot/racebot/flows"
	"github.com/racebot/racebot/internal/slackfake"
)

// TestReminderWaitsForTheOwnersZone: a KPI owner in Los Angeles is
// reminded at 09:00 of their own day; when Slack fails to say their time
// zone at 09:00 UTC (users.info answering 500), the reminder is not sent
// then, at one in the morning their time with the close time given in UTC
// as "your time", and claimed for good: it waits until the zone is known.
func TestReminderWaitsForTheOwnersZone(t *testing.T) {
	t.Parallel()
	clk := &clock{now: time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC)}
	h := newHarness(t, func(c *setup) {
		c.Now = clk.Now
		c.CheckinPoll = time.Hour
		c.RetryWait = func(ctx context.Context, _ time.Duration) bool { return ctx.Err() == nil }
	})
	h.fake.AddUser(slackfake.User{ID: "ULA", TZ: "America/Los_Angeles"})
	h.runSocket()
	_, p := h.newPlanInSlack("Q1")
	p = h.setKPIs(p, flows.StageReach, "visitors | baseline 8k | target 20k | by 2027-03-31 | owner <@ULA>")
	// Closes Thursday 3 December 08:00 UTC: 00:00 in Los Angeles, so the
	// reminder is due Wednesday 09:00 there, 17:00 UTC.
	h.openCheckin(p)

	h.fake.FailNext("users.info", 1000, 500)
	clk.now = time.Date(2026, 12, 2, 9, 0, 0, 0, time.UTC) // 01:00 in Los Angeles
	h.bot.remindTick(context.Background())
	if dms := h.dms("ULA"); len(dms) != 0 {
		t.Errorf("reminded at 01:00 in Los Angeles while the zone could not be read: %s", dms[0].Text)
	}

	h.fake.FailNext("users.info", 0, 0)
	clk.now = time.Date(2026, 12, 2, 17, 0, 0, 0, time.UTC) // 09:00 in Los Angeles
	h.bot.remindTick(context.Background())
	dms := h.dms("ULA")
	if len(dms) != 1 {
		t.Fatalf("%d reminders at 09:00 in Los Angeles, want 1", len(dms))
	}
	if want := "closes tomorrow at 00:00 (Thu 3 Dec, your time)"; !strings.Contains(dms[0].Text, want) {
		t.Errorf("reminder %q lacks %q", dms[0].Text, want)
	}
}

// TestReminderNotSentForAnActionDoneMeanwhile: reminders go out one at a
// time, each after a Slack call or two; an action its owner marks done
// while the reminders before theirs are on the way is not reminded of
// ("is due tomorrow … Finished? Press Done").
func TestReminderNotSentForAnActionDoneMeanwhile(t *testing.T) {
	t.Parallel()
	h, clk := clockedHarness(t, time.Date(2026, 12, 1, 6, 0, 0, 0, time.UTC))
	_, p := h.newPlanInSlack("Q1")
	due := time.Date(2026, 12, 2, 0, 0, 0, 0, time.UTC)
	p = h.commitActions(p,
		flows.Action{Stage: flows.StageReach, Text: "Write the brief", Owner: "<@UBEN>", Due: due, Impact: 4, Effort: 1, By: "UANA", At: clk.Now()},
		flows.Action{Stage: flows.StageReach, Text: "Send sample bags", Owner: "<@UBER>", Due: due, Impact: 4, Effort: 1, By: "UANA", At: clk.Now()})
	clk.Add(3 * time.Hour) // 09:00 UTC the day before both are due

	// Slack is slow to open Ben's direct message; meanwhile Bert marks his
	// action done.
	release := h.fake.Hold("conversations.open")
	done := make(chan struct{})
	go func() {
		defer close(done)
		h.bot.remindTick(context.Background())
	}()
	h.fake.WaitFor(t, func() bool { return h.fake.InFlight("conversations.open") == 1 }, "the first reminder on its way")
	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.BlockAction{ActionID: actionActionDone, Value: actionValue(p.ID, p.Actions[1].ID), UserID: "UBER", ChannelID: "C1", ResponseURL: h.fake.ResponseURL()}))
	if p = h.plan(slackfake.TeamID, "C1", "Q1"); p.Actions[1].Status != flows.ActionDone {
		t.Fatalf("the action is %q, want done", p.Actions[1].Status)
	}
	release()
	<-done
	if n := len(h.dms("UBEN")); n != 1 {
		t.Errorf("Ben got %d reminders, want 1", n)
	}
	for _, m := range h.dms("UBER") {
		t.Errorf("Bert was reminded of the action he marked done: %s", m.Text)
	}
}

// TestHomeSlowPublishDoesNotOverwriteANewerOne: Ana's Home is published as
// she opens it, but Slack rate-limits that publish and it waits out the
// Retry-After; meanwhile she marks her action done and the tab is
// published again without it. The first publish, of the tab as it was,
// must not land on top and bring the done action back.
func TestHomeSlowPublishDoesNotOverwriteANewerOne(t *testing.T) {
	t.Parallel()
	h, clk, waiting, resume := heldRetries(t)
	header, p := h.newPlanInSlack("Q1")
	p = h.commitActions(p, flows.Action{Stage: flows.StageReach, Text: "Send sample bags", Owner: "<@UANA>", Due: time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC), Impact: 4, Effort: 1, By: "UANA", At: clk.Now()})

	h.fake.RateLimitNext("views.publish", 1, time.Second)
	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.AppHomeOpened{User: "UANA"}))
	<-waiting // the first publish waits out its Retry-After

	clk.Add(11 * time.Second)
	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.BlockAction{ActionID: actionActionDone, Value: actionValue(p.ID, p.Actions[0].ID), UserID: "UANA", ChannelID: "C1", ResponseURL: h.fake.ResponseURL()}))
	h.threadMessage("C1", header.TS, `<@UANA> marked "Send sample bags" done.`)
	// Give the publish after the change time to go out (it must not wait
	// for the slow one to land on top of it).
	deadline := time.Now().Add(2 * time.Second)
	for time.Now().Before(deadline) {
		if v, ok := h.fake.HomeView("UANA"); ok && !strings.Contains(string(v.JSON), "Send sample bags") {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	close(resume)
	h.settle()
	h.fake.WaitFor(t, func() bool {
		v, ok := h.fake.HomeView("UANA")
		return ok && !strings.Contains(string(v.JSON), "Send sample bags")
	}, "Ana's Home, last published, without the done action")
}

// TestHomeOfAnOwnerReplacedIsPublishedAgain: Zoe owns a KPI, and her Home
// shows its check-in waiting for her value; when Ana gives the KPI to Ben,
// Zoe's tab is published again without it (and without the plan, which
// she has no part in any more), not left offering a form she can no
// longer open.
func TestHomeOfAnOwnerReplacedIsPublishedAgain(t *testing.T) {
	t.Parallel()
	h, clk := clockedHarness(t, time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC))
	_, p := h.newPlanInSlack("Q1")
	p = h.setKPIs(p, flows.StageReach, "visitors | baseline 8k | target 20k | by 2027-03-31 | owner <@UZOE>")
	h.openCheckin(p)
	h.settle()

	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.AppHomeOpened{User: "UZOE"}))
	h.fake.WaitFor(t, func() bool {
		v, ok := h.fake.HomeView("UZOE")
		return ok && strings.Contains(string(v.JSON), "Your KPIs awaiting a value")
	}, "Zoe's Home with her KPI awaiting a value")

	clk.Add(11 * time.Second)
	cat := flows.RACE()
	reach, _ := cat.Stage("reach")
	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.ViewSubmission{CallbackID: callbackKPI, PrivateMetadata: stageMeta(cat, p, reach), UserID: "UANA", Values: visitorsForm("8k", "20k", "2027-03-31", "UBEN")}))
	h.fake.WaitFor(t, func() bool {
		p := h.plan(slackfake.TeamID, "C1", "Q1")
		return len(p.KPIs) == 1 && p.KPIs[0].Owner == "<@UBEN>"
	}, "the KPI given to Ben")
	h.settle()
	h.fake.WaitFor(t, func() bool {
		v, _ := h.fake.HomeView("UZOE")
		return v.Updates >= 1 && !strings.Contains(string(v.JSON), "Your KPIs awaiting a value")
	}, "Zoe's Home published again without the KPI she no longer owns")
}

// TestOAuthActionReminderReachesItsOwner: racebot installed through "Add
// to Slack" (no token of its own) reminds an action's owner of it the
// day before it is due. The owner's time zone is read with the token of
// the owner's workspace; without one, the lookup fails every time and the
// reminder would wait for a zone that is never read.
func TestOAuthActionReminderReachesItsOwner(t *testing.T) {
	t.Parallel()
	e, errs, id, _ := launchInTA(t)
	ctx := context.Background()
	e.fake.AddUser(slackfake.User{ID: "UTA", TZ: "UTC"})
	y, m, d := e.clk.Now().AddDate(0, 0, 3).Date()
	due := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	a := flows.Action{Stage: flows.StageReach, Text: "Send sample bags", Owner: "<@UTA>", Due: due, Impact: 4, Effort: 1, By: "UTA", At: e.clk.Now()}
	for {
		p, err := e.db.Plan(ctx, "TA", id)
		if err != nil {
			t.Fatal(err)
		}
		err = e.db.Commit(ctx, p, []flows.Change{flows.ActionAdded{Action: a}}, "")
		if err == nil {
			break
		}
		if !errors.Is(err, flows.ErrConflict) {
			t.Fatal(err)
		}
	}
	e.settle()
	e.clk.mu.Lock()
	e.clk.now = due.Add(-14 * time.Hour) // 10:00 the day before
	e.clk.mu.Unlock()
	e.bot.remindTick(ctx)
	if dms := e.fake.Messages(e.fake.DMChannel("UTA")); len(dms) != 1 {
		t.Errorf("%d reminders the day before the action is due, want 1 (users.info calls: %d)", len(dms), len(e.fake.Calls("users.info")))
	}
	if lines := errs.all(); len(lines) > 0 {
		t.Errorf("errors logged:\n%s", strings.Join(lines, "\n"))
	}
}

// TestHomeOfAnOwnerReplacedWhilePublishingIsPublishedAgain: Ana gives
// Zoe a KPI, and Zoe's Home goes out with the plan on it, but Slack holds
// that publish; meanwhile Ana gives the KPI to Ben. The publish that was
// out read the plan before that change, so Zoe's tab is published again
// once it lands, without the plan she has no part in any more.
func TestHomeOfAnOwnerReplacedWhilePublishingIsPublishedAgain(t *testing.T) {
	t.Parallel()
	h, clk := clockedHarness(t, time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC))
	h.newPlanInSlack("Spring Roast")
	h.settle()
	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.AppHomeOpened{User: "UZOE"}))
	h.fake.WaitFor(t, func() bool { _, ok := h.fake.HomeView("UZOE"); return ok }, "Zoe's Home")
	if v, _ := h.fake.HomeView("UZOE"); strings.Contains(string(v.JSON), "Spring Roast") {
		t.Fatalf("Zoe's Home shows a plan she has no part in: %s", v.JSON)
	}

	cat := flows.RACE()
	reach, _ := cat.Stage("reach")
	giveTo := func(owner string) {
		t.Helper()
		p := h.plan(slackfake.TeamID, "C1", "Spring Roast")
		h.fake.WaitAck(t, h.fake.SendEvent(slackfake.ViewSubmission{CallbackID: callbackKPI, PrivateMetadata: stageMeta(cat, p, reach), UserID: "UANA", Values: visitorsForm("8k", "20k", "2027-03-31", owner)}))
		h.fake.WaitFor(t, func() bool {
			p := h.plan(slackfake.TeamID, "C1", "Spring Roast")
			return len(p.KPIs) == 1 && p.KPIs[0].Owner == "<@"+owner+">"
		}, "the KPI given to "+owner)
	}

	clk.Add(11 * time.Second)
	release := h.fake.Hold("views.publish")
	defer release()
	giveTo("UZOE")
	h.fake.WaitFor(t, func() bool { return h.fake.InFlight("views.publish") == 1 }, "Zoe's Home on its way, with the plan")
	giveTo("UBEN")
	h.fake.WaitFor(t, func() bool {
		for _, m := range h.fake.Messages("C1") {
			if strings.Contains(m.Text, "owner <@UBEN>") {
				return true
			}
		}
		return false
	}, "the change said in the thread")
	// The change reaches the Home tabs in the background (planChanged);
	// let it, while Zoe's publish is still held.
	time.Sleep(200 * time.Millisecond)
	clk.Add(11 * time.Second)
	release()
	h.settle()
	if v, _ := h.fake.HomeView("UZOE"); v.Updates < 1 {
		t.Fatalf("the held publish of Zoe's Home did not land")
	}
	h.fake.WaitFor(t, func() bool {
		v, _ := h.fake.HomeView("UZOE")
		return !strings.Contains(string(v.JSON), "Spring Roast")
	}, "Zoe's Home published again without the plan whose KPI went to Ben")
}

// TestHomeFromTwoRacebotsShowsTheLatest: two racebots on one database both
// keep Ana's Home. One publishes it again as it stands, but Slack
// rate-limits that publish; meanwhile Ana marks her action done through
// the other racebot, which publishes the tab without it. The slow publish,
// read before the change, must not land last and bring the done action
// back.
func TestHomeFromTwoRacebotsShowsTheLatest(t *testing.T) {
	t.Parallel()
	h, clk, waiting, resume := heldRetries(t)
	header, p := h.newPlanInSlack("Q1")
	p = h.commitActions(p, flows.Action{Stage: flows.StageReach, Text: "Send sample bags", Owner: "<@UANA>", Due: time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC), Impact: 4, Effort: 1, By: "UANA", At: clk.Now()})
	other, _ := h.anotherRacebot()
	otherSrv := httptest.NewServer(other.HTTPHandler(secret))
	t.Cleanup(otherSrv.Close)

	// Ana opens her Home twice, and each racebot hears of it once.
	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.AppHomeOpened{User: "UANA"}))
	h.fake.WaitCalls(t, "views.publish", 1)
	if code := h.deliver(otherSrv, slackfake.EventBody(slackfake.AppHomeOpened{User: "UANA"})); code != http.StatusOK {
		t.Fatalf("app_home_opened answered %d", code)
	}
	h.fake.WaitCalls(t, "views.publish", 2)

	clk.Add(11 * time.Second)
	h.fake.RateLimitNext("views.publish", 1, time.Second)
	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.AppHomeOpened{User: "UANA"}))
	<-waiting // this racebot's publish, of the action still open, waits out its Retry-After

	resp, _ := h.post(otherSrv, slackfake.InteractionBody(slackfake.BlockAction{ActionID: actionActionDone, Value: actionValue(p.ID, p.Actions[0].ID), UserID: "UANA", ChannelID: "C1", ResponseURL: h.fake.ResponseURL()}), formType, clk.Now())
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("the Done press answered %d", resp.StatusCode)
	}
	h.threadMessage("C1", header.TS, `<@UANA> marked "Send sample bags" done.`)
	h.fake.WaitFor(t, func() bool {
		v, ok := h.fake.HomeView("UANA")
		return ok && !strings.Contains(string(v.JSON), "Send sample bags")
	}, "the other racebot's publish without the done action")
	close(resume)
	h.settle()
	settle(t, other, h.fake)
	if v, _ := h.fake.HomeView("UANA"); strings.Contains(string(v.JSON), "Send sample bags") {
		t.Errorf("Ana's Home, last published, shows the done action again:\n%s", homeText(t, v.JSON))
	}
}

// heldRetries is a running harness on a clock of the test's at 08:00 on
// 30 November, whose Slack client, before each retry, sends on waiting
// and waits for resume (or its context): a publish rate-limited by the
// fake is held there until the test lets it go.
func heldRetries(t *testing.T) (h *harness, clk *clock, waiting, resume chan struct{}) {
	t.Helper()
	clk = &clock{now: time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC)}
	waiting, resume = make(chan struct{}, 1), make(chan struct{})
	h = newHarness(t, func(c *setup) {
		c.Now = clk.Now
		c.CheckinPoll = time.Hour
		c.RetryWait = func(ctx context.Context, d time.Duration) bool {
			waiting <- struct{}{}
			select {
			case <-resume:
				return true
			case <-ctx.Done():
				return false
			}
		}
	})
	h.runSocket()
	return h, clk, waiting, resume
}
