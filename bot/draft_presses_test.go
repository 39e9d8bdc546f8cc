package bot

import (
	"encoding/json"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/racebot/racebot/coach"
	"github.com/racebot/racebot/flows"
	"github.com/racebot/racebot/internal/openaifake"
	"github.com/racebot/racebot/internal/slackfake"
	"github.com/racebot/racebot/storage"
)

// draftButtons asks for a draft by replying `draft` in the plan's thread
// and waits for the finished draft; it returns the draft's message and the
// value its Use this button carries.
func (h *harness) draftButtons(thread, user string) (slackfake.Message, string) {
	h.t.Helper()
	h.fake.WaitAck(h.t, h.fake.SendEvent(slackfake.MessageEvent{Channel: "C1", User: user, Text: "draft", ThreadTS: thread}))
	draft := h.fake.WaitMessage(h.t, "C1", func(m slackfake.Message) bool {
		return m.ThreadTS == thread && strings.Contains(string(m.Blocks), actionDraftUse)
	}, "the finished draft with its buttons")
	return draft, useValue(h.t, draft)
}

// useValue is the value of a draft message's Use this button.
func useValue(t *testing.T, m slackfake.Message) string {
	t.Helper()
	var blocks []struct {
		Elements []struct {
			ActionID string `json:"action_id"`
			Value    string `json:"value"`
		} `json:"elements"`
	}
	if err := json.Unmarshal(m.Blocks, &blocks); err != nil {
		t.Fatalf("draft blocks: %v", err)
	}
	for _, b := range blocks {
		for _, e := range b.Elements {
			if e.ActionID == actionDraftUse {
				return e.Value
			}
		}
	}
	t.Fatalf("no Use this button in %s", m.Blocks)
	return ""
}

// aDraft is the model's draft in the tests of presses on a draft.
const aDraft = "We roast single-origin coffee and ship it within two days."

// drafted starts a plan, with a model that drafts aDraft, and has Ana ask
// for a draft of its first question. It returns the plan's header, the
// finished draft and the value its Use this button carries.
func drafted(t *testing.T) (h *harness, header, draft slackfake.Message, value string) {
	t.Helper()
	h = newHarness(t, withModel(t, openaifake.New(t, aDraft)))
	h.runSocket()
	header, _, _ = h.firstQuestion("Q1")
	draft, value = h.draftButtons(header.TS, "UANA")
	return h, header, draft, value
}

// press presses a button of the draft as user and waits for racebot's
// answer to the press; it returns the press's response URL.
func (h *harness) press(action, value, user string, draft slackfake.Message) string {
	h.t.Helper()
	url := h.fake.ResponseURL()
	h.fake.WaitAck(h.t, h.fake.SendEvent(slackfake.BlockAction{ActionID: action, Value: value, UserID: user, ChannelID: "C1", MessageTS: draft.TS, ResponseURL: url}))
	h.fake.WaitFor(h.t, func() bool { return len(h.fake.Responses(url)) > 0 }, "the answer to "+action)
	return url
}

// waitUpdated waits for a message of the thread to be replaced by one
// whose text says what is wanted.
func (h *harness) waitUpdated(thread string, done func(text string) bool, what string) {
	h.t.Helper()
	h.fake.WaitFor(h.t, func() bool {
		for _, m := range h.fake.Replies("C1", thread) {
			if m.Updated && done(m.Text) {
				return true
			}
		}
		return false
	}, what)
}

// allTexts is every text given to a question, its co-answers' too.
func allTexts(a flows.Answer) string {
	texts := []string{a.Text}
	for _, o := range a.Also {
		texts = append(texts, o.Text)
	}
	return strings.Join(texts, " | ")
}

