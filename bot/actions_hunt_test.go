package bot

import (
	"strings"
	"testing"
	"time"

	"github.com/racebot/racebot/flows"
	"github.com/racebot/racebot/internal/slackfake"
)

// TestActionNumberWrittenBeforeAnotherWasRemoved: Ana adds three actions
// in the thread; Ben reads the list and replies `action done 2`, meaning
// the second. Before his reply is read, Ana deletes the message of the
// first, so the numbers move. Ben's reply must not mark the third.
func TestActionNumberWrittenBeforeAnotherWasRemoved(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.runSocket()
	header, ts := h.atActions()
	lines := []string{
		"Gift boxes | impact 4 | effort 2 | <@UBEN> | 2027-02-15",
		"Webinar series | impact 3 | effort 3 | <@UBEN> | 2027-03-01",
		"Cart recovery emails | impact 5 | effort 1 | <@UBEN> | 2027-03-10",
	}
	var tss []string
	for i, l := range lines {
		at := tsAfter(t, ts, time.Duration(i)*time.Second)
		tss = append(tss, at)
		h.anaReplies(header, at, l)
		h.fake.WaitFor(t, func() bool { return len(h.plan(slackfake.TeamID, "C1", "Q1").Actions) == i+1 }, "action added")
	}
	h.slashAck("UBEN", "actions")
	benWrote := tsAfter(t, ts, 10*time.Second)
	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.MessageDeleted{Channel: "C1", User: "UANA", TS: tss[0], ThreadTS: header.TS, PreviousText: lines[0], EventID: "EvDEL"}))
	h.threadMessage("C1", header.TS, "was removed")
	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.MessageEvent{Channel: "C1", User: "UBEN", Text: "action done 2", TS: benWrote, ThreadTS: header.TS}))
	h.settle()
	for _, a := range h.plan(slackfake.TeamID, "C1", "Q1").Actions {
		if a.Text == "Cart recovery emails" && a.State() == flows.ActionDone {
			t.Errorf("Ben's `action done 2`, written when 2 was the webinar series, marked the cart recovery emails done:\n%s", h.fake.Dump())
		}
		if a.Text == "Webinar series" && a.State() != flows.ActionDone {
			t.Errorf("Ben's `action done 2` left the webinar series, 2 in the list he saw, %s:\n%s", a.State(), h.fake.Dump())
		}
	}
	// The list keeps the numbers people saw: 1 is gone, not given to another.
	if list := h.slashAck("UBEN", "actions"); !strings.Contains(list, "\n2. ") || !strings.Contains(list, "\n3. ") || strings.Contains(list, "\n1. ") {
		t.Errorf("the list after 1 was removed:\n%s", list)
	}
	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.MessageEvent{Channel: "C1", User: "UBEN", Text: "action done 1", TS: tsAfter(t, ts, 11*time.Second), ThreadTS: header.TS}))
	h.waitEphemeral("UBEN", "Action 1 was removed when the message that added it was deleted; the plan has actions 2 and 3.")
	h.settle()
	if a := h.plan(slackfake.TeamID, "C1", "Q1").Actions; len(a) != 2 || a[0].Number != 2 || a[1].Number != 3 || a[1].State() != flows.ActionOpen {
		t.Errorf("after `action done 1`, 1 removed: %+v", a)
	}
}
