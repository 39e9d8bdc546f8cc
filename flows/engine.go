package flows

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Change is one durable effect of a step. The store applies a step's changes
// in one transaction, and Plan.Apply replays them in memory, so what is
// saved and what the engine saw can never drift apart.
type Change interface{ change() }

// AnswerRecorded stores a new revision of an answer; earlier ones are kept.
type AnswerRecorded struct{ Answer Answer }

// QuestionSkipped marks a question as deliberately left open.
type QuestionSkipped struct{ QuestionID string }

// ActionAdded appends an action to the plan. Its Number is given by
// whoever makes the change (Plan.NextActionNumber); one without a number
// takes the plan's next as the change is applied, in the store as here.
type ActionAdded struct{ Action Action }

// CursorMoved moves the coach to another step.
type CursorMoved struct{ Cursor Cursor }

// StageCompleted records that the team finished a stage.
type StageCompleted struct{ Stage StageID }

// KPISet chooses a KPI for the plan or replaces its target.
type KPISet struct{ KPI KPI }

// KindSet records the kind of business the plan is for.
type KindSet struct{ Kind Kind }

// AskedAuthor records that a step moved the plan, without answering, to
// ask Asks (what a Reply.Asks names), for the step's author alone: their
// next reply answers it even when the prompt that asks it is never posted
// (refused by Slack, or racebot gone first). At orders the step's message
// (TS) among the conversation's prompts. It changes nothing in the plan;
// the store keeps it with the prompts posted, which everyone saw.
type AskedAuthor struct {
	Author string
	At     int64
	TS     string
	Asks   string
}

// PrivacySet turns the plan's privacy switch: on, its text never goes to a
// language model.
type PrivacySet struct{ On bool }

func (AnswerRecorded) change()  {}
func (AnswerAdded) change()     {}
func (AnswerRevised) change()   {}
func (AnswerWithdrawn) change() {}
func (QuestionSkipped) change() {}
func (ActionAdded) change()     {}
func (CursorMoved) change()     {}
func (StageCompleted) change()  {}
func (PrivacySet) change()      {}
func (KindSet) change()         {}
func (AskedAuthor) change()     {}
func (KPISet) change()          {}
func (ActionRevised) change()   {}
func (ActionRemoved) change()   {}
func (KPIRemoved) change()      {}

// Apply replays one change on the plan.
func (p *Plan) Apply(c Change) {
	switch c := c.(type) {
	case AnswerRecorded:
		// Co-answers stay when the answer itself changes.
		a := c.Answer
		a.Also, a.Last = p.Answers[a.QuestionID].Also, a.Revision
		p.Answers[a.QuestionID] = a
		delete(p.Skipped, c.Answer.QuestionID)
	case AnswerAdded:
		p.addAnswer(c)
	case AnswerRevised:
		p.reviseAnswer(c)
	case AnswerWithdrawn:
		p.withdrawAnswer(c)
	case QuestionSkipped:
		p.Skipped[c.QuestionID] = true
	case ActionAdded:
		a := c.Action
		if a.Number == 0 {
			a.Number = p.NextActionNumber()
		}
		p.LastActionNumber = max(p.LastActionNumber, a.Number)
		p.Actions = append(p.Actions, a)
	case CursorMoved:
		p.Cursor = c.Cursor
	case StageCompleted:
		p.Completed[c.Stage] = true
	case PrivacySet:
		p.Privacy = c.On
	case ActionStatusSet:
		p.setActionStatus(c)
	case ActionRevised:
		p.reviseAction(c)
	case ActionRemoved:
		p.removeAction(c)
	case KPIRemoved:
		p.removeKPI(c)
	case KindSet:
		p.Kind = c.Kind
	case AskedAuthor:
		// Kept by the store beside the plan, not in it.
	case KPISet:
		for i, k := range p.KPIs {
			if k.Key == c.KPI.Key {
				c.KPI.ID = k.ID
				p.KPIs[i] = c.KPI
				return
			}
		}
		p.KPIs = append(p.KPIs, c.KPI)
	default:
		panic(fmt.Sprintf("flows: unknown change %T", c))
	}
}

