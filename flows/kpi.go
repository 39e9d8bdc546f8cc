package flows

import (
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// KPI is a SMART target a plan tracks: one catalogue KPI (or a custom one)
// with a baseline, a target, a deadline and an owner.
type KPI struct {
	ID    int64
	Plan  PlanID
	Stage StageID
	// Key is the catalogue id ("visitors") or, for a custom KPI, a slug of
	// its name ("webinar-sign-ups"). It is unique within a plan.
	Key            string
	Name           string
	Unit           UnitKind
	Currency       string
	HigherIsBetter bool
	// Period is what the baseline and target are counted over, when they
	// are counts or amounts: "20k visitors a month". PeriodNone when not
	// given; see Per.
	Period Period
	// Baseline and Target are absent when Missing is set or Unit is empty.
	Baseline, Target Value
	// Deadline is a calendar date: midnight starting the day.
	Deadline time.Time
	Owner    string
	By       string
	// At is when the target was set; progress measures from the baseline
	// at this time.
	At time.Time
	// Source is the message the KPI's line came from (a transport's
	// "channel/ts"), so an edit or a deletion of that message finds it;
	// empty for forms and the terminal, and once a form re-sets it.
	Source string
	// Edited is when the line was last edited at its Source, as
	// Answer.Edited; zero for a line as first given.
	Edited time.Time
}

// kpiName is the KPI's name in a message. A custom KPI is named by the
// team, so every name is taken as their text; a catalogue name reads the
// same either way.
func kpiName(k KPI) Span { return User(k.Name) }

// HasBaseline reports whether the KPI has a baseline to measure from.
func (k KPI) HasBaseline() bool { return present(k.Baseline) }

// HasTarget reports whether the KPI has a number to aim for.
func (k KPI) HasTarget() bool { return present(k.Target) }

func present(v Value) bool { return v.Unit != "" && !v.Missing }

// Measurement is one recorded value of a KPI.
type Measurement struct {
	KPI   int64
	Value Value
	At    time.Time
	By    string
	// Checkin is the check-in the value was given in, 0 if outside one.
	Checkin int64
	// Source is the message the value was written in (a transport's
	// "channel/ts"), so an edit or a deletion of it can find the value;
	// empty for forms and the terminal.
	Source string
	// Edited is when the message was edited to give this value (zero for
	// a value as first given), so that an older edit delivered late
	// replaces nothing.
	Edited time.Time
}

// ParseKPILine reads one KPI target per line, in the style of actions:
//
//	visitors | baseline 8k | target 20k a month | by 2027-03-31 | owner Ana
//
// The first part names a KPI of the stage from the catalogue, by id or name
// and forgiving about it ("unique visitors", "AOV", "CAC"), or a custom KPI:
// "custom: webinar sign-ups (count)", where the parentheses may hold a unit
// (count, currency, percent, duration, ratio; count if left out) and "lower
// is better". A custom KPI without either is read as lower is better when
// its target is below its baseline, or when its name says so (churn, cost
// per …) and the numbers do not say otherwise. With stage "" a catalogue
// KPI of any stage may be named.
//
// The other parts come in any order and are recognised by a keyword:
// baseline/from/now, target/to/goal, by/deadline/due/until (a date as
// ParseAction reads it: "2027-03-31", "end of March", "Q1", "in 12 weeks"),
// owner/@name/a mention, or a period ("per month", "per week", "per
// year", "over the plan"), which may also follow a value ("20k a month").
// A bare date is the deadline and a bare name without digits the owner. A
// count or an amount of a catalogue KPI without a period takes its
// definition's (visitors are counted per month). Values are read with
// ParseValue in the KPI's unit.
// Whether the target is SMART is left to CheckTarget; ParseKPILine only
// refuses what it cannot read.
func ParseKPILine(cat *Catalogue, stage StageID, line string, now time.Time) (KPI, error) {
	k, _, err := parseKPILine(cat, stage, "", line, now)
	return k, err
}

// kpiRead is what the coach says back about how it read a KPI line.
type kpiRead struct {
	// lowerFrom says why a custom KPI reads as lower is better, when no
	// direction was written: "numbers" or "name".
	lowerFrom string
	// higherDespiteName is set when a custom KPI's name reads as lower is
	// better (churn) but its target above the baseline says otherwise.
	higherDespiteName bool
	// periodFrom is "definition" when the period was not written and comes
	// from the catalogue.
	periodFrom string
	// inferred is set when the direction was read from the line, not
	// written or known from the catalogue.
	inferred bool
	// gaveBaseline is set when the line has a baseline part, even
	// "baseline none", which clears the one a KPI had.
	gaveBaseline bool
}

// kpiFieldError is a KPI line's error about one of its fields: a form shows
// what is said beside that field, where the field's name goes without
// saying, and a reply in the thread says the whole error.
type kpiFieldError struct {
	field string
	said  Msg
	err   error
}

func (e *kpiFieldError) Error() string { return e.err.Error() }
func (e *kpiFieldError) Unwrap() error { return e.err }

// parseKPILine is ParseKPILine for a plan of kind k, whose own KPIs (the
// ones the catalogue lacks) may be named without "custom:".
func parseKPILine(cat *Catalogue, stage StageID, kind Kind, line string, now time.Time) (KPI, kpiRead, error) {
	var read kpiRead
	// A link's label is kept apart from its address by a bar too.
	parts := splitOutsideRefs(line, '|')
	head := strings.TrimSpace(parts[0])
	if head == "" {
		return KPI{}, read, userErr(ErrBadInput, "Start with the KPI's name, for example %s.", Code(kpiLineExample))
	}
	k, explicit, err := kpiHead(cat, stage, kind, head, givesPercent(parts[1:]))
	if err != nil {
		return KPI{}, read, err
	}
	k.At = now
	k.Baseline = Value{Unit: k.Unit, Missing: true}
	k.Target = Value{Unit: k.Unit, Missing: true}

	given := map[string]string{}
	period, periodPart := PeriodNone, ""
	setPeriod := func(p Period, part string) error {
		if period != PeriodNone && p != period {
			return userErr(ErrBadInput, "%q and %q give two periods; count the baseline and the target over the same one.", User(periodPart), User(part))
		}
		period, periodPart = p, part
		return nil
	}
	for _, raw := range parts[1:] {
		part := strings.TrimSpace(raw)
		if part == "" {
			continue
		}
		if p, ok := parsePeriod(part); ok {
			if err := setPeriod(p, part); err != nil {
				return KPI{}, read, err
			}
			continue
		}
		field, rest, err := kpiField(part, now)
		if err != nil {
			return KPI{}, read, err
		}
		if prev, dup := given[field]; dup {
			return KPI{}, read, userErr(ErrBadInput, "You gave the %s twice (%q and %q); keep one.", field, User(prev), User(part))
		}
		given[field] = part
		switch field {
		case "baseline", "target":
			rest, p := cutPeriod(rest)
			if p != PeriodNone {
				if err := setPeriod(p, part); err != nil {
					return KPI{}, read, err
				}
			}
			v, err := ParseValue(rest, k.Unit)
			if err != nil {
				return KPI{}, read, &kpiFieldError{field: field, said: Explain(err), err: userErr(ErrBadValue, "For the %s, %s", field, Explain(err))}
			}
			if field == "baseline" {
				k.Baseline, read.gaveBaseline = v, true
			} else {
				k.Target = v
			}
		case "deadline":
			d, ok := parseDue(rest, now)
			if !ok {
				err := userErr(ErrBadInput, "I couldn't read the deadline %q. Write it as 2027-03-31, 31 Mar 2027, end of March or %s.", User(rest), Code("in 12 weeks"))
				return KPI{}, read, &kpiFieldError{field: field, said: Explain(err), err: err}
			}
			k.Deadline = d
		case "owner":
			k.Owner = rest
		}
	}
	switch {
	case period != PeriodNone:
		k.Period = period
	case k.Period != PeriodNone && !isCustom(head):
		read.periodFrom = "definition"
	}

	if k.Unit == UnitCurrency {
		b, t := k.Baseline.Currency, k.Target.Currency
		if b != "" && t != "" && b != t {
			return KPI{}, read, userErr(ErrBadValue, "The baseline is in %s but the target in %s; give both in one currency.", b, t)
		}
		k.Currency = cmpOr(b, t)
		if present(k.Baseline) {
			k.Baseline.Currency = k.Currency
		}
		if present(k.Target) {
			k.Target.Currency = k.Currency
		}
	}
	if _, ok := catalogueDefs[k.Key]; !ok && !explicit {
		read.lowerFrom, read.higherDespiteName = inferDirection(&k)
		read.inferred = true
	}
	return k, read, nil
}

// inferDirection reads a custom KPI's direction from its numbers, or from
// its name when they do not tell: a target below the baseline means lower
// is better, and so does a name such as "first-90-day churn" or "cost per
// demo". It says what it went by.
func inferDirection(k *KPI) (lowerFrom string, higherDespiteName bool) {
	byName := nameSaysLower(k.Name)
	if k.HasBaseline() && k.HasTarget() && k.Target.Amount != k.Baseline.Amount {
		k.HigherIsBetter = k.Target.Amount > k.Baseline.Amount
		if !k.HigherIsBetter {
			return "numbers", false
		}
		return "", byName
	}
	if byName {
		k.HigherIsBetter = false
		return "name", false
	}
	k.HigherIsBetter = true
	return "", false
}

// lowerWords are words in a KPI's name that mean less is the goal.
var lowerWords = map[string]bool{
	"churn": true, "cost": true, "cac": true, "cpa": true, "cpl": true, "cpc": true, "bounce": true,
	"unsubscribe": true, "cancellation": true, "cancel": true, "attrition": true, "complaint": true,
	"refund": true, "abandon": true, "abandonment": true, "dropout": true, "drop": true, "missed": true,
	"noshow": true, "wait": true, "waiting": true, "lost": true, "latency": true, "downtime": true,
	"defect": true, "error": true, "backlog": true,
}

// nameSaysLower reports whether a KPI's name reads as lower is better:
// churn, costs, bounces, unsubscribes, no-shows, time to a result.
func nameSaysLower(name string) bool {
	low := strings.ToLower(name)
	if strings.Contains(low, "time to ") || strings.Contains(low, "no-show") || strings.Contains(low, "no show") {
		return true
	}
	for _, w := range kpiNorm(name) {
		if lowerWords[w] {
			return true
		}
	}
	return false
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// kpiKeywords maps the words that start a part of a KPI line to its field.
var kpiKeywords = map[string]string{
	"baseline": "baseline", "from": "baseline", "now": "baseline", "currently": "baseline", "today": "baseline",
	"target": "target", "to": "target", "goal": "target",
	"by": "deadline", "deadline": "deadline", "due": "deadline", "until": "deadline",
	"owner": "owner",
}

// kpiField recognises one part after the KPI's name and returns its field
// and the text of its value.
func kpiField(part string, now time.Time) (field, rest string, err error) {
	i := 0
	for i < len(part) && isLetter(part[i]) {
		i++
	}
	if f, ok := kpiKeywords[strings.ToLower(part[:i])]; ok {
		rest = strings.TrimSpace(strings.TrimLeft(part[i:], " \t:="))
		if rest == "" {
			return "", "", userErr(ErrBadInput, "%q has nothing after it; write it like %s.", User(part), Code(fieldExample(f)))
		}
		return f, rest, nil
	}
	if _, ok := parseDue(part, now); ok {
		return "deadline", part, nil
	}
	if strings.HasPrefix(part, "@") || startsWithRef(part) {
		return "owner", part, nil
	}
	if looksLikeDate(part) && (!strings.ContainsFunc(part, unicode.IsLetter) && strings.ContainsAny(part, "-/") || dateLike(part, now) || monthOnly(part)) {
		return "", "", userErr(ErrBadInput, "I couldn't read the date %q. Write it as 2027-03-31, end of March or %s.", User(part), Code("in 12 weeks"))
	}
	if strings.ContainsFunc(part, unicode.IsDigit) || len(strings.Fields(part)) > 3 {
		return "", "", userErr(ErrBadInput, "I couldn't tell what %q is; start it with baseline, target, by or owner, like %s.", User(part), Code("target 20k"))
	}
	return "owner", part, nil
}

// valueExample is a sample value for a KPI, as CheckReading takes it:
// money in the KPI's currency, and without one when it has none.
func valueExample(k KPI) string {
	if k.Unit == UnitCurrency {
		return FormatValue(Value{Amount: 20000, Unit: UnitCurrency, Currency: k.Currency})
	}
	return kpiExample(k.Unit)
}

// kpiExample is a sample target in a unit, for messages.
func kpiExample(u UnitKind) string {
	switch u {
	case UnitCurrency:
		return "$20,000"
	case UnitPercent:
		return "2.5%"
	case UnitDuration:
		return "3m 30s"
	case UnitRatio:
		return "4.5"
	default:
		return "20k"
	}
}

func fieldExample(field string) string {
	switch field {
	case "baseline":
		return "baseline 8k"
	case "target":
		return "target 20k"
	case "deadline":
		return "by 2027-03-31"
	default:
		return "owner Ana"
	}
}

// givesPercent reports whether a KPI line's parts after its name give a
// percentage ("baseline 30%").
func givesPercent(parts []string) bool {
	return slices.ContainsFunc(parts, writtenAsPercent)
}

// writtenAsPercent reports whether s holds a value written as a
// percentage.
func writtenAsPercent(s string) bool {
	s = strings.ToLower(s)
	return strings.Contains(s, "%") || strings.Contains(s, "percent")
}

// kpiHead reads the first part of a KPI line: a catalogue KPI, one of the
// kind's own, or a custom one; explicit reports whether a custom KPI's
// direction was written. percent says the line gives a percentage (see
// matchKPIGiven).
func kpiHead(cat *Catalogue, stage StageID, kind Kind, head string, percent bool) (k KPI, explicit bool, err error) {
	var st *Stage
	if stage != "" {
		i, ok := cat.Stage(string(stage))
		if !ok {
			return KPI{}, false, userErr(ErrBadInput, "There is no stage called %q; try one of %s.", stage, strings.Join(cat.StageNames(), ", "))
		}
		st = &cat.Stages[i]
	}
	if rest, ok := cutCustom(head); ok {
		return customKPI(cat, st, rest)
	}
	k, err = catalogueHead(cat, st, kind, head, percent)
	return k, false, err
}

func catalogueHead(cat *Catalogue, st *Stage, kind Kind, head string, percent bool) (KPI, error) {

	var defs []KPIDef
	if st != nil {
		defs = st.KPIs
	} else {
		for _, s := range cat.Stages {
			defs = append(defs, s.KPIs...)
		}
	}
	found := matchKPIGiven(len(defs), func(i int) (string, string, UnitKind) { return defs[i].ID, defs[i].Name, defs[i].Unit }, head, percent)
	switch len(found) {
	case 1:
		d := defs[found[0]]
		return KPI{Stage: d.Stage, Key: d.ID, Name: d.Name, Unit: d.Unit, HigherIsBetter: d.HigherIsBetter, Period: d.Per}, nil
	case 0:
		if st != nil {
			if d, ok := kindCustom(kind, st.ID, head, percent); ok {
				return KPI{Stage: d.Stage, Key: d.ID, Name: d.Name, Unit: d.Unit, HigherIsBetter: d.HigherIsBetter, Period: d.Per}, nil
			}
		}
	default:
		names := make([]string, len(found))
		for i, f := range found {
			names[i] = defs[f].Name
		}
		return KPI{}, userErr(ErrBadInput, "%q could be %s; write the full name.", User(head), orList(names))
	}

	// Not in this stage: say where it lives rather than just "unknown".
	var all []KPIDef
	for _, s := range cat.Stages {
		all = append(all, s.KPIs...)
	}
	if other := matchKPIGiven(len(all), func(i int) (string, string, UnitKind) { return all[i].ID, all[i].Name, all[i].Unit }, head, percent); len(other) == 1 {
		d := all[other[0]]
		article := "a"
		if strings.IndexAny(stageTitle(d.Stage), "AEIOU") == 0 {
			article = "an" // "an Act KPI", "an Engage KPI"
		}
		return KPI{}, userErr(ErrBadInput, "%s is %s %s KPI; set it in the %s stage, or make %q a KPI of your own by starting the line with %s.",
			d.Name, article, stageTitle(d.Stage), stageTitle(d.Stage), User(head), Code("custom:"))
	}
	if st != nil && len(st.KPIs) == 0 {
		return KPI{}, userErr(ErrBadInput, "The %s stage has no KPIs of its own; name your own by starting the line with %s, like %s.", st.Name, Code("custom:"), Code("custom: webinar sign-ups (count)"))
	}
	names := make([]string, len(defs))
	for i, d := range defs {
		names[i] = d.Name
	}
	where := ""
	if st != nil {
		where = " in " + st.Name
	}
	return KPI{}, userErr(ErrBadInput, "I don't know a KPI called %q%s. Pick one of %s, or name your own like %s.",
		User(head), where, strings.Join(names, ", "), Code("custom: webinar sign-ups (count)"))
}

func isCustom(head string) bool {
	_, ok := cutCustom(head)
	return ok
}

func cutCustom(head string) (string, bool) {
	const prefix = "custom"
	if len(head) < len(prefix) || !strings.EqualFold(head[:len(prefix)], prefix) {
		return "", false
	}
	rest := head[len(prefix):]
	if rest != "" && rest[0] != ':' && rest[0] != ' ' {
		return "", false // "customers", "customer lifetime value"
	}
	return strings.TrimSpace(strings.TrimPrefix(rest, ":")), true
}

// customUnits maps what people write in a custom KPI's parentheses to a unit.
var customUnits = map[string]UnitKind{
	"count": UnitCount, "number": UnitCount, "#": UnitCount,
	"currency": UnitCurrency, "money": UnitCurrency, "$": UnitCurrency, "€": UnitCurrency, "£": UnitCurrency,
	"usd": UnitCurrency, "eur": UnitCurrency, "gbp": UnitCurrency,
	"percent": UnitPercent, "percentage": UnitPercent, "%": UnitPercent, "rate": UnitPercent,
	"duration": UnitDuration, "time": UnitDuration,
	"ratio": UnitRatio, "score": UnitRatio, "average": UnitRatio,
}

const maxKPINameLen = 80

func customKPI(cat *Catalogue, st *Stage, rest string) (KPI, bool, error) {
	example := Code("custom: webinar sign-ups (count)")
	if st == nil {
		return KPI{}, false, userErr(ErrBadInput, "Say which stage the custom KPI belongs to, then set it there.")
	}
	k := KPI{Stage: st.ID, Unit: UnitCount, HigherIsBetter: true}
	explicit := false
	name, opts := rest, ""
	if i := strings.IndexByte(rest, '('); i >= 0 {
		name, opts = rest[:i], rest[i+1:]
		j := strings.IndexByte(opts, ')')
		if j < 0 || strings.TrimSpace(opts[j+1:]) != "" {
			return KPI{}, false, userErr(ErrBadInput, "Put the unit in parentheses at the end of the name, like %s.", example)
		}
		opts = opts[:j]
	}
	k.Name = strings.Join(strings.Fields(name), " ")
	if k.Name == "" {
		return KPI{}, false, userErr(ErrBadInput, "Give the custom KPI a name, like %s.", example)
	}
	if len(k.Name) > maxKPINameLen {
		return KPI{}, false, userErr(ErrBadInput, "That KPI name is %d characters long; keep it under %d.", len(k.Name), maxKPINameLen)
	}
	unitSet := false
	for opt := range strings.FieldsFuncSeq(opts, func(r rune) bool { return r == ',' || r == ';' || r == '/' }) {
		o := strings.ToLower(strings.Join(strings.Fields(opt), " "))
		switch o {
		case "lower is better", "lower better", "lower", "less is better":
			k.HigherIsBetter, explicit = false, true
			continue
		case "higher is better", "higher better", "higher", "more is better":
			k.HigherIsBetter, explicit = true, true
			continue
		}
		if p, ok := parsePeriod(o); ok {
			k.Period = p
			continue
		}
		u, ok := customUnits[o]
		if !ok {
			return KPI{}, false, userErr(ErrBadInput, "I don't know the unit %q; use count, currency, percent, duration or ratio, like %s.", User(strings.TrimSpace(opt)), example)
		}
		if unitSet && u != k.Unit {
			return KPI{}, false, userErr(ErrBadInput, "A KPI has one unit, but %q names two.", User(opts))
		}
		k.Unit, unitSet = u, true
	}
	k.Key = kpiSlug(k.Name)
	if k.Key == "" {
		return KPI{}, false, userErr(ErrBadInput, "Give the custom KPI a name with letters or digits, like %s.", example)
	}
	if d, ok := cat.KPI(k.Key); ok {
		return KPI{}, false, userErr(ErrBadInput, "%s is already in the catalogue, as a KPI of %s; set it without %s.", d.Name, stageTitle(d.Stage), Code("custom:"))
	}
	return k, explicit, nil
}

// kpiSlug turns a custom KPI's name into its key: "Webinar sign-ups" →
// "webinar-sign-ups".
func kpiSlug(name string) string {
	words := strings.FieldsFunc(strings.ToLower(decodeEntities(name)), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	})
	return strings.Join(words, "-")
}

// kpiAliases are names people use for catalogue KPIs that neither the id
// nor the name contains, written normalised (see kpiNorm).
var kpiAliases = map[string]string{
	"ltv": "clv", "lifetime value": "clv", "csat": "satisfaction", "nps": "satisfaction",
	"net promoter score": "satisfaction", "traffic": "visitors", "order": "sales",
	"retention": "repeat-rate", "retention rate": "repeat-rate",
	"churn": "churn-rate", "attrition": "churn-rate", "cancellation rate": "churn-rate",
	"cpl": "cost-per-lead", "cpa": "cost-per-acquisition", "acquisition cost": "customer-acquisition-cost",
	"unsubscribe": "unsubscribe-rate", "unsub": "unsubscribe-rate", "ttfv": "time-to-first-value", "ttv": "time-to-first-value",
}

// kpiStopWords carry no meaning in a KPI's name: "number of leads" is "leads".
var kpiStopWords = map[string]bool{"and": true, "the": true, "of": true, "a": true, "an": true, "to": true,
	"per": true, "in": true, "on": true, "our": true, "my": true, "number": true, "total": true}

// kpiNorm lower-cases a KPI name, drops punctuation and stop words and
// singularises plurals, so "Shares, comments and likes" and "share comment
// like" compare equal.
func kpiNorm(s string) []string {
	fields := strings.FieldsFunc(strings.ToLower(decodeEntities(s)), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	})
	words := fields[:0]
	for _, w := range fields {
		if kpiStopWords[w] {
			continue
		}
		if w == "avg" {
			w = "average"
		}
		if pluralWord(w) {
			w = w[:len(w)-1]
		}
		words = append(words, w)
	}
	return words
}

