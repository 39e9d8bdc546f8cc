package bot

import (
	"github.com/go-json-experiment/json/jsontext"
	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
)

// messageCallback is what racebot reads of an Events API callback that
// carries a message event. Most of a message event's body is what racebot
// never reads: the text again as rich_text blocks, the author's profile,
// files and attachments. slackevents.ParseEvent decodes all of it, several
// times over (the envelope, the callback, the inner event's type, the
// event, and for a new message the event again as a slack.Msg);
// decodeMessageEvent reads these few fields and skips the rest. Other
// events, and bodies it does not read, go through slackevents.ParseEvent.
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
// encoding/json/v2, kept as a module until v2 leaves its experiment; see
// jsonread.go). json.Unmarshal into the same structs took 24 µs for a
// 2.5 KB reply, a tenth of racebot's time on an answer, against 9.5 µs
// here. Whatever it might read differently from encoding/json it refuses
// instead, for slackevents to read: a name that matches a field only when
// case is folded (which encoding/json takes and this does not), a name
// given twice (the last wins there), a value of the wrong kind, invalid
// UTF-8.
func decodeMessageEvent(body []byte) (slackevents.EventsAPIEvent, bool) {
	var cb messageCallback
	if !withDecoder(body, func(d *jsontext.Decoder) bool { return readCallback(d, &cb) && atEnd(d) }) ||
		cb.Type != slackevents.CallbackEvent || cb.Event == nil || cb.Event.Type != "message" {
		return slackevents.EventsAPIEvent{}, false
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
