package prompts

import (
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
)

func TestClean(t *testing.T) {
	tests := []struct {
		name   string
		in     string
		maxLen int
		want   string
	}{
		{"plain text untouched", "Post three reels a week.", 0, "Post three reels a week."},
		{"trims", "\n  Post reels.  \n", 0, "Post reels."},
		{"bare here", "@here the draft is ready", 0, "here the draft is ready"},
		{"bare channel mid-sentence", "Tell @channel about it, then @Everyone.", 0, "Tell channel about it, then Everyone."},
		{"email kept", "Write to ana@here.example or ana@channel.io", 0, "Write to ana@here.example or ana@channel.io"},
		{"special here", "<!here> review this", 0, "here review this"},
		{"special channel with label", "<!channel|@channel> please look", 0, "channel please look"},
		{"special everyone", "Hi <!everyone>!", 0, "Hi everyone!"},
		{"subteam with handle", "Ping <!subteam^S0123ABC|@design-team> today", 0, "Ping design-team today"},
		{"subteam without handle", "Ping <!subteam^S0123ABC> today", 0, "Ping a group today"},
		{"date falls back to its label", "Due <!date^1392734382^{date}|Feb 18th, 2014>.", 0, "Due Feb 18th, 2014."},
		{"user mention", "Ask <@U024BE7LH> to own it", 0, "Ask someone to own it"},
		{"user mention with name", "Ask <@W024BE7LH|ana> to own it", 0, "Ask ana to own it"},
		{"user mention with @name", "Ask <@U1|@ana> to own it", 0, "Ask ana to own it"},
		{"label that is itself a mention", "<@U1|@here> hi", 0, "here hi"},
		{"channel link kept", "See <#C024BE7LR|general>", 0, "See <#C024BE7LR|general>"},
		{"cut on word boundary", "Post short recipe videos every week", 20, "Post short recipe…"},
		{"cut exactly at a space", "Post short recipe videos", 18, "Post short recipe…"},
		{"fits exactly", "Post short", 10, "Post short"},
		{"long word cut on rune", "Supercalifragilistic", 8, "Superca…"},
		{"multibyte runes", "Kaffeeröstereiöffnungszeiten", 10, "Kaffeerös…"},
		{"emoji", "☕☕☕☕☕☕", 4, "☕☕☕…"},
		{"trailing comma dropped", "First, second, third, fourth", 16, "First, second…"},
		{"max one", "Hello", 1, "…"},
		{"mention then cut", "@here " + strings.Repeat("word ", 10), 12, "here word…"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Clean(tt.in, tt.maxLen)
			if got != tt.want {
				t.Errorf("Clean(%q, %d) = %q, want %q", tt.in, tt.maxLen, got, tt.want)
			}
			if tt.maxLen > 0 && utf8.RuneCountInString(got) > tt.maxLen {
				t.Errorf("Clean(%q, %d) = %q is %d runes, over the limit", tt.in, tt.maxLen, got, utf8.RuneCountInString(got))
			}
		})
	}
}

// TestCleanLeavesNoMention tries inputs built to survive one pass of
// replacements.
func TestCleanLeavesNoMention(t *testing.T) {
	inputs := []string{
		"<!<!here>here>",
		"<<@U1>@U2>",
		"<!subteam^S1|<!channel>>",
		"@@here @here@here (@channel)",
		"<@U1|<!everyone>>",
		"<!date^1^x|@channel>",
	}
	for _, in := range inputs {
		got := Clean(in, 0)
		for _, bad := range []string{"<!", "<@"} {
			if strings.Contains(got, bad) {
				t.Errorf("Clean(%q) = %q still contains %q", in, got, bad)
			}
		}
		// A bare mention only counts at the start of a word, as in an
		// e-mail address it is just text.
		for _, word := range strings.Fields(got) {
			word = strings.ToLower(strings.TrimLeft(word, "([{\"'"))
			for _, bad := range []string{"@here", "@channel", "@everyone"} {
				if strings.HasPrefix(word, bad) {
					t.Errorf("Clean(%q) = %q still starts a word with %q", in, got, bad)
				}
			}
		}
	}
}

func TestThrottle(t *testing.T) {
	var (
		now  = time.Date(2027, 1, 4, 9, 0, 0, 0, time.UTC)
		sent []string
	)
	clock := func() time.Time { return now }
	push, flush := Throttle(time.Second, clock, func(s string) { sent = append(sent, s) })

	steps := []struct {
		advance time.Duration
		push    string
	}{
		{0, "W"},                                  // first update goes out at once
		{300 * time.Millisecond, "We"},            // held
		{300 * time.Millisecond, "We p"},          // held, replaces "We"
		{500 * time.Millisecond, "We post"},       // 1.1s after the last: sent
		{100 * time.Millisecond, "We post reels"}, // held until flush
	}
	for _, s := range steps {
		now = now.Add(s.advance)
		push(s.push)
	}
	flush()
	flush() // nothing more held: no repeat
	want := []string{"W", "We post", "We post reels"}
	if diff := cmp.Diff(want, sent); diff != "" {
		t.Errorf("forwarded (-want +got):\n%s", diff)
	}
}

func TestThrottleFlushAfterSend(t *testing.T) {
	var sent []string
	push, flush := Throttle(time.Minute, nil, func(s string) { sent = append(sent, s) })
	flush() // nothing pushed yet
	push("done")
	flush() // already forwarded
	if diff := cmp.Diff([]string{"done"}, sent); diff != "" {
		t.Errorf("forwarded (-want +got):\n%s", diff)
	}
}

func TestThrottleConcurrent(t *testing.T) {
	var (
		mu   sync.Mutex
		sent []string
	)
	push, flush := Throttle(time.Hour, nil, func(s string) {
		mu.Lock()
		defer mu.Unlock()
		sent = append(sent, s)
	})
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() { push(strings.Repeat("x", i+1)) })
	}
	wg.Wait()
	flush()
	if len(sent) != 2 {
		t.Errorf("forwarded %q, want the first push and one flush", sent)
	}
}
