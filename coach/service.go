// Package coach is the one service that changes racebot's state. Every input
// — a thread reply, a slash command, a button, a form, a message edit, a
// scheduler tick, a terminal line — arrives here as a typed request; the
// service applies the rules of package flows and records the effect in the
// store together with the request's delivery key, so a retry of a request
// that landed changes nothing and a retry of one that failed runs again.
//
// The service knows neither Slack nor SQL: transports (package bot, package
// terminal) translate inputs into requests and render the structured replies,
// and the store (package storage) implements the Store interface below.
package coach

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/racebot/racebot/flows"
	"github.com/racebot/racebot/markup"
)

// Store keeps plans, answers, KPIs and check-ins. Every method that changes
// something takes the delivery key of the request that caused it and
// records it in the same transaction as the change, failing with
// flows.ErrDuplicate when the key was recorded before.
type Store interface {
	// CreatePlan stores a new plan and makes it the channel's current one,
	// or fails with flows.ErrDuplicatePlan.
	CreatePlan(ctx context.Context, p *flows.Plan, key string) (flows.PlanID, error)
	// Commit applies a step's changes. It fails with flows.ErrConflict if
	// the plan moved since it was loaded.
	Commit(ctx context.Context, p *flows.Plan, changes []flows.Change, key string) error
	// DeletePlan removes a plan and everything in it.
	DeletePlan(ctx context.Context, team string, id flows.PlanID, key string) error
	// SetCurrentPlan records which plan a channel is working on.
	SetCurrentPlan(ctx context.Context, team, channel string, id flows.PlanID, key string) error
	// RecordMeasurements stores KPI values: none, with flows.ErrConflict,
	// when their message gave the plan values already.
	RecordMeasurements(ctx context.Context, team string, plan flows.PlanID, ms []flows.Measurement, key string) error
	// MarkSeen records the key of a request whose only effect is a reply.
	MarkSeen(ctx context.Context, team, key string) error
	// LeaseKey records a key as held from now, unless it is held already
	// since after staleBefore, and reports whether it took it: of any
	// number of takers at once, in any number of processes, one wins.
	LeaseKey(ctx context.Context, team, key string, staleBefore, now time.Time) (bool, error)
	// PruneSeen forgets keys recorded before a time, and the keys of
	// messages (MessageKey) recorded before an earlier one; with them the
	// workflow steps finished before the first and those accepted before
	// the second, and the placeholders posted before the second.
	PruneSeen(ctx context.Context, before, messagesBefore time.Time) error
	// AcceptStep records a workflow step unless one with its execution id
	// is recorded already, and returns the step as recorded.
	AcceptStep(ctx context.Context, st Step) (Step, error)
	// FinishStep marks a workflow step finished; a step not recorded is
	// no error.
	FinishStep(ctx context.Context, team, execution string, at time.Time) error
	// UnfinishedSteps lists the workflow steps of every workspace accepted
	// at or after since and before before and not finished, oldest first.
	UnfinishedSteps(ctx context.Context, since, before time.Time) ([]Step, error)
	// AddPlaceholder records a placeholder message; one recorded already
	// is no error. One without TS is about to be posted under Key; one
	// with TS replaces the record of its Key, if any.
	AddPlaceholder(ctx context.Context, ph Placeholder) error
	// RemovePlaceholder forgets a placeholder by TS and by Key, whichever
	// are set; one not recorded is no error.
	RemovePlaceholder(ctx context.Context, ph Placeholder) error
	// Placeholders lists the placeholders of every workspace posted at or
	// after since and before before, oldest first: those recorded before
	// their post, without TS, too.
	Placeholders(ctx context.Context, since, before time.Time) ([]Placeholder, error)
	// BindThread binds a plan to its conversation unless it has one, and
	// returns the one it has.
	BindThread(ctx context.Context, team string, id flows.PlanID, thread string) (string, error)
	// CommitOffer is Commit that also records the offer made with the
	// step, replacing the person's earlier one on the plan.
	CommitOffer(ctx context.Context, p *flows.Plan, changes []flows.Change, o flows.Offer, key string) error
	// TakeOffer removes an offer (flows.ErrConflict when it is gone),
	// commits changes to the plan it was made on and creates p, all at once.
	TakeOffer(ctx context.Context, o flows.Offer, from *flows.Plan, changes []flows.Change, p *flows.Plan, key string) (flows.PlanID, error)

	// Plan loads a plan of the team, or fails with flows.ErrNoPlan.
	Plan(ctx context.Context, team string, id flows.PlanID) (*flows.Plan, error)
	// PlanByName finds a plan in a channel by name, ignoring case.
	PlanByName(ctx context.Context, team, channel, name string) (*flows.Plan, error)
	// Plans lists a channel's plans, oldest first.
	Plans(ctx context.Context, team, channel string) ([]*flows.Plan, error)
	// PlansFrom lists, oldest first, the channel's plans with an answer,
	// an action, a KPI or a KPI value from the message source
	// ("channel/ts"), in one read that loads none of them. An answer's
	// rows stay in its history, so a plan whose answer from the message
	// was withdrawn or replaced since may be listed: the caller checks
	// the plan.
	PlansFrom(ctx context.Context, team, channel, source string) ([]flows.PlanID, error)
	// TeamPlans lists every plan of a workspace.
	TeamPlans(ctx context.Context, team string) ([]*flows.Plan, error)
	// CurrentPlan returns the plan a channel is working on, or 0.
	CurrentPlan(ctx context.Context, team, channel string) (flows.PlanID, error)
	// PlanIDByThread finds the plan a conversation belongs to.
	PlanIDByThread(ctx context.Context, team, channel, thread string) (flows.PlanID, error)
	// DeletedPlanName names the deleted plan a conversation belonged to.
	DeletedPlanName(ctx context.Context, team, channel, thread string) (string, bool, error)
	// Measurements lists a plan's KPI values by KPI id, oldest first.
	Measurements(ctx context.Context, team string, plan flows.PlanID) (map[int64][]flows.Measurement, error)
	// KPIs lists a plan's KPIs.
	KPIs(ctx context.Context, team string, plan flows.PlanID) ([]flows.KPI, error)
	// Revisions lists one question's history, oldest first: every text it
	// was given, co-answers, edits and withdrawals included.
	Revisions(ctx context.Context, team string, plan flows.PlanID, questionID string) ([]flows.Answer, error)
	// Offer returns a person's offer on a plan, reporting false when none.
	Offer(ctx context.Context, team, channel string, plan flows.PlanID, user string) (flows.Offer, bool, error)
	// TakenLine reports the plan a person's line from a message started
	// when they took the offer made with it, and the question it left;
	// 0 when it started none.
	TakenLine(ctx context.Context, team string, plan flows.PlanID, source, user string) (flows.PlanID, string, error)

	MessageStore

	CheckinStore

	CatchupStore
	HomeStore
	QuarterStore
	ReviewStore

	// Ping reports whether the store answers; PingWrite whether it takes
	// a write.
	Ping(ctx context.Context) error
	PingWrite(ctx context.Context) error
}

