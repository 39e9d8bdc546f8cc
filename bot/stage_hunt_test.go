package bot

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/racebot/racebot/flows"
	"github.com/racebot/racebot/internal/slackfake"
)

// TestActionTypedAtAStagePromptWhoseAnswerWasLostIsAnAction: Ana types
// done at the Plan stage; Slack posts the stage's actions prompt but its
// answer is lost, and racebot looks for the post. Meanwhile Ben reads the
// actions prompt and writes an action line. Once the post is found, his
// line is an action of the Plan stage, not a second answer to the
// question Ana left.
func TestActionTypedAtAStagePromptWhoseAnswerWasLostIsAnAction(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.runSocket()
	header, q1, p := h.firstQuestion("Q1")
	h.waitAsked(p, flows.QuestionBusiness)

	ana := tsAfter(t, q1.TS, time.Millisecond)
	prompt, release := h.lostPost(header.TS, ana, "done", "· actions", "the actions prompt, its answer lost")
	defer release()

	ben := tsAfter(t, prompt.TS, 5*time.Second)
	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.MessageEvent{Channel: "C1", User: "UBEN", Text: giftBoxes, TS: ben, ThreadTS: header.TS}))
	release()
	h.settle()

	got := h.plan(slackfake.TeamID, "C1", "Q1")
	if a := got.Answers[flows.QuestionBusiness]; a.Text != "" || len(a.Also) != 0 {
		t.Errorf("question 1 = %+v; Ben's action line was filed under it", a)
	}
	if len(got.Actions) != 1 || !strings.Contains(got.Actions[0].Text, "Gift boxes") {
		t.Errorf("actions = %+v, want Ben's gift boxes\n%s", got.Actions, strings.Join(h.threadPosts(header.TS), "\n"))
	}
}

// TestLastAnswerAndSkipAtOnce: at the Plan stage's last question Ana
// answers and Ben types skip just after, both at the question they saw.
// The stage ends once: its actions prompt is posted once, and Ben's skip
// is told it came late rather than skipping the actions too.
func TestLastAnswerAndSkipAtOnce(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.runSocket()
	header, _, p := h.firstQuestion("Q1")
	steps := flows.RACE().Stages[0].Steps()
	var last slackfake.Message
	for i := range len(steps) - 1 {
		last = h.say(header.TS, fmt.Sprintf("Answer %d.", i+1), fmt.Sprintf("question %d of", i+2))
	}
	h.waitAsked(p, steps[len(steps)-1].ID)
	base := tsAfter(t, last.TS, time.Second)
	// The actions prompt goes up after Ben's skip, which he wrote at the
	// last question: on a busy machine it could otherwise be posted first
	// and take a ts before his, and his skip would rightly skip it.
	release := h.fake.Hold("chat.postMessage")
	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.MessageEvent{Channel: "C1", User: "UANA", Text: "Ten percent more revenue by June.", TS: base, ThreadTS: header.TS}))
	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.MessageEvent{Channel: "C1", User: "UBEN", Text: "skip", TS: tsAfter(t, base, time.Millisecond), ThreadTS: header.TS}))
	release()
	h.settle()
	posts := h.threadPosts(header.TS)
	if n := h.countReplies("C1", header.TS, "· actions"); n != 1 {
		t.Errorf("actions prompt posted %d times, want once:\n%s", n, strings.Join(posts, "\n"))
	}
	if n := h.countReplies("C1", header.TS, "`skip` changed nothing"); n != 1 {
		t.Errorf("Ben told %d times that his skip came late, want once:\n%s", n, strings.Join(posts, "\n"))
	}
	if got := h.plan(slackfake.TeamID, "C1", "Q1"); got.Cursor.Phase != flows.PhaseActions {
		t.Errorf("cursor %+v, want the Plan stage's actions", got.Cursor)
	}
}

// TestActionReadAfterDoneDoesNotSayReplyDone: at the Plan stage's
// actions Ana types done, and Reach's first question is asked. Ben's
// action line, written at the actions prompt before that, is read just
// after: it is the Plan stage's action, but its confirmation, now the
// thread's last message, must not tell the team to "reply done": done
// would now leave Reach's questions unanswered and jump to its KPIs.
func TestActionReadAfterDoneDoesNotSayReplyDone(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.runSocket()
	header, _ := h.newPlanInSlack("Q1")
	prompt := h.say(header.TS, "done", "· actions")
	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.MessageEvent{Channel: "C1", User: "UANA", Text: "done", TS: tsAfter(t, prompt.TS, time.Second), ThreadTS: header.TS}))
	h.threadMessage("C1", header.TS, "*Reach* · question 1 of")
	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.MessageEvent{Channel: "C1", User: "UBEN", Text: giftBoxes, TS: tsAfter(t, prompt.TS, 2*time.Millisecond), ThreadTS: header.TS}))
	added := h.threadMessage("C1", header.TS, "Gift boxes")
	h.settle()

	got := h.plan(slackfake.TeamID, "C1", "Q1")
	if len(got.Actions) != 1 || got.Actions[0].Stage != flows.StagePlan {
		t.Errorf("actions = %+v, want Ben's for Plan", got.Actions)
	}
	if got.Cursor.Stage != 1 || got.Cursor.Phase != flows.PhaseQuestion {
		t.Errorf("cursor %+v, want Reach's questions", got.Cursor)
	}
	if strings.Contains(added.Text, "reply `done`") {
		t.Errorf("the confirmation of Ben's Plan action, posted while Reach's question 1 is open, says to reply done:\n%s", added.Text)
	}
}

