package slackfake

import (
	"encoding/json"
	"strings"
)

// MessageShortcut is a message_action interaction: someone chose one of
// the app's shortcuts from a message's menu. When sent with SendEvent the
// message is filled in from the one the fake knows under Channel and
// MessageTS (see AddMessage), as Slack would.
type MessageShortcut struct {
	CallbackID string
	UserID     string
	UserName   string
	TeamID     string
	Channel    string
	MessageTS  string
	// Author and Text describe the message when the fake does not know it.
	Author string
	Text   string

	TriggerID   string
	ResponseURL string
}

// EnvelopeType implements Payload.
func (MessageShortcut) EnvelopeType() string { return "interactive" }

func (s MessageShortcut) wire(d *defaults) map[string]any {
	message := map[string]any{"type": "message", "ts": s.MessageTS, "user": s.Author, "text": s.Text}
	if m, ok := d.message(s.Channel, s.MessageTS); ok {
		message = map[string]any{"type": "message", "ts": m.TS, "user": m.User, "text": m.Text}
		if m.ThreadTS != "" {
			message["thread_ts"] = m.ThreadTS
		}
		if m.User == BotUserID {
			message["bot_id"] = BotID
		}
	}
	return map[string]any{
		"type":                  "message_action",
		"callback_id":           s.CallbackID,
		"trigger_id":            or(s.TriggerID, newTriggerID()),
		"action_ts":             d.ts(),
		"message_ts":            s.MessageTS,
		"team":                  map[string]any{"id": or(s.TeamID, TeamID), "domain": TeamDomain},
		"user":                  interactionUser(s.UserID, s.UserName, s.TeamID),
		"channel":               map[string]any{"id": s.Channel, "name": strings.ToLower(s.Channel)},
		"message":               message,
		"response_url":          or(s.ResponseURL, d.responseURL()),
		"token":                 "verification-token",
		"api_app_id":            AppID,
		"is_enterprise_install": false,
		"enterprise":            nil,
	}
}

// GlobalShortcut is a "shortcut" interaction: someone chose one of the
// app's global shortcuts from the composer or the search bar. It carries no
// channel and no response_url.
type GlobalShortcut struct {
	CallbackID string
	UserID     string
	UserName   string
	TeamID     string
	TriggerID  string
}

// EnvelopeType implements Payload.
func (GlobalShortcut) EnvelopeType() string { return "interactive" }

func (s GlobalShortcut) wire(d *defaults) map[string]any {
	return map[string]any{
		"type":                  "shortcut",
		"callback_id":           s.CallbackID,
		"trigger_id":            or(s.TriggerID, newTriggerID()),
		"action_ts":             d.ts(),
		"team":                  map[string]any{"id": or(s.TeamID, TeamID), "domain": TeamDomain},
		"user":                  interactionUser(s.UserID, s.UserName, s.TeamID),
		"token":                 "verification-token",
		"api_app_id":            AppID,
		"is_enterprise_install": false,
		"enterprise":            nil,
	}
}

// AppMention is the "app_mention" event: someone mentioned the bot in a
// channel it is in, in a thread when ThreadTS is set. Text should carry
// the mention as Slack writes it, "<@UBOT> status". Slack sends a
// "message" event for the same message too, to apps subscribed to one.
type AppMention struct {
	Channel  string
	User     string
	Text     string
	TS       string
	ThreadTS string
	TeamID   string
	EventID  string
}

// EnvelopeType implements Payload.
func (AppMention) EnvelopeType() string { return "events_api" }

func (m AppMention) wire(d *defaults) map[string]any {
	ts := or(m.TS, d.ts())
	d.observe(ts)
	inner := map[string]any{
		"type":          "app_mention",
		"user":          m.User,
		"text":          m.Text,
		"ts":            ts,
		"event_ts":      ts,
		"channel":       m.Channel,
		"team":          or(m.TeamID, TeamID),
		"client_msg_id": newUUID(),
	}
	if m.ThreadTS != "" {
		inner["thread_ts"] = m.ThreadTS
	}
	return eventCallback(m.TeamID, m.EventID, inner)
}

// FunctionExecuted is the "function_executed" event: a workflow reached a
// step that is one of the app's custom functions. Inputs are the step's
// input parameters by name. When sent with SendEvent the execution is
// running until the app calls functions.completeSuccess or
// functions.completeError for it.
type FunctionExecuted struct {
	CallbackID  string
	ExecutionID string // "Fx…" if blank
	Inputs      map[string]any
	TeamID      string
	EventID     string
}

// EnvelopeType implements Payload.
func (FunctionExecuted) EnvelopeType() string { return "events_api" }

func (e FunctionExecuted) wire(d *defaults) map[string]any {
	id := or(e.ExecutionID, "Fx"+strings.ToUpper(randomHex(5)))
	d.execute(id)
	inputs := e.Inputs
	if inputs == nil {
		inputs = map[string]any{}
	}
	return eventCallback(e.TeamID, e.EventID, map[string]any{
		"type": "function_executed",
		"function": map[string]any{
			"id":          "Fn" + strings.ToUpper(randomHex(5)),
			"callback_id": e.CallbackID,
			"title":       e.CallbackID,
			"type":        "app",
			"app_id":      AppID,
		},
		"inputs":                inputs,
		"function_execution_id": id,
		"workflow_execution_id": "Wx" + strings.ToUpper(randomHex(5)),
		"event_ts":              d.ts(),
		"bot_access_token":      "xwfp-" + randomHex(8),
	})
}

// Execution is a custom function's run as the fake knows it.
type Execution struct {
	ID string
	// State is "running" until the app completes it, then "completed" or
	// "failed".
	State string
	// Outputs are what functions.completeSuccess gave.
	Outputs map[string]any
	// Error is what functions.completeError gave.
	Error string
}

// Execution returns the function execution with the given ID.
func (f *Fake) Execution(id string) (Execution, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	e, ok := f.executions[id]
	if !ok {
		return Execution{}, false
	}
	return *e, true
}

// Executing marks a custom function's execution as running, for events
// that reach the app another way than SendEvent (the HTTP front door).
func (f *Fake) Executing(id string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.executeLocked(id)
}

func (f *Fake) executeLocked(id string) {
	if _, ok := f.executions[id]; !ok {
		f.executions[id] = &Execution{ID: id, State: "running"}
	}
}

// functionsComplete handles functions.completeSuccess (ok) and
// functions.completeError: an execution completes once, as on Slack.
func (f *Fake) functionsComplete(r *apiRequest, ok bool) (map[string]any, error) {
	e, found := f.executions[r.get("function_execution_id")]
	switch {
	case !found:
		return nil, apiError("function_execution_not_found")
	case e.State != "running":
		return nil, apiError("execution_not_in_running_state")
	}
	if ok {
		e.State = "completed"
		var outputs map[string]any
		if raw := r.raw("outputs"); raw != nil {
			if err := json.Unmarshal(raw, &outputs); err != nil {
				return nil, apiError("invalid_arguments")
			}
		}
		e.Outputs = outputs
	} else {
		if r.get("error") == "" {
			return nil, apiError("invalid_arguments")
		}
		e.State, e.Error = "failed", r.get("error")
	}
	return map[string]any{}, nil
}
