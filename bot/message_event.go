package bot

import (
	"encoding/json"

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
func decodeMessageEvent(body []byte) (slackevents.EventsAPIEvent, bool) {
	var cb messageCallback
	if err := json.Unmarshal(body, &cb); err != nil || cb.Type != slackevents.CallbackEvent || cb.Event == nil || cb.Event.Type != "message" {
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
