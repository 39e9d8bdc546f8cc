package coach

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/racebot/racebot/flows"
)

// OfferKept is how long an offer to run a command instead of an answer
// waits for its `yes`.
const OfferKept = 10 * time.Minute

// isYes says whether text takes an offer. It runs on every reply, most of
// them answers of a few sentences, so those are turned down by their
// length rather than lower-cased whole.
func isYes(text string) bool {
	text = strings.TrimRight(text, ".!")
	if len(text) > len("yes") {
		return false
	}
	switch strings.ToLower(text) {
	case "yes", "y":
		return true
	}
	return false
}

// keepAndOffer stores a line that could be a command (`new Q1 Launch`
// while a question is open) as the answer it most likely is, and offers its
// author the command: their `yes` next takes the answer back and runs it.
// A line kept as a co-answer, beside an answer someone gave meanwhile, is
// offered too, its yes taking back that co-answer alone.
// The offer is stored in the answer's transaction, so a retried delivery
// finds both or neither. A line the plan refuses as an answer (not an
// action, not a KPI) is explained, and the command only offered (see
// explainAndOffer).
func (s *Service) keepAndOffer(ctx context.Context, req Request, p *flows.Plan, cmd flows.Command) (Response, error) {
	offered := false
	saw, askedAt, err := s.saw(ctx, req)
	if err != nil {
		return Response{}, err
	}
	resp, err := s.commitFrom(ctx, req, p, s.step(ctx, req, saw, askedAt), func(p *flows.Plan, out flows.Outcome) error {
		o := offerOf(req, p, cmd)
		for _, c := range out.Changes {
			switch a := c.(type) {
			case flows.AnswerRecorded:
				o.QuestionID, o.Revision, o.Prior = a.Answer.QuestionID, a.Answer.Revision, p.Answers[a.Answer.QuestionID].Text
			case flows.AnswerAdded:
				// Kept beside an answer given meanwhile (a late reply, or
				// another window's answer): its author meant the command
				// no less, and their yes takes back this co-answer alone.
				o.QuestionID, o.Revision, o.Prior, o.Beside = a.QuestionID, a.Revision, "", true
			}
		}
		if o.QuestionID == "" {
			// An action or a KPI: nothing to take back, so nothing to offer.
			offered = false
			return s.store.Commit(ctx, p, out.Changes, req.Key)
		}
		offered = true
		if len(out.Changes) > 0 {
			o.Version++
		}
		return s.store.CommitOffer(ctx, p, out.Changes, o, req.Key)
	})
	if ue, bad := errors.AsType[*flows.UserError](err); bad {
		return s.explainAndOffer(ctx, req, p.ID, cmd, ue)
	}
	if err != nil || !offered || resp.Duplicate {
		return resp, err
	}
	note := flows.Reply{Kind: flows.ReplyNote, Msg: newPlanOfferText(cmd)}
	// After "Saved." and before the next question, which stays last.
	resp.Replies = slices.Insert(resp.Replies, min(1, len(resp.Replies)), note)
	return resp, nil
}

// explainAndOffer answers a line the plan refused as the action or KPI it
// asks for. Such a line was most likely written as one, with a part
// missing or wrong ("New landing page | Ana", no scores), so it is
// explained, and the plan its words could name is only offered: its
// author's `yes` next starts it, as after an answer kept.
func (s *Service) explainAndOffer(ctx context.Context, req Request, id flows.PlanID, cmd flows.Command, refused *flows.UserError) (Response, error) {
	// The offer is made on the plan as it is read: one moved meanwhile
	// (a value taken back raises its version) is read again, as a commit
	// is, or the offer would be void before its author's `yes`.
	for range maxAttempts {
		err := s.offerOnce(ctx, req, id, cmd)
		if errors.Is(err, flows.ErrConflict) {
			continue
		}
		if err != nil {
			return Response{}, refused
		}
		return Response{}, &flows.UserError{Err: refused.Err, Msg: refused.Msg.Append(" ", offerText(cmd))}
	}
	return Response{}, refused
}

// offerOnce stores, for explainAndOffer, the offer of cmd on the plan as
// it reads it now; flows.ErrConflict when the plan moved meanwhile.
func (s *Service) offerOnce(ctx context.Context, req Request, id flows.PlanID, cmd flows.Command) error {
	p, err := s.store.Plan(ctx, req.Team, id)
	if err != nil {
		return err
	}
	o := offerOf(req, p, cmd)
	// The same command typed again right after it was kept as an answer
	// (the stage's last, so now at its actions) leaves that offer as it
	// is: its yes must still take the answer back.
	if prev, ok, err := s.store.Offer(ctx, req.Team, req.Channel, p.ID, req.User); err == nil && ok && prev.Command == o.Command && prev.Valid(p, req.Now) {
		return nil
	}
	// Without the request's key: the refusal is what answers it, and its
	// transport records the key as it explains (see Explained). With the
	// refusal's (noteRefused), in the same transaction: its author's edit
	// is taken as the line only after the refusal, so after the offer, and
	// moves the plan, which voids the offer; a delivery of the line after
	// that (a retry) finds the refusal recorded and offers nothing again,
	// so their `yes` cannot start the plan they corrected the line not to
	// name.
	key := ""
	if refusable(req) {
		key = refusedKey(req)
	}
	return s.store.CommitOffer(ctx, p, nil, o, key)
}

// offerOf is the offer of cmd to the author of req on plan p as it stands.
func offerOf(req Request, p *flows.Plan, cmd flows.Command) flows.Offer {
	return flows.Offer{
		Team: req.Team, Channel: req.Channel, Plan: p.ID, User: req.User,
		Command: cmd.Name + " " + cmd.Arg, Version: p.Version, Expires: req.Now.Add(OfferKept),
	}
}

