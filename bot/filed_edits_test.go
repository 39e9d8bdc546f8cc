package bot

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/racebot/racebot/coach"
	"github.com/racebot/racebot/flows"
	"github.com/racebot/racebot/internal/slackfake"
)

// bensAnswerFiled starts plan name and, once it asks question 1, has
// Ben write text in the channel and Ana add it as the answer with "Add
// to RACE plan". It returns the plan's header, the plan, Ben's message
// and the answer as filed.
func (h *harness) bensAnswerFiled(name, text string) (header slackfake.Message, p *flows.Plan, m slackfake.Message, filed flows.Answer) {
	h.t.Helper()
	header, _, p = h.firstQuestion(name)
	h.waitAsked(p, flows.QuestionBusiness)
	m = h.fake.AddMessage(slackfake.Message{Channel: "C1", User: "UBEN", Text: text})
	h.fileAsAnswer(p, header, m, flows.QuestionBusiness)
	return header, p, m, h.plan(slackfake.TeamID, "C1", name).Answers[flows.QuestionBusiness]
}

// TestAnEditOfSideChatFiledAsAnAnswerRevisesIt: Ben writes in the channel
// what the business sells, and Ana adds his message to the first question
// with "Add to RACE plan". Ben edits it twice quickly, and Slack delivers
// the second edit twice and then the first one late. The answer is his
// latest text, still linked to his message, revised once for each edit;
// he is told as for an edit in the plan's thread. An edit into a command
// changes nothing and he is told once, however often it comes. Deleting
// the message withdraws the answer and the plan's thread says so.
func TestAnEditOfSideChatFiledAsAnAnswerRevisesIt(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.runSocket()
	header, _, m, filed := h.bensAnswerFiled("Q1", "We roast coffee.")
	answer := func() flows.Answer { return h.plan(slackfake.TeamID, "C1", "Q1").Answers[flows.QuestionBusiness] }

	first := slackfake.MessageChanged{Channel: "C1", User: "UBEN", TS: m.TS, Text: "We roast coffee beans.", PreviousText: m.Text,
		EditTS: tsAfter(t, m.TS, 10*time.Second), EventID: "EvSIDE1"}
	second := slackfake.MessageChanged{Channel: "C1", User: "UBEN", TS: m.TS, Text: "We roast speciality coffee and ship it.", PreviousText: first.Text,
		EditTS: tsAfter(t, m.TS, 11*time.Second), EventID: "EvSIDE2"}
	h.fake.WaitAck(t, h.fake.SendEvent(first))
	env := h.fake.SendEvent(second)
	h.fake.WaitAck(t, env)
	h.fake.WaitAck(t, h.fake.Redeliver(env))
	h.fake.WaitAck(t, h.fake.SendEvent(first)) // late, and older
	h.settle()
	a := answer()
	if text, _ := strings.CutSuffix(a.Text, filed.Text[strings.LastIndex(filed.Text, " <"):]); text != second.Text || a.By != "UBEN" || a.Source != "C1/"+m.TS {
		t.Errorf("answer = %q by %s from %s after Ben's edits, want %q, still linked to his message (filed as %q)", a.Text, a.By, a.Source, second.Text, filed.Text)
	}
	if !strings.Contains(a.Text, "|(message)>") {
		t.Errorf("answer %q lost the link to Ben's message", a.Text)
	}
	if a.Revision != filed.Revision+2 {
		t.Errorf("revision %d after two edits of revision %d, want one new revision each", a.Revision, filed.Revision)
	}
	if n := h.countEphemerals("UBEN", "Updated your answer to Plan question 1"); n != 2 {
		t.Errorf("Ben was told %d times that his answer was updated, want 2 (one per edit)", n)
	}

	command := slackfake.MessageChanged{Channel: "C1", User: "UBEN", TS: m.TS, Text: "/race status", PreviousText: second.Text,
		EditTS: tsAfter(t, m.TS, 20*time.Second), EventID: "EvSIDE3"}
	h.twice(command)
	if got := answer(); got.Text != a.Text || got.Revision != a.Revision {
		t.Errorf("an edit into a command changed the answer to %q (revision %d)", got.Text, got.Revision)
	}
	if n := h.countEphemerals("UBEN", "Your edit reads as a command"); n != 1 {
		t.Errorf("Ben was told %d times that his edit reads as a command, want once", n)
	}

	del := slackfake.MessageDeleted{Channel: "C1", User: "UBEN", TS: m.TS, PreviousText: command.Text, EventID: "EvSIDEDEL"}
	h.twice(del)
	h.threadMessage("C1", header.TS, "was deleted")
	if got := answer(); got.Text != "" {
		t.Errorf("answer = %q after Ben deleted his message, want it withdrawn", got.Text)
	}
	if n := h.countReplies("C1", header.TS, "was deleted"); n != 1 {
		t.Errorf("the thread said %d times that the answer was deleted, want once", n)
	}
}

