package bot

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/racebot/racebot/coach"
	"github.com/racebot/racebot/flows"
	"github.com/racebot/racebot/markup"
	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
)

// asked tells the coach which prompt a message it posted in a plan's
// thread carries, so replies written before the next prompt appeared are
// filed under this one. One message shows one batch of replies; the last
// prompt in it is the one that stands. A message that stood in the thread
// a while before its ts was known here (late: Slack's answer was lost or
// slow) may have been answered meanwhile, and those replies filed under
// the prompt before: they are moved to this one.
func (b *Bot) asked(ctx context.Context, p *flows.Plan, replies []flows.Reply, ts string, late bool) {
	asks := ""
	for _, r := range replies {
		if a := r.Asks(); a != "" {
			asks = a
		}
	}
	if asks == "" {
		return
	}
	// Without the record, replies to this prompt are filed under the one
	// before it (see coach's saw).
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), askedTimeout)
	defer cancel()
	err := b.recordPosted(ctx, func(ctx context.Context) error { return b.svc.Asked(ctx, p.Team, p.ID, asks, ts) })
	switch {
	case err == nil:
		if late {
			b.refileLate(ctx, p, asks, ts)
		}
	case errors.Is(err, flows.ErrNoPlan):
		// Deleted since the post: nothing is filed under it.
	default:
		b.log.Error("record asked: replies to the prompt will be filed under the one before it", "plan", p.ID, "ts", ts, "err", err)
	}
}

// recordPosted runs write, the record of a message Slack has taken, until
// it succeeds: the message is out already, and without the record what
// people answer to it goes astray. A failed write is tried again, and the
// write runs even when shutdown cancels ctx just after the post, within
// askedTimeout. A plan deleted since (flows.ErrNoPlan) is not tried again.
func (b *Bot) recordPosted(ctx context.Context, write func(context.Context) error) error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), askedTimeout)
	defer cancel()
	pause := askedPause
	for try := 1; ; try++ {
		err := write(ctx)
		if err == nil || errors.Is(err, flows.ErrNoPlan) {
			return err
		}
		if try == askedTries || ctx.Err() != nil {
			return fmt.Errorf("%d tries: %w", try, err)
		}
		select {
		case <-time.After(pause):
		case <-ctx.Done():
		}
		pause *= 4
	}
}

// refileLate moves to a prompt recorded late (asks, posted at ts) the
// replies read meanwhile as answers to the prompt before it, and says so
// in the thread.
func (b *Bot) refileLate(ctx context.Context, p *flows.Plan, asks, ts string) {
	resp, err := b.svc.RefileLate(ctx, p.Team, p.Channel, p.ID, asks, ts, b.now())
	switch {
	case errors.Is(err, flows.ErrNoPlan):
	case err != nil:
		b.log.Warn("refile replies to a prompt recorded late", "plan", p.ID, "ts", ts, "err", err)
	case resp.Plan != nil:
		b.postToPlan(resp.Plan, "", resp.Replies, nil)
	}
	if resp.Reread {
		b.readRefusedAgain(ctx, p, ts)
	}
}

// readRefusedAgain reads back from the plan's thread the replies posted
// after a prompt recorded late (at ts) and has the coach read again those
// it refused: each was read before the prompt was recorded, as a line for
// the actions or KPIs prompt before it (see coach.ReadRefusedAgain).
// Slack keeps no record of a refusal, and the coach keeps no refused
// text, so the thread is where they are.
func (b *Bot) readRefusedAgain(ctx context.Context, p *flows.Plan, ts string) {
	msgs, _, _, err := b.slack(ctx).GetConversationRepliesContext(ctx, &slack.GetConversationRepliesParameters{
		ChannelID: p.Channel, Timestamp: p.Thread, Oldest: ts, Limit: lookupPage,
	})
	if err != nil {
		b.log.Warn("read back replies to a prompt recorded late", "plan", p.ID, "ts", ts, "err", err)
		return
	}
	for _, m := range msgs {
		if compareTS(m.Timestamp, ts) <= 0 || m.BotID != "" || m.User == "" || m.User == b.botUser(ctx) ||
			m.SubType != "" && m.SubType != "thread_broadcast" && m.SubType != "file_share" {
			continue
		}
		text, ok := b.replyText(ctx, m.Text)
		if !ok {
			continue
		}
		user := m.User
		resp, err := b.svc.ReadRefusedAgain(ctx, coach.Request{Team: p.Team, Channel: p.Channel, Plan: p.ID, User: user, Text: text, TS: m.Timestamp, Now: b.now(),
			ZoneOf: func(ctx context.Context) *time.Location { return b.userZone(ctx, user) }})
		switch {
		case errors.Is(err, flows.ErrNoPlan):
			return
		case err != nil:
			b.log.Warn("read a refused reply again", "plan", p.ID, "ts", m.Timestamp, "err", err)
		case resp.Changed:
			b.postToPlan(resp.Plan, m.User, resp.Replies, resp.Draft)
		}
	}
}

