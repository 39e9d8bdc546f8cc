package flows

import (
	"fmt"
	"math"
	"strconv"
	"strings"
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
// "0.8" (a ratio), "2m 30s", "150s", "1h 5m", "2:30" (minutes and seconds) or "n/a".
//
// A dot is always the decimal mark. Input that could mean two numbers is
// refused with a question rather than guessed: "1,25" (1.25 or 125?),
// "12.400" for counts and money (12.4 or 12,400?), European decimals
// such as "18.250,50" and a percentage below 1 without its sign ("0.019":
// 1.9% or 0.019%?). Durations need a unit ("90" could be seconds or
// minutes). Counts, percentages and durations cannot be negative. A
// currency in a note after the number ("18k (USD)") is its currency; a
// note that is an aside ("310 (est)", "€18k (incl. dollar-store sales)")
// is passed over, as in a check-in reply (see cutNote).
func ParseValue(s string, want UnitKind) (Value, error) {
	return parseValue(s, want, example(want))
}

// ParseKPIValue is ParseValue for a value of k: a refusal's example is in
// k's own currency, as its form field's is (FieldExample), since one in
// another would be refused as typed.
func ParseKPIValue(s string, k KPI) (Value, error) {
	if err := plannedValue(trimApprox(s)); err != nil {
		return Value{}, err
	}
	return parseValue(s, k.Unit, FieldExample(k))
}

// parseValue is ParseValue with ex as the example its refusals give.
func parseValue(s string, want UnitKind, ex string) (Value, error) {
	if !knownUnit(want) {
		return Value{}, userErr(ErrBadValue, "This KPI has a unit I don't know (%q), so I can't read values for it.", string(want))
	}
	// A note after the value is read as a check-in reply reads it, so
	// that the same words give the same value in a form and a KPI line.
	raw, open := cutNote(trimApprox(s), want)
	if open != "" {
		return Value{}, openNoteErr(open)
	}
	if i := strings.IndexByte(raw, '('); i > 0 && scopeNote(raw[i:]) {
		return Value{}, scopeNoteErr(strings.TrimSpace(raw[:i]), raw[i:], ex)
	}
	if raw == "" {
		return Value{}, userErr(ErrBadValue, "There is no value to read; write it like %s.", ex)
	}
	if isMissingWord(raw) {
		return Value{Unit: want, Missing: true}, nil
	}
	if want == UnitDuration {
		return parseDurationValue(raw)
	}

	n, err := scanNumber(raw, want, ex)
	if err != nil {
		if _, ok, _ := parseDuration(raw); ok {
			return Value{}, mismatch(raw, "is a length of time", want, ex)
		}
		return Value{}, err
	}
	switch {
	case n.currency != "" && want != UnitCurrency:
		return Value{}, mismatch(raw, "is an amount of money", want, ex)
	case n.percent && want != UnitPercent:
		return Value{}, mismatch(raw, "is a percentage", want, ex)
	case n.amount < 0 && (want == UnitCount || want == UnitPercent):
		return Value{}, userErr(ErrBadValue, "%q is below zero, but %s can't be negative.", User(raw), unitNoun(want))
	case want == UnitPercent && !n.percent && n.amount > 0 && n.amount < 1:
		// "0.019" may be a share written as a fraction, 1.9%, or a
		// percentage without its sign: asked, as "2,1%" is, not guessed.
		share := trimZeros(strconv.FormatFloat(n.amount*100, 'f', 10, 64)) + "%"
		return Value{}, userErr(ErrBadValue, "%q is ambiguous: did you mean %s or %s? Write it as %s or %s.", User(raw), User(share), User(raw+"%"), User(share), User(raw+"%"))
	}
	return Value{Amount: n.amount, Unit: want, Currency: n.currency}, nil
}

// trimApprox takes off the "~" or "≈" of an approximate value: "~300" is
// about 300, as "about 300" is, in a reply and in a form alike.
func trimApprox(s string) string {
	return strings.TrimSpace(strings.TrimLeft(strings.TrimSpace(s), "~≈"))
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

// FieldExample is a value of k to show in its empty field, in k's
// currency: one in another would be refused as typed.
func FieldExample(k KPI) string {
	if k.Unit == UnitCurrency {
		return FormatValue(Value{Amount: 18250, Unit: UnitCurrency, Currency: k.Currency})
	}
	return example(k.Unit)
}

// example is a value in a unit, for messages about how to write one.
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

// mismatch refuses a value of another unit than want, with ex, a value
// in want, as the example.
func mismatch(raw, what string, want UnitKind, ex string) error {
	return userErr(ErrBadValue, "%q %s, but this KPI is %s; write it like %s.", User(raw), what, unitNoun(want), ex)
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
