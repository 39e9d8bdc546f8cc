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
	ts          func() string
	responseURL func() string
	message     func(channel, ts string) (Message, bool)
	view        func(id string) (View, bool)
}

func (f *Fake) defaults() *defaults {
	return &defaults{
		ts:          f.nextTS,
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
	}
}

func standaloneDefaults() *defaults {
	return &defaults{
		ts: func() string {
			micro := time.Now().UnixMicro()
			return fmt.Sprintf("%d.%06d", micro/1e6, micro%1e6)
		},
		responseURL: func() string { return "" },
		message:     func(string, string) (Message, bool) { return Message{}, false },
		view:        func(string) (View, bool) { return View{}, false },
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
	return map[string]string{
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
	return map[string]any{
		"token":      "verification-token",
		"team_id":    or(teamID, TeamID),
		"api_app_id": AppID,
		"event":      inner,
		"type":       "event_callback",
		"event_id":   or(eventID, newEventID()),
		"event_time": time.Now().Unix(),
		"authorizations": []any{map[string]any{
			"enterprise_id":         nil,
			"team_id":               or(teamID, TeamID),
			"user_id":               BotUserID,
			"is_bot":                true,
			"is_enterprise_install": false,
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
}

// EnvelopeType implements Payload.
func (EventCallback) EnvelopeType() string { return "events_api" }

func (e EventCallback) wire(*defaults) map[string]any {
	return eventCallback(e.TeamID, e.EventID, e.Event)
}

// MessageEvent is a "message" event: someone wrote in a channel the bot is
// in, or in a thread (ThreadTS), or a bot did (BotID, SubType). A blank TS
// gets a fresh timestamp from the fake's clock, ordered after every message
// the app posted before.
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
}

// EnvelopeType implements Payload.
func (MessageEvent) EnvelopeType() string { return "events_api" }

func (m MessageEvent) wire(d *defaults) map[string]any {
	ts := or(m.TS, d.ts())
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
	return eventCallback(m.TeamID, m.EventID, inner)
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
// Home tab (Tab "home", the default) or its Messages tab.
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
	return eventCallback(a.TeamID, a.EventID, map[string]any{
		"type":     "app_home_opened",
		"user":     a.User,
		"channel":  or(a.Channel, "D"+a.User),
		"tab":      or(a.Tab, "home"),
		"event_ts": d.ts(),
	})
}

// interactionUser is the "user" object of interaction payloads.
func interactionUser(id, name, team string) map[string]any {
	name = or(name, strings.ToLower(id))
	return map[string]any{"id": id, "username": name, "name": name, "team_id": or(team, TeamID)}
}

// BlockAction is a block_actions interaction: a user clicked a button or
// chose an option, either in a message (ChannelID and MessageTS) or in a
// view (ViewID). When sent with SendEvent the fake fills in the message or
// view it knows under those IDs, as Slack would.
type BlockAction struct {
	ActionID       string
	BlockID        string // random if blank, as Slack makes them
	Type           string // element type, "button" if blank
	Value          string // a button's value
	Text           string // a button's label
	SelectedOption string // the chosen option's value, for selects and radio buttons

	UserID   string
	UserName string
	TeamID   string

	ChannelID   string
	MessageTS   string
	ThreadTS    string
	IsEphemeral bool

	ViewID string

	TriggerID   string
	ResponseURL string // message actions only; fresh from the fake if blank
}

// EnvelopeType implements Payload.
func (BlockAction) EnvelopeType() string { return "interactive" }

func (b BlockAction) wire(d *defaults) map[string]any {
	actionTS := d.ts()
	action := map[string]any{
		"type":      or(b.Type, "button"),
		"action_id": b.ActionID,
		"block_id":  or(b.BlockID, randomHex(3)),
		"action_ts": actionTS,
	}
	if b.Value != "" {
		action["value"] = b.Value
	}
	if action["type"] == "button" {
		action["text"] = map[string]any{"type": "plain_text", "text": or(b.Text, b.ActionID), "emoji": true}
	}
	if b.SelectedOption != "" {
		action["selected_option"] = option(b.SelectedOption)
	}
	out := map[string]any{
		"type":                  "block_actions",
		"user":                  interactionUser(b.UserID, b.UserName, b.TeamID),
		"api_app_id":            AppID,
		"token":                 "verification-token",
		"trigger_id":            or(b.TriggerID, newTriggerID()),
		"team":                  map[string]any{"id": or(b.TeamID, TeamID), "domain": TeamDomain},
		"enterprise":            nil,
		"is_enterprise_install": false,
		"state":                 map[string]any{"values": map[string]any{}},
		"actions":               []any{action},
	}
	if b.ViewID != "" {
		out["container"] = map[string]any{"type": "view", "view_id": b.ViewID}
		out["view"] = viewPayload(d, b.ViewID)
		return out
	}
	container := map[string]any{
		"type":         "message",
		"message_ts":   b.MessageTS,
		"channel_id":   b.ChannelID,
		"is_ephemeral": b.IsEphemeral,
	}
	message := map[string]any{"type": "message", "ts": b.MessageTS, "user": BotUserID, "bot_id": BotID, "text": ""}
	threadTS := b.ThreadTS
	if m, ok := d.message(b.ChannelID, b.MessageTS); ok {
		message = messageJSON(m)
		threadTS = or(threadTS, m.ThreadTS)
	}
	if threadTS != "" {
		container["thread_ts"] = threadTS
		message["thread_ts"] = threadTS
	}
	out["container"] = container
	out["channel"] = map[string]any{"id": b.ChannelID, "name": strings.ToLower(b.ChannelID)}
	out["message"] = message
	out["response_url"] = or(b.ResponseURL, d.responseURL())
	return out
}

// viewPayload is the view object inside an interaction payload: the view
// the fake knows under id, or a bare modal.
func viewPayload(d *defaults, id string) map[string]any {
	v, ok := d.view(id)
	if !ok {
		v = View{ID: id, Type: "modal", Hash: newViewHash()}
	}
	return viewJSON(&v)
}

// Input is the state of one input element in a submitted view, as Slack
// reports it under view.state.values[block_id][action_id]. Set the field
// that fits the element; Type is inferred from it when blank.
type Input struct {
	Type            string   // "plain_text_input", "static_select", ...
	Value           string   // text and number inputs
	SelectedOption  string   // static_select, radio_buttons: the option's value
	SelectedOptions []string // checkboxes, multi_static_select
	SelectedDate    string   // datepicker, "2024-01-31"
	SelectedUser    string   // users_select
}

func (in Input) wire() map[string]any {
	typ := in.Type
	if typ == "" {
		switch {
		case in.SelectedOption != "":
			typ = "static_select"
		case in.SelectedOptions != nil:
			typ = "checkboxes"
		case in.SelectedDate != "":
			typ = "datepicker"
		case in.SelectedUser != "":
			typ = "users_select"
		default:
			typ = "plain_text_input"
		}
	}
	out := map[string]any{"type": typ}
	switch {
	case in.SelectedOption != "":
		out["selected_option"] = option(in.SelectedOption)
	case in.SelectedOptions != nil:
		opts := make([]any, len(in.SelectedOptions))
		for i, v := range in.SelectedOptions {
			opts[i] = option(v)
		}
		out["selected_options"] = opts
	case in.SelectedDate != "":
		out["selected_date"] = in.SelectedDate
	case in.SelectedUser != "":
		out["selected_user"] = in.SelectedUser
	default:
		// An input left empty arrives as null.
		if in.Value == "" {
			out["value"] = nil
		} else {
			out["value"] = in.Value
		}
	}
	return out
}

// option is an option object; the fake does not know the option's label,
// so the value doubles as it.
func option(value string) map[string]any {
	return map[string]any{
		"text":  map[string]any{"type": "plain_text", "text": value, "emoji": true},
		"value": value,
	}
}

// ViewSubmission is a view_submission interaction: a user pressed Submit on
// a modal. When sent with SendEvent for a ViewID the fake knows (one the app
// opened), the view's callback_id, private_metadata and blocks are filled in
// from it; fields set here win.
type ViewSubmission struct {
	ViewID          string
	CallbackID      string
	PrivateMetadata string
	ExternalID      string
	// Values maps block_id to action_id to the element's state.
	Values map[string]map[string]Input

	UserID    string
	UserName  string
	TeamID    string
	TriggerID string
}

// EnvelopeType implements Payload.
func (ViewSubmission) EnvelopeType() string { return "interactive" }

func (s ViewSubmission) wire(d *defaults) map[string]any {
	view := viewPayload(d, or(s.ViewID, "V"+strings.ToUpper(randomHex(5))))
	if s.CallbackID != "" {
		view["callback_id"] = s.CallbackID
	}
	if s.PrivateMetadata != "" {
		view["private_metadata"] = s.PrivateMetadata
	}
	if s.ExternalID != "" {
		view["external_id"] = s.ExternalID
	}
	values := map[string]any{}
	for blockID, actions := range s.Values {
		byAction := map[string]any{}
		for actionID, in := range actions {
			byAction[actionID] = in.wire()
		}
		values[blockID] = byAction
	}
	view["state"] = map[string]any{"values": values}
	return map[string]any{
		"type":                  "view_submission",
		"team":                  map[string]any{"id": or(s.TeamID, TeamID), "domain": TeamDomain},
		"user":                  interactionUser(s.UserID, s.UserName, s.TeamID),
		"api_app_id":            AppID,
		"token":                 "verification-token",
		"trigger_id":            or(s.TriggerID, newTriggerID()),
		"view":                  view,
		"response_urls":         []any{},
		"is_enterprise_install": false,
		"enterprise":            nil,
	}
}

// formValues turns string fields into a form.
func formValues(fields map[string]string) url.Values {
	v := url.Values{}
	for k, s := range fields {
		v.Set(k, s)
	}
	return v
}