// TestUseThisAfterAReplyKeepsTheReply: Ana asks for a draft of the first
// question; while she reads it, Ben answers that question in the thread.
// Ana then presses Use this. Ben's words stay in the plan (the draft joins
// them as a co-answer, as a late reply would).
func TestUseThisAfterAReplyKeepsTheReply(t *testing.T) {
	t.Parallel()
	h, header, draft, value := drafted(t)
	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.MessageEvent{Channel: "C1", User: "UBEN", Text: "Handmade ceramic mugs.", ThreadTS: header.TS}))
	h.threadMessage("C1", header.TS, "value proposition")

	h.press(actionDraftUse, value, "UANA", draft)

	got := allTexts(h.plan(slackfake.TeamID, "C1", "Q1").Answers[flows.QuestionBusiness])
	if !strings.Contains(got, "Handmade ceramic mugs.") {
		t.Errorf("Ben's answer is gone after Ana used an older draft: %q", got)
	}
	if !strings.Contains(got, "single-origin") {
		t.Errorf("the used draft is not in the plan: %q", got)
	}
}

// TestEditedDraftAfterAReplyKeepsTheReply: Ana opens the draft in its Edit
// form; while she polishes it, Ben answers the question in the thread.
// Saving her form must not replace Ben's answer, which she never saw.
func TestEditedDraftAfterAReplyKeepsTheReply(t *testing.T) {
	t.Parallel()
	h, header, draft, value := drafted(t)
	view := h.openDraftEdit(draft, value)

	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.MessageEvent{Channel: "C1", User: "UBEN", Text: "Handmade ceramic mugs.", ThreadTS: header.TS}))
	h.threadMessage("C1", header.TS, "value proposition")

	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.ViewSubmission{ViewID: view.ID, UserID: "UANA", Values: map[string]map[string]slackfake.Input{
		inputBlockID(flows.QuestionBusiness): {answerActionID: {Type: "plain_text_input", Value: "We roast single-origin coffee and ship it next day."}},
	}}))
	h.fake.WaitFor(t, func() bool {
		return strings.Contains(allTexts(h.plan(slackfake.TeamID, "C1", "Q1").Answers[flows.QuestionBusiness]), "next day")
	}, "Ana's edited draft saved")
	if got := allTexts(h.plan(slackfake.TeamID, "C1", "Q1").Answers[flows.QuestionBusiness]); !strings.Contains(got, "Handmade ceramic mugs.") {
		t.Errorf("Ben's answer is gone after Ana saved her edited draft: %q", got)
	}
}

// TestDiscardAfterUseThisSaysItWasUsed: Ana presses Use this and Ben,
// looking at the same draft, presses Discard a moment later. The draft is
// the answer; Ben's press must not replace the message with "Draft
// discarded.", which would tell the channel the opposite.
func TestDiscardAfterUseThisSaysItWasUsed(t *testing.T) {
	t.Parallel()
	h, _, draft, value := drafted(t)
	h.press(actionDraftUse, value, "UANA", draft)
	discard := h.press(actionDraftDiscard, value, "UBEN", draft)

	if got := h.plan(slackfake.TeamID, "C1", "Q1").Answers[flows.QuestionBusiness]; !got.Drafted {
		t.Fatalf("the draft is not the answer: %+v", got)
	}
	for _, r := range h.fake.Responses(discard) {
		if r.ReplaceOriginal && strings.Contains(r.Text, "discarded") {
			t.Errorf("the used draft's message was replaced with %q", r.Text)
		}
	}
}