// pluralWord reports whether kpiNorm reads a lower-cased word as a plural.
func pluralWord(w string) bool {
	return len(w) > 3 && strings.HasSuffix(w, "s") && !strings.HasSuffix(w, "ss")
}

// countsWhatKPIDivides reports whether text names a count of the things a
// KPI of unit, which is not a count, is of or per: filed under the rate,
// the amount or the score, that count would be a misfile. It does when
// text's head word (its last before any "per") is a plural the KPI's name
// or key holds only in the singular ("visits" beside Value per visit,
// "repeat purchases" beside the repeat purchase rate, "unsubscribes"
// beside the unsubscribe rate), unless that singular is the KPI's own head,
// other words of its name come first and the head names the measure, not
// what is counted ("churn rates", "acquisition costs", but "trial
// conversions" beside Trial-to-paid conversion); and when
// every word of text is what the KPI is per ("visit" beside Value per
// visit, "new donor" beside Cost per new donor).
// A plural the KPI's name or key writes too ("pages" for Pages per visit)
// is its own word.
func countsWhatKPIDivides(text, key, name string, unit UnitKind) bool {
	if unit == UnitCount || unit == "" {
		return false
	}
	before, _, hasPer := cutPer(text)
	words := slices.DeleteFunc(kpiWords(before), func(w string) bool { return kpiStopWords[w] })
	if len(words) == 0 {
		return false
	}
	ownBefore, ownAfter, _ := cutPer(name)
	ownHead, ownPer := kpiNorm(ownBefore), kpiNorm(ownAfter)
	if h := words[len(words)-1]; pluralWord(h) && !slices.Contains(kpiWords(key+" "+name), h) {
		// Alone, the plural is a count even of the KPI's own head word:
		// "conversions 40" are 40 conversions, not a 40% conversion. So is
		// the plural of a percentage's head that is no word for a share:
		// "trial conversions 20" are 20 conversions, where "churn rates 3"
		// is the churn rate.
		if len(words) == 1 || len(ownHead) == 0 || h[:len(h)-1] != ownHead[len(ownHead)-1] {
			return true
		}
		return unit == UnitPercent && !shareWords[ownHead[len(ownHead)-1]]
	}
	in := kpiNorm(text)
	return !hasPer && len(ownPer) > 0 && len(in) > 0 &&
		!slices.ContainsFunc(in, func(w string) bool { return !slices.Contains(ownPer, w) || slices.Contains(ownHead, w) })
}

