package bot

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/racebot/racebot/coach"
	"github.com/racebot/racebot/flows"
	"github.com/racebot/racebot/markup"
	"github.com/slack-go/slack"
)

// ack is what a slash command answers at once: shown only to the person
// who typed it. A nil ack acknowledges silently.
type ack struct {
	ResponseType string        `json:"response_type,omitempty"`
	Text         string        `json:"text,omitempty"`
	Blocks       []slack.Block `json:"blocks,omitempty"`
	// encoded, when set, is the ack as JSON already (see helpAcks).
	encoded []byte
}

func ephemeralAck(m message) *ack {
	return &ack{ResponseType: slack.ResponseTypeEphemeral, Text: truncate(m.Text, maxFallback), Blocks: m.Blocks}
}

// textAck acknowledges with a sentence that may quote what the person
// typed, so it is escaped.
func textAck(text string) *ack {
	return ephemeralAck(plainMessage("ack", text))
}

// plainMessage is a one-section message of plain words, escaped so that
// quoted user text cannot mention anyone.
func plainMessage(base, text string) message {
	text = escape(text)
	return message{Text: text, Blocks: sections(blockIDs{}, base, text)}
}

// Command runs a slash command: the coach's part (which commits to SQLite)
// now, posting to the channel afterwards.
func (b *Bot) Command(ctx context.Context, cmd slack.SlashCommand) *ack {
	ctx, cancel := b.ackBound(ctx)
	defer cancel()
	if cmd.TeamID == "" || cmd.ChannelID == "" || cmd.UserID == "" {
		return textAck("That command arrived without a workspace, channel or user, so I can't act on it.")
	}
	t := tenant{enterprise: cmd.EnterpriseID, team: cmd.TeamID}
	ctx = withTenant(ctx, t)
	if !b.serves(ctx, t) {
		return nil
	}
	req := coach.Request{
		Team:    cmd.TeamID,
		Channel: cmd.ChannelID,
		User:    cmd.UserID,
		// Slack encodes a command's text as it does a message's.
		Text:    string(markup.FromSlack(cmd.Text)),
		Now:     b.now(),
		Command: true,
		Key:     commandKey(cmd),
	}
	name := commandName(cmd.Text)
	if name == "checkin" || name == "schedule" || flows.ReadsToday(req.Text) {
		req.Zone = b.userZone(ctx, cmd.UserID)
	}
	if name == "values" {
		return b.commandValues(ctx, req)
	}
	resp, err := b.svc.Handle(ctx, req)
	if err != nil {
		return msgAck(b.explain(err, "slash command"))
	}
	switch {
	case name == "help" && len(resp.Replies) == 1 && resp.Replies[0].Kind == flows.ReplyHelp:
		return b.helpAcks.ack(cmd.Text, resp.Replies)
	case resp.Duplicate:
		// Handled when it first came; that delivery said what there was
		// to say.
		return nil
	case resp.Created:
		b.later(ctx, "post new plan", func(ctx context.Context) { b.postOrExplain(ctx, cmd, resp) })
		return nil
	case hasKind(resp.Replies, flows.ReplyConfirm):
		r := resp.Replies[0]
		return ephemeralAck(confirmDeleteMessage(resp.Plan, mrkdwn(r.Msg)))
	case hasKind(resp.Replies, flows.ReplyScoreForm):
		return b.openScoreForm(ctx, cmd, resp.Plan)
	case resp.Retro != 0:
		b.later(ctx, "post retro", func(ctx context.Context) { b.postRetro(ctx, resp.Plan, resp) })
		return msgAck(flows.Sayf("The retro of %q is going up in this channel; answer its questions in its thread.", flows.User(resp.Plan.Name)))
	case hasKind(resp.Replies, flows.ReplyExport):
		started, ok := b.startExport(ctx, resp.Plan, cmd.UserID)
		if !ok {
			return msgAck(exportUnderWay)
		}
		b.later(ctx, "export", func(ctx context.Context) { b.export(ctx, commandAsker(cmd, resp.Plan), resp.Plan, started) })
		return textAck("Exporting the plan; the file will appear in this channel in a moment.")
	case resp.Report:
		started, ok := b.startWork(ctx, resp.Plan, coach.WorkReport, "")
		if !ok {
			return msgAck(underWay(coach.WorkReport, resp.Plan))
		}
		b.later(ctx, "report", func(ctx context.Context) { b.postReport(ctx, resp.Plan, commandAsker(cmd, resp.Plan), started) })
		return textAck("Drawing the KPI chart; it will appear in the plan's thread.")
	case resp.Review:
		started, ok := b.startWork(ctx, resp.Plan, coach.WorkReview, "")
		if !ok {
			return msgAck(underWay(coach.WorkReview, resp.Plan))
		}
		b.later(ctx, "review", func(ctx context.Context) { b.postReview(ctx, resp.Plan, commandAsker(cmd, resp.Plan), started) })
		return msgAck(flows.Sayf("Reviewing %q; the review will appear in its thread.", flows.User(resp.Plan.Name)))
	case hasKind(resp.Replies, flows.ReplyDeleted):
		return ephemeralAck(renderReplies(nil, resp.Replies))
	case resp.Plan != nil && isReplyWord(name) && !resp.Changed && resp.Draft == nil:
		// The plan moved on before the command's turn came (another
		// person's done or skip won): that is for its author alone.
		return ephemeralAck(renderReplies(resp.Plan, resp.Replies))
	case resp.Plan != nil && name == "action":
		// The command acts on the channel's plan, which someone may have
		// switched since its author read an action's number: the author
		// is told which action of which plan it marked, where they typed
		// it. A status it already had is news to no one else.
		if resp.Changed {
			b.later(ctx, "post to plan", func(ctx context.Context) { b.postOrExplain(ctx, cmd, resp) })
		}
		var said []flows.Msg
		for _, r := range resp.Replies {
			said = append(said, r.Msg)
		}
		return msgAck(flows.Sayf("In %q: %s", flows.User(resp.Plan.Name), flows.Join(said, " ")))
	case resp.Plan != nil && movesConversation(name):
		b.later(ctx, "post to plan", func(ctx context.Context) { b.postOrExplain(ctx, cmd, resp) })
		return msgAck(flows.Sayf("Done — the conversation for %q continues in its thread.", flows.User(resp.Plan.Name)))
	default:
		return ephemeralAck(renderReplies(resp.Plan, resp.Replies))
	}
}

