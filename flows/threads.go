package flows

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// What a prompt asks, in the terms of Reply.Asks and Plan.Asking: a
// question's id, or one of these prefixes followed by a stage id, or
// asksNothing once the plan is complete.
const (
	asksActions = "actions:"
	asksKPIs    = "kpis:"
	asksNothing = "complete"
)

// Asks names what a reply asks the team, so that an answer given later can
// be matched with the prompt its author saw: a question's id,
// "actions:<stage>", "kpis:<stage>" or "complete"; empty for a reply that
// asks nothing.
func (r Reply) Asks() string {
	switch r.Kind {
	case ReplyQuestion:
		return r.QuestionID
	case ReplyActions:
		return asksActions + string(r.Stage)
	case ReplyKPIs:
		return asksKPIs + string(r.Stage)
	case ReplyPlanDone:
		return asksNothing
	}
	return ""
}

// Asking names what the plan asks now, in the terms of Reply.Asks.
func (p *Plan) Asking(cat *Catalogue) string {
	c := p.Cursor
	if c.Stage < 0 || c.Stage >= len(cat.Stages) {
		return ""
	}
	switch c.Phase {
	case PhaseComplete:
		return asksNothing
	case PhaseActions:
		return asksActions + string(cat.Stages[c.Stage].ID)
	case PhaseKPIs:
		return asksKPIs + string(cat.Stages[c.Stage].ID)
	}
	if _, q, ok := p.Current(cat); ok {
		return q.ID
	}
	return ""
}

// AnswerAdded keeps one more answer to a question beside the one it has:
// someone answered it after the coach had moved on, without seeing the
// answer given meanwhile. Neither text replaces the other.
type AnswerAdded struct {
	QuestionID   string
	Revision     int
	Contribution Contribution
}

// AnswerRevised replaces the text of the answer or co-answer that came
// from Source: its author edited the message. The earlier text stays in
// the question's history.
type AnswerRevised struct {
	QuestionID string
	Revision   int
	Source     string
	Text       string
	By         string
	At         time.Time
}

// AnswerWithdrawn removes the answer or co-answer that came from Source:
// its message was deleted, or its author took it back to run it as the
// command it also read as (Withdraw). One with no source (typed in the
// terminal) is named by Of, the revision it was given at. The history
// keeps the text. When the answer itself goes, the first co-answer takes
// its place, or the question is open again.
type AnswerWithdrawn struct {
	QuestionID string
	Revision   int
	Source     string
	Of         int
	By         string
	At         time.Time
}

// names reports whether c names the contribution that came from source
// at revision rev: by its source, or, for one with none, by Of.
func (c AnswerWithdrawn) names(source string, rev int) bool {
	if c.Source != "" {
		return source == c.Source
	}
	return c.Of != 0 && rev == c.Of
}

// The changes below never modify a slice of Also in place: clones of a
// plan share those slices.

func (p *Plan) addAnswer(c AnswerAdded) {
	a := p.Answers[c.QuestionID]
	a.QuestionID, a.Last = c.QuestionID, c.Revision
	o := c.Contribution
	o.Revision = c.Revision
	if a.Text == "" {
		a.Text, a.By, a.At, a.Source, a.Drafted, a.Revision = o.Text, o.By, o.At, o.Source, false, o.Revision
	} else {
		a.Also = append(slices.Clip(a.Also), o)
	}
	p.Answers[c.QuestionID] = a
	delete(p.Skipped, c.QuestionID)
}

func (p *Plan) reviseAnswer(c AnswerRevised) {
	a, ok := p.Answers[c.QuestionID]
	if !ok {
		return
	}
	a.Last = c.Revision
	if i := slices.IndexFunc(a.Also, func(o Contribution) bool { return o.Source == c.Source }); i >= 0 && c.Source != "" {
		a.Also = slices.Clone(a.Also)
		a.Also[i].Text, a.Also[i].At, a.Also[i].Revision, a.Also[i].Edited = c.Text, c.At, c.Revision, c.At
	} else if a.Source == c.Source && c.Source != "" {
		a.Text, a.At, a.Drafted, a.Revision, a.Edited = c.Text, c.At, false, c.Revision, c.At
	}
	p.Answers[c.QuestionID] = a
}