// Input is one reply from a person. Time comes in from the caller so the
// engine stays deterministic.
type Input struct {
	Text string
	User string
	Now  time.Time
	// Saw names what the person was answering, as Reply.Asks named it when
	// it was shown to them; empty means whatever the plan asks now.
	Saw string
	// Answered is true when the question Saw names was answered, from
	// another message, after it was shown to the person: their reply is
	// one more answer to it, even if the coach asks it again now.
	Answered bool
	// Source is the message the reply came from, kept with the answer.
	Source string
	// Zone is the person's time zone, when known: "tomorrow" and "next
	// friday" in an action or KPI line are their days, not the server's.
	Zone *time.Location
	// Hint, set when the text looks like a mistyped command (see
	// CommandHint), is said after the confirmation of the answer it is
	// kept as.
	Hint Msg
}

// localNow is the time of the input in the person's zone, for reading
// the dates they write.
func (s *stepper) localNow() time.Time { return s.localAt(s.in.Now) }

// localAt is t in the person's zone.
func (s *stepper) localAt(t time.Time) time.Time {
	if s.in.Zone != nil {
		return t.In(s.in.Zone)
	}
	return t
}

// Outcome is what a step did: the plan after it, the changes to store, what
// to say back, and slow work for the transport to run after acknowledging.
type Outcome struct {
	Plan    *Plan
	Changes []Change
	Replies []Reply
	Draft   *DraftRequest
}

// DraftRequest asks the transport to draft an answer for a question, after
// it has acknowledged the person who asked.
type DraftRequest struct {
	Plan       PlanID
	QuestionID string
	User       string
	// KPIs asks for KPI suggestions for Stage instead of an answer.
	KPIs  bool
	Stage StageID
	// Revision is the revision of the question's answer when the draft
	// was asked for (Answer.Revision; 0 for none). A draft takes the place
	// of that answer only: one given since, which whoever uses the draft
	// may never have seen, keeps its words (see AcceptDraftShown).
	Revision int
}

type stepper struct {
	cat *Catalogue
	in  Input
	out Outcome
	// revisiting is set when the question replied to had been skipped
	// before: the stage's skipped questions are being asked again.
	revisiting bool
	// edited dates the actions and KPIs a step adds from an edit (see
	// TakeCorrected); zero for a new message.
	edited time.Time
}

func (s *stepper) apply(c Change) {
	s.out.Plan.Apply(c)
	s.out.Changes = append(s.out.Changes, c)
}

func (s *stepper) say(r Reply) { s.out.Replies = append(s.out.Replies, r) }

// Step advances a plan by one reply: an answer, or one of the words skip,
// back, done and draft alone. Other commands never reach it (Classify tells
// them from answers), so "Stage by stage onboarding" is an answer. Bad input
// returns a *UserError and no changes.
func Step(cat *Catalogue, plan *Plan, in Input) (Outcome, error) {
	s := &stepper{cat: cat, in: in, out: Outcome{Plan: plan.Clone()}}
	if _, q, ok := plan.Current(cat); ok {
		s.revisiting = plan.Skipped[q.ID]
	}
	text := strings.TrimSpace(in.Text)
	word, rest, _ := strings.Cut(text, " ")
	rest = strings.TrimSpace(rest)
	// skip, back, done and draft are reply words only on their own; a
	// sentence that starts with one ("done right, this…") is an answer.
	var err error
	// A reply to a prompt the coach has moved on from answers that prompt,
	// not the one asked now, which its author has not seen.
	stale := in.Saw != "" && (in.Saw != plan.Asking(cat) || in.Answered)
	switch act, isWord := s.word(word); {
	case stale && isWord && rest == "":
		s.say(Reply{Kind: ReplyNote, Msg: movedOnText(Say(Code(strings.ToLower(word))))})
	case stale:
		err = s.late(text)
	case isWord && rest == "":
		err = act()
	default:
		err = s.answer(text)
	}
	if err != nil {
		return Outcome{Plan: plan}, err
	}
	return s.out, nil
}

// word is what a reply word does, and whether word is one. Most replies
// are answers, so it is a switch: a map of method values was made afresh
// for every reply.
func (s *stepper) word(word string) (func() error, bool) {
	if len(word) > len("draft") {
		return nil, false
	}
	switch strings.ToLower(word) {
	case "skip":
		return s.skip, true
	case "back":
		return s.back, true
	case "done", "next":
		return s.done, true
	case "draft":
		return s.draft, true
	case "keep":
		return s.keep, true
	}
	return nil, false
}

