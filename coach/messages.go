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
	"unicode"

	"github.com/racebot/racebot/flows"
)

// MessageStore keeps what ties a conversation's messages to a plan: which
// message asked what, and which values came from which message (answers
// carry their message in the plan itself).
type MessageStore interface {
	// RecordAsked records that message ts, ordered by at, asked what asks
	// names (flows.Reply.Asks); recording it again changes nothing.
	RecordAsked(ctx context.Context, team string, plan flows.PlanID, at int64, ts, asks string) error
	// LastAsked names what the latest message at or before at asked of
	// author, and that message's order (at); "" and 0 when none is
	// recorded. Prompts posted ask everyone; a flows.AskedAuthor a step
	// committed asks its author alone. author "" reads only prompts posted.
	LastAsked(ctx context.Context, team string, plan flows.PlanID, at int64, author string) (string, int64, error)
	// ReplaceMeasurements replaces the values that came from a message
	// with ms (none for a deleted message) and reports what it replaced;
	// when none came from it, it records nothing, key included, and
	// reports none (a zero Replaced). Changing the values of a check-in
	// (a value withdrawn, or given anew otherwise than it was), it marks
	// the check-in's summary maybe behind its values, as
	// CheckinStore.MarkSummaryOverdrawn does for a drawing that is no
	// longer on its way (a live mark stays live).
	ReplaceMeasurements(ctx context.Context, team string, plan flows.PlanID, source string, ms []flows.Measurement, key string) (Replaced, error)
}

// Replaced is what a replacement of a message's values did.
type Replaced struct {
	// N is how many values it replaced.
	N int
	// Gone are the values it withdrew: those of KPIs the message no
	// longer gives one, in the order of their KPIs' ids.
	Gone []flows.Measurement
	// Left is, for each KPI of a value in Gone that was in a check-in,
	// every value of the KPI as the replacement left it, oldest first,
	// read in its transaction: what another withdrawal at once left is
	// in it, or it is in theirs (see flows.StandsAgain).
	Left map[int64][]flows.Measurement
}

// source is the handle kept with what a request's message gave: its
// channel and ts, or nothing where messages have none.
func source(req Request) string {
	if req.TS == "" {
		return ""
	}
	return req.Channel + "/" + req.TS
}

// messageOrder turns a Slack ts ("1700000000.000100": seconds, a dot,
// microseconds) into a number that orders messages. As text, ts values of
// different lengths sort wrongly ("999999999.9" after "1000000000.0"), and
// as floats they lose the last digits.
func messageOrder(ts string) (int64, bool) {
	sec, frac, ok := strings.Cut(ts, ".")
	if !ok || sec == "" || frac == "" || len(frac) > 6 || len(sec) > 12 {
		return 0, false
	}
	var n int64
	for _, r := range sec + frac + strings.Repeat("0", 6-len(frac)) {
		if r < '0' || r > '9' || n > (math.MaxInt64-9)/10 {
			return 0, false
		}
		n = n*10 + int64(r-'0')
	}
	return n, true
}

// MessageTime is the time a Slack ts names; false when it is not one.
func MessageTime(ts string) (time.Time, bool) {
	n, ok := messageOrder(ts)
	if !ok {
		return time.Time{}, false
	}
	return time.UnixMicro(n), true
}

// saw works out what the author of a reply was answering: what the
// transport says it showed them (Request.Saw), else the latest prompt
// posted in the plan's conversation at or before the reply (Request.TS).
// When neither is known (the prompt is not posted yet, or the transport
// has no message times) it is whatever the plan asks now.
//
// A prompt is recorded just after Slack takes it, while a person needs
// seconds to read it and reply, so a reply written after a prompt finds it
// recorded.
func (s *Service) saw(ctx context.Context, req Request) (asks string, askedAt int64, err error) {
	if req.Saw != "" || req.TS == "" || req.Plan == 0 {
		return req.Saw, 0, nil
	}
	at, ok := messageOrder(req.TS)
	if !ok {
		return "", 0, nil
	}
	asks, askedAt, err = s.store.LastAsked(ctx, req.Team, req.Plan, at, req.User)
	if err != nil {
		return "", 0, fmt.Errorf("what the reply answers: %w", err)
	}
	return asks, askedAt, nil
}

// movedFor adds to out, a step by req's author that moved p to ask another
// question without answering one (back, skip, stage, edit, a yes taking
// its line back), the record of that move for its author alone, at the
// step's message, committed with the step (flows.AskedAuthor). Their
// next reply then answers the question the step moved to, even when the
// prompt asking it is never posted; everyone else's is filed under the
// prompt they saw. An answer records nothing: its author's next line may
// be more of it (a co-answer). It costs an answer one look at its
// changes.
func (s *Service) movedFor(req Request, p *flows.Plan, out flows.Outcome) flows.Outcome {
	for _, c := range out.Changes {
		switch c.(type) {
		case flows.AnswerRecorded, flows.AnswerAdded, flows.AnswerRevised, flows.ActionAdded, flows.ActionRevised, flows.KPISet:
			return out
		}
	}
	return s.askedFor(req, p, out)
}

// askedFor is movedFor for a step known to answer nothing: a yes taking
// its line back restores the answer before the line (flows.Withdraw),
// which is no answer of its author's.
func (s *Service) askedFor(req Request, p *flows.Plan, out flows.Outcome) flows.Outcome {
	if req.TS == "" || req.User == "" || len(out.Changes) == 0 || out.Plan == nil {
		return out
	}
	at, ok := messageOrder(req.TS)
	if !ok {
		return out
	}
	asks := out.Plan.Asking(s.cat)
	if asks == "" || asks == p.Asking(s.cat) {
		return out
	}
	out.Changes = append(out.Changes, flows.AskedAuthor{Author: req.User, At: at, TS: req.TS, Asks: asks})
	return out
}

