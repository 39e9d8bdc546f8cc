package schedule

import (
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/robfig/cron/v3"
)

const example = `"every monday 09:00 Europe/Berlin"`

// Parse reads a check-in schedule:
//
//	every monday 09:00 Europe/Berlin
//	every mon 9am
//	every monday and thursday 9:30am
//	weekdays 9:30
//	every day 08:00
//	every 2 weeks on friday 16:00
//	every 2 weeks on friday 16:00 from 2026-01-09
//	monthly on the 1st 10:00
//	monthly on the last day 17:00
//	0 9 * * 1
//	CRON_TZ=Europe/Berlin 0 9 * * 1
//
// The zone is an IANA name (Europe/Berlin, America/Los_Angeles, UTC), at
// the end or as CRON_TZ=; without one the schedule uses defaultZone (UTC
// when nil). Abbreviations (CET) and fixed offsets (+01:00) are refused
// because they do not follow daylight saving.
//
// "Every N weeks" runs in the weeks counted from its start date when it has
// one ("from 2026-01-09", normalised to the first run on or after that
// date), else in the weeks whose number since Monday 1 January 2001 is a
// multiple of N. "Monthly on the 31st" runs on the last day of shorter
// months.
func Parse(s string, defaultZone *time.Location) (Spec, error) {
	text := strings.TrimSpace(s)
	if text == "" {
		return Spec{}, bad("Tell me when to check in, for example %s.", example)
	}
	if len(text) > 200 {
		return Spec{}, bad("That schedule is too long for me; write it like %s.", example)
	}
	fields := strings.Fields(text)

	var zoneText string
	if k, v, ok := strings.Cut(fields[0], "="); ok && (strings.EqualFold(k, "CRON_TZ") || strings.EqualFold(k, "TZ")) {
		if v == "" {
			return Spec{}, bad("%q needs a zone name after the =, like CRON_TZ=Europe/Berlin.", fields[0])
		}
		zoneText, fields = v, fields[1:]
	}
	var rest []string
	for i, f := range fields {
		if !isZoneToken(f) {
			rest = append(rest, f)
			continue
		}
		if zoneText != "" {
			return Spec{}, bad("%q names two time zones; give one at the end, like %s.", text, example)
		}
		zoneText = f
		if i > 0 && strings.EqualFold(fields[i-1], "in") && len(rest) > 0 {
			rest = rest[:len(rest)-1]
		}
	}

	spec := Spec{}
	var err error
	if zoneText != "" {
		spec.loc, spec.zone, err = loadZone(zoneText)
	} else {
		if defaultZone == nil {
			defaultZone = time.UTC
		}
		spec.loc, spec.zone, err = loadZone(defaultZone.String())
		if err != nil {
			err = bad("The team's time zone %q is not a city zone name; add one to the schedule, like %s.", defaultZone.String(), example)
		}
	}
	if err != nil {
		return Spec{}, err
	}

	if len(rest) == 0 {
		return Spec{}, bad("Say when to check in as well as where, for example %s.", example)
	}
	if strings.HasPrefix(rest[0], "@") {
		return Spec{}, bad("%q is a shortcut I don't read; write it like %s or \"0 9 * * 1\".", rest[0], example)
	}
	if looksLikeCron(rest) {
		return parseCron(spec, rest)
	}
	return parseWords(spec, text, rest)
}

var (
	cronField     = regexp.MustCompile(`^[0-9A-Za-z*?,/\-]+$`)
	cronTimeField = regexp.MustCompile(`^[0-9*,/\-]+$`)
)

// looksLikeCron tells cron fields from words: a cron expression starts
// with minute and hour fields made of digits and * , / -, which no
// friendly schedule does.
func looksLikeCron(fields []string) bool {
	if len(fields) < 2 || !cronTimeField.MatchString(fields[0]) || !cronTimeField.MatchString(fields[1]) {
		return false
	}
	for _, f := range fields {
		if !cronField.MatchString(f) {
			return false
		}
	}
	return true
}

// cronParser reads the five standard fields only: no seconds, and no
// descriptors such as "@every 1h", which are intervals rather than
// wall-clock times.
var cronParser = cron.NewParser(cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow)

func parseCron(spec Spec, fields []string) (Spec, error) {
	expr := strings.ToLower(strings.Join(fields, " "))
	if len(fields) != 5 {
		return Spec{}, bad("A cron schedule has 5 fields (minute hour day month weekday), like \"0 9 * * 1\", but %q has %d.", expr, len(fields))
	}
	sched, err := cronParser.Parse(expr)
	if err != nil {
		return Spec{}, bad("The cron schedule %q is not valid (%v); a working one is \"0 9 * * 1\" for Mondays at 09:00.", expr, err)
	}
	cs, ok := sched.(*cron.SpecSchedule)
	if !ok {
		return Spec{}, bad("The cron schedule %q is not one I can run; a working one is \"0 9 * * 1\" for Mondays at 09:00.", expr)
	}
	// The parser reads wall-clock times, so it works in UTC, which has no
	// daylight saving; resolve maps its answers into the real zone.
	cs.Location = time.UTC
	spec.kind, spec.cron, spec.cronText = kindCron, cs, expr
	if _, ok := spec.nextWall(time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)); !ok {
		return Spec{}, bad("The cron schedule %q never runs; a working one is \"0 9 * * 1\" for Mondays at 09:00.", expr)
	}
	return spec, nil
}

