package bot

import (
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
	"github.com/racebot/racebot/assist"
	"github.com/racebot/racebot/coach"
	"github.com/racebot/racebot/flows"
	"github.com/slack-go/slack"
)

var update = flag.Bool("update", false, "rewrite golden files in testdata")

// golden compares v, as indented JSON, with testdata/name.
func golden(t *testing.T, name string, v any) {
	t.Helper()
	got, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	got = append(got, '\n')
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./bot -update to create it)", err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("%s differs (-want +got):\n%s", path, diff)
	}
}

var t0 = time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)

func samplePlan(t *testing.T) (*flows.Catalogue, *flows.Plan) {
	t.Helper()
	cat := flows.RACE()
	p := flows.NewPlan("T1", "C1", "Q1 &lt;Launch&gt; &amp; co", "UANA", t0)
	p.ID = 42
	p.Thread = "1732350000.000100"
	for i, line := range []string{"We roast coffee.", "Fresh beans, fast."} {
		out, err := flows.Step(cat, p, flows.Input{Text: line, User: "UANA", Now: t0.Add(time.Duration(i) * time.Minute)})
		if err != nil {
			t.Fatal(err)
		}
		p = out.Plan
	}
	return cat, p
}

// sampleDashboard is a Home tab's worth of the sample plan: an action due,
// a check-in waiting for a value, a KPI on track, the next check-in.
func sampleDashboard(cat *flows.Catalogue, p *flows.Plan) coach.Dashboard {
	k := flows.KPI{ID: 7, Key: "visitors", Name: "Unique visitors", Unit: flows.UnitCount, HigherIsBetter: true,
		Target: flows.Value{Unit: flows.UnitCount, Amount: 20000}, Owner: "<@UANA>"}
	latest := flows.Measurement{KPI: 7, Value: flows.Value{Unit: flows.UnitCount, Amount: 12400}, At: t0}
	return coach.Dashboard{
		Actions:  []coach.MyAction{{Plan: p, Action: flows.Action{ID: 3, Text: "Send sample bags", Owner: "<@UANA>", Due: time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC)}}},
		Awaiting: []coach.Awaiting{{Plan: p, Checkin: flows.Checkin{ID: 9, CloseAt: t0.Add(72 * time.Hour)}, KPIs: []flows.KPI{k}}},
		Plans: []coach.PlanCard{{Plan: p, Stages: p.Progress(cat), Next: t0.Add(7 * 24 * time.Hour),
			KPIs: []flows.CheckinLine{{KPI: k, Progress: flows.Progress{Latest: &latest, Status: flows.StatusOnTrack}}}}},
	}
}

