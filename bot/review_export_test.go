package bot

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/racebot/racebot/flows"
	"github.com/racebot/racebot/internal/openaifake"
	"github.com/racebot/racebot/internal/slackfake"
)

// waitReviewKept waits until a plan's latest review is stored: the bot
// keeps it after posting it, off the acknowledgement's path.
func (h *harness) waitReviewKept(p *flows.Plan, has string) {
	h.t.Helper()
	h.fake.WaitFor(h.t, func() bool {
		r, ok, err := h.db.LatestReview(context.Background(), p.Team, p.ID)
		return err == nil && ok && strings.Contains(r.Text, has)
	}, "the review kept for "+p.Name)
}

// TestExportCarriesTheLatestReview: /race review, then /race export: the
// file has a "Latest review" section with the model's review, who asked
// for it and that AI wrote it. A plan never reviewed exports without one,
// and a built-in review asked for later in the thread replaces the
// model's.
func TestExportCarriesTheLatestReview(t *testing.T) {
	t.Parallel()
	llm := openaifake.New(t, "Gaps: everything after the first question. Quick wins: reviews & referrals.")
	clk := &movingClock{}
	h := newHarness(t, withModel(t, llm), func(c *setup) { c.Now = clk.Now })
	h.fake.AddUser(slackfake.User{ID: "UANA", Name: "ana", RealName: "Ana Lopez", DisplayName: "Ana"})
	h.fake.AddUser(slackfake.User{ID: "UBEN", Name: "ben", RealName: "Ben Okafor", DisplayName: "Ben"})
	h.runSocket()
	header, q1 := h.newPlanInSlack("Q1")

	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.SlashCommand{Command: "/race", Text: "review", UserID: "UBEN", ChannelID: "C1"}))
	h.fake.WaitFor(t, func() bool {
		for _, m := range h.fake.Replies("C1", header.TS) {
			if strings.Contains(m.Text, "Quick wins: reviews") {
				return true
			}
		}
		return false
	}, "the model's review in the thread")
	h.waitReviewKept(q1, "Quick wins")

	md := h.exportText(1)
	for _, want := range []string{
		"\n## Latest review\n\n_Written by AI on ",
		" for Ben._\n\n> Gaps: everything after the first question. Quick wins: reviews & referrals.\n",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("the export lacks %q:\n%s", want, md)
		}
	}
	if strings.Count(md, "## Latest review") != 1 {
		t.Errorf("the export has %d review sections:\n%s", strings.Count(md, "## Latest review"), md)
	}

	// Q2 becomes the channel's current plan; Q1's review is not its.
	h.newPlanInSlack("Q2")
	md = h.exportText(2)
	if !strings.HasPrefix(md, "# Q2\n") {
		t.Fatalf("the second export is not of Q2:\n%s", md)
	}
	for _, bad := range []string{"Latest review", "Quick wins"} {
		if strings.Contains(md, bad) {
			t.Errorf("the export of Q2 shows %q:\n%s", bad, md)
		}
	}

	// The built-in review (privacy keeps the model out) asked for in Q1's
	// thread is now Q1's latest.
	h.say(header.TS, "privacy on", "")
	h.fake.WaitFor(t, func() bool { return h.plan(slackfake.TeamID, "C1", "Q1").Privacy }, "privacy on")
	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.MessageEvent{Channel: "C1", User: "UANA", Text: "review", ThreadTS: header.TS}))
	h.threadMessage("C1", header.TS, "built-in checks")
	h.waitReviewKept(q1, "built-in checks")
	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.SlashCommand{Command: "/race", Text: "continue Q1", UserID: "UANA", ChannelID: "C1"}))
	h.settle()
	clk.Add(time.Minute) // an export of Q1 just shared is not shared again
	md = h.exportText(3)
	for _, want := range []string{"\n## Latest review\n\n_Made on ", " for Ana._\n\n> Review of Q1 (built-in checks)"} {
		if !strings.Contains(md, want) {
			t.Errorf("the export lacks %q:\n%s", want, md)
		}
	}
	if strings.Contains(md, "Gaps: everything after") {
		t.Errorf("the export keeps the older review:\n%s", md)
	}
}

// TestReviewAskedInAMentionOrADMIsKept: a review asked for with
// "@racebot review" in the channel, or "review" in a direct message, is
// the plan's latest review in its export, as one asked for with
// /race review is.
func TestReviewAskedInAMentionOrADMIsKept(t *testing.T) {
	t.Parallel()
	for _, where := range []string{"mention", "direct message"} {
		t.Run(where, func(t *testing.T) {
			llm := openaifake.New(t, "Gaps: the Engage stage. Quick wins: a referral offer.")
			h := newHarness(t, withModel(t, llm))
			h.runSocket()
			_, p := h.newPlanInSlack("Q1")
			p = h.setKPIs(p, flows.StageReach, "visitors | baseline 8k | target 20k | by 2027-03-31 | owner <@UANA>")
			channel := "C1"
			if where == "mention" {
				h.fake.WaitAck(t, h.fake.SendEvent(slackfake.AppMention{Channel: "C1", User: "UANA", Text: "<@" + slackfake.BotUserID + "> review", TS: "1900000000.000300"}))
			} else {
				channel = h.fake.DMChannel("UANA")
				h.fake.WaitAck(t, h.fake.SendEvent(slackfake.MessageEvent{Channel: channel, User: "UANA", Text: "review"}))
			}
			h.fake.WaitMessage(t, channel, func(m slackfake.Message) bool { return strings.Contains(m.Text, "Quick wins: a referral offer") }, "the review where Ana asked")
			h.waitReviewKept(p, "Quick wins: a referral offer")
			md := h.exportText(1)
			if !strings.Contains(md, "## Latest review") || !strings.Contains(md, " for uana._") {
				t.Errorf("the export lacks Ana's review:\n%s", md)
			}
		})
	}
}

// TestReviewAskedInAMentionOrADMThatCannotBePostedIsExplained: Ana asks
// for a review with "@racebot review", or "review" in a direct message,
// and Slack will not take the post. She is told, where she asked and to
// her alone, that the review could not be posted, as /race review tells
// its asker.
func TestReviewAskedInAMentionOrADMThatCannotBePostedIsExplained(t *testing.T) {
	t.Parallel()
	for _, where := range []string{"mention", "direct message"} {
		t.Run(where, func(t *testing.T) {
			llm := openaifake.New(t, "Gaps: the Engage stage. Quick wins: a referral offer.")
			h := newHarness(t, withModel(t, llm), instantRetries)
			h.runSocket()
			h.newPlanInSlack("Q1")
			channel := "C1"
			h.fake.FailNext("chat.postMessage", 1000, http.StatusInternalServerError)
			if where == "mention" {
				// The mention is there to look in: the review is not in its
				// thread, so it was not posted, not maybe posted.
				h.fake.AddMessage(slackfake.Message{Channel: "C1", User: "UANA", Text: "<@" + slackfake.BotUserID + "> review", TS: "1900000000.000300"})
				h.fake.WaitAck(t, h.fake.SendEvent(slackfake.AppMention{Channel: "C1", User: "UANA", Text: "<@" + slackfake.BotUserID + "> review", TS: "1900000000.000300"}))
			} else {
				channel = h.fake.DMChannel("UANA")
				h.fake.WaitAck(t, h.fake.SendEvent(slackfake.MessageEvent{Channel: channel, User: "UANA", Text: "review"}))
			}
			told := h.waitEphemeral("UANA", "the review could not be posted")
			if told.Channel != channel {
				t.Errorf("Ana was told in %s, want %s where she asked", told.Channel, channel)
			}
		})
	}
}
