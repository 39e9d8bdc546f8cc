package coach

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/racebot/racebot/flows"
)

// QuarterStore keeps what closes a quarter and carries the team into the
// next: capability ratings, retros, and plans started from earlier ones.
// Action statuses are plan changes, committed with Commit.
type QuarterStore interface {
	// CreatePlanFrom is CreatePlan for a plan made by flows.CarryOver: it
	// stores the answers it offers and the KPIs it carried over too.
	CreatePlanFrom(ctx context.Context, p *flows.Plan, key string) (flows.PlanID, error)

	AddCapabilityRating(ctx context.Context, r flows.CapabilityRating, key string) (int64, error)
	// CapabilityHistory lists a channel's ratings, newest first.
	CapabilityHistory(ctx context.Context, team, channel string, limit int) ([]flows.CapabilityRating, error)
	// ClaimCapabilityReminder claims a channel's reminder for a quarter
	// for one check-in occurrence; see storage for the rules.
	ClaimCapabilityReminder(ctx context.Context, team, channel string, plan flows.PlanID, quarter, occurrence string, since, now time.Time) (bool, error)

	OpenRetro(ctx context.Context, r flows.Retro, key string) (int64, error)
	SetRetroThread(ctx context.Context, team string, id int64, thread string) error
	// Retro and RetroByThread fail with flows.ErrNoRetro.
	Retro(ctx context.Context, team string, id int64) (flows.Retro, error)
	RetroByThread(ctx context.Context, team, channel, thread string) (flows.Retro, error)
	LatestRetro(ctx context.Context, team string, plan flows.PlanID) (flows.Retro, bool, error)
	AddRetroAnswer(ctx context.Context, team string, retro int64, a flows.RetroAnswer, key string) error
	RecordRetroPrompt(ctx context.Context, team string, retro int64, at int64, ts, question string) error
	// RetroPromptBefore names the question the latest prompt at or before
	// at asked, "" when none is recorded.
	RetroPromptBefore(ctx context.Context, team string, retro int64, at int64) (string, error)
	// MoveRetroAnswers moves the answers from the messages sources that
	// stand under question from, unless labelled by hand, to question to,
	// in one write, storing them after every other answer; it returns the
	// sources moved.
	MoveRetroAnswers(ctx context.Context, team string, retro int64, from, to string, sources []string) ([]string, error)
}

// actions lists the plan's actions with their status.
func (s *Service) actions(ctx context.Context, req Request) (Response, error) {
	p, err := s.pick(ctx, req, "")
	if err != nil {
		return Response{}, err
	}
	return s.said(ctx, req, Response{Plan: p, Replies: []flows.Reply{flows.ActionListReply(p, req.Now)}})
}

// action sets an action's status from `action done 2`.
func (s *Service) action(ctx context.Context, req Request, arg string) (Response, error) {
	st, ref, err := flows.ParseActionCommand(arg)
	if err != nil {
		return Response{}, err
	}
	return s.commitChanges(ctx, req, func(p *flows.Plan) (flows.Outcome, error) {
		i, err := p.FindAction(ref)
		if err != nil {
			return flows.Outcome{}, inPlan(req, p, err)
		}
		return flows.SetActionStatus(p, i, st, req.User, req.Now)
	})
}

// inPlan names p in bad input about it from a command, which acts on the
// channel's current plan: someone may have switched it since its author
// read the number they typed, so "there is no action 7" alone would not
// say where it was looked for (the transport names the plan of one that
// worked, too). In a plan's own thread the plan is plain.
func inPlan(req Request, p *flows.Plan, err error) error {
	ue, bad := errors.AsType[*flows.UserError](err)
	if !bad || !req.Command {
		return err
	}
	return &flows.UserError{Err: ue.Err, Msg: flows.Sayf("In %q: %s", flows.User(p.Name), ue.Msg)}
}