// How the record of a posted prompt is tried: four tries, 50, 200 and
// 800 ms apart, within the time a claimed post has (a write may wait its
// turn behind a busy writer that long).
const (
	askedTries   = 4
	askedPause   = 50 * time.Millisecond
	askedTimeout = claimedPostTimeout
)

// edited handles a message_changed event: Slack sends the message as it
// reads now under "message", its ts the original one. Only edits of
// people's replies in racebot's threads, and of messages filed with "Add
// to RACE plan" (see editedFiled), count, and only when the text
// changed (Slack also sends this event for link previews and the like).
// The service ignores edits of messages it kept nothing from and edits by
// anyone but the author; an edit of a message not read yet is read as the
// message.
func (b *Bot) edited(ctx context.Context, team, eventID string, m *slackevents.MessageEvent) error {
	msg := m.Message
	if msg == nil || msg.BotID != "" || msg.User == "" || msg.User == b.botUser(ctx) {
		return nil
	}
	if m.PreviousMessage != nil && m.PreviousMessage.Text == msg.Text {
		return nil
	}
	if msg.ThreadTimestamp == "" || msg.ThreadTimestamp == msg.Timestamp {
		return b.editedFiled(ctx, team, eventID, m, 0)
	}
	conv, err := b.svc.Locate(ctx, team, m.Channel, msg.ThreadTimestamp)
	if err != nil {
		return err
	}
	if !conv.Known() {
		// Read whole, as the shortcut took it: in a thread racebot does
		// not keep, "//" and a colleague's name first mark nothing.
		return b.editedFiled(ctx, team, eventID, m, 0)
	}
	read, err := b.editedInThread(ctx, team, eventID, m, conv)
	if err != nil {
		return err
	}
	// The message may have been filed into plans with "Add to RACE
	// plan" too: an aside in this thread into this plan (not read as a
	// reply above), or a reply into another plan of the channel.
	skip := flows.PlanID(0)
	if read {
		skip = cmp.Or(conv.Plan, conv.Checkin.Plan)
	}
	return b.editedFiled(ctx, team, eventID, m, skip)
}

