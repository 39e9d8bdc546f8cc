package bot

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/racebot/racebot/flows"
	"github.com/racebot/racebot/internal/slackfake"
)

// TestReminderNotSentForSlacksFailureComesLater: Ben is due his
// reminder about an action, and Slack certainly does not take it: the
// direct message cannot be opened (500s), or the post is rate-limited
// past the client's retries. Nothing reached him, so the reminder is not
// spent: the next look sends it, once.
func TestReminderNotSentForSlacksFailureComesLater(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name  string
		fault func(*slackfake.Fake)
	}{
		{"direct message not opened", func(f *slackfake.Fake) { f.FailNext("conversations.open", 5, http.StatusInternalServerError) }},
		{"post rate-limited", func(f *slackfake.Fake) { f.RateLimitNext("chat.postMessage", 5, time.Second) }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h, clk := bersActionDue(t, func(c *setup) {
				c.RetryWait = func(ctx context.Context, _ time.Duration) bool { return ctx.Err() == nil }
			})
			tt.fault(h.fake)
			h.bot.remindTick(context.Background())
			if n := len(h.dms("UBER")); n != 0 {
				t.Fatalf("%d reminders while Slack failed, want 0", n)
			}
			h.remindedOnceLater(clk)
		})
	}
}

// TestSnoozeOfAnotherOnesActionSaysWhy: Zoe presses Snooze on Ben's
// reminder about his action (shared with her, or a Home tab from when it
// was hers). She is told in one sentence that only its owner can snooze
// it, not that only its owner "can mark it done", which is not what she
// asked; and Ben's reminders stay as they were.
func TestSnoozeOfAnotherOnesActionSaysWhy(t *testing.T) {
	t.Parallel()
	h, _, p, reminder := remindedOfAnAction(t)
	url := h.fake.ResponseURL()
	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.BlockAction{ActionID: actionActionSnooze, Value: actionValue(p.ID, p.Actions[0].ID), UserID: "UZOE", ChannelID: h.fake.DMChannel("UBER"), MessageTS: reminder.TS, ResponseURL: url}))
	h.fake.WaitFor(t, func() bool { return len(h.fake.Responses(url)) >= 1 }, "an answer to the snooze")
	got := h.fake.Responses(url)[0].Text
	if !strings.Contains(got, "snooze") || strings.Contains(got, "mark it done") {
		t.Errorf("Snooze of another's action answered %q; want that only its owner can snooze it", got)
	}
	if ss, err := h.db.Snoozes(context.Background(), slackfake.TeamID, p.ID); err != nil || len(ss) != 0 {
		t.Errorf("snoozes = %v, %v; want none", ss, err)
	}
}

// TestReminderNotSentWhenSlackOutlastsTheClaimComesLater: Slack does not
// answer the opening of Ben's direct message before the claim's time is
// up. Nothing reached him; giving the claim up must not need the time that
// ran out, or the reminder stays claimed and is never sent.
func TestReminderNotSentWhenSlackOutlastsTheClaimComesLater(t *testing.T) {
	t.Parallel()
	h, clk := bersActionDue(t, func(c *setup) {
		c.BeforeStart = func(b *Bot) { b.claimTimeout = time.Second }
	})
	release := h.fake.Hold("conversations.open")
	t.Cleanup(release)
	h.bot.remindTick(context.Background())
	release()
	if n := len(h.dms("UBER")); n != 0 {
		t.Fatalf("%d reminders while Slack did not answer, want 0", n)
	}
	h.remindedOnceLater(clk)
}

// bersActionDue is a harness at 08:00 UTC on 1 December, whose plan has
// Ber's action "Send sample bags" due the next day: his reminder is due.
func bersActionDue(t *testing.T, opts ...func(*setup)) (*harness, *clock) {
	t.Helper()
	h, clk := clockedHarness(t, time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC), opts...)
	h.fake.AddUser(slackfake.User{ID: "UBER", TZ: "Europe/Berlin"})
	_, p := h.newPlanInSlack("Q1")
	h.commitActions(p, flows.Action{Stage: flows.StageReach, Text: "Send sample bags", Owner: "<@UBER>", Due: time.Date(2026, 12, 2, 0, 0, 0, 0, time.UTC), Impact: 4, Effort: 1, By: "UANA", At: clk.Now()})
	h.settle()
	return h, clk
}

// remindedOnceLater runs the reminders' ticks a minute on, twice, and
// checks that Ber got exactly one reminder.
func (h *harness) remindedOnceLater(clk *clock) {
	h.t.Helper()
	clk.Add(time.Minute)
	h.bot.remindTick(context.Background())
	h.bot.remindTick(context.Background())
	if n := len(h.dms("UBER")); n != 1 {
		h.t.Errorf("%d reminders once Slack answered again, want 1", n)
	}
}

