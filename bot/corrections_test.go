package bot

import (
	"context"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/racebot/racebot/coach"
	"github.com/racebot/racebot/flows"
	"github.com/racebot/racebot/internal/slackfake"
)

// countEphemerals counts the ephemerals shown to user that contain text.
func (h *harness) countEphemerals(user, text string) int {
	n := 0
	for _, e := range h.fake.Ephemerals() {
		if e.User == user && strings.Contains(e.Text, text) {
			n++
		}
	}
	return n
}

// TestARefusedActionLineCorrectedByAnEdit: at the actions step Ana posts
// an action scored impact 7, which racebot refuses and explains. She
// edits her message to impact 4, and Slack delivers the edit twice. The
// action is added once, as her corrected line says, announced once in the
// thread, and the refusal is not explained again. A later edit revises
// the action as any edit does, and the first edit, delivered late,
// changes nothing.
func TestARefusedActionLineCorrectedByAnEdit(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.runSocket()
	header, ts := h.atActions()
	bad := "Gift boxes for top 50 customers | impact 7 | effort 2 | <@UBEN> | 2027-02-15"
	h.anaReplies(header, ts, bad)
	h.waitEphemeral("UANA", "outside that range")

	first := slackfake.MessageChanged{Channel: "C1", User: "UANA", TS: ts, ThreadTS: header.TS, Text: giftBoxes, PreviousText: bad,
		EditTS: tsAfter(t, ts, 10*time.Second), EventID: "EvFIX1"}
	h.twice(first)
	h.threadMessage("C1", header.TS, "Added action ")
	a, ok := h.onlyAction()
	if !ok || a.Impact != 4 || a.Effort != 2 || a.By != "UANA" || a.Owner != "<@UBEN>" || a.Stage != flows.StagePlan {
		t.Fatalf("after the corrected edit: actions %+v, want Ana's gift boxes at impact 4", h.plan(slackfake.TeamID, "C1", "Q1").Actions)
	}

	second := slackfake.MessageChanged{Channel: "C1", User: "UANA", TS: ts, ThreadTS: header.TS, Text: strings.Replace(giftBoxes, "impact 4", "impact 5", 1),
		PreviousText: giftBoxes, EditTS: tsAfter(t, ts, 20*time.Second), EventID: "EvFIX2"}
	h.fake.WaitAck(t, h.fake.SendEvent(second))
	h.waitEphemeral("UANA", "Updated your action")
	h.fake.WaitAck(t, h.fake.SendEvent(first)) // delivered late, under another event id
	h.settle()
	if got, ok := h.onlyAction(); !ok || got.Impact != 5 || got.ID != a.ID {
		t.Errorf("after a second edit and the first delivered late: %+v, want the action at impact 5", h.plan(slackfake.TeamID, "C1", "Q1").Actions)
	}
	if n := h.countReplies("C1", header.TS, "Added action"); n != 1 {
		t.Errorf("%d actions announced in the thread, want 1", n)
	}
	if n := h.countEphemerals("UANA", "outside that range"); n != 1 {
		t.Errorf("the refusal was explained %d times, want once", n)
	}
}

