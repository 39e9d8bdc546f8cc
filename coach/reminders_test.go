package coach_test

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/racebot/racebot/coach"
	"github.com/racebot/racebot/flows"
	"github.com/racebot/racebot/internal/testdb"
	"github.com/racebot/racebot/storage"
)

// reach is a coach with reminders on a fresh database, and the time zones
// of its people.
type reach struct {
	t     *testing.T
	svc   *coach.Service
	db    *storage.DB
	zones map[string]*time.Location
}

func newReach(t *testing.T) *reach {
	t.Helper()
	db := testdb.Open(t)
	return &reach{t: t, db: db, svc: coach.New(coach.Config{Catalogue: flows.RACE(), Store: db, Reminders: db}), zones: map[string]*time.Location{}}
}

func (r *reach) zone(_ context.Context, _, user string) (*time.Location, error) {
	return r.zones[user], nil
}

// due lists the reminders due at now as "user key".
func (r *reach) due(now time.Time) []string {
	r.t.Helper()
	rs, err := r.svc.DueReminders(context.Background(), now, r.zone)
	if err != nil {
		r.t.Fatal(err)
	}
	var out []string
	for _, x := range rs {
		out = append(out, x.User+" "+x.Key)
	}
	slices.Sort(out)
	return out
}

// claimDue claims every reminder due at now and returns those it won.
func (r *reach) claimDue(now time.Time) []coach.Reminder {
	r.t.Helper()
	rs, err := r.svc.DueReminders(context.Background(), now, r.zone)
	if err != nil {
		r.t.Fatal(err)
	}
	var won []coach.Reminder
	for _, x := range rs {
		_, ok, err := r.svc.ClaimReminder(context.Background(), x, now)
		if err != nil {
			r.t.Fatal(err)
		}
		if ok {
			won = append(won, x)
		}
	}
	return won
}

// plan creates plan Q1 in C1 with KPIs owned by the given people.
func (r *reach) plan(owners ...string) *flows.Plan {
	r.t.Helper()
	ctx := context.Background()
	resp, err := r.svc.Handle(ctx, coach.Request{Team: "T1", Channel: "C1", User: "ULEAD", Text: "new Q1", Now: t0, Command: true})
	if err != nil {
		r.t.Fatal(err)
	}
	lines := []struct {
		stage flows.StageID
		line  string
	}{
		{flows.StageReach, "visitors | baseline 8k | target 20k | by 2027-06-30 | owner "},
		{flows.StageAct, "lead-rate | baseline 1.5% | target 2.5% | by 2027-06-30 | owner "},
		{flows.StageConvert, "revenue | baseline $5,000 | target $9,000 | by 2027-06-30 | owner "},
	}
	for i, o := range owners {
		if _, err := r.svc.SetKPI(ctx, coach.Request{Team: "T1", Channel: "C1", User: "ULEAD", Now: t0, Plan: resp.Plan.ID}, lines[i].stage, lines[i].line+"<@"+o+">"); err != nil {
			r.t.Fatal(err)
		}
	}
	p, err := r.svc.Plan(ctx, "T1", resp.Plan.ID)
	if err != nil {
		r.t.Fatal(err)
	}
	return p
}

// checkin opens and posts a check-in of p at opened, closing 72 hours on.
func (r *reach) checkin(p *flows.Plan, opened time.Time) flows.Checkin {
	r.t.Helper()
	v, err := r.svc.OpenCheckin(context.Background(), "T1", p.ID, opened.Format(time.RFC3339), false, opened)
	if err != nil {
		r.t.Fatal(err)
	}
	if err := r.svc.CheckinPosted(context.Background(), v.Checkin.ID, "900.1", "900.2"); err != nil {
		r.t.Fatal(err)
	}
	return v.Checkin
}

