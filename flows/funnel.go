package flows

import (
	"cmp"
	"fmt"
	"math"
	"slices"
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
	// Counts and amounts are compared per month, whatever period each was
	// set for: 300 leads a week and 20k visitors a month are one funnel.
	var periodLines []string
	for _, key := range funnelVolumes {
		if k, ok := byKey[key]; ok {
			if _, line := monthFactor(k); line != "" {
				periodLines = append(periodLines, line)
			}
		}
	}
	get := func(base bool) func(string) (float64, bool) {
		return func(key string) (float64, bool) {
			k, ok := byKey[key]
			switch {
			case !ok:
				return 0, false
			case base:
				return k.Baseline.Amount * volumeFactor(k), k.HasBaseline()
			}
			return k.Target.Amount * volumeFactor(k), k.HasTarget()
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
	// Revenue a month is an estimate: whole units are what people read.
	money := func(x float64) string {
		return FormatValue(Value{Amount: math.Round(x), Unit: UnitCurrency, Currency: r.Currency})
	}

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
			factors = append(factors, stepValue(st, st.Planned, r.Currency)+" visitors a month")
		case st.Key == "repeat-rate":
			factors = append(factors, "(1 + "+stepValue(st, st.Planned, r.Currency)+" repeat purchases)")
		default:
			factors = append(factors, stepValue(st, st.Planned, r.Currency)+" "+st.Name)
		}
	}
	r.Lines = append(r.Lines, periodLines...)
	r.Lines = append(r.Lines, fmt.Sprintf("The targets imply %s revenue a month: %s.", money(implied), strings.Join(factors, " × ")))
	for _, st := range r.Steps {
		if st.Derived != "" {
			r.Lines = append(r.Lines, fmt.Sprintf("I worked out the %s as %s: %s.", st.Name, st.Derived, stepValue(st, st.Planned, r.Currency)))
		}
		if st.Key == "repeat-rate" {
			r.Lines = append(r.Lines, repeatLine(st))
		}
	}
	r.Lines = append(r.Lines, consistencyLines(get(false), plan)...)

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
		r.Lines = append(r.Lines, fmt.Sprintf("With a factor of zero the funnel delivers nothing towards the revenue target of %s a month.", money(revenue)))
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
			spare = fmt.Sprintf(", with %s a month to spare", money(implied-revenue))
		}
		r.Lines = append(r.Lines, fmt.Sprintf("That covers the revenue target of %s a month%s.", money(revenue), spare))
		return r
	}
	r.Bottleneck, _ = bottleneck(r.Steps)
	if r.Gap > bigGap {
		r.Lines = append(r.Lines, fmt.Sprintf("The revenue target (%s a month) is %s× what the targets add up to: a big gap, more than one stage can plausibly close.", money(revenue), times(r.Gap)))
		r.Lines = append(r.Lines, leverLines(r.Steps, r.Gap, implied, revenue, r.Currency)...)
		return r
	}
	r.Lines = append(r.Lines, fmt.Sprintf("The revenue target (%s a month) is %s× what the targets add up to.", money(revenue), times(r.Gap)))
	for _, st := range r.Steps {
		r.Lines = append(r.Lines, shortLine(st, r.Currency))
	}
	r.Lines = append(r.Lines, bottleneckLine(r.Steps, r.Bottleneck, r.Gap, r.Currency))
	return r
}

// funnelVolumes are the funnel's counts and amounts, which have a period.
var funnelVolumes = []string{"visitors", "leads", "sales", "revenue"}

// volumeFactor turns a KPI's numbers into a month's when it is one of the
// funnel's volumes (see monthFactor); 1 for any other KPI.
func volumeFactor(k KPI) float64 {
	if !slices.Contains(funnelVolumes, k.Key) {
		return 1
	}
	f, _ := monthFactor(k)
	return f
}

// funnelLabels name the volumes in sentences.
var funnelLabels = map[string]string{"visitors": "visitors", "leads": "leads", "sales": "sales", "revenue": "revenue"}

