package flows

import (
	"regexp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Reading is one KPI value taken from a check-in reply.
type Reading struct {
	KPI   string
	Value Value
	// Raw is the value as the user typed it ("$18,250"), kept for the record.
	Raw string
}

// ParseReadings reads a check-in reply such as
//
//	visitors 12.4k, leads 310, revenue $18,250
//
// or one value per line ("visitors: 12.4k", "leads=310"). Items are split at
// newlines, semicolons and commas, except a comma between two digits, which
// belongs to a number ("$18,250"). Within an item a name comes before its
// value, separated by ":", "=" or a space; "12.4k visitors" works too, and so
// do several pairs without commas ("visitors 12.4k leads 310"). A note in
// parentheses after a value ("12.4k (est)") and a name repeated after its
// value ("12.4k visitors") are passed over; a note naming a currency ("18k
// (USD, est)", "18k (est. US$)") is read whole, as the value's currency,
// and one naming two, or a currency beside a number, or one it is not
// ("(not USD)"), or left open after money, makes the value one that can't
// be read. A note of readings ("12.4k (leads 310, revenue 18k)") is read
// as readings, and parts of it that are asides ("(leads 310, est)") are
// passed over, while a currency alone in it is the reading's before it
// ("(leads 310, USD)" refuses the leads as money); one left open after a
// value that is not money is refused by itself ("310 (est, revenue
// $18k", "12.4k (leads 310, est"), unless it holds readings alone, and
// so is a closed one that follows no value ("310, (new 3k)").
//
// names resolves what the user called a KPI (lower-cased, single-spaced:
// "unique visitors", "aov") to its id and unit. ParseReadings returns the
// readings it understood, in order, and one friendly error (errors.Is
// ErrBadValue) for each part it could not use; nothing is guessed.
func ParseReadings(s string, names func(token string) (kpiID string, unit UnitKind, ok bool)) ([]Reading, []error) {
	return parseReadings(s, func(token string, _ bool) (KPI, []string) {
		id, unit, ok := names(token)
		if !ok {
			return KPI{}, nil
		}
		// No currency of its own: refusals give money examples in
		// dollars, as ParseValue does.
		return KPI{Key: id, Unit: unit, Currency: "USD"}, nil
	})
}

// ParseReadingsIn is ParseReadings for a plan's KPIs (see KPIResolver). A
// name that fits several of them ("conversion", "cost") is refused with
// the KPIs it could be, rather than as a KPI the plan does not track.
func ParseReadingsIn(s string, kpis []KPI) ([]Reading, []error) {
	return parseReadings(s, func(token string, percent bool) (KPI, []string) {
		found := matchKPIGiven(len(kpis), func(i int) (string, string, UnitKind) { return kpis[i].Key, kpis[i].Name, kpis[i].Unit }, token, percent)
		if len(found) == 1 {
			return kpis[found[0]], nil
		}
		names := make([]string, len(found))
		for i, f := range found {
			names[i] = kpis[f].Name
		}
		return KPI{}, names
	})
}

// parseReadings reads readings with resolve, which gives a name's KPI
// (its Key, unit and currency), or one without a Key and the names it
// could be; percent says the name's value is written as a percentage
// (see matchKPIGiven).
func parseReadings(s string, resolve func(token string, percent bool) (k KPI, could []string)) ([]Reading, []error) {
	var (
		readings []Reading
		errs     []error
		seen     = map[string]int{} // KPI id → index in readings
	)
	// opensName reports whether a currency word after the value of the
	// KPI named before starts the name of another ("leads 5 euro sales
	// 6100" beside "Euro sales"): only when that KPI takes no money, so
	// the word can't be its value's currency.
	opensName := func(before, words string) bool {
		if k, _ := resolve(strings.ToLower(trimFillers(before)), false); k.Key == "" || k.Unit == UnitCurrency {
			return false
		}
		k, cands := resolve(strings.ToLower(trimFillers(words)), false)
		return k.Key != "" || len(cands) > 1
	}
	// moneyBefore reports whether the value that ends before, an item's
	// text up to a note, may be money: its KPI keeps money, or it can't
	// be told which KPI it is of.
	moneyBefore := func(before string) bool {
		pairs, _, _, err := pairItem(before, opensName)
		if err != nil || len(pairs) == 0 {
			return true
		}
		p := pairs[len(pairs)-1]
		k, _ := resolve(strings.ToLower(trimFillers(p.name)), writtenAsPercent(p.value))
		return k.Key == "" || k.Unit == UnitCurrency
	}
	// holdsReadings gives the readings of the plan's KPIs in a note in
	// parentheses after a value, before ("(leads 310, revenue 18k)"), to
	// be read as the same words outside it would be, when each of its
	// parts is a reading or an aside ("(leads 310, est)"), passed over as
	// one after a value is; else nil, and the note is refused whole. A
	// part that is a currency alone after a reading ("(leads 310, USD)",
	// "(leads 310, est, USD)") is that reading's, as one in a note after a
	// value is: refused whole, the count before the note was said to be no
	// number, and the currency went unnamed. After money it may be the
	// value's own, so the note stays with it. A note left open gives readings only when
	// it holds nothing else: where it was meant to end can't be told, and
	// nothing in it is guessed.
	holdsReadings := func(before, note string, open bool) []string {
		var readings []string
		// Whether a value of the note before its last may be money, which
		// a currency after the last may be of as well ("(revenue 18k,
		// leads 310, USD)"), as after money before the note.
		moneyEarlier, lastMoney := false, false
		for _, item := range splitItems(note, nil) {
			if currencyPart(suffixTokens("(" + item + ")")) {
				if open || len(readings) == 0 || strings.HasSuffix(readings[len(readings)-1], ")") || moneyEarlier || moneyBefore(before) {
					return nil
				}
				readings[len(readings)-1] += " (" + item + ")"
				continue
			}
			if asidePart(item) {
				if open {
					return nil
				}
				// A KPI's name alone is one without its value, no aside.
				if k, cands := resolve(strings.ToLower(trimFillers(item)), false); k.Key != "" || len(cands) > 1 {
					return nil
				}
				continue
			}
			pairs, rest, unread, err := pairItem(item, opensName)
			if err != nil || rest != "" || len(pairs) == 0 || len(unread) > 0 {
				return nil
			}
			// A word of a KPI's name is most often what part of the value
			// before the note it is ("visitors 12.4k (new 3k)", not 3k new
			// customers): only whole names and aliases are readings here.
			for _, p := range pairs {
				name := trimFillers(p.name)
				k, _ := resolve(strings.ToLower(name), writtenAsPercent(p.value))
				if k.Key == "" || !namesWhole(name, k) {
					return nil
				}
				moneyEarlier, lastMoney = moneyEarlier || lastMoney, k.Unit == UnitCurrency
			}
			readings = append(readings, item)
		}
		return readings
	}
	for _, item := range splitItems(s, holdsReadings) {
		pairs, rest, unread, err := pairItem(item, opensName)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		errs = append(errs, unread...)
		last := "" // the KPI id of the item's last pair
		for _, p := range pairs {
			p.name = trimFillers(p.name)
			k, cands := resolve(strings.ToLower(p.name), writtenAsPercent(p.value))
			id := k.Key
			last = id
			if id == "" {
				if len(cands) > 1 {
					errs = append(errs, userErr(ErrBadValue, "%q could be %s; write the full name.", User(p.name), User(orList(cands))))
					continue
				}
				errs = append(errs, userErr(ErrBadValue, "I don't track %q in this plan.", User(p.name)))
				continue
			}
			// The note is cut here too, and not only by ParseKPIValue, so
			// that the value before an open one is kept and the value
			// given twice is named without its aside.
			// Asked before the note is cut: passed over as an aside, a
			// target would be recorded as the value reached.
			if err := plannedValue(trimApprox(p.value)); err != nil {
				errs = append(errs, userErr(ErrBadValue, "For %s, %s", User(p.name), Explain(err)))
				continue
			}
			var open string
			if p.value, open = cutNote(trimApprox(p.value), k.Unit); open != "" {
				errs = append(errs, openNoteErr(open))
			}
			v, err := ParseKPIValue(p.value, k)
			if err != nil {
				errs = append(errs, userErr(ErrBadValue, "For %s, %s", User(p.name), Explain(err)))
				continue
			}
			if i, dup := seen[id]; dup {
				errs = append(errs, userErr(ErrBadValue, "You gave %s twice, so I kept %s and ignored %s.", User(p.name), User(readings[i].Raw), User(p.value)))
				continue
			}
			seen[id] = len(readings)
			readings = append(readings, Reading{KPI: id, Value: v, Raw: p.value})
		}
		if rest == "" {
			continue
		}
		// "visitors 12.4k visitors": a name after the last value that
		// repeats its KPI is a unit word, not a KPI left without a value.
		// It is looked up only then: a lone name is no KPI named.
		rest = trimFillers(rest)
		if len(pairs) > 0 && strings.EqualFold(rest, trimFillers(pairs[len(pairs)-1].name)) {
			continue
		}
		if last != "" {
			if k, _ := resolve(strings.ToLower(rest), false); k.Key == last {
				continue
			}
		}
		if strings.HasPrefix(rest, "(") {
			// A bracket left open after a value, with a number in it
			// but no reading ("310 (3k"): not a name without a value.
			// A closed one here follows no value ("(leads 310) (est)",
			// "310, (est)"): saying it is open would be untrue.
			if !strings.Contains(rest, ")") {
				errs = append(errs, userErr(ErrBadValue, "I didn't read %q, as its bracket is not closed; close it, or write its values outside brackets.", User(rest)))
				continue
			}
			errs = append(errs, bracketAloneErr(rest))
			continue
		}
		errs = append(errs, userErr(ErrBadValue, "I found no value for %q; write it like %s 310.", User(rest), User(rest)))
	}
	return readings, errs
}

// storedRefs matches the references in stored text (mentions, channels,
// links; see SpanUser), which are never part of a reading.
var storedRefs = regexp.MustCompile(`<[^<>]*>`)

// splitItems cuts a reply at newlines, semicolons and commas that do not sit
// between two digits. Keeping "1,25" together matters: splitting it would
// turn an ambiguous number into a silently wrong one. A note in
// parentheses after a value that holdsReadings gives readings of (nil:
// none does) is cut from the value, and its readings are items of their
// own.
func splitItems(s string, holdsReadings func(before, note string, open bool) []string) []string {
	s = storedRefs.ReplaceAllString(s, " ")
	s = strings.NewReplacer("*", "", "`", "").Replace(s)
	var items []string
	start := 0
	cut := func(i int) {
		if item := strings.TrimSpace(s[start:i]); item != "" {
			items = append(items, item)
		}
		start = i + 1
	}
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '\n', '\r':
			cut(i)
		case ';':
			// The ; of &amp;, &lt; or &gt; is part of the text: "R&amp;D
			// spend 900" is one item.
			if !endsWithEntity(s[start:i]) {
				cut(i)
			}
		case ',':
			if i == 0 || i+1 >= len(s) || !isDigit(s[i-1]) || !isDigit(s[i+1]) {
				cut(i)
			}
		case '(':
			if end, readings := readingsLen(s[start:i], s[i:], holdsReadings); end > 0 {
				cut(i)
				items = append(items, readings...)
				start = i + end
				i += end - 1
				continue
			}
			// A note after a value is read whole: cut at its comma, "18k
			// (USD, est)" would be €18k on a KPI kept in euros, and "(est,
			// rough)" two names without values.
			if end := noteLen(s[start:i], s[i:]); end > 0 {
				i += end - 1
				break
			}
			// A closed one that opens an item follows no value ("310,
			// (new 3k, est)"): read whole too, it is refused whole (see
			// pairItem); cut, "(new 3k" was read as 3k new customers.
			if end := strings.IndexAny(s[i:], ")\n\r"); end > 0 && s[i+end] == ')' && strings.TrimSpace(s[start:i]) == "" {
				i += end
			}
		}
	}
	cut(len(s))
	return items
}