// shareWords name a percentage itself, in the singular: their plural after
// other words of a KPI's name is still that KPI ("churn rates", "gross
// margins").
var shareWords = map[string]bool{"rate": true, "ratio": true, "share": true, "percentage": true, "margin": true}

// kpiWords are the lower-cased words of a KPI's name, key or what a user
// called it, without punctuation.
func kpiWords(s string) []string {
	return strings.FieldsFunc(strings.ToLower(decodeEntities(s)), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	})
}

// cutPer cuts a KPI's name at its first "per": "Value per visit" is a
// value, per visit.
func cutPer(s string) (before, after string, found bool) {
	words := kpiWords(s)
	i := slices.Index(words, "per")
	if i < 0 {
		return s, "", false
	}
	return strings.Join(words[:i], " "), strings.Join(words[i+1:], " "), true
}

// wordsOfKPI reports whether every word of text is in one KPI's key or
// name, even where matchKPI does not take text as that KPI ("visits"
// beside Value per visit): a `values` line naming it is about the plan's
// KPIs, and its author is told why it is not read.
func wordsOfKPI(kpis []KPI, text string) bool {
	in := kpiNorm(text)
	return len(in) > 0 && slices.ContainsFunc(kpis, func(k KPI) bool {
		kw, nw := kpiNorm(k.Key), kpiNorm(k.Name)
		return !slices.ContainsFunc(in, func(w string) bool { return !slices.Contains(kw, w) && !slices.Contains(nw, w) })
	})
}

