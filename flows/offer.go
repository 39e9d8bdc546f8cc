package flows

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Offer is a command racebot offered to run instead of a line it kept as an
// answer ("new Q1 Launch" typed while a question was open). Only the person
// who typed the line can take it, by replying `yes` next, before it expires
// and while the plan is as the answer left it.
type Offer struct {
	Team    string
	Channel string
	Plan    PlanID
	User    string
	// Command is the offered command as ParseCommand reads it.
	Command string
	// QuestionID and Revision name the answer the line was saved as, and
	// Prior is the text it replaced, so taking the offer can withdraw it.
	// A line kept as a co-answer, beside an answer given meanwhile,
	// replaced nothing: Revision is the co-answer's, and Prior empty.
	QuestionID string
	Revision   int
	Prior      string
	// Beside says the line was kept as a co-answer. Stores keep such an
	// offer where a racebot from before co-answer offers does not read
	// its question: that one could only take back a whole answer, and
	// would reopen the question the coach had moved on to instead.
	Beside bool
	// Version is the plan's version right after the answer: the offer
	// stands only while nothing else has changed the plan.
	Version int64
	Expires time.Time
	// Withdrawn says its author's edit made the line a plain answer, and
	// was told so: the offer can no longer be taken, but until it expires
	// their `yes`, perhaps typed before they read that, is no answer
	// either (see RefuseWithdrawnYes).
	Withdrawn bool
}

// Valid reports whether the offer can still be taken on plan at now.
func (o Offer) Valid(plan *Plan, now time.Time) bool {
	return plan != nil && !o.Withdrawn && o.Plan == plan.ID && o.Version == plan.Version && now.Before(o.Expires)
}

// RefuseWithdrawnYes refuses the `yes` o's author gives at now when
// their edit withdrew o: until o would have expired, such a yes was most
// likely typed for it, perhaps before its author read that it was
// withdrawn, and is no answer. It is nil for any other offer, and for a
// yes given after that, which is read as a reply like any other.
func RefuseWithdrawnYes(o Offer, now time.Time) error {
	if !o.Withdrawn || !now.Before(o.Expires) {
		return nil
	}
	cmd, err := ParseCommand(o.Command)
	if err != nil || cmd.Name != "new" {
		return nil
	}
	return userErr(ErrBadInput, "Your %s was not recorded, because the offer to start a new plan called %q was withdrawn when you edited your line; to start it, reply %s.",
		Code("yes"), User(cmd.Arg), Cmd("new "+cmd.Arg))
}

// Lapsed reports whether o lapsed because plan moved on since it was
// made: neither taken (a taken offer is gone), withdrawn nor expired, but
// made on a version of plan that is no longer its own.
func (o Offer) Lapsed(plan *Plan, now time.Time) bool {
	return plan != nil && !o.Withdrawn && o.Plan == plan.ID && o.Version != plan.Version && now.Before(o.Expires)
}

// RefuseLapsedYes refuses the `yes` o's author gives at now when o lapsed
// because plan moved on (see Lapsed): until o would have expired, such a
// yes was most likely typed for it, perhaps before its author saw the
// plan move, and is no answer. made is when o was made. Its author is
// told who moved the plan, how to start the plan offered, and how to give
// yes as an answer all the same: in more words than `yes`, which no offer
// takes. It is nil for any other offer.
func RefuseLapsedYes(cat *Catalogue, o Offer, plan *Plan, made, now time.Time) error {
	if !o.Lapsed(plan, now) {
		return nil
	}
	cmd, err := ParseCommand(o.Command)
	if err != nil || cmd.Name != "new" {
		return nil
	}
	msg := Sayf("Your %s was not recorded, because the offer to start a new plan called %q lapsed when ", Code("yes"), User(cmd.Arg))
	switch by, qid, action, ok := movedBy(plan, o, made); {
	case ok && action != 0:
		msg = msg.Append(Sayf("%s added action %d", Person(by), action))
	case ok:
		msg = msg.Append(Sayf("%s answered %s", Person(by), QuestionRef(cat, qid)))
	default:
		msg = msg.Append(Say(Text("the plan moved on after your line")))
	}
	msg = msg.Append(Sayf("; to start it, reply %s, or, if you meant yes as your answer, reply it in more words, such as %s.",
		Cmd("new "+cmd.Arg), Code("yes, indeed")))
	return &UserError{Err: ErrBadInput, Msg: msg}
}

// movedBy finds who moved plan on after offer o was made (at made): the
// latest answer or action given since by someone else, with its question,
// or the action's number.
func movedBy(plan *Plan, o Offer, made time.Time) (by, qid string, action int, ok bool) {
	var at time.Time
	consider := func(who, q string, n int, when time.Time) {
		if who == o.User || when.Before(made) {
			return
		}
		if !ok || when.After(at) || (when.Equal(at) && (n > action || n == action && q > qid)) {
			by, qid, action, at, ok = who, q, n, when, true
		}
	}
	for q, a := range plan.Answers {
		if a.Text != "" {
			consider(a.By, q, 0, a.At)
		}
		for _, c := range a.Also {
			consider(c.By, q, 0, c.At)
		}
	}
	for _, a := range plan.Actions {
		consider(a.By, "", a.Number, a.At)
	}
	return by, qid, action, ok
}

