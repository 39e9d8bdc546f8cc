package coach

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/racebot/racebot/flows"
	"github.com/racebot/racebot/markup"
)

// ReminderStore keeps personal reminders: which were claimed (each once,
// by whichever racebot inserts it first), who turned them off for a plan,
// and snoozes. Whether an action is done is the plan's (flows.Action.Status).
type ReminderStore interface {
	// OpenCheckins lists posted check-ins not yet closed, of every
	// workspace.
	OpenCheckins(ctx context.Context) ([]flows.Checkin, error)
	// PlansWithActionsDue lists plans with an open action due on or before
	// the day of by, as plan id to team.
	PlansWithActionsDue(ctx context.Context, by time.Time) (map[flows.PlanID]string, error)
	// ClaimReminder claims a person's reminder named by key, reporting
	// false when it was claimed before. A claim released after a try that
	// may have sent the reminder is taken again, with tried the time that
	// try began; tried is zero otherwise.
	ClaimReminder(ctx context.Context, team, user, key string, plan flows.PlanID, now time.Time) (claimed bool, tried time.Time, err error)
	// ReminderSent records the message a claimed reminder went out as.
	ReminderSent(ctx context.Context, team, user, key, channel, ts string) error
	// ReleaseReminder gives up a claim whose message was not sent, so a
	// later look sends the reminder; a reminder sent stays claimed. One
	// that maybePosted is remembered, for ClaimReminder's tried.
	ReleaseReminder(ctx context.Context, team, user, key string, maybePosted bool, now time.Time) error
	// ClaimedReminders lists the reminders about a plan claimed so far,
	// as "user key".
	ClaimedReminders(ctx context.Context, team string, plan flows.PlanID) (map[string]bool, error)
	// RemindedPlans lists when a person was last reminded of each plan.
	RemindedPlans(ctx context.Context, team, user string) (map[flows.PlanID]time.Time, error)
	// SetReminders turns a person's reminders about a plan on or off.
	SetReminders(ctx context.Context, team string, plan flows.PlanID, user string, on bool, now time.Time, key string) error
	// MutedReminders lists who turned reminders about a plan off.
	MutedReminders(ctx context.Context, team string, plan flows.PlanID) (map[string]bool, error)
	// Snooze puts a person's reminder about an action off until a time.
	Snooze(ctx context.Context, team string, plan flows.PlanID, action int64, user string, until time.Time, key string) error
	// Snoozes lists snoozed reminders: action id to person to time.
	Snoozes(ctx context.Context, team string, plan flows.PlanID) (map[int64]map[string]time.Time, error)
}

// Zones tells a person's time zone, nil when they have none; an error
// means it could not be read now, and their reminders wait for a later
// look rather than go out at another zone's hour.
type Zones func(ctx context.Context, team, user string) (*time.Location, error)

// Reminder is one direct message due to one person.
type Reminder struct {
	Team, User string
	// Key names the reminder for this person: what it is about and which
	// time it is. It is claimed once.
	Key  string
	Kind flows.ReminderKind
	Plan *flows.Plan
	// Checkin and Missing are set for flows.RemindCheckin: the check-in
	// and the person's KPIs without a value in it.
	Checkin flows.Checkin
	Missing []flows.KPI
	// Action is set for the action reminders.
	Action flows.Action
	// At is when the reminder fell due, in the person's zone.
	At time.Time
	// Zone is the person's time zone, as the reminder was worked out in.
	Zone *time.Location
	// Msg is what the reminder says.
	Msg flows.Msg
	// Tried is when an earlier try of the reminder began whose message
	// may have gone out although nobody saw it (see ClaimReminder): the
	// direct message is looked in from then before it is sent again.
	// Zero when no try did.
	Tried time.Time
}

// How far reminders reach: an overdue or snoozed action is reminded of
// within a week of its time, not forever after (a racebot started after a
// long pause does not send a backlog), and actions due within two days
// are looked at, as a person's tomorrow may be up to a day ahead of UTC's.
const (
	reminderWindow = 7 * 24 * time.Hour
	dueLookahead   = 48 * time.Hour
)

