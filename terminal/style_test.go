package terminal

import (
	"testing"

	"github.com/racebot/racebot/flows"
)

func TestStyleText(t *testing.T) {
	m := flows.Sayf("%s · %s: reply %s or type %s. %q asked %s.", flows.Text("Plan").Strong(), flows.Text("Hint").Emph(),
		flows.Code("skip"), flows.Cmd("status"), flows.User("R&amp;D &lt;3"), flows.Person("ana"))
	tests := []struct {
		tty  bool
		want string
	}{
		{false, "Plan · Hint: reply `skip` or type `status`. \"R&D <3\" asked ana."},
		{true, "\x1b[1mPlan\x1b[0m · \x1b[2mHint\x1b[0m: reply `skip` or type `status`. \"R&D <3\" asked ana."},
	}
	for _, tt := range tests {
		if got := (style{tty: tt.tty}).text(m); got != tt.want {
			t.Errorf("tty=%v: text = %q\n want %q", tt.tty, got, tt.want)
		}
	}
}
