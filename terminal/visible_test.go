package terminal

import (
	"bufio"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/racebot/racebot/flows"
)

func TestVisible(t *testing.T) {
	tests := []struct{ in, want string }{
		{"plain text, tabs\tand\nlines", "plain text, tabs\tand\nlines"},
		{"\x1b[31mred\x1b[0m", "^[[31mred^[[0m"},
		{"bell\x07 cr\r nul\x00 del\x7f", "bell^G cr^M nul^@ del^?"},
		{"c1 \u009b2J bidi \u202egnp.exe", "c1 \\u009b2J bidi \\u202egnp.exe"},
		{"bad \x9b byte", "bad \uFFFD byte"},
		{"émoji 👩‍💻 stays", "émoji 👩‍💻 stays"},
	}
	for _, tt := range tests {
		if got := visible(tt.in); got != tt.want {
			t.Errorf("visible(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	// Styling stays the console's own: escaped text inside bold is still
	// escaped, and the bold is real.
	m := flows.Say(flows.Text("\x1b[5mblink").Strong())
	if got, want := (style{tty: true}).text(m), "\x1b[1m^[[5mblink\x1b[0m"; got != want {
		t.Errorf("styled text = %q, want %q", got, want)
	}
}

func TestReadLine(t *testing.T) {
	long := strings.Repeat("z", maxLine+1)
	in := "one\r\ntwo\n\n" + long + "\nthree\nlast"
	r := bufio.NewReaderSize(strings.NewReader(in), 16)
	var got []inputLine
	for {
		l, err := readLine(r)
		if err != nil && !errors.Is(err, io.EOF) {
			t.Fatal(err)
		}
		if err == nil || l.text != "" || l.tooLong {
			got = append(got, l)
		}
		if err != nil {
			break
		}
	}
	want := []inputLine{{text: "one"}, {text: "two"}, {text: ""}, {tooLong: true}, {text: "three"}, {text: "last"}}
	if diff := cmp.Diff(want, got, cmp.AllowUnexported(inputLine{})); diff != "" {
		t.Errorf("lines (-want +got):\n%s", diff)
	}
}
