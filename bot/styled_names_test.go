package bot

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"

	"github.com/racebot/racebot/internal/slackfake"
)

// slackShows approximates what Slack shows for mrkdwn: a pair of *, _, ~
// or ` formats what is between them, and the markers vanish, when the
// opening one follows the start, a space or punctuation and the closing
// one is followed by the end, a space or punctuation, with no space just
// inside either. A zero-width space is neither, and shows as nothing;
// &amp;, &lt; and &gt; show as the characters they stand for.
func slackShows(mrkdwn string) string {
	s := mrkdwn
	for {
		before := s
		for _, pair := range slackPairs {
			s = pair.ReplaceAllString(s, "$1$2$3")
		}
		if s == before {
			break
		}
	}
	s = strings.ReplaceAll(s, "\u200b", "")
	return strings.NewReplacer("&lt;", "<", "&gt;", ">", "&amp;", "&").Replace(s)
}

var slackPairs = func() []*regexp.Regexp {
	var out []*regexp.Regexp
	for _, m := range []string{`\*`, `_`, `~`, "`"} {
		out = append(out, regexp.MustCompile(`(^|[\s\p{P}\p{S}])`+m+`([^\s`+m+`](?:[^\n]*?[^\s])?)`+m+`($|[\s\p{P}\p{S}])`))
	}
	return out
}()

// blockTexts is the mrkdwn of a message's or payload's blocks.
func blockTexts(t *testing.T, raw json.RawMessage) string {
	t.Helper()
	var blocks []struct {
		Text *struct {
			Text string `json:"text"`
		} `json:"text"`
		Elements []struct {
			Text string `json:"text"`
		} `json:"elements"`
	}
	if err := json.Unmarshal(raw, &blocks); err != nil {
		t.Fatalf("blocks %s: %v", raw, err)
	}
	var out []string
	for _, b := range blocks {
		if b.Text != nil {
			out = append(out, b.Text.Text)
		}
		for _, e := range b.Elements {
			out = append(out, e.Text)
		}
	}
	return strings.Join(out, "\n")
}

// TestBoldPlanNameShowsAsTyped: Ana names a plan *Q3* launch_plan ~draft~.
// The plan's header and its status show the name in bold as she typed
// it, its asterisks, underscore and tildes included, rather than ending
// the bold early, italicising or striking out half of it.
func TestBoldPlanNameShowsAsTyped(t *testing.T) {
	t.Parallel()
	const name = "*Q3* launch_plan ~draft~"
	h := newHarness(t)
	h.runSocket()
	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.SlashCommand{Command: "/race", Text: "new " + name, UserID: "UANA", ChannelID: "C1"}))
	header := h.header("C1", "launch")
	if got := slackShows(blockTexts(t, header.Blocks)); !strings.Contains(got, "📋 "+name+" — a RACE plan") {
		t.Errorf("the header shows\n%s\nwant it to show the name %q as typed\n(mrkdwn %s)", got, name, header.Blocks)
	}
	h.threadMessage("C1", header.TS, "What does the business sell")
	h.settle()

	a := h.fake.WaitAck(t, h.fake.SendEvent(slackfake.SlashCommand{Command: "/race", Text: "status", UserID: "UANA", ChannelID: "C1"}))
	if got := slackShows(ackText(t, a.Payload)); !strings.Contains(got, name+" — Plan") {
		t.Errorf("the status shows\n%s\nwant it to show the name %q as typed", got, name)
	}
}
