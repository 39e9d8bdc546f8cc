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

// Ask runs a command typed to racebot by name outside a plan's own thread:
// a mention in any channel, a direct message (see Direct). Only the
// commands that read a plan or record values are taken (flows.AskedHere);
// the rest are explained. req.Plan names the plan when the mention is in a
// plan's or a check-in's thread; otherwise the channel's current plan is
// used. Values go into the plan's open check-in when it has one.
func (s *Service) Ask(ctx context.Context, req Request) (Response, error) {
	return s.ask(ctx, req, false)
}

func (s *Service) ask(ctx context.Context, req Request, direct bool) (Response, error) {
	text, _ := CutCommandPrefix(req.Text)
	cmd, err := flows.ParseCommand(text)
	if err != nil || !flows.AskedHere(cmd.Name) {
		return Response{}, flows.UserErrorf(flows.ErrBadInput, "%s", flows.DirectHelpText(direct))
	}
	switch cmd.Name {
	case "help":
		resp, err := s.said(ctx, req, Response{Replies: []flows.Reply{{Kind: flows.ReplyHelp, Msg: flows.DirectHelpText(direct)}}})
		return resp, err
	case "values":
		return s.RecordValues(ctx, req, cmd.Arg)
	}
	resp, err := s.run(ctx, req, cmd)
	return resp, err
}

// RecordValues records a line of KPI values for the plan req names, in its
// check-in open at req.Now when it has one (or req.Checkin; see
// checkinOpenAt for values given before now), so values given anywhere
// count in the check-in as if they had been written in its thread. A
// duplicate records nothing and still says what was recorded.
func (s *Service) RecordValues(ctx context.Context, req Request, text string) (Response, error) {
	resp, err := s.valuesInCheckin(ctx, req, text)
	if err != nil {
		return Response{}, err
	}
	if resp.Duplicate {
		// What the first delivery recorded, said again without recording
		// it, for a caller that must answer either way (a workflow step
		// whose first run may have stopped before completing).
		if _, said, err := readValues(resp.Plan, text, req); err == nil {
			resp.Replies = []flows.Reply{{Kind: flows.ReplyValues, Msg: flows.Sayf("Recorded: %s", said)}}
		}
	}
	return resp, nil
}

// valuesInCheckin records values as RecordValues does; a duplicate says
// nothing.
func (s *Service) valuesInCheckin(ctx context.Context, req Request, text string) (Response, error) {
	p, err := s.pick(ctx, req, "")
	if err != nil {
		return Response{}, err
	}
	req.Plan = p.ID
	var c flows.Checkin
	if req.Checkin == 0 {
		given := req.Now
		if !req.Written.IsZero() && req.Written.Before(given) {
			given = req.Written
		}
		found, ok, err := s.openCheckinOf(ctx, req.Team, p.ID)
		if err == nil && (!ok || found.OpenedAt.After(given)) {
			// Values handed over earlier than now (a workflow step
			// resumed after a restart, a message Slack delivered
			// late) belong to the check-in open then, though it
			// closed since, like a late reply in its thread; never
			// to one opened after they were given, open now or not.
			found, ok, err = s.checkinOpenAt(ctx, req.Team, p.ID, given)
		}
		if err != nil {
			return Response{}, fmt.Errorf("open check-in: %w", err)
		}
		if ok {
			c, req.Checkin = found, found.ID
		}
	} else if c, err = s.store.CheckinByID(ctx, req.Team, req.Checkin); err != nil {
		return Response{}, err
	}
	resp, err := s.Values(ctx, req, text)
	if err != nil {
		return Response{}, err
	}
	resp.Checkin = c
	return resp, nil
}

// checkinOpenAt finds the plan's check-in that was open at at, when it is
// still the plan's latest: values given then and recorded only now would,
// in a newer one, count in a check-in they never answered.
func (s *Service) checkinOpenAt(ctx context.Context, team string, plan flows.PlanID, at time.Time) (flows.Checkin, bool, error) {
	if s.reminders == nil {
		// As openCheckinOf: a service that runs no check-ins (the
		// terminal) records values outside any.
		return flows.Checkin{}, false, nil
	}
	c, err := s.store.LatestCheckin(ctx, team, plan)
	if errors.Is(err, flows.ErrNoCheckin) {
		return flows.Checkin{}, false, nil
	}
	if err != nil {
		return flows.Checkin{}, false, err
	}
	if c.OpenedAt.After(at) || (c.Closed && !at.Before(c.CloseAt)) {
		return flows.Checkin{}, false, nil
	}
	return c, true, nil
}