// TestDiscardAtTheSameMomentAsUseThisShowsItWasUsed: Ben presses Discard
// and Ana Use this on one draft at the same moment. Ben's press finds the
// draft unused, Ana's saves it, and Ben's "Draft discarded." reaches Slack
// after Ana's "Used as the answer". The draft is the answer, so that is
// what the message must end up saying, and Ben hears why.
func TestDiscardAtTheSameMomentAsUseThisShowsItWasUsed(t *testing.T) {
	t.Parallel()
	h, _, draft, value := drafted(t)
	releaseDiscard := h.fake.Hold(slackfake.MethodResponseURL)
	discard := h.fake.ResponseURL()
	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.BlockAction{ActionID: actionDraftDiscard, Value: value, UserID: "UBEN", ChannelID: "C1", MessageTS: draft.TS, ResponseURL: discard}))
	h.fake.WaitFor(t, func() bool { return h.fake.InFlight(slackfake.MethodResponseURL) == 1 }, "Ben's Discard on its way to the message")

	releaseUse := h.fake.Hold(slackfake.MethodResponseURL)
	use := h.fake.ResponseURL()
	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.BlockAction{ActionID: actionDraftUse, Value: value, UserID: "UANA", ChannelID: "C1", MessageTS: draft.TS, ResponseURL: use}))
	h.fake.WaitFor(t, func() bool { return h.fake.InFlight(slackfake.MethodResponseURL) == 2 }, "Ana's Use this on its way to the message")
	releaseUse()
	h.fake.WaitFor(t, func() bool { return len(h.fake.Responses(use)) > 0 }, "Ana's Use this shown")
	releaseDiscard()

	if got := h.plan(slackfake.TeamID, "C1", "Q1").Answers[flows.QuestionBusiness]; !got.Drafted {
		t.Fatalf("the draft is not the answer: %+v", got)
	}
	h.fake.WaitFor(t, func() bool {
		for _, r := range h.fake.Responses(discard) {
			if r.ResponseType == "ephemeral" && strings.Contains(r.Text, "already used") {
				return true
			}
		}
		return false
	}, "Ben told the draft was used")
	shown := ""
	for _, r := range h.fake.Responses("") {
		if (r.URL == discard || r.URL == use) && r.ReplaceOriginal {
			shown = r.Text
		}
	}
	if !strings.Contains(shown, "Used as the answer") {
		t.Errorf("the saved draft's message ends up saying %q", shown)
	}
}

// TestSecondUseThisTellsOnlyItsPresser: Ana and Ben both press Use this on
// one draft. It is saved once, and the thread is not told by the second
// press that "That draft is already the saved answer" — a note for the
// presser alone, as a losing Draft or Skip press gets.
func TestSecondUseThisTellsOnlyItsPresser(t *testing.T) {
	t.Parallel()
	h, header, draft, value := drafted(t)
	h.press(actionDraftUse, value, "UANA", draft)
	h.threadMessage("C1", header.TS, "Saved the draft as the answer")
	h.press(actionDraftUse, value, "UBEN", draft)
	time.Sleep(300 * time.Millisecond) // let a thread post, if any, go out
	h.fake.WaitFor(t, func() bool { return h.bot.outbox.queued("C1") == 0 && h.fake.InFlight("chat.postMessage") == 0 }, "the thread's queue to empty")
	if n := countReplies(h.fake, "C1", header.TS, "already the saved answer"); n != 0 {
		t.Errorf("the thread got %d note(s) that the draft was saved already", n)
	}
}

// TestUseThisOnADeletedPlansDraft: the plan is deleted after its draft
// was posted; Use this says so and saves nothing.
func TestUseThisOnADeletedPlansDraft(t *testing.T) {
	t.Parallel()
	h, _, draft, value := drafted(t)
	p := h.plan(slackfake.TeamID, "C1", "Q1")
	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.SlashCommand{Command: "/race", Text: "delete Q1 --yes", UserID: "UANA", ChannelID: "C1"}))
	h.fake.WaitFor(t, func() bool { _, err := h.db.Plan(t.Context(), p.Team, p.ID); return err != nil }, "the plan deleted")
	url := h.press(actionDraftUse, value, "UANA", draft)
	if r := h.fake.Responses(url)[0]; !strings.Contains(r.Text, "no longer exists") {
		t.Errorf("response = %q", r.Text)
	}
}

