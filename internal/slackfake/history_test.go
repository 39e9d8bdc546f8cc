package slackfake_test

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/slack-go/slack"

	"github.com/racebot/racebot/internal/slackfake"
)

func post(t *testing.T, api *slack.Client, channel, thread, text, key string) string {
	t.Helper()
	opts := []slack.MsgOption{slack.MsgOptionText(text, false)}
	if thread != "" {
		opts = append(opts, slack.MsgOptionTS(thread))
	}
	if key != "" {
		opts = append(opts, slack.MsgOptionMetadata(slack.SlackMetadata{EventType: "test_post", EventPayload: map[string]any{"key": key}}))
	}
	_, ts, err := api.PostMessage(channel, opts...)
	if err != nil {
		t.Fatalf("post %q: %v", text, err)
	}
	return ts
}

func texts(ms []slack.Message) []string {
	var out []string
	for _, m := range ms {
		out = append(out, m.Text)
	}
	return out
}

func keys(ms []slack.Message) []string {
	var out []string
	for _, m := range ms {
		k, _ := m.Metadata.EventPayload["key"].(string)
		out = append(out, m.Metadata.EventType+":"+k)
	}
	return out
}

func TestHistoryNewestFirstWithMetadata(t *testing.T) {
	fake, api := newAPI(t)
	first := post(t, api, "C1", "", "one", "k1")
	post(t, api, "C1", first, "reply", "k2")
	person := fake.AddMessage(slackfake.Message{Channel: "C1", User: "UANA", Text: "from Ana"})
	post(t, api, "C1", "", "three", "k3")
	post(t, api, "C2", "", "elsewhere", "k4")

	h, err := api.GetConversationHistory(&slack.GetConversationHistoryParameters{ChannelID: "C1"})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"three", "from Ana", "one"}, texts(h.Messages)); diff != "" {
		t.Errorf("history (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{":", ":", ":"}, keys(h.Messages)); diff != "" {
		t.Errorf("metadata without include_all_metadata (-want +got):\n%s", diff)
	}
	if m := h.Messages[2]; m.ReplyCount != 1 || m.ThreadTimestamp != first {
		t.Errorf("thread parent: reply_count %d, thread_ts %q; want 1 and its own ts", m.ReplyCount, m.ThreadTimestamp)
	}
	if m := h.Messages[1]; m.User != "UANA" || m.BotID != "" || m.Timestamp != person.TS {
		t.Errorf("a person's message = user %q bot %q ts %q, want Ana's without a bot id", m.User, m.BotID, m.Timestamp)
	}

	h, err = api.GetConversationHistory(&slack.GetConversationHistoryParameters{ChannelID: "C1", IncludeAllMetadata: true, Oldest: first})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"test_post:k3", ":"}, keys(h.Messages)); diff != "" {
		t.Errorf("history after the first message, with metadata (-want +got):\n%s", diff)
	}
	h, err = api.GetConversationHistory(&slack.GetConversationHistoryParameters{ChannelID: "C1", Oldest: first, Inclusive: true})
	if err != nil || len(h.Messages) != 3 {
		t.Errorf("inclusive history = %v, %v; want all three", texts(h.Messages), err)
	}
}

func TestHistoryPages(t *testing.T) {
	_, api := newAPI(t)
	for _, s := range []string{"a", "b", "c", "d", "e"} {
		post(t, api, "C1", "", s, "")
	}
	var got []string
	cursor := ""
	for pages := 0; ; pages++ {
		if pages > 5 {
			t.Fatal("history never ran out of pages")
		}
		h, err := api.GetConversationHistory(&slack.GetConversationHistoryParameters{ChannelID: "C1", Limit: 2, Cursor: cursor})
		if err != nil {
			t.Fatal(err)
		}
		if len(h.Messages) > 2 {
			t.Fatalf("page of %d messages, want at most 2", len(h.Messages))
		}
		got = append(got, texts(h.Messages)...)
		if !h.HasMore {
			break
		}
		cursor = h.ResponseMetaData.NextCursor
	}
	if diff := cmp.Diff([]string{"e", "d", "c", "b", "a"}, got); diff != "" {
		t.Errorf("paged history (-want +got):\n%s", diff)
	}
	if _, err := api.GetConversationHistory(&slack.GetConversationHistoryParameters{ChannelID: "C1", Cursor: "bogus"}); err == nil || err.Error() != "invalid_cursor" {
		t.Errorf("bad cursor: err = %v, want invalid_cursor", err)
	}
}

