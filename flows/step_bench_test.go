package flows

import (
	"testing"
	"time"
)

// BenchmarkStep measures one step of the engine on the RACE catalogue:
// an answer to the open question, and a reply word that moves the cursor.
func BenchmarkStep(b *testing.B) {
	cat := RACE()
	now := time.Date(2027, 1, 4, 9, 0, 0, 0, time.UTC)
	fresh := NewPlan("T1", "C1", "Bench", "UANA", now)
	// Halfway through Reach, with the Plan stage answered and done: a plan
	// with history, as a step usually meets one.
	mid := fresh
	for _, text := range append(exampleAnswers(cat.Stages[0]), "Launch offer page | Ana | impact 4 | effort 2", "done", "An answer", "Another answer") {
		out, err := Step(cat, mid, Input{Text: text, User: "UANA", Now: now})
		if err != nil {
			b.Fatalf("setup %q: %v", text, err)
		}
		mid = out.Plan
	}
	tests := []struct {
		name string
		plan *Plan
		text string
	}{
		{"answer/fresh", fresh, "We sell roasted coffee by subscription to busy offices."},
		{"answer/mid-plan", mid, "Office managers who order for teams of ten to fifty."},
		{"skip", mid, "skip"},
		{"back", mid, "back"},
	}
	for _, tt := range tests {
		b.Run(tt.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := Step(cat, tt.plan, Input{Text: tt.text, User: "UBEN", Now: now}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func exampleAnswers(st Stage) []string {
	out := make([]string, len(st.Steps()))
	for i, q := range st.Steps() {
		out[i] = q.Example
	}
	return out
}
