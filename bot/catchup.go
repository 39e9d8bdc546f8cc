package bot

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/racebot/racebot/coach"
	"github.com/racebot/racebot/flows"
	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
)

// Slack retries an event three times within about five minutes; after a
// longer outage, or a Socket Mode connection that keeps failing, the
// replies written meanwhile never arrive. A catch-up reads them back from
// the threads racebot keeps (conversations.replies) and runs each through
// reply, the path live events take. Messages are keyed by themselves
// (coach.MessageKey), so one that also arrives live, or is read back by
// two catch-ups, is recorded once.

// catchupPace spaces conversations.replies calls: the method is Tier 3,
// about 50 a minute, and a catch-up shares that budget with nothing else
// racebot does, so it stays just under it.
const catchupPace = 1200 * time.Millisecond

// catchupCallTimeout bounds one conversations.replies call, the client's
// own waits on 429 included.
const catchupCallTimeout = time.Minute

// catchupHandleTimeout bounds recording one message read back. No
// acknowledgement waits on it, but a database that does not answer must
// not hold the catch-up for ever.
const catchupHandleTimeout = 10 * time.Second

// catchupPageSize is how many replies one call asks for; catchupMaxPages
// bounds the pages read from one thread in one catch-up. What is left is
// read by the next catch-up, from where this one stopped.
const (
	catchupPageSize = 200
	catchupMaxPages = 20
)

// catchupRateLimits is how many times in a row one call may be refused
// with 429 before the catch-up leaves that workspace until the next
// (re)connect.
const catchupRateLimits = 5

// requestCatchup asks for a catch-up, without waiting for it. Requests
// made while one runs are folded into one more run after it.
func (b *Bot) requestCatchup() {
	select {
	case b.catchupKick <- struct{}{}:
	default:
	}
}

// catchupLoop runs catch-ups as they are requested, one at a time, until
// ctx ends. It is one of the bot's loops, so shutdown cancels it and waits
// for it: a message being recorded then fails as a whole, and the next
// start reads it again.
func (b *Bot) catchupLoop(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-b.catchupKick:
		}
		b.catchUp(ctx)
	}
}

// catchUp reads back the replies posted in racebot's conversations since
// each was last read and records those not recorded yet, oldest first in
// each thread.
func (b *Bot) catchUp(ctx context.Context) {
	b.catchupsStarted.Add(1)
	defer b.catchupsDone.Add(1)
	threads, err := b.svc.CatchupThreads(ctx, b.now())
	if err != nil {
		if ctx.Err() == nil {
			b.log.Warn("catch up: list threads", "err", err)
		}
		return
	}
	var read, recorded int
	// Slack limits each workspace on its own: one that keeps refusing is
	// left until the next catch-up, and the others are still read.
	limitedTeams := map[string]bool{}
	for _, t := range threads {
		if limitedTeams[t.Team] || !b.serves(ctx, tenant{team: t.Team}) {
			continue
		}
		r, n, err := b.catchUpThread(onTeam(ctx, t.Team), t)
		read += r
		recorded += n
		var limited *slack.RateLimitedError
		switch {
		case ctx.Err() != nil:
			return
		case errors.As(err, &limited):
			b.log.Warn("catch up: Slack keeps refusing conversations.replies; the workspace's other threads wait for the next connection", "team", t.Team, "err", err)
			limitedTeams[t.Team] = true
		case err != nil:
			b.log.Warn("catch up: thread", "channel", t.Channel, "thread", t.Thread, "err", err)
		}
	}
	if read > 0 {
		b.log.Info("caught up", "threads", len(threads), "read", read, "recorded", recorded)
	}
}

// catchUpThread reads one thread back from where it was last read, and
// reports how many replies it read and how many of those it ran (the rest
// had been recorded already). How far it got is recorded as it goes, so
// an error or a shutdown loses no progress.
func (b *Bot) catchUpThread(ctx context.Context, t coach.Thread) (read, ran int, err error) {
	oldest := t.Thread
	for _, ts := range []string{t.Read, slackTS(b.now().Add(-coach.CatchupWindow))} {
		if coach.MessageAfter(ts, oldest) {
			oldest = ts
		}
	}
	last := ""
	defer func() {
		if last == "" {
			return
		}
		// What was recorded is recorded: the read is kept even when the
		// catch-up is being cancelled.
		wctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), catchupHandleTimeout)
		defer cancel()
		if werr := b.svc.ReadThrough(wctx, t, last); werr != nil {
			err = errors.Join(err, werr)
		}
	}()
	cursor := ""
	for range catchupMaxPages {
		msgs, more, next, err := b.replies(ctx, &slack.GetConversationRepliesParameters{
			ChannelID: t.Channel, Timestamp: t.Thread, Oldest: oldest, Cursor: cursor, Limit: catchupPageSize,
		})
		if err != nil {
			return read, ran, err
		}
		slices.SortStableFunc(msgs, func(x, y slack.Message) int { return compareTS(x.Timestamp, y.Timestamp) })
		for _, m := range msgs {
			// The thread's parent always comes back, whatever oldest says.
			if m.Timestamp == t.Thread || !coach.MessageAfter(m.Timestamp, oldest) {
				continue
			}
			read++
			done, err := b.catchUpMessage(ctx, t, m)
			if err != nil {
				return read, ran, err
			}
			if done {
				ran++
			}
			last = m.Timestamp
		}
		if !more || next == "" {
			return read, ran, nil
		}
		cursor = next
	}
	return read, ran, nil
}

