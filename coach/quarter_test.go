package coach_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/racebot/racebot/coach"
	"github.com/racebot/racebot/flows"
	"github.com/racebot/racebot/internal/testdb"
)

// quarterScript is a quarter of a plan's life: set up, four check-ins
// with values and action updates, a retro, a capability rating, and the
// next quarter's plan started from this one.
//
// Lines are "user: text" for the plan's conversation, "user@checkin:
// text" for the latest check-in's thread and "user@retro: text" for the
// latest retro's; "(checkin)" opens a check-in, "(+Nd)" moves the clock.
var quarterScript = []string{
	"ana: /race new Q1 Launch",
	"ana: Fernhill Coffee roasts speciality beans and sells them by subscription, online and at a Saturday market stall.",
	"ana: Beans roasted to order and at the door within 48 hours, with a recipe for the brewer you own.",
	"ana: done",
	"ana: Webinar series on home brewing | Ana | in 4 weeks | impact 4 | effort 3",
	"ana: done",
	"ana: done",
	"priya: Guest posts on two brewing blogs | Priya | in 6 weeks | impact 3 | effort 2",
	"ana: done",
	"ana: visitors | baseline 8k | target 20k | by 2027-03-31 | owner Ana",
	"ana: done",
	"ana: done",
	"ana: done",
	"ana: lead-rate | baseline 1.5% | target 2.5% | by 2027-03-31 | owner Priya",
	"ana: bounce-rate | baseline 60% | target 45% | by 2027-03-31 | owner Priya",
	"ana: done",
	"ana: done",
	"ben: Cart recovery emails | Ben | in 8 weeks | impact 5 | effort 2",
	"ben: done",
	"ben: revenue | baseline $5,000 | target $9,000 | by 2027-03-31 | owner Ben",
	"ben: done",
	"(checkin)",
	"ana@checkin: visitors 11.2k, bounce rate 58%",
	"priya@checkin: lead rate 1.7%",
	"(+28d)",
	"(checkin)",
	"ana@checkin: visitors 14.9k\ndone: webinar series",
	"ben@checkin: revenue $6,400\ndoing: cart recovery",
	"(+28d)",
	"(checkin)",
	"priya@checkin: lead rate 2.1%, bounce rate 47%\ndone: guest posts",
	"ben@checkin: done: 9",
	"(+28d)",
	"(checkin)",
	"ana@checkin: visitors 21.3k, bounce rate 44%",
	"ben@checkin: revenue $8,150",
	"ana: /race actions",
	"ana: /race retro",
	"ana@retro: The webinar series: half of the new leads came from it.",
	"ben@retro: worked: Reviews on the product pages helped the cart.",
	"ben@retro: Cart emails started too late to move revenue.",
	"priya@retro: Start cart emails in week one; one webinar a month.",
	"ana: /race score plan 3, reach 3, act 3, convert 2, engage 3",
	"(+3d)",
	`ana: /race new Q2 Plan --from "Q1 Launch"`,
	"ana: keep",
	"ben: Roasted to order, at the door in 48 hours, and now a recipe card for every brewer.",
	"ana: status",
	"ben: /race score 3 3 3 3 2",
}

func TestTranscriptQuarter(t *testing.T) {
	golden(t, "quarter.transcript", quarterTranscript(t, quarterScript))
}

