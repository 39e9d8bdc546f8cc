// Package schedule reads the check-in schedules people type ("every monday
// 09:00 Europe/Berlin", "0 9 * * 1") and works out when they run.
//
// Schedules are wall-clock times in an IANA zone, never fixed offsets, so a
// daylight-saving change moves nothing. Around the changes the rules are:
// a time that does not exist that day (the spring-forward gap) runs at the
// first minute after the gap (02:30 in Berlin on 29 March 2026 runs at
// 03:00), and a time that occurs twice (fall back) runs once, at its first
// occurrence. robfig/cron gets both wrong (it skips the first and runs the
// second twice), so it is used only to match cron fields against wall-clock
// times; this package turns those into instants.
package schedule

import (
	"fmt"
	"strings"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/racebot/racebot/flows"
)

// ErrBadSpec marks a schedule that could not be read. Errors carrying it
// are *flows.UserError with one friendly sentence that gives a working
// example, so flows.Explain shows them as they are.
var ErrBadSpec = fmt.Errorf("bad schedule: %w", flows.ErrBadInput)

func bad(format string, args ...any) error {
	return flows.UserErrorf(ErrBadSpec, format, args...)
}

type kind int

const (
	kindWeekly  kind = iota + 1 // chosen weekdays, every N weeks
	kindMonthly                 // one day of the month
	kindCron                    // a standard 5-field cron expression
)

// lastDay is the monthDay of "monthly on the last day".
const lastDay = -1

// epochMonday anchors "every N weeks" without a start date: a week runs
// when the number of whole weeks since Monday 1 January 2001 is a multiple
// of N. It is a fixed date so the choice survives restarts and re-parsing.
var epochMonday = time.Date(2001, time.January, 1, 0, 0, 0, 0, time.UTC)

// Spec is a parsed check-in schedule. The zero Spec never runs; get one
// from Parse. Specs are values: copy and compare their String.
type Spec struct {
	kind     kind
	days     uint8     // weekdays that run, bit 0 = Sunday (kindWeekly)
	weeks    int       // run every this many weeks (kindWeekly)
	from     time.Time // first run date at UTC midnight, or zero (kindWeekly, weeks > 1)
	monthDay int       // 1–31 or lastDay (kindMonthly)
	hour     int
	minute   int
	cronText string
	cron     *cron.SpecSchedule // matched against wall clock read as UTC
	loc      *time.Location
	zone     string
}

// Zone is the location the schedule's wall-clock times are in.
func (s Spec) Zone() *time.Location {
	if s.loc == nil {
		return time.UTC
	}
	return s.loc
}

// ZoneName is the IANA name of Zone, such as "Europe/Berlin".
func (s Spec) ZoneName() string {
	if s.loc == nil {
		return "UTC"
	}
	return s.zone
}

// Next returns the first run strictly after after, in the schedule's
// zone. It returns the zero Time when the schedule never runs again.
func (s Spec) Next(after time.Time) time.Time {
	if s.kind == 0 {
		return time.Time{}
	}
	wall := naive(after.In(s.loc))
	// Wall-clock candidates that fall before after are runs that already
	// happened at their first occurrence (fall back) or were folded into
	// an earlier instant (spring forward); a few minutes' worth at most.
	for range 10000 {
		w, ok := s.nextWall(wall)
		if !ok {
			return time.Time{}
		}
		if t := resolve(w, s.loc); t.After(after) {
			return t
		}
		wall = w
	}
	return time.Time{}
}

// Upcoming returns the next n runs after after.
func (s Spec) Upcoming(after time.Time, n int) []time.Time {
	var out []time.Time
	for range n {
		t := s.Next(after)
		if t.IsZero() {
			break
		}
		out = append(out, t)
		after = t
	}
	return out
}

// Key names the occurrence at t so a scheduler can claim it exactly once:
// the instant in UTC to the minute, RFC 3339. Two processes computing the
// same run get the same key whatever their local zone.
func (s Spec) Key(t time.Time) string {
	return t.UTC().Truncate(time.Minute).Format(time.RFC3339)
}

// nextWall returns the first wall-clock time strictly after wall (both read
// as UTC, which has no daylight saving) that matches the schedule.
func (s Spec) nextWall(wall time.Time) (time.Time, bool) {
	if s.kind == kindCron {
		w := s.cron.Next(wall)
		return w, !w.IsZero()
	}
	d := time.Date(wall.Year(), wall.Month(), wall.Day(), 0, 0, 0, 0, time.UTC)
	if d.Before(s.from) {
		d = s.from
	}
	// Every kind matches at least once in 53 weeks (every 52 weeks on one
	// weekday is the sparsest).
	for range 7*53 + 7 {
		if s.matches(d) {
			if w := d.Add(time.Duration(s.hour)*time.Hour + time.Duration(s.minute)*time.Minute); w.After(wall) {
				return w, true
			}
		}
		d = d.AddDate(0, 0, 1)
	}
	return time.Time{}, false
}

// matches reports whether the schedule runs on date d (UTC midnight).
func (s Spec) matches(d time.Time) bool {
	switch s.kind {
	case kindWeekly:
		if s.days&(1<<d.Weekday()) == 0 || d.Before(s.from) {
			return false
		}
		anchor := epochMonday
		if !s.from.IsZero() {
			anchor = s.from
		}
		return floorMod(weekIndex(d)-weekIndex(anchor), s.weeks) == 0
	case kindMonthly:
		last := daysIn(d.Year(), d.Month())
		if s.monthDay == lastDay || s.monthDay > last {
			// "the 31st" in a 30-day month runs on the 30th rather than
			// skipping the month.
			return d.Day() == last
		}
		return d.Day() == s.monthDay
	}
	return false
}

