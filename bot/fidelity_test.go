package bot

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/racebot/racebot/flows"
	"github.com/racebot/racebot/internal/slackfake"
)

// TestActionLinesKeepLinksAndDashesAsTyped: an action line whose
// description holds a link or a channel (which Slack sends with a bar
// between address and label) and whose parts are separated by commas or
// dashes is read like any other, and the description is kept as typed,
// its own dashes included.
func TestActionLinesKeepLinksAndDashesAsTyped(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.runSocket()
	header, _ := h.newPlanInSlack("Q1")
	th := header.TS
	h.say(th, "next", "· actions")

	for _, tt := range []struct{ line, want string }{
		{"Update <http://www.shop.example|www.shop.example> pricing, impact 4, effort 2", "Update <http://www.shop.example|www.shop.example> pricing"},
		{"Announce it in <#C9|launch> - impact 3 - effort 1", "Announce it in <#C9|launch>"},
		{"Brief the agency — spring campaign (2 ads) – impact 3 – effort 1", "Brief the agency — spring campaign (2 ads)"},
	} {
		before := len(h.plan(slackfake.TeamID, "C1", "Q1").Actions)
		refusals := len(h.fake.Ephemerals())
		h.fake.WaitAck(t, h.fake.SendEvent(slackfake.MessageEvent{Channel: "C1", User: "UANA", Text: tt.line, ThreadTS: th}))
		h.fake.WaitFor(t, func() bool {
			return len(h.plan(slackfake.TeamID, "C1", "Q1").Actions) > before || len(h.fake.Ephemerals()) > refusals
		}, "the action added or refused")
		acts := h.plan(slackfake.TeamID, "C1", "Q1").Actions
		if len(acts) == before {
			t.Errorf("%q was refused: %s", tt.line, h.fake.Ephemerals()[refusals].Text)
			continue
		}
		if len(acts) == 0 || acts[len(acts)-1].Text != tt.want {
			var got flows.Action
			if len(acts) > 0 {
				got = acts[len(acts)-1]
			}
			t.Errorf("%q: last action = %q, want %q", tt.line, got.Text, tt.want)
		}
	}
}

// TestLongAnswerSectionsKeepLinksWhole: an answer longer than a section
// holds is shown over several sections; a link whose label has spaces is
// never cut in two, which Slack would show as raw text in both halves.
func TestLongAnswerSectionsKeepLinksWhole(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.runSocket()
	header, _, _ := h.firstQuestion("Q1")
	th := header.TS
	link := "<https://brief.example/q1|the one page brief we wrote for the spring launch with the agency>"
	answer := strings.TrimSpace(strings.Repeat(link+" ", 60))
	h.say(th, answer, "What is your value proposition")
	m := h.say(th, "back", "Current answer")

	var blocks []struct {
		Type string `json:"type"`
		Text struct {
			Text string `json:"text"`
		} `json:"text"`
	}
	if err := json.Unmarshal(m.Blocks, &blocks); err != nil {
		t.Fatal(err)
	}
	sections := 0
	for _, b := range blocks {
		if b.Type != "section" {
			continue
		}
		sections++
		s := b.Text.Text
		if strings.Count(s, "<") != strings.Count(s, ">") || strings.LastIndex(s, "<") > strings.LastIndex(s, ">") {
			t.Errorf("a section cuts a link in two; it ends %q", s[max(0, len(s)-80):])
		}
	}
	if sections < 2 {
		t.Fatalf("%d sections, want the answer over several", sections)
	}
}

// TestShortcutAddsALongMessageWhole: "Add to RACE plan" on a message
// longer than the form's field holds, the form left as it opened, adds
// the whole message as written, mention included, not the form's cut
// and plain copy of it.
func TestShortcutAddsALongMessageWhole(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.runSocket()
	_, p := h.newPlanInSlack("Q1")
	for _, text := range []string{
		"Ask <@UBEN> first. " + strings.Repeat("Our buyers read long reviews before they buy. ", 80),
		"Ask <@UBEN> first. " + strings.Repeat("Our buyers read long reviews before they buy. ", 60),
	} {
		m := h.fake.AddMessage(slackfake.Message{Channel: "C1", User: "UBEN", Text: text})
		view := h.shortcut("UANA", m)
		qid := "reach.audience"
		if len(text) < 3000 {
			qid = "reach.content"
		}
		h.fake.WaitAck(t, h.fake.SendEvent(addForm(view, "UANA", p.ID, addAsAnswer, shownText(t, view), map[string]slackfake.Input{"question": {Type: "static_select", SelectedOption: qid}})))
		a := h.plan(slackfake.TeamID, "C1", "Q1").Answers[qid]
		if !strings.HasPrefix(a.Text, strings.TrimSpace(text)) {
			t.Errorf("a message of %d characters was added as %d characters, starting %q and ending %q", len(text), len(a.Text), a.Text[:min(30, len(a.Text))], a.Text[max(0, len(a.Text)-120):])
		}
	}
}