func quarterTranscript(t *testing.T, script []string) string {
	t.Helper()
	ctx := context.Background()
	db := testdb.Open(t)
	svc := coach.New(coach.Config{Catalogue: flows.RACE(), Store: db})
	now := time.Date(2027, 1, 4, 9, 0, 0, 0, time.UTC)
	var (
		b       strings.Builder
		checkin int64
		retro   int64
		plan    flows.PlanID
		n       int
	)
	say := func(resp coach.Response, err error) {
		if err != nil {
			fmt.Fprintf(&b, "< (error) %s\n", flows.Explain(err))
			return
		}
		for _, r := range resp.Replies {
			fmt.Fprintf(&b, "< %s\n", strings.ReplaceAll(r.Msg.String(), "\n", "\n  "))
		}
		if resp.Retro != 0 {
			retro = resp.Retro
		}
		if resp.Plan != nil {
			plan = resp.Plan.ID
		}
	}
	for _, line := range script {
		n++
		now = now.Add(time.Minute)
		if d, ok := strings.CutPrefix(line, "(+"); ok {
			var days int
			fmt.Sscanf(d, "%dd)", &days)
			now = now.AddDate(0, 0, days)
			fmt.Fprintf(&b, "(%s)\n", now.Format("Mon 2 Jan 2006"))
			continue
		}
		if line == "(checkin)" {
			v, err := svc.OpenCheckin(ctx, "T1", plan, fmt.Sprintf("occ-%d", n), false, now)
			if err != nil {
				t.Fatal(err)
			}
			checkin = v.Checkin.ID
			opening := flows.OpeningText(v.Plan.Name, v.Plan.KPIs, v.Values, false, 0)
			if due := flows.ActionsDueText(v.Plan.ActionsDue(now.AddDate(0, 0, 7)), now); len(due) > 0 {
				opening = flows.Lines(opening, due)
			}
			fmt.Fprintf(&b, "(check-in %s)\n< %s\n", now.Format("2 Jan"), strings.ReplaceAll(opening.String(), "\n", "\n  "))
			continue
		}
		who, text, _ := strings.Cut(line, ": ")
		user, where, _ := strings.Cut(who, "@")
		fmt.Fprintf(&b, "> %s: %s\n", who, strings.ReplaceAll(text, "\n", "\n  "))
		req := coach.Request{Team: "T1", Channel: "C1", User: user, Text: text, Now: now, Key: fmt.Sprintf("k%d", n)}
		switch where {
		case "checkin":
			req.Plan, req.Checkin = plan, checkin
			say(svc.CheckinReply(ctx, req, text))
		case "retro":
			say(svc.RetroReply(ctx, req, retro, text))
		default:
			say(svc.Handle(ctx, req))
		}
	}
	return b.String()
}

// TestRetroRepliesFollowThePromptTheySaw: two people answer the first
// question at once; both answers go under it, and the second question is
// asked once.
func TestRetroRepliesFollowThePromptTheySaw(t *testing.T) {
	ctx := context.Background()
	db := testdb.Open(t)
	svc := coach.New(coach.Config{Catalogue: flows.RACE(), Store: db})
	id, req := askingFirstRetroQuestion(t, svc)
	first, err := svc.RetroReply(ctx, req("ana", "Webinars.", "e1", "1000.000300"), id, "Webinars.")
	if err != nil {
		t.Fatal(err)
	}
	if last := first.Replies[len(first.Replies)-1]; last.Kind != flows.ReplyRetroQuestion || last.QuestionID != "didnt" {
		t.Fatalf("after the first answer: %+v", first.Replies)
	}
	// Ben wrote before the second question was posted: his answer is to
	// the first, and asks nothing more.
	second, err := svc.RetroReply(ctx, req("ben", "Reviews.", "e2", "1000.000400"), id, "Reviews.")
	if err != nil {
		t.Fatal(err)
	}
	if len(second.Replies) != 1 || !strings.Contains(second.Replies[0].Msg.String(), "What worked") {
		t.Errorf("co-answer replies = %+v", second.Replies)
	}
	// Slack delivers Ben's reply again: nothing is added.
	again, err := svc.RetroReply(ctx, req("ben", "Reviews.", "e2", "1000.000400"), id, "Reviews.")
	if err != nil || !again.Duplicate {
		t.Errorf("redelivery = %+v, %v", again, err)
	}
	r, err := svc.Retro(ctx, "T1", id)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Answers) != 2 || r.Answers[0].Question != "worked" || r.Answers[1].Question != "worked" || r.Answers[1].Source != "C1/1000.000400" {
		t.Errorf("answers = %+v", r.Answers)
	}
	if _, err := svc.RetroReply(ctx, req("ben", "  ", "e3", ""), id, "  "); !errors.Is(err, flows.ErrBadInput) {
		t.Errorf("empty answer: %v", err)
	}
	if _, err := svc.RetroReply(ctx, coach.Request{Team: "T2", User: "x", Text: "hi", Now: req("x", "", "", "").Now}, id, "hi"); !errors.Is(err, flows.ErrNoRetro) {
		t.Errorf("another workspace answered: %v", err)
	}
}

