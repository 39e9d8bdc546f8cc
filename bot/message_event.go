package bot

import (
	"bytes"
	"io"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/go-json-experiment/json/jsontext"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
)

// messageCallback is what racebot reads of an Events API callback that
// carries a message event. Most of a message event's body is what racebot
// never reads: the text again as rich_text blocks, the author's profile,
// files and attachments. slackevents.ParseEvent decodes all of it, several
// times over (the envelope, the callback, the inner event's type, the
// event, and for a new message the event again as a slack.Msg); one
// json.Unmarshal into these few fields skips it instead. Other events, and
// bodies this does not read, go through slackevents.ParseEvent.
type messageCallback struct {
	Token              string                     `json:"token"`
	Type               string                     `json:"type"`
	TeamID             string                     `json:"team_id"`
	APIAppID           string                     `json:"api_app_id"`
	EnterpriseID       string                     `json:"enterprise_id"`
	EventID            string                     `json:"event_id"`
	EventTime          int                        `json:"event_time"`
	EventContext       string                     `json:"event_context"`
	IsExtSharedChannel bool                       `json:"is_ext_shared_channel"`
	Authorizations     []slack.EventAuthorization `json:"authorizations"`
	Event              *messageEvent              `json:"event"`
}

// messageEvent is a message event without its blocks: the fields of
// slackevents.MessageEvent that racebot reads. A handler that starts
// reading another field adds it here and in toSlack.
type messageEvent struct {
	messageFields
	ChannelType string `json:"channel_type"`
	EventTS     string `json:"event_ts"`
	UserTeam    string `json:"user_team"`
	SourceTeam  string `json:"source_team"`
	DeletedTS   string `json:"deleted_ts"`
	// Message is the message as it reads after an edit
	// (message_changed); PreviousMessage as it read before an edit or a
	// deletion.
	Message         *messageFields `json:"message"`
	PreviousMessage *messageFields `json:"previous_message"`
}

type messageFields struct {
	ClientMsgID string        `json:"client_msg_id"`
	Type        string        `json:"type"`
	SubType     string        `json:"subtype"`
	Channel     string        `json:"channel"`
	User        string        `json:"user"`
	BotID       string        `json:"bot_id"`
	Text        string        `json:"text"`
	TS          string        `json:"ts"`
	ThreadTS    string        `json:"thread_ts"`
	Edited      *slack.Edited `json:"edited"`
}

// decodeMessageEvent decodes body as a message event callback, as
// slackevents.ParseEvent would but without the parts racebot never reads.
// It reports false for anything else, or anything it cannot read, which
// the caller then hands to slackevents.ParseEvent.
//
// It walks the body's tokens with jsontext (the tokenizer of Go's
// encoding/json/v2, kept as a module until v2 leaves its experiment),
// reading the few fields above and skipping the rest in one pass.
// json.Unmarshal into the same structs went over the body twice, once to
// check it and once to decode it: 24 µs for a 2.5 KB reply, a tenth of
// racebot's time on an answer, against 9.5 µs here. Whatever it might read
// differently from encoding/json it refuses instead, for slackevents to
// read: a name that matches a field only when case is folded (which
// encoding/json takes and this does not), a name given twice (the last
// wins there), a value of the wrong kind, invalid UTF-8.
func decodeMessageEvent(body []byte) (slackevents.EventsAPIEvent, bool) {
	d := decoders.Get().(*jsontext.Decoder)
	defer func() {
		d.Reset(noBody) // so the pool does not keep the body
		decoders.Put(d)
	}()
	d.Reset(bytes.NewBuffer(body))
	var cb messageCallback
	if !readCallback(d, &cb) || cb.Type != slackevents.CallbackEvent || cb.Event == nil || cb.Event.Type != "message" {
		return slackevents.EventsAPIEvent{}, false
	}
	if _, err := d.ReadToken(); err != io.EOF {
		return slackevents.EventsAPIEvent{}, false // more after the object
	}
	return slackevents.EventsAPIEvent{
		Token:              cb.Token,
		TeamID:             cb.TeamID,
		Type:               cb.Type,
		APIAppID:           cb.APIAppID,
		EnterpriseID:       cb.EnterpriseID,
		IsExtSharedChannel: cb.IsExtSharedChannel,
		Data: &slackevents.EventsAPICallbackEvent{
			Type:               cb.Type,
			Token:              cb.Token,
			TeamID:             cb.TeamID,
			APIAppID:           cb.APIAppID,
			EnterpriseID:       cb.EnterpriseID,
			EventID:            cb.EventID,
			EventTime:          cb.EventTime,
			EventContext:       cb.EventContext,
			IsExtSharedChannel: cb.IsExtSharedChannel,
			Authorizations:     cb.Authorizations,
		},
		InnerEvent: slackevents.EventsAPIInnerEvent{Type: cb.Event.Type, Data: cb.Event.toSlack()},
	}, true
}

