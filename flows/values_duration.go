package flows

import (
	"math"
	"strconv"
	"strings"
	"unicode"
)

// durationUnits maps the words people use for time to seconds.
var durationUnits = map[string]float64{
	"d": 86400, "day": 86400, "days": 86400,
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
		if n, err := scanNumber(raw, UnitRatio, example(UnitRatio)); err == nil && !strings.ContainsFunc(raw, unicode.IsLetter) {
			switch {
			case n.currency != "":
				return Value{}, mismatch(raw, "is an amount of money", UnitDuration, example(UnitDuration))
			case n.percent:
				return Value{}, mismatch(raw, "is a percentage", UnitDuration, example(UnitDuration))
			case n.amount < 0:
				return Value{}, userErr(ErrBadValue, "%q is below zero, but a length of time can't be negative.", User(raw))
			case n.amount == 0:
				return Value{Unit: UnitDuration}, nil
			}
			num := strconv.FormatFloat(n.amount, 'f', -1, 64)
			return Value{}, userErr(ErrBadValue, "%q has no unit: did you mean %s seconds or %s minutes? Write it as %ss or %sm.", User(raw), User(num), User(num), User(num), User(num))
		}
		return Value{}, userErr(ErrBadValue, "%q is not a length of time I can read; write it like 2m 30s or 2:30.", User(raw))
	}
	if secs > maxAmount {
		return Value{}, userErr(ErrBadValue, "%q is too long for a KPI value; check the number of digits.", User(raw))
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
			return 0, false, userErr(ErrBadValue, "%q is below zero, but a length of time can't be negative.", User(raw))
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
	var parts []string
	// Days only from a whole day on, so time on site reads as it always did.
	if total >= 86400 {
		d := math.Floor(total / 86400)
		parts = append(parts, strconv.FormatFloat(d, 'f', 0, 64)+"d")
		total -= d * 86400
		if total == 0 {
			return sign + parts[0]
		}
	}
	h := math.Floor(total / 3600)
	m := math.Floor((total - h*3600) / 60)
	s := total - h*3600 - m*60
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
