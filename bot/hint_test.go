package bot

import (
	"strings"
	"testing"
	"time"

	"github.com/racebot/racebot/flows"
	"github.com/racebot/racebot/internal/slackfake"
)

// TestMistypedCommandInTheThreadIsSaidToBeAnAnswer: "stage nowhere"
// written in the plan's thread is kept as the open question's answer, by
// the rule, and the confirmation says so and what the command needs, so
// nobody believes the plan jumped to another stage.
func TestMistypedCommandInTheThreadIsSaidToBeAnAnswer(t *testing.T) {
	t.Parallel()
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

// TestHintSurvivesMergedConfirmations: while Slack holds the
// confirmation of Cy's answer, Ben answers and Ana types "stage nowhere",
// both to the question they saw (filed under it, as late answers are);
// the two confirmations go out merged into one line, and the hint still
// says what the stage command needs.
func TestHintSurvivesMergedConfirmations(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.runSocket()
	header, _ := h.newPlanInSlack("Q1")
	h.settle()
	seen := len(h.fake.Replies("C1", header.TS))

	release := h.fake.Hold("chat.postMessage")
	t.Cleanup(release)
	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.MessageEvent{Channel: "C1", User: "UCY", Text: "We sell coffee beans online.", ThreadTS: header.TS}))
	h.fake.WaitFor(t, func() bool { return h.fake.InFlight("chat.postMessage") == 1 }, "the first confirmation held by Slack")
	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.MessageEvent{Channel: "C1", User: "UBEN", Text: "Fresher beans than the supermarket.", ThreadTS: header.TS}))
	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.MessageEvent{Channel: "C1", User: "UANA", Text: "stage nowhere", ThreadTS: header.TS}))
	h.fake.WaitFor(t, func() bool { return h.bot.outbox.queued("C1") >= 2 }, "both confirmations queued")
	release()
	h.settle()

	var all []string
	for _, m := range newReplies(h.fake, header.TS, seen) {
		all = append(all, m.Text)
	}
	text := strings.Join(all, "\n")
	if !strings.Contains(text, "Saved 2 answers") {
		t.Fatalf("the confirmations were not merged:\n%s", text)
	}
	if want := "If you meant the `/race stage` command, name a stage: plan, reach, act, convert or engage."; !strings.Contains(text, want) {
		t.Errorf("the merged message lost the hint %q:\n%s", want, text)
	}
}

// TestMergedMessageKeepsTheHint: the replies the coach gives an answer
// that looked like a command, merged with another request's, still say
// what the command needs.
func TestMergedMessageKeepsTheHint(t *testing.T) {
	t.Parallel()
	cat := flows.RACE()
	t0 := time.Date(2027, 1, 4, 9, 0, 0, 0, time.UTC)
	p := flows.NewPlan("T1", "C1", "Q1", "UANA", t0)
	lc := flows.LineContext{Catalogue: cat, Open: true}
	hint, ok := flows.CommandHint("stage nowhere", lc)
	if !ok {
		t.Fatal("no hint for stage nowhere")
	}
	out, err := flows.Step(cat, p, flows.Input{Text: "stage nowhere", User: "UANA", Now: t0, Hint: hint})
	if err != nil {
		t.Fatal(err)
	}
	q := &threadQueue{plan: viewOf(p)}
	q.put(viewOf(out.Plan), "UANA", out.Replies, nil)
	q.put(viewOf(out.Plan), "UBEN", []flows.Reply{{Kind: flows.ReplySaved, QuestionID: flows.QuestionValueProposition, Msg: flows.Say(flows.Text("Saved."))}}, nil)
	var text []string
	for _, r := range q.compose(cat, out.Plan, false) {
		text = append(text, plainText(r.Msg))
	}
	if want := plainText(hint); !strings.Contains(strings.Join(text, "\n"), want) {
		t.Errorf("merged message = %q, want it to keep %q", text, want)
	}
}
