package flows

import (
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
)

func TestKinds(t *testing.T) {
	want := []Kind{KindSaaS, KindEcommerce, KindLocal, KindAgency, KindNonprofit}
	if diff := cmp.Diff(want, Kinds()); diff != "" {
		t.Errorf("Kinds() (-want +got):\n%s", diff)
	}
	var names []string
	for _, k := range Kinds() {
		names = append(names, k.Name())
		if !k.Valid() {
			t.Errorf("%s.Valid() = false", k)
		}
	}
	wantNames := []string{"B2B SaaS", "E-commerce / direct-to-consumer", "Local services", "B2B services / agency", "Non-profit"}
	if diff := cmp.Diff(wantNames, names); diff != "" {
		t.Errorf("kind names (-want +got):\n%s", diff)
	}
	// The ids are stored with plans, so they are pinned here.
	ids := []string{string(KindSaaS), string(KindEcommerce), string(KindLocal), string(KindAgency), string(KindNonprofit)}
	if diff := cmp.Diff([]string{"b2b-saas", "ecommerce", "local-services", "b2b-services", "non-profit"}, ids); diff != "" {
		t.Errorf("kind ids (-want +got):\n%s", diff)
	}
	for _, k := range []Kind{"", "bogus"} {
		if k.Valid() {
			t.Errorf("Kind(%q).Valid() = true", k)
		}
	}
}

func TestParseKind(t *testing.T) {
	tests := []struct {
		in   string
		want Kind
	}{
		{"b2b-saas", KindSaaS},
		{"B2B SaaS", KindSaaS},
		{"saas", KindSaaS},
		{"SaaS", KindSaaS},
		{"software", KindSaaS},
		{"b2b software", KindSaaS},
		{"  Software  ", KindSaaS},
		{"start-up", KindSaaS},
		{"ecommerce", KindEcommerce},
		{"e-commerce", KindEcommerce},
		{"E-Commerce / Direct-to-Consumer", KindEcommerce},
		{"shop", KindEcommerce},
		{"dtc", KindEcommerce},
		{"D2C", KindEcommerce},
		{"retail", KindEcommerce},
		{"online store", KindEcommerce},
		{"Online shop", KindEcommerce},
		{"local-services", KindLocal},
		{"Local services", KindLocal},
		{"local", KindLocal},
		{"clinic", KindLocal},
		{"clinics", KindLocal},
		{"salon", KindLocal},
		{"Plumber", KindLocal},
		{"b2b-services", KindAgency},
		{"B2B services / agency", KindAgency},
		{"agency", KindAgency},
		{"agencies", KindAgency},
		{"consultancy", KindAgency},
		{"services", KindAgency},
		{"professional services", KindAgency},
		{"non-profit", KindNonprofit},
		{"Non-profit", KindNonprofit},
		{"nonprofit", KindNonprofit},
		{"not-for-profit", KindNonprofit},
		{"charity", KindNonprofit},
		{"charities", KindNonprofit},
		{"NGO", KindNonprofit},
		{"501(c)(3)", KindNonprofit},
	}
	for _, tt := range tests {
		got, ok := ParseKind(tt.in)
		if !ok || got != tt.want {
			t.Errorf("ParseKind(%q) = %q, %v; want %q, true", tt.in, got, ok, tt.want)
		}
	}
	for _, in := range []string{"", "   ", "-", "coffee", "kind", "software agency", "b2b", "something else"} {
		if got, ok := ParseKind(in); ok {
			t.Errorf("ParseKind(%q) = %q, true; want false", in, got)
		}
	}
}

// Two kinds claiming one name would make `kind <name>` depend on map order.
func TestKindNamesUnique(t *testing.T) {
	owner := make(map[string]Kind)
	for _, p := range kindProfiles {
		for _, name := range append([]string{string(p.Kind), p.Name}, p.Synonyms...) {
			key := kindKey(name)
			if key == "" {
				t.Errorf("%s: name %q normalises to nothing", p.Kind, name)
			}
			if k, dup := owner[key]; dup && k != p.Kind {
				t.Errorf("name %q belongs to both %s and %s", name, k, p.Kind)
			}
			owner[key] = p.Kind
		}
	}
}

