package slackfake

import "strings"

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
