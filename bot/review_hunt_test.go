package bot

import (
	"context"
	"testing"
	"time"

	"github.com/racebot/racebot/internal/openaifake"
	"github.com/racebot/racebot/internal/slackfake"
)

// TestReviewsFinishingOutOfOrderKeepTheNewer: Ana asks for a review and
// the model takes its time; Ben answers the open question and asks for one
// of the plan as it is now, which comes back first. When Ana's review of
// the older plan finally comes, Ben's stays the plan's latest for its
// export: the thread's newest review is his, and it is of the plan with
// his answer.
func TestReviewsFinishingOutOfOrderKeepTheNewer(t *testing.T) {
	t.Parallel()
	llm := openaifake.New(t, "Gaps: the Engage stage. Quick wins: a referral offer.")
	clk := &movingClock{}
	h := newHarness(t, withModel(t, llm), func(c *setup) { c.Now = clk.Now })
	h.runSocket()
	header, p := h.newPlanInSlack("Q1")

	releaseAna := llm.Hold()
	t.Cleanup(releaseAna)
	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.SlashCommand{Command: "/race", Text: "review", UserID: "UANA", ChannelID: "C1"}))
	h.fake.WaitFor(t, func() bool { return len(llm.Requests()) == 1 }, "Ana's review at the model")

	clk.Add(time.Minute)
	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.MessageEvent{Channel: "C1", User: "UBEN", Text: "Handmade ceramics for cafés", ThreadTS: header.TS, TS: "1900000000.000500"}))
	h.threadMessage("C1", header.TS, "Saved")
	releaseBen := llm.Hold()
	t.Cleanup(releaseBen)
	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.SlashCommand{Command: "/race", Text: "review", UserID: "UBEN", ChannelID: "C1"}))
	h.fake.WaitFor(t, func() bool { return len(llm.Requests()) == 2 }, "Ben's review at the model")

	releaseBen()
	h.fake.WaitFor(t, func() bool {
		r, ok, err := h.db.LatestReview(context.Background(), p.Team, p.ID)
		return err == nil && ok && r.By == "UBEN"
	}, "Ben's review kept")
	clk.Add(time.Minute)
	releaseAna()
	h.settle()

	r, ok, err := h.db.LatestReview(context.Background(), p.Team, p.ID)
	if err != nil || !ok {
		t.Fatalf("latest review: %v, %v", ok, err)
	}
	if r.By != "UBEN" {
		t.Errorf("the plan's latest review is the one %s asked for before Ben's answer; want Ben's, asked for after it", r.By)
	}
}

// TestReviewCutShortIsNotKeptAsTheModels: the model's stream stops after
// its first word. The export does not keep the half review as the
// model's (the built-in review stands in).
func TestReviewCutShortIsNotKeptAsTheModels(t *testing.T) {
	t.Parallel()
	llm := openaifake.New(t, "Gaps: the Engage stage. Quick wins: a referral offer.")
	llm.CutShort()
	h := newHarness(t, withModel(t, llm))
	h.runSocket()
	_, p := h.newPlanInSlack("Q1")
	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.SlashCommand{Command: "/race", Text: "review", UserID: "UANA", ChannelID: "C1"}))
	h.settle()
	r, ok, err := h.db.LatestReview(context.Background(), p.Team, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	if ok && r.FromModel {
		t.Errorf("a cut-short review kept as the model's: %q", r.Text)
	}
}
