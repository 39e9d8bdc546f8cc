package flows

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// ErrBadValue marks a KPI value the coach could not read. It wraps
// ErrBadInput, and every error carrying it is a *UserError whose message is
// one sentence the user can act on.
var ErrBadValue = fmt.Errorf("bad kpi value: %w", ErrBadInput)

// maxAmount bounds every value: no marketing KPI comes near it, and beyond it
// float64 stops holding whole units exactly.
const maxAmount = 1e15

// Value is one KPI reading as a number with its unit.
type Value struct {
	// Amount is in the unit's natural scale: 3.5 for 3.5 %, seconds for
	// durations, whole currency units (not cents) for money.
	Amount float64
	Unit   UnitKind
	// Currency is "USD", "EUR" or "GBP" when the user wrote one, "" when the
	// value is money in the plan's own currency or not money at all.
	Currency string
	// Missing says the user answered but had no number ("n/a", "-", "none").
	Missing bool
}

// ParseValue reads a value as people type it for a KPI of the given unit:
// "12.4k", "1.2M", "3bn", "$18,250", "€900", "£1.5k", "18 250", "3.5%",
// "0.8", "2m 30s", "150s", "1h 5m", "2:30" (minutes and seconds) or "n/a".
//
// A dot is always the decimal mark. Input that could mean two numbers is
// refused with a question rather than guessed: "1,25" (1.25 or 125?),
// "12.400" for counts and money (12.4 or 12,400?) and European decimals
// such as "18.250,50". Durations need a unit ("90" could be seconds or
// minutes). Counts, percentages and durations cannot be negative.
func ParseValue(s string, want UnitKind) (Value, error) {
	if !knownUnit(want) {
		return Value{}, userErr(ErrBadValue, "This KPI has a unit I don't know (%q), so I can't read values for it.", string(want))
	}
	raw := strings.TrimSpace(s)
	if raw == "" {
		return Value{}, userErr(ErrBadValue, "There is no value to read; write it like %s.", example(want))
	}
	if isMissingWord(raw) {
		return Value{Unit: want, Missing: true}, nil
	}
	if want == UnitDuration {
		return parseDurationValue(raw)
	}

	n, err := scanNumber(raw, want)
	if err != nil {
		if _, ok, _ := parseDuration(raw); ok {
			return Value{}, mismatch(raw, "is a length of time", want)
		}
		return Value{}, err
	}
	switch {
	case n.currency != "" && want != UnitCurrency:
		return Value{}, mismatch(raw, "is an amount of money", want)
	case n.percent && want != UnitPercent:
		return Value{}, mismatch(raw, "is a percentage", want)
	case n.amount < 0 && (want == UnitCount || want == UnitPercent):
		return Value{}, userErr(ErrBadValue, "%q is below zero, but %s can't be negative.", raw, unitNoun(want))
	}
	return Value{Amount: n.amount, Unit: want, Currency: n.currency}, nil
}

// FormatValue writes a value for display, rounded the way people read it:
// "12.4k", "$18,250", "3.5%", "2m 30s", "0.8", "n/a". ParseValue reads every
// result back for the same unit.
func FormatValue(v Value) string {
	if v.Missing {
		return "n/a"
	}
	x := v.Amount
	switch v.Unit {
	case UnitCount:
		if math.Abs(x) < 1e4 {
			return fixed(x, 2)
		}
		return compact(x)
	case UnitCurrency:
		sign, a := "", x
		if a < 0 {
			sign, a = "-", -a
		}
		var num string
		switch {
		case a >= 1e6:
			num = compact(a)
		case math.Round(a*100) == math.Round(a)*100:
			num = fixed(a, 0)
		default:
			num = group(strconv.FormatFloat(a, 'f', 2, 64))
		}
		return sign + currencySymbol(v.Currency) + num
	case UnitPercent:
		return fixed(x, 2) + "%"
	case UnitDuration:
		return formatDuration(x)
	default:
		return fixed(x, 3)
	}
}

func knownUnit(u UnitKind) bool {
	switch u {
	case UnitCount, UnitCurrency, UnitPercent, UnitDuration, UnitRatio:
		return true
	}
	return false
}

