package bot

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/racebot/racebot/flows"
	"github.com/racebot/racebot/internal/slackfake"
)

func TestKPIModal(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.runSocket()
	header, p := h.newPlanInSlack("Q1")
	a := h.fake.WaitAck(t, h.fake.SendEvent(slackfake.SlashCommand{Command: "/race", Text: "kpi reach", UserID: "UANA", ChannelID: "C1"}))
	if !strings.Contains(ackText(t, a.Payload), "continues in its thread") {
		t.Errorf("kpi ack = %s", a.Payload)
	}
	prompt := h.threadMessage("C1", header.TS, "Reach* · KPIs")
	if !strings.Contains(string(prompt.Blocks), actionKPIModal) {
		t.Fatalf("KPI prompt has no Set a KPI button: %s", prompt.Blocks)
	}
	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.BlockAction{ActionID: actionKPIModal, Value: planValue(p, "reach"), UserID: "UANA", ChannelID: "C1", MessageTS: prompt.TS}))
	h.fake.WaitCalls(t, "views.open", 1)
	view := h.fake.Views()[0]
	if view.CallbackID != callbackKPI || !strings.Contains(string(view.JSON), `"value":"visitors"`) {
		t.Fatalf("modal = %s", view.JSON)
	}
	form := func(target, owner string) map[string]map[string]slackfake.Input {
		return visitorsForm("8k", target, "2027-03-31", owner)
	}
	for _, bad := range []struct{ target, owner, field string }{
		{"5k", "UBEN", kpiBlockTarget},   // below the baseline
		{"20k", "", kpiBlockOwner},       // nobody reports it
		{"lots", "UBEN", kpiBlockTarget}, // not a number
	} {
		ack := h.fake.WaitAck(t, h.fake.SendEvent(slackfake.ViewSubmission{ViewID: view.ID, UserID: "UANA", Values: form(bad.target, bad.owner)}))
		var va viewAck
		if err := json.Unmarshal(ack.Payload, &va); err != nil || va.ResponseAction != "errors" || va.Errors[bad.field] == "" {
			t.Errorf("target %q owner %q: ack %s, want an error on %s", bad.target, bad.owner, ack.Payload, bad.field)
		}
	}
	if n := len(h.plan(slackfake.TeamID, "C1", "Q1").KPIs); n != 0 {
		t.Fatalf("refused forms saved %d KPIs", n)
	}
	ok := h.fake.WaitAck(t, h.fake.SendEvent(slackfake.ViewSubmission{ViewID: view.ID, UserID: "UANA", Values: form("20k", "UBEN")}))
	if len(ok.Payload) != 0 && string(ok.Payload) != "null" {
		t.Fatalf("ack = %s, want the modal to close", ok.Payload)
	}
	h.threadMessage("C1", header.TS, "KPI set: Unique visitors from 8,000 to 20k")
	kpis := h.plan(slackfake.TeamID, "C1", "Q1").KPIs
	if len(kpis) != 1 || kpis[0].Owner != "<@UBEN>" || kpis[0].Target.Amount != 20000 || kpis[0].Stage != flows.StageReach {
		t.Errorf("kpis = %+v", kpis)
	}
}

// TestKPIFormDeadlineIsTheWritersDay: at 17:00 on Monday 30 November in
// Los Angeles, already Tuesday in UTC, Ana sets a KPI due by today in the
// KPI form: it is set, not refused as past.
func TestKPIFormDeadlineIsTheWritersDay(t *testing.T) {
	t.Parallel()
	h, _ := clockedHarness(t, time.Date(2026, 12, 1, 1, 0, 0, 0, time.UTC))
	h.fake.AddUser(slackfake.User{ID: "UANA", TZ: "America/Los_Angeles"})
	_, p := h.newPlanInSlack("Q1")
	si, _ := h.bot.cat.Stage("reach")
	ack := h.fake.WaitAck(t, h.fake.SendEvent(slackfake.ViewSubmission{
		CallbackID: callbackKPI, PrivateMetadata: stageMeta(h.bot.cat, p, si), UserID: "UANA",
		Values: visitorsForm("8k", "9k", "2026-11-30", "UBEN"),
	}))
	if len(ack.Payload) != 0 && string(ack.Payload) != "null" {
		t.Fatalf("a deadline of Ana's today: ack %s, want the form to close", ack.Payload)
	}
	if kpis := h.plan(slackfake.TeamID, "C1", "Q1").KPIs; len(kpis) != 1 || kpis[0].Deadline.Format(time.DateOnly) != "2026-11-30" {
		t.Errorf("kpis = %+v, want visitors by Monday 30 November", kpis)
	}
}

