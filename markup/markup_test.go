package markup

import (
	"math/rand/v2"
	"os/exec"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// names resolves both user and channel ids from one map, like the Slack
// transport's cache does from users.info and conversations.info.
type names map[string]string

func (n names) UserName(id string) (string, bool)    { v, ok := n[id]; return v, ok }
func (n names) ChannelName(id string) (string, bool) { v, ok := n[id]; return v, ok }

var team = names{"UBEN": "Ben", "UANA": "Ana", "C1": "general", "UEMPTY": "", "UEVE": "Eve\x1b[31m"}

const example = "We sell with <@UBEN> via <https://shop.example|our shop>"

func TestFromPlain(t *testing.T) {
	tests := []struct {
		in   string
		want Stored
	}{
		{"", ""},
		{"We sell coffee", "We sell coffee"},
		{"Q&A <3 >_<", "Q&amp;A &lt;3 &gt;_&lt;"},
		{"&amp; stays literal", "&amp;amp; stays literal"},
		{"<!channel> <@UBEN>", "&lt;!channel&gt; &lt;@UBEN&gt;"},
		{"tab\there\nnext line", "tab\there\nnext line"},
		{"windows\r\nline\x1b[31m red\x00", "windows\nline[31m red"},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, FromPlain(tt.in)); diff != "" {
			t.Errorf("FromPlain(%q) (-want +got):\n%s", tt.in, diff)
		}
	}
}

func TestFromSlack(t *testing.T) {
	tests := []struct {
		in   string
		want Stored
	}{
		{"", ""},
		{example, example},
		{"R&amp;D &lt;3 <!here>", "R&amp;D &lt;3 <!here>"},
		{"a\r\nb\r\n", "a\nb\n"},
		{"lone\rreturn", "lonereturn"},
		{"bell\a nul\x00 del\x7f c1\u0085 csi\u009b end", "bell nul del c1 csi end"},
		{"keep\ttabs\nand newlines", "keep\ttabs\nand newlines"},
		{"emoji 👍🏽 zwj 👩‍💻 é ¢", "emoji 👍🏽 zwj 👩‍💻 é ¢"},
		{"invalid \xff\xc2 bytes", "invalid \ufffd\ufffd bytes"},
		{"no new C1 \xc2\x14\x84", "no new C1 \ufffd\ufffd"},
		{"pasted \u200b*\u200bQ3\u200b*\u200b launch\u200b_\u200bplan", "pasted *Q3* launch_plan"},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, FromSlack(tt.in)); diff != "" {
			t.Errorf("FromSlack(%q) (-want +got):\n%s", tt.in, diff)
		}
	}
}

// TestFromSlackCleanTextIsNotCopied holds FromSlack to being cheap on every
// incoming message: text without control characters is returned as it is.
func TestFromSlackCleanTextIsNotCopied(t *testing.T) {
	in := strings.Repeat(example+" R&amp;D é 👍\n", 20)
	if n := testing.AllocsPerRun(100, func() { _ = FromSlack(in) }); n != 0 {
		t.Errorf("FromSlack allocates %v times on clean text, want 0", n)
	}
}

func TestEscapeSlack(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{"Q1 Launch", "Q1 Launch"},
		{"R&D <3 > 2", "R&amp;D &lt;3 &gt; 2"},
		{"&amp;", "&amp;amp;"},
		{"<!here>", "&lt;!here&gt;"},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, EscapeSlack(tt.in)); diff != "" {
			t.Errorf("EscapeSlack(%q) (-want +got):\n%s", tt.in, diff)
		}
	}
}

