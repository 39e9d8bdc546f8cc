package slackfake_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"

	"github.com/racebot/racebot/internal/slackfake"
)

// newAPI returns a real slack-go client talking to a fresh fake.
func newAPI(t *testing.T) (*slackfake.Fake, *slack.Client) {
	t.Helper()
	fake := slackfake.New(t)
	api := slack.New("xoxb-test", slack.OptionAPIURL(fake.APIURL()), slack.OptionAppLevelToken("xapp-test"))
	return fake, api
}

func TestPostUpdateReadBack(t *testing.T) {
	fake, api := newAPI(t)

	blocks := slack.MsgOptionBlocks(slack.NewSectionBlock(slack.NewTextBlockObject("mrkdwn", "*Plan*", false, false), nil, nil))
	ch, ts, err := api.PostMessage("C1", slack.MsgOptionText("Plan: Q1 Launch", false), blocks)
	if err != nil {
		t.Fatalf("PostMessage: %v", err)
	}
	if ch != "C1" || !tsPattern(ts) {
		t.Fatalf("PostMessage = %q, %q; want C1 and a Slack ts", ch, ts)
	}
	if _, _, _, err := api.UpdateMessage("C1", ts, slack.MsgOptionText("Plan: Q1 Launch (Reach done)", false)); err != nil {
		t.Fatalf("UpdateMessage: %v", err)
	}

	got := fake.Messages("C1")
	if len(got) != 1 {
		t.Fatalf("Messages(C1) = %d messages, want 1:\n%s", len(got), fake.Dump())
	}
	m := got[0]
	m.Blocks = nil // compared below: only the text was updated
	want := slackfake.Message{Channel: "C1", TS: ts, Text: "Plan: Q1 Launch (Reach done)", User: slackfake.BotUserID, Updated: true}
	if diff := cmp.Diff(want, m); diff != "" {
		t.Errorf("message after update (-want +got):\n%s", diff)
	}
	var parsed []map[string]any
	if err := json.Unmarshal(got[0].Blocks, &parsed); err != nil || len(parsed) != 1 || parsed[0]["type"] != "section" {
		t.Errorf("blocks kept after a text-only update = %s (err %v), want the section block", got[0].Blocks, err)
	}
	if calls := fake.Calls("chat.update"); len(calls) != 1 || calls[0].Get("ts") != ts || calls[0].Token != "xoxb-test" {
		t.Errorf("chat.update calls = %+v, want one for ts %s with the bot token", calls, ts)
	}

	if _, _, err := api.DeleteMessage("C1", ts); err != nil {
		t.Fatalf("DeleteMessage: %v", err)
	}
	if got := fake.Messages("C1"); len(got) != 0 {
		t.Errorf("Messages after delete = %+v, want none", got)
	}
	_, _, _, err = api.UpdateMessage("C1", ts, slack.MsgOptionText("gone", false))
	if !isSlackError(err, "message_not_found") {
		t.Errorf("update of a deleted message: err = %v, want message_not_found", err)
	}
}