// movedTo is movedFor for a command that names where to go (edit N,
// stage X): one naming the question the plan asks already moves nothing,
// yet its author may not have seen that question asked, when another
// person's move took the plan there and its prompt was lost. Their next
// reply then answers the question they named, not the prompt they saw
// last. Only such a command costs the look at what they saw.
func (s *Service) movedTo(ctx context.Context, req Request, p *flows.Plan, out flows.Outcome) (flows.Outcome, error) {
	out = s.movedFor(req, p, out)
	if req.TS == "" || req.User == "" || out.Plan == nil {
		return out, nil
	}
	asks := out.Plan.Asking(s.cat)
	if asks == "" || asks != p.Asking(s.cat) {
		return out, nil // recorded by movedFor, or nothing to ask
	}
	at, ok := messageOrder(req.TS)
	if !ok {
		return out, nil
	}
	seen, _, err := s.store.LastAsked(ctx, req.Team, p.ID, at, req.User)
	if err != nil || seen == "" || seen == asks {
		return out, err
	}
	out.Changes = append(out.Changes, flows.AskedAuthor{Author: req.User, At: at, TS: req.TS, Asks: asks})
	return out, nil
}

// answeredSince reports whether the question a reply answered (saw) has
// an answer from another message posted after the prompt the reply
// answered (askedAt), and the coach has asked again since: the reply is
// one more reply to that same prompt, which landed first, and the coach
// has moved on and come back to the question (back, edit, stage); the
// reply is a co-answer, not a replacement of an answer its author never
// saw. While that prompt is still the latest, the reply answers what the
// coach asks now, as any reply to it does, even when the answer came in
// meanwhile without a prompt after it (the "Add to RACE plan" shortcut).
func (s *Service) answeredSince(ctx context.Context, req Request, p *flows.Plan, saw string, askedAt int64) (bool, error) {
	if p == nil || askedAt == 0 {
		return false, nil
	}
	a, ok := p.Answers[saw]
	if !ok || a.Text == "" || a.Source == "" || a.Source == source(req) {
		return false, nil
	}
	i := strings.LastIndex(a.Source, "/")
	if i < 0 {
		return false, nil
	}
	// Given after the prompt: its message posted after it, or, for a
	// message filed later (the "Add to RACE plan" shortcut on an older
	// channel message), the answer recorded after it.
	if at, ok := messageOrder(a.Source[i+1:]); !ok || (at <= askedAt && a.At.UnixMicro() <= askedAt) {
		return false, nil
	}
	_, latest, err := s.store.LastAsked(ctx, req.Team, req.Plan, math.MaxInt64, req.User)
	if err != nil {
		return false, fmt.Errorf("the latest prompt: %w", err)
	}
	return latest > askedAt, nil
}

// Asked records that a message posted in a plan's conversation (ts) asks
// what asks names (flows.Reply.Asks), so that replies to it are filed
// under it even after the coach has moved on.
func (s *Service) Asked(ctx context.Context, team string, plan flows.PlanID, asks, ts string) error {
	at, ok := messageOrder(ts)
	if !ok || asks == "" {
		return nil
	}
	return s.store.RecordAsked(ctx, team, plan, at, ts, asks)
}

// RefileLate moves the replies that answered a prompt recorded late to
// it. A prompt's post whose answer Slack lost is recorded only once
// racebot finds the post in the thread, seconds later; a reply read
// meanwhile was taken to answer the prompt before (before), though its
// author wrote it after this one (asks, posted at ts). Each such reply,
// in order, is withdrawn from the question before and read as a reply to
// this prompt (see flows.Refile). Nothing changes when no reply was
// filed so, or when a later prompt is recorded already. now dates the
// withdrawals.
func (s *Service) RefileLate(ctx context.Context, team, channel string, plan flows.PlanID, asks, ts string, now time.Time) (Response, error) {
	at, ok := messageOrder(ts)
	if !ok || asks == "" {
		return Response{}, nil
	}
	latest, latestAt, err := s.store.LastAsked(ctx, team, plan, math.MaxInt64, "")
	if err != nil || latest != asks || latestAt != at {
		return Response{}, err
	}
	before, _, err := s.store.LastAsked(ctx, team, plan, at-1, "")
	if err != nil || before == "" || before == asks {
		return Response{}, err
	}
	// An action or KPI line that could not be read was refused, not
	// filed, so there is nothing below to move: the transport reads
	// those replies back from the thread.
	reread := flows.AsksLines(before)
	// In the plan's turn, as a reply is read: one read before the prompt
	// was recorded has committed by then, and one read after it answers
	// the prompt already. The plan commitFrom loaded before the turn came
	// may predate such a reply, and finding nothing to move commits
	// nothing, so no version check would catch it: what moves is read from
	// the plan as it stands now. Moves worked out from a plan newer than p
	// fail p's version check, and the next round starts from that plan.
	resp, err := s.commitFrom(ctx, Request{Team: team, Channel: channel, Plan: plan, Now: now}, nil, func(p *flows.Plan) (flows.Outcome, error) {
		if cur, err := s.store.Plan(ctx, team, plan); err != nil {
			return flows.Outcome{}, err
		} else if cur.Version > p.Version {
			p = cur
		}
		out := flows.Outcome{Plan: p}
		for _, src := range answeredAfter(p, before, at) {
			// Only a message read as a reply: one filed with "Add to RACE
			// plan" went where its filer put it.
			ch, ts, _ := strings.Cut(src, "/")
			if read, err := s.Handled(ctx, team, MessageKey(ch, ts)); err != nil || !read {
				if err != nil {
					return flows.Outcome{}, err
				}
				continue
			}
			next, err := flows.Refile(s.cat, out.Plan, flows.Input{Saw: asks, Source: src, Now: now})
			if _, refused := errors.AsType[*flows.UserError](err); refused {
				continue // it stays where it was, as if there were no later prompt
			}
			if err != nil {
				return flows.Outcome{}, err
			}
			out.Plan, out.Changes, out.Replies = next.Plan, append(out.Changes, next.Changes...), append(out.Replies, next.Replies...)
		}
		return out, nil
	}, func(p *flows.Plan, out flows.Outcome) error {
		if len(out.Changes) == 0 {
			return nil // as after nearly every late post: nothing to move
		}
		return s.store.Commit(ctx, p, out.Changes, "")
	})
	resp.Reread = reread && err == nil
	return resp, err
}

