package bot

import (
	"context"

	"github.com/racebot/racebot/coach"
	"github.com/racebot/racebot/flows"
	"github.com/slack-go/slack/slackevents"
)

// postRetro posts a newly opened retro as a conversation of its own: the
// report opens a thread in the plan's channel, and its questions are
// asked in that thread, where the team answers.
func (b *Bot) postRetro(ctx context.Context, p *flows.Plan, resp coach.Response) {
	var report, asks []flows.Reply
	for _, r := range resp.Replies {
		if r.Kind == flows.ReplyRetroQuestion {
			asks = append(asks, r)
		} else {
			report = append(report, r)
		}
	}
	ts, unseen, err := b.poster.postOrFind(ctx, p.Channel, "", "once:"+randomKey(), renderReplies(p, report))
	if err != nil {
		b.failed(ctx, "post retro", err, "plan", p.ID)
		return
	}
	posted := b.poster.wall()
	if err := b.recordPosted(ctx, func(ctx context.Context) error { return b.svc.RetroPosted(ctx, p.Team, resp.Retro, ts) }); err != nil {
		// Replies in its thread would reach nothing; the retro can be
		// opened again.
		b.log.Error("record retro thread", "plan", p.ID, "err", err)
		return
	}
	unseen = unseen || b.poster.wall().Sub(posted) > unseenPost
	b.postRetroReplies(ctx, p.Team, p.Channel, ts, resp.Retro, asks)
	if unseen {
		// The report stood in the channel before its thread was known
		// here (Slack's answer lost or slow, or the record waited on a
		// busy database): replies written meanwhile matched no retro.
		// Catch-up reads them back, each recorded once. It is asked for
		// after the first question is out and recorded, so that what it
		// reads back is answered after it, in order.
		b.requestCatchup()
	}
}

// postRetroReplies posts replies in a retro's thread and records the
// question they ask, so answers written after it are filed under it. A
// question that stood in the thread a while before its ts was known here
// (Slack's answer was lost or slow) may have been answered meanwhile, and
// those answers filed under the question before: they are moved to it.
func (b *Bot) postRetroReplies(ctx context.Context, team, channel, thread string, retro int64, replies []flows.Reply) {
	if len(replies) == 0 {
		return
	}
	ts, late, err := b.poster.postOrFind(ctx, channel, thread, "once:"+randomKey(), renderReplies(nil, replies))
	if err != nil {
		b.failed(ctx, "post to retro thread", err, "retro", retro)
		return
	}
	asks := ""
	for _, r := range replies {
		if r.Kind == flows.ReplyRetroQuestion {
			asks = r.QuestionID
		}
	}
	if asks == "" {
		return
	}
	if err := b.recordPosted(ctx, func(ctx context.Context) error { return b.svc.RetroAsked(ctx, team, retro, asks, ts) }); err != nil {
		b.log.Error("record retro question: replies to it will be filed under the one before it", "retro", retro, "ts", ts, "err", err)
		return
	}
	if !late {
		return
	}
	// The question is out and recorded: the move and its word to the
	// thread are not left half done by a shutdown just after.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), askedTimeout)
	defer cancel()
	resp, err := b.svc.RefileRetroLate(ctx, team, channel, retro, asks, ts)
	if err != nil {
		b.log.Warn("refile retro answers to a question recorded late", "retro", retro, "ts", ts, "err", err)
		return
	}
	b.postRetroReplies(ctx, team, channel, thread, retro, resp.Replies)
}

// retroReply records a reply in a retro's thread as an answer, then
// acknowledges it there (and asks the next question).
func (b *Bot) retroReply(ctx context.Context, team, key string, retro int64, m *slackevents.MessageEvent, text string) error {
	resp, err := b.svc.RetroReply(ctx, coach.Request{
		Team: team, Channel: m.Channel, User: m.User, Now: b.now(), Key: key, TS: m.TimeStamp,
	}, retro, text)
	if err != nil {
		// Catch-up reads retro threads back too: bad input is explained
		// once, not again by each read.
		return b.explainOnce(ctx, team, key, err, "retro reply", m)
	}
	if resp.Duplicate {
		return nil
	}
	b.later(ctx, "retro reply", func(ctx context.Context) {
		b.postRetroReplies(ctx, team, m.Channel, m.ThreadTimeStamp, retro, resp.Replies)
	})
	return nil
}
