package bot

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/go-json-experiment/json/jsontext"
	"github.com/slack-go/slack"
)

// Client is the Slack Web API client racebot uses: slack-go's for every
// method, except chat.postMessage, which racebot calls once for every
// answer and sends itself. slack-go sends a message as a form, its blocks
// encoded as JSON and then escaped into the form, and decodes the whole
// message Slack echoes back; under answer load that was a quarter of what an
// answer allocated. Slack takes the same arguments as a JSON body, and of
// the answer racebot reads only whether it worked and the message's ts.
type Client struct {
	api  *slack.Client
	chat chatPoster
}

// Slack is slack-go's client, for everything but posting messages. (It
// is not embedded: that would link a wrapper of every one of slack-go's
// methods, a third of a megabyte.)
func (c *Client) Slack() *slack.Client { return c.api }

// chatPoster sends chat.postMessage as JSON, with the retries NewAPI
// gives creating methods: after a 429 (honouring Retry-After) and when no
// connection could be made, never after a request that may have arrived.
type chatPoster struct {
	url   string // the method's URL
	token string
	http  interface {
		Do(*http.Request) (*http.Response, error)
	}
	// timeout bounds each try, the answer read included. It is a deadline
	// on the request's context rather than the client's Timeout: with a
	// Transport wrapped (the metrics' counter), the client enforces a
	// Timeout with a goroutine, a timer and two channels for every request.
	timeout time.Duration
	retries int
	// limited is slack-go's own handler of a 429, which says how long to
	// wait: Retry-After, at least a second, with jitter.
	limited slack.RetryHandler
	sleep   func(context.Context, time.Duration) bool
	// slots bounds the posts out at once (see NewAPI); nil: no bound.
	slots chan struct{}
}

// chatMessage is chat.postMessage's body.
type chatMessage struct {
	Channel     string       `json:"channel"`
	Text        string       `json:"text"`
	Blocks      []any        `json:"blocks,omitempty"`
	ThreadTS    string       `json:"thread_ts,omitempty"`
	UnfurlLinks bool         `json:"unfurl_links"`
	UnfurlMedia bool         `json:"unfurl_media"`
	Metadata    postMetadata `json:"metadata"`
}

// postMetadata is slack.SlackMetadata as racebot fills it, with the key in
// a struct rather than a map[string]any, which encoding/json sorts and
// walks by reflection on every post. The JSON is the same.
type postMetadata struct {
	EventType    string `json:"event_type"`
	EventPayload struct {
		Key string `json:"key"`
	} `json:"event_payload"`
}

// postAnswer is what racebot reads of chat.postMessage's answer.
type postAnswer struct {
	OK               bool            `json:"ok"`
	Error            string          `json:"error"`
	ResponseMetadata json.RawMessage `json:"response_metadata"`
	TS               string          `json:"ts"`
}

// postMessage posts m to channel (in thread, when set) with its metadata
// key and returns the message's ts, and how long Slack took to answer the
// try that it took (waits between tries not counted). Its errors are slack-go's, so callers
// tell them apart as they do slack-go's: *slack.RateLimitedError after
// the retries of a 429, slack.StatusCodeError for another status,
// slack.SlackErrorResponse when Slack refused, and the transport's error
// when the request failed.
func (c *chatPoster) postMessage(ctx context.Context, channel, thread, key string, m message) (ts string, took time.Duration, err error) {
	// A body of its own, not a pooled buffer: the transport may still be
	// writing it after Do returns, when Slack answers before reading it all.
	msg := chatMessage{
		Channel:  channel,
		Text:     truncate(m.Text, maxFallback),
		Blocks:   wireBlocks(m.Blocks),
		ThreadTS: thread,
		Metadata: postMetadata{EventType: postEventType},
	}
	msg.Metadata.EventPayload.Key = key
	body, err := json.Marshal(msg)
	if err != nil {
		return "", 0, err
	}
	for attempt := 0; ; attempt++ {
		sent := time.Now()
		ts, wait, err := c.try(ctx, body)
		switch {
		case err == nil:
			return ts, time.Since(sent), nil
		case wait > 0:
			if attempt < c.retries && c.sleep(ctx, wait) {
				continue
			}
			return "", 0, &slack.RateLimitedError{RetryAfter: wait}
		case dialFailed(err) && attempt < c.retries && c.sleep(ctx, backoff(attempt)):
			continue
		}
		return "", 0, err
	}
}