// ReadRefusedAgain reads again a reply in a plan's thread (req: the plan,
// the reply's author, text and ts) that racebot refused and no edit of
// which was taken: read before the prompt its author answered was
// recorded (see RefileLate), it was taken for a line for the actions or
// KPIs prompt before, and refused as one. Now that the prompt is
// recorded it is read as a reply to that prompt. A reply refused again,
// or one that was not refused, changes nothing.
func (s *Service) ReadRefusedAgain(ctx context.Context, req Request) (Response, error) {
	if ok, err := s.uncorrected(ctx, req); err != nil || !ok {
		return Response{}, err
	}
	// Only a line read as a reply: a command refused (values it could not
	// read) is no answer to any prompt.
	text := strings.TrimSpace(req.Text)
	if _, prefixed := CutCommandPrefix(text); prefixed {
		return Response{}, nil
	}
	p, err := s.pick(ctx, req, "")
	if err != nil {
		return Response{}, err
	}
	if _, kind, _, err := s.classify(ctx, req, text, p); err != nil || kind != flows.LineAnswer {
		return Response{}, err
	}
	// Its key is recorded already, from when it was refused.
	req.Key = ""
	req = withZone(ctx, req, p.ReadsDates())
	src := source(req)
	resp, err := s.commitFrom(ctx, req, p, func(p *flows.Plan) (flows.Outcome, error) {
		// An edit of it may have been taken meanwhile, its taking not yet
		// recorded: what the edit gave stands, and the words read back
		// from the thread may be the ones it replaced.
		if gave, _ := keptFrom(p, src); gave != keptNothing {
			return flows.Outcome{Plan: p}, nil
		}
		saw, askedAt, err := s.saw(ctx, req)
		if err != nil {
			return flows.Outcome{}, err
		}
		// A line that gives its impact or effort was written as an
		// action line, and refused as one, its author told why: it is
		// no answer to a question, whenever it was written. It stays
		// refused, for its author's edit to correct (see takeRefused).
		if !flows.AsksLines(saw) && flows.NamesScores(req.Text) {
			return flows.Outcome{Plan: p}, nil
		}
		return s.step(ctx, req, saw, askedAt)(p)
	}, s.commit(ctx, req))
	if _, refused := errors.AsType[*flows.UserError](err); refused {
		return Response{}, nil
	}
	if err != nil || !resp.Changed {
		return resp, err
	}
	// A later edit of it revises what it now gave, as for a line taken.
	if _, err := s.Once(ctx, req.Team, takenKey(req)); err != nil {
		return Response{}, fmt.Errorf("record the reply read again: %w", err)
	}
	note := flows.Reply{Kind: flows.ReplyNote, Msg: flows.Sayf("Read %s's reply again: it was written after the next prompt was posted, so it answers that one.", flows.Person(req.User))}
	resp.Replies = append([]flows.Reply{note}, resp.Replies...)
	return resp, nil
}

// answeredAfter lists, in the order they were posted, the messages of
// p's channel posted after at that answered question q, as its answer or
// beside it.
func answeredAfter(p *flows.Plan, q string, at int64) []string {
	a, ok := p.Answers[q]
	if !ok {
		return nil
	}
	type reply struct {
		source string
		at     int64
	}
	var found []reply
	consider := func(src string) {
		channel, ts, ok := strings.Cut(src, "/")
		if !ok || channel != p.Channel {
			return
		}
		if n, ok := messageOrder(ts); ok && n > at {
			found = append(found, reply{src, n})
		}
	}
	if a.Text != "" {
		consider(a.Source)
	}
	for _, o := range a.Also {
		consider(o.Source)
	}
	slices.SortFunc(found, func(x, y reply) int { return cmp.Compare(x.at, y.at) })
	sources := make([]string, len(found))
	for i, r := range found {
		sources[i] = r.source
	}
	return sources
}