// Schedules keeps KPI check-in schedules. It lives outside flows (schedule
// parsing needs a cron library); the service works without it, saying that
// check-ins are not available.
type Schedules interface {
	// SetSchedule parses spec (in zone when it names none) and stores it.
	SetSchedule(ctx context.Context, team string, plan flows.PlanID, spec string, zone *time.Location, user string, now time.Time) (flows.ScheduleInfo, error)
	// ScheduleInfo describes a plan's schedule with its next n runs and its log.
	ScheduleInfo(ctx context.Context, team string, plan flows.PlanID, n int, now time.Time) (flows.ScheduleInfo, error)
	// SetPaused pauses or resumes a plan's check-ins.
	SetPaused(ctx context.Context, team string, plan flows.PlanID, paused bool, now time.Time) error
}

// Service runs every request against the store.
type Service struct {
	cat       *flows.Catalogue
	store     Store
	schedules Schedules
	parseSpec func(string) error
	loc       *time.Location
	userText  func(stored string) string

	nudgeAfter, closeAfter time.Duration

	// reminders keeps personal reminders and action statuses; nil where
	// there are none (the terminal).
	reminders ReminderStore
	watch     watchers
	// turns lets one request at a time step a plan in this process.
	turns planLocks
}

// Config wires a Service.
type Config struct {
	Catalogue *flows.Catalogue
	Store     Store
	// Schedules keeps check-in schedules; nil where check-ins do not run.
	Schedules Schedules
	// ParseSchedule checks a check-in schedule, so that `checkin <spec>`
	// typed in a conversation is a command only when spec parses; nil, and
	// it is always an answer.
	ParseSchedule func(spec string) error
	// Location renders dates in exports and status; UTC when nil.
	Location *time.Location
	// UserText turns people's stored text into Markdown for exports (see
	// flows.ExportMarkdown); the text is used as stored when nil.
	UserText func(stored string) string
	// NudgeAfter and CloseAfter time a check-in's one reminder and its
	// close; zero means DefaultNudgeAfter and DefaultCloseAfter.
	NudgeAfter, CloseAfter time.Duration
	// Reminders keeps personal reminders and whether actions are done;
	// nil where nobody can be sent a message.
	Reminders ReminderStore
}

// New makes a Service.
func New(cfg Config) *Service {
	loc := cfg.Location
	if loc == nil {
		loc = time.UTC
	}
	userText := cfg.UserText
	if userText == nil {
		userText = func(s string) string { return s }
	}
	s := &Service{
		cat: cfg.Catalogue, schedules: cfg.Schedules, parseSpec: cfg.ParseSchedule, loc: loc, userText: userText,
		nudgeAfter: cmp.Or(cfg.NudgeAfter, DefaultNudgeAfter),
		closeAfter: cmp.Or(cfg.CloseAfter, DefaultCloseAfter),
		reminders:  cfg.Reminders,
	}
	s.store = watchedStore{Store: cfg.Store, notify: s.notify, opening: &sync.Map{}}
	return s
}

// Catalogue is the RACE catalogue the service coaches with.
func (s *Service) Catalogue() *flows.Catalogue { return s.cat }

// Request is one thing a person typed or did.
type Request struct {
	Team string
	// Channel is where the request came from. A plan or check-in named by
	// id (Plan, Checkin, a button's value) is acted on only from its own
	// channel; from any other, or none, the request fails with
	// ErrOtherChannel.
	Channel string
	User    string
	Text    string
	Now     time.Time
	// Plan is set when the text arrived in a plan's own conversation (a
	// Slack coaching thread); otherwise the channel's current plan is used.
	Plan flows.PlanID
	// Command is true for a slash command, whose text has no prefix.
	Command bool
	// Key is the delivery key: a Slack event id, an interaction's id, a
	// terminal line's sequence number. The effect of a request is recorded
	// with it, once.
	Key string
	// Zone is the person's own time zone, when known; schedules default to
	// it and show times in it, and the dates they write relative to their
	// day ("due tomorrow") are read in it.
	Zone *time.Location
	// ZoneOf, when set and Zone is not, looks the person's zone up; it is
	// called only when the request reads a date relative to their day (a
	// command, or an action or KPI line), so that an answer to a question
	// is not held up asking for a zone it does not need.
	ZoneOf func(context.Context) *time.Location
	// Checkin is set when the text is a reply in a check-in thread.
	Checkin int64
	// TS is the transport's handle on the message the text came from (a
	// Slack ts): answers and values keep it, so that an edit or a deletion
	// of the message finds them, and a reply is filed under the prompt
	// posted before it.
	TS string
	// Edited is when the person made the edit an edit request carries, as
	// the transport dates it (Slack's edited.ts); zero when unknown, and
	// Now stands for it. Edits delivered out of order are told apart by it.
	Edited time.Time
	// Written is when the message the text came from was written, for a
	// transport that dates it but leaves TS empty (a mention, a direct
	// message: their ts is no handle in a plan's conversation); zero when
	// unknown. Slack may deliver it late, even after the check-in it
	// answered closed: its values belong to the check-in open when it was
	// written, and were given then (see valueTime).
	Written time.Time
	// Previous is an edited message's text before the edit, when the
	// transport knows it: a date the edit left as it was written
	// ("tomorrow") keeps the day it was read as.
	Previous string
	// Saw names what the person was answering, as flows.Reply.Asks named
	// it, for a transport that knows what it last showed them (the
	// terminal). Empty means the service works it out from TS, or takes
	// whatever the plan asks now.
	Saw string
	// Review is the latest review the transport showed, for an export to
	// include when the store has none newer; an export of another plan
	// leaves it out.
	Review *flows.ExportReview
	// ResumeRetro is set by a transport where a retro has no conversation
	// of its own to go back to (the terminal): there `retro` picks up the
	// plan's latest retro while a question of it has no answer, rather
	// than open another and leave the first one half answered.
	ResumeRetro bool
	// hint is said with the answer a line that looked like a mistyped
	// command is kept as (see flows.CommandHint).
	hint flows.Msg
}

