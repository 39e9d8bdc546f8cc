package bot

import (
	"context"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/racebot/racebot/coach"
	"github.com/racebot/racebot/flows"
	"github.com/racebot/racebot/internal/slackfake"
)

// TestAWithdrawnValueSaysWhoseStandsAgain: Ana replies "visitors 12k" in
// the check-in's thread, Ben a minute later "visitors 13k", and the
// thread is told his replaced hers. Then Ben deletes his reply, or edits
// it to give no visitors value: Ana's 12k is the check-in's value again,
// and the thread, where she heard hers was replaced, is told so, naming
// her; the summary shows 12k.
func TestAWithdrawnValueSaysWhoseStandsAgain(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name     string
		withdraw func(h *harness, thread, ben string)
	}{
		{"deleted", func(h *harness, thread, ben string) {
			h.fake.WaitAck(h.t, h.fake.SendEvent(slackfake.MessageDeleted{Channel: "C1", User: "UBEN", TS: ben, ThreadTS: thread, PreviousText: "visitors 13k", EventID: "EvDEL"}))
		}},
		{"edited out", func(h *harness, thread, ben string) {
			h.edit(h.t, slackfake.MessageChanged{User: "UBEN", TS: ben, ThreadTS: thread, Text: "lead-rate 2%", PreviousText: "visitors 13k",
				EditTS: tsAfter(h.t, ben, time.Minute)})
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h, p, clk := checkinSetup(t)
			opening, summary, ben := h.benReplacedAna(p, clk)
			h.waitSummary(summary.TS, "13k from <@UBEN>")
			tc.withdraw(h, opening.TS, ben)
			h.settle()
			h.threadMessage("C1", opening.TS, "<@UANA>'s Unique visitors 12k is the check-in's value again, as the value that replaced it was withdrawn.")
			h.waitSummary(summary.TS, "Unique visitors*: 12k")
		})
	}
}

// checkinAnHourOn opens a check-in of p an hour on: values are dated by
// their messages, as Slack's clock runs behind racebot's. It returns its
// opening, its summary and a ts just after the summary, for the first
// reply.
func (h *harness) checkinAnHourOn(p *flows.Plan, clk *clock) (opening, summary slackfake.Message, first string) {
	h.t.Helper()
	clk.Add(time.Since(clk.Now()) + time.Hour)
	_, opening, summary = h.openCheckinAsStored(p)
	return opening, summary, tsAfter(h.t, summary.TS, time.Millisecond)
}

// anaGave12k opens a check-in of p an hour on, where Ana replies
// "visitors 12k"; it returns its opening, its summary and a ts a minute
// after her reply, for Ben's.
func (h *harness) anaGave12k(p *flows.Plan, clk *clock) (opening, summary slackfake.Message, ben string) {
	h.t.Helper()
	opening, summary, ana := h.checkinAnHourOn(p, clk)
	ben = tsAfter(h.t, ana, time.Minute)
	h.replyConfirmed(opening.TS, "UANA", "visitors 12k", ana, "Recorded: Unique visitors 12k")
	return opening, summary, ben
}

// benReplacedAna is anaGave12k, then Ben's "visitors 13k" at ben in the
// check-in's thread, told whose value it replaced.
func (h *harness) benReplacedAna(p *flows.Plan, clk *clock) (opening, summary slackfake.Message, ben string) {
	h.t.Helper()
	opening, summary, ben = h.anaGave12k(p, clk)
	h.replyConfirmed(opening.TS, "UBEN", "visitors 13k", ben, "Replaced <@UANA>'s Unique visitors 12k in this check-in.")
	return opening, summary, ben
}

// TestAnEditOfAValueThatReplacedAnothersTellsTheEditorOnly: Ben's 13k
// replaced Ana's 12k, and he edits it to 14k. His value still stands
// over hers, as the thread told her: he hears whose it replaced, the
// summary shows 14k from him, and the thread is told nothing new.
func TestAnEditOfAValueThatReplacedAnothersTellsTheEditorOnly(t *testing.T) {
	t.Parallel()
	h, p, clk := checkinSetup(t)
	opening, summary, ben := h.benReplacedAna(p, clk)
	h.settle()
	before := len(h.fake.Replies("C1", opening.TS))
	h.edit(t, slackfake.MessageChanged{User: "UBEN", TS: ben, ThreadTS: opening.TS, Text: "visitors 14k", PreviousText: "visitors 13k",
		EditTS: tsAfter(t, ben, time.Minute)})
	got := h.waitEphemeral("UBEN", "Updated: Unique visitors 14k")
	if want := "Replaced <@UANA>'s Unique visitors 12k in this check-in."; !strings.Contains(got.Text, want) {
		t.Errorf("Ben's edit answered %q, want it to say %q", got.Text, want)
	}
	h.waitSummary(summary.TS, "14k from <@UBEN>")
	h.settle()
	if after := h.fake.Replies("C1", opening.TS); len(after) != before {
		t.Errorf("the thread was told %+v after Ben's edit, want nothing new", after[before:])
	}
}