func TestDetectKind(t *testing.T) {
	tests := []struct {
		text string
		want Kind
	}{
		// B2B SaaS
		{"Booking software for dental clinics, priced per seat per month.", KindSaaS},
		{"We're a B2B SaaS that helps finance teams close the books faster.", KindSaaS},
		{"An HR platform for mid-sized companies with a free trial and plans per user.", KindSaaS},
		{"We build a mobile app that lets restaurants manage staff rotas; they pay a monthly subscription.", KindSaaS},
		{"Project management software for architects, sold as annual licences", KindSaaS},
		{"A CRM for estate agents at £30 per user per month", KindSaaS},
		{"We sell cloud-based inventory tools to warehouses.", KindSaaS},
		{"Our product is a web app for recruiters with usage-based pricing.", KindSaaS},
		{"Software for charities and clinics", KindSaaS},
		{"We're a B2B marketplace connecting farmers and restaurants", KindSaaS},
		// E-commerce / DTC
		{"We sell handmade candles online", KindEcommerce},
		{"A DTC skincare brand selling through our Shopify store and on Amazon.", KindEcommerce},
		{"An online shop for vintage furniture, shipping across the UK", KindEcommerce},
		{"We make organic dog treats and sell them direct to consumers through our website.", KindEcommerce},
		{"Subscription boxes of loose-leaf tea, delivered every month", KindEcommerce},
		{"A clothing brand with an e-commerce site and two pop-up stores", KindEcommerce},
		{"Independent wine retailer selling online and by mail order", KindEcommerce},
		{"We sell jewellery on Etsy and at craft fairs.", KindEcommerce},
		// Local services
		{"A physiotherapy clinic in Leeds", KindLocal},
		{"Family-run plumbing and heating business covering north London", KindLocal},
		{"We run a hair salon in Bristol with four stylists.", KindLocal},
		{"Dog grooming and walking in our neighbourhood", KindLocal},
		{"An independent café and bakery on the high street", KindLocal},
		{"Driving school with five instructors around Manchester", KindLocal},
		{"Yoga studio offering classes and private sessions", KindLocal},
		{"We are a dental practice with three dentists, taking NHS and private patients.", KindLocal},
		{"Electrician serving homes and landlords across Leeds", KindLocal},
		{"We provide cleaning services to offices in Leeds", KindLocal},
		{"Wedding photographer in Cornwall", KindLocal},
		// B2B services / agency
		{"We are a branding agency for fintechs", KindAgency},
		{"A two-person SEO consultancy working with e-commerce brands on retainers", KindAgency},
		{"Freelance copywriter for SaaS companies", KindAgency},
		{"IT support and managed services for small businesses", KindAgency},
		{"A web design studio building sites for local charities and clubs", KindAgency},
		{"Recruitment firm placing engineers with tech start-ups", KindAgency},
		{"A bookkeeping and payroll service for restaurants", KindAgency},
		{"Fractional CMO and marketing advisory for B2B companies, sold by the day", KindAgency},
		{"PR firm helping consumer brands get press coverage", KindAgency},
		{"Managed IT for dental practices, billed monthly per device", KindAgency},
		// Non-profit
		{"A charity supporting young carers, funded by donations", KindNonprofit},
		{"Food bank run by volunteers in east Glasgow", KindNonprofit},
		{"Animal rescue rehoming dogs and cats, relying on donors and Gift Aid", KindNonprofit},
		{"We're a 501(c)(3) nonprofit providing after-school tutoring for kids in need.", KindNonprofit},
		{"A social enterprise training refugees as chefs", KindNonprofit},
		{"Homeless shelter funded by grants and local churches", KindNonprofit},
		{"An NGO running clean water projects in Kenya, funded by individual donors", KindNonprofit},
		{"Community theatre charity with members and volunteers", KindNonprofit},
		{"Not-for-profit hospice raising money through charity shops", KindNonprofit},
		{"Our charity shop sells donated clothes online", KindNonprofit},
	}
	for _, tt := range tests {
		got, why, ok := ExplainKind(tt.text)
		if !ok || got != tt.want {
			t.Errorf("DetectKind(%q) = %q, %v (%v); want %q", tt.text, got, ok, why, tt.want)
			continue
		}
		if len(why) == 0 {
			t.Errorf("ExplainKind(%q) gives no reasons", tt.text)
		}
		if k, ok2 := DetectKind(tt.text); k != got || ok2 != ok {
			t.Errorf("DetectKind(%q) = %q, %v; ExplainKind says %q, %v", tt.text, k, ok2, got, ok)
		}
	}
}

