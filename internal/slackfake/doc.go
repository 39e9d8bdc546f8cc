// Package slackfake runs a loopback imitation of Slack that the real
// slack-go client (github.com/slack-go/slack v0.35) talks to in tests.
//
// One Fake serves both halves of a Socket Mode app:
//
//   - the Web API under APIURL (chat.*, views.*, users.info,
//     conversations.info, conversations.history and conversations.replies
//     with message metadata, conversations.open for direct messages, the
//     three-step file upload, functions.completeSuccess and completeError,
//     auth.test, apps.connections.open), recording every call and keeping
//     the resulting messages, ephemerals, views, uploads and function
//     executions so a test can read them back; AddMessage adds what people
//     wrote to the history;
//   - the Socket Mode WebSocket that apps.connections.open points to, which
//     says hello, pings, delivers envelopes (queued while no client is
//     connected, so none are lost), records acks and can ask the client to
//     reconnect.
//
// A typical test:
//
//	fake := slackfake.New(t)
//	api := slack.New("xoxb-test",
//		slack.OptionAPIURL(fake.APIURL()),
//		slack.OptionAppLevelToken("xapp-test"))
//	client := socketmode.New(api)
//	go client.RunContext(ctx)
//	id := fake.SendEvent(slackfake.SlashCommand{Command: "/race", Text: "new Q1",
//		UserID: "U1", ChannelID: "C1"})
//	fake.WaitAck(t, id)
//	fake.WaitFor(t, func() bool { return len(fake.Messages("C1")) == 1 }, "plan header")
//
// Redeliver repeats an envelope the way Slack retries an unacknowledged
// event (same event_id, retry_attempt counting up), to test deduplication.
// Note that slack-go may lose an ack it sends while tearing down a
// connection after a disconnect; Slack would redeliver such an event.
//
// Faults (HTTP 429 with Retry-After, 5xx, slow answers, and a 5xx or a
// reset connection after the work was done) are injected per method, so
// retry and "ack before the slow work" paths can be tested without
// sleeping. The payload builders (SlashCommand, MessageEvent,
// MessageChanged, MessageDeleted, AppHomeOpened, AppMention,
// FunctionExecuted, BlockAction, ViewSubmission, MessageShortcut,
// GlobalShortcut, EventCallback) produce Slack's
// wire JSON, and SignedRequest, FormBody, InteractionBody and EventBody
// produce the same payloads for the HTTP front door.
package slackfake