// Direct runs a command written to racebot in a direct message, about the
// writer's own plans: those of the workspace they have a part in (see
// Involved). A message may start with a plan's name and a colon
// ("Q1 Launch: status"); otherwise the plan they last touched is meant,
// and when they are in several the reply says which one it took.
func (s *Service) Direct(ctx context.Context, req Request) (Response, error) {
	text := strings.TrimSpace(req.Text)
	mine, err := s.mine(ctx, req.Team, req.User)
	if err != nil {
		return Response{}, err
	}
	if len(mine) == 0 {
		if cmd, err := flows.ParseCommand(text); err == nil && cmd.Name == "help" {
			return s.ask(ctx, req, true)
		}
		return Response{}, flows.UserErrorf(flows.ErrNoPlan, "You have no part in a plan yet. Start one with %s in a team channel, or answer in a plan's thread, and I can help you here.", flows.Cmd("new <name>"))
	}
	var p *flows.Plan
	if name, rest, ok := strings.Cut(text, ":"); ok {
		for _, c := range mine {
			if strings.EqualFold(strings.TrimSpace(name), c.Name) {
				p, text = c, strings.TrimSpace(rest)
			}
		}
	}
	guessed := p == nil && len(mine) > 1
	if p == nil {
		if p, err = s.lastTouched(ctx, req.Team, req.User, mine); err != nil {
			return Response{}, err
		}
	}
	req.Channel, req.Plan, req.Text = p.Channel, p.ID, text
	a, err := s.ask(ctx, req, true)
	if err != nil || !guessed || a.Duplicate {
		return a, err
	}
	names := make([]string, len(mine))
	for i, c := range mine {
		names[i] = c.Name
	}
	note := flows.Reply{Kind: flows.ReplyNote, Msg: flows.Sayf("About %q, the plan you worked on last. %s", flows.User(p.Name), flows.PlanChoiceText(names, otherPlan(mine, p)+": status"))}
	a.Replies = append([]flows.Reply{note}, a.Replies...)
	return a, nil
}

// otherPlan names a plan other than p, for an example.
func otherPlan(plans []*flows.Plan, p *flows.Plan) string {
	for _, c := range plans {
		if c.ID != p.ID {
			return c.Name
		}
	}
	return p.Name
}

// mine lists the workspace's plans a person has a part in.
func (s *Service) mine(ctx context.Context, team, user string) ([]*flows.Plan, error) {
	plans, err := s.store.TeamPlans(ctx, team)
	if err != nil {
		return nil, fmt.Errorf("list plans: %w", err)
	}
	var out []*flows.Plan
	for _, p := range plans {
		if Involved(p, user) {
			out = append(out, p)
		}
	}
	return out, nil
}

// Involved reports whether a person has a part in a plan: they started it,
// answered a question, added or own an action, set or own a KPI.
func Involved(p *flows.Plan, user string) bool {
	_, ok := touched(p, user, nil)
	return ok
}

// touched is when a person last did something in a plan, and whether they
// have a part in it at all (owning a KPI or an action counts, with no time).
func touched(p *flows.Plan, user string, ms map[int64][]flows.Measurement) (time.Time, bool) {
	var (
		last time.Time
		in   bool
	)
	saw := func(by string, at time.Time) {
		if by == user {
			in = true
			if at.After(last) {
				last = at
			}
		}
	}
	saw(p.CreatedBy, p.CreatedAt)
	for _, a := range p.Answers {
		saw(a.By, a.At)
		for _, o := range a.Also {
			saw(o.By, o.At)
		}
	}
	for _, a := range p.Actions {
		saw(a.By, a.At)
		in = in || owns(a.Owner, user)
	}
	for _, k := range p.KPIs {
		saw(k.By, k.At)
		in = in || owns(k.Owner, user)
	}
	for _, list := range ms {
		for _, m := range list {
			saw(m.By, m.At)
		}
	}
	return last, in
}