// matchKPI finds the candidates (given by key, name and unit) that text
// names: every candidate whose id, name, initials or alias equals it, or
// failing that, every candidate whose id and name contain all its words,
// unless text is the name of another catalogue KPI (see namesOtherKPI). A
// count of what a rate or an amount is of (see countsWhatKPIDivides) is
// neither, even as the plural of an alias ("unsubscribes") or of the
// KPI's own name ("trial to paid conversions").
func matchKPI(n int, cand func(i int) (key, name string, unit UnitKind), text string) []int {
	return matchKPIGiven(n, cand, text, false)
}

// matchKPIGiven is matchKPI for a name given with its values; percent says
// they are written as percentages, which no count is, so a count word
// still names a percentage KPI it resembles ("repeat purchases 12%").
//
// A percentage's name with "rate" added, and maybe a word of it left out
// ("trial conversion rate" for Trial-to-paid conversion), is that
// percentage, but only when no name fits as written.
func matchKPIGiven(n int, cand func(i int) (key, name string, unit UnitKind), text string, percent bool) []int {
	counts := func(text, key, name string, unit UnitKind) bool {
		return !(percent && unit == UnitPercent) && countsWhatKPIDivides(text, key, name, unit)
	}
	in := kpiNorm(text)
	if len(in) == 0 {
		return nil
	}
	phrase := strings.Join(in, " ")
	// Even written whole, a KPI's name is a count when its plural counts
	// what the KPI divides: "trial to paid conversions 20".
	var exact, loose []int
	for i := range n {
		key, name, unit := cand(i)
		kw, nw := kpiNorm(key), kpiNorm(name)
		if (slices.Contains(kpiForms(kw, nw), phrase) || kpiAliases[phrase] == key) && !counts(text, key, name, unit) {
			exact = append(exact, i)
			continue
		}
		if wordsIn(in, kw, nw) && !namesOtherKPI(phrase, key, unit) && !counts(text, key, name, unit) {
			loose = append(loose, i)
		}
	}
	if len(exact) > 0 {
		return exact
	}
	if len(loose) > 0 {
		return loose
	}
	bare, ok := withoutRate(text)
	if !ok {
		return nil
	}
	in = kpiNorm(bare)
	var rated []int
	for i := range n {
		key, name, unit := cand(i)
		kw, nw := kpiNorm(key), kpiNorm(name)
		if unit == UnitPercent && len(in) > 0 && wordsIn(in, kw, nw) && !namesOtherKPI(phrase, key, unit) &&
			!namesOtherKPI(strings.Join(in, " "), key, unit) && !counts(bare, key, name, unit) {
			rated = append(rated, i)
		}
	}
	return rated
}

