package markup

import (
	"strings"
	"testing"
)

// FuzzStored feeds any string in as stored text and as plain text and
// checks what every renderer promises: no panic, no broadcast ever reaches
// Slack, no control characters reach a terminal or an export, and plain text
// survives the trip through the stored form.
func FuzzStored(f *testing.F) {
	for _, tt := range slackTests {
		f.Add(string(tt.in))
	}
	for _, tt := range plainTests {
		f.Add(string(tt.in))
	}
	for _, tt := range markdownTests {
		f.Add(string(tt.in))
	}
	f.Fuzz(func(t *testing.T, in string) {
		s := Stored(in)

		slack := s.Slack()
		lower := strings.ToLower(slack)
		for _, bad := range []string{"<!channel", "<!here", "<!everyone", "<!group", "<!subteam"} {
			if strings.Contains(lower, bad) {
				t.Fatalf("Stored(%q).Slack() = %q contains %s", in, slack, bad)
			}
		}
		// Every < left in the output opens an entity that is safe to post.
		for rest := slack; rest != ""; {
			var tok token
			tok, rest = next(rest)
			switch tok.kind {
			case kBroadcast, kSubteam, kStray, kUnknown:
				t.Fatalf("Stored(%q).Slack() = %q still holds %q", in, slack, tok.raw)
			}
		}
		if again := Stored(slack).Slack(); again != slack {
			t.Fatalf("Slack() is not stable: %q → %q → %q", in, slack, again)
		}

		plain, md := s.Plain(nil), s.Markdown(team)
		for name, out := range map[string]string{"Slack": slack, "Plain": plain, "Markdown": md, "FromSlack": string(FromSlack(in))} {
			if r, ok := controlIn(out); ok {
				t.Fatalf("%s of %q = %q holds control character %U", name, in, out, r)
			}
		}
		if again := FromSlack(string(FromSlack(in))); again != FromSlack(in) {
			t.Fatalf("FromSlack is not stable on %q", in)
		}

		seen := map[string]bool{}
		for _, id := range s.UserIDs() {
			if seen[id] || !strings.Contains(string(FromSlack(in)), "<@"+id) {
				t.Fatalf("Stored(%q).UserIDs() = %q: %q repeated or not mentioned", in, s.UserIDs(), id)
			}
			seen[id] = true
		}

		// The same bytes typed in a terminal.
		typed := FromPlain(in)
		if got, want := typed.Plain(nil), withoutControls(in); got != want {
			t.Fatalf("FromPlain(%q).Plain(nil) = %q, want %q", in, got, want)
		}
		if got := typed.Slack(); got != string(typed) {
			t.Fatalf("FromPlain(%q).Slack() = %q, want the stored form %q", in, got, typed)
		}
		md = typed.Markdown(nil)
		if i := unescapedMarkup(md); i >= 0 {
			t.Fatalf("FromPlain(%q).Markdown() = %q leaves %q at %d unescaped", in, md, md[i], i)
		}
	})
}

// controlIn returns the first control character other than \n and \t in s.
func controlIn(s string) (rune, bool) {
	for _, r := range s {
		if controlRune(r) {
			return r, true
		}
	}
	return 0, false
}

func controlRune(r rune) bool {
	return (r < 0x20 && r != '\n' && r != '\t') || (r >= 0x7f && r <= 0x9f)
}

// withoutControls drops what controlIn finds and makes s valid UTF-8, the
// way a stored form is kept.
func withoutControls(s string) string {
	var b strings.Builder
	for _, r := range s {
		if !controlRune(r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// unescapedMarkup returns the offset of the first character in md that can
// make inline markup (a link, emphasis, code, HTML, a table cell) without a
// backslash before it, or -1.
func unescapedMarkup(md string) int {
	escaped := false
	for i := 0; i < len(md); i++ {
		c := md[i]
		switch {
		case escaped:
			escaped = false
		case c == '\\':
			escaped = true
		case strings.IndexByte("[]<>*_`|", c) >= 0:
			return i
		}
	}
	return -1
}

// message is a 500-character thread reply of the usual mix.
var message = Stored(strings.Repeat("Thanks <@UBEN>! We sell coffee &amp; cake via <https://shop.example/q1?utm=slack&amp;x=1|our shop>; "+
	"see <#C1|general> for the &lt;launch&gt; notes, and ping <!here> when the KPIs are in. ", 3)[:500])

func BenchmarkSlack(b *testing.B) {
	b.SetBytes(int64(len(message)))
	for b.Loop() {
		_ = message.Slack()
	}
}

func BenchmarkPlain(b *testing.B) {
	b.SetBytes(int64(len(message)))
	for b.Loop() {
		_ = message.Plain(team)
	}
}