// SetActionStatus sets the status of a plan's action (req.Plan) by its
// id, as a button does. shown is the status the button was shown with, if
// it says (see flows.SetShownActionStatus).
func (s *Service) SetActionStatus(ctx context.Context, req Request, action int64, st, shown flows.ActionStatus) (Response, error) {
	return s.commitChanges(ctx, req, func(p *flows.Plan) (flows.Outcome, error) {
		for i, a := range p.Actions {
			if a.ID == action {
				return flows.SetShownActionStatus(p, i, st, shown, req.User, req.Now)
			}
		}
		return flows.Outcome{}, flows.UserErrorf(flows.ErrBadInput, "That action is no longer in the plan; %s lists them.", flows.Cmd("actions"))
	})
}

// statusLine is a line of a check-in reply that sets an action's status.
type statusLine struct {
	st  flows.ActionStatus
	ref string
	// written is when the line was written, if before it is applied (see
	// flows.SetWrittenActionStatus); zero for now.
	written time.Time
}

// checkinLines splits a check-in reply into the lines that set actions'
// status and the lines of values (see valuesText), blank lines left out.
func checkinLines(text string) (statuses []statusLine, values []string) {
	for line := range strings.SplitSeq(text, "\n") {
		if st, ref, ok := flows.StatusLine(line); ok {
			statuses = append(statuses, statusLine{st: st, ref: ref})
		} else if strings.TrimSpace(line) != "" {
			values = append(values, valuesText(line))
		}
	}
	return statuses, values
}

// CheckinReply takes a reply in a check-in thread: lines such as "done:
// webinar series" set actions' status, the rest are KPI values. Each part
// is recorded under a key of its own, so a retry after one landed records
// only the other. A reply refused may be corrected by its author's edit
// (see EditMessage).
func (s *Service) CheckinReply(ctx context.Context, req Request, text string) (Response, error) {
	resp, err := s.checkinReply(ctx, req, text, "")
	if kerr := s.noteRefused(ctx, req, err); kerr != nil {
		return Response{}, kerr
	}
	return resp, err
}

// checkinReply takes a check-in reply as CheckinReply does. For the edit
// of a refused reply, previous is its text before the edit: a status line
// the edit left as it was was written with the message (req.TS).
func (s *Service) checkinReply(ctx context.Context, req Request, text, previous string) (Response, error) {
	statuses, rest := checkinLines(text)
	if written, ok := MessageTime(req.TS); ok && previous != "" {
		before, _ := checkinLines(previous)
		for i, l := range statuses {
			if slices.Contains(before, l) {
				statuses[i].written = written
			}
		}
	}
	if len(statuses) == 0 {
		return s.Values(ctx, req, strings.Join(rest, "\n"))
	}
	if len(rest) > 0 {
		// Values that can't be read are asked about before any status is
		// set: a reply that is refused changes nothing.
		p, err := s.pick(ctx, req, "")
		if err != nil {
			return Response{}, err
		}
		if _, _, err := readValues(p, strings.Join(rest, ", "), req); err != nil {
			return Response{}, err
		}
	}
	sreq := req
	if len(rest) > 0 && req.Key != "" {
		sreq.Key = req.Key + "#actions"
	}
	resp, err := s.commitChanges(ctx, sreq, func(p *flows.Plan) (flows.Outcome, error) {
		out := flows.Outcome{Plan: p}
		for _, l := range statuses {
			i, err := out.Plan.FindAction(l.ref)
			if err != nil {
				return flows.Outcome{}, err
			}
			o, err := flows.SetWrittenActionStatus(out.Plan, i, l.st, req.User, req.Now, l.written)
			if err != nil {
				return flows.Outcome{}, err
			}
			out.Plan = o.Plan
			out.Changes = append(out.Changes, o.Changes...)
			out.Replies = append(out.Replies, o.Replies...)
		}
		return out, nil
	})
	if err != nil || len(rest) == 0 {
		return resp, err
	}
	values, err := s.Values(ctx, req, strings.Join(rest, ", "))
	if err != nil {
		return Response{}, err
	}
	values.Replies = append(resp.Replies, values.Replies...)
	values.Duplicate = values.Duplicate && resp.Duplicate
	values.Changed = values.Changed || resp.Changed
	if values.Plan == nil {
		values.Plan = resp.Plan
	}
	return values, nil
}

