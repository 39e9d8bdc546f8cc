package bot

import (
	"cmp"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/racebot/racebot/flows"
	"github.com/racebot/racebot/internal/slackfake"
	"github.com/slack-go/slack"
)

// TestStaleCheckinButtonKeepsANewerStatus: a check-in's opening shows
// "Cart recovery emails" open, with its buttons. Ben marks it done since,
// with `action done 1`; the opening's buttons still show it open. Ana's
// press of its "Drop" keeps Ben's done and tells her alone, in one
// sentence, what it is now and who set it. A button posted before the
// buttons said what they were shown with still sets the status as it did.
func TestStaleCheckinButtonKeepsANewerStatus(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.runSocket()
	p, opening := h.checkinOfActions("Cart recovery emails")
	drop := statusControlIn(t, opening.Blocks, "Drop: Cart recovery emails")

	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.SlashCommand{Command: "/race", Text: "action done 1", UserID: "UBEN", ChannelID: "C1"}))
	h.fake.WaitFor(t, func() bool { return h.plan(p.Team, p.Channel, p.Name).Actions[0].State() == flows.ActionDone }, "Ben's done")
	h.settle()

	url := h.fake.ResponseURL()
	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.BlockAction{ActionID: actionSetStatus, Value: drop.value, BlockID: drop.blockID, UserID: "UANA", ChannelID: "C1", MessageTS: opening.TS, ResponseURL: url}))
	h.settle()
	if a := h.plan(p.Team, p.Channel, p.Name).Actions[0]; a.State() != flows.ActionDone || a.StatusBy != "UBEN" {
		t.Errorf("after Ana's press of a button shown while the action was open, it is %s by %s, want Ben's done", a.State(), a.StatusBy)
	}
	if n := h.countReplies("C1", opening.TS, "dropped"); n != 0 {
		t.Errorf("the check-in's thread says the action was dropped:\n%s", h.fake.Dump())
	}
	told := h.notesBeside(url)
	if len(told) != 1 || !strings.Contains(told[0], "done") || !strings.Contains(told[0], "<@UBEN>") {
		t.Errorf("Ana was told %q, want one sentence saying Ben set it done", told)
	}

	// A button from before: plan, action and status, in a block whose id
	// says nothing about what it was shown with.
	old := fmt.Sprintf("%d|%d|%s", p.ID, p.Actions[0].ID, flows.ActionDropped)
	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.BlockAction{ActionID: actionSetStatus, Value: old, BlockID: "due-action", UserID: "UANA", ChannelID: "C1", MessageTS: opening.TS}))
	h.threadMessage("C1", opening.TS, `marked "Cart recovery emails" dropped`)
	if a := h.plan(p.Team, p.Channel, p.Name).Actions[0]; a.State() != flows.ActionDropped {
		t.Errorf("an old button's Drop left the action %s, want dropped", a.State())
	}
}

// statusControlIn is the status button or menu option labelled label in
// blocks, as Slack sends them.
func statusControlIn(t *testing.T, blocks json.RawMessage, label string) statusControl {
	t.Helper()
	for _, c := range statusControlsOf(t, blocks) {
		if c.label == label {
			return c
		}
	}
	t.Fatalf("no %q status control in %s", label, blocks)
	return statusControl{}
}

// statusControlsOf are the status controls in blocks as Slack sends them:
// what a press chooses from, and what a redraw is checked by.
func statusControlsOf(t *testing.T, blocks json.RawMessage) []statusControl {
	t.Helper()
	var bs slack.Blocks
	if err := json.Unmarshal(blocks, &bs); err != nil {
		t.Fatalf("blocks %s: %v", blocks, err)
	}
	return statusControls(bs.BlockSet)
}

// checkinOfActions starts plan Q1 in C1 with actions of texts and opens a
// check-in of it, whose opening holds their status buttons: where the
// tests of a press on them start.
func (h *harness) checkinOfActions(texts ...string) (*flows.Plan, slackfake.Message) {
	h.t.Helper()
	p := h.planOfActions(texts...)
	_, opening := h.openCheckin(p)
	return p, opening
}