func TestThreadRepliesHaveIncreasingTimestamps(t *testing.T) {
	fake, api := newAPI(t)

	_, parent, err := api.PostMessage("C1", slack.MsgOptionText("Coaching thread", false))
	if err != nil {
		t.Fatalf("PostMessage: %v", err)
	}
	var replies []string
	for _, text := range []string{"Q1: Who is your audience?", "Q2: What is your value proposition?"} {
		_, ts, err := api.PostMessage("C1", slack.MsgOptionText(text, false), slack.MsgOptionTS(parent))
		if err != nil {
			t.Fatalf("reply: %v", err)
		}
		replies = append(replies, ts)
	}
	// A reply to a reply stays in the root's thread, as in Slack.
	_, nested, err := api.PostMessage("C1", slack.MsgOptionText("nested", false), slack.MsgOptionTS(replies[0]))
	if err != nil {
		t.Fatalf("nested reply: %v", err)
	}
	_, other, err := api.PostMessage("C2", slack.MsgOptionText("elsewhere", false))
	if err != nil {
		t.Fatalf("PostMessage C2: %v", err)
	}

	all := []string{parent, replies[0], replies[1], nested, other}
	for i := 1; i < len(all); i++ {
		if !(all[i-1] < all[i]) || len(all[i-1]) != len(all[i]) {
			t.Errorf("ts %q is not after %q", all[i], all[i-1])
		}
	}
	var threads []string
	for _, m := range fake.Replies("C1", parent) {
		threads = append(threads, m.TS)
	}
	if diff := cmp.Diff([]string{replies[0], replies[1], nested}, threads); diff != "" {
		t.Errorf("Replies(C1, parent) (-want +got):\n%s", diff)
	}
	if got := fake.Messages("C1"); len(got) != 4 || got[0].ThreadTS != "" {
		t.Errorf("Messages(C1) = %+v, want the parent then three replies", got)
	}
}

func TestRateLimitThenSuccess(t *testing.T) {
	fake, api := newAPI(t)
	fake.RateLimitNext("chat.postMessage", 1, 3*time.Second)

	_, _, err := api.PostMessage("C1", slack.MsgOptionText("hi", false))
	var rl *slack.RateLimitedError
	if !errors.As(err, &rl) {
		t.Fatalf("first PostMessage: err = %v (%T), want *slack.RateLimitedError", err, err)
	}
	if rl.RetryAfter != 3*time.Second {
		t.Errorf("RetryAfter = %v, want 3s", rl.RetryAfter)
	}
	if got := fake.Messages("C1"); len(got) != 0 {
		t.Errorf("a rate-limited call stored %+v", got)
	}
	if _, _, err := api.PostMessage("C1", slack.MsgOptionText("hi", false)); err != nil {
		t.Fatalf("second PostMessage: %v", err)
	}
	var statuses []int
	for _, c := range fake.Calls("chat.postMessage") {
		statuses = append(statuses, c.Status)
	}
	if diff := cmp.Diff([]int{429, 200}, statuses); diff != "" {
		t.Errorf("recorded statuses (-want +got):\n%s", diff)
	}
}

func TestFailNextAnswersServerErrors(t *testing.T) {
	fake, api := newAPI(t)
	fake.FailNext("users.info", 2, 503)

	for range 2 {
		_, err := api.GetUserInfo("U1")
		var sc slack.StatusCodeError
		if !errors.As(err, &sc) || sc.Code != 503 {
			t.Fatalf("GetUserInfo: err = %v, want StatusCodeError 503", err)
		}
	}
	if _, err := api.GetUserInfo("U1"); err != nil {
		t.Fatalf("third GetUserInfo: %v", err)
	}
}

func TestDelayHoldsAnswerUntilCallerGivesUp(t *testing.T) {
	fake, api := newAPI(t)
	fake.Delay("chat.postMessage", time.Hour)

	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() {
		_, _, err := api.PostMessageContext(ctx, "C1", slack.MsgOptionText("slow", false))
		done <- err
	}()
	fake.WaitFor(t, func() bool { return fake.InFlight("chat.postMessage") == 1 }, "the held postMessage")
	if got := fake.Messages("C1"); len(got) != 0 {
		t.Errorf("a held call already stored %+v", got)
	}
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("held PostMessage: err = %v, want context.Canceled", err)
	}
	fake.WaitFor(t, func() bool { return fake.InFlight("chat.postMessage") == 0 }, "the held call to end")

	fake.Delay("chat.postMessage", 0)
	if _, _, err := api.PostMessage("C1", slack.MsgOptionText("fast", false)); err != nil {
		t.Fatalf("PostMessage after Delay(0): %v", err)
	}
}