// lastTouched picks the plan a person last did something in, or was last
// reminded of; ties go to the newer plan.
func (s *Service) lastTouched(ctx context.Context, team, user string, plans []*flows.Plan) (*flows.Plan, error) {
	var reminded map[flows.PlanID]time.Time
	if s.reminders != nil {
		var err error
		if reminded, err = s.reminders.RemindedPlans(ctx, team, user); err != nil {
			return nil, err
		}
	}
	var (
		best     *flows.Plan
		bestTime time.Time
	)
	for _, p := range plans {
		ms, err := s.store.Measurements(ctx, team, p.ID)
		if err != nil {
			return nil, fmt.Errorf("load values: %w", err)
		}
		at, _ := touched(p, user, ms)
		if r := reminded[p.ID]; r.After(at) {
			at = r
		}
		if best == nil || !at.Before(bestTime) {
			best, bestTime = p, at
		}
	}
	return best, nil
}

// AddAnswer adds a message to a plan as an answer to a question, as the
// "Add to RACE plan" shortcut does: the answer is the message's author's
// (req.User), from the message itself (req.Channel, req.TS), and added
// beside an answer the question has rather than replacing it. by is who
// used the shortcut. A message already in the plan is not added twice.
func (s *Service) AddAnswer(ctx context.Context, req Request, by, questionID, text string) (Response, error) {
	q, _, _, ok := s.cat.Question(questionID)
	if !ok {
		return Response{}, flows.FieldErrors{"question": flows.Say(flows.Text("Pick one of the plan's questions."))}
	}
	if strings.TrimSpace(text) == "" {
		return Response{}, flows.FieldErrors{"text": flows.Say(flows.Text("There is nothing to add; write the answer here."))}
	}
	resp, err := s.commitChanges(ctx, req, func(p *flows.Plan) (flows.Outcome, error) {
		if _, _, ok := p.AnswerFrom(source(req)); ok {
			return flows.Outcome{}, errInPlan
		}
		ch := flows.AnswerAdded{QuestionID: questionID, Revision: p.Answers[questionID].Next(),
			Contribution: flows.Contribution{Text: strings.TrimSpace(text), By: req.User, At: req.Now, Source: source(req)}}
		out := flows.Outcome{Plan: p.Clone(), Changes: []flows.Change{ch}}
		out.Plan.Apply(ch)
		msg := flows.Sayf("%s added a message by %s as an answer to %q.", flows.Person(by), flows.Person(req.User), q.Text)
		out.Replies = []flows.Reply{{Kind: flows.ReplyNote, Msg: msg}}
		return out, nil
	})
	if !errors.Is(err, errInPlan) {
		return resp, err
	}
	return s.inPlanAlready(ctx, req)
}

// inPlanAlready answers a form adding a message that is in the plan
// already. The same form delivered again finds what it added itself: its
// key, recorded with the addition, tells it from someone adding the
// message a second time, who is told. The refusal records nothing, so the
// form, changed (added as something else), can still be sent.
func (s *Service) inPlanAlready(ctx context.Context, req Request) (Response, error) {
	if again, err := s.deliveredAgain(ctx, req); err != nil || again {
		return Response{Duplicate: again}, err
	}
	return Response{}, flows.FieldErrors{"text": flows.Say(flows.Text("This message is in the plan already."))}
}

// deliveredAgain reports whether req's key was recorded: the request is
// one whose first delivery did what it asks. Nothing is recorded.
func (s *Service) deliveredAgain(ctx context.Context, req Request) (bool, error) {
	if req.Key == "" {
		return false, nil
	}
	return s.Handled(ctx, req.Team, req.Key)
}

// Linked is a message's text added to a plan with a link to the message
// (its permalink; none when Slack did not give it).
func Linked(text, link string) string {
	if link == "" {
		return text
	}
	return text + " <" + link + "|(message)>"
}

// unlinked splits a text made by Linked into the message's text and its
// link.
func unlinked(text string) (string, string) {
	rest, ok := strings.CutSuffix(text, "|(message)>")
	if i := strings.LastIndex(rest, " <"); ok && i >= 0 {
		return rest[:i], rest[i+2:]
	}
	return text, ""
}

// sameMessage reports whether two texts made by Linked can be of one
// message: the same words, and the same link unless one has none.
func sameMessage(a, b string) bool {
	ta, la := unlinked(a)
	tb, lb := unlinked(b)
	return ta == tb && (la == lb || la == "" || lb == "")
}

