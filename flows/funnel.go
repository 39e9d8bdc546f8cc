package flows

import (
	"fmt"
	"math"
	"strings"
)

// FunnelStep is one factor of the revenue funnel: visitors × lead rate ×
// sales rate × average order value (× (1 + repeat rate)).
type FunnelStep struct {
	Stage StageID
	// Key is the catalogue id of the factor: "visitors", "lead-rate",
	// "sales-rate", "visitor-to-buyer" (standing in for lead rate × sales
	// rate), "aov" or "repeat-rate".
	Key  string
	Name string
	Unit UnitKind
	// Planned is the plan's target in the KPI's unit: a count of visitors,
	// rates in percent (2.5 for 2.5%), money in whole units.
	Planned float64
	// Derived says how Planned was worked out when no KPI sets it directly
	// ("leads ÷ visitors"); empty when a target gives it.
	Derived     string
	Baseline    float64
	HasBaseline bool
	// Required is what the revenue target needs of this factor, holding the
	// others at their planned values.
	Required    float64
	HasRequired bool
	// Ratio is how many times Planned must grow to meet the revenue target
	// (for the repeat rate, how many times 1 + repeat rate must grow).
	Ratio float64
}

// FunnelReport checks that a plan's targets across stages add up.
type FunnelReport struct {
	Steps          []FunnelStep
	ImpliedRevenue float64
	RevenueTarget  float64
	// HasRevenueTarget is set when a revenue target can be compared with
	// the funnel (in the same currency as the average order value).
	HasRevenueTarget bool
	// Gap is RevenueTarget / ImpliedRevenue: above 1 the targets fall short.
	Gap float64
	// Bottleneck is the stage to raise first when the targets fall short;
	// empty when they add up or cannot be worked out.
	Bottleneck StageID
	// Missing lists the ids of the inputs the check lacks, in funnel order:
	// "visitors", "lead-rate", "sales-rate", "aov", "revenue".
	Missing []string
	// Currency is the currency money is shown in, "" for the plan's own.
	Currency string
	// Lines are the findings as sentences, for people.
	Lines []string
}

// Text is the report as a message: a heading and one line per finding.
func (r FunnelReport) Text() Msg {
	m := Say(Text("Funnel check").Strong())
	for _, l := range r.Lines {
		m = m.Append("\n• " + l)
	}
	return m
}

// funnelFactor is one factor's value, in the KPI's unit.
type funnelFactor struct {
	val     float64
	ok      bool
	derived string
}

type funnelFactors struct {
	visitors, leadRate, salesRate, buyerRate, aov, repeat funnelFactor
	leads                                                 funnelFactor // lead count, for deriving the sales rate
}

// deriveFunnel reads the funnel's factors from the plan's KPIs (their
// targets or their baselines, whichever get returns). A factor no KPI sets
// is worked out from the counts where they allow it: lead rate = leads ÷
// visitors, sales rate = sales ÷ leads, and so on. Nothing is guessed.
func deriveFunnel(get func(key string) (float64, bool)) funnelFactors {
	var f funnelFactors
	direct := func(key string) funnelFactor {
		v, ok := get(key)
		return funnelFactor{val: v, ok: ok}
	}
	leads, sales, vtb, revenue := direct("leads"), direct("sales"), direct("visitor-to-buyer"), direct("revenue")

	f.visitors = direct("visitors")
	f.leadRate = direct("lead-rate")
	if !f.leadRate.ok && leads.ok && f.visitors.ok && f.visitors.val > 0 {
		f.leadRate = funnelFactor{leads.val / f.visitors.val * 100, true, "leads ÷ visitors"}
	}
	f.leads = leads
	if !leads.ok && f.visitors.ok && f.leadRate.ok {
		f.leads = funnelFactor{f.visitors.val * f.leadRate.val / 100, true, "visitors × lead rate"}
	}
	f.salesRate = direct("sales-rate")
	switch {
	case f.salesRate.ok:
	case sales.ok && f.leads.ok && f.leads.val > 0:
		f.salesRate = funnelFactor{sales.val / f.leads.val * 100, true, "sales ÷ leads"}
	case vtb.ok && f.leadRate.ok && f.leadRate.val > 0:
		f.salesRate = funnelFactor{vtb.val / f.leadRate.val * 100, true, "visitor-to-buyer ÷ lead rate"}
	}
	if !f.leadRate.ok && f.salesRate.ok && vtb.ok && f.salesRate.val > 0 {
		f.leadRate = funnelFactor{vtb.val / f.salesRate.val * 100, true, "visitor-to-buyer ÷ sales rate"}
	}
	if !f.leadRate.ok && !f.salesRate.ok {
		switch {
		case vtb.ok:
			f.buyerRate = vtb
		case sales.ok && f.visitors.ok && f.visitors.val > 0:
			f.buyerRate = funnelFactor{sales.val / f.visitors.val * 100, true, "sales ÷ visitors"}
		}
	}
	f.repeat = direct("repeat-rate")
	f.aov = direct("aov")
	if !f.aov.ok && revenue.ok && sales.ok && sales.val > 0 {
		f.aov = funnelFactor{revenue.val / (sales.val * (1 + f.repeat.val/100)), true, "revenue ÷ sales"}
	}
	return f
}