// TestDelayZeroLetsHeldCallsGo: a test holds posts, looks at the state
// they would change, then lets them go, in that order.
func TestDelayZeroLetsHeldCallsGo(t *testing.T) {
	fake, api := newAPI(t)
	fake.Delay("chat.postMessage", time.Hour)
	done := make(chan string, 1)
	go func() {
		_, ts, err := api.PostMessageContext(t.Context(), "C1", slack.MsgOptionText("held", false))
		if err != nil {
			t.Errorf("held PostMessage: %v", err)
		}
		done <- ts
	}()
	fake.WaitFor(t, func() bool { return fake.InFlight("chat.postMessage") == 1 }, "the held postMessage")
	// A message a test stamps meanwhile comes before the held post.
	before := "9999999999.000001"
	fake.SendEvent(slackfake.MessageEvent{Channel: "C1", User: "U1", Text: "typed while it was held", TS: before})
	fake.Delay("chat.postMessage", 0)
	ts := <-done
	if len(ts) != len(before) || ts <= before {
		t.Errorf("held post got ts %s, want one after %s", ts, before)
	}
}

func TestTokensAreChecked(t *testing.T) {
	fake := slackfake.New(t)
	tests := []struct {
		name  string
		api   *slack.Client
		call  func(*slack.Client) error
		error string
	}{
		{
			name: "no token",
			api:  slack.New("", slack.OptionAPIURL(fake.APIURL())),
			call: func(api *slack.Client) error {
				_, _, err := api.PostMessage("C1", slack.MsgOptionText("x", false))
				return err
			},
			error: "not_authed",
		},
		{
			name:  "app token for a bot method",
			api:   slack.New("xapp-test", slack.OptionAPIURL(fake.APIURL())),
			call:  func(api *slack.Client) error { _, err := api.AuthTest(); return err },
			error: "not_allowed_token_type",
		},
		{
			name:  "no app token for apps.connections.open",
			api:   slack.New("xoxb-test", slack.OptionAPIURL(fake.APIURL())),
			call:  func(api *slack.Client) error { _, _, err := api.StartSocketModeContext(t.Context()); return err },
			error: "not_authed",
		},
		{
			name:  "bot token as app token",
			api:   slack.New("xoxb-test", slack.OptionAPIURL(fake.APIURL()), slack.OptionAppLevelToken("xoxb-test")),
			call:  func(api *slack.Client) error { _, _, err := api.StartSocketModeContext(t.Context()); return err },
			error: "not_allowed_token_type",
		},
		{
			name:  "garbage token",
			api:   slack.New("hunter2", slack.OptionAPIURL(fake.APIURL())),
			call:  func(api *slack.Client) error { _, err := api.AuthTest(); return err },
			error: "invalid_auth",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.call(tt.api); !isSlackError(err, tt.error) {
				t.Errorf("err = %v, want %s", err, tt.error)
			}
		})
	}

	good := slack.New("xoxb-test", slack.OptionAPIURL(fake.APIURL()))
	auth, err := good.AuthTest()
	if err != nil {
		t.Fatalf("AuthTest: %v", err)
	}
	if auth.UserID != slackfake.BotUserID || auth.TeamID != slackfake.TeamID || auth.BotID != slackfake.BotID {
		t.Errorf("AuthTest = %+v, want the fake bot's identity", auth)
	}
}