// EditMessage applies an edit of a message in a plan's conversation
// (req.Plan) or a check-in's (req.Checkin): req.TS is the message, req.Text
// its new text and req.User who edited it. An edited answer gets a new
// revision, the earlier text kept; edited values (in a check-in, or
// "values …" in the plan's conversation) replace the values from that
// message; an edited action or KPI line changes its action or KPI. Each
// is dated by req.Edited, so an older edit delivered late changes nothing.
// An action or KPI line its author had written and racebot refused is
// taken as corrected (Response.Taken), as if typed when the edit was made
// in reply to the prompt the message answered; so is a refused reply in a
// check-in's thread, as a reply written then, and refused values given
// with the values command in the plan's thread, as the command given then
// (no other command is run from an edit). An answer edited into a
// command, the edit of a message whose answer a newer one has replaced
// since, and that of a line whose offer its author took (refuseTaken),
// are refused (flows.UserError) and change nothing. A
// message racebot kept nothing from, and an edit by someone other than
// the author, change nothing and say nothing.
func (s *Service) EditMessage(ctx context.Context, req Request) (Response, error) {
	if req.Checkin != 0 {
		c, err := s.store.CheckinByID(ctx, req.Team, req.Checkin)
		if err != nil {
			return Response{}, err
		}
		resp, err := s.editValues(ctx, req, c.Plan)
		if err != nil || resp.Changed || resp.Duplicate {
			return resp, err
		}
		return s.takeCheckinReply(ctx, req, c, resp)
	}
	src := source(req)
	p, err := s.pick(ctx, req, "")
	if err != nil {
		return Response{}, err
	}
	correcting := false
	switch gave, by := keptFrom(p, src); {
	case gave == keptNothing:
		// Values given in the plan's thread are edited as in a check-in's.
		resp, err := s.editValues(ctx, req, p.ID)
		if err != nil || resp.Changed || resp.Duplicate {
			return resp, err
		}
		if arg, ok, err := s.valuesCommand(ctx, req, p); err != nil || ok {
			if err != nil {
				return Response{}, err
			}
			return s.takeValues(ctx, req, p, arg, resp)
		}
		if correcting, err = s.correcting(ctx, req, p); err != nil || !correcting {
			if err == nil {
				err = s.refuseUnkept(ctx, req, p)
			}
			return resp, err
		}
	case by != req.User:
		return Response{Plan: p}, nil
	}
	command, named, err := s.editCommand(ctx, req, p)
	if err != nil {
		return Response{}, err
	}
	edited := editedAt(req)
	var saw string
	var askedAt int64
	if correcting {
		if saw, askedAt, err = s.saw(ctx, req); err != nil {
			return Response{}, err
		}
	}
	taken := false
	// The offer an edit of its line renews or withdraws, written in the
	// edit's transaction.
	var kept *flows.Offer
	save := func(p *flows.Plan, out flows.Outcome) error {
		if kept != nil {
			return s.store.CommitOffer(ctx, p, out.Changes, *kept, req.Key)
		}
		return s.store.Commit(ctx, p, out.Changes, req.Key)
	}
	resp, err := s.commitFrom(ctx, req, nil, func(p *flows.Plan) (flows.Outcome, error) {
		taken, kept = false, nil
		switch gave, _ := keptFrom(p, src); {
		case gave == keptAction:
			return flows.ReviseAction(s.cat, p, src, req.Previous, req.Text, req.User, edited, req.Zone)
		case gave == keptKPI:
			return flows.ReviseKPI(s.cat, p, src, req.Previous, req.Text, req.User, edited, req.Zone)
		case gave == keptAnswer:
			o, offered, err := s.offered(ctx, req, p)
			if err != nil {
				return flows.Outcome{}, err
			}
			// An edit that names the offer's plan anew renews the offer
			// (see renewOffer); any other answer withdraws it, as the
			// plan's version moves, and its note says so. The offer is
			// kept, marked withdrawn: its author's yes, typed before they
			// read the note, is told so rather than filed as an answer.
			standing := ""
			if offered && named.Name == "" {
				standing = o.Command
			}
			out, err := flows.ReviseAnswer(s.cat, p, src, relinked(p, src, req.Text), req.User, edited, command, standing)
			if err == nil && offered && len(out.Changes) > 0 {
				if named.Name != "" {
					kept, out = renewOffer(req, o, p, out, named)
				} else {
					o.Withdrawn = true
					kept = &o
				}
			}
			return out, err
		case correcting:
			// Another edit may have been taken meanwhile: then this one
			// revises what it added, if it is the newer.
			taken = true
			answered, err := s.answeredSince(ctx, req, p, saw, askedAt)
			if err != nil {
				return flows.Outcome{}, err
			}
			return flows.TakeCorrected(s.cat, p, flows.Input{Text: req.Text, User: req.User, Now: edited, Saw: saw, Answered: answered, Source: src, Zone: req.Zone})
		}
		// Its answer may have been replaced since it was looked at.
		return flows.Outcome{Plan: p}, s.refuseUnkept(ctx, req, p)
	}, save)
	if err != nil || !taken || !resp.Changed {
		return resp, err
	}
	resp.Taken = true
	if _, err := s.Once(ctx, req.Team, takenKey(req)); err != nil {
		return Response{}, fmt.Errorf("record the corrected line: %w", err)
	}
	return resp, nil
}

// relinked is an edit's text for the answer from the message src: a
// message added from side chat with "Add to RACE plan" keeps the link to
// it (see Linked) through its author's edits.
func relinked(p *flows.Plan, src, text string) string {
	_, c, ok := p.AnswerFrom(src)
	if !ok {
		return text
	}
	if _, link := unlinked(c.Text); link != "" && strings.TrimSpace(text) != "" {
		return Linked(strings.TrimSpace(text), link)
	}
	return text
}

// editCommand is the command an edit's text (req) reads as in plan p's
// thread, as a new reply would be read, prefix or not, and whether or
// not racebot knows it; "" when it reads as an answer. A line that could be either (`new <name>` while the plan
// waits for a reply) is an answer, as a new reply so written is kept as
// one: "New parents in Berlin" is an answer far more often than a plan.
// Such a line is named too (named), for the offer made with the line it
// edits to follow it (see renewOffer). Only an answer's edit is read:
// an action's or a KPI's line is read as one, and side chat reads none.
func (s *Service) editCommand(ctx context.Context, req Request, p *flows.Plan) (command string, named flows.Command, err error) {
	if req.TS == "" || req.Command {
		return "", flows.Command{}, nil
	}
	if gave, _ := keptFrom(p, source(req)); gave != keptAnswer {
		return "", flows.Command{}, nil
	}
	text := strings.TrimSpace(req.Text)
	if rest, prefixed := CutCommandPrefix(text); prefixed {
		// A new reply so written is a command wherever it is typed, one
		// not known included (refused), and a bare prefix shows the help:
		// as words, such an edit is no answer either.
		cmd, err := flows.ParseCommand(rest)
		if err != nil {
			return strings.TrimSpace(rest), flows.Command{}, nil
		}
		return cmp.Or(strings.TrimSpace(rest), cmd.Name), flows.Command{}, nil
	}
	cmd, kind, _, err := s.classify(ctx, req, text, p)
	switch {
	case err != nil:
		return "", flows.Command{}, err
	case kind == flows.LineCommand:
		// Told as the command the reply runs, which the prefixed form
		// must read too: "next" is a reply's word for done alone, and
		// its words may be split by any space, not only " ".
		if _, err := flows.ParseCommand(text); err != nil {
			arg := ""
			if i := strings.IndexFunc(text, unicode.IsSpace); i >= 0 {
				arg = text[i:]
			}
			return strings.TrimSpace(cmd.Name + " " + strings.TrimSpace(arg)), flows.Command{}, nil
		}
		return text, flows.Command{}, nil
	case kind == flows.LineAmbiguous && cmd.Name == "new":
		return "", cmd, nil
	}
	return "", flows.Command{}, nil
}