// dayNames maps every spelling of a weekday people use to the weekday.
var dayNames = func() map[string]time.Weekday {
	m := map[string]time.Weekday{"tues": time.Tuesday, "thur": time.Thursday, "thurs": time.Thursday}
	for d := time.Sunday; d <= time.Saturday; d++ {
		full := strings.ToLower(d.String())
		m[full], m[full+"s"], m[full[:3]] = d, d, d
	}
	return m
}()

var (
	fillers  = map[string]bool{"at": true, "on": true, "the": true, "and": true, "of": true, "every": true, "each": true, "in": true, "&": true}
	ordinal  = regexp.MustCompile(`^(\d{1,2})(?:st|nd|rd|th)$`)
	clock    = regexp.MustCompile(`^(\d{1,2})(?::(\d{2}))?(am|pm)?$`)
	isoDate  = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)
	startsAt = map[string]bool{"from": true, "starting": true, "start": true, "beginning": true}
)

// words collects what the friendly grammar found, in any order.
type words struct {
	days                 uint8
	daily, dayWord, last bool
	week, month, other   bool
	number, ordinal      int // 0 when absent
	hour, minute         int
	hasTime              bool
	from                 time.Time
}

func parseWords(spec Spec, text string, fields []string) (Spec, error) {
	toks := strings.Fields(strings.NewReplacer(",", " ", "a.m.", "am", "p.m.", "pm").Replace(strings.ToLower(strings.Join(fields, " "))))
	unknown := func(w string) error {
		return bad("I didn't understand %q in %q; try something like %s.", w, text, example)
	}
	var got words
	for i := 0; i < len(toks); i++ {
		w := toks[i]
		next := ""
		if i+1 < len(toks) {
			next = toks[i+1]
		}
		if h, m, n, err := readTime(w, next, i > 0 && toks[i-1] == "at"); err != nil {
			return Spec{}, err
		} else if n > 0 {
			if got.hasTime {
				return Spec{}, bad("%q has two times of day; give one, like %s.", text, example)
			}
			got.hour, got.minute, got.hasTime = h, m, true
			i += n - 1
			continue
		}
		switch d, isDay := dayNames[w]; {
		case fillers[w]:
		case isDay:
			got.days |= 1 << d
		case w == "weekday" || w == "weekdays":
			got.days |= workDays
		case w == "weekend" || w == "weekends":
			got.days |= 1<<time.Saturday | 1<<time.Sunday
		case w == "daily":
			got.daily = true
		case w == "day" || w == "days":
			got.dayWord = true
		case w == "week" || w == "weeks" || w == "weekly":
			got.week = true
		case w == "month" || w == "months" || w == "monthly":
			got.month = true
		case w == "other" || w == "fortnightly":
			got.other, got.week = true, true
		case w == "last":
			got.last = true
		case w == "biweekly" || w == "bi-weekly":
			return Spec{}, bad("\"Biweekly\" can mean twice a week or every two weeks; write \"every 2 weeks on friday 16:00\" or \"every monday and thursday 09:00\".")
		case startsAt[w]:
			if next == "on" && i+2 < len(toks) {
				i++
				next = toks[i+1]
			}
			d, err := readDate(next)
			if err != nil {
				return Spec{}, err
			}
			got.from = d
			i++
		case ordinal.MatchString(w):
			if got.ordinal != 0 {
				return Spec{}, unknown(w)
			}
			got.ordinal, _ = strconv.Atoi(ordinal.FindStringSubmatch(w)[1])
			if got.ordinal < 1 || got.ordinal > 31 {
				return Spec{}, bad("There is no %s day in a month; pick the 1st to the 31st or the last day, like \"monthly on the 1st 10:00\".", w)
			}
		case allDigits(w):
			if got.number != 0 {
				return Spec{}, unknown(w)
			}
			got.number, _ = strconv.Atoi(w)
			if got.number == 0 {
				return Spec{}, unknown(w)
			}
		default:
			return Spec{}, unknown(w)
		}
	}

	if err := got.build(&spec, text); err != nil {
		return Spec{}, err
	}
	if !got.hasTime {
		return Spec{}, bad("Add a time of day, for example %s.", example)
	}
	spec.hour, spec.minute = got.hour, got.minute
	return spec, nil
}