// Withdraw takes back the answer an offer was made with: a new revision
// restores the text it replaced (the withdrawn one stays in the history)
// and the question is open again, for when the team comes back to the plan.
// A co-answer is withdrawn alone: the answer beside it stands, and so does
// the question the coach had moved on to.
//
// history is the question's history, oldest first (as stores list it):
// the text restored keeps the author, time and message of the revision it
// came from, so that it is still theirs, and their edit or deletion of
// that message still reaches it. Without one the taker is named.
func Withdraw(cat *Catalogue, plan *Plan, o Offer, history []Answer, in Input) (Outcome, error) {
	s := &stepper{cat: cat, in: in, out: Outcome{Plan: plan.Clone()}}
	if o.QuestionID == "" {
		return s.out, nil
	}
	_, stage, step, ok := cat.Question(o.QuestionID)
	if !ok {
		return Outcome{Plan: plan}, fmt.Errorf("offer names unknown question %q", o.QuestionID)
	}
	a := plan.Answers[o.QuestionID]
	if i := slices.IndexFunc(a.Also, func(c Contribution) bool { return c.Revision == o.Revision }); i >= 0 {
		if c := a.Also[i]; c.By == o.User {
			s.apply(AnswerWithdrawn{QuestionID: o.QuestionID, Revision: a.Next(), Source: c.Source, Of: c.Revision, By: in.User, At: in.Now})
		}
		return s.out, nil
	}
	if a.Revision == o.Revision {
		restored := Answer{QuestionID: o.QuestionID, Text: o.Prior, By: in.User, At: in.Now, Revision: a.Revision + 1}
		if prior, ok := priorRevision(history, o); ok {
			restored.By, restored.At, restored.Drafted = prior.By, prior.At, prior.Drafted
			// An edit's time is not kept with the answer, so an older edit
			// of that message delivered late could not be told from a newer
			// one: an answer that came from an edit is restored without its
			// message, which its later edits then leave alone.
			if !editedBefore(history, prior) {
				restored.Source = prior.Source
			}
		}
		s.apply(AnswerRecorded{Answer: restored})
	}
	if c := (Cursor{Stage: stage, Step: step, Phase: PhaseQuestion}); c != plan.Cursor {
		s.apply(CursorMoved{Cursor: c})
	}
	return s.out, nil
}

// priorRevision finds in a question's history the revision whose text the
// offer's line replaced: the latest before the line with that text.
func priorRevision(history []Answer, o Offer) (Answer, bool) {
	if o.Prior == "" {
		return Answer{}, false
	}
	for i := len(history) - 1; i >= 0; i-- {
		if r := history[i]; r.Revision < o.Revision && r.Text == o.Prior {
			return r, true
		}
	}
	return Answer{}, false
}

// editedBefore reports whether r's message gave the question an earlier
// revision too: r is then an edit of it.
func editedBefore(history []Answer, r Answer) bool {
	return r.Source != "" && slices.ContainsFunc(history, func(h Answer) bool {
		return h.Revision < r.Revision && h.Source == r.Source
	})
}

// RefuseTakenEdit refuses an edit of a line whose author took the offer
// made with it: the line started the plan named started ("" for one
// deleted since), and left question qid's answers then, so the edit
// changes nothing, and its author is told what does instead. named is the
// plan the edit's text names as `new` would ("" for none): one under
// another name is started anew, and an answer is given to the question
// after `edit`, as a reply there would now be filed under the question
// the coach had moved on to.
func RefuseTakenEdit(cat *Catalogue, qid, started, named string) error {
	msg := Sayf("This line already started the plan %q, so your edit changed nothing", User(started))
	if started == "" {
		msg = Say(Text("This line already started a plan, deleted since, so your edit changed nothing"))
	}
	_, si, step, ok := cat.Question(qid)
	switch {
	case named != "" && started == "":
		msg = msg.Append(Sayf("; for a plan called %q instead, reply %s.", User(named), Cmd("new "+named)))
	case named != "" && !strings.EqualFold(named, started):
		msg = msg.Append(Sayf("; for a plan called %q instead, reply %s, and %s if you don't need the first.", User(named), Cmd("new "+named), Cmd("delete "+started)))
	case named == "" && ok:
		msg = msg.Append(Sayf("; to answer %s instead, reply %s in this thread, then your answer.", QuestionRef(cat, qid), Code("edit "+string(cat.Stages[si].ID)+" "+strconv.Itoa(step+1))))
	default:
		msg = msg.Append(".")
	}
	return &UserError{Err: ErrBadInput, Msg: msg}
}