// offered returns the offer of a command its author's answer from an
// edited message (req) in p was kept with, when it still stands. Every
// edit of an answer asks: one into a plain answer withdraws the offer,
// and its author is told.
func (s *Service) offered(ctx context.Context, req Request, p *flows.Plan) (flows.Offer, bool, error) {
	qid, c, ok := p.AnswerFrom(source(req))
	if !ok {
		return flows.Offer{}, false, nil
	}
	o, ok, err := s.store.Offer(ctx, req.Team, req.Channel, p.ID, req.User)
	if err != nil {
		return flows.Offer{}, false, fmt.Errorf("the offer made with the answer: %w", err)
	}
	return o, ok && o.Valid(p, req.Now) && o.QuestionID == qid && o.Revision == c.Revision, nil
}

// renewOffer moves offer o, which stood with the answer an edit revised
// (out), to the line as edited when that could still be a command
// (named): its author who edits a typo out of the plan's name ("new Lunch
// plan" into "new Launch plan") means that plan no less, and their `yes`
// must start it, not be filed as the next question's answer. It takes
// back the same answer as before, to the same text, and is offered as a
// new reply's is. p is the plan the edit was made on.
func renewOffer(req Request, o flows.Offer, p *flows.Plan, out flows.Outcome, named flows.Command) (*flows.Offer, flows.Outcome) {
	_, c, ok := out.Plan.AnswerFrom(source(req))
	if !ok {
		return nil, out
	}
	o.Command, o.Revision = named.Name+" "+named.Arg, c.Revision
	// The commit moves the plan on by one version, as keepAndOffer's does.
	o.Version, o.Expires = p.Version+1, req.Now.Add(OfferKept)
	out.Replies = append(out.Replies, flows.Reply{Kind: flows.ReplyNote, Msg: newPlanOfferText(named)})
	return &o, out
}

// refuseUnkept refuses an edit (req) of a message its author's answer in
// p came from and no longer does: the line started a plan (refuseTaken),
// or a newer answer replaced it (refuseReplaced). Neither edit changes
// anything, and its author hears why rather than nothing.
func (s *Service) refuseUnkept(ctx context.Context, req Request, p *flows.Plan) error {
	if err := s.refuseTaken(ctx, req, p); err != nil {
		return err
	}
	return s.refuseReplaced(ctx, req, p)
}

// refuseTaken refuses an edit (req) of its author's line in p whose offer
// they took (see takeOffer): the line left p's answers then, and a plan
// it started stays started, even if deleted since (see
// flows.RefuseTakenEdit). A deleted plan is not named: its name is gone
// with it; yet its author, who may have deleted it to give the line as
// their answer after all, is told the edit changed nothing all the same.
func (s *Service) refuseTaken(ctx context.Context, req Request, p *flows.Plan) error {
	src := source(req)
	if src == "" || req.Command {
		return nil
	}
	id, qid, err := s.store.TakenLine(ctx, req.Team, p.ID, src, req.User)
	if err != nil || id == 0 {
		return err
	}
	name := ""
	switch started, err := s.store.Plan(ctx, req.Team, id); {
	case err == nil:
		name = started.Name
	case !errors.Is(err, flows.ErrNoPlan):
		return fmt.Errorf("the plan the edited line started: %w", err)
	}
	// The plan the edit names as a new reply's `new` would (prefix or
	// not), for the note to say how to start that one instead.
	named := ""
	text, _ := CutCommandPrefix(req.Text)
	if cmd, err := flows.ParseCommand(text); err == nil && cmd.Name == "new" {
		named = cmd.Arg
	}
	return flows.RefuseTakenEdit(s.cat, qid, name, named)
}

// refuseReplaced refuses an edit (req) of a message whose answer in p was
// replaced since by a newer one (see flows.RefuseReplacedEdit). The
// message answered the question its author saw (see saw), which is the
// only history read: most edited messages that keep nothing are side
// chat, and a question with no answer, or with this message's, has
// nothing newer standing.
func (s *Service) refuseReplaced(ctx context.Context, req Request, p *flows.Plan) error {
	src := source(req)
	if src == "" || req.Command {
		return nil
	}
	qid, _, err := s.saw(ctx, req)
	if err != nil {
		return err
	}
	if a := p.Answers[qid]; a.Text == "" || a.Source == src {
		return nil
	}
	history, err := s.store.Revisions(ctx, req.Team, p.ID, qid)
	if err != nil {
		return fmt.Errorf("history of the question edited: %w", err)
	}
	return flows.RefuseReplacedEdit(s.cat, p, qid, history, src, req.User)
}

// refusedKey records that a reply in a plan's conversation, by its
// author (req.User), was refused: an edit of it by them is then taken as
// the line corrected. Another's edit names another key. It starts as the
// message's key does, so the store keeps it as long (MessageKeysKept): a
// line refused in the morning may be corrected in the afternoon, long
// after KeysKept.
func refusedKey(req Request) string {
	return MessageKey(req.Channel, req.TS) + ":refused:" + req.User
}

// takenKey records that an edit of a refused reply (see refusedKey) was
// taken as the line corrected; kept as long as refusedKey, which without
// it would have a later edit taken again.
func takenKey(req Request) string { return refusedKey(req) + ":taken" }

