package bot

import (
	"cmp"
	"context"
	"errors"
	"regexp"
	"strings"
	"time"

	"github.com/racebot/racebot/coach"
	"github.com/racebot/racebot/flows"
	"github.com/racebot/racebot/markup"
	"github.com/slack-go/slack/slackevents"
)

// Event handles one Events API callback. What a person typed is committed
// before it returns (the caller acknowledges after), so an answer is never
// lost to a crash between the ack and the work; replies are posted later.
//
// An error means nothing was recorded for a reason that may pass (the
// database was busy past the deadline, say): the caller must not
// acknowledge, so Slack delivers the event again. Bad input is not an
// error; it is explained to the person and acknowledged.
func (b *Bot) Event(ctx context.Context, ev slackevents.EventsAPIEvent) error {
	cb, ok := ev.Data.(*slackevents.EventsAPICallbackEvent)
	if !ok {
		return nil
	}
	ctx, cancel := b.ackBound(ctx)
	defer cancel()
	team := ev.TeamID
	if team == "" {
		team = cb.TeamID
	}
	t := tenant{enterprise: cmp.Or(ev.EnterpriseID, cb.EnterpriseID), team: team}
	orgWide := len(cb.Authorizations) > 0 && cb.Authorizations[0].IsEnterpriseInstall
	if len(cb.Authorizations) > 0 && t.enterprise == "" {
		t.enterprise = cb.Authorizations[0].EnterpriseID
	}
	ctx = withTenant(ctx, t)
	switch inner := ev.InnerEvent.Data.(type) {
	case *slackevents.AppUninstalledEvent:
		return b.uninstalled(ctx, t, orgWide, cb.EventTime, "app_uninstalled")
	case *slackevents.TokensRevokedEvent:
		if len(inner.Tokens.Bot) > 0 {
			return b.uninstalled(ctx, t, orgWide, cb.EventTime, "tokens_revoked")
		}
		return nil
	}
	// A workspace racebot does not serve (uninstalled, or never
	// installed) is answered with silence: Slack must not deliver again.
	if !b.serves(ctx, t) {
		return nil
	}
	switch inner := ev.InnerEvent.Data.(type) {
	case *slackevents.MessageEvent:
		if inner.ChannelType == "im" {
			return b.directMessage(ctx, team, inner)
		}
		return b.message(ctx, team, cb.EventID, inner)
	case *slackevents.AppMentionEvent:
		return b.mention(ctx, team, inner)
	case *slackevents.FunctionExecutedEvent:
		return b.functionExecuted(ctx, team, inner)
	case *slackevents.UserChangeEvent:
		b.zoneChanged(inner.User.ID, inner.User.TZ)
	case *slackevents.AppHomeOpenedEvent:
		if inner.Tab == "home" || inner.Tab == "" {
			var hash string
			if inner.View != nil {
				hash = inner.View.Hash
			}
			b.homeOpened(ctx, team, inner.User, hash)
		}
	}
	return nil
}

var leadingMention = regexp.MustCompile(`^<@([UW][A-Z0-9]+)(\|[^>]*)?>\s*`)

// namedInTheSentence is what follows a leading mention that is part of
// what the reply says rather than whom it addresses: "<@UBEN> and I think
// …", "<@UBEN> & <@UANA> agree …", "<@UBEN>'s idea: …".
var namedInTheSentence = regexp.MustCompile(`(?i)^(and|&amp;|\+|'s|’s)\s`)

// message handles a message event: a new reply, or an edit or a deletion
// of one, which are keyed by their event (they are other inputs on the
// same message).
func (b *Bot) message(ctx context.Context, team, eventID string, m *slackevents.MessageEvent) error {
	switch m.SubType {
	case "message_changed":
		return b.edited(ctx, team, eventID, m)
	case "message_deleted":
		return b.deleted(ctx, team, eventID, m)
	}
	return b.reply(ctx, team, m)
}