// Response is what the service says back and what slow work it asks for.
type Response struct {
	Replies []flows.Reply
	// Plan is the plan the request concerned, as it stands after it.
	Plan *flows.Plan
	// Created is true when the request started a new plan.
	Created bool
	// Left is, when a `yes` took an offer (see takeOffer), the plan the
	// offer's line was taken back from, as it stands after; Plan is the
	// plan the yes started. LeftReplies are for Left's conversation, whose
	// last prompt the taking back may have overtaken: that the line left
	// it, and what it asks now.
	Left        *flows.Plan
	LeftReplies []flows.Reply
	// Continued is true when the request made Plan, an existing plan, the
	// channel's current one. With Created it tells a transport that keeps
	// a plan per session (a terminal window) that its person switched.
	Continued bool
	// Draft asks the transport to draft an answer after acknowledging.
	Draft *flows.DraftRequest
	// Changed is true when the request changed the plan.
	Changed bool
	// Review asks the transport to review the plan after acknowledging.
	Review bool
	// Report asks the transport to draw the KPI chart after acknowledging.
	Report bool
	// Duplicate is true when the request's key had been recorded before:
	// it was handled already, and nothing changed now.
	Duplicate bool
	// Retro is the retro the request opened or answered; a transport
	// posts a newly opened one as a conversation of its own.
	Retro int64
	// Checkin is the check-in the request's values went into or changed
	// in (see RecordValues, EditMessage), for the transport to confirm
	// them there and update its summary; zero when there was none.
	Checkin flows.Checkin
	// Standing are the earlier values that are their check-in's again,
	// now that the request withdrew those that had replaced them (see
	// flows.StandsAgain), for the transport to tell the check-in's
	// thread, where their authors heard theirs were replaced, with
	// StandingNote after its ack.
	Standing []flows.Measurement
	// Taken is true when an edit corrected a line or a check-in reply the
	// coach had refused, which was taken as the one it now is (see
	// EditMessage): what it added is news to the conversation, as a new
	// line's or reply's would be.
	Taken bool
	// Reread is true when RefileLate's prompt came after an actions or
	// KPIs prompt: a reply read before the prompt was recorded was read
	// as an action or KPI line, and may have been refused as one; the
	// transport reads such replies back (see ReadRefusedAgain).
	Reread bool
}

// maxAttempts bounds retries when two people answer the same plan at once.
const maxAttempts = 5

// Handle runs one request. Bad input comes back as a *flows.UserError that
// changed nothing; flows.Explain puts it into words.
//
// A slash command, or a line starting with the word `/race` (see
// CutCommandPrefix), is a command. Any other
// line is an answer unless flows.Classify finds it is exactly a command
// form; `new <name>` while the plan waits for a reply is kept as the answer,
// and the command is offered to its author, whose `yes` takes it.
func (s *Service) Handle(ctx context.Context, req Request) (Response, error) {
	text := strings.TrimSpace(req.Text)
	// A command typed as a message may carry the slash command's name, as
	// people type it in Slack; then it is a command wherever it is typed.
	rest, prefixed := CutCommandPrefix(text)
	if req.Command || prefixed {
		cmd, err := flows.ParseCommand(rest)
		if err != nil {
			return Response{}, err
		}
		return s.command(ctx, withZone(ctx, req, true), cmd)
	}
	p, err := s.target(ctx, req)
	switch {
	case errors.Is(err, flows.ErrNoPlan):
		p = nil
	case err != nil:
		return Response{}, err
	}
	if p != nil && isYes(text) {
		if resp, taken, err := s.takeOffer(ctx, req, p); taken || err != nil {
			return resp, err
		}
	}
	cmd, kind, hint, err := s.classify(ctx, req, text, p)
	if err != nil {
		return Response{}, err
	}
	req.hint = hint
	switch kind {
	case flows.LineCommand:
		return s.command(ctx, withZone(ctx, req, true), cmd)
	case flows.LineAmbiguous:
		// Kept as what the plan waits for, which may be an action or a KPI
		// line with a date in it. One the plan refuses may be corrected by
		// its author's edit, as any refused reply may.
		resp, err := s.keepAndOffer(ctx, withZone(ctx, req, p.ReadsDates()), p, cmd)
		if kerr := s.noteRefused(ctx, req, err); kerr != nil {
			return Response{}, kerr
		}
		return resp, err
	}
	resp, err := s.reply(ctx, req, p)
	if kerr := s.noteRefused(ctx, req, err); kerr != nil {
		return Response{}, kerr
	}
	return resp, err
}

