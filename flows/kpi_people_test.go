package flows_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/racebot/racebot/flows"
)

// setKPI replies with a KPI line in the stage's KPI step, as a team does in
// its thread, and returns the plan and what the coach said, or the error.
func setKPI(t *testing.T, p *flows.Plan, stage flows.StageID, line string) (*flows.Plan, string, error) {
	t.Helper()
	return setKPIAs(t, p, stage, line, "U1")
}

// setKPIAs is setKPI by user.
func setKPIAs(t *testing.T, p *flows.Plan, stage flows.StageID, line, user string) (*flows.Plan, string, error) {
	t.Helper()
	cat := flows.RACE()
	si, _ := cat.Stage(string(stage))
	p = flows.OpenKPIs(cat, p, si, flows.Input{User: user, Now: kpiNow}).Plan
	out, err := flows.Step(cat, p, flows.Input{Text: line, User: user, Now: kpiNow})
	if err != nil {
		return p, "", err
	}
	var b strings.Builder
	for _, r := range out.Replies {
		b.WriteString(r.Msg.String())
	}
	return out.Plan, b.String(), nil
}

func TestKPIsPeopleUse(t *testing.T) {
	tests := []struct {
		name   string
		stage  flows.StageID
		line   string
		key    string
		higher bool
		said   []string
	}{
		{
			// Once refused with "for first-90-day churn higher is better;
			// aim above 9%".
			name: "custom churn from 9% to 5%", stage: flows.StageEngage,
			line: "custom: first-90-day churn (percent) | baseline 9% | target 5% | by 2027-03-31 | owner Ana",
			key:  "first-90-day-churn",
			said: []string{"KPI set: first-90-day churn from 9% to 5% by 31 Mar 2027, owner Ana; lower is better, read from your target below the baseline."},
		},
		{
			name: "catalogue churn", stage: flows.StageEngage,
			line: "churn | baseline 2% | target 1.5% | per month | by 2027-03-31 | owner Hannah",
			key:  "churn-rate",
			said: []string{"KPI set: Churn rate from 2% to 1.5% a month by 31 Mar 2027, owner Hannah; lower is better."},
		},
		{
			name: "cost per lead", stage: flows.StageAct,
			line: "cost per lead | baseline $40 | target $30 | by 2027-03-31 | owner Leah",
			key:  "cost-per-lead", said: []string{"lower is better."},
		},
		{
			name: "CPA", stage: flows.StageConvert,
			line: "CPA | baseline $25 | target $18 | by 2027-03-31 | owner Ana",
			key:  "cost-per-acquisition", said: []string{"Cost per acquisition from $25 to $18"},
		},
		{
			name: "CAC", stage: flows.StageConvert,
			line: "CAC | baseline £400 | target £320 | by 2027-03-31 | owner Rhys",
			key:  "customer-acquisition-cost", said: []string{"Customer acquisition cost from £400 to £320"},
		},
		{
			name: "unsubscribe rate", stage: flows.StageEngage,
			line: "unsubscribes | baseline 0.6% | target 0.3% | by 2027-03-31 | owner Grace",
			key:  "unsubscribe-rate", said: []string{"lower is better."},
		},
		{
			name: "time to first value, in days", stage: flows.StageEngage,
			line: "time to first value | baseline 21 days | target 10 days | by 2027-03-31 | owner Hannah",
			key:  "time-to-first-value", said: []string{"from 21d to 10d"},
		},
		{
			name: "bounce rate", stage: flows.StageAct,
			line: "bounce rate | baseline 62% | target 45% | by 2027-03-31 | owner Priya",
			key:  "bounce-rate", said: []string{"lower is better."},
		},
		{
			name: "custom cost without a baseline reads lower from its name", stage: flows.StageAct,
			line: "custom: cost per demo (currency) | target $80 | by 2027-03-31 | owner Leah",
			key:  "cost-per-demo",
			said: []string{"lower is better, read from its name (write `(higher is better)` after the name if more is the goal)"},
		},
		{
			name: "custom churn going up is read as the team wrote it, with a warning", stage: flows.StageEngage,
			line: "custom: churn saves (count) | baseline 10 | target 25 | by 2027-03-31 | owner Ana",
			key:  "churn-saves", higher: true,
			said: []string{"⚠️ Your target above the baseline reads as higher is better"},
		},
		{
			name: "written direction wins", stage: flows.StageEngage,
			line: "custom: complaints (count, higher is better) | baseline 10 | target 5 | by 2027-03-31 | owner Ana",
		},
		{
			name: "custom count going up", stage: flows.StageReach,
			line: "custom: webinar sign-ups (count) | baseline 50 | target 200 | by 2027-03-31 | owner Priya",
			key:  "webinar-sign-ups", higher: true,
			said: []string{"KPI set: webinar sign-ups from 50 to 200 by 31 Mar 2027, owner Priya."},
		},
		{
			name: "a period after the value", stage: flows.StageReach,
			line: "visitors | baseline 8k a month | target 20k a month | by 2027-03-31 | owner Priya",
			key:  "visitors", higher: true,
			said: []string{"KPI set: Unique visitors from 8,000 to 20k a month by 31 Mar 2027, owner Priya."},
		},
		{
			name: "the catalogue's period, said", stage: flows.StageAct,
			line: "leads | baseline 150 | target 250 | by end of March | owner Priya",
			key:  "leads", higher: true,
			said: []string{"Counted per month; add `per week` or `over the plan` to the line if not."},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := flows.NewPlan("T", "C", "P", "U1", kpiNow)
			p, said, err := setKPI(t, p, tt.stage, tt.line)
			if tt.key == "" {
				// "written direction wins": a target below the baseline of a
				// KPI said to be higher-is-better is refused, as before.
				if err == nil || !strings.Contains(flows.Explain(err).String(), "but for complaints higher is better; aim above 10.") {
					t.Fatalf("err = %v, want the target refused", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("SetKPI: %v", flows.Explain(err))
			}
			k, ok := flows.KPIByKey(p.KPIs, tt.key)
			if !ok {
				t.Fatalf("no KPI %q in %+v", tt.key, p.KPIs)
			}
			if k.HigherIsBetter != tt.higher {
				t.Errorf("HigherIsBetter = %v, want %v", k.HigherIsBetter, tt.higher)
			}
			for _, w := range tt.said {
				if !strings.Contains(said, w) {
					t.Errorf("said %q, want %q", said, w)
				}
			}
		})
	}
}

func TestKPIRefusals(t *testing.T) {
	tests := []struct {
		name, line string
		stage      flows.StageID
		want       string
	}{
		{"a 150% lead rate", "lead rate | baseline 2% | target 150% | by 2027-03-31 | owner Priya", flows.StageAct,
			"A target of 150% can't be right: lead conversion rate is a share, and a share can't pass 100%."},
		{"a 120% baseline", "bounce rate | baseline 120% | target 45% | by 2027-03-31 | owner Priya", flows.StageAct,
			"A baseline of 120% can't be right"},
		{"an owner of ???", "visitors | baseline 8k | target 20k | by 2027-03-31 | ???", flows.StageReach,
			`"???" doesn't look like a person`},
		{"an owner of yesterday", "visitors | baseline 8k | target 20k | by 2027-03-31 | owner yesterday", flows.StageReach,
			`"yesterday" is a date, not a person`},
		{"a bare month", "visitors | baseline 8k | target 20k | March | owner Ana", flows.StageReach,
			`I couldn't read the date "March"`},
		{"two periods", "visitors | baseline 2k a week | target 20k a month | by 2027-03-31 | owner Ana", flows.StageReach,
			"give two periods"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := flows.NewPlan("T", "C", "P", "U1", kpiNow)
			_, _, err := setKPI(t, p, tt.stage, tt.line)
			if err == nil {
				t.Fatal("saved, want it refused")
			}
			if !errors.Is(err, flows.ErrBadInput) || !strings.Contains(flows.Explain(err).String(), tt.want) {
				t.Errorf("error %q, want %q", flows.Explain(err).String(), tt.want)
			}
		})
	}
	// A growth rate may pass 100%.
	p := flows.NewPlan("T", "C", "P", "U1", kpiNow)
	if _, _, err := setKPI(t, p, flows.StageConvert, "custom: revenue growth (percent) | baseline 40% | target 120% | by 2027-03-31 | owner Ben"); err != nil {
		t.Errorf("growth of 120%% refused: %v", flows.Explain(err))
	}
}

