package flows

import (
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// ActionStatus is where an action stands: open until someone starts it,
// doing while it is under way, then done or dropped. Closing a quarter
// needs to know which actions happened; a plan that only lists them can't
// tell.
type ActionStatus string

const (
	ActionOpen    ActionStatus = "open"
	ActionDoing   ActionStatus = "doing"
	ActionDone    ActionStatus = "done"
	ActionDropped ActionStatus = "dropped"
)

// ActionStatuses lists every status in the order buttons show them.
var ActionStatuses = []ActionStatus{ActionOpen, ActionDoing, ActionDone, ActionDropped}

// ParseActionStatus reads a status as people write it: "done", "finished",
// "started", "in progress", "drop", "reopen".
func ParseActionStatus(word string) (ActionStatus, bool) {
	switch strings.Join(strings.Fields(strings.ToLower(word)), " ") {
	case "open", "reopen", "reopened", "todo", "to do", "not started":
		return ActionOpen, true
	case "doing", "started", "start", "in progress", "under way", "underway", "ongoing":
		return ActionDoing, true
	case "done", "finished", "complete", "completed", "shipped":
		return ActionDone, true
	case "dropped", "drop", "cancelled", "canceled", "abandoned":
		return ActionDropped, true
	}
	return "", false
}

// State is the action's status; an action nobody has touched is open.
func (a Action) State() ActionStatus {
	if a.Status == "" {
		return ActionOpen
	}
	return a.Status
}

// Closed reports whether the action needs no more work: done or dropped.
func (a Action) Closed() bool {
	s := a.State()
	return s == ActionDone || s == ActionDropped
}

// Overdue reports whether an action still to do is past its due date, by
// the calendar day of now.
func (a Action) Overdue(now time.Time) bool {
	return !a.Closed() && !a.Due.IsZero() && dayOf(a.Due).Before(dayOf(now))
}

// ActionStatusSet records a new status of one of the plan's actions; the
// store keeps every status an action had.
type ActionStatusSet struct {
	// Action is the action's id in the store; 0 for an action not stored
	// yet, which Index finds instead.
	Action int64
	// Index is the action's place in Plan.Actions.
	Index  int
	Status ActionStatus
	By     string
	At     time.Time
}

func (ActionStatusSet) change() {}

func (p *Plan) setActionStatus(c ActionStatusSet) {
	i := c.Index
	if c.Action != 0 {
		i = -1
		for j, a := range p.Actions {
			if a.ID == c.Action {
				i = j
				break
			}
		}
	}
	if i < 0 || i >= len(p.Actions) {
		return
	}
	// Clones share nothing here: Clone copies the slice of actions.
	a := &p.Actions[i]
	a.Status, a.StatusBy, a.StatusAt = c.Status, c.By, c.At
}

// NextActionNumber is the number the plan's next action gets.
func (p *Plan) NextActionNumber() int { return p.LastActionNumber + 1 }

// FindAction finds the action a person means, by its number (see
// Action.Number) or by words of its text: the action whose text is
// exactly ref, or else the only one that contains it. It returns the
// action's index in p.Actions. A number whose action was removed is
// refused with a sentence saying so, never taken for another action.
func (p *Plan) FindAction(ref string) (int, error) {
	ref = trimActionRef(ref)
	if ref == "" {
		return 0, userErr(ErrBadInput, "Say which action: its number from %s, or words from it.", Cmd("actions"))
	}
	n, numbered := actionNumberRef(ref)
	switch {
	case numbered && p.removedAction(n):
		return 0, userErr(ErrBadInput, "Action %d was removed when the message that added it was deleted; %s.", n, p.numbersNow())
	case len(p.Actions) == 0 && p.LastActionNumber > 0:
		return 0, userErr(ErrBadInput, "This plan has no actions now: the messages that added them were deleted.")
	case len(p.Actions) == 0:
		return 0, userErr(ErrBadInput, "This plan has no actions yet; each stage ends by asking for them.")
	case numbered:
		if i := slices.IndexFunc(p.Actions, func(a Action) bool { return a.Number == n }); i >= 0 {
			return i, nil
		}
		return 0, userErr(ErrBadInput, "There is no action %d; %s, and %s lists them.", n, p.numbersNow(), Cmd("actions"))
	}
	want := foldText(ref)
	var found []int
	for i, a := range p.Actions {
		if foldText(a.Text) == want {
			return i, nil
		}
		if strings.Contains(foldText(a.Text), want) {
			found = append(found, i)
		}
	}
	switch len(found) {
	case 1:
		return found[0], nil
	case 0:
		return 0, userErr(ErrBadInput, "No action matches %q; %s lists them with their numbers.", User(ref), Cmd("actions"))
	}
	var names []Msg
	for _, i := range found[:min(len(found), 4)] {
		names = append(names, Sayf("%d (%q)", p.Actions[i].Number, User(shorten(p.Actions[i].Text, 40))))
	}
	return 0, userErr(ErrBadInput, "%q matches more than one action: %s. Use its number.", User(ref), Join(names, ", "))
}

// trimActionRef takes spaces and quotes off what names an action.
func trimActionRef(ref string) string { return strings.Trim(strings.TrimSpace(ref), "\"'“”‘’") }

// actionNumberRef reads ref as an action's number, "2" or "#2".
func actionNumberRef(ref string) (int, bool) {
	n, err := strconv.Atoi(strings.TrimPrefix(ref, "#"))
	return n, err == nil
}

// removedAction reports whether number n was given to an action the plan
// no longer has: the only way out of the list is the deletion of the
// message that added it (see WithdrawAction).
func (p *Plan) removedAction(n int) bool {
	return n >= 1 && n <= p.LastActionNumber && !slices.ContainsFunc(p.Actions, func(a Action) bool { return a.Number == n })
}

// numbersNow says which numbers the plan's actions have, as a clause:
// "the plan has actions 2, 3 and 5". Removed actions leave gaps, so the
// count alone would not tell a person which numbers to use.
func (p *Plan) numbersNow() Msg {
	var nums []int
	for _, a := range p.Actions {
		nums = append(nums, a.Number)
	}
	slices.Sort(nums)
	switch {
	case len(nums) == 0:
		return Say(Text("the plan has none now"))
	case len(nums) == 1:
		return Sayf("the plan has action %d", nums[0])
	case len(nums) > 2 && nums[len(nums)-1]-nums[0] == len(nums)-1:
		return Sayf("the plan has actions %d to %d", nums[0], nums[len(nums)-1])
	case len(nums) <= maxNumbersSaid:
		words := make([]string, len(nums))
		for i, n := range nums {
			words[i] = strconv.Itoa(n)
		}
		return Sayf("the plan has actions %s and %s", Text(strings.Join(words[:len(words)-1], ", ")), Text(words[len(words)-1]))
	}
	return Sayf("the plan has %d actions, numbered up to %d", len(nums), nums[len(nums)-1])
}

// maxNumbersSaid is how many action numbers a sentence lists one by one.
const maxNumbersSaid = 6

// foldText lower-cases text and squeezes its spaces, so matching an action
// forgives case and spacing.
func foldText(s string) string { return strings.Join(strings.Fields(strings.ToLower(s)), " ") }

// StatusLine reads one line of a check-in reply that sets an action's
// status, such as "done: webinar series" or "doing: 3", and returns the
// status and what names the action. Only "<status>: <action>" counts, so a
// line of KPI values is never taken for one.
func StatusLine(line string) (ActionStatus, string, bool) {
	word, rest, ok := strings.Cut(strings.TrimSpace(line), ":")
	if !ok || strings.TrimSpace(rest) == "" {
		return "", "", false
	}
	st, ok := ParseActionStatus(word)
	if !ok {
		return "", "", false
	}
	return st, strings.TrimSpace(rest), true
}

// ParseActionCommand reads what follows `action`: a status and the action,
// "done 2" or "doing webinar series".
func ParseActionCommand(arg string) (ActionStatus, string, error) {
	fields := strings.Fields(arg)
	usage := func() error {
		return userErr(ErrBadInput, "Write the status, then the action's number or words from it: %s. A status is open, doing, done or dropped.", Cmd("action done 2"))
	}
	if len(fields) < 2 {
		return "", "", usage()
	}
	// "in progress" and "to do" are two words.
	for _, n := range []int{2, 1} {
		if len(fields) > n {
			if st, ok := ParseActionStatus(strings.Join(fields[:n], " ")); ok {
				return st, strings.Join(fields[n:], " "), nil
			}
		}
	}
	return "", "", usage()
}

// SetActionStatus moves the action at index i of the plan to a status,
// for a button, a command or a check-in reply. Setting the status it has
// changes nothing and says so.
func SetActionStatus(p *Plan, i int, st ActionStatus, user string, now time.Time) (Outcome, error) {
	if i < 0 || i >= len(p.Actions) {
		return Outcome{Plan: p}, userErr(ErrBadInput, "That action is no longer in the plan; %s lists them.", Cmd("actions"))
	}
	out := Outcome{Plan: p.Clone()}
	a := p.Actions[i]
	if a.State() == st {
		out.Replies = []Reply{{Kind: ReplyNote, Msg: Sayf("%q is %s already.", User(a.Text), statusWord(st))}}
		return out, nil
	}
	c := ActionStatusSet{Action: a.ID, Index: i, Status: st, By: user, At: now}
	out.Plan.Apply(c)
	out.Changes = []Change{c}
	out.Replies = []Reply{{Kind: ReplyActionStatus, Msg: Sayf("%s %s marked %q %s.", statusEmoji(st), Person(user), User(a.Text), statusWord(st))}}
	return out, nil
}

// SetWrittenActionStatus is SetActionStatus for a status line written at
// written and applied later (a refused check-in reply its author then
// corrected, the line left as it was): a status someone set after the
// line was written is newer, and stays. A zero written is now.
func SetWrittenActionStatus(p *Plan, i int, st ActionStatus, user string, now, written time.Time) (Outcome, error) {
	if i >= 0 && i < len(p.Actions) && !written.IsZero() {
		if a := p.Actions[i]; a.State() != st && a.StatusBy != "" && a.StatusAt.After(written) {
			return Outcome{Plan: p.Clone(), Replies: []Reply{{Kind: ReplyNote, Msg: Sayf("%q stays %s: %s set it after this reply was written.", User(a.Text), statusWord(a.State()), Person(a.StatusBy))}}}, nil
		}
	}
	return SetActionStatus(p, i, st, user, now)
}

// SetShownActionStatus is SetActionStatus for a control shown while the
// action's status was shown (a check-in's buttons, which are never
// redrawn): a status someone else set since is newer than what the
// presser saw, and stays. One the presser set themselves they know of.
// An empty shown is a control that did not say, which sets the status.
func SetShownActionStatus(p *Plan, i int, st, shown ActionStatus, user string, now time.Time) (Outcome, error) {
	if i >= 0 && i < len(p.Actions) && shown != "" {
		if a := p.Actions[i]; a.State() != st && a.State() != shown && a.StatusBy != "" && a.StatusBy != user {
			change := Cmd("action " + string(st) + " " + strconv.Itoa(a.Number))
			return Outcome{Plan: p.Clone(), Replies: []Reply{{Kind: ReplyNote, Msg: Sayf("%q stays %s: %s set it after it was shown to you as %s; %s changes it.", User(a.Text), statusWord(a.State()), Person(a.StatusBy), statusWord(shown), change)}}}, nil
		}
	}
	return SetActionStatus(p, i, st, user, now)
}

// statusWord is a status as a sentence says it.
func statusWord(st ActionStatus) string {
	if st == ActionDoing {
		return "under way"
	}
	return string(st)
}

func statusEmoji(st ActionStatus) string {
	switch st {
	case ActionDoing:
		return "🔄"
	case ActionDone:
		return "✅"
	case ActionDropped:
		return "✖️"
	}
	return "○"
}

// ActionLine is one action of the action list: its number, status, text,
// owner and due date, overdue ones marked.
func ActionLine(a Action, now time.Time) Msg {
	var b msgBuilder
	mark := statusEmoji(a.State())
	if a.Overdue(now) {
		mark = "⏰"
	}
	b.printf("%d. %s %s", a.Number, mark, User(a.Text))
	var about []Msg
	if a.Owner != "" {
		about = append(about, Say(User(a.Owner)))
	}
	if !a.Due.IsZero() {
		due := "due " + a.Due.Format("2 Jan")
		if a.Overdue(now) {
			due += ", overdue"
		}
		about = append(about, Say(Text(due)))
	}
	about = append(about, Say(Text(statusWord(a.State()))))
	b.printf(" — %s", Join(about, " · "))
	return b.msg()
}

// ActionListText lists the plan's actions in the order they were added,
// each with the number `action` refers to it by, with how many are done.
func ActionListText(p *Plan, now time.Time) Msg {
	if len(p.Actions) == 0 {
		return Sayf("%q has no actions yet; each stage ends by asking for them.", User(p.Name))
	}
	done := 0
	for _, a := range p.Actions {
		if a.State() == ActionDone {
			done++
		}
	}
	var b msgBuilder
	b.printf("%s%s — %d of %d done", Text("Actions of ").Strong(), User(p.Name).Strong(), done, len(p.Actions))
	for _, a := range p.Actions {
		b.printf("\n%s", ActionLine(a, now))
	}
	// The example names an action the list has: the first may be gone.
	b.printf("\nSet a status with %s (or doing, dropped, open).", Cmd("action done "+strconv.Itoa(p.Actions[0].Number)))
	return b.msg()
}

// ActionListReply is the action list as a reply, with each action's line
// for a transport that puts controls beside them.
func ActionListReply(p *Plan, now time.Time) Reply {
	r := Reply{Kind: ReplyActionList, Msg: ActionListText(p, now)}
	for _, a := range p.Actions {
		r.Lines = append(r.Lines, ActionLine(a, now))
	}
	return r
}

// actionRefExample is a few words of an action's text to show in an
// example reply, or a placeholder when the text is not plain words.
func actionRefExample(text string) string {
	words := strings.Fields(text)
	words = words[:min(2, len(words))]
	for _, w := range words {
		for _, r := range w {
			if !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '-' {
				return "<action>"
			}
		}
	}
	if len(words) == 0 {
		return "<action>"
	}
	return strings.ToLower(strings.Join(words, " "))
}
