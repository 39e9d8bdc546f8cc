package bot

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/racebot/racebot/flows"
	"github.com/racebot/racebot/internal/slackfake"
)

// say types text as Ana's reply in a thread and waits for the bot to post
// a new message there containing want.
func (h *harness) say(thread, text, want string) slackfake.Message {
	h.t.Helper()
	return h.sayAs("UANA", thread, text, want)
}

// sayAndWait types text as Ana's reply in a thread and waits for cond,
// then, as a person reads before replying, for the bot's answer in the
// thread and for any question in it to be recorded as asked.
func (h *harness) sayAndWait(thread, text string, cond func() bool) {
	h.t.Helper()
	before := map[string]bool{}
	for _, m := range h.fake.Messages("C1") {
		before[m.TS] = true
	}
	uploads := len(h.fake.Uploads())
	h.fake.WaitAck(h.t, h.fake.SendEvent(slackfake.MessageEvent{Channel: "C1", User: "UANA", Text: text, ThreadTS: thread}))
	h.fake.WaitFor(h.t, cond, "the effect of "+text)
	h.fake.WaitFor(h.t, func() bool {
		// A file is an answer too (report, export).
		answered := len(h.fake.Uploads()) > uploads
		for _, m := range h.fake.Messages("C1") {
			if before[m.TS] || m.ThreadTS != thread {
				continue
			}
			answered = true
			if asksSomething(m) && !h.asked.has(m.TS) {
				return false
			}
		}
		return answered
	}, "the bot's answer to "+text)
}

// TestEveryCommandWorksAsAThreadReply: typed exactly, every command takes
// effect in the plan's thread, on that plan, and says so there.
func TestEveryCommandWorksAsAThreadReply(t *testing.T) {
	t.Parallel()
	clk := &clock{now: time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)}
	h, _ := scheduledHarness(t, clk, func(c *setup) {
		c.Now = clk.Now
	})
	h.fake.AddUser(slackfake.User{ID: "UANA", TZ: "Europe/Berlin"})
	h.runSocket()
	_, other := h.newPlanInSlack("Other")
	header, p := h.newPlanInSlack("Q1")
	h.setKPIs(p, flows.StageReach, "visitors | baseline 8k | target 20k | by 2027-03-31 | owner Ana")
	th := header.TS
	q1 := func() *flows.Plan { return h.plan(slackfake.TeamID, "C1", "Q1") }
	cursor := func(c flows.Cursor) func() bool { return func() bool { return q1().Cursor == c } }

	h.say(th, "help", "show this list")
	h.say(th, "plans", "Plans in this channel")
	h.say(th, "status", "0/10 answered")
	h.say(th, "funnel", "revenue")

	h.say(th, "stage reach", "Where does your audience spend its time")
	h.say(th, "kpi", "Which numbers will tell you reach is working")
	h.sayAndWait(th, "edit plan 2", cursor(flows.Cursor{Stage: 0, Step: 1, Phase: flows.PhaseQuestion}))
	h.sayAndWait(th, "kpi reach", cursor(flows.Cursor{Stage: 1, Phase: flows.PhaseKPIs}))
	h.sayAndWait(th, "edit plan 2", cursor(flows.Cursor{Stage: 0, Step: 1, Phase: flows.PhaseQuestion}))
	h.sayAndWait(th, "skip", func() bool { return q1().Skipped[flows.QuestionValueProposition] })
	h.sayAndWait(th, "back", cursor(flows.Cursor{Stage: 0, Step: 1, Phase: flows.PhaseQuestion}))
	h.sayAndWait(th, "next", cursor(flows.Cursor{Stage: 0, Phase: flows.PhaseActions}))
	// Plan has no answers, so done leaves it open and moves on to Reach.
	h.sayAndWait(th, "done", cursor(flows.Cursor{Stage: 1, Step: 0, Phase: flows.PhaseQuestion}))
	h.say(th, "draft", "A head start for")

	h.sayAndWait(th, "values visitors 12.4k", func() bool {
		ms, err := h.db.Measurements(context.Background(), slackfake.TeamID, p.ID)
		return err == nil && len(ms) == 1
	})
	h.sayAndWait(th, "report", func() bool { return hasUpload(h.fake.Uploads(), th, ".png") })
	h.sayAndWait(th, "export", func() bool { return hasUpload(h.fake.Uploads(), th, "q1.md") })

	h.say(th, "checkin every monday 09:00", "Europe/Berlin")
	h.say(th, "schedule", "Mon 30 Nov")
	h.say(th, "pause", "paused")
	h.say(th, "resume", "running again")
	h.say(th, "review", "Review of Q1")
	h.sayAndWait(th, "privacy on", func() bool { return q1().Privacy })
	h.say(th, "continue", `Continuing "Q1"`)

	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.MessageEvent{Channel: "C1", User: "UANA", Text: "delete Other", ThreadTS: th}))
	h.fake.WaitFor(t, func() bool {
		return slices.ContainsFunc(h.fake.Ephemerals(), func(e slackfake.Ephemeral) bool {
			return e.User == "UANA" && e.ThreadTS == th && strings.Contains(e.Text, `Delete plan "Other"`)
		})
	}, "the delete confirmation, to Ana only")
	h.plan(slackfake.TeamID, "C1", "Other") // still there

	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.MessageEvent{Channel: "C1", User: "UANA", Text: "continue Other", ThreadTS: th}))
	h.threadMessage("C1", other.Thread, `Continuing "Other"`)
	if cur, _ := h.db.CurrentPlan(context.Background(), slackfake.TeamID, "C1"); cur != other.ID {
		t.Errorf("current plan = %d, want Other (%d)", cur, other.ID)
	}

	// None of it was taken for an answer.
	for id, a := range q1().Answers {
		if a.Text != "" {
			t.Errorf("answer %s = %q, want no answers", id, a.Text)
		}
	}
	if len(q1().Actions) != 0 {
		t.Errorf("actions = %+v, want none", q1().Actions)
	}
}