func TestUploadFile(t *testing.T) {
	fake, api := newAPI(t)
	_, parent, err := api.PostMessage("C1", slack.MsgOptionText("export", false))
	if err != nil {
		t.Fatalf("PostMessage: %v", err)
	}
	content := "# Q1 Launch\n\n## Reach\n..."

	file, err := api.UploadFileContext(t.Context(), slack.UploadFileParameters{
		Filename:        "plan.md",
		Title:           "Q1 Launch plan",
		Content:         content,
		FileSize:        len(content),
		Channel:         "C1",
		ThreadTimestamp: parent,
		InitialComment:  "Here is your plan",
	})
	if err != nil {
		t.Fatalf("UploadFileContext: %v\n%s", err, fake.Dump())
	}
	ups := fake.Uploads()
	if len(ups) != 1 || ups[0].TS == "" {
		t.Fatalf("Uploads = %+v, want one shared by a message", ups)
	}
	want := []slackfake.Upload{{
		FileID:         file.ID,
		TS:             ups[0].TS,
		Channel:        "C1",
		ThreadTS:       parent,
		Filename:       "plan.md",
		Title:          "Q1 Launch plan",
		InitialComment: "Here is your plan",
		Content:        []byte(content),
	}}
	if diff := cmp.Diff(want, fake.Uploads()); diff != "" {
		t.Errorf("Uploads (-want +got):\n%s", diff)
	}
	if file.Title != "Q1 Launch plan" {
		t.Errorf("returned title = %q", file.Title)
	}
	for _, method := range []string{"files.getUploadURLExternal", slackfake.MethodUpload, "files.completeUploadExternal"} {
		if calls := fake.Calls(method); len(calls) != 1 || calls[0].Status != 200 {
			t.Errorf("%s calls = %+v, want one answered 200", method, calls)
		}
	}
	info, _, _, err := api.GetFileInfoContext(t.Context(), file.ID, 0, 0)
	if err != nil {
		t.Fatalf("GetFileInfo: %v", err)
	}
	shares := info.Shares.Public["C1"]
	if !slices.Equal(info.Channels, []string{"C1"}) || len(shares) != 1 || shares[0].Ts != ups[0].TS || shares[0].ThreadTs != parent {
		t.Errorf("files.info = channels %v, shares %+v; want C1 shared once in the thread", info.Channels, info.Shares)
	}
	pending, err := api.GetUploadURLExternalContext(t.Context(), slack.GetUploadURLExternalParameters{FileName: "x.md", FileSize: 1})
	if err != nil {
		t.Fatalf("GetUploadURLExternal: %v", err)
	}
	if _, _, _, err := api.GetFileInfoContext(t.Context(), pending.FileID, 0, 0); err == nil || err.Error() != "file_not_found" {
		t.Errorf("files.info of a file never completed: err = %v, want file_not_found", err)
	}
}

// TestUploadFileToAChannelWithoutTheApp: Slack refuses to share a file in
// a channel the app is not in, and shares nothing.
func TestUploadFileToAChannelWithoutTheApp(t *testing.T) {
	fake, api := newAPI(t)
	fake.AddChannel(slackfake.Channel{ID: "C9", Name: "elsewhere", NotMember: true})
	_, err := api.UploadFileContext(t.Context(), slack.UploadFileParameters{Filename: "plan.md", Content: "x", FileSize: 1, Channel: "C9"})
	if !isSlackError(err, "not_in_channel") {
		t.Errorf("UploadFileContext: err = %v, want not_in_channel", err)
	}
	if ups := fake.Uploads(); len(ups) != 0 {
		t.Errorf("Uploads = %+v, want none", ups)
	}
}