// capabilityShown is how many earlier ratings a comparison needs.
const capabilityShown = 1

// score rates the team's capability: with ratings after the word it
// records them, without it asks the transport for its form.
func (s *Service) score(ctx context.Context, req Request, arg string) (Response, error) {
	p, err := s.pick(ctx, req, "")
	if err != nil {
		return Response{}, err
	}
	if strings.TrimSpace(arg) != "" {
		scores, err := flows.ParseCapability(s.cat, arg)
		if err != nil {
			return Response{}, err
		}
		req.Plan = p.ID
		return s.RecordCapability(ctx, req, scores)
	}
	last, err := s.LastCapability(ctx, req.Team, p.Channel)
	if err != nil {
		return Response{}, err
	}
	return s.said(ctx, req, Response{Plan: p, Replies: []flows.Reply{{Kind: flows.ReplyScoreForm, Msg: flows.ScoreFormText(s.cat, last)}}})
}

// LastCapability is a channel's latest capability rating, nil when it has
// none.
func (s *Service) LastCapability(ctx context.Context, team, channel string) (*flows.CapabilityRating, error) {
	h, err := s.store.CapabilityHistory(ctx, team, channel, capabilityShown)
	if err != nil {
		return nil, err
	}
	if len(h) == 0 {
		return nil, nil
	}
	return &h[0], nil
}

// RecordCapability stores a rating of the team's capability, made under
// req's plan, and says how it compares with the last one and where to
// invest next.
func (s *Service) RecordCapability(ctx context.Context, req Request, scores map[flows.StageID]int) (Response, error) {
	p, err := s.pick(ctx, req, "")
	if errors.Is(err, flows.ErrNoPlan) && req.Plan != 0 {
		// The form's plan was deleted while it was open. A rating is the
		// channel's, not the plan's: it goes under the plan the channel
		// uses now.
		req.Plan = 0
		p, err = s.pick(ctx, req, "")
	}
	if err != nil {
		return Response{}, err
	}
	for _, st := range s.cat.Stages {
		if n := scores[st.ID]; n < 1 || n > 5 {
			return Response{}, flows.UserErrorf(flows.ErrBadInput, "Rate %s from 1 to 5.", st.Name)
		}
	}
	prev, err := s.LastCapability(ctx, req.Team, p.Channel)
	if err != nil {
		return Response{}, err
	}
	r := flows.CapabilityRating{Team: req.Team, Channel: p.Channel, Plan: p.ID, By: req.User, At: req.Now, Scores: scores}
	r.ID, err = s.store.AddCapabilityRating(ctx, r, req.Key)
	switch {
	case errors.Is(err, flows.ErrDuplicate):
		return Response{Plan: p, Duplicate: true}, nil
	case err != nil:
		return Response{}, err
	}
	return Response{Plan: p, Changed: true, Replies: []flows.Reply{{Kind: flows.ReplyCapability, Msg: flows.CapabilityText(s.cat, p, r, prev)}}}, nil
}

// CapabilityReminderDue claims the quarter's capability reminder for a
// check-in a scheduler is opening (occurrence is its key) and reports
// whether the check-in should carry it: the first scheduled check-in of a
// quarter in a channel does, unless the team rated itself since the
// quarter began. A retry of the same occurrence gets it again; no other
// check-in does, in this process or another. Quarters are counted in the
// zone of the plan's schedule, or the service's for a plan without one.
func (s *Service) CapabilityReminderDue(ctx context.Context, team string, plan flows.PlanID, occurrence string, now time.Time) (bool, error) {
	if occurrence == "" {
		return false, nil
	}
	p, err := s.store.Plan(ctx, team, plan)
	if err != nil {
		return false, err
	}
	// A check-in on the evening of 30 June in Los Angeles is already in
	// July in UTC, but not yet for the team.
	loc, err := s.checkinZone(ctx, team, plan, now)
	if err != nil {
		return false, err
	}
	local := now.In(loc)
	since := time.Date(local.Year(), local.Month()-(local.Month()-1)%3, 1, 0, 0, 0, 0, loc)
	return s.store.ClaimCapabilityReminder(ctx, team, p.Channel, p.ID, flows.QuarterOf(local), occurrence, since, now)
}

