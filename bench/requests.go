package bench

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Team is the workspace every benchmark request comes from; App is the
// Slack app they are addressed to.
const (
	Team = "T0BENCH"
	App  = "A0BENCH"
)

// verificationToken stands in for the legacy token Slack still puts in
// every request; nobody checks it, but it is part of what is signed and
// read.
const verificationToken = "bXqR7kPz2LwN9vTa4HcY8sJd"

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
	return http.Header{
		"Content-Type":              {contentType},
		"X-Slack-Request-Timestamp": {stamp},
		"X-Slack-Signature":         {"v0=" + hex.EncodeToString(sign(Secret, stamp, body))},
	}
}

// sign is Slack's request signature: HMAC-SHA256 over "v0:", the
// timestamp, ":" and the body.
func sign(secret, stamp string, body []byte) []byte {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte("v0:" + stamp + ":"))
	mac.Write(body)
	return mac.Sum(nil)
}

// Command is a slash command `/race <Text>` typed by User in Channel.
type Command struct {
	Channel string
	User    string
	Text    string
	// ResponseURL is where a reply after the acknowledgement goes; give it
	// the fake's (SlackAPI.ResponseURL) so nothing leaves the machine.
	ResponseURL string
	// Seq numbers the command; Slack's trigger IDs are unique per command.
	Seq uint64
}

// Body is the form Slack posts for the command, with every field Slack
// sends for a workspace (not Enterprise Grid) install.
func (c Command) Body() []byte {
	seq := strconv.FormatUint(c.Seq, 10)
	return []byte(url.Values{
		"token":                 {verificationToken},
		"team_id":               {Team},
		"team_domain":           {"bench-coffee"},
		"channel_id":            {c.Channel},
		"channel_name":          {"marketing-" + strings.ToLower(c.Channel)},
		"user_id":               {c.User},
		"user_name":             {"bench." + strings.ToLower(c.User)},
		"command":               {"/race"},
		"text":                  {c.Text},
		"api_app_id":            {App},
		"is_enterprise_install": {"false"},
		"response_url":          {c.ResponseURL},
		"trigger_id":            {"8412345" + seq + "." + triggerNonce() + ".3c1f0a9be2d47e58b6a4c0d19f27e3b5"},
	}.Encode())
}

// triggerNonce makes every command's trigger id unique, as Slack's are,
// even when two runs number their commands from zero against one
// database: racebot takes a trigger id as the command's delivery key.
func triggerNonce() string {
	return strconv.FormatUint(rand.Uint64()%1e10, 10)
}

// Message is one reply a person writes in a coaching thread, delivered as
// an Events API message event the way Slack sends it: the text in Slack's
// markup, the same words again as a rich_text block, the author's profile
// (Slack adds it for channels that may be shared) and the envelope's
// authorizations and event context.
type Message struct {
	EventID string
	Channel string
	User    string
	Thread  string
	TS      string
	// Text is what the person typed, in plain words.
	Text string
	// Mention, when set, is a user the reply names after Text ("cc @ana"):
	// <@U…> in the text, a user element in the block.
	Mention string
	// Link, when set, is a URL the reply ends with: <url|label> in the
	// text, a link element in the block.
	Link string
}

// Answer is the i-th answer of a load test, in plan p's thread: a few
// sentences, as people answer a coaching question; every third names a
// colleague and every fifth links to a document, so the rich_text block
// holds the element kinds Slack sends. Its body is about 2.5 KB.
func Answer(i uint64, p Plan) Message {
	n := strconv.FormatUint(i, 10)
	m := Message{
		EventID: "EvL" + strconv.FormatUint(i, 36),
		Channel: p.Channel,
		User:    "U" + strconv.FormatUint(1000+i%97, 10),
		Thread:  p.Thread,
		TS:      MessageTS(i),
		Text: "Load answer " + n + ": we sell roasted coffee by subscription to busy offices of 20 to 200 people, " +
			"mostly agencies and software firms within a day's delivery of the roastery. Buyers are office managers; " +
			"they find us through a free tasting week and stay when the coffee never runs out. Our edge is freshness: " +
			"beans roasted on Monday are in the office by Wednesday, and the grinder comes with the subscription.",
	}
	if i%3 == 0 {
		m.Mention = "U0" + strconv.FormatUint(2000+i%89, 10)
	}
	if i%5 == 0 {
		m.Link = "https://docs.example.com/bench-coffee/pricing-2026?view=sheet"
	}
	return m
}

// linkLabel is the words a link in a reply is shown as.
const linkLabel = "our pricing sheet"

// Markup is the message's text field as Slack writes it.
func (m Message) Markup() string {
	s := m.Text
	if m.Mention != "" {
		s += " cc <@" + m.Mention + ">"
	}
	if m.Link != "" {
		s += " More in <" + m.Link + "|" + linkLabel + ">."
	}
	return s
}