// noteRefused records that a reply in a plan's or a check-in's
// conversation was refused (err is a flows.UserError), so that its author
// may correct it by editing it (see EditMessage).
func (s *Service) noteRefused(ctx context.Context, req Request, err error) error {
	if _, bad := errors.AsType[*flows.UserError](err); !bad || !refusable(req) {
		return nil
	}
	if _, err := s.Once(ctx, req.Team, refusedKey(req)); err != nil {
		return fmt.Errorf("record the refused reply: %w", err)
	}
	return nil
}

// refusable reports whether a refusal of req is recorded (noteRefused):
// only a message in a plan's conversation can be edited to correct it.
func refusable(req Request) bool { return req.TS != "" && req.Plan != 0 }

// correcting reports whether an edit (req) corrects a line its author
// wrote and racebot refused, and no edit of it was taken yet: one that
// was, was taken as the line and is edited as one, and once its action or
// KPI is gone or set from another message, an edit changes nothing, as
// for a line taken at once.
func (s *Service) correcting(ctx context.Context, req Request, p *flows.Plan) (bool, error) {
	if req.TS == "" || req.Command {
		return false, nil
	}
	// A command is not run from an edit, nor read as a line.
	text := strings.TrimSpace(req.Text)
	if _, prefixed := CutCommandPrefix(text); prefixed {
		return false, nil
	}
	if _, kind, _, err := s.classify(ctx, req, text, p); err != nil || kind == flows.LineCommand {
		return false, err
	}
	return s.uncorrected(ctx, req)
}

// uncorrected reports whether the message an edit (req) changes was
// refused when its editor wrote it, and no edit of it was taken yet.
func (s *Service) uncorrected(ctx context.Context, req Request) (bool, error) {
	if req.TS == "" {
		return false, nil
	}
	refused, err := s.Handled(ctx, req.Team, refusedKey(req))
	if err != nil || !refused {
		return false, err
	}
	taken, err := s.Handled(ctx, req.Team, takenKey(req))
	return !taken, err
}

// takeCheckinReply takes the edit of a reply in check-in c's thread that
// racebot refused, by its author, as the reply they meant to write: read
// as a reply written when the edit was made, in c even when c has closed
// meanwhile, as a late reply is (see takeRefused).
func (s *Service) takeCheckinReply(ctx context.Context, req Request, c flows.Checkin, resp Response) (Response, error) {
	return s.takeRefused(ctx, req, c.Plan, resp, func(req Request) (Response, error) {
		taken, err := s.checkinReply(ctx, req, req.Text, req.Previous)
		taken.Checkin = c
		return taken, err
	})
}

// valuesCommand is the argument of the values command an edit's text
// (req) reads as in plan p's thread, as a new reply would be read; false
// when it reads as anything else.
func (s *Service) valuesCommand(ctx context.Context, req Request, p *flows.Plan) (string, bool, error) {
	if req.TS == "" || req.Command {
		return "", false, nil
	}
	text := strings.TrimSpace(req.Text)
	if rest, prefixed := CutCommandPrefix(text); prefixed {
		cmd, err := flows.ParseCommand(rest)
		return cmd.Arg, err == nil && cmd.Name == "values", nil
	}
	cmd, kind, _, err := s.classify(ctx, req, text, p)
	if err != nil {
		return "", false, err
	}
	return cmd.Arg, kind == flows.LineCommand && cmd.Name == "values", nil
}

// takeValues takes the edit of values its author gave with the values
// command in plan p's thread (arg), which racebot refused, as the command
// they meant to give, given when the edit was made: in the check-in open
// then, as the command's values are (see takeRefused).
func (s *Service) takeValues(ctx context.Context, req Request, p *flows.Plan, arg string, resp Response) (Response, error) {
	return s.takeRefused(ctx, req, p.ID, resp, func(req Request) (Response, error) {
		return s.valuesInCheckin(ctx, req, arg)
	})
}

// takeRefused takes an edit (req) of a message in plan's conversations
// that racebot refused, by its author, with take: as if written when the
// edit was made (values dated by the edit, so an older edit delivered
// late changes nothing). Anything else changes nothing (resp). One still
// refused is refused as a new message would be, and may be corrected
// again.
func (s *Service) takeRefused(ctx context.Context, req Request, plan flows.PlanID, resp Response, take func(Request) (Response, error)) (Response, error) {
	if ok, err := s.uncorrected(ctx, req); err != nil || !ok {
		return resp, err
	}
	req.Plan, req.Now, req.Edited = plan, editedAt(req), editedAt(req)
	taken, err := take(req)
	if err != nil {
		old, verr := s.valueFrom(ctx, req.Team, plan, source(req))
		switch {
		case verr != nil:
			return Response{}, verr
		case old != nil:
			// Another edit of the message was taken meanwhile: this one
			// edits what it gave, if it is the newer.
			return s.editValues(ctx, req, plan)
		}
		return Response{}, err
	}
	if !taken.Changed {
		return taken, nil
	}
	if _, err := s.Once(ctx, req.Team, takenKey(req)); err != nil {
		return Response{}, fmt.Errorf("record the corrected message: %w", err)
	}
	taken.Taken = true
	return taken, nil
}

// editedAt is when an edit request's edit was made: Request.Edited, or
// Now for a transport that does not date edits.
func editedAt(req Request) time.Time {
	if req.Edited.IsZero() {
		return req.Now
	}
	return req.Edited
}

// kept is what a plan keeps from one message.
type kept int

const (
	keptNothing kept = iota
	keptAction
	keptKPI
	keptAnswer
)

// keptFrom reports what p keeps from the message src, and who wrote it: a
// message gives an action, a KPI or an answer, never two of them.
func keptFrom(p *flows.Plan, src string) (kept, string) {
	if a, ok := p.ActionFrom(src); ok {
		return keptAction, a.By
	}
	if k, ok := p.KPIFrom(src); ok {
		return keptKPI, k.By
	}
	if _, c, ok := p.AnswerFrom(src); ok {
		return keptAnswer, c.By
	}
	return keptNothing, ""
}