// TestSentencesStartingWithCommandWordsAreAnswersInThreads: in a thread a
// sentence that starts with a command word is an answer; `New …` is kept as
// the answer, with an offer that the author's yes takes.
func TestSentencesStartingWithCommandWordsAreAnswersInThreads(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.runSocket()
	header, _ := h.newPlanInSlack("Q1")
	th := header.TS
	h.say(th, "New clinic owners in the US, sold online.", "Start a new plan called")
	h.say(th, "Stage by stage onboarding is our value.", "question 3 of 10")
	h.say(th, "Privacy matters to our customers.", "question 4 of 10")
	p := h.plan(slackfake.TeamID, "C1", "Q1")
	for id, want := range map[string]string{
		flows.QuestionBusiness:         "New clinic owners in the US, sold online.",
		flows.QuestionValueProposition: "Stage by stage onboarding is our value.",
	} {
		if got := p.Answers[id]; got.Text != want || got.By != "UANA" {
			t.Errorf("answer %s = %+v, want %q by Ana", id, got, want)
		}
	}

	// Asked again with the next line: yes starts the plan in a thread of
	// its own and takes the answer back.
	h.say(th, "new Q2 Launch", "Start a new plan called")
	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.MessageEvent{Channel: "C1", User: "UANA", Text: "yes", ThreadTS: th}))
	q2 := h.header("C1", "Q2 Launch")
	h.threadMessage("C1", q2.TS, "What does the business sell")
	p = h.plan(slackfake.TeamID, "C1", "Q1")
	if got := p.Answers[flows.RACE().Stages[0].Steps()[3].ID].Text; got != "" {
		t.Errorf("the taken-back answer is still %q", got)
	}
}

func hasUpload(ups []slackfake.Upload, thread, suffix string) bool {
	return slices.ContainsFunc(ups, func(u slackfake.Upload) bool {
		return u.ThreadTS == thread && strings.HasSuffix(u.Filename, suffix)
	})
}