// wordsIn reports whether every word of in is in kw or nw.
func wordsIn(in, kw, nw []string) bool {
	return !slices.ContainsFunc(in, func(w string) bool { return !slices.Contains(kw, w) && !slices.Contains(nw, w) })
}

// withoutRate is text without its last word when that is "rate" or
// "rates", and words come before it.
func withoutRate(text string) (string, bool) {
	words := kpiWords(text)
	if len(words) < 2 || words[len(words)-1] != "rate" && words[len(words)-1] != "rates" {
		return "", false
	}
	return strings.Join(words[:len(words)-1], " "), true
}

// kpiForms are the exact names of a KPI, from its key's and its name's
// normalised words: both joined, and the name's initials ("aov").
func kpiForms(kw, nw []string) []string {
	forms := []string{strings.Join(kw, " "), strings.Join(nw, " ")}
	if len(nw) >= 2 {
		var initials strings.Builder
		for _, w := range nw {
			r, _ := utf8.DecodeRuneInString(w)
			initials.WriteRune(r)
		}
		forms = append(forms, initials.String())
	}
	return forms
}

// catalogueNames maps each exact name of a catalogue KPI, the kinds' own
// included (see kpiForms), to that KPI.
var catalogueNames = func() map[string]KPIDef {
	var defs []KPIDef
	for _, st := range raceStages() {
		defs = append(defs, st.KPIs...)
	}
	for _, p := range kindProfiles {
		defs = append(defs, p.Custom...)
	}
	m := map[string]KPIDef{}
	for _, d := range defs {
		for _, f := range kpiForms(kpiNorm(d.ID), kpiNorm(d.Name)) {
			if _, taken := m[f]; !taken {
				m[f] = d
			}
		}
	}
	return m
}()