// readingsLen is the length of the note in parentheses that opens s, after
// the item's text before when that ends in a value, and the readings in
// it, if holdsReadings gives readings of it; else 0. One left open runs
// to its line's end ("(leads 310, revenue 18k": its ")" forgotten), unless
// it names a currency, which may be the value's (see noteLen).
func readingsLen(before, s string, holdsReadings func(before, note string, open bool) []string) (int, []string) {
	if holdsReadings == nil || !endsInValue(before) {
		return 0, nil
	}
	end := strings.IndexAny(s, ")\n\r")
	open := end < 0 || s[end] != ')'
	if end < 0 {
		end = len(s)
	}
	note := s[1:end]
	if strings.ContainsRune(note, '(') || !strings.ContainsFunc(note, unicode.IsDigit) || open && namesCurrency(note) {
		return 0, nil
	}
	readings := holdsReadings(before, note, open)
	if len(readings) == 0 {
		return 0, nil
	}
	if open {
		return end, readings
	}
	return end + 1, readings
}

// asidePart reports whether part, between the commas of a note of
// readings, is an aside as a note of it alone after a value would be:
// words alone, naming no currency and not saying what a number counts
// (see noteEnd and scopeNote).
func asidePart(part string) bool {
	note := "(" + part + ")"
	toks := fieldsWithOffsets(note)
	end, ok := noteEnd(note, toks, 0)
	return ok && end == len(toks)-1 && !namesCurrency(note) && !scopeNote(note)
}