// reply handles a new reply in a coaching or check-in thread, delivered
// live or read back by a catch-up (see catchUp). It is keyed by the
// message itself (coach.MessageKey), not by the event that carried it, so
// a retried event, a catch-up and a live delivery of one message record
// it once. Which messages count:
//   - only replies inside a plan's thread, from people (never bots, never
//     racebot itself), new or broadcast to the channel; edits and
//     deletions of them are handled by edited and deleted;
//   - a reply starting with "//" is side chat and ignored;
//   - a reply that starts by mentioning someone other than racebot is a
//     conversation between people and ignored, unless the name is part
//     of what it says ("<@UBEN> and I think …"); one that starts by
//     mentioning racebot is an answer with the mention removed.
func (b *Bot) reply(ctx context.Context, team string, m *slackevents.MessageEvent) error {
	if m.BotID != "" || m.User == "" || m.User == b.botUser(ctx) {
		return nil
	}
	if m.SubType != "" && m.SubType != "thread_broadcast" && m.SubType != "file_share" {
		return nil
	}
	if m.ThreadTimeStamp == "" || m.ThreadTimeStamp == m.TimeStamp {
		return nil
	}
	text, ok := b.replyText(ctx, m.Text)
	if !ok {
		return nil
	}
	key := coach.MessageKey(m.Channel, m.TimeStamp)
	conv, err := b.svc.Locate(ctx, team, m.Channel, m.ThreadTimeStamp)
	switch {
	case err != nil:
		return err
	case conv.Checkin.ID != 0:
		return b.checkinReply(ctx, team, key, conv.Checkin, m, text)
	case conv.Retro != 0:
		return b.retroReply(ctx, team, key, conv.Retro, m, text)
	case conv.Deleted != "":
		b.whisper(ctx, m, flows.Sayf("The plan %q was deleted, so this reply was not recorded. Start a new one with %s.", flows.User(conv.Deleted), flows.Cmd("new <name>")))
		return nil
	case conv.Plan == 0:
		return nil
	}
	id := conv.Plan
	req := coach.Request{
		Team:    team,
		Channel: m.Channel,
		User:    m.User,
		Text:    text,
		Now:     b.now(),
		Plan:    id,
		Key:     key,
		TS:      m.TimeStamp,
	}
	switch name := commandName(text); {
	case name == "checkin" || name == "schedule":
		req.Zone = b.userZone(ctx, m.User)
	case flows.ReadsToday(text):
		// Looked up only if the reply lands where dates are read: the
		// first answer of each person would otherwise wait on Slack.
		user := m.User
		req.ZoneOf = func(ctx context.Context) *time.Location { return b.userZone(ctx, user) }
	}
	resp, err := b.svc.Handle(ctx, req)
	if err != nil {
		return b.explainOnce(ctx, team, key, err, "thread reply", m)
	}
	if resp.Duplicate {
		b.log.Debug("duplicate message ignored", "key", key)
		return nil
	}
	switch {
	case resp.Review, resp.Report, resp.Retro != 0, hasKind(resp.Replies, flows.ReplyExport), hasKind(resp.Replies, flows.ReplyConfirm), hasKind(resp.Replies, flows.ReplyScoreForm):
		b.later(ctx, "post reply", func(ctx context.Context) {
			plan := resp.Plan
			if plan == nil {
				p, err := b.svc.Plan(ctx, team, id)
				if err != nil {
					b.log.Warn("post reply: plan", "err", err)
					return
				}
				plan = p
			}
			switch {
			case resp.Review, resp.Report:
				a := asker{user: m.User, channel: m.Channel, thread: m.ThreadTimeStamp, plan: plan.Name}
				w := coach.WorkReport
				if resp.Review {
					w = coach.WorkReview
				}
				started, ok := b.startWork(ctx, plan, w, "")
				if !ok {
					b.tell(ctx, a, underWay(w, plan))
					return
				}
				if resp.Review {
					b.postReview(ctx, plan, a, started)
				} else {
					b.postReport(ctx, plan, a, started)
				}
			case hasKind(resp.Replies, flows.ReplyExport):
				a := asker{user: m.User, channel: m.Channel, thread: m.ThreadTimeStamp, plan: plan.Name}
				started, ok := b.startExport(ctx, plan, m.User)
				if !ok {
					b.tell(ctx, a, exportUnderWay)
					return
				}
				b.export(ctx, a, plan, started)
			case resp.Retro != 0:
				b.postRetro(ctx, plan, resp)
			case hasKind(resp.Replies, flows.ReplyScoreForm):
				b.scoreInThread(ctx, plan, m.ThreadTimeStamp)
			default:
				b.confirmInThread(ctx, m, plan, mrkdwn(resp.Replies[0].Msg))
			}
		})
	case resp.Plan == nil:
		// Help and the like concern no plan; they still belong in the
		// thread they were asked in.
		b.outbox.add(planView{ID: id, Team: team, Channel: m.Channel, Thread: m.ThreadTimeStamp}, m.User, resp.Replies, resp.Draft)
	default:
		b.postToPlan(resp.Plan, m.User, resp.Replies, resp.Draft)
	}
	if resp.Left != nil {
		// A yes that took an offer: the thread its line left is asked
		// again where that plan is, as after any step of it.
		b.postToPlan(resp.Left, m.User, resp.LeftReplies, nil)
	}
	if resp.Checkin.ID != 0 {
		// Values written in the plan's thread while a check-in is open
		// count in it, as /race values does.
		b.later(ctx, "values in the check-in", func(ctx context.Context) {
			b.confirmInCheckin(ctx, key, resp, m.User)
		})
	}
	return nil
}