// AppendBody appends the Events API JSON body of the message to dst. It is
// written by hand rather than marshalled: the load generator shares the
// machine with racebot, and every cycle it spends is one racebot lacks.
func (m Message) AppendBody(dst []byte) []byte {
	h := fnv64(m.EventID)
	dst = append(dst, `{"token":"`+verificationToken+`","team_id":"`+Team+`","context_team_id":"`+Team+`","context_enterprise_id":null,"api_app_id":"`+App+`","event":{"user":`...)
	dst = appendString(dst, m.User)
	dst = append(dst, `,"type":"message","ts":`...)
	dst = appendString(dst, m.TS)
	dst = append(dst, `,"client_msg_id":"`...)
	dst = appendUUID(dst, h)
	dst = append(dst, `","text":`...)
	dst = appendString(dst, m.Markup())
	dst = append(dst, `,"team":"`+Team+`","user_team":"`+Team+`","source_team":"`+Team+`","user_profile":{"avatar_hash":"g`...)
	dst = appendHex(dst, h, 11)
	dst = append(dst, `","image_72":"https://secure.gravatar.com/avatar/`...)
	dst = appendHex(dst, h, 16)
	dst = appendHex(dst, h>>7, 16)
	dst = append(dst, `.jpg?s=72&d=https%3A%2F%2Fa.slack-edge.com%2Fdf10d%2Fimg%2Favatars%2Fava_0022-72.png","first_name":"Ana","real_name":"Ana Benchmark","display_name":`...)
	dst = appendString(dst, "ana."+strings.ToLower(m.User))
	dst = append(dst, `,"team":"`+Team+`","name":`...)
	dst = appendString(dst, "ana.benchmark."+strings.ToLower(m.User))
	dst = append(dst, `,"is_restricted":false,"is_ultra_restricted":false},"thread_ts":`...)
	dst = appendString(dst, m.Thread)
	dst = append(dst, `,"parent_user_id":"`+BotUserID+`","blocks":[{"type":"rich_text","block_id":"`...)
	dst = appendHex(dst, h>>13, 5)
	dst = append(dst, `","elements":[{"type":"rich_text_section","elements":[{"type":"text","text":`...)
	dst = appendString(dst, m.Text)
	dst = append(dst, `}`...)
	if m.Mention != "" {
		dst = append(dst, `,{"type":"text","text":" cc "},{"type":"user","user_id":`...)
		dst = appendString(dst, m.Mention)
		dst = append(dst, `}`...)
	}
	if m.Link != "" {
		dst = append(dst, `,{"type":"text","text":" More in "},{"type":"link","url":`...)
		dst = appendString(dst, m.Link)
		dst = append(dst, `,"text":"`+linkLabel+`"},{"type":"text","text":"."}`...)
	}
	dst = append(dst, `]}]}],"channel":`...)
	dst = appendString(dst, m.Channel)
	dst = append(dst, `,"event_ts":`...)
	dst = appendString(dst, m.TS)
	dst = append(dst, `,"channel_type":"channel"},"type":"event_callback","event_id":`...)
	dst = appendString(dst, m.EventID)
	dst = append(dst, `,"event_time":`...)
	dst = strconv.AppendInt(dst, time.Now().Unix(), 10)
	dst = append(dst, `,"authorizations":[{"enterprise_id":null,"team_id":"`+Team+`","user_id":"`+BotUserID+`","is_bot":true,"is_enterprise_install":false}],"is_ext_shared_channel":false,"event_context":"4-`...)
	dst = base64.RawURLEncoding.AppendEncode(dst, []byte(`{"et":"message","tid":"`+Team+`","aid":"`+App+`","cid":"`+m.Channel+`"}`))
	dst = append(dst, `"}`...)
	return dst
}

// fnv64 is FNV-1a, for the IDs Slack derives per message (client message
// ID, avatar, block ID): stable for an event, different between events.
func fnv64(s string) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= 1099511628211
	}
	return h
}

const hexDigits = "0123456789abcdef"

// appendHex appends n hex digits taken from h, repeating it if n > 16.
func appendHex(dst []byte, h uint64, n int) []byte {
	for i := range n {
		dst = append(dst, hexDigits[(h>>(4*(i%16)))&0xf])
	}
	return dst
}

// appendUUID appends a version-4-shaped UUID made from h.
func appendUUID(dst []byte, h uint64) []byte {
	dst = appendHex(dst, h, 8)
	dst = append(dst, '-')
	dst = appendHex(dst, h>>32, 4)
	dst = append(dst, "-4"...)
	dst = appendHex(dst, h>>20, 3)
	dst = append(dst, "-8"...)
	dst = appendHex(dst, h>>9, 3)
	dst = append(dst, '-')
	return appendHex(dst, h*31, 12)
}

// appendString appends s as a JSON string; plain ASCII, the usual case,
// needs no encoder.
func appendString(dst []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f || c == '"' || c == '\\' {
			// Slack leaves <, > and & unescaped in JSON (its markup is
			// full of them), so the encoder must too.
			var buf bytes.Buffer
			enc := json.NewEncoder(&buf)
			enc.SetEscapeHTML(false)
			enc.Encode(s)
			return append(dst, bytes.TrimSuffix(buf.Bytes(), []byte("\n"))...)
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