// planOfActions starts plan Q1 in C1 with actions of texts, all open:
// where the tests of an action list start.
func (h *harness) planOfActions(texts ...string) *flows.Plan {
	h.t.Helper()
	_, p := h.newPlanInSlack("Q1")
	return h.addActions(p, texts...)
}

// TestStaleActionListKeepsANewerStatus: Ana's action list shows "Cart
// recovery emails" open; Ben marks it done with `action done 1`. Ana's
// choice of "Drop" from her list keeps Ben's done: her list is redrawn
// with it, and she alone is told who set it.
func TestStaleActionListKeepsANewerStatus(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.runSocket()
	p := h.planOfActions("Cart recovery emails")
	drop := h.actionListOf(p)(0, "Drop") // as the list drew it, open
	url := h.fake.ResponseURL()

	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.SlashCommand{Command: "/race", Text: "action done 1", UserID: "UBEN", ChannelID: "C1"}))
	h.fake.WaitFor(t, func() bool { return h.plan(p.Team, p.Channel, p.Name).Actions[0].State() == flows.ActionDone }, "Ben's done")
	h.settle()

	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.BlockAction{ActionID: actionSetStatus, Type: "overflow", SelectedOption: drop.value, BlockID: drop.blockID,
		UserID: "UANA", ChannelID: "C1", IsEphemeral: true, ResponseURL: url}))
	h.settle()
	if a := h.plan(p.Team, p.Channel, p.Name).Actions[0]; a.State() != flows.ActionDone {
		t.Errorf("Ana's choice from a list drawn while the action was open left it %s, want Ben's done", a.State())
	}
	told := h.notesBeside(url)
	if len(told) != 1 || !strings.Contains(told[0], "stays done") || !strings.Contains(told[0], "<@UBEN>") {
		t.Errorf("Ana was told %q, want one sentence saying Ben set it done", told)
	}
	var redrawn []statusControl
	for _, r := range h.fake.Responses(url) {
		if r.ReplaceOriginal {
			redrawn = statusControlsOf(t, r.Blocks)
		}
	}
	if len(redrawn) == 0 || shownIn(redrawn[0].blockID) != flows.ActionDone || slices.ContainsFunc(redrawn, func(c statusControl) bool { return c.label == "Done" }) {
		t.Errorf("after Ana's choice, her list's menu is %+v, want it drawn with Ben's done", redrawn)
	}
}

// TestActionCommandSaysWhichPlanItMarked: Ben reads the actions of Q1,
// the channel's plan, to mark its action 1 done; meanwhile Ana continues
// Q2 in the channel. `/race action done 1` acts on the channel's plan,
// Q2, as every command does; Ben, where he typed it, is told which plan
// and which action it marked, so a number read from another plan's list
// shows at once.
func TestActionCommandSaysWhichPlanItMarked(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.runSocket()
	_, q2 := h.newPlanInSlack("Q2")
	h.addActions(q2, "Gift boxes")
	_, q1 := h.newPlanInSlack("Q1")
	h.addActions(q1, "Cart recovery emails")
	list := h.fake.WaitAck(t, h.fake.SendEvent(slackfake.SlashCommand{Command: "/race", Text: "actions", UserID: "UBEN", ChannelID: "C1"}))
	if !strings.Contains(string(list.Payload), "Cart recovery emails") {
		t.Fatalf("Ben's list is not Q1's: %s", list.Payload)
	}
	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.SlashCommand{Command: "/race", Text: "continue Q2", UserID: "UANA", ChannelID: "C1"}))
	h.settle()

	ack := h.fake.WaitAck(t, h.fake.SendEvent(slackfake.SlashCommand{Command: "/race", Text: "action done 1", UserID: "UBEN", ChannelID: "C1"}))
	got := ackText(t, ack.Payload)
	if !strings.Contains(got, `"Gift boxes"`) || !strings.Contains(got, `"Q2"`) {
		t.Errorf("Ben's acknowledgement is %q, want it to name the action it marked and its plan", got)
	}
	h.settle()
	if a := h.plan(slackfake.TeamID, "C1", "Q2").Actions[0]; a.State() != flows.ActionDone {
		t.Errorf("Q2's action is %s, want done", a.State())
	}
}