// retro opens a retro of the plan: the report, and the first question.
// The transport posts it as a conversation of its own (see RetroPosted).
func (s *Service) retro(ctx context.Context, req Request) (Response, error) {
	p, ms, err := s.pickWithValues(ctx, req)
	if err != nil {
		return Response{}, err
	}
	if req.ResumeRetro {
		r, ok, err := s.store.LatestRetro(ctx, req.Team, p.ID)
		if err != nil {
			return Response{}, err
		}
		if next, open := r.Next(); ok && open {
			r.At = r.At.In(s.loc)
			return s.said(ctx, req, Response{Plan: p, Retro: r.ID, Replies: []flows.Reply{
				{Kind: flows.ReplyRetro, Msg: flows.RetroResumedText(p.Name, r)},
				{Kind: flows.ReplyRetroQuestion, QuestionID: next.ID, Msg: flows.RetroQuestionText(next)},
			}})
		}
	}
	id, err := s.store.OpenRetro(ctx, flows.Retro{Team: req.Team, Plan: p.ID, Channel: p.Channel, By: req.User, At: req.Now}, req.Key)
	switch {
	case errors.Is(err, flows.ErrDuplicate):
		return Response{Plan: p, Duplicate: true}, nil
	case err != nil:
		return Response{}, err
	}
	first := flows.RetroQuestions[0]
	return Response{Plan: p, Retro: id, Changed: true, Replies: []flows.Reply{
		{Kind: flows.ReplyRetro, Msg: flows.BuildRetro(p, ms).Text(p.Name)},
		{Kind: flows.ReplyRetroQuestion, QuestionID: first.ID, Msg: flows.RetroQuestionText(first)},
	}}, nil
}

// RetroPosted records the thread a retro's opening message started.
func (s *Service) RetroPosted(ctx context.Context, team string, retro int64, thread string) error {
	return s.store.SetRetroThread(ctx, team, retro, thread)
}

// RetroAsked records that message ts of a retro's thread asks a question,
// so replies written after it are filed under it.
func (s *Service) RetroAsked(ctx context.Context, team string, retro int64, question, ts string) error {
	at, ok := messageOrder(ts)
	if !ok || question == "" {
		return nil
	}
	return s.store.RecordRetroPrompt(ctx, team, retro, at, ts, question)
}

// Retro loads a team's retro.
func (s *Service) Retro(ctx context.Context, team string, id int64) (flows.Retro, error) {
	return s.store.Retro(ctx, team, id)
}