// JumpTo moves the plan to a stage by name, for the stage command.
func JumpTo(cat *Catalogue, plan *Plan, stage string) (Outcome, error) {
	i, ok := cat.Stage(stage)
	if !ok {
		return Outcome{Plan: plan}, userErr(ErrBadInput, "There is no stage called %q. Try one of %s.", User(stage), strings.Join(cat.StageNames(), ", "))
	}
	s := &stepper{cat: cat, out: Outcome{Plan: plan.Clone()}}
	s.jump(i)
	return s.out, nil
}

// Resume says where the plan stands, without changing it: the question being
// asked, or the action prompt, or that the plan is complete.
func Resume(cat *Catalogue, plan *Plan) []Reply {
	s := &stepper{cat: cat, out: Outcome{Plan: plan}}
	s.prompt()
	return s.out.Replies
}

func (s *stepper) answer(text string) error {
	p := s.out.Plan
	switch p.Cursor.Phase {
	case PhaseActions:
		return s.addAction(text)
	case PhaseKPIs:
		return s.setKPI(text)
	case PhaseComplete:
		return userErr(ErrBadInput, "This plan is complete. Use %s to revisit a stage, or %s to see it.", Code("stage <name>"), Cmd("status"))
	}
	if text == "" {
		return userErr(ErrBadInput, "An empty answer can't be saved: type your answer, or %s to leave this question for later.", Code("skip"))
	}
	_, q, ok := p.Current(s.cat)
	if !ok {
		return fmt.Errorf("cursor %+v outside the catalogue", p.Cursor)
	}
	prev, had := p.Answers[q.ID]
	if had && prev.Text == text {
		s.say(Reply{Kind: ReplyNote, Msg: Say(Text("That's the answer already saved; nothing changed."))})
	} else {
		s.apply(AnswerRecorded{Answer: Answer{
			QuestionID: q.ID,
			Text:       text,
			By:         s.in.User,
			At:         s.in.Now,
			Revision:   prev.Next(),
			Source:     s.in.Source,
		}})
		msg := savedText(had)
		if len(s.in.Hint) > 0 {
			msg = savedAsAnswer(had)
		}
		if note := s.learnKind(q.ID, !had); len(note) > 0 {
			msg = Join([]Msg{msg, note}, " ")
		}
		s.say(Reply{Kind: ReplySaved, QuestionID: q.ID, Msg: msg})
		s.sayHint()
	}
	s.advance()
	return nil
}

// sayHint follows the confirmation of an answer that looked like a
// mistyped command with what the command needs. It is a reply of its own:
// confirmations merged into one line for a busy thread keep the notes
// beside them.
func (s *stepper) sayHint() {
	if len(s.in.Hint) > 0 {
		s.say(Reply{Kind: ReplyNote, Msg: s.in.Hint})
	}
}

func savedText(edited bool) Msg {
	if edited {
		return Say(Text("Updated. The earlier version is kept in the plan's history."))
	}
	return Say(Text("Saved."))
}

// savedAsAnswer confirms a line that looked like a command was kept as
// the answer.
func savedAsAnswer(edited bool) Msg {
	if edited {
		return Say(Text("Saved as your new answer; the earlier one is kept in the plan's history."))
	}
	return Say(Text("Saved as your answer."))
}

func (s *stepper) skip() error {
	p := s.out.Plan
	switch p.Cursor.Phase {
	case PhaseActions, PhaseKPIs:
		return s.done()
	case PhaseComplete:
		return userErr(ErrBadInput, "There is nothing left to skip: this plan is complete.")
	}
	_, q, ok := p.Current(s.cat)
	if !ok {
		return fmt.Errorf("cursor %+v outside the catalogue", p.Cursor)
	}
	if p.Answers[q.ID].Text == "" {
		s.apply(QuestionSkipped{QuestionID: q.ID})
		s.say(Reply{Kind: ReplyNote, Msg: skippedText(s.revisiting)})
	} else {
		s.say(Reply{Kind: ReplyNote, Msg: Say(Text("Kept the answer as it was."))})
	}
	s.advance()
	return nil
}