// command runs a command typed in a conversation. Values it refused may
// be corrected by their author's edit, as a refused reply may (see
// EditMessage); no other command is run from an edit.
func (s *Service) command(ctx context.Context, req Request, cmd flows.Command) (Response, error) {
	resp, err := s.run(ctx, req, cmd)
	if cmd.Name == "values" {
		if kerr := s.noteRefused(ctx, req, err); kerr != nil {
			return Response{}, kerr
		}
	}
	return resp, err
}

// withZone fills req.Zone from req.ZoneOf when needed.
func withZone(ctx context.Context, req Request, needed bool) Request {
	if needed && req.Zone == nil && req.ZoneOf != nil {
		req.Zone = req.ZoneOf(ctx)
	}
	return req
}

// classify tells a command from an answer where the line was typed, and
// for an answer to a question that looks like a mistyped command, what
// the command needs.
func (s *Service) classify(ctx context.Context, req Request, text string, p *flows.Plan) (flows.Command, flows.LineKind, flows.Msg, error) {
	var lookupErr error
	lc := flows.LineContext{
		Catalogue:     s.cat,
		ParseSchedule: s.parseSpec,
		PlanExists: func(name string) bool {
			_, err := s.store.PlanByName(ctx, req.Team, req.Channel, name)
			if err != nil && !errors.Is(err, flows.ErrNoPlan) {
				lookupErr = err
			}
			return err == nil
		},
	}
	if p != nil {
		lc.Open = p.Cursor.Phase != flows.PhaseComplete
		lc.KPIs = p.KPIs
		lc.Actions, lc.LastActionNumber = p.Actions, p.LastActionNumber
	}
	cmd, kind := flows.Classify(text, lc)
	if lookupErr != nil {
		return flows.Command{}, 0, nil, fmt.Errorf("find plan: %w", lookupErr)
	}
	var hint flows.Msg
	if kind == flows.LineAnswer && p != nil && p.Cursor.Phase == flows.PhaseQuestion {
		hint, _ = flows.CommandHint(text, lc)
	}
	return cmd, kind, hint, nil
}

// commandPrefix is the slash command people may type in front of a command.
const commandPrefix = "/race"

// CutCommandPrefix cuts the slash command from the front of text, as
// people type it in a thread or a direct message, and reports whether it
// was there; rest is the rest, trimmed (all of text, trimmed, when it was
// not). The prefix is a word of its own: it stands alone or is followed
// by a space ("/race", "/race status"), or it is glued to a command's
// exact name, a space forgotten ("/racestatus"). "/raceday is Friday" is
// an ordinary line, an answer where one is expected. Every reader of the
// prefix cuts it here, so that a line reads as a command in one place
// only when it does in all.
func CutCommandPrefix(text string) (rest string, ok bool) {
	text = strings.TrimSpace(text)
	after, found := strings.CutPrefix(text, commandPrefix)
	if !found {
		return text, false
	}
	if r, _ := utf8.DecodeRuneInString(after); after == "" || unicode.IsSpace(r) {
		return strings.TrimSpace(after), true
	}
	word := after
	if i := strings.IndexFunc(after, unicode.IsSpace); i >= 0 {
		word = after[:i]
	}
	if _, err := flows.ParseCommand(word); err != nil {
		return text, false
	}
	return after, true
}

// said records the key of a request whose only effect is resp, so that a
// retried delivery does not say it twice.
func (s *Service) said(ctx context.Context, req Request, resp Response) (Response, error) {
	if req.Key == "" {
		return resp, nil
	}
	err := s.store.MarkSeen(ctx, req.Team, req.Key)
	switch {
	case errors.Is(err, flows.ErrDuplicate):
		return Response{Plan: resp.Plan, Duplicate: true}, nil
	case err != nil:
		return Response{}, fmt.Errorf("record key: %w", err)
	}
	return resp, nil
}

// reading answers a request that only shows a plan (status, export,
// report, review): it catches up with the store (see catchUp), so the plan
// shown has what was typed in another terminal a moment ago, builds the
// answer, and only then records the request's key: one that fails (no
// plan, no KPIs, a failed read) must still be explained to its author,
// and a retry must run again.
func (s *Service) reading(ctx context.Context, req Request, build func() (Response, error)) (Response, error) {
	if err := s.catchUp(ctx, req.Team); err != nil {
		return Response{}, err
	}
	resp, err := build()
	if err != nil {
		return Response{}, err
	}
	return s.said(ctx, req, resp)
}

// catchUp makes the reads that follow see what another process on the
// store committed: a write, one that records no key, is what brings a
// SQLite handle's plan cache up to date (see storage.planCache).
func (s *Service) catchUp(ctx context.Context, team string) error {
	if err := s.store.MarkSeen(ctx, team, ""); err != nil {
		return fmt.Errorf("catch up with the store: %w", err)
	}
	return nil
}

// PlanNow loads a plan with what another process committed a moment ago,
// for a check that must not pass on a plan this process cached before
// (privacy, before a plan's text goes to the model).
func (s *Service) PlanNow(ctx context.Context, team string, id flows.PlanID) (*flows.Plan, error) {
	if err := s.catchUp(ctx, team); err != nil {
		return nil, err
	}
	return s.store.Plan(ctx, team, id)
}

func (s *Service) target(ctx context.Context, req Request) (*flows.Plan, error) {
	id := req.Plan
	if id == 0 {
		cur, err := s.store.CurrentPlan(ctx, req.Team, req.Channel)
		if err != nil {
			return nil, err
		}
		if cur == 0 {
			return nil, flows.ErrNoPlan
		}
		id = cur
	}
	p, err := s.store.Plan(ctx, req.Team, id)
	if err != nil {
		return nil, err
	}
	// A plan named by id (a thread's, a button's, a form's) is acted on
	// only from its own channel.
	if err := inChannel(req, p.Channel); err != nil {
		return nil, err
	}
	return p, nil
}

