package flows

// kpiSetText says what a KPI line set: what it replaced, the target as
// understood (with its period and, when less is the goal, why the coach
// reads it so), and the advice on it.
func kpiSetText(prev KPI, had bool, k KPI, read kpiRead, problems []Problem) Msg {
	var b msgBuilder
	switch {
	case had && prev.HasTarget() && prev.By != "" && prev.By != k.By:
		// Two people setting one KPI at once: the later may not have seen
		// the earlier, so the thread hears whose target went. A KPI carried
		// from the last plan has no target yet: its By started the plan
		// and set none.
		b.printf("Replaced %s's %s target (%s). ", Person(prev.By), User(lowerName(prev.Name)), wasText(prev))
	case had:
		b.printf("Replaced your %s target (%s). ", User(lowerName(prev.Name)), wasText(prev))
	}
	b.printf("KPI set: %s from %s to %s by %s, owner %s", kpiName(k), valueOrDash(k.Baseline, k.HasBaseline()),
		valueWithPeriod(k.Target, k.Per()), k.Deadline.Format("2 Jan 2006"), User(k.Owner))
	if !k.HigherIsBetter {
		switch read.lowerFrom {
		case "numbers":
			b.add("; lower is better, read from your target below the baseline")
		case "name":
			b.printf("; lower is better, read from its name (write %s after the name if more is the goal)", Code("(higher is better)"))
		default:
			b.add("; lower is better")
		}
	}
	b.add(".")
	if read.periodFrom == "definition" {
		b.printf(" Counted per %s; add %s or %s to the line if not.", string(k.Per()), Code(otherPeriod(k.Per())), Code("over the plan"))
	}
	if read.higherDespiteName {
		b.printf("\n⚠️ Your target above the baseline reads as higher is better, though a KPI named like this is usually lower-is-better. If less is the goal, write %s after the name.", Code("(lower is better)"))
	}
	for _, pr := range problems {
		b.printf("\n⚠️ %s", pr.Msg)
	}
	return b.msg()
}

func otherPeriod(p Period) string {
	if p == PeriodWeek {
		return "per month"
	}
	return "per week"
}

// wasText says what a replaced target was: "was 20k by 31 Mar".
func wasText(k KPI) string {
	if !k.HasTarget() {
		return "it had no target yet"
	}
	s := "was " + valueWithPeriod(k.Target, k.Per())
	if !k.Deadline.IsZero() {
		s += " by " + k.Deadline.Format("2 Jan")
	}
	return s
}

// sameTarget reports whether a KPI line set what the plan has already.
func sameTarget(a, b KPI) bool {
	return a.Name == b.Name && a.Unit == b.Unit && a.Currency == b.Currency && a.HigherIsBetter == b.HigherIsBetter &&
		a.Per() == b.Per() && a.Baseline == b.Baseline && a.Target == b.Target && a.Owner == b.Owner &&
		dayOf(a.Deadline).Equal(dayOf(b.Deadline))
}

// CheckReading refuses a value a KPI can't take, though it reads as a
// number of the KPI's unit: money in another currency than the KPI's, or
// with one when the KPI has none (the coach does not convert, so it could
// only set them side by side unconverted), and a share above 100%. The
// error is a *UserError with ErrBadValue, in one sentence. It returns the
// value as it is kept: a plain number for money is in the KPI's currency,
// and stays so should the KPI move to another.
func CheckReading(k KPI, v Value) (Value, error) {
	if v.Missing {
		return v, nil
	}
	if k.Unit == UnitCurrency {
		switch {
		case k.Currency == "" && v.Currency != "":
			plain := v
			plain.Currency = ""
			return Value{}, userErr(ErrBadValue, "%s is kept without a currency, so write %s as %s, or set its target in %s first.",
				kpiName(k), FormatValue(v), FormatValue(plain), currencyName(v.Currency))
		case v.Currency != "" && v.Currency != k.Currency:
			return Value{}, userErr(ErrBadValue, "%s is kept in %s, but %s is in %s; give it in %s (I don't convert currencies).",
				kpiName(k), currencyName(k.Currency), FormatValue(v), currencyName(v.Currency), currencyName(k.Currency))
		}
		v.Currency = k.Currency
	}
	if isShare(k) && v.Amount > 100 {
		return Value{}, userErr(ErrBadValue, "%s is a share, and a share can't pass 100%%, so %s can't be right; check the number.", kpiName(k), FormatValue(v))
	}
	return v, nil
}

// currencyName writes a currency as people know it: "£", "EUR".
func currencyName(code string) string {
	if sym := currencySymbol(code); sym != "" && sym != code+" " {
		return sym
	}
	return code
}