func TestViews(t *testing.T) {
	fake, api := newAPI(t)
	trigger := fake.TriggerFor("U1")

	modal := slack.ModalViewRequest{
		Type:            slack.VTModal,
		Title:           slack.NewTextBlockObject("plain_text", "Edit answers", false, false),
		Submit:          slack.NewTextBlockObject("plain_text", "Save", false, false),
		CallbackID:      "edit_answers",
		PrivateMetadata: "plan=7",
		Blocks: slack.Blocks{BlockSet: []slack.Block{slack.NewInputBlock("audience",
			slack.NewTextBlockObject("plain_text", "Audience", false, false), nil,
			slack.NewPlainTextInputBlockElement(nil, "answer"))}},
	}
	opened, err := api.OpenView(trigger, modal)
	if err != nil {
		t.Fatalf("OpenView: %v", err)
	}
	if opened.ID == "" || opened.Hash == "" || opened.CallbackID != "edit_answers" || len(opened.Blocks.BlockSet) != 1 {
		t.Errorf("OpenView returned %+v", opened.View)
	}

	modal.Title = slack.NewTextBlockObject("plain_text", "Saved", false, false)
	if _, err := api.UpdateView(modal, "", "stale-hash", opened.ID); !isSlackError(err, "hash_conflict") {
		t.Errorf("UpdateView with a stale hash: err = %v, want hash_conflict", err)
	}
	if _, err := api.UpdateView(modal, "", opened.Hash, opened.ID); err != nil {
		t.Fatalf("UpdateView: %v", err)
	}

	home := slack.HomeTabViewRequest{Type: slack.VTHomeTab, Blocks: slack.Blocks{BlockSet: []slack.Block{
		slack.NewHeaderBlock(slack.NewTextBlockObject("plain_text", "My plans", false, false))}}}
	if _, err := api.PublishView("U1", home, ""); err != nil {
		t.Fatalf("PublishView: %v", err)
	}
	second, err := api.PublishView("U1", home, "")
	if err != nil {
		t.Fatalf("second PublishView: %v", err)
	}
	// A publish carrying the hash of a tab published over since is refused,
	// as Slack refuses it; app_home_opened carries the tab as it stands.
	if _, err := api.PublishView("U1", home, "stale-hash"); !isSlackError(err, "hash_conflict") {
		t.Errorf("PublishView with a stale hash: err = %v, want hash_conflict", err)
	}
	env, found := fake.SendEvent(slackfake.AppHomeOpened{User: "U1"}), false
	for _, e := range fake.Envelopes() {
		if e.ID != env {
			continue
		}
		found = true
		ev, err := slackevents.ParseEvent(e.Payload, slackevents.OptionNoVerifyToken())
		if err != nil {
			t.Fatalf("ParseEvent: %v\n%s", err, e.Payload)
		}
		if opened := ev.InnerEvent.Data.(*slackevents.AppHomeOpenedEvent); opened.View == nil || opened.View.Hash != second.Hash {
			t.Errorf("app_home_opened view = %+v, want the tab with hash %q", opened.View, second.Hash)
		}
	}
	if !found {
		t.Errorf("no envelope %s", env)
	}
	if _, err := api.PublishView("U1", home, second.Hash); err != nil {
		t.Fatalf("PublishView with the current hash: %v", err)
	}

	views := fake.Views()
	if len(views) != 2 {
		t.Fatalf("Views() = %+v, want a modal and a home tab", views)
	}
	got := []slackfake.View{views[0], views[1]}
	for i := range got {
		got[i].JSON, got[i].Hash = nil, ""
	}
	want := []slackfake.View{
		{ID: opened.ID, Type: "modal", UserID: "U1", TriggerID: trigger, CallbackID: "edit_answers", PrivateMetadata: "plan=7", Updates: 1},
		{ID: views[1].ID, Type: "home", UserID: "U1", Updates: 2},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Views (-want +got):\n%s", diff)
	}
	if !strings.Contains(string(views[0].JSON), `"Saved"`) {
		t.Errorf("modal JSON after update = %s, want the new title", views[0].JSON)
	}
	if hv, ok := fake.HomeView("U1"); !ok || hv.ID != views[1].ID {
		t.Errorf("HomeView(U1) = %+v, %t", hv, ok)
	}
}