// TestReplacingAnotherPersonsKPISaysWhose: Ben sets the visitors target a
// moment after Ana set hers, perhaps without seeing it: the thread hears
// that he replaced Ana's.
func TestReplacingAnotherPersonsKPISaysWhose(t *testing.T) {
	p := flows.NewPlan("T", "C", "P", "UANA", kpiNow)
	p, _, err := setKPIAs(t, p, flows.StageReach, "visitors | baseline 8k | target 20k | by 2027-03-31 | owner Ana", "UANA")
	if err != nil {
		t.Fatal(err)
	}
	_, said, err := setKPIAs(t, p, flows.StageReach, "visitors | baseline 8k | target 30k | by 2027-03-31 | owner Ana", "UBEN")
	if err != nil {
		t.Fatal(err)
	}
	if want := "Replaced UANA's unique visitors target (was 20k a month by 31 Mar)."; !strings.Contains(said, want) {
		t.Errorf("said %q, want %q", said, want)
	}
}

// TestSettingACarriedKPIByAnotherNamesNoOne: Ana starts Q2 from Q1, whose
// visitors KPI comes along without a target; Ben gives it one. Ana set no
// target, so none of hers was replaced.
func TestSettingACarriedKPIByAnotherNamesNoOne(t *testing.T) {
	old := flows.NewPlan("T", "C", "Q1", "UANA", kpiNow)
	old, _, err := setKPIAs(t, old, flows.StageReach, "visitors | baseline 8k | target 20k | by 2027-03-31 | owner Ana", "UANA")
	if err != nil {
		t.Fatal(err)
	}
	p := flows.CarryOver(old, nil, "Q2", "UANA", kpiNow)
	_, said, err := setKPIAs(t, p, flows.StageReach, "visitors | target 30k | by 2027-06-30", "UBEN")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(said, "UANA's") {
		t.Errorf("said %q, naming as Ana's a target she never set", said)
	}
	if !strings.Contains(said, "KPI set: Unique visitors") {
		t.Errorf("said %q, want the KPI set", said)
	}
}