// TestActionCommandErrorsSayWhichPlan: /race action acts on the
// channel's current plan, which Ana may have just switched. When it
// cannot mark what Ben asked for (no such number, no actions at all, no
// action with those words), Ben is told which plan it looked in, as he is
// when it marks one; and nothing changes.
func TestActionCommandErrorsSayWhichPlan(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.runSocket()
	_, q2 := h.newPlanInSlack("Q2")
	h.addActions(q2, "Gift boxes")
	h.newPlanInSlack("Q3")
	h.settle()
	for _, tt := range []struct{ plan, text, want string }{
		{"Q2", "action done 7", `In "Q2": There is no action 7`},
		{"Q2", "action doing zebra", `In "Q2": No action matches "zebra"`},
		{"Q3", "action done 1", `In "Q3": This plan has no actions yet`},
	} {
		h.fake.WaitAck(t, h.fake.SendEvent(slackfake.SlashCommand{Command: "/race", Text: "continue " + tt.plan, UserID: "UANA", ChannelID: "C1"}))
		h.settle()
		ack := h.fake.WaitAck(t, h.fake.SendEvent(slackfake.SlashCommand{Command: "/race", Text: tt.text, UserID: "UBEN", ChannelID: "C1"}))
		if got := ackText(t, ack.Payload); !strings.HasPrefix(got, tt.want) {
			t.Errorf("/race %s on %s was answered %q, want %q", tt.text, tt.plan, got, tt.want)
		}
	}
	h.settle()
	if a := h.plan(slackfake.TeamID, "C1", "Q2").Actions[0]; a.State() != flows.ActionOpen {
		t.Errorf("Q2's action is %s, want it left open", a.State())
	}
}

// TestPreviousRacebotReadsStatusControls: while racebots are replaced one
// by one (or one is rolled back), a press on a check-in's button or a
// list's menu may reach a racebot of the version before the controls said
// what they were shown with. It read "plan|action|status" and dropped,
// silently, any value it could not read; a check-in is never redrawn, so
// its buttons must stay readable by it. What they were shown with rides
// in their block's id, which it never read.
func TestPreviousRacebotReadsStatusControls(t *testing.T) {
	p := &flows.Plan{ID: 7, Name: "Q1", Actions: []flows.Action{
		{ID: 11, Number: 1, Text: "Cart recovery emails"},
		{ID: 12, Number: 2, Text: "Webinar series", Status: flows.ActionDoing, StatusBy: "UBEN"},
	}}
	// The version before's parseStatusValue, as it was.
	previous := func(v string) (int64, bool) {
		_, rest, ok := parsePlanValue(v)
		if !ok {
			return 0, false
		}
		id, st, ok := strings.Cut(rest, "|")
		n, err := strconv.ParseInt(id, 10, 64)
		_, known := flows.ParseActionStatus(st)
		return n, ok && err == nil && n > 0 && known
	}
	opening := checkinOpening(p, flows.Say(flows.Text("Check-in")), p.Actions)
	list := actionListBlocks(blockIDs{}, p, flows.ActionListReply(p, time.Now()), "Actions")
	controls := statusControls(append(opening.Blocks, list...))
	if len(controls) != 5+6 {
		t.Fatalf("%d status controls drawn, want a check-in's 3+2 buttons and a list's 3+3 options: %+v", len(controls), controls)
	}
	for _, c := range controls {
		id, ok := previous(c.value)
		if !ok {
			t.Errorf("the previous racebot cannot read the value %q of %q", c.value, c.label)
			continue
		}
		a := p.Actions[slices.IndexFunc(p.Actions, func(a flows.Action) bool { return a.ID == id })]
		if _, _, _, shown, _ := parseStatusValue(c.value); cmp.Or(shown, shownIn(c.blockID)) != a.State() {
			t.Errorf("%q (value %q, block %q) does not say it was shown with %q", c.label, c.value, c.blockID, a.State())
		}
	}
}

// statusControl is one status button or menu option as drawn.
type statusControl struct{ label, value, blockID string }