// advance moves to the next open step of the current stage; at its end it
// asks the questions skipped in it once more, then moves to its actions.
// In a stage finished earlier (an edit after the fact) it returns to where
// work remains instead.
func (s *stepper) advance() {
	p := s.out.Plan
	st := s.cat.Stages[p.Cursor.Stage]
	steps := st.Steps()
	for i := p.Cursor.Step + 1; i < len(steps); i++ {
		if p.Answers[steps[i].ID].Text == "" && !p.Skipped[steps[i].ID] {
			s.move(Cursor{Stage: p.Cursor.Stage, Step: i, Phase: PhaseQuestion})
			return
		}
	}
	if !p.Completed[st.ID] {
		if i, ok := s.skippedToAsk(steps); ok {
			if !s.revisiting {
				s.say(Reply{Kind: ReplyNote, Stage: st.ID, Msg: revisitText(st, p)})
			}
			s.move(Cursor{Stage: p.Cursor.Stage, Step: i, Phase: PhaseQuestion})
			return
		}
		s.move(Cursor{Stage: p.Cursor.Stage, Phase: PhaseActions})
		return
	}
	if next, ok := s.nextOpenStage(p.Cursor.Stage); ok {
		s.jump(next)
		return
	}
	s.move(Cursor{Stage: len(s.cat.Stages) - 1, Phase: PhaseComplete})
}

func (s *stepper) move(c Cursor) {
	if c != s.out.Plan.Cursor {
		s.apply(CursorMoved{Cursor: c})
	}
	s.prompt()
}

func (s *stepper) back() error {
	p := s.out.Plan
	c := p.Cursor
	switch {
	case c.Phase == PhaseComplete:
		last := len(s.cat.Stages) - 1
		s.move(Cursor{Stage: last, Phase: PhaseActions})
	case c.Phase == PhaseKPIs:
		s.move(Cursor{Stage: c.Stage, Phase: PhaseActions})
	case c.Phase == PhaseActions:
		s.move(Cursor{Stage: c.Stage, Step: len(s.cat.Stages[c.Stage].Steps()) - 1, Phase: PhaseQuestion})
	case c.Step > 0:
		s.move(Cursor{Stage: c.Stage, Step: c.Step - 1, Phase: PhaseQuestion})
	case c.Stage > 0:
		prev := c.Stage - 1
		s.move(Cursor{Stage: prev, Step: len(s.cat.Stages[prev].Steps()) - 1, Phase: PhaseQuestion})
	default:
		return userErr(ErrBadInput, "This is the first question already: there is nothing before it.")
	}
	return nil
}

func (s *stepper) done() error {
	p := s.out.Plan
	c := p.Cursor
	switch c.Phase {
	case PhaseQuestion:
		// Leaving the questions early leaves the rest open, as skips.
		s.skipRest(s.cat.Stages[c.Stage])
		s.move(Cursor{Stage: c.Stage, Phase: PhaseActions})
		return nil
	case PhaseComplete:
		return userErr(ErrBadInput, "This plan is already complete. Use %s to revisit a stage.", Code("stage <name>"))
	case PhaseActions:
		if len(s.cat.Stages[c.Stage].KPIs) > 0 {
			s.move(Cursor{Stage: c.Stage, Phase: PhaseKPIs})
			return nil
		}
	}
	st := s.cat.Stages[c.Stage]
	switch {
	case answeredIn(st, p) == 0:
		// A stage with nothing in it is not done, however it was left.
		s.say(Reply{Kind: ReplyNote, Stage: st.ID, Msg: stageOpenText(st, p)})
	case !p.Completed[st.ID]:
		s.apply(StageCompleted{Stage: st.ID})
		fallthrough
	default:
		s.say(Reply{Kind: ReplyStageDone, Stage: st.ID, Msg: Sayf("%s stage done.", st.Name)})
	}
	next, ok := s.nextOpenStage(c.Stage)
	if !ok {
		s.move(Cursor{Stage: len(s.cat.Stages) - 1, Phase: PhaseComplete})
		return nil
	}
	s.jump(next)
	return nil
}

