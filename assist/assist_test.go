package assist

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/racebot/racebot/flows"
	"github.com/racebot/racebot/internal/openaifake"
	"github.com/racebot/racebot/prompts"
)

var t0 = time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)

func plan(t *testing.T, cat *flows.Catalogue, answers ...string) *flows.Plan {
	t.Helper()
	p := flows.NewPlan("T1", "C1", "Q1", "UANA", t0)
	p.ID = 7
	for _, a := range answers {
		out, err := flows.Step(cat, p, flows.Input{Text: a, User: "UANA", Now: t0})
		if err != nil {
			t.Fatal(err)
		}
		p = out.Plan
	}
	return p
}

func newAssistant(t *testing.T, srv *openaifake.Server) *Assistant {
	t.Helper()
	var model Model
	if srv != nil {
		model = prompts.NewClient(prompts.Config{BaseURL: srv.URL(), Model: "test-model", Timeout: 2 * time.Second, MaxRetries: -1}, nil)
	}
	a, err := New(flows.RACE(), model, nil)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func TestDraftFromModelIsGroundedAndCleaned(t *testing.T) {
	srv := openaifake.New(t, "Hey @channel and <@U123>: beans roasted to order, at your door in 48 hours.")
	a := newAssistant(t, srv)
	cat := flows.RACE()
	p := plan(t, cat, "Fernhill Coffee sells coffee subscriptions.")
	var deltas []string
	res := a.Draft(context.Background(), p, nil, flows.QuestionValueProposition, func(s string) { deltas = append(deltas, s) })
	if !res.FromModel {
		t.Fatalf("draft not from the model: %+v", res)
	}
	for _, bad := range []string{"@channel", "<@U123>", "<!"} {
		if strings.Contains(res.Text, bad) {
			t.Errorf("draft still contains %q: %q", bad, res.Text)
		}
	}
	if !strings.Contains(res.Text, "beans roasted to order") {
		t.Errorf("draft lost the model's words: %q", res.Text)
	}
	if len(deltas) < 2 {
		t.Errorf("got %d streamed updates, want the draft to arrive in pieces", len(deltas))
	}
	reqs := srv.Requests()
	if len(reqs) != 1 || !reqs[0].Stream || reqs[0].Model != "test-model" {
		t.Fatalf("requests = %+v", reqs)
	}
	user := reqs[0].Messages[len(reqs[0].Messages)-1].Content
	if !strings.Contains(user, "Fernhill Coffee sells coffee subscriptions.") {
		t.Error("the prompt does not carry the plan's earlier answers")
	}
}

func TestPrivacyKeepsPlanAwayFromModel(t *testing.T) {
	srv := openaifake.New(t, "a draft")
	a := newAssistant(t, srv)
	cat := flows.RACE()
	p := plan(t, cat, "Secret business.")
	p.Privacy = true
	d := a.Draft(context.Background(), p, nil, flows.QuestionValueProposition, nil)
	r := a.Review(context.Background(), p, nil, nil, t0, nil)
	if n := len(srv.Requests()); n != 0 {
		t.Fatalf("%d requests reached the model with privacy on", n)
	}
	if d.FromModel || !strings.Contains(d.Note, "private") || !strings.Contains(d.Text, "A head start") {
		t.Errorf("draft = %+v", d)
	}
	if r.FromModel || !strings.Contains(r.Text, "built-in checks") {
		t.Errorf("review = %+v", r)
	}
}

func TestModelFailuresFallBackToTheOfflineCoach(t *testing.T) {
	cat := flows.RACE()
	p := plan(t, cat, "Coffee.")
	tests := []struct {
		name  string
		setup func(*openaifake.Server)
		reply string
		note  string
	}{
		{"server error", func(s *openaifake.Server) { s.Fail(500) }, "x", "not answering"},
		{"bad key", func(s *openaifake.Server) { s.Fail(401) }, "x", "API key"},
		{"timeout", func(s *openaifake.Server) { s.Delay(5 * time.Second) }, "x", "not answering"},
		{"empty reply", func(*openaifake.Server) {}, "   ", "empty or garbled"},
		{"only mentions", func(*openaifake.Server) {}, "<!channel>", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := openaifake.New(t, tt.reply)
			tt.setup(srv)
			res := newAssistant(t, srv).Draft(context.Background(), p, nil, flows.QuestionValueProposition, nil)
			if strings.Contains(res.Text, "<!channel>") {
				t.Fatalf("mention reached the draft: %q", res.Text)
			}
			if tt.note == "" {
				return
			}
			if res.FromModel || !strings.Contains(res.Note, tt.note) || !strings.Contains(res.Text, "A head start") {
				t.Errorf("result = %+v, want the offline draft with a note about %q", res, tt.note)
			}
		})
	}
}