// build turns the words into a schedule, refusing combinations that mean
// nothing ("every 2 days", "monthly on monday").
func (got words) build(spec *Spec, text string) error {
	confused := bad("I couldn't make a schedule of %q; try something like %s.", text, example)
	switch {
	case got.month:
		if got.days != 0 || got.week || got.daily || (got.number != 0 && !got.dayWord) {
			return confused
		}
		spec.kind = kindMonthly
		switch {
		case got.ordinal != 0 && got.number == 0 && !got.last:
			spec.monthDay = got.ordinal
		case got.last && got.ordinal == 0 && got.number == 0:
			spec.monthDay = lastDay
		case got.dayWord && got.number != 0 && got.ordinal == 0 && !got.last:
			if got.number > 31 {
				return bad("There is no day %d in a month; pick 1 to 31 or the last day, like \"monthly on the 1st 10:00\".", got.number)
			}
			spec.monthDay = got.number
		default:
			return bad("Say which day of the month, for example \"monthly on the 1st 10:00\" or \"monthly on the last day 17:00\".")
		}
	case got.week:
		if got.daily || got.dayWord || got.ordinal != 0 || got.last {
			return confused
		}
		spec.kind, spec.weeks = kindWeekly, 1
		if got.other {
			spec.weeks = 2
		}
		if got.number != 0 {
			if got.other {
				return confused
			}
			spec.weeks = got.number
		}
		if spec.weeks > 52 {
			return bad("I can check in every 1 to 52 weeks; for example \"every 2 weeks on friday 16:00\".")
		}
		if got.days == 0 {
			return bad("Say which day of the week, for example \"every 2 weeks on friday 16:00\".")
		}
		spec.days = got.days
	default:
		if got.number != 0 || got.ordinal != 0 || got.last {
			return bad("I can check in daily, on chosen weekdays, every few weeks or monthly; for example %s.", example)
		}
		spec.kind, spec.weeks = kindWeekly, 1
		switch {
		case (got.daily || got.dayWord) && got.days == 0:
			spec.days = allDays
		case got.days != 0 && !got.daily && !got.dayWord:
			spec.days = got.days
		case got.days == 0:
			return bad("Say which days to check in, for example %s or \"every day 09:00\".", example)
		default:
			return confused
		}
	}

	if !got.from.IsZero() {
		if spec.kind != kindWeekly || spec.weeks == 1 {
			return bad("A start date only matters for schedules like \"every 2 weeks on friday 16:00 from 2026-01-09\".")
		}
		// Store the first run date itself, so String writes back a date
		// the schedule runs on and re-parsing changes nothing.
		d := got.from
		for spec.days&(1<<d.Weekday()) == 0 {
			d = d.AddDate(0, 0, 1)
		}
		spec.from = d
	}
	return nil
}

// readTime reads a time of day at w ("09:00", "9:30pm", "9am", "9 am",
// "noon"), returning how many tokens it used (0 when w is no time). A bare
// hour counts only after "at": "at 9" is 09:00, but "every 2" is not a time.
func readTime(w, next string, afterAt bool) (hour, minute, used int, err error) {
	switch w {
	case "noon", "midday":
		return 12, 0, 1, nil
	case "midnight":
		return 0, 0, 1, nil
	}
	m := clock.FindStringSubmatch(w)
	if m == nil {
		if strings.Contains(w, ":") {
			return 0, 0, 0, bad("%q is not a time of day I can read; write it like 09:00 or 9am.", w)
		}
		return 0, 0, 0, nil
	}
	used = 1
	ampm := m[3]
	if ampm == "" && (next == "am" || next == "pm") {
		ampm, used = next, 2
	}
	if m[2] == "" && ampm == "" && !afterAt {
		return 0, 0, 0, nil
	}
	hour, _ = strconv.Atoi(m[1])
	if m[2] != "" {
		minute, _ = strconv.Atoi(m[2])
	}
	text := w
	if used == 2 {
		text += " " + next
	}
	switch {
	case minute > 59, ampm == "" && hour > 23, ampm != "" && (hour < 1 || hour > 12):
		return 0, 0, 0, bad("%q is not a time of day; write it like 09:00 or 9am.", text)
	case ampm == "am" && hour == 12:
		hour = 0
	case ampm == "pm" && hour < 12:
		hour += 12
	}
	return hour, minute, used, nil
}

func readDate(w string) (time.Time, error) {
	if w == "" {
		return time.Time{}, bad("Add the start date after \"from\", like \"every 2 weeks on friday 16:00 from 2026-01-09\".")
	}
	if isoDate.MatchString(w) {
		if d, err := time.Parse(time.DateOnly, w); err == nil {
			return d, nil
		}
	}
	return time.Time{}, bad("%q is not a date I can read; write the start date like 2026-01-09.", w)
}

func allDigits(s string) bool {
	for i := range len(s) {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}
