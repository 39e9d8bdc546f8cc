package flows

import (
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Dates as people write them in action and KPI lines: "2027-03-31",
// "15 Mar", "end of February", "next friday", "Q1", "in 2 weeks". Every
// date is a calendar day, read relative to the time of the request, in its
// location; a date without a year is the next one from today on.

var dateLayouts = []string{"2006-01-02", "2 Jan 2006", "Jan 2 2006", "2 January 2006", "January 2 2006", "02/01/2006"}

var (
	relativeRe = regexp.MustCompile(`^in\s+(\d+|a|an|one|two|three|four|five|six)\s+(day|days|week|weeks|month|months)$`)
	quarterRe  = regexp.MustCompile(`^(?:end\s+of\s+)?(?:the\s+)?q([1-4])(?:\s+(\d{4}))?$|^(\d{4})\s+q([1-4])$`)
	dayMonthRe = regexp.MustCompile(`^(\d{1,2})(?:st|nd|rd|th)?\s+(?:of\s+)?([a-z]+)\.?(?:\s+(\d{4}))?$`)
	monthDayRe = regexp.MustCompile(`^([a-z]+)\.?\s+(\d{1,2})(?:st|nd|rd|th)?(?:\s+(\d{4}))?$`)
	endOfRe    = regexp.MustCompile(`^(?:the\s+)?end\s+of\s+(?:the\s+)?(.+)$`)
)

var numberWords = map[string]int{"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6}

var monthNames = func() map[string]time.Month {
	m := make(map[string]time.Month)
	for mo := time.January; mo <= time.December; mo++ {
		name := strings.ToLower(mo.String())
		m[name] = mo
		m[name[:3]] = mo
	}
	m["sept"] = time.September
	return m
}()

var weekdayNames = func() map[string]time.Weekday {
	m := make(map[string]time.Weekday)
	for d := time.Sunday; d <= time.Saturday; d++ {
		name := strings.ToLower(d.String())
		m[name] = d
		m[name[:3]] = d
	}
	m["tues"], m["thur"], m["thurs"] = time.Tuesday, time.Thursday, time.Thursday
	return m
}()

// dateWords are words that mean a time, never a person: a line's part with
// one is a date (or a date misread), not an owner. Month names are left out,
// as May, June and August are names too; they count as dates only where
// nothing says the part is the owner.
var dateWords = func() map[string]bool {
	m := map[string]bool{"today": true, "tomorrow": true, "yesterday": true, "tonight": true, "asap": true,
		"soon": true, "later": true, "next": true, "end": true, "week": true, "weeks": true, "month": true,
		"months": true, "quarter": true, "year": true, "eow": true, "eom": true, "eoq": true, "eoy": true,
		"tbd": true, "tbc": true, "q1": true, "q2": true, "q3": true, "q4": true, "midweek": true, "weekend": true}
	for w := range weekdayNames {
		m[w] = true
	}
	return m
}()

// parseDue reads a due date or deadline. A leading "by", "due", "before",
// "on" or "until" is part of how people say it.
func parseDue(s string, now time.Time) (time.Time, bool) {
	s = strings.ToLower(strings.Join(strings.Fields(s), " "))
	s = strings.TrimSpace(strings.TrimPrefix(s, "due"))
	s = strings.TrimSpace(strings.TrimPrefix(s, ":"))
	for _, w := range []string{"by ", "before ", "on ", "until ", "till "} {
		s = strings.TrimPrefix(s, w)
	}
	s = strings.TrimSuffix(strings.TrimSpace(s), ".")
	s = strings.ReplaceAll(s, ",", "")
	if s == "" {
		return time.Time{}, false
	}
	loc := now.Location()
	today := startOfDay(now)
	for _, layout := range dateLayouts {
		if t, err := time.ParseInLocation(layout, s, loc); err == nil {
			return t, true
		}
	}
	date := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, loc) }
	switch s {
	case "today", "tonight", "eod":
		return today, true
	case "tomorrow":
		return today.AddDate(0, 0, 1), true
	case "yesterday":
		return today.AddDate(0, 0, -1), true
	case "next week":
		return nextWeekday(today.AddDate(0, 0, 7-weekdayIndex(today)), time.Friday, false), true
	case "next month":
		y, m, _ := today.Date()
		return date(y, m+2, 0), true
	case "eow":
		return nextWeekday(today, time.Friday, false), true
	case "eom":
		return endOf("month", today)
	case "eoq":
		return endOf("quarter", today)
	case "eoy":
		return endOf("year", today)
	}
	if m := relativeRe.FindStringSubmatch(s); m != nil {
		n, ok := numberWords[m[1]]
		if !ok {
			n, _ = strconv.Atoi(m[1])
		}
		switch strings.TrimSuffix(m[2], "s") {
		case "day":
			return today.AddDate(0, 0, n), true
		case "week":
			return today.AddDate(0, 0, 7*n), true
		default:
			return addMonths(today, n), true
		}
	}
	if m := quarterRe.FindStringSubmatch(s); m != nil {
		q, year := m[1], m[2]
		if q == "" {
			q, year = m[4], m[3]
		}
		n, _ := strconv.Atoi(q)
		end := func(y int) time.Time { return date(y, time.Month(3*n+1), 0) }
		if year != "" {
			y, _ := strconv.Atoi(year)
			return end(y), true
		}
		t := end(today.Year())
		if t.Before(today) {
			t = end(today.Year() + 1)
		}
		return t, true
	}
	if m := endOfRe.FindStringSubmatch(s); m != nil {
		return endOf(m[1], today)
	}
	if d, ok := weekdayDate(s, today); ok {
		return d, true
	}
	if m := dayMonthRe.FindStringSubmatch(s); m != nil {
		return monthDay(m[2], m[1], m[3], today)
	}
	if m := monthDayRe.FindStringSubmatch(s); m != nil {
		return monthDay(m[1], m[2], m[3], today)
	}
	return time.Time{}, false
}