func isMissingWord(s string) bool {
	switch strings.ToLower(s) {
	case "n/a", "n.a.", "n.a", "none", "-", "–", "—":
		return true
	}
	return false
}

func example(u UnitKind) string {
	switch u {
	case UnitCurrency:
		return "$18,250"
	case UnitPercent:
		return "3.5%"
	case UnitDuration:
		return "2m 30s"
	case UnitRatio:
		return "0.8"
	default:
		return "310 or 12.4k"
	}
}

func unitNoun(u UnitKind) string {
	switch u {
	case UnitCurrency:
		return "an amount of money"
	case UnitPercent:
		return "a percentage"
	case UnitDuration:
		return "a length of time"
	case UnitRatio:
		return "a ratio"
	default:
		return "a count"
	}
}

func mismatch(raw, what string, want UnitKind) error {
	return userErr(ErrBadValue, "%q %s, but this KPI is %s; write it like %s.", raw, what, unitNoun(want), example(want))
}

// number is what scanNumber found in a plain (non-duration) value.
type number struct {
	amount   float64
	currency string
	percent  bool
}

// scanNumber reads [sign] [currency] [sign] digits [multiplier] [% or
// currency]. The want unit only decides whether "12.400" is ambiguous.
func scanNumber(raw string, want UnitKind) (number, error) {
	var n number
	unreadable := func() error {
		return userErr(ErrBadValue, "%q is not a number I can read; write it like %s.", raw, example(want))
	}
	t := raw
	neg, t := takeSign(t)
	t, n.currency = takeCurrencyPrefix(t)
	if !neg {
		neg, t = takeSign(t)
	}
	start := len(raw) - len(t)
	end := start + coreLen(t)
	core := raw[start:end]
	if core == "" {
		return n, unreadable()
	}

	mult := 1.0
	rest := suffixTokens(raw[end:])
	if len(rest) > 0 {
		if m, ok := multipliers[rest[0]]; ok {
			if want != UnitCount && want != UnitCurrency {
				return n, userErr(ErrBadValue, "%q has a k, M or bn, but this KPI is %s; write it like %s.", raw, unitNoun(want), example(want))
			}
			mult, rest = m, rest[1:]
		}
	}
	if len(rest) > 0 {
		switch tok := rest[0]; {
		case tok == "%" || tok == "percent":
			n.percent, rest = true, rest[1:]
		case currencyCodes[tok] != "" || currencySymbols[tok] != "":
			c := currencyCodes[tok] + currencySymbols[tok]
			if n.currency != "" && n.currency != c {
				return n, userErr(ErrBadValue, "%q names two currencies; write it with one, like %s.", raw, example(UnitCurrency))
			}
			n.currency, rest = c, rest[1:]
		}
	}
	if len(rest) > 0 || (n.percent && n.currency != "") {
		return n, unreadable()
	}

	ambiguousDot := mult == 1 && (want == UnitCount || want == UnitCurrency)
	x, err := parseCore(raw, start, end, ambiguousDot)
	if err != nil {
		return n, err
	}
	if x == nil {
		return n, unreadable()
	}
	n.amount = *x * mult
	if n.amount > maxAmount {
		return n, userErr(ErrBadValue, "%q is too large for a KPI value; check the number of digits.", raw)
	}
	if neg && n.amount != 0 {
		n.amount = -n.amount
	}
	return n, nil
}

func takeSign(t string) (bool, string) {
	for _, p := range []string{"-", "−", "+"} {
		if rest, ok := strings.CutPrefix(t, p); ok {
			return p != "+", strings.TrimLeftFunc(rest, unicode.IsSpace)
		}
	}
	return false, t
}

var (
	currencySymbols = map[string]string{"$": "USD", "€": "EUR", "£": "GBP"}
	currencyCodes   = map[string]string{"usd": "USD", "eur": "EUR", "gbp": "GBP"}
	multipliers     = map[string]float64{
		"k": 1e3, "thousand": 1e3,
		"m": 1e6, "mn": 1e6, "mio": 1e6, "million": 1e6,
		"b": 1e9, "bn": 1e9, "billion": 1e9,
	}
)

