package bot

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/racebot/racebot/coach"
	"github.com/racebot/racebot/flows"
	"github.com/racebot/racebot/internal/slackfake"
)

// TestHomeDoneMarksTheActionDoneEverywhere: Home shows my action due with
// a Done button and the check-in waiting for my value; pressing Done marks
// it done for everyone: the tab is published again without it, the plan's
// thread says so, no reminder follows and the next check-in leaves it out.
// Someone else's press changes nothing.
func TestHomeDoneMarksTheActionDoneEverywhere(t *testing.T) {
	t.Parallel()
	h, clk := clockedHarness(t, time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC))
	header, p := h.newPlanInSlack("Q1")
	p = h.setKPIs(p, flows.StageReach, "visitors | baseline 8k | target 20k | by 2027-03-31 | owner <@UANA>")
	p = h.commitActions(p, flows.Action{Stage: flows.StageReach, Text: "Send sample bags", Owner: "<@UANA>", Due: time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC), Impact: 4, Effort: 1, By: "UANA", At: clk.Now()})
	action := p.Actions[0]
	h.openCheckin(p)

	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.AppHomeOpened{User: "UANA"}))
	h.fake.WaitCalls(t, "views.publish", 1)
	home, _ := h.fake.HomeView("UANA")
	for _, want := range []string{"Your actions due", "Send sample bags", actionActionDone, "Your KPIs awaiting a value", actionOwnerValues, "Unique visitors", "○ Reach 0/8"} {
		if !strings.Contains(string(home.JSON), want) {
			t.Errorf("Home lacks %q: %s", want, home.JSON)
		}
	}
	// The plan's score as of now, with the tip that raises it most.
	score := flows.ScorePlan(flows.RACE(), p, clk.Now())
	if score.Total == 0 || len(score.Tips) == 0 {
		t.Fatalf("the plan scores %+v; the test wants points and a tip", score)
	}
	scoreLine := fmt.Sprintf("Plan score: *%d/100* · to raise it: %s (+%d)", score.Total, mrkdwn(score.Tips[0].Msg), score.Tips[0].Gain)
	if !strings.Contains(homeText(t, home.JSON), scoreLine) {
		t.Errorf("Home lacks the score line %q: %s", scoreLine, home.JSON)
	}

	clk.Add(11 * time.Second)
	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.BlockAction{ActionID: actionActionDone, Value: actionValue(p.ID, action.ID), UserID: "UBEN", ViewID: home.ID}))
	h.settle()
	if n := len(h.fake.Calls("views.publish")); n != 1 {
		t.Errorf("Ben's press published Ana's Home again (%d publishes)", n)
	}
	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.BlockAction{ActionID: actionActionDone, Value: actionValue(p.ID, action.ID), UserID: "UANA", ViewID: home.ID}))
	h.threadMessage("C1", header.TS, `<@UANA> marked "Send sample bags" done.`)
	h.fake.WaitFor(t, func() bool {
		v, _ := h.fake.HomeView("UANA")
		return v.Updates == 1 && !strings.Contains(string(v.JSON), "Send sample bags")
	}, "Home published again without the action")

	p = h.plan(slackfake.TeamID, "C1", "Q1")
	if open := coach.OpenActions(p); len(open) != 0 || p.Actions[0].Status != flows.ActionDone || p.Actions[0].StatusBy != "UANA" {
		t.Errorf("open actions = %+v, status %+v", open, p.Actions[0])
	}
	// Overdue from 09:00 on 2 December.
	clk.Add(50 * time.Hour)
	h.bot.remindTick(context.Background())
	for _, m := range h.dms("UANA") {
		if strings.Contains(m.Text, "Send sample bags") {
			t.Errorf("a reminder about a done action: %s", m.Text)
		}
	}
	_, next := h.openCheckin(p)
	if strings.Contains(next.Text, "Send sample bags") {
		t.Errorf("the next check-in asks about a done action:\n%s", next.Text)
	}
}