// catchUpMessage runs one reply read back through reply, unless its key
// says it was recorded already, and reports whether it ran it.
func (b *Bot) catchUpMessage(ctx context.Context, t coach.Thread, m slack.Message) (bool, error) {
	ctx, cancel := context.WithTimeout(ctx, catchupHandleTimeout)
	defer cancel()
	seen, err := b.svc.Handled(ctx, t.Team, coach.MessageKey(t.Channel, m.Timestamp))
	if err != nil || seen {
		return false, err
	}
	ev := &slackevents.MessageEvent{
		ClientMsgID:     m.ClientMsgID,
		Type:            "message",
		User:            m.User,
		Text:            m.Text,
		Blocks:          m.Blocks,
		ThreadTimeStamp: cmp.Or(m.ThreadTimestamp, t.Thread),
		TimeStamp:       m.Timestamp,
		Channel:         t.Channel,
		SubType:         m.SubType,
		BotID:           m.BotID,
	}
	if err := b.reply(ctx, t.Team, ev); err != nil {
		return false, err
	}
	return true, nil
}

// replies makes one conversations.replies call, paced to stay within the
// method's rate limit. A 429 the client could not wait out by itself is
// waited out here, for as long as Slack asks, a few times.
func (b *Bot) replies(ctx context.Context, params *slack.GetConversationRepliesParameters) ([]slack.Message, bool, string, error) {
	for attempt := 0; ; attempt++ {
		if err := b.catchupPacer.wait(ctx); err != nil {
			return nil, false, "", err
		}
		cctx, cancel := context.WithTimeout(ctx, catchupCallTimeout)
		msgs, more, next, err := b.slack(cctx).GetConversationRepliesContext(cctx, params)
		cancel()
		var limited *slack.RateLimitedError
		if !errors.As(err, &limited) || attempt+1 >= catchupRateLimits {
			if err != nil {
				return nil, false, "", fmt.Errorf("conversations.replies: %w", err)
			}
			return msgs, more, next, nil
		}
		b.log.Info("catch up: rate limited; waiting", "retry_after", limited.RetryAfter)
		if err := b.catchupPacer.sleep(ctx, limited.RetryAfter); err != nil {
			return nil, false, "", err
		}
	}
}

// pacer spaces calls at least every apart, and waits out the pauses Slack
// asks for. It is used by one goroutine at a time.
type pacer struct {
	every time.Duration
	last  time.Time
	// hold, when set, waits out Slack's pauses instead of sleep: a test
	// sees how long Slack asked for without spending it.
	hold func(context.Context, time.Duration) error
}

// sleep waits out a pause Slack asked for.
func (p *pacer) sleep(ctx context.Context, d time.Duration) error {
	if p.hold != nil {
		return p.hold(ctx, d)
	}
	return sleep(ctx, d)
}

// wait returns when the next call may go, or when ctx ends.
func (p *pacer) wait(ctx context.Context) error {
	if !p.last.IsZero() {
		if err := sleep(ctx, time.Until(p.last.Add(p.every))); err != nil {
			return err
		}
	}
	p.last = time.Now()
	return nil
}

// sleep waits for d, or until ctx ends.
func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// slackTS writes a time as a Slack message ts.
func slackTS(t time.Time) string {
	us := t.UnixMicro()
	return fmt.Sprintf("%d.%06d", us/1e6, us%1e6)
}

// compareTS orders Slack message ts values.
func compareTS(a, b string) int {
	switch {
	case coach.MessageAfter(a, b):
		return 1
	case coach.MessageAfter(b, a):
		return -1
	}
	return 0
}

// explainOnce handles a failed reply: bad input is explained to its
// author, once (the message's key is recorded, so neither a retried event
// nor a catch-up explains it again), and anything else is returned for
// Slack to retry.
func (b *Bot) explainOnce(ctx context.Context, team, key string, err error, what string, m *slackevents.MessageEvent) error {
	if !isUserError(err) {
		return fmt.Errorf("%s: %w", what, err)
	}
	first, kerr := b.svc.Explained(ctx, team, key)
	if kerr != nil {
		return fmt.Errorf("%s: %w", what, kerr)
	}
	if first {
		b.whisper(ctx, m, flows.Explain(err))
	}
	return nil
}
