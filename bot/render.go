package bot

import (
	"strings"

	"github.com/racebot/racebot/flows"
	"github.com/racebot/racebot/markup"
)

// slashCommand is racebot's slash command, as the manifest registers it.
const slashCommand = "/race"

// mrkdwn renders a coach's message in Slack's markup. Escaping is decided
// here, per span, and nowhere else: our words are escaped, people's text
// keeps its mentions and links but can never broadcast, and commands get
// the slash command in front.
func mrkdwn(m flows.Msg) string {
	// One buffer sized for the whole message: a reply renders a dozen
	// spans, and growing a builder for each run, then the message, was a
	// twentieth of what racebot allocated for an answer.
	n := 0
	for _, s := range m {
		n += len(s.Text) + 2
	}
	var b, run strings.Builder
	b.Grow(n)
	for i := 0; i < len(m); {
		// Consecutive spans in one style share one pair of markers:
		// "*Review of Q1*", not "*Review of **Q1*", which Slack shows as is.
		j := i + 1
		for j < len(m) && m[j].Style == m[i].Style {
			j++
		}
		marker := ""
		switch m[i].Style {
		case flows.StyleStrong:
			marker = "*"
		case flows.StyleEmph:
			marker = "_"
		}
		if marker == "" {
			for _, s := range m[i:j] {
				writeSpan(&b, s, false)
			}
		} else {
			run.Reset()
			for _, s := range m[i:j] {
				writeSpan(&run, s, true)
			}
			b.WriteString(styled(run.String(), marker))
		}
		i = j
	}
	return b.String()
}

// writeSpan writes one span of a message in Slack's markup; styled says
// it is inside bold or italics, where people's text must not add its own.
func writeSpan(b *strings.Builder, s flows.Span, styled bool) {
	switch s.Kind {
	case flows.SpanCode:
		b.WriteByte('`')
		escaper.WriteString(b, s.Text)
		b.WriteByte('`')
	case flows.SpanCommand:
		b.WriteString("`" + slashCommand + " ")
		escaper.WriteString(b, s.Text)
		b.WriteByte('`')
	case flows.SpanUser:
		if styled {
			b.WriteString(slackStyledText(s.Text))
		} else {
			b.WriteString(slackUserText(s.Text))
		}
	case flows.SpanPerson:
		b.WriteString("<@")
		b.WriteString(s.Text)
		b.WriteByte('>')
	default:
		escaper.WriteString(b, s.Text)
	}
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
// mrkdwn: mentions, channels and links keep working, broadcasts become
// plain words, and nothing is escaped twice (see markup.Stored.Slack).
func slackUserText(stored string) string { return markup.Stored(stored).Slack() }

// slackStyledText is slackUserText for text racebot puts between its own
// bold or italic markers, a name in a heading: the text's *, _, ~ and `
// show as typed (see markup.Stored.SlackInStyle).
func slackStyledText(stored string) string { return markup.Stored(stored).SlackInStyle() }

// plainText renders a coach's message where Slack shows text as it is:
// form errors and plain_text fields. Literals and commands keep their
// backticks as quotes; people's text is decoded and its references
// reduced to names.
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
func plainUserText(stored string) string { return markup.Stored(stored).Plain(nil) }

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