// statusControls are the status buttons and menu options in blocks.
func statusControls(blocks []slack.Block) []statusControl {
	var out []statusControl
	for _, b := range blocks {
		switch b := b.(type) {
		case *slack.ActionBlock:
			for _, e := range b.Elements.ElementSet {
				if e, ok := e.(*slack.ButtonBlockElement); ok && e.ActionID == actionSetStatus {
					out = append(out, statusControl{e.Text.Text, e.Value, b.BlockID})
				}
			}
		case *slack.SectionBlock:
			if b.Accessory == nil || b.Accessory.OverflowElement == nil || b.Accessory.OverflowElement.ActionID != actionSetStatus {
				continue
			}
			for _, o := range b.Accessory.OverflowElement.Options {
				out = append(out, statusControl{o.Text.Text, o.Value, b.BlockID})
			}
		}
	}
	return out
}

// TestCheckinButtonsShowTheStatusAfterAPress: Ben marks "Cart recovery
// emails" done with `action done 1` while the check-in's opening shows it
// open. Ana's press of its "Drop" is refused, and the opening's buttons
// are redrawn with Ben's done, so the next person is not misled too. Then
// Ana and Ben press at once, "Under way" and "Drop": the opening ends
// showing the status the action ends with, whichever drawing was asked
// for first.
func TestCheckinButtonsShowTheStatusAfterAPress(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.runSocket()
	p, opening := h.checkinOfActions("Cart recovery emails")
	drop := statusControlIn(t, opening.Blocks, "Drop: Cart recovery emails")

	h.slashAck("UBEN", "action done 1")
	h.fake.WaitFor(t, func() bool { return h.plan(p.Team, p.Channel, p.Name).Actions[0].State() == flows.ActionDone }, "Ben's done")
	h.settle()
	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.BlockAction{ActionID: actionSetStatus, Value: drop.value, BlockID: drop.blockID, UserID: "UANA", ChannelID: "C1", MessageTS: opening.TS}))
	h.settle()
	shows := func() []statusControl {
		m, ok := h.message("C1", opening.TS)
		if !ok {
			t.Fatalf("no opening at %s", opening.TS)
		}
		return statusControlsOf(t, m.Blocks)
	}
	now := shows()
	if slices.ContainsFunc(now, func(c statusControl) bool { return strings.HasPrefix(c.label, "Done:") }) || len(now) == 0 || shownIn(now[0].blockID) != flows.ActionDone {
		t.Errorf("after Ana's refused press, the opening's buttons are %+v, want them drawn with Ben's done", now)
	}

	labelled := func(label string) statusControl {
		i := slices.IndexFunc(now, func(c statusControl) bool { return c.label == label })
		if i < 0 {
			t.Fatalf("no %q button in %+v", label, now)
		}
		return now[i]
	}
	doing, dropNow := labelled("Under way: Cart recovery emails"), labelled("Drop: Cart recovery emails")
	release := h.fake.Hold("chat.update")
	h.fake.SendEvent(slackfake.BlockAction{ActionID: actionSetStatus, Value: doing.value, BlockID: doing.blockID, UserID: "UANA", ChannelID: "C1", MessageTS: opening.TS})
	h.fake.SendEvent(slackfake.BlockAction{ActionID: actionSetStatus, Value: dropNow.value, BlockID: dropNow.blockID, UserID: "UBEN", ChannelID: "C1", MessageTS: opening.TS})
	h.fake.WaitFor(t, func() bool {
		return h.countReplies("C1", opening.TS, "under way")+h.countReplies("C1", opening.TS, "dropped") > 0 &&
			h.plan(p.Team, p.Channel, p.Name).Actions[0].State() != flows.ActionDone
	}, "a press landed")
	release()
	h.settle()
	final := h.plan(p.Team, p.Channel, p.Name).Actions[0].State()
	if got := shows(); len(got) == 0 || shownIn(got[0].blockID) != final {
		t.Errorf("after two presses at once the action is %s, and the opening's buttons are %+v", final, got)
	}
}

