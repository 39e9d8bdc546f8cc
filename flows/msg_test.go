package flows_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/racebot/racebot/flows"
)

func TestSayf(t *testing.T) {
	T, C, U := flows.Text, flows.Code, flows.User
	tests := []struct {
		name   string
		format string
		args   []any
		want   flows.Msg
	}{
		{"words only", "Saved.", nil, flows.Msg{T("Saved.")}},
		{"fmt verbs", "%d of %d at %.1f%% (%v) %-5s|", []any{3, 5, 2.25, true, "ab"}, flows.Msg{T("3 of 5 at 2.2% (true) ab   |")}},
		{"a span is inserted", "Reply %s to finish.", []any{C("done")}, flows.Msg{T("Reply "), C("done"), T(" to finish.")}},
		{"a message is inserted", "Not saved: %s", []any{flows.Msg{T("Set "), C("target 20k"), T(".")}},
			flows.Msg{T("Not saved: Set "), C("target 20k"), T(".")}},
		{"%q quotes a span, unescaped", "Plan %q is ready.", []any{U(`R&amp;D "x"`)}, flows.Msg{T(`Plan "`), U(`R&amp;D "x"`), T(`" is ready.`)}},
		{"%q on a string is fmt's", "%q", []any{`a "b"`}, flows.Msg{T(`"a \"b\""`)}},
		{"style survives", "%s · question 1", []any{T("Plan").Strong()}, flows.Msg{T("Plan").Strong(), T(" · question 1")}},
		{"star width", "[%*d]", []any{4, 7}, flows.Msg{T("[   7]")}},
		{"missing argument", "%s and %s", []any{C("a")}, flows.Msg{C("a"), T(" and %!s(MISSING)")}},
		{"extra argument", "%s", []any{"a", "b"}, flows.Msg{T("a%!(EXTRA 1 args)")}},
		{"empty spans dropped", "%s%s.", []any{U(""), T("")}, flows.Msg{T(".")}},
		{"trailing percent", "100%", nil, flows.Msg{T("100%!(NOVERB)")}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := flows.Sayf(tt.format, tt.args...)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Sayf(%q) (-want +got):\n%s", tt.format, diff)
			}
		})
	}
}

func TestMsgString(t *testing.T) {
	m := flows.Sayf("%s — %s, then %s for %s %s", flows.Text("Plan").Strong(), flows.Text("hint").Emph(),
		flows.Cmd("status"), flows.User("R&amp;D <@U1>"), flows.Person("UANA"))
	if got, want := m.String(), "Plan — hint, then `status` for R&amp;D <@U1> UANA"; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
}

func TestMsgJoinAppend(t *testing.T) {
	parts := []flows.Msg{flows.Say(flows.User("a")), flows.Say(flows.Text("b")), nil}
	want := flows.Msg{flows.User("a"), flows.Text(", b, ")}
	if diff := cmp.Diff(want, flows.Join(parts, ", ")); diff != "" {
		t.Errorf("Join (-want +got):\n%s", diff)
	}
	base := flows.Say(flows.Text("x"))
	got := base.Append("\n", flows.Code("y"), flows.Msg{flows.Text("z")})
	if diff := cmp.Diff(flows.Msg{flows.Text("x\n"), flows.Code("y"), flows.Text("z")}, got); diff != "" {
		t.Errorf("Append (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(flows.Msg{flows.Text("x")}, base); diff != "" {
		t.Errorf("Append changed its receiver (-want +got):\n%s", diff)
	}
	if got := flows.Lines(flows.Say(flows.Text("a")), flows.Say(flows.Text("b"))).String(); got != "a\nb" {
		t.Errorf("Lines = %q", got)
	}
}

// TestUserErrorKeepsItsMessage: the sentence is a Msg for transports, and
// Error() is its plain text for logs.
func TestUserErrorKeepsItsMessage(t *testing.T) {
	err := flows.UserErrorf(flows.ErrBadInput, "No plan called %q; try %s.", flows.User("Q9"), flows.Cmd("plans"))
	if !errors.Is(err, flows.ErrBadInput) {
		t.Error("UserErrorf does not wrap its sentinel")
	}
	if got, want := err.Error(), "No plan called \"Q9\"; try `plans`."; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
	want := flows.Msg{flows.Text(`No plan called "`), flows.User("Q9"), flows.Text(`"; try `), flows.Cmd("plans"), flows.Text(".")}
	if diff := cmp.Diff(want, flows.Explain(err)); diff != "" {
		t.Errorf("Explain (-want +got):\n%s", diff)
	}
	if got := flows.Explain(errors.New("disk full")).String(); got == "" || got == "disk full" {
		t.Errorf("Explain of an internal error = %q, want our apology", got)
	}
}

// FuzzSayf checks that Sayf with arguments of plain types says exactly
// what fmt.Sprintf would, in one span of our words.
func FuzzSayf(f *testing.F) {
	for _, s := range []string{"%s", "%q and %d%%", "%-8s|%.1f", "%*d", "100%", "%", "%é", "%!", "a %v b %x"} {
		f.Add(s, "x", 3)
	}
	f.Fuzz(func(t *testing.T, format, s string, n int) {
		if strings.Contains(format, "[") {
			t.Skip("explicit argument indexes are not supported")
		}
		want := fmt.Sprintf(format, s, n)
		if strings.Contains(want, "%!(EXTRA") {
			t.Skip("extra arguments are reported differently")
		}
		got := flows.Sayf(format, s, n)
		if got.String() != want {
			t.Fatalf("Sayf(%q).String() = %q, want %q", format, got.String(), want)
		}
		if len(got) > 1 || (len(got) == 1 && got[0].Kind != flows.SpanText) {
			t.Fatalf("Sayf(%q) = %#v, want one span of our words", format, got)
		}
	})
}
