package bot

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/racebot/racebot/flows"
	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
)

// Event handles one Events API callback. What a person typed is committed
// before it returns (the caller acknowledges after), so an answer is never
// lost to a crash between the ack and the work; replies are posted later.
func (b *Bot) Event(ctx context.Context, ev slackevents.EventsAPIEvent) {
	cb, ok := ev.Data.(*slackevents.EventsAPICallbackEvent)
	if !ok {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, ackTimeout)
	defer cancel()
	team := ev.TeamID
	if team == "" {
		team = cb.TeamID
	}
	switch inner := ev.InnerEvent.Data.(type) {
	case *slackevents.MessageEvent:
		b.message(ctx, team, cb.EventID, inner)
	case *slackevents.AppHomeOpenedEvent:
		if inner.Tab == "home" || inner.Tab == "" {
			b.later("publish home", func(ctx context.Context) { b.publishHome(ctx, team, inner.User) })
		}
	}
}

var leadingMention = regexp.MustCompile(`^<@([UW][A-Z0-9]+)(\|[^>]*)?>\s*`)

// message handles a reply in a coaching thread. Which messages count:
//   - only replies inside a plan's thread, from people (never bots, never
//     racebot itself), new or broadcast to the channel; edits and deletions
//     of messages are ignored;
//   - a reply starting with "//" is side chat and ignored;
//   - a reply that starts by mentioning someone other than racebot is a
//     conversation between people and ignored; one that starts by
//     mentioning racebot is an answer with the mention removed.
func (b *Bot) message(ctx context.Context, team, eventID string, m *slackevents.MessageEvent) {
	if m.BotID != "" || m.User == "" || m.User == b.botUserID {
		return
	}
	if m.SubType != "" && m.SubType != "thread_broadcast" && m.SubType != "file_share" {
		return
	}
	if m.ThreadTimeStamp == "" || m.ThreadTimeStamp == m.TimeStamp {
		return
	}
	text := strings.TrimSpace(m.Text)
	if strings.HasPrefix(text, "//") {
		return
	}
	if mention := leadingMention.FindStringSubmatch(text); mention != nil {
		if mention[1] != b.botUserID {
			return
		}
		text = strings.TrimSpace(text[len(mention[0]):])
	}
	p, err := b.store.PlanByThread(ctx, team, m.Channel, m.ThreadTimeStamp)
	if errors.Is(err, flows.ErrNoPlan) {
		if c, err := b.store.CheckinByThread(ctx, team, m.Channel, m.ThreadTimeStamp); err == nil {
			b.checkinReply(ctx, team, eventID, c, m, unescape(text))
			return
		}
		b.deletedPlanReply(ctx, team, m)
		return
	}
	if err != nil {
		b.log.Error("find plan by thread", "err", err)
		return
	}
	resp, err := b.coach.Handle(ctx, flows.Request{
		Team:    team,
		Channel: m.Channel,
		User:    m.User,
		Text:    unescape(text),
		Now:     b.now(),
		Plan:    p.ID,
		Key:     eventID,
	})
	if err != nil {
		msg := b.explain(err, "thread reply")
		b.later("explain", func(ctx context.Context) {
			if err := b.poster.ephemeral(ctx, m.Channel, m.ThreadTimeStamp, m.User, plainMessage("error", msg)); err != nil {
				b.log.Warn("post ephemeral", "err", err)
			}
		})
		return
	}
	if resp.Duplicate {
		b.log.Debug("duplicate event ignored", "event_id", eventID)
		return
	}
	plan := resp.Plan
	if plan == nil {
		plan = p
	}
	b.later("post reply", func(ctx context.Context) {
		switch {
		case resp.Review:
			b.postReview(ctx, plan)
		case hasKind(resp.Replies, flows.ReplyConfirm), hasKind(resp.Replies, flows.ReplyExport):
			// Confirmations and exports are personal; in a thread they go to
			// the person who asked.
			b.personal(ctx, m.Channel, m.ThreadTimeStamp, m.User, plan, resp.Replies)
		default:
			b.postToPlan(ctx, plan, resp.Replies, resp.Draft)
		}
	})
}

func (b *Bot) personal(ctx context.Context, channel, thread, user string, p *flows.Plan, replies []flows.Reply) {
	var m message
	switch {
	case hasKind(replies, flows.ReplyConfirm):
		m = confirmDeleteMessage(p, replies[0].Text)
	default:
		m = plainMessage("export", "Use `/race export` to get the plan as a file.")
	}
	if err := b.poster.ephemeral(ctx, channel, thread, user, m); err != nil {
		b.log.Warn("post ephemeral", "err", err)
	}
}

// deletedPlanReply tells someone answering in the thread of a deleted plan
// that nothing was recorded, instead of staying silent.
func (b *Bot) deletedPlanReply(ctx context.Context, team string, m *slackevents.MessageEvent) {
	name, ok, err := b.store.DeletedPlanName(ctx, team, m.Channel, m.ThreadTimeStamp)
	if err != nil || !ok {
		return
	}
	msg := fmt.Sprintf("The plan %q was deleted, so this reply was not recorded. Start a new one with `/race new <name>`.", name)
	b.later("explain deleted", func(ctx context.Context) {
		if err := b.poster.ephemeral(ctx, m.Channel, m.ThreadTimeStamp, m.User, plainMessage("deleted", msg)); err != nil {
			b.log.Warn("post ephemeral", "err", err)
		}
	})
}

// unescape undoes Slack's escaping of &, < and > in message text, so the
// answer is stored as the person wrote it.
func unescape(s string) string {
	return strings.NewReplacer("&lt;", "<", "&gt;", ">", "&amp;", "&").Replace(s)
}

// publishHome renders the App Home tab with the plans the person started
// or answered in.
func (b *Bot) publishHome(ctx context.Context, team, user string) {
	plans, err := b.store.TeamPlans(ctx, team)
	if err != nil {
		b.log.Error("home: list plans", "err", err)
		return
	}
	var mine []*flows.Plan
	for _, p := range plans {
		if involved(p, user) {
			mine = append(mine, p)
		}
	}
	if _, err := b.api.PublishViewContext(ctx, slack.PublishViewContextRequest{UserID: user, View: homeView(b.cat, mine)}); err != nil {
		b.log.Error("home: publish", "err", err)
	}
}

func involved(p *flows.Plan, user string) bool {
	if p.CreatedBy == user {
		return true
	}
	for _, a := range p.Answers {
		if a.By == user {
			return true
		}
	}
	for _, a := range p.Actions {
		if a.By == user || strings.Contains(a.Owner, user) {
			return true
		}
	}
	return false
}
