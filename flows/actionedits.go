package flows

import (
	"errors"
	"slices"
	"strconv"
	"strings"
	"time"
)

// ActionRevised replaces what the action that came from Source says: its
// author edited the message. The action keeps its id, its status and who
// added it.
type ActionRevised struct {
	Source string
	Text   string
	Owner  string
	Due    time.Time
	Impact int
	Effort int
	// Edited is when the edit was made.
	Edited time.Time
}

// ActionRemoved removes the action that came from Source: its message was
// deleted.
type ActionRemoved struct {
	Source string
}

func (p *Plan) reviseAction(c ActionRevised) {
	i := p.actionIndex(c.Source)
	if i < 0 {
		return
	}
	// Clones share nothing here: Clone copies the slice of actions.
	a := &p.Actions[i]
	a.Text, a.Owner, a.Due, a.Impact, a.Effort, a.Edited = c.Text, c.Owner, c.Due, c.Impact, c.Effort, c.Edited
}

func (p *Plan) removeAction(c ActionRemoved) {
	if i := p.actionIndex(c.Source); i >= 0 {
		p.Actions = slices.Delete(slices.Clone(p.Actions), i, i+1)
	}
}

func (p *Plan) actionIndex(source string) int {
	if source == "" {
		return -1
	}
	return slices.IndexFunc(p.Actions, func(a Action) bool { return a.Source == source })
}

// ActionFrom finds the action that came from a message.
func (p *Plan) ActionFrom(source string) (Action, bool) {
	if i := p.actionIndex(source); i >= 0 {
		return p.Actions[i], true
	}
	return Action{}, false
}

// ReviseAction records an edit, made at edited, of the message an action
// came from: the action says what the edited line says, and keeps its
// status. It changes nothing when no action came from source, when user
// did not add it, when the line says what the action says, or when the
// edit is not newer than the one the action came from. A line that no
// longer reads as an action is refused, and the action stays as it was.
// A due date written as in the line before the edit (previous, "" when
// unknown) stays the day it was read as, even if written relative to the
// day ("tomorrow").
func ReviseAction(cat *Catalogue, plan *Plan, source, previous, text, user string, edited time.Time, zone *time.Location) (Outcome, error) {
	s := &stepper{cat: cat, in: Input{User: user, Now: edited, Zone: zone}, out: Outcome{Plan: plan.Clone()}}
	a, ok := plan.ActionFrom(source)
	if !ok || !revisable(a.By, a.Edited, user, edited) {
		return s.out, nil
	}
	b, err := readAction(strings.TrimSpace(text), s.localNow())
	if err != nil {
		return Outcome{Plan: plan}, userErr(ErrBadInput, "Your edited line doesn't read as an action any more, so the action stays as it was; write it as %s.", Code(actionExample))
	}
	if !b.Due.Equal(a.Due) && s.writtenAlike(previous, text, a.At, func(line string, day time.Time) (time.Time, bool) {
		r, err := readAction(line, day)
		return r.Due, err == nil
	}) {
		b.Due = a.Due
	}
	if !b.Due.Equal(a.Due) {
		// Only a newly given date must be from today on: an action past
		// its date can still be reworded.
		if dueFromToday(b.Due, s.localNow()) != nil {
			return Outcome{Plan: plan}, userErr(ErrBadInput, "The due date %s is already past, so the action stays as it was; pick a date from today on.", dueText(b.Due))
		}
	}
	if b.Text == a.Text && b.Owner == a.Owner && b.Due.Equal(a.Due) && b.Impact == a.Impact && b.Effort == a.Effort {
		return s.out, nil
	}
	s.apply(ActionRevised{Source: source, Text: b.Text, Owner: b.Owner, Due: b.Due, Impact: b.Impact, Effort: b.Effort, Edited: edited})
	s.say(Reply{Kind: ReplyNote, Stage: a.Stage, Msg: actionUpdatedText(b)})
	return s.out, nil
}

// writtenAlike reports whether an edit (text) left the date in the line
// before it (previous, "" when unknown) as it was written: read by date,
// the two name the same day on the edit's day and on the day the line was
// set (at). "tomorrow" left as typed then keeps the day it was read as,
// while the same day written out, or another day, is a new date. The date
// the line was given is no guide: it may come from an earlier edit.
func (s *stepper) writtenAlike(previous, text string, at time.Time, date func(line string, day time.Time) (time.Time, bool)) bool {
	if previous == "" {
		return false
	}
	days := []time.Time{s.localNow()}
	if !at.IsZero() {
		days = append(days, s.localAt(at))
	}
	for _, day := range days {
		was, ok1 := date(strings.TrimSpace(previous), day)
		now, ok2 := date(strings.TrimSpace(text), day)
		if !ok1 || !ok2 || !dayOf(was).Equal(dayOf(now)) {
			return false
		}
	}
	return true
}

// WithdrawAction records that the message an action came from was
// deleted: the action is removed from the plan, unless someone has set its
// status, and then the reply says why it stays. It changes nothing when no
// action came from source.
func WithdrawAction(cat *Catalogue, plan *Plan, source string) Outcome {
	s := &stepper{cat: cat, out: Outcome{Plan: plan.Clone()}}
	a, ok := plan.ActionFrom(source)
	if !ok {
		return s.out
	}
	if st := a.State(); st != ActionOpen {
		// Someone has said where it stands, so it records work begun, done
		// or given up, which a quarter's close reads: it stays, as a KPI
		// with values does.
		msg := Sayf("The message that added %q was deleted, but the action stays because it is %s", User(a.Text), statusWord(st))
		if !a.Closed() {
			// A reply, not the slash command: it is said in the plan's own
			// conversation, and a slash command acts on the channel's
			// current plan, which may be another one with an action of
			// that number.
			msg = msg.Append("; reply ", Code("action dropped "+strconv.Itoa(a.Number)), " to drop it")
		}
		s.say(Reply{Kind: ReplyNote, Stage: a.Stage, Msg: msg.Append(".")})
		return s.out
	}
	s.apply(ActionRemoved{Source: source})
	s.say(Reply{Kind: ReplyNote, Stage: a.Stage, Msg: Sayf("The action %q was removed from the plan: its message was deleted.", User(a.Text))})
	return s.out
}