// RetroReply answers a retro question. A reply that starts with a label
// ("didn't: …") answers that question; otherwise the one its author saw:
// req.Saw (a question id) where the transport knows, else the latest
// prompt posted before the reply (req.TS), else, for a reply posted
// before any, the first question, else the first one nobody has
// answered. An answer to the question being asked brings the next one;
// once all three have an answer, the retro is done.
func (s *Service) RetroReply(ctx context.Context, req Request, retro int64, text string) (Response, error) {
	r, err := s.store.Retro(ctx, req.Team, retro)
	if err != nil {
		return Response{}, err
	}
	text = strings.TrimSpace(text)
	qid, labelled := "", false
	if id, rest, ok := flows.RetroLabel(text); ok {
		qid, text, labelled = id, rest, true
	}
	if text == "" {
		return Response{}, flows.UserErrorf(flows.ErrBadInput, "An empty answer can't be saved; write what you think.")
	}
	asking, err := s.retroAsking(ctx, req, r)
	if err != nil {
		return Response{}, err
	}
	if !labelled {
		qid = asking
	}
	if qid == "" {
		q, ok := r.Next()
		switch {
		case req.TS != "":
			// Written before any question was recorded as asked: with the
			// report alone in sight, or the first question, whose post
			// Slack's lost or slow answer left unrecorded meanwhile. The
			// first nobody answered may be one not asked yet, and another
			// such reply filed there would answer what nobody saw.
			qid = flows.RetroQuestions[0].ID
		case ok:
			qid = q.ID
		default:
			qid = flows.RetroQuestions[len(flows.RetroQuestions)-1].ID
		}
	}
	q, _, ok := flows.RetroQuestionByID(qid)
	if !ok {
		return Response{}, fmt.Errorf("retro %d: unknown question %q", retro, qid)
	}
	_, wasOpen := r.Next()
	first := !r.Answered(q.ID)
	a := flows.RetroAnswer{Question: q.ID, Text: text, By: req.User, At: req.Now, Source: source(req), Labelled: labelled}
	err = s.store.AddRetroAnswer(ctx, req.Team, retro, a, req.Key)
	switch {
	case errors.Is(err, flows.ErrDuplicate):
		return Response{Retro: retro, Duplicate: true}, nil
	case err != nil:
		return Response{}, err
	}
	if !labelled && req.Saw == "" && req.TS != "" && (asking == q.ID || asking == "") {
		// The question the author saw may have been recorded late, between
		// the read of the prompts above and this answer's write, after the
		// look for answers to move to it (RefileRetroLate) found none: one
		// of the two sees the other, as each writes before it reads. With
		// no prompt read, the answer stands under the first question, as
		// RefileRetroLate finds it. The answer is stored already: a failed
		// look or move leaves it where it is, rather than lose the reply to
		// a redelivery.
		saw, err := s.retroAsking(ctx, req, r)
		if nq, _, ok := flows.RetroQuestionByID(saw); err == nil && ok && saw != q.ID {
			moved, err := s.store.MoveRetroAnswers(ctx, req.Team, retro, q.ID, saw, []string{a.Source})
			switch {
			case err != nil:
			case len(moved) == 0:
				// Moved by RefileRetroLate, which tells the thread.
				return Response{Retro: retro, Changed: true}, nil
			default:
				q, asking, a.Question = nq, saw, saw
				first = !r.Answered(q.ID)
			}
		}
	}
	// What the answer did is read from the answers as stored, in the
	// order they were stored: of two answers given at once, only the one
	// stored first brings the next question, and only the one that
	// completed the three closes the retro. The answer is stored already,
	// so a failed read-back falls back on the retro as it was read rather
	// than lose the reply to a redelivery.
	stored, err := s.store.Retro(ctx, req.Team, retro)
	if mine := storedAnswer(stored.Answers, a); err == nil && mine >= 0 {
		before := flows.Retro{Answers: stored.Answers[:mine]}
		first = !before.Answered(q.ID)
		_, wasOpen = before.Next()
		r.Answers = stored.Answers[:mine+1]
	} else {
		r.Answers = append(r.Answers, a)
	}
	resp := Response{Retro: retro, Changed: true, Replies: []flows.Reply{{Kind: flows.ReplyNote, Msg: flows.Sayf("Noted under %q.", flows.Text(q.Text))}}}
	next, more := r.Next()
	switch {
	case more && first && (asking == "" || asking == q.ID):
		// The asked question got its first answer: on to the next. Later
		// answers to it, and answers to other questions, ask nothing.
		resp.Replies = append(resp.Replies, flows.Reply{Kind: flows.ReplyRetroQuestion, QuestionID: next.ID, Msg: flows.RetroQuestionText(next)})
	case !more && wasOpen:
		p, err := s.store.Plan(ctx, req.Team, r.Plan)
		if err != nil {
			return Response{}, err
		}
		resp.Plan = p
		resp.Replies = append(resp.Replies, flows.Reply{Kind: flows.ReplyNote, Msg: flows.RetroClosedText(p.Name)})
	}
	return resp, nil
}

