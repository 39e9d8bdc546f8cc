package bot

import (
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/racebot/racebot/flows"
)

func TestMrkdwn(t *testing.T) {
	t.Parallel()
	T, U := flows.Text, flows.User
	tests := []struct {
		name string
		msg  flows.Msg
		want string
	}{
		{"a mention in an answer keeps working", flows.Say(T("Saved: "), U("ask <@UBEN> first")), "Saved: ask <@UBEN> first"},
		{"a labelled mention and a link are kept byte for byte",
			flows.Say(U("<@UBEN|ben> sells at <https://shop.example|our shop> and <#C123|general>")),
			"<@UBEN|ben> sells at <https://shop.example|our shop> and <#C123|general>"},
		{"escapes already in people's text are not doubled", flows.Say(U("use &lt;b&gt; &amp; R&amp;D")), "use &lt;b&gt; &amp; R&amp;D"},
		{"a broadcast becomes words", flows.Say(U("hi <!channel> and <!here>, <!everyone>")), "hi @channel and @here, @everyone"},
		{"a user group becomes its name", flows.Say(U("<!subteam^S123|@marketing> please")), "@marketing please"},
		{"an unknown entity or stray bracket is escaped", flows.Say(U("a < b <b>bold</b> <javascript:x|y>")), "a &lt; b &lt;b&gt;bold&lt;/b&gt; &lt;javascript:x|y&gt;"},
		{"an unfinished reference is text", flows.Say(U("see <https://x.example|docs")), "see &lt;https://x.example|docs"},
		{"our words are escaped", flows.Say(T("R&D <tags> stay words")), "R&amp;D &lt;tags&gt; stay words"},
		{"literals and commands", flows.Sayf("Reply %s, or type %s.", flows.Code("skip"), flows.Cmd("new <name>")),
			"Reply `skip`, or type `/race new &lt;name&gt;`."},
		{"a person is mentioned", flows.Sayf("From %s:", flows.Person("UANA")), "From <@UANA>:"},
		{"styles", flows.Sayf("%s · question 1\n%s", T("Plan").Strong(), T("Hint: be brief").Emph()), "*Plan* · question 1\n_Hint: be brief_"},
		{"one pair of markers for a styled run", flows.Sayf("%s%s (built-in checks)", T("Review of ").Strong(), U("Q1 &amp; <!here>").Strong()),
			"*Review of Q1 &amp; @here* (built-in checks)"},
		{"markers hug the words, per line", flows.Say(T(" Funnel \ncheck").Strong()), " *Funnel* \n*check*"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := mrkdwn(tt.msg); got != tt.want {
				t.Errorf("mrkdwn = %q\n          want %q", got, tt.want)
			}
		})
	}
}

// TestMrkdwnAsSpanBySpan: the one-buffer rendering writes what rendering
// each span on its own and joining them wrote, over random messages of
// every kind, style and awkward character.
func TestMrkdwnAsSpanBySpan(t *testing.T) {
	t.Parallel()
	oneSpan := func(s flows.Span) string {
		switch s.Kind {
		case flows.SpanCode:
			return "`" + escape(s.Text) + "`"
		case flows.SpanCommand:
			return "`" + slashCommand + " " + escape(s.Text) + "`"
		case flows.SpanUser:
			if s.Style != flows.StylePlain {
				return slackStyledText(s.Text)
			}
			return slackUserText(s.Text)
		case flows.SpanPerson:
			return "<@" + s.Text + ">"
		}
		return escape(s.Text)
	}
	oracle := func(m flows.Msg) string {
		var out string
		for i := 0; i < len(m); {
			j := i + 1
			for j < len(m) && m[j].Style == m[i].Style {
				j++
			}
			var run string
			for _, s := range m[i:j] {
				run += oneSpan(s)
			}
			switch m[i].Style {
			case flows.StyleStrong:
				run = styled(run, "*")
			case flows.StyleEmph:
				run = styled(run, "_")
			}
			out += run
			i = j
		}
		return out
	}
	pieces := []string{"a", "R&D", "<", ">", "&amp;", " ", "\n", "\n\n", "<@U1>", "<!here>", "<https://x.example|x>", "é", "*", "_", "`"}
	rng := rand.New(rand.NewPCG(1, 2))
	for range 20000 {
		var m flows.Msg
		for range rng.IntN(8) {
			var text strings.Builder
			for range rng.IntN(5) {
				text.WriteString(pieces[rng.IntN(len(pieces))])
			}
			m = append(m, flows.Span{Kind: flows.SpanKind(rng.IntN(5)), Style: flows.Style(rng.IntN(3)), Text: text.String()})
		}
		if got, want := mrkdwn(m), oracle(m); got != want {
			t.Fatalf("mrkdwn(%#v)\n = %q\nwant %q", m, got, want)
		}
	}
}

func TestPlainText(t *testing.T) {
	t.Parallel()
	m := flows.Sayf("%q is not a number; try %s or %s, %s.", flows.User("1&lt;2 <@UBEN|ben> <!here>"), flows.Code("12.4k"), flows.Cmd("values"), flows.Person("UANA"))
	want := "\"1<2 @ben @here\" is not a number; try `12.4k` or `/race values`, @UANA."
	if got := plainText(m); got != want {
		t.Errorf("plainText = %q\n           want %q", got, want)
	}
}

func TestMarkdownPeople(t *testing.T) {
	t.Parallel()
	n := names{users: map[string]string{"UBEN": "Ben", "UANA": "Ana *Lopez*"}, channels: map[string]string{"C1": "launch"}}
	people := markdownPeople(n)
	tests := []struct{ in, want string }{
		{"buy at <https://shop.example|our shop>", "buy at [our shop](https://shop.example)"},
		{"see <https://x.example>", "see <https://x.example>"},
		{"<@UBEN|ben> and <@UCAT> in <#C1>", "@Ben and @UCAT in #launch"},
		{"R&amp;D &lt;3", `R&D \<3`},
		{"<!subteam^S1|@marketing> <!channel>", "@marketing @channel"},
	}
	for _, tt := range tests {
		if got := people.Text(tt.in); got != tt.want {
			t.Errorf("Text(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	for id, want := range map[string]string{"UANA": `Ana \*Lopez\*`, "UCAT": "UCAT"} {
		if got := people.Name(id); got != want {
			t.Errorf("Name(%s) = %q, want %q", id, got, want)
		}
	}
}
