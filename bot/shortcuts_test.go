package bot

import (
	"encoding/json"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/racebot/racebot/flows"
	"github.com/racebot/racebot/internal/slackfake"
)

// shownText is what the add form's text field starts with.
func shownText(t *testing.T, v slackfake.View) string {
	t.Helper()
	var view struct {
		Blocks []struct {
			BlockID string `json:"block_id"`
			Element struct {
				InitialValue string `json:"initial_value"`
			} `json:"element"`
		} `json:"blocks"`
	}
	if err := json.Unmarshal(v.JSON, &view); err != nil {
		t.Fatal(err)
	}
	for _, b := range view.Blocks {
		if b.BlockID == "text" {
			return b.Element.InitialValue
		}
	}
	t.Fatalf("the form has no text field: %s", v.JSON)
	return ""
}

// shortcut uses "Add to RACE plan" on a message and returns the form.
func (h *harness) shortcut(user string, m slackfake.Message) slackfake.View {
	h.t.Helper()
	before := len(h.fake.Views())
	h.fake.WaitAck(h.t, h.fake.SendEvent(slackfake.MessageShortcut{CallbackID: shortcutAddToPlan, UserID: user, Channel: m.Channel, MessageTS: m.TS}))
	h.fake.WaitFor(h.t, func() bool { return len(h.fake.Views()) > before }, "the add form")
	return h.fake.Views()[before]
}

// addForm is the add form as user fills it in: the plan, what the message
// is added as, the text as given, and the fields of that kind (an
// answer's question, an action's owner, due date and scores), each
// keyed by its block, whose one element has the block's id.
func addForm(view slackfake.View, user string, plan flows.PlanID, kind, text string, fields map[string]slackfake.Input) slackfake.ViewSubmission {
	values := map[string]map[string]slackfake.Input{
		"plan": {"plan": {Type: "static_select", SelectedOption: strconv.FormatInt(int64(plan), 10)}},
		"kind": {"kind": {Type: "radio_buttons", SelectedOption: kind}},
		"text": {"text": {Value: text}},
	}
	for block, in := range fields {
		values[block] = map[string]slackfake.Input{block: in}
	}
	return slackfake.ViewSubmission{ViewID: view.ID, UserID: user, Values: values}
}

// fileAsValues has user add message m to plan as values with "Add to
// RACE plan", the form's text field holding text ("" leaves the text the
// form shows), and returns the ack's payload.
func (h *harness) fileAsValues(user string, m slackfake.Message, plan flows.PlanID, text string) []byte {
	h.t.Helper()
	form := h.shortcut(user, m)
	if text == "" {
		text = shownText(h.t, form)
	}
	return h.fake.WaitAck(h.t, h.fake.SendEvent(addForm(form, user, plan, addAsValues, text, nil))).Payload
}

// actionFields are an action's fields in the add form: Ben's, due in ten
// days, impact 4 and effort 1.
func actionFields() map[string]slackfake.Input {
	return map[string]slackfake.Input{
		"owner":  {SelectedUser: "UBEN"},
		"due":    {SelectedDate: time.Now().AddDate(0, 0, 10).Format(time.DateOnly)},
		"impact": {Type: "static_select", SelectedOption: "4"},
		"effort": {Type: "static_select", SelectedOption: "1"},
	}
}

