package bot

import (
	"cmp"
	"context"
	"fmt"

	"github.com/racebot/racebot/coach"
	"github.com/racebot/racebot/flows"
	"github.com/racebot/racebot/markup"
	"github.com/slack-go/slack/slackevents"
)

// mention handles `@racebot status`, `@racebot review`, `@racebot values …`
// in any channel racebot is in, about the channel's plan, answering in the
// thread the mention is in (or starting one under it).
//
// In racebot's own threads (a plan's, a check-in's) Slack sends the same
// words as a message event too, and the thread's handler answers them as a
// reply there; the mention is left to it, so nothing is answered twice.
func (b *Bot) mention(ctx context.Context, team string, m *slackevents.AppMentionEvent) error {
	if m.BotID != "" || m.User == "" || m.User == b.botUser(ctx) {
		return nil
	}
	if m.ThreadTimeStamp != "" && m.ThreadTimeStamp != m.TimeStamp {
		conv, err := b.svc.Locate(ctx, team, m.Channel, m.ThreadTimeStamp)
		if err != nil {
			return err
		}
		if conv.Known() {
			return nil
		}
	}
	text := withoutMentionOf(string(markup.FromSlack(m.Text)), b.botUser(ctx))
	// Keyed by the message, as replies in threads are: a retried event
	// and the message event Slack may send too are one question.
	key := coach.MessageKey(m.Channel, m.TimeStamp)
	req := coach.Request{Team: team, Channel: m.Channel, User: m.User, Text: text, Now: b.now(), Key: key, Written: written(m.TimeStamp)}
	if commandName(text) == "schedule" {
		req.Zone = b.userZone(ctx, m.User)
	}
	thread := cmp.Or(m.ThreadTimeStamp, m.TimeStamp)
	a, err := b.svc.Ask(ctx, req)
	if err != nil {
		if !isUserError(err) {
			return fmt.Errorf("mention: %w", err)
		}
		// Bad input is for its author's eyes only.
		b.whisper(ctx, &slackevents.MessageEvent{Channel: m.Channel, ThreadTimeStamp: thread, User: m.User}, flows.Explain(err))
		return nil
	}
	if a.Duplicate {
		return nil
	}
	b.later(ctx, "answer mention", func(ctx context.Context) { b.answerAsked(ctx, key, m.Channel, thread, a, m.User) })
	return nil
}