// TestCheckinButtonsShowEveryPressOfABusyMessage: Ana marks the
// check-in's actions done one after another, each press landing while
// the opening is being redrawn for the one before, so one message's
// redraws never stop taking turns. Every press has its drawing: the
// opening ends showing all six done, not the first five and a stale
// "Done" under the sixth.
func TestCheckinButtonsShowEveryPressOfABusyMessage(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.runSocket()
	texts := []string{"A1", "A2", "A3", "A4", "A5", "A6"}
	p, opening := h.checkinOfActions(texts...)
	key := "C1/" + opening.TS
	press := func(i int) {
		done := statusControlIn(t, opening.Blocks, "Done: "+texts[i])
		h.fake.WaitAck(t, h.fake.SendEvent(slackfake.BlockAction{ActionID: actionSetStatus, Value: done.value, BlockID: done.blockID, UserID: "UANA", ChannelID: "C1", MessageTS: opening.TS}))
		h.fake.WaitFor(t, func() bool { return h.plan(p.Team, p.Channel, p.Name).Actions[i].State() == flows.ActionDone }, texts[i]+" done")
	}

	release := h.fake.Hold("chat.update")
	press(0)
	h.fake.WaitFor(t, func() bool { return h.fake.InFlight("chat.update") == 1 }, "the first drawing on its way")
	for i := 1; i < len(texts); i++ {
		press(i)
		h.fake.WaitFor(t, func() bool { return h.redrawAskedAgain(key) }, "a redraw asked for again")
		next := h.fake.Hold("chat.update")
		release()
		release = next
		h.fake.WaitFor(t, func() bool { return len(h.fake.Calls("chat.update")) == i }, "the drawing held landed")
		h.fake.WaitFor(t, func() bool { return h.fake.InFlight("chat.update") == 1 || !h.redrawRunning(key) }, "the next drawing, or the turn's end")
	}
	release()
	h.settle()
	m, _ := h.message("C1", opening.TS)
	for _, c := range statusControlsOf(t, m.Blocks) {
		if strings.HasPrefix(c.label, "Done:") || shownIn(c.blockID) != flows.ActionDone {
			t.Errorf("after six presses the opening shows %q (block %q), want every action drawn done", c.label, c.blockID)
		}
	}
}

// TestStatusRedrawLeavesAMessageWithoutButtons: a press on a status menu
// of an action list posted in a thread, or on a message whose blocks did
// not come with the press, finds no row of status buttons to redraw; the
// message is not rewritten with what came with the press.
func TestStatusRedrawLeavesAMessageWithoutButtons(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.runSocket()
	p := h.planOfActions("Cart recovery emails")
	list := message{Text: "Actions", Blocks: actionListBlocks(blockIDs{}, p, flows.ActionListReply(p, time.Now()), "Actions")}
	ts, err := h.bot.poster.post(t.Context(), "C1", p.Thread, list)
	if err != nil {
		t.Fatal(err)
	}
	for name, m := range map[string]slack.Msg{"a list": {Text: list.Text, Blocks: slack.Blocks{BlockSet: list.Blocks}}, "no blocks": {}} {
		h.bot.redrawStatuses(t.Context(), p.Team, p.ID, "C1", ts, m)
		if n := len(h.fake.Calls("chat.update")); n != 0 {
			t.Errorf("%s: %d chat.update calls, want none", name, n)
		}
	}
}

// notesBeside lists what racebot said through a press's response_url
// beside the pressed message, not in place of it: the sentence its
// presser is told.
func (h *harness) notesBeside(url string) []string {
	var told []string
	for _, r := range h.fake.Responses(url) {
		if !r.ReplaceOriginal {
			told = append(told, r.Text)
		}
	}
	return told
}