// weekIndex numbers Monday-to-Sunday weeks from epochMonday. It counts
// through Unix seconds because time.Duration overflows after 292 years.
func weekIndex(d time.Time) int {
	days := floorDiv(int(d.Unix()-epochMonday.Unix()), 24*60*60)
	return floorDiv(days, 7)
}

func floorDiv(a, b int) int {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}

func floorMod(a, b int) int { return a - floorDiv(a, b)*b }

func daysIn(y int, m time.Month) int {
	return time.Date(y, m+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

// naive reads t's wall clock as if it were UTC.
func naive(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), time.UTC)
}

// resolve finds the instant a wall-clock time w (read as UTC) happens in
// loc: its first occurrence when the clock shows it twice, and the end of
// the gap when the clock skips it. time.Date leaves both choices open, so
// the offsets on either side of the nearest transitions are tried.
func resolve(w time.Time, loc *time.Location) time.Time {
	t := time.Date(w.Year(), w.Month(), w.Day(), w.Hour(), w.Minute(), w.Second(), w.Nanosecond(), loc)
	start, end := t.ZoneBounds()
	probes := []time.Time{t}
	if !start.IsZero() {
		probes = append(probes, start.Add(-time.Second))
	}
	if !end.IsZero() {
		probes = append(probes, end)
	}
	var best time.Time
	for _, p := range probes {
		_, off := p.Zone()
		c := w.Add(-time.Duration(off) * time.Second).In(loc)
		if naive(c).Equal(w) && (best.IsZero() || c.Before(best)) {
			best = c
		}
	}
	if !best.IsZero() {
		return best
	}
	for _, tr := range []time.Time{start, end} {
		if !tr.IsZero() && naive(tr.Add(-time.Nanosecond).In(loc)).Before(w) && !naive(tr.In(loc)).Before(w) {
			return tr.In(loc)
		}
	}
	return t
}

// String is the schedule in canonical form, which Parse reads back to the
// same Spec: "every monday 09:00 Europe/Berlin", "0 9 * * 1 UTC".
func (s Spec) String() string {
	if s.kind == 0 {
		return ""
	}
	at := fmt.Sprintf("%02d:%02d", s.hour, s.minute)
	switch s.kind {
	case kindCron:
		return s.cronText + " " + s.zone
	case kindMonthly:
		return "monthly on the " + dayOfMonth(s.monthDay) + " " + at + " " + s.zone
	}
	if s.weeks == 1 {
		return "every " + dayList(s.days, false) + " " + at + " " + s.zone
	}
	text := fmt.Sprintf("every %d weeks on %s %s", s.weeks, weeksDayList(s.days, false), at)
	if !s.from.IsZero() {
		text += " from " + s.from.Format(time.DateOnly)
	}
	return text + " " + s.zone
}

// Describe says in words when the schedule runs: "every Monday at 09:00
// (Europe/Berlin)".
func (s Spec) Describe() string {
	if s.kind == 0 {
		return "never"
	}
	at := fmt.Sprintf("at %02d:%02d (%s)", s.hour, s.minute, s.zone)
	switch s.kind {
	case kindCron:
		return fmt.Sprintf("on the cron schedule %q (%s)", s.cronText, s.zone)
	case kindMonthly:
		return "monthly on the " + dayOfMonth(s.monthDay) + " " + at
	}
	if s.weeks == 1 {
		return "every " + dayList(s.days, true) + " " + at
	}
	text := fmt.Sprintf("every %d weeks on %s at %02d:%02d", s.weeks, weeksDayList(s.days, true), s.hour, s.minute)
	if !s.from.IsZero() {
		text += ", starting " + s.from.Format("Mon 2 Jan 2006")
	}
	return text + " (" + s.zone + ")"
}

const (
	allDays  uint8 = 1<<7 - 1
	workDays uint8 = allDays &^ (1<<time.Saturday | 1<<time.Sunday)
)

// dayList names the days of a weekly schedule: "day", "weekday",
// "monday and thursday".
func dayList(mask uint8, title bool) string {
	switch mask {
	case allDays:
		return "day"
	case workDays:
		return "weekday"
	}
	return listDays(mask, title)
}

// weeksDayList names the days of an every-N-weeks schedule, where "every
// 2 weeks on weekdays" reads better than a list of five days.
func weeksDayList(mask uint8, title bool) string {
	if mask == workDays {
		return "weekdays"
	}
	return listDays(mask, title)
}

// listDays names the days in a mask, Monday first: "monday, wednesday and
// friday".
func listDays(mask uint8, title bool) string {
	var names []string
	for i := range 7 {
		d := time.Weekday((i + 1) % 7)
		if mask&(1<<d) != 0 {
			name := strings.ToLower(d.String())
			if title {
				name = d.String()
			}
			names = append(names, name)
		}
	}
	if len(names) <= 1 {
		return strings.Join(names, "")
	}
	return strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1]
}

// dayOfMonth writes 1 as "1st", 22 as "22nd" and lastDay as "last day".
func dayOfMonth(d int) string {
	if d == lastDay {
		return "last day"
	}
	suffix := "th"
	if d%100 < 11 || d%100 > 13 {
		switch d % 10 {
		case 1:
			suffix = "st"
		case 2:
			suffix = "nd"
		case 3:
			suffix = "rd"
		}
	}
	return fmt.Sprintf("%d%s", d, suffix)
}