// TestValuesFromThePlansThreadDeletedSayWhoseStandsAgain: Ana replies
// "visitors 12k" in the check-in's thread, and Ben a minute later gives
// "values visitors 13k" in the plan's thread, which goes into the
// check-in over hers. He deletes his message, and Slack delivers the
// deletion twice: the check-in's thread is told once that Ana's 12k is
// its value again, the plan's thread once that the values were removed,
// and the summary shows 12k.
func TestValuesFromThePlansThreadDeletedSayWhoseStandsAgain(t *testing.T) {
	t.Parallel()
	h, p, clk := checkinSetup(t)
	opening, summary, ben := h.anaGave12k(p, clk)
	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.MessageEvent{Channel: "C1", User: "UBEN", Text: "values visitors 13k", TS: ben, ThreadTS: p.Thread}))
	h.waitSummary(summary.TS, "13k from <@UBEN>")
	h.settle()

	h.twice(slackfake.MessageDeleted{Channel: "C1", User: "UBEN", TS: ben, ThreadTS: p.Thread, PreviousText: "values visitors 13k", EventID: "EvDEL"})
	const standing = "<@UANA>'s Unique visitors 12k is the check-in's value again, as the value that replaced it was withdrawn."
	h.threadMessage("C1", opening.TS, standing)
	h.threadMessage("C1", p.Thread, "The values of a deleted message were removed.")
	h.waitSummary(summary.TS, "Unique visitors*: 12k")
	h.settle()
	if n := h.countReplies("C1", opening.TS, standing); n != 1 {
		t.Errorf("the check-in's thread was told %d times that Ana's value stands again, want once", n)
	}
	if n := h.countReplies("C1", p.Thread, "The values of a deleted message were removed."); n != 1 {
		t.Errorf("the plan's thread was told %d times that the values were removed, want once", n)
	}
	if n := h.countReplies("C1", p.Thread, "value again"); n != 0 {
		t.Errorf("the plan's thread was told %d times whose value stands again, want it told in the check-in's thread only", n)
	}
}

// heldReplace holds, once armed, a replacement of a message's values
// that replaced some, after it is committed and before the coach goes on.
type heldReplace struct {
	coach.Store
	armedGate
}

func (s *heldReplace) ReplaceMeasurements(ctx context.Context, team string, plan flows.PlanID, source string, ms []flows.Measurement, key string) (coach.Replaced, error) {
	r, err := s.Store.ReplaceMeasurements(ctx, team, plan, source, ms, key)
	if err == nil && r.N > 0 && s.take() {
		s.gate.hold()
	}
	return r, err
}

// heldWhileBTakes sends atA to racebot A, which held holds just after it
// has taken back a value, has racebot B take atB meanwhile, and then lets
// A go on.
func (h *harness) heldWhileBTakes(held *heldReplace, atA slackfake.Payload, b *Bot, atB slackfake.Payload) {
	h.t.Helper()
	srv := serve(h.t, b)
	held.arm()
	sent := h.fake.SendEvent(atA)
	waitClosed(h.t, held.held, "racebot A to take back a value")
	if code := h.deliver(srv, slackfake.EventBody(atB)); code != 200 {
		h.t.Fatalf("racebot B answered %d", code)
	}
	settle(h.t, b, h.fake)
	close(held.release)
	h.fake.WaitAck(h.t, sent)
	h.settle()
}

// TestTwoValuesTakenBackAtOnceSayWhoseStandsOnce: Ana replies "visitors
// 12k" in the check-in's thread, Ben a minute later 13k, Cara a minute
// after him 14k. Ben and Cara each delete their reply at once, and Slack
// hands one deletion to racebot A, which holds it just after its
// withdrawal is stored, and the other to racebot B, on one database.
// Ana's 12k is the check-in's value again, and the thread is told so
// once; Ben's 13k, taken back in the same moment, is never told as
// standing again, whichever racebot took whose deletion.
func TestTwoValuesTakenBackAtOnceSayWhoseStandsOnce(t *testing.T) {
	t.Parallel()
	for _, aTakes := range []string{"UBEN", "UCARA"} {
		t.Run(aTakes+" at A", func(t *testing.T) {
			t.Parallel()
			held := &heldReplace{}
			h, p, clk := checkinSetup(t, func(s *setup) { held.Store = s.Store; s.Store = held })
			opening, summary, ben := h.benReplacedAna(p, clk)
			cara := tsAfter(t, ben, time.Minute)
			h.replyConfirmed(opening.TS, "UCARA", "visitors 14k", cara, "Replaced <@UBEN>'s Unique visitors 13k in this check-in.")
			h.waitSummary(summary.TS, "14k from <@UCARA>")
			other, _ := h.anotherRacebot()
			h.settle()

			atA := slackfake.MessageDeleted{Channel: "C1", User: "UBEN", TS: ben, ThreadTS: opening.TS, PreviousText: "visitors 13k", EventID: "EvDELBEN"}
			atB := slackfake.MessageDeleted{Channel: "C1", User: "UCARA", TS: cara, ThreadTS: opening.TS, PreviousText: "visitors 14k", EventID: "EvDELCARA"}
			if aTakes == "UCARA" {
				atA, atB = atB, atA
			}
			h.heldWhileBTakes(held, atA, other, atB)
			settle(t, other, h.fake)

			h.waitSummary(summary.TS, "Unique visitors*: 12k")
			const ana = "<@UANA>'s Unique visitors 12k is the check-in's value again"
			if n := h.countReplies("C1", opening.TS, ana); n != 1 {
				t.Errorf("the thread was told %d times that Ana's value stands again, want once:\n%s", n, strings.Join(h.threadPosts(opening.TS), "\n"))
			}
			if n := h.countReplies("C1", opening.TS, "<@UBEN>'s Unique visitors 13k is the check-in's value again"); n != 0 {
				t.Errorf("the thread was told %d times that Ben's value, taken back too, stands again:\n%s", n, strings.Join(h.threadPosts(opening.TS), "\n"))
			}
		})
	}
}

