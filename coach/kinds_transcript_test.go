package coach_test

import (
	"strings"
	"testing"

	"github.com/racebot/racebot/flows"
)

// kindScripts are short plans, one per kind of business: the first answer
// is the kind's own worked example, so the coach knows the kind from it;
// the rest shows that examples, drafts, actions and KPI suggestions follow
// it. Each sets a lower-is-better KPI of its kind in a line written the
// way a team writes it.
var kindScripts = map[flows.Kind]struct {
	name    string
	actions []string
	kpis    []string
}{
	flows.KindSaaS: {
		name:    "Chairside Q1",
		actions: []string{"kemi: Interview three group customers - Kemi - by end of January - impact 4, effort 2"},
		kpis: []string{
			"hannah: churn | baseline 2% | target 1.5% | per month | by 2027-03-31 | owner Hannah",
			"hannah: time to first value | baseline 21 days | target 10 days | by 2027-03-31 | owner Hannah",
		},
	},
	flows.KindEcommerce: {
		name:    "Fernhill Q1",
		actions: []string{"priya: Send sample bags to five creators, Ana, 31 Jan, impact 4, effort 1"},
		kpis: []string{
			"ben: monthly cancellation rate | baseline 6% | target 4% | by 2027-03-31 | owner Ben",
			"ben: custom: first-90-day churn (percent) | baseline 9% | target 5% | by 2027-03-31 | owner Ana",
		},
	},
	flows.KindLocal: {
		name:    "Harbourside spring",
		actions: []string{"aoife: Fix the booking button on mobile | Aoife | next friday | impact 5 | effort 2"},
		kpis: []string{
			"niamh: google rating | baseline 4.6 | target 4.8 | by 2027-03-31 | owner Niamh",
			"niamh: unsubscribe rate | baseline 1.2% | target 0.8% | by 2027-03-31 | owner Aoife",
		},
	},
	flows.KindAgency: {
		name:    "Tallwood pipeline",
		actions: []string{"leah: Survey 40 fintech marketers - Leah - Q1 - impact 4, effort 3"},
		kpis: []string{
			"marcus: referrals | baseline 2 | target 4 | by 2027-03-31 | owner Marcus",
			"marcus: custom: client churn (percent) | baseline 15% | target 10% | by 2027-03-31 | owner Marcus",
		},
	},
	flows.KindNonprofit: {
		name:    "Eastgate appeal",
		actions: []string{"mei: Thank every holiday donor by email, Mei, in 2 weeks, 4, 1"},
		kpis: []string{
			"grace: regular volunteers | baseline 40 | target 55 | by 2027-03-31 | owner Luis",
			"grace: unsubscribes | baseline 0.9% | target 0.5% | by 2027-03-31 | owner Mei",
		},
	},
}

// kindScript is a short plan for a kind: the business answer, a draft for
// the next question, a skip that comes back, the Plan stage's actions, the
// Engage KPIs and the status.
func kindScript(cat *flows.Catalogue, k flows.Kind) []string {
	s := kindScripts[k]
	plan := cat.Stages[0].Steps()
	script := []string{
		"ana: /race new " + s.name,
		"ana: " + flows.ExampleFor(cat, "plan.business", k),
		"ana: draft",
		"ana: " + flows.ExampleFor(cat, "plan.value-proposition", k),
		"ana: skip",
	}
	for _, q := range plan[3 : len(plan)-1] {
		script = append(script, "ana: "+flows.ExampleFor(cat, q.ID, k))
	}
	// The strategy is skipped too; both come back before the actions: the
	// segments are answered then, the strategy skipped again.
	script = append(script, "ana: skip", "ana: "+flows.ExampleFor(cat, plan[2].ID, k), "ana: skip")
	script = append(script, s.actions...)
	script = append(script, "ana: done", "ana: /race kpi engage")
	script = append(script, s.kpis...)
	return append(script, "ana: status", "ana: /race funnel")
}

// otherBusinesses are the fictional businesses of every kind but k.
func otherBusinesses(k flows.Kind) []string {
	var out []string
	for _, o := range flows.Kinds() {
		if o != k {
			out = append(out, o.BusinessName())
		}
	}
	return out
}