func (p *Plan) withdrawAnswer(c AnswerWithdrawn) {
	a, ok := p.Answers[c.QuestionID]
	if !ok {
		return
	}
	a.Last = c.Revision
	switch i := slices.IndexFunc(a.Also, func(o Contribution) bool { return c.names(o.Source, o.Revision) }); {
	case c.Source == "" && c.Of == 0:
	case i >= 0:
		a.Also = slices.Delete(slices.Clone(a.Also), i, i+1)
	case c.names(a.Source, a.Revision) && len(a.Also) > 0:
		next := a.Also[0]
		a.Text, a.By, a.At, a.Source, a.Drafted, a.Revision, a.Edited = next.Text, next.By, next.At, next.Source, false, next.Revision, next.Edited
		a.Also = slices.Clone(a.Also[1:])
	case c.names(a.Source, a.Revision):
		a.Text, a.By, a.At, a.Source, a.Drafted, a.Revision, a.Edited = "", c.By, c.At, "", false, c.Revision, time.Time{}
	}
	if len(a.Also) == 0 {
		a.Also = nil
	}
	p.Answers[c.QuestionID] = a
}

// AnswerFrom finds the answer or co-answer that came from a message.
func (p *Plan) AnswerFrom(source string) (questionID string, c Contribution, ok bool) {
	if source == "" {
		return "", Contribution{}, false
	}
	for id, a := range p.Answers {
		if a.Source == source && a.Text != "" {
			return id, Contribution{Text: a.Text, By: a.By, At: a.At, Source: a.Source, Revision: a.Revision, Edited: a.Edited}, true
		}
		for _, o := range a.Also {
			if o.Source == source {
				return id, o, true
			}
		}
	}
	return "", Contribution{}, false
}

// late files a reply under the prompt its author saw, which is no longer
// the one the coach asks, and leaves the coach where it is. An answered
// question keeps its answer and gains the reply as a co-answer: the author
// did not see the answer given meanwhile, so neither replaces the other.
// Replacing an answer stays an explicit act: `edit`, the form, or editing
// one's own message.
func (s *stepper) late(text string) error {
	saw := s.in.Saw
	if id, ok := strings.CutPrefix(saw, asksActions); ok {
		if i, ok := s.cat.Stage(id); ok {
			return s.addActionTo(s.cat.Stages[i], text)
		}
	}
	if id, ok := strings.CutPrefix(saw, asksKPIs); ok {
		if i, ok := s.cat.Stage(id); ok {
			return s.setKPIOf(s.cat.Stages[i].ID, text)
		}
	}
	q, _, _, ok := s.cat.Question(saw)
	if !ok {
		// The plan was complete when the author looked, or the question
		// left the catalogue: there is nothing it answers now.
		s.say(Reply{Kind: ReplyNote, Msg: movedOnText(Say(Text("your reply")))})
		return nil
	}
	if text == "" {
		return userErr(ErrBadInput, "An empty answer can't be saved: type your answer, or %s to leave this question for later.", Code("skip"))
	}
	p := s.out.Plan
	prev := p.Answers[q.ID]
	ref := QuestionRef(s.cat, q.ID)
	switch {
	case prev.Has(text):
		s.say(Reply{Kind: ReplyNote, Msg: Say(Text("That's the answer already saved; nothing changed."))})
	case prev.Text == "":
		s.apply(AnswerRecorded{Answer: Answer{QuestionID: q.ID, Text: text, By: s.in.User, At: s.in.Now, Revision: prev.Next(), Source: s.in.Source}})
		s.say(Reply{Kind: ReplySaved, QuestionID: q.ID, Msg: filedText(ref, "", s.in.User)})
	default:
		s.apply(AnswerAdded{QuestionID: q.ID, Revision: prev.Next(), Contribution: Contribution{Text: text, By: s.in.User, At: s.in.Now, Source: s.in.Source}})
		s.say(Reply{Kind: ReplySaved, QuestionID: q.ID, Msg: filedText(ref, prev.By, s.in.User)})
	}
	if !prev.Has(text) {
		s.sayHint()
	}
	return nil
}