func newPlanOfferText(cmd flows.Command) flows.Msg {
	return flows.Sayf("Start a new plan called %q? Reply %s, or I'll keep it as your answer.", flows.User(cmd.Arg), flows.Code("yes"))
}

func offerText(cmd flows.Command) flows.Msg {
	return flows.Sayf("Or reply %s to start a new plan called %q.", flows.Code("yes"), flows.User(cmd.Arg))
}

// answeredSince reports whether user answered a question of p other than
// the one offer o was made with after o was made, or added an action. A
// withdrawn or lapsed offer's refusal is for a yes typed before its
// author read on; one who has given the plan something since means their
// yes for what is before them.
func answeredSince(p *flows.Plan, o flows.Offer, user string) bool {
	made := o.Expires.Add(-OfferKept)
	if slices.ContainsFunc(p.Actions, func(a flows.Action) bool { return a.By == user && !a.At.Before(made) }) {
		return true
	}
	// An edit dates an answer by the edit, and a deletion leaves it empty
	// with the deletion's time: touching an older answer moves the plan
	// but is no reading on, so an edited answer counts only if its message
	// was written since.
	since := func(by, text, src string, at, edited time.Time) bool {
		if by != user || text == "" {
			return false
		}
		if !edited.IsZero() {
			_, ts, _ := strings.Cut(src, "/")
			at, _ = MessageTime(ts)
		}
		return !at.Before(made)
	}
	for qid, a := range p.Answers {
		if qid == o.QuestionID {
			continue
		}
		if since(a.By, a.Text, a.Source, a.At, a.Edited) {
			return true
		}
		for _, c := range a.Also {
			if since(c.By, c.Text, c.Source, c.At, c.Edited) {
				return true
			}
		}
	}
	return false
}

// takeOffer runs the command offered to the author of `yes`, if they have
// a live offer on the plan: it withdraws the answer the offer was made with
// and starts the plan, in one transaction. A yes to an offer its author's
// edit withdrew (see flows.RefuseWithdrawnYes), or one that lapsed as the
// plan moved on (see flows.RefuseLapsedYes), is refused until they answer
// another question or add an action (see answeredSince). It reports
// false when there is no such offer, and `yes` is an answer like any other.
func (s *Service) takeOffer(ctx context.Context, req Request, p *flows.Plan) (Response, bool, error) {
	for range maxAttempts {
		o, ok, err := s.store.Offer(ctx, req.Team, req.Channel, p.ID, req.User)
		if err != nil {
			return Response{}, false, err
		}
		if !ok {
			return Response{}, false, nil
		}
		// A yes to an offer withdrawn or lapsed was most likely typed for
		// it, not for the question asked since, until its author gives
		// the plan something else.
		refused := flows.RefuseWithdrawnYes(o, req.Now)
		if refused == nil {
			refused = flows.RefuseLapsedYes(s.cat, o, p, o.Expires.Add(-OfferKept), req.Now)
		}
		if refused != nil && !answeredSince(p, o, req.User) {
			return Response{}, true, refused
		}
		if !o.Valid(p, req.Now) {
			return Response{}, false, nil
		}
		cmd, err := flows.ParseCommand(o.Command)
		if err != nil || cmd.Name != "new" {
			return Response{}, false, nil
		}
		name, err := planName(cmd.Arg)
		if err != nil {
			return Response{}, true, err
		}
		var history []flows.Answer
		if o.Prior != "" && !o.Beside {
			if history, err = s.store.Revisions(ctx, req.Team, p.ID, o.QuestionID); err != nil {
				return Response{}, true, fmt.Errorf("history of the answer taken back: %w", err)
			}
		}
		out, err := flows.Withdraw(s.cat, p, o, history, flows.Input{User: req.User, Now: req.Now})
		if err != nil {
			return Response{}, true, err
		}
		out = s.askedFor(req, p, out)
		np := flows.NewPlan(req.Team, req.Channel, name, req.User, req.Now)
		id, err := s.store.TakeOffer(ctx, o, p, out.Changes, np, req.Key)
		switch {
		case errors.Is(err, flows.ErrConflict):
			// The plan moved or the offer went since they were read: look
			// again; a lapsed offer refuses the yes, a gone one makes it an
			// answer.
			if p, err = s.store.Plan(ctx, req.Team, p.ID); err != nil {
				return Response{}, true, err
			}
			continue
		case errors.Is(err, flows.ErrDuplicate):
			return Response{Duplicate: true}, true, nil
		case errors.Is(err, flows.ErrDuplicatePlan):
			return Response{}, true, duplicatePlan(name)
		case err != nil:
			return Response{}, true, err
		}
		np.ID = id
		resp := Response{Plan: np, Created: true}
		if o.QuestionID != "" {
			resp.Replies = append(resp.Replies, flows.Reply{Kind: flows.ReplyNote, Msg: flows.Sayf("Took back that answer in %q; it stays in the plan's history.", flows.User(p.Name))})
			// The plan's own conversation last asked the question after
			// the line, which may be behind it now: it is told why, and
			// asked what the plan asks, so that the next reply there is
			// filed where the plan is.
			note := flows.Reply{Kind: flows.ReplyNote, Msg: flows.Sayf("Took back %s's answer to %s: it started the plan %q, and stays in this plan's history.",
				flows.Person(o.User), flows.QuestionRef(s.cat, o.QuestionID), flows.User(name))}
			resp.Left, resp.LeftReplies = out.Plan, append([]flows.Reply{note}, flows.Resume(s.cat, out.Plan)...)
		}
		resp.Replies = append(resp.Replies, s.planCreated(np)...)
		return resp, true, nil
	}
	return Response{}, true, fmt.Errorf("take offer: %w", flows.ErrConflict)
}