// TestActionListShowsTheLastOfTwoQuickPresses: Ana's action list, shown
// to her alone, holds "A1" and "A2", both open. She chooses "Done" for
// A1, then "Drop" for A2 while the list is still being redrawn for the
// first. Slack is slow with the first drawing, so it may land after the
// second: her list ends showing A1 done and A2 dropped, as the plan has
// them, not A2 still open.
func TestActionListShowsTheLastOfTwoQuickPresses(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.runSocket()
	p := h.planOfActions("A1", "A2")
	choice := h.actionListOf(p)
	asked := func() bool { // the list's redraw runs, and was asked for again
		h.bot.statusRedraws.mu.Lock()
		defer h.bot.statusRedraws.mu.Unlock()
		for _, again := range h.bot.statusRedraws.running {
			if again {
				return true
			}
		}
		return false
	}

	first := h.fake.Hold(slackfake.MethodResponseURL)
	h.chooseInList(choice(0, "Done"), h.fake.ResponseURL())
	h.fake.WaitFor(t, func() bool {
		return h.plan(p.Team, p.Channel, p.Name).Actions[0].State() == flows.ActionDone && h.fake.InFlight(slackfake.MethodResponseURL) == 1
	}, "A1 done, its drawing on its way")
	second := h.fake.Hold(slackfake.MethodResponseURL)
	h.chooseInList(choice(1, "Drop"), h.fake.ResponseURL())
	h.fake.WaitFor(t, func() bool {
		return h.plan(p.Team, p.Channel, p.Name).Actions[1].State() == flows.ActionDropped &&
			(h.fake.InFlight(slackfake.MethodResponseURL) == 2 || asked())
	}, "A2 dropped, its drawing on its way or asked for")
	second()
	h.fake.WaitFor(t, func() bool { return h.fake.InFlight(slackfake.MethodResponseURL) == 1 }, "only the first drawing held")
	first()
	h.settle()

	last := h.lastListDrawing()
	want := map[int64]flows.ActionStatus{p.Actions[0].ID: flows.ActionDone, p.Actions[1].ID: flows.ActionDropped}
	got := map[int64]flows.ActionStatus{}
	for _, c := range statusControlsOf(t, last.Blocks) {
		_, id, _, _, _ := parseStatusValue(c.value)
		got[id] = shownIn(c.blockID)
	}
	if !maps.Equal(got, want) {
		t.Errorf("after Done on A1 and Drop on A2, Ana's list ends drawn with %v, want %v:\n%s", got, want, last.Text)
	}
}

// actionListOf asks for Ana's action list and returns how to choose from
// it as it was drawn: choice(i, label) is the option labelled label on
// the i-th action's menu.
func (h *harness) actionListOf(p *flows.Plan) (choice func(i int, label string) statusControl) {
	h.t.Helper()
	list := h.fake.WaitAck(h.t, h.fake.SendEvent(slackfake.SlashCommand{Command: "/race", Text: "actions", UserID: "UANA", ChannelID: "C1"}))
	var drawn struct {
		Blocks json.RawMessage `json:"blocks"`
	}
	if err := json.Unmarshal(list.Payload, &drawn); err != nil {
		h.t.Fatalf("list %s: %v", list.Payload, err)
	}
	return func(i int, label string) statusControl {
		h.t.Helper()
		for _, c := range statusControlsOf(h.t, drawn.Blocks) {
			if _, id, _, _, _ := parseStatusValue(c.value); id == p.Actions[i].ID && c.label == label {
				return c
			}
		}
		h.t.Fatalf("no %q for %s in the list %s", label, p.Actions[i].Text, drawn.Blocks)
		return statusControl{}
	}
}

// listTS is the ephemeral action list's ts, as Slack gives it with a press.
const listTS = "1700000000.000100"

// chooseInList is Ana's choice of c from her action list's menu, its
// answer to go to url.
func (h *harness) chooseInList(c statusControl, url string) {
	h.t.Helper()
	h.fake.WaitAck(h.t, h.fake.SendEvent(slackfake.BlockAction{ActionID: actionSetStatus, Type: "overflow", SelectedOption: c.value, BlockID: c.blockID,
		UserID: "UANA", ChannelID: "C1", MessageTS: listTS, IsEphemeral: true, ResponseURL: url}))
}

// lastListDrawing is the last drawing of Ana's list racebot sent in place
// of it, through any response_url.
func (h *harness) lastListDrawing() slackfake.Response {
	h.t.Helper()
	var last *slackfake.Response
	for _, r := range h.fake.Responses("") {
		if r.ReplaceOriginal {
			last = &r
		}
	}
	if last == nil {
		h.t.Fatalf("Ana's list was never redrawn:\n%s", h.fake.Dump())
	}
	return *last
}

// redrawAskedAgain says whether the status redraw of key runs and was
// asked for again meanwhile; redrawRunning, whether it runs at all.
func (h *harness) redrawAskedAgain(key string) bool {
	h.bot.statusRedraws.mu.Lock()
	defer h.bot.statusRedraws.mu.Unlock()
	return h.bot.statusRedraws.running[key]
}

func (h *harness) redrawRunning(key string) bool {
	h.bot.statusRedraws.mu.Lock()
	defer h.bot.statusRedraws.mu.Unlock()
	_, ok := h.bot.statusRedraws.running[key]
	return ok
}