// decoders are kept for reuse: a decoder's state is a fifth of what
// decoding an event allocates otherwise.
var decoders = sync.Pool{New: func() any { return jsontext.NewDecoder(noBody) }}

// noBody is what a decoder is left reading while pooled; it is never read.
var noBody = new(bytes.Buffer)

func readCallback(d *jsontext.Decoder, cb *messageCallback) bool {
	return readObject(d, callbackNames, func(name []byte) bool {
		switch string(name) {
		case "token":
			return readString(d, &cb.Token)
		case "type":
			return readString(d, &cb.Type)
		case "team_id":
			return readString(d, &cb.TeamID)
		case "api_app_id":
			return readString(d, &cb.APIAppID)
		case "enterprise_id":
			return readString(d, &cb.EnterpriseID)
		case "event_id":
			return readString(d, &cb.EventID)
		case "event_time":
			return readInt(d, &cb.EventTime)
		case "event_context":
			return readString(d, &cb.EventContext)
		case "is_ext_shared_channel":
			return readBool(d, &cb.IsExtSharedChannel)
		case "authorizations":
			return readAuthorizations(d, &cb.Authorizations)
		case "event":
			return readPointer(d, &cb.Event, readEvent)
		}
		return d.SkipValue() == nil
	})
}

func readEvent(d *jsontext.Decoder, ev *messageEvent) bool {
	return readObject(d, eventNames, func(name []byte) bool {
		switch string(name) {
		case "channel_type":
			return readString(d, &ev.ChannelType)
		case "event_ts":
			return readString(d, &ev.EventTS)
		case "user_team":
			return readString(d, &ev.UserTeam)
		case "source_team":
			return readString(d, &ev.SourceTeam)
		case "deleted_ts":
			return readString(d, &ev.DeletedTS)
		case "message":
			return readPointer(d, &ev.Message, readFields)
		case "previous_message":
			return readPointer(d, &ev.PreviousMessage, readFields)
		}
		return readField(d, &ev.messageFields, name)
	})
}

func readFields(d *jsontext.Decoder, f *messageFields) bool {
	return readObject(d, fieldNames, func(name []byte) bool { return readField(d, f, name) })
}

// readField reads the value of one of messageFields' names, or skips it.
func readField(d *jsontext.Decoder, f *messageFields, name []byte) bool {
	switch string(name) {
	case "client_msg_id":
		return readString(d, &f.ClientMsgID)
	case "type":
		return readString(d, &f.Type)
	case "subtype":
		return readString(d, &f.SubType)
	case "channel":
		return readString(d, &f.Channel)
	case "user":
		return readString(d, &f.User)
	case "bot_id":
		return readString(d, &f.BotID)
	case "text":
		return readString(d, &f.Text)
	case "ts":
		return readString(d, &f.TS)
	case "thread_ts":
		return readString(d, &f.ThreadTS)
	case "edited":
		return readPointer(d, &f.Edited, readEdited)
	}
	return d.SkipValue() == nil
}

// The JSON names read at each level, for refusing a name that encoding/json
// would take as one of them by folding its case.
var (
	fieldNames         = jsonNames(messageFields{})
	eventNames         = append(jsonNames(messageEvent{}), fieldNames...)
	callbackNames      = jsonNames(messageCallback{})
	editedNames        = jsonNames(slack.Edited{})
	authorizationNames = jsonNames(slack.EventAuthorization{})
)

func jsonNames(v any) []string {
	t := reflect.TypeOf(v)
	var names []string
	for i := range t.NumField() {
		if name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ","); name != "" {
			names = append(names, name)
		}
	}
	return names
}

// readObject reads an object, handing each name to member to read its
// value. It refuses the object if it is not one, or if a name is escaped
// or not known (see known).
func readObject(d *jsontext.Decoder, names []string, member func(name []byte) bool) bool {
	if tok, err := d.ReadToken(); err != nil || tok.Kind() != '{' {
		return false
	}
	for d.PeekKind() == '"' {
		raw, err := d.ReadValue()
		if err != nil || bytes.IndexByte(raw, '\\') >= 0 {
			return false
		}
		name := raw[1 : len(raw)-1]
		if !known(names, name) || !member(name) {
			return false
		}
	}
	tok, err := d.ReadToken()
	return err == nil && tok.Kind() == '}'
}

// known reports whether a name is one encoding/json reads as it is
// spelled: one of names, or none of them even when case is folded. A name
// that is not ASCII is refused (Slack's are): folding it may give an
// ASCII one ("ſ" folds to "s").
func known(names []string, name []byte) bool {
	for _, c := range name {
		if c >= utf8.RuneSelf {
			return false
		}
	}
	for _, n := range names {
		if n == string(name) {
			return true
		}
	}
	for _, n := range names {
		if len(n) == len(name) && bytes.EqualFold([]byte(n), name) {
			return false
		}
	}
	return true
}

