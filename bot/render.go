package bot

import (
	"strings"

	"github.com/racebot/racebot/flows"
)

// slashCommand is racebot's slash command, as the manifest registers it.
const slashCommand = "/race"

// mrkdwn renders a coach's message in Slack's markup. Escaping is decided
// here, per span, and nowhere else: our words are escaped, people's text
// keeps its mentions and links but can never broadcast, and commands get
// the slash command in front.
func mrkdwn(m flows.Msg) string {
	var b strings.Builder
	for i := 0; i < len(m); {
		// Consecutive spans in one style share one pair of markers:
		// "*Review of Q1*", not "*Review of **Q1*", which Slack shows as is.
		j := i + 1
		for j < len(m) && m[j].Style == m[i].Style {
			j++
		}
		var run strings.Builder
		for _, s := range m[i:j] {
			run.WriteString(mrkdwnSpan(s))
		}
		switch m[i].Style {
		case flows.StyleStrong:
			b.WriteString(styled(run.String(), "*"))
		case flows.StyleEmph:
			b.WriteString(styled(run.String(), "_"))
		default:
			b.WriteString(run.String())
		}
		i = j
	}
	return b.String()
}

func mrkdwnSpan(s flows.Span) string {
	switch s.Kind {
	case flows.SpanCode:
		return "`" + escape(s.Text) + "`"
	case flows.SpanCommand:
		return "`" + slashCommand + " " + escape(s.Text) + "`"
	case flows.SpanUser:
		return slackUserText(s.Text)
	case flows.SpanPerson:
		return "<@" + s.Text + ">"
	}
	return escape(s.Text)
}

// styled wraps each line of s in a marker. Slack's bold and italics need
// the markers against the words and end at a line break, so spaces and
// line breaks stay outside.
func styled(s, marker string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		core := strings.TrimSpace(l)
		if core == "" {
			continue
		}
		start := strings.Index(l, core)
		lines[i] = l[:start] + marker + core + marker + l[start+len(core):]
	}
	return strings.Join(lines, "\n")
}

// slackUserText renders text a person typed, in its stored form, inside
// mrkdwn. Mentions, channels and links stay as they are, so they keep
// working; broadcasts (<!channel>, <!here>, <!everyone>, <!subteam^…>) are
// shown, not sent, so an answer quoted back never pings a crowd; a stray
// &, < or > is escaped, and an escape already in the text is left alone, so
// nothing is escaped twice.
func slackUserText(stored string) string {
	var b strings.Builder
	scanStored(stored, func(text string) {
		b.WriteString(escapeStray(text))
	}, func(ref, _ string) {
		if allowedRef(ref) {
			b.WriteString(ref)
		} else {
			b.WriteString(escape(ref))
		}
	})
	return b.String()
}

// allowedRef reports whether a reference (with its angle brackets) may
// reach Slack as it is: people, channels and links, not broadcasts.
func allowedRef(ref string) bool {
	inner := ref[1 : len(ref)-1]
	for _, prefix := range []string{"@U", "@W", "#C", "#G", "http://", "https://", "mailto:"} {
		if strings.HasPrefix(inner, prefix) {
			return true
		}
	}
	return false
}

// scanStored splits stored text into its words and its references: every
// "<…>" with no angle bracket inside, passed whole with its target (the
// part before any "|") and label.
func scanStored(s string, text func(string), ref func(ref, label string)) {
	for s != "" {
		open := strings.IndexByte(s, '<')
		if open < 0 {
			text(s)
			return
		}
		end := strings.IndexAny(s[open+1:], "<>")
		if end < 0 || s[open+1+end] != '>' {
			text(s[:open+1])
			s = s[open+1:]
			continue
		}
		end += open + 1
		if open > 0 {
			text(s[:open])
		}
		_, label, _ := strings.Cut(s[open+1:end], "|")
		ref(s[open:end+1], label)
		s = s[end+1:]
	}
}

// escapeStray escapes &, < and > in people's words, except the escapes
// Slack already wrote (&amp; &lt; &gt;).
func escapeStray(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '&':
			if rest := s[i:]; strings.HasPrefix(rest, "&amp;") || strings.HasPrefix(rest, "&lt;") || strings.HasPrefix(rest, "&gt;") {
				b.WriteByte(c)
			} else {
				b.WriteString("&amp;")
			}
		case '<':
			b.WriteString("&lt;")
		case '>':
			b.WriteString("&gt;")
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// decodeStored turns Slack's escapes in people's words back into the
// characters they stand for.
func decodeStored(s string) string {
	return strings.NewReplacer("&lt;", "<", "&gt;", ">", "&amp;", "&").Replace(s)
}

// plainText renders a coach's message where Slack shows text as it is:
// form errors and plain_text fields. Literals and commands keep their
// backticks as quotes; people's text is decoded and its references
// reduced to their names.
func plainText(m flows.Msg) string {
	var b strings.Builder
	for _, s := range m {
		switch s.Kind {
		case flows.SpanCode:
			b.WriteString("`" + s.Text + "`")
		case flows.SpanCommand:
			b.WriteString("`" + slashCommand + " " + s.Text + "`")
		case flows.SpanUser:
			b.WriteString(plainUserText(s.Text))
		case flows.SpanPerson:
			b.WriteString("@" + s.Text)
		default:
			b.WriteString(s.Text)
		}
	}
	return b.String()
}

// plainUserText is people's stored text as plain words: "<@U1|ana>" reads
// @ana, a link its label, and &lt; a "<".
func plainUserText(stored string) string {
	var b strings.Builder
	scanStored(stored, func(text string) {
		b.WriteString(decodeStored(text))
	}, func(ref, label string) {
		b.WriteString(refName(ref, label))
	})
	return b.String()
}

// refName names a reference in plain words.
func refName(ref, label string) string {
	target, _, _ := strings.Cut(ref[1:len(ref)-1], "|")
	switch {
	case label != "" && (strings.HasPrefix(target, "@") || strings.HasPrefix(target, "!subteam")):
		return "@" + strings.TrimPrefix(decodeStored(label), "@")
	case label != "" && strings.HasPrefix(target, "#"):
		return "#" + strings.TrimPrefix(decodeStored(label), "#")
	case label != "":
		return decodeStored(label)
	case strings.HasPrefix(target, "!"):
		return "@" + strings.TrimPrefix(target, "!")
	}
	return decodeStored(target)
}

// markdownUserText is people's stored text for a Markdown export: links
// become Markdown links, mentions names.
func markdownUserText(stored string) string {
	var b strings.Builder
	scanStored(stored, func(text string) {
		b.WriteString(decodeStored(text))
	}, func(ref, label string) {
		target, _, _ := strings.Cut(ref[1:len(ref)-1], "|")
		switch {
		case strings.HasPrefix(target, "http://"), strings.HasPrefix(target, "https://"), strings.HasPrefix(target, "mailto:"):
			if label == "" {
				b.WriteString("<" + decodeStored(target) + ">")
			} else {
				b.WriteString("[" + decodeStored(label) + "](" + decodeStored(target) + ")")
			}
		default:
			b.WriteString(refName(ref, label))
		}
	})
	return b.String()
}

// msgMessage is a one-section message of a coach's words.
func msgMessage(base string, m flows.Msg) message {
	text := mrkdwn(m)
	return message{Text: text, Blocks: sections(blockIDs{}, base, text)}
}

// msgAck acknowledges a slash command with a coach's words.
func msgAck(m flows.Msg) *ack {
	return ephemeralAck(msgMessage("ack", m))
}

// say makes a message of the bot's own words.
func say(s string) flows.Msg { return flows.Say(flows.Text(s)) }