// errInPlan means a message is in the plan already.
var errInPlan = errors.New("message in the plan already")

// AddAction adds a message to a plan as an action, the message's author's
// (req.User); by is who used the shortcut. Problems come back as
// flows.FieldErrors keyed "text", "stage", "due", "impact" and "effort".
// An action without a stage goes to the stage the plan is working on. A
// message already in the plan is not added twice. A due day is one of
// req.Zone's calendar, when known: the calendar it was picked from.
func (s *Service) AddAction(ctx context.Context, req Request, by string, a flows.Action) (Response, error) {
	bad := flows.FieldErrors{}
	a.Text = strings.TrimSpace(a.Text)
	if a.Text == "" {
		bad["text"] = flows.Say(flows.Text("Describe the action."))
	}
	if _, ok := s.cat.Stage(string(a.Stage)); a.Stage != "" && !ok {
		bad["stage"] = flows.Say(flows.Text("Pick the stage the action belongs to."))
	}
	for field, n := range map[string]int{"impact": a.Impact, "effort": a.Effort} {
		if n < 1 || n > 5 {
			bad[field] = flows.Say(flows.Text("Score it from 1 to 5; ranking the plan's actions needs it."))
		}
	}
	today := req.Now
	if req.Zone != nil {
		today = today.In(req.Zone)
	}
	if y, m, d := today.Date(); !a.Due.IsZero() && a.Due.Before(time.Date(y, m, d, 0, 0, 0, 0, a.Due.Location())) {
		bad["due"] = flows.Say(flows.Text("That day is past; pick one from today on."))
	}
	if len(bad) > 0 {
		return Response{}, bad
	}
	a.By, a.At = req.User, req.Now
	resp, err := s.commitChanges(ctx, req, func(p *flows.Plan) (flows.Outcome, error) {
		a := a
		// The message is in the plan already when an action was read
		// from it in the plan's thread (its source), or added from it
		// before: the text carries the message's link, so the same text
		// by the same author is the same message, as is the same text
		// beside one Slack gave no link for, which cannot tell them
		// apart.
		src := source(req)
		if slices.ContainsFunc(p.Actions, func(b flows.Action) bool {
			return (src != "" && b.Source == src) || (b.By == a.By && sameMessage(b.Text, a.Text))
		}) {
			return flows.Outcome{}, errInPlan
		}
		if a.Stage == "" {
			// The stage the plan is working on, where the team will look.
			a.Stage = s.cat.Stages[min(p.Cursor.Stage, len(s.cat.Stages)-1)].ID
		}
		a.Number = p.NextActionNumber()
		ch := flows.ActionAdded{Action: a}
		out := flows.Outcome{Plan: p.Clone(), Changes: []flows.Change{ch}}
		out.Plan.Apply(ch)
		msg := flows.Sayf("%s added a message by %s as action %d: %q (impact %d, effort %d).", flows.Person(by), flows.Person(req.User), a.Number, flows.User(a.Text), a.Impact, a.Effort)
		out.Replies = []flows.Reply{{Kind: flows.ReplyActionAdded, Stage: a.Stage, Action: a.Number, Msg: msg}}
		return out, nil
	})
	if !errors.Is(err, errInPlan) {
		return resp, err
	}
	return s.inPlanAlready(ctx, req)
}

// Dashboard is a person's view of their plans: what waits for them and how
// each plan stands.
type Dashboard struct {
	// Actions are the person's open actions with a due date, earliest
	// first.
	Actions []MyAction
	// Awaiting are the open check-ins still missing the person's values.
	Awaiting []Awaiting
	Plans    []PlanCard
}

// MyAction is an action a person owns.
type MyAction struct {
	Plan    *flows.Plan
	Action  flows.Action
	Overdue bool
}

// Awaiting is an open check-in and the person's KPIs without a value in it.
type Awaiting struct {
	Checkin flows.Checkin
	Plan    *flows.Plan
	KPIs    []flows.KPI
}

// PlanCard is how a plan stands: each stage's progress, each KPI's status
// and the next check-in.
type PlanCard struct {
	Plan   *flows.Plan
	Stages []flows.StageProgress
	KPIs   []flows.CheckinLine
	// Next is the next check-in, zero when there is no schedule or it is
	// paused (Paused).
	Next   time.Time
	Paused bool
}

