package slackfake

import (
	"encoding/json"
	"slices"
	"strings"
)

// Message is a message the app posted, as it stands now: chat.update
// changes it in place and chat.delete removes it.
type Message struct {
	Channel  string
	TS       string
	ThreadTS string // the parent's ts for a thread reply, else ""
	Text     string
	Blocks   json.RawMessage // the blocks array as sent, nil without blocks
	User     string          // who posted it: BotUserID for the app
	Updated  bool            // chat.update changed it at least once
	// Metadata is the message metadata as sent ({"event_type":…,
	// "event_payload":{…}}), nil without. conversations.history and
	// conversations.replies return it when include_all_metadata is set.
	Metadata json.RawMessage
}

// Ephemeral is a message shown to one user only.
type Ephemeral struct {
	Channel  string
	User     string
	TS       string
	ThreadTS string
	Text     string
	Blocks   json.RawMessage
}

// Messages returns the current messages of a channel in posting order,
// thread replies included. For a DM use DMChannel(userID).
func (f *Fake) Messages(channel string) []Message {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.messages[channel])
}

// Replies returns the thread replies under the message with ts threadTS.
func (f *Fake) Replies(channel, threadTS string) []Message {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []Message
	for _, m := range f.messages[channel] {
		if m.ThreadTS == threadTS {
			out = append(out, m)
		}
	}
	return out
}

// Ephemerals returns every ephemeral message in posting order.
func (f *Fake) Ephemerals() []Ephemeral {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.ephemerals)
}

// messageLocked finds a message by channel and ts. f.mu must be held.
func (f *Fake) messageLocked(channel, ts string) (int, bool) {
	i := slices.IndexFunc(f.messages[channel], func(m Message) bool { return m.TS == ts })
	return i, i >= 0
}

// blocksParam returns the blocks parameter, which must be a JSON array
// within Slack's Block Kit limits (see checkBlocks).
func (f *Fake) blocksParam(r *apiRequest) (json.RawMessage, bool, error) {
	raw := r.raw("blocks")
	if raw == nil {
		return nil, false, nil
	}
	if err := checkBlocks(raw, limitMessageBlocks); err != nil {
		f.t.Logf("slackfake: %s refused: invalid_blocks: %v", r.call.Method, err)
		return nil, true, apiError("invalid_blocks")
	}
	return raw, true, nil
}

func (f *Fake) chatPostMessage(r *apiRequest) (map[string]any, error) {
	ch, err := f.channelLocked(r.get("channel"))
	if err != nil {
		return nil, err
	}
	if ch.NotMember {
		return nil, apiError("not_in_channel")
	}
	blocks, hasBlocks, err := f.blocksParam(r)
	if err != nil {
		return nil, err
	}
	text := r.get("text")
	if text == "" && !hasBlocks && r.get("attachments") == "" {
		return nil, apiError("no_text")
	}
	metadata, err := metadataParam(r)
	if err != nil {
		return nil, err
	}
	threadTS := r.get("thread_ts")
	if i, ok := f.messageLocked(ch.ID, threadTS); ok && f.messages[ch.ID][i].ThreadTS != "" {
		// A reply to a reply lands in the same thread, under its root.
		threadTS = f.messages[ch.ID][i].ThreadTS
	}
	m := Message{
		Channel:  ch.ID,
		TS:       f.nextTSLocked(),
		ThreadTS: threadTS,
		Text:     text,
		Blocks:   blocks,
		User:     BotUserID,
		Metadata: metadata,
	}
	f.messages[ch.ID] = append(f.messages[ch.ID], m)
	return map[string]any{"channel": m.Channel, "ts": m.TS, "message": messageJSON(m)}, nil
}

func (f *Fake) chatUpdate(r *apiRequest) (map[string]any, error) {
	ch, err := f.channelLocked(r.get("channel"))
	if err != nil {
		return nil, err
	}
	i, ok := f.messageLocked(ch.ID, r.get("ts"))
	if !ok {
		return nil, apiError("message_not_found")
	}
	m := &f.messages[ch.ID][i]
	if m.User != BotUserID {
		return nil, apiError("cant_update_message")
	}
	blocks, hasBlocks, err := f.blocksParam(r)
	if err != nil {
		return nil, err
	}
	metadata, err := metadataParam(r)
	if err != nil {
		return nil, err
	}
	if metadata != nil {
		m.Metadata = metadata
	}
	// Like Slack: fields left out keep their old value; an empty blocks
	// array removes the blocks.
	if r.has("text") {
		m.Text = r.get("text")
	}
	if hasBlocks {
		m.Blocks = blocks
		if string(blocks) == "[]" {
			m.Blocks = nil
		}
	}
	m.Updated = true
	return map[string]any{"channel": m.Channel, "ts": m.TS, "text": m.Text, "message": messageJSON(*m)}, nil
}

func (f *Fake) chatDelete(r *apiRequest) (map[string]any, error) {
	ch, err := f.channelLocked(r.get("channel"))
	if err != nil {
		return nil, err
	}
	i, ok := f.messageLocked(ch.ID, r.get("ts"))
	if !ok {
		return nil, apiError("message_not_found")
	}
	if f.messages[ch.ID][i].User != BotUserID {
		return nil, apiError("cant_delete_message")
	}
	f.messages[ch.ID] = slices.Delete(f.messages[ch.ID], i, i+1)
	return map[string]any{"channel": ch.ID, "ts": r.get("ts")}, nil
}

func (f *Fake) chatPostEphemeral(r *apiRequest) (map[string]any, error) {
	ch, err := f.channelLocked(r.get("channel"))
	if err != nil {
		return nil, err
	}
	if _, ok := f.userLocked(r.get("user")); !ok {
		return nil, apiError("user_not_in_channel")
	}
	blocks, hasBlocks, err := f.blocksParam(r)
	if err != nil {
		return nil, err
	}
	if r.get("text") == "" && !hasBlocks && r.get("attachments") == "" {
		return nil, apiError("no_text")
	}
	e := Ephemeral{
		Channel:  ch.ID,
		User:     r.get("user"),
		TS:       f.nextTSLocked(),
		ThreadTS: r.get("thread_ts"),
		Text:     r.get("text"),
		Blocks:   blocks,
	}
	f.ephemerals = append(f.ephemerals, e)
	return map[string]any{"message_ts": e.TS}, nil
}

func (f *Fake) chatGetPermalink(r *apiRequest) (map[string]any, error) {
	ch, err := f.channelLocked(r.get("channel"))
	if err != nil {
		return nil, err
	}
	ts := r.get("message_ts")
	if _, ok := f.messageLocked(ch.ID, ts); !ok {
		return nil, apiError("message_not_found")
	}
	return map[string]any{
		"channel":   ch.ID,
		"permalink": "https://" + TeamDomain + ".slack.com/archives/" + ch.ID + "/p" + strings.ReplaceAll(ts, ".", ""),
	}, nil
}

// messageJSON is the message object Slack returns for a bot's message.
func messageJSON(m Message) map[string]any {
	out := map[string]any{
		"type":   "message",
		"user":   m.User,
		"bot_id": BotID,
		"app_id": AppID,
		"team":   TeamID,
		"text":   m.Text,
		"ts":     m.TS,
	}
	if m.ThreadTS != "" {
		out["thread_ts"] = m.ThreadTS
	}
	if m.Blocks != nil {
		out["blocks"] = m.Blocks
	}
	return out
}