// endsInValue reports whether text's last word is part of a value, after
// the ":" or "=" that pairItem reads as a space ("visitors=12.4k").
func endsInValue(text string) bool {
	f := strings.Fields(text)
	if len(f) == 0 {
		return false
	}
	w := f[len(f)-1]
	if i := strings.LastIndexAny(w, ":="); i >= 0 && i+1 < len(w) {
		w = w[i+1:]
	}
	return startsValue(w) || continuesValue(w)
}

// noteLen is the length of the note in parentheses that opens s, after
// the item's text before when that ends in a value, to be read whole, as
// every such note is that is not readings (see readingsLen): one naming a
// currency, even left open (then to its line's end), so that the
// currency stays with the value or refuses it; one that closes on its
// line, so that it is passed over or refused whole ("(new 3k, est)"),
// never cut into a reading of a KPI a word of it names; or one left open
// ("(est, rough", "(leads 310, est"), refused whole: cut at its comma,
// "(leads 310" was read as leads and "est" asked for its value.
func noteLen(before, s string) int {
	if !endsInValue(before) {
		return 0
	}
	end := strings.IndexAny(s, ")\n\r")
	switch {
	case end < 0:
		end = len(s)
	case s[end] == ')':
		end++
	}
	return end
}

// cutNote reads the note in parentheses after v, a value of a KPI of
// unit, the same wherever it was typed: in a reply, the values command, a
// form's field or a KPI line's baseline or target. It gives the value to
// read, without a note that is an aside, and a note left open after it,
// which is not read (see cutOpenNote). An aside is a note of words alone
// ("310 (est)"; see noteEnd), or one mentioning a currency among other
// words after a value that takes no money or names its own (see
// dropCurrencyAside and currencyBeforeNote). A note that may name the
// value's currency stays, for scanNumber to read or refuse: passed over,
// the amount would be kept in the KPI's currency.
func cutNote(v string, unit UnitKind) (value, open string) {
	if v, note, ok := cutOpenNote(v, unit); ok {
		return v, note
	}
	if unit != UnitCurrency || currencyBeforeNote(v) {
		v = dropCurrencyAside(v)
	}
	return dropWordsAside(v), ""
}