// DeleteMessage applies the deletion of a message (req.TS) in a plan's or
// a check-in's conversation: its answer is withdrawn, the text kept in the
// history, its action or KPI removed (an action someone has set a status
// of and a KPI with values stay, and the reply says so), or its values are
// removed. A message racebot kept
// nothing from changes nothing.
func (s *Service) DeleteMessage(ctx context.Context, req Request) (Response, error) {
	src := source(req)
	if req.Checkin != 0 {
		c, err := s.store.CheckinByID(ctx, req.Team, req.Checkin)
		if err != nil {
			return Response{}, err
		}
		// Replaced at once, without reading the plan's values first: a
		// message that gave none (most in a thread) costs no read of
		// them, and what it gave is what the replacement found.
		drop := func() (Response, error) {
			resp, _, err := s.replaceValues(ctx, req, c.Plan, src, nil, nil)
			return resp, err
		}
		resp, err := drop()
		if err != nil || resp.Duplicate || resp.Changed {
			return resp, err
		}
		if read, err := s.unread(ctx, req); err != nil || !read {
			return resp, err
		}
		// Read meanwhile: its values may have been recorded just now.
		return drop()
	}
	p, err := s.pick(ctx, req, "")
	if err != nil {
		return Response{}, err
	}
	if gave, _ := keptFrom(p, src); gave == keptNothing {
		// Values given in the plan's thread go as in a check-in's.
		if resp, err := s.dropValues(ctx, req, p, src); err != nil || resp.Duplicate || resp.Changed {
			return resp, err
		}
		read, err := s.unread(ctx, req)
		if err != nil || !read {
			return Response{Plan: p}, err
		}
		// Read meanwhile: its answer, action or values may have been
		// recorded just now.
		if p, err = s.pick(ctx, req, ""); err != nil {
			return Response{}, err
		}
		if gave, _ := keptFrom(p, src); gave == keptNothing {
			return s.dropValues(ctx, req, p, src)
		}
	}
	return s.commitChanges(ctx, req, func(p *flows.Plan) (flows.Outcome, error) {
		switch gave, _ := keptFrom(p, src); gave {
		case keptAction:
			return flows.WithdrawAction(s.cat, p, src), nil
		case keptKPI:
			// Read in each attempt: a value recorded meanwhile keeps the KPI.
			ms, err := s.store.Measurements(ctx, req.Team, p.ID)
			if err != nil {
				return flows.Outcome{}, fmt.Errorf("values of the KPI: %w", err)
			}
			k, _ := p.KPIFrom(src)
			return flows.WithdrawKPI(s.cat, p, src, len(ms[k.ID]) > 0), nil
		default:
			return flows.WithdrawAnswer(s.cat, p, src, req.Now), nil
		}
	})
}

// unread marks a deleted message that gave nothing as read, so that it
// never will be: its delivery may still be on its way (Slack retries one
// that failed after the deletion), and catch-up may read it back, and what
// was deleted must not be recorded then. It reports whether the message
// was read already, perhaps just now, after the caller found nothing.
func (s *Service) unread(ctx context.Context, req Request) (read bool, err error) {
	if req.TS == "" {
		return false, nil
	}
	first, err := s.Once(ctx, req.Team, MessageKey(req.Channel, req.TS))
	if err != nil {
		return false, fmt.Errorf("mark the deleted message: %w", err)
	}
	return !first, nil
}

// editValues replaces the values an edited message gave, in a check-in's
// thread or the plan's, with the values its new text gives. They keep the
// time and check-in of the originals: the edit corrects what was reported
// then. The response names the check-in they are in, for its summary.
func (s *Service) editValues(ctx context.Context, req Request, plan flows.PlanID) (Response, error) {
	src := source(req)
	p, err := s.store.Plan(ctx, req.Team, plan)
	if err != nil {
		return Response{}, fmt.Errorf("load plan: %w", err)
	}
	given, err := s.valuesFrom(ctx, req.Team, plan, src)
	if err != nil {
		return Response{}, err
	}
	if len(given) == 0 || given[0].By != req.User {
		return Response{Plan: p}, nil
	}
	old := given[0]
	edited := editedAt(req)
	req.Now, req.Checkin, req.Edited = old.At, old.Checkin, time.Time{}
	// Read as the reply was: its status lines set actions then, and are
	// no values.
	_, values := checkinLines(req.Text)
	read, err := readValuesOf(p, strings.Join(values, "\n"), req)
	if err != nil {
		return Response{}, err
	}
	ms, said := read.ms, read.said()
	if len(read.problems) > 0 {
		// What the edit could not read changes nothing: a value the
		// message gave stays unless the edit gives its KPI another.
		// Which KPI an unread part meant is not known.
		given := slices.Clone(given)
		// Said, as the message no longer shows a value it left out; in
		// the plan's order (its KPIs' ids), not the store's map's.
		slices.SortFunc(given, func(a, b flows.Measurement) int { return cmp.Compare(a.KPI, b.KPI) })
		var kept []flows.Msg
		for _, m := range given {
			if !slices.ContainsFunc(ms, func(n flows.Measurement) bool { return n.KPI == m.KPI }) {
				ms = append(ms, m)
				if i := slices.IndexFunc(p.KPIs, func(k flows.KPI) bool { return k.ID == m.KPI }); i >= 0 {
					kept = append(kept, flows.Sayf("%s %s", flows.User(p.KPIs[i].Name), flows.FormatValue(m.Value)))
				}
			}
		}
		if len(kept) > 0 {
			said = said.Append(flows.Sayf("Kept as it was: %s.", flows.Join(kept, ", ")))
		}
	}
	for i := range ms {
		// The original's time, not its message's: a corrected reply's
		// values were given when it was corrected.
		ms[i].At, ms[i].Edited = old.At, edited
	}
	resp, _, err := s.replaceValues(ctx, req, plan, src, ms, said)
	if err != nil || !resp.Changed {
		return resp, err
	}
	// The edit keeps the original's time, so a value another person gave
	// after it still stands over it: the editor hears so, as when the
	// reply was first recorded.
	if notes := s.checkinNotes(ctx, req, p, ms); notes != nil && len(resp.Replies) > 0 {
		resp.Replies[0].Msg = resp.Replies[0].Msg.Append(" ", notes)
	}
	return s.withCheckin(ctx, req.Team, resp, old.Checkin)
}

