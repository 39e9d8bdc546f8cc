package bot

import (
	"context"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/racebot/racebot/coach"
	"github.com/racebot/racebot/internal/slackfake"
)

// busyRetro fails the write of a retro's thread and of its prompts while
// the counters are positive, as a database busy past the deadline would;
// each failure takes one off.
type busyRetro struct {
	coach.Store
	thread, prompt *atomic.Int32
}

func (s busyRetro) SetRetroThread(ctx context.Context, team string, id int64, thread string) error {
	if take(s.thread) {
		return errBusy
	}
	return s.Store.SetRetroThread(ctx, team, id, thread)
}

func (s busyRetro) RecordRetroPrompt(ctx context.Context, team string, retro int64, at int64, ts, question string) error {
	if take(s.prompt) {
		return errBusy
	}
	return s.Store.RecordRetroPrompt(ctx, team, retro, at, ts, question)
}

// retroReportLost runs /race retro with Slack's answers to its first
// posts lost (the report's, and with posts 2 the first question's too),
// while the method racebot looks for them with is held until release (or
// the test's end). It returns the report as Slack shows it.
func (h *harness) retroReportLost(posts int, held string) (report slackfake.Message, release func()) {
	h.t.Helper()
	h.fake.FailAfterNext("chat.postMessage", posts, 500)
	release = h.fake.Hold(held)
	h.t.Cleanup(release)
	h.fake.WaitAck(h.t, h.fake.SendEvent(slackfake.SlashCommand{Command: "/race", Text: "retro", UserID: "UANA", ChannelID: "C1"}))
	report = h.fake.WaitMessage(h.t, "C1", func(m slackfake.Message) bool {
		return m.ThreadTS == "" && strings.Contains(m.Text, "Closing the quarter")
	}, "the retro report, its answer lost")
	return report, release
}

// openRetro runs /race retro and returns its report, once its first
// question is posted and recorded as asked.
func (h *harness) openRetro() slackfake.Message {
	h.t.Helper()
	h.fake.WaitAck(h.t, h.fake.SendEvent(slackfake.SlashCommand{Command: "/race", Text: "retro", UserID: "UANA", ChannelID: "C1"}))
	report := h.fake.WaitMessage(h.t, "C1", func(m slackfake.Message) bool {
		return m.ThreadTS == "" && strings.Contains(m.Text, "Closing the quarter")
	}, "the retro report")
	h.fake.WaitMessage(h.t, "C1", func(m slackfake.Message) bool {
		return m.ThreadTS == report.TS && strings.Contains(m.Text, "Question 1 of 3")
	}, "the first question")
	h.settle()
	return report
}

// TestRetroQuestionRecordedThoughTheDatabaseWasBusy: the second question
// goes up while the database is too busy to record it as asked. Ben's
// answer to it, written after it, is filed under it, not under the first
// question, and brings the third.
func TestRetroQuestionRecordedThoughTheDatabaseWasBusy(t *testing.T) {
	t.Parallel()
	prompt := &atomic.Int32{}
	h := newHarness(t, func(s *setup) { s.Store = busyRetro{Store: s.Store, thread: &atomic.Int32{}, prompt: prompt} })
	h.runSocket()
	h.newPlanInSlack("Q1 Launch")
	report := h.openRetro()

	prompt.Store(1)
	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.MessageEvent{Channel: "C1", User: "UANA", Text: "The webinars.", ThreadTS: report.TS}))
	h.fake.WaitMessage(t, "C1", func(m slackfake.Message) bool {
		return m.ThreadTS == report.TS && strings.Contains(m.Text, "Question 2 of 3")
	}, "the second question")
	h.settle()
	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.MessageEvent{Channel: "C1", User: "UBEN", Text: "The launch slipped a month.", ThreadTS: report.TS}))
	h.settle()

	got := h.retroAnswers(report.TS)
	if got != "worked: The webinars. | didnt: The launch slipped a month." {
		t.Errorf("answers = %q, want Ben's under the second question", got)
	}
	if !strings.Contains(h.fake.Dump(), "Question 3 of 3") {
		t.Errorf("the third question was not asked:\n%s", h.fake.Dump())
	}
}

// TestRetroThreadRecordedThoughTheDatabaseWasBusy: the retro's report goes
// up while the database is too busy to record its thread. The retro still
// asks its questions there, and an answer in it is kept.
func TestRetroThreadRecordedThoughTheDatabaseWasBusy(t *testing.T) {
	t.Parallel()
	thread := &atomic.Int32{}
	thread.Store(1)
	h := newHarness(t, func(s *setup) { s.Store = busyRetro{Store: s.Store, thread: thread, prompt: &atomic.Int32{}} })
	h.runSocket()
	h.newPlanInSlack("Q1 Launch")
	report := h.openRetro()
	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.MessageEvent{Channel: "C1", User: "UANA", Text: "The webinars.", ThreadTS: report.TS}))
	h.settle()
	r, err := h.db.RetroByThread(context.Background(), slackfake.TeamID, "C1", report.TS)
	if err != nil || len(r.Answers) != 1 {
		t.Errorf("retro of the report's thread = %+v, %v; want Ana's answer in it", r, err)
	}
}