// TestActionDatesInTheWritersDay: at 17:00 on Monday in Los Angeles,
// already Tuesday in UTC, Ana adds an action due "tomorrow" in the plan's
// thread: it is due on her Tuesday, not on UTC's Wednesday. The same for
// "new landing page …", whose first word makes it look like the new
// command too: it is kept as an action, read as one.
func TestActionDatesInTheWritersDay(t *testing.T) {
	t.Parallel()
	for _, line := range []string{
		"Call the roaster - Ben - tomorrow - impact 3, effort 1",
		"new landing page - Ben - tomorrow - impact 3, effort 1",
	} {
		t.Run(line, func(t *testing.T) {
			h, _ := clockedHarness(t, time.Date(2026, 12, 1, 1, 0, 0, 0, time.UTC))
			h.fake.AddUser(slackfake.User{ID: "UANA", TZ: "America/Los_Angeles"})
			header, _ := h.newPlanInSlack("Q1")
			h.fake.WaitAck(t, h.fake.SendEvent(slackfake.MessageEvent{Channel: "C1", User: "UANA", Text: "done", ThreadTS: header.TS}))
			h.settle()
			h.fake.WaitAck(t, h.fake.SendEvent(slackfake.MessageEvent{Channel: "C1", User: "UANA", Text: line, ThreadTS: header.TS}))
			h.settle()
			p := h.plan(slackfake.TeamID, "C1", "Q1")
			if len(p.Actions) != 1 || p.Actions[0].Due.Format(time.DateOnly) != "2026-12-01" {
				t.Errorf("actions = %+v, want one due Tuesday 1 December", p.Actions)
			}
		})
	}
}

// TestZoneChangeReadsDatesInTheNewZone: at 17:00 on Monday in Los
// Angeles, Ana adds an action due "tomorrow": Tuesday. She flies to Tokyo,
// where it is Tuesday morning, and changes her Slack time zone; Slack
// tells racebot (user_change, delivered twice). Her next "tomorrow" is
// Tokyo's, Wednesday, without racebot restarting.
func TestZoneChangeReadsDatesInTheNewZone(t *testing.T) {
	t.Parallel()
	h, _ := clockedHarness(t, time.Date(2026, 12, 1, 1, 0, 0, 0, time.UTC))
	h.fake.AddUser(slackfake.User{ID: "UANA", TZ: "America/Los_Angeles"})
	header, _ := h.newPlanInSlack("Q1")
	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.MessageEvent{Channel: "C1", User: "UANA", Text: "done", ThreadTS: header.TS}))
	h.settle()
	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.MessageEvent{Channel: "C1", User: "UANA", Text: "Call the roaster - Ben - tomorrow - impact 3, effort 1", ThreadTS: header.TS}))
	h.settle()

	tokyo := slackfake.User{ID: "UANA", TZ: "Asia/Tokyo"}
	h.fake.AddUser(tokyo)
	change := h.fake.SendEvent(slackfake.UserChange(tokyo))
	h.fake.WaitAck(t, change)
	h.fake.WaitAck(t, h.fake.Redeliver(change))
	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.MessageEvent{Channel: "C1", User: "UANA", Text: "Brief the designer - Ben - tomorrow - impact 2, effort 1", ThreadTS: header.TS}))
	h.settle()
	var dues []string
	for _, a := range h.plan(slackfake.TeamID, "C1", "Q1").Actions {
		dues = append(dues, a.Due.Format(time.DateOnly))
	}
	if !slices.Equal(dues, []string{"2026-12-01", "2026-12-02"}) {
		t.Errorf("actions due %v, want Tuesday in Los Angeles, then Wednesday in Tokyo", dues)
	}
}

