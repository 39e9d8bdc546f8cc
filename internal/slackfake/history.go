package slackfake

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// Paging limits of conversations.history and conversations.replies. Slack
// documents the maximum; the default applies when limit is absent or 0.
const (
	defaultHistoryLimit = 100
	maxHistoryLimit     = 999
)

// metadataParam returns the metadata parameter of chat.postMessage or
// chat.update, which Slack requires to be an object with an event_type and
// an event_payload object.
func metadataParam(r *apiRequest) (json.RawMessage, error) {
	raw := r.raw("metadata")
	if raw == nil {
		return nil, nil
	}
	var m struct {
		EventType    string          `json:"event_type"`
		EventPayload json.RawMessage `json:"event_payload"`
	}
	if err := json.Unmarshal(raw, &m); err != nil || m.EventType == "" {
		return nil, apiError("invalid_metadata_format")
	}
	if len(m.EventPayload) > 0 && m.EventPayload[0] != '{' {
		return nil, apiError("invalid_metadata_format")
	}
	return raw, nil
}

// AddMessage stores a message as if someone had posted it in Slack, so
// conversations.history and conversations.replies return it; no event is
// sent (SendEvent does that). A blank TS gets the next timestamp, a blank
// User is "U0", and a ThreadTS naming a reply is moved to its thread's
// root, as chat.postMessage does. It returns the message as stored.
func (f *Fake) AddMessage(m Message) Message {
	if m.TS != "" {
		f.observeTS(m.TS)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if m.TS == "" {
		m.TS = f.nextTSLocked()
	}
	if m.User == "" {
		m.User = "U0"
	}
	if i, ok := f.messageLocked(m.Channel, m.ThreadTS); ok && f.messages[m.Channel][i].ThreadTS != "" {
		m.ThreadTS = f.messages[m.Channel][i].ThreadTS
	}
	f.messages[m.Channel] = append(f.messages[m.Channel], m)
	slices.SortStableFunc(f.messages[m.Channel], func(a, b Message) int { return compareTS(a.TS, b.TS) })
	f.notifyLocked()
	return m
}

// window is the oldest/latest/inclusive filter both methods share.
type window struct {
	oldest, latest int64 // microseconds; latest 0 means no upper bound
	inclusive      bool
}

func parseWindow(r *apiRequest) (window, error) {
	var w window
	var err error
	if s := r.get("oldest"); s != "" {
		if w.oldest, err = parseTS(s); err != nil {
			return w, apiError("invalid_ts_oldest")
		}
	}
	if s := r.get("latest"); s != "" {
		if w.latest, err = parseTS(s); err != nil {
			return w, apiError("invalid_ts_latest")
		}
	}
	w.inclusive = truthy(r.get("inclusive"))
	return w, nil
}

func (w window) has(ts string) bool {
	t, err := parseTS(ts)
	if err != nil {
		return false
	}
	if w.inclusive {
		return t >= w.oldest && (w.latest == 0 || t <= w.latest)
	}
	return t > w.oldest && (w.latest == 0 || t < w.latest)
}

// parseTS reads a Slack timestamp ("1732380000.000100", or whole seconds)
// as microseconds.
func parseTS(s string) (int64, error) {
	sec, frac, _ := strings.Cut(s, ".")
	secs, err := strconv.ParseInt(sec, 10, 64)
	if err != nil {
		return 0, err
	}
	var micro int64
	if frac != "" {
		frac = (frac + "000000")[:6]
		if micro, err = strconv.ParseInt(frac, 10, 64); err != nil {
			return 0, err
		}
	}
	return secs*1e6 + micro, nil
}

func compareTS(a, b string) int {
	x, _ := parseTS(a)
	y, _ := parseTS(b)
	switch {
	case x < y:
		return -1
	case x > y:
		return 1
	}
	return 0
}

func truthy(s string) bool { return s == "1" || s == "true" }

func pageLimit(r *apiRequest) int {
	n, err := strconv.Atoi(r.get("limit"))
	if err != nil || n <= 0 {
		return defaultHistoryLimit
	}
	return min(n, maxHistoryLimit)
}

// Cursors are opaque to clients; like Slack's they are base64, here of
// "next_ts:<ts>", the first message of the next page.
func encodeCursor(ts string) string {
	return base64.StdEncoding.EncodeToString([]byte("next_ts:" + ts))
}

func decodeCursor(c string) (string, error) {
	b, err := base64.StdEncoding.DecodeString(c)
	ts, ok := strings.CutPrefix(string(b), "next_ts:")
	if err != nil || !ok {
		return "", apiError("invalid_cursor")
	}
	return ts, nil
}

// page cuts one page of limit messages out of ms, which are in the order
// the method returns them, starting at the cursor's message.
func page(ms []Message, r *apiRequest) ([]Message, string, error) {
	start := 0
	if c := r.get("cursor"); c != "" {
		ts, err := decodeCursor(c)
		if err != nil {
			return nil, "", err
		}
		start = slices.IndexFunc(ms, func(m Message) bool { return m.TS == ts })
		if start < 0 {
			return nil, "", apiError("invalid_cursor")
		}
	}
	end := min(start+pageLimit(r), len(ms))
	next := ""
	if end < len(ms) {
		next = encodeCursor(ms[end].TS)
	}
	return ms[start:end], next, nil
}

// historyJSON is a message as the history methods return it: metadata
// only when include_all_metadata asks for it, and a thread parent with its
// reply count and latest reply.
func (f *Fake) historyJSON(m Message, withMetadata bool) map[string]any {
	out := messageJSON(m)
	if m.User != BotUserID {
		delete(out, "bot_id")
		delete(out, "app_id")
	}
	if withMetadata && m.Metadata != nil {
		out["metadata"] = m.Metadata
	}
	if m.ThreadTS == "" {
		count, latest := 0, ""
		for _, r := range f.messages[m.Channel] {
			if r.ThreadTS == m.TS {
				count++
				latest = r.TS
			}
		}
		if count > 0 {
			out["thread_ts"] = m.TS
			out["reply_count"] = count
			out["latest_reply"] = latest
		}
	}
	return out
}

func historyBody(f *Fake, ms []Message, next string, withMetadata bool) map[string]any {
	out := make([]map[string]any, 0, len(ms))
	for _, m := range ms {
		out = append(out, f.historyJSON(m, withMetadata))
	}
	body := map[string]any{"messages": out, "has_more": next != ""}
	if next != "" {
		body["response_metadata"] = map[string]any{"next_cursor": next}
	}
	return body
}

// conversationsHistory lists a channel's top-level messages, newest first,
// as Slack does; thread replies are left to conversations.replies.
func (f *Fake) conversationsHistory(r *apiRequest) (map[string]any, error) {
	ch, err := f.channelLocked(r.get("channel"))
	if err != nil {
		return nil, err
	}
	if ch.NotMember {
		return nil, apiError("not_in_channel")
	}
	w, err := parseWindow(r)
	if err != nil {
		return nil, err
	}
	var ms []Message
	for _, m := range slices.Backward(f.messages[ch.ID]) {
		if m.ThreadTS == "" && w.has(m.TS) {
			ms = append(ms, m)
		}
	}
	got, next, err := page(ms, r)
	if err != nil {
		return nil, err
	}
	body := historyBody(f, got, next, truthy(r.get("include_all_metadata")))
	body["pin_count"] = 0
	return body, nil
}

// conversationsReplies lists a thread oldest first: its parent, which is
// always there, then the replies in the oldest/latest window. A ts naming
// a reply stands for its thread.
func (f *Fake) conversationsReplies(r *apiRequest) (map[string]any, error) {
	ch, err := f.channelLocked(r.get("channel"))
	if err != nil {
		return nil, err
	}
	if ch.NotMember {
		return nil, apiError("not_in_channel")
	}
	i, ok := f.messageLocked(ch.ID, r.get("ts"))
	if !ok {
		return nil, apiError("thread_not_found")
	}
	root := f.messages[ch.ID][i]
	if root.ThreadTS != "" {
		j, ok := f.messageLocked(ch.ID, root.ThreadTS)
		if !ok {
			return nil, apiError("thread_not_found")
		}
		root = f.messages[ch.ID][j]
	}
	w, err := parseWindow(r)
	if err != nil {
		return nil, err
	}
	ms := []Message{root}
	for _, m := range f.messages[ch.ID] {
		if m.ThreadTS == root.TS && w.has(m.TS) {
			ms = append(ms, m)
		}
	}
	got, next, err := page(ms, r)
	if err != nil {
		return nil, err
	}
	return historyBody(f, got, next, truthy(r.get("include_all_metadata"))), nil
}

// describeMetadata shows a message's metadata in Dump.
func describeMetadata(raw json.RawMessage) string {
	if raw == nil {
		return ""
	}
	return fmt.Sprintf(" metadata=%s", clip(string(raw)))
}

// RemoveMessage takes a person's message out of its channel, as its author
// deleting it in Slack does; no event is sent (SendEvent does that).
func (f *Fake) RemoveMessage(channel, ts string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if i, ok := f.messageLocked(channel, ts); ok {
		f.messages[channel] = slices.Delete(f.messages[channel], i, i+1)
		f.notifyLocked()
	}
}

// SetText changes a stored message's text, as its author editing it in
// Slack does; no event is sent.
func (f *Fake) SetText(channel, ts, text string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if i, ok := f.messageLocked(channel, ts); ok {
		f.messages[channel][i].Text = text
		f.notifyLocked()
	}
}