// isCatalogueName reports whether text is an exact name or an alias of a
// catalogue KPI.
func isCatalogueName(text string) bool {
	phrase := strings.Join(kpiNorm(text), " ")
	_, ok := catalogueNames[phrase]
	return ok || kpiAliases[phrase] != ""
}

// namesOtherKPI reports whether phrase, which a KPI of key and unit
// contains, is the name of a different catalogue KPI: "leads" is the count
// of leads, never the lead conversion rate, and "visitors" never repeat
// visitors, even in a plan that tracks only those. An alias is looser
// (people say "cancellation rate" for a monthly cancellation rate as for
// churn), so it only rules out a KPI of another unit: "orders" is never an
// average order value.
func namesOtherKPI(phrase, key string, unit UnitKind) bool {
	if d, ok := catalogueNames[phrase]; ok {
		return d.ID != key
	}
	if id, ok := kpiAliases[phrase]; ok {
		d, known := catalogueNames[strings.Join(kpiNorm(id), " ")]
		return known && d.ID == id && d.Unit != unit
	}
	return false
}

// KPIResolver returns a lookup for ParseReadings over a plan's KPIs: it
// maps what a user calls a KPI ("unique visitors", "aov", "webinar sign
// ups") to its Key and unit, forgiving in the same way as ParseKPILine.
func KPIResolver(kpis []KPI) func(token string) (key string, unit UnitKind, ok bool) {
	return func(token string) (string, UnitKind, bool) {
		found := matchKPI(len(kpis), func(i int) (string, string, UnitKind) { return kpis[i].Key, kpis[i].Name, kpis[i].Unit }, token)
		if len(found) != 1 {
			return "", "", false
		}
		k := kpis[found[0]]
		return k.Key, k.Unit, true
	}
}

