package flows

import (
	"errors"
	"strings"
	"testing"
)

// FuzzParseCommand checks that any command text either parses to a
// known command with a trimmed argument, or is refused with a friendly
// *UserError that changes nothing.
func FuzzParseCommand(f *testing.F) {
	for _, s := range []string{
		"", "new Q1 Launch", "NEW  Q1 Launch ", "/race status", "/racestatus", "edit reach 2",
		"delete Q1 --yes", "delete --yes", "stage convert", "frobnicate", "help me", "\tskip\n", "new\u00a0Plan",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		cmd, err := ParseCommand(text)
		if err != nil {
			var ue *UserError
			if !errors.As(err, &ue) || !errors.Is(err, ErrBadInput) || strings.TrimSpace(ue.Msg.String()) == "" {
				t.Fatalf("ParseCommand(%q) error %#v is not a friendly UserError", text, err)
			}
			if cmd != (Command{}) {
				t.Fatalf("ParseCommand(%q) returned %+v with its error", text, cmd)
			}
			return
		}
		if _, ok := findSpec(cmd.Name); !ok {
			t.Fatalf("ParseCommand(%q) = unknown command %q", text, cmd.Name)
		}
		if cmd.Name != strings.ToLower(cmd.Name) || cmd.Arg != strings.TrimSpace(cmd.Arg) {
			t.Fatalf("ParseCommand(%q) = %+v: name not lower case or argument not trimmed", text, cmd)
		}
		if cmd.Yes && cmd.Name != "delete" {
			t.Fatalf("ParseCommand(%q) = %+v: only delete takes --yes", text, cmd)
		}
	})
}