// commandValues records the values of /race values. They go into the
// plan's open check-in, if it has one, as values given in its thread, a
// mention or a direct message do: confirmed in its thread, and its summary
// updated after the ack.
func (b *Bot) commandValues(ctx context.Context, req coach.Request) *ack {
	cmd, err := flows.ParseCommand(req.Text)
	if err != nil {
		return msgAck(b.explain(err, "slash command"))
	}
	a, err := b.svc.RecordValues(ctx, req, cmd.Arg)
	if err != nil {
		return msgAck(b.explain(err, "slash command"))
	}
	if a.Duplicate {
		return nil
	}
	b.later(ctx, "values in the check-in", func(ctx context.Context) { b.confirmInCheckin(ctx, req.Key, a, req.User) })
	return ephemeralAck(renderReplies(a.Plan, a.Replies))
}

// commandKey is a slash command's delivery key. Slack sends a command no id
// of its own, but each invocation gets a trigger id of its own, and a
// Socket Mode envelope delivered again carries the same one.
func commandKey(cmd slack.SlashCommand) string {
	if cmd.TriggerID == "" {
		return ""
	}
	return "command:" + cmd.TriggerID
}

// movesConversation says whether a command's reply belongs in the plan's
// thread (the team sees the coach move) rather than only to its author.
func movesConversation(name string) bool {
	switch name {
	case "continue", "stage", "skip", "back", "done", "draft", "edit", "kpi", "action", "score":
		return true
	}
	return false
}