// TestKPIFormBadBaselineIsShownUnderTheBaseline: Ana types "lots" as the
// baseline in the KPI form; the form stays open with the reason under the
// baseline, not under the target she typed correctly.
func TestKPIFormBadBaselineIsShownUnderTheBaseline(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.runSocket()
	_, p := h.newPlanInSlack("Q1")
	si, _ := h.bot.cat.Stage("reach")
	ack := h.fake.WaitAck(t, h.fake.SendEvent(slackfake.ViewSubmission{
		CallbackID: callbackKPI, PrivateMetadata: stageMeta(h.bot.cat, p, si), UserID: "UANA",
		Values: visitorsForm("lots", "20k", "2027-03-31", "UBEN"),
	}))
	var va viewAck
	if err := json.Unmarshal(ack.Payload, &va); err != nil || va.ResponseAction != "errors" {
		t.Fatalf("ack %s, want the form kept open with errors", ack.Payload)
	}
	if !strings.Contains(va.Errors[kpiBlockBaseline], `"lots" is not a number`) || va.Errors[kpiBlockTarget] != "" {
		t.Errorf("errors = %q, want the unreadable baseline under %s only", va.Errors, kpiBlockBaseline)
	}
	if n := len(h.plan(slackfake.TeamID, "C1", "Q1").KPIs); n != 0 {
		t.Errorf("a refused form saved %d KPIs", n)
	}
}

// TestKPIFormThatChangesNothingIsForItsSender: Ben submits the KPI form
// with the target Ana set a moment before. Nothing changes, so the thread
// is not told; Ben alone is, beside the thread.
func TestKPIFormThatChangesNothingIsForItsSender(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	header := h.sameTargetByAnaThenBen(func() {})
	h.threadMessage("C1", header.TS, "KPI set: Unique visitors from 8,000 to 20k")
	if e := h.waitEphemeral("UBEN", "already set; nothing changed"); e.ThreadTS != header.TS {
		t.Errorf("Ben was told beside %q, want the plan's thread %q", e.ThreadTS, header.TS)
	}
	h.settle()
	h.threadNotToldNothingChanged(header)
}

// sameTargetByAnaThenBen has Ana, then Ben, submit the KPI form of a new
// plan Q1's Reach stage with the same unique visitors target; before runs
// just before Ben's. Each form must close. The plan's header is returned.
func (h *harness) sameTargetByAnaThenBen(before func()) slackfake.Message {
	t := h.t
	t.Helper()
	h.runSocket()
	header, p := h.newPlanInSlack("Q1")
	si, _ := h.bot.cat.Stage("reach")
	for _, user := range []string{"UANA", "UBEN"} {
		if user == "UBEN" {
			before()
		}
		ack := h.fake.WaitAck(t, h.fake.SendEvent(slackfake.ViewSubmission{
			CallbackID: callbackKPI, PrivateMetadata: stageMeta(h.bot.cat, p, si), UserID: user,
			Values: visitorsForm("8k", "20k", "2027-03-31", "UBEN"),
		}))
		if len(ack.Payload) != 0 && string(ack.Payload) != "null" {
			t.Fatalf("%s's form: ack %s, want it closed", user, ack.Payload)
		}
	}
	return header
}

func (h *harness) threadNotToldNothingChanged(header slackfake.Message) {
	h.t.Helper()
	for _, m := range h.fake.Replies("C1", header.TS) {
		if strings.Contains(m.Text, "nothing changed") {
			h.t.Errorf("the thread was told a form changed nothing: %q", m.Text)
		}
	}
}

// TestKPIFormThatChangesNothingReachesASenderWhoLeft: Ben submits the KPI
// form with the target Ana set a moment before, after leaving the plan's
// channel. Slack will not show him a message beside its thread
// (user_not_in_channel), so he is told in a direct message instead of the
// form closing without a word; the thread is still not told. The
// message is headed with the channel and the plan it is about: a channel
// may have several plans.
func TestKPIFormThatChangesNothingReachesASenderWhoLeft(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	header := h.sameTargetByAnaThenBen(func() { h.fake.RefuseNext("chat.postEphemeral", 1, "user_not_in_channel") })
	h.fake.WaitFor(t, func() bool {
		for _, m := range h.dms("UBEN") {
			if strings.Contains(m.Text, "already set; nothing changed") {
				return true
			}
		}
		return false
	}, "a direct message to Ben that his form changed nothing")
	h.settle()
	if dms := h.dms("UBEN"); len(dms) != 1 {
		t.Errorf("%d direct messages to Ben, want 1", len(dms))
	} else if head := `In <#C1>, plan "Q1":`; !strings.HasPrefix(dms[0].Text, head) || !strings.Contains(string(dms[0].Blocks), `In \u003c#C1\u003e, plan \"Q1\":`) {
		t.Errorf("the direct message is not headed %q, the channel and the plan it is about: %q %s", head, dms[0].Text, dms[0].Blocks)
	}
	h.threadNotToldNothingChanged(header)
}

// visitorsForm is the KPI form filled in for unique visitors; an empty
// baseline leaves its field out, as Slack does for a field left blank.
func visitorsForm(baseline, target, deadline, owner string) map[string]map[string]slackfake.Input {
	form := map[string]map[string]slackfake.Input{
		kpiBlockKPI:      {answerActionID: {Type: "static_select", SelectedOption: "visitors"}},
		kpiBlockTarget:   {answerActionID: {Type: "plain_text_input", Value: target}},
		kpiBlockDeadline: {answerActionID: {Type: "datepicker", SelectedDate: deadline}},
		kpiBlockOwner:    {answerActionID: {Type: "users_select", SelectedUser: owner}},
	}
	if baseline != "" {
		form[kpiBlockBaseline] = map[string]slackfake.Input{answerActionID: {Type: "plain_text_input", Value: baseline}}
	}
	return form
}