func TestOfflineReviewFindsGapsAndQuickWins(t *testing.T) {
	a := newAssistant(t, nil)
	cat := flows.RACE()
	p := plan(t, cat, "Coffee.", "done", "Add reviews | impact 5 | effort 1", "Rebuild site | Ana | 2027-06-01 | impact 3 | effort 5")
	res := a.Review(context.Background(), p, nil, nil, t0, nil)
	for _, want := range []string{"Plan: question 2, 3", "one short line", "Reach has no KPI yet", `"Add reviews" has no owner or due date`, "Not enough information", "• Add reviews (impact 5, effort 1)"} {
		if !strings.Contains(res.Text, want) {
			t.Errorf("review lacks %q:\n%s", want, res.Text)
		}
	}
}

func TestKPISuggestionsAndCheckinSummary(t *testing.T) {
	cat := flows.RACE()
	p := plan(t, cat, "Coffee subscriptions.")
	offline := newAssistant(t, nil).SuggestKPIs(context.Background(), p, nil, flows.StageReach, nil)
	if offline.FromModel || !strings.Contains(offline.Text, "`visitors`") {
		t.Errorf("offline suggestions = %+v", offline)
	}
	srv := openaifake.New(t, "- Unique visitors [visitors]: +20% in 90 days. <!here>")
	a := newAssistant(t, srv)
	got := a.SuggestKPIs(context.Background(), p, nil, flows.StageReach, nil)
	if !got.FromModel || strings.Contains(got.Text, "<!here>") || !strings.Contains(got.Text, "+20% in 90 days") {
		t.Errorf("model suggestions = %+v", got)
	}
	user := srv.Requests()[0].Messages[1].Content
	if !strings.Contains(user, "Unique visitors") || !strings.Contains(user, "Coffee subscriptions.") {
		t.Error("the KPI prompt lacks the catalogue KPIs or the plan's answers")
	}
	k, err := flows.ParseKPILine(cat, flows.StageReach, "visitors | baseline 8k | target 20k | by 2027-03-31 | owner Ana", t0)
	if err != nil {
		t.Fatal(err)
	}
	k.ID = 1
	s := flows.SummarizeCheckin([]flows.KPI{k}, map[int64][]flows.Measurement{1: {{KPI: 1, Value: flows.Value{Amount: 9000, Unit: flows.UnitCount}, At: t0, Checkin: 5}}}, 5, t0)
	sum := a.SummarizeCheckin(context.Background(), p, nil, s)
	if !sum.FromModel || len(srv.Requests()) != 2 {
		t.Errorf("summary = %+v after %d requests", sum, len(srv.Requests()))
	}
	nobody := a.SummarizeCheckin(context.Background(), p, nil, flows.SummarizeCheckin([]flows.KPI{k}, nil, 6, t0))
	if nobody.FromModel || !strings.Contains(nobody.Text, "nobody answered") || len(srv.Requests()) != 2 {
		t.Errorf("a check-in nobody answered went to the model: %+v", nobody)
	}
}

// testNames names people and channels for a prompt, as the Slack
// transport's users.info cache does.
type testNames map[string]string

func (n testNames) UserName(id string) (string, bool)    { name, ok := n[id]; return name, ok }
func (n testNames) ChannelName(id string) (string, bool) { name, ok := n[id]; return name, ok }

// TestPromptsCarryPlainText: the team's text is kept in Slack's encoding;
// the model reads it as a person in Slack would, with names for mentions
// and links spelled out, never ids or entities.
func TestPromptsCarryPlainText(t *testing.T) {
	srv := openaifake.New(t, "A draft.")
	a := newAssistant(t, srv)
	cat := flows.RACE()
	p := plan(t, cat, "We sell with <@UBEN> via <https://shop.example|our shop> in <#C9>: R&amp;D &lt;3")
	p.Name = "Q1 &amp; <@UBEN>"
	names := testNames{"UBEN": "Ben", "C9": "launch"}
	ctx := context.Background()
	a.Draft(ctx, p, names, flows.QuestionValueProposition, nil)
	a.Review(ctx, p, names, []flows.KPI{{Key: "visitors", Name: "Visitors &amp; fans", Stage: flows.StageReach, Unit: flows.UnitCount, Owner: "<@UBEN>"}}, t0, nil)
	a.SuggestKPIs(ctx, p, names, flows.StageReach, nil)
	reqs := srv.Requests()
	if len(reqs) != 3 {
		t.Fatalf("%d requests, want 3", len(reqs))
	}
	for i, r := range reqs {
		var prompt strings.Builder
		for _, m := range r.Messages {
			prompt.WriteString(m.Content + "\n")
		}
		got := prompt.String()
		for _, want := range []string{"We sell with @Ben via our shop (https://shop.example) in #launch: R&D ‹3", "Q1 & @Ben"} {
			if !strings.Contains(got, want) {
				t.Errorf("request %d lacks %q:\n%s", i, want, got)
			}
		}
		for _, bad := range []string{"UBEN", "&amp;", "&lt;", "C9"} {
			if strings.Contains(got, bad) {
				t.Errorf("request %d contains %q:\n%s", i, bad, got)
			}
		}
		if i == 1 && (!strings.Contains(got, "Visitors & fans") || !strings.Contains(got, "@Ben")) {
			t.Errorf("review request lacks the KPI's plain name and owner:\n%s", got)
		}
	}
}

