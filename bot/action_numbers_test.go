package bot

import (
	"strings"
	"testing"

	"github.com/racebot/racebot/internal/slackfake"
)

// TestAddedActionsSayTheirNumbers: the plan has actions 1 and 2 already.
// Ana's action line at the Plan stage's actions is confirmed as action 3,
// and a message Cat adds with "Add to RACE plan" as action 4: the numbers
// `action done N` and a check-in's "done: N" take, which the team would
// otherwise have to look up with `actions` before using them.
func TestAddedActionsSayTheirNumbers(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.runSocket()
	header, ts := h.atActions()
	h.addActions(h.plan(slackfake.TeamID, "C1", "Q1"), "Cart recovery emails", "Webinar series")
	h.anaReplies(header, ts, "Send sample bags | impact 4 | effort 1 | <@UBEN>")
	added := h.threadMessage("C1", header.TS, "Send sample bags")
	if !strings.Contains(added.Text, "Added action 3: ") {
		t.Errorf("the thread line's confirmation is %q, want it to say it is action 3", added.Text)
	}
	m := h.fake.AddMessage(slackfake.Message{Channel: "C1", User: "UBEN", Text: "Let's put gift boxes in the shop window"})
	h.addAsAction(h.plan(slackfake.TeamID, "C1", "Q1"), m, "UCAT")
	shared := h.threadMessage("C1", header.TS, "gift boxes")
	if !strings.Contains(shared.Text, "as action 4: ") {
		t.Errorf("the form's confirmation is %q, want it to say it is action 4", shared.Text)
	}
}
