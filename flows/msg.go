package flows

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// SpanKind says what a piece of a message is, so each transport renders and
// escapes it its own way. The engine never writes a transport's markup: a
// message is data, and escaping is decided once, by the renderer.
type SpanKind uint8

const (
	// SpanText is our own words.
	SpanText SpanKind = iota
	// SpanCode is a literal to type or read exactly: a reply word (skip),
	// an example line.
	SpanCode
	// SpanCommand is a racebot command without its prefix ("status",
	// "new <name>"); Slack shows it as a slash command, a terminal bare.
	SpanCommand
	// SpanUser is text a person typed, in its stored form: Slack's encoding,
	// where &, < and > are written &amp;, &lt; and &gt;, and anything in
	// angle brackets is a reference (a mention, a channel, a link). Each
	// transport decodes or re-checks it; it is never taken as our words.
	SpanUser
	// SpanPerson is a person: a Slack user id, or a terminal user name.
	// Slack renders a mention, a terminal the name.
	SpanPerson
)

// Style is how a span is emphasised, where a transport can show it.
type Style uint8

const (
	StylePlain Style = iota
	StyleStrong
	StyleEmph
)

// Span is one run of a message with one kind and style.
type Span struct {
	Kind  SpanKind
	Style Style
	Text  string
}

// Text is our own words.
func Text(s string) Span { return Span{Kind: SpanText, Text: s} }

// Code is a literal for people to type or read exactly.
func Code(s string) Span { return Span{Kind: SpanCode, Text: s} }

// Cmd is a racebot command, written without its prefix: Cmd("status").
func Cmd(s string) Span { return Span{Kind: SpanCommand, Text: s} }

// User is text a person typed, in its stored form.
func User(s string) Span { return Span{Kind: SpanUser, Text: s} }

// Person is a person, by Slack user id or terminal user name.
func Person(id string) Span { return Span{Kind: SpanPerson, Text: id} }

// Strong returns the span in bold.
func (s Span) Strong() Span { s.Style = StyleStrong; return s }

// Emph returns the span in italics.
func (s Span) Emph() Span { s.Style = StyleEmph; return s }

// Msg is a message: spans in reading order. The zero Msg is empty.
type Msg []Span

// Say makes a message of spans.
func Say(spans ...Span) Msg { return Msg(spans).compact() }

// Sayf formats a message like fmt.Sprintf. An argument of type Span or Msg
// is inserted as its spans (with %q, between double quotes; widths do not
// apply); any other argument is formatted by fmt into our words, verb,
// flags and all.
// Explicit argument indexes (%[1]s) are not supported.
func Sayf(format string, args ...any) Msg {
	var m Msg
	text := func(s string) {
		if s != "" {
			m = append(m, Text(s))
		}
	}
	next := 0
	for i := 0; i < len(format); {
		j := strings.IndexByte(format[i:], '%')
		if j < 0 {
			text(format[i:])
			break
		}
		text(format[i : i+j])
		i += j
		verb, n, stars, takesArg := verbAt(format[i:])
		i += n
		if verb == "%%" {
			text("%")
			continue
		}
		if !takesArg {
			end := min(next+stars, len(args))
			text(fmt.Sprintf(verb, args[next:end]...))
			next = end
			continue
		}
		if next+stars >= len(args) {
			text(fmt.Sprintf(verb, args[min(next, len(args)):]...))
			next = len(args)
			continue
		}
		arg := args[next+stars]
		quoted := verb[len(verb)-1] == 'q'
		switch v := arg.(type) {
		case Span:
			m = append(m, quote(Msg{v}, quoted)...)
		case Msg:
			m = append(m, quote(v, quoted)...)
		default:
			text(fmt.Sprintf(verb, args[next:next+stars+1]...))
		}
		next += stars + 1
	}
	if next < len(args) {
		text(fmt.Sprintf("%%!(EXTRA %d args)", len(args)-next))
	}
	return m.compact()
}

// verbAt reads the verb at the start of s ("%-8s", "%.1f", "%%") as fmt
// does: flags, a width, a precision, then one rune. It returns the verb with
// its length in bytes, how many stars take a width or precision from the
// arguments, and whether it formats an argument: "%5%" and an unfinished
// verb at the end, returned whole for fmt to report, do not.
func verbAt(s string) (verb string, n, stars int, takesArg bool) {
	i := 1
	for i < len(s) && strings.IndexByte("+-# 0", s[i]) >= 0 {
		i++
	}
	number := func() {
		if i < len(s) && s[i] == '*' {
			i++
			stars++
			return
		}
		// fmt gives up on an absurdly long number, and on the rest of
		// the format with it.
		for v := 0; i < len(s) && s[i] >= '0' && s[i] <= '9'; i++ {
			if v > 1e6 {
				i = len(s)
				return
			}
			v = v*10 + int(s[i]-'0')
		}
	}
	number()
	if i+1 < len(s) && s[i] == '.' {
		i++
		number()
	}
	if i == len(s) {
		return s, i, stars, false
	}
	r, size := utf8.DecodeRuneInString(s[i:])
	return s[:i+size], i + size, stars, r != '%'
}