// TestHomeIsPublishedAtMostOncePerInterval: changes in quick succession
// make one publish at once and one more at the end of the interval, which
// shows the latest state; none after shutdown.
func TestHomeIsPublishedAtMostOncePerInterval(t *testing.T) {
	t.Parallel()
	clk := &clock{now: t0}
	var (
		mu        sync.Mutex
		published []string
		wg        sync.WaitGroup
		timers    []func()
		waits     []time.Duration
	)
	h := newHomes(10*time.Second, clk.Now, func(team, user string) {
		mu.Lock()
		defer mu.Unlock()
		published = append(published, user)
	}, func(fn func()) { wg.Go(fn) })
	h.after = func(d time.Duration, fn func()) func() bool {
		timers, waits = append(timers, fn), append(waits, d)
		return func() bool { return true }
	}
	count := func() int {
		wg.Wait()
		mu.Lock()
		defer mu.Unlock()
		return len(published)
	}
	h.refresh("T1", "UANA")
	if n := count(); n != 1 {
		t.Fatalf("%d publishes after the first change, want 1", n)
	}
	for range 5 {
		clk.Add(time.Second)
		h.refresh("T1", "UANA")
	}
	if n := count(); n != 1 || len(timers) != 1 || waits[0] != 9*time.Second {
		t.Errorf("%d publishes within the interval and %d waiting (%v), want 1 and one waiting 9s", n, len(timers), waits)
	}
	// Another person is not held up by Ana's interval.
	h.refresh("T1", "UBEN")
	if n := count(); n != 2 {
		t.Errorf("%d publishes after Ben's first change, want 2", n)
	}
	clk.Add(9 * time.Second)
	timers[0]()
	if n := count(); n != 3 {
		t.Fatalf("%d publishes, want the waiting one too", n)
	}
	// Right after it, the next change waits a whole interval again.
	h.refresh("T1", "UANA")
	if n := count(); n != 3 || len(timers) != 2 || waits[1] != 10*time.Second {
		t.Errorf("%d publishes and waits %v after the waiting one ran", n, waits)
	}
	h.close()
	timers[1]()
	h.refresh("T1", "UBEN")
	if n := count(); n != 3 {
		t.Errorf("%d publishes after close, want 3", n)
	}
}

func TestWithoutMentionOf(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"<@UBOT> status":             "status",
		"hey <@UBOT|racebot> status": "status",
		"status <@UBOT>":             "status",
		"values visitors 12k":        "values visitors 12k",
		"<@UBOT> ask <@UANA> first":  "ask <@UANA> first",
		"<@UBOT> <@UBOT> review":     "review",
	} {
		if got := withoutMentionOf(in, "UBOT"); got != want {
			t.Errorf("withoutMentionOf(%q) = %q, want %q", in, got, want)
		}
	}
}

// homeText is the text of a published Home tab's sections, one a line,
// as people read it (the JSON escapes < > & and the like).
func homeText(t *testing.T, view []byte) string {
	t.Helper()
	var v struct {
		Blocks []struct {
			Text *struct{ Text string } `json:"text"`
		} `json:"blocks"`
	}
	if err := json.Unmarshal(view, &v); err != nil {
		t.Fatalf("home view: %v", err)
	}
	var b strings.Builder
	for _, bl := range v.Blocks {
		if bl.Text != nil {
			b.WriteString(bl.Text.Text + "\n")
		}
	}
	return b.String()
}

// TestHomeOverdueByTheReadersDay: an action due Tuesday 1 December is due
// today for its owner in Los Angeles all of her Tuesday, though UTC has
// reached Wednesday; her Home says "due", not "overdue", until her own
// Wednesday.
func TestHomeOverdueByTheReadersDay(t *testing.T) {
	t.Parallel()
	h, clk := clockedHarness(t, time.Date(2026, 12, 2, 1, 0, 0, 0, time.UTC)) // Tue 1 Dec, 17:00 in Los Angeles
	h.fake.AddUser(slackfake.User{ID: "UANA", TZ: "America/Los_Angeles"})
	_, p := h.newPlanInSlack("Q1")
	h.commitActions(p, flows.Action{Stage: flows.StageReach, Text: "Send sample bags", Owner: "<@UANA>", Due: time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC), Impact: 4, Effort: 1, By: "UANA", At: clk.Now()})

	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.AppHomeOpened{User: "UANA"}))
	h.fake.WaitCalls(t, "views.publish", 1)
	home, _ := h.fake.HomeView("UANA")
	if text := homeText(t, home.JSON); !strings.Contains(text, "*Send sample bags* — due Tue 1 Dec") {
		t.Errorf("on her Tuesday evening, Ana's Home says:\n%s", text)
	}

	clk.Add(8 * time.Hour) // Wednesday 01:00 in Los Angeles
	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.AppHomeOpened{User: "UANA"}))
	h.fake.WaitCalls(t, "views.publish", 2)
	home, _ = h.fake.HomeView("UANA")
	if text := homeText(t, home.JSON); !strings.Contains(text, "overdue since Tue 1 Dec") {
		t.Errorf("on her Wednesday, Ana's Home says:\n%s", text)
	}
}

