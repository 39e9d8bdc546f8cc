package slackfake

import (
	"fmt"
	"net/url"
	"strings"
	"time"
)

// Payload is something Slack sends an app: an event, a slash command or an
// interaction. The builders of this package implement it; blank fields are
// filled in as Slack would (team, trigger_id, response_url, timestamps).
type Payload interface {
	// EnvelopeType is the Socket Mode envelope type that carries the
	// payload: "events_api", "slash_commands" or "interactive".
	EnvelopeType() string
	// wire is the payload as Slack puts it on the wire.
	wire(d *defaults) map[string]any
}

// defaults supplies what a builder leaves blank. A fake's defaults link the
// payload to its own state; standalone ones are used for the HTTP helpers.
type defaults struct {
	ts func() string
	// observe learns a ts given by a test, so that what the fake stamps
	// later comes after it, as in a Slack channel.
	observe     func(ts string)
	responseURL func() string
	message     func(channel, ts string) (Message, bool)
	view        func(id string) (View, bool)
	// home is the Home tab last published for a user.
	home func(user string) (View, bool)
	// execute marks a custom function's execution as running.
	execute func(id string)
}

func (f *Fake) defaults() *defaults {
	return &defaults{
		ts:          f.nextTS,
		observe:     f.observeTS,
		responseURL: f.ResponseURL,
		message: func(channel, ts string) (Message, bool) {
			f.mu.Lock()
			defer f.mu.Unlock()
			i, ok := f.messageLocked(channel, ts)
			if !ok {
				return Message{}, false
			}
			return f.messages[channel][i], true
		},
		view: f.View,
		home: f.HomeView,
		execute: func(id string) {
			f.mu.Lock()
			defer f.mu.Unlock()
			f.executeLocked(id)
		},
	}
}

func standaloneDefaults() *defaults {
	return &defaults{
		ts: func() string {
			micro := time.Now().UnixMicro()
			return fmt.Sprintf("%d.%06d", micro/1e6, micro%1e6)
		},
		observe:     func(string) {},
		responseURL: func() string { return "" },
		message:     func(string, string) (Message, bool) { return Message{}, false },
		view:        func(string) (View, bool) { return View{}, false },
		home:        func(string) (View, bool) { return View{}, false },
		execute:     func(string) {},
	}
}

func or(v, fallback string) string {
	if v == "" {
		return fallback
	}
	return v
}

func newEventID() string { return "Ev" + strings.ToUpper(randomHex(5)) }

// SlashCommand is a slash command invocation. Blank TeamID, UserName,
// ChannelName and TriggerID get defaults; a blank ResponseURL gets a fresh
// fake.ResponseURL() when sent with SendEvent and stays blank otherwise.
type SlashCommand struct {
	Command     string // "/race"
	Text        string // everything after the command
	UserID      string
	UserName    string
	ChannelID   string
	ChannelName string
	TeamID      string
	TriggerID   string
	ResponseURL string
	// EnterpriseID is the Enterprise Grid organisation of the workspace;
	// EnterpriseInstall says the app is installed org-wide there.
	EnterpriseID      string
	EnterpriseInstall bool
}

// EnvelopeType implements Payload.
func (SlashCommand) EnvelopeType() string { return "slash_commands" }

// fields are the form fields Slack sends; in Socket Mode the same fields
// arrive as a JSON object of strings.
func (c SlashCommand) fields(d *defaults) map[string]string {
	channelName := strings.ToLower(c.ChannelID)
	if strings.HasPrefix(c.ChannelID, "D") {
		channelName = "directmessage"
	}
	out := map[string]string{
		"token":                 "verification-token",
		"team_id":               or(c.TeamID, TeamID),
		"team_domain":           TeamDomain,
		"channel_id":            c.ChannelID,
		"channel_name":          or(c.ChannelName, channelName),
		"user_id":               c.UserID,
		"user_name":             or(c.UserName, strings.ToLower(c.UserID)),
		"command":               c.Command,
		"text":                  c.Text,
		"api_app_id":            AppID,
		"is_enterprise_install": "false",
		"response_url":          or(c.ResponseURL, d.responseURL()),
		"trigger_id":            or(c.TriggerID, newTriggerID()),
	}
	if c.EnterpriseID != "" {
		out["enterprise_id"] = c.EnterpriseID
		out["is_enterprise_install"] = fmt.Sprint(c.EnterpriseInstall)
	}
	return out
}

func (c SlashCommand) wire(d *defaults) map[string]any {
	out := map[string]any{}
	for k, v := range c.fields(d) {
		out[k] = v
	}
	return out
}

// eventCallback wraps an inner event the way the Events API delivers it.
func eventCallback(teamID, eventID string, inner any) map[string]any {
	return eventCallbackIn(teamID, "", false, eventID, inner)
}