// monthFactor is what turns a volume KPI's numbers into a month's, and a
// line saying so when its period is not a month.
func monthFactor(k KPI) (float64, string) {
	per := k.Per()
	switch per {
	case PeriodMonth, PeriodNone:
		return 1, ""
	}
	f := per.perMonth(k.At, k.Deadline)
	label := funnelLabels[k.Key]
	if f == 0 {
		return 1, fmt.Sprintf("Your %s target is over the plan, but without a deadline I can't spread it over months, so I took it as a month's.", label)
	}
	if !k.HasTarget() {
		return f, ""
	}
	month := k.Target
	month.Amount = math.Round(month.Amount * f)
	return f, fmt.Sprintf("I compare per month: your %s target of %s is %s a month.", label, valueWithPeriod(k.Target, per), FormatValue(month))
}

// repeatLine explains what a repeat rate does to the revenue the funnel
// implies, so it never multiplies revenue unexplained.
func repeatLine(st FunnelStep) string {
	r := st.Planned
	return fmt.Sprintf("Repeat purchases come on top of first orders: a %s repeat rate turns every 100 first orders into %s, so revenue × %s.",
		FormatValue(Value{Amount: r, Unit: UnitPercent}), fixed(100+r, 0), fixed(1+r/100, 2))
}

// bigGap is how many times short the funnel may fall before the coach
// stops asking each stage for the whole gap and looks for levers.
const bigGap = 3

// plausibleMax is the most a factor of the funnel can believably become
// in one plan: traffic up to three times today's (twice the plan without
// a baseline), rates at most doubled and within what good teams reach
// (a 10% lead rate, a 50% sales rate, a 5% visitor-to-buyer rate, every
// customer buying again), orders up by half.
func plausibleMax(st FunnelStep) float64 {
	var m float64
	switch st.Key {
	case "visitors":
		m = 2 * st.Planned
		if st.HasBaseline && st.Baseline > 0 {
			m = 3 * st.Baseline
		}
	case "lead-rate":
		m = min(2*st.Planned, 10)
	case "sales-rate":
		m = min(2*st.Planned, 50)
	case "visitor-to-buyer":
		m = min(2*st.Planned, 5)
	case "repeat-rate":
		m = min(st.Planned+30, 100)
	default:
		m = 1.5 * st.Planned
	}
	return max(m, st.Planned)
}

// factorOf is what a step contributes to revenue at value x.
func factorOf(st FunnelStep, x float64) float64 {
	if st.Key == "repeat-rate" {
		return 1 + x/100
	}
	return x
}

// valueFor is the step's value that contributes factor f.
func valueFor(st FunnelStep, f float64) float64 {
	if st.Key == "repeat-rate" {
		return (f - 1) * 100
	}
	return f
}

// leverLines finds the two or three stages with the most plausible room
// and what each would have to become, together, to close a big gap; or,
// when even all of them at their plausible best fall short, says the
// revenue target needs revisiting.
func leverLines(steps []FunnelStep, gap, implied, revenue float64, currency string) []string {
	type lever struct {
		st   FunnelStep
		room float64 // how many times its factor can plausibly grow
		mult float64 // how many times it grows in the answer
	}
	var levers []lever
	best := 1.0
	for _, st := range steps {
		room := factorOf(st, plausibleMax(st)) / factorOf(st, st.Planned)
		best *= room
		if room > 1.01 {
			levers = append(levers, lever{st: st, room: room})
		}
	}
	slices.SortStableFunc(levers, func(a, b lever) int { return cmp.Compare(b.room, a.room) })
	money := func(x float64) string {
		return FormatValue(Value{Amount: math.Round(x), Unit: UnitCurrency, Currency: currency})
	}
	if best < gap*(1-1e-9) {
		var at []string
		for _, l := range levers {
			at = append(at, atValue(l.st, plausibleMax(l.st), currency))
		}
		if len(at) == 0 {
			return []string{fmt.Sprintf("No stage has plausible room left, so the revenue target of %s a month needs revisiting, or more time.", money(revenue))}
		}
		return []string{fmt.Sprintf("Even at the edge of what's plausible (%s) the funnel gives %s a month, so the revenue target of %s a month needs revisiting, or more time.",
			andList(at), money(implied*best), money(revenue))}
	}
	// Use the fewest levers that can close the gap, up to three when they
	// can, and share it out evenly (in multiples) within each one's room.
	n := min(3, len(levers))
	for k := 1; k <= len(levers); k++ {
		prod := 1.0
		for _, l := range levers[:k] {
			prod *= l.room
		}
		if prod >= gap*(1-1e-9) {
			n = max(k, min(2, len(levers)))
			break
		}
	}
	chosen := levers[:n]
	slices.SortStableFunc(chosen, func(a, b lever) int { return cmp.Compare(a.room, b.room) })
	left := math.Log(gap)
	for i := range chosen {
		share := left / float64(len(chosen)-i)
		m := min(math.Log(chosen[i].room), share)
		chosen[i].mult = math.Exp(m)
		left -= m
	}
	if left > 1e-9 {
		// The evenly shared answer left some gap: the roomiest lever takes it.
		for i := len(chosen) - 1; i >= 0 && left > 1e-9; i-- {
			extra := min(math.Log(chosen[i].room)-math.Log(chosen[i].mult), left)
			chosen[i].mult *= math.Exp(extra)
			left -= extra
		}
	}
	slices.SortStableFunc(chosen, func(a, b lever) int { return cmp.Compare(stageOrder(a.st.Stage), stageOrder(b.st.Stage)) })
	var parts []string
	for _, l := range chosen {
		to := valueFor(l.st, factorOf(l.st, l.st.Planned)*l.mult)
		parts = append(parts, fmt.Sprintf("%s %s (planned: %s)", l.st.Name, leverValue(l.st, to, currency), stepValue(l.st, l.st.Planned, currency)))
	}
	return []string{fmt.Sprintf("Realistic levers that would close it together: %s.", andList(parts))}
}