// weekdayDate reads "friday", "this friday", "next friday": the first such
// day from today on, or for "next" the first after today.
func weekdayDate(s string, today time.Time) (time.Time, bool) {
	next := false
	switch {
	case strings.HasPrefix(s, "next "):
		s, next = s[len("next "):], true
	case strings.HasPrefix(s, "this "):
		s = s[len("this "):]
	}
	d, ok := weekdayNames[s]
	if !ok {
		return time.Time{}, false
	}
	return nextWeekday(today, d, next), true
}

// nextWeekday is the first day d from today on, or after today if strict.
func nextWeekday(today time.Time, d time.Weekday, strict bool) time.Time {
	n := (int(d) - int(today.Weekday()) + 7) % 7
	if n == 0 && strict {
		n = 7
	}
	return today.AddDate(0, 0, n)
}

// weekdayIndex counts days from Monday: Monday 0 … Sunday 6.
func weekdayIndex(t time.Time) int { return (int(t.Weekday()) + 6) % 7 }

// endOf reads what follows "end of": a month ("February", "next month"),
// "the week", "the quarter", "Q1", "the year" or a year ("2027").
func endOf(what string, today time.Time) (time.Time, bool) {
	loc := today.Location()
	y, m, _ := today.Date()
	date := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, loc) }
	switch what {
	case "week", "this week", "the week":
		return nextWeekday(today, time.Friday, false), true
	case "next week":
		return nextWeekday(today.AddDate(0, 0, 7-weekdayIndex(today)), time.Friday, false), true
	case "month", "this month":
		return date(y, m+1, 0), true
	case "next month":
		return date(y, m+2, 0), true
	case "quarter", "this quarter":
		q := (int(m) - 1) / 3
		return date(y, time.Month(3*q+4), 0), true
	case "next quarter":
		q := (int(m)-1)/3 + 1
		return date(y, time.Month(3*q+4), 0), true
	case "year", "this year":
		return date(y, time.December, 31), true
	case "next year":
		return date(y+1, time.December, 31), true
	}
	if t, ok := parseQuarter(what, today); ok {
		return t, true
	}
	if n, err := strconv.Atoi(what); err == nil && n >= 2000 && n < 2200 {
		return date(n, time.December, 31), true
	}
	name, year, _ := strings.Cut(what, " ")
	mo, ok := monthNames[strings.TrimSuffix(name, ".")]
	if !ok {
		return time.Time{}, false
	}
	if year != "" {
		n, err := strconv.Atoi(year)
		if err != nil {
			return time.Time{}, false
		}
		return date(n, mo+1, 0), true
	}
	t := date(y, mo+1, 0)
	if t.Before(today) {
		t = date(y+1, mo+1, 0)
	}
	return t, true
}

