package bot

import (
	"strings"
	"testing"

	"github.com/racebot/racebot/flows"
	"github.com/racebot/racebot/internal/slackfake"
)

// TestMentionInAThreadRepliesThere: `@racebot status` in any thread of a
// channel with a plan answers in that thread; at the top of a channel it
// starts a thread under the mention. In the plan's own thread, where Slack
// sends the words as a message too, it is answered once.
func TestMentionInAThreadRepliesThere(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.runSocket()
	header, p := h.newPlanInSlack("Q1")
	p = h.setKPIs(p, flows.StageReach, "visitors | baseline 8k | target 20k | by 2027-03-31 | owner <@UANA>")
	mention := "<@" + slackfake.BotUserID + "> status"

	talk := h.fake.AddMessage(slackfake.Message{Channel: "C1", User: "UBEN", Text: "How are we doing?"})
	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.AppMention{Channel: "C1", User: "UBEN", Text: mention, ThreadTS: talk.TS}))
	reply := h.fake.WaitMessage(t, "C1", func(m slackfake.Message) bool {
		return m.ThreadTS == talk.TS && strings.Contains(m.Text, "answered")
	}, "the status in the mention's thread")
	if !strings.Contains(reply.Text, "Unique visitors") {
		t.Errorf("status = %s", reply.Text)
	}

	top := h.fake.SendEvent(slackfake.AppMention{Channel: "C1", User: "UBEN", Text: "hey " + mention, TS: "1900000000.000100"})
	h.fake.WaitAck(t, top)
	h.fake.WaitMessage(t, "C1", func(m slackfake.Message) bool {
		return m.ThreadTS == "1900000000.000100" && strings.Contains(m.Text, "answered")
	}, "a thread started under a mention at the top")

	// In the plan's own thread both events come; one answer.
	const ts = "1900000001.000100"
	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.MessageEvent{Channel: "C1", User: "UBEN", Text: mention, TS: ts, ThreadTS: header.TS}))
	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.AppMention{Channel: "C1", User: "UBEN", Text: mention, TS: ts, ThreadTS: header.TS}))
	h.threadMessage("C1", header.TS, "answered")
	h.settle()
	if n := h.countReplies("C1", header.TS, "answered"); n != 1 {
		t.Errorf("status answered %d times in the plan's thread, want once", n)
	}

	// Commands that change a plan stay with the slash command; the
	// explanation is for the asker only.
	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.AppMention{Channel: "C1", User: "UBEN", Text: "<@" + slackfake.BotUserID + "> delete Q1", ThreadTS: talk.TS}))
	h.waitEphemeral("UBEN", "Mention me anywhere")
	if got := h.plan(slackfake.TeamID, "C1", "Q1"); got.ID != p.ID {
		t.Errorf("the plan changed: %+v", got)
	}
	// A channel without a plan says so, to the asker.
	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.AppMention{Channel: "C7", User: "UBEN", Text: mention}))
	h.waitEphemeral("UBEN", "There is no plan here yet")
}

// TestMentionedValuesGoToTheCheckin: `@racebot values …` outside the
// check-in's thread records the values in it, answers in place and
// confirms in the check-in's thread.
func TestMentionedValuesGoToTheCheckin(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.runSocket()
	_, p := h.newPlanInSlack("Q1")
	p = h.setKPIs(p, flows.StageReach, "visitors | baseline 8k | target 20k | by 2027-03-31 | owner <@UANA>")
	id, opening := h.openCheckin(p)
	summary := h.threadMessage("C1", opening.TS, "0 of 1 KPIs updated")
	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.AppMention{Channel: "C1", User: "UANA", Text: "<@" + slackfake.BotUserID + "> values visitors 12.4k", TS: "1900000000.000200"}))
	h.fake.WaitMessage(t, "C1", func(m slackfake.Message) bool {
		return m.ThreadTS == "1900000000.000200" && strings.Contains(m.Text, "Recorded: Unique visitors 12.4k")
	}, "the answer under the mention")
	h.threadMessage("C1", opening.TS, "From <@UANA>:")
	h.waitSummary(summary.TS, "1 of 1 KPIs updated")
	if n := h.checkinValues(p, id); n != 1 {
		t.Errorf("%d values in the check-in, want 1", n)
	}
}