// TestARefusedKPILineCorrectedByAnEdit: at the Reach stage's KPIs Ana
// sets visitors with a deadline already past, which racebot refuses. She
// edits the line to a deadline to come: the target is set, and said once
// in the thread.
func TestARefusedKPILineCorrectedByAnEdit(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.runSocket()
	header, ts := h.atReachKPIs()
	bad := "visitors | baseline 8k | target 20k | by 2025-03-31 | owner <@UANA>"
	h.anaReplies(header, ts, bad)
	h.waitEphemeral("UANA", "already passed")
	fixed := "visitors | baseline 8k | target 20k | by 2027-03-31 | owner <@UANA>"
	h.twice(slackfake.MessageChanged{Channel: "C1", User: "UANA", TS: ts, ThreadTS: header.TS, Text: fixed, PreviousText: bad,
		EditTS: tsAfter(t, ts, 10*time.Second), EventID: "EvKPIFIX"})
	h.threadMessage("C1", header.TS, "KPI set")
	kpis := h.plan(slackfake.TeamID, "C1", "Q1").KPIs
	if len(kpis) != 1 || kpis[0].Key != "visitors" || kpis[0].Target.Amount != 20000 || kpis[0].Deadline.Year() != 2027 {
		t.Fatalf("after the corrected edit: KPIs %+v, want visitors 20k by 2027-03-31", kpis)
	}
	if n := h.countReplies("C1", header.TS, "KPI set"); n != 1 {
		t.Errorf("the KPI was confirmed %d times in the thread, want once:\n%s", n, strings.Join(h.threadPosts(header.TS), "\n"))
	}
	if n := h.countEphemerals("UANA", "already passed"); n != 1 {
		t.Errorf("the refusal was explained %d times, want once", n)
	}
}