// countedReads counts the reads of a plan's values.
type countedReads struct {
	coach.Store
	values atomic.Int64
}

func (s *countedReads) Measurements(ctx context.Context, team string, plan flows.PlanID) (map[int64][]flows.Measurement, error) {
	s.values.Add(1)
	return s.Store.Measurements(ctx, team, plan)
}

// TestDeletingAReplyThatGaveNoValueReadsNoValues: Ana's reply in the
// check-in's thread gives no value (a thank-you); she deletes it. Most
// messages in a thread give none, and their deletion changes nothing:
// it costs no read of the plan's values.
func TestDeletingAReplyThatGaveNoValueReadsNoValues(t *testing.T) {
	t.Parallel()
	reads := &countedReads{}
	h, p, clk := checkinSetup(t, func(s *setup) { reads.Store = s.Store; s.Store = reads })
	opening, summary, ana := h.checkinAnHourOn(p, clk)
	h.replyConfirmed(opening.TS, "UANA", "visitors 12k", ana, "Recorded: Unique visitors 12k")
	thanks := tsAfter(t, ana, time.Minute)
	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.MessageEvent{Channel: "C1", User: "UANA", Text: "thanks all", TS: thanks, ThreadTS: opening.TS}))
	h.waitSummary(summary.TS, "Unique visitors*: 12k")
	h.settle()

	before := reads.values.Load()
	h.twice(slackfake.MessageDeleted{Channel: "C1", User: "UANA", TS: thanks, ThreadTS: opening.TS, PreviousText: "thanks all", EventID: "EvDEL"})
	if n := reads.values.Load() - before; n != 0 {
		t.Errorf("deleting a reply that gave no value read the plan's values %d times, want none", n)
	}
	h.waitSummary(summary.TS, "Unique visitors*: 12k")
}

// TestAStandingNoteNamesTheValueAsItStandsWhenWritten: Ben's 13k
// replaced Ana's 12k, and he deletes it. The note that hers stands again
// is written after the ack; meanwhile (racebot A holding Ben's deletion
// just after it is stored) Ana corrects her reply to 12.5k, on racebot
// B. The note names 12.5k, the value as it stands when the note is
// written, not the 12k she corrected.
func TestAStandingNoteNamesTheValueAsItStandsWhenWritten(t *testing.T) {
	t.Parallel()
	held := &heldReplace{}
	h, p, clk := checkinSetup(t, func(s *setup) { held.Store = s.Store; s.Store = held })
	opening, summary, ben := h.benReplacedAna(p, clk)
	ana := tsAfter(t, ben, -time.Minute)
	h.waitSummary(summary.TS, "13k from <@UBEN>")
	other, _ := h.anotherRacebot()
	h.settle()

	h.heldWhileBTakes(held,
		slackfake.MessageDeleted{Channel: "C1", User: "UBEN", TS: ben, ThreadTS: opening.TS, PreviousText: "visitors 13k", EventID: "EvDEL"},
		other, slackfake.MessageChanged{Channel: "C1", User: "UANA", TS: ana, ThreadTS: opening.TS, Text: "visitors 12.5k", PreviousText: "visitors 12k",
			EditTS: tsAfter(t, ben, time.Minute)})

	h.waitSummary(summary.TS, "Unique visitors*: 12.5k")
	if n := h.countReplies("C1", opening.TS, "<@UANA>'s Unique visitors 12.5k is the check-in's value again"); n != 1 {
		t.Errorf("the thread was told %d times that Ana's 12.5k stands again, want once:\n%s", n, strings.Join(h.threadPosts(opening.TS), "\n"))
	}
	if n := h.countReplies("C1", opening.TS, "Unique visitors 12k is the check-in's value again"); n != 0 {
		t.Errorf("the thread was told %d times that the 12k Ana corrected stands again:\n%s", n, strings.Join(h.threadPosts(opening.TS), "\n"))
	}
}
