package bot

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/racebot/racebot/flows"
	"github.com/racebot/racebot/internal/slackfake"
)

// TestOtherWorkspacesCannotReachAPlan: thread replies, buttons and forms
// from another workspace that carry this workspace's thread, plan id or
// check-in id change nothing, open nothing and post nothing. (Slash
// commands are covered by TestWorkspacesAreIsolated.)
func TestOtherWorkspacesCannotReachAPlan(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.runSocket()
	header, p := h.newPlanInSlack("Secret")
	p = h.setKPIs(p, flows.StageReach, "visitors | baseline 8k | target 20k | by 2027-03-31 | owner <@UANA>")
	checkin, opening := h.openCheckin(p)
	h.settle()
	before := h.plan(slackfake.TeamID, "C1", "Secret")
	posts := h.posts()
	cat := flows.RACE()
	reach, _ := cat.Stage("reach")
	plan := strconv.FormatInt(int64(p.ID), 10)
	eve := func(m slackfake.MessageEvent) slackfake.MessageEvent {
		m.TeamID, m.User, m.Channel = "T2", "UEVE", "C1"
		return m
	}
	press := func(action, value string) slackfake.BlockAction {
		return slackfake.BlockAction{ActionID: action, Value: value, UserID: "UEVE", TeamID: "T2", ChannelID: "C1", MessageTS: header.TS}
	}
	submit := func(callback, meta string, values map[string]map[string]slackfake.Input) slackfake.ViewSubmission {
		return slackfake.ViewSubmission{CallbackID: callback, PrivateMetadata: meta, UserID: "UEVE", TeamID: "T2", Values: values}
	}
	text := func(v string) slackfake.Input { return slackfake.Input{Type: "plain_text_input", Value: v} }

	for _, payload := range []slackfake.Payload{
		eve(slackfake.MessageEvent{Text: "hijacked answer", ThreadTS: header.TS}),
		eve(slackfake.MessageEvent{Text: "/race stage reach", ThreadTS: header.TS}),
		eve(slackfake.MessageEvent{Text: "status", ThreadTS: header.TS}),
		eve(slackfake.MessageEvent{Text: "visitors 99k", ThreadTS: opening.TS}),
		press(actionSkip, planValue(p, flows.QuestionBusiness)),
		press(actionDraft, planValue(p, flows.QuestionBusiness)),
		press(actionDraftUse, planValue(p, flows.QuestionBusiness+"|hijacked draft")),
		press(actionEditStage, planValue(p, "plan")),
		press(actionKPIModal, planValue(p, "reach")),
		press(actionEnterValues, strconv.FormatInt(checkin, 10)),
		press(actionDeleteConfirm, plan),
		submit(callbackEditAnswers, stageMeta(cat, p, 0), map[string]map[string]slackfake.Input{
			inputBlockID(flows.QuestionBusiness): {answerActionID: text("hijacked edit")},
		}),
		submit(callbackKPI, stageMeta(cat, p, reach), visitorsForm("", "1", "2027-03-31", "UEVE")),
		submit(callbackValues, valuesMeta(flows.Checkin{ID: checkin, Channel: "C1"}, nil), map[string]map[string]slackfake.Input{
			"kpi:visitors": {valueActionID: text("99k")},
		}),
	} {
		h.fake.WaitAck(t, h.fake.SendEvent(payload))
	}
	h.settle()

	after := h.plan(slackfake.TeamID, "C1", "Secret")
	if diff := cmp.Diff(before, after); diff != "" {
		t.Errorf("another workspace changed the plan (-before +after):\n%s", diff)
	}
	if n := h.checkinValues(p, checkin); n != 0 {
		t.Errorf("another workspace recorded %d values", n)
	}
	if n := h.posts() - posts; n != 0 {
		t.Errorf("another workspace made the bot post %d messages\n%s", n, h.fake.Dump())
	}
	if n := len(h.fake.Calls("views.open")); n != 0 {
		t.Errorf("another workspace opened %d forms on the plan", n)
	}
	for _, e := range h.fake.Ephemerals() {
		if strings.Contains(e.Text, "Secret") {
			t.Errorf("an ephemeral to another workspace names the plan: %q", e.Text)
		}
	}
	for _, c := range h.fake.Calls(slackfake.MethodResponseURL) {
		if strings.Contains(c.Get("text"), "Secret") {
			t.Errorf("a response to another workspace names the plan: %q", c.Get("text"))
		}
	}
	if _, err := h.db.Plan(context.Background(), slackfake.TeamID, p.ID); err != nil {
		t.Errorf("the plan is gone: %v", err)
	}
}