// TestShortcutAddsTheAuthorsAnswerWithALink: a message added with the
// shortcut is its author's answer, not the sharer's, keeps its link and
// links back to the message; the form delivered twice adds it once, and
// the same message added again is refused beside the field.
func TestShortcutAddsTheAuthorsAnswerWithALink(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.runSocket()
	header, p := h.newPlanInSlack("Q1")
	m := h.fake.AddMessage(slackfake.Message{Channel: "C1", User: "UBEN", Text: "Our buyers hang out on <https://reddit.com/r/coffee|r/coffee> &amp; Instagram"})
	view := h.shortcut("UANA", m)
	if view.CallbackID != callbackAddForm || view.UserID != "UANA" {
		t.Fatalf("the shortcut opened %+v", view)
	}
	shown := shownText(t, view)
	if shown != "Our buyers hang out on r/coffee (https://reddit.com/r/coffee) & Instagram" {
		t.Errorf("the form shows %q", shown)
	}
	submit := func(view slackfake.View, text string) slackfake.ViewSubmission {
		return addForm(view, "UANA", p.ID, addAsAnswer, text, map[string]slackfake.Input{"question": {Type: "static_select", SelectedOption: "reach.audience"}})
	}
	// Delivered twice, it is added once and answered without an error.
	env := h.fake.SendEvent(submit(view, shown))
	h.fake.WaitAck(t, env)
	if again := h.fake.WaitAck(t, h.fake.Redeliver(env)); again.Payload != nil {
		t.Errorf("the same form again was answered %s", again.Payload)
	}
	h.settle()
	h.threadMessage("C1", header.TS, "<@UANA> added a message by <@UBEN> as an answer to")
	a := h.plan(slackfake.TeamID, "C1", "Q1").Answers["reach.audience"]
	if a.By != "UBEN" || a.Source != "C1/"+m.TS || len(a.Also) != 0 {
		t.Errorf("answer by %s from %s with %d co-answers, want Ben's from C1/%s alone", a.By, a.Source, len(a.Also), m.TS)
	}
	for _, want := range []string{"<https://reddit.com/r/coffee|r/coffee> &amp; Instagram", "|(message)>", "https://" + slackfake.TeamDomain + ".slack.com/archives/C1/p"} {
		if !strings.Contains(a.Text, want) {
			t.Errorf("answer %q lacks %q", a.Text, want)
		}
	}
	if n := h.countReplies("C1", header.TS, "as an answer to"); n != 1 {
		t.Errorf("announced %d times, want once", n)
	}
	// The same message again: the form stays open and says why.
	again := h.shortcut("UCAT", m)
	ack := h.fake.WaitAck(t, h.fake.SendEvent(submit(again, shownText(t, again))))
	if !strings.Contains(string(ack.Payload), "in the plan already") {
		t.Errorf("adding it twice: ack %s", ack.Payload)
	}

	// As an action, with an owner and scores; still Ben's.
	m2 := h.fake.AddMessage(slackfake.Message{Channel: "C1", User: "UBEN", Text: "Let's send sample bags to cafés"})
	form := h.shortcut("UANA", m2)
	fields := actionFields()
	due := fields["due"].SelectedDate
	fields["owner"] = slackfake.Input{SelectedUser: "UCAT"}
	effort := fields["effort"]
	delete(fields, "effort")
	ack = h.fake.WaitAck(t, h.fake.SendEvent(addForm(form, "UANA", p.ID, addAsAction, shownText(t, form), fields)))
	if !strings.Contains(string(ack.Payload), `"effort"`) {
		t.Errorf("an action without an effort score: ack %s", ack.Payload)
	}
	fields["effort"] = effort
	h.fake.WaitAck(t, h.fake.SendEvent(addForm(form, "UANA", p.ID, addAsAction, shownText(t, form), fields)))
	h.threadMessage("C1", header.TS, "as action ")
	got := h.plan(slackfake.TeamID, "C1", "Q1").Actions
	if len(got) != 1 || got[0].By != "UBEN" || got[0].Owner != "<@UCAT>" || got[0].Impact != 4 || got[0].Effort != 1 || got[0].Due.Format(time.DateOnly) != due || !strings.Contains(got[0].Text, "/archives/C1/p") {
		t.Errorf("actions = %+v", got)
	}

	// A bot's message is not added.
	bot := h.fake.AddMessage(slackfake.Message{Channel: "C1", User: slackfake.BotUserID, Text: "Plan header"})
	url := h.fake.ResponseURL()
	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.MessageShortcut{CallbackID: shortcutAddToPlan, UserID: "UANA", Channel: "C1", MessageTS: bot.TS, ResponseURL: url}))
	h.fake.WaitFor(t, func() bool { return len(h.fake.Responses(url)) == 1 }, "a word that only people's messages are added")
}

// TestShortcutAddsValuesToTheOpenCheckin: a message of numbers added as
// values counts in the open check-in, as its author's.
func TestShortcutAddsValuesToTheOpenCheckin(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.runSocket()
	p, id, opening := h.visitorsCheckin()
	m := h.fake.AddMessage(slackfake.Message{Channel: "C1", User: "UBEN", Text: "visitors 12.4k this week"})
	h.fileAsValues("UANA", m, p.ID, "visitors 12.4k")
	h.threadMessage("C1", opening.TS, "<@UANA> added values from")
	h.threadMessage("C1", opening.TS, "Recorded: Unique visitors 12.4k")
	if n := h.checkinValues(p, id); n != 1 {
		t.Errorf("%d values in the check-in, want 1", n)
	}
}

