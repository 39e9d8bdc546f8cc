package flows

import (
	"slices"
	"strings"
	"time"
)

// Period is what a count or an amount of a KPI is counted over: 20k
// visitors a month is not 20k visitors over the plan. Rates, averages and
// levels (followers) have none. The values are stored with a KPI.
type Period string

const (
	PeriodNone    Period = ""
	PeriodWeek    Period = "week"
	PeriodMonth   Period = "month"
	PeriodQuarter Period = "quarter"
	PeriodYear    Period = "year"
	// PeriodPlan is the whole span from setting the target to its
	// deadline: "27k revenue over the plan".
	PeriodPlan Period = "plan"
)

// periodPhrases are what people write for a period, in a KPI line's own
// part or after a value ("20k a month", "20k/month").
var periodPhrases = []struct {
	text   string
	period Period
}{
	{"per week", PeriodWeek}, {"a week", PeriodWeek}, {"each week", PeriodWeek}, {"every week", PeriodWeek},
	{"weekly", PeriodWeek}, {"/week", PeriodWeek}, {"/wk", PeriodWeek}, {"pw", PeriodWeek},
	{"per month", PeriodMonth}, {"a month", PeriodMonth}, {"each month", PeriodMonth}, {"every month", PeriodMonth},
	{"monthly", PeriodMonth}, {"/month", PeriodMonth}, {"/mo", PeriodMonth}, {"pm", PeriodMonth}, {"per mo", PeriodMonth},
	{"per quarter", PeriodQuarter}, {"a quarter", PeriodQuarter}, {"each quarter", PeriodQuarter}, {"every quarter", PeriodQuarter},
	{"quarterly", PeriodQuarter}, {"/quarter", PeriodQuarter}, {"/qtr", PeriodQuarter},
	{"per year", PeriodYear}, {"a year", PeriodYear}, {"each year", PeriodYear}, {"every year", PeriodYear},
	{"yearly", PeriodYear}, {"annually", PeriodYear}, {"per annum", PeriodYear}, {"/year", PeriodYear}, {"/yr", PeriodYear},
	{"over the plan", PeriodPlan}, {"in total", PeriodPlan}, {"total", PeriodPlan}, {"over the period", PeriodPlan},
	{"for the plan", PeriodPlan}, {"overall", PeriodPlan}, {"all told", PeriodPlan}, {"by the deadline", PeriodPlan},
}

// parsePeriod reads a part that is only a period: "per month", "weekly".
func parsePeriod(s string) (Period, bool) {
	s = strings.ToLower(strings.Join(strings.Fields(s), " "))
	for _, p := range periodPhrases {
		if s == p.text {
			return p.period, true
		}
	}
	return PeriodNone, false
}

// cutPeriod takes a period off the end of a value: "20k a month" is 20k
// and a month. It returns s unchanged and PeriodNone when there is none.
// A period in a note after the value ("20k (a month)", "20k (est,
// monthly)") is taken too: ParseValue passes such a note over as an
// aside, and the period would be lost.
func cutPeriod(s string) (string, Period) {
	if i := strings.LastIndexByte(s, '('); i > 0 && strings.HasSuffix(strings.TrimSpace(s), ")") {
		note := strings.TrimSuffix(strings.TrimSpace(s[i+1:]), ")")
		parts := strings.FieldsFunc(note, func(r rune) bool { return r == ',' || r == ';' })
		for j, part := range parts {
			if p, ok := parsePeriod(part); ok {
				// The rest of the note stays for ParseValue to judge: a
				// second period in it ("(monthly, per day)") is refused,
				// not passed over as an aside.
				value := strings.TrimSpace(s[:i])
				if rest := slices.Delete(parts, j, j+1); len(rest) > 0 {
					value += " (" + strings.Join(rest, ",") + ")"
				}
				return value, p
			}
		}
	}
	low := strings.ToLower(strings.TrimSpace(s))
	for _, p := range periodPhrases {
		if !strings.HasSuffix(low, p.text) {
			continue
		}
		rest := strings.TrimSpace(s)[:len(low)-len(p.text)]
		// "20kpm" is not a period; "20k pm" and "20k/month" are.
		if !strings.HasPrefix(p.text, "/") && !strings.HasSuffix(rest, " ") {
			continue
		}
		if rest = strings.TrimSpace(rest); rest != "" {
			return rest, p.period
		}
	}
	return s, PeriodNone
}

// text says the period after a number: "a month", "over the plan".
func (p Period) text() string {
	switch p {
	case PeriodWeek:
		return "a week"
	case PeriodMonth:
		return "a month"
	case PeriodQuarter:
		return "a quarter"
	case PeriodYear:
		return "a year"
	case PeriodPlan:
		return "over the plan"
	}
	return ""
}

// perMonth is how many of the period's amounts make a month's, for a KPI
// from start to deadline: a week's is 52/12 of a month's, a year's 1/12,
// the plan's the whole span's. It is 0 when that cannot be known.
func (p Period) perMonth(start, deadline time.Time) float64 {
	switch p {
	case PeriodWeek:
		return 52.0 / 12
	case PeriodMonth:
		return 1
	case PeriodQuarter:
		return 1.0 / 3
	case PeriodYear:
		return 1.0 / 12
	case PeriodPlan:
		if start.IsZero() || deadline.IsZero() {
			return 0
		}
		months := dayOf(deadline).Sub(dayOf(start)).Hours() / 24 / (365.25 / 12)
		if months < 0.25 {
			return 0
		}
		return 1 / months
	}
	return 0
}

// catalogueDefs are the built-in catalogue's KPIs by id, for what a stored
// KPI does not carry itself (the period of KPIs set before periods were).
var catalogueDefs = func() map[string]KPIDef {
	m := make(map[string]KPIDef)
	for _, st := range raceStages() {
		for _, d := range st.KPIs {
			m[d.ID] = d
		}
	}
	return m
}()

// Per is the period the KPI's baseline and target are counted over: as set,
// or, for a catalogue KPI set without one, its definition's.
func (k KPI) Per() Period {
	if k.Period != PeriodNone {
		return k.Period
	}
	return catalogueDefs[k.Key].Per
}

// TargetValue is a KPI's target as a team compares against it, with what
// it is counted over: "$60,000 a year", "20k over the plan". It is "" when
// the KPI has no target.
func TargetValue(k KPI) string {
	if !k.HasTarget() {
		return ""
	}
	return valueWithPeriod(kpiValue(k, k.Target), k.Per())
}

// valueWithPeriod writes a value with the KPI's period: "20k a month".
func valueWithPeriod(v Value, per Period) string {
	if t := per.text(); t != "" {
		return FormatValue(v) + " " + t
	}
	return FormatValue(v)
}
