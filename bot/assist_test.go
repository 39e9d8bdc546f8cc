package bot

import (
	"strings"
	"testing"

	"github.com/racebot/racebot/assist"
	"github.com/racebot/racebot/flows"
	"github.com/racebot/racebot/internal/openaifake"
	"github.com/racebot/racebot/internal/slackfake"
	"github.com/racebot/racebot/prompts"
)

func withModel(t *testing.T, llm *openaifake.Server) func(*setup) {
	return withModelRetrying(t, llm, -1)
}

// withModelRetrying is withModel with a client that tries a failed
// request again this many times.
func withModelRetrying(t *testing.T, llm *openaifake.Server, retries int) func(*setup) {
	return func(c *setup) {
		// A request held at the fake (openaifake.Hold) waits out the
		// test's own waits, each up to slackfake.DefaultWaitTimeout on a
		// loaded machine: within a shorter bound it would end in the
		// built-in help instead of the model's draft.
		model := prompts.NewClient(prompts.Config{BaseURL: llm.URL(), Model: "test-model", Timeout: 6 * slackfake.DefaultWaitTimeout, MaxRetries: retries}, nil)
		a, err := assist.New(flows.RACE(), model, nil)
		if err != nil {
			t.Fatal(err)
		}
		c.Assistant = a
	}
}

// TestDraftWithModelNeverPingsAnyone plants @channel and an invented user
// mention in the model's reply: neither reaches Slack, and "Use this"
// records the draft as the answer, marked as drafted.
func TestDraftWithModelNeverPingsAnyone(t *testing.T) {
	t.Parallel()
	llm := openaifake.New(t, "Fresh beans <!channel> @channel roasted to order for <@U123> and everyone at home.")
	h := newHarness(t, withModel(t, llm))
	h.runSocket()
	header, _ := h.newPlanInSlack("Q1")
	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.MessageEvent{Channel: "C1", User: "UANA", Text: "We roast coffee.", ThreadTS: header.TS}))
	h.threadMessage("C1", header.TS, "value proposition")
	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.MessageEvent{Channel: "C1", User: "UBEN", Text: "draft", ThreadTS: header.TS}))

	draft := h.fake.WaitMessage(t, "C1", func(m slackfake.Message) bool {
		return m.ThreadTS == header.TS && strings.Contains(string(m.Blocks), actionDraftUse)
	}, "the finished draft with its buttons")
	for _, m := range h.fake.Messages("C1") {
		for _, bad := range []string{"<!channel>", "@channel", "<@U123>"} {
			if strings.Contains(m.Text, bad) || strings.Contains(string(m.Blocks), bad) {
				t.Errorf("message %s contains %q: %s", m.TS, bad, m.Blocks)
			}
		}
	}
	if !strings.Contains(draft.Text, "roasted to order") {
		t.Errorf("draft text = %q", draft.Text)
	}

	var value string
	for _, c := range h.fake.Calls("chat.update") {
		if strings.Contains(c.Get("blocks"), actionDraftUse) {
			i := strings.Index(c.Get("blocks"), `"value":"`)
			value = c.Get("blocks")[i+len(`"value":"`):]
			value = value[:strings.Index(value, `"`)]
		}
	}
	if value == "" {
		t.Fatal("no Use this button value found")
	}
	url := h.fake.ResponseURL()
	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.BlockAction{ActionID: actionDraftUse, Value: value, UserID: "UPRIYA", ChannelID: "C1", MessageTS: draft.TS, ResponseURL: url}))
	h.threadMessage("C1", header.TS, "Saved the draft as the answer")
	got := h.plan(slackfake.TeamID, "C1", "Q1").Answers[flows.QuestionValueProposition]
	if !got.Drafted || got.By != "UPRIYA" || !strings.Contains(got.Text, "roasted to order") {
		t.Errorf("accepted draft = %+v", got)
	}
	if strings.Contains(got.Text, "@channel") || strings.Contains(got.Text, "<@U123>") {
		t.Errorf("stored draft keeps a mention: %q", got.Text)
	}
	if n := len(llm.Requests()); n != 1 {
		t.Errorf("model requests = %d, want 1", n)
	}
}

func TestReviewAndPrivacyInSlack(t *testing.T) {
	t.Parallel()
	llm := openaifake.New(t, "Gaps: everything after the first question. Quick wins: not enough information.")
	h := newHarness(t, withModel(t, llm))
	h.runSocket()
	header, _ := h.newPlanInSlack("Q1")

	a := h.fake.WaitAck(t, h.fake.SendEvent(slackfake.SlashCommand{Command: "/race", Text: "review", UserID: "UANA", ChannelID: "C1"}))
	if !strings.Contains(ackText(t, a.Payload), "Reviewing") {
		t.Errorf("review ack = %s", a.Payload)
	}
	h.fake.WaitFor(t, func() bool {
		for _, m := range h.fake.Replies("C1", header.TS) {
			if strings.Contains(m.Text, "Quick wins: not enough information") {
				return true
			}
		}
		return false
	}, "the model's review in the thread")

	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.SlashCommand{Command: "/race", Text: "privacy on", UserID: "UANA", ChannelID: "C1"}))
	before := len(llm.Requests())
	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.MessageEvent{Channel: "C1", User: "UANA", Text: "review", ThreadTS: header.TS}))
	h.threadMessage("C1", header.TS, "built-in checks")
	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.MessageEvent{Channel: "C1", User: "UANA", Text: "draft", ThreadTS: header.TS}))
	h.threadMessage("C1", header.TS, "A head start")
	if after := len(llm.Requests()); after != before {
		t.Errorf("%d requests reached the model with privacy on", after-before)
	}
}
