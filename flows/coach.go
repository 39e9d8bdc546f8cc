package flows

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Store keeps plans. It is defined here, where it is used; the storage
// package implements it on SQLite.
type Store interface {
	// CreatePlan stores a new plan and returns its ID, or ErrDuplicatePlan.
	CreatePlan(ctx context.Context, p *Plan) (PlanID, error)
	// Plan loads a plan of the team, or ErrNoPlan.
	Plan(ctx context.Context, team string, id PlanID) (*Plan, error)
	// PlanByName finds a plan in a channel by name, ignoring case, or ErrNoPlan.
	PlanByName(ctx context.Context, team, channel, name string) (*Plan, error)
	// Plans lists a channel's plans, oldest first.
	Plans(ctx context.Context, team, channel string) ([]*Plan, error)
	// Commit applies a step's changes in one transaction. It fails with
	// ErrConflict if the plan moved since it was loaded, and with
	// ErrDuplicate if key (when not empty) was committed before.
	Commit(ctx context.Context, p *Plan, changes []Change, key string) error
	// DeletePlan removes a plan and everything in it.
	DeletePlan(ctx context.Context, team string, id PlanID) error
	// CurrentPlan returns the plan a channel is working on, or 0.
	CurrentPlan(ctx context.Context, team, channel string) (PlanID, error)
	// SetCurrentPlan records which plan a channel is working on.
	SetCurrentPlan(ctx context.Context, team, channel string, id PlanID) error
	// MarkSeen records key, reporting false if it was recorded before.
	MarkSeen(ctx context.Context, team, key string) (bool, error)
	// RecordMeasurements stores KPI values once per key, or ErrDuplicate.
	RecordMeasurements(ctx context.Context, team string, plan PlanID, ms []Measurement, key string) error
	// Measurements lists a plan's KPI values by KPI id, oldest first.
	Measurements(ctx context.Context, team string, plan PlanID) (map[int64][]Measurement, error)
}

// Schedules keeps KPI check-in schedules. It lives outside flows (schedule
// parsing needs a cron library); the coach works without it, saying that
// check-ins are not available.
type Schedules interface {
	// SetSchedule parses spec (in zone when it names none) and stores it.
	SetSchedule(ctx context.Context, team string, plan PlanID, spec string, zone *time.Location, user string, now time.Time) (ScheduleInfo, error)
	// ScheduleInfo describes a plan's schedule with its next n runs and its log.
	ScheduleInfo(ctx context.Context, team string, plan PlanID, n int, now time.Time) (ScheduleInfo, error)
	// SetPaused pauses or resumes a plan's check-ins.
	SetPaused(ctx context.Context, team string, plan PlanID, paused bool, now time.Time) error
}

// ScheduleInfo is a plan's check-in schedule as people see it.
type ScheduleInfo struct {
	Describe string
	Zone     *time.Location
	Paused   bool
	Next     []time.Time
	Log      []ScheduleRun
}

// ScheduleRun is one past check-in occurrence.
type ScheduleRun struct {
	Due   time.Time
	State string
	Note  string
}

// Coach runs commands and replies against a store. Transports (the terminal,
// Slack) turn what people type into Requests and render the Response.
type Coach struct {
	Catalogue *Catalogue
	Store     Store
	// Schedules keeps check-in schedules; nil where check-ins do not run.
	Schedules Schedules
	// Location renders dates in exports and status; UTC when nil.
	Location *time.Location
}

// Request is one thing a person typed.
type Request struct {
	Team    string
	Channel string
	User    string
	Text    string
	Now     time.Time
	// Plan is set when the text arrived in a plan's own conversation (a
	// Slack coaching thread); otherwise the channel's current plan is used.
	Plan PlanID
	// Command is true for a slash command, whose text has no `/race` prefix.
	Command bool
	// Key makes recording idempotent: a Slack event_id, for instance.
	Key string
	// Zone is the person's own time zone, when known; schedules default to
	// it and show times in it.
	Zone *time.Location
	// Checkin is set when the text is a reply in a check-in thread.
	Checkin int64
}

// Response is what the coach says back.
type Response struct {
	Replies []Reply
	// Plan is the plan the request concerned, as it stands after it.
	Plan *Plan
	// Created is true when the request started a new plan.
	Created bool
	// Draft asks the transport to draft an answer after acknowledging.
	Draft *DraftRequest
	// Changed is true when the request changed the plan.
	Changed bool
	// Review asks the transport to review the plan after acknowledging.
	Review bool
	// Report asks the transport to draw the KPI chart after acknowledging.
	Report bool
	// Duplicate is true when Key had already been recorded; nothing changed.
	Duplicate bool
}

// maxAttempts bounds retries when two people answer the same plan at once.
const maxAttempts = 5

