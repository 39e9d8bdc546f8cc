package flows

import (
	"fmt"
	"strings"
	"time"
)

// ReminderHour is the hour of a person's own day at which personal
// reminders go out: early enough to act on the same day, late enough not
// to ring before work starts.
const ReminderHour = 9

// ReminderAt is ReminderHour in loc on the calendar day of t in loc,
// shifted by days. It is built from the date, not by adding hours, so a
// daylight-saving change in between moves nothing: 09:00 stays 09:00.
func ReminderAt(t time.Time, loc *time.Location, days int) time.Time {
	y, m, d := t.In(loc).Date()
	return time.Date(y, m, d+days, ReminderHour, 0, 0, 0, loc)
}

// ReminderOnDate is ReminderHour in loc on a calendar date (a due date,
// kept as midnight of the day in any zone), shifted by days.
func ReminderOnDate(date time.Time, loc *time.Location, days int) time.Time {
	y, m, d := date.Date()
	return time.Date(y, m, d+days, ReminderHour, 0, 0, 0, loc)
}

// CheckinReminderAt is when a KPI owner is reminded of a check-in that
// closes at closeAt: at ReminderHour of their own day before the close.
func CheckinReminderAt(closeAt time.Time, loc *time.Location) time.Time {
	return ReminderAt(closeAt, loc, -1)
}

// ReminderKind says what a personal reminder is about.
type ReminderKind string

// Kinds of reminders.
const (
	// RemindCheckin asks a KPI owner for their values before a check-in
	// closes.
	RemindCheckin ReminderKind = "checkin"
	// RemindDue tells an action's owner it is due tomorrow.
	RemindDue ReminderKind = "due"
	// RemindOverdue tells an action's owner it is past its due date.
	RemindOverdue ReminderKind = "overdue"
	// RemindSnoozed is a reminder about an action its owner put off.
	RemindSnoozed ReminderKind = "snoozed"
)

// CheckinReminderText asks a KPI owner, in a direct message, for the values
// still missing from them: the KPIs named, when the check-in closes in
// their own time, and how to answer.
func CheckinReminderText(planName string, missing []KPI, closeAt, now time.Time, loc *time.Location) Msg {
	names := make([]Msg, len(missing))
	for i, k := range missing {
		names[i] = Say(kpiName(k).Strong())
	}
	return Sayf("⏰ The KPI check-in for %s closes %s. Still missing from you: %s.\nPress %s, or reply here with %s.",
		User(planName).Strong(), whenText(closeAt, now, loc), andListMsg(names), Text("Enter values").Strong(), Code("values "+ValuesExample(missing)))
}

// ActionReminderText reminds an action's owner, in a direct message, that
// it is due tomorrow, or that it is overdue.
func ActionReminderText(planName string, a Action, kind ReminderKind, now time.Time, loc *time.Location) Msg {
	due := a.Due.Format("Mon 2 Jan")
	var when string
	switch {
	case kind == RemindDue:
		when = "is due tomorrow, " + due
	case dayOf(a.Due).Before(dayOf(now.In(loc))):
		when = "was due on " + due
	default:
		when = "is due on " + due
	}
	return Sayf("⏰ %q (%s) %s. Finished? Press %s. Need a day more? Press %s and I'll remind you tomorrow.",
		User(a.Text), User(planName), when, Text("Done").Strong(), Text("Snooze").Strong())
}

// SnoozedText confirms a snoozed reminder.
func SnoozedText(a Action, until time.Time) Msg {
	return Sayf("😴 I'll remind you about %q again %s.", User(a.Text), until.Format("Mon 2 Jan at 15:04"))
}

// RemindersText confirms reminders turned on or off for a plan.
func RemindersText(planName string, on bool) Msg {
	if on {
		return Sayf("🔔 Reminders for %q are on: I'll send you a direct message the day before a check-in closes while your numbers are missing, and before your actions are due.", User(planName))
	}
	return Sayf("🔕 Reminders for %q are off; the check-in threads still mention you. %s turns them back on.", User(planName), Cmd("remind on"))
}

// whenText says when something happens, in the reader's own time, as
// seen now: "tomorrow at 09:00 (Thu 4 Dec, your time)".
func whenText(t, now time.Time, loc *time.Location) string {
	local := t.In(loc)
	day := local.Format("Monday")
	switch days := dayOf(local).Sub(dayOf(now.In(loc))) / (24 * time.Hour); days {
	case 0:
		day = "today"
	case 1:
		day = "tomorrow"
	}
	return fmt.Sprintf("%s at %s (%s, your time)", day, local.Format("15:04"), local.Format("Mon 2 Jan"))
}

// PlanChoiceText asks which plan a direct message means, when the person
// is in several and named none.
func PlanChoiceText(names []string, example string) Msg {
	ms := make([]Msg, len(names))
	for i, n := range names {
		ms[i] = Say(User(n))
	}
	return Sayf("You are in %d plans: %s. Start with the plan's name to pick one, e.g. %s.",
		len(names), Join(ms, ", "), Code(example))
}

// DirectHelpText lists what racebot answers when someone mentions it or
// writes to it directly.
func DirectHelpText(direct bool) Msg {
	where := "Mention me anywhere I am, in a thread too"
	if direct {
		where = "Here, about your own plans"
	}
	return Sayf("%s: %s, %s or %s, %s for the KPI chart, %s and %s for these reminders. Everything else works with the slash command in the plan's channel.",
		where, Code("status"), Code("review"), Code("values visitors 12.4k, leads 310"), Code("report"), Code("remind off"), Code("remind on"))
}

// AskedHere reports whether a command is one racebot answers in a mention
// or a direct message: reading a plan, recording values, reminders.
func AskedHere(name string) bool {
	switch strings.ToLower(name) {
	case "status", "review", "values", "report", "funnel", "schedule", "remind", "help":
		return true
	}
	return false
}