// KPIRemoved removes a KPI: the message that set it was deleted.
type KPIRemoved struct {
	Key string
}

func (p *Plan) removeKPI(c KPIRemoved) {
	p.KPIs = slices.DeleteFunc(slices.Clone(p.KPIs), func(k KPI) bool { return k.Key == c.Key })
}

// KPIFrom finds the KPI whose line came from a message.
func (p *Plan) KPIFrom(source string) (KPI, bool) {
	if source == "" {
		return KPI{}, false
	}
	for _, k := range p.KPIs {
		if k.Source == source {
			return k, true
		}
	}
	return KPI{}, false
}

// ReviseKPI records an edit, made at edited, of the message a KPI's line
// came from: the KPI takes the edited line's target, and keeps what the
// line leaves out as a new line for it would (see keepUnsaid). It changes
// nothing when no KPI came from source, when user did not set it, when the
// target is the same, or when the edit is not newer than the one the KPI
// came from. A line that no longer reads as a target for that KPI, or names
// another one, is refused, and the KPI stays as it was. A deadline written
// as in the line before the edit (previous) keeps its day, as an action's
// due date does (see ReviseAction).
func ReviseKPI(cat *Catalogue, plan *Plan, source, previous, text, user string, edited time.Time, zone *time.Location) (Outcome, error) {
	s := &stepper{cat: cat, in: Input{User: user, Now: edited, Zone: zone}, out: Outcome{Plan: plan.Clone()}}
	old, ok := plan.KPIFrom(source)
	if !ok || !revisable(old.By, old.Edited, user, edited) {
		return s.out, nil
	}
	name := User(lowerName(old.Name))
	k, read, err := parseKPILine(cat, old.Stage, plan.Kind, strings.TrimSpace(text), s.localNow())
	switch {
	case errors.Is(err, ErrBadValue):
		// The line still names the KPI, but a value in it can't be read
		// ("0.4" for a rate, which a line written before such values were
		// asked about may hold): the writer needs to know which one.
		return Outcome{Plan: plan}, userErr(ErrBadInput, "The %s target stays as it was, since your edit can't be saved: %s", name, Explain(err))
	case err != nil:
		return Outcome{Plan: plan}, userErr(ErrBadInput, "Your edited line doesn't read as a KPI target any more, so the %s target stays as it was; write it as %s.", name, Code(kpiLineExample))
	case k.Key != old.Key:
		return Outcome{Plan: plan}, userErr(ErrBadInput, "Your edited line names another KPI, so the %s target stays as it was; set the other one in a new reply.", name)
	}
	if !dayOf(k.Deadline).Equal(dayOf(old.Deadline)) && s.writtenAlike(previous, text, old.At, func(line string, day time.Time) (time.Time, bool) {
		r, _, err := parseKPILine(cat, old.Stage, plan.Kind, line, day)
		return r.Deadline, err == nil
	}) {
		k.Deadline = old.Deadline
	}
	k.Plan, k.By, k.Source, k.Edited = plan.ID, user, source, edited
	// The edited line is read as a new line for its KPI would be: what it
	// leaves out (an owner a carried KPI came with) stays as the KPI has it.
	keepUnsaid(&k, &read, old)
	problems := CheckTarget(k, s.localNow())
	if !k.Deadline.IsZero() && dayOf(k.Deadline).Equal(dayOf(old.Deadline)) {
		// Only a newly given deadline must be from today on: a target
		// whose deadline has passed can still be corrected.
		problems = slices.DeleteFunc(problems, func(p Problem) bool { return p.Field == "deadline" })
	}
	if fe := blockingErrors(problems); len(fe) > 0 {
		return Outcome{Plan: plan}, userErr(ErrBadInput, "The %s target stays as it was, since your edit can't be saved: %s", name, fe.kpiLine())
	}
	if sameTarget(old, k) {
		return s.out, nil
	}
	s.apply(KPISet{KPI: k})
	s.say(Reply{Kind: ReplyNote, Stage: old.Stage, Msg: kpiSetText(old, true, k, read, problems)})
	return s.out, nil
}

// WithdrawKPI records that the message a KPI's line came from was
// deleted: the KPI is removed from the plan, unless values were recorded
// for it (hasValues), which others gave and which would go with it; then
// it stays, and the thread is told how to change it.
func WithdrawKPI(cat *Catalogue, plan *Plan, source string, hasValues bool) Outcome {
	s := &stepper{cat: cat, out: Outcome{Plan: plan.Clone()}}
	k, ok := plan.KPIFrom(source)
	if !ok {
		return s.out
	}
	if hasValues {
		s.say(Reply{Kind: ReplyNote, Stage: k.Stage, Msg: Sayf("The message that set the %s target was deleted, but the KPI stays because values were recorded for it; change it with %s.", User(lowerName(k.Name)), Cmd("kpi "+string(k.Stage)))})
		return s.out
	}
	s.apply(KPIRemoved{Key: k.Key})
	s.say(Reply{Kind: ReplyNote, Stage: k.Stage, Msg: Sayf("The %s KPI was removed from the plan: its message was deleted.", User(lowerName(k.Name)))})
	return s.out
}
