package bot

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/racebot/racebot/flows"
	"github.com/racebot/racebot/internal/slackfake"
)

// TestReplyToAPromptWhoseAnswerWasLostAnswersIt: Ana answers question 1;
// Slack posts question 2 but its answer is lost (a 500 after the work),
// and racebot looks for the post in the thread. While it looks, Ben reads
// question 2 and answers it. His reply answers question 2, the prompt he
// saw: it must not stay filed beside Ana's answer to question 1, with
// question 2 left open. Once racebot finds question 2's post, Ben's reply
// moves to question 2, the thread is told once, and question 3 is asked.
func TestReplyToAPromptWhoseAnswerWasLostAnswersIt(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.runSocket()
	header, q1, p := h.firstQuestion("Q1")
	h.waitAsked(p, flows.QuestionBusiness)

	ana := tsAfter(t, q1.TS, time.Millisecond)
	q2, release := h.lostPost(header.TS, ana, "Speciality coffee subscriptions.", "What is your value proposition", "question 2, its answer lost")
	defer release()

	ben := tsAfter(t, q2.TS, 5*time.Second)
	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.MessageEvent{Channel: "C1", User: "UBEN", Text: "Fresh beans in 48 hours.", TS: ben, ThreadTS: header.TS}))
	release()
	h.settle()

	got := h.plan(slackfake.TeamID, "C1", "Q1")
	if a := got.Answers[flows.QuestionBusiness]; a.Text != "Speciality coffee subscriptions." || len(a.Also) != 0 {
		t.Errorf("question 1 = %+v; Ben's answer to question 2 was filed under it", a)
	}
	if a := got.Answers["plan.value-proposition"]; a.Text != "Fresh beans in 48 hours." || a.By != "UBEN" {
		t.Errorf("question 2 = %+v, want Ben's answer; cursor %+v", a, got.Cursor)
	}
	if got.Cursor.Step != 2 {
		t.Errorf("cursor %+v, want question 3", got.Cursor)
	}
	h.threadMessage("C1", header.TS, "Which customer segments do you serve")
	if n := h.countReplies("C1", header.TS, "Moved <@UBEN>'s reply from Plan question 1 (business) to Plan question 2 (value proposition)"); n != 1 {
		t.Errorf("the move told %d times, want once:\n%s", n, strings.Join(h.threadPosts(header.TS), "\n"))
	}
}

// lostPost has Ana write text at ts in the thread while Slack posts the
// prompt it leads to but loses its answer (a 500 after the work), and
// waits until racebot looks for that prompt, the look held until release.
// It returns the prompt, the first post in the thread containing has.
func (h *harness) lostPost(thread, ts, text, has, what string) (prompt slackfake.Message, release func()) {
	h.t.Helper()
	h.fake.FailAfterNext("chat.postMessage", 1, http.StatusInternalServerError)
	release = h.fake.Hold("conversations.replies")
	h.fake.WaitAck(h.t, h.fake.SendEvent(slackfake.MessageEvent{Channel: "C1", User: "UANA", Text: text, TS: ts, ThreadTS: thread}))
	prompt = h.fake.WaitMessage(h.t, "C1", func(m slackfake.Message) bool {
		return m.ThreadTS == thread && strings.Contains(m.Text, has)
	}, what)
	h.fake.WaitFor(h.t, func() bool { return h.fake.InFlight("conversations.replies") > 0 }, "racebot looking for "+what)
	return prompt, release
}
