package slackfake

import (
	"encoding/json"
	"io"
	"net/http"
	"slices"
	"strings"
	"time"
)

// maxResponseURLUses is how often Slack lets an app post to one
// response_url.
const maxResponseURLUses = 5

// Response is one POST to a response_url.
type Response struct {
	URL             string
	ResponseType    string // "ephemeral", "in_channel" or ""
	Text            string
	Blocks          json.RawMessage
	ThreadTS        string
	ReplaceOriginal bool
	DeleteOriginal  bool
	// JSON is the body as posted.
	JSON json.RawMessage
	At   time.Time
}

// hook is the state of one response_url.
type hook struct {
	url  string
	uses int
}

// ResponseURL hands out a fresh response_url on the fake server. It takes
// up to five POSTs, like Slack's, and records them for Responses.
func (f *Fake) ResponseURL() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.responseURLLocked()
}

func (f *Fake) responseURLLocked() string {
	id := randomHex(12)
	u := f.srv.URL + "/hooks/" + id
	f.hooks[id] = &hook{url: u}
	return u
}

// Responses returns what was posted to a response_url, or to every
// response_url if url is "", in arrival order.
func (f *Fake) Responses(url string) []Response {
	f.mu.Lock()
	defer f.mu.Unlock()
	if url == "" {
		return slices.Clone(f.responses)
	}
	var out []Response
	for _, r := range f.responses {
		if r.URL == url {
			out = append(out, r)
		}
	}
	return out
}

// ResponsesFor returns what was posted to the response_url of an envelope
// sent with SendEvent or SendEnvelope, such as a slash command's.
func (f *Fake) ResponsesFor(envelopeID string) []Response {
	var url string
	for _, e := range f.Envelopes() {
		if e.ID == envelopeID {
			var p struct {
				ResponseURL string `json:"response_url"`
			}
			_ = json.Unmarshal(e.Payload, &p)
			url = p.ResponseURL
		}
	}
	if url == "" {
		return nil
	}
	return f.Responses(url)
}

func (f *Fake) serveResponseURL(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	body, readErr := io.ReadAll(io.LimitReader(r.Body, maxBody))
	call := Call{Method: MethodResponseURL, At: time.Now()}
	var decoded map[string]any
	jsonErr := json.Unmarshal(body, &decoded)
	call.JSON = decoded
	var fields map[string]json.RawMessage
	if json.Unmarshal(body, &fields) == nil {
		f.checkNoBroadcast(MethodResponseURL, nil, fields)
	}
	f.answer(w, r, call, func(c *Call) reply {
		h, ok := f.hooks[id]
		switch {
		case r.Method != http.MethodPost:
			return reply{status: http.StatusMethodNotAllowed}
		case !ok:
			return textReply(http.StatusNotFound, "no_service")
		case h.uses >= maxResponseURLUses:
			return textReply(http.StatusNotFound, "used_url")
		case readErr != nil || jsonErr != nil || !strings.HasPrefix(r.Header.Get("Content-Type"), "application/json"):
			return textReply(http.StatusBadRequest, "invalid_payload")
		}
		h.uses++
		var msg struct {
			ResponseType    string          `json:"response_type"`
			Text            string          `json:"text"`
			Blocks          json.RawMessage `json:"blocks"`
			ThreadTS        string          `json:"thread_ts"`
			ReplaceOriginal bool            `json:"replace_original"`
			DeleteOriginal  bool            `json:"delete_original"`
		}
		_ = json.Unmarshal(body, &msg)
		if string(msg.Blocks) == "null" {
			msg.Blocks = nil
		}
		if msg.Blocks != nil {
			if err := checkBlocks(msg.Blocks, limitMessageBlocks); err != nil {
				f.t.Logf("slackfake: response_url refused: invalid_blocks: %v", err)
				return textReply(http.StatusBadRequest, "invalid_blocks")
			}
		}
		f.responses = append(f.responses, Response{
			URL:             h.url,
			ResponseType:    msg.ResponseType,
			Text:            msg.Text,
			Blocks:          msg.Blocks,
			ThreadTS:        msg.ThreadTS,
			ReplaceOriginal: msg.ReplaceOriginal,
			DeleteOriginal:  msg.DeleteOriginal,
			JSON:            body,
			At:              c.At,
		})
		return jsonReply(map[string]any{"ok": true})
	})
}

func textReply(status int, text string) reply {
	return reply{status: status, contentType: "text/plain; charset=utf-8", body: []byte(text), slackError: text}
}