var errNoCurrent = flows.UserErrorf(flows.ErrNoPlan, "There is no plan here yet. Start one with %s, or list them with %s.", flows.Cmd("new <name>"), flows.Cmd("plans"))

// ErrPlanGone is flows.ErrNoPlan for a request whose Plan no longer
// exists: deleted since its transport took the id, perhaps by someone
// else. A transport that knows the plan's name can say so.
var ErrPlanGone = fmt.Errorf("%w: deleted", flows.ErrNoPlan)

// errPlanGone says no more than errNoCurrent, which Slack has said for a
// plan gone from under a button or a form.
var errPlanGone error = &flows.UserError{Err: ErrPlanGone, Msg: errNoCurrent.Msg}

// reply feeds an answer (or skip, back, done, draft) to the plan's engine
// and commits what it changed; p, when set, is the plan as just loaded.
// The answer goes to the question its author saw (see saw), which may no
// longer be the open one when two people answer at once.
//
// What the author saw is worked out again on every attempt: an attempt
// fails with flows.ErrConflict when another racebot moved the plan, and
// that one may also have posted the prompt the author answered.
func (s *Service) reply(ctx context.Context, req Request, p *flows.Plan) (Response, error) {
	if req.Zone == nil && req.ZoneOf != nil {
		// Asked before the plan's turn, which a slow answer from Slack
		// would hold up for everyone else.
		if p == nil {
			var err error
			if p, err = s.pick(ctx, req, ""); err != nil {
				return Response{}, err
			}
		}
		req = withZone(ctx, req, p.ReadsDates())
	}
	return s.commitFrom(ctx, req, p, func(p *flows.Plan) (flows.Outcome, error) {
		saw, askedAt, err := s.saw(ctx, req)
		if err != nil {
			return flows.Outcome{}, err
		}
		out, err := s.step(ctx, req, saw, askedAt)(p)
		if err != nil {
			return flows.Outcome{}, err
		}
		return s.movedFor(req, p, out), nil
	}, s.commit(ctx, req))
}

// step feeds a reply to p; saw and askedAt are what the reply answered and
// when that prompt was posted (see saw).
func (s *Service) step(ctx context.Context, req Request, saw string, askedAt int64) func(*flows.Plan) (flows.Outcome, error) {
	return func(p *flows.Plan) (flows.Outcome, error) {
		answered, err := s.answeredSince(ctx, req, p, saw, askedAt)
		if err != nil {
			return flows.Outcome{}, err
		}
		return flows.Step(s.cat, p, flows.Input{Text: req.Text, User: req.User, Now: req.Now, Saw: saw, Answered: answered, Source: source(req), Zone: req.Zone, Hint: req.hint})
	}
}

func (s *Service) run(ctx context.Context, req Request, cmd flows.Command) (Response, error) {
	switch cmd.Name {
	case "help":
		msg, err := flows.HelpTopic(cmd.Arg)
		if err != nil {
			return Response{}, err
		}
		resp := Response{Replies: []flows.Reply{{Kind: flows.ReplyHelp, Msg: msg}}}
		if req.Command {
			// A slash command's help goes to its asker alone, in the
			// acknowledgement; shown twice it does no harm, so it costs
			// no write. Help typed in a thread is posted there, once.
			return resp, nil
		}
		return s.said(ctx, req, resp)
	case "kind":
		return s.kind(ctx, req, cmd.Arg)
	case "new":
		if cmd.From != "" {
			return s.newPlanFrom(ctx, req, cmd.Arg, cmd.From)
		}
		return s.newPlan(ctx, req, cmd.Arg)
	case "plans":
		return s.plans(ctx, req)
	case "continue":
		return s.resume(ctx, req, cmd.Arg)
	case "stage":
		return s.stage(ctx, req, cmd.Arg)
	case "skip", "back", "done", "draft":
		req.Text = cmd.Name
		if req.Saw == "" && req.TS == "" {
			// A slash command has no message of its own to tell what its
			// author saw: it was typed at what the plan asked as it is
			// read now, before the plan's turn. Two people typing done at
			// once then finish one step, not that one and the next, which
			// neither has seen; and it stays with this plan if another is
			// continued meanwhile.
			p, err := s.pick(ctx, req, "")
			if err != nil {
				return Response{}, err
			}
			req.Plan, req.Saw = p.ID, p.Asking(s.cat)
			return s.reply(ctx, req, p)
		}
		return s.reply(ctx, req, nil)
	case "edit":
		return s.commitChanges(ctx, req, func(p *flows.Plan) (flows.Outcome, error) {
			out, err := flows.Edit(s.cat, p, cmd.Arg)
			if err != nil {
				return out, err
			}
			return s.movedTo(ctx, req, p, out)
		})
	case "status":
		return s.status(ctx, req)
	case "export":
		return s.export(ctx, req)
	case "delete":
		return s.delete(ctx, req, cmd)
	case "kpi":
		return s.kpi(ctx, req, cmd.Arg)
	case "funnel":
		p, err := s.pick(ctx, req, "")
		if err != nil {
			return Response{}, err
		}
		return s.said(ctx, req, Response{Plan: p, Replies: []flows.Reply{{Kind: flows.ReplyFunnel, Msg: flows.FunnelText(p)}}})
	case "values":
		return s.valuesInCheckin(ctx, req, cmd.Arg)
	case "report":
		return s.reading(ctx, req, func() (Response, error) {
			p, err := s.pick(ctx, req, "")
			if err != nil {
				return Response{}, err
			}
			if len(p.KPIs) == 0 {
				return Response{}, flows.UserErrorf(flows.ErrBadInput, "There are no KPIs to chart yet; set some with %s.", flows.Cmd("kpi"))
			}
			return Response{Plan: p, Report: true, Replies: []flows.Reply{{Kind: flows.ReplyNote, Msg: flows.Say(flows.Text("Drawing the KPI chart…"))}}}, nil
		})
	case "checkin", "schedule", "pause", "resume":
		return s.schedule(ctx, req, cmd)
	case "review":
		return s.reading(ctx, req, func() (Response, error) {
			p, err := s.pick(ctx, req, "")
			if err != nil {
				return Response{}, err
			}
			return Response{Plan: p, Review: true, Replies: []flows.Reply{{Kind: flows.ReplyNote, Msg: flows.Sayf("Reviewing %q…", flows.User(p.Name))}}}, nil
		})
	case "privacy":
		return s.privacy(ctx, req, cmd.Arg)
	case "actions":
		return s.actions(ctx, req)
	case "action":
		return s.action(ctx, req, cmd.Arg)
	case "score":
		return s.score(ctx, req, cmd.Arg)
	case "retro":
		return s.retro(ctx, req)
	case "remind":
		return s.remind(ctx, req, cmd.Arg)
	}
	return Response{}, fmt.Errorf("command %q has no handler", cmd.Name)
}