// Handle runs one request. Bad input comes back as a *UserError that
// changed nothing; use Explain to put it into words.
func (c *Coach) Handle(ctx context.Context, req Request) (Response, error) {
	text := strings.TrimSpace(req.Text)
	if req.Command {
		cmd, err := ParseCommand(text)
		if err != nil {
			return Response{}, err
		}
		return c.run(ctx, req, cmd)
	}
	if cmd, ok := bareCommand(text, req.Plan != 0); ok {
		return c.runOnce(ctx, req, cmd)
	}
	if strings.HasPrefix(text, "/race") {
		_, err := ParseCommand(text)
		return Response{}, err
	}
	return c.reply(ctx, req)
}

func (c *Coach) target(ctx context.Context, req Request) (*Plan, error) {
	id := req.Plan
	if id == 0 {
		cur, err := c.Store.CurrentPlan(ctx, req.Team, req.Channel)
		if err != nil {
			return nil, err
		}
		if cur == 0 {
			return nil, ErrNoPlan
		}
		id = cur
	}
	return c.Store.Plan(ctx, req.Team, id)
}

var errNoCurrent = userErr(ErrNoPlan, "There is no plan here yet. Start one with `/race new <name>`, or list them with `/race plans`.")

// reply feeds an answer to the plan's engine and commits what it changed.
func (c *Coach) reply(ctx context.Context, req Request) (Response, error) {
	return c.commitChanges(ctx, req, func(p *Plan) (Outcome, error) {
		return Step(c.Catalogue, p, Input{Text: req.Text, User: req.User, Now: req.Now})
	})
}

// runOnce runs a command typed as a message, once per key: a retried
// delivery of "status" must not answer twice. Replies are guarded by Commit
// instead, atomically with what they record.
func (c *Coach) runOnce(ctx context.Context, req Request, cmd Command) (Response, error) {
	if req.Key != "" && !recordsThroughCommit(cmd.Name) {
		fresh, err := c.Store.MarkSeen(ctx, req.Team, req.Key)
		if err != nil {
			return Response{}, fmt.Errorf("mark seen: %w", err)
		}
		if !fresh {
			return Response{Duplicate: true}, nil
		}
	}
	return c.run(ctx, req, cmd)
}

func recordsThroughCommit(name string) bool {
	switch name {
	case "skip", "back", "done", "draft", "edit":
		return true
	}
	return false
}

func (c *Coach) run(ctx context.Context, req Request, cmd Command) (Response, error) {
	switch cmd.Name {
	case "help":
		return Response{Replies: []Reply{{Kind: ReplyHelp, Text: helpText()}}}, nil
	case "new":
		return c.newPlan(ctx, req, cmd.Arg)
	case "plans":
		return c.plans(ctx, req)
	case "continue":
		return c.resume(ctx, req, cmd.Arg)
	case "stage":
		return c.stage(ctx, req, cmd.Arg)
	case "skip", "back", "done", "draft", "edit":
		req.Text = strings.TrimSpace(cmd.Name + " " + cmd.Arg)
		return c.reply(ctx, req)
	case "status":
		return c.status(ctx, req)
	case "export":
		return c.export(ctx, req)
	case "delete":
		return c.delete(ctx, req, cmd)
	case "kpi":
		return c.kpi(ctx, req, cmd.Arg)
	case "funnel":
		p, err := c.pick(ctx, req, "")
		if err != nil {
			return Response{}, err
		}
		return Response{Plan: p, Replies: []Reply{{Kind: ReplyFunnel, Text: funnelText(p)}}}, nil
	case "values":
		return c.Values(ctx, req, cmd.Arg)
	case "report":
		p, err := c.pick(ctx, req, "")
		if err != nil {
			return Response{}, err
		}
		if len(p.KPIs) == 0 {
			return Response{}, userErr(ErrBadInput, "There are no KPIs to chart yet; set some with `/race kpi`.")
		}
		return Response{Plan: p, Report: true, Replies: []Reply{{Kind: ReplyNote, Text: "Drawing the KPI chart…"}}}, nil
	case "checkin", "schedule", "pause", "resume":
		return c.schedule(ctx, req, cmd)
	case "review":
		p, err := c.pick(ctx, req, "")
		if err != nil {
			return Response{}, err
		}
		return Response{Plan: p, Review: true, Replies: []Reply{{Kind: ReplyNote, Text: fmt.Sprintf("Reviewing %q…", p.Name)}}}, nil
	case "privacy":
		return c.privacy(ctx, req, cmd.Arg)
	}
	return Response{}, fmt.Errorf("command %q has no handler", cmd.Name)
}

// maxNameLen keeps plan names short enough for a Slack header and a modal title.
const maxNameLen = 80