// plannedValue refuses a value of a check-in (a reply's or a form's)
// whose note says it is a target or a forecast rather than a value
// reached ("310 (target)", "(our goal)", "(projected)"): read as an aside,
// it was recorded as the value reached. Only a note that is the planned
// word is one (see plannedNote): one that merely mentions a target
// ("(target met)", "(target audience only)", "(on target)") is about a
// value reached, and so is one that gives the target's own number. A KPI
// line's target or baseline is not asked: there such a note says what it
// is.
func plannedValue(v string) error {
	i := strings.IndexByte(v, '(')
	if i <= 0 || !strings.HasSuffix(v, ")") {
		return nil
	}
	note := v[i:]
	if !plannedNote(note) {
		return nil
	}
	value := strings.TrimSpace(v[:i])
	return userErr(ErrBadValue, "I didn't record %q, as %q says it is a target or a forecast, not a value reached; give the value reached so far, like %s.", User(v), User(note), User(value))
}

// plannedNote reports whether note says the number before it is a target
// or a forecast (see plannedValue): the note is a planned word, after at
// most words saying whose or for when ("(this week's target)") and before
// at most "for" a period ("(forecast for Q3)"). A refusal costs a retype,
// so any other word beside a planned one ("(target met)", "(as
// expected)", "(budget campaign)") leaves the note an aside, as a number
// in it does.
func plannedNote(note string) bool {
	words := strings.FieldsFunc(strings.ToLower(note), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
	for _, w := range words {
		if unicode.IsDigit([]rune(w)[0]) {
			return false
		}
	}
	j := 0
	for j < len(words) && plannedOf[words[j]] {
		j++
	}
	if j == len(words) || !plannedWords[words[j]] {
		return false
	}
	return j+1 == len(words) || words[j+1] == "for"
}

var (
	// plannedWords say a number is one aimed at or expected.
	plannedWords = map[string]bool{
		"target": true, "targets": true, "goal": true, "goals": true, "forecast": true, "forecasts": true, "forecasted": true,
		"projected": true, "projection": true, "projections": true, "expected": true, "budget": true, "budgeted": true, "planned": true,
	}
	// plannedOf, before a planned word, say only whose or for when it
	// is ("s" is what is left of "week's").
	plannedOf = map[string]bool{
		"our": true, "my": true, "the": true, "a": true, "an": true, "this": true, "that": true, "its": true, "their": true, "s": true,
		"team": true, "new": true, "next": true, "current": true, "revised": true, "original": true, "official": true, "stretch": true,
		"daily": true, "week": true, "weekly": true, "month": true, "monthly": true, "quarter": true, "quarterly": true, "year": true, "yearly": true, "annual": true, "sprint": true,
		"q1": true, "q2": true, "q3": true, "q4": true, "h1": true, "h2": true, "fy": true,
	}
)

// bracketAloneErr refuses a closed note in parentheses that follows no
// value.
func bracketAloneErr(note string) error {
	return userErr(ErrBadValue, "I didn't read %q, as I read a bracket only right after a value, like leads 310 (est).", User(note))
}

// openNoteErr refuses a note left open after a value (see cutOpenNote).
func openNoteErr(note string) error {
	return userErr(ErrBadValue, "I didn't read %q, as its bracket is not closed; close it, or write its values outside brackets.", User(note))
}

// dropWordsAside cuts from v a closed note of words alone after it, as
// pairItem passes one over in a reply (see noteEnd). A note naming a
// currency is left to dropCurrencyAside and scanNumber.
func dropWordsAside(v string) string {
	i := strings.IndexByte(v, '(')
	if i <= 0 || namesCurrency(v[i:]) || scopeNote(v[i:]) {
		return v
	}
	toks := fieldsWithOffsets(v)
	for j, t := range toks {
		if t[0] != i {
			continue
		}
		if end, ok := noteEnd(v, toks, j); ok && end == len(toks)-1 && strings.HasSuffix(v, ")") {
			return strings.TrimRightFunc(v[:i], unicode.IsSpace)
		}
		break
	}
	return v
}

// scopeNote reports whether a note after a value says what the number
// counts: its scale ("240 (in k)", "(x1000)", "(thousands)") or its period
// ("2k (per day)", "(daily)", "(YTD)", "(cumulative)", "(each)"). Such a
// note is no aside: passed over, 240 was kept where 240,000 was meant, or
// a day's count as the KPI's period's. A note of when or how the value was
// taken ("(est)", "(last week)", "(est. from the last m)") is not one.
func scopeNote(note string) bool {
	words := strings.FieldsFunc(strings.ToLower(note), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '×'
	})
	for i, w := range words {
		_, mult := multipliers[w]
		switch {
		case w == "per":
			// "per" counts in a span or per unit ("(per day)", "(per
			// lead)", "(per 1000)") unless it names a source ("(per
			// HubSpot)", "(per the CRM)"); after "as" it always does
			// ("(as per Jane)"), as no one counts "as per day".
			next := words[i+1:]
			if (i == 0 || words[i-1] != "as") && (len(next) == 0 || !perSource(next[0])) {
				return true
			}
		case w == "each" || w == "every":
			// "(each)", "(every day)"; not "(every channel)".
			if i+1 == len(words) || periodNouns[strings.TrimSuffix(words[i+1], "s")] {
				return true
			}
		case scaleWords[w] || scopeWords[w] || mult && len(w) > 1:
			return true
		case mult && i > 0 && words[i-1] == "in", w == "k" && len(words) == 1:
			// A letter alone is a scale after "in" ("(in m)" is millions,
			// "(from the last m)" a month), and "(k)" is thousands; "(A/B
			// test)", "(plan B)" and "(K-12 schools)" are asides.
			return true
		case strings.HasPrefix(w, "x") || strings.HasPrefix(w, "×"):
			if rest := strings.TrimLeft(w, "x×"); rest != "" && strings.Trim(rest, "0123456789") == "" {
				return true
			}
		case (w == "a" || w == "an") && i+1 < len(words) && periodNouns[words[i+1]]:
			return true
		}
	}
	return false
}