// RefileRetroLate moves to a retro question recorded late (asks, posted
// at ts in the retro's thread) the answers read meanwhile as answers to
// the question before it. A question's post whose answer Slack lost is
// recorded only once racebot finds it in the thread, seconds later; a
// reply read meanwhile was filed under the question before, though its
// author wrote it after this one was asked. Those replies move, in one
// write, unless their authors labelled them by hand, and the thread is
// told; when the moved answers are the first to asks, the next question
// is asked (or the retro is closed), as their arrival would have done.
// Nothing changes when no answer was filed so, or when a later question
// is recorded already.
func (s *Service) RefileRetroLate(ctx context.Context, team, channel string, retro int64, asks, ts string) (Response, error) {
	at, ok := messageOrder(ts)
	if !ok || asks == "" {
		return Response{}, nil
	}
	latest, err := s.store.RetroPromptBefore(ctx, team, retro, math.MaxInt64)
	if err != nil || latest != asks {
		return Response{}, err
	}
	before, err := s.store.RetroPromptBefore(ctx, team, retro, at-1)
	if err != nil {
		return Response{}, err
	}
	if before == "" {
		// The first question's post not found yet either: a reply read
		// meanwhile was filed under the first question (see RetroReply).
		before = flows.RetroQuestions[0].ID
	}
	if before == asks {
		return Response{}, nil
	}
	r, err := s.store.Retro(ctx, team, retro)
	if err != nil {
		return Response{}, err
	}
	sources := writtenAfter(r, before, channel, at)
	if len(sources) == 0 {
		return Response{}, nil // as after nearly every late post: nothing to move
	}
	moved, err := s.store.MoveRetroAnswers(ctx, team, retro, before, asks, sources)
	if err != nil || len(moved) == 0 {
		return Response{}, err
	}
	from, _, _ := flows.RetroQuestionByID(before)
	to, _, _ := flows.RetroQuestionByID(asks)
	var by []string
	prior, after := r, flows.Retro{Answers: slices.Clone(r.Answers)}
	for i, a := range after.Answers {
		if slices.Contains(moved, a.Source) && a.Question == before {
			after.Answers[i].Question = asks
			if !slices.Contains(by, a.By) {
				by = append(by, a.By)
			}
		}
	}
	// What the move did is read from the answers as stored, as
	// RetroReply reads what an answer did: the moved answers are stored
	// after every other, so an answer stored under asks meanwhile, which
	// found none before it and asked what follows, comes before them. A
	// failed read falls back on the retro as it was read.
	if stored, err := s.store.Retro(ctx, team, retro); err == nil {
		isMoved := func(a flows.RetroAnswer) bool { return a.Question == asks && slices.Contains(moved, a.Source) }
		if i, j := slices.IndexFunc(stored.Answers, isMoved), lastIndexFunc(stored.Answers, isMoved); i >= 0 {
			prior, after = flows.Retro{Answers: stored.Answers[:i]}, flows.Retro{Answers: stored.Answers[:j+1]}
		}
	}
	resp := Response{Retro: retro, Changed: true, Replies: []flows.Reply{{Kind: flows.ReplyNote, Msg: flows.RetroMovedText(by, len(moved), from, to)}}}
	_, wasOpen := prior.Next()
	next, more := after.Next()
	_, ni, _ := flows.RetroQuestionByID(next.ID)
	_, ai, _ := flows.RetroQuestionByID(asks)
	switch {
	case prior.Answered(asks):
		// Answered already, by an answer stored before the moved ones:
		// that answer asked what follows.
	case more && ni > ai:
		resp.Replies = append(resp.Replies, flows.Reply{Kind: flows.ReplyRetroQuestion, QuestionID: next.ID, Msg: flows.RetroQuestionText(next)})
	case !more && wasOpen:
		p, err := s.store.Plan(ctx, team, r.Plan)
		if err != nil {
			return Response{}, err
		}
		resp.Plan = p
		resp.Replies = append(resp.Replies, flows.Reply{Kind: flows.ReplyNote, Msg: flows.RetroClosedText(p.Name)})
	}
	return resp, nil
}