// TestReminderWhoseAnswersWereLostIsLookedForBeforeItIsSentAgain: Slack
// loses its answer to each of three posts of Ber's reminder, and the
// direct message shows none of them when racebot looks, so the reminder
// is given up for a later tick. One of the posts went through all the
// same and shows in the conversation a moment later. The later tick finds
// it rather than sending the reminder again: Ber has it once.
func TestReminderWhoseAnswersWereLostIsLookedForBeforeItIsSentAgain(t *testing.T) {
	t.Parallel()
	h, clk := bersActionDue(t)
	before := len(h.fake.Calls("chat.postMessage"))
	h.fake.FailNext("chat.postMessage", maxPostTries, http.StatusInternalServerError)
	h.bot.remindTick(context.Background())
	posts := h.fake.Calls("chat.postMessage")[before:]
	if len(posts) != maxPostTries || len(h.dms("UBER")) != 0 {
		t.Fatalf("%d posts and %d reminders while Slack lost its answers, want %d and 0", len(posts), len(h.dms("UBER")), maxPostTries)
	}
	last := posts[len(posts)-1]
	metadata, err := json.Marshal(last.JSON["metadata"])
	if err != nil {
		t.Fatal(err)
	}
	h.fake.AddMessage(slackfake.Message{Channel: h.fake.DMChannel("UBER"), User: slackfake.BotUserID, Text: last.Get("text"), Metadata: metadata})
	h.remindedOnceLater(clk)
}

// TestReminderWhoseAnswerWasLostBeforeARateLimitIsLookedForBeforeItIsSentAgain:
// Slack loses its answer to the first post of Ber's reminder, and the
// direct message does not show it yet when racebot looks; the second post
// is rate-limited past the client's retries, so nothing more went out.
// The first post may have all the same, and shows a moment later. The
// later tick finds it rather than sending the reminder again: the certain
// failure of the last try says nothing of the first.
func TestReminderWhoseAnswerWasLostBeforeARateLimitIsLookedForBeforeItIsSentAgain(t *testing.T) {
	t.Parallel()
	h, clk := bersActionDue(t, func(c *setup) {
		c.RetryWait = func(ctx context.Context, _ time.Duration) bool { return ctx.Err() == nil }
	})
	before := len(h.fake.Calls("chat.postMessage"))
	h.fake.FailNext("chat.postMessage", 1, http.StatusInternalServerError)
	release := h.fake.Hold("conversations.history")
	t.Cleanup(release)
	done := make(chan struct{})
	go func() {
		defer close(done)
		h.bot.remindTick(context.Background())
	}()
	// The first post's answer is lost and racebot looks for it: from now
	// on Slack turns the posts away.
	h.fake.WaitFor(t, func() bool { return h.fake.InFlight("conversations.history") == 1 }, "a look for the lost post")
	h.fake.RateLimitNext("chat.postMessage", 5, time.Second)
	release()
	<-done
	posts := h.fake.Calls("chat.postMessage")[before:]
	if len(h.dms("UBER")) != 0 || posts[0].Status != http.StatusInternalServerError {
		t.Fatalf("%d reminders while Slack failed, and the first post answered %d; want none and a 500", len(h.dms("UBER")), posts[0].Status)
	}
	metadata, err := json.Marshal(posts[0].JSON["metadata"])
	if err != nil {
		t.Fatal(err)
	}
	h.fake.AddMessage(slackfake.Message{Channel: h.fake.DMChannel("UBER"), User: slackfake.BotUserID, Text: posts[0].Get("text"), Metadata: metadata})
	h.remindedOnceLater(clk)
}

// TestReminderWhoseLookIsRefusedIsNotTakenUpEachTick: Slack loses its
// answer to each post of Ber's reminder and the direct message shows none
// of them, so the reminder is given up for a later tick, which is to look
// for it first. Slack refuses that look for good (the token lacks the
// scope): posting without it could remind Ber twice, and the refusal
// comes again on every tick, so the reminder is not taken up tick after
// tick to be refused (and logged) again.
func TestReminderWhoseLookIsRefusedIsNotTakenUpEachTick(t *testing.T) {
	t.Parallel()
	h, clk := bersActionDue(t)
	h.fake.FailNext("chat.postMessage", maxPostTries, http.StatusInternalServerError)
	h.bot.remindTick(context.Background())
	looks := len(h.fake.Calls("conversations.history"))
	h.fake.RefuseNext("conversations.history", 100, "missing_scope")
	clk.Add(time.Minute)
	h.bot.remindTick(context.Background())
	if n := len(h.fake.Calls("conversations.history")); n != looks+1 {
		t.Fatalf("%d looks in the direct message on the next tick, want 1", n-looks)
	}
	posts := len(h.fake.Calls("chat.postMessage"))
	clk.Add(time.Minute)
	h.bot.remindTick(context.Background())
	if n := len(h.fake.Calls("conversations.history")); n != looks+1 {
		t.Errorf("%d more looks in the direct message after Slack refused one for good, want 0", n-looks-1)
	}
	if n := len(h.fake.Calls("chat.postMessage")); n != posts {
		t.Errorf("%d more posts after Slack refused the look for good, want 0", n-posts)
	}
}