// TestCapabilityReminderRidesTheFirstCheckinOfAQuarter: of a quarter's
// check-ins, only the first carries the reminder; a retry of it carries it
// again; a check-in run by hand never does; a new quarter starts afresh.
func TestCapabilityReminderRidesTheFirstCheckinOfAQuarter(t *testing.T) {
	ctx := context.Background()
	db := testdb.Open(t)
	svc := coach.New(coach.Config{Catalogue: flows.RACE(), Store: db})
	jan := time.Date(2027, 1, 4, 9, 0, 0, 0, time.UTC)
	resp, err := svc.Handle(ctx, coach.Request{Team: "T1", Channel: "C1", User: "ana", Text: "/race new Q1", Now: jan})
	if err != nil {
		t.Fatal(err)
	}
	due := func(occ string, at time.Time) bool {
		t.Helper()
		ok, err := svc.CapabilityReminderDue(ctx, "T1", resp.Plan.ID, occ, at)
		if err != nil {
			t.Fatal(err)
		}
		return ok
	}
	if !due("2027-01-04T09:00", jan) {
		t.Error("the quarter's first check-in carries no reminder")
	}
	if !due("2027-01-04T09:00", jan.Add(time.Minute)) {
		t.Error("a retry of the first check-in lost the reminder")
	}
	if due("2027-01-11T09:00", jan.AddDate(0, 0, 7)) || due("", jan) {
		t.Error("a later or hand-run check-in carries the reminder")
	}
	apr := time.Date(2027, 4, 5, 9, 0, 0, 0, time.UTC)
	if _, err := svc.Handle(ctx, coach.Request{Team: "T1", Channel: "C1", User: "ana", Text: "/race score 3 3 3 3 3", Now: apr}); err != nil {
		t.Fatal(err)
	}
	if due("2027-04-05T09:00", apr.Add(time.Hour)) {
		t.Error("a team that rated itself this quarter is reminded")
	}
	if !due("2027-07-05T09:00", apr.AddDate(0, 3, 0)) {
		t.Error("the next quarter carries no reminder")
	}
}

// TestCheckinReplyRecordsEachPartOnce: a reply with values and an action
// update is recorded once however often Slack delivers it, and bad input
// in it changes nothing.
func TestCheckinReplyRecordsEachPartOnce(t *testing.T) {
	ctx := context.Background()
	db := testdb.Open(t)
	svc := coach.New(coach.Config{Catalogue: flows.RACE(), Store: db})
	now := time.Date(2027, 1, 4, 9, 0, 0, 0, time.UTC)
	for i, line := range []string{"/race new Q1", "done", "Webinar series | Ana | in 2 weeks | impact 4 | effort 3", "done", "done", "done", "visitors | baseline 8k | target 20k | by 2027-03-31 | owner Ana"} {
		if _, err := svc.Handle(ctx, coach.Request{Team: "T1", Channel: "C1", User: "ana", Text: line, Now: now, Key: fmt.Sprint("setup", i)}); err != nil {
			t.Fatalf("%q: %v", line, err)
		}
	}
	p, err := db.PlanByName(ctx, "T1", "C1", "Q1")
	if err != nil {
		t.Fatal(err)
	}
	v, err := svc.OpenCheckin(ctx, "T1", p.ID, "occ-1", false, now)
	if err != nil {
		t.Fatal(err)
	}
	req := coach.Request{Team: "T1", Channel: "C1", User: "ana", Now: now, Plan: p.ID, Checkin: v.Checkin.ID, Key: "Ev1"}
	if _, err := svc.CheckinReply(ctx, req, "visitors 12k\ndone: nothing like it"); !errors.Is(err, flows.ErrBadInput) {
		t.Fatalf("unknown action: %v", err)
	}
	for range 2 {
		if _, err := svc.CheckinReply(ctx, req, "visitors 12k\ndone: webinar"); err != nil {
			t.Fatal(err)
		}
	}
	ms, _ := db.Measurements(ctx, "T1", p.ID)
	got, _ := db.Plan(ctx, "T1", p.ID)
	if n := len(ms[got.KPIs[0].ID]); n != 1 || got.Actions[0].State() != flows.ActionDone {
		t.Errorf("after two deliveries: %d values, action %s", n, got.Actions[0].State())
	}
	if _, err := svc.Handle(ctx, coach.Request{Team: "T1", Channel: "C1", User: "ana", Text: `/race new Q2 --from "Q9"`, Now: now}); !errors.Is(err, flows.ErrNoPlan) {
		t.Errorf("--from a plan that does not exist: %v", err)
	}
}