func parseQuarter(s string, today time.Time) (time.Time, bool) {
	if !quarterRe.MatchString(s) {
		return time.Time{}, false
	}
	return parseDue(s, today)
}

// monthDay reads a day of a month with an optional year; without one it
// is the next such day from today on.
func monthDay(month, day, year string, today time.Time) (time.Time, bool) {
	mo, ok := monthNames[month]
	if !ok {
		return time.Time{}, false
	}
	d, err := strconv.Atoi(day)
	if err != nil || d < 1 || d > 31 {
		return time.Time{}, false
	}
	valid := func(y int) (time.Time, bool) {
		t := time.Date(y, mo, d, 0, 0, 0, 0, today.Location())
		return t, t.Month() == mo // 31 Feb is not a date
	}
	if year != "" {
		y, _ := strconv.Atoi(year)
		return valid(y)
	}
	t, ok := valid(today.Year())
	if ok && t.Before(today) {
		t, ok = valid(today.Year() + 1)
	}
	return t, ok
}

// looksLikeDate catches a date we failed to read, so "2027-13-45" or
// "end of Febuary" gets an error instead of becoming the action's owner.
func looksLikeDate(s string) bool {
	digits := 0
	for _, r := range s {
		if r >= '0' && r <= '9' {
			digits++
		}
	}
	low := strings.ToLower(strings.TrimSpace(s))
	if digits >= 4 || strings.HasPrefix(low, "due") {
		return true
	}
	for _, w := range timeWords(low) {
		if dateWords[w] || monthNames[w] != 0 {
			return true
		}
	}
	return false
}

// relativeWords are words of a date that depends on what day it is for
// the writer, beside dateWords and the names of weekdays and months.
// "this" is not one: every date it starts ("this friday", "this month")
// has one of those too, and it starts many an answer that names none.
var relativeWords = map[string]bool{"day": true, "days": true, "eod": true}

// ReadsToday reports whether text has a word of a date that depends on
// what day it is for the writer ("tomorrow", "next friday", "in 2 weeks",
// "end of month", "15 March"): a transport that must ask for the writer's
// time zone asks only then.
//
// Every reply asks it before its acknowledgement, so it reads the words as
// timeWords splits them without allocating: a word is lower-cased into a
// small buffer, and one longer than any date word, or with a letter that
// is outside ASCII once lower-cased, is no date word. Lower-cased first, as
// the dates are read: "İ" (a Turkish keyboard's capital I) and the Kelvin
// sign lower-case to ASCII, so "FRİDAY" is a Friday.
func ReadsToday(text string) bool {
	var word [12]byte
	n := 0 // bytes of the word so far; -1 once it cannot be a date word
	ends := func() bool {
		hit := n > 0 && (dateWords[string(word[:n])] || relativeWords[string(word[:n])] || monthNames[string(word[:n])] != 0)
		n = 0
		return hit
	}
	for _, r := range text {
		r = unicode.ToLower(r)
		switch {
		case !unicode.IsLetter(r) && !unicode.IsDigit(r):
			if ends() {
				return true
			}
		case r < utf8.RuneSelf && n >= 0 && n < len(word):
			word[n] = byte(r)
			n++
		default:
			n = -1
		}
	}
	return ends()
}

// timeWords splits text into lower-case words of letters and digits.
func timeWords(s string) []string {
	return strings.FieldsFunc(strings.ToLower(s), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
}

// addMonths is the same day n months on, or the last day of that month
// when it is shorter: a month from 31 January is 28 (or 29) February, where
// time.AddDate would overflow into March.
func addMonths(day time.Time, n int) time.Time {
	y, m, d := day.Date()
	last := time.Date(y, m+time.Month(n)+1, 0, 0, 0, 0, 0, day.Location()).Day()
	return time.Date(y, m+time.Month(n), min(d, last), 0, 0, 0, 0, day.Location())
}

func startOfDay(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, t.Location())
}

// dueText writes a due date as the coach understood it: "Fri 26 Feb 2027".
func dueText(t time.Time) string { return t.Format("Mon 2 Jan 2006") }

// monthOnly reports whether text is a month's name alone ("March"), which
// could mean its start or its end, so it is asked about, not guessed.
func monthOnly(text string) bool {
	w := timeWords(text)
	return len(w) == 1 && monthNames[w[0]] != 0
}
