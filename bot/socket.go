package bot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
	"github.com/slack-go/slack/socketmode"
)

// eventQueue is how many Events API envelopes may wait for the event
// worker. Past it an envelope is left unacknowledged, and Slack delivers it
// again, as the HTTP front door answers 503.
const eventQueue = 128

// maxSocketHandlers bounds the slash commands and interactions being
// handled, or waiting for an in-flight slot, at once. Past it one is
// acknowledged as busy at once.
const maxSocketHandlers = 4 * maxInFlight

// maxAckBytes is the largest acknowledgement payload sent. Slack drops a
// Socket Mode response of 20 KB or more and the request stays
// unacknowledged (slack-go refuses to send one at all); the margin leaves
// room for the envelope around the payload.
const maxAckBytes = 15_000

// shortAckRunes is how much of an oversized reply's text the
// acknowledgement keeps; even at six bytes a character in JSON it fits.
const shortAckRunes = 1000

// ackSendTimeout bounds handing an ack to the client; past Slack's three
// seconds it is of no use anyway.
const ackSendTimeout = 3 * time.Second

// socketDrain bounds how long a stopping RunSocket waits for the envelopes
// being handled to be acknowledged; past Slack's three seconds an ack is of
// no use.
const socketDrain = ackTimeout + ackSendTimeout

// ackFlush is how long a stopping RunSocket keeps the connection open
// after the last envelope it waited for was acknowledged: slack-go writes
// a queued ack a moment later, from its own goroutine.
const ackFlush = 250 * time.Millisecond

// RunSocket serves Slack over Socket Mode until ctx ends. slack-go's client
// reconnects by itself (on refresh_requested disconnects and dropped
// sockets); this loop only dispatches.
//
// Events API envelopes are handled one at a time, in the order Slack sent
// them, by one worker: replies in a thread must be recorded in the order
// they were written. Slash commands and interactions each run in a handler
// of their own, so a slow event never holds a button or a modal past the
// three seconds its trigger lives.
//
// When ctx ends no new envelope is taken, but the ones being handled are
// finished and acknowledged over the connection before it closes, as the
// HTTP server's Shutdown lets its requests finish: Slack never delivers a
// slash command or an interaction again, so one cut off would only show its
// author an error. What is still queued is left for Slack to deliver again.
func (b *Bot) RunSocket(ctx context.Context, client *socketmode.Client) error {
	// Envelopes are handled in the bot's own context, which Shutdown ends
	// once its grace has passed, not in ctx, whose end only stops taking
	// new ones.
	serve := b.base
	connCtx, closeConn := context.WithCancel(context.WithoutCancel(ctx))
	defer closeConn()
	errc := make(chan error, 1)
	go func() { errc <- client.RunContext(connCtx) }()

	stopWorker := make(chan struct{})
	events := make(chan socketmode.Event, eventQueue)
	workerDone := make(chan struct{})
	d := &socketDispatch{client: client, events: events, handlers: make(chan struct{}, maxSocketHandlers)}
	go func() {
		defer close(workerDone)
		b.eventWorker(serve, stopWorker, client, events, &d.handling)
	}()
	defer func() {
		close(stopWorker)
		busy := d.handling.Load() > 0
		drained := make(chan struct{})
		go func() {
			<-workerDone
			d.running.Wait()
			close(drained)
		}()
		t := time.NewTimer(socketDrain)
		defer t.Stop()
		select {
		case <-drained:
			if busy {
				// slack-go only queues an ack for its connection's writer,
				// and offers no way to know it was written: the connection
				// stays open a moment for the last ones to go out.
				time.Sleep(ackFlush)
			}
		case <-t.C:
			b.log.Warn("socket mode: closing with envelopes still being handled")
		}
	}()

	for {
		select {
		case <-ctx.Done():
			return nil
		case err := <-errc:
			if ctx.Err() != nil {
				return nil
			}
			return err
		case evt, ok := <-client.Events:
			if !ok {
				return errors.New("socket mode: event stream closed")
			}
			b.dispatch(serve, d, evt)
		}
	}
}