// eventCallbackIn is eventCallback for a workspace of an Enterprise Grid
// organisation, where the app may be installed org-wide.
func eventCallbackIn(teamID, enterprise string, orgWide bool, eventID string, inner any) map[string]any {
	var enterpriseID any
	if enterprise != "" {
		enterpriseID = enterprise
	}
	return map[string]any{
		"token":         "verification-token",
		"team_id":       or(teamID, TeamID),
		"api_app_id":    AppID,
		"event":         inner,
		"type":          "event_callback",
		"event_id":      or(eventID, newEventID()),
		"event_time":    time.Now().Unix(),
		"enterprise_id": enterpriseID,
		"authorizations": []any{map[string]any{
			"enterprise_id":         enterpriseID,
			"team_id":               or(teamID, TeamID),
			"user_id":               BotUserID,
			"is_bot":                true,
			"is_enterprise_install": orgWide,
		}},
		"is_ext_shared_channel": false,
		"event_context":         "4-" + randomHex(16),
	}
}

// EventCallback carries any Events API event, for event types without a
// builder of their own. Event is marshalled as the inner "event" object.
type EventCallback struct {
	TeamID  string
	EventID string
	Event   any
	// EnterpriseID and EnterpriseInstall place the workspace in an
	// Enterprise Grid organisation, with the app installed org-wide.
	EnterpriseID      string
	EnterpriseInstall bool
}

// EnvelopeType implements Payload.
func (EventCallback) EnvelopeType() string { return "events_api" }

func (e EventCallback) wire(*defaults) map[string]any {
	return eventCallbackIn(e.TeamID, e.EnterpriseID, e.EnterpriseInstall, e.EventID, e.Event)
}

// AppUninstalled is the "app_uninstalled" event Slack sends when the app
// is removed from a workspace (or, with EnterpriseInstall, from an
// organisation).
func AppUninstalled(team, enterprise string, orgWide bool) EventCallback {
	return EventCallback{TeamID: team, EnterpriseID: enterprise, EnterpriseInstall: orgWide, Event: map[string]any{"type": "app_uninstalled"}}
}

// TokensRevoked is the "tokens_revoked" event Slack sends when tokens of
// the app in a workspace are revoked; bots are the bot users whose tokens
// went.
func TokensRevoked(team string, bots ...string) EventCallback {
	return EventCallback{TeamID: team, Event: map[string]any{
		"type":   "tokens_revoked",
		"tokens": map[string]any{"oauth": []string{}, "bot": bots},
	}}
}

// UserChange is the "user_change" event Slack sends when a member of the
// workspace changes their profile (their time zone among it), carrying
// the user as users.info describes them. The fake's own record of the
// user is not changed: AddUser does that.
func UserChange(u User) EventCallback {
	return EventCallback{Event: map[string]any{
		"type":     "user_change",
		"user":     userObject(u),
		"cache_ts": time.Now().Unix(),
		"event_ts": fmt.Sprintf("%d.000100", time.Now().Unix()),
	}}
}

// MessageEvent is a "message" event: someone wrote in a channel the bot is
// in, or in a thread (ThreadTS), or a bot did (BotID, SubType). A blank TS
// gets a fresh timestamp from the fake's clock, ordered after every message
// the app posted before; a TS given moves the clock past it, so messages
// the app posts afterwards come later, as in Slack.
type MessageEvent struct {
	Channel     string
	User        string
	Text        string
	TS          string
	ThreadTS    string
	BotID       string
	SubType     string
	ChannelType string // "channel", "group" or "im"; derived from Channel if blank
	TeamID      string
	EventID     string
	// EnterpriseID and EnterpriseInstall place the workspace in an
	// Enterprise Grid organisation, with the app installed org-wide.
	EnterpriseID      string
	EnterpriseInstall bool
}

// EnvelopeType implements Payload.
func (MessageEvent) EnvelopeType() string { return "events_api" }

func (m MessageEvent) wire(d *defaults) map[string]any {
	ts := or(m.TS, d.ts())
	d.observe(ts)
	inner := map[string]any{
		"type":         "message",
		"channel":      m.Channel,
		"text":         m.Text,
		"ts":           ts,
		"event_ts":     ts,
		"channel_type": or(m.ChannelType, channelType(m.Channel)),
		"team":         or(m.TeamID, TeamID),
	}
	if m.User != "" {
		inner["user"] = m.User
	}
	if m.ThreadTS != "" {
		inner["thread_ts"] = m.ThreadTS
	}
	if m.BotID != "" {
		inner["bot_id"] = m.BotID
	}
	if m.SubType != "" {
		inner["subtype"] = m.SubType
	}
	if m.BotID == "" && m.SubType == "" {
		// Only messages typed by people carry a client_msg_id.
		inner["client_msg_id"] = newUUID()
	}
	return eventCallbackIn(m.TeamID, m.EnterpriseID, m.EnterpriseInstall, m.EventID, inner)
}

