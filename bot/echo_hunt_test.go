package bot

import (
	"strings"
	"testing"

	"github.com/racebot/racebot/flows"
	"github.com/racebot/racebot/internal/slackfake"
)

// loud is an answer as Slack sends it when someone typed every kind of
// broadcast into it: quoted back anywhere, it must notify nobody. The fake
// fails the test when racebot sends one (see slackfake.checkNoBroadcast).
const loud = "Beans for <!here> and <!channel>, <!everyone> &amp; <!subteam^S1|@design>, ask <@UBEN>"

// TestQuotedBroadcastsNotifyNobodyAnywhere: an answer, an action and a
// KPI value holding broadcasts are quoted in the thread, the action list,
// the status, the review, the Home tab and the edit form without one of
// them notifying the channel or a group.
func TestQuotedBroadcastsNotifyNobodyAnywhere(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.runSocket()
	header, p := h.newPlanInSlack("Q1")
	h.setKPIs(p, flows.StageReach, "visitors | baseline 8k | target 20k | by 2027-03-31 | owner <@UBEN>")
	h.say(header.TS, loud, "What is your value proposition")
	h.say(header.TS, "back", "Current answer")
	h.say(header.TS, loud, "What is your value proposition")
	h.say(header.TS, "done", "· actions")
	h.say(header.TS, "Post <!here> in <!channel> launch, impact 4, effort 2", "Added action")
	h.slashAck("UANA", "status")
	h.slashAck("UANA", "actions")
	h.slashAck("UANA", "review")
	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.AppHomeOpened{User: "UANA"}))
	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.AppHomeOpened{User: "UBEN"}))
	md := h.exportText(1)
	if strings.Contains(md, "<!") {
		t.Errorf("the export shows Slack's markup:\n%s", md)
	}
	h.settle()
	h.noRefusedBlocks()
}

// TestLongQuotesFitSlacksLimits: an answer and an action as long as a
// Slack message can be (40,000 characters), full of links and escapes, are
// quoted back in the thread, the action list, the Home tab and the forms
// without Slack refusing one post or view for its size, and are kept whole.
func TestLongQuotesFitSlacksLimits(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.runSocket()
	header, _ := h.newPlanInSlack("Q1")
	unit := "Ask <@UBEN> &amp; see <https://brief.example/q1|the brief, all of it> and R&amp;D &lt;3 "
	long := strings.TrimSpace(strings.Repeat(unit, 40000/len(unit)))
	h.say(header.TS, long, "What is your value proposition")
	h.say(header.TS, "back", "Current answer")
	h.say(header.TS, "skip", "What is your value proposition")
	h.say(header.TS, "done", "· actions")
	h.say(header.TS, strings.TrimSpace(strings.Repeat(unit, 3000/len(unit)+5))+", impact 4, effort 2", "Added action")
	h.slashAck("UANA", "actions")
	h.slashAck("UANA", "status")
	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.AppHomeOpened{User: "UANA"}))
	h.openView(slackfake.BlockAction{ActionID: actionEditStage, Value: planValue(h.plan(slackfake.TeamID, "C1", "Q1"), "plan"), UserID: "UANA", ChannelID: "C1"})
	h.settle()
	if got := h.plan(slackfake.TeamID, "C1", "Q1").Answers[flows.QuestionBusiness].Text; got != long {
		t.Errorf("the answer was kept as %d characters, want all %d", len(got), len(long))
	}
	h.noRefusedBlocks()
}

// noRefusedBlocks fails the test when Slack refused a post or view of
// racebot's for breaking a Block Kit limit.
func (h *harness) noRefusedBlocks() {
	h.t.Helper()
	for _, m := range []string{"chat.postMessage", "chat.update", "chat.postEphemeral", "views.open", "views.push", "views.update", "views.publish"} {
		for _, c := range h.fake.Calls(m) {
			if c.Error == "invalid_blocks" || c.Error == "invalid_arguments" || c.Error == "msg_too_long" {
				h.t.Errorf("Slack refused a %s: %s", m, c.Error)
			}
		}
	}
	for _, r := range h.fake.Calls(slackfake.MethodResponseURL) {
		if r.Status != 0 && r.Status != 200 {
			h.t.Errorf("Slack refused a response_url post: %d %s", r.Status, r.Error)
		}
	}
}