// replyText is what a thread reply says to racebot, false for side chat
// and for words addressed to someone else. It is in Slack's own encoding,
// the form the coach stores: mentions and links stay as Slack sent them,
// so quoting the reply back later keeps them working.
func (b *Bot) replyText(ctx context.Context, raw string) (string, bool) {
	text := strings.TrimSpace(string(markup.FromSlack(raw)))
	if strings.HasPrefix(text, "//") {
		return "", false
	}
	if mention := leadingMention.FindStringSubmatch(text); mention != nil {
		if mention[1] != b.botUser(ctx) {
			// Words to a colleague are theirs; a sentence that only starts
			// with one's name is an answer like any other, name and all. A
			// question is put to the people it names ("<@UBEN> and
			// <@UANA>, can you check?"), not to the coach.
			return text, namedInTheSentence.MatchString(text[len(mention[0]):]) && !strings.HasSuffix(text, "?")
		}
		text = strings.TrimSpace(text[len(mention[0]):])
	}
	return text, true
}

// whisper shows text to the author of a thread reply only, after the
// acknowledgement.
func (b *Bot) whisper(ctx context.Context, m *slackevents.MessageEvent, msg flows.Msg) {
	b.later(ctx, "ephemeral", func(ctx context.Context) {
		if err := b.poster.ephemeral(ctx, m.Channel, m.ThreadTimeStamp, m.User, msgMessage("note", msg)); err != nil {
			b.log.Warn("post ephemeral", "err", err)
		}
	})
}

// tellBeside shows replies to one person only, beside the plan's thread,
// after the acknowledgement: a form has no message to answer in.
func (b *Bot) tellBeside(ctx context.Context, p *flows.Plan, user string, replies []flows.Reply) {
	b.later(ctx, "ephemeral", func(ctx context.Context) {
		for _, r := range replies {
			b.tell(ctx, asker{user: user, channel: p.Channel, thread: p.Thread, plan: p.Name}, r.Msg)
		}
	})
}

// isUserError tells bad input, which is explained and acknowledged, from
// failures that Slack should retry.
func isUserError(err error) bool {
	var ue *flows.UserError
	return errors.As(err, &ue)
}

// confirmInThread asks the person who typed a destructive command in a
// thread, and only them, to confirm it.
func (b *Bot) confirmInThread(ctx context.Context, m *slackevents.MessageEvent, p *flows.Plan, question string) {
	if err := b.poster.ephemeral(ctx, m.Channel, m.ThreadTimeStamp, m.User, confirmDeleteMessage(p, question)); err != nil {
		b.log.Warn("post ephemeral", "err", err)
	}
}
