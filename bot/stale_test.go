package bot

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/racebot/racebot/coach"
	"github.com/racebot/racebot/flows"
	"github.com/racebot/racebot/internal/slackfake"
)

// heldLoads holds the first n plan loads after arm until all n have
// arrived, so that n requests see the plan as it was before any of them.
type heldLoads struct {
	coach.Store
	mu      sync.Mutex
	waiting int
	release chan struct{}
}

func (s *heldLoads) arm(n int) {
	s.mu.Lock()
	s.waiting, s.release = n, make(chan struct{})
	s.mu.Unlock()
}

func (s *heldLoads) Plan(ctx context.Context, team string, id flows.PlanID) (*flows.Plan, error) {
	p, err := s.Store.Plan(ctx, team, id)
	s.mu.Lock()
	if s.waiting == 0 {
		s.mu.Unlock()
		return p, err
	}
	s.waiting--
	ch := s.release
	if s.waiting == 0 {
		close(ch)
	}
	s.mu.Unlock()
	select {
	case <-ch:
	case <-time.After(slackfake.DefaultWaitTimeout):
	}
	return p, err
}

// withHeldLoads is a running harness whose plan loads can be held (see
// heldLoads), so that two requests both read a plan before either commits.
func withHeldLoads(t *testing.T) (*harness, *heldLoads) {
	t.Helper()
	held := &heldLoads{}
	h := newHarness(t, func(s *setup) { held.Store = s.Store; s.Store = held })
	h.runSocket()
	return h, held
}

// TestSkipPressedByTwoAtOnceSkipsOneQuestion: Ana and Ben press Skip under
// the first question at the same moment, both having seen the plan before
// either press landed. The first question is skipped once; the second,
// which nobody has seen, stays open, and the press that lost is told so
// privately.
func TestSkipPressedByTwoAtOnceSkipsOneQuestion(t *testing.T) {
	t.Parallel()
	h, held := withHeldLoads(t)
	header, p := h.newPlanInSlack("Q1")
	h.settle()

	held.arm(2)
	a := h.fake.SendEvent(slackfake.BlockAction{ActionID: actionSkip, Value: planValue(p, flows.QuestionBusiness), UserID: "UANA", ChannelID: "C1", MessageTS: header.TS})
	b := h.fake.SendEvent(slackfake.BlockAction{ActionID: actionSkip, Value: planValue(p, flows.QuestionBusiness), UserID: "UBEN", ChannelID: "C1", MessageTS: header.TS})
	h.fake.WaitAck(t, a)
	h.fake.WaitAck(t, b)
	h.settle()

	got := h.plan(slackfake.TeamID, "C1", "Q1")
	var skipped []string
	for q, ok := range got.Skipped {
		if ok {
			skipped = append(skipped, q)
		}
	}
	if len(skipped) != 1 || got.Cursor.Step != 1 {
		t.Errorf("two presses of Skip under question 1 skipped %v, cursor %+v; want only %s skipped, cursor on step 1", skipped, got.Cursor, flows.QuestionBusiness)
	}
	// The press that lost is told so privately, not in the thread.
	for _, m := range h.fake.Replies("C1", header.TS) {
		if strings.Contains(m.Text, "moved on since you saw it") {
			t.Errorf("the losing press's note is posted in the thread for all:\n%s", m.Text)
		}
	}
	told := 0
	for _, r := range h.fake.Responses("") {
		if strings.Contains(r.Text, "moved on since you saw it") {
			told++
		}
	}
	if told != 1 {
		t.Errorf("%d presses told privately that the question moved on, want 1", told)
	}
}