// askingFirstRetroQuestion opens the retro of a new plan Q1 in C1, posted
// and asking its first question, and returns it with a maker of requests
// in C1 at the retro's time.
func askingFirstRetroQuestion(t *testing.T, svc *coach.Service) (int64, func(user, text, key, ts string) coach.Request) {
	t.Helper()
	id, req := postedRetro(t, svc)
	if err := svc.RetroAsked(context.Background(), "T1", id, "worked", "1000.000200"); err != nil {
		t.Fatal(err)
	}
	return id, req
}

// postedRetro opens a retro of plan Q1 in C1 whose report is posted at
// 1000.000100, with no question recorded as asked yet.
func postedRetro(t *testing.T, svc *coach.Service) (int64, func(user, text, key, ts string) coach.Request) {
	t.Helper()
	ctx := context.Background()
	now := time.Date(2027, 3, 29, 9, 0, 0, 0, time.UTC)
	req := func(user, text, key, ts string) coach.Request {
		return coach.Request{Team: "T1", Channel: "C1", User: user, Text: text, Now: now, Key: key, TS: ts}
	}
	if _, err := svc.Handle(ctx, req("ana", "/race new Q1", "new", "")); err != nil {
		t.Fatal(err)
	}
	opened, err := svc.Handle(ctx, req("ana", "/race retro", "retro", ""))
	if err != nil {
		t.Fatal(err)
	}
	id := opened.Retro
	if err := svc.RetroPosted(ctx, "T1", id, "1000.000100"); err != nil {
		t.Fatal(err)
	}
	return id, req
}

// TestNewPlanFromKeepsEachKPIsPeriod: Q1 counted leads per week and
// revenue over the plan. Q2, started from it, counts them the same way:
// a weekly target carried over as a plain one would be compared per
// month next quarter.
func TestNewPlanFromKeepsEachKPIsPeriod(t *testing.T) {
	ctx := context.Background()
	svc, db := newService(t, nil)
	startPlan(t, svc, db)
	for stage, line := range map[flows.StageID]string{
		flows.StageAct:     "leads | baseline 200 per week | target 300 per week | by 2027-03-31 | owner <@U1>",
		flows.StageConvert: "revenue | baseline $20k | target $60k | over the plan | by 2027-03-31 | owner <@U1>",
	} {
		if _, err := svc.SetKPI(ctx, req("kpi-"+string(stage), ""), stage, line); err != nil {
			t.Fatal(err)
		}
	}
	r := req("q2", `new "Q2 Plan" --from "Q1"`)
	r.Command = true
	if _, err := svc.Handle(ctx, r); err != nil {
		t.Fatal(err)
	}
	q2, err := db.PlanByName(ctx, "T1", "C1", "Q2 Plan")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]flows.Period{"visitors": flows.PeriodMonth, "leads": flows.PeriodWeek, "revenue": flows.PeriodPlan}
	for _, k := range q2.KPIs {
		if k.Per() != want[k.Key] {
			t.Errorf("%s carried over counted per %q, want per %q", k.Name, k.Per(), want[k.Key])
		}
	}
	if len(q2.KPIs) != len(want) {
		t.Errorf("%d KPIs carried over, want %d", len(q2.KPIs), len(want))
	}
}

// TestAYearlyTargetIsKeptAsAYears: Ana sets visitors per year. The coach
// says it back as a year's and keeps the period, so the funnel and a plan
// started from this one count it as she meant.
func TestAYearlyTargetIsKeptAsAYears(t *testing.T) {
	ctx := context.Background()
	svc, db := newService(t, nil)
	p := startPlan(t, svc, db)
	resp, err := svc.SetKPI(ctx, req("kpi-year", ""), flows.StageReach, "visitors | baseline 96k | target 240k per year | by 2027-12-31 | owner <@U1>")
	if err != nil {
		t.Fatalf("a yearly target refused: %s", flows.Explain(err))
	}
	if said := resp.Replies[0].Msg.String(); !strings.Contains(said, "240k a year") {
		t.Errorf("said back as %q", said)
	}
	p, err = db.Plan(ctx, "T1", p.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got := p.KPIs[0].Per(); got != flows.PeriodYear {
		t.Errorf("kept counted per %q, want per year", got)
	}
}
