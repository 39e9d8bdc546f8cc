package flows

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// The open prompts are built once and shared: each must read as if built
// afresh, for every question and kind, and a caller appending to its copy
// must not write into the one the next caller gets.
func TestOpenPromptsAreSharedSafely(t *testing.T) {
	cat := RACE()
	for _, k := range append([]Kind{""}, Kinds()...) {
		for _, st := range cat.Stages {
			steps := st.Steps()
			for i, q := range steps {
				want := buildQuestionText(cat, k, st, q, i+1, len(steps), "")
				for range 2 { // built, then from the memo
					if got := questionText(cat, k, st, q, i+1, len(steps), ""); !cmp.Equal(got, want) {
						t.Fatalf("%s %s: memo differs from a fresh prompt:\n%s", k, q.ID, cmp.Diff(want, got))
					}
				}
			}
		}
	}
	st := cat.Stages[0]
	q := st.Steps()[0]
	shared := questionText(cat, "", st, q, 1, len(st.Steps()), "")
	a := append(shared, Text("first caller's words"))
	b := append(shared, Text("second caller's words"))
	if a[len(a)-1].Text != "first caller's words" || b[len(b)-1].Text != "second caller's words" {
		t.Fatalf("two appends to the shared prompt wrote into one array: %q, %q", a[len(a)-1].Text, b[len(b)-1].Text)
	}
	if again := questionText(cat, "", st, q, 1, len(st.Steps()), ""); !cmp.Equal(again, shared) {
		t.Fatalf("appending changed the memo:\n%s", cmp.Diff(shared, again))
	}
}

// A prompt is remembered by the words it is made of, so a catalogue whose
// text changes after its prompts were asked is asked in its new words.
func TestOpenPromptsFollowChangedWords(t *testing.T) {
	cat := RACE()
	st := cat.Stages[0]
	q := st.Steps()[0]
	before := questionText(cat, "", st, q, 1, len(st.Steps()), "").String()

	st.Name = "Plan, renamed"
	q.Text = "What does the business sell, in one line?"
	q.Hint = ""
	after := questionText(cat, "", st, q, 1, len(st.Steps()), "").String()
	if after == before || !strings.Contains(after, "Plan, renamed") || !strings.Contains(after, q.Text) || strings.Contains(after, "Hint:") {
		t.Fatalf("prompt after the change:\n%s\nbefore:\n%s", after, before)
	}
	if answered := questionText(cat, "", st, q, 1, len(st.Steps()), "We roast coffee."); !strings.Contains(answered.String(), "Current answer: We roast coffee.") {
		t.Fatalf("a prompt with an answer is built for it: %s", answered)
	}
}

// compact joins a run of our words at once; it must give what joining
// them pair by pair gave.
func TestCompactJoinsAsPairwise(t *testing.T) {
	pairwise := func(m Msg) Msg {
		out := m[:0:0]
		for _, s := range m {
			if s.Text == "" {
				continue
			}
			if n := len(out); n > 0 && s.Kind == SpanText && out[n-1].Kind == SpanText && out[n-1].Style == s.Style {
				out[n-1].Text += s.Text
				continue
			}
			out = append(out, s)
		}
		return out
	}
	texts := []string{"", "a", " of ", "3", "\n"}
	r := rand.New(rand.NewPCG(1, 2))
	for range 20000 {
		m := make(Msg, r.IntN(8))
		for i := range m {
			m[i] = Span{Kind: SpanKind(r.IntN(3)), Style: Style(r.IntN(2)), Text: texts[r.IntN(len(texts))]}
		}
		in := slices.Clone(m)
		got, want := m.compact(), pairwise(slices.Clone(m))
		if !cmp.Equal(got, want) {
			t.Fatalf("compact(%v) = %v, want %v", m, got, want)
		}
		if !cmp.Equal(m, in) {
			t.Fatalf("compact changed its input: %v, was %v", m, in)
		}
	}
}