// When the answer does not say, or says two things equally, the coach must
// ask rather than guess.
func TestDetectKindUnsure(t *testing.T) {
	for _, text := range []string{
		"",
		"   ",
		"We help people.",
		"Our marketing team.",
		"We sell candles", // one weak hint is not enough
		"online",          // nor is this
		"Half clinic, half software company.",
		"An agency and a charity under one roof.",
		"An independent bookshop with a website and events",
		"Online courses teaching Excel to finance professionals",
		"Software for charities", // the buyer's kind is no evidence…
	} {
		if text == "Software for charities" {
			// …but software alone is enough.
			if k, ok := DetectKind(text); !ok || k != KindSaaS {
				t.Errorf("DetectKind(%q) = %q, %v; want b2b-saas", text, k, ok)
			}
			continue
		}
		if k, ok := DetectKind(text); ok {
			_, why, _ := ExplainKind(text)
			t.Errorf("DetectKind(%q) = %q, true (%v); want unsure", text, k, why)
		}
	}
}

func TestExplainKindReasons(t *testing.T) {
	k, why, ok := ExplainKind("Booking software for dental clinics, priced per seat per month.")
	if !ok || k != KindSaaS {
		t.Fatalf("ExplainKind = %q, %v", k, ok)
	}
	if diff := cmp.Diff([]string{"software", "per seat", "per month"}, why); diff != "" {
		t.Errorf("reasons (-want +got):\n%s", diff)
	}
	// "for dental clinics" names the buyer: alone "dental clinics" would
	// count for local services, after "for" it must not.
	if k, ok := DetectKind("dental clinics"); !ok || k != KindLocal {
		t.Errorf("DetectKind(\"dental clinics\") = %q, %v; want local-services", k, ok)
	}
	if slices.Contains(why, "clinic") {
		t.Errorf("reasons %v count the buyer's clinic", why)
	}
	// A buyer phrase ends at "with", so what follows describes the seller.
	if k, ok := DetectKind("We help dental clinics fill their diaries with booking software"); !ok || k != KindSaaS {
		t.Errorf("DetectKind(help … with booking software) = %q, %v; want b2b-saas", k, ok)
	}
}

// Each kind's own first answer must be recognised as that kind: it is the
// answer a team most often imitates.
func TestDetectKindOwnBusinesses(t *testing.T) {
	cat := RACE()
	for _, k := range Kinds() {
		text := ExampleFor(cat, QuestionBusiness, k)
		got, why, ok := ExplainKind(text)
		if !ok || got != k {
			t.Errorf("%s: DetectKind(its plan.business example) = %q, %v (%v)", k, got, ok, why)
		}
	}
}

// kindQuestions lists every question of the built-in catalogue, the Action
// steps included, with whether it is an Action step.
func kindQuestions(t *testing.T) (ids []string, action map[string]bool, stageOf map[string]StageID) {
	t.Helper()
	action, stageOf = make(map[string]bool), make(map[string]StageID)
	for _, st := range RACE().Stages {
		for _, q := range allQuestions(st) {
			ids = append(ids, q.ID)
			stageOf[q.ID] = st.ID
		}
		action[st.WrapUp.Action.ID] = true
	}
	return ids, action, stageOf
}

func TestKindExamplesCoverCatalogue(t *testing.T) {
	ids, _, _ := kindQuestions(t)
	want := slices.Sorted(slices.Values(ids))
	for _, p := range kindProfiles {
		if p.Kind == KindEcommerce {
			if p.Examples != nil {
				t.Errorf("e-commerce has examples of its own; it should use the catalogue's")
			}
			continue
		}
		var got []string
		for id := range p.Examples {
			got = append(got, id)
		}
		slices.Sort(got)
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%s: example question IDs (-catalogue +kind):\n%s", p.Kind, diff)
		}
	}
}