// TestStaleButtonsOfADeletedPlanReachNoOther: Ana asks to delete plan
// "Old" and gets the confirmation button; Ben deletes "Old" himself and
// starts "New" in the same channel. Old's buttons must not act on New:
// New never takes Old's id.
func TestStaleButtonsOfADeletedPlanReachNoOther(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.runSocket()
	oldHeader, old := h.newPlanInSlack("Old")

	a := h.fake.WaitAck(t, h.fake.SendEvent(slackfake.SlashCommand{Command: "/race", Text: "delete Old", UserID: "UANA", ChannelID: "C1"}))
	if !strings.Contains(string(a.Payload), actionDeleteConfirm) {
		t.Fatalf("no confirm button: %s", a.Payload)
	}
	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.SlashCommand{Command: "/race", Text: "delete Old --yes", UserID: "UBEN", ChannelID: "C1"}))
	h.settle()
	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.SlashCommand{Command: "/race", Text: "new New", UserID: "UBEN", ChannelID: "C1"}))
	newHeader := h.header("C1", "New")
	h.threadMessage("C1", newHeader.TS, "What does the business sell")
	h.settle()
	if fresh := h.plan(slackfake.TeamID, "C1", "New"); fresh.ID == old.ID {
		t.Errorf("New took deleted Old's id %d", old.ID)
	}

	// Ana's stale Skip, under Old's first question.
	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.BlockAction{ActionID: actionSkip, Value: planValue(old, flows.QuestionBusiness), UserID: "UANA", ChannelID: "C1", MessageTS: oldHeader.TS}))
	h.settle()
	if got := h.plan(slackfake.TeamID, "C1", "New"); got.Skipped[flows.QuestionBusiness] {
		t.Errorf("a Skip pressed under deleted plan Old skipped New's first question")
	}

	// Ana's stale Confirm.
	url := h.fake.ResponseURL()
	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.BlockAction{ActionID: actionDeleteConfirm, Value: strconv.FormatInt(int64(old.ID), 10), UserID: "UANA", ChannelID: "C1", ResponseURL: url}))
	h.fake.WaitFor(t, func() bool { return len(h.fake.Responses(url)) == 1 }, "the answer to the stale confirm")
	h.settle()
	if _, err := h.db.PlanByName(context.Background(), slackfake.TeamID, "C1", "New"); err != nil {
		t.Errorf("plan New is gone after a stale Confirm for Old: %v; the press was answered %q", err, h.fake.Responses(url)[0].Text)
	}
	if got := h.fake.Responses(url)[0].Text; !strings.Contains(got, "no longer exists") {
		t.Errorf("the stale confirm was answered %q, want that the plan no longer exists", got)
	}
}

// TestEditFormLeavesAFieldShownEmptyAlone: Ben opens the "Edit answers" form
// while the first question is unanswered; Ana then answers it in the
// thread. Ben fills in only the second question and saves, leaving the
// first field as he saw it (empty). His answer must be saved and Ana's
// must stay; instead the form is refused with "Answers can't be emptied"
// on a field Ben never touched.
func TestEditFormLeavesAFieldShownEmptyAlone(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.runSocket()
	header, p := h.newPlanInSlack("Q1")
	cat := flows.RACE()
	steps := cat.Stages[0].Steps()

	view := h.openView(slackfake.BlockAction{ActionID: actionEditStage, Value: planValue(p, "plan"), UserID: "UBEN", ChannelID: "C1"})

	// Ana answers the first question in the thread meanwhile.
	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.MessageEvent{Channel: "C1", User: "UANA", Text: "We sell coffee.", ThreadTS: header.TS}))
	h.threadMessage("C1", header.TS, "value proposition")

	ack := h.fake.WaitAck(t, h.fake.SendEvent(slackfake.ViewSubmission{ViewID: view.ID, UserID: "UBEN", Values: map[string]map[string]slackfake.Input{
		inputBlockID(steps[0].ID): {answerActionID: {Type: "plain_text_input", Value: ""}}, // untouched, as shown
		inputBlockID(steps[1].ID): {answerActionID: {Type: "plain_text_input", Value: "Fresh beans, delivered in a day."}},
	}}))
	h.settle()
	got := h.plan(slackfake.TeamID, "C1", "Q1")
	if a := got.Answers[steps[0].ID].Text; a != "We sell coffee." {
		t.Errorf("Ana's answer = %q, want it kept", a)
	}
	if a := got.Answers[steps[1].ID].Text; a != "Fresh beans, delivered in a day." {
		t.Errorf("Ben's answer = %q, want it saved; ack = %s", a, ack.Payload)
	}
	var va viewAck
	if json.Unmarshal(ack.Payload, &va) == nil && va.ResponseAction == "errors" {
		t.Errorf("the form was refused: %v", va.Errors)
	}
}