// editedInThread applies an edit of a message in a thread racebot keeps
// (conv) to its plan or check-in; it reports false for side chat there,
// which is no reply.
func (b *Bot) editedInThread(ctx context.Context, team, eventID string, m *slackevents.MessageEvent, conv coach.Conversation) (bool, error) {
	msg := m.Message
	text, ok := b.replyText(ctx, msg.Text)
	if !ok {
		return false, nil
	}
	editor := editorOf(msg)
	author := &slackevents.MessageEvent{Channel: m.Channel, ThreadTimeStamp: msg.ThreadTimestamp, User: editor}
	req := coach.Request{
		Team: team, Channel: m.Channel, User: editor, Text: text, Now: b.now(),
		Plan: conv.Plan, Checkin: conv.Checkin.ID, TS: msg.Timestamp, Key: eventID,
		Edited: editTime(m),
	}
	// before is the message as Slack says it read before this edit (else
	// as it reads now), markup and all: an unread message is read so.
	before := msg.Text
	if prev := m.PreviousMessage; prev != nil && prev.Text != "" {
		if text, ok := b.replyText(ctx, prev.Text); ok {
			req.Previous, before = text, prev.Text
		}
	}
	if flows.ReadsToday(text) {
		// As for a new reply: "tomorrow" is the editor's tomorrow.
		req.Zone = b.userZone(ctx, editor)
	}
	resp, err := b.svc.EditMessage(ctx, req)
	if err != nil {
		return true, b.explainOnce(ctx, team, eventID, err, "edit", author)
	}
	if !resp.Duplicate && !resp.Changed && editor == msg.User && b.recent(msg.Timestamp) {
		// Perhaps an edit of a message not read yet: its delivery may
		// still be on its way (Slack retries one that failed) and would
		// record the text as it was. The edit is then read as the message
		// itself, keyed by it, so that delivery comes too late; and if
		// the delivery won the race meanwhile, the edit applies to what
		// it recorded. Only a recent message: the key of an older one
		// may be forgotten (coach.MessageKeysKept), not unread, and a
		// catch-up would not have read it either.
		read, err := b.svc.Handled(ctx, team, coach.MessageKey(m.Channel, msg.Timestamp))
		if err != nil {
			return true, err
		}
		if !read {
			// The message is read as it was before this edit, which then
			// applies as an edit, dated: an earlier edit delivered after
			// it is then known as older, and changes nothing.
			original := &slackevents.MessageEvent{Type: "message", Channel: m.Channel, User: msg.User, Text: before,
				TimeStamp: msg.Timestamp, ThreadTimeStamp: msg.ThreadTimestamp}
			if err := b.reply(ctx, team, original); err != nil {
				return true, err
			}
		}
		// Looked at again: a line refused just as this edit first looked
		// is recorded as refused by now (before its message is marked
		// read), and the edit is taken as the line corrected.
		if resp, err = b.svc.EditMessage(ctx, req); err != nil {
			return true, b.explainOnce(ctx, team, eventID, err, "edit", author)
		}
	}
	if resp.Duplicate || !resp.Changed {
		return true, nil
	}
	if resp.Taken && conv.Checkin.ID != 0 {
		// A refused reply, corrected: confirmed in the check-in's thread
		// as a new reply is, once for its message.
		b.confirmCheckinReply(ctx, conv.Checkin, m.Channel, msg.ThreadTimestamp, coach.MessageKey(m.Channel, msg.Timestamp), resp)
		return true, nil
	}
	if resp.Taken {
		// A refused line, corrected: its action, KPI or values are the
		// team's news, told in the thread as a new line's are, and values
		// that count in an open check-in are told there too, once for
		// their message, as the values command's are.
		b.postToPlan(resp.Plan, editor, resp.Replies, nil)
		if resp.Checkin.ID != 0 {
			key := coach.MessageKey(m.Channel, msg.Timestamp)
			b.later(ctx, "values in the check-in", func(ctx context.Context) {
				b.confirmInCheckin(ctx, key, resp, editor)
			})
		}
		return true, nil
	}
	for _, r := range resp.Replies {
		b.whisper(ctx, author, r.Msg)
	}
	c := conv.Checkin
	if c.ID == 0 {
		// Values edited in the plan's thread may be in a check-in too.
		c = resp.Checkin
	}
	if c.ID != 0 {
		b.tellStanding(ctx, c, eventID, resp)
		b.later(ctx, "summary after edit", func(ctx context.Context) { b.refreshSummary(ctx, c) })
	}
	return true, nil
}

// editorOf is who made an edit: Slack names them under "edited"; an
// admin may edit another's message.
func editorOf(msg *slack.Msg) string {
	if msg.Edited != nil && msg.Edited.User != "" {
		return msg.Edited.User
	}
	return msg.User
}

