package markup

import "strings"

// kind is what a piece of stored text is.
type kind int

const (
	// kText is ordinary stored text, still encoded (&amp; and friends).
	kText kind = iota
	// kUser is <@U123> or <@U123|ana>; id is U123.
	kUser
	// kChannel is <#C123> or <#C123|general>; id is C123.
	kChannel
	// kBroadcast is <!channel>, <!here> or <!everyone> (and the legacy
	// <!group>, which Slack treats as <!channel>); id is the lower-case word.
	kBroadcast
	// kSubteam is a user group mention, <!subteam^S123|@team>; id is S123.
	kSubteam
	// kDate is <!date^1392734382^{date_short}|Feb 18, 2014>; Slack shows
	// each reader the date in their own time zone and others the fallback.
	kDate
	// kLink is <https://x.example/a|label> with a scheme that is safe to
	// link; id is the URL, still encoded.
	kLink
	// kStray is a < that opens no entity. Slack never sends one (it would
	// be &lt;), but old data and fuzzers do.
	kStray
	// kUnknown is <…> that is not an entity racebot knows, such as
	// <javascript:…|x> or <!foo>. It is shown as the literal text it is.
	kUnknown
)

// token is one piece of stored text. raw is its exact stored bytes, so
// renderers that keep a piece unchanged write raw.
type token struct {
	kind     kind
	raw      string
	id       string // see the kinds
	label    string // after the |, still encoded
	hasLabel bool
}

// inner returns what is between the brackets of an entity.
func (t token) inner() string { return t.raw[1 : len(t.raw)-1] }

// next splits the first token off s, which must not be empty. Every call
// consumes at least one byte, so a loop over next always ends.
func next(s string) (token, string) {
	if s[0] != '<' {
		i := strings.IndexByte(s, '<')
		if i < 0 {
			i = len(s)
		}
		return token{kind: kText, raw: s[:i]}, s[i:]
	}
	// An entity ends at the first >. Slack never puts <, > or a line break
	// inside one, so meeting any of those first means this < is stray, and
	// scanning resumes right after it: a later < may still open an entity.
	end := strings.IndexAny(s[1:], "<>\n")
	if end < 0 || s[1+end] != '>' {
		return token{kind: kStray, raw: "<"}, s[1:]
	}
	end += 2
	return classify(s[:end]), s[end:]
}

// classify reads an entity, brackets included.
func classify(raw string) token {
	t := token{kind: kUnknown, raw: raw}
	target, label, hasLabel := strings.Cut(raw[1:len(raw)-1], "|")
	t.label, t.hasLabel = label, hasLabel
	switch {
	case strings.HasPrefix(target, "@") && isID(target[1:]):
		t.kind, t.id = kUser, target[1:]
	case strings.HasPrefix(target, "#") && isID(target[1:]):
		t.kind, t.id = kChannel, target[1:]
	case strings.HasPrefix(target, "!"):
		classifyCommand(&t, target[1:])
	case linkable(target):
		t.kind, t.id = kLink, target
	}
	return t
}

// classifyCommand reads the part after <! of a special command.
func classifyCommand(t *token, cmd string) {
	word, arg, _ := strings.Cut(cmd, "^")
	switch strings.ToLower(word) {
	case "channel", "group":
		t.kind, t.id = kBroadcast, "channel"
	case "here":
		t.kind, t.id = kBroadcast, "here"
	case "everyone":
		t.kind, t.id = kBroadcast, "everyone"
	case "subteam":
		if isID(arg) {
			t.kind, t.id = kSubteam, arg
		}
	case "date":
		// Without a fallback there is nothing to show outside Slack, and
		// Slack itself would show the raw command.
		if t.hasLabel && t.label != "" {
			t.kind = kDate
		}
	}
}

// isID reports whether s looks like a Slack id (U123, W123, C123, S123):
// letters and digits only, so nothing in it can be markup anywhere.
func isID(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z') {
			return false
		}
	}
	return true
}

// linkSchemes are the only schemes that become links. Anything else, above
// all javascript: and data:, is shown as text so no renderer ever makes it
// clickable.
var linkSchemes = []string{"https://", "http://", "mailto:", "tel:"}

// linkable reports whether target is a URL racebot may render as a link.
func linkable(target string) bool {
	return scheme(target) != ""
}

// scheme returns the link scheme target starts with (as in linkSchemes), or
// "" when it has none or nothing follows it.
func scheme(target string) string {
	for _, p := range linkSchemes {
		if len(target) > len(p) && strings.EqualFold(target[:len(p)], p) {
			return p
		}
	}
	return ""
}