var (
	// scaleWords name a scale that is no multiplier ParseValue reads
	// after a number.
	scaleWords = map[string]bool{"thousands": true, "millions": true, "billions": true, "hundred": true, "hundreds": true}
	// scopeWords say what span or share a number counts.
	scopeWords = map[string]bool{
		"daily": true, "weekly": true, "monthly": true,
		"quarterly": true, "yearly": true, "annual": true, "annually": true, "annum": true,
		"cumulative": true, "cumulatively": true, "ytd": true, "mtd": true, "qtd": true,
		"total": true, "avg": true, "average": true,
	}
	periodNouns = map[string]bool{"hour": true, "day": true, "week": true, "month": true, "quarter": true, "year": true}
	// perSources are the words after "per" that say where a value is
	// from rather than what it counts per: a source is named this way
	// far less often than a unit, and a unit taken for a source would
	// record a rate as a total, so an unknown word is a unit, and so is
	// one that is also counted per ("(per team)", "(per report)"; "(per
	// the team)" names the source).
	perSources = map[string]bool{
		"the": true, "our": true, "my": true, "their": true, "your": true,
		"finance": true, "accounting": true, "accounts": true, "books": true, "invoices": true, "billing": true,
		"crm": true, "hubspot": true, "salesforce": true, "pipedrive": true, "stripe": true, "shopify": true,
		"ga": true, "ga4": true, "google": true, "analytics": true, "plausible": true, "matomo": true, "mixpanel": true,
		"amplitude": true, "looker": true, "tableau": true, "klaviyo": true, "mailchimp": true,
		"dashboard": true, "marketing": true, "ops": true, "me": true,
	}
)

// perSource reports whether w, the word after "per" in a note, names
// where the value is from ("(per HubSpot)", "(per the CRM)").
func perSource(w string) bool { return perSources[w] }

// scopeNoteErr refuses a value with a note that says what its number
// counts (see scopeNote).
func scopeNoteErr(value, note, ex string) error {
	return userErr(ErrBadValue, "I can't read %q after %q, as it says what the number counts; write the value without it, like %s.", User(note), User(value), ex)
}

// dropCurrencyAside cuts from v, a value of a KPI that takes no money or
// one that names its own currency, a note after it that mentions a
// currency among other words ("310 (euro campaign)", "3.2% (est, US$
// site)", "€18k (incl. dollar-store sales)"): read as the value's
// currency, it would refuse a count that no currency can misfile, or ask
// about two currencies where one was given. A note whose part is
// a currency alone ("310 (USD)", "310 (in euros, est)") stays, so the
// value is refused as money, as "$310" is.
func dropCurrencyAside(v string) string {
	i := strings.IndexByte(v, '(')
	if i <= 0 || !strings.HasSuffix(v, ")") {
		return v
	}
	toks := suffixTokens(v[i:])
	if codes, ok := noteCurrencies(toks); !ok || len(codes) == 0 || currencyPart(toks) || scopeNote(v[i:]) {
		return v
	}
	return strings.TrimRightFunc(v[:i], unicode.IsSpace)
}

// currencyBeforeNote reports whether v, a value of money, names its
// currency before a note after it whose currency words are all asides
// ("€18k (incl. dollar-store sales)"): the value's own currency, one the
// note says it is not in ("(not USD)"), or one joined to the word after
// it ("dollar-store", "euro-zone"), unless that word says the currency is
// the value's ("EUR-denominated"; see currencyNaming). Any other may be
// the currency the value is in ("$18k (meant EUR)"): passed over, it was
// kept as dollars, so it is asked about as two currencies. A note's part
// that is a currency alone stays too (see dropCurrencyAside).
func currencyBeforeNote(v string) bool {
	i := strings.IndexByte(v, '(')
	if i <= 0 {
		return false
	}
	own := currencyOf(suffixTokens(v[:i]))
	if own == "" {
		return false
	}
	toks := suffixTokens(v[i:])
	for j, t := range toks {
		if !isCurrencyToken(t) || currencyOf(toks[j:j+1]) == own || negatedAt(toks, j) {
			continue
		}
		if j+2 < len(toks) && toks[j+1] == "-" && strings.ContainsFunc(toks[j+2], unicode.IsLetter) && !isCurrencyToken(toks[j+2]) && !currencyNaming[toks[j+2]] {
			continue
		}
		return false
	}
	return true
}