func (c *Coach) newPlan(ctx context.Context, req Request, name string) (Response, error) {
	name = strings.Join(strings.Fields(name), " ")
	switch {
	case name == "":
		return Response{}, userErr(ErrBadInput, "Give the plan a name, for example `/race new Q1 Launch`.")
	case len([]rune(name)) > maxNameLen:
		return Response{}, userErr(ErrBadInput, "That name is %d characters long; keep plan names under %d.", len([]rune(name)), maxNameLen)
	}
	p := NewPlan(req.Team, req.Channel, name, req.User, req.Now)
	id, err := c.Store.CreatePlan(ctx, p)
	if errors.Is(err, ErrDuplicatePlan) {
		return Response{}, userErr(ErrDuplicatePlan, "This channel already has a plan called %q. Pick another name, or `/race continue %s`.", name, name)
	}
	if err != nil {
		return Response{}, fmt.Errorf("create plan: %w", err)
	}
	p.ID = id
	if err := c.Store.SetCurrentPlan(ctx, req.Team, req.Channel, id); err != nil {
		return Response{}, fmt.Errorf("select plan: %w", err)
	}
	replies := []Reply{{Kind: ReplyPlanCreated, Text: fmt.Sprintf("Plan %q is ready. We'll go stage by stage: Plan, Reach, Act, Convert, Engage. Reply to each question; `skip`, `back`, `done` and `draft` work as replies.", name)}}
	replies = append(replies, Resume(c.Catalogue, p)...)
	return Response{Replies: replies, Plan: p, Created: true}, nil
}

func (c *Coach) plans(ctx context.Context, req Request) (Response, error) {
	plans, err := c.Store.Plans(ctx, req.Team, req.Channel)
	if err != nil {
		return Response{}, fmt.Errorf("list plans: %w", err)
	}
	if len(plans) == 0 {
		return Response{Replies: []Reply{{Kind: ReplyPlans, Text: "No plans in this channel yet. Start one with `/race new <name>`."}}}, nil
	}
	cur, err := c.Store.CurrentPlan(ctx, req.Team, req.Channel)
	if err != nil {
		return Response{}, err
	}
	return Response{Replies: []Reply{{Kind: ReplyPlans, Text: plansText(c.Catalogue, plans, cur)}}}, nil
}

// pick finds the plan a command names, or the channel's current plan.
func (c *Coach) pick(ctx context.Context, req Request, name string) (*Plan, error) {
	if name == "" {
		p, err := c.target(ctx, req)
		if errors.Is(err, ErrNoPlan) {
			return nil, errNoCurrent
		}
		return p, err
	}
	p, err := c.Store.PlanByName(ctx, req.Team, req.Channel, name)
	if errors.Is(err, ErrNoPlan) {
		return nil, userErr(ErrNoPlan, "There is no plan called %q in this channel. `/race plans` lists them.", name)
	}
	return p, err
}

func (c *Coach) resume(ctx context.Context, req Request, name string) (Response, error) {
	p, err := c.pick(ctx, req, name)
	if err != nil {
		return Response{}, err
	}
	if err := c.Store.SetCurrentPlan(ctx, req.Team, req.Channel, p.ID); err != nil {
		return Response{}, fmt.Errorf("select plan: %w", err)
	}
	replies := []Reply{{Kind: ReplyNote, Text: fmt.Sprintf("Continuing %q.", p.Name)}}
	return Response{Replies: append(replies, Resume(c.Catalogue, p)...), Plan: p}, nil
}

func (c *Coach) stage(ctx context.Context, req Request, name string) (Response, error) {
	if name == "" {
		return Response{}, userErr(ErrBadInput, "Name the stage to jump to: one of %s.", strings.Join(c.Catalogue.StageNames(), ", "))
	}
	if _, ok := c.Catalogue.Stage(name); !ok {
		return Response{}, userErr(ErrBadInput, "There is no stage called %q. Try one of %s.", name, strings.Join(c.Catalogue.StageNames(), ", "))
	}
	return c.commitChanges(ctx, req, func(p *Plan) (Outcome, error) {
		return JumpTo(c.Catalogue, p, name)
	})
}

// pickWithValues is pick plus the plan's recorded KPI values.
func (c *Coach) pickWithValues(ctx context.Context, req Request) (*Plan, map[int64][]Measurement, error) {
	p, err := c.pick(ctx, req, "")
	if err != nil {
		return nil, nil, err
	}
	ms, err := c.Store.Measurements(ctx, req.Team, p.ID)
	if err != nil {
		return nil, nil, fmt.Errorf("load values: %w", err)
	}
	return p, ms, nil
}

func (c *Coach) status(ctx context.Context, req Request) (Response, error) {
	p, ms, err := c.pickWithValues(ctx, req)
	if err != nil {
		return Response{}, err
	}
	return Response{Replies: []Reply{{Kind: ReplyStatus, Text: StatusText(c.Catalogue, p, ms, req.Now)}}, Plan: p}, nil
}