func quote(m Msg, quoted bool) Msg {
	if !quoted {
		return m
	}
	out := make(Msg, 0, len(m)+2)
	out = append(out, Text(`"`))
	out = append(out, m...)
	return append(out, Text(`"`))
}

// compact drops empty spans and joins neighbouring spans of our own words
// in the same style, so equal messages compare equal however they were built.
// The result never shares m's array. A run of spans to join is joined in
// one allocation: messages are built of many short pieces ("question ",
// "3", " of ", "8") ahead of a long one, and joining them pairwise copied
// the long text once per piece.
func (m Msg) compact() Msg {
	if len(m) == 0 {
		return m[:0:0]
	}
	out := make(Msg, 0, len(m))
	for i := 0; i < len(m); i++ {
		s := m[i]
		if s.Text == "" {
			continue
		}
		if s.Kind != SpanText {
			out = append(out, s)
			continue
		}
		end, size := i+1, len(s.Text)
		for ; end < len(m); end++ {
			t := m[end]
			if t.Text == "" {
				continue
			}
			if t.Kind != SpanText || t.Style != s.Style {
				break
			}
			size += len(t.Text)
		}
		if size > len(s.Text) {
			var b strings.Builder
			b.Grow(size)
			for _, t := range m[i:end] {
				b.WriteString(t.Text)
			}
			s.Text = b.String()
		}
		out = append(out, s)
		i = end - 1
	}
	return out
}

// Append returns the message followed by more: spans, messages, or strings
// of our own words.
func (m Msg) Append(parts ...any) Msg {
	return appendParts(append(Msg(nil), m...), parts).compact()
}

// appendParts appends spans, messages and strings of our own words to m
// in place.
func appendParts(m Msg, parts []any) Msg {
	for _, p := range parts {
		switch p := p.(type) {
		case Span:
			m = append(m, p)
		case Msg:
			m = append(m, p...)
		case string:
			m = append(m, Text(p))
		default:
			panic(fmt.Sprintf("flows: Append of %T", p))
		}
	}
	return m
}

// Join puts sep, as our own words, between messages.
func Join(ms []Msg, sep string) Msg {
	var out Msg
	for i, m := range ms {
		if i > 0 {
			out = append(out, Text(sep))
		}
		out = append(out, m...)
	}
	return out.compact()
}

// Lines joins messages one per line.
func Lines(ms ...Msg) Msg { return Join(ms, "\n") }

// String is the message as plain text, for logs and tests: literals and
// commands (without a prefix) between backticks, people's text as stored,
// no styling.
func (m Msg) String() string {
	var b strings.Builder
	for _, s := range m {
		switch s.Kind {
		case SpanCode, SpanCommand:
			b.WriteString("`" + s.Text + "`")
		default:
			b.WriteString(s.Text)
		}
	}
	return b.String()
}

// msgBuilder collects a long message piece by piece, as strings.Builder
// does for text.
type msgBuilder struct{ m Msg }

func (b *msgBuilder) printf(format string, args ...any) { b.m = append(b.m, Sayf(format, args...)...) }

func (b *msgBuilder) add(parts ...any) { b.m = appendParts(b.m, parts) }

func (b *msgBuilder) msg() Msg { return b.m.compact() }

// storedRef reads a whole stored reference, "<…>" (see SpanUser), and
// returns what it points at without its label: "<x|Ana>" and "<x>" are
// both x. Only a transport knows what a reference means; the engine needs
// to know that it is one, and when two are the same.
func storedRef(s string) (string, bool) {
	if len(s) < 3 || s[0] != '<' || s[len(s)-1] != '>' {
		return "", false
	}
	inner := s[1 : len(s)-1]
	target, _, _ := strings.Cut(inner, "|")
	if target == "" || strings.ContainsAny(inner, "<>") || strings.ContainsAny(target, " \t\n") {
		return "", false
	}
	return target, true
}

// startsWithRef reports whether s begins with a stored reference.
func startsWithRef(s string) bool {
	end := strings.IndexByte(s, '>')
	if end < 0 {
		return false
	}
	_, ok := storedRef(s[:end+1])
	return ok
}
