package bot

import (
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/racebot/racebot/flows"
	"github.com/racebot/racebot/internal/openaifake"
	"github.com/racebot/racebot/internal/slackfake"
	"github.com/slack-go/slack"
)

// benReply is a thread reply as Slack sends it: a mention, a labelled
// link, an escaped ampersand and a broadcast someone typed.
const benReply = "We sell with <@UBEN> via <https://shop.example|our shop> &amp; more <!channel>"

// shown is everything a person sees of a message the bot posted: its
// fallback text and the text of its blocks, decoded from JSON (which
// writes < as \u003c).
func shown(t *testing.T, m slackfake.Message) string {
	t.Helper()
	var b strings.Builder
	b.WriteString(m.Text + "\n")
	if len(m.Blocks) == 0 {
		return b.String()
	}
	var blocks any
	if err := json.Unmarshal(m.Blocks, &blocks); err != nil {
		t.Fatalf("blocks of %s: %v", m.TS, err)
	}
	var walk func(v any)
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			for k, x := range v {
				if s, ok := x.(string); ok && k == "text" {
					b.WriteString(s + "\n")
				}
				walk(x)
			}
		case []any:
			for _, x := range v {
				walk(x)
			}
		}
	}
	walk(blocks)
	return b.String()
}

// TestMentionsAndLinksRoundTrip: a reply is stored as Slack sent it, and
// quoted back in Slack its mention and link work as written, byte for
// byte, while the broadcast in it notifies nobody.
func TestMentionsAndLinksRoundTrip(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.runSocket()
	header, _ := h.newPlanInSlack("Q1")
	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.MessageEvent{Channel: "C1", User: "UANA", Text: benReply, ThreadTS: header.TS}))
	h.threadMessage("C1", header.TS, "What is your value proposition")
	if got := h.plan(slackfake.TeamID, "C1", "Q1").Answers[flows.QuestionBusiness].Text; got != benReply {
		t.Errorf("stored answer = %q, want it as Slack sent it: %q", got, benReply)
	}

	quoted := h.say(header.TS, "edit plan 1", "Current answer")
	got := shown(t, quoted)
	for _, want := range []string{"Current answer: We sell with <@UBEN> via <https://shop.example|our shop> &amp; more @channel"} {
		if !strings.Contains(got, want) {
			t.Errorf("the quoted answer lacks %q:\n%s", want, got)
		}
	}
	for _, m := range h.fake.Messages("C1") {
		if s := shown(t, m); strings.Contains(s, "<!channel>") || strings.Contains(s, "&amp;amp;") {
			t.Errorf("message %s broadcasts or double-escapes:\n%s", m.TS, s)
		}
	}
	for _, c := range h.fake.Calls("chat.postMessage") {
		if c.Get("link_names") == "true" || c.Get("link_names") == "1" || c.Get("parse") == "full" {
			t.Errorf("a post asks Slack to link names, which would make @channel a broadcast: %v", c.Params)
		}
	}
}

// TestExportNamesPeopleAndLinks: the exported files show people by name and
// links as Markdown links, never Slack's ids and brackets; names are asked
// of Slack once, after the acknowledgement.
func TestExportNamesPeopleAndLinks(t *testing.T) {
	t.Parallel()
	clk := &movingClock{}
	h := newHarness(t, func(c *setup) { c.Now = clk.Now })
	h.fake.AddUser(slackfake.User{ID: "UANA", Name: "ana", RealName: "Ana Lopez", DisplayName: "Ana"})
	h.fake.AddUser(slackfake.User{ID: "UBEN", Name: "ben", RealName: "Ben Okafor", DisplayName: "Ben"})
	h.fake.AddChannel(slackfake.Channel{ID: "C9", Name: "launch"})
	h.runSocket()
	header, p := h.newPlanInSlack("Q1")
	h.setKPIs(p, flows.StageReach, "visitors | baseline 8k | target 20k | by 2027-03-31 | owner <@UBEN>")
	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.MessageEvent{Channel: "C1", User: "UANA", Text: benReply + " in <#C9>", ThreadTS: header.TS}))
	h.threadMessage("C1", header.TS, "What is your value proposition")
	h.say(header.TS, "values visitors 12.4k", "Recorded")

	md := h.exportText(1)
	for _, want := range []string{
		"> We sell with @Ben via [our shop](https://shop.example) & more @channel in #launch\n\n— Ana, ",
		"A RACE plan started by Ana on",
		"| Unique visitors | Reach | 8,000 | 20k a month | 2027-03-31 | @Ben |",
		"- 12.4k — Ana, ",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("the export lacks %q:\n%s", want, md)
		}
	}
	for _, bad := range []string{"<@", "UANA", "UBEN", "&amp;", "C9"} {
		if strings.Contains(md, bad) {
			t.Errorf("the export shows %q:\n%s", bad, md)
		}
	}
	var csv string
	h.fake.WaitFor(t, func() bool {
		for _, u := range h.fake.Uploads() {
			if strings.HasSuffix(u.Filename, ".csv") {
				csv = string(u.Content)
			}
		}
		return csv != ""
	}, "the KPI history file")
	if !strings.Contains(csv, ",Ana,") || !strings.Contains(csv, ",'@Ben\n") || strings.Contains(csv, "UBEN") {
		t.Errorf("the KPI history does not name Ana as the reporter and Ben as the owner:\n%s", csv)
	}

	calls := len(h.fake.Calls("users.info"))
	h.settle()
	clk.Add(time.Minute) // an export just shared is not shared again
	h.exportText(2)
	if again := len(h.fake.Calls("users.info")); again != calls {
		t.Errorf("a second export asked Slack for names %d more times; they are cached", again-calls)
	}
}