func (c *Coach) export(ctx context.Context, req Request) (Response, error) {
	p, ms, err := c.pickWithValues(ctx, req)
	if err != nil {
		return Response{}, err
	}
	md := ExportMarkdown(c.Catalogue, p, ms, c.location(), req.Now)
	return Response{Replies: []Reply{{Kind: ReplyExport, Text: md, Markdown: md}}, Plan: p}, nil
}

func (c *Coach) location() *time.Location {
	if c.Location == nil {
		return time.UTC
	}
	return c.Location
}

func (c *Coach) delete(ctx context.Context, req Request, cmd Command) (Response, error) {
	if cmd.Arg == "" {
		return Response{}, userErr(ErrBadInput, "Name the plan to delete, for example `/race delete Q1 Launch`.")
	}
	p, err := c.pick(ctx, req, cmd.Arg)
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
		return Response{Plan: p, Replies: []Reply{{
			Kind:    ReplyConfirm,
			Text:    fmt.Sprintf("Delete plan %q with its %d answers and %d actions? This cannot be undone.", p.Name, answers, len(p.Actions)),
			Confirm: fmt.Sprintf("delete %s --yes", p.Name),
		}}}, nil
	}
	if err := c.Store.DeletePlan(ctx, req.Team, p.ID); err != nil {
		return Response{}, fmt.Errorf("delete plan: %w", err)
	}
	return Response{Replies: []Reply{{Kind: ReplyDeleted, Text: fmt.Sprintf("Deleted plan %q.", p.Name)}}}, nil
}

// privacy turns the plan's privacy switch.
func (c *Coach) privacy(ctx context.Context, req Request, arg string) (Response, error) {
	var on bool
	switch strings.ToLower(strings.TrimSpace(arg)) {
	case "on":
		on = true
	case "off":
		on = false
	default:
		return Response{}, userErr(ErrBadInput, "Write `/race privacy on` to keep this plan's text away from the AI model, or `/race privacy off` to allow drafting with it.")
	}
	return c.commitChanges(ctx, req, func(p *Plan) (Outcome, error) {
		out := Outcome{Plan: p.Clone()}
		if p.Privacy != on {
			ch := PrivacySet{On: on}
			out.Plan.Apply(ch)
			out.Changes = []Change{ch}
		}
		text := fmt.Sprintf("Privacy is on for %q: its answers never go to the AI model; drafts and reviews use the built-in coach.", p.Name)
		if !on {
			text = fmt.Sprintf("Privacy is off for %q: drafts and reviews may send its answers to the configured AI model.", p.Name)
		}
		out.Replies = []Reply{{Kind: ReplyNote, Text: text}}
		return out, nil
	})
}

// EditAnswers saves several answers at once, as from a form.
func (c *Coach) EditAnswers(ctx context.Context, req Request, answers map[string]string) (Response, error) {
	return c.commitChanges(ctx, req, func(p *Plan) (Outcome, error) {
		return EditAnswers(c.Catalogue, p, answers, req.User, req.Now)
	})
}

// SetKPI sets a KPI of a stage from a KPI line, as from a form.
func (c *Coach) SetKPI(ctx context.Context, req Request, stage StageID, line string) (Response, error) {
	return c.commitChanges(ctx, req, func(p *Plan) (Outcome, error) {
		return SetKPI(c.Catalogue, p, stage, line, req.User, req.Now)
	})
}

// AcceptDraft saves a draft as the answer to its question.
func (c *Coach) AcceptDraft(ctx context.Context, req Request, questionID, text string) (Response, error) {
	return c.commitChanges(ctx, req, func(p *Plan) (Outcome, error) {
		return AcceptDraft(c.Catalogue, p, questionID, text, req.User, req.Now)
	})
}

// commitChanges loads the request's plan, computes a step with fn and
// commits it, retrying when someone else committed in between.
func (c *Coach) commitChanges(ctx context.Context, req Request, fn func(*Plan) (Outcome, error)) (Response, error) {
	for range maxAttempts {
		p, err := c.pick(ctx, req, "")
		if err != nil {
			return Response{}, err
		}
		out, err := fn(p)
		if err != nil {
			return Response{}, err
		}
		err = c.Store.Commit(ctx, p, out.Changes, req.Key)
		switch {
		case errors.Is(err, ErrConflict):
			continue
		case errors.Is(err, ErrDuplicate):
			return Response{Plan: p, Duplicate: true}, nil
		case err != nil:
			return Response{}, fmt.Errorf("commit: %w", err)
		}
		return Response{Replies: out.Replies, Plan: out.Plan, Draft: out.Draft, Changed: len(out.Changes) > 0}, nil
	}
	return Response{}, fmt.Errorf("commit: %w", ErrConflict)
}