// dropValues removes the values a deleted message in p's thread gave
// ("values …"), says so there, and names the check-in they were in.
func (s *Service) dropValues(ctx context.Context, req Request, p *flows.Plan, src string) (Response, error) {
	resp, r, err := s.replaceValues(ctx, req, p.ID, src, nil, nil)
	if err != nil || !resp.Changed {
		return resp, err
	}
	resp.Plan = p
	resp.Replies = []flows.Reply{{Kind: flows.ReplyNote, Msg: flows.Say(flows.Text("The values of a deleted message were removed."))}}
	return s.withCheckin(ctx, req.Team, resp, r.Gone[0].Checkin)
}

// standingAgain is, of the values a replacement withdrew from a check-in,
// whose earlier value is the check-in's again for each KPI (see
// flows.StandsAgain), as the replacement left them: of two withdrawals
// at once, only the one that came second finds it.
func standingAgain(r Replaced) []flows.Measurement {
	var standing []flows.Measurement
	for _, m := range r.Gone {
		if again, ok := flows.StandsAgain(r.Left[m.KPI], m); ok {
			standing = append(standing, again)
		}
	}
	return standing
}

// StandingNote tells a check-in's thread whose values are its own again
// (Response.Standing), after the request that withdrew those that had
// replaced them. It reads the values as they are now, after the ack,
// and names each as it is now (its author may have corrected it since),
// leaving out a value withdrawn or replaced since: taken back at the
// same moment as the one over it, it did not stand, and the one found
// under it (by the other withdrawal) is told instead. Nil when none still
// stands.
func (s *Service) StandingNote(ctx context.Context, team string, plan flows.PlanID, standing []flows.Measurement) (flows.Msg, error) {
	if len(standing) == 0 {
		return nil, nil
	}
	p, err := s.store.Plan(ctx, team, plan)
	if err != nil {
		return nil, fmt.Errorf("load plan: %w", err)
	}
	all, err := s.store.Measurements(ctx, team, plan)
	if err != nil {
		return nil, fmt.Errorf("load values: %w", err)
	}
	var notes []flows.Msg
	for _, m := range standing {
		i := slices.IndexFunc(p.KPIs, func(k flows.KPI) bool { return k.ID == m.KPI })
		if now, ok := flows.StillStands(all[m.KPI], m); i >= 0 && ok {
			notes = append(notes, flows.StandsAgainText(p.KPIs[i], now))
		}
	}
	if len(notes) == 0 {
		return nil, nil
	}
	return flows.Join(notes, " "), nil
}

// withCheckin names in resp the check-in (if any) whose values changed.
func (s *Service) withCheckin(ctx context.Context, team string, resp Response, checkin int64) (Response, error) {
	if checkin == 0 {
		return resp, nil
	}
	c, err := s.store.CheckinByID(ctx, team, checkin)
	if err != nil {
		return Response{}, err
	}
	resp.Checkin = c
	return resp, nil
}

// valueFrom is a value the message src gave, nil when it gave none.
func (s *Service) valueFrom(ctx context.Context, team string, plan flows.PlanID, src string) (*flows.Measurement, error) {
	given, err := s.valuesFrom(ctx, team, plan, src)
	if err != nil || len(given) == 0 {
		return nil, err
	}
	return &given[0], nil
}

// valuesFrom is every value the message src gave.
func (s *Service) valuesFrom(ctx context.Context, team string, plan flows.PlanID, src string) ([]flows.Measurement, error) {
	if src == "" {
		return nil, nil
	}
	all, err := s.store.Measurements(ctx, team, plan)
	if err != nil {
		return nil, fmt.Errorf("load values: %w", err)
	}
	var given []flows.Measurement
	for _, list := range all {
		for _, m := range list {
			if m.Source == src {
				given = append(given, m)
			}
		}
	}
	return given, nil
}

// valuesText is the values a message gives: on each line, the text after
// the values command when it has one (as the help shows it, and as it is
// written in a plan's thread), else all of it (as in a check-in's).
func valuesText(text string) string {
	lines := strings.Split(text, "\n")
	for i, line := range lines {
		rest, _ := CutCommandPrefix(line)
		if cmd, err := flows.ParseCommand(rest); err == nil && cmd.Name == "values" {
			lines[i] = cmd.Arg
		}
	}
	return strings.Join(lines, "\n")
}

// replaceValues replaces the values the message src gave with ms (see
// MessageStore.ReplaceMeasurements), says said as updated, and names in
// Standing whose values the replacement left standing again.
func (s *Service) replaceValues(ctx context.Context, req Request, plan flows.PlanID, src string, ms []flows.Measurement, said flows.Msg) (Response, Replaced, error) {
	r, err := s.store.ReplaceMeasurements(ctx, req.Team, plan, src, ms, req.Key)
	switch {
	case errors.Is(err, flows.ErrDuplicate):
		return Response{Duplicate: true}, r, nil
	case err != nil:
		return Response{}, r, fmt.Errorf("replace values: %w", err)
	case r.N == 0:
		return Response{}, r, nil
	}
	resp := Response{Changed: true, Standing: standingAgain(r)}
	if len(said) > 0 {
		resp.Replies = []flows.Reply{{Kind: flows.ReplyValues, Msg: flows.Sayf("Updated: %s", said)}}
	}
	return resp, r, nil
}