// Refile reads again a reply (in.Source) that was filed under the prompt
// before in.Saw, though its author wrote it after in.Saw was posted: Slack
// lost its answer to that post, and the prompt was recorded only once
// racebot found it, after the reply had been read. The reply is withdrawn
// from where it was filed (its text kept in the history) and read as a
// reply to in.Saw, by its author at its time, and the thread is told. It
// changes nothing when no answer came from in.Source or it is filed under
// in.Saw already.
func Refile(cat *Catalogue, plan *Plan, in Input) (Outcome, error) {
	from, c, ok := plan.AnswerFrom(in.Source)
	if !ok || from == in.Saw {
		return Outcome{Plan: plan}, nil
	}
	s := &stepper{cat: cat, out: Outcome{Plan: plan.Clone()}}
	s.apply(AnswerWithdrawn{QuestionID: from, Revision: plan.Answers[from].Next(), Source: in.Source, By: c.By, At: in.Now})
	in.Text, in.User, in.Now, in.Answered = c.Text, c.By, c.At, false
	out, err := Step(cat, s.out.Plan, in)
	if err != nil {
		return Outcome{Plan: plan}, err
	}
	out.Changes = append(s.out.Changes, out.Changes...)
	msg := Sayf("Moved %s's reply from %s: it was written after the next prompt was posted, so it answers that one.", Person(c.By), QuestionRef(cat, from))
	if _, _, _, ok := cat.Question(in.Saw); ok {
		msg = Sayf("Moved %s's reply from %s to %s: it was written after that question was asked.", Person(c.By), QuestionRef(cat, from), QuestionRef(cat, in.Saw))
	}
	note := Reply{Kind: ReplyNote, QuestionID: from, Msg: msg}
	out.Replies = append([]Reply{note}, out.Replies...)
	return out, nil
}

// ReviseAnswer records an edit of the message an answer came from, made
// at edited: a new revision of that answer or co-answer, the earlier text
// kept. It changes nothing when no answer came from source (a message
// racebot did not keep, or one replaced since), when user did not give
// that answer, when the text is unchanged, or when the edit is not newer
// than the one the text came from (an older edit delivered late).
//
// An edit whose text reads as a command (command: that command, as a new
// reply reads it, known or not; "" for none) is refused, and the answer
// stays: Slack shows the message as edited, not as new, so an edit runs
// no command, and its words are no answer either. One racebot does not
// know is told as a new reply would be. offered is the command offered
// with the answer's line, which still stands ("" for none): an edit
// refused leaves it standing, and one taken withdraws it, which its note
// says, or its author's later `yes` would be expected to run it.
func ReviseAnswer(cat *Catalogue, plan *Plan, source, text, user string, edited time.Time, command, offered string) (Outcome, error) {
	s := &stepper{cat: cat, in: Input{User: user, Now: edited}, out: Outcome{Plan: plan.Clone()}}
	text = strings.TrimSpace(text)
	qid, c, ok := plan.AnswerFrom(source)
	if !ok || !revisable(c.By, c.Edited, user, edited) || text == "" || text == c.Text {
		return s.out, nil
	}
	if command != "" {
		if _, err := ParseCommand(command); err != nil {
			word, _, _ := strings.Cut(command, " ")
			return Outcome{Plan: plan}, &UserError{Err: ErrBadInput, Msg: editIsUnknownCommandText(word)}
		}
		return Outcome{Plan: plan}, &UserError{Err: ErrBadInput, Msg: editIsCommandText(command, offered != "")}
	}
	s.apply(AnswerRevised{QuestionID: qid, Revision: plan.Answers[qid].Next(), Source: source, Text: text, By: user, At: edited})
	s.say(Reply{Kind: ReplyNote, QuestionID: qid, Msg: answerUpdatedText(QuestionRef(cat, qid), offered)})
	return s.out, nil
}

// RefuseReplacedEdit refuses user's edit of the message source when the
// answer it gave question qid was replaced since by a newer one from
// elsewhere, which stands (another person's, or the editor's own, given
// after `back` or `edit`): the edit changes nothing, and its author hears
// why rather than nothing. history is the question's, oldest first. It is
// nil when the message gave user no answer to qid, or no newer one stands.
func RefuseReplacedEdit(cat *Catalogue, plan *Plan, qid string, history []Answer, source, user string) error {
	var mine Answer
	for _, r := range history {
		if r.Source == source && r.Text != "" {
			mine = r
		}
	}
	if mine.Text == "" || mine.By != user {
		return nil
	}
	if _, _, kept := plan.AnswerFrom(source); kept {
		return nil
	}
	// A text restored from before the message (an offer taken) is no
	// newer answer: what stands then came first.
	a := plan.Answers[qid]
	if a.Text == "" || !a.At.After(mine.At) {
		return nil
	}
	return &UserError{Err: ErrBadInput, Msg: replacedEditText(QuestionRef(cat, qid), a.By, user)}
}