func takeCurrencyPrefix(t string) (string, string) {
	for sym, code := range currencySymbols {
		if rest, ok := strings.CutPrefix(t, sym); ok {
			return strings.TrimLeftFunc(rest, unicode.IsSpace), code
		}
	}
	if len(t) >= 3 {
		if code := currencyCodes[strings.ToLower(t[:3])]; code != "" && (len(t) == 3 || !isLetter(t[3])) {
			return strings.TrimLeftFunc(t[3:], unicode.IsSpace), code
		}
	}
	return t, ""
}

func isLetter(c byte) bool { return c|0x20 >= 'a' && c|0x20 <= 'z' }

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// coreLen measures the digits and separators at the start of t. Spaces count
// as thousands separators only when a digit follows, so "5 k" and
// "900 EUR" stop before the word.
func coreLen(t string) int {
	i := 0
	for i < len(t) {
		r, size := utf8.DecodeRuneInString(t[i:])
		switch {
		case isDigit(t[i]) || t[i] == ',' || t[i] == '.' || t[i] == '\'':
		case r == '’' || isSpaceSep(r):
			if i+size >= len(t) || !isDigit(t[i+size]) {
				return i
			}
		default:
			return i
		}
		i += size
	}
	return i
}

func isSpaceSep(r rune) bool { return r == ' ' || r == '\u00a0' || r == '\u202f' || r == '\u2009' }

// suffixTokens splits what follows the digits into words and single
// symbols, lower-cased: " k USD" and "k€" both give a multiplier and a
// currency.
func suffixTokens(s string) []string {
	var toks []string
	word := strings.Builder{}
	flush := func() {
		if word.Len() > 0 {
			toks = append(toks, word.String())
			word.Reset()
		}
	}
	for _, r := range strings.ToLower(s) {
		switch {
		case unicode.IsLetter(r):
			word.WriteRune(r)
		case unicode.IsSpace(r):
			flush()
		default:
			flush()
			toks = append(toks, string(r))
		}
	}
	flush()
	return toks
}

// parseCore turns the digits and separators raw[start:end] into a number.
// It returns nil (and no error) when the text is simply not a number, and an
// error asking a question when it could be two different numbers.
func parseCore(raw string, start, end int, ambiguousDot bool) (*float64, error) {
	core := raw[start:end]
	// Normalise the thousands separators people use besides commas and
	// dots (spaces of every width, apostrophes) to a plain space.
	var b strings.Builder
	for _, r := range core {
		if isSpaceSep(r) || r == '\'' || r == '’' {
			r = ' '
		}
		b.WriteRune(r)
	}
	c := b.String()
	ask := func(format string, a, bOpt string) error {
		alt := func(x string) string { return raw[:start] + x + raw[end:] }
		if bOpt == "" {
			return userErr(ErrBadValue, format, raw, alt(a), alt(a))
		}
		return userErr(ErrBadValue, format, raw, alt(a), alt(bOpt), alt(a), alt(bOpt))
	}

	seps := ""
	for _, r := range c {
		if (r == ',' || r == '.' || r == ' ') && !strings.ContainsRune(seps, r) {
			seps += string(r)
		}
	}
	switch len(seps) {
	case 0:
		return parseClean(c)
	case 1:
		sep := seps[0]
		parts := strings.Split(c, seps)
		if len(parts) == 2 && sep == '.' {
			if ambiguousDot && len(parts[1]) == 3 && validGroups(parts) {
				return nil, ask("%q is ambiguous: did you mean %s or %s? Write it as %s or %s.", trimZeros(c), joinDigits(parts))
			}
			return parseClean(c)
		}
		if validGroups(parts) {
			return parseClean(strings.Join(parts, ""))
		}
		if len(parts) == 2 && sep == ',' && parts[0] != "" && parts[1] != "" {
			return nil, ask("%q is ambiguous: did you mean %s or %s? Write it as %s or %s.",
				trimZeros(parts[0]+"."+parts[1]), joinDigits(parts))
		}
		return nil, nil
	case 2:
		last := strings.LastIndexAny(c, ",. ")
		dec := c[last]
		intPart, frac := c[:last], c[last+1:]
		thou := strings.Trim(seps, string(dec))
		if dec == ' ' || frac == "" || !validGroups(strings.Split(intPart, thou)) || strings.Contains(frac, thou) {
			return nil, nil
		}
		clean := strings.ReplaceAll(intPart, thou, "") + "." + frac
		if dec == ',' {
			return nil, ask("%q uses a comma for decimals: did you mean %s? Write it as %s, with a dot for decimals.", clean, "")
		}
		return parseClean(clean)
	}
	return nil, nil
}