// TestScoreButtonActsOnlyInItsChannel: the "Rate capability" button
// of C1's plan, pressed in C2 (copied, or its value forged), must be
// refused like every other plan button; instead it opens the capability
// form of C1's plan (preset with C1's last ratings), and the form saves a
// rating into C1's history and posts it in C1's thread.
func TestScoreButtonActsOnlyInItsChannel(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.runSocket()
	header, p := h.newPlanInSlack("Secret")
	cat := flows.RACE()
	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.SlashCommand{Command: "/race", Text: "new Mine", UserID: "UEVE", ChannelID: "C2"}))
	mine := h.header("C2", "Mine")
	h.threadMessage("C2", mine.TS, "What does the business sell")
	h.settle()
	opened := len(h.fake.Calls("views.open"))

	url := h.fake.ResponseURL()
	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.BlockAction{ActionID: actionScoreOpen, Value: strconv.FormatInt(int64(p.ID), 10),
		UserID: "UEVE", ChannelID: "C2", MessageTS: mine.TS, ResponseURL: url, TriggerID: h.fake.TriggerFor("UEVE")}))
	h.settle()
	if n := len(h.fake.Calls("views.open")) - opened; n != 0 {
		views := h.fake.Views()
		v := views[len(views)-1]
		t.Errorf("a press in C2 opened %d form(s) on C1's plan; metadata %s", n, v.PrivateMetadata)
		h.fake.WaitAck(t, h.fake.SendEvent(slackfake.ViewSubmission{ViewID: v.ID, UserID: "UEVE", Values: scoreValues(cat, 1, 1, 1, 1, 1)}))
		h.settle()
	}
	if got := h.fake.Responses(url); len(got) != 1 || got[0].Text != "That button belongs to another channel's plan." {
		t.Errorf("responses to the press = %+v, want one refusal", got)
	}
	if hist, _ := h.db.CapabilityHistory(context.Background(), slackfake.TeamID, "C1", 5); len(hist) != 0 {
		t.Errorf("C1 has %d capability ratings from a press in C2 (by %s)", len(hist), hist[0].By)
	}
	if n := h.countReplies("C1", header.TS, "Invest next"); n != 0 {
		t.Errorf("the rating from C2 was posted %d times in C1's thread", n)
	}
}

// TestValuesFormSavedAsShownUndoesNoCorrection: Ben opens the values form
// of a check-in in which Ana already gave visitors 12.4k (the field is
// filled in). Meanwhile Ana corrects the value in the thread to 12.6k. Ben
// types only his lead rate and saves. The visitors value stays Ana's
// 12.6k: the field saved as shown is left alone, not recorded again under
// Ben.
func TestValuesFormSavedAsShownUndoesNoCorrection(t *testing.T) {
	t.Parallel()
	h, p, clk := checkinSetup(t)
	id, opening := h.openCheckin(p)
	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.MessageEvent{Channel: "C1", User: "UANA", Text: "visitors 12.4k", ThreadTS: opening.TS}))
	h.threadMessage("C1", opening.TS, "Recorded: Unique visitors 12.4k")
	clk.Add(1e9)

	// Ben (owner of the lead rate) opens the form: visitors prefilled 12.4k.
	view := h.openView(slackfake.BlockAction{ActionID: actionEnterValues, Value: strconv.FormatInt(id, 10), UserID: "UBEN", ChannelID: "C1"})
	if want := `"initial_value":"12.4k"`; !strings.Contains(string(view.JSON), want) {
		t.Fatalf("form not prefilled: %s", view.JSON)
	}
	clk.Add(1e9)
	// Ana corrects her value in the thread.
	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.MessageEvent{Channel: "C1", User: "UANA", Text: "visitors 12.6k", ThreadTS: opening.TS}))
	h.threadMessage("C1", opening.TS, "Recorded: Unique visitors 12.6k")
	clk.Add(1e9)

	// Ben enters only his lead rate; the visitors field is as it was shown.
	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.ViewSubmission{ViewID: view.ID, UserID: "UBEN", Values: map[string]map[string]slackfake.Input{
		"kpi:visitors":  {valueActionID: {Type: "plain_text_input", Value: "12.4k"}},
		"kpi:lead-rate": {valueActionID: {Type: "plain_text_input", Value: "2%"}},
	}}))
	h.settle()

	ms, err := h.db.Measurements(context.Background(), p.Team, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	var visitors flows.KPI
	for _, k := range h.plan(slackfake.TeamID, "C1", "Q1").KPIs {
		if k.Key == "visitors" {
			visitors = k
		}
	}
	s := flows.SummarizeCheckin(h.plan(slackfake.TeamID, "C1", "Q1").KPIs, ms, id, clk.Now())
	for _, l := range s.Lines {
		if l.KPI.ID == visitors.ID && l.Latest != nil {
			if got := flows.FormatValue(l.Latest.Value); got != "12.6k" && got != "12,600" {
				t.Errorf("check-in's visitors value = %s (by %s), want Ana's correction 12.6k", got, l.Latest.By)
			}
		}
	}
	n := 0
	for _, m := range ms[visitors.ID] {
		if m.Checkin == id {
			n++
		}
	}
	if n != 2 {
		t.Errorf("%d visitors values recorded in the check-in, want Ana's 2", n)
	}
}