// TestActionListNoteSurvivesABusyRedraw: Ben has marked A1 done; Ana's
// list still shows it open, and her "Drop" for it changes nothing. While
// her list is redrawn for that, she marks A2 to A5 done, each landing
// while the drawing before is on its way, so her first press's turn draws
// again and again. Slack takes five posts through one response_url: the
// drawings must leave one for the sentence telling her Ben's done stands.
func TestActionListNoteSurvivesABusyRedraw(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.runSocket()
	p := h.planOfActions("A1", "A2", "A3", "A4", "A5")
	choice := h.actionListOf(p)
	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.SlashCommand{Command: "/race", Text: "action done 1", UserID: "UBEN", ChannelID: "C1"}))
	h.fake.WaitFor(t, func() bool { return h.plan(p.Team, p.Channel, p.Name).Actions[0].State() == flows.ActionDone }, "Ben's done")
	h.settle()

	key := "list C1/UANA/" + listTS

	release := h.fake.Hold(slackfake.MethodResponseURL)
	first := h.fake.ResponseURL()
	h.chooseInList(choice(0, "Drop"), first)
	h.fake.WaitFor(t, func() bool { return h.fake.InFlight(slackfake.MethodResponseURL) == 1 }, "the first drawing on its way")
	for i := 1; i < len(p.Actions); i++ {
		h.chooseInList(choice(i, "Done"), h.fake.ResponseURL())
		h.fake.WaitFor(t, func() bool { return h.plan(p.Team, p.Channel, p.Name).Actions[i].State() == flows.ActionDone }, p.Actions[i].Text+" done")
		h.fake.WaitFor(t, func() bool { return h.redrawAskedAgain(key) }, "a redraw asked for again")
		next := h.fake.Hold(slackfake.MethodResponseURL)
		drawn := len(h.fake.Responses(""))
		release()
		release = next
		h.fake.WaitFor(t, func() bool { return len(h.fake.Responses("")) > drawn }, "the drawing held landed")
		h.fake.WaitFor(t, func() bool { return h.fake.InFlight(slackfake.MethodResponseURL) == 1 || !h.redrawRunning(key) }, "the next drawing, or the turn's end")
	}
	release()
	h.settle()

	told := h.notesBeside(first)
	if len(told) != 1 || !strings.Contains(told[0], "stays done") || !strings.Contains(told[0], "<@UBEN>") {
		t.Errorf("Ana was told %q through her first press's response_url, want the sentence saying Ben's done stands:\n%s", told, h.fake.Dump())
	}
	last := h.lastListDrawing()
	for _, c := range statusControlsOf(t, last.Blocks) {
		if shownIn(c.blockID) != flows.ActionDone {
			t.Errorf("Ana's list ends drawn with %q (block %q), want every action done", c.label, c.blockID)
		}
	}
}

// TestActionListPressesAreToldInTheirOrder: Ana marks A1 done from her
// action list, then drops A2 while the list is still being redrawn for the
// first. The plan's thread tells them in the order she made them: the
// second press's redraw waits for the first's turn, its thread note does
// not overtake the first's.
func TestActionListPressesAreToldInTheirOrder(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.runSocket()
	p := h.planOfActions("A1", "A2")
	choice := h.actionListOf(p)

	release := h.fake.Hold(slackfake.MethodResponseURL)
	h.chooseInList(choice(0, "Done"), h.fake.ResponseURL())
	h.fake.WaitFor(t, func() bool { return h.fake.InFlight(slackfake.MethodResponseURL) == 1 }, "the first drawing on its way")
	h.chooseInList(choice(1, "Drop"), h.fake.ResponseURL())
	h.threadMessage("C1", p.Thread, `marked "A2" dropped`)
	release()
	h.settle()

	var thread strings.Builder
	for _, m := range h.fake.Replies("C1", p.Thread) {
		thread.WriteString(m.Text + "\n")
	}
	done, dropped := strings.Index(thread.String(), `marked "A1" done`), strings.Index(thread.String(), `marked "A2" dropped`)
	if done < 0 || dropped < 0 || done > dropped {
		t.Errorf("the plan's thread tells Ana's presses out of order, want A1 done before A2 dropped:\n%s", thread.String())
	}
}
