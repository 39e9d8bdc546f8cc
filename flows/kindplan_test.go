package flows

import (
	"strings"
	"testing"
)

func TestFirstAnswerSetsTheKind(t *testing.T) {
	c := RACE()
	tests := []struct {
		name, answer string
		kind         Kind
		said         string
		next         string // the next question's example lead-in
	}{
		{"saas", "Chairside-style booking software for dental practices, sold per seat with a free trial.", KindSaaS,
			"I took this for a B2B SaaS business (from \"software\"", "For example, at Chairside:"},
		{"local", "We are a physiotherapy clinic in Cork; patients book appointments in person.", KindLocal,
			"I took this for a local services business", "For example, at Harbourside Physio:"},
		{"agency", "A content agency writing for software companies on monthly retainers.", KindAgency,
			"I took this for a B2B services / agency business", "For example, at Tallwood Studio:"},
		{"non-profit", "A food bank run by volunteers and funded by donations from local donors.", KindNonprofit,
			"I took this for a non-profit business", "For example, at Eastgate Community Pantry:"},
		{"e-commerce", "We sell handmade candles online and ship across the UK.", KindEcommerce,
			"I took this for an e-commerce / direct-to-consumer business", "For example, at Fernhill Coffee:"},
		{"unsure", "We help people.", "",
			"Is this B2B SaaS, e-commerce, local services, B2B services/agency or non-profit? Reply `kind saas`, `kind ecommerce`, `kind local`, `kind agency` or `kind nonprofit` so the examples fit; until then they follow Fernhill Coffee.",
			"For example, at Fernhill Coffee:"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := Step(c, NewPlan("T", "C", "Q1 Launch", "U1", t0), Input{Text: tt.answer, User: "U1", Now: t0})
			if err != nil {
				t.Fatal(err)
			}
			if out.Plan.Kind != tt.kind {
				t.Errorf("kind = %q, want %q", out.Plan.Kind, tt.kind)
			}
			if got := out.Replies[0].Msg.String(); !strings.Contains(got, tt.said) {
				t.Errorf("saved reply %q, want %q", got, tt.said)
			}
			if got := out.Replies[len(out.Replies)-1].Msg.String(); !strings.Contains(got, tt.next) {
				t.Errorf("next question %q, want %q", got, tt.next)
			}
			// Editing the answer asks nothing again and changes no kind.
			p, _ := walk(t, c, out.Plan, "back")
			again, err := Step(c, p, Input{Text: "We sell coffee online.", User: "U1", Now: t0})
			if err != nil {
				t.Fatal(err)
			}
			if got := again.Replies[0].Msg.String(); strings.Contains(got, "Is this") || (tt.kind != "" && again.Plan.Kind != tt.kind) {
				t.Errorf("edit: reply %q kind %q", got, again.Plan.Kind)
			}
		})
	}
}

func TestKindFromPlanNameAndCommand(t *testing.T) {
	c := RACE()
	if k := NewPlan("T", "C", "Webshop relaunch", "U1", t0).Kind; k != KindEcommerce {
		t.Errorf("kind from name = %q", k)
	}
	p := NewPlan("T", "C", "Q1 Launch", "U1", t0)
	if p.Kind != "" {
		t.Fatalf("kind from a plain name = %q", p.Kind)
	}
	out, err := SetKind(c, p, "charity")
	if err != nil {
		t.Fatal(err)
	}
	if out.Plan.Kind != KindNonprofit || len(out.Changes) != 1 {
		t.Fatalf("kind = %q, changes %v", out.Plan.Kind, out.Changes)
	}
	if got := repliesText(out.Replies); !strings.Contains(got, "now follow a non-profit business: Eastgate Community Pantry") ||
		!strings.Contains(got, "For example, at Eastgate Community Pantry:") {
		t.Errorf("replies %q", got)
	}
	same, err := SetKind(c, out.Plan, "nonprofit")
	if err != nil || len(same.Changes) != 0 {
		t.Errorf("same kind again: %v, %v", same.Changes, err)
	}
	if _, err := SetKind(c, p, "spaceship"); err == nil || !strings.Contains(Explain(err).String(), "`kind saas`") {
		t.Errorf("unknown kind: %v", err)
	}
	// The first answer does not override a kind already chosen.
	first, _ := Step(c, out.Plan, Input{Text: "Booking software for clinics, per seat.", User: "U1", Now: t0})
	if first.Plan.Kind != KindNonprofit {
		t.Errorf("first answer changed a chosen kind to %q", first.Plan.Kind)
	}
}

func TestExamplesFollowTheKind(t *testing.T) {
	c := RACE()
	for _, k := range Kinds() {
		p := NewPlan("T", "C", "Q1", "U1", t0)
		p.Kind = k
		biz := k.BusinessName()
		q := Resume(c, p)[0].Msg.String()
		if !strings.Contains(q, "For example, at "+biz+": ") {
			t.Errorf("%s: question %q lacks its example", k, q)
		}
		if ex := firstSentence(ExampleFor(c, "plan.business", k)); !strings.Contains(q, ex) {
			t.Errorf("%s: question %q lacks %q", k, q, ex)
		}
		d := OfflineDraft(c, p, "reach.audience").String()
		if !strings.Contains(d, "A worked example from "+biz+": "+ExampleFor(c, "reach.audience", k)) {
			t.Errorf("%s: draft %q", k, d)
		}
		act := actionsPrompt(c, c.Stages[1], p).String()
		if !strings.Contains(act, ExampleFor(c, "reach.action", k)) {
			t.Errorf("%s: actions prompt %q", k, act)
		}
		kp := kpisPrompt(c, c.Stages[4], p).String()
		for _, d := range StageKPIs(c, StageEngage, k) {
			if !strings.Contains(kp, "`"+d.ID+"`") {
				t.Errorf("%s: KPI prompt lacks %s: %q", k, d.ID, kp)
			}
		}
	}
	// A plan of no kind keeps the catalogue's own examples and every KPI.
	p := NewPlan("T", "C", "Q1", "U1", t0)
	if kp := kpisPrompt(c, c.Stages[1], p).String(); strings.Contains(kp, "Also in the catalogue") || !strings.Contains(kp, "`shares`") {
		t.Errorf("kind-less KPI prompt %q", kp)
	}
}

// A kind's own KPIs are set by name, without "custom:".
func TestKindCustomKPIByName(t *testing.T) {
	c := RACE()
	p := NewPlan("T", "C", "Q1", "U1", t0)
	p.Kind = KindSaaS
	p = OpenKPIs(c, p, 3, Input{User: "U1", Now: t0}).Plan
	out, err := Step(c, p, Input{Text: "trial-to-paid conversion | baseline 15% | target 20% | by 2027-03-31 | owner Rhys", User: "U1", Now: t0})
	if err != nil {
		t.Fatal(Explain(err))
	}
	k, ok := KPIByKey(out.Plan.KPIs, "trial-to-paid-conversion")
	if !ok || k.Unit != UnitPercent || !k.HigherIsBetter || k.Name != "Trial-to-paid conversion" {
		t.Errorf("KPI = %+v", k)
	}
}