var slackTests = []struct {
	in   Stored
	want string
}{
	{"", ""},
	{example, example},
	{"<@UBEN|ben> in <#C1|general> and <#C2>, mail <mailto:a@b.example|a@b.example>, call <tel:+4930123|030 123>",
		"<@UBEN|ben> in <#C1|general> and <#C2>, mail <mailto:a@b.example|a@b.example>, call <tel:+4930123|030 123>"},
	{"due <!date^1392734382^{date_short}|Feb 18, 2014>", "due <!date^1392734382^{date_short}|Feb 18, 2014>"},
	{"<https://x.example/?a=1&amp;b=2>", "<https://x.example/?a=1&amp;b=2>"},
	{"R&amp;D &lt;3 1 &gt; 0", "R&amp;D &lt;3 1 &gt; 0"},
	{"<!channel> please", "@channel please"},
	{"<!here|here> and <!everyone> and <!group>", "@here and @everyone and @channel"},
	{"<!channel|@channel> <!HERE>", "@channel @here"},
	{"<!subteam^S123|@design> look", "@design look"},
	{"<!subteam^S123|design> <!subteam^S123>", "@design @team"},
	{"<!subteam^> <!subteam>", "&lt;!subteam^&gt; &lt;!subteam&gt;"},
	{"<!date^1392734382^{date}> <!foo>", "&lt;!date^1392734382^{date}&gt; &lt;!foo&gt;"},
	{"<javascript:alert(1)|click me>", "&lt;javascript:alert(1)|click me&gt;"},
	{"<data:text/html,x> <https://> <ftp://x.example>", "&lt;data:text/html,x&gt; &lt;https://&gt; &lt;ftp://x.example&gt;"},
	{"<@> <@U 1> <#> <@U1\nx>", "&lt;@&gt; &lt;@U 1&gt; &lt;#&gt; &lt;@U1\nx>"},
	{"a < b", "a &lt; b"},
	{"<", "&lt;"},
	{"<>", "&lt;&gt;"},
	{"1 > 0", "1 > 0"},
	// Neutralising must not join the pieces around it into a new entity.
	{"<<!here>here>", "&lt;@herehere>"},
	{"<!chan<!channel>nel>", "&lt;!chan@channelnel>"},
	{"<<@UBEN>>", "&lt;<@UBEN>>"},
	{"ping\x07 <!here>\x1b", "ping @here"},
}

func TestSlack(t *testing.T) {
	for _, tt := range slackTests {
		if diff := cmp.Diff(tt.want, tt.in.Slack()); diff != "" {
			t.Errorf("Stored(%q).Slack() (-want +got):\n%s", tt.in, diff)
		}
	}
}

var plainTests = []struct {
	in    Stored
	names Names
	want  string
}{
	{"", nil, ""},
	{example, team, "We sell with @Ben via our shop (https://shop.example)"},
	{example, nil, "We sell with @UBEN via our shop (https://shop.example)"},
	{"<@UANA|ana> <@UANA|@ana> <@UNEW|neo> <@UNEW>", nil, "@ana @ana @neo @UNEW"},
	{"<@UANA|ana> <@UEMPTY|emma> <@UEVE>", team, "@Ana @emma @Eve[31m"},
	{"<#C1> <#C2|random> <#C3> <#C4|#news>", team, "#general #random #C3 #news"},
	{"<!channel> <!here|here> <!everyone> <!group>", team, "@channel @here @everyone @channel"},
	{"<!subteam^S1|@design> <!subteam^S1|ops> <!subteam^S1>", nil, "@design @ops @team"},
	{"due <!date^1392734382^{date_short}|Feb 18, 2014>", nil, "due Feb 18, 2014"},
	{"<https://x.example> <https://x.example|https://x.example> <https://x.example|>", nil,
		"https://x.example https://x.example https://x.example"},
	{"<http://www.x.example|www.x.example> <mailto:a@b.example|a@b.example> <mailto:a@b.example>", nil,
		"www.x.example a@b.example mailto:a@b.example"},
	{"<https://x.example/?a=1&amp;b=2|Q&amp;A &lt;3>", nil, "Q&A <3 (https://x.example/?a=1&b=2)"},
	{"<https://evil.example|https://bank.example>", nil, "https://bank.example (https://evil.example)"},
	{"<javascript:alert(1)|click me> <!foo> <!date^1>", nil, "<javascript:alert(1)|click me> <!foo> <!date^1>"},
	{"R&amp;D &lt;3 &amp;lt; &quot; AT&T", nil, "R&D <3 &lt; &quot; AT&T"},
	{"a < b > c <<@UBEN>>", team, "a < b > c <@Ben>"},
	{"clear\x1b[2J\r\nbell\a\u009b", nil, "clear[2J\nbell"},
}