// isReplyWord says whether a command is one of the words that also work
// as replies in a plan's thread.
func isReplyWord(name string) bool {
	switch name {
	case "skip", "back", "done", "draft":
		return true
	}
	return false
}

// commandName is the command text starts with, lower-cased, with or
// without the slash command in front: in a thread, where Slack runs no
// slash command, people type "/race schedule" as they would in the
// channel, and it must read their zone just the same.
func commandName(text string) string {
	text, _ = coach.CutCommandPrefix(text)
	word, _, _ := strings.Cut(text, " ")
	return strings.ToLower(word)
}

func hasKind(rs []flows.Reply, k flows.ReplyKind) bool {
	for _, r := range rs {
		if r.Kind == k {
			return true
		}
	}
	return false
}

// postToPlan queues replies to what by wrote for the plan's thread (see
// outbox.go) and returns at once: a handler calls it before
// acknowledging. A plan without a thread yet gets its header posted
// first, after the acknowledgement.
func (b *Bot) postToPlan(p *flows.Plan, by string, replies []flows.Reply, draft *flows.DraftRequest) {
	if len(replies) == 0 && draft == nil {
		return
	}
	if p.Thread != "" {
		b.outbox.add(viewOf(p), by, replies, draft)
		return
	}
	b.later(teamCtx(p.Team), "post plan header", func(ctx context.Context) {
		if _, err := b.ensureThread(ctx, p); err != nil {
			b.failed(ctx, "post plan header", err, "plan", p.ID)
			return
		}
		b.outbox.add(viewOf(p), by, replies, draft)
	})
}

// ensureThread returns the plan's coaching thread, posting the plan's
// header to start one if it has none. Two posts can race (two commands
// acknowledged before either header is out): the first to bind its thread
// wins, and the loser deletes its own header and uses the winner's thread.
// A header whose thread could not be bound is deleted too: replies there
// would reach no plan, and the next try posts a header of its own.
func (b *Bot) ensureThread(ctx context.Context, p *flows.Plan) (string, error) {
	if p.Thread != "" {
		return p.Thread, nil
	}
	ts, err := b.poster.postOnce(ctx, p.Channel, "", headerKey(p), headerMessage(b.cat, p))
	if err != nil {
		return "", err
	}
	bound, won, err := b.svc.BindThread(ctx, p.Team, p.ID, ts)
	if err != nil {
		b.removeHeader(ctx, p, ts)
		return "", err
	}
	if !won {
		b.removeHeader(ctx, p, ts)
	} else {
		// The header shows the plan as p had it; a change made since
		// it was read brings it up to date.
		id := headerID{p.Team, p.ID}
		b.headers.posted(id, progressLine(b.cat, p))
		b.headers.refresh(id)
	}
	p.Thread = bound
	return bound, nil
}

// removeHeader deletes a header that started no plan's thread.
func (b *Bot) removeHeader(ctx context.Context, p *flows.Plan, ts string) {
	// The header is out whatever happens to the request that posted it,
	// so it is taken down even when that request's context has ended.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), claimedPostTimeout)
	defer cancel()
	if _, _, err := b.slack(ctx).DeleteMessageContext(ctx, p.Channel, ts); err != nil {
		b.log.Warn("remove plan header", "plan", p.ID, "ts", ts, "err", err)
	}
}

// exportUnderWay answers an export asked for while the same person's
// export of the plan is being shared, or was a moment ago. A racebot
// killed while it shared one leaves its hold for two minutes (coach's
// holdBound), in which the export is not coming: the person is told
// when asking again works.
var exportUnderWay = say("That export is already on its way; if it has not come in two minutes, please ask again.")

