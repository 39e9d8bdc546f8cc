// Package markup keeps what people type in one form, Slack's own message
// encoding, and renders it for each place it is shown: back into Slack, in a
// terminal or an LLM prompt, and in Markdown exports.
//
// Keeping one stored form means "is this already escaped?" is answered by a
// type, not by a comment: text from Slack arrives encoded and is stored as it
// is (FromSlack), text typed elsewhere is encoded once on the way in
// (FromPlain), and every renderer decodes exactly once on the way out.
package markup

import (
	"strings"
	"unicode/utf8"
)

// Stored is text in Slack's message encoding, the only form in which racebot
// keeps what people type. Literal &, < and > are written &amp;, &lt; and
// &gt;, and everything between angle brackets is an entity: a user mention
// <@U123|ana>, a channel link <#C123|general>, a broadcast such as <!here>,
// a date <!date^…|fallback> or a link <https://x.example|label>.
//
// Slack escapes only those three characters because they are the only ones
// its parser gives meaning to; quotes, asterisks and the like stay literal and
// mean formatting only when a renderer says so. A Stored value made by a plain
// conversion from old data may hold a stray < or a control character; the
// renderers treat the first as literal text and drop the second.
type Stored string

// Names resolves Slack ids to display names for the renderers. The Slack
// transport implements it from its users.info cache; a nil Names makes the
// renderers fall back to the label inside the entity, then to the id.
type Names interface {
	UserName(id string) (string, bool)
	ChannelName(id string) (string, bool)
}

// FromPlain encodes plain text, such as a terminal line or a form field read
// as plain text, into the stored form. Like FromSlack it drops control
// characters other than newline and tab and turns \r\n into \n, so a Stored
// value never carries terminal escape sequences whatever its source.
func FromPlain(s string) Stored {
	return Stored(EscapeSlack(clean(s)))
}

// FromSlack takes the text of a Slack message as it arrives, which Slack has
// already encoded, and returns it as stored text. Only control characters
// other than newline and tab are dropped, \r\n becomes \n and invalid UTF-8
// becomes U+FFFD; entities are kept byte for byte. Clean text, the common
// case, is returned without copying.
func FromSlack(s string) Stored {
	return Stored(clean(s))
}

// EscapeSlack escapes &, < and > so that racebot's own words (plan names in a
// header, fixed phrases) appear literally in mrkdwn. It is for text that is
// not user text; user text is already a Stored value and rendered with Slack.
func EscapeSlack(s string) string {
	if !strings.ContainsAny(s, "&<>") {
		return s
	}
	return escaper.Replace(s)
}

var (
	escaper   = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")
	unescaper = strings.NewReplacer("&amp;", "&", "&lt;", "<", "&gt;", ">")
)

// decode undoes Slack's escaping. It is a single left-to-right pass, so
// "&amp;lt;" becomes "&lt;" and not "<": the exact inverse of EscapeSlack.
// Other entity-like text such as &quot; is not Slack's and stays as it is.
func decode(s string) string {
	if strings.IndexByte(s, '&') < 0 {
		return s
	}
	return unescaper.Replace(s)
}

// writeDecoded writes decode(s) to b without building it first.
func writeDecoded(b *strings.Builder, s string) {
	for {
		i := strings.IndexByte(s, '&')
		if i < 0 {
			b.WriteString(s)
			return
		}
		b.WriteString(s[:i])
		s = s[i:]
		switch {
		case strings.HasPrefix(s, "&amp;"):
			b.WriteByte('&')
			s = s[len("&amp;"):]
		case strings.HasPrefix(s, "&lt;"):
			b.WriteByte('<')
			s = s[len("&lt;"):]
		case strings.HasPrefix(s, "&gt;"):
			b.WriteByte('>')
			s = s[len("&gt;"):]
		default:
			b.WriteByte('&')
			s = s[1:]
		}
	}
}

// clean drops C0 and C1 control characters and DEL except newline and tab,
// and turns \r\n into \n. They have no place in a chat message, and in a
// terminal or an export they can move the cursor or hide text. Invalid UTF-8
// becomes U+FFFD, as encoding/json already does to what Slack sends: left
// alone, a stray 0xC2 could meet the byte after a dropped control character
// and become a C1 control itself. Zero-width spaces are dropped too:
// racebot puts them beside the formatting characters of a name it shows in
// bold (see SlackInStyle), and a name copied from such a message and pasted
// back must read as the name stored.
func clean(s string) string {
	if firstControl(s) < 0 && utf8.ValidString(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); {
		r, w := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && w == 1:
			b.WriteRune(utf8.RuneError)
		case !isControl(r):
			// Dropping every \r also turns \r\n into \n; a lone \r (old
			// Mac line ends) is as rare in chat as any other control.
			b.WriteString(s[i : i+w])
		}
		i += w
	}
	return b.String()
}

// firstControl returns the byte offset of the first control character clean
// drops, or -1. It looks at bytes only, which keeps the common case cheap: C1
// controls are the two-byte sequences 0xC2 0x80 to 0xC2 0x9F.
func firstControl(s string) int {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c < 0x20 && c != '\n' && c != '\t', c == 0x7f:
			return i
		case c == 0xc2 && i+1 < len(s) && s[i+1] >= 0x80 && s[i+1] <= 0x9f:
			return i
		case c == 0xe2 && strings.HasPrefix(s[i:], zeroWidthSpace):
			return i
		}
	}
	return -1
}

// isControl reports whether clean drops r.
func isControl(r rune) bool {
	return (r < 0x20 && r != '\n' && r != '\t') || (r >= 0x7f && r <= 0x9f) || r == '\u200b'
}