// TestAnEditOfSideChatFiledAsValuesReplacesThem: Ben's values, written in
// the channel, are added to the open check-in with "Add to RACE plan".
// He corrects his message: the check-in holds his corrected value, once.
// He deletes it: the value is withdrawn.
func TestAnEditOfSideChatFiledAsValuesReplacesThem(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.runSocket()
	p, id, opening := h.visitorsCheckin()
	m := h.fake.AddMessage(slackfake.Message{Channel: "C1", User: "UBEN", Text: "visitors 12.4k"})
	h.fileAsValues("UANA", m, p.ID, "")
	h.threadMessage("C1", opening.TS, "Recorded: Unique visitors 12.4k")

	edit := slackfake.MessageChanged{Channel: "C1", User: "UBEN", TS: m.TS, Text: "visitors 14.2k", PreviousText: m.Text,
		EditTS: tsAfter(t, m.TS, 10*time.Second), EventID: "EvSIDEVAL"}
	h.twice(edit)
	values := func() []float64 {
		ms, err := h.db.Measurements(context.Background(), p.Team, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		var out []float64
		for _, list := range ms {
			for _, v := range list {
				if v.Checkin == id {
					out = append(out, v.Value.Amount)
				}
			}
		}
		return out
	}
	if got := values(); len(got) != 1 || got[0] != 14200 {
		t.Errorf("check-in values = %v after Ben corrected his message, want [14200]", got)
	}

	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.MessageDeleted{Channel: "C1", User: "UBEN", TS: m.TS, PreviousText: edit.Text, EventID: "EvSIDEVALDEL"}))
	h.settle()
	if got := values(); len(got) != 0 {
		t.Errorf("check-in values = %v after Ben deleted his message, want none", got)
	}
}

// loadedPlans notes which plans' rows the coach reads: each plan a
// channel's list brings, each plan loaded alone, and each plan's values.
type loadedPlans struct {
	coach.Store
	mu     sync.Mutex
	loaded map[flows.PlanID]int
}

func (s *loadedPlans) note(ids ...flows.PlanID) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.loaded == nil {
		s.loaded = map[flows.PlanID]int{}
	}
	for _, id := range ids {
		s.loaded[id]++
	}
}

// take returns the plans loaded since the last take.
func (s *loadedPlans) take() map[flows.PlanID]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	got := s.loaded
	s.loaded = nil
	return got
}

func (s *loadedPlans) Plans(ctx context.Context, team, channel string) ([]*flows.Plan, error) {
	plans, err := s.Store.Plans(ctx, team, channel)
	for _, p := range plans {
		s.note(p.ID)
	}
	return plans, err
}

func (s *loadedPlans) Plan(ctx context.Context, team string, id flows.PlanID) (*flows.Plan, error) {
	s.note(id)
	return s.Store.Plan(ctx, team, id)
}

func (s *loadedPlans) Measurements(ctx context.Context, team string, plan flows.PlanID) (map[int64][]flows.Measurement, error) {
	s.note(plan)
	return s.Store.Measurements(ctx, team, plan)
}

// TestAnEditOfSideChatInABusyChannelLoadsOnlyItsPlan: the channel has
// worked through 30 plans, quarter after quarter, and Ana adds Ben's
// message to the newest one. Ben's edit revises that plan's answer and
// his deletion withdraws it, and neither reads any other plan of the
// channel: what a message gave is found without loading every plan it
// might be in, before the ack.
func TestAnEditOfSideChatInABusyChannelLoadsOnlyItsPlan(t *testing.T) {
	t.Parallel()
	loads := &loadedPlans{}
	h := newHarness(t, func(s *setup) { loads.Store = s.Store; s.Store = loads })
	h.runSocket()
	ctx := context.Background()
	at := time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)
	for i := range 29 {
		p := flows.NewPlan(slackfake.TeamID, "C1", fmt.Sprintf("Quarter %d", i+1), "UANA", at)
		id, err := h.db.CreatePlan(ctx, p, "")
		if err != nil {
			t.Fatal(err)
		}
		if p, err = h.db.Plan(ctx, slackfake.TeamID, id); err != nil {
			t.Fatal(err)
		}
		if err := h.db.Commit(ctx, p, []flows.Change{flows.AnswerRecorded{Answer: flows.Answer{QuestionID: flows.QuestionBusiness,
			Text: "We roast coffee.", By: "UBEN", At: at, Revision: 1, Source: fmt.Sprintf("C1/1700000%03d.000100", i)}}}, ""); err != nil {
			t.Fatal(err)
		}
	}
	header, p, m, filed := h.bensAnswerFiled("Busy", "We roast coffee.")
	answer := func() flows.Answer { return h.plan(slackfake.TeamID, "C1", "Busy").Answers[flows.QuestionBusiness] }
	others := func(when string) {
		t.Helper()
		var read []flows.PlanID
		for id := range loads.take() {
			if id != p.ID {
				read = append(read, id)
			}
		}
		if len(read) > 0 {
			slices.Sort(read)
			t.Errorf("%s read %d other plans of the channel (%v), want only plan %d, the one the message was filed into", when, len(read), read, p.ID)
		}
	}
	loads.take()

	edit := slackfake.MessageChanged{Channel: "C1", User: "UBEN", TS: m.TS, Text: "We roast speciality coffee.", PreviousText: m.Text,
		EditTS: tsAfter(t, m.TS, 10*time.Second), EventID: "EvBUSY"}
	h.fake.WaitAck(t, h.fake.SendEvent(edit))
	h.settle()
	if a := answer(); !strings.Contains(a.Text, edit.Text) || a.Revision != filed.Revision+1 {
		t.Errorf("answer = %q (revision %d) after Ben's edit, want it revised once from %q (revision %d)", a.Text, a.Revision, filed.Text, filed.Revision)
	}
	others("the edit")

	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.MessageDeleted{Channel: "C1", User: "UBEN", TS: m.TS, PreviousText: edit.Text, EventID: "EvBUSYDEL"}))
	h.threadMessage("C1", header.TS, "was deleted")
	h.settle()
	if a := answer(); a.Text != "" {
		t.Errorf("answer = %q after Ben deleted his message, want it withdrawn", a.Text)
	}
	others("the deletion")
}