// Dashboard gathers a person's dashboard as of now.
func (s *Service) Dashboard(ctx context.Context, team, user string, now time.Time) (Dashboard, error) {
	mine, err := s.mine(ctx, team, user)
	if err != nil {
		return Dashboard{}, err
	}
	var d Dashboard
	ids := map[flows.PlanID]bool{}
	for _, p := range mine {
		ms, err := s.store.Measurements(ctx, team, p.ID)
		switch {
		case errors.Is(err, flows.ErrNoPlan):
			// Deleted since the list was read: it is off the tab, not a
			// reason to leave the tab unpublished.
			continue
		case err != nil:
			return Dashboard{}, fmt.Errorf("load values: %w", err)
		}
		ids[p.ID] = true
		card := PlanCard{Plan: p, Stages: p.Progress(s.cat), KPIs: flows.SummarizeCheckin(p.KPIs, ms, 0, now).Lines}
		if s.schedules != nil {
			info, err := s.schedules.ScheduleInfo(ctx, team, p.ID, 1, now)
			switch {
			case errors.Is(err, flows.ErrNoPlan):
			case err != nil:
				return Dashboard{}, fmt.Errorf("schedule: %w", err)
			case info.Paused:
				card.Paused = true
			case len(info.Next) > 0:
				card.Next = info.Next[0]
			}
		}
		d.Plans = append(d.Plans, card)
		for _, a := range OpenActions(p) {
			if !a.Due.IsZero() && owns(a.Owner, user) {
				y, m, dd := now.Date()
				d.Actions = append(d.Actions, MyAction{Plan: p, Action: a, Overdue: a.Due.Before(time.Date(y, m, dd, 0, 0, 0, 0, a.Due.Location()))})
			}
		}
	}
	slices.SortStableFunc(d.Actions, func(a, b MyAction) int { return a.Action.Due.Compare(b.Action.Due) })
	if s.reminders != nil {
		open, err := s.reminders.OpenCheckins(ctx)
		if err != nil {
			return Dashboard{}, err
		}
		for _, c := range open {
			if c.Team != team || !ids[c.Plan] || !now.Before(c.CloseAt) {
				continue
			}
			v, err := s.view(ctx, c)
			if errors.Is(err, flows.ErrNoPlan) {
				continue
			}
			if err != nil {
				return Dashboard{}, err
			}
			if missing := missingByOwner(v)[user]; len(missing) > 0 {
				d.Awaiting = append(d.Awaiting, Awaiting{Checkin: c, Plan: v.Plan, KPIs: missing})
			}
		}
	}
	return d, nil
}

// ChannelPlans lists a channel's plans, oldest first, with the one it is
// working on (0 when none).
func (s *Service) ChannelPlans(ctx context.Context, team, channel string) ([]*flows.Plan, flows.PlanID, error) {
	plans, err := s.store.Plans(ctx, team, channel)
	if err != nil {
		return nil, 0, fmt.Errorf("list plans: %w", err)
	}
	cur, err := s.store.CurrentPlan(ctx, team, channel)
	if err != nil {
		return nil, 0, fmt.Errorf("current plan: %w", err)
	}
	return plans, cur, nil
}

// Lease takes key for work one racebot at a time may do (a workflow step
// Slack may deliver to several), reporting false while another holder
// took it less than lease ago. Held work that outlives its lease, or a
// racebot that stopped holding it, leaves it to the next taker.
func (s *Service) Lease(ctx context.Context, team, key string, lease time.Duration, now time.Time) (bool, error) {
	ok, err := s.store.LeaseKey(ctx, team, key, now.Add(-lease), now)
	if err != nil {
		return false, fmt.Errorf("lease %s: %w", key, err)
	}
	return ok, nil
}

// Once records a delivery key for work that is not a change to a plan (a
// check-in started by a workflow), reporting false when the key was
// recorded before: the work was started already and must not be again.
func (s *Service) Once(ctx context.Context, team, key string) (bool, error) {
	err := s.store.MarkSeen(ctx, team, key)
	switch {
	case errors.Is(err, flows.ErrDuplicate):
		return false, nil
	case err != nil:
		return false, fmt.Errorf("record key: %w", err)
	}
	return true, nil
}
