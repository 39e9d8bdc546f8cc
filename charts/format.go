package charts

import (
	"math"
	"strconv"
	"strings"
)

// Unit kinds understood in Series.Unit. Anything else is drawn as a count.
const (
	unitCount    = "count"
	unitNumber   = "number"
	unitCurrency = "currency"
	unitPercent  = "percent"
	unitDuration = "duration"
	unitRatio    = "ratio"
)

// unitFormat says how numbers of one unit are written.
type unitFormat struct {
	kind   string
	prefix string // currency symbol, "$" or "CHF "
	suffix string // "%" or "×"
}

// currencySymbols covers the currencies whose symbol every reader knows;
// other codes are written in front of the number ("CHF 18k").
var currencySymbols = map[string]string{
	"USD": "$",
	"EUR": "€",
	"GBP": "£",
	"JPY": "¥",
}

// parseUnit reads a Series.Unit such as "count" or "currency:USD".
func parseUnit(unit string) unitFormat {
	kind, code, _ := strings.Cut(strings.TrimSpace(unit), ":")
	kind = strings.ToLower(kind)
	switch kind {
	case unitCurrency:
		f := unitFormat{kind: unitCurrency}
		code = strings.TrimSpace(code)
		switch {
		case code == "":
		case currencySymbols[strings.ToUpper(code)] != "":
			f.prefix = currencySymbols[strings.ToUpper(code)]
		case len(code) == 3:
			f.prefix = strings.ToUpper(code) + " "
		default:
			// Already a symbol ("currency:$") or a short label.
			f.prefix = code
		}
		return f
	case unitPercent:
		return unitFormat{kind: unitPercent, suffix: "%"}
	case unitRatio:
		return unitFormat{kind: unitRatio, suffix: "×"}
	case unitDuration:
		return unitFormat{kind: unitDuration}
	case unitNumber:
		// A score or an average is written as it is: NPS 47, rating 4.8.
		return unitFormat{kind: unitNumber}
	default:
		return unitFormat{kind: unitCount}
	}
}

// formatValue writes one value the way a person would say it: three
// significant digits with a k/M/B/T suffix (12.4k, $18.3k, 3.5%, 2m30s).
// Percent values are percentage points (3.5 means 3.5%); durations are
// seconds.
func formatValue(v float64, unit string) string {
	f := parseUnit(unit)
	if f.kind == unitDuration {
		return formatDuration(v, 0)
	}
	return f.number(roundSignificant(v, 3), -1)
}

// roundSignificant rounds v to n significant digits, halves away from zero
// as people do (18,250 is 18.3k), before a suffix is chosen, so that 999.6
// becomes 1k and not 1000.
func roundSignificant(v float64, n int) float64 {
	if v == 0 || math.IsInf(v, 0) || math.IsNaN(v) {
		return v
	}
	mag := math.Floor(math.Log10(math.Abs(v)))
	p := math.Pow(10, float64(n-1)-mag)
	if r := math.Round(v*p) / p; !math.IsInf(r, 0) && !math.IsNaN(r) {
		return r
	}
	return v
}

// formatTicks labels the ticks of a value axis. Ticks sit one step apart;
// every label gets just the decimals it needs to be exact at that step, so
// the axis reads 12k, 12.5k, 13k rather than 12.0k, 12.5k, 13.0k.
func formatTicks(ticks []float64, step float64, unit string) []string {
	f := parseUnit(unit)
	labels := make([]string, len(ticks))
	for i, v := range ticks {
		if f.kind == unitDuration {
			labels[i] = formatDuration(v, step)
			continue
		}
		labels[i] = f.number(v, step)
	}
	return labels
}

// number writes v with the unit's prefix and suffix. With step < 0 it keeps
// three significant digits; otherwise it keeps as many decimals as needed to
// write v to within a hundredth of step.
func (f unitFormat) number(v, step float64) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return strconv.FormatFloat(v, 'g', -1, 64)
	}
	sign := ""
	if v < 0 {
		sign = "-"
		v = -v
	}
	// Snap float noise from tick arithmetic (0.30000000000000004) to zero.
	if step > 0 && v < step*1e-9 {
		v, sign = 0, ""
	}
	scale, suffix := siScale(v)
	if f.kind == unitPercent {
		// 1.2k% reads oddly; percentages keep their digits.
		scale, suffix = 1, ""
	}
	d, ok := decimalsFor(v, scale, step)
	var body string
	if v >= 1e15 || !ok {
		// Too large for a suffix or too small for decimals: 3.4e15, 2.5e-10.
		digits := 3
		if step > 0 && v != 0 {
			// Enough digits for neighbouring ticks to differ.
			digits = max(int(math.Floor(math.Log10(v))-math.Floor(math.Log10(step)))+2, 1)
		}
		body = expString(v, digits)
	} else {
		body = trimDecimals(v/scale, d) + suffix
	}
	return sign + f.prefix + body + f.suffix
}