func TestReplacingAKPISaysWhatItReplaces(t *testing.T) {
	p := flows.NewPlan("T", "C", "P", "U1", kpiNow)
	p, _, err := setKPI(t, p, flows.StageReach, "visitors | baseline 8k | target 20k | by 2027-03-31 | owner Ana")
	if err != nil {
		t.Fatal(err)
	}
	p, said, err := setKPI(t, p, flows.StageReach, "visitors | baseline 8k | target 25k | by 2027-04-30 | owner Ana")
	if err != nil {
		t.Fatal(err)
	}
	if want := "Replaced your unique visitors target (was 20k a month by 31 Mar). KPI set: Unique visitors from 8,000 to 25k a month by 30 Apr 2027"; !strings.Contains(said, want) {
		t.Errorf("said %q, want it to start %q", said, want)
	}
	if len(p.KPIs) != 1 {
		t.Errorf("KPIs = %d, want the one replaced", len(p.KPIs))
	}
	out, err := flows.SetKPI(flows.RACE(), p, flows.StageReach, "visitors | baseline 8k | target 25k | by 2027-04-30 | owner Ana", "U1", kpiNow, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Changes) != 0 || !strings.Contains(out.Replies[0].Msg.String(), "nothing changed") {
		t.Errorf("the same line again: changes %v, replies %v", out.Changes, out.Replies)
	}
}

