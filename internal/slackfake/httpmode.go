package slackfake

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

// SignedRequest builds the POST Slack makes to an HTTP-mode app: body, the
// Content-Type that fits it (JSON for events, a form otherwise), and the
// X-Slack-Request-Timestamp and X-Slack-Signature headers that
// slack.NewSecretsVerifier checks. It is a client request: send it with an
// http.Client or hand it to a handler's ServeHTTP. It panics on a malformed
// URL, which is a bug in the test.
func SignedRequest(secret, url string, body []byte, ts time.Time) *http.Request {
	req, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		panic(fmt.Sprintf("slackfake: SignedRequest: %v", err))
	}
	contentType := "application/x-www-form-urlencoded"
	if json.Valid(body) {
		contentType = "application/json"
	}
	stamp := strconv.FormatInt(ts.Unix(), 10)
	req.Header.Set("Content-Type", contentType)
	req.Header.Set("X-Slack-Request-Timestamp", stamp)
	req.Header.Set("X-Slack-Signature", Signature(secret, stamp, body))
	return req
}

// Signature is Slack's request signature: "v0=" followed by the hex
// HMAC-SHA256, keyed with the signing secret, of "v0:<timestamp>:<body>".
func Signature(secret, timestamp string, body []byte) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte("v0:" + timestamp + ":"))
	mac.Write(body)
	return "v0=" + hex.EncodeToString(mac.Sum(nil))
}

// FormBody is the form body Slack posts for a slash command in HTTP mode.
// The ResponseURL is left blank unless set; use fake.ResponseURL() to get
// one the fake records.
func FormBody(cmd SlashCommand) []byte {
	return []byte(formValues(cmd.fields(standaloneDefaults())).Encode())
}

// InteractionBody is the form body Slack posts for an interaction in HTTP
// mode: payload=<json>. payload is a builder of this package (BlockAction,
// ViewSubmission), raw JSON (json.RawMessage or []byte), or any value to
// marshal.
func InteractionBody(payload any) []byte {
	var raw []byte
	switch p := payload.(type) {
	case Payload:
		raw = mustJSON(p.wire(standaloneDefaults()))
	case json.RawMessage:
		raw = p
	case []byte:
		raw = p
	default:
		raw = mustJSON(payload)
	}
	return []byte(url.Values{"payload": {string(raw)}}.Encode())
}

// EventBody is the JSON body Slack posts to the Events API request URL for
// an event (MessageEvent, AppHomeOpened, EventCallback).
func EventBody(ev Payload) []byte {
	return mustJSON(ev.wire(standaloneDefaults()))
}

// URLVerificationBody is the handshake Slack posts when the Events API
// request URL is configured; the app must echo the challenge.
func URLVerificationBody(challenge string) []byte {
	return mustJSON(map[string]any{
		"token":     "verification-token",
		"challenge": challenge,
		"type":      "url_verification",
	})
}