func TestUsersAndConversations(t *testing.T) {
	fake, api := newAPI(t)
	fake.AddUser(slackfake.User{ID: "U1", Name: "ana", RealName: "Ana Lopez", TZ: "Europe/Berlin"})
	fake.AddUser(slackfake.User{ID: "U3", Name: "ben", DisplayName: "Ben O."})
	fake.AddChannel(slackfake.Channel{ID: "C1", Name: "q1-launch"})
	fake.AddChannel(slackfake.Channel{ID: "C9", Name: "secret", IsPrivate: true, NotMember: true})

	tests := []struct {
		user                  string
		wantTZ, name, display string
		wantErr               string
	}{
		{user: "U1", wantTZ: "Europe/Berlin", name: "ana", display: "ana"},
		{user: "U2", wantTZ: "UTC", name: "u2", display: "u2"},
		{user: "U3", wantTZ: "UTC", name: "ben", display: "Ben O."},
		{user: "nobody", wantErr: "user_not_found"},
	}
	for _, tt := range tests {
		u, err := api.GetUserInfo(tt.user)
		if tt.wantErr != "" {
			if !isSlackError(err, tt.wantErr) {
				t.Errorf("GetUserInfo(%s): err = %v, want %s", tt.user, err, tt.wantErr)
			}
			continue
		}
		if err != nil {
			t.Fatalf("GetUserInfo(%s): %v", tt.user, err)
		}
		if u.TZ != tt.wantTZ || u.Name != tt.name || u.Profile.DisplayName != tt.display {
			t.Errorf("GetUserInfo(%s) = tz %q name %q display name %q, want %q %q %q", tt.user, u.TZ, u.Name, u.Profile.DisplayName, tt.wantTZ, tt.name, tt.display)
		}
	}
	berlin, _ := api.GetUserInfo("U1")
	if berlin.TZOffset != 3600 && berlin.TZOffset != 7200 {
		t.Errorf("Europe/Berlin tz_offset = %d, want 3600 or 7200", berlin.TZOffset)
	}

	c, err := api.GetConversationInfo(&slack.GetConversationInfoInput{ChannelID: "C1"})
	if err != nil {
		t.Fatalf("GetConversationInfo: %v", err)
	}
	if c.Name != "q1-launch" || !c.IsMember || c.IsPrivate {
		t.Errorf("GetConversationInfo(C1) = name %q member %t private %t", c.Name, c.IsMember, c.IsPrivate)
	}
	if _, _, err := api.PostMessage("C9", slack.MsgOptionText("hi", false)); !isSlackError(err, "not_in_channel") {
		t.Errorf("post to a channel the bot is not in: err = %v, want not_in_channel", err)
	}
	if _, _, err := api.PostMessage("nope", slack.MsgOptionText("hi", false)); !isSlackError(err, "channel_not_found") {
		t.Errorf("post to a bogus channel: err = %v, want channel_not_found", err)
	}
	ch, _, err := api.PostMessage("U1", slack.MsgOptionText("nudge", false))
	if err != nil || ch != fake.DMChannel("U1") || len(fake.Messages(ch)) != 1 {
		t.Errorf("DM to U1 landed in %q (err %v), want %q", ch, err, fake.DMChannel("U1"))
	}
}

func TestEphemeralAndPermalink(t *testing.T) {
	fake, api := newAPI(t)
	ts, err := api.PostEphemeral("C1", "U1", slack.MsgOptionText("only you", false))
	if err != nil {
		t.Fatalf("PostEphemeral: %v", err)
	}
	want := []slackfake.Ephemeral{{Channel: "C1", User: "U1", TS: ts, Text: "only you"}}
	if diff := cmp.Diff(want, fake.Ephemerals()); diff != "" {
		t.Errorf("Ephemerals (-want +got):\n%s", diff)
	}
	if got := fake.Messages("C1"); len(got) != 0 {
		t.Errorf("an ephemeral landed in the channel: %+v", got)
	}

	_, posted, err := api.PostMessage("C1", slack.MsgOptionText("summary", false))
	if err != nil {
		t.Fatalf("PostMessage: %v", err)
	}
	link, err := api.GetPermalink(&slack.PermalinkParameters{Channel: "C1", Ts: posted})
	if err != nil || !strings.Contains(link, "/archives/C1/p") {
		t.Errorf("GetPermalink = %q, %v", link, err)
	}
}

