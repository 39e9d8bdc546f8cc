package prompts

import (
	"regexp"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"
)

var (
	// Slack's special mentions: <!here>, <!channel|channel>,
	// <!subteam^S123|@design>, and other <!...> commands such as dates.
	specialMention = regexp.MustCompile(`<!([^|>]*)(?:\|([^>]*))?>`)
	// A user mention, <@U123> or <@W123|name>. A model cannot know the team's
	// user IDs, so any mention it writes is invented.
	userMention = regexp.MustCompile(`<@([^|>]*)(?:\|([^>]*))?>`)
	// Plain @here, @channel and @everyone, which Slack also turns into mass
	// notifications when a message is sent with link_names.
	bareMention = regexp.MustCompile(`(?i)(^|[^\pL\pN_])@(channel|here|everyone)\b`)
)

// Clean makes model output safe to post to Slack: it turns every mention
// into plain words so the post cannot notify anyone, trims it, and cuts it to
// at most maxLen runes on a word boundary, ending with "…". A maxLen of zero
// or less means no limit.
func Clean(s string, maxLen int) string {
	// Replacing one mention can join its neighbours into a new one
	// ("<!<!here>here>"), so repeat until nothing changes.
	for range 8 {
		next := specialMention.ReplaceAllStringFunc(s, special)
		next = userMention.ReplaceAllStringFunc(next, user)
		next = bareMention.ReplaceAllString(next, "${1}${2}")
		if next == s {
			break
		}
		s = next
	}
	return truncate(strings.TrimSpace(s), maxLen)
}

func special(m string) string {
	sub := specialMention.FindStringSubmatch(m)
	name, label := strings.ToLower(strings.TrimSpace(sub[1])), strings.TrimLeft(strings.TrimSpace(sub[2]), "@")
	if label != "" {
		return label
	}
	switch {
	case name == "here" || name == "channel" || name == "everyone":
		return name
	case strings.HasPrefix(name, "subteam^"):
		return "a group"
	}
	return ""
}

func user(m string) string {
	sub := userMention.FindStringSubmatch(m)
	if label := strings.TrimLeft(strings.TrimSpace(sub[2]), "@"); label != "" {
		return label
	}
	return "someone"
}

// truncate cuts s to at most maxLen runes including the "…", backing up to
// the last space when a word would be split, unless that loses over half.
func truncate(s string, maxLen int) string {
	if maxLen <= 0 || utf8.RuneCountInString(s) <= maxLen {
		return s
	}
	if maxLen == 1 {
		return "…"
	}
	runes := []rune(s)
	cut := runes[:maxLen-1]
	if !unicode.IsSpace(runes[len(cut)]) {
		if i := lastSpace(cut); i > len(cut)/2 {
			cut = cut[:i]
		}
	}
	out := strings.TrimRightFunc(string(cut), func(r rune) bool {
		return unicode.IsSpace(r) || strings.ContainsRune(",;:-–—", r)
	})
	return out + "…"
}

func lastSpace(rs []rune) int {
	for i := len(rs) - 1; i >= 0; i-- {
		if unicode.IsSpace(rs[i]) {
			return i
		}
	}
	return -1
}

// Throttle rate-limits progress updates such as editing a Slack message
// while a draft streams in. push forwards its text to fn at most once per
// interval and keeps the latest text it held back; flush forwards that held
// text, so the final version is never lost. Both are safe for concurrent
// use and call fn one at a time. A nil clock means time.Now.
func Throttle(interval time.Duration, clock func() time.Time, fn func(string)) (push func(string), flush func()) {
	if clock == nil {
		clock = time.Now
	}
	var (
		mu      sync.Mutex
		last    time.Time
		sent    bool
		pending string
		held    bool
	)
	push = func(s string) {
		mu.Lock()
		defer mu.Unlock()
		now := clock()
		if sent && now.Sub(last) < interval {
			pending, held = s, true
			return
		}
		last, sent, held = now, true, false
		fn(s)
	}
	flush = func() {
		mu.Lock()
		defer mu.Unlock()
		if !held {
			return
		}
		last, sent, held = clock(), true, false
		fn(pending)
	}
	return push, flush
}