// startExport reports whether user's export of p may start, and when it
// did: not while another of theirs is under way, in any racebot. When
// the store cannot say, it starts: an export shared twice does less harm
// than none.
func (b *Bot) startExport(ctx context.Context, p *flows.Plan, user string) (started time.Time, ok bool) {
	started = b.now()
	ok, err := b.svc.StartExport(ctx, p.Team, p.ID, user, started)
	if err != nil {
		b.log.Warn("export: hold", "plan", p.ID, "err", err)
		return started, true
	}
	return started, ok
}

// underWay answers a review or KPI chart of p asked for while another is
// being made for the same place, by anyone in any racebot, or was shown
// there a moment ago.
// As with exportUnderWay, a racebot killed meanwhile leaves its hold
// (coach.Work.Bound: a review's lasts as long as placeholderLeft, the
// model's time), so the person is told when asking again works.
func underWay(w coach.Work, p *flows.Plan) flows.Msg {
	if w == coach.WorkReport {
		return flows.Sayf("A KPI chart of %q is already being drawn; if it has not come in two minutes, please ask again.", flows.User(p.Name))
	}
	return flows.Sayf("A review of %q is already being written; if it has not come in six minutes, please ask again.", flows.User(p.Name))
}

// startWork reports whether w of p going to where (see workPlace) may
// start, and when it did: not while another is under way there, in any
// racebot. When the store cannot say, it
// starts, as an export does.
func (b *Bot) startWork(ctx context.Context, p *flows.Plan, w coach.Work, where string) (started time.Time, ok bool) {
	started = b.now()
	ok, err := b.svc.StartWork(ctx, p, w, where, started)
	if err != nil {
		b.log.Warn("hold", "work", w, "plan", p.ID, "err", err)
		return started, true
	}
	return started, ok
}

// endWork ends the hold startWork took at started on w of p, which was
// shown or not.
func (b *Bot) endWork(ctx context.Context, p *flows.Plan, w coach.Work, where string, started time.Time, shown bool) {
	// Ended even when racebot is stopping, so asking again after the
	// restart is not turned away for minutes.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), claimedPostTimeout)
	defer cancel()
	if err := b.svc.EndWork(ctx, p, w, where, started, b.now(), shown); err != nil {
		b.log.Warn("end hold", "work", w, "plan", p.ID, "err", err)
	}
}

// export uploads the plan as a Markdown file to the channel a asked in,
// and its KPI history as CSV when it has KPIs. startExport took its hold
// at started, which ends a moment after it does.
func (b *Bot) export(ctx context.Context, a asker, p *flows.Plan, started time.Time) {
	shared := true
	defer func() {
		// Ended even when racebot is stopping, so asking again after the
		// restart is not turned away for minutes.
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), claimedPostTimeout)
		defer cancel()
		if err := b.svc.EndExport(ctx, p.Team, p.ID, a.user, started, b.now(), shared); err != nil {
			b.log.Warn("export: end hold", "plan", p.ID, "err", err)
		}
	}()
	files, err := b.exportFiles(ctx, p)
	if err != nil {
		shared = false
		b.log.Error("export", "plan", p.ID, "err", err)
		b.tell(ctx, a, say("Sorry, the export failed. Please try again in a moment."))
		return
	}
	for i, f := range files {
		f.Channel, f.ThreadTimestamp = a.channel, p.Thread
		if err := b.uploadFile(ctx, f); err != nil {
			b.failed(ctx, "upload export", err, "plan", p.ID, "file", f.Filename)
			if i == 0 {
				shared = errors.Is(err, errMaybeShared)
				b.tellEvenStopping(ctx, a, msgMessage("note", uploadFailure(err, f.Channel, "the export", exportedIn(p), "ask again")))
				return
			}
			// Exporting again would share the plan a second time; the
			// button uploads only what is missing.
			b.tellEvenStopping(ctx, a, exportRestMessage(p, randomKey(), restFailure(err, p, a.channel, files[0], files[i:])))
			return
		}
	}
}