// leverValue writes what a lever would have to become, rounded as people
// plan: "to 30k a month", "to 4.5%", "to $45".
func leverValue(st FunnelStep, x float64, currency string) string {
	switch st.Unit {
	case UnitPercent:
		return "to " + FormatValue(Value{Amount: math.Ceil(x*10) / 10, Unit: UnitPercent})
	case UnitCurrency:
		return "to " + FormatValue(Value{Amount: math.Ceil(x), Unit: UnitCurrency, Currency: currency})
	}
	s := "to " + FormatValue(Value{Amount: math.Ceil(x), Unit: UnitCount})
	if st.Key == "visitors" {
		s += " a month"
	}
	return s
}

// atValue writes a factor at a value as a noun phrase: "27k visitors a
// month", "a 5% lead rate", "a $54 average order".
func atValue(st FunnelStep, x float64, currency string) string {
	v := strings.TrimPrefix(leverValue(st, x, currency), "to ")
	if st.Key == "visitors" {
		return strings.Replace(v, " a month", " visitors a month", 1)
	}
	return "a " + v + " " + st.Name
}

func stageOrder(id StageID) int {
	for i, s := range []StageID{StagePlan, StageReach, StageAct, StageConvert, StageEngage} {
		if s == id {
			return i
		}
	}
	return 99
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
	if st.Unit == UnitPercent && st.Required > 100 {
		// A rate past 100% is no target: say so rather than print one.
		return fmt.Sprintf("On its own, %s would need its %s past 100%% (it plans %s); no rate gets there, so %s alone can't close the gap.", stage, st.Name, planned, stage)
	}
	switch st.Key {
	case "visitors":
		return fmt.Sprintf("The revenue target needs %s visitors a month; %s plans %s: %s× short.", req, stage, planned, times(st.Ratio))
	case "repeat-rate":
		return fmt.Sprintf("The revenue target needs a %s repeat rate; %s plans %s.", req, stage, planned)
	}
	return fmt.Sprintf("The revenue target needs a %s %s; %s plans %s: %s× short.", req, st.Name, stage, planned, times(st.Ratio))
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
// target reads a KPI's target as a month's, as the funnel compares it.
func consistencyLines(target func(key string) (float64, bool), f funnelFactors) []string {
	var lines []string
	count := func(x float64) string { return FormatValue(Value{Amount: x, Unit: UnitCount}) + " a month" }
	pct := func(x float64) string { return FormatValue(Value{Amount: x, Unit: UnitPercent}) }
	differ := func(a, b float64) bool { return math.Abs(a-b) > 0.05*math.Max(math.Abs(a), math.Abs(b)) }

	if leads, ok := target("leads"); ok && f.leadRate.ok && f.leadRate.derived == "" && f.visitors.ok {
		if want := f.visitors.val * f.leadRate.val / 100; differ(leads, want) {
			lines = append(lines, fmt.Sprintf("The leads target (%s) doesn't match visitors × lead rate (%s × %s = %s).",
				count(leads), FormatValue(Value{Amount: f.visitors.val, Unit: UnitCount}), pct(f.leadRate.val), count(want)))
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