// currencyNaming are words that, joined to a currency by a hyphen, say
// it is the one a value is in ("$18k (EUR-denominated)"): the amount
// was kept in dollars.
var currencyNaming = map[string]bool{
	"denominated": true, "based": true, "equivalent": true, "equiv": true, "eq": true,
	"priced": true, "valued": true, "converted": true, "terms": true,
}

// currencyOf is the one currency toks name, or "" when they name none or
// two.
func currencyOf(toks []string) string {
	c := ""
	for _, t := range toks {
		if isCurrencyToken(t) {
			code := currencyCodes[t] + currencySymbols[t] + currencyWords[t]
			if c != "" && c != code {
				return ""
			}
			c = code
		}
	}
	return c
}

// cutOpenNote cuts from v, a value of a KPI of unit, a note that is
// never closed, which splitItems and pairItem took to its line's end
// ("310 (est, revenue $18k"), as a form's field or a KPI line's part ends
// it. The value before it stands; what the note holds can't be told from
// an aside, so it is returned to be named as not read. A note with a part
// that is a currency alone before any number ("310 (USD, est") stays, so
// the value is refused as money, as with the note closed; one after a
// number ("12.4k (leads 310, USD") is that number's, as in a closed
// bracket of readings (see parseReadings). After money, a note naming any
// currency stays ("18k (est, USD"), which may be the value's.
func cutOpenNote(v string, unit UnitKind) (value, note string, ok bool) {
	i := strings.IndexByte(v, '(')
	if i <= 0 || strings.ContainsRune(v[i:], ')') || currencyPart(append(suffixTokens(beforeNumber(v[i:])), ")")) ||
		unit == UnitCurrency && namesCurrency(v[i:]) {
		return v, "", false
	}
	return strings.TrimRightFunc(v[:i], unicode.IsSpace), v[i:], true
}

// beforeNumber is note up to the first of its parts, between commas and
// semicolons, that holds a digit.
func beforeNumber(note string) string {
	d := strings.IndexFunc(note, unicode.IsDigit)
	if d < 0 {
		return note
	}
	if cut := strings.LastIndexAny(note[:d], ",;"); cut >= 0 {
		return note[:cut]
	}
	return note[:0]
}

// currencyPart reports whether a part of the note toks, between its
// commas and semicolons, is a currency alone ("(USD, est)", "(in euros)").
func currencyPart(toks []string) bool {
	words, cur := 0, false
	for _, t := range toks[1:] {
		switch {
		case t == "," || t == ";" || t == ")":
			if cur && words == 0 {
				return true
			}
			words, cur = 0, false
		case isCurrencyToken(t):
			cur = true
		case t != "in" && strings.ContainsFunc(t, unicode.IsLetter):
			words++
		}
	}
	return false
}

// namesCurrency reports whether text names a currency in any of its words
// or symbols ("(est. US$)").
func namesCurrency(text string) bool {
	return slices.ContainsFunc(suffixTokens(text), isCurrencyToken)
}

type pair struct{ name, value string }

type run struct {
	value      bool
	start, end int // byte offsets into the item
}

