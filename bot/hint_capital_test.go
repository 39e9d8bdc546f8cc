package bot

import (
	"strings"
	"testing"

	"github.com/racebot/racebot/internal/slackfake"
)

// TestCapitalisedLinesInTheThread: phones start a line with a capital. A
// step word so written does what it does in lower case; a command word
// followed by a try at its arguments is kept as the answer with the hint
// the lower-case line gets; a sentence that starts with a command word is
// an answer, with no hint.
func TestCapitalisedLinesInTheThread(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		line    string
		answers int    // the plan's answers after the line
		step    int    // the question asked after it, from 0
		says    string // in the bot's reply to it
		hint    bool
	}{
		{"Skip", 1, 2, "Skipped.", false},
		{"Back", 1, 0, "Current answer: We sell coffee beans online.", false},
		{"Status quo is fine", 2, 2, "Saved", false},
		{"Stage gate", 2, 2, "Saved", false},
		{"Action done 1", 2, 2, "If you meant the `/race action` command, the plan has no actions yet to mark.", true},
		{"Stage reech", 2, 2, "If you meant the `/race stage` command, name a stage", true},
	} {
		t.Run(tc.line, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t)
			h.runSocket()
			header, p := h.newPlanInSlack("Q1")
			h.fake.WaitAck(t, h.fake.SendEvent(slackfake.MessageEvent{Channel: "C1", User: "UCY", Text: "We sell coffee beans online.", ThreadTS: header.TS}))
			h.threadMessage("C1", header.TS, "Saved")
			h.settle()
			seen := len(h.fake.Replies("C1", header.TS))
			h.fake.WaitAck(t, h.fake.SendEvent(slackfake.MessageEvent{Channel: "C1", User: "UANA", Text: tc.line, ThreadTS: header.TS}))
			h.settle()
			var all []string
			for _, m := range newReplies(h.fake, header.TS, seen) {
				all = append(all, m.Text)
			}
			text := strings.Join(all, "\n")
			if !strings.Contains(text, tc.says) {
				t.Errorf("%q: the bot said\n%s\nwant it to say %q", tc.line, text, tc.says)
			}
			if hinted := strings.Contains(text, "If you meant"); hinted != tc.hint {
				t.Errorf("%q: hint given = %t, want %t:\n%s", tc.line, hinted, tc.hint, text)
			}
			got := h.plan(p.Team, p.Channel, p.Name)
			if len(got.Answers) != tc.answers || got.Cursor.Stage != 0 || got.Cursor.Step != tc.step {
				t.Errorf("%q: %d answers, at %+v; want %d answers, at Plan question %d", tc.line, len(got.Answers), got.Cursor, tc.answers, tc.step+1)
			}
		})
	}
}