type funnelSpec struct {
	stage      StageID
	key, name  string
	unit       UnitKind
	plan, base funnelFactor
}

// funnelNames name each input, with its stage, in "missing" messages.
var funnelNames = map[string]string{
	"visitors":   "visitors (Reach)",
	"lead-rate":  "lead rate (Act)",
	"sales-rate": "sales rate (Convert)",
	"aov":        "average order value (Convert)",
	"revenue":    "revenue (Convert)",
}

// Funnel checks that the plan's targets across stages add up: visitors
// (Reach) × lead rate (Act) × sales rate × average order value (Convert),
// × (1 + repeat rate) when Engage sets one, against the revenue target.
// Each factor's required value holds the others fixed, so every factor is
// short by the same multiple; the bottleneck is the stage whose target asks
// the least rise over its own baseline (the top of the funnel when there
// are no baselines), the stage with the most room to ask more of. Inputs
// that are missing are listed rather than guessed.
func Funnel(kpis []KPI) FunnelReport {
	byKey := make(map[string]KPI, len(kpis))
	for _, k := range kpis {
		if _, dup := byKey[k.Key]; !dup {
			byKey[k.Key] = k
		}
	}
	get := func(base bool) func(string) (float64, bool) {
		return func(key string) (float64, bool) {
			k, ok := byKey[key]
			switch {
			case !ok:
				return 0, false
			case base:
				return k.Baseline.Amount, k.HasBaseline()
			}
			return k.Target.Amount, k.HasTarget()
		}
	}
	plan, base := deriveFunnel(get(false)), deriveFunnel(get(true))

	var r FunnelReport
	revKPI, aovKPI := byKey["revenue"], byKey["aov"]
	r.Currency = cmpOr(revKPI.Currency, aovKPI.Currency)
	revenue, hasRevenue := get(false)("revenue")

	specs := []funnelSpec{{StageReach, "visitors", "visitors", UnitCount, plan.visitors, base.visitors}}
	if plan.buyerRate.ok {
		specs = append(specs, funnelSpec{StageConvert, "visitor-to-buyer", "visitor-to-buyer rate", UnitPercent, plan.buyerRate, base.buyerRate})
	} else {
		specs = append(specs,
			funnelSpec{StageAct, "lead-rate", "lead rate", UnitPercent, plan.leadRate, base.leadRate},
			funnelSpec{StageConvert, "sales-rate", "sales rate", UnitPercent, plan.salesRate, base.salesRate})
	}
	specs = append(specs, funnelSpec{StageConvert, "aov", "average order", UnitCurrency, plan.aov, base.aov})
	if plan.repeat.ok {
		specs = append(specs, funnelSpec{StageEngage, "repeat-rate", "repeat rate", UnitPercent, plan.repeat, base.repeat})
	}

	implied := 1.0
	for _, s := range specs {
		if !s.plan.ok {
			r.Missing = append(r.Missing, s.key)
			continue
		}
		st := FunnelStep{Stage: s.stage, Key: s.key, Name: s.name, Unit: s.unit, Planned: s.plan.val, Derived: s.plan.derived,
			Baseline: s.base.val, HasBaseline: s.base.ok}
		r.Steps = append(r.Steps, st)
		switch s.unit {
		case UnitPercent:
			if s.key == "repeat-rate" {
				implied *= 1 + s.plan.val/100
			} else {
				implied *= s.plan.val / 100
			}
		default:
			implied *= s.plan.val
		}
	}
	if !hasRevenue {
		r.Missing = append(r.Missing, "revenue")
	}
	money := func(x float64) string { return FormatValue(Value{Amount: x, Unit: UnitCurrency, Currency: r.Currency}) }

	if len(r.Missing) > 0 && !(len(r.Missing) == 1 && r.Missing[0] == "revenue") {
		var names []string
		for _, m := range r.Missing {
			names = append(names, funnelNames[m])
		}
		line := "I can't check the funnel yet: it needs targets for " + andList(names) + "."
		if !plan.buyerRate.ok && (!plan.leadRate.ok || !plan.salesRate.ok) {
			line += " A visitor-to-buyer rate can stand in for the lead and sales rates."
		}
		r.Lines = append(r.Lines, line)
		if hasRevenue {
			r.RevenueTarget, r.HasRevenueTarget = revenue, true
		}
		return r
	}

	r.ImpliedRevenue = implied
	var factors []string
	for _, st := range r.Steps {
		switch {
		case st.Key == "visitors":
			factors = append(factors, stepValue(st, st.Planned, r.Currency)+" visitors")
		case st.Key == "repeat-rate":
			factors = append(factors, "(1 + "+stepValue(st, st.Planned, r.Currency)+" repeat purchases)")
		default:
			factors = append(factors, stepValue(st, st.Planned, r.Currency)+" "+st.Name)
		}
	}
	r.Lines = append(r.Lines, fmt.Sprintf("The targets imply %s revenue: %s.", money(implied), strings.Join(factors, " × ")))
	for _, st := range r.Steps {
		if st.Derived != "" {
			r.Lines = append(r.Lines, fmt.Sprintf("I worked out the %s as %s: %s.", st.Name, st.Derived, stepValue(st, st.Planned, r.Currency)))
		}
	}
	r.Lines = append(r.Lines, consistencyLines(byKey, plan)...)

	switch {
	case !hasRevenue:
		r.Lines = append(r.Lines, "Set a revenue target in Convert to check the funnel against it.")
		return r
	case revKPI.Currency != "" && aovKPI.Currency != "" && revKPI.Currency != aovKPI.Currency:
		r.RevenueTarget = revenue
		r.Lines = append(r.Lines, fmt.Sprintf("The revenue target is in %s but the average order value in %s, so I can't compare them; use one currency.",
			revKPI.Currency, aovKPI.Currency))
		return r
	case implied <= 0:
		r.RevenueTarget, r.HasRevenueTarget = revenue, true
		r.Lines = append(r.Lines, fmt.Sprintf("With a factor of zero the funnel delivers nothing towards the %s revenue target.", money(revenue)))
		return r
	}
	r.RevenueTarget, r.HasRevenueTarget = revenue, true
	r.Gap = revenue / implied
	for i := range r.Steps {
		st := &r.Steps[i]
		st.HasRequired, st.Ratio = true, r.Gap
		if st.Key == "repeat-rate" {
			st.Required = ((1+st.Planned/100)*r.Gap - 1) * 100
		} else {
			st.Required = st.Planned * r.Gap
		}
	}
	if r.Gap <= 1+1e-9 {
		spare := ""
		if r.Gap < 1-1e-9 {
			spare = fmt.Sprintf(", with %s to spare", money(implied-revenue))
		}
		r.Lines = append(r.Lines, fmt.Sprintf("That covers the %s revenue target%s.", money(revenue), spare))
		return r
	}
	r.Lines = append(r.Lines, fmt.Sprintf("The revenue target (%s) is %s× what the targets add up to.", money(revenue), times(r.Gap)))
	for _, st := range r.Steps {
		r.Lines = append(r.Lines, shortLine(st, r.Currency))
	}
	r.Bottleneck, _ = bottleneck(r.Steps)
	r.Lines = append(r.Lines, bottleneckLine(r.Steps, r.Bottleneck, r.Gap, r.Currency))
	return r
}