// TestRetroAnswerToAQuestionWhosePostWasLateIsFiledUnderIt: Slack posts
// the second question but its answer is lost; while racebot looks for the
// post, Ben answers it. His answer is filed under the second question.
func TestRetroAnswerToAQuestionWhosePostWasLateIsFiledUnderIt(t *testing.T) {
	t.Parallel()
	h := newHarness(t, instantRetries)
	h.runSocket()
	h.newPlanInSlack("Q1 Launch")
	report := h.openRetro()

	_, release := h.lostPost(report.TS, "", "The webinars.", "Question 2 of 3", "the second question")
	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.MessageEvent{Channel: "C1", User: "UBEN", Text: "The launch slipped a month.", ThreadTS: report.TS}))
	release()
	h.settle()

	got := h.retroAnswers(report.TS)
	if got != "worked: The webinars. | didnt: The launch slipped a month." {
		t.Errorf("answers = %q, want Ben's under the second question", got)
	}
}

// TestRetroAnswerLabelledByHandStaysWhenAQuestionWasLate: as above, the
// second question's post is found late. Meanwhile Ben adds to the first
// question by its label and Cy answers the second. Cy's answer moves to
// the second question, the thread is told once, and the third question is
// asked once; Ben's stays where he put it.
func TestRetroAnswerLabelledByHandStaysWhenAQuestionWasLate(t *testing.T) {
	t.Parallel()
	h := newHarness(t, instantRetries)
	h.runSocket()
	h.newPlanInSlack("Q1 Launch")
	report := h.openRetro()

	_, release := h.lostPost(report.TS, "", "The webinars.", "Question 2 of 3", "the second question")
	defer release()
	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.MessageEvent{Channel: "C1", User: "UBEN", Text: "worked: The referral codes.", ThreadTS: report.TS}))
	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.MessageEvent{Channel: "C1", User: "UCY", Text: "The launch slipped a month.", ThreadTS: report.TS}))
	h.fake.WaitFor(t, func() bool { return h.countReplies("C1", report.TS, "Noted under") == 3 }, "Ben's and Cy's answers noted")
	release()
	h.settle()

	got := h.retroAnswers(report.TS)
	want := "worked: The webinars. | worked: The referral codes. | didnt: The launch slipped a month."
	if got != want {
		t.Errorf("answers = %q, want %q", got, want)
	}
	posts := strings.Join(h.threadPosts(report.TS), "\n")
	moved := `Moved <@UCY>'s answer from "What worked this quarter, and why?" to "What didn't work, and what got in the way?": it was written after that question was asked.`
	if n := h.countReplies("C1", report.TS, moved); n != 1 {
		t.Errorf("the move told %d times, want once:\n%s", n, posts)
	}
	if n := h.countReplies("C1", report.TS, "Question 3 of 3"); n != 1 {
		t.Errorf("the third question asked %d times, want once:\n%s", n, posts)
	}
}

// TestRetroReplyBeforeItsThreadIsKnownIsRecorded: Slack takes a retro's
// report but its answer is lost, so racebot looks for it in the channel.
// Meanwhile the report is visible and Ana answers in its thread, which
// racebot does not know yet. Once it finds the report it records the
// thread and reads back what was written there: Ana's answer is kept,
// under the first question, once.
func TestRetroReplyBeforeItsThreadIsKnownIsRecorded(t *testing.T) {
	t.Parallel()
	h := newHarness(t, instantRetries, func(c *setup) { c.BeforeStart = fastCatchup })
	h.runSocket()
	h.newPlanInSlack("Q1 Launch")
	h.settle()

	report, release := h.retroReportLost(1, "conversations.history")
	h.fake.WaitFor(t, func() bool { return h.fake.InFlight("conversations.history") == 1 }, "racebot looking for the report")
	h.write(report.TS, "UANA", "The webinars.", "", true)
	release()

	h.fake.WaitFor(t, func() bool {
		r, err := h.db.RetroByThread(context.Background(), slackfake.TeamID, "C1", report.TS)
		return err == nil && len(r.Answers) > 0
	}, "Ana's answer, read back")
	h.threadMessage("C1", report.TS, "Question 2 of 3")
	h.settle()
	r, err := h.db.RetroByThread(context.Background(), slackfake.TeamID, "C1", report.TS)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Answers) != 1 || r.Answers[0].Question != "worked" || r.Answers[0].Text != "The webinars." {
		t.Errorf("answers = %+v, want Ana's under the first question", r.Answers)
	}
	if n := h.countReplies("C1", report.TS, "Noted under"); n != 1 {
		t.Errorf("Ana's answer noted %d times, want once:\n%s", n, strings.Join(h.threadPosts(report.TS), "\n"))
	}
}