// TestPrivacyOnBeforeTheModelIsAskedKeepsAnswersAway: a draft is on its
// way (its "Drafting…" message waits for Slack, as in a busy channel)
// when the team turns privacy on, in Slack or through another racebot on
// the same database file (a terminal, a second process). The model must
// not be asked: the plan is private by the time its text would leave, and
// the check before the request sees the other process's commit, not a
// plan this process cached before it.
func TestPrivacyOnBeforeTheModelIsAskedKeepsAnswersAway(t *testing.T) {
	t.Parallel()
	for _, where := range []string{"in Slack", "in another process"} {
		t.Run(where, func(t *testing.T) {
			llm := openaifake.New(t, "A draft the model should never have been asked for.")
			h := newHarness(t, withModel(t, llm))
			h.runSocket()
			header, _, p := h.firstQuestion("Q1")
			h.fake.WaitAck(t, h.fake.SendEvent(slackfake.MessageEvent{Channel: "C1", User: "UANA", Text: "We roast coffee beans for cafés.", ThreadTS: header.TS}))
			h.threadMessage("C1", header.TS, "value proposition")

			release := h.fake.Hold("chat.postMessage")
			defer release()
			h.fake.WaitAck(t, h.fake.SendEvent(slackfake.MessageEvent{Channel: "C1", User: "UBEN", Text: "draft", ThreadTS: header.TS}))
			h.fake.WaitFor(t, func() bool { return h.fake.InFlight("chat.postMessage") == 1 }, "the draft's placeholder on its way")

			if where == "in Slack" {
				h.privacyOn()
			} else {
				db, err := storage.Open(t.Context(), h.db.Path())
				if err != nil {
					t.Fatal(err)
				}
				defer db.Close()
				other := coach.New(coach.Config{Catalogue: flows.RACE(), Store: db, Reminders: db})
				if _, err := other.Handle(t.Context(), coach.Request{Team: p.Team, Channel: "C1", User: "UANA", Text: "privacy on", Command: true, Now: h.bot.now(), Key: "other:privacy"}); err != nil {
					t.Fatal(err)
				}
			}
			release()
			h.waitUpdated(header.TS, func(text string) bool { return !strings.Contains(text, "Drafting") }, "the draft to finish")
			if n := len(llm.Requests()); n != 0 {
				t.Errorf("%d request(s) sent the plan's answers to the model after privacy was turned on", n)
			}
		})
	}
}

// TestPrivacyOnDuringARetryKeepsAnswersAway: the model's first answer to a
// draft is a 503, slow to come; the team turns privacy on meanwhile. The
// client's retry must not send the plan's answers again.
func TestPrivacyOnDuringARetryKeepsAnswersAway(t *testing.T) {
	t.Parallel()
	llm := openaifake.New(t, "A draft the model should not have been asked for again.")
	h := newHarness(t, withModelRetrying(t, llm, 2))
	h.runSocket()
	header, _, _ := h.firstQuestion("Q1")
	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.MessageEvent{Channel: "C1", User: "UANA", Text: "We roast coffee beans for cafés.", ThreadTS: header.TS}))
	h.threadMessage("C1", header.TS, "value proposition")

	llm.Fail(503)
	// The 503 waits for privacy to be on, however long that takes.
	release := llm.Hold()
	defer release()
	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.MessageEvent{Channel: "C1", User: "UBEN", Text: "draft", ThreadTS: header.TS}))
	h.fake.WaitFor(t, func() bool { return len(llm.Requests()) == 1 }, "the model asked once")
	h.privacyOn()
	release()
	h.waitUpdated(header.TS, func(text string) bool { return strings.Contains(text, "built-in coach") }, "the draft to end in the built-in help")
	if n := len(llm.Requests()); n != 1 {
		t.Errorf("%d request(s) sent the plan's answers to the model after privacy was turned on", n-1)
	}
}