// stepValue formats one of a step's numbers in its unit.
func stepValue(st FunnelStep, x float64, currency string) string {
	v := Value{Amount: x, Unit: st.Unit}
	if st.Unit == UnitCurrency {
		v.Currency = currency
	}
	return FormatValue(v)
}

func shortLine(st FunnelStep, currency string) string {
	req, planned := stepValue(st, st.Required, currency), stepValue(st, st.Planned, currency)
	stage := stageTitle(st.Stage)
	switch st.Key {
	case "visitors":
		return fmt.Sprintf("The revenue target needs %s visitors; %s plans %s: %s× short.", req, stage, planned, times(st.Ratio))
	case "repeat-rate":
		return fmt.Sprintf("The revenue target needs a %s repeat rate; %s plans %s.", req, stage, planned)
	}
	line := fmt.Sprintf("The revenue target needs a %s %s; %s plans %s: %s× short.", req, st.Name, stage, planned, times(st.Ratio))
	if st.Unit == UnitPercent && st.Required > 100 {
		line += fmt.Sprintf(" No rate passes 100%%, so %s alone can't close the gap.", stage)
	}
	return line
}

// bottleneck picks the step furthest short (the largest ratio); as holding
// the others fixed makes every ratio equal, the tie goes to the target that
// asks the least rise over its own baseline, then to the earliest stage.
func bottleneck(steps []FunnelStep) (StageID, int) {
	best := -1
	ambition := func(st FunnelStep) float64 {
		if !st.HasBaseline || st.Baseline <= 0 {
			return math.Inf(1)
		}
		return st.Planned / st.Baseline
	}
	for i, st := range steps {
		if best < 0 {
			best = i
			continue
		}
		b := steps[best]
		switch {
		case st.Ratio > b.Ratio*(1+1e-9):
			best = i
		case st.Ratio < b.Ratio*(1-1e-9):
		case ambition(st) < ambition(b):
			best = i
		}
	}
	if best < 0 {
		return "", -1
	}
	return steps[best].Stage, best
}