func TestPlain(t *testing.T) {
	for _, tt := range plainTests {
		if diff := cmp.Diff(tt.want, tt.in.Plain(tt.names)); diff != "" {
			t.Errorf("Stored(%q).Plain() (-want +got):\n%s", tt.in, diff)
		}
	}
}

var markdownTests = []struct {
	in    Stored
	names Names
	want  string
}{
	{"", nil, ""},
	{example, team, "We sell with @Ben via [our shop](https://shop.example)"},
	{"<@UANA|ana_b> <#C1> <#C9|x_y> <!here> <!subteam^S1|@design>", team, "@Ana #general #x\\_y @here @design"},
	{"<https://x.example> <https://x.example|https://x.example>", nil, "<https://x.example> <https://x.example>"},
	{"<http://www.x.example|www.x.example> <mailto:a@b.example|a@b.example>", nil,
		"[www.x.example](http://www.x.example) [a@b.example](mailto:a@b.example)"},
	{"<https://x.example/?a=1&amp;b=2>", nil, "<https://x.example/?a=1&b=2>"},
	{"<https://x.example/?a&amp;copy;=2>", nil, "[https://x.example/?a\\&copy;=2](https://x.example/?a\\&copy;=2)"},
	{"<https://en.example/wiki/Foo_(bar)|Foo [bar]>", nil, "[Foo \\[bar\\]](https://en.example/wiki/Foo_\\(bar\\))"},
	{"<https://x.example/a b\\c|x>", nil, "[x](https://x.example/a%20b\\\\c)"},
	{"<javascript:alert(1)|click me>", nil, "\\<javascript:alert(1)\\|click me\\>"},
	{"&lt;b&gt;hi&lt;/b&gt; &lt;https://x.example&gt;", nil, "\\<b\\>hi\\</b\\> \\<https://x.example\\>"},
	{"snake_case *bold* `code` [x](https://y.example) a | b \\o/", nil,
		"snake\\_case \\*bold\\* \\`code\\` \\[x\\](https://y.example) a \\| b \\\\o/"},
	{"# Heading\n## two\n#general\n  # indented", nil, "\\# Heading\n\\## two\n#general\n  \\# indented"},
	{"- item\n+ item\n---\n-5% churn\n===\n~~~\n* star", nil, "\\- item\n\\+ item\n\\---\n-5% churn\n\\===\n\\~~~\n\\* star"},
	{"1. one\n2) two\n10.5% growth\n3.", nil, "1\\. one\n2\\) two\n10.5% growth\n3\\."},
	{"Price: 5.00, done - ok. Q1+Q2 = #1 (really) ~3! 1. x", nil, "Price: 5.00, done - ok. Q1+Q2 = #1 (really) ~3! 1. x"},
	{"&gt; quoted", nil, "\\> quoted"},
	{"AT&amp;T &amp;copy; &amp;#35; &amp;#x1F; &amp;", nil, "AT&T \\&copy; \\&#35; \\&#x1F; \\&"},
	{"<@UBEN>\n# x\n<#C9| y>", team, "@Ben\n\\# x\n\\# y"},
	{"a < b\x1b[31m", nil, "a \\< b\\[31m"},
}

func TestMarkdown(t *testing.T) {
	for _, tt := range markdownTests {
		if diff := cmp.Diff(tt.want, tt.in.Markdown(tt.names)); diff != "" {
			t.Errorf("Stored(%q).Markdown() (-want +got):\n%s", tt.in, diff)
		}
	}
}

func TestUserIDs(t *testing.T) {
	tests := []struct {
		in   Stored
		want []string
	}{
		{"", nil},
		{"no one here", nil},
		{example, []string{"UBEN"}},
		{"<@UB> <@UA|ana> <@UB|ben> <#C1> <!here> <!subteam^S1> <https://x.example|UC>", []string{"UB", "UA"}},
		{"<@UA <@U B> <@> &lt;@UC&gt;", nil},
		{"<@WENT> <@UA>", []string{"WENT", "UA"}},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, tt.in.UserIDs()); diff != "" {
			t.Errorf("Stored(%q).UserIDs() (-want +got):\n%s", tt.in, diff)
		}
	}
}