func (s *Service) newPlan(ctx context.Context, req Request, name string) (Response, error) {
	name, err := planName(name)
	if err != nil {
		return Response{}, err
	}
	p := flows.NewPlan(req.Team, req.Channel, name, req.User, req.Now)
	id, err := s.store.CreatePlan(ctx, p, req.Key)
	switch {
	case errors.Is(err, flows.ErrDuplicate):
		return Response{Duplicate: true}, nil
	case errors.Is(err, flows.ErrDuplicatePlan):
		return Response{}, duplicatePlan(name)
	case err != nil:
		return Response{}, fmt.Errorf("create plan: %w", err)
	}
	p.ID = id
	return Response{Replies: s.planCreated(p), Plan: p, Created: true}, nil
}

// planName tidies a new plan's name, refusing none and one too long. A
// name written in quotes, as --from's plan may be, is the name without
// them: quoted, it could not be named again (see flows.Unquote).
func planName(name string) (string, error) {
	name = flows.Unquote(strings.Join(strings.Fields(name), " "))
	switch {
	case name == "":
		return "", flows.UserErrorf(flows.ErrBadInput, "Give the plan a name, for example %s.", flows.Cmd("new Q1 Launch"))
	case len([]rune(name)) > flows.MaxPlanName:
		return "", flows.UserErrorf(flows.ErrBadInput, "That name is %d characters long; keep plan names under %d.", len([]rune(name)), flows.MaxPlanName)
	}
	return name, nil
}

func duplicatePlan(name string) error {
	// A command span is literal text to type, so the stored name is
	// decoded for it: "continue R&D", not "continue R&amp;D".
	return flows.UserErrorf(flows.ErrDuplicatePlan, "This channel already has a plan called %q. Pick another name, or %s.", flows.User(name), flows.Cmd("continue "+markup.Stored(name).Plain(nil)))
}

// planCreated says a new plan is ready and asks its first question.
func (s *Service) planCreated(p *flows.Plan) []flows.Reply {
	msg := flows.Sayf("Plan %q is ready. We'll go stage by stage: Plan, Reach, Act, Convert, Engage. Reply to each question; %s, %s, %s and %s work as replies.", flows.User(p.Name), flows.Code("skip"), flows.Code("back"), flows.Code("done"), flows.Code("draft"))
	if p.Kind.Valid() {
		msg = msg.Append(" ", flows.KindText(p))
	}
	replies := []flows.Reply{{Kind: flows.ReplyPlanCreated, Msg: msg}}
	return append(replies, flows.Resume(s.cat, p)...)
}

func (s *Service) plans(ctx context.Context, req Request) (Response, error) {
	plans, err := s.store.Plans(ctx, req.Team, req.Channel)
	if err != nil {
		return Response{}, fmt.Errorf("list plans: %w", err)
	}
	if len(plans) == 0 {
		return s.said(ctx, req, Response{Replies: []flows.Reply{{Kind: flows.ReplyPlans, Msg: flows.Sayf("No plans in this channel yet. Start one with %s.", flows.Cmd("new <name>"))}}})
	}
	// The plan marked is the one this conversation's lines go to: a
	// thread's, or a terminal window's own, which another window may have
	// made other than the channel's current one.
	cur := req.Plan
	if cur == 0 {
		if cur, err = s.store.CurrentPlan(ctx, req.Team, req.Channel); err != nil {
			return Response{}, err
		}
	}
	return s.said(ctx, req, Response{Replies: []flows.Reply{{Kind: flows.ReplyPlans, Msg: flows.PlansText(s.cat, plans, cur)}}})
}

// pick finds the plan a command names, or the channel's current plan.
func (s *Service) pick(ctx context.Context, req Request, name string) (*flows.Plan, error) {
	if name == "" {
		p, err := s.target(ctx, req)
		if errors.Is(err, flows.ErrNoPlan) {
			return nil, s.noCurrent(ctx, req)
		}
		return p, err
	}
	p, err := s.store.PlanByName(ctx, req.Team, req.Channel, name)
	if bare := flows.Unquote(name); errors.Is(err, flows.ErrNoPlan) && bare != name {
		// "Q2 Plan" in quotes names Q2 Plan; the quotes were tried first
		// for a plan named with them before names were unquoted.
		p, err = s.store.PlanByName(ctx, req.Team, req.Channel, bare)
	}
	if errors.Is(err, flows.ErrNoPlan) {
		return nil, flows.UserErrorf(flows.ErrNoPlan, "There is no plan called %q in this channel. %s lists them.", flows.User(name), flows.Cmd("plans"))
	}
	return p, err
}