// socketDispatch is what the loop hands work to.
type socketDispatch struct {
	client   *socketmode.Client
	events   chan socketmode.Event
	handlers chan struct{}
	// running counts the handlers started, so a stopping RunSocket keeps
	// the connection open for their acks; handling counts the envelopes
	// being handled, events included.
	running  sync.WaitGroup
	handling atomic.Int32
	dropped  sampledLog
}

// dispatch routes one envelope. Connection news is handled inline; the rest
// goes to the event worker or a handler of its own.
func (b *Bot) dispatch(ctx context.Context, d *socketDispatch, evt socketmode.Event) {
	switch evt.Type {
	case socketmode.EventTypeConnected:
		b.connected.Store(true)
		b.log.Info("socket mode connected")
		// Events Slack gave up on while the socket was down are only in
		// the threads' history now.
		b.requestCatchup()
	case socketmode.EventTypeConnecting, socketmode.EventTypeDisconnect:
		b.connected.Store(false)
	case socketmode.EventTypeConnectionError, socketmode.EventTypeIncomingError:
		b.log.Warn("socket mode connection problem; reconnecting", "type", evt.Type, "detail", fmt.Sprint(evt.Data))
	case socketmode.EventTypeInvalidAuth:
		b.log.Error("socket mode: the app token was refused")
	case socketmode.EventTypeEventsAPI:
		if evt.Request == nil {
			return
		}
		select {
		case d.events <- evt:
		default:
			// Unacknowledged, the envelope comes again once the worker has
			// caught up.
			if ok, suppressed := d.dropped.note(time.Now()); ok {
				b.log.Warn("socket mode: events queue full; leaving the event for Slack to retry", "suppressed", suppressed)
			}
		}
	case socketmode.EventTypeSlashCommand, socketmode.EventTypeInteractive:
		if evt.Request == nil {
			return
		}
		start := time.Now()
		select {
		case d.handlers <- struct{}{}:
		default:
			b.ackSocket(ctx, d.client, evt.Request, b.busySocket(evt))
			return
		}
		// Tracked with the background work, so Shutdown waits for it.
		b.pending.Add(1)
		d.running.Add(1)
		d.handling.Add(1)
		go func() {
			defer b.pending.Done()
			defer d.running.Done()
			defer d.handling.Add(-1)
			defer func() { <-d.handlers }()
			b.socketRequest(ctx, d.client, evt, start)
		}()
	}
}

// eventWorker handles Events API envelopes in order until stop is closed,
// finishing the one in hand; what is still queued then was never
// acknowledged, and Slack delivers it again.
func (b *Bot) eventWorker(ctx context.Context, stop <-chan struct{}, client *socketmode.Client, events <-chan socketmode.Event, handling *atomic.Int32) {
	for {
		select {
		case <-stop:
			return
		case evt := <-events:
			select {
			case <-stop:
				return
			default:
			}
			handling.Add(1)
			b.socketEvent(ctx, client, evt)
			handling.Add(-1)
		}
	}
}

// socketEvent handles one Events API envelope. A panic is recovered before
// the ack, so one bad event neither stops the worker nor comes back as a
// retry.
func (b *Bot) socketEvent(ctx context.Context, client *socketmode.Client, evt socketmode.Event) {
	ev, ok := evt.Data.(slackevents.EventsAPIEvent)
	if !ok {
		return
	}
	start := time.Now()
	var err error
	b.safely("event", func() { err = b.Event(ctx, ev) })
	if err != nil {
		// Unacknowledged, the envelope comes again: nothing was recorded.
		b.log.Error("event not recorded; leaving it for Slack to retry", "err", err)
		return
	}
	b.ackSocket(ctx, client, evt.Request, nil)
	b.metrics.Ack("event", time.Since(start))
}