// pairItem splits one item into name/value pairs by grouping its words
// into runs of name words and runs of value words. A name left at the end
// without a value is returned as rest, for the caller to judge: it may
// repeat the KPI before it ("visitors 12.4k visitors"). opensName tells a
// currency word that opens a KPI's name ("leads 5 euro sales 6100") from
// one that ends a number ("revenue 500 euro"). A note after a value that
// is neither an aside nor the value's currency (see unreadNoteEnd) is
// refused whole, in unread, and costs only itself.
func pairItem(item string, opensName func(before, words string) bool) (pairs []pair, rest string, unread []error, err error) {
	item = strings.TrimRight(item, ".!? ")
	// ":" and "=" separate a name from its value, but a colon between
	// digits is part of a time ("2:30").
	b := []byte(item)
	for i, c := range b {
		if c == '=' || (c == ':' && (i == 0 || i+1 == len(b) || !isDigit(b[i-1]) || !isDigit(b[i+1]))) {
			b[i] = ' '
		}
	}
	toks := fieldsWithOffsets(string(b))
	toks = dropListMarker(item, toks)
	// A closed bracket that opens the item follows no value ("(leads
	// 310) (new 3k)", "leads 310, (new 3k)"): read as words, its first
	// word was taken for a KPI's name (`For (new, "3k)" is not a
	// number…`). It is refused whole, as one after a value is.
	if len(toks) > 0 && strings.HasPrefix(item[toks[0][0]:toks[0][1]], "(") {
		for j, t := range toks {
			if strings.HasSuffix(item[t[0]:t[1]], ")") {
				unread = append(unread, bracketAloneErr(item[toks[0][0]:t[1]]))
				toks = toks[j+1:]
				break
			}
		}
	}
	if len(toks) == 0 {
		return nil, "", unread, nil
	}

	var runs []run
	for i := 0; i < len(toks); i++ {
		t := toks[i]
		word := item[t[0]:t[1]]
		if len(runs) > 0 && runs[len(runs)-1].value {
			// A currency note first: "(USD, est)" or "(US$)" must not
			// pass as an aside because "USD," or "US$" is no currency
			// word as noteEnd reads.
			if end, ok := currencyNoteEnd(item, toks, i); ok {
				runs[len(runs)-1].end = toks[end][1]
				i = end
				continue
			}
			if end, ok := noteEnd(item, toks, i); ok {
				// A note saying what the number counts, or that it is a
				// target, stays with it, so that the value is refused
				// whole (see scopeNote and plannedValue).
				if note := item[toks[i][0]:toks[end][1]]; scopeNote(note) || plannedNote(note) {
					runs[len(runs)-1].end = toks[end][1]
				}
				i = end
				continue
			}
			if end, why, ok := unreadNoteEnd(item, toks, i); ok {
				unread = append(unread, userErr(ErrBadValue, "I didn't read %q, %s", User(item[toks[i][0]:toks[end][1]]), why))
				i = end
				continue
			}
		}
		isValue := startsValue(word) || (len(runs) > 0 && runs[len(runs)-1].value && continuesValue(word) && !currencyOpensName(item, toks, i, runs, opensName))
		if len(runs) > 0 && runs[len(runs)-1].value == isValue {
			runs[len(runs)-1].end = t[1]
			continue
		}
		runs = append(runs, run{value: isValue, start: t[0], end: t[1]})
	}
	text := func(r run) string { return item[r.start:r.end] }

	if runs[0].value {
		// "12.4k visitors, 310 leads": value first. An odd number of runs
		// ("2026 visitors 12k") leaves no safe way to pair them.
		if len(runs)%2 != 0 {
			if len(runs) == 1 {
				return nil, "", unread, userErr(ErrBadValue, "%q has no KPI name; write it like leads 310.", User(item))
			}
			return nil, "", unread, userErr(ErrBadValue, "I can't tell which numbers go with which names in %q; write it like visitors 12.4k, leads 310.", User(item))
		}
		for i := 0; i < len(runs); i += 2 {
			pairs = append(pairs, pair{name: text(runs[i+1]), value: text(runs[i])})
		}
		return pairs, "", unread, nil
	}
	for i := 0; i < len(runs); i += 2 {
		if i+1 == len(runs) {
			return pairs, text(runs[i]), unread, nil
		}
		pairs = append(pairs, pair{name: text(runs[i]), value: text(runs[i+1])})
	}
	return pairs, "", unread, nil
}

// currencyOpensName reports whether the currency word toks[i], after the
// value run that ends runs, is the first of the name words up to the next
// value and opens that name (see parseReadings' opensName): "euro" in
// "leads 5 euro sales 6100". A currency word alone before the next value
// or the item's end stays with its number.
func currencyOpensName(item string, toks [][2]int, i int, runs []run, opensName func(before, words string) bool) bool {
	if currencyWords[strings.ToLower(item[toks[i][0]:toks[i][1]])] == "" || len(runs) < 2 {
		return false
	}
	j := i + 1
	for j < len(toks) && !startsValue(item[toks[j][0]:toks[j][1]]) {
		j++
	}
	before := runs[len(runs)-2]
	return j-i >= 2 && opensName(item[before.start:before.end], item[toks[i][0]:toks[j-1][1]])
}

// noteEnd reports whether the word toks[i] opens a note in parentheses
// ("12.4k (est)", "310 (from the CRM)") that closes within the item, and
// the index of its last word. A note after a value is the author's aside,
// not a KPI's name; an unclosed "(" is left to be read as words, and so is
// a note with a number or a currency in it ("(leads 310)", "(USD)"): passed
// over, a value would be lost unsaid, or an amount kept in the wrong
// currency.
func noteEnd(item string, toks [][2]int, i int) (int, bool) {
	if !strings.HasPrefix(item[toks[i][0]:toks[i][1]], "(") {
		return 0, false
	}
	for j := i; j < len(toks); j++ {
		word := strings.Trim(item[toks[j][0]:toks[j][1]], "()")
		if startsValue(word) || continuesValue(word) && !multiplierOrDuration(word) && !scaleWords[strings.ToLower(word)] {
			return 0, false
		}
		if strings.HasSuffix(item[toks[j][0]:toks[j][1]], ")") {
			return j, true
		}
	}
	return 0, false
}