// noCurrent explains why a request that names no plan found none. A
// channel whose plan in use was deleted has no current plan but may have
// others, which the person picks from.
func (s *Service) noCurrent(ctx context.Context, req Request) error {
	if req.Plan != 0 {
		return errPlanGone
	}
	plans, err := s.store.Plans(ctx, req.Team, req.Channel)
	if err != nil {
		return fmt.Errorf("list plans: %w", err)
	}
	if len(plans) == 0 {
		return errNoCurrent
	}
	last := plans[len(plans)-1]
	return flows.UserErrorf(flows.ErrNoPlan, "No plan is in use in this channel; the one that was has been deleted. Pick one with %s, for example %s. %s lists them.",
		flows.Cmd("continue <name>"), flows.Cmd("continue "+markup.Stored(last.Name).Plain(nil)), flows.Cmd("plans"))
}

func (s *Service) resume(ctx context.Context, req Request, name string) (Response, error) {
	p, err := s.pick(ctx, req, name)
	if err != nil {
		return Response{}, err
	}
	err = s.store.SetCurrentPlan(ctx, req.Team, req.Channel, p.ID, req.Key)
	switch {
	case errors.Is(err, flows.ErrDuplicate):
		return Response{Plan: p, Duplicate: true}, nil
	case err != nil:
		return Response{}, fmt.Errorf("select plan: %w", err)
	}
	replies := []flows.Reply{{Kind: flows.ReplyNote, Msg: flows.Sayf("Continuing %q.", flows.User(p.Name))}}
	return Response{Replies: append(replies, flows.Resume(s.cat, p)...), Plan: p, Continued: true}, nil
}

func (s *Service) stage(ctx context.Context, req Request, name string) (Response, error) {
	if name == "" {
		return Response{}, flows.UserErrorf(flows.ErrBadInput, "Name the stage to jump to: one of %s.", strings.Join(s.cat.StageNames(), ", "))
	}
	if _, ok := s.cat.Stage(name); !ok {
		return Response{}, flows.UserErrorf(flows.ErrBadInput, "There is no stage called %q. Try one of %s.", flows.User(name), strings.Join(s.cat.StageNames(), ", "))
	}
	return s.commitChanges(ctx, req, func(p *flows.Plan) (flows.Outcome, error) {
		out, err := flows.JumpTo(s.cat, p, name)
		if err != nil {
			return out, err
		}
		return s.movedTo(ctx, req, p, out)
	})
}

// pickWithValues is pick plus the plan's recorded KPI values.
func (s *Service) pickWithValues(ctx context.Context, req Request) (*flows.Plan, map[int64][]flows.Measurement, error) {
	p, err := s.pick(ctx, req, "")
	if err != nil {
		return nil, nil, err
	}
	ms, err := s.store.Measurements(ctx, req.Team, p.ID)
	if err != nil {
		return nil, nil, fmt.Errorf("load values: %w", err)
	}
	return p, ms, nil
}

func (s *Service) status(ctx context.Context, req Request) (Response, error) {
	return s.reading(ctx, req, func() (Response, error) {
		p, ms, err := s.pickWithValues(ctx, req)
		if err != nil {
			return Response{}, err
		}
		return Response{Replies: []flows.Reply{{Kind: flows.ReplyStatus, Msg: flows.StatusText(s.cat, p, ms, req.Now)}}, Plan: p}, nil
	})
}

func (s *Service) export(ctx context.Context, req Request) (Response, error) {
	return s.reading(ctx, req, func() (Response, error) {
		p, err := s.pick(ctx, req, "")
		if err != nil {
			return Response{}, err
		}
		e, err := s.Export(ctx, p, req.Now)
		if err != nil {
			return Response{}, err
		}
		e.Review = newerReview(e.Review, req.Review, p.ID)
		md := e.Markdown()
		return Response{Replies: []flows.Reply{{Kind: flows.ReplyExport, Msg: flows.Sayf("The plan %q as Markdown.", flows.User(p.Name)), Markdown: md}}, Plan: p}, nil
	})
}

func (s *Service) delete(ctx context.Context, req Request, cmd flows.Command) (Response, error) {
	if cmd.Arg == "" {
		return Response{}, flows.UserErrorf(flows.ErrBadInput, "Name the plan to delete, for example %s.", flows.Cmd("delete Q1 Launch"))
	}
	p, err := s.pick(ctx, req, cmd.Arg)
	if err != nil {
		return Response{}, err
	}
	if !cmd.Yes {
		answers := 0
		for _, a := range p.Answers {
			if a.Text != "" {
				answers++
			}
		}
		return s.said(ctx, req, Response{Plan: p, Replies: []flows.Reply{{
			Kind:    flows.ReplyConfirm,
			Msg:     flows.Sayf("Delete plan %q with its %d answers and %d actions? This cannot be undone.", flows.User(p.Name), answers, len(p.Actions)),
			Confirm: fmt.Sprintf("delete %s --yes", p.Name),
		}}})
	}
	return s.deletePlan(ctx, req, p)
}

// DeletePlan deletes a plan by id, as the confirmation button does.
func (s *Service) DeletePlan(ctx context.Context, req Request, id flows.PlanID) (Response, error) {
	p, err := s.store.Plan(ctx, req.Team, id)
	switch {
	case errors.Is(err, flows.ErrNoPlan):
		// A press delivered again finds the plan it deleted gone; the
		// store tells that (a duplicate) from a plan that never was.
		p = &flows.Plan{ID: id, Team: req.Team}
	case err != nil:
		return Response{}, err
	default:
		if err := inChannel(req, p.Channel); err != nil {
			return Response{}, err
		}
	}
	return s.deletePlan(ctx, req, p)
}

func (s *Service) deletePlan(ctx context.Context, req Request, p *flows.Plan) (Response, error) {
	err := s.store.DeletePlan(ctx, req.Team, p.ID, req.Key)
	switch {
	case errors.Is(err, flows.ErrDuplicate):
		return Response{Duplicate: true}, nil
	case err != nil:
		return Response{}, fmt.Errorf("delete plan: %w", err)
	}
	return Response{Plan: p, Changed: true, Replies: []flows.Reply{{Kind: flows.ReplyDeleted, Msg: flows.Sayf("Deleted plan %q.", flows.User(p.Name))}}}, nil
}