// validGroups reports whether parts are thousands groups: 1–3 digits, then
// exactly 3 each. A leading zero group ("0,250") is not a thousands group.
func validGroups(parts []string) bool {
	if len(parts) < 2 || len(parts[0]) == 0 || len(parts[0]) > 3 || (parts[0][0] == '0') {
		return false
	}
	for _, p := range parts[1:] {
		if len(p) != 3 {
			return false
		}
	}
	return true
}

// parseClean parses digits with at most one dot; the caller has removed
// every separator. strconv would also take "inf", hex and exponents, so the
// text is checked first.
func parseClean(c string) (*float64, error) {
	digits := 0
	for i := range len(c) {
		switch {
		case isDigit(c[i]):
			digits++
		case c[i] == '.':
		default:
			return nil, nil
		}
	}
	if digits == 0 || strings.Count(c, ".") > 1 {
		return nil, nil
	}
	x, err := strconv.ParseFloat(c, 64)
	if err != nil {
		x = math.Inf(1) // only a range error gets here: too many digits
	}
	return &x, nil
}

// joinDigits reads the parts as one whole number, written with commas.
func joinDigits(parts []string) string {
	d := strings.TrimLeft(strings.Join(parts, ""), "0")
	if d == "" {
		d = "0"
	}
	return group(d)
}

func trimZeros(s string) string {
	if !strings.Contains(s, ".") {
		return s
	}
	s = strings.TrimRight(s, "0")
	return strings.TrimSuffix(s, ".")
}

// durationUnits maps the words people use for time to seconds.
var durationUnits = map[string]float64{
	"h": 3600, "hr": 3600, "hrs": 3600, "hour": 3600, "hours": 3600,
	"m": 60, "min": 60, "mins": 60, "minute": 60, "minutes": 60,
	"s": 1, "sec": 1, "secs": 1, "second": 1, "seconds": 1,
}

func parseDurationValue(raw string) (Value, error) {
	secs, ok, err := parseDuration(raw)
	if err != nil {
		return Value{}, err
	}
	if !ok {
		if n, err := scanNumber(raw, UnitRatio); err == nil && !strings.ContainsFunc(raw, unicode.IsLetter) {
			switch {
			case n.currency != "":
				return Value{}, mismatch(raw, "is an amount of money", UnitDuration)
			case n.percent:
				return Value{}, mismatch(raw, "is a percentage", UnitDuration)
			case n.amount < 0:
				return Value{}, userErr(ErrBadValue, "%q is below zero, but a length of time can't be negative.", raw)
			case n.amount == 0:
				return Value{Unit: UnitDuration}, nil
			}
			num := strconv.FormatFloat(n.amount, 'f', -1, 64)
			return Value{}, userErr(ErrBadValue, "%q has no unit: did you mean %s seconds or %s minutes? Write it as %ss or %sm.", raw, num, num, num, num)
		}
		return Value{}, userErr(ErrBadValue, "%q is not a length of time I can read; write it like 2m 30s or 2:30.", raw)
	}
	if secs > maxAmount {
		return Value{}, userErr(ErrBadValue, "%q is too long for a KPI value; check the number of digits.", raw)
	}
	return Value{Amount: secs, Unit: UnitDuration}, nil
}

// parseDuration reads "2:30", "1:02:30", "2m 30s", "1h 5m", "1.5h" or
// "90 seconds". ok is false when raw does not look like a duration at all;
// err is set when it does but breaks a rule (a negative time).
func parseDuration(raw string) (secs float64, ok bool, err error) {
	t := strings.ToLower(strings.TrimSpace(raw))
	neg, t := takeSign(t)
	if neg {
		if _, ok, _ := parseDuration(t); ok {
			return 0, false, userErr(ErrBadValue, "%q is below zero, but a length of time can't be negative.", raw)
		}
		return 0, false, nil
	}
	if strings.Contains(t, ":") {
		return parseClock(t)
	}
	seen := map[float64]bool{}
	pairs := 0
	for t != "" {
		i := 0
		for i < len(t) && (isDigit(t[i]) || t[i] == '.') {
			i++
		}
		num := t[:i]
		t = strings.TrimLeft(t[i:], " ")
		j := 0
		for j < len(t) && isLetter(t[j]) {
			j++
		}
		unit, ok := durationUnits[t[:j]]
		x, _ := parseClean(num)
		if !ok || x == nil || seen[unit] {
			return 0, false, nil
		}
		seen[unit] = true
		secs += *x * unit
		pairs++
		t = strings.TrimLeft(t[j:], " ")
	}
	return secs, pairs > 0, nil
}