// expString writes v in exponent form with at most digits significant
// digits and a short exponent: 3.4e15, 2e-7.
func expString(v float64, digits int) string {
	s := strconv.FormatFloat(v, 'g', digits, 64)
	s = strings.Replace(s, "e+", "e", 1)
	s = strings.Replace(s, "e0", "e", 1)
	return strings.Replace(s, "e-0", "e-", 1)
}

// siScale picks the k/M/B/T suffix for a magnitude.
func siScale(v float64) (float64, string) {
	switch {
	case v >= 1e12:
		return 1e12, "T"
	case v >= 1e9:
		return 1e9, "B"
	case v >= 1e6:
		return 1e6, "M"
	case v >= 1e3:
		return 1e3, "k"
	default:
		return 1, ""
	}
}

// maxDecimals bounds labels of very small values; past it they are
// written with an exponent instead.
const maxDecimals = 6

// decimalsFor returns how many decimals v/scale needs: three significant
// digits when step < 0, else enough to be within step/100 of v. It reports
// false when more than maxDecimals would be needed.
func decimalsFor(v, scale, step float64) (int, bool) {
	x := v / scale
	if step < 0 {
		if x == 0 {
			return 0, true
		}
		d := max(2-int(math.Floor(math.Log10(x))), 0)
		return d, d <= maxDecimals
	}
	tol := step / scale / 100
	for d := 0; d <= maxDecimals; d++ {
		p := math.Pow(10, float64(d))
		if math.Abs(math.Round(x*p)/p-x) <= tol {
			return d, true
		}
	}
	return 0, false
}

// trimDecimals formats x with d decimals and drops trailing zeros.
func trimDecimals(x float64, d int) string {
	s := strconv.FormatFloat(x, 'f', d, 64)
	if strings.Contains(s, ".") {
		s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	}
	if s == "-0" {
		s = "0"
	}
	return s
}

// durationUnits are the parts a duration label is built from, largest first.
var durationUnits = []struct {
	secs   float64
	suffix string
}{
	{86400, "d"},
	{3600, "h"},
	{60, "m"},
	{1, "s"},
}

// formatDuration writes seconds as 2m30s, 1h5m or 3d4h. A single value
// (step <= 0) keeps the two largest parts, rounded to the smaller one, and
// decimals under ten seconds (2.5s). A tick (step > 0) keeps every part
// down to the largest unit that divides the step, so ticks 30s apart read
// 1m, 1m30s, 2m.
func formatDuration(secs, step float64) string {
	if math.IsNaN(secs) || math.IsInf(secs, 0) {
		return strconv.FormatFloat(secs, 'g', -1, 64)
	}
	sign := ""
	if secs < 0 {
		sign = "-"
		secs = -secs
	}
	if step > 0 && secs < step*1e-9 {
		return "0s"
	}
	switch {
	case secs >= 1e12:
		// Past 30,000 years days stop meaning anything; keep it short.
		return sign + expString(secs/86400, 3) + "d"
	case step <= 0 && secs < 10, step > 0 && step < 1 && secs < 60:
		// Seconds with decimals, written like any other number.
		return sign + unitFormat{kind: unitCount}.number(secs, step) + "s"
	}
	first, last := 0, 0
	rem := secs
	// Twice, because rounding can carry into a larger unit (59m59.7s is 1h).
	for range 2 {
		first = 0
		for first < len(durationUnits)-1 && rem < durationUnits[first].secs {
			first++
		}
		last = min(first+1, len(durationUnits)-1)
		if step > 0 {
			last = len(durationUnits) - 1
			for i, u := range durationUnits {
				if math.Mod(step, u.secs) == 0 {
					last = max(i, first)
					break
				}
			}
		}
		unit := durationUnits[last].secs
		rem = math.Round(secs/unit) * unit
	}
	var b strings.Builder
	b.WriteString(sign)
	for _, u := range durationUnits[first : last+1] {
		n := math.Floor(rem/u.secs + 1e-9)
		rem -= n * u.secs
		if n == 0 {
			continue
		}
		b.WriteString(strconv.FormatFloat(n, 'f', 0, 64))
		b.WriteString(u.suffix)
	}
	if b.Len() == len(sign) {
		return "0s"
	}
	return b.String()
}