// TestPromptNamesPeople: the model reads the team's text as a person in
// Slack would, with names for mentions, and never sees Slack ids.
func TestPromptNamesPeople(t *testing.T) {
	t.Parallel()
	llm := openaifake.New(t, "Fresh beans, delivered.")
	h := newHarness(t, withModel(t, llm))
	h.fake.AddUser(slackfake.User{ID: "UBEN", DisplayName: "Ben"})
	h.runSocket()
	header, _ := h.newPlanInSlack("Q1")
	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.MessageEvent{Channel: "C1", User: "UANA", Text: benReply, ThreadTS: header.TS}))
	h.threadMessage("C1", header.TS, "What is your value proposition")
	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.MessageEvent{Channel: "C1", User: "UANA", Text: "draft", ThreadTS: header.TS}))
	h.fake.WaitMessage(t, "C1", func(m slackfake.Message) bool {
		return m.ThreadTS == header.TS && strings.Contains(string(m.Blocks), actionDraftUse)
	}, "the finished draft")

	reqs := llm.Requests()
	if len(reqs) != 1 {
		t.Fatalf("%d model requests, want 1", len(reqs))
	}
	var prompt strings.Builder
	for _, m := range reqs[0].Messages {
		prompt.WriteString(m.Content + "\n")
	}
	got := prompt.String()
	if !strings.Contains(got, "We sell with @Ben via our shop (https://shop.example) & more @channel") {
		t.Errorf("the prompt lacks the answer in plain words:\n%s", got)
	}
	for _, bad := range []string{"<@UBEN>", "UBEN", "&amp;", "<!channel>"} {
		if strings.Contains(got, bad) {
			t.Errorf("the prompt contains %q:\n%s", bad, got)
		}
	}
}

// TestEditFormKeepsMentions: the answers form shows plain words; a field
// left as it was keeps the stored answer with its mention and link, and a
// changed field is stored in Slack's encoding.
func TestEditFormKeepsMentions(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.runSocket()
	header, p := h.newPlanInSlack("Q1")
	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.MessageEvent{Channel: "C1", User: "UANA", Text: benReply, ThreadTS: header.TS}))
	h.threadMessage("C1", header.TS, "What is your value proposition")

	view := h.openView(slackfake.BlockAction{ActionID: actionEditStage, Value: planValue(p, "plan"), UserID: "UBEN", ChannelID: "C1"})
	var modal slack.ModalViewRequest
	if err := json.Unmarshal(view.JSON, &modal); err != nil {
		t.Fatal(err)
	}
	var initial string
	for _, b := range modal.Blocks.BlockSet {
		if in, ok := b.(*slack.InputBlock); ok && in.BlockID == inputBlockID(flows.QuestionBusiness) {
			initial = in.Element.(*slack.PlainTextInputBlockElement).InitialValue
		}
	}
	// Names come from the cache only while a form opens; Ben was never
	// looked up, so his id stands in.
	if want := "We sell with @UBEN via our shop (https://shop.example) & more @channel"; initial != want {
		t.Errorf("form shows %q, want %q", initial, want)
	}

	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.ViewSubmission{ViewID: view.ID, UserID: "UBEN", Values: map[string]map[string]slackfake.Input{
		inputBlockID(flows.QuestionBusiness):         {answerActionID: {Type: "plain_text_input", Value: initial + "\n"}},
		inputBlockID(flows.QuestionValueProposition): {answerActionID: {Type: "plain_text_input", Value: "R&D <3, see <!here>"}},
	}}))
	h.threadMessage("C1", header.TS, "From <@UBEN>")
	got := h.plan(slackfake.TeamID, "C1", "Q1")
	if a := got.Answers[flows.QuestionBusiness]; a.Text != benReply || a.Revision != 1 {
		t.Errorf("untouched field changed the answer to %q (revision %d)", a.Text, a.Revision)
	}
	if a := got.Answers[flows.QuestionValueProposition]; a.Text != "R&amp;D &lt;3, see &lt;!here&gt;" {
		t.Errorf("typed field stored as %q", a.Text)
	}
}