// parseClock reads m:ss or h:mm:ss, the way analytics tools show time on
// site. Only the seconds may have a fraction ("2:30.5").
func parseClock(t string) (float64, bool, error) {
	parts := strings.Split(t, ":")
	if len(parts) > 3 || !allDigits(parts[0]) {
		return 0, false, nil
	}
	for i, p := range parts[1:] {
		sixty := len(p) >= 2 && allDigits(p[:2]) && p[0] <= '5'
		last := i == len(parts)-2
		if !sixty || (!last && len(p) != 2) || (last && len(p) > 2 && p[2] != '.') {
			return 0, false, nil
		}
	}
	secs := 0.0
	for _, p := range parts {
		x, _ := parseClean(p)
		if x == nil {
			return 0, false, nil
		}
		secs = secs*60 + *x
	}
	return secs, true, nil
}

func allDigits(s string) bool {
	for i := range len(s) {
		if !isDigit(s[i]) {
			return false
		}
	}
	return s != ""
}

func formatDuration(secs float64) string {
	sign := ""
	if secs < 0 {
		sign, secs = "-", -secs
	}
	if secs < 60 && secs != math.Round(secs) {
		return sign + fixed(secs, 1) + "s"
	}
	total := math.Round(secs)
	h := math.Floor(total / 3600)
	m := math.Floor((total - h*3600) / 60)
	s := total - h*3600 - m*60
	var parts []string
	if h > 0 {
		parts = append(parts, strconv.FormatFloat(h, 'f', 0, 64)+"h")
	}
	if m > 0 {
		parts = append(parts, strconv.FormatFloat(m, 'f', 0, 64)+"m")
	}
	if s > 0 || len(parts) == 0 {
		parts = append(parts, strconv.FormatFloat(s, 'f', 0, 64)+"s")
	}
	return sign + strings.Join(parts, " ")
}

func currencySymbol(code string) string {
	for sym, c := range currencySymbols {
		if c == code {
			return sym
		}
	}
	if code != "" {
		return code + " "
	}
	return ""
}

// fixed rounds x to at most decimals places, drops trailing zeros and
// groups thousands with commas: 1250.5 → "1,250.5".
func fixed(x float64, decimals int) string {
	s := strconv.FormatFloat(x, 'f', decimals, 64)
	s = trimZeros(s)
	if s == "-0" {
		s = "0"
	}
	return group(s)
}

// compact writes large magnitudes with three significant digits and a
// suffix ParseValue reads back: 12437 → "12.4k", 1.25e6 → "1.25M".
func compact(x float64) string {
	sign := ""
	if x < 0 {
		sign, x = "-", -x
	}
	r, _ := strconv.ParseFloat(strconv.FormatFloat(x, 'e', 2, 64), 64)
	switch {
	case r >= 1e9:
		return sign + group(strconv.FormatFloat(r/1e9, 'f', -1, 64)) + "bn"
	case r >= 1e6:
		return sign + strconv.FormatFloat(r/1e6, 'f', -1, 64) + "M"
	case r >= 1e3:
		return sign + strconv.FormatFloat(r/1e3, 'f', -1, 64) + "k"
	}
	return sign + fixed(x, 2)
}

// group inserts commas between thousands in the integer part of a decimal
// string.
func group(s string) string {
	sign := ""
	if strings.HasPrefix(s, "-") {
		sign, s = "-", s[1:]
	}
	intPart, frac, hasFrac := strings.Cut(s, ".")
	var b strings.Builder
	for i, r := range intPart {
		if i > 0 && (len(intPart)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	if hasFrac {
		b.WriteString("." + frac)
	}
	return sign + b.String()
}