func TestRepliesParentFirstWithMetadata(t *testing.T) {
	fake, api := newAPI(t)
	root := post(t, api, "C1", "", "root", "r")
	a := post(t, api, "C1", root, "a", "ka")
	fake.AddMessage(slackfake.Message{Channel: "C1", ThreadTS: a, User: "UBEN", Text: "from Ben"})
	post(t, api, "C1", root, "b", "kb")
	post(t, api, "C1", "", "other", "")

	ms, more, _, err := api.GetConversationReplies(&slack.GetConversationRepliesParameters{ChannelID: "C1", Timestamp: root, IncludeAllMetadata: true})
	if err != nil || more {
		t.Fatalf("replies: more %v, err %v", more, err)
	}
	if diff := cmp.Diff([]string{"root", "a", "from Ben", "b"}, texts(ms)); diff != "" {
		t.Errorf("replies (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"test_post:r", "test_post:ka", ":", "test_post:kb"}, keys(ms)); diff != "" {
		t.Errorf("replies' metadata (-want +got):\n%s", diff)
	}

	// A reply's ts stands for its thread; the parent comes first whatever
	// the window.
	ms, _, _, err = api.GetConversationReplies(&slack.GetConversationRepliesParameters{ChannelID: "C1", Timestamp: a, Oldest: a})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"root", "from Ben", "b"}, texts(ms)); diff != "" {
		t.Errorf("replies after a (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{":", ":", ":"}, keys(ms)); diff != "" {
		t.Errorf("metadata without include_all_metadata (-want +got):\n%s", diff)
	}

	ms, more, cursor, err := api.GetConversationReplies(&slack.GetConversationRepliesParameters{ChannelID: "C1", Timestamp: root, Limit: 3})
	if err != nil || !more || len(ms) != 3 {
		t.Fatalf("first page: %v, more %v, err %v", texts(ms), more, err)
	}
	ms, more, _, err = api.GetConversationReplies(&slack.GetConversationRepliesParameters{ChannelID: "C1", Timestamp: root, Limit: 3, Cursor: cursor})
	if err != nil || more || len(ms) != 1 || ms[0].Text != "b" {
		t.Errorf("second page: %v, more %v, err %v; want just b", texts(ms), more, err)
	}

	if _, _, _, err := api.GetConversationReplies(&slack.GetConversationRepliesParameters{ChannelID: "C1", Timestamp: "1.000001"}); err == nil || err.Error() != "thread_not_found" {
		t.Errorf("unknown thread: err = %v, want thread_not_found", err)
	}
}

func TestMetadataMustBeAnEvent(t *testing.T) {
	fake, api := newAPI(t)
	_, _, err := api.PostMessage("C1", slack.MsgOptionText("x", false), slack.MsgOptionMetadata(slack.SlackMetadata{EventPayload: map[string]any{"key": "k"}}))
	if err == nil || err.Error() != "invalid_metadata_format" {
		t.Errorf("metadata without event_type: err = %v, want invalid_metadata_format", err)
	}
	if n := len(fake.Messages("C1")); n != 0 {
		t.Errorf("%d messages posted, want none", n)
	}
}

func TestFaultsAfterTheWork(t *testing.T) {
	fake, api := newAPI(t)
	fake.FailAfterNext("chat.postMessage", 1, 500)
	_, _, err := api.PostMessage("C1", slack.MsgOptionText("one", false))
	var sc slack.StatusCodeError
	if !errors.As(err, &sc) || sc.Code != 500 {
		t.Fatalf("PostMessage after FailAfterNext: err = %v, want StatusCodeError 500", err)
	}
	fake.ResetAfterNext("chat.postMessage", 1)
	if _, _, err := api.PostMessage("C1", slack.MsgOptionText("two", false)); err == nil {
		t.Fatal("PostMessage after ResetAfterNext succeeded, want a connection error")
	}
	if _, _, err := api.PostMessage("C1", slack.MsgOptionText("three", false)); err != nil {
		t.Fatalf("PostMessage once the faults are used up: %v", err)
	}
	var got []string
	for _, m := range fake.Messages("C1") {
		got = append(got, m.Text)
	}
	if diff := cmp.Diff([]string{"one", "two", "three"}, got); diff != "" {
		t.Errorf("messages: every call did its work (-want +got):\n%s", diff)
	}
	var statuses []int
	for _, c := range fake.Calls("chat.postMessage") {
		statuses = append(statuses, c.Status)
	}
	if diff := cmp.Diff([]int{500, 0, 200}, statuses); diff != "" {
		t.Errorf("recorded statuses (-want +got):\n%s", diff)
	}
}
