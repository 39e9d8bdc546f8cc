package bench

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

// Team is the workspace every benchmark request comes from.
const Team = "T0BENCH"

// Content types of Slack's two kinds of request body.
const (
	FormType = "application/x-www-form-urlencoded"
	JSONType = "application/json"
)

// SignedHeader is the header Slack sends with body at now: its content
// type and a signature over the current timestamp, so every request is
// signed afresh, as Slack does, and the replay window never runs out.
func SignedHeader(body []byte, contentType string, now time.Time) http.Header {
	stamp := strconv.FormatInt(now.Unix(), 10)
	mac := hmac.New(sha256.New, []byte(Secret))
	mac.Write([]byte("v0:" + stamp + ":"))
	mac.Write(body)
	return http.Header{
		"Content-Type":              {contentType},
		"X-Slack-Request-Timestamp": {stamp},
		"X-Slack-Signature":         {"v0=" + hex.EncodeToString(mac.Sum(nil))},
	}
}

// CommandBody is the form Slack posts for `/race <text>` typed by user in
// channel.
func CommandBody(channel, user, text string) []byte {
	return []byte(url.Values{
		"token":        {"bench"},
		"team_id":      {Team},
		"team_domain":  {"bench"},
		"channel_id":   {channel},
		"channel_name": {channel},
		"user_id":      {user},
		"user_name":    {user},
		"command":      {"/race"},
		"text":         {text},
		"api_app_id":   {"A0BENCH"},
		"trigger_id":   {"1.2.bench"},
	}.Encode())
}

// Message is one reply a person writes in a coaching thread, delivered as
// an Events API message event.
type Message struct {
	EventID string
	Channel string
	User    string
	Thread  string
	TS      string
	Text    string
}

// AppendBody appends the Events API JSON body of the message to dst. It is
// written by hand rather than marshalled: the load generator shares the
// machine with racebot, and every cycle it spends is one racebot lacks.
func (m Message) AppendBody(dst []byte) []byte {
	dst = append(dst, `{"token":"bench","team_id":"`+Team+`","api_app_id":"A0BENCH","type":"event_callback","event_id":`...)
	dst = appendString(dst, m.EventID)
	dst = append(dst, `,"event_time":`...)
	dst = strconv.AppendInt(dst, time.Now().Unix(), 10)
	dst = append(dst, `,"event":{"type":"message","channel_type":"channel","channel":`...)
	dst = appendString(dst, m.Channel)
	dst = append(dst, `,"user":`...)
	dst = appendString(dst, m.User)
	dst = append(dst, `,"text":`...)
	dst = appendString(dst, m.Text)
	dst = append(dst, `,"ts":`...)
	dst = appendString(dst, m.TS)
	dst = append(dst, `,"event_ts":`...)
	dst = appendString(dst, m.TS)
	dst = append(dst, `,"thread_ts":`...)
	dst = appendString(dst, m.Thread)
	dst = append(dst, `,"team":"`+Team+`"}}`...)
	return dst
}

// appendString appends s as a JSON string; plain ASCII, the usual case,
// needs no encoder.
func appendString(dst []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f || c == '"' || c == '\\' {
			b, _ := json.Marshal(s)
			return append(dst, b...)
		}
	}
	dst = append(dst, '"')
	dst = append(dst, s...)
	return append(dst, '"')
}

// MessageTS is a message timestamp that cannot collide with the fake's
// (which count up from 1700000000): the n-th message of a run.
func MessageTS(n uint64) string {
	return strconv.FormatUint(1_800_000_000+n/1_000_000, 10) + "." + pad6(n%1_000_000)
}