// TestHomeOpeningsRecordedAtMostHourly: a person's opening of their tab is
// recorded once an hour at most, and what racebot remembers of those
// records does not grow with everyone who ever opened a tab.
func TestHomeOpeningsRecordedAtMostHourly(t *testing.T) {
	t.Parallel()
	h := newHomes(10*time.Second, func() time.Time { return t0 }, func(team, user string) {}, func(fn func()) {})
	for _, c := range []struct {
		at   time.Duration
		want bool
	}{{0, true}, {30 * time.Minute, false}, {homeSeenEvery - time.Second, false}, {homeSeenEvery, true}} {
		if got := h.recordDue("T1", "UANA", t0.Add(c.at)); got != c.want {
			t.Errorf("opening at +%v recorded: %t, want %t", c.at, got, c.want)
		}
	}
	for i := range 2000 {
		h.recordDue("T1", fmt.Sprintf("U%d", i), t0)
	}
	for i := range 100 {
		h.recordDue("T1", fmt.Sprintf("V%d", i), t0.Add(2*homeSeenEvery))
	}
	if n := len(h.recorded); n > 100 {
		t.Errorf("%d records kept two hours on, want at most the 100 of the last hour", n)
	}
}

// TestHomeViewersReadAgainOnlyWhenStale: the people looking at their tabs
// are read from the store at most once per viewersFresh, since every answer
// changes a plan, and by one change at a time; someone who opens their tab
// here joins the list at once, and a read that began before a later one
// finished does not replace it.
func TestHomeViewersReadAgainOnlyWhenStale(t *testing.T) {
	t.Parallel()
	h := newHomes(10*time.Second, func() time.Time { return t0 }, func(team, user string) {}, func(fn func()) {})
	if _, ok := h.cachedViewers("T1", t0); ok {
		t.Fatal("a list never read counts as known")
	}
	h.cacheViewers("T1", nil, t0)
	h.sawHere("T1", "UANA")
	if got, ok := h.cachedViewers("T1", t0.Add(viewersFresh-time.Millisecond)); !ok || !slices.Equal(got, []string{"UANA"}) {
		t.Errorf("just before it is stale the list is %v (known %t), want Ana, who opened her tab here", got, ok)
	}
	if _, ok := h.cachedViewers("T1", t0.Add(viewersFresh)); ok {
		t.Error("a list read viewersFresh ago is still used")
	}
	// That caller reads the list; meanwhile others use the stale one
	// rather than each reading it too.
	if got, ok := h.cachedViewers("T1", t0.Add(viewersFresh+time.Millisecond)); !ok || !slices.Equal(got, []string{"UANA"}) {
		t.Errorf("while the list is read again, another change gets %v (known %t), want the stale [UANA]", got, ok)
	}
	h.viewersUnread("T1")
	if _, ok := h.cachedViewers("T1", t0.Add(viewersFresh+2*time.Millisecond)); ok {
		t.Error("after a failed read the stale list is still used, want it read again")
	}
	if _, ok := h.cachedViewers("T2", t0); ok {
		t.Error("another workspace's list counts as known")
	}
	h.cacheViewers("T1", []string{"UBEN"}, t0.Add(time.Second))
	h.cacheViewers("T1", []string{"UOLD"}, t0.Add(time.Millisecond))
	if got, _ := h.cachedViewers("T1", t0.Add(time.Second)); !slices.Equal(got, []string{"UBEN"}) {
		t.Errorf("after a late older read the list is %v, want the later read's [UBEN]", got)
	}
}

// TestHomeViewersNeverReadAreNotTakenAsNone: right after a start, two
// changes come at once in a workspace whose list of people looking at
// their tabs was never read. The second must not take the list for an
// empty one while the first reads it: that read publishes only the tabs
// its own plan concerns, and those the second change concerns would go
// unpublished.
func TestHomeViewersNeverReadAreNotTakenAsNone(t *testing.T) {
	t.Parallel()
	h := newHomes(10*time.Second, func() time.Time { return t0 }, func(team, user string) {}, func(fn func()) {})
	if _, ok := h.cachedViewers("T1", t0); ok {
		t.Fatal("a list never read counts as known")
	}
	if got, ok := h.cachedViewers("T1", t0.Add(time.Millisecond)); ok {
		t.Errorf("while the first read of the list goes on, another change gets %v as known, want it to read the list too", got)
	}
	h.sawHere("T1", "UANA")
	if got, ok := h.cachedViewers("T1", t0.Add(2*time.Millisecond)); ok {
		t.Errorf("a list never read, with one person who opened their tab here, is known as %v, want it read", got)
	}
}