// readString reads a string into s; null leaves s as it is, as in
// encoding/json.
func readString(d *jsontext.Decoder, s *string) bool {
	tok, err := d.ReadToken()
	switch {
	case err != nil:
		return false
	case tok.Kind() == '"':
		*s = tok.String()
		return true
	}
	return tok.Kind() == 'n'
}

func readBool(d *jsontext.Decoder, b *bool) bool {
	tok, err := d.ReadToken()
	switch {
	case err != nil:
		return false
	case tok.Kind() == 't' || tok.Kind() == 'f':
		*b = tok.Bool()
		return true
	}
	return tok.Kind() == 'n'
}

// readInt reads an integer as encoding/json reads one into an int: its
// digits, with no fraction or exponent.
func readInt(d *jsontext.Decoder, n *int) bool {
	v, err := d.ReadValue()
	switch {
	case err != nil:
		return false
	case v.Kind() == 'n':
		return true
	case v.Kind() != '0':
		return false
	}
	i, err := strconv.ParseInt(string(v), 10, 0)
	*n = int(i)
	return err == nil
}

// readPointer reads an object into a new *p with read; null sets *p to
// nil, as in encoding/json.
func readPointer[T any](d *jsontext.Decoder, p **T, read func(*jsontext.Decoder, *T) bool) bool {
	if d.PeekKind() == 'n' {
		*p = nil
		return d.SkipValue() == nil
	}
	*p = new(T)
	return read(d, *p)
}

func readEdited(d *jsontext.Decoder, e *slack.Edited) bool {
	return readObject(d, editedNames, func(name []byte) bool {
		switch string(name) {
		case "user":
			return readString(d, &e.User)
		case "ts":
			return readString(d, &e.Timestamp)
		}
		return d.SkipValue() == nil
	})
}

// readAuthorizations reads an array of authorizations; null leaves none,
// and a null in the array is an empty one, as in encoding/json.
func readAuthorizations(d *jsontext.Decoder, auths *[]slack.EventAuthorization) bool {
	if d.PeekKind() == 'n' {
		*auths = nil
		return d.SkipValue() == nil
	}
	if tok, err := d.ReadToken(); err != nil || tok.Kind() != '[' {
		return false
	}
	*auths = (*auths)[:0]
	for k := d.PeekKind(); k != ']'; k = d.PeekKind() {
		var a slack.EventAuthorization
		if k == 'n' {
			if d.SkipValue() != nil {
				return false
			}
		} else if !readObject(d, authorizationNames, func(name []byte) bool {
			switch string(name) {
			case "enterprise_id":
				return readString(d, &a.EnterpriseID)
			case "team_id":
				return readString(d, &a.TeamID)
			case "user_id":
				return readString(d, &a.UserID)
			case "is_bot":
				return readBool(d, &a.IsBot)
			case "is_enterprise_install":
				return readBool(d, &a.IsEnterpriseInstall)
			}
			return d.SkipValue() == nil
		}) {
			return false
		}
		*auths = append(*auths, a)
	}
	_, err := d.ReadToken()
	return err == nil
}

// toSlack is the event as slackevents.MessageEvent, filled as
// slackevents fills it: for a new message, Message is the message itself.
func (m *messageEvent) toSlack() *slackevents.MessageEvent {
	ev := &slackevents.MessageEvent{
		ClientMsgID:      m.ClientMsgID,
		Type:             m.Type,
		User:             m.User,
		Text:             m.Text,
		ThreadTimeStamp:  m.ThreadTS,
		TimeStamp:        m.TS,
		Channel:          m.Channel,
		ChannelType:      m.ChannelType,
		EventTimeStamp:   m.EventTS,
		UserTeam:         m.UserTeam,
		SourceTeam:       m.SourceTeam,
		DeletedTimeStamp: m.DeletedTS,
		SubType:          m.SubType,
		BotID:            m.BotID,
		Message:          m.Message.toSlack(),
		PreviousMessage:  m.PreviousMessage.toSlack(),
	}
	if ev.Message == nil {
		msg := m.messageFields.toSlack()
		msg.DeletedTimestamp, msg.EventTimestamp = m.DeletedTS, m.EventTS
		ev.Message = msg
	}
	return ev
}

func (f *messageFields) toSlack() *slack.Msg {
	if f == nil {
		return nil
	}
	return &slack.Msg{
		ClientMsgID:     f.ClientMsgID,
		Type:            f.Type,
		SubType:         f.SubType,
		Channel:         f.Channel,
		User:            f.User,
		BotID:           f.BotID,
		Text:            f.Text,
		Timestamp:       f.TS,
		ThreadTimestamp: f.ThreadTS,
		Edited:          f.Edited,
	}
}
