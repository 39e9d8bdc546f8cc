package flows

import (
	"fmt"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Question IDs whose answers the review reads for numbers and dates.
const (
	QuestionObjectives = "plan.objectives"
	QuestionBudget     = "plan.budget"
)

func overdueText(a Action) Msg {
	if a.Owner != "" {
		return Sayf("%q was due %s and is still %s (%s).", User(a.Text), a.Due.Format("2 Jan 2006"), statusWord(a.State()), User(a.Owner))
	}
	return Sayf("%q was due %s and is still %s.", User(a.Text), a.Due.Format("2 Jan 2006"), statusWord(a.State()))
}

const monthPattern = `(jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)`

var (
	isoDateRe      = regexp.MustCompile(`\b(\d{4})-(\d{2})-(\d{2})\b`)
	yearDayMonthRe = regexp.MustCompile(`(?i)\b(\d{1,2})(?:st|nd|rd|th)?\s+(?:of\s+)?` + monthPattern + `\.?,?\s+(\d{4})\b`)
	yearMonthDayRe = regexp.MustCompile(`(?i)\b` + monthPattern + `\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})\b`)
	monthYearRe    = regexp.MustCompile(`(?i)\b(?:end of\s+)?` + monthPattern + `\.?\s+(\d{4})\b`)
	yearQuarterRe  = regexp.MustCompile(`(?i)\bq([1-4])\s*(\d{4})\b`)
)

// datedPhrase is a date found in text, with the words that named it.
type datedPhrase struct {
	Text string
	Day  time.Time
}

// findDates finds the dates an answer names with a year: 2027-03-31, 31
// March 2027, March 31, 2027, March 2027 (its last day) and Q1 2027 (the
// quarter's last day). A date without a year is left alone: it may mean
// any year.
func findDates(text string) []datedPhrase {
	var out []datedPhrase
	taken := make([]bool, len(text))
	// A phrase already read is not read again by a looser pattern, even
	// when it named no real day ("31 Feb 2027" is not "Feb 2027").
	add := func(loc []int, d time.Time, ok bool) {
		if slices.Contains(taken[loc[0]:loc[1]], true) {
			return
		}
		for i := loc[0]; i < loc[1]; i++ {
			taken[i] = true
		}
		if ok {
			out = append(out, datedPhrase{Text: strings.TrimSpace(text[loc[0]:loc[1]]), Day: d})
		}
	}
	valid := func(y int, m time.Month, d int) (time.Time, bool) {
		t := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
		return t, t.Day() == d && t.Month() == m
	}
	for _, loc := range isoDateRe.FindAllStringSubmatchIndex(text, -1) {
		y, _ := strconv.Atoi(text[loc[2]:loc[3]])
		m, _ := strconv.Atoi(text[loc[4]:loc[5]])
		d, _ := strconv.Atoi(text[loc[6]:loc[7]])
		t, ok := valid(y, time.Month(m), d)
		add(loc, t, ok)
	}
	for _, loc := range yearDayMonthRe.FindAllStringSubmatchIndex(text, -1) {
		d, _ := strconv.Atoi(text[loc[2]:loc[3]])
		m := monthNames[strings.ToLower(text[loc[4]:loc[5]])]
		y, _ := strconv.Atoi(text[loc[6]:loc[7]])
		t, ok := valid(y, m, d)
		add(loc, t, ok)
	}
	for _, loc := range yearMonthDayRe.FindAllStringSubmatchIndex(text, -1) {
		m := monthNames[strings.ToLower(text[loc[2]:loc[3]])]
		d, _ := strconv.Atoi(text[loc[4]:loc[5]])
		y, _ := strconv.Atoi(text[loc[6]:loc[7]])
		t, ok := valid(y, m, d)
		add(loc, t, ok)
	}
	for _, loc := range monthYearRe.FindAllStringSubmatchIndex(text, -1) {
		m := monthNames[strings.ToLower(text[loc[2]:loc[3]])]
		y, _ := strconv.Atoi(text[loc[4]:loc[5]])
		add(loc, time.Date(y, m+1, 0, 0, 0, 0, 0, time.UTC), true)
	}
	for _, loc := range yearQuarterRe.FindAllStringSubmatchIndex(text, -1) {
		q, _ := strconv.Atoi(text[loc[2]:loc[3]])
		y, _ := strconv.Atoi(text[loc[4]:loc[5]])
		add(loc, time.Date(y, time.Month(3*q+1), 0, 0, 0, 0, 0, time.UTC), true)
	}
	slices.SortStableFunc(out, func(a, b datedPhrase) int { return a.Day.Compare(b.Day) })
	return out
}

// pastObjectiveDates flags the dates in the plan's objectives that are
// already behind it: an objective due yesterday can't steer this quarter.
func pastObjectiveDates(p *Plan, now time.Time) []Msg {
	var out []Msg
	for _, d := range findDates(p.Answers[QuestionObjectives].Text) {
		if d.Day.Before(dayOf(now)) {
			out = append(out, Sayf("The objectives aim at %q (%s), which has already passed; restate them for the period ahead.", User(d.Text), d.Day.Format("2 Jan 2006")))
		}
	}
	return out
}

var (
	// "60% paid", "60 % on paid media"
	shareBeforeRe = regexp.MustCompile(`(?i)(\d+(?:\.\d+)?)\s*%\s*(?:(?:on|for|to|in|of)\s+)?(?:the\s+)?(paid|owned|earned)\b`)
	// "paid 60%", "paid: 60%", "paid media (60%)"
	shareAfterRe = regexp.MustCompile(`(?i)\b(paid|owned|earned)(?:\s+media)?\s*[:=(\-–]?\s*(\d+(?:\.\d+)?)\s*%`)
)

// budgetShares reads the share of the budget given to paid, owned and
// earned media, as "60% paid, 30% owned, 10% earned" or "paid 60%". Each
// medium counts once, at its first mention.
func budgetShares(text string) (map[string]float64, []string) {
	shares := map[string]float64{}
	var order []string
	type hit struct {
		at     int
		medium string
		pct    float64
	}
	var hits []hit
	for _, m := range shareBeforeRe.FindAllStringSubmatchIndex(text, -1) {
		v, _ := strconv.ParseFloat(text[m[2]:m[3]], 64)
		hits = append(hits, hit{m[0], strings.ToLower(text[m[4]:m[5]]), v})
	}
	for _, m := range shareAfterRe.FindAllStringSubmatchIndex(text, -1) {
		v, _ := strconv.ParseFloat(text[m[4]:m[5]], 64)
		hits = append(hits, hit{m[0], strings.ToLower(text[m[2]:m[3]]), v})
	}
	slices.SortStableFunc(hits, func(a, b hit) int { return a.at - b.at })
	for _, h := range hits {
		if _, seen := shares[h.medium]; seen {
			continue
		}
		shares[h.medium] = h.pct
		order = append(order, h.medium)
	}
	return shares, order
}

// budgetFinding checks that the media split adds up: all three shares
// must make 100%, and any two must not pass it.
func budgetFinding(p *Plan) Msg {
	shares, order := budgetShares(p.Answers[QuestionBudget].Text)
	if len(order) < 2 {
		return nil
	}
	sum := 0.0
	var parts []string
	for _, m := range order {
		sum += shares[m]
		parts = append(parts, FormatValue(Value{Amount: shares[m], Unit: UnitPercent})+" "+m)
	}
	total := FormatValue(Value{Amount: sum, Unit: UnitPercent})
	switch {
	case len(order) == 3 && math.Abs(sum-100) > 0.5:
		return Sayf("The budget's media split adds up to %s (%s), not 100%%; make the shares of paid, owned and earned fit the whole budget.", total, strings.Join(parts, ", "))
	case sum > 100.5:
		return Sayf("The budget's media split adds up to %s (%s), more than the whole budget.", total, strings.Join(parts, ", "))
	}
	return nil
}

// usualRate is how high a conversion rate commonly goes, as a share in
// percent, with the words that say what it counts. A target several times
// the usual top is more likely a mistake (a count typed as a rate, a rate
// of the wrong base) than a plan.
type usualRate struct {
	what       string
	usual      string
	suspicious float64
}

var usualRates = map[string]usualRate{
	"lead-rate":               {"visitors who leave their details", "a few percent", 30},
	"sales-rate":              {"leads who go on to buy", "about 5–30%", 60},
	"visitor-to-buyer":        {"visitors who buy", "1–5%", 20},
	"product-page-conversion": {"product page visitors who buy", "a few percent to the low teens", 40},
}

// rateFindings flags a KPI's rate target far above what is usual for that
// rate.
func rateFindings(k KPI) []Msg {
	if k.Unit != UnitPercent || !k.HasTarget() {
		return nil
	}
	t := k.Target.Amount
	if t > 100 {
		// The KPI's own SMART check names a share past 100% already.
		return nil
	}
	if u, ok := usualRates[k.Key]; ok && k.HigherIsBetter && t > u.suspicious {
		return []Msg{Sayf("%s: a target of %s is far above the usual range (%s of %s); check it is the rate you mean.", kpiName(k), FormatValue(k.Target), u.usual, u.what)}
	}
	return nil
}

// quarterOf names the calendar quarter of t in its own location:
// "2027-Q1".
func quarterOf(t time.Time) string {
	return fmt.Sprintf("%d-Q%d", t.Year(), (int(t.Month())-1)/3+1)
}

// QuarterOf names the calendar quarter of t in its own location, "2027-Q1":
// what the quarterly capability reminder is claimed under.
func QuarterOf(t time.Time) string { return quarterOf(t) }