func zone(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// TestCheckinRemindersAtEachOwnersNine: each owner is reminded once, at
// 09:00 of their own day before the close, while their number is missing.
// The US changes its clocks on 2027-03-14, the day before this close.
func TestCheckinRemindersAtEachOwnersNine(t *testing.T) {
	r := newReach(t)
	r.zones["ULA"], r.zones["UBER"] = zone(t, "America/Los_Angeles"), zone(t, "Europe/Berlin")
	p := r.plan("ULA", "UBER", "UNOZONE")
	opened := time.Date(2027, 3, 12, 17, 0, 0, 0, time.UTC) // closes Mon 15 Mar 17:00 UTC
	c := r.checkin(p, opened)
	key := "checkin:" + itoa(c.ID)

	// Berlin's 09:00 on Sunday is 08:00 UTC; LA's, on PDT since 02:00 that
	// morning, 16:00 UTC; UTC stands in for a zone not known.
	steps := []struct {
		at   time.Time
		want []string
	}{
		{time.Date(2027, 3, 14, 7, 59, 0, 0, time.UTC), nil},
		{time.Date(2027, 3, 14, 8, 0, 0, 0, time.UTC), []string{"UBER " + key}},
		{time.Date(2027, 3, 14, 9, 0, 0, 0, time.UTC), []string{"UNOZONE " + key}},
		{time.Date(2027, 3, 14, 15, 59, 0, 0, time.UTC), nil},
		{time.Date(2027, 3, 14, 16, 0, 0, 0, time.UTC), []string{"ULA " + key}},
		{time.Date(2027, 3, 15, 9, 0, 0, 0, time.UTC), nil},
	}
	for _, st := range steps {
		var got []string
		for _, x := range r.claimDue(st.at) {
			got = append(got, x.User+" "+x.Key)
			if !strings.Contains(x.Msg.String(), "closes tomorrow at") {
				t.Errorf("%s's reminder: %s", x.User, x.Msg)
			}
		}
		slices.Sort(got)
		if !slices.Equal(got, st.want) {
			t.Errorf("at %v sent %v, want %v", st.at, got, st.want)
		}
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// TestNoReminderForValuesGivenOrMuted: an owner who gave their value, or
// turned reminders off, gets none; turning them on again brings it back.
func TestNoReminderForValuesGivenOrMuted(t *testing.T) {
	r := newReach(t)
	p := r.plan("UANA", "UBEN")
	opened := time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC)
	c := r.checkin(p, opened)
	ctx := context.Background()
	if _, err := r.svc.Values(ctx, coach.Request{Team: "T1", Channel: "C1", User: "UANA", Now: opened.Add(time.Hour), Plan: p.ID, Checkin: c.ID, Key: "v1"}, "visitors 12.4k"); err != nil {
		t.Fatal(err)
	}
	off := coach.Request{Team: "T1", Channel: "C1", User: "UBEN", Text: "remind off", Now: opened, Command: true, Key: "m1"}
	resp, err := r.svc.Handle(ctx, off)
	if err != nil || !strings.Contains(replyText(resp), "off") {
		t.Fatalf("remind off: %s %v", replyText(resp), err)
	}
	if resp, _ := r.svc.Handle(ctx, off); !resp.Duplicate {
		t.Error("the same remind off twice was handled twice")
	}
	at := time.Date(2026, 12, 2, 12, 0, 0, 0, time.UTC)
	if got := r.due(at); len(got) != 0 {
		t.Errorf("due = %v, want none", got)
	}
	if _, err := r.svc.Handle(ctx, coach.Request{Team: "T1", Channel: "C1", User: "UBEN", Text: "remind on", Now: opened, Command: true, Key: "m2"}); err != nil {
		t.Fatal(err)
	}
	if got, want := r.due(at), []string{"UBEN checkin:" + itoa(c.ID)}; !slices.Equal(got, want) {
		t.Errorf("due = %v, want %v", got, want)
	}
}

// TestActionRemindersDoneAndSnooze: the owner of an action is reminded the
// day before it is due and the day after, unless it is done; Snooze brings
// the reminder back at 09:00 of their next day; only the owner may press.
func TestActionRemindersDoneAndSnooze(t *testing.T) {
	r := newReach(t)
	r.zones["UANA"] = zone(t, "Europe/Berlin")
	p := r.plan()
	ctx := context.Background()
	due := time.Date(2026, 12, 3, 0, 0, 0, 0, time.UTC)
	for _, a := range []flows.Action{
		{Stage: flows.StageReach, Text: "Send sample bags", Owner: "<@UANA>", Due: due, Impact: 4, Effort: 1, By: "ULEAD", At: t0},
		{Stage: flows.StageReach, Text: "Webinar", Owner: "<@UANA>", Due: due, Impact: 3, Effort: 3, By: "ULEAD", At: t0},
		{Stage: flows.StageAct, Text: "No one's", Owner: "Ana", Due: due, Impact: 3, Effort: 3, By: "ULEAD", At: t0},
	} {
		if err := r.db.Commit(ctx, p, []flows.Change{flows.ActionAdded{Action: a}}, ""); err != nil {
			t.Fatal(err)
		}
		p, _ = r.svc.Plan(ctx, "T1", p.ID)
	}
	bags, webinar := p.Actions[0].ID, p.Actions[1].ID
	ids := func(rs []coach.Reminder) []string {
		var out []string
		for _, x := range rs {
			out = append(out, x.Key)
		}
		slices.Sort(out)
		return out
	}
	// 09:00 in Berlin on the 2nd is 08:00 UTC.
	if got := ids(r.claimDue(time.Date(2026, 12, 2, 7, 59, 0, 0, time.UTC))); len(got) != 0 {
		t.Errorf("before 09:00: %v", got)
	}
	want := []string{"action:" + itoa(bags) + ":2026-12-03:due", "action:" + itoa(webinar) + ":2026-12-03:due"}
	if got := ids(r.claimDue(time.Date(2026, 12, 2, 8, 0, 0, 0, time.UTC))); !slices.Equal(got, want) {
		t.Errorf("the day before = %v, want %v", got, want)
	}
	press := func(user, key string) coach.Request {
		return coach.Request{Team: "T1", Channel: "DUANA", User: user, Now: time.Date(2026, 12, 2, 9, 0, 0, 0, time.UTC), Plan: p.ID, Key: key, Zone: r.zones["UANA"]}
	}
	if _, err := r.svc.MarkDone(ctx, press("UBEN", "b1"), bags); !errors.Is(err, coach.ErrNotYours) {
		t.Errorf("Ben marked Ana's action done: %v", err)
	}
	resp, err := r.svc.MarkDone(ctx, press("UANA", "a1"), bags)
	if err != nil || !resp.Changed || !strings.Contains(replyText(resp), "marked \"Send sample bags\" done") {
		t.Fatalf("done: %+v %v", resp, err)
	}
	if resp, _ := r.svc.MarkDone(ctx, press("UANA", "a1"), bags); !resp.Duplicate {
		t.Error("the same press twice")
	}
	if resp, err := r.svc.MarkDone(ctx, press("UANA", "a2"), bags); err != nil || resp.Changed {
		t.Errorf("a second press: %+v %v", resp, err)
	}
	resp, err = r.svc.Snooze(ctx, press("UANA", "a3"), webinar)
	if err != nil || !strings.Contains(replyText(resp), "Thu 3 Dec at 09:00") {
		t.Fatalf("snooze: %s %v", replyText(resp), err)
	}
	// The snoozed reminder comes at 09:00 Berlin on the 3rd; the overdue
	// one at 09:00 on the 4th, for the webinar only.
	if got := ids(r.claimDue(time.Date(2026, 12, 3, 8, 0, 0, 0, time.UTC))); len(got) != 1 || !strings.HasPrefix(got[0], "action:"+itoa(webinar)+":snoozed:") {
		t.Errorf("snoozed = %v", got)
	}
	if got, want := ids(r.claimDue(time.Date(2026, 12, 4, 8, 0, 0, 0, time.UTC))), []string{"action:" + itoa(webinar) + ":2026-12-03:overdue"}; !slices.Equal(got, want) {
		t.Errorf("overdue = %v, want %v", got, want)
	}
	if got := ids(r.claimDue(time.Date(2026, 12, 5, 8, 0, 0, 0, time.UTC))); len(got) != 0 {
		t.Errorf("reminded again: %v", got)
	}
	p, _ = r.svc.Plan(ctx, "T1", p.ID)
	if open := coach.OpenActions(p); len(open) != 2 || open[0].ID != webinar {
		t.Errorf("open actions = %+v", open)
	}
}

// TestDirectMessagesPickThePersonsPlan: in a direct message a person's
// command goes to the plan they last touched, or the one they name; values
// go into its open check-in.
func TestDirectMessagesPickThePersonsPlan(t *testing.T) {
	r := newReach(t)
	ctx := context.Background()
	p := r.plan("UANA")
	other, err := r.svc.Handle(ctx, coach.Request{Team: "T1", Channel: "C2", User: "UANA", Text: "new Spring", Now: t0.Add(time.Hour), Command: true})
	if err != nil {
		t.Fatal(err)
	}
	dm := func(key, text string, at time.Time) coach.Request {
		return coach.Request{Team: "T1", Channel: "DUANA", User: "UANA", Text: text, Now: at, Key: key}
	}
	a, err := r.svc.Direct(ctx, dm("d1", "status", t0.Add(2*time.Hour)))
	if err != nil || a.Plan.ID != other.Plan.ID || !strings.Contains(replyText(a), `About "Spring"`) {
		t.Fatalf("status picks %v: %s %v", a.Plan, replyText(a), err)
	}
	c := r.checkin(p, t0.Add(3*time.Hour))
	a, err = r.svc.Direct(ctx, dm("d2", "Q1: values visitors 12.4k", t0.Add(4*time.Hour)))
	if err != nil || a.Plan.ID != p.ID || a.Checkin.ID != c.ID || !strings.Contains(replyText(a), "Unique visitors 12.4k") {
		t.Fatalf("values: %+v %s %v", a.Checkin, replyText(a), err)
	}
	ms, _ := r.db.Measurements(ctx, "T1", p.ID)
	var inCheckin int
	for _, list := range ms {
		for _, m := range list {
			if m.Checkin == c.ID && m.By == "UANA" {
				inCheckin++
			}
		}
	}
	if inCheckin != 1 {
		t.Errorf("%d values in the check-in, want 1", inCheckin)
	}
	// Q1 is now the plan Ana touched last.
	if a, err := r.svc.Direct(ctx, dm("d3", "status", t0.Add(5*time.Hour))); err != nil || a.Plan.ID != p.ID {
		t.Errorf("after the values status picks %v, %v", a.Plan, err)
	}
	if _, err := r.svc.Direct(ctx, dm("d4", "new Q3", t0)); !errors.Is(err, flows.ErrBadInput) {
		t.Errorf("new in a direct message: %v", err)
	}
	if _, err := r.svc.Direct(ctx, coach.Request{Team: "T1", Channel: "DUZOE", User: "UZOE", Text: "status", Now: t0, Key: "d5"}); !errors.Is(err, flows.ErrNoPlan) {
		t.Errorf("someone in no plan: %v", err)
	}
	if _, err := r.svc.Direct(ctx, coach.Request{Team: "T2", Channel: "DUANA", User: "UANA", Text: "status", Now: t0, Key: "d6"}); !errors.Is(err, flows.ErrNoPlan) {
		t.Errorf("another workspace: %v", err)
	}
}

// TestAddAnswerFromAMessage: a message added with the shortcut is its
// author's answer, kept beside an answer the question has, once.
func TestAddAnswerFromAMessage(t *testing.T) {
	r := newReach(t)
	ctx := context.Background()
	p := r.plan()
	add := func(key, ts string) (coach.Response, error) {
		return r.svc.AddAnswer(ctx, coach.Request{Team: "T1", Channel: "C1", User: "UAUTHOR", Now: t0, Plan: p.ID, Key: key, TS: ts}, "USHARER", "reach.audience", "Mostly on LinkedIn.")
	}
	resp, err := add("s1", "500.1")
	if err != nil || !resp.Changed || !strings.Contains(replyText(resp), "USHARER added a message by UAUTHOR") {
		t.Fatalf("add: %s %v", replyText(resp), err)
	}
	if _, err := add("s2", "500.2"); err != nil {
		t.Fatal(err)
	}
	if _, err := add("s3", "500.1"); !errors.Is(err, flows.ErrBadInput) {
		t.Errorf("the same message twice: %v", err)
	}
	got, _ := r.svc.Plan(ctx, "T1", p.ID)
	a := got.Answers["reach.audience"]
	if a.By != "UAUTHOR" || a.Source != "C1/500.1" || len(a.Also) != 1 || a.Also[0].Source != "C1/500.2" {
		t.Errorf("answer = %+v", a)
	}
	if _, err := r.svc.AddAnswer(ctx, coach.Request{Team: "T1", Channel: "C9", User: "UAUTHOR", Now: t0, Plan: p.ID, Key: "s4", TS: "500.3"}, "USHARER", "reach.audience", "x"); !errors.Is(err, coach.ErrOtherChannel) {
		t.Errorf("from another channel: %v", err)
	}
}

// TestWatchersHearOfEveryChange: a change made any way reaches the
// watchers; a duplicate does not.
func TestWatchersHearOfEveryChange(t *testing.T) {
	r := newReach(t)
	var (
		mu    sync.Mutex
		heard []flows.PlanID
	)
	r.svc.Watch(func(team string, plan flows.PlanID) {
		mu.Lock()
		defer mu.Unlock()
		heard = append(heard, plan)
	})
	p := r.plan("UANA")
	mu.Lock()
	n := len(heard)
	mu.Unlock()
	if n != 2 {
		t.Errorf("heard %d changes creating a plan with a KPI, want 2", n)
	}
	ctx := context.Background()
	req := coach.Request{Team: "T1", Channel: "C1", User: "UANA", Now: t0, Plan: p.ID, Key: "v1"}
	for range 2 {
		if _, err := r.svc.Values(ctx, req, "visitors 9k"); err != nil {
			t.Fatal(err)
		}
	}
	r.checkin(p, t0)
	mu.Lock()
	defer mu.Unlock()
	if len(heard) != 4 || heard[3] != p.ID {
		t.Errorf("heard %v", heard)
	}
}

// TestActionReminderSentByAnOlderRacebotIsNotSentAgain: during a rolling
// deploy, a racebot from before due dates were in reminder keys sent
// Ana's due-tomorrow reminder; the new one does not send it again. Once
// the action's line is edited, its due date may have moved, and only a
// reminder of that date stands.
func TestActionReminderSentByAnOlderRacebotIsNotSentAgain(t *testing.T) {
	r := newReach(t)
	r.zones["UANA"] = zone(t, "Europe/Berlin")
	p := r.plan()
	ctx := context.Background()
	a := flows.Action{Stage: flows.StageReach, Text: "Send sample bags", Owner: "<@UANA>", Due: time.Date(2026, 12, 3, 0, 0, 0, 0, time.UTC), Impact: 4, Effort: 1, By: "UANA", At: t0, Source: "C1/1.5"}
	if err := r.db.Commit(ctx, p, []flows.Change{flows.ActionAdded{Action: a}}, ""); err != nil {
		t.Fatal(err)
	}
	p, _ = r.svc.Plan(ctx, "T1", p.ID)
	at := time.Date(2026, 12, 2, 8, 0, 0, 0, time.UTC)
	if _, _, err := r.db.ClaimReminder(ctx, "T1", "UANA", "action:"+itoa(p.Actions[0].ID)+":due", p.ID, at); err != nil {
		t.Fatal(err)
	}
	if got := r.claimDue(at); len(got) != 0 {
		t.Errorf("sent again: %+v", got)
	}
	if err := r.db.Commit(ctx, p, []flows.Change{flows.ActionRevised{Source: "C1/1.5", Text: a.Text, Owner: a.Owner, Due: time.Date(2026, 12, 4, 0, 0, 0, 0, time.UTC),
		Impact: 4, Effort: 1, Edited: at}}, ""); err != nil {
		t.Fatal(err)
	}
	if got := r.claimDue(time.Date(2026, 12, 3, 8, 0, 0, 0, time.UTC)); len(got) != 1 || got[0].Kind != flows.RemindDue {
		t.Errorf("reminders of the new due date: %+v", got)
	}
}