func TestChannelIDs(t *testing.T) {
	tests := []struct {
		in   Stored
		want []string
	}{
		{"", nil},
		{"see <#C1|general> and <#C2>, again <#C1>", []string{"C1", "C2"}},
		{"<@U1> <!here> <https://x.example|C3> &lt;#C4&gt; <#C 5>", nil},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, tt.in.ChannelIDs()); diff != "" {
			t.Errorf("Stored(%q).ChannelIDs() (-want +got):\n%s", tt.in, diff)
		}
	}
}

// plainAlphabet is weighted towards the characters and words that make up
// Slack's encoding, so random strings often look like entities.
var plainAlphabet = []string{
	"&", "<", ">", ";", "amp", "lt", "gt", "&amp;", "&lt;", "!", "@", "#", "|", "^",
	"channel", "here", "UBEN", "https://x.example", "mailto:", " ", "\n", "\t", "a", "Z", "1", "é", "👍",
}

func randomPlain(r *rand.Rand) string {
	var b strings.Builder
	for range r.IntN(24) {
		b.WriteString(plainAlphabet[r.IntN(len(plainAlphabet))])
	}
	return b.String()
}

// TestPlainRoundTrip checks that whatever someone types in the terminal
// reads back exactly, however much it looks like Slack's encoding, and is
// posted to Slack as the text it is.
func TestPlainRoundTrip(t *testing.T) {
	inputs := []string{"", "&", "<", ">", "&amp;", "&lt;", "&amp;lt;", "<!channel>", "<@UBEN>", "<https://x.example|x>", "a&b<c>d"}
	r := rand.New(rand.NewPCG(1, 2))
	for range 5000 {
		inputs = append(inputs, randomPlain(r))
	}
	for _, x := range inputs {
		s := FromPlain(x)
		if got := s.Plain(nil); got != x {
			t.Errorf("FromPlain(%q).Plain(nil) = %q", x, got)
		}
		if got := s.Slack(); got != string(s) {
			t.Errorf("FromPlain(%q).Slack() = %q, want the stored form %q", x, got, s)
		}
		if ids := s.UserIDs(); ids != nil {
			t.Errorf("FromPlain(%q).UserIDs() = %q, want none", x, ids)
		}
	}
}

// TestStandardLibraryOnly keeps markup free to be imported from flows and
// every transport.
func TestStandardLibraryOnly(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "-f", "{{if not .Standard}}{{.ImportPath}}{{end}}", ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	for _, pkg := range strings.Fields(string(out)) {
		if pkg != "github.com/racebot/racebot/markup" {
			t.Errorf("markup depends on %s; it may import only the standard library", pkg)
		}
	}
}

// TestSlackInStyle: inside racebot's bold a name's formatting characters
// are kept from pairing, and its mentions and links are left whole.
func TestSlackInStyle(t *testing.T) {
	for in, want := range map[Stored]string{
		"Cost_per_lead":               "Cost\u200b_\u200bper\u200b_\u200blead",
		"*Q3* ~draft~ `x`":            "\u200b*\u200bQ3\u200b*\u200b \u200b~\u200bdraft\u200b~\u200b \u200b`\u200bx\u200b`\u200b",
		"Q3 launch":                   "Q3 launch",
		"<@U1|a_b> x_y <!here>":       "<@U1|a_b> x\u200b_\u200by @here",
		"<https://x.example/a_b|a_b>": "<https://x.example/a_b|a_b>",
		// An emoji's code stays whole, or Slack shows the code instead
		// of the emoji: its _ sits between letters, where it pairs with
		// nothing anyway.
		":white_check_mark: Q3_plan :+1::chart_with_upwards_trend:": ":white_check_mark: Q3\u200b_\u200bplan :+1::chart_with_upwards_trend:",
		"a :_x_: b":          "a :\u200b_\u200bx\u200b_\u200b: b",
		"a :not an_emoji: b": "a :not an\u200b_\u200bemoji: b",
	} {
		if got := in.SlackInStyle(); got != want {
			t.Errorf("Stored(%q).SlackInStyle() = %q, want %q", in, got, want)
		}
	}
}