// TestAnOverdueActionsLineCanBeReworded: Ana's action was due on 2 March;
// on 10 March she fixes a typo in its text, leaving the date alone. The
// action is reworded and keeps its date; moving it to another day
// already past is still refused.
func TestAnOverdueActionsLineCanBeReworded(t *testing.T) {
	t.Parallel()
	h, _ := clockedHarness(t, time.Date(2027, 3, 1, 8, 0, 0, 0, time.UTC))
	line := "Send smaple bags | impact 4 | effort 1 | <@UBEN> | 2027-03-02"
	header, ts := h.anaAddsAction(line)
	later := time.Date(2027, 3, 10, 9, 0, 0, 0, time.UTC)
	fixed := "Send sample bags | impact 4 | effort 1 | <@UBEN> | 2027-03-02"
	h.anaEdits(header, ts, line, fixed, later, "EvTYPO")
	h.waitEphemeral("UANA", "Updated your action")
	if a, ok := h.onlyAction(); !ok || a.Text != "Send sample bags" || !a.Due.Equal(time.Date(2027, 3, 2, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("after the typo was fixed: %+v, want the reworded action still due 2 March", h.plan(slackfake.TeamID, "C1", "Q1").Actions)
	}
	h.anaEdits(header, ts, fixed, strings.Replace(fixed, "2027-03-02", "2027-03-05", 1), later.Add(time.Minute), "EvPAST")
	h.waitEphemeral("UANA", "already past")
	if a, _ := h.onlyAction(); !a.Due.Equal(time.Date(2027, 3, 2, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("an edit to another past date moved the action to %v", a.Due)
	}
}

// TestAnOverdueKPIsLineCanBeCorrected: Ana's visitors target was due by
// 31 March; in April she corrects its target, leaving the deadline alone.
// The target changes and the deadline stays.
func TestAnOverdueKPIsLineCanBeCorrected(t *testing.T) {
	t.Parallel()
	h, _ := clockedHarness(t, time.Date(2027, 3, 1, 8, 0, 0, 0, time.UTC))
	header, ts := h.atReachKPIs()
	line := "visitors | baseline 8k | target 20k | by 2027-03-31 | owner <@UANA>"
	h.anaReplies(header, ts, line)
	h.threadMessage("C1", header.TS, "KPI set")
	fixed := "visitors | baseline 8k | target 22k | by 2027-03-31 | owner <@UANA>"
	h.anaEdits(header, ts, line, fixed, time.Date(2027, 4, 3, 9, 0, 0, 0, time.UTC), "EvKPILATE")
	h.waitEphemeral("UANA", "to 22k")
	if k := h.plan(slackfake.TeamID, "C1", "Q1").KPIs[0]; k.Target.Amount != 22000 || k.Deadline.Format(time.DateOnly) != "2027-03-31" {
		t.Errorf("after the edit: target %+v by %v, want 22k by 2027-03-31", k.Target, k.Deadline)
	}
}

// TestACorrectionAfterThePlanMovedOn: Ana's action line at the Plan
// stage's actions is refused; she replies "done", and the coach moves on
// to Reach. She then corrects her line: the action is added to the Plan
// stage, whose prompt she replied to, not read as an answer to Reach's
// question. Ben's edit of her message (an admin's, say) changes nothing.
func TestACorrectionAfterThePlanMovedOn(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.runSocket()
	header, ts := h.atActions()
	bad := "Gift boxes for top 50 customers | impact 7 | effort 2 | <@UBEN> | 2027-02-15"
	h.anaReplies(header, ts, bad)
	h.waitEphemeral("UANA", "outside that range")
	h.say(header.TS, "done", "Reach")
	before := h.plan(slackfake.TeamID, "C1", "Q1")

	h.edit(t, slackfake.MessageChanged{User: "UANA", Editor: "UBEN", TS: ts, ThreadTS: header.TS, Text: giftBoxes, PreviousText: bad,
		EditTS: tsAfter(t, ts, 10*time.Second), EventID: "EvBEN"})
	h.settle()
	if got := h.plan(slackfake.TeamID, "C1", "Q1").Actions; len(got) != 0 {
		t.Fatalf("Ben's edit of Ana's refused line added %+v", got)
	}

	h.edit(t, slackfake.MessageChanged{User: "UANA", TS: ts, ThreadTS: header.TS, Text: giftBoxes, PreviousText: bad,
		EditTS: tsAfter(t, ts, 20*time.Second), EventID: "EvANA"})
	added := h.threadMessage("C1", header.TS, "Added action 1 to Plan: ")
	if strings.Contains(added.Text, "reply `done`") {
		t.Errorf("the Plan action, added while Reach is open, says to reply done: %s", added.Text)
	}
	p := h.plan(slackfake.TeamID, "C1", "Q1")
	if len(p.Actions) != 1 || p.Actions[0].Stage != flows.StagePlan || p.Actions[0].Impact != 4 {
		t.Errorf("actions %+v, want the gift boxes in the Plan stage", p.Actions)
	}
	if p.Cursor != before.Cursor || len(p.Answers) != len(before.Answers) {
		t.Errorf("the correction moved the plan from %+v to %+v, answers %d → %d", before.Cursor, p.Cursor, len(before.Answers), len(p.Answers))
	}
}

// TestACorrectionDeliveredBeforeTheRefusedLine: Ana posts an action scored
// impact 7 and corrects it at once; the edit reaches racebot before the
// message. The action is added once, as corrected.
func TestACorrectionDeliveredBeforeTheRefusedLine(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.runSocket()
	header, ts := h.atActions()
	bad := "Gift boxes for top 50 customers | impact 7 | effort 2 | <@UBEN> | 2027-02-15"
	h.edit(t, slackfake.MessageChanged{User: "UANA", TS: ts, ThreadTS: header.TS, Text: giftBoxes, PreviousText: bad,
		EditTS: tsAfter(t, ts, 10*time.Second), EventID: "EvEARLY"})
	h.anaReplies(header, ts, bad)
	h.settle()
	if a, ok := h.onlyAction(); !ok || a.Impact != 4 {
		t.Errorf("actions %+v, want the one action as corrected", h.plan(slackfake.TeamID, "C1", "Q1").Actions)
	}
	if n := h.countReplies("C1", header.TS, "Added action"); n != 1 {
		t.Errorf("%d actions announced in the thread, want 1", n)
	}
}

// TestATypoFixKeepsARelativeDueDate: on Monday 1 March Ana adds an action
// due "tomorrow"; on Thursday she fixes a typo in its text. The action
// stays due on Tuesday 2 March: she did not touch its date, and
// "tomorrow" is not read again from Thursday.
func TestATypoFixKeepsARelativeDueDate(t *testing.T) {
	t.Parallel()
	h, _ := clockedHarness(t, time.Date(2027, 3, 1, 8, 0, 0, 0, time.UTC))
	line := "Send smaple bags | impact 4 | effort 1 | <@UBEN> | tomorrow"
	header, ts := h.anaAddsAction(line)
	h.anaEdits(header, ts, line, strings.Replace(line, "smaple", "sample", 1), time.Date(2027, 3, 4, 9, 0, 0, 0, time.UTC), "EvTYPO")
	h.waitEphemeral("UANA", "Updated your action")
	if a, ok := h.onlyAction(); !ok || a.Text != "Send sample bags" || a.Due.Format(time.DateOnly) != "2027-03-02" {
		t.Errorf("after the typo was fixed: %+v, want the action still due 2027-03-02", h.plan(slackfake.TeamID, "C1", "Q1").Actions)
	}
}

// TestAnEditToARelativeDateIsReadOnTheEditsDay: on Monday 1 March Ana
// adds an action due 2 March. On Thursday she changes its date to
// "tomorrow": it is due on Friday 5 March, her tomorrow, not on the day
// "tomorrow" named when the line was first written. On Saturday she fixes
// a typo and leaves "tomorrow" as it was: the action stays due on 5 March.
func TestAnEditToARelativeDateIsReadOnTheEditsDay(t *testing.T) {
	t.Parallel()
	h, _ := clockedHarness(t, time.Date(2027, 3, 1, 8, 0, 0, 0, time.UTC))
	line := "Send sample bags | impact 4 | effort 1 | <@UBEN> | 2027-03-02"
	header, ts := h.anaAddsAction(line)
	moved := "Send smaple bags to stores | impact 4 | effort 1 | <@UBEN> | tomorrow"
	h.anaEdits(header, ts, line, moved, time.Date(2027, 3, 4, 9, 0, 0, 0, time.UTC), "EvMOVE")
	h.waitEphemeral("UANA", "Updated your action")
	if a, ok := h.onlyAction(); !ok || a.Due.Format(time.DateOnly) != "2027-03-05" {
		t.Fatalf("after the date was changed to tomorrow on 4 March: %+v, want the action due 2027-03-05", h.plan(slackfake.TeamID, "C1", "Q1").Actions)
	}
	h.anaEdits(header, ts, moved, strings.Replace(moved, "smaple", "sample", 1), time.Date(2027, 3, 6, 9, 0, 0, 0, time.UTC), "EvTYPO2")
	h.waitEphemeral("UANA", "Updated your action: Send sample bags to stores")
	if a, ok := h.onlyAction(); !ok || a.Text != "Send sample bags to stores" || a.Due.Format(time.DateOnly) != "2027-03-05" {
		t.Errorf("after the typo was fixed on 6 March: %+v, want the action still due 2027-03-05", h.plan(slackfake.TeamID, "C1", "Q1").Actions)
	}
}

// TestARefusedLineCorrectedHoursLater: Ana's action line is refused, and
// she corrects it after lunch, when the periodic prune has forgotten the
// deliveries of the morning. Her correction is still taken.
func TestARefusedLineCorrectedHoursLater(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.runSocket()
	header, ts := h.atActions()
	bad := "Gift boxes for top 50 customers | impact 7 | effort 2 | <@UBEN> | 2027-02-15"
	h.anaReplies(header, ts, bad)
	h.waitEphemeral("UANA", "outside that range")
	// The keys are stamped by the store's own clock.
	if err := h.bot.svc.Prune(context.Background(), time.Now().Add(coach.KeysKept+time.Minute)); err != nil {
		t.Fatal(err)
	}
	h.edit(t, slackfake.MessageChanged{User: "UANA", TS: ts, ThreadTS: header.TS, Text: giftBoxes, PreviousText: bad,
		EditTS: tsAfter(t, ts, 3*time.Hour), EventID: "EvLATE"})
	h.threadMessage("C1", header.TS, "Added action ")
	if a, ok := h.onlyAction(); !ok || a.Impact != 4 {
		t.Errorf("actions %+v, want the gift boxes at impact 4", h.plan(slackfake.TeamID, "C1", "Q1").Actions)
	}
}

// refusalRace is the real store, holding the write that records a refused
// line until an edit of it has looked for that record, and that edit's
// look for the message itself until the message is recorded: the edit is
// handled while its message is, as by two HTTP requests or two racebots.
type refusalRace struct {
	coach.Store
	armed           *atomic.Bool
	checked, marked chan struct{}
	check, mark     *sync.Once
}

func newRefusalRace() refusalRace {
	return refusalRace{armed: &atomic.Bool{}, checked: make(chan struct{}), marked: make(chan struct{}), check: &sync.Once{}, mark: &sync.Once{}}
}

// refusedLine and messageKey tell the keys apart: a refused line's record, and
// a message's own key (coach.MessageKey).
func refusedLine(key string) bool { return strings.Contains(key, ":refused:") }
func messageKey(key string) bool {
	return strings.HasPrefix(key, "msg:") && strings.Count(key, ":") == 2
}

func (r refusalRace) wait(c <-chan struct{}) {
	select {
	case <-c:
	case <-time.After(slackfake.DefaultWaitTimeout):
	}
}

func (r refusalRace) MarkSeen(ctx context.Context, team, key string) error {
	if r.armed.Load() && refusedLine(key) {
		r.wait(r.checked)
	}
	err := r.Store.MarkSeen(ctx, team, key)
	if r.armed.Load() && messageKey(key) {
		r.mark.Do(func() { close(r.marked) })
	}
	return err
}

func (r refusalRace) KeySeen(ctx context.Context, team, key string) (bool, error) {
	if r.armed.Load() && messageKey(key) {
		r.wait(r.marked)
	}
	seen, err := r.Store.KeySeen(ctx, team, key)
	if r.armed.Load() && refusedLine(key) {
		r.check.Do(func() { close(r.checked) })
	}
	return seen, err
}

// TestACorrectionHandledWhileItsLineIsRefused: Ana's action line, scored
// impact 7, and her edit to impact 4 reach racebot at once, and the edit
// looks for the refusal just before it is recorded. The correction is
// taken all the same.
func TestACorrectionHandledWhileItsLineIsRefused(t *testing.T) {
	t.Parallel()
	race := newRefusalRace()
	h := newHarness(t, func(c *setup) { race.Store = c.Store; c.Store = race })
	h.runSocket()
	srv := h.serveHTTP()
	header, ts := h.atActions()
	bad := "Gift boxes for top 50 customers | impact 7 | effort 2 | <@UBEN> | 2027-02-15"
	race.armed.Store(true)
	var wg sync.WaitGroup
	for _, ev := range []slackfake.Payload{
		slackfake.MessageEvent{Channel: "C1", User: "UANA", Text: bad, TS: ts, ThreadTS: header.TS, EventID: "EvBAD"},
		slackfake.MessageChanged{Channel: "C1", User: "UANA", TS: ts, ThreadTS: header.TS, Text: giftBoxes, PreviousText: bad,
			EditTS: tsAfter(t, ts, 10*time.Second), EventID: "EvFIX"},
	} {
		wg.Go(func() { h.deliver(srv, slackfake.EventBody(ev)) })
	}
	wg.Wait()
	h.settle()
	if a, ok := h.onlyAction(); !ok || a.Impact != 4 {
		t.Errorf("actions %+v, want the gift boxes at impact 4", h.plan(slackfake.TeamID, "C1", "Q1").Actions)
	}
}

// TestARefusedNewLineCorrectedByAnEdit: at the actions step Ana posts
// "New landing page …" without its scores, which racebot refuses and
// explains, offering a plan called "landing page …"; Slack delivers her
// message twice. Ben's edit of it changes nothing. Ana's first edit is
// still refused, in one sentence; her second, delivered twice, is taken
// as her action, once. Her message delivered once more after that offers
// nothing again, and her `yes` then starts no plan.
func TestARefusedNewLineCorrectedByAnEdit(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.runSocket()
	header, ts := h.atActions()
	bad := "New landing page | <@UBEN> | 2027-02-15"
	env := h.fake.SendEvent(slackfake.MessageEvent{Channel: "C1", User: "UANA", Text: bad, TS: ts, ThreadTS: header.TS})
	h.fake.WaitAck(t, env)
	h.waitEphemeral("UANA", "to start a new plan called")
	h.fake.WaitAck(t, h.fake.Redeliver(env))
	h.settle()
	plans := func() int {
		t.Helper()
		ps, _, err := h.bot.svc.ChannelPlans(t.Context(), slackfake.TeamID, "C1")
		if err != nil {
			t.Fatal(err)
		}
		return len(ps)
	}

	h.edit(t, slackfake.MessageChanged{User: "UANA", Editor: "UBEN", TS: ts, ThreadTS: header.TS, Text: "New landing page | impact 4 | effort 2 | <@UBEN> | 2027-02-15",
		PreviousText: bad, EditTS: tsAfter(t, ts, 5*time.Second), EventID: "EvNEWBEN"})
	h.settle()
	if got := h.plan(slackfake.TeamID, "C1", "Q1").Actions; len(got) != 0 {
		t.Fatalf("Ben's edit of Ana's refused line added %+v", got)
	}

	still := "New landing page | impact 7 | effort 2 | <@UBEN> | 2027-02-15"
	h.edit(t, slackfake.MessageChanged{User: "UANA", TS: ts, ThreadTS: header.TS, Text: still, PreviousText: bad,
		EditTS: tsAfter(t, ts, 10*time.Second), EventID: "EvNEW1"})
	if e := h.waitEphemeral("UANA", "outside that range"); strings.Contains(e.Text, "new plan") {
		t.Errorf("a still refused edit was refused as %q, want no offer of a plan", e.Text)
	}

	fixed := "New landing page | impact 4 | effort 2 | <@UBEN> | 2027-02-15"
	h.twice(slackfake.MessageChanged{Channel: "C1", User: "UANA", TS: ts, ThreadTS: header.TS, Text: fixed, PreviousText: still,
		EditTS: tsAfter(t, ts, 20*time.Second), EventID: "EvNEW2"})
	h.threadMessage("C1", header.TS, "Added action ")
	if a, ok := h.onlyAction(); !ok || a.Text != "New landing page" || a.Impact != 4 || a.By != "UANA" || a.Stage != flows.StagePlan {
		t.Fatalf("after the corrected edit: actions %+v, want Ana's landing page at impact 4", h.plan(slackfake.TeamID, "C1", "Q1").Actions)
	}

	h.fake.WaitAck(t, h.fake.Redeliver(env))
	h.settle()
	h.fake.WaitAck(t, h.fake.SendEvent(slackfake.MessageEvent{Channel: "C1", User: "UANA", Text: "yes", ThreadTS: header.TS}))
	h.settle()
	if n := plans(); n != 1 {
		t.Errorf("Ana's yes after her line was taken as an action: the channel has %d plans, want 1", n)
	}
	if n := len(h.plan(slackfake.TeamID, "C1", "Q1").Actions); n != 1 {
		t.Errorf("%d actions, want 1", n)
	}
	if n := h.countReplies("C1", header.TS, "Added action"); n != 1 {
		t.Errorf("%d actions announced in the thread, want 1", n)
	}
	if n := h.countEphemerals("UANA", "to start a new plan called"); n != 1 {
		t.Errorf("the refusal and its offer were said %d times, want once", n)
	}
	if n := h.countEphemerals("UANA", "outside that range"); n != 1 {
		t.Errorf("the still refused edit was explained %d times, want once", n)
	}
}