// TestNameCache: names are looked up once per TTL, unknown ids are
// remembered as unknown, a failing Slack is not remembered, and the cache
// stays within its bound.
func TestNameCache(t *testing.T) {
	t.Parallel()
	fake := slackfake.New(t)
	fake.AddUser(slackfake.User{ID: "UANA", DisplayName: "Ana"})
	fake.AddUser(slackfake.User{ID: "UBEN", RealName: "Ben Okafor", DisplayName: "Ben"})
	fake.AddChannel(slackfake.Channel{ID: "C9", Name: "launch"})
	clk := &clock{now: time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)}
	c := newNameCache(&Client{api: slack.New("xoxb-test", slack.OptionAPIURL(fake.APIURL()))}, clk.Now, slog.New(slog.DiscardHandler))
	ctx := context.Background()

	n := c.lookup(ctx, "T1", []string{"UANA", "UBEN", "UANA", "nobody"}, []string{"C9"})
	if n.users["UANA"] != "Ana" || n.users["UBEN"] != "Ben" || n.channels["C9"] != "launch" {
		t.Errorf("names = %+v, want Ana, Ben (the display name over the real name) and launch", n)
	}
	if _, ok := n.UserName("nobody"); ok {
		t.Error("an unknown user has a name")
	}
	if got := len(fake.Calls("users.info")); got != 3 {
		t.Errorf("%d users.info calls, want 3 (each id once)", got)
	}

	c.lookup(ctx, "T1", []string{"UANA", "nobody"}, nil)
	if got := len(fake.Calls("users.info")); got != 3 {
		t.Errorf("cached and unknown names were asked for again: %d calls", got)
	}
	if got, _ := c.cached("T1", "<@UANA> and <@UCAT>").UserName("UANA"); got != "Ana" {
		t.Errorf("cached UANA = %q", got)
	}
	if _, ok := c.cached("T2", "<@UANA>").UserName("UANA"); ok {
		t.Error("a name cached for one team served another")
	}

	clk.Add(nameTTL)
	fake.AddUser(slackfake.User{ID: "UANA", DisplayName: "Ana L."})
	if got := c.lookup(ctx, "T1", []string{"UANA"}, nil).users["UANA"]; got != "Ana L." {
		t.Errorf("after the TTL UANA = %q, want the new name", got)
	}

	fake.FailNext("users.info", 1, 500)
	if _, ok := c.lookup(ctx, "T1", []string{"UDAN"}, nil).UserName("UDAN"); ok {
		t.Error("a failed lookup produced a name")
	}
	if got := c.lookup(ctx, "T1", []string{"UDAN"}, nil).users["UDAN"]; got != "udan" {
		t.Errorf("after a failure UDAN = %q, want it asked for again", got)
	}

	c.max = 3
	c.lookup(ctx, "T1", []string{"UE1", "UE2", "UE3", "UE4"}, nil)
	if got := len(c.entries); got > 3 {
		t.Errorf("%d cached names, bound is 3", got)
	}
}

// TestPlanNameInStoredForm: a plan name with & and < arrives encoded, as
// Slack encodes a command's text, is stored so, is shown in Slack without
// escaping it twice, and continue finds it whether typed as a command or
// in a thread.
func TestPlanNameInStoredForm(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.runSocket()
	const name = "R&amp;D &lt;3 plan"
	header, _ := h.newPlanInSlack(name)
	if strings.Contains(shown(t, header), "&amp;amp;") || !strings.Contains(header.Text, name) {
		t.Errorf("header shows the name escaped twice or not at all:\n%s", shown(t, header))
	}
	a := h.fake.WaitAck(t, h.fake.SendEvent(slackfake.SlashCommand{Command: "/race", Text: "continue " + name, UserID: "UANA", ChannelID: "C1"}))
	if got := ackText(t, a.Payload); !strings.Contains(got, `"`+name+`" continues in its thread`) {
		t.Errorf("continue by command = %q", got)
	}
	h.say(header.TS, "continue "+name, "Continuing \""+name+"\"")

	a = h.fake.WaitAck(t, h.fake.SendEvent(slackfake.SlashCommand{Command: "/race", Text: "new " + name, UserID: "UANA", ChannelID: "C1"}))
	if got := ackText(t, a.Payload); !strings.Contains(got, "`/race continue R&amp;D &lt;3 plan`") {
		t.Errorf("the duplicate's hint does not show the command to type once escaped: %q", got)
	}
}
