package flows

import (
	"math"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// number is what scanNumber found in a plain (non-duration) value.
type number struct {
	amount   float64
	currency string
	percent  bool
}

// scanNumber reads [sign] [currency] [sign] digits [multiplier] [% or
// currency]. The want unit only decides whether "12.400" is ambiguous; ex
// is a value in it, the example a refusal gives.
func scanNumber(raw string, want UnitKind, ex string) (number, error) {
	var n number
	unreadable := func() error {
		return userErr(ErrBadValue, "%q is not a number I can read; write it like %s.", User(raw), ex)
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
				return n, userErr(ErrBadValue, "%q has a k, M or bn, but this KPI is %s; write it like %s.", User(raw), unitNoun(want), ex)
			}
			mult, rest = m, rest[1:]
		}
	}
	twoCurrencies := func() error {
		one := example(UnitCurrency)
		if want == UnitCurrency {
			one = ex
		}
		return userErr(ErrBadValue, "%q names two currencies; write it with one, like %s.", User(raw), one)
	}
	if codes, ok := noteCurrencies(rest); ok && len(codes) > 0 {
		if negatesCurrency(rest) {
			return n, userErr(ErrBadValue, "%q says which currency it is not; write it with the one it is, like %s.", User(raw), ex)
		}
		if len(codes) > 1 {
			return n, twoCurrencies()
		}
		rest = []string{strings.ToLower(codes[0])}
	}
	if len(rest) > 0 {
		switch tok := rest[0]; {
		case tok == "%" || tok == "percent":
			n.percent, rest = true, rest[1:]
		case isCurrencyToken(tok):
			c := currencyCodes[tok] + currencySymbols[tok] + currencyWords[tok]
			if n.currency != "" && n.currency != c {
				return n, twoCurrencies()
			}
			n.currency, rest = c, rest[1:]
		}
	}
	if len(rest) > 0 || (n.percent && n.currency != "") {
		return n, unreadable()
	}

	ambiguousDot := mult == 1 && (want == UnitCount || want == UnitCurrency)
	// The way out of an ambiguity must not lead into another: for a
	// percentage, "0,5" is asked about as 0.5% or 5%, since "0.5" is
	// ambiguous too (see parseValue).
	sign := ""
	if want == UnitPercent && !n.percent {
		sign = "%"
	}
	x, err := parseCore(raw, start, end, ambiguousDot, sign)
	if err != nil {
		return n, err
	}
	if x == nil {
		return n, unreadable()
	}
	n.amount = *x * mult
	if n.amount > maxAmount {
		return n, userErr(ErrBadValue, "%q is too large for a KPI value; check the number of digits.", User(raw))
	}
	if neg && n.amount != 0 {
		n.amount = -n.amount
	}
	return n, nil
}

// noteCurrencies reads suffix tokens (see suffixTokens) that are a note in
// parentheses and gives the currencies it names, as codes, among whatever
// other words: "(USD)", "(in euros)", "(USD, est)", "(est. US$)" name USD,
// "(USD, EUR)" two. A currency named after a value is its currency, in a
// note as out of one, whatever else the note says. ok is false when toks
// are no closed note, or one with a number in it ("(USD, 2025)"): that
// number may be another value, which the value's currency must not hide.
func noteCurrencies(toks []string) (codes []string, ok bool) {
	if len(toks) < 3 || toks[0] != "(" || toks[len(toks)-1] != ")" {
		return nil, false
	}
	for _, t := range toks[1 : len(toks)-1] {
		if r, _ := utf8.DecodeRuneInString(t); unicode.IsDigit(r) || t == "(" || t == ")" || t == "%" {
			return nil, false
		}
		if c := currencyCodes[t] + currencySymbols[t] + currencyWords[t]; c != "" && !slices.Contains(codes, c) {
			codes = append(codes, c)
		}
	}
	return codes, true
}

// negations are words that say what a note's currency is not, before it
// ("not USD", "ex-USD", "outside USD"; see negationBefore for those of
// two words); negationsAfter say so after it ("USD excluded").
var (
	negations      = map[string]bool{"not": true, "non": true, "no": true, "ex": true, "excl": true, "excluding": true, "without": true, "except": true, "outside": true}
	negationsAfter = map[string]bool{"excluded": true, "omitted": true, "removed": true}
)

// negatesCurrency reports whether a note (see noteCurrencies) says a
// currency is not the value's ("(not USD)", "(est, non-USD)", "(USD
// excluded)"; see negatedAt). Read as the value's currency, "18k (not
// USD)" was kept as dollars.
func negatesCurrency(toks []string) bool {
	for j, t := range toks {
		if isCurrencyToken(t) && negatedAt(toks, j) {
			return true
		}
	}
	return false
}

// negatedAt reports whether the currency toks[j] is said not to be the
// value's in its part of the note, between commas and semicolons: by a
// negation before it, or by one after it ("USD sales excluded", "USD not
// included"; not "USD not audited", nor "USD excl. VAT", whose negation is
// of what follows).
func negatedAt(toks []string, j int) bool {
	for i := j - 1; i >= 0 && toks[i] != "," && toks[i] != ";"; i-- {
		if negationBefore(toks, i) {
			return true
		}
	}
	for i := j + 1; i < len(toks) && toks[i] != "," && toks[i] != ";"; i++ {
		if negationsAfter[toks[i]] || toks[i] == "not" && i+1 < len(toks) && (toks[i+1] == "included" || toks[i+1] == "incl" || toks[i+1] == "counted") {
			return true
		}
	}
	return false
}

// negationBefore reports whether toks[i] ends a negation (see negations),
// of one word or of two: "w/o", which suffixTokens reads as "w", "/",
// "o", and "other than".
func negationBefore(toks []string, i int) bool {
	switch {
	case negations[toks[i]]:
		return true
	case toks[i] == "o":
		return i >= 2 && toks[i-1] == "/" && toks[i-2] == "w"
	case toks[i] == "than":
		return i >= 1 && toks[i-1] == "other"
	}
	return false
}

// isCurrencyToken reports whether a suffix token names a currency.
func isCurrencyToken(t string) bool {
	return currencyCodes[t]+currencySymbols[t]+currencyWords[t] != ""
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
	// currencyWords name a currency after the number, as people write
	// "6,100 euros". Not "pounds", which may weigh something.
	currencyWords = map[string]string{"dollar": "USD", "dollars": "USD", "euro": "EUR", "euros": "EUR"}
	multipliers   = map[string]float64{
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
// error asking a question when it could be two different numbers, whose
// answers end in sign.
func parseCore(raw string, start, end int, ambiguousDot bool, sign string) (*float64, error) {
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
		alt := func(x string) string { return raw[:start] + x + raw[end:] + sign }
		if bOpt == "" {
			return userErr(ErrBadValue, format, User(raw), User(alt(a)), User(alt(a)))
		}
		return userErr(ErrBadValue, format, User(raw), User(alt(a)), User(alt(bOpt)), User(alt(a)), User(alt(bOpt)))
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