func bottleneckLine(steps []FunnelStep, stage StageID, gap float64, currency string) string {
	_, i := bottleneck(steps)
	st := steps[i]
	name := stageTitle(stage)
	if !st.HasBaseline || st.Baseline <= 0 {
		return fmt.Sprintf("Bottleneck: %s. Every stage would have to deliver %s× on its own; without baselines to compare, start at the top of the funnel, where more visitors feed every later stage.",
			name, times(gap))
	}
	rise := fmt.Sprintf("plans the smallest rise over today (%s → %s)", stepValue(st, st.Baseline, currency), stepValue(st, st.Planned, currency))
	if st.Planned <= st.Baseline {
		rise = fmt.Sprintf("plans no rise over today (%s)", stepValue(st, st.Baseline, currency))
	}
	return fmt.Sprintf("Bottleneck: %s. Every stage would have to deliver %s× on its own, and %s's %s target %s, so ask more of %s first.",
		name, times(gap), name, st.Name, rise, name)
}

// consistencyLines flags count targets that disagree with the rates set
// beside them, such as a leads target that visitors × lead rate cannot give.
func consistencyLines(byKey map[string]KPI, f funnelFactors) []string {
	var lines []string
	target := func(key string) (float64, bool) {
		k, ok := byKey[key]
		return k.Target.Amount, ok && k.HasTarget()
	}
	count := func(x float64) string { return FormatValue(Value{Amount: x, Unit: UnitCount}) }
	pct := func(x float64) string { return FormatValue(Value{Amount: x, Unit: UnitPercent}) }
	differ := func(a, b float64) bool { return math.Abs(a-b) > 0.05*math.Max(math.Abs(a), math.Abs(b)) }

	if leads, ok := target("leads"); ok && f.leadRate.ok && f.leadRate.derived == "" && f.visitors.ok {
		if want := f.visitors.val * f.leadRate.val / 100; differ(leads, want) {
			lines = append(lines, fmt.Sprintf("The leads target (%s) doesn't match visitors × lead rate (%s × %s = %s).",
				count(leads), count(f.visitors.val), pct(f.leadRate.val), count(want)))
		}
	}
	if sales, ok := target("sales"); ok && f.salesRate.ok && f.salesRate.derived == "" && f.leads.ok {
		if want := f.leads.val * f.salesRate.val / 100; differ(sales, want) {
			lines = append(lines, fmt.Sprintf("The sales target (%s) doesn't match leads × sales rate (%s × %s = %s).",
				count(sales), count(f.leads.val), pct(f.salesRate.val), count(want)))
		}
	}
	if vtb, ok := target("visitor-to-buyer"); ok && f.leadRate.ok && f.salesRate.ok &&
		!strings.Contains(f.leadRate.derived+f.salesRate.derived, "visitor-to-buyer") {
		if want := f.leadRate.val * f.salesRate.val / 100; differ(vtb, want) {
			lines = append(lines, fmt.Sprintf("The visitor-to-buyer target (%s) doesn't match lead rate × sales rate (%s × %s = %s).",
				pct(vtb), pct(f.leadRate.val), pct(f.salesRate.val), pct(want)))
		}
	}
	return lines
}

// andListMsg is andList for messages.
func andListMsg(items []Msg) Msg {
	switch len(items) {
	case 0:
		return nil
	case 1:
		return items[0]
	}
	return Join([]Msg{Join(items[:len(items)-1], ", "), items[len(items)-1]}, " and ")
}

func andList(items []string) string {
	switch len(items) {
	case 0:
		return ""
	case 1:
		return items[0]
	}
	return strings.Join(items[:len(items)-1], ", ") + " and " + items[len(items)-1]
}