// TestAnswerToTheNextStagesFirstQuestionWhoseAnswerWasLost: at the Plan
// stage's actions Ana types done; Slack posts Reach's first question but
// its answer is lost, and racebot looks for the post. Meanwhile Ben reads
// Reach's question and answers it. Once the post is found, his reply is
// the answer to Reach's question 1, not an action of the Plan stage.
func TestAnswerToTheNextStagesFirstQuestionWhoseAnswerWasLost(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.runSocket()
	header, release := h.benWritesWhileReachsQuestionIsLost("Coffee forums on Reddit and brewing videos on YouTube")
	release()
	h.settle()

	got := h.plan(slackfake.TeamID, "C1", "Q1")
	posts := strings.Join(h.threadPosts(header.TS), "\n")
	if len(got.Actions) != 0 {
		t.Errorf("actions = %+v; Ben's answer to Reach's question was read as a Plan action\n%s", got.Actions, posts)
	}
	first := flows.RACE().Stages[1].Steps()[0].ID
	if a := got.Answers[first]; a.By != "UBEN" || a.Text != "Coffee forums on Reddit and brewing videos on YouTube" {
		t.Errorf("Reach question 1 = %+v, want Ben's answer; cursor %+v\n%s", a, got.Cursor, posts)
	}
	if got.Cursor.Stage != 1 || got.Cursor.Step != 1 {
		t.Errorf("cursor %+v, want Reach's question 2", got.Cursor)
	}
	h.threadMessage("C1", header.TS, "*Reach* · question 2 of")
	if n := h.countReplies("C1", header.TS, "Read <@UBEN>'s reply again"); n != 1 {
		t.Errorf("the thread was told %d times that Ben's reply was read again, want once:\n%s", n, strings.Join(h.threadPosts(header.TS), "\n"))
	}
}

// TestActionWithBadScoresAfterTheNextQuestionWhoseAnswerWasLost: at the
// Plan stage's actions Ana types done; Slack posts Reach's first question
// but its answer is lost, and racebot looks for the post. Meanwhile Ben
// writes an action line whose impact is out of range: read as a Plan
// action, it is refused and he is told why. Once the post is found, his
// line stays refused: it is an action line, not the answer to Reach's
// question 1, which stays open.
func TestActionWithBadScoresAfterTheNextQuestionWhoseAnswerWasLost(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.runSocket()
	header, release := h.benWritesWhileReachsQuestionIsLost("Gift boxes for top 50 customers | impact 9 | effort 2 | <@UBEN>")
	h.fake.WaitFor(t, func() bool {
		for _, e := range h.toldTo("UBEN") {
			if strings.Contains(e.Text, "outside that range") {
				return true
			}
		}
		return false
	}, "Ben told his action's impact is out of range")
	release()
	h.settle()

	got := h.plan(slackfake.TeamID, "C1", "Q1")
	posts := strings.Join(h.threadPosts(header.TS), "\n")
	first := flows.RACE().Stages[1].Steps()[0].ID
	if a := got.Answers[first]; a.Text != "" || len(a.Also) != 0 {
		t.Errorf("Reach question 1 = %+v; Ben's refused action line was filed as its answer\n%s", a, posts)
	}
	if len(got.Actions) != 0 {
		t.Errorf("actions = %+v, want none: Ben's line was refused", got.Actions)
	}
	if got.Cursor.Stage != 1 || got.Cursor.Step != 0 {
		t.Errorf("cursor %+v, want Reach's question 1, still open", got.Cursor)
	}
	if n := h.countReplies("C1", header.TS, "Read <@UBEN>'s reply again"); n != 0 {
		t.Errorf("the thread was told Ben's refused action line was read again:\n%s", posts)
	}
}

// TestAnswerLikeAScoreToTheNextQuestionWhoseAnswerWasLost: as
// TestAnswerToTheNextStagesFirstQuestionWhoseAnswerWasLost, but Ben's
// answer ends in postcodes that read as effort scores ("E1 and E2"): read
// as a Plan action it is refused, and once the post is found it is still
// the answer to Reach's question 1, not kept refused as an action line.
func TestAnswerLikeAScoreToTheNextQuestionWhoseAnswerWasLost(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.runSocket()
	const answer = "Mostly around Shoreditch and Whitechapel, E1 and E2"
	header, release := h.benWritesWhileReachsQuestionIsLost(answer)
	release()
	h.settle()

	got := h.plan(slackfake.TeamID, "C1", "Q1")
	posts := strings.Join(h.threadPosts(header.TS), "\n")
	first := flows.RACE().Stages[1].Steps()[0].ID
	if a := got.Answers[first]; a.By != "UBEN" || a.Text != answer {
		t.Errorf("Reach question 1 = %+v, want Ben's answer; cursor %+v\n%s", a, got.Cursor, posts)
	}
	if got.Cursor.Stage != 1 || got.Cursor.Step != 1 {
		t.Errorf("cursor %+v, want Reach's question 2", got.Cursor)
	}
}

// benWritesWhileReachsQuestionIsLost takes plan Q1 to the Plan stage's
// actions, where Ana types done; Slack posts Reach's first question but
// loses its answer, and Ben writes text five seconds after it while
// racebot's look for the post is held until release (at the latest when
// the test ends). The tests on that race differ only in what Ben writes
// and what becomes of it.
func (h *harness) benWritesWhileReachsQuestionIsLost(text string) (header slackfake.Message, release func()) {
	h.t.Helper()
	header, ts := h.atActions()
	q, release := h.lostPost(header.TS, ts, "done", "*Reach* · question 1 of", "Reach's question 1, its answer lost")
	h.t.Cleanup(release)
	h.write(header.TS, "UBEN", text, tsAfter(h.t, q.TS, 5*time.Second), true)
	return header, release
}