// privacy turns the plan's privacy switch.
func (s *Service) privacy(ctx context.Context, req Request, arg string) (Response, error) {
	var on bool
	switch strings.ToLower(strings.TrimSpace(arg)) {
	case "on":
		on = true
	case "off":
		on = false
	default:
		return Response{}, flows.UserErrorf(flows.ErrBadInput, "Write %s to keep this plan's text away from the AI model, or %s to allow drafting with it.", flows.Cmd("privacy on"), flows.Cmd("privacy off"))
	}
	return s.commitChanges(ctx, req, func(p *flows.Plan) (flows.Outcome, error) {
		out := flows.Outcome{Plan: p.Clone()}
		if p.Privacy != on {
			ch := flows.PrivacySet{On: on}
			out.Plan.Apply(ch)
			out.Changes = []flows.Change{ch}
		}
		text := flows.Sayf("Privacy is on for %q: its answers never go to the AI model; drafts and reviews use the built-in coach.", flows.User(p.Name))
		if !on {
			text = flows.Sayf("Privacy is off for %q: drafts and reviews may send its answers to the configured AI model.", flows.User(p.Name))
		}
		out.Replies = []flows.Reply{{Kind: flows.ReplyNote, Msg: text}}
		return out, nil
	})
}

// EditAnswers saves several answers at once, as from a form.
func (s *Service) EditAnswers(ctx context.Context, req Request, answers map[string]string) (Response, error) {
	return s.EditAnswersShown(ctx, req, answers, nil)
}

// EditAnswersShown is EditAnswers for a form that showed the questions in
// shown at those revisions of their answers (0 for none): one answered or
// changed since (in the thread) keeps that answer, and the form's text
// joins it (see flows.EditAnswersBeside).
func (s *Service) EditAnswersShown(ctx context.Context, req Request, answers map[string]string, shown map[string]int) (Response, error) {
	return s.commitChanges(ctx, req, func(p *flows.Plan) (flows.Outcome, error) {
		return flows.EditAnswersBeside(s.cat, p, answers, shown, req.User, req.Now)
	})
}

// SetKPI sets a KPI of a stage from a KPI line, as from a form.
func (s *Service) SetKPI(ctx context.Context, req Request, stage flows.StageID, line string) (Response, error) {
	return s.commitChanges(ctx, req, func(p *flows.Plan) (flows.Outcome, error) {
		return flows.SetKPI(s.cat, p, stage, line, req.User, req.Now, req.Zone)
	})
}

// AcceptDraft saves a draft as the answer to its question.
func (s *Service) AcceptDraft(ctx context.Context, req Request, questionID, text string) (Response, error) {
	return s.AcceptDraftShown(ctx, req, questionID, text, nil)
}

// AcceptDraftShown is AcceptDraft for a draft asked for when the answer to
// its question was at revision shown[questionID] (see
// flows.AcceptDraftShown).
func (s *Service) AcceptDraftShown(ctx context.Context, req Request, questionID, text string, shown map[string]int) (Response, error) {
	return s.commitChanges(ctx, req, func(p *flows.Plan) (flows.Outcome, error) {
		return flows.AcceptDraftShown(s.cat, p, questionID, text, req.User, req.Now, shown)
	})
}

// commitChanges loads the request's plan, computes a step with fn and
// commits it with the request's key, retrying when someone else committed
// in between.
func (s *Service) commitChanges(ctx context.Context, req Request, fn func(*flows.Plan) (flows.Outcome, error)) (Response, error) {
	return s.commitFrom(ctx, req, nil, fn, s.commit(ctx, req))
}

// commit stores a step's changes with the request's key.
func (s *Service) commit(ctx context.Context, req Request) func(*flows.Plan, flows.Outcome) error {
	return func(p *flows.Plan, out flows.Outcome) error {
		return s.store.Commit(ctx, p, out.Changes, req.Key)
	}
}

// commitFrom is commitChanges starting from p when it is set (the plan as
// the request found it), and storing with save.
func (s *Service) commitFrom(ctx context.Context, req Request, p *flows.Plan, fn func(*flows.Plan) (flows.Outcome, error), save func(*flows.Plan, flows.Outcome) error) (Response, error) {
	var unlock func()
	defer func() {
		if unlock != nil {
			unlock()
		}
	}()
	for range maxAttempts {
		if p == nil {
			var err error
			if p, err = s.pick(ctx, req, ""); err != nil {
				return Response{}, err
			}
		}
		if unlock == nil {
			// A plan loaded before its turn came may be stale; the version
			// check then sends this round back for a fresh load.
			var err error
			if unlock, err = s.turns.lock(ctx, p.ID); err != nil {
				return Response{}, fmt.Errorf("wait for the plan: %w", err)
			}
		}
		out, err := fn(p)
		if err != nil {
			return Response{}, err
		}
		err = save(p, out)
		switch {
		case errors.Is(err, flows.ErrConflict):
			p = nil
			continue
		case errors.Is(err, flows.ErrNoPlan):
			// Deleted by another process after this one loaded it, which
			// its cache could not know; not retried, so that nothing goes
			// to whichever plan is current now.
			return Response{}, s.noCurrent(ctx, req)
		case errors.Is(err, flows.ErrDuplicate):
			return Response{Plan: p, Duplicate: true}, nil
		case err != nil:
			return Response{}, fmt.Errorf("commit: %w", err)
		}
		return Response{Replies: out.Replies, Plan: out.Plan, Draft: out.Draft, Changed: len(out.Changes) > 0}, nil
	}
	return Response{}, fmt.Errorf("commit: %w", flows.ErrConflict)
}