var errNoReminders error = flows.UserErrorf(flows.ErrBadInput, "Reminders are sent where racebot is connected to Slack.")

// DueReminders lists the reminders due now that nobody has claimed yet, for
// everyone in every workspace: KPI owners whose values are missing from a
// check-in that closes within their next day, and owners of actions due
// tomorrow, overdue, or snoozed until now. A person who turned reminders
// off for a plan gets none about it. Two racebots may list the same
// reminder; only the one whose ClaimReminder wins sends it. zone tells each person's time zone;
// UTC stands in for a person who has none, and a person whose zone could
// not be read is left for a later call.
func (s *Service) DueReminders(ctx context.Context, now time.Time, zone Zones) ([]Reminder, error) {
	if s.reminders == nil {
		return nil, nil
	}
	locate := func(team, user string) *time.Location {
		loc, err := zone(ctx, team, user)
		switch {
		case err != nil:
			return nil
		case loc == nil:
			return time.UTC
		}
		return loc
	}
	checkins, err := s.checkinReminders(ctx, now, locate)
	if err != nil {
		return nil, err
	}
	actions, err := s.actionReminders(ctx, now, locate)
	if err != nil {
		return nil, err
	}
	return append(checkins, actions...), nil
}

func (s *Service) checkinReminders(ctx context.Context, now time.Time, locate func(team, user string) *time.Location) ([]Reminder, error) {
	open, err := s.reminders.OpenCheckins(ctx)
	if err != nil {
		return nil, err
	}
	var out []Reminder
	for _, c := range open {
		rs, err := s.checkinRemindersOf(ctx, c, now, locate)
		if err != nil {
			return nil, err
		}
		out = append(out, rs...)
	}
	return out, nil
}

// checkinRemindersOf lists the reminders about one check-in due now that
// nobody has claimed yet.
func (s *Service) checkinRemindersOf(ctx context.Context, c flows.Checkin, now time.Time, locate func(team, user string) *time.Location) ([]Reminder, error) {
	if c.Closed || !now.Before(c.CloseAt) {
		return nil, nil
	}
	// A team that paused its check-ins (holidays) is not asked for
	// numbers, in the check-in still open either.
	if paused, err := s.checkinsPaused(ctx, c.Team, c.Plan, now); err != nil || paused {
		return nil, err
	}
	v, err := s.view(ctx, c)
	if errors.Is(err, flows.ErrNoPlan) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	muted, err := s.reminders.MutedReminders(ctx, c.Team, c.Plan)
	if err != nil {
		return nil, err
	}
	claimed, err := s.reminders.ClaimedReminders(ctx, c.Team, c.Plan)
	if err != nil {
		return nil, err
	}
	var out []Reminder
	key := "checkin:" + strconv.FormatInt(c.ID, 10)
	for user, missing := range missingByOwner(v) {
		if muted[user] || claimed[user+" "+key] {
			continue
		}
		loc := locate(c.Team, user)
		if loc == nil {
			continue
		}
		at := flows.CheckinReminderAt(c.CloseAt, loc)
		// A check-in opened after that time mentioned its owners a
		// moment ago; a direct message on top would be noise.
		if now.Before(at) || at.Before(c.OpenedAt) {
			continue
		}
		out = append(out, Reminder{
			Team: c.Team, User: user, Key: key, Kind: flows.RemindCheckin,
			Plan: v.Plan, Checkin: c, Missing: missing, At: at, Zone: loc,
			Msg: flows.CheckinReminderText(v.Plan.Name, missing, c.CloseAt, now, loc),
		})
	}
	return out, nil
}

// checkinsPaused reports whether a plan's check-ins are paused; a plan
// without a schedule, or gone, has none paused.
func (s *Service) checkinsPaused(ctx context.Context, team string, plan flows.PlanID, now time.Time) (bool, error) {
	if s.schedules == nil {
		return false, nil
	}
	info, err := s.schedules.ScheduleInfo(ctx, team, plan, 0, now)
	switch {
	case errors.Is(err, flows.ErrNoPlan):
		return false, nil
	case err != nil:
		return false, fmt.Errorf("schedule: %w", err)
	}
	return info.Paused, nil
}