// editedFiled handles an edit of a message outside racebot's threads
// (side chat, or a thread it does not keep): it counts only in the plans
// "Add to RACE plan" filed it into (see coach.Service.Filed), where it
// revises what the message gave as an edit of a reply in the plan's
// thread does. The text is taken whole, as the shortcut took it: the
// marks of side chat in a plan's thread ("//", a colleague's name first)
// do not apply to a message someone chose to add. skip is the plan the
// edit was applied to as a reply in its thread (0 for none).
func (b *Bot) editedFiled(ctx context.Context, team, eventID string, m *slackevents.MessageEvent, skip flows.PlanID) error {
	msg := m.Message
	plans, err := b.svc.Filed(ctx, team, m.Channel, msg.Timestamp)
	if err != nil || len(plans) == 0 {
		return err
	}
	text := strings.TrimSpace(string(markup.FromSlack(msg.Text)))
	editor := editorOf(msg)
	author := &slackevents.MessageEvent{Channel: m.Channel, ThreadTimeStamp: msg.ThreadTimestamp, User: editor}
	for _, id := range plans {
		if id == skip {
			continue
		}
		// One key per plan: a message filed into two plans is revised in
		// each, and Slack's second delivery of the edit in neither.
		key := filedKey(eventID, id)
		req := coach.Request{
			Team: team, Channel: m.Channel, User: editor, Text: text, Now: b.now(),
			Plan: id, TS: msg.Timestamp, Key: key, Edited: editTime(m),
		}
		if prev := m.PreviousMessage; prev != nil {
			req.Previous = strings.TrimSpace(string(markup.FromSlack(prev.Text)))
		}
		if flows.ReadsToday(text) {
			req.Zone = b.userZone(ctx, editor)
		}
		resp, err := b.svc.EditMessage(ctx, req)
		if err != nil {
			// Told under the edit's own key, as in a thread: an edit
			// refused in two plans (a command, say) is one sentence.
			if err := b.explainOnce(ctx, team, eventID, err, "edit", author); err != nil {
				return err
			}
			continue
		}
		if resp.Duplicate || !resp.Changed {
			continue
		}
		for _, r := range resp.Replies {
			b.whisper(ctx, author, r.Msg)
		}
		if c := resp.Checkin; c.ID != 0 {
			b.tellStanding(ctx, c, key, resp)
			b.later(ctx, "summary after edit", func(ctx context.Context) { b.refreshSummary(ctx, c) })
		}
	}
	return nil
}

// filedKey keys an edit or a deletion of a filed message (see
// editedFiled) in one of the plans it was filed into.
func filedKey(eventID string, plan flows.PlanID) string {
	return eventID + ":" + strconv.FormatInt(int64(plan), 10)
}

// tellStanding tells a check-in's thread whose value is its own again
// after a request withdrew the value that had replaced it (see
// coach.Response.Standing): the thread is where that person was told
// theirs was replaced. Once for the event, which Slack may deliver again.
func (b *Bot) tellStanding(ctx context.Context, c flows.Checkin, eventID string, resp coach.Response) {
	if len(resp.Standing) == 0 || c.Thread == "" {
		return
	}
	b.later(ctx, "value standing again", func(ctx context.Context) {
		msg, err := b.svc.StandingNote(ctx, c.Team, c.Plan, resp.Standing)
		if err != nil || msg == nil {
			if err != nil {
				b.log.Warn("tell whose value stands again", "checkin", c.ID, "err", err)
			}
			return
		}
		note := []flows.Reply{{Kind: flows.ReplyNote, Msg: msg}}
		if _, err := b.poster.postOnce(ctx, c.Channel, c.Thread, "standing:"+eventID, renderReplies(resp.Plan, note)); err != nil {
			b.log.Warn("tell whose value stands again", "checkin", c.ID, "err", err)
		}
	})
}

// editTime is when an edit was made: its edited.ts, else the event's own
// ts, which is the edit's; zero when neither reads as a time.
func editTime(m *slackevents.MessageEvent) time.Time {
	ts := m.TimeStamp
	if m.Message != nil && m.Message.Edited != nil && m.Message.Edited.Timestamp != "" {
		ts = m.Message.Edited.Timestamp
	}
	at, _ := coach.MessageTime(ts)
	return at
}

// recent says whether a message (its ts) is within the catch-up window:
// one racebot would still read back.
func (b *Bot) recent(ts string) bool {
	at, ok := coach.MessageTime(ts)
	return ok && at.After(b.now().Add(-coach.CatchupWindow))
}