// lastIndexFunc is the index of the last element of s that f accepts, -1
// when none does.
func lastIndexFunc[T any](s []T, f func(T) bool) int {
	for i := len(s) - 1; i >= 0; i-- {
		if f(s[i]) {
			return i
		}
	}
	return -1
}

// writtenAfter lists, in the order they were posted, the messages of
// channel posted after at whose answers stand under question q of r and
// were filed there by the prompt, not by a label.
func writtenAfter(r flows.Retro, q, channel string, at int64) []string {
	type reply struct {
		source string
		at     int64
	}
	var found []reply
	for _, a := range r.Answers {
		ch, ts, ok := strings.Cut(a.Source, "/")
		if a.Question != q || a.Labelled || !ok || ch != channel {
			continue
		}
		if n, ok := messageOrder(ts); ok && n > at {
			found = append(found, reply{a.Source, n})
		}
	}
	slices.SortStableFunc(found, func(x, y reply) int { return cmp.Compare(x.at, y.at) })
	sources := make([]string, len(found))
	for i, f := range found {
		sources[i] = f.source
	}
	return sources
}

// storedAnswer finds a retro answer among those stored, the latest
// that matches; -1 when none does.
func storedAnswer(answers []flows.RetroAnswer, a flows.RetroAnswer) int {
	for i := len(answers) - 1; i >= 0; i-- {
		x := answers[i]
		if x.Question == a.Question && x.Text == a.Text && x.By == a.By && x.Source == a.Source {
			return i
		}
	}
	return -1
}

// retroAsking is the question the reply's author saw asked: req.Saw, or
// the latest prompt at or before the reply, or when the reply has no time
// the latest prompt of all; "" when none is known.
func (s *Service) retroAsking(ctx context.Context, req Request, r flows.Retro) (string, error) {
	if req.Saw != "" {
		return req.Saw, nil
	}
	at := int64(math.MaxInt64)
	if req.TS != "" {
		var ok bool
		if at, ok = messageOrder(req.TS); !ok {
			return "", nil
		}
	}
	q, err := s.store.RetroPromptBefore(ctx, req.Team, r.ID, at)
	if err != nil {
		return "", fmt.Errorf("what the reply answers: %w", err)
	}
	return q, nil
}

// newPlanFrom starts a plan from an earlier one of the channel: its
// answers offered as starting points, its KPIs carried over with their
// last values as baselines.
func (s *Service) newPlanFrom(ctx context.Context, req Request, name, from string) (Response, error) {
	name, err := planName(name)
	if err != nil {
		return Response{}, err
	}
	old, err := s.pick(ctx, req, from)
	if err != nil {
		return Response{}, err
	}
	ms, err := s.store.Measurements(ctx, req.Team, old.ID)
	if err != nil {
		return Response{}, fmt.Errorf("load values: %w", err)
	}
	p := flows.CarryOver(old, ms, name, req.User, req.Now)
	id, err := s.store.CreatePlanFrom(ctx, p, req.Key)
	switch {
	case errors.Is(err, flows.ErrDuplicate):
		return Response{Duplicate: true}, nil
	case errors.Is(err, flows.ErrDuplicatePlan):
		return Response{}, duplicatePlan(name)
	case err != nil:
		return Response{}, fmt.Errorf("create plan: %w", err)
	}
	p.ID = id
	replies := s.planCreated(p)
	carried := flows.Reply{Kind: flows.ReplyNote, Msg: flows.CarriedText(p, old)}
	replies = append(replies[:1], append([]flows.Reply{carried}, replies[1:]...)...)
	return Response{Replies: replies, Plan: p, Created: true}, nil
}
