package terminal_test

import (
	"strings"
	"testing"
)

// TestTerminalFunnelSaysPerMonth: leads are set per week (300), visitors
// per month. The funnel the terminal writes counts leads per month (1,300),
// as the funnel check does; it must say so, or the reader sees a leads
// target the plan never set.
func TestTerminalFunnelSaysPerMonth(t *testing.T) {
	out, _ := session(t, []string{
		"new Weekly",
		"We roast speciality coffee and sell subscriptions online and at a market stall.",
		"done",
		"done",
		"done",
		"done",
		"visitors | baseline 8k | target 20k | by 2027-03-31 | owner Ana",
		"kpi act",
		"leads | baseline 200 per week | target 300 per week | by 2027-03-31 | owner Ana",
		"values visitors 12k, leads 250",
		"report",
	})
	_, line, ok := strings.Cut(out, "\nFunnel")
	if !ok {
		t.Fatalf("no funnel written:\n%s", out)
	}
	line, _, _ = strings.Cut(line, "\n")
	if !strings.Contains(line, "per month") {
		t.Errorf("the funnel line %q does not say its counts are per month", "Funnel"+line)
	}
}