// missingByOwner lists, for each person a KPI's owner mentions, their KPIs
// with no value in the check-in yet.
func missingByOwner(v CheckinView) map[string][]flows.KPI {
	out := map[string][]flows.KPI{}
	for _, l := range v.Summary(v.Checkin.OpenedAt).Lines {
		if l.Latest != nil {
			continue
		}
		for _, u := range people(l.KPI.Owner) {
			out[u] = append(out[u], l.KPI)
		}
	}
	return out
}

// people lists the Slack users an owner field mentions; an owner written
// as a name ("Ana") can't be sent a message.
func people(owner string) []string {
	ids := markup.Stored(owner).UserIDs()
	slices.Sort(ids)
	return slices.Compact(ids)
}

// owns reports whether an owner field names the person.
func owns(owner, user string) bool { return user != "" && slices.Contains(people(owner), user) }

func (s *Service) actionReminders(ctx context.Context, now time.Time, locate func(team, user string) *time.Location) ([]Reminder, error) {
	plans, err := s.reminders.PlansWithActionsDue(ctx, now.Add(dueLookahead))
	if err != nil {
		return nil, err
	}
	ids := make([]flows.PlanID, 0, len(plans))
	for id := range plans {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	var out []Reminder
	for _, id := range ids {
		rs, err := s.actionRemindersOf(ctx, plans[id], id, now, locate)
		if err != nil {
			return nil, err
		}
		out = append(out, rs...)
	}
	return out, nil
}

// actionRemindersOf lists the reminders about one plan's actions due now
// that nobody has claimed yet.
func (s *Service) actionRemindersOf(ctx context.Context, team string, id flows.PlanID, now time.Time, locate func(team, user string) *time.Location) ([]Reminder, error) {
	p, err := s.store.Plan(ctx, team, id)
	if errors.Is(err, flows.ErrNoPlan) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	muted, err := s.reminders.MutedReminders(ctx, team, id)
	if err != nil {
		return nil, err
	}
	snoozed, err := s.reminders.Snoozes(ctx, team, id)
	if err != nil {
		return nil, err
	}
	claimed, err := s.reminders.ClaimedReminders(ctx, team, id)
	if err != nil {
		return nil, err
	}
	var out []Reminder
	for _, a := range p.Actions {
		if a.Due.IsZero() || a.Closed() {
			continue
		}
		for _, user := range people(a.Owner) {
			if muted[user] {
				continue
			}
			loc := locate(team, user)
			if loc == nil {
				continue
			}
			r := Reminder{Team: team, User: user, Plan: p, Action: a, Zone: loc}
			key := "action:" + strconv.FormatInt(a.ID, 10) + ":"
			y, m, d := a.Due.Date()
			dueAt, dueDay := flows.ReminderOnDate(a.Due, loc, -1), time.Date(y, m, d, 0, 0, 0, 0, loc)
			overAt := flows.ReminderOnDate(a.Due, loc, 1)
			var when string
			switch {
			// Said the day before only: on the day itself "due
			// tomorrow" would be wrong, and the overdue one follows.
			case !now.Before(dueAt) && now.Before(dueDay):
				r.Kind, r.At, when = flows.RemindDue, dueAt, "due"
			case !now.Before(overAt) && now.Before(overAt.Add(reminderWindow)):
				r.Kind, r.At, when = flows.RemindOverdue, overAt, "overdue"
			}
			// The due date is in the key: an edit of the action's line
			// can move it, and a reminder of the old date does not stand
			// for the new one. A reminder claimed under the key without
			// a date (by racebots before this one) stands while the
			// action was never edited: its date cannot have moved.
			r.Key = key + a.Due.Format(time.DateOnly) + ":" + when
			sentUndated := a.Edited.IsZero() && claimed[user+" "+key+when]
			// A snooze to this reminder's time or later stands in for it:
			// snoozed again the morning after the due date, the owner
			// hears about the action once then, not twice at once.
			if until, ok := snoozed[a.ID][user]; ok && !until.Before(r.At) {
				r.Kind = ""
			}
			if r.Kind != "" && !claimed[user+" "+r.Key] && !sentUndated {
				r.Msg = flows.ActionReminderText(p.Name, a, r.Kind, now, loc)
				out = append(out, r)
			}
			if until, ok := snoozed[a.ID][user]; ok && !now.Before(until) && now.Before(until.Add(reminderWindow)) {
				sr := Reminder{Team: team, User: user, Plan: p, Action: a, Kind: flows.RemindSnoozed, At: until, Zone: loc,
					Key: key + "snoozed:" + strconv.FormatInt(until.UnixMilli(), 10)}
				if !claimed[user+" "+sr.Key] {
					sr.Msg = flows.ActionReminderText(p.Name, a, flows.RemindSnoozed, now, loc)
					out = append(out, sr)
				}
			}
		}
	}
	return out, nil
}

// Recheck reads a listed reminder again from what is stored now, just
// before it is claimed: reminders go out one at a time, each after a Slack
// call or two, and meanwhile the action may have been done, dropped or
// given to someone else, the values entered, the check-in closed, or the
// reminders turned off. It reports false when the reminder is no longer
// due, and otherwise returns it as it reads now.
func (s *Service) Recheck(ctx context.Context, r Reminder, now time.Time) (Reminder, bool, error) {
	if s.reminders == nil {
		return Reminder{}, false, nil
	}
	locate := func(_, user string) *time.Location {
		if user != r.User {
			return nil
		}
		return cmp.Or(r.Zone, time.UTC)
	}
	var (
		rs  []Reminder
		err error
	)
	if r.Kind == flows.RemindCheckin {
		c, cerr := s.store.CheckinByID(ctx, r.Team, r.Checkin.ID)
		switch {
		case errors.Is(cerr, flows.ErrNoCheckin), errors.Is(cerr, flows.ErrNoPlan):
			return Reminder{}, false, nil
		case cerr != nil:
			return Reminder{}, false, cerr
		}
		rs, err = s.checkinRemindersOf(ctx, c, now, locate)
	} else {
		rs, err = s.actionRemindersOf(ctx, r.Team, r.Plan.ID, now, locate)
	}
	if err != nil {
		return Reminder{}, false, err
	}
	for _, x := range rs {
		if x.User == r.User && x.Key == r.Key {
			return x, true, nil
		}
	}
	return Reminder{}, false, nil
}

// ClaimReminder claims a reminder before it is sent, reporting false when
// another racebot, or this one before a restart, claimed it already: a
// reminder is sent at most once. The reminder returned carries Tried.
func (s *Service) ClaimReminder(ctx context.Context, r Reminder, now time.Time) (Reminder, bool, error) {
	if s.reminders == nil {
		return r, false, nil
	}
	ok, tried, err := s.reminders.ClaimReminder(ctx, r.Team, r.User, r.Key, r.Plan.ID, now)
	if errors.Is(err, flows.ErrNoPlan) {
		return r, false, nil
	}
	r.Tried = tried
	return r, ok, err
}

// ReminderSent records the message a claimed reminder went out as.
func (s *Service) ReminderSent(ctx context.Context, r Reminder, channel, ts string) error {
	if s.reminders == nil {
		return nil
	}
	return s.reminders.ReminderSent(ctx, r.Team, r.User, r.Key, channel, ts)
}

// ReleaseReminder gives up the claim of a reminder not sent, so that it is
// sent on a later look rather than lost. When this try (maybePosted) or an
// earlier one (r.Tried) may have sent it after all, that is remembered, so
// that the later look looks for it first.
func (s *Service) ReleaseReminder(ctx context.Context, r Reminder, maybePosted bool, now time.Time) error {
	if s.reminders == nil {
		return nil
	}
	return s.reminders.ReleaseReminder(ctx, r.Team, r.User, r.Key, maybePosted || !r.Tried.IsZero(), now)
}

// remind turns the person's reminders about the channel's plan on or off.
func (s *Service) remind(ctx context.Context, req Request, arg string) (Response, error) {
	if s.reminders == nil {
		return Response{}, errNoReminders
	}
	var on bool
	switch strings.ToLower(strings.TrimSpace(arg)) {
	case "on":
		on = true
	case "off":
	default:
		return Response{}, flows.UserErrorf(flows.ErrBadInput, "Write %s to stop the direct messages I send you about this plan, or %s to have them again.", flows.Cmd("remind off"), flows.Cmd("remind on"))
	}
	p, err := s.pick(ctx, req, "")
	if err != nil {
		return Response{}, err
	}
	err = s.reminders.SetReminders(ctx, req.Team, p.ID, req.User, on, req.Now, req.Key)
	switch {
	case errors.Is(err, flows.ErrDuplicate):
		return Response{Plan: p, Duplicate: true}, nil
	case err != nil:
		return Response{}, err
	}
	return Response{Plan: p, Replies: []flows.Reply{{Kind: flows.ReplyNote, Msg: flows.RemindersText(p.Name, on)}}}, nil
}

// ErrNotYours means a person pressed a button meant for someone else: the
// Done of an action they do not own, the form of KPIs they own none of.
var ErrNotYours = errors.New("not the person's")

// actionFor loads the plan req.Plan names and one of its actions, which
// req.User must own or, failing an owner anyone can be sent a message,
// must have started the plan; what is what the button does ("mark it
// done"), told to anyone else.
func (s *Service) actionFor(ctx context.Context, req Request, action int64, what string) (*flows.Plan, flows.Action, error) {
	p, err := s.store.Plan(ctx, req.Team, req.Plan)
	if err != nil {
		return nil, flows.Action{}, err
	}
	i := slices.IndexFunc(p.Actions, func(a flows.Action) bool { return a.ID == action })
	if i < 0 {
		return nil, flows.Action{}, flows.UserErrorf(flows.ErrNoPlan, "That action is no longer in the plan.")
	}
	a := p.Actions[i]
	if !owns(a.Owner, req.User) && !(len(people(a.Owner)) == 0 && p.CreatedBy == req.User) {
		return nil, flows.Action{}, flows.UserErrorf(ErrNotYours, "Only the owner of %q can %s.", flows.User(a.Text), flows.Text(what))
	}
	return p, a, nil
}

// MarkDone marks an action of req.Plan done, as its owner's Done button
// does, wherever the button is (a reminder, the Home tab): a plan change
// like `action done`, so its reminders stop, check-ins and Home tabs leave
// it out, and the quarter's retro counts it. A second press, or someone
// else's, finds it done and changes nothing.
func (s *Service) MarkDone(ctx context.Context, req Request, action int64) (Response, error) {
	p, _, err := s.actionFor(ctx, req, action, "mark it done")
	if err != nil {
		return Response{}, err
	}
	// The owner's button is good wherever it is; the change is the plan's.
	req.Channel = p.Channel
	return s.SetActionStatus(ctx, req, action, flows.ActionDone, "")
}

// Snooze puts the owner's reminder about an action off to ReminderHour of
// their next day, in zone (UTC when nil).
func (s *Service) Snooze(ctx context.Context, req Request, action int64) (Response, error) {
	if s.reminders == nil {
		return Response{}, errNoReminders
	}
	p, a, err := s.actionFor(ctx, req, action, "snooze its reminder")
	if err != nil {
		return Response{}, err
	}
	// Nothing is put off when no reminder would come; the press is
	// answered once all the same, a redelivered one not again.
	nothing := func(msg flows.Msg) (Response, error) {
		first, err := s.Once(ctx, req.Team, req.Key)
		if err != nil {
			return Response{}, fmt.Errorf("snooze: %w", err)
		}
		if !first {
			return Response{Plan: p, Duplicate: true}, nil
		}
		return Response{Plan: p, Replies: []flows.Reply{{Kind: flows.ReplyNote, Msg: msg}}}, nil
	}
	if a.Closed() {
		// Done or dropped meanwhile (by someone else, or on another
		// reminder): no reminder will come, so none is promised.
		return nothing(flows.Sayf("%q is %s already, so no more reminders about it follow.", flows.User(a.Text), flows.Text(string(a.State()))))
	}
	muted, err := s.reminders.MutedReminders(ctx, req.Team, p.ID)
	if err != nil {
		return Response{}, fmt.Errorf("snooze: %w", err)
	}
	if muted[req.User] {
		// Turned off for the plan since the reminder went out: a snoozed
		// reminder would not come either.
		return nothing(flows.Sayf("Your reminders for %q are off, so none about %q will come. %s turns them back on.", flows.User(p.Name), flows.User(a.Text), flows.Cmd("remind on")))
	}
	until := flows.ReminderAt(req.Now, cmp.Or(req.Zone, time.UTC), 1)
	err = s.reminders.Snooze(ctx, req.Team, p.ID, a.ID, req.User, until, req.Key)
	switch {
	case errors.Is(err, flows.ErrDuplicate):
		return Response{Plan: p, Duplicate: true}, nil
	case err != nil:
		return Response{}, fmt.Errorf("snooze: %w", err)
	}
	return Response{Plan: p, Changed: true, Replies: []flows.Reply{{Kind: flows.ReplyNote, Msg: flows.SnoozedText(a, until.In(cmp.Or(req.Zone, time.UTC)))}}}, nil
}

// OpenActions lists a plan's actions still to do: neither done nor
// dropped.
func OpenActions(p *flows.Plan) []flows.Action {
	var out []flows.Action
	for _, a := range p.Actions {
		if !a.Closed() {
			out = append(out, a)
		}
	}
	return out
}

// CheckinForOwner loads the check-in req.Checkin names, for one of the
// owners of its KPIs, wherever they are: a direct message, the Home tab.
// Anyone else is refused with ErrNotYours; another workspace's check-in
// is flows.ErrNoCheckin.
func (s *Service) CheckinForOwner(ctx context.Context, req Request) (CheckinView, error) {
	c, err := s.store.CheckinByID(ctx, req.Team, req.Checkin)
	if err != nil {
		return CheckinView{}, err
	}
	v, err := s.view(ctx, c)
	if err != nil {
		return CheckinView{}, err
	}
	if !slices.ContainsFunc(v.Plan.KPIs, func(k flows.KPI) bool { return owns(k.Owner, req.User) }) {
		return CheckinView{}, flows.UserErrorf(ErrNotYours, "That form is for the owners of the KPIs of %q.", flows.User(v.Plan.Name))
	}
	return v, nil
}

// MyCheckin finds the latest open check-in of the workspace in which the
// person owns a KPI, reporting false when there is none.
func (s *Service) MyCheckin(ctx context.Context, team, user string) (CheckinView, bool, error) {
	if s.reminders == nil {
		return CheckinView{}, false, nil
	}
	open, err := s.reminders.OpenCheckins(ctx)
	if err != nil {
		return CheckinView{}, false, err
	}
	for _, c := range slices.Backward(open) {
		if c.Team != team {
			continue
		}
		v, err := s.CheckinForOwner(ctx, Request{Team: team, User: user, Checkin: c.ID})
		switch {
		case errors.Is(err, ErrNotYours), errors.Is(err, flows.ErrNoPlan), errors.Is(err, flows.ErrNoCheckin):
			continue
		case err != nil:
			return CheckinView{}, false, err
		}
		return v, true, nil
	}
	return CheckinView{}, false, nil
}

// openCheckinOf finds a plan's latest open check-in, reporting false when
// it has none.
func (s *Service) openCheckinOf(ctx context.Context, team string, plan flows.PlanID) (flows.Checkin, bool, error) {
	if s.reminders == nil {
		return flows.Checkin{}, false, nil
	}
	open, err := s.reminders.OpenCheckins(ctx)
	if err != nil {
		return flows.Checkin{}, false, err
	}
	for _, c := range slices.Backward(open) {
		if c.Team == team && c.Plan == plan {
			return c, true, nil
		}
	}
	return flows.Checkin{}, false, nil
}