// revisable reports whether an edit that user made at edited may change
// what by wrote, last edited at last (zero for none): only its author's
// edit may, and only one made after the last, so that an older edit
// delivered late changes nothing. Stores keep times to the millisecond, so
// a plan read back compares as the plan that wrote it.
func revisable(by string, last time.Time, user string, edited time.Time) bool {
	return by == user && (last.IsZero() || edited.Truncate(time.Millisecond).After(last.Truncate(time.Millisecond)))
}

// WithdrawAnswer records that the message an answer came from was
// deleted: the answer or co-answer is withdrawn, its text kept in the
// history. It changes nothing when no answer came from source.
func WithdrawAnswer(cat *Catalogue, plan *Plan, source string, now time.Time) Outcome {
	s := &stepper{cat: cat, out: Outcome{Plan: plan.Clone()}}
	qid, c, ok := plan.AnswerFrom(source)
	if !ok {
		return s.out
	}
	s.apply(AnswerWithdrawn{QuestionID: qid, Revision: plan.Answers[qid].Next(), Source: source, By: c.By, At: now})
	open := s.out.Plan.Answers[qid].Text == ""
	s.say(Reply{Kind: ReplyNote, QuestionID: qid, Msg: withdrawnText(QuestionRef(cat, qid), open)})
	return s.out
}

// QuestionRef names a question the way a team finds it in the thread:
// "Plan question 2 (value proposition)".
func QuestionRef(cat *Catalogue, id string) string {
	_, si, step, ok := cat.Question(id)
	if !ok {
		return id
	}
	_, short, _ := strings.Cut(id, ".")
	return fmt.Sprintf("%s question %d (%s)", cat.Stages[si].Name, step+1, strings.ReplaceAll(short, "-", " "))
}

// The words of this file, kept together.

// AsksLines reports whether a prompt (as Reply.Asks names it) waits for
// action or KPI lines, which the coach refuses when it cannot read them,
// rather than for an answer.
func AsksLines(asks string) bool {
	return strings.HasPrefix(asks, asksActions) || strings.HasPrefix(asks, asksKPIs)
}

func movedOnText(what Msg) Msg {
	return Sayf("That question has moved on since you saw it, so %s changed nothing. Reply to the latest one.", what)
}

func filedText(ref, with, user string) Msg {
	switch with {
	case "":
		return Sayf("Saved as your answer to %s.", ref)
	case user:
		return Sayf("Saved as your answer to %s, alongside your earlier one.", ref)
	}
	return Sayf("Saved as your answer to %s, alongside %s's.", ref, Person(with))
}

func editIsCommandText(command string, offered bool) Msg {
	if offered {
		return Sayf("Your edit reads as a command, so your answer stays as it was, and so does the offer made with it; to run the command, reply %s.", Cmd(command))
	}
	return Sayf("Your edit reads as a command, so your answer stays as it was; to run the command, reply %s.", Cmd(command))
}

func editIsUnknownCommandText(word string) Msg {
	return Sayf("I don't know the command %q, so your answer stays as it was; try %s to see them all.", User(word), Cmd("help"))
}

func answerUpdatedText(ref, offered string) Msg {
	if cmd, err := ParseCommand(offered); offered != "" && err == nil && cmd.Name == "new" {
		return Sayf("Updated your answer to %s, and the offer to start a new plan called %q is withdrawn; the earlier version is kept in the plan's history.", ref, User(cmd.Arg))
	}
	return Sayf("Updated your answer to %s; the earlier version is kept in the plan's history.", ref)
}

func replacedEditText(ref, by, user string) Msg {
	if by == user {
		return Sayf("Your edit was not recorded, because your newer answer to %s stands.", ref)
	}
	return Sayf("Your edit was not recorded, because %s's newer answer to %s stands.", Person(by), ref)
}

func withdrawnText(ref string, open bool) Msg {
	if open {
		return Sayf("The answer to %s was deleted, so the question is open again. Its text stays in the plan's history.", ref)
	}
	return Sayf("An answer to %s was deleted; the other answers to it stay. Its text stays in the plan's history.", ref)
}