// exportRestPressed starts the upload of what an export left out, once
// for each note offering it (its button's value): a second press before
// the note is replaced, or a press Slack delivers twice, would share the
// KPI history twice.
func (b *Bot) exportRestPressed(ctx context.Context, team string, cb slack.InteractionCallback, value string) {
	p, _, ok := b.buttonPlan(ctx, team, cb, value)
	if !ok {
		return
	}
	first, err := b.svc.Once(ctx, team, "export-rest:"+value)
	if err != nil {
		b.log.Error("export rest: record press", "plan", p.ID, "err", err)
		b.tellAfter(cb, say("Sorry, the KPI history could not be uploaded. Please press the button again in a moment."))
		return
	}
	if !first {
		return
	}
	b.replaceAfter(cb, say("Uploading the KPI history."))
	asked := asker{user: cb.User.ID, channel: pressedIn(cb), plan: p.Name, responseURL: cb.ResponseURL}
	b.later(ctx, "export rest", func(ctx context.Context) { b.exportRest(ctx, asked, p) })
}

// exportRest uploads the files of an export after its Markdown file (the
// KPI history), for someone whose export shared the Markdown alone. When
// it cannot, the button comes back with the reason: the note that had it
// is gone, and exporting again would share the plan twice.
func (b *Bot) exportRest(ctx context.Context, a asker, p *flows.Plan) {
	files, err := b.exportFiles(ctx, p)
	if err != nil {
		b.log.Error("export rest", "plan", p.ID, "err", err)
		b.tellEvenStopping(ctx, a, exportRestMessage(p, randomKey(), say("Sorry, the KPI history could not be uploaded. Please press the button to try again.")))
		return
	}
	if len(files) == 1 {
		b.tell(ctx, a, flows.Sayf("The plan %q has no KPIs now, so there is no KPI history to upload.", flows.User(p.Name)))
		return
	}
	for i, f := range files[1:] {
		f.Channel, f.ThreadTimestamp = a.channel, p.Thread
		if err := b.uploadFile(ctx, f); err != nil {
			b.failed(ctx, "upload export", err, "plan", p.ID, "file", f.Filename)
			b.tellEvenStopping(ctx, a, exportRestMessage(p, randomKey(), restFailure(err, p, a.channel, files[0], files[1+i:])))
			return
		}
	}
}

// tellEvenStopping is tellMessage for what an export or a chart did not
// share, sent even when racebot is stopping (ctx ended): a press of
// "Upload the KPI history" took its button away, and a file the ack
// promised must not silently come to nothing (a stop also cuts short the
// look for a share Slack did not confirm), so the note that offers the
// button again, or says to look or ask again, is not dropped.
func (b *Bot) tellEvenStopping(ctx context.Context, a asker, m message) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), claimedPostTimeout)
	defer cancel()
	b.tellMessage(ctx, a, m)
}

// exportFiles makes the files of the plan's export: its Markdown, then
// its KPI history as CSV when it has KPIs.
func (b *Bot) exportFiles(ctx context.Context, p *flows.Plan) ([]slack.UploadFileParameters, error) {
	e, err := b.svc.Export(ctx, p, b.now())
	if err != nil {
		return nil, err
	}
	ms := e.Values
	// Outside Slack a mention is only an id: the files name people.
	n := b.planNames(ctx, p, ms, e.Review)
	name := markup.Stored(p.Name).Plain(n)
	e.People = markdownPeople(n)
	files := []slack.UploadFileParameters{{
		Content:  e.Markdown(),
		Filename: flows.Slug(name) + ".md",
		Title:    name + " — RACE plan",
	}}
	if len(p.KPIs) > 0 {
		var csv bytes.Buffer
		if err := flows.KPIHistoryCSV(&csv, p.KPIs, ms, time.UTC, plainPeople(n)); err != nil {
			b.log.Error("export: csv", "plan", p.ID, "err", err)
		} else {
			files = append(files, slack.UploadFileParameters{Content: csv.String(), Filename: flows.Slug(name) + "-kpi-history.csv", Title: name + " — KPI history"})
		}
	}
	return files, nil
}

// actionExportRest uploads what an export could not after it shared the
// plan's Markdown file.
const actionExportRest = "race_export_rest"

