package bot

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/racebot/racebot/flows"
	"github.com/racebot/racebot/internal/slackfake"
)

const (
	buttonElsewhere = "That button belongs to another channel's plan."
	planGone        = "That plan no longer exists; it may have been deleted."
	checkinGone     = "That check-in no longer exists."
	formGone        = "That check-in no longer exists; nothing was saved."
	formOther       = "This form belongs to another channel's plan; nothing was saved."
)

// TestButtonsAndFormsActOnlyInTheirChannel: a button of C1's plan pressed
// in C2 (copied, or its value forged), a form whose metadata names C1's
// plan or check-in but another channel, and buttons and forms from
// another workspace carrying C1's ids are each refused with one sentence
// to whoever used them, and change, open and post nothing. The same
// button pressed in C1 still works.
func TestButtonsAndFormsActOnlyInTheirChannel(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.runSocket()
	header, p := h.newPlanInSlack("Secret")
	p = h.setKPIs(p, flows.StageReach, "visitors | baseline 8k | target 20k | by 2027-03-31 | owner <@UANA>")
	checkin, _ := h.openCheckin(p)
	// UEVE works on a plan of her own in C2, where she pastes the buttons.
	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.SlashCommand{Command: "/race", Text: "new Mine", UserID: "UEVE", ChannelID: "C2"}))
	mine := h.header("C2", "Mine")
	h.threadMessage("C2", mine.TS, "What does the business sell")
	h.settle()

	before := h.plan(slackfake.TeamID, "C1", "Secret")
	mineBefore := h.plan(slackfake.TeamID, "C2", "Mine")
	posts, opened := h.posts(), len(h.fake.Calls("views.open"))
	cat := flows.RACE()
	reach, _ := cat.Stage("reach")
	planID := strconv.FormatInt(int64(p.ID), 10)
	checkinID := strconv.FormatInt(checkin, 10)

	buttons := []struct{ action, value string }{
		{actionSkip, planValue(p, flows.QuestionBusiness)},
		{actionDraft, planValue(p, flows.QuestionBusiness)},
		{actionDraftUse, planValue(p, flows.QuestionBusiness+"|hijacked draft")},
		{actionEditStage, planValue(p, "plan")},
		{actionKPIModal, planValue(p, "reach")},
		{actionEnterValues, checkinID},
		{actionDeleteConfirm, planID},
	}
	press := func(team, channel, action, value, want string) {
		t.Helper()
		url := h.fake.ResponseURL()
		h.fake.WaitAck(t, h.fake.SendEvent(slackfake.BlockAction{
			ActionID: action, Value: value, UserID: "UEVE", TeamID: team, ChannelID: channel, MessageTS: mine.TS, ResponseURL: url,
		}))
		h.fake.WaitFor(t, func() bool { return len(h.fake.Responses(url)) > 0 }, "the answer to "+action+" in "+team+"/"+channel)
		if got := h.fake.Responses(url); len(got) != 1 || got[0].Text != want {
			t.Errorf("%s pressed in %s/%s: responses %+v, want one saying %q", action, team, channel, got, want)
		}
	}
	for _, b := range buttons {
		press(slackfake.TeamID, "C2", b.action, b.value, buttonElsewhere)
	}
	// Another workspace learns nothing about the plan, not even that it
	// exists elsewhere.
	for _, b := range buttons {
		want := planGone
		if b.action == actionEnterValues {
			want = checkinGone
		}
		press("T2", "C1", b.action, b.value, want)
	}

	text := func(v string) slackfake.Input { return slackfake.Input{Type: "plain_text_input", Value: v} }
	editForm := map[string]map[string]slackfake.Input{inputBlockID(flows.QuestionBusiness): {answerActionID: text("hijacked edit")}}
	kpiForm := visitorsForm("", "1", "2027-03-31", "UEVE")
	valuesForm := map[string]map[string]slackfake.Input{"kpi:visitors": {valueActionID: text("99k")}}
	forms := []struct {
		name, team, callback, meta string
		values                     map[string]map[string]slackfake.Input
		block, want                string
	}{
		{"edit form naming C2", slackfake.TeamID, callbackEditAnswers, fmt.Sprintf(`{"p":%d,"s":"plan","c":"C2"}`, p.ID), editForm, inputBlockID(flows.QuestionBusiness), formOther},
		{"edit form naming no channel", slackfake.TeamID, callbackEditAnswers, fmt.Sprintf(`{"p":%d,"s":"plan"}`, p.ID), editForm, inputBlockID(flows.QuestionBusiness), formOther},
		{"KPI form naming C2", slackfake.TeamID, callbackKPI, fmt.Sprintf(`{"p":%d,"s":"reach","c":"C2"}`, p.ID), kpiForm, kpiBlockDeadline, formOther},
		{"values form naming C2", slackfake.TeamID, callbackValues, fmt.Sprintf(`{"k":%d,"c":"C2"}`, checkin), valuesForm, "kpi:visitors", formOther},
		{"edit form of another workspace", "T2", callbackEditAnswers, stageMeta(cat, p, 0), editForm, inputBlockID(flows.QuestionBusiness), planGone},
		{"KPI form of another workspace", "T2", callbackKPI, stageMeta(cat, p, reach), kpiForm, kpiBlockTarget, planGone},
		{"values form of another workspace", "T2", callbackValues, valuesMeta(flows.Checkin{ID: checkin, Channel: "C1"}, nil), valuesForm, "kpi:visitors", formGone},
	}
	for _, f := range forms {
		ack := h.fake.WaitAck(t, h.fake.SendEvent(slackfake.ViewSubmission{
			CallbackID: f.callback, PrivateMetadata: f.meta, UserID: "UEVE", TeamID: f.team, Values: f.values,
		}))
		var va viewAck
		if err := json.Unmarshal(ack.Payload, &va); err != nil {
			t.Errorf("%s: ack %s: %v", f.name, ack.Payload, err)
			continue
		}
		want := viewAck{ResponseAction: "errors", Errors: map[string]string{f.block: f.want}}
		if diff := cmp.Diff(want, va); diff != "" {
			t.Errorf("%s: ack (-want +got):\n%s", f.name, diff)
		}
	}
	h.settle()

	if diff := cmp.Diff(before, h.plan(slackfake.TeamID, "C1", "Secret")); diff != "" {
		t.Errorf("buttons and forms from elsewhere changed the plan (-before +after):\n%s", diff)
	}
	if diff := cmp.Diff(mineBefore, h.plan(slackfake.TeamID, "C2", "Mine")); diff != "" {
		t.Errorf("buttons pasted into C2 changed C2's plan (-before +after):\n%s", diff)
	}
	if n := h.checkinValues(p, checkin); n != 0 {
		t.Errorf("%d values were recorded from elsewhere", n)
	}
	if n := h.posts() - posts; n != 0 {
		t.Errorf("the bot posted %d messages\n%s", n, h.fake.Dump())
	}
	if n := len(h.fake.Calls("views.open")) - opened; n != 0 {
		t.Errorf("%d forms were opened on the plan from elsewhere", n)
	}
	for _, r := range h.fake.Responses("") {
		if strings.Contains(r.Text, "Secret") {
			t.Errorf("a refusal names the plan: %q", r.Text)
		}
	}

	// The very same button, pressed where it was posted, works.
	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.BlockAction{ActionID: actionSkip, Value: planValue(p, flows.QuestionBusiness), UserID: "UANA", ChannelID: "C1", MessageTS: header.TS}))
	h.threadMessage("C1", header.TS, "Skipped")
	if got := h.plan(slackfake.TeamID, "C1", "Secret"); !got.Skipped[flows.QuestionBusiness] {
		t.Errorf("the skip pressed in the plan's own channel was not recorded: %+v", got.Skipped)
	}
	if _, err := h.db.Plan(context.Background(), slackfake.TeamID, p.ID); err != nil {
		t.Errorf("the plan is gone: %v", err)
	}
}
