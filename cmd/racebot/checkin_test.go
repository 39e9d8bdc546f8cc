package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/racebot/racebot/bot"
	"github.com/racebot/racebot/coach"
	"github.com/racebot/racebot/flows"
	"github.com/racebot/racebot/install"
	"github.com/racebot/racebot/internal/slackfake"
	"github.com/racebot/racebot/internal/testdb"
	"github.com/racebot/racebot/scheduler"
	"github.com/slack-go/slack"
)

// TestCheckinRunnerSaysWhenNotPosted opens check-ins through the real bot
// and Slack client against the fake, and checks which failures the
// scheduler is told are safe to retry.
func TestCheckinRunnerSaysWhenNotPosted(t *testing.T) {
	// A port nothing listens on: connections to it are refused.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	refused := "http://" + ln.Addr().String() + "/api/"
	ln.Close()

	tests := []struct {
		name          string
		fault         func(*slackfake.Fake)
		apiURL        string // the fake's if empty
		wantErr       bool
		wantNotPosted bool
		wantPosts     int // check-ins in the channel when there is an error
	}{
		{name: "posted"},
		{name: "rate limited", fault: func(f *slackfake.Fake) { f.RateLimitNext("chat.postMessage", 100, 0) }, wantErr: true, wantNotPosted: true},
		{name: "connection refused", apiURL: refused, wantErr: true, wantNotPosted: true},
		// Each 500 was looked for in the channel and was not there.
		{name: "server error", fault: func(f *slackfake.Fake) { f.FailNext("chat.postMessage", 100, http.StatusInternalServerError) }, wantErr: true, wantNotPosted: true},
		// The post went out; it is found, not posted again.
		{name: "server error after posting", fault: func(f *slackfake.Fake) { f.FailAfterNext("chat.postMessage", 1, http.StatusInternalServerError) }},
		// It may have gone out and the channel cannot be read: the next
		// try looks first, so the scheduler may try again.
		{name: "server error after posting, channel unreadable", fault: func(f *slackfake.Fake) {
			f.FailAfterNext("chat.postMessage", 1, http.StatusInternalServerError)
			f.FailNext("conversations.history", 100, http.StatusInternalServerError)
		}, wantErr: true, wantNotPosted: true, wantPosts: 1},
		// Slack refused: final.
		{name: "not in channel", fault: func(f *slackfake.Fake) { f.AddChannel(slackfake.Channel{ID: "C1", NotMember: true}) }, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			fake := slackfake.New(t)
			if tt.fault != nil {
				tt.fault(fake)
			}
			url := tt.apiURL
			if url == "" {
				url = fake.APIURL()
			}
			db := testdb.Open(t)
			now := time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)
			plan, err := db.CreatePlan(ctx, flows.NewPlan("T1", "C1", "Q1", "U1", now), "")
			if err != nil {
				t.Fatal(err)
			}
			noWait := bot.WithRetryWait(func(context.Context, time.Duration) bool { return true })
			b := bot.New(bot.Config{API: bot.NewAPI("xoxb-test", "", url, noWait), Service: coach.New(coach.Config{Catalogue: flows.RACE(), Store: db}),
				Now: func() time.Time { return now }, PostInterval: time.Millisecond})
			runner := &checkinRunner{bot: b}

			_, err = runner.RunCheckin(ctx, scheduler.Job{Team: "T1", Plan: plan, Due: now, Key: "2026-01-05T09:00:00Z", Attempt: 1})
			if (err != nil) != tt.wantErr || errors.Is(err, scheduler.ErrNotPosted) != tt.wantNotPosted {
				t.Fatalf("err = %v, want error %v, not posted %v", err, tt.wantErr, tt.wantNotPosted)
			}
			posted := 0
			for _, m := range fake.Messages("C1") {
				if strings.Contains(m.Text, "check-in") {
					posted++
				}
			}
			if want := map[bool]int{true: tt.wantPosts, false: 1}[tt.wantErr]; posted != want {
				t.Errorf("%d check-ins in the channel, want %d", posted, want)
			}
		})
	}
}

// TestCheckinRunnerSaysWhenTheWorkspaceLeft: an error that comes of the
// workspace having removed racebot reaches the scheduler as ErrNotServed,
// which it records without trying again; the others keep their meaning.
func TestCheckinRunnerSaysWhenTheWorkspaceLeft(t *testing.T) {
	ctx := context.Background()
	db := testdb.Open(t)
	r := &checkinRunner{bot: bot.New(bot.Config{
		API:     bot.NewAPI("xoxb-test", "", slackfake.New(t).APIURL()),
		Service: coach.New(coach.Config{Catalogue: flows.RACE(), Store: db}),
	})}
	for _, tt := range []struct {
		err                  error
		notServed, notPosted bool
	}{
		{err: fmt.Errorf("post check-in: %w", install.ErrNotInstalled), notServed: true},
		{err: fmt.Errorf("post check-in: %w: connection refused", bot.ErrNotPosted), notPosted: true},
		{err: fmt.Errorf("post check-in: %w", slack.SlackErrorResponse{Err: "invalid_auth"})}, // served by SLACK_BOT_TOKEN: a real failure
	} {
		got := r.outcome(ctx, "T1", tt.err)
		if errors.Is(got, scheduler.ErrNotServed) != tt.notServed || errors.Is(got, scheduler.ErrNotPosted) != tt.notPosted {
			t.Errorf("outcome(%v) = %v; want not served %t, not posted %t", tt.err, got, tt.notServed, tt.notPosted)
		}
	}
	if got := r.outcome(ctx, "T1", nil); got != nil {
		t.Errorf("outcome(nil) = %v", got)
	}
}