// partlyShared says that an export shared the plan but not the files
// missing.
func partlyShared(p *flows.Plan, shared slack.UploadFileParameters, missing []slack.UploadFileParameters) flows.Msg {
	names := make([]string, len(missing))
	for i, f := range missing {
		names[i] = f.Filename
	}
	return flows.Sayf("%s is in %s, but the KPI history, %s, could not be uploaded.",
		flows.Code(shared.Filename), flows.Text(exportedIn(p)), flows.Code(strings.Join(names, ", ")))
}

// exportedIn is where an export of p is shared.
func exportedIn(p *flows.Plan) string {
	if p.Thread == "" {
		return "this channel"
	}
	return "the plan's thread"
}

// restFailure says why the KPI history of an export that shared the plan
// in channel did not come, above the button that uploads it.
func restFailure(err error, p *flows.Plan, channel string, shared slack.UploadFileParameters, missing []slack.UploadFileParameters) flows.Msg {
	if notInChannel(err) || errors.Is(err, errMaybeShared) {
		return uploadFailure(err, channel, "the KPI history", exportedIn(p), "press the button again")
	}
	return partlyShared(p, shared, missing)
}

// exportRestMessage is m with a button that uploads the KPI history
// missing from an export. The button's value carries once, new for each
// note, so that a note's button uploads once however often it is
// pressed, and a note saying that the upload failed again offers a
// button of its own.
func exportRestMessage(p *flows.Plan, once string, m flows.Msg) message {
	text := mrkdwn(m)
	ids := blockIDs{}
	blocks := sections(ids, "export-rest", text)
	blocks = append(blocks, slack.NewActionBlock(ids.next("export-rest-buttons"),
		button(actionExportRest, "Upload the KPI history", planValue(p, "kpi-history:"+once), "primary")))
	return message{Text: text, Blocks: blocks}
}

// postOrExplain posts a command's replies in the plan's thread, or tells
// the person through the response URL why the thread could not be started.
func (b *Bot) postOrExplain(ctx context.Context, cmd slack.SlashCommand, resp coach.Response) {
	if _, err := b.ensureThread(ctx, resp.Plan); err != nil {
		b.log.Warn("post plan header", "plan", resp.Plan.ID, "err", err)
		b.respond(ctx, cmd.ResponseURL, headerFailure(err, resp.Plan.Name))
		return
	}
	b.postToPlan(resp.Plan, cmd.UserID, resp.Replies, resp.Draft)
}

// headerFailure says why a new plan's thread could not be started and how
// to fix it; the plan itself is saved either way.
func headerFailure(err error, name string) flows.Msg {
	if notInChannel(err) {
		return flows.Sayf("I saved the plan %q but can't post in this channel yet. Invite me with %s, then type %s to start its thread.", flows.User(name), flows.Code("/invite @racebot"), flows.Cmd("continue "+plainUserText(name)))
	}
	return flows.Sayf("I saved the plan %q but Slack did not take its first message. Type %s to try again.", flows.User(name), flows.Cmd("continue "+plainUserText(name)))
}

// asker is the person who asked for slow work (an export, a chart) and
// where they asked, to tell them when it fails.
type asker struct {
	user, channel, thread string
	// plan is the name of the plan the request was about, "" when none:
	// a note sent away from its channel names it (see about).
	plan string
	// responseURL is the slash command's; "" for words typed in a thread.
	responseURL string
}

func commandAsker(cmd slack.SlashCommand, p *flows.Plan) asker {
	return asker{user: cmd.UserID, channel: cmd.ChannelID, plan: p.Name, responseURL: cmd.ResponseURL}
}

// tell says m to a's person alone: through the command's response_url,
// or in an ephemeral message where they asked when there is none or it
// fails (Slack takes five posts to one, for thirty minutes, and can be
// down), or in a direct message when Slack will show them none there. An
// answer lost after Slack took the post shows m twice, which
// does less harm than a request that silently came to nothing.
func (b *Bot) tell(ctx context.Context, a asker, m flows.Msg) {
	b.tellMessage(ctx, a, msgMessage("note", m))
}