func TestGoldenBlocks(t *testing.T) {
	t.Parallel()
	cat, p := samplePlan(t)
	out, err := flows.Step(cat, p, flows.Input{Text: "Home brewers first.", User: "UBEN", Now: t0.Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "reply-question.json", renderReplies(out.Plan, out.Replies).Blocks)
	golden(t, "header.json", headerMessage(cat, p).Blocks)
	golden(t, "confirm-delete.json", confirmDeleteMessage(p, "Delete plan \"Q1\" with its 2 answers and 0 actions? This cannot be undone.").Blocks)
	golden(t, "edit-modal.json", editModal(cat, p, 0, nil))
	golden(t, "home.json", homeView(cat, sampleDashboard(cat, p), t0, time.UTC))
	done, err := flows.Step(cat, out.Plan, flows.Input{Text: "done", User: "UANA", Now: t0.Add(2 * time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "reply-actions.json", renderReplies(done.Plan, done.Replies).Blocks)
	rest := exportRestMessage(p, "0f1e2d3c4b5a69788796a5b4", partlyShared(p,
		slack.UploadFileParameters{Filename: "q1.md"}, []slack.UploadFileParameters{{Filename: "q1-kpi-history.csv"}}))
	checkBlocks(t, rest.Blocks)
	golden(t, "export-rest.json", rest.Blocks)
}

// TestGoldenUserText shows an answer quoted back in its stored form: the
// mention and the link keep working, the escapes are not doubled and the
// broadcast pings nobody.
func TestGoldenUserText(t *testing.T) {
	t.Parallel()
	cat, p := samplePlan(t)
	first := cat.Stages[0].Steps()[0].ID
	a := p.Answers[first]
	a.Text = "Ask <@UBEN|ben>, see <https://shop.example|our shop> &amp; &lt;b&gt; <!channel>"
	p.Answers[first] = a
	out, err := flows.Edit(cat, p, "plan 1")
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "reply-user-text.json", renderReplies(out.Plan, out.Replies).Blocks)
}

// TestBlockKitLimits renders oversized content and checks every limit
// Slack enforces: 50 blocks, 3000 characters a section, unique block ids,
// 24-character modal titles, 3000-character inputs.
func TestBlockKitLimits(t *testing.T) {
	t.Parallel()
	cat, p := samplePlan(t)
	long := strings.Repeat("A very long answer with many words. ", 400) // ~14,000 characters
	var replies []flows.Reply
	for range 60 {
		replies = append(replies, flows.Reply{Kind: flows.ReplyStatus, Msg: flows.Say(flows.Text(long))})
	}
	m := renderReplies(p, replies)
	if len(m.Blocks) > maxBlocks {
		t.Errorf("%d blocks, Slack allows %d", len(m.Blocks), maxBlocks)
	}
	checkBlocks(t, m.Blocks)
	if n := len([]rune(m.Text)); n > 40000 {
		t.Errorf("fallback text has %d characters", n)
	}

	p.Answers[cat.Stages[0].Steps()[0].ID] = flows.Answer{QuestionID: cat.Stages[0].Steps()[0].ID, Text: long, Revision: 1}
	p.Name = strings.Repeat("Name ", 20)
	for si := range cat.Stages {
		v := editModal(cat, p, si, nil)
		if n := len([]rune(v.Title.Text)); n > maxModalTitle {
			t.Errorf("modal title %q has %d characters", v.Title.Text, n)
		}
		checkBlocks(t, v.Blocks.BlockSet)
		for _, b := range v.Blocks.BlockSet {
			if in, ok := b.(*slack.InputBlock); ok {
				el := in.Element.(*slack.PlainTextInputBlockElement)
				if len([]rune(el.InitialValue)) > maxInputLength {
					t.Errorf("input %s pre-filled with %d characters", in.BlockID, len([]rune(el.InitialValue)))
				}
			}
		}
	}
	var many coach.Dashboard
	for i := range 150 {
		d := sampleDashboard(cat, p)
		d.Actions[0].Action.Text = long
		d.Actions[0].Action.ID = int64(i)
		many.Actions = append(many.Actions, d.Actions...)
		many.Awaiting = append(many.Awaiting, d.Awaiting...)
		many.Plans = append(many.Plans, d.Plans...)
	}
	home := homeView(cat, many, t0, time.UTC)
	if len(home.Blocks.BlockSet) > maxHomeBlocks {
		t.Errorf("home has %d blocks, Slack allows %d", len(home.Blocks.BlockSet), maxHomeBlocks)
	}
	checkBlocks(t, home.Blocks.BlockSet)
}

func checkBlocks(t *testing.T, blocks []slack.Block) {
	t.Helper()
	seen := map[string]bool{}
	for _, b := range blocks {
		id := blockID(b)
		if id != "" && seen[id] {
			t.Errorf("duplicate block id %q", id)
		}
		seen[id] = true
		if s, ok := b.(*slack.SectionBlock); ok && s.Text != nil {
			if n := len([]rune(s.Text.Text)); n > maxSectionText {
				t.Errorf("section %s has %d characters", s.BlockID, n)
			}
		}
	}
}

func blockID(b slack.Block) string {
	raw, _ := json.Marshal(b)
	var v struct {
		BlockID string `json:"block_id"`
	}
	json.Unmarshal(raw, &v)
	return v.BlockID
}

func TestSplitKeepsEveryCharacter(t *testing.T) {
	t.Parallel()
	for _, s := range []string{"", "short", strings.Repeat("x", 7000), strings.Repeat("line of text\n", 700), strings.Repeat("é", 3500)} {
		parts := split(s, maxSectionText)
		joined := ""
		for _, p := range parts {
			if n := len([]rune(p)); n > maxSectionText {
				t.Errorf("part of %d runes", n)
			}
			joined += p
		}
		strip := func(x string) string { return strings.NewReplacer("\n", "", " ", "").Replace(x) }
		if strip(joined) != strip(s) {
			t.Errorf("split lost text: %d runes in, %d out", len([]rune(s)), len([]rune(joined)))
		}
	}
}

func TestTruncateCountsRunes(t *testing.T) {
	t.Parallel()
	byRunes := func(s string, n int) string {
		r := []rune(s)
		if len(r) <= n {
			return s
		}
		return string(r[:n-1]) + "…"
	}
	for _, s := range []string{"", "a", "abc", "abcd", "ééé", "éééé", "日本語テキスト", "a日b本c", "👋👋👋👋👋", strings.Repeat("x", 40)} {
		for n := 1; n <= 8; n++ {
			if got, want := truncate(s, n), byRunes(s, n); got != want {
				t.Errorf("truncate(%q, %d) = %q, want %q", s, n, got, want)
			}
		}
	}
}

func TestSplitCountsRunes(t *testing.T) {
	t.Parallel()
	byRunes := func(s string, n int) []string {
		var out []string
		for {
			r := []rune(s)
			if len(r) <= n {
				if strings.TrimSpace(s) != "" || len(out) == 0 {
					out = append(out, s)
				}
				return out
			}
			cut := string(r[:n])
			at := strings.LastIndex(cut, "\n")
			if at < n/2 {
				at = strings.LastIndex(cut, " ")
			}
			if at < n/2 {
				at = len(cut)
			}
			out = append(out, cut[:at])
			s = strings.TrimLeft(s[at:], "\n ")
		}
	}
	for _, s := range []string{"", " ", "abc", "ab cd ef gh", "日本語 テキスト です ね", "a\nbb\nccc dddd", "👋👋 👋👋👋 👋", strings.Repeat("é ", 30)} {
		for n := 1; n <= 9; n++ {
			if got, want := split(s, n), byRunes(s, n); !slices.Equal(got, want) {
				t.Errorf("split(%q, %d) = %q, want %q", s, n, got, want)
			}
		}
	}
}

// TestWireBlocksMarshalAlike: chat.postMessage's blocks in their wire form
// are the same bytes slack-go's own types marshal to, for every reply of a
// plan worked through from its first question to its end, the plan header,
// a check-in's opening with action buttons, a draft, and blocks with no
// elements.
func TestWireBlocksMarshalAlike(t *testing.T) {
	t.Parallel()
	cat, p := samplePlan(t)
	var msgs []message
	step := func(text string) {
		t.Helper()
		out, err := flows.Step(cat, p, flows.Input{Text: text, User: "UANA", Now: t0.Add(time.Hour)})
		if err != nil {
			t.Fatalf("%q: %v", text, err)
		}
		p = out.Plan
		msgs = append(msgs, renderReplies(p, out.Replies))
	}
	for range cat.Stages {
		st := cat.Stages[p.Cursor.Stage]
		for p.Cursor.Phase == flows.PhaseQuestion && cat.Stages[p.Cursor.Stage].ID == st.ID {
			step("An answer with <@UBEN>, <https://shop.example|a link> & <b>escapes</b>.")
		}
		step("Launch the offer page | <@UANA> | due friday | impact 4 | effort 2")
		step("done")
		for p.Cursor.Phase == flows.PhaseKPIs {
			step("done")
		}
	}
	if p.Cursor.Phase != flows.PhaseComplete {
		t.Fatalf("the walk ended at %+v, not at the plan's end", p.Cursor)
	}
	due := []flows.Action{{ID: 3, Text: "Send sample bags", Owner: "<@UANA>"}}
	msgs = append(msgs,
		headerMessage(cat, p),
		checkinOpening(p, flows.Say(flows.Text("Check-in time.")), due),
		draftMessage(p, cat.Stages[0].Steps()[0].ID, 0, assist.Result{Text: "A drafted <answer> & more.", FromModel: true}),
		message{Blocks: []slack.Block{&slack.ActionBlock{Type: slack.MBTAction, BlockID: "none"}, slack.NewContextBlock("empty"), slack.NewActionBlock("no-elements")}},
	)
	actions, contexts := 0, 0
	for i, m := range msgs {
		want, err := json.Marshal(chatMessage{Channel: "C1", Text: m.Text, Blocks: slackBlocks(m.Blocks)})
		if err != nil {
			t.Fatal(err)
		}
		got, err := json.Marshal(chatMessage{Channel: "C1", Text: m.Text, Blocks: wireBlocks(m.Blocks)})
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != string(want) {
			t.Errorf("message %d:\nwire  %s\nslack %s", i, got, want)
		}
		for _, b := range m.Blocks {
			switch b.(type) {
			case *slack.ActionBlock:
				actions++
			case *slack.ContextBlock:
				contexts++
			}
		}
	}
	if actions < 5 || contexts < 5 {
		t.Errorf("%d action and %d context blocks compared; the test no longer covers them", actions, contexts)
	}
}

// slackBlocks is blocks as slack-go marshals them, each through its own
// type.
func slackBlocks(blocks []slack.Block) []any {
	if len(blocks) == 0 {
		return nil
	}
	out := make([]any, len(blocks))
	for i, b := range blocks {
		out[i] = b
	}
	return out
}

// BenchmarkMarshalPost marshals a question's reply for chat.postMessage,
// through slack-go's types and in the wire form.
func BenchmarkMarshalPost(b *testing.B) {
	out := firstAnswer(b)
	m := renderReplies(out.Plan, out.Replies)
	for _, form := range []struct {
		name   string
		blocks func([]slack.Block) []any
	}{{"slack-go", slackBlocks}, {"wire", wireBlocks}} {
		b.Run(form.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := json.Marshal(chatMessage{Channel: "C1", Text: m.Text, Blocks: form.blocks(m.Blocks), ThreadTS: "1.1"}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkRenderReplies renders the replies to an answer: the
// confirmation and the next question, with its buttons.
func BenchmarkRenderReplies(b *testing.B) {
	out := firstAnswer(b)
	b.ReportAllocs()
	for b.Loop() {
		renderReplies(out.Plan, out.Replies)
	}
}

// firstAnswer is the engine's outcome of a plan's first answer: the
// confirmation, the kind of business learned and the next question.
func firstAnswer(tb testing.TB) flows.Outcome {
	p := flows.NewPlan("T1", "C1", "Bench", "UANA", t0)
	p.ID = 42
	out, err := flows.Step(flows.RACE(), p, flows.Input{Text: "We sell roasted coffee by subscription to busy offices.", User: "UANA", Now: t0})
	if err != nil {
		tb.Fatal(err)
	}
	return out
}

// TestTruncateKeepsEntitiesWhole: a cut that would fall inside a link, a
// mention or an escape is made before it, as split's are, so the reader
// sees neither half a link's markup nor "&am".
func TestTruncateKeepsEntitiesWhole(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		s    string
		n    int
		want string
	}{
		{"see <https://example.com/brief|the brief> now", 20, "see …"},
		{"ask <@U123ABC> about it", 10, "ask …"},
		{"R&amp;D team and more", 4, "R…"},
		{"R&amp;D team and more", 8, "R&amp;D…"},
		// One at the very start is cut inside: a cut before it would leave
		// nothing.
		{"<https://example.com|x> at the start", 10, "<https://…"},
	} {
		if got := truncate(c.s, c.n); got != c.want {
			t.Errorf("truncate(%q, %d) = %q, want %q", c.s, c.n, got, c.want)
		}
	}
}

// TestAddFormShowsAMessageWithALessThanWhole: a plain-text field has no
// links or escapes, so a '<' the person wrote early in a long message is
// not where the form's text is cut: the field shows all it holds, not the
// few words before it.
func TestAddFormShowsAMessageWithALessThanWhole(t *testing.T) {
	t.Parallel()
	plain := "churn < 3% by June, " + strings.Repeat("and more detail ", 300)
	view := addModal(flows.RACE(), []*flows.Plan{{ID: 1, Name: "Q1"}}, 1, addMeta{}, plain)
	for _, b := range view.Blocks.BlockSet {
		in, ok := b.(*slack.InputBlock)
		if !ok {
			continue
		}
		if el, ok := in.Element.(*slack.PlainTextInputBlockElement); ok && el.Multiline {
			if n := utf8.RuneCountInString(el.InitialValue); n != maxInputLength {
				t.Errorf("the message's field shows %d characters (%.30q), want %d", n, el.InitialValue, maxInputLength)
			}
			return
		}
	}
	t.Fatal("no text field in the form")
}
