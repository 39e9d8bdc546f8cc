package coach

import (
	"context"
	"fmt"
	"time"

	"github.com/racebot/racebot/flows"
)

// CatchupStore remembers how far racebot has read each of its
// conversations back from the transport, so that after an outage it asks
// only for the replies that came after.
type CatchupStore interface {
	// CatchupThreads lists the conversations to read back: the threads of
	// plans active since a time (created, answered or asked in), of
	// check-ins opened since then or not closed yet, and of retros active
	// since then.
	CatchupThreads(ctx context.Context, since time.Time) ([]Thread, error)
	// ReadThrough records that a conversation was read up to message ts,
	// ordered by at; a read never moves back.
	ReadThrough(ctx context.Context, team, channel, thread string, at int64, ts string) error
	// KeySeen reports whether a delivery key has been recorded.
	KeySeen(ctx context.Context, team, key string) (bool, error)
}

// Thread is a conversation racebot keeps, with how far it has been read.
type Thread struct {
	Team    string
	Channel string
	// Thread is the transport's handle on the conversation (a Slack ts).
	Thread string
	// Plan is the plan the conversation belongs to; Checkin is set too
	// for a check-in's. A retro's thread has its plan's, and no Checkin.
	Plan    flows.PlanID
	Checkin int64
	// Read is the latest message read back so far, "" before the first
	// read.
	Read string
}

// CatchupWindow is how far back a catch-up reads a conversation: what was
// written before it is not read again. It stays well inside
// MessageKeysKept, so every message it reads that was recorded before is
// still known by its key.
const CatchupWindow = 7 * 24 * time.Hour

// MessageKeysKept is how long the keys of messages (MessageKey) are
// remembered: a catch-up may read a message days after it was delivered
// live, and must find that it was recorded.
const MessageKeysKept = CatchupWindow + 24*time.Hour

// MessageKey is the delivery key of a person's message in a conversation:
// the message itself, not the delivery that carried it. A retried
// delivery, a catch-up that reads the message back and a live delivery
// that races that catch-up all carry the same key, so the message is
// recorded once. The "msg:" prefix is what the store keeps for
// MessageKeysKept instead of KeysKept.
func MessageKey(channel, ts string) string { return "msg:" + channel + ":" + ts }

// CatchupThreads lists the conversations a catch-up at now reads back.
func (s *Service) CatchupThreads(ctx context.Context, now time.Time) ([]Thread, error) {
	threads, err := s.store.CatchupThreads(ctx, now.Add(-CatchupWindow))
	if err != nil {
		return nil, fmt.Errorf("threads to catch up: %w", err)
	}
	return threads, nil
}

// ReadThrough records that a conversation has been read back up to message
// ts; a ts that does not parse records nothing.
func (s *Service) ReadThrough(ctx context.Context, t Thread, ts string) error {
	at, ok := messageOrder(ts)
	if !ok {
		return nil
	}
	if err := s.store.ReadThrough(ctx, t.Team, t.Channel, t.Thread, at, ts); err != nil {
		return fmt.Errorf("record read: %w", err)
	}
	return nil
}

// Handled reports whether a request with this delivery key was recorded,
// so that a message read back need not be run again.
func (s *Service) Handled(ctx context.Context, team, key string) (bool, error) {
	seen, err := s.store.KeySeen(ctx, team, key)
	if err != nil {
		return false, fmt.Errorf("look up key: %w", err)
	}
	return seen, nil
}

// Explained records the key of a message that was bad input, which
// changed nothing and was answered with an explanation, and reports
// whether this is the first time: a retry or a catch-up of the message
// then says nothing again.
func (s *Service) Explained(ctx context.Context, team, key string) (bool, error) {
	if key == "" {
		return true, nil
	}
	return s.Once(ctx, team, key)
}

// MessageAfter reports whether message ts a (a Slack ts) comes after b; a
// ts that does not parse comes before every other.
func MessageAfter(a, b string) bool {
	x, okA := messageOrder(a)
	y, okB := messageOrder(b)
	switch {
	case !okA:
		return false
	case !okB:
		return true
	}
	return x > y
}
