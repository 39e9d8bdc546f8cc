package bot

import (
	"testing"
	"time"

	"github.com/racebot/racebot/flows"
	"github.com/racebot/racebot/internal/slackfake"
)

// TestARaceWordIsAnAnswer: in a plan's thread Ana answers question 1
// with "/raceday is Friday", a line that only begins with the slash
// command's name. It is her answer, not the unknown command "day", and
// so is her edit of it into "/raceday is Saturday". `/race status`,
// `/race<tab>status` and `/racestatus` (a space forgotten before a
// command's exact name) still run status, and a bare `/race` the help;
// none of them is filed as an answer.
func TestARaceWordIsAnAnswer(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.runSocket()
	header, q1, _ := h.firstQuestion("Q1")

	ts := tsAfter(t, q1.TS, time.Second)
	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.MessageEvent{Channel: "C1", User: "UANA", Text: "/raceday is Friday", TS: ts, ThreadTS: header.TS}))
	h.settle()
	if n := h.countEphemerals("UANA", "I don't know the command"); n != 0 {
		t.Fatalf("/raceday is Friday was refused as a command: %q", h.fake.Ephemerals())
	}
	h.threadMessage("C1", header.TS, "What is your value proposition")
	if a := h.plan(slackfake.TeamID, "C1", "Q1").Answers[flows.QuestionBusiness]; a.Text != "/raceday is Friday" {
		t.Errorf("question 1 = %q, want /raceday is Friday", a.Text)
	}

	h.twice(slackfake.MessageChanged{Channel: "C1", User: "UANA", TS: ts, ThreadTS: header.TS, Text: "/raceday is Saturday", PreviousText: "/raceday is Friday",
		EditTS: tsAfter(t, ts, 10*time.Second), EventID: "EvRACEDAY"})
	h.waitEphemeral("UANA", "Updated your answer to Plan question 1")
	if n := h.countEphemerals("UANA", "reads as a command"); n != 0 {
		t.Errorf("the edit into /raceday is Saturday was told it reads as a command: %q", h.fake.Ephemerals())
	}
	if a := h.plan(slackfake.TeamID, "C1", "Q1").Answers[flows.QuestionBusiness]; a.Text != "/raceday is Saturday" {
		t.Errorf("after the edit: question 1 = %q, want /raceday is Saturday", a.Text)
	}

	for _, text := range []string{"/race status", "/race\tstatus", "/racestatus"} {
		h.sayAs("UANA", header.TS, text, "answered")
	}
	h.sayAs("UANA", header.TS, "/race", "coaches your team")
	h.settle()
	h.wantFirstAnswers(t, "the commands", "/raceday is Saturday", "")
}