// TestGlobalShortcutOpensMyValues: the global shortcut opens the form of
// the latest open check-in where the person owns a KPI, and says so when
// there is none.
func TestGlobalShortcutOpensMyValues(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.runSocket()
	_, id, _ := h.visitorsCheckin()
	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.GlobalShortcut{CallbackID: shortcutMyValues, UserID: "UBEN"}))
	h.fake.WaitFor(t, func() bool { return len(h.fake.Views()) == 1 }, "the values form")
	v := h.fake.Views()[0]
	if v.CallbackID != callbackValues || v.UserID != "UBEN" || !strings.Contains(v.PrivateMetadata, `"k":`+strconv.FormatInt(id, 10)) {
		t.Errorf("Ben's form = %+v", v)
	}
	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.GlobalShortcut{CallbackID: shortcutMyValues, UserID: "UZOE"}))
	h.fake.WaitFor(t, func() bool { return len(h.fake.Views()) == 2 }, "a note to Zoe")
	if v := h.fake.Views()[1]; v.CallbackID != callbackNothing || !strings.Contains(string(v.JSON), "No check-in is waiting") {
		t.Errorf("Zoe's form = %s", v.JSON)
	}
}

// TestShortcutDueDayIsTheSharersDay: the "Add to RACE plan" form's due
// date is a day of the calendar of whoever fills it in. At 17:00 on
// Monday in Los Angeles, already Tuesday in UTC, Ana adds Ben's message as
// an action due today, Monday: it is added, not refused as past. At 08:00
// on Tuesday in Tokyo, still Monday in UTC, Ken's Monday is yesterday:
// refused beside the field.
func TestShortcutDueDayIsTheSharersDay(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name, sharer, zone string
		now                time.Time
		added              bool
	}{
		{"Los Angeles", "UANA", "America/Los_Angeles", time.Date(2026, 12, 1, 1, 0, 0, 0, time.UTC), true},
		{"Tokyo", "UKEN", "Asia/Tokyo", time.Date(2026, 11, 30, 23, 0, 0, 0, time.UTC), false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			h, _ := clockedHarness(t, tt.now)
			h.fake.AddUser(slackfake.User{ID: tt.sharer, TZ: tt.zone})
			header, p := h.newPlanInSlack("Q1")
			m := h.fake.AddMessage(slackfake.Message{Channel: "C1", User: "UBEN", Text: "Let's send sample bags to cafés"})
			form := h.shortcut(tt.sharer, m)
			fields := actionFields()
			fields["due"] = slackfake.Input{SelectedDate: "2026-11-30"}
			ack := h.fake.WaitAck(t, h.fake.SendEvent(addForm(form, tt.sharer, p.ID, addAsAction, shownText(t, form), fields)))
			if !tt.added {
				if !strings.Contains(string(ack.Payload), `"due"`) || !strings.Contains(string(ack.Payload), "past") {
					t.Errorf("Monday picked on Tuesday morning in Tokyo: ack %s, want it refused beside the field", ack.Payload)
				}
				return
			}
			if len(ack.Payload) != 0 && string(ack.Payload) != "null" {
				t.Fatalf("Monday picked on Monday evening in Los Angeles: ack %s, want the form to close", ack.Payload)
			}
			h.threadMessage("C1", header.TS, "as action ")
			got := h.plan(slackfake.TeamID, "C1", "Q1").Actions
			if len(got) != 1 || got[0].Due.Format(time.DateOnly) != "2026-11-30" {
				t.Errorf("actions = %+v, want one due Monday 30 November", got)
			}
		})
	}
}

// visitorsCheckin starts plan Q1 in Slack with the Reach KPI "Unique
// visitors" (Ben's) and opens a check-in of it; it returns the plan, the
// check-in's id and its opening message.
func (h *harness) visitorsCheckin() (*flows.Plan, int64, slackfake.Message) {
	_, p := h.newPlanInSlack("Q1")
	p = h.setKPIs(p, flows.StageReach, "visitors | baseline 8k | target 20k | by 2027-03-31 | owner <@UBEN>")
	id, opening := h.openCheckin(p)
	return p, id, opening
}