// deleted handles a message_deleted event: the message is named by
// deleted_ts and carried, with its thread, under "previous_message". A
// withdrawn answer is announced in its thread; removed values show in the
// check-in's summary.
func (b *Bot) deleted(ctx context.Context, team, eventID string, m *slackevents.MessageEvent) error {
	prev := m.PreviousMessage
	if prev == nil || prev.BotID != "" || prev.User == "" || prev.User == b.botUser(ctx) {
		return nil
	}
	ts := cmp.Or(m.DeletedTimeStamp, prev.Timestamp)
	thread := cmp.Or(prev.ThreadTimestamp, m.ThreadTimeStamp)
	if thread == "" || thread == ts {
		return b.deletedFiled(ctx, team, eventID, m, ts, 0)
	}
	conv, err := b.svc.Locate(ctx, team, m.Channel, thread)
	if err != nil {
		return err
	}
	if !conv.Known() {
		return b.deletedFiled(ctx, team, eventID, m, ts, 0)
	}
	if err := b.deletedInThread(ctx, team, eventID, m, conv, ts); err != nil {
		return err
	}
	// It may have been filed into another plan of the channel too.
	return b.deletedFiled(ctx, team, eventID, m, ts, cmp.Or(conv.Plan, conv.Checkin.Plan))
}

// deletedInThread applies the deletion of a message (ts) in a thread
// racebot keeps (conv) to its plan or check-in.
func (b *Bot) deletedInThread(ctx context.Context, team, eventID string, m *slackevents.MessageEvent, conv coach.Conversation, ts string) error {
	prev := m.PreviousMessage
	thread := cmp.Or(prev.ThreadTimestamp, m.ThreadTimeStamp)
	resp, err := b.svc.DeleteMessage(ctx, coach.Request{
		Team: team, Channel: m.Channel, User: prev.User, Now: b.now(),
		Plan: conv.Plan, Checkin: conv.Checkin.ID, TS: ts, Key: eventID,
	})
	if err != nil {
		return fmt.Errorf("delete: %w", err)
	}
	if resp.Duplicate {
		return nil
	}
	if !resp.Changed {
		// Kept anyway (a KPI with values): said to the message's author,
		// who deleted it (Slack does not say when an admin did).
		author := &slackevents.MessageEvent{Channel: m.Channel, ThreadTimeStamp: thread, User: prev.User}
		for _, r := range resp.Replies {
			b.whisper(ctx, author, r.Msg)
		}
		return nil
	}
	c := conv.Checkin
	if c.ID == 0 {
		// Values deleted from the plan's thread may be in a check-in too.
		c = resp.Checkin
	}
	if c.ID != 0 {
		b.tellStanding(ctx, c, eventID, resp)
		b.later(ctx, "after delete", func(ctx context.Context) { b.refreshSummary(ctx, c) })
	}
	if resp.Plan != nil {
		// A check-in's own thread has its summary; the plan's is told.
		b.postToPlan(resp.Plan, prev.User, resp.Replies, nil)
	}
	return nil
}

// deletedFiled handles the deletion of a message outside racebot's
// threads (ts): in each plan "Add to RACE plan" filed it into, what it
// gave is withdrawn as for a deleted reply in the plan's thread. skip is
// the plan the deletion was applied to in its thread (0 for none).
func (b *Bot) deletedFiled(ctx context.Context, team, eventID string, m *slackevents.MessageEvent, ts string, skip flows.PlanID) error {
	prev := m.PreviousMessage
	plans, err := b.svc.Filed(ctx, team, m.Channel, ts)
	if err != nil || len(plans) == 0 {
		return err
	}
	for _, id := range plans {
		if id == skip {
			continue
		}
		key := filedKey(eventID, id)
		resp, err := b.svc.DeleteMessage(ctx, coach.Request{
			Team: team, Channel: m.Channel, User: prev.User, Now: b.now(),
			Plan: id, TS: ts, Key: key,
		})
		if err != nil {
			return fmt.Errorf("delete: %w", err)
		}
		if resp.Duplicate {
			continue
		}
		if !resp.Changed {
			author := &slackevents.MessageEvent{Channel: m.Channel, ThreadTimeStamp: prev.ThreadTimestamp, User: prev.User}
			for _, r := range resp.Replies {
				b.whisper(ctx, author, r.Msg)
			}
			continue
		}
		if c := resp.Checkin; c.ID != 0 {
			b.tellStanding(ctx, c, key, resp)
			b.later(ctx, "after delete", func(ctx context.Context) { b.refreshSummary(ctx, c) })
		}
		if resp.Plan != nil {
			b.postToPlan(resp.Plan, prev.User, resp.Replies, nil)
		}
	}
	return nil
}
