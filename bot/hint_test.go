package bot

import (
	"strings"
	"testing"

	"github.com/racebot/racebot/internal/slackfake"
)

// TestMistypedCommandInTheThreadIsSaidToBeAnAnswer: "stage nowhere"
// written in the plan's thread is kept as the open question's answer, by
// the rule, and the confirmation says so and what the command needs, so
// nobody believes the plan jumped to another stage.
func TestMistypedCommandInTheThreadIsSaidToBeAnAnswer(t *testing.T) {
	h := newHarness(t)
	h.runSocket()
	header, p := h.newPlanInSlack("Q1")
	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.MessageEvent{Channel: "C1", User: "UANA", Text: "stage nowhere", ThreadTS: header.TS}))
	m := h.threadMessage("C1", header.TS, "Saved as your answer.")
	if want := "If you meant the `/race stage` command, name a stage: plan, reach, act, convert or engage."; !strings.Contains(m.Text, want) {
		t.Errorf("confirmation = %q, want it to say %q", m.Text, want)
	}
	if a := h.plan(p.Team, p.Channel, p.Name).Answers; len(a) != 1 {
		t.Errorf("answers = %+v, want the line kept as the answer", a)
	}
}