func TestExampleForEveryQuestion(t *testing.T) {
	cat := RACE()
	ids, action, _ := kindQuestions(t)
	now := time.Date(2027, 1, 1, 9, 0, 0, 0, time.UTC)
	for _, k := range Kinds() {
		p, _ := k.profile()
		for _, id := range ids {
			ex := ExampleFor(cat, id, k)
			checkText(t, string(k)+" "+id, "Example", ex)
			n := utf8.RuneCountInString(ex)
			lo, hi := 80, 700
			if action[id] {
				lo, hi = 60, 160
			}
			if n < lo || n > hi {
				t.Errorf("%s %s: example is %d characters, want %d to %d", k, id, n, lo, hi)
			}
			if strings.Contains(ex, "\n") {
				t.Errorf("%s %s: example spans several lines", k, id)
			}
			if action[id] {
				checkActionExample(t, string(k)+" "+id, ex, p.Team, now)
			}
		}
	}
}

// checkActionExample checks an Action example the way TestRACEActionExamples
// does, with ParseAction itself, and that its owner is on the team.
func checkActionExample(t *testing.T, name, line string, team []string, now time.Time) {
	t.Helper()
	f := strings.Split(line, " | ")
	if len(f) != 5 {
		t.Errorf("%s: %q has %d fields, want what | owner | date | impact | effort", name, line, len(f))
		return
	}
	due, err := time.Parse(time.DateOnly, f[2])
	if err != nil {
		t.Errorf("%s: due date: %v", name, err)
	}
	impact, _ := strconv.Atoi(strings.TrimPrefix(f[3], "impact "))
	effort, _ := strconv.Atoi(strings.TrimPrefix(f[4], "effort "))
	want := Action{Text: f[0], Owner: f[1], Due: due, Impact: impact, Effort: effort}
	got, err := ParseAction(line, now)
	if err != nil {
		t.Errorf("%s: ParseAction(%q) = %v", name, line, err)
		return
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("%s: ParseAction(%q) (-want +got):\n%s", name, line, diff)
	}
	if !slices.Contains(team, got.Owner) {
		t.Errorf("%s: owner %q is not on the team %v", name, got.Owner, team)
	}
	if got.Due.After(time.Date(2027, 3, 31, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("%s: due %s is after the plan's deadline", name, f[2])
	}
}

func TestExampleForFallback(t *testing.T) {
	cat := RACE()
	q, _, _, _ := cat.Question("reach.audience")
	for _, k := range []Kind{KindEcommerce, "", "bogus"} {
		if got := ExampleFor(cat, "reach.audience", k); got != q.Example {
			t.Errorf("ExampleFor(reach.audience, %q) = %q, want the catalogue's", k, got)
		}
	}
	if got := ExampleFor(cat, "reach.audience", KindSaaS); got == q.Example || got != saasExamples["reach.audience"] {
		t.Errorf("ExampleFor(reach.audience, saas) = %q, want Chairside's", got)
	}
	if got := ExampleFor(cat, "no.such-question", KindSaaS); got != "" {
		t.Errorf("ExampleFor(unknown question) = %q, want empty", got)
	}
	// A catalogue of its own keeps its own examples for questions the kinds
	// do not know.
	small, err := NewCatalogue([]Stage{{
		ID: StagePlan, Name: "Plan",
		Questions: []Question{{ID: "plan.x", Text: "X?", Example: "an x"}},
		WrapUp: WrapUp{
			Opportunity: Question{ID: "plan.o", Text: "O?", Example: "an o"},
			Strategy:    Question{ID: "plan.s", Text: "S?", Example: "an s"},
			Action:      Question{ID: "plan.a", Text: "A?", Example: "Do it | Ana | 2027-01-15 | impact 4 | effort 1"},
		},
	}})
	if err != nil {
		t.Fatal(err)
	}
	if got := ExampleFor(small, "plan.x", KindNonprofit); got != "an x" {
		t.Errorf("ExampleFor(small, plan.x, non-profit) = %q, want %q", got, "an x")
	}
	if got := ExampleFor(small, "plan.a", KindNonprofit); got != "Do it | Ana | 2027-01-15 | impact 4 | effort 1" {
		t.Errorf("ExampleFor(small, plan.a, non-profit) = %q, want the small catalogue's action", got)
	}
	if got := ExampleFor(nil, "plan.x", KindNonprofit); got != "" {
		t.Errorf("ExampleFor(nil, …) = %q, want empty", got)
	}
}

// Each kind follows its own business only: no Fernhill, no other kind's
// business or people, no other currency.
func TestKindExamplesStayInTheirBusiness(t *testing.T) {
	cat := RACE()
	ids, _, stageOf := kindQuestions(t)
	fernhillOnly := []string{"Fernhill", "Beanline", "Maya", "Ana ", "Priya"}
	for _, p := range kindProfiles {
		var foreign []string
		if p.Kind != KindEcommerce {
			foreign = append(foreign, fernhillOnly...)
		}
		for _, o := range kindProfiles {
			if o == p || o.Kind == KindEcommerce {
				continue
			}
			foreign = append(foreign, o.BusinessName)
			foreign = append(foreign, o.Team...)
		}
		currencies := []string{"$", "£", "€"}
		namedInPlan := false
		teamSeen := map[string]bool{}
		for _, id := range ids {
			ex := ExampleFor(cat, id, p.Kind)
			for _, f := range foreign {
				if containsWord(ex, strings.TrimSpace(f)) {
					t.Errorf("%s %s mentions %q, which belongs to another business", p.Kind, id, f)
				}
			}
			for _, c := range currencies {
				if c != p.Currency && strings.Contains(ex, c) {
					t.Errorf("%s %s uses %s; %s prices in %s", p.Kind, id, c, p.BusinessName, p.Currency)
				}
			}
			if stageOf[id] == StagePlan && strings.Contains(ex, p.BusinessName) {
				namedInPlan = true
			}
			for _, m := range p.Team {
				if containsWord(ex, m) {
					teamSeen[m] = true
				}
			}
		}
		if !namedInPlan {
			t.Errorf("%s: no Plan example names %s", p.Kind, p.BusinessName)
		}
		if !strings.Contains(ExampleFor(cat, QuestionBusiness, p.Kind), p.BusinessName) {
			t.Errorf("%s: the plan.business example does not name %s", p.Kind, p.BusinessName)
		}
		for _, m := range p.Team {
			if !teamSeen[m] {
				t.Errorf("%s: team member %s never appears in an example", p.Kind, m)
			}
		}
		if len(p.Team) != 3 {
			t.Errorf("%s: team of %d, want 3", p.Kind, len(p.Team))
		}
	}
}

// containsWord reports whether s has w as a whole word, so "Sam" does not
// match "same".
func containsWord(s, w string) bool {
	for i := 0; ; {
		j := strings.Index(s[i:], w)
		if j < 0 {
			return false
		}
		start, end := i+j, i+j+len(w)
		before, _ := utf8.DecodeLastRuneInString(s[:start])
		after, _ := utf8.DecodeRuneInString(s[end:])
		if (start == 0 || !unicode.IsLetter(before)) && (end == len(s) || !unicode.IsLetter(after)) {
			return true
		}
		i = start + 1
	}
}

// The numbers a plan's objectives promise must come back in later stages,
// as they would in a real plan: Reach sizes the traffic, Act and Convert the
// rates, Engage the retention.
func TestKindFactsRecur(t *testing.T) {
	facts := map[Kind][]string{
		KindSaaS:      {"320", "6,000", "18%", "1.5%"},
		KindLocal:     {"3,300", "4.5%", "55%", "4.8"},
		KindAgency:    {"2,600", "1.8%", "$81,000"},
		KindNonprofit: {"270", "120", "3.5%", "15%"},
	}
	cat := RACE()
	ids, _, stageOf := kindQuestions(t)
	for k, fs := range facts {
		objectives := ExampleFor(cat, "plan.objectives", k)
		for _, f := range fs {
			if !strings.Contains(objectives, f) {
				t.Errorf("%s: plan.objectives does not mention %s", k, f)
			}
			var later []string
			for _, id := range ids {
				if stageOf[id] != StagePlan && strings.Contains(ExampleFor(cat, id, k), f) {
					later = append(later, id)
				}
			}
			if len(later) == 0 {
				t.Errorf("%s: %s from the objectives never comes back after the Plan stage", k, f)
			}
		}
	}
}

func TestKindBusiness(t *testing.T) {
	for _, k := range Kinds() {
		p, _ := k.profile()
		b := k.Business()
		if !strings.HasPrefix(b, k.BusinessName()) || k.BusinessName() != p.BusinessName {
			t.Errorf("%s.Business() = %q, want it to start with %q", k, b, p.BusinessName)
		}
		if n := utf8.RuneCountInString(b); n < 40 || n > 160 {
			t.Errorf("%s.Business() is %d characters, want one line of 40 to 160", k, n)
		}
		if !strings.Contains(b, p.Currency) {
			t.Errorf("%s.Business() = %q has no price in %s", k, b, p.Currency)
		}
	}
	for _, k := range []Kind{"", "bogus"} {
		if got := k.BusinessName(); got != "Fernhill Coffee" {
			t.Errorf("Kind(%q).BusinessName() = %q, want the catalogue's Fernhill Coffee", k, got)
		}
	}
	if got := KindLocal.BusinessName(); got != "Harbourside Physio" {
		t.Errorf("KindLocal.BusinessName() = %q", got)
	}
}

func TestKindKPIs(t *testing.T) {
	cat := RACE()
	stageIndex := map[StageID]int{}
	for i, st := range cat.Stages {
		stageIndex[st.ID] = i
	}
	units := map[UnitKind]bool{UnitCount: true, UnitCurrency: true, UnitPercent: true, UnitDuration: true, UnitRatio: true}
	for _, k := range Kinds() {
		p, _ := k.profile()
		for _, id := range p.KPIs {
			if _, ok := cat.KPI(id); !ok {
				t.Errorf("%s suggests KPI %q, which is not in the catalogue", k, id)
			}
		}
		got := KindKPIs(k)
		if len(got) != len(p.KPIs)+len(p.Custom) {
			t.Errorf("%s: KindKPIs has %d KPIs, want %d", k, len(got), len(p.KPIs)+len(p.Custom))
		}
		seen := map[string]bool{}
		for i, d := range got {
			if seen[d.ID] {
				t.Errorf("%s: KPI %q suggested twice", k, d.ID)
			}
			seen[d.ID] = true
			if i > 0 && stageIndex[got[i-1].Stage] > stageIndex[d.Stage] {
				t.Errorf("%s: KPI %q (%s) comes after %q (%s); want stage order", k, d.ID, d.Stage, got[i-1].ID, got[i-1].Stage)
			}
		}
		if len(p.Custom) == 0 {
			t.Errorf("%s has no custom KPI", k)
		}
		// Lower-is-better KPIs (churn, costs) are first-class: every kind
		// suggests one, from the catalogue or of its own.
		lower := slices.ContainsFunc(got, func(d KPIDef) bool { return !d.HigherIsBetter })
		for _, d := range got {
			if !d.HigherIsBetter && !strings.Contains(d.Measures, "lower is better") {
				t.Errorf("%s: KPI %q is lower-is-better but its Measures does not say so", k, d.ID)
			}
		}
		for _, d := range p.Custom {
			if _, ok := cat.KPI(d.ID); ok {
				t.Errorf("%s: custom KPI %q shadows a catalogue KPI", k, d.ID)
			}
			// Set through `custom: <name>`, a KPI is keyed by the slug of its
			// name; the suggestion must carry the same key to be found again.
			if slug := kpiSlug(d.Name); slug != d.ID {
				t.Errorf("%s: custom KPI id %q, want %q, the slug of its name", k, d.ID, slug)
			}
			if _, ok := stageIndex[d.Stage]; !ok {
				t.Errorf("%s: custom KPI %q has stage %q", k, d.ID, d.Stage)
			}
			if !units[d.Unit] {
				t.Errorf("%s: custom KPI %q has unit %q", k, d.ID, d.Unit)
			}
			checkText(t, d.ID, "Name", d.Name)
			checkText(t, d.ID, "Measures", d.Measures)
		}
		if !lower {
			t.Errorf("%s suggests no lower-is-better KPI", k)
		}
	}
	if diff := cmp.Diff(KindKPIs(KindEcommerce), KindKPIs("bogus")); diff != "" {
		t.Errorf("unknown kind's KPIs differ from e-commerce's:\n%s", diff)
	}
	a := KindKPIs(KindSaaS)
	a[0].Name = "changed"
	if KindKPIs(KindSaaS)[0].Name == "changed" {
		t.Error("changing one KindKPIs result changed another")
	}
}

// The seeds are the source of facts, not of sentences: no six words in a row
// of the built-in content, the catalogue's or any kind's, may come from them.
func TestContentAvoidsSeedPhrases(t *testing.T) {
	seeds := seedShingles(t)
	type text struct{ where, s string }
	var texts []text
	for _, st := range RACE().Stages {
		texts = append(texts, text{string(st.ID) + " purpose", st.Purpose})
		for _, q := range allQuestions(st) {
			texts = append(texts, text{q.ID + " text", q.Text}, text{q.ID + " hint", q.Hint}, text{q.ID + " example", q.Example})
		}
		for _, k := range st.KPIs {
			texts = append(texts, text{"kpi " + k.ID, k.Name + " " + k.Measures})
		}
	}
	for _, p := range kindProfiles {
		texts = append(texts, text{string(p.Kind) + " business", p.Business})
		for id, ex := range p.Examples {
			texts = append(texts, text{string(p.Kind) + " " + id, ex})
		}
		for _, d := range p.Custom {
			texts = append(texts, text{string(p.Kind) + " kpi " + d.ID, d.Name + " " + d.Measures})
		}
	}
	for _, tx := range texts {
		w := seedWords(tx.s)
		for i := 0; i+6 <= len(w); i++ {
			if g := strings.Join(w[i:i+6], " "); seeds[g] {
				t.Errorf("%s copies %q from the seed texts", tx.where, g)
			}
		}
	}
}

// seedShingles reads the seed texts, from $RACEBOT_SEEDS or the nearest
// shared/seeds above the package, and returns their six-word runs. Without
// them the test is skipped: they live beside the repository, not in it.
func seedShingles(t *testing.T) map[string]bool {
	t.Helper()
	dir := os.Getenv("RACEBOT_SEEDS")
	if dir == "" {
		wd, err := os.Getwd()
		if err != nil {
			t.Fatal(err)
		}
		for d := wd; ; d = filepath.Dir(d) {
			if fi, err := os.Stat(filepath.Join(d, "shared", "seeds")); err == nil && fi.IsDir() {
				dir = filepath.Join(d, "shared", "seeds")
				break
			}
			if filepath.Dir(d) == d {
				break
			}
		}
	}
	if dir == "" {
		t.Skip("seed texts not found; set RACEBOT_SEEDS to the seeds directory")
	}
	files, err := filepath.Glob(filepath.Join(dir, "*.txt"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no seed texts in %s (%v)", dir, err)
	}
	set := make(map[string]bool)
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		w := seedWords(string(b))
		for i := 0; i+6 <= len(w); i++ {
			set[strings.Join(w[i:i+6], " ")] = true
		}
	}
	return set
}

func seedWords(s string) []string {
	return strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	})
}

// TestEveryCueStartsWithAWord: cues are looked up by their first word, so
// a cue that began with a gap, or had no words, would never be tried.
func TestEveryCueStartsWithAWord(t *testing.T) {
	for _, c := range kindCues {
		if len(c.words) == 0 || c.words[0] == "*" {
			t.Errorf("cue %q of %s starts with %q", c.text, c.kind, c.words)
		}
	}
}