func stageTitle(id StageID) string {
	s := string(id)
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

func orList(items []string) string {
	switch len(items) {
	case 0:
		return ""
	case 1:
		return items[0]
	}
	return strings.Join(items[:len(items)-1], ", ") + " or " + items[len(items)-1]
}

// Problem is one way a KPI target falls short of SMART, in one friendly
// sentence. Blocking problems must be fixed before the target is saved;
// the others are advice.
type Problem struct {
	// Field is "target", "baseline", "deadline" or "owner".
	Field    string
	Msg      Msg
	Blocking bool
}

// HasBlocking reports whether any problem must be fixed first.
func HasBlocking(ps []Problem) bool {
	return slices.ContainsFunc(ps, func(p Problem) bool { return p.Blocking })
}

// CheckTarget checks that a KPI target is specific, measurable and
// time-bound, and plausible against its baseline. Blocking: no target, a
// target on the wrong side of the baseline or equal to it, no deadline, a
// deadline already past, no owner. Advice: no baseline, a percentage above
// 100, and growth far beyond what the time allows: more than 3× in under a
// quarter, or more than doubling every quarter over longer spans.
func CheckTarget(k KPI, now time.Time) []Problem {
	var ps []Problem
	add := func(field string, blocking bool, format string, args ...any) {
		ps = append(ps, Problem{Field: field, Msg: Sayf(format, args...), Blocking: blocking})
	}
	name := User(lowerName(k.Name))
	fv := func(v Value) string { return FormatValue(v) }
	hasB, hasT := k.HasBaseline(), k.HasTarget()

	if !hasT {
		add("target", true, "Set a number to aim for, so %s is measurable; for example %s.", name, Code("target "+kpiExample(k.Unit)))
	} else {
		t := k.Target.Amount
		if hasB {
			b := k.Baseline.Amount
			better, aim := "higher", "above"
			if !k.HigherIsBetter {
				better, aim = "lower", "below"
			}
			bc, tc := k.Baseline.Currency, k.Target.Currency
			switch {
			case bc != "" && tc != "" && bc != tc:
				add("target", true, "The baseline is in %s but the target in %s; give both in one currency.", bc, tc)
			case t == b:
				add("target", true, "The target equals the baseline (%s), so there is nothing to achieve; aim %s it.", fv(k.Baseline), aim)
			case k.HigherIsBetter && t < b:
				add("target", true, "The target (%s) is below the baseline (%s), but for %s higher is better; aim above %s.", fv(k.Target), fv(k.Baseline), name, fv(k.Baseline))
			case !k.HigherIsBetter && t > b:
				add("target", true, "The target (%s) is above the baseline (%s), but for %s lower is better; aim below %s.", fv(k.Target), fv(k.Baseline), name, fv(k.Baseline))
			default:
				if msg := growthWarning(k, name, better, now); len(msg) > 0 {
					add("target", false, "%s", msg)
				}
			}
		}
		if isShare(k) && t > 100 {
			add("target", true, "A target of %s can't be right: %s is a share, and a share can't pass 100%%.", fv(k.Target), name)
		}
	}
	if !hasB {
		add("baseline", false, "Without a baseline I can't judge progress; add today's value, for example %s.", Code("baseline "+kpiExample(k.Unit)))
	} else if isShare(k) && k.Baseline.Amount > 100 {
		add("baseline", true, "A baseline of %s can't be right: %s is a share, and a share can't pass 100%%.", fv(k.Baseline), name)
	}

	switch {
	case k.Deadline.IsZero():
		add("deadline", true, "Add a deadline so the target is time-bound, for example %s or %s.", Code("by 2027-03-31"), Code("in 12 weeks"))
	case dayOf(k.Deadline).Before(dayOf(now)):
		add("deadline", true, "The deadline %s has already passed; pick a date from today on.", k.Deadline.Format(time.DateOnly))
	}
	if strings.TrimSpace(k.Owner) == "" {
		add("owner", true, "Name an owner who will report %s at check-ins, for example %s or %s.", name, Code("owner Ana"), Code("@ana"))
	} else if msg := ownerProblem(k.Owner, true, dateLike(k.Owner, now)); len(msg) > 0 {
		add("owner", true, "%s", msg)
	}
	return ps
}

// isShare reports whether a KPI is a share of a whole, which can't pass
// 100%: every percentage but growth and returns ("revenue growth", "ROI").
func isShare(k KPI) bool {
	if k.Unit != UnitPercent {
		return false
	}
	for _, w := range kpiNorm(k.Name) {
		switch w {
		case "growth", "increase", "uplift", "lift", "roi", "roa", "roas", "return", "change", "markup":
			return false
		}
	}
	return true
}

// growthWarning explains a target that asks for far more change than the
// time allows, or returns an empty message. The rule of thumb: a plan rarely more than
// doubles a number (or halves one where lower is better) in a quarter, and
// anything up to 3× is still believable in a short push.
func growthWarning(k KPI, name Span, better string, now time.Time) Msg {
	if k.Deadline.IsZero() {
		return nil
	}
	start := k.At
	if start.IsZero() {
		start = now
	}
	days := dayOf(k.Deadline).Sub(dayOf(start)).Hours() / 24
	if days < 0 {
		return nil // a past deadline is reported on its own
	}
	days = max(days, 1)
	b, t := k.Baseline.Amount, k.Target.Amount
	if b < 0 || t < 0 || (k.HigherIsBetter && b == 0) {
		return nil
	}
	allowed := max(3, math.Pow(2, days/91))
	span := spanText(days)
	if better == "lower" {
		if t == 0 {
			return Sayf("Bringing %s down to zero %s is rarely possible; a plan seldom more than halves a number in a quarter, so check the target or allow more time.", name, span)
		}
		r := b / t
		if r <= allowed {
			return nil
		}
		return Sayf("Cutting %s from %s to %s %s is a %s× drop; plans rarely more than halve a number in a quarter, so check the target or allow more time.",
			name, FormatValue(k.Baseline), FormatValue(k.Target), span, times(r))
	}
	r := t / b
	if r <= allowed {
		return nil
	}
	return Sayf("Going from %s to %s %s %s is %s×; plans rarely more than double in a quarter, so check the target or allow more time.",
		FormatValue(k.Baseline), FormatValue(k.Target), name, span, times(r))
}

// spanText says how long a number of days is the way people plan: days,
// then weeks, then months.
func spanText(days float64) string {
	plural := func(n int, unit string) string {
		if n == 1 {
			return "in 1 " + unit
		}
		return "in " + strconv.Itoa(n) + " " + unit + "s"
	}
	switch {
	case days < 14:
		return plural(int(math.Round(days)), "day")
	case days < 91:
		return plural(int(math.Round(days/7)), "week")
	}
	return plural(int(math.Round(days/30.44)), "month")
}

// times writes a multiple with one decimal, rounding halves up as people
// do (6.25 → 6.3), which strconv's exact binary rounding would not.
func times(r float64) string {
	return strconv.FormatFloat(math.Round(r*10)/10, 'f', 1, 64)
}

// lowerName lower-cases a KPI name for use mid-sentence, leaving acronyms
// ("NPS", "AOV") alone.
func lowerName(name string) string {
	r := []rune(name)
	if len(r) == 0 || (len(r) >= 2 && unicode.IsUpper(r[1])) {
		return name
	}
	r[0] = unicode.ToLower(r[0])
	return string(r)
}

// dayOf is the calendar day of t in its own location, as a UTC midnight, so
// dates parsed in the team's zone and dates loaded from the store compare
// by the day they name.
func dayOf(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// Status says how a KPI is doing against its target.
type Status string

const (
	StatusOnTrack  Status = "on-track"
	StatusAtRisk   Status = "at-risk"
	StatusOffTrack Status = "off-track"
	// StatusNoData means there is nothing to judge yet: no target, no
	// values or no deadline.
	StatusNoData Status = "no-data"
	// StatusEarly means there are values, but too short a history to tell
	// the pace.
	StatusEarly    Status = "early"
	StatusAchieved Status = "achieved"
)

// Progress is where a KPI stands against its target.
type Progress struct {
	// Latest is the most recent measurement with a value (n/a skipped).
	Latest *Measurement
	// Percent is how far Latest has come from the baseline to the target:
	// below 0 when it moved the wrong way, above 100 past the target.
	Percent float64
	Status  Status
	// Projected is the trend's value at the end of the deadline day.
	Projected     float64
	HasProjection bool
	// TrendFrom is where the trend line starts, the first point it was
	// fitted through, and TrendFromValue its value there; with Projected
	// it draws the line. Set with HasProjection.
	TrendFrom      time.Time
	TrendFromValue float64
}

// atRiskShare is how much of the way to the target the projected trend
// must cover for a KPI to count as at risk rather than off track.
const atRiskShare = 0.8

// KPIProgress judges a KPI's measurements against its target. The trend is
// the least-squares line through the measurements (and the baseline at
// k.At, when it comes before them), projected to the end of the deadline
// day: on track if it reaches the target, at risk if it covers at least 80%
// of the way, off track otherwise. With one measurement and a baseline the
// line is the linear pace from the baseline to that measurement. Without a
// baseline, the first measurement stands in for it. A KPI whose deadline
// has passed without reaching its target is off track; one whose latest
// value reaches the target is achieved. ms should hold this KPI's
// measurements; missing values (n/a) are skipped.
// minTrendSpan is the shortest history a trend is projected from.
const minTrendSpan = 7 * 24 * time.Hour

func KPIProgress(k KPI, ms []Measurement, now time.Time) Progress {
	pts := make([]Measurement, 0, len(ms))
	for _, m := range ms {
		if present(m.Value) {
			pts = append(pts, m)
		}
	}
	slices.SortStableFunc(pts, func(a, b Measurement) int { return a.At.Compare(b.At) })

	p := Progress{Status: StatusNoData}
	if len(pts) == 0 {
		return p
	}
	latest := pts[len(pts)-1]
	p.Latest = &latest
	if !k.HasTarget() {
		return p
	}
	target, origin := k.Target.Amount, k.Baseline.Amount
	hasOrigin := k.HasBaseline()
	if !hasOrigin {
		origin = pts[0].Value.Amount
	}
	reached := func(v float64) bool {
		if k.HigherIsBetter {
			return v >= target
		}
		return v <= target
	}
	way := func(v float64) float64 {
		if target == origin {
			return 0
		}
		return (v - origin) / (target - origin)
	}
	p.Percent = way(latest.Value.Amount) * 100

	var end time.Time
	if !k.Deadline.IsZero() {
		y, m, d := k.Deadline.Date()
		end = time.Date(y, m, d+1, 0, 0, 0, 0, k.Deadline.Location())
		var xs []time.Time
		var ys []float64
		if hasOrigin && !k.At.IsZero() && k.At.Before(pts[0].At) {
			xs, ys = append(xs, k.At), append(ys, origin)
		}
		for _, m := range pts {
			xs, ys = append(xs, m.At), append(ys, m.Value.Amount)
		}
		// A trend over less than a week is noise: a value typed minutes
		// after the target was set says nothing about the pace.
		if xs[len(xs)-1].Sub(xs[0]) >= minTrendSpan {
			p.Projected, p.HasProjection = fitAt(xs, ys, end)
			p.TrendFrom = xs[0]
			p.TrendFromValue, _ = fitAt(xs, ys, xs[0])
		}
	}

	switch {
	case reached(latest.Value.Amount):
		p.Status = StatusAchieved
	case end.IsZero():
		p.Status = StatusNoData
	case now.After(end):
		p.Status = StatusOffTrack
	case !p.HasProjection:
		p.Status = StatusEarly
	case reached(p.Projected) || way(p.Projected) >= 1:
		p.Status = StatusOnTrack
	case way(p.Projected) >= atRiskShare:
		p.Status = StatusAtRisk
	default:
		p.Status = StatusOffTrack
	}
	return p
}

// fitAt fits the least-squares line through (xs, ys) and evaluates it at x.
// It fails when the points do not span any time.
func fitAt(xs []time.Time, ys []float64, x time.Time) (float64, bool) {
	if len(xs) < 2 {
		return 0, false
	}
	day := func(t time.Time) float64 { return float64(t.Sub(xs[0])) / float64(24*time.Hour) }
	var mx, my float64
	for i := range xs {
		mx += day(xs[i])
		my += ys[i]
	}
	n := float64(len(xs))
	mx, my = mx/n, my/n
	var sxy, sxx float64
	for i := range xs {
		dx := day(xs[i]) - mx
		sxy += dx * (ys[i] - my)
		sxx += dx * dx
	}
	if sxx == 0 {
		return 0, false
	}
	slope := sxy / sxx
	return my + slope*(day(x)-mx), true
}

// namesWhole reports whether text is k's whole name, its key or an alias
// of it, rather than some words of it ("new" of New customers).
func namesWhole(text string, k KPI) bool {
	phrase := strings.Join(kpiNorm(text), " ")
	return phrase != "" && (slices.Contains(kpiForms(kpiNorm(k.Key), kpiNorm(k.Name)), phrase) || kpiAliases[phrase] == k.Key)
}