// tellMessage is tell for a message with blocks of its own (a button).
func (b *Bot) tellMessage(ctx context.Context, a asker, m message) {
	if a.responseURL != "" {
		err := slack.PostWebhookContext(ctx, a.responseURL, &slack.WebhookMessage{Text: truncate(m.Text, maxFallback), Blocks: &slack.Blocks{BlockSet: m.Blocks}, ResponseType: slack.ResponseTypeEphemeral})
		if err == nil {
			return
		}
		b.log.Warn("respond via response_url; trying an ephemeral message", "err", err)
	}
	if a.user == "" || a.channel == "" {
		return
	}
	err := b.poster.ephemeral(ctx, a.channel, a.thread, a.user, m)
	if slackRefusal(err, "user_not_in_channel", "not_in_channel") && !hasButtons(m) {
		// Slack shows nothing beside a channel to a person who left it (a
		// form submitted after leaving), nor in one racebot is not in: the
		// direct message reaches them wherever they are. A button is only
		// good in its plan's channel (see buttonPlan), so a note with one
		// is not sent there.
		err = b.tellDirectly(ctx, a.user, about(a.channel, a.plan, m))
	}
	if err != nil {
		b.failed(ctx, "tell", err, "user", a.user)
	}
}

// hasButtons reports whether m has blocks of buttons.
func hasButtons(m message) bool {
	for _, bl := range m.Blocks {
		if _, ok := bl.(*slack.ActionBlock); ok {
			return true
		}
	}
	return false
}

// about heads m, said away from its channel, with the channel it is
// about, and the plan when it is about one (a channel may have several):
// in a direct message "nothing changed" alone would not say where.
func about(channel, plan string, m message) message {
	head := "In <#" + channel + ">"
	if plan != "" {
		head += mrkdwn(flows.Sayf(", plan %q", flows.User(plan)))
	}
	head += ":"
	return message{
		Text:   head + " " + m.Text,
		Blocks: append([]slack.Block{slack.NewContextBlock("about", slack.NewTextBlockObject(slack.MarkdownType, head, false, false))}, m.Blocks...),
	}
}

// tellDirectly says m to a person in racebot's direct message with them.
func (b *Bot) tellDirectly(ctx context.Context, user string, m message) error {
	channel, err := b.dmChannel(ctx, user)
	if err != nil {
		return err
	}
	_, err = b.poster.post(ctx, channel, "", m)
	return err
}

// respond answers through a response_url, the way to reach a person after
// the three seconds are over.
func (b *Bot) respond(ctx context.Context, url string, m flows.Msg) {
	if url == "" {
		return
	}
	err := slack.PostWebhookContext(ctx, url, &slack.WebhookMessage{Text: mrkdwn(m), ResponseType: slack.ResponseTypeEphemeral})
	if err != nil {
		b.log.Warn("respond via response_url", "err", err)
	}
}

func (b *Bot) replace(ctx context.Context, url string, m flows.Msg) {
	if url == "" {
		return
	}
	err := slack.PostWebhookContext(ctx, url, &slack.WebhookMessage{Text: mrkdwn(m), ReplaceOriginal: true})
	if err != nil {
		b.log.Warn("replace via response_url", "err", err)
	}
}

// zoneLookup bounds the users.info call made before an acknowledgement.
const zoneLookup = 700 * time.Millisecond

// userZone is the person's Slack time zone, cached; nil when Slack does not
// say in time. Schedules default to it and show times in it, and the
// dates people write relative to their day ("tomorrow") are read in it.
func (b *Bot) userZone(ctx context.Context, user string) *time.Location {
	loc, _ := b.lookupZone(ctx, user, zoneLookup)
	return loc
}