// nextOpenStage finds the first unfinished stage after from, wrapping round
// so a team that jumped ahead is brought back to what it left behind. A
// stage the team left with every question skipped stays behind: it is
// listed as open, not asked round and round.
func (s *stepper) nextOpenStage(from int) (int, bool) {
	p := s.out.Plan
	n := len(s.cat.Stages)
	for k := 1; k < n; k++ {
		i := (from + k) % n
		st := s.cat.Stages[i]
		answered := answeredIn(st, p)
		switch {
		case p.Completed[st.ID] && answered > 0:
		case answered == 0 && skippedIn(st, p) == len(st.Steps()):
		default:
			return i, true
		}
	}
	return 0, false
}

// jump opens a stage at its first unanswered step (skipped ones included:
// coming back to a stage is how a team fills what it skipped), or at its
// first step when everything is answered.
func (s *stepper) jump(stage int) {
	p := s.out.Plan
	for i, q := range s.cat.Stages[stage].Steps() {
		if p.Answers[q.ID].Text == "" {
			s.move(Cursor{Stage: stage, Step: i, Phase: PhaseQuestion})
			return
		}
	}
	s.move(Cursor{Stage: stage, Step: 0, Phase: PhaseQuestion})
}

// Edit opens one step of the plan for a new answer, for "edit reach 2" or
// "edit reach.audience".
func Edit(cat *Catalogue, plan *Plan, ref string) (Outcome, error) {
	stage, step, ok := cat.findStep(ref)
	if !ok {
		return Outcome{Plan: plan}, userErr(ErrBadInput, "I couldn't find question %q. Write %s, for example %s.", User(ref), Code("edit <stage> <number>"), Code("edit reach 2"))
	}
	s := &stepper{cat: cat, out: Outcome{Plan: plan.Clone()}}
	s.move(Cursor{Stage: stage, Step: step, Phase: PhaseQuestion})
	return s.out, nil
}

func (s *stepper) draft() error {
	p := s.out.Plan
	if p.Cursor.Phase == PhaseKPIs {
		s.out.Draft = &DraftRequest{Plan: p.ID, User: s.in.User, KPIs: true, Stage: s.cat.Stages[p.Cursor.Stage].ID}
		return nil
	}
	_, q, ok := p.Current(s.cat)
	if !ok {
		return userErr(ErrBadInput, "There is no open question to draft an answer for. Use %s to pick one.", Code("stage <name>"))
	}
	s.out.Draft = &DraftRequest{Plan: p.ID, QuestionID: q.ID, User: s.in.User, Revision: p.Answers[q.ID].Revision}
	return nil
}

func (s *stepper) addAction(text string) error {
	return s.addActionTo(s.cat.Stages[s.out.Plan.Cursor.Stage], text)
}

func (s *stepper) addActionTo(st Stage, text string) error {
	a, err := ParseAction(text, s.localNow())
	if err != nil {
		return err
	}
	a.Stage, a.By, a.At, a.Source, a.Edited = st.ID, s.in.User, s.in.Now, s.in.Source, s.edited
	a.Number = s.out.Plan.NextActionNumber()
	s.apply(ActionAdded{Action: a})
	// An action read after the plan left its stage (written at the
	// actions prompt, read after another person's done) is still that
	// stage's, but "reply done" would now end whatever is open instead.
	p := s.out.Plan
	atIts := p.Cursor.Phase == PhaseActions && s.cat.Stages[p.Cursor.Stage].ID == st.ID
	s.say(Reply{Kind: ReplyActionAdded, Stage: st.ID, Action: a.Number, Msg: actionAddedText(a, st, atIts)})
	return nil
}

// prompt says what the coach is waiting for now.
func (s *stepper) prompt() {
	p := s.out.Plan
	c := p.Cursor
	switch c.Phase {
	case PhaseComplete:
		s.say(Reply{Kind: ReplyPlanDone, Msg: planDoneText(s.cat, p)})
		return
	case PhaseActions:
		st := s.cat.Stages[c.Stage]
		s.say(Reply{Kind: ReplyActions, Stage: st.ID, Msg: actionsPrompt(s.cat, st, p)})
		return
	case PhaseKPIs:
		st := s.cat.Stages[c.Stage]
		s.say(Reply{Kind: ReplyKPIs, Stage: st.ID, Msg: kpisPrompt(s.cat, st, p)})
		return
	}
	st, q, ok := p.Current(s.cat)
	if !ok {
		return
	}
	steps := st.Steps()
	s.say(Reply{
		Kind:       ReplyQuestion,
		Stage:      st.ID,
		QuestionID: q.ID,
		Step:       c.Step + 1,
		Steps:      len(steps),
		Current:    p.Answers[q.ID].Text,
		Msg:        withPrior(questionText(s.cat, p.Kind, st, q, c.Step+1, len(steps), p.Answers[q.ID].Text), p, q.ID),
	})
}

