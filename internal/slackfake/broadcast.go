package slackfake

import (
	"encoding/json"
	"regexp"
	"strings"
)

// broadcast matches what Slack turns into a notification of a whole
// channel or user group: <!here>, <!channel>, <!everyone>, the legacy
// <!group>, and <!subteam^S123>.
var broadcast = regexp.MustCompile(`(?i)<!(here|channel|everyone|group|subteam\^)[^>]*>`)

// notInert are the fields of an app's request whose text Slack never reads
// as markup: they are shown as typed, or not at all.
var notInert = map[string]bool{
	"initial_value":    true,
	"value":            true,
	"private_metadata": true,
	"metadata":         true,
	"action_id":        true,
	"block_id":         true,
	"callback_id":      true,
	"external_id":      true,
}

// checkNoBroadcast fails the test when the app's message or view would
// notify a whole channel or group, or asks Slack to turn typed @channel
// into one (link_names, parse=full). racebot only ever quotes people's
// broadcasts; it never sends one.
func (f *Fake) checkNoBroadcast(method string, params map[string][]string, fields map[string]json.RawMessage) {
	if f.t == nil {
		return
	}
	switch method {
	case "chat.postMessage", "chat.update", "chat.postEphemeral", "views.open", "views.push", "views.update", "views.publish", MethodResponseURL, "ack":
	default:
		return
	}
	var found []string
	for k, vs := range params {
		for _, v := range vs {
			found = append(found, broadcastsIn(k, v)...)
		}
	}
	for k, raw := range fields {
		var v any
		if json.Unmarshal(raw, &v) == nil {
			found = append(found, broadcastsIn(k, v)...)
		}
	}
	if len(found) > 0 {
		f.t.Errorf("slackfake: %s would notify everyone: %s", method, strings.Join(found, ", "))
	}
}

// broadcastsIn returns the broadcasts in the value of the field key, which
// for blocks, views and attachments is JSON of its own.
func broadcastsIn(key string, v any) []string {
	if notInert[key] {
		return nil
	}
	switch key {
	case "link_names":
		if s, _ := v.(string); s == "1" || s == "true" {
			return []string{"link_names=" + s}
		}
		if b, _ := v.(bool); b {
			return []string{"link_names=true"}
		}
		return nil
	case "parse":
		if s, _ := v.(string); s == "full" {
			return []string{"parse=full"}
		}
		return nil
	}
	switch v := v.(type) {
	case string:
		if key == "blocks" || key == "view" || key == "attachments" {
			var inner any
			if json.Unmarshal([]byte(v), &inner) == nil {
				return broadcastsIn("", inner)
			}
		}
		return broadcast.FindAllString(v, -1)
	case []any:
		var out []string
		for _, x := range v {
			out = append(out, broadcastsIn("", x)...)
		}
		return out
	case map[string]any:
		if v["type"] == "plain_text" {
			return nil // shown as written
		}
		var out []string
		for k, x := range v {
			out = append(out, broadcastsIn(k, x)...)
		}
		return out
	}
	return nil
}