// privacyOn turns privacy on for C1's plan Q1.
func (h *harness) privacyOn() {
	h.t.Helper()
	h.fake.WaitAck(h.t, h.fake.SendEvent(slackfake.SlashCommand{Command: "/race", Text: "privacy on", UserID: "UANA", ChannelID: "C1"}))
	if !h.plan(slackfake.TeamID, "C1", "Q1").Privacy {
		h.t.Fatal("privacy is not on after its command was acknowledged")
	}
}

// TestDraftWhenTheModelFails: a failing model gives the built-in help
// with a note, in place of the placeholder.
func TestDraftWhenTheModelFails(t *testing.T) {
	t.Parallel()
	for _, status := range []int{500, 401} {
		t.Run(strconv.Itoa(status), func(t *testing.T) {
			llm := openaifake.New(t, "x")
			llm.Fail(status)
			h := newHarness(t, withModel(t, llm))
			h.runSocket()
			header, _, _ := h.firstQuestion("Q1")
			h.fake.WaitAck(t, h.fake.SendEvent(slackfake.MessageEvent{Channel: "C1", User: "UANA", Text: "draft", ThreadTS: header.TS}))
			h.waitUpdated(header.TS, func(text string) bool { return strings.Contains(text, "built-in coach") }, "the built-in help with a note")
		})
	}
}

// TestRetriedDraftWhileTheModelIsSlowDraftsOnce: the model takes longer
// than Slack waits; Slack delivers the `draft` reply again meanwhile, and
// a Draft with AI press comes twice too. Each asks the model once and
// posts one draft, after an ack in time.
func TestRetriedDraftWhileTheModelIsSlowDraftsOnce(t *testing.T) {
	t.Parallel()
	for _, by := range []string{"reply", "press"} {
		t.Run(by, func(t *testing.T) {
			llm := openaifake.New(t, aDraft)
			release := llm.Hold()
			t.Cleanup(release)
			h := newHarness(t, withModel(t, llm))
			h.runSocket()
			header, q1, p := h.firstQuestion("Q1")
			var ask slackfake.Payload
			if by == "reply" {
				ask = slackfake.MessageEvent{Channel: "C1", User: "UANA", Text: "draft", ThreadTS: header.TS}
			} else {
				ask = slackfake.BlockAction{ActionID: actionDraft, Value: planValue(p, flows.QuestionBusiness), UserID: "UANA", ChannelID: "C1", MessageTS: q1.TS}
			}
			env := h.fake.SendEvent(ask)
			h.fake.WaitAck(t, env)
			h.fake.WaitFor(t, func() bool { return len(llm.Requests()) == 1 }, "the model asked")
			h.fake.WaitAck(t, h.fake.Redeliver(env))
			release() // the model answers once the redelivery is handled
			h.fake.WaitMessage(t, "C1", func(m slackfake.Message) bool {
				return m.ThreadTS == header.TS && strings.Contains(string(m.Blocks), actionDraftUse)
			}, "the finished draft")
			time.Sleep(300 * time.Millisecond) // let a second request, if any, reach the model
			if n := len(llm.Requests()); n != 1 {
				t.Errorf("model requests = %d, want 1", n)
			}
			if n := countReplies(h.fake, "C1", header.TS, "Drafting an answer"); n > 1 {
				t.Errorf("%d drafts posted", n)
			}
		})
	}
}

// openDraftEdit presses Edit under a draft as Ana and returns the form
// that opens.
func (h *harness) openDraftEdit(draft slackfake.Message, value string) slackfake.View {
	h.t.Helper()
	h.fake.WaitAck(h.t, h.fake.SendEvent(slackfake.BlockAction{ActionID: actionDraftEdit, Value: value, UserID: "UANA", ChannelID: "C1", MessageTS: draft.TS}))
	var view slackfake.View
	h.fake.WaitFor(h.t, func() bool {
		for _, v := range h.fake.Views() {
			if v.CallbackID == callbackEditAnswers && v.UserID == "UANA" {
				view = v
				return true
			}
		}
		return false
	}, "the draft's Edit form")
	return view
}