// socketRequest handles a slash command or an interaction and acknowledges
// it exactly once, panic or not. Slack never delivers these again, so a
// busy bot says so rather than staying silent.
func (b *Bot) socketRequest(ctx context.Context, client *socketmode.Client, evt socketmode.Event, start time.Time) {
	release, ok := b.admit(ctx, start.Add(slotWait))
	if !ok {
		if evt.Type == socketmode.EventTypeSlashCommand {
			b.metrics.Busy("command")
		} else {
			b.metrics.Busy("interaction")
		}
		b.ackSocket(ctx, client, evt.Request, b.busySocket(evt))
		return
	}
	defer release()
	hctx, cancel := context.WithDeadline(ctx, start.Add(b.ackWindow()))
	defer cancel()
	switch evt.Type {
	case socketmode.EventTypeSlashCommand:
		cmd, _ := evt.Data.(slack.SlashCommand)
		var a *ack
		b.safely("command", func() { a = b.Command(hctx, cmd) })
		send, full := fitAck(a)
		b.ackSocket(ctx, client, evt.Request, send)
		if full != nil {
			b.later(ctx, "full reply", func(ctx context.Context) { b.respondAck(ctx, cmd.ResponseURL, full) })
		}
		b.metrics.Ack("command", time.Since(start))
	case socketmode.EventTypeInteractive:
		cb, _ := evt.Data.(slack.InteractionCallback)
		var reply any
		b.safely("interaction", func() { reply = b.Interaction(hctx, cb) })
		b.ackSocket(ctx, client, evt.Request, reply)
		b.metrics.Ack("interaction", time.Since(start))
	}
}

// busySocket is the acknowledgement of a command or interaction that found
// no room.
func (b *Bot) busySocket(evt socketmode.Event) any {
	if cb, ok := evt.Data.(slack.InteractionCallback); ok {
		return b.busyInteraction(cb)
	}
	return textAck(busyText)
}

// fitAck returns what to acknowledge a slash command with and, when its
// reply is too large for an acknowledgement, the full reply to send through
// the command's response_url afterwards: the ack then carries the start of
// the text and says the rest follows.
func fitAck(a *ack) (send any, full *ack) {
	if a == nil {
		return nil, nil
	}
	if raw, err := json.Marshal(a); err == nil && len(raw) <= maxAckBytes {
		return a, nil
	}
	short := &ack{
		ResponseType: a.ResponseType,
		Text:         split(a.Text, shortAckRunes)[0] + "\n…\n_The full reply follows in a moment._",
	}
	return short, a
}

// respondAck posts a command's full reply through its response_url.
func (b *Bot) respondAck(ctx context.Context, url string, a *ack) {
	if url == "" {
		b.log.Warn("a reply too large to acknowledge has no response_url to go to")
		return
	}
	off := false
	msg := &slack.WebhookMessage{ResponseType: a.ResponseType, Text: a.Text, UnfurlLinks: &off, UnfurlMedia: &off}
	if len(a.Blocks) > 0 {
		msg.Blocks = &slack.Blocks{BlockSet: a.Blocks}
	}
	if err := slack.PostWebhookContext(ctx, url, msg); err != nil {
		b.log.Warn("full reply via response_url", "err", err)
	}
}

// ackSocket acknowledges an envelope, with payload unless it is nil. A
// payload Slack would drop is left out, so the request is at least
// acknowledged.
func (b *Bot) ackSocket(ctx context.Context, client *socketmode.Client, req *socketmode.Request, payload any) {
	if payload != nil {
		if raw, err := json.Marshal(payload); err != nil || len(raw) > maxAckBytes {
			b.log.Error("socket mode ack payload too large for Slack; acknowledging without it", "bytes", len(raw), "err", err)
			payload = nil
		}
	}
	ctx, cancel := context.WithTimeout(ctx, ackSendTimeout)
	defer cancel()
	if err := client.AckCtx(ctx, req.EnvelopeID, payload); err != nil {
		b.log.Warn("socket mode ack", "err", err)
	}
}

// safely runs fn, logging a panic instead of letting it escape.
func (b *Bot) safely(what string, fn func()) {
	defer b.recover(what)
	fn()
}
