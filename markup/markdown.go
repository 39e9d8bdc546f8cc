package markup

import "strings"

// Markdown renders s as CommonMark for exports. Mentions become @Ana and
// #general as in Plain, a labelled link becomes [label](url) and a bare one
// the autolink <url>.
//
// Everything else is the person's text, so the characters that would make it
// markup are escaped: \ ` * _ [ ] < > | everywhere, an & that would start a
// character reference, and # - + = ~ and the . or ) after digits only where
// they would open a heading, list, rule or fence: at the start of a line.
// Ordinary punctuation mid-line is left alone so the export stays readable.
// Slack's own formatting (*bold*, _italic_) therefore shows as typed rather
// than being translated.
func (s Stored) Markdown(n Names) string {
	str := clean(string(s))
	w := mdWriter{lineStart: true}
	w.b.Grow(len(str) + len(str)/8)
	for rest := str; rest != ""; {
		var t token
		t, rest = next(rest)
		switch t.kind {
		case kText:
			w.text(decode(t.raw))
		case kUser:
			w.text("@" + userName(n, t))
		case kChannel:
			w.text("#" + channelName(n, t))
		case kBroadcast:
			w.text("@" + t.id)
		case kSubteam:
			w.text(decode(subteamName(t.label)))
		case kDate:
			w.text(decode(t.label))
		case kLink:
			w.link(decode(t.id), decode(t.label))
		case kStray:
			w.text("<")
		case kUnknown:
			w.text("<" + decode(t.inner()) + ">")
		}
	}
	return w.b.String()
}

// mdWriter escapes text for CommonMark. It remembers across calls whether
// it is at the start of a line (only spaces or tabs so far) and whether that
// line so far is digits, because a mention or link can sit between the
// characters that together make block markup.
type mdWriter struct {
	b         strings.Builder
	lineStart bool
	digits    bool
}

// blockFollow returns, for a character that opens block markup at the
// start of a line, the characters after it that make it do so.
func blockFollow(c byte) string {
	switch c {
	case '#':
		return "# \t\n"
	case '-':
		return "- \t\n"
	case '+':
		return " \t\n"
	case '=':
		return "= \t\n"
	}
	return "~"
}

// markup writes s as Markdown syntax, not as text.
func (w *mdWriter) markup(s string) {
	w.b.WriteString(s)
	w.lineStart, w.digits = false, false
}

// text writes s so that it renders as exactly s. All the characters it
// escapes are ASCII, so working on bytes leaves UTF-8 sequences intact.
func (w *mdWriter) text(s string) {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '\n' {
			w.b.WriteByte(c)
			w.lineStart, w.digits = true, false
			continue
		}
		if w.lineStart {
			switch c {
			case ' ', '\t':
				w.b.WriteByte(c)
				continue
			case '#', '-', '+', '=', '~':
				// Headings, bullets, setext underlines and rules, and ~~~
				// fences, but only when the next character completes
				// them: #general and -5% stay as they are. At the end of
				// s the next piece is unknown, so escape.
				if i+1 == len(s) || strings.IndexByte(blockFollow(c), s[i+1]) >= 0 {
					w.b.WriteByte('\\')
				}
				w.b.WriteByte(c)
				w.lineStart = false
				continue
			}
			w.lineStart = false
			if '0' <= c && c <= '9' {
				w.digits = true
				w.b.WriteByte(c)
				continue
			}
		} else if w.digits {
			if '0' <= c && c <= '9' {
				w.b.WriteByte(c)
				continue
			}
			w.digits = false
			if c == '.' || c == ')' {
				// "1. " or "1) " would start an ordered list; 10.5%
				// would not.
				if i+1 == len(s) || strings.IndexByte(" \t\n", s[i+1]) >= 0 {
					w.b.WriteByte('\\')
				}
				w.b.WriteByte(c)
				continue
			}
		}
		switch c {
		case '\\', '`', '*', '_', '[', ']', '<', '>', '|':
			w.b.WriteByte('\\')
		case '&':
			// An & at the end may meet the rest of a reference in the
			// next piece, so it is escaped too.
			if i == len(s)-1 || isCharRef(s[i:]) {
				w.b.WriteByte('\\')
			}
		}
		w.b.WriteByte(c)
	}
}

// link writes a link to url, which has a scheme from linkSchemes.
func (w *mdWriter) link(url, label string) {
	if (label == "" || label == url) && autolinkable(url) {
		w.markup("<" + url + ">")
		return
	}
	if label == "" {
		label = url
	}
	w.markup("[")
	w.text(label)
	w.markup("](" + destination(url) + ")")
}

// autolinkable reports whether <url> is a CommonMark autolink for url. The
// syntax has no escapes, so a URL with a space or a character reference in
// it is written as [url](url) instead.
func autolinkable(url string) bool {
	for i := 0; i < len(url); i++ {
		switch url[i] {
		case ' ', '\t', '<', '>':
			return false
		case '&':
			if isCharRef(url[i:]) {
				return false
			}
		}
	}
	return true
}

// destination writes url as the destination of an inline link: brackets and
// backslashes escaped, blanks percent-encoded, since a bare destination ends
// at the first blank or unbalanced ).
func destination(url string) string {
	var b strings.Builder
	b.Grow(len(url) + 8)
	for i := 0; i < len(url); i++ {
		switch c := url[i]; c {
		case '(', ')', '\\':
			b.WriteByte('\\')
			b.WriteByte(c)
		case '&':
			if isCharRef(url[i:]) {
				b.WriteByte('\\')
			}
			b.WriteByte(c)
		case ' ':
			b.WriteString("%20")
		case '\t':
			b.WriteString("%09")
		case '<':
			b.WriteString("%3C")
		case '>':
			b.WriteString("%3E")
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// isCharRef reports whether s starts with what CommonMark reads as a
// character reference: &name;, &#123; or &#x1F;. Names are checked by shape
// only, so a few harmless non-entities get escaped too.
func isCharRef(s string) bool {
	s = s[1:]
	var n, limit int
	var ok func(byte) bool
	switch {
	case strings.HasPrefix(s, "#x") || strings.HasPrefix(s, "#X"):
		s, limit, ok = s[2:], 6, isHex
	case strings.HasPrefix(s, "#"):
		s, limit, ok = s[1:], 7, isDigit
	default:
		if s == "" || !isLetter(s[0]) {
			return false
		}
		limit, ok = 32, func(c byte) bool { return isLetter(c) || isDigit(c) }
	}
	for n < len(s) && n <= limit && ok(s[n]) {
		n++
	}
	return n > 0 && n <= limit && n < len(s) && s[n] == ';'
}

func isDigit(c byte) bool  { return '0' <= c && c <= '9' }
func isLetter(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }
func isHex(c byte) bool    { return isDigit(c) || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F' }
