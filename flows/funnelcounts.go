package flows

import "slices"

// FunnelCount is one stage of the way from visitors to revenue, for the
// funnel picture and the export's summary: its target and where it stands.
type FunnelCount struct {
	// Key is "visitors", "leads", "sales" or "revenue".
	Key   string
	Name  string
	Stage StageID
	Unit  UnitKind
	// Currency is the revenue's currency, "" for the plan's own.
	Currency string

	Target    float64
	HasTarget bool
	// TargetFrom says how the target was worked out when no KPI sets it
	// ("visitors × lead rate"); empty when a KPI's target gives it.
	TargetFrom string

	// Actual is the latest recorded value, or worked out from the latest
	// values of the KPIs it follows from.
	Actual     float64
	HasActual  bool
	ActualFrom string
}

// FunnelCounts lays the plan's KPIs out as the funnel of counts a lead
// reads: visitors, leads, sales and revenue, each with its target and its
// latest value, counted per month as the funnel check counts them. A count
// no KPI tracks is worked out from the rates beside it where they allow
// (leads = visitors × lead rate, sales = leads × sales rate, revenue =
// sales × average order value), as the funnel check does; nothing is
// guessed. It returns nil when no stage has a target or a value.
func FunnelCounts(kpis []KPI, ms map[int64][]Measurement) []FunnelCount {
	byKey := make(map[string]KPI, len(kpis))
	for _, k := range kpis {
		if _, dup := byKey[k.Key]; !dup {
			byKey[k.Key] = k
		}
	}
	// Counts and amounts are shown per month, as the funnel check compares
	// them: 300 leads a week beside 20k visitors a month is 1,300 leads.
	perMonth := volumeFactor
	target := func(key string) (float64, bool) {
		k, ok := byKey[key]
		return k.Target.Amount * perMonth(k), ok && k.HasTarget()
	}
	latest := func(key string) (float64, bool) {
		k, ok := byKey[key]
		if !ok {
			return 0, false
		}
		m, ok := lastValue(Comparable(k, ms[k.ID]))
		return m.Value.Amount * perMonth(k), ok
	}
	currency := cmpOr(byKey["revenue"].Currency, byKey["aov"].Currency)
	plan, now := funnelCounts(target), funnelCounts(latest)

	var out []FunnelCount
	some := false
	for i, c := range []FunnelCount{
		{Key: "visitors", Name: "Visitors", Stage: StageReach, Unit: UnitCount},
		{Key: "leads", Name: "Leads", Stage: StageAct, Unit: UnitCount},
		{Key: "sales", Name: "Sales", Stage: StageConvert, Unit: UnitCount},
		{Key: "revenue", Name: "Revenue", Stage: StageConvert, Unit: UnitCurrency, Currency: currency},
	} {
		c.Target, c.HasTarget, c.TargetFrom = plan[i].val, plan[i].ok, plan[i].derived
		c.Actual, c.HasActual, c.ActualFrom = now[i].val, now[i].ok, now[i].derived
		some = some || c.HasTarget || c.HasActual
		out = append(out, c)
	}
	if !some {
		return nil
	}
	return out
}

// funnelCounts works out visitors, leads, sales and revenue from what get
// reads (targets or latest values).
func funnelCounts(get func(key string) (float64, bool)) [4]funnelFactor {
	f := deriveFunnel(get)
	direct := func(key string) funnelFactor {
		v, ok := get(key)
		return funnelFactor{val: v, ok: ok}
	}
	sales := direct("sales")
	switch {
	case sales.ok:
	case f.leads.ok && f.salesRate.ok:
		sales = funnelFactor{f.leads.val * f.salesRate.val / 100, true, "leads × sales rate"}
	case f.visitors.ok && f.buyerRate.ok:
		sales = funnelFactor{f.visitors.val * f.buyerRate.val / 100, true, "visitors × visitor-to-buyer rate"}
	}
	revenue := direct("revenue")
	if !revenue.ok && sales.ok && f.aov.ok {
		from := "sales × average order"
		if f.repeat.ok {
			from += " × (1 + repeat rate)"
		}
		revenue = funnelFactor{sales.val * f.aov.val * (1 + f.repeat.val/100), true, from}
	}
	return [4]funnelFactor{f.visitors, f.leads, sales, revenue}
}

// FunnelCaption says what FunnelCounts shows, for a heading: each stage's
// latest value against its target, and that they are counted per month
// when one of the plan's volumes was set for another period (300 leads a
// week shown as 1,300 a month), as a table of the KPIs beside it shows
// them as set.
func FunnelCaption(kpis []KPI) string {
	if slices.ContainsFunc(kpis, func(k KPI) bool { return volumeFactor(k) != 1 }) {
		return "latest against target, counted per month"
	}
	return "latest against target"
}
