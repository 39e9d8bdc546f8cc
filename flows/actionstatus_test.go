package flows

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func actionPlan() *Plan {
	p := NewPlan("T", "C", "Q1", "U1", t0)
	p.Actions = []Action{
		{ID: 11, Stage: StageReach, Text: "Webinar series", Owner: "Ana", Due: date(2026, 11, 20), Impact: 4, Effort: 3},
		{ID: 12, Stage: StageConvert, Text: "Cart recovery emails", Owner: "Ben", Due: date(2026, 12, 1), Impact: 5, Effort: 2},
		{ID: 13, Stage: StageConvert, Text: "Cart page redesign", Impact: 3, Effort: 4},
	}
	return p
}

func TestFindAction(t *testing.T) {
	p := actionPlan()
	for ref, want := range map[string]int{"1": 0, "#2": 1, "webinar series": 0, "  Cart   RECOVERY ": 1, `"redesign"`: 2, "Cart page redesign": 2} {
		got, err := p.FindAction(ref)
		if err != nil || got != want {
			t.Errorf("FindAction(%q) = %d, %v; want %d", ref, got, err, want)
		}
	}
	for ref, want := range map[string]string{
		"cart": `"cart" matches more than one action: 2 ("Cart recovery emails"), 3 ("Cart page redesign")`,
		"4":    "There is no action 4; the plan has 3",
		"blog": `No action matches "blog"`,
		"":     "Say which action",
	} {
		_, err := p.FindAction(ref)
		if !errors.Is(err, ErrBadInput) || !strings.Contains(Explain(err).String(), want) {
			t.Errorf("FindAction(%q) error = %v, want %q", ref, err, want)
		}
	}
}

func TestSetActionStatus(t *testing.T) {
	p := actionPlan()
	out, err := SetActionStatus(p, 1, ActionDone, "U2", t0)
	if err != nil {
		t.Fatal(err)
	}
	if p.Actions[1].State() != ActionOpen {
		t.Error("SetActionStatus changed the plan it was given")
	}
	want := []Change{ActionStatusSet{Action: 12, Index: 1, Status: ActionDone, By: "U2", At: t0}}
	if diff := cmp.Diff(want, out.Changes); diff != "" {
		t.Errorf("changes (-want +got):\n%s", diff)
	}
	if a := out.Plan.Actions[1]; a.Status != ActionDone || a.StatusBy != "U2" || !a.StatusAt.Equal(t0) {
		t.Errorf("action after = %+v", a)
	}
	if got := out.Replies[0].Msg.String(); got != `✅ U2 marked "Cart recovery emails" done.` {
		t.Errorf("reply = %q", got)
	}
	again, err := SetActionStatus(out.Plan, 1, ActionDone, "U3", t0)
	if err != nil || len(again.Changes) != 0 || !strings.Contains(again.Replies[0].Msg.String(), "is done already") {
		t.Errorf("setting the same status again = %+v, %v", again, err)
	}
	// Replaying the change by id, as the store does, lands on the same action.
	replay := actionPlan()
	replay.Apply(ActionStatusSet{Action: 12, Index: 99, Status: ActionDone})
	if replay.Actions[1].Status != ActionDone {
		t.Error("a change replayed by id missed its action")
	}
}

// TestSetWrittenActionStatus: a status line applied after it was written
// leaves a status someone set in between, and otherwise sets its own.
func TestSetWrittenActionStatus(t *testing.T) {
	done, err := SetActionStatus(actionPlan(), 0, ActionDone, "U2", t0.Add(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name    string
		written time.Time
		want    ActionStatus
		by      string
	}{
		{"written before the newer status", t0, ActionDone, "U2"},
		{"written after it", t0.Add(2 * time.Minute), ActionDoing, "U1"},
		{"written now", time.Time{}, ActionDoing, "U1"},
	} {
		out, err := SetWrittenActionStatus(done.Plan, 0, ActionDoing, "U1", t0.Add(3*time.Minute), tc.written)
		if a := out.Plan.Actions[0]; err != nil || a.State() != tc.want || a.StatusBy != tc.by {
			t.Errorf("%s: %s by %s, %v; want %s by %s", tc.name, a.State(), a.StatusBy, err, tc.want, tc.by)
		}
	}
}

func TestStatusLinesAndCommands(t *testing.T) {
	for line, want := range map[string]string{
		"done: webinar series":  "done|webinar series",
		"Doing: 2":              "doing|2",
		"dropped : cart page":   "dropped|cart page",
		"in progress: webinars": "doing|webinars",
		"visitors 12k":          "",
		"done":                  "",
		"done:":                 "",
		"note: we did well":     "",
	} {
		st, ref, ok := StatusLine(line)
		got := ""
		if ok {
			got = string(st) + "|" + ref
		}
		if got != want {
			t.Errorf("StatusLine(%q) = %q, want %q", line, got, want)
		}
	}
	for arg, want := range map[string]string{"done 2": "done|2", "in progress webinar series": "doing|webinar series", "drop 3": "dropped|3"} {
		st, ref, err := ParseActionCommand(arg)
		if err != nil || string(st)+"|"+ref != want {
			t.Errorf("ParseActionCommand(%q) = %s|%s, %v; want %s", arg, st, ref, err, want)
		}
	}
	for _, arg := range []string{"", "done", "finish 2", "2 done"} {
		if _, _, err := ParseActionCommand(arg); !errors.Is(err, ErrBadInput) {
			t.Errorf("ParseActionCommand(%q) err = %v", arg, err)
		}
	}
}

func TestActionListAndDue(t *testing.T) {
	p := actionPlan()
	p.Actions[1].Status = ActionDoing
	now := date(2026, 11, 23)
	text := ActionListText(p, now).String()
	for _, want := range []string{
		"Actions of Q1 — 0 of 3 done",
		"1. ⏰ Webinar series — Ana · due 20 Nov, overdue · open",
		"2. 🔄 Cart recovery emails — Ben · due 1 Dec · under way",
		"3. ○ Cart page redesign — open",
		"`action done 1`",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("list lacks %q:\n%s", want, text)
		}
	}
	p.Actions[0].Status = ActionDone
	var due []string
	for _, a := range p.ActionsDue(date(2026, 12, 7)) {
		due = append(due, a.Text)
	}
	if diff := cmp.Diff([]string{"Cart recovery emails"}, due); diff != "" {
		t.Errorf("a done action is still due (-want +got):\n%s", diff)
	}
	if got := ActionsDueText(p.ActionsDue(date(2026, 12, 7)), now).String(); !strings.Contains(got, "(under way, due 1 Dec, Ben)") || !strings.Contains(got, "`done: cart recovery`") {
		t.Errorf("due text:\n%s", got)
	}
}