// The built-in coach's drafts and KPI suggestions follow the plan's kind of
// business, and so does what the model is shown.
func TestSuggestionsFollowTheKind(t *testing.T) {
	cat := flows.RACE()
	p := plan(t, cat, "Booking software for dental practices, sold per location after a free trial.")
	if p.Kind != flows.KindSaaS {
		t.Fatalf("kind = %q", p.Kind)
	}
	offline := newAssistant(t, nil)
	kpis := offline.SuggestKPIs(context.Background(), p, nil, flows.StageEngage, nil)
	for _, want := range []string{"`churn-rate`", "`time-to-first-value`", "B2B SaaS"} {
		if !strings.Contains(kpis.Text, want) {
			t.Errorf("offline KPI suggestions lack %q: %s", want, kpis.Text)
		}
	}
	if strings.Contains(kpis.Text, "`mentions`") {
		t.Errorf("offline KPI suggestions for B2B SaaS list brand mentions: %s", kpis.Text)
	}
	d := offline.Draft(context.Background(), p, nil, "reach.audience", nil)
	if !strings.Contains(d.Text, "A worked example from Chairside: "+flows.ExampleFor(cat, "reach.audience", flows.KindSaaS)) {
		t.Errorf("offline draft = %s", d.Text)
	}

	srv := openaifake.New(t, "- Churn rate [churn-rate]: 2% to 1.5% a month.")
	a := newAssistant(t, srv)
	a.SuggestKPIs(context.Background(), p, nil, flows.StageEngage, nil)
	a.Draft(context.Background(), p, nil, "reach.audience", nil)
	reqs := srv.Requests()
	if len(reqs) != 2 {
		t.Fatalf("%d requests", len(reqs))
	}
	if user := reqs[0].Messages[len(reqs[0].Messages)-1].Content; !strings.Contains(user, "Churn rate") || strings.Contains(user, "Brand mentions") {
		t.Errorf("the KPI prompt does not follow the kind:\n%s", user)
	}
	if user := reqs[1].Messages[len(reqs[1].Messages)-1].Content; !strings.Contains(user, "Practice managers like Claire") {
		t.Errorf("the draft prompt's example is not the kind's:\n%s", user)
	}
}

// TestModelIsToldTheTargetsPeriod: a target of 240k visitors a year goes
// to the model with its period, in the review and in the check-in
// summary, so that it does not weigh a month's 9,000 against 240k as if
// both were counted over the same span, nor tell the team a bare 240k.
func TestModelIsToldTheTargetsPeriod(t *testing.T) {
	cat := flows.RACE()
	p := plan(t, cat, "Coffee subscriptions.")
	srv := openaifake.New(t, "On track.")
	a := newAssistant(t, srv)
	k, err := flows.ParseKPILine(cat, flows.StageReach, "visitors | baseline 96k | target 240k a year | by 2027-12-31 | owner Ana", t0)
	if err != nil {
		t.Fatal(err)
	}
	k.ID = 1
	a.Review(context.Background(), p, nil, []flows.KPI{k}, t0, nil)
	s := flows.SummarizeCheckin([]flows.KPI{k}, map[int64][]flows.Measurement{1: {{KPI: 1, Value: flows.Value{Amount: 9000, Unit: flows.UnitCount}, At: t0, Checkin: 5}}}, 5, t0)
	a.SummarizeCheckin(context.Background(), p, nil, s)
	reqs := srv.Requests()
	if len(reqs) != 2 {
		t.Fatalf("%d requests, want 2", len(reqs))
	}
	for i, name := range []string{"review", "check-in summary"} {
		var prompt strings.Builder
		for _, m := range reqs[i].Messages {
			prompt.WriteString(m.Content + "\n")
		}
		if got := prompt.String(); !strings.Contains(got, "target 240k a year") {
			t.Errorf("the %s prompt gives the target without its period:\n%s", name, got)
		}
	}
}
