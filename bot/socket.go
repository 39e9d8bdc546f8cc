package bot

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
	"github.com/slack-go/slack/socketmode"
)

// RunSocket serves Slack over Socket Mode until ctx ends. slack-go's client
// reconnects by itself (on refresh_requested disconnects and dropped
// sockets); this loop only dispatches.
func (b *Bot) RunSocket(ctx context.Context, client *socketmode.Client) error {
	errc := make(chan error, 1)
	go func() { errc <- client.RunContext(ctx) }()
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
			b.socketEvent(ctx, client, evt)
		}
	}
}

// socketEvent handles one envelope. The quick part runs inline, so events
// are handled in the order Slack sent them. A panic is recovered before the
// ack, so one bad event neither ends the loop nor comes back as a retry.
func (b *Bot) socketEvent(ctx context.Context, client *socketmode.Client, evt socketmode.Event) {
	defer b.recover("socket event " + string(evt.Type))
	switch evt.Type {
	case socketmode.EventTypeConnected:
		b.connected.Store(true)
		b.log.Info("socket mode connected")
	case socketmode.EventTypeConnecting, socketmode.EventTypeDisconnect:
		b.connected.Store(false)
	case socketmode.EventTypeConnectionError, socketmode.EventTypeIncomingError:
		b.log.Warn("socket mode connection problem; reconnecting", "type", evt.Type, "detail", fmt.Sprint(evt.Data))
	case socketmode.EventTypeInvalidAuth:
		b.log.Error("socket mode: the app token was refused")
	case socketmode.EventTypeEventsAPI:
		ev, ok := evt.Data.(slackevents.EventsAPIEvent)
		if !ok || evt.Request == nil {
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
		b.ackSocket(client, evt.Request, nil)
		b.metrics.Ack("event", time.Since(start))
	case socketmode.EventTypeSlashCommand:
		cmd, ok := evt.Data.(slack.SlashCommand)
		if !ok || evt.Request == nil {
			return
		}
		start := time.Now()
		var a *ack
		b.safely("command", func() { a = b.Command(ctx, cmd) })
		if a == nil {
			b.ackSocket(client, evt.Request, nil)
		} else {
			b.ackSocket(client, evt.Request, a)
		}
		b.metrics.Ack("command", time.Since(start))
	case socketmode.EventTypeInteractive:
		cb, ok := evt.Data.(slack.InteractionCallback)
		if !ok || evt.Request == nil {
			return
		}
		start := time.Now()
		var reply any
		b.safely("interaction", func() { reply = b.Interaction(ctx, cb) })
		b.ackSocket(client, evt.Request, reply)
		b.metrics.Ack("interaction", time.Since(start))
	}
}

func (b *Bot) ackSocket(client *socketmode.Client, req *socketmode.Request, payload any) {
	var err error
	if payload == nil {
		err = client.Ack(*req)
	} else {
		err = client.Ack(*req, payload)
	}
	if err != nil {
		b.log.Warn("socket mode ack", "err", err)
	}
}

// safely runs fn, logging a panic instead of letting it escape.
func (b *Bot) safely(what string, fn func()) {
	defer b.recover(what)
	fn()
}