// unreadNoteEnd reports whether the word toks[i], after a value, opens a
// note in parentheses that neither noteEnd passes over nor currencyNoteEnd
// reads as the value's currency, and that is to be refused whole, with
// why, the rest of the sentence that names it: one that closes within the
// item, whose number is no reading (a bracket of readings and asides is
// read by splitItems: "(new 3k)" says what part of the value 3k is); or one
// left open ("(est, rough", "(leads 310, est"; one of readings alone is
// read by splitItems too). Read as words, its first word was taken for a
// KPI's name ("For (new, "3k)" is not a number…").
func unreadNoteEnd(item string, toks [][2]int, i int) (end int, why string, ok bool) {
	if !strings.HasPrefix(item[toks[i][0]:toks[i][1]], "(") {
		return 0, "", false
	}
	for j := i; j < len(toks); j++ {
		if strings.HasSuffix(item[toks[j][0]:toks[j][1]], ")") {
			return j, "as in brackets I read numbers only as readings alone, each after a KPI's whole name, like (leads 310); write its values outside brackets.", true
		}
	}
	return len(toks) - 1, "as its bracket is not closed; close it, or write its values outside brackets.", true
}

// currencyNoteEnd reports whether the word toks[i] opens a note in
// parentheses that names a currency anywhere in it ("18k (USD)", "500 (in
// euros)", "18k (est. US$)", "18k (USD, EUR)"; see namesCurrency), and the
// index of its last word: the one that closes it, or the item's last when
// it is left open ("18k (USD, est"). Such a note is part of the value
// before it: it says the value's currency, which the value's KPI may not
// keep, or makes the value one that can't be read; passed over, the amount
// would be kept in the KPI's currency.
func currencyNoteEnd(item string, toks [][2]int, i int) (int, bool) {
	if !strings.HasPrefix(item[toks[i][0]:toks[i][1]], "(") {
		return 0, false
	}
	j := i
	for j < len(toks)-1 && !strings.HasSuffix(item[toks[j][0]:toks[j][1]], ")") {
		j++
	}
	return j, namesCurrency(item[toks[i][0]:toks[j][1]])
}

// multiplierOrDuration reports whether a value word is a multiplier or a
// unit of time, which a note's words may be ("(est. from the last m)").
func multiplierOrDuration(w string) bool {
	w = strings.ToLower(w)
	_, mult := multipliers[w]
	_, dur := durationUnits[w]
	return mult || dur
}

// fieldsWithOffsets is strings.Fields returning [start, end) byte offsets.
func fieldsWithOffsets(s string) [][2]int {
	var out [][2]int
	start := -1
	for i, r := range s {
		if unicode.IsSpace(r) {
			if start >= 0 {
				out = append(out, [2]int{start, i})
				start = -1
			}
		} else if start < 0 {
			start = i
		}
	}
	if start >= 0 {
		out = append(out, [2]int{start, len(s)})
	}
	return out
}

var listMarker = regexp.MustCompile(`^(?:[-–•·]|\d{1,2}[.)])$`)

// dropListMarker removes a bullet or "1." that starts a list line, so
// "1. visitors 12k" does not read 1 as a value.
func dropListMarker(item string, toks [][2]int) [][2]int {
	if len(toks) >= 2 && listMarker.MatchString(item[toks[0][0]:toks[0][1]]) && !startsValue(item[toks[1][0]:toks[1][1]]) {
		return toks[1:]
	}
	return toks
}

// startsValue reports whether a word begins a value: a digit, a sign, a
// tilde or a currency before one, or a word meaning "no value".
func startsValue(w string) bool {
	if isMissingWord(w) || currencyCodes[strings.ToLower(w)] != "" {
		return true
	}
	r, size := utf8.DecodeRuneInString(w)
	switch {
	case r >= '0' && r <= '9':
		return true
	case r == '.':
		return size < len(w) && isDigit(w[size])
	case currencySymbols[string(r)] != "":
		return true
	case r == '-' || r == '+' || r == '−' || r == '~' || r == '≈':
		return size < len(w) && startsValue(w[size:])
	case len(w) > 3 && currencyCodes[strings.ToLower(w[:3])] != "" && isDigit(w[3]):
		return true // "USD18k", as ParseValue reads it
	}
	return false
}

// valueWords may follow a number inside a value: multipliers, units of
// time, currency codes and percent signs.
var valueWords = func() map[string]bool {
	m := map[string]bool{"%": true, "percent": true}
	for w := range multipliers {
		m[w] = true
	}
	for w := range durationUnits {
		m[w] = true
	}
	for w := range currencyCodes {
		m[w] = true
	}
	for w := range currencySymbols {
		m[w] = true
	}
	for w := range currencyWords {
		m[w] = true
	}
	for _, w := range []string{"thousands", "millions", "billions"} {
		m[w] = true
	}
	return m
}()

func continuesValue(w string) bool { return valueWords[strings.ToLower(w)] }

// fillers are words people put between a name and its value ("revenue was
// $18k", "and leads 310").
var fillers = map[string]bool{"and": true, "&": true, "is": true, "was": true, "are": true, "were": true, "at": true, "of": true, "about": true, "around": true, "~": true, "≈": true}

// trimFillers collapses spaces in a KPI name and drops filler words at
// either end, keeping the user's spelling for messages.
func trimFillers(name string) string {
	words := strings.Fields(name)
	for len(words) > 1 && fillers[strings.ToLower(words[0])] {
		words = words[1:]
	}
	for len(words) > 1 && fillers[strings.ToLower(words[len(words)-1])] {
		words = words[:len(words)-1]
	}
	return strings.Join(words, " ")
}