// TestRetroReplyExplainedOnceThoughReadBack: Ana's empty answer (racebot's
// name and nothing else) in a retro's thread is explained to her when it comes live; the
// catch-up after a reconnect reads the thread back and explains nothing
// again.
func TestRetroReplyExplainedOnceThoughReadBack(t *testing.T) {
	t.Parallel()
	h := newHarness(t, func(c *setup) { c.BeforeStart = fastCatchup })
	h.runSocket()
	h.newPlanInSlack("Q1 Launch")
	report := h.openRetro()

	h.write(report.TS, "UANA", "<@"+slackfake.BotUserID+">", "", true)
	h.fake.WaitFor(t, func() bool { return len(h.fake.Ephemerals()) > 0 }, "Ana told her answer is empty")
	h.settle()

	calls := len(h.fake.Calls("conversations.replies"))
	h.fake.Disconnect("refresh_requested")
	h.fake.WaitConnections(t, 2)
	h.waitCatchup(h.bot, calls)

	var explained int
	for _, e := range h.fake.Ephemerals() {
		if e.User == "UANA" && e.ThreadTS == report.TS {
			explained++
		}
	}
	if explained != 1 {
		t.Errorf("%d explanations of the empty answer, want 1", explained)
	}
}

// retroAnswers lists a retro's answers in the order they are stored, each
// as "question: text", joined by " | ".
func (h *harness) retroAnswers(thread string) string {
	h.t.Helper()
	r, err := h.db.RetroByThread(context.Background(), slackfake.TeamID, "C1", thread)
	if err != nil {
		h.t.Fatal(err)
	}
	var got []string
	for _, a := range r.Answers {
		got = append(got, a.Question+": "+a.Text)
	}
	return strings.Join(got, " | ")
}

// TestRetroRepliesBeforeTheFirstQuestionIsRecordedAreFiledUnderIt: Slack
// posts the retro's report and its first question, but its answers to
// both are lost; while racebot looks for the question in the thread, Ana
// and Ben answer it there. Both answers are filed under the first
// question, the one they could have seen, and the second is asked once:
// Ben's answer is not filed under the second question, which nobody had
// seen, and asks nothing more.
func TestRetroRepliesBeforeTheFirstQuestionIsRecordedAreFiledUnderIt(t *testing.T) {
	t.Parallel()
	h := newHarness(t, instantRetries)
	h.runSocket()
	h.newPlanInSlack("Q1 Launch")
	h.settle()

	report, release := h.retroReportLost(2, "conversations.replies")
	h.fake.WaitMessage(t, "C1", func(m slackfake.Message) bool {
		return m.ThreadTS == report.TS && strings.Contains(m.Text, "Question 1 of 3")
	}, "the first question, its answer lost")
	h.fake.WaitFor(t, func() bool { return h.fake.InFlight("conversations.replies") > 0 }, "racebot looking for the first question")
	// Both written before racebot asks anything more.
	ana := h.write(report.TS, "UANA", "The webinars.", "", false)
	ben := h.write(report.TS, "UBEN", "The referral codes.", "", false)
	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.MessageEvent{Channel: "C1", User: "UANA", Text: "The webinars.", TS: ana, ThreadTS: report.TS}))
	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.MessageEvent{Channel: "C1", User: "UBEN", Text: "The referral codes.", TS: ben, ThreadTS: report.TS}))
	h.fake.WaitFor(t, func() bool { return h.countReplies("C1", report.TS, "Noted under") == 2 }, "Ana's and Ben's answers noted")
	release()
	h.settle()

	if got, want := h.retroAnswers(report.TS), "worked: The webinars. | worked: The referral codes."; got != want {
		t.Errorf("answers = %q, want %q", got, want)
	}
	posts := strings.Join(h.threadPosts(report.TS), "\n")
	if n := h.countReplies("C1", report.TS, "Question 2 of 3"); n != 1 {
		t.Errorf("the second question asked %d times, want once:\n%s", n, posts)
	}
	if n := h.countReplies("C1", report.TS, "Question 3 of 3"); n != 0 {
		t.Errorf("the third question asked %d times, want not yet:\n%s", n, posts)
	}
}