// FieldErrors reports bad fields of a form by question ID, so a transport
// can show each message beside its field.
type FieldErrors map[string]Msg

func (e FieldErrors) Error() string {
	ids := make([]string, 0, len(e))
	for id := range e {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	msgs := make([]string, 0, len(e))
	for _, id := range ids {
		msgs = append(msgs, id+": "+e[id].String())
	}
	return strings.Join(msgs, "; ")
}

func (e FieldErrors) Unwrap() error { return ErrBadInput }

// EditAnswers records several answers at once, as from a form. Unchanged
// answers are left alone; changed ones get a new revision. Clearing an
// answer is refused: the history keeps every version, and an empty one
// would hide it.
func EditAnswers(cat *Catalogue, plan *Plan, answers map[string]string, user string, now time.Time) (Outcome, error) {
	return EditAnswersBeside(cat, plan, answers, nil, user, now)
}

// EditAnswersBeside is EditAnswers for a form that showed each question in
// shown at that revision of its answer (Answer.Revision; 0 for none): one
// whose answer was given or changed since (in the thread: a reply, an edit
// of its message) keeps that answer, and what the form gives for it joins
// it as a co-answer, as a late reply does, instead of replacing words its
// author never saw.
func EditAnswersBeside(cat *Catalogue, plan *Plan, answers map[string]string, shown map[string]int, user string, now time.Time) (Outcome, error) {
	s := &stepper{cat: cat, in: Input{User: user, Now: now}, out: Outcome{Plan: plan.Clone()}}
	bad := FieldErrors{}
	ids := make([]string, 0, len(answers))
	for id := range answers {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	changed := 0
	var beside []Msg
	for _, id := range ids {
		if _, _, _, ok := cat.Question(id); !ok {
			bad[id] = Say(Text("This question is not part of the plan."))
			continue
		}
		text := strings.TrimSpace(answers[id])
		prev := plan.Answers[id]
		switch {
		case text == prev.Text:
		case text == "":
			bad[id] = Say(Text("Answers can't be emptied; write a new version, or put the old text back."))
		case changedSince(prev, shown, id):
			if !prev.Has(text) {
				s.apply(AnswerAdded{QuestionID: id, Revision: s.out.Plan.Answers[id].Next(), Contribution: Contribution{Text: text, By: user, At: now}})
				beside = append(beside, filedText(QuestionRef(cat, id), prev.By, user))
			}
		default:
			s.apply(AnswerRecorded{Answer: Answer{QuestionID: id, Text: text, By: user, At: now, Revision: prev.Next()}})
			changed++
		}
	}
	if len(bad) > 0 {
		return Outcome{Plan: plan}, bad
	}
	if changed == 0 && len(beside) == 0 {
		s.say(Reply{Kind: ReplyNote, Msg: Say(Text("Nothing changed."))})
		return s.out, nil
	}
	// An answer added beside the one given meanwhile is not an update:
	// said so, nobody reads it as that answer replaced.
	if changed > 0 {
		beside = append([]Msg{Sayf("Updated %d answer(s) through the form; earlier versions are kept.", changed)}, beside...)
	}
	msg := Join(beside, " ")
	if _, ok := answers[QuestionBusiness]; ok {
		if note := s.learnKind(QuestionBusiness, plan.Answers[QuestionBusiness].Text == ""); len(note) > 0 {
			msg = Join([]Msg{msg, note}, " ")
		}
	}
	s.say(Reply{Kind: ReplyNote, Msg: msg})
	if _, q, ok := s.out.Plan.Current(cat); ok && s.out.Plan.Answers[q.ID].Text != "" && plan.Answers[q.ID].Text == "" {
		s.advance()
	}
	return s.out, nil
}

// changedSince reports whether the answer to question id has a text the
// form did not show: given or changed after the form showed revision
// shown[id]. A question the form's revisions do not name is taken as
// shown as it is.
func changedSince(a Answer, shown map[string]int, id string) bool {
	rev, ok := shown[id]
	return ok && a.Text != "" && a.Revision != rev
}

// AcceptDraft records a draft as the answer to a question, marked as
// drafted and attributed to the person who accepted it. If the question was
// the open one, the coach moves on. A question answered and left since the
// draft was made keeps its answer, and the draft joins it as a co-answer;
// a draft already among its answers changes nothing.
func AcceptDraft(cat *Catalogue, plan *Plan, questionID, text, user string, now time.Time) (Outcome, error) {
	return AcceptDraftShown(cat, plan, questionID, text, user, now, nil)
}

// AcceptDraftShown is AcceptDraft for a draft asked for when the question's
// answer was at revision shown[questionID] (0 for none): an answer given or
// changed since keeps its words even when the question is open again (back,
// edit), and the draft joins it, as a reply to the first asking would.
func AcceptDraftShown(cat *Catalogue, plan *Plan, questionID, text, user string, now time.Time, shown map[string]int) (Outcome, error) {
	q, _, _, ok := cat.Question(questionID)
	if !ok {
		return Outcome{Plan: plan}, userErr(ErrBadInput, "That draft is for a question that no longer exists.")
	}
	text = strings.TrimSpace(text)
	if text == "" {
		return Outcome{Plan: plan}, userErr(ErrBadInput, "The draft is empty, so there is nothing to save.")
	}
	s := &stepper{cat: cat, in: Input{User: user, Now: now}, out: Outcome{Plan: plan.Clone()}}
	prev := plan.Answers[questionID]
	_, cur, open := plan.Current(cat)
	open = open && cur.ID == questionID
	switch {
	case prev.Has(text):
		s.say(Reply{Kind: ReplyNote, Msg: Say(Text("That draft is already the saved answer."))})
		return s.out, nil
	case prev.Text != "" && (!open || changedSince(prev, shown, questionID)):
		// A draft is made for the open question; this one has been
		// answered since, by someone who did not see the draft.
		// As with a late reply, neither replaces the other.
		s.apply(AnswerAdded{QuestionID: questionID, Revision: prev.Next(), Contribution: Contribution{Text: text, By: user, At: now}})
		s.say(Reply{Kind: ReplySaved, QuestionID: questionID, Msg: Sayf("Saved the draft as another answer to %q, beside the one given meanwhile.", q.Text)})
		return s.out, nil
	}
	s.apply(AnswerRecorded{Answer: Answer{QuestionID: questionID, Text: text, By: user, At: now, Revision: prev.Next(), Drafted: true}})
	s.say(Reply{Kind: ReplySaved, QuestionID: questionID, Msg: Sayf("Saved the draft as the answer to %q.", q.Text)})
	if open {
		s.advance()
	}
	return s.out, nil
}

// setKPI reads one KPI line and checks its target. A target that breaks a
// SMART rule is refused with every problem named; warnings are saved with
// the KPI and said back.
func (s *stepper) setKPI(text string) error {
	return s.setKPIOf(s.cat.Stages[s.out.Plan.Cursor.Stage].ID, text)
}

func (s *stepper) setKPIOf(stage StageID, text string) error {
	err := s.setStageKPI(stage, text)
	if fe, ok := errors.AsType[FieldErrors](err); ok {
		return userErr(ErrBadInput, "Not saved yet: %s", fe.kpiLine())
	}
	return err
}

// blockingErrors gives the problems that keep a KPI's target from being
// saved, keyed by the field they concern; none when it can be saved.
func blockingErrors(problems []Problem) FieldErrors {
	fe := FieldErrors{}
	for _, pr := range problems {
		if !pr.Blocking {
			continue
		}
		if prev, ok := fe[pr.Field]; ok {
			fe[pr.Field] = Join([]Msg{prev, pr.Msg}, " ")
		} else {
			fe[pr.Field] = pr.Msg
		}
	}
	return fe
}

// kpiLine says a KPI line's field errors in one message, in the order the
// line gives its fields.
func (e FieldErrors) kpiLine() Msg {
	msgs := make([]Msg, 0, len(e))
	for _, f := range []string{"baseline", "target", "deadline", "owner"} {
		if msg, ok := e[f]; ok {
			msgs = append(msgs, msg)
		}
	}
	return Join(msgs, " ")
}

// setStageKPI sets a KPI of a stage; blocking problems come back as
// FieldErrors keyed by the field they concern.
func (s *stepper) setStageKPI(stage StageID, text string) error {
	p := s.out.Plan
	k, read, err := parseKPILine(s.cat, stage, p.Kind, text, s.localNow())
	if err != nil {
		return err
	}
	k.Plan, k.By, k.Source, k.Edited = p.ID, s.in.User, s.in.Source, s.edited
	prev, had := KPIByKey(p.KPIs, k.Key)
	if had {
		keepUnsaid(&k, &read, prev)
	}
	problems := CheckTarget(k, s.localNow())
	if fe := blockingErrors(problems); len(fe) > 0 {
		return fe
	}
	if had && sameTarget(prev, k) {
		s.say(Reply{Kind: ReplyNote, Stage: stage, Msg: Sayf("That's the %s target already set; nothing changed.", User(lowerName(k.Name)))})
		return nil
	}
	s.apply(KPISet{KPI: k})
	var b msgBuilder
	b.add(kpiSetText(prev, had, k, read, problems))
	if f := Funnel(p.KPIs); f.HasRevenueTarget && f.Bottleneck != "" {
		b.printf("\nFunnel check: %s", strings.Join(f.Lines, " "))
	}
	if p.Cursor.Phase == PhaseKPIs && s.cat.Stages[p.Cursor.Stage].ID == stage {
		b.printf("\nAdd another KPI, or reply %s.", Code("done"))
	}
	s.say(Reply{Kind: ReplyKPISet, Stage: stage, Msg: b.msg()})
	return nil
}

// keepUnsaid fills in what a line for a KPI the plan has leaves out from
// the KPI as it is: its baseline, owner and period. A new quarter's plan
// carries its KPIs over with a baseline and an owner and asks only for a
// target and a deadline, and a changed target keeps today's value. What
// the line says wins, "baseline none" included.
func keepUnsaid(k *KPI, read *kpiRead, prev KPI) {
	if strings.TrimSpace(k.Owner) == "" {
		k.Owner = prev.Owner
	}
	if (k.Period == PeriodNone || read.periodFrom == "definition") && prev.Period != PeriodNone {
		k.Period, read.periodFrom = prev.Period, ""
	}
	// A baseline counted over another period or in another unit or
	// currency than the new target would be compared with it as if it
	// were not.
	sameMoney := k.Unit != UnitCurrency || k.Currency == "" || k.Currency == prev.Currency
	if read.gaveBaseline || !prev.HasBaseline() || prev.Unit != k.Unit || prev.Per() != k.Per() || !sameMoney {
		return
	}
	k.Baseline = prev.Baseline
	if k.Unit == UnitCurrency && k.Currency == "" {
		k.Currency = prev.Currency
		if present(k.Target) {
			k.Target.Currency = prev.Currency
		}
	}
	if read.inferred {
		// The line's own guess came from the name alone, the KPI's from
		// what its team wrote or its numbers: a target on the wrong side
		// of the kept baseline is refused, not read as a turned goal.
		k.HigherIsBetter, read.lowerFrom, read.higherDespiteName = prev.HigherIsBetter, "", false
	}
}

// SetKPI sets one KPI of a stage from a KPI line, wherever the plan stands,
// as from a form. Blocking problems, and values it cannot read, come back
// as FieldErrors keyed by "target", "baseline", "deadline" or "owner".
// zone, when known, is the writer's: the dates of the line are their days
// (see Input.Zone).
func SetKPI(cat *Catalogue, plan *Plan, stage StageID, line, user string, now time.Time, zone *time.Location) (Outcome, error) {
	s := &stepper{cat: cat, in: Input{User: user, Now: now, Zone: zone}, out: Outcome{Plan: plan.Clone()}}
	if err := s.setStageKPI(stage, line); err != nil {
		if fe, ok := errors.AsType[*kpiFieldError](err); ok {
			return Outcome{Plan: plan}, FieldErrors{fe.field: fe.said}
		}
		return Outcome{Plan: plan}, err
	}
	return s.out, nil
}

func valueOrDash(v Value, ok bool) string {
	if !ok {
		return "—"
	}
	return FormatValue(v)
}
