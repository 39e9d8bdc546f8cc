package flows

import (
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func actionPlan() *Plan {
	p := NewPlan("T", "C", "Q1", "U1", t0)
	p.Actions = []Action{
		{ID: 11, Number: 1, Stage: StageReach, Text: "Webinar series", Owner: "Ana", Due: date(2026, 11, 20), Impact: 4, Effort: 3},
		{ID: 12, Number: 2, Stage: StageConvert, Text: "Cart recovery emails", Owner: "Ben", Due: date(2026, 12, 1), Impact: 5, Effort: 2},
		{ID: 13, Number: 3, Stage: StageConvert, Text: "Cart page redesign", Impact: 3, Effort: 4},
	}
	p.LastActionNumber = 3
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
		"4":    "There is no action 4; the plan has actions 1 to 3, and `actions` lists them.",
		"blog": `No action matches "blog"`,
		"":     "Say which action",
	} {
		_, err := p.FindAction(ref)
		if !errors.Is(err, ErrBadInput) || !strings.Contains(Explain(err).String(), want) {
			t.Errorf("FindAction(%q) error = %v, want %q", ref, err, want)
		}
	}
}

// TestFindActionWithAGap: the message that added action 1 is deleted.
// The others keep their numbers, so `action done 2` still means the
// action the list showed as 2; 1 is explained as removed, and never given
// again, even once the plan has no actions at all.
func TestFindActionWithAGap(t *testing.T) {
	cat := RACE()
	p := NewPlan("T", "C", "Q1", "U1", t0)
	for i, text := range []string{"Gift boxes", "Webinar series", "Cart recovery emails"} {
		p.Apply(ActionAdded{Action: Action{ID: int64(i + 1), Number: p.NextActionNumber(), Text: text, Impact: 3, Effort: 2, Source: "C/" + strconv.Itoa(i+1)}})
	}
	out := WithdrawAction(cat, p, "C/1")
	p = out.Plan
	for ref, want := range map[string]string{"2": "Webinar series", "#3": "Cart recovery emails", "webinar": "Webinar series"} {
		i, err := p.FindAction(ref)
		if err != nil || p.Actions[i].Text != want {
			t.Errorf("FindAction(%q) = %d, %v; want %q", ref, i, err, want)
		}
	}
	for ref, want := range map[string]string{
		"1": "Action 1 was removed when the message that added it was deleted; the plan has actions 2 and 3.",
		"4": "There is no action 4; the plan has actions 2 and 3, and `actions` lists them.",
		"0": "There is no action 0; the plan has actions 2 and 3",
	} {
		if _, err := p.FindAction(ref); !errors.Is(err, ErrBadInput) || Explain(err).String() != want && !strings.HasPrefix(Explain(err).String(), want) {
			t.Errorf("FindAction(%q) error = %v, want %q", ref, err, want)
		}
	}
	text := ActionListText(p, t0).String()
	for _, want := range []string{"\n2. ○ Webinar series", "\n3. ○ Cart recovery emails", "`action done 2`"} {
		if !strings.Contains(text, want) {
			t.Errorf("list lacks %q:\n%s", want, text)
		}
	}
	if strings.Contains(text, "1.") {
		t.Errorf("list shows a number 1 no action has:\n%s", text)
	}

	p.Apply(ActionAdded{Action: Action{Text: "Cart popup", Impact: 3, Effort: 2, Source: "C/4"}})
	if got := p.Actions[2].Number; got != 4 {
		t.Errorf("the action added after the removal is %d, want 4", got)
	}
	if _, err := p.FindAction("cart"); err == nil || !strings.Contains(Explain(err).String(), `3 ("Cart recovery emails"), 4 ("Cart popup")`) {
		t.Errorf("ambiguous cart: %v", err)
	}
	p = WithdrawAction(cat, p, "C/3").Plan
	if _, err := p.FindAction("3"); err == nil || Explain(err).String() != "Action 3 was removed when the message that added it was deleted; the plan has actions 2 and 4." {
		t.Errorf("removed 3 with actions 2 and 4: %v", err)
	}
	// The newest one removed: its number still is not given again.
	p = WithdrawAction(cat, p, "C/4").Plan
	if n := p.NextActionNumber(); n != 5 {
		t.Errorf("next number after the newest was removed = %d, want 5", n)
	}
	p = WithdrawAction(cat, p, "C/2").Plan
	if _, err := p.FindAction("2"); err == nil || Explain(err).String() != "Action 2 was removed when the message that added it was deleted; the plan has none now." {
		t.Errorf("FindAction(2) on a plan whose actions were all removed: %v", err)
	}
	if _, err := p.FindAction("webinar"); err == nil || !strings.Contains(Explain(err).String(), "no actions now") {
		t.Errorf("FindAction(webinar) on a plan whose actions were all removed: %v", err)
	}
	// Many numbers with gaps are not listed one by one.
	for n := 5; n <= 20; n++ {
		p.Apply(ActionAdded{Action: Action{Text: "Step " + strconv.Itoa(n), Impact: 3, Effort: 2, Source: "C/" + strconv.Itoa(n)}})
		if n%2 == 0 {
			p = WithdrawAction(cat, p, "C/"+strconv.Itoa(n)).Plan
		}
	}
	if _, err := p.FindAction("21"); err == nil || Explain(err).String() != "There is no action 21; the plan has 8 actions, numbered up to 19, and `actions` lists them." {
		t.Errorf("FindAction(21) with actions 5 to 19, every other one removed: %v", err)
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

// TestSetShownActionStatus: a control shown while the action had another
// status than it has now leaves a status someone else set since, and says
// who; one the presser set, or a control that does not say, sets its own.
func TestSetShownActionStatus(t *testing.T) {
	done, err := SetActionStatus(actionPlan(), 0, ActionDone, "U2", t0.Add(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name  string
		shown ActionStatus
		user  string
		want  ActionStatus
		by    string
	}{
		{"shown before someone else's newer status", ActionOpen, "U1", ActionDone, "U2"},
		{"shown before the presser's own", ActionOpen, "U2", ActionDropped, "U2"},
		{"shown as it is", ActionDone, "U1", ActionDropped, "U1"},
		{"a control that does not say", "", "U1", ActionDropped, "U1"},
	} {
		out, err := SetShownActionStatus(done.Plan, 0, ActionDropped, tc.shown, tc.user, t0.Add(3*time.Minute))
		if a := out.Plan.Actions[0]; err != nil || a.State() != tc.want || a.StatusBy != tc.by {
			t.Errorf("%s: %s by %s, %v; want %s by %s", tc.name, a.State(), a.StatusBy, err, tc.want, tc.by)
		}
		if kept := tc.want != ActionDropped; kept != (len(out.Changes) == 0) || kept && !strings.Contains(out.Replies[0].Msg.String(), "stays done: U2 set it") {
			t.Errorf("%s: changes %v, replies %v", tc.name, out.Changes, out.Replies)
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