// MessageChanged is the "message" event of subtype "message_changed" that
// Slack sends when someone edits a message: hidden, with the message as it
// reads now under "message" (keeping its original ts, thread_ts and user,
// plus "edited") and as it read before under "previous_message". The
// event's own ts is the edit's; a blank EditTS gets a fresh one.
type MessageChanged struct {
	Channel string
	User    string // who wrote the message
	Editor  string // who edited it; User if blank
	TS      string // the edited message's ts
	// ThreadTS is the thread the message is in, "" for a top-level one.
	ThreadTS     string
	Text         string // the new text
	PreviousText string
	EditTS       string
	ChannelType  string
	TeamID       string
	EventID      string
}

// EnvelopeType implements Payload.
func (MessageChanged) EnvelopeType() string { return "events_api" }

func (m MessageChanged) wire(d *defaults) map[string]any {
	ets := or(m.EditTS, d.ts())
	msgID := newUUID()
	current := userMessage(m.User, m.Text, m.TS, m.ThreadTS, m.TeamID, msgID)
	current["edited"] = map[string]any{"user": or(m.Editor, m.User), "ts": ets}
	return eventCallback(m.TeamID, m.EventID, map[string]any{
		"type":             "message",
		"subtype":          "message_changed",
		"hidden":           true,
		"channel":          m.Channel,
		"channel_type":     or(m.ChannelType, channelType(m.Channel)),
		"ts":               ets,
		"event_ts":         ets,
		"message":          current,
		"previous_message": userMessage(m.User, m.PreviousText, m.TS, m.ThreadTS, m.TeamID, msgID),
	})
}

// MessageDeleted is the "message" event of subtype "message_deleted" that
// Slack sends when a message is deleted: hidden, naming the message in
// "deleted_ts" and carrying it as it read under "previous_message"; the
// thread, if any, is only there. A blank DeleteTS gets a fresh ts.
type MessageDeleted struct {
	Channel      string
	User         string // who wrote the message
	TS           string // the deleted message's ts
	ThreadTS     string
	PreviousText string
	DeleteTS     string
	ChannelType  string
	TeamID       string
	EventID      string
}

// EnvelopeType implements Payload.
func (MessageDeleted) EnvelopeType() string { return "events_api" }

func (m MessageDeleted) wire(d *defaults) map[string]any {
	dts := or(m.DeleteTS, d.ts())
	return eventCallback(m.TeamID, m.EventID, map[string]any{
		"type":             "message",
		"subtype":          "message_deleted",
		"hidden":           true,
		"channel":          m.Channel,
		"channel_type":     or(m.ChannelType, channelType(m.Channel)),
		"ts":               dts,
		"event_ts":         dts,
		"deleted_ts":       m.TS,
		"previous_message": userMessage(m.User, m.PreviousText, m.TS, m.ThreadTS, m.TeamID, newUUID()),
	})
}

// userMessage is a person's message as Slack nests it in edit and delete
// events.
func userMessage(user, text, ts, threadTS, teamID, clientMsgID string) map[string]any {
	out := map[string]any{
		"type":          "message",
		"user":          user,
		"text":          text,
		"ts":            ts,
		"team":          or(teamID, TeamID),
		"client_msg_id": clientMsgID,
	}
	if threadTS != "" {
		out["thread_ts"] = threadTS
		out["parent_user_id"] = BotUserID
	}
	return out
}

func channelType(channel string) string {
	switch {
	case strings.HasPrefix(channel, "D"):
		return "im"
	case strings.HasPrefix(channel, "G"):
		return "group"
	}
	return "channel"
}

// AppHomeOpened is the "app_home_opened" event of a user opening the app's
// Home tab (Tab "home", the default) or its Messages tab. Opening the Home
// tab carries the tab last published for the user, as Slack's event does.
type AppHomeOpened struct {
	User    string
	Channel string // the user's DM with the bot; "D"+User if blank
	Tab     string
	TeamID  string
	EventID string
}

// EnvelopeType implements Payload.
func (AppHomeOpened) EnvelopeType() string { return "events_api" }

func (a AppHomeOpened) wire(d *defaults) map[string]any {
	inner := map[string]any{
		"type":     "app_home_opened",
		"user":     a.User,
		"channel":  or(a.Channel, "D"+a.User),
		"tab":      or(a.Tab, "home"),
		"event_ts": d.ts(),
	}
	// Slack sends the Home tab as it stands, hash included, once the app
	// has published one.
	if v, ok := d.home(a.User); ok && or(a.Tab, "home") == "home" {
		inner["view"] = viewJSON(&v)
	}
	return eventCallback(a.TeamID, a.EventID, inner)
}

// formValues turns string fields into a form.
func formValues(fields map[string]string) url.Values {
	v := url.Values{}
	for k, s := range fields {
		v.Set(k, s)
	}
	return v
}