// wireBlocks is blocks as encoding/json writes them fastest, to the same
// bytes: action and context blocks without slack-go's MarshalJSON on
// their element lists, whose output encoding/json checks and compacts
// again. A question's reply marshals in 6.2 µs instead of 13.8
// (BenchmarkMarshalPost). Other blocks go as they are.
func wireBlocks(blocks []slack.Block) []any {
	if len(blocks) == 0 {
		return nil
	}
	out := make([]any, len(blocks))
	for i, b := range blocks {
		switch b := b.(type) {
		case *slack.ActionBlock:
			if b.Elements != nil {
				out[i] = wireActions{Type: b.Type, BlockID: b.BlockID, Elements: b.Elements.ElementSet}
				continue
			}
		case *slack.ContextBlock:
			out[i] = wireContext{Type: b.Type, BlockID: b.BlockID, Elements: b.ContextElements.Elements}
			continue
		}
		out[i] = b
	}
	return out
}

// wireActions and wireContext are slack.ActionBlock and slack.ContextBlock
// with their element lists as plain slices.
type wireActions struct {
	Type     slack.MessageBlockType `json:"type"`
	BlockID  string                 `json:"block_id,omitempty"`
	Elements []slack.BlockElement   `json:"elements"`
}

type wireContext struct {
	Type     slack.MessageBlockType `json:"type"`
	BlockID  string                 `json:"block_id,omitempty"`
	Elements []slack.MixedElement   `json:"elements"`
}

// errNoSlot is a post given up before it was sent: no slot came free in
// time.
var errNoSlot = errors.New("no free slot to post")

// try makes one try of posting body, by the poster's timeout once it has a
// slot.
func (c *chatPoster) try(ctx context.Context, body []byte) (ts string, wait time.Duration, err error) {
	if c.slots != nil {
		select {
		case c.slots <- struct{}{}:
			defer func() { <-c.slots }()
		case <-ctx.Done():
			return "", 0, fmt.Errorf("%w: %w", errNoSlot, ctx.Err())
		}
	}
	if c.timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, c.timeout)
		defer cancel()
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.url, bytes.NewReader(body))
	if err != nil {
		return "", 0, err
	}
	req.Header = http.Header{
		"Content-Type":  {"application/json; charset=utf-8"},
		"Authorization": {"Bearer " + c.token},
	}
	return c.send(req)
}

// send makes one try and reads its answer, so that the connection is back
// in the pool before the slot is. After a 429 it returns how long Slack
// asked to wait.
func (c *chatPoster) send(req *http.Request) (ts string, wait time.Duration, err error) {
	resp, err := c.http.Do(req)
	if err != nil {
		return "", 0, err
	}
	if resp.StatusCode == http.StatusTooManyRequests {
		_, wait = c.limited.ShouldRetry(&slack.RetryState{MaxRetries: 1}, req, resp, nil)
		discard(resp)
		return "", wait, errors.New("rate limited")
	}
	ts, err = readPosted(resp)
	return ts, 0, err
}

// readPosted reads chat.postMessage's answer.
func readPosted(resp *http.Response) (string, error) {
	defer discard(resp)
	if resp.StatusCode != http.StatusOK {
		return "", slack.StatusCodeError{Code: resp.StatusCode, Status: resp.Status}
	}
	body, err := readAll(resp.Body, resp.ContentLength)
	if err != nil {
		return "", err
	}
	a, err := decodePostAnswer(body)
	if err != nil {
		return "", err
	}
	if !a.OK {
		refusal := slack.SlackErrorResponse{Err: a.Error}
		if len(a.ResponseMetadata) > 0 {
			_ = json.Unmarshal(a.ResponseMetadata, &refusal.ResponseMetadata)
		}
		return "", refusal
	}
	if a.TS == "" {
		return "", errors.New("chat.postMessage answered without a ts")
	}
	return a.TS, nil
}

// decodePostAnswer reads chat.postMessage's answer, skipping the message
// Slack echoes back (the whole message again, blocks and all): 18 µs with
// json.Unmarshal for a 2.3 KB answer, 5 µs this way.
func decodePostAnswer(body []byte) (postAnswer, error) {
	var a postAnswer
	read := func(d *jsontext.Decoder) bool {
		return readObject(d, postAnswerNames, func(name []byte) bool {
			switch string(name) {
			case "ok":
				return readBool(d, &a.OK)
			case "error":
				return readString(d, &a.Error)
			case "ts":
				return readString(d, &a.TS)
			case "response_metadata":
				v, err := d.ReadValue()
				a.ResponseMetadata = bytes.Clone(v)
				return err == nil
			}
			return d.SkipValue() == nil
		}) && atEnd(d)
	}
	if !withDecoder(body, read) {
		return postAnswer{}, errors.New("chat.postMessage answered with unreadable JSON")
	}
	return a, nil
}

var postAnswerNames = jsonNames(postAnswer{})

// discard reads what is left of a body, so the connection is used again,
// and closes it.
func discard(resp *http.Response) {
	io.Copy(io.Discard, io.LimitReader(resp.Body, maxBody))
	resp.Body.Close()
}

// backoff is the wait before the attempt after attempt when no
// connection could be made: 100 ms, doubling, at most 5 s.
func backoff(attempt int) time.Duration {
	return min(100*time.Millisecond<<attempt, 5*time.Second)
}