func TestTranscriptKinds(t *testing.T) {
	cat := flows.RACE()
	for _, k := range flows.Kinds() {
		t.Run(string(k), func(t *testing.T) {
			got := transcript(t, kindScript(cat, k))
			golden(t, "kind-"+string(k)+".transcript", got)
			// From the first answer on, every example, draft and suggestion
			// is the kind's own; before it, the built-in one is shown.
			_, after, _ := strings.Cut(got, "< Saved. I took this for ")
			if n := strings.Count(after, "For example, at "+k.BusinessName()+":"); n < 10 {
				t.Errorf("%d examples from %s, want one per question asked", n, k.BusinessName())
			}
			for _, other := range otherBusinesses(k) {
				if strings.Contains(after, other) {
					t.Errorf("the %s transcript mentions %s", k, other)
				}
			}
			for _, want := range []string{
				"examples and KPI suggestions follow " + k.BusinessName() + ".",
				"A worked example from " + k.BusinessName() + ": " + flows.ExampleFor(cat, "plan.value-proposition", k),
				"Before Plan's actions, back to the 2 questions you skipped",
				"For example: `" + flows.ExampleFor(cat, "plan.action", k) + "`",
				"; lower is better",
			} {
				if !strings.Contains(got, want) {
					t.Errorf("transcript lacks %q", want)
				}
			}
			if strings.Contains(got, "(error)") {
				t.Errorf("the transcript has an error:\n%s", got)
			}
		})
	}
}

// When the first answer does not tell the kind, the coach asks once and
// `kind` switches the examples.
func TestTranscriptKindAsked(t *testing.T) {
	got := transcript(t, []string{
		"ana: /race new Q1 Launch",
		"ana: We help people get more done.",
		"ana: kind saas",
		"ana: /race kind",
		"ana: back",
		"ana: We help people get things done, mostly small teams.",
		"ana: /race kind spaceship",
	})
	golden(t, "kind-asked.transcript", got)
	if n := strings.Count(got, "Is this B2B SaaS, e-commerce, local services, B2B services/agency or non-profit?"); n != 1 {
		t.Errorf("asked %d times, want once", n)
	}
	for _, want := range []string{"For example, at Fernhill Coffee:", "now follow a B2B SaaS business: Chairside", "For example, at Chairside:"} {
		if !strings.Contains(got, want) {
			t.Errorf("transcript lacks %q", want)
		}
	}
}

// Values in another currency, or shares past 100%, are refused, never
// reported recorded.
func TestTranscriptValuesRefused(t *testing.T) {
	got := transcript(t, []string{
		"rhys: /race new Chairside Q1",
		"rhys: /race kpi convert",
		"rhys: aov | baseline £80 | target £95 | by 2027-03-31 | owner Rhys",
		"rhys: done",
		"rhys: /race kpi act",
		"rhys: lead rate | baseline 3% | target 150% | by 2027-03-31 | owner Kemi",
		"rhys: lead rate | baseline 3% | target 4% | by 2027-03-31 | owner ???",
		"rhys: lead rate | baseline 3% | target 4% | by 2027-03-31 | owner Kemi",
		"rhys: lead rate | baseline 3% | target 4.5% | by 2027-03-31 | owner Kemi",
		"rhys: /race values aov €900",
		"rhys: /race values lead rate 150%",
		"rhys: /race values aov £90, lead rate 140%",
	})
	golden(t, "values-refused.transcript", got)
	for _, want := range []string{
		"A target of 150% can't be right",
		`"???" doesn't look like a person`,
		"Replaced your lead conversion rate target (was 4% by 31 Mar)",
		"(error) Not recorded: Average order value is kept in £, but €900 is in €",
		"Recorded: Average order value £90. Not recorded: Lead conversion rate is a share",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("transcript lacks %q", want)
		}
	}
	if strings.Contains(got, "Recorded: Average order value €900") {
		t.Error("a value in euros was recorded on a KPI in pounds")
	}
}