func TestCheckReading(t *testing.T) {
	gbp := flows.KPI{Key: "aov", Name: "Average order value", Unit: flows.UnitCurrency, Currency: "GBP"}
	plain := flows.KPI{Key: "revenue", Name: "Revenue", Unit: flows.UnitCurrency}
	rate := flows.KPI{Key: "lead-rate", Name: "Lead conversion rate", Unit: flows.UnitPercent}
	tests := []struct {
		k    flows.KPI
		v    string
		want string
	}{
		{gbp, "€900", "Average order value is kept in £, but €900 is in €; give it in £ (I don't convert currencies)."},
		{gbp, "£900", ""},
		// A form field's note is read whole, as a reply's is.
		{gbp, "900 (EUR, est)", "Average order value is kept in £, but €900 is in €; give it in £ (I don't convert currencies)."},
		{gbp, "900 (est; in euros)", "Average order value is kept in £, but €900 is in €; give it in £ (I don't convert currencies)."},
		{gbp, "900 (GBP, est)", ""},
		{gbp, "900 (est EUR)", "Average order value is kept in £, but €900 is in €; give it in £ (I don't convert currencies)."},
		{gbp, "900 (US$)", "Average order value is kept in £, but $900 is in $; give it in £ (I don't convert currencies)."},
		{gbp, "900 (est. £)", ""},
		{gbp, "900", ""},
		{plain, "$15k", "Revenue is kept without a currency, so write $15,000 as 15,000, or set its target in $ first."},
		{plain, "15k", ""},
		{rate, "150%", "Lead conversion rate is a share, and a share can't pass 100%, so 150% can't be right; check the number."},
		{rate, "100%", ""},
		{rate, "n/a", ""},
	}
	for _, tt := range tests {
		v, err := flows.ParseValue(tt.v, tt.k.Unit)
		if err != nil {
			t.Fatal(err)
		}
		kept, err := flows.CheckReading(tt.k, v)
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("%s %s: %v", tt.k.Key, tt.v, err)
		case tt.want != "" && (err == nil || !errors.Is(err, flows.ErrBadValue) || flows.Explain(err).String() != tt.want):
			t.Errorf("%s %s: error %v, want %q", tt.k.Key, tt.v, err, tt.want)
		case err == nil && tt.k.Unit == flows.UnitCurrency && kept.Currency != tt.k.Currency:
			t.Errorf("%s %s: kept in %q, want the KPI's %q", tt.k.Key, tt.v, kept.Currency, tt.k.Currency)
		}
	}
}

func TestHelpDocumentsLineSyntax(t *testing.T) {
	for topic, wants := range map[string][]string{
		"kpi":     {"baseline 8k", "target 20k", "by end of March", "owner Ana", "per month", "over the plan", "lower is better"},
		"actions": {" - ", "impact 4, effort 3", "end of February", "next friday", "in 2 weeks", "Q1"},
	} {
		m, err := flows.HelpTopic(topic)
		if err != nil {
			t.Fatal(err)
		}
		for _, w := range wants {
			if !strings.Contains(m.String(), w) {
				t.Errorf("help %s lacks %q: %s", topic, w, m)
			}
		}
	}
	if m, _ := flows.HelpTopic(""); !strings.Contains(m.String(), "`help kpi`") || !strings.Contains(m.String(), "`kind <kind>`") {
		t.Errorf("help does not point at its subtopics and the kind command: %s", m)
	}
	if _, err := flows.HelpTopic("frobs"); !errors.Is(err, flows.ErrBadInput) {
		t.Errorf("help frobs: %v", err)
	}
}

// From a form, the same refusals come back by field.
func TestKPIFormRefusalsByField(t *testing.T) {
	p := flows.NewPlan("T", "C", "P", "U1", kpiNow)
	_, err := flows.SetKPI(flows.RACE(), p, flows.StageAct, "lead rate | baseline 2% | target 150% | by 2027-03-31 | ???", "U1", kpiNow, nil)
	fe, ok := errors.AsType[flows.FieldErrors](err)
	if !ok || len(fe["target"]) == 0 || len(fe["owner"]) == 0 {
		t.Errorf("err = %v, want field errors for the target and the owner", err)
	}
}