// zoneRetry is how long a person's zone that Slack could not give is not
// asked for again. Answers with a date word ("this year", "next week")
// are common, and each would otherwise wait on users.info before its
// acknowledgement while Slack is slow or rate-limits it.
const zoneRetry = time.Minute

// zoneFresh is how long a person's zone is used before Slack is asked
// again. A change is told at once by the user_change event (see
// zoneChanged); this bounds how long one whose event was missed (sent
// while racebot was down) goes unnoticed.
const zoneFresh = 24 * time.Hour

// zoneKnown is a zone Slack gave (nil: the person has none), kept in
// Bot.zones until stale.
type zoneKnown struct {
	loc   *time.Location
	stale time.Time
}

// zoneMiss is a users.info that failed, kept in Bot.zones until retry.
type zoneMiss struct {
	err   error
	retry time.Time
}

// lookupZone is the person's Slack time zone, cached, waiting at most
// bound for Slack: nil when the person has none, an error when Slack
// could not say, now or less than zoneRetry ago, and no zone of theirs
// was known before.
func (b *Bot) lookupZone(ctx context.Context, user string, bound time.Duration) (*time.Location, error) {
	var known *zoneKnown
	if v, ok := b.zones.Load(user); ok {
		switch v := v.(type) {
		case zoneKnown:
			if b.now().Before(v.stale) {
				return v.loc, nil
			}
			known = &v
		case zoneMiss:
			if b.now().Before(v.retry) {
				return nil, v.err
			}
		}
	}
	lookup, cancel := context.WithTimeout(ctx, bound)
	defer cancel()
	u, err := b.slack(lookup).GetUserInfoContext(lookup, user)
	if err != nil {
		err = fmt.Errorf("users.info: %w", err)
		if known != nil {
			// The zone of a day ago is likelier right than none; it is
			// asked for again after zoneRetry, not on every reply.
			b.zones.Store(user, zoneKnown{loc: known.loc, stale: b.now().Add(zoneRetry)})
			return known.loc, nil
		}
		if ctx.Err() == nil {
			b.zones.Store(user, zoneMiss{err: err, retry: b.now().Add(zoneRetry)})
		}
		return nil, err
	}
	// A zone Slack does not give, or one this machine does not know, is
	// kept as none: asking again would only hold up the next reply.
	var loc *time.Location
	if u.TZ != "" {
		loc, _ = time.LoadLocation(u.TZ)
	}
	b.zones.Store(user, zoneKnown{loc: loc, stale: b.now().Add(zoneFresh)})
	return loc, nil
}

// zoneChanged forgets a person's zone when Slack says their profile
// changed to another zone, so that their next date is read in the zone
// they set. Slack says so for every profile change of every member, a
// status most often: one that keeps the zone racebot knows changes
// nothing, or each would cost the person's next answer a users.info. The
// zone is forgotten rather than taken from the event: a retried older
// event arriving after a newer one would put back the zone they left.
func (b *Bot) zoneChanged(user, tz string) {
	if user == "" {
		return
	}
	if v, ok := b.zones.Load(user); ok {
		if k, ok := v.(zoneKnown); ok && (k.loc == nil && tz == "" || k.loc != nil && k.loc.String() == tz) {
			return
		}
	}
	b.zones.Delete(user)
}

// helpAcks keeps the encoded answer to each help topic. Help is what
// people ask most and it never changes, so it is rendered and encoded
// once. Only replies the coach gave as help are kept, and it knows a
// handful of topics, so the map stays small.
type helpAcks struct{ byTopic sync.Map } // normalised command text -> *ack

func (h *helpAcks) ack(text string, replies []flows.Reply) *ack {
	topic := strings.ToLower(strings.Join(strings.Fields(text), " "))
	if a, ok := h.byTopic.Load(topic); ok {
		return a.(*ack)
	}
	a := ephemeralAck(renderReplies(nil, replies))
	if enc, err := json.Marshal(a); err == nil {
		a.encoded = append(enc, '\n')
	}
	h.byTopic.Store(topic, a)
	return a
}