func TestResponseURL(t *testing.T) {
	fake, api := newAPI(t)
	url := fake.ResponseURL()

	_, _, err := api.PostMessage("", slack.MsgOptionResponseURL(url, slack.ResponseTypeEphemeral), slack.MsgOptionText("Working on it…", false))
	if err != nil {
		t.Fatalf("post to response_url: %v", err)
	}
	_, _, err = api.PostMessage("", slack.MsgOptionReplaceOriginal(url), slack.MsgOptionText("Done", false))
	if err != nil {
		t.Fatalf("replace via response_url: %v", err)
	}
	got := fake.Responses(url)
	if len(got) != 2 {
		t.Fatalf("Responses = %+v, want 2", got)
	}
	if got[0].ResponseType != "ephemeral" || got[0].Text != "Working on it…" || got[1].Text != "Done" || !got[1].ReplaceOriginal {
		t.Errorf("Responses = %+v", got)
	}

	for range 3 {
		if _, _, err := api.PostMessage("", slack.MsgOptionResponseURL(url, slack.ResponseTypeInChannel), slack.MsgOptionText("again", false)); err != nil {
			t.Fatalf("use within the limit: %v", err)
		}
	}
	_, _, err = api.PostMessage("", slack.MsgOptionResponseURL(url, slack.ResponseTypeInChannel), slack.MsgOptionText("sixth", false))
	var sc slack.StatusCodeError
	if !errors.As(err, &sc) || sc.Code != 404 {
		t.Errorf("sixth use of a response_url: err = %v, want a 404", err)
	}
	if n := len(fake.Responses("")); n != 5 {
		t.Errorf("Responses(\"\") = %d, want 5", n)
	}
}

func TestUnreadableAndUnknownRequests(t *testing.T) {
	fake := slackfake.New(t)
	tests := []struct {
		method, contentType, body, want string
	}{
		{"chat.postMessage", "application/json", `{"channel":`, "invalid_json"},
		{"reactions.add", "application/x-www-form-urlencoded", "token=xoxb-test&name=tada", "unknown_method"},
	}
	for _, tt := range tests {
		resp, err := http.Post(fake.APIURL()+tt.method, tt.contentType, strings.NewReader(tt.body))
		if err != nil {
			t.Fatalf("POST %s: %v", tt.method, err)
		}
		var got slack.SlackResponse
		err = json.NewDecoder(resp.Body).Decode(&got)
		resp.Body.Close()
		if err != nil || got.Ok || got.Error != tt.want {
			t.Errorf("%s answered %+v (%v), want error %s", tt.method, got, err, tt.want)
		}
		if calls := fake.Calls(tt.method); len(calls) != 1 || calls[0].Error != tt.want {
			t.Errorf("%s calls = %+v, want one recorded with %s", tt.method, calls, tt.want)
		}
	}
}

// fatalRecorder stands in for a test so a failing WaitFor can be observed.
type fatalRecorder struct {
	testing.TB
	msg string
}

func (r *fatalRecorder) Helper() {}

func (r *fatalRecorder) Fatalf(format string, args ...any) { r.msg = fmt.Sprintf(format, args...) }

func TestWaitForFailureDumpsCalls(t *testing.T) {
	fake, api := newAPI(t)
	if _, _, err := api.PostMessage("C1", slack.MsgOptionText("the only message", false)); err != nil {
		t.Fatalf("PostMessage: %v", err)
	}
	fake.SetWaitTimeout(50 * time.Millisecond)
	rec := &fatalRecorder{TB: t}
	fake.WaitFor(rec, func() bool { return false }, "a second message")
	for _, want := range []string{"a second message", "chat.postMessage", "the only message"} {
		if !strings.Contains(rec.msg, want) {
			t.Errorf("failure message lacks %q:\n%s", want, rec.msg)
		}
	}
}

func tsPattern(ts string) bool {
	sec, frac, ok := strings.Cut(ts, ".")
	return ok && len(sec) == 10 && len(frac) == 6
}

func isSlackError(err error, code string) bool {
	var se slack.SlackErrorResponse
	return errors.As(err, &se) && se.Err == code
}