// TestProfileChangeKeepingTheZoneAsksNothing: Ana changes her status,
// not her zone; Slack tells racebot (user_change, as for every profile
// change of every member). Her next date is read in the zone racebot
// knows, without asking Slack for it again on her answer's way.
func TestProfileChangeKeepingTheZoneAsksNothing(t *testing.T) {
	t.Parallel()
	h, _ := clockedHarness(t, time.Date(2026, 12, 1, 1, 0, 0, 0, time.UTC))
	ana := slackfake.User{ID: "UANA", TZ: "America/Los_Angeles"}
	h.fake.AddUser(ana)
	header, _ := h.newPlanInSlack("Q1")
	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.MessageEvent{Channel: "C1", User: "UANA", Text: "done", ThreadTS: header.TS}))
	h.settle()
	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.MessageEvent{Channel: "C1", User: "UANA", Text: "Call the roaster - Ben - tomorrow - impact 3, effort 1", ThreadTS: header.TS}))
	h.settle()
	asked := len(h.fake.Calls("users.info"))

	ana.DisplayName = "Ana (on a call)"
	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.UserChange(ana)))
	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.MessageEvent{Channel: "C1", User: "UANA", Text: "Brief the designer - Ben - tomorrow - impact 2, effort 1", ThreadTS: header.TS}))
	h.settle()
	if n := len(h.fake.Calls("users.info")) - asked; n != 0 {
		t.Errorf("users.info asked %d times after a change that kept the zone, want 0", n)
	}
	if n := len(h.plan(slackfake.TeamID, "C1", "Q1").Actions); n != 2 {
		t.Errorf("%d actions, want 2", n)
	}
}

// TestZoneChangeMissedHealsInADay: as above, but racebot never hears of
// Ana's change (the event came while it was down). A day on, her zone is
// read again: "tomorrow" is Tokyo's.
func TestZoneChangeMissedHealsInADay(t *testing.T) {
	t.Parallel()
	h, clk := clockedHarness(t, time.Date(2026, 12, 1, 1, 0, 0, 0, time.UTC))
	h.fake.AddUser(slackfake.User{ID: "UANA", TZ: "America/Los_Angeles"})
	header, _ := h.newPlanInSlack("Q1")
	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.MessageEvent{Channel: "C1", User: "UANA", Text: "done", ThreadTS: header.TS}))
	h.settle()
	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.MessageEvent{Channel: "C1", User: "UANA", Text: "Call the roaster - Ben - tomorrow - impact 3, effort 1", ThreadTS: header.TS}))
	h.settle()

	h.fake.AddUser(slackfake.User{ID: "UANA", TZ: "Asia/Tokyo"})
	clk.Add(25 * time.Hour) // Tuesday 18:00 in Los Angeles, Wednesday 11:00 in Tokyo
	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.MessageEvent{Channel: "C1", User: "UANA", Text: "Brief the designer - Ben - tomorrow - impact 2, effort 1", ThreadTS: header.TS}))
	h.settle()
	var dues []string
	for _, a := range h.plan(slackfake.TeamID, "C1", "Q1").Actions {
		dues = append(dues, a.Due.Format(time.DateOnly))
	}
	if !slices.Equal(dues, []string{"2026-12-01", "2026-12-03"}) {
		t.Errorf("actions due %v, want Tuesday in Los Angeles, then Thursday in Tokyo", dues)
	}
}