// TestReminderWhosePostCouldNotBeLookedForComesLater: Slack loses its
// answer to the post of Ber's reminder, and then fails each look in the
// direct message for it (5xx past the client's retries, internal_error):
// racebot cannot tell whether the reminder went out. Once Slack answers
// again a later tick looks for it and sends it if it is not there, or
// keeps the one that is: Ber has it once, not never.
func TestReminderWhosePostCouldNotBeLookedForComesLater(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name   string
		fault  func(*slackfake.Fake)
		landed bool
	}{
		{"5xx, not out", func(f *slackfake.Fake) { f.FailNext("conversations.history", 10, http.StatusInternalServerError) }, false},
		{"internal_error, not out", func(f *slackfake.Fake) { f.RefuseNext("conversations.history", 1, "internal_error") }, false},
		{"5xx, out after all", func(f *slackfake.Fake) { f.FailNext("conversations.history", 10, http.StatusInternalServerError) }, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			// The client's pauses between retries of the 5xx take no
			// time: they would eat into the claim's own bound.
			h, clk := bersActionDue(t, instantRetries)
			before := len(h.fake.Calls("chat.postMessage"))
			h.fake.FailNext("chat.postMessage", 1, http.StatusInternalServerError)
			tt.fault(h.fake)
			h.bot.remindTick(context.Background())
			posts := h.fake.Calls("chat.postMessage")[before:]
			if len(posts) != 1 || len(h.dms("UBER")) != 0 {
				t.Fatalf("%d posts and %d reminders while Slack failed, want 1 and 0", len(posts), len(h.dms("UBER")))
			}
			if tt.landed {
				metadata, err := json.Marshal(posts[0].JSON["metadata"])
				if err != nil {
					t.Fatal(err)
				}
				h.fake.AddMessage(slackfake.Message{Channel: h.fake.DMChannel("UBER"), User: slackfake.BotUserID, Text: posts[0].Get("text"), Metadata: metadata})
			}
			h.remindedOnceLater(clk)
		})
	}
}

// TestReminderWhoseLookFailsForAWhileIsSentLater: Slack loses its answer
// to each post of Ber's reminder and the direct message shows none of
// them, so the reminder is given up for a later tick, which is to look
// for it first. Slack then fails that look for a passing reason (5xx,
// internal_error, a rate limit past the client's retries). Nothing says
// the reminder went out, and the failure passes: a later look, once Slack
// answers, finds no earlier try and sends the reminder, once.
func TestReminderWhoseLookFailsForAWhileIsSentLater(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name  string
		fault func(*slackfake.Fake)
	}{
		{"5xx", func(f *slackfake.Fake) { f.FailNext("conversations.history", 10, http.StatusInternalServerError) }},
		{"internal_error", func(f *slackfake.Fake) { f.RefuseNext("conversations.history", 1, "internal_error") }},
		{"rate-limited", func(f *slackfake.Fake) { f.RateLimitNext("conversations.history", 5, time.Second) }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h, clk := bersActionDue(t, func(c *setup) {
				c.RetryWait = func(ctx context.Context, _ time.Duration) bool { return ctx.Err() == nil }
			})
			h.fake.FailNext("chat.postMessage", maxPostTries, http.StatusInternalServerError)
			h.bot.remindTick(context.Background())
			looks := len(h.fake.Calls("conversations.history"))
			tt.fault(h.fake)
			clk.Add(time.Minute)
			h.bot.remindTick(context.Background())
			if n := len(h.fake.Calls("conversations.history")); n == looks {
				t.Fatalf("no look in the direct message on the next tick")
			}
			if n := len(h.dms("UBER")); n != 0 {
				t.Fatalf("%d reminders while Slack failed the look, want 0", n)
			}
			for range 5 {
				clk.Add(10 * time.Minute)
				h.bot.remindTick(context.Background())
			}
			if n := len(h.dms("UBER")); n != 1 {
				t.Errorf("%d reminders once Slack answered the look again, want 1", n)
			}
		})
	}
}