// TestZoneLookupFailureNotAskedEveryReply: Slack refuses users.info
// (rate-limited). Ben's answers that name a date are recorded, read in
// racebot's zone, and his next ones do not ask Slack again before their
// acknowledgement, which each would otherwise wait on; a minute on,
// racebot asks again.
func TestZoneLookupFailureNotAskedEveryReply(t *testing.T) {
	t.Parallel()
	h, clk := clockedHarness(t, time.Date(2026, 12, 1, 1, 0, 0, 0, time.UTC))
	header, _ := h.newPlanInSlack("Q1")
	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.MessageEvent{Channel: "C1", User: "UANA", Text: "done", ThreadTS: header.TS}))
	h.settle()
	h.fake.RateLimitNext("users.info", 1000, 30*time.Second)
	before := len(h.fake.Calls("users.info"))
	for i, line := range []string{
		"Call the roaster - Cy - tomorrow - impact 3, effort 1",
		"Brief the designer - Cy - next friday - impact 2, effort 1",
		"Book the venue - Cy - in 2 weeks - impact 2, effort 2",
	} {
		h.fake.WaitAck(t, h.fake.SendEvent(slackfake.MessageEvent{Channel: "C1", User: "UBEN", Text: line, ThreadTS: header.TS}))
		h.settle()
		if i == 0 && len(h.fake.Calls("users.info")) == before {
			t.Fatal("the first answer with a date did not ask for Ben's zone")
		}
	}
	if p := h.plan(slackfake.TeamID, "C1", "Q1"); len(p.Actions) != 3 {
		t.Errorf("%d actions recorded, want 3", len(p.Actions))
	}
	asked := len(h.fake.Calls("users.info"))
	if n := asked - before; n != 1 {
		t.Errorf("users.info asked %d times for three answers, want once", n)
	}
	h.fake.RateLimitNext("users.info", 0, 0)
	clk.Add(2 * time.Minute)
	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.MessageEvent{Channel: "C1", User: "UBEN", Text: "Print flyers - Cy - tomorrow - impact 1, effort 1", ThreadTS: header.TS}))
	h.settle()
	if len(h.fake.Calls("users.info")) == asked {
		t.Error("users.info not asked again a minute after it failed")
	}
}

// TestAnswerWithADateWordAsksNoZone: at a question, Ben answers "We
// deliver within a day, Monday to Friday." The answer reads no date, so
// its acknowledgement does not wait on users.info; at the stage's actions,
// his "due tomorrow" does ask, once.
func TestAnswerWithADateWordAsksNoZone(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.runSocket()
	header, _ := h.newPlanInSlack("Q1")
	before := len(h.fake.Calls("users.info"))
	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.MessageEvent{Channel: "C1", User: "UBEN", Text: "We deliver within a day, Monday to Friday.", ThreadTS: header.TS}))
	h.threadMessage("C1", header.TS, "What is your value proposition")
	if n := len(h.fake.Calls("users.info")) - before; n != 0 {
		t.Errorf("users.info asked %d times for an answer to a question", n)
	}
	h.say(header.TS, "done", "· actions")
	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.MessageEvent{Channel: "C1", User: "UBEN", Text: "Call the roaster - Cy - tomorrow - impact 3, effort 1", ThreadTS: header.TS}))
	h.threadMessage("C1", header.TS, "Call the roaster")
	if n := len(h.fake.Calls("users.info")) - before; n != 1 {
		t.Errorf("users.info asked %d times by the time of an action due tomorrow, want once", n)
	}
}

// TestPrefixedCheckinInThreadInTheWritersZone: in the plan's thread,
// where Slack runs no slash command, Ana types "/race checkin every
// monday 09:00" as she would in the channel: the check-ins are at 09:00
// in her zone, Europe/Berlin, as with the slash command or the same line
// without "/race"; Ben's "/race schedule" shows them in his own time too.
func TestPrefixedCheckinInThreadInTheWritersZone(t *testing.T) {
	t.Parallel()
	clk := &clock{now: time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)}
	h, _ := scheduledHarness(t, clk, func(c *setup) { c.Now = clk.Now })
	h.fake.AddUser(slackfake.User{ID: "UANA", TZ: "Europe/Berlin"})
	h.fake.AddUser(slackfake.User{ID: "UBEN", TZ: "America/Los_Angeles"})
	h.runSocket()
	header, _ := h.newPlanInSlack("Q1")
	got := h.say(header.TS, "/race checkin every monday 09:00", "Check-ins for")
	if !strings.Contains(got.Text, "Europe/Berlin") {
		t.Errorf("reply = %q, want check-ins in Ana's zone, Europe/Berlin", got.Text)
	}
	// Ben, in Los Angeles, asks for the schedule the same way.
	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.MessageEvent{Channel: "C1", User: "UBEN", Text: "/race schedule", ThreadTS: header.TS}))
	h.fake.WaitMessage(t, "C1", func(m slackfake.Message) bool {
		return m.ThreadTS == header.TS && strings.Contains(m.Text, "09:00 CET (your time: Mon 00:00 PST)")
	}, "the schedule with Ben's own time beside the team's")
}
