package flows

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
)

// CheckinSummary is where a check-in stands: which KPIs have values in it
// and whose numbers are still missing.
type CheckinSummary struct {
	// Updated counts the KPIs with a value (n/a included) in this check-in.
	Updated, Total int
	Lines          []CheckinLine
	// MissingOwners are the distinct owners of the KPIs not yet updated, in
	// the order of the KPIs; KPIs without an owner add nobody.
	MissingOwners []string
	// Nobody is set while no KPI has been updated.
	Nobody bool
}

// CheckinLine is one KPI in a check-in.
type CheckinLine struct {
	KPI KPI
	// Latest is the newest value given in this check-in, nil while there
	// is none. It may be an n/a.
	Latest *Measurement
	// Previous is the newest value with a number from outside this
	// check-in (recorded no later than Latest), nil if there is none.
	Previous *Measurement
	// Givers counts the people who gave a value in this check-in.
	Givers int
	// Progress judges every value recorded so far against the target,
	// leaving out those in another currency (see Comparable).
	Progress Progress
}

// OnTheClock is d after t as a clock on the wall in loc counts it: whole
// days are calendar days, so a check-in opened at 09:00 closes at 09:00
// three days on even when the clocks change in between; what is left
// over a whole day is added as elapsed time.
func OnTheClock(t time.Time, d time.Duration, loc *time.Location) time.Time {
	days := d / (24 * time.Hour)
	return t.In(loc).AddDate(0, 0, int(days)).Add(d - days*24*time.Hour)
}

// SummarizeCheckin works out a check-in's state from the plan's KPIs and
// every value recorded for them (ms, keyed by KPI id, as storage returns
// them). A KPI counts as updated when it has a value whose Checkin is
// checkin; checkin 0 means "not a check-in", so nothing counts as updated.
func SummarizeCheckin(kpis []KPI, ms map[int64][]Measurement, checkin int64, now time.Time) CheckinSummary {
	s := CheckinSummary{Total: len(kpis)}
	var missing []string
	for _, k := range kpis {
		all := slices.Clone(ms[k.ID])
		slices.SortStableFunc(all, func(a, b Measurement) int { return a.At.Compare(b.At) })
		line := CheckinLine{KPI: k, Progress: KPIProgress(k, Comparable(k, all), now)}
		if checkin != 0 {
			givers := map[string]bool{}
			for i := len(all) - 1; i >= 0; i-- {
				if all[i].Checkin != checkin {
					continue
				}
				if line.Latest == nil {
					line.Latest = &all[i]
				}
				givers[all[i].By] = true
			}
			line.Givers = len(givers)
		}
		for i := len(all) - 1; i >= 0; i-- {
			m := all[i]
			if (checkin != 0 && m.Checkin == checkin) || !present(m.Value) {
				continue
			}
			if line.Latest != nil && m.At.After(line.Latest.At) {
				continue
			}
			line.Previous = &all[i]
			break
		}
		if line.Latest != nil {
			s.Updated++
		} else {
			missing = append(missing, k.Owner)
		}
		s.Lines = append(s.Lines, line)
	}
	s.MissingOwners = distinctOwners(missing)
	s.Nobody = s.Updated == 0
	return s
}

// Comparable returns the measurements that can be set against k's target:
// all of them but money in a currency other than k's, as no exchange rate
// is known here. It returns ms itself when it drops nothing.
func Comparable(k KPI, ms []Measurement) []Measurement {
	foreign := func(m Measurement) bool {
		return k.Unit == UnitCurrency && k.Currency != "" && m.Value.Currency != "" && m.Value.Currency != k.Currency
	}
	if !slices.ContainsFunc(ms, foreign) {
		return ms
	}
	out := make([]Measurement, 0, len(ms))
	for _, m := range ms {
		if !foreign(m) {
			out = append(out, m)
		}
	}
	return out
}

// Text renders the summary: a header "title — 3 of 5 KPIs updated" and one
// line per KPI with its value in this check-in, the target, how far it has
// come from the baseline and its status. Owners are left out so that
// updating the message in place never pings anyone again; the person who
// gave a value is named when the KPI has another owner, or when others
// gave one too, as the value shown may have replaced theirs. Slack does
// not notify the people an edit adds, and the summary is posted before
// any value is in it, but when a racebot stopped between a check-in's
// opening and its summary: the summary then posted may name, once,
// someone who has just given a value in its thread.
func (s CheckinSummary) Text(title string) Msg {
	var b msgBuilder
	if title != "" {
		b.add(title + " — ")
	}
	if s.Total == 0 {
		b.printf("no KPIs to check in on yet; set some with %s.", Cmd("kpi"))
		return b.msg()
	}
	b.printf("%d of %d KPIs updated", s.Updated, s.Total)
	for _, l := range s.Lines {
		b.printf("\n• %s", l.text())
	}
	return b.msg()
}

// text is one KPI's line in the summary.
func (l CheckinLine) text() Msg {
	k := l.KPI
	value := Say(Text("—"))
	if l.Latest != nil {
		value = Say(Text(FormatValue(kpiValue(k, l.Latest.Value))))
		if by := l.Latest.By; by != "" && (l.Givers > 1 || (strings.TrimSpace(k.Owner) != "" && !ownedBy(k.Owner, by))) {
			value = value.Append(" from ", Person(by))
		}
	}
	if l.Previous != nil {
		word := "was"
		if l.Latest == nil {
			word = "last"
		}
		value = value.Append(fmt.Sprintf(" (%s %s)", word, FormatValue(kpiValue(k, l.Previous.Value))))
	}
	m := Sayf("%s: %s · %s", kpiName(k).Strong(), value, targetText(k))
	if pct, ok := percentText(k, l.Progress); ok {
		m = m.Append(" · " + pct + " of the way")
	}
	return m.Append(" · " + statusText(l.Progress.Status))
}

// ownedBy reports whether a KPI's owner, as typed, is the person by: a
// Slack mention of them, or their name where people go by name (the
// terminal).
func ownedBy(owner, by string) bool {
	owner = strings.TrimSpace(owner)
	if ref, ok := storedRef(owner); ok {
		return ref == "@"+by
	}
	return strings.EqualFold(owner, by)
}

// ValueReplaced says what a value just given in a check-in, m, did to
// another person's value of the same KPI in it: all is every value of
// the KPI as storage returns them, m's among them. The check-in's value
// is the one given last (see SummarizeCheckin), so m replaced the one
// given just before it, and one given after it stays. Two people giving
// one KPI a value at once may not see each other's reply, and nothing
// either typed may go unsaid: the one whose value was recorded second
// hears of the other's. Nil when m took the place of no one else's value
// and none stands over it: correcting one's own value is said as usual.
func ValueReplaced(k KPI, all []Measurement, m Measurement) Msg {
	var in []Measurement
	for _, o := range all {
		if o.Checkin == m.Checkin {
			in = append(in, o)
		}
	}
	slices.SortStableFunc(in, func(a, b Measurement) int { return a.At.Compare(b.At) })
	// Storage keeps times to the millisecond.
	same := func(o Measurement) bool {
		return o.By == m.By && o.At.UnixMilli() == m.At.UnixMilli() &&
			o.Value.Missing == m.Value.Missing && o.Value.Amount == m.Value.Amount
	}
	i := slices.IndexFunc(in, same)
	if m.Checkin == 0 || i < 0 {
		return nil
	}
	for i+1 < len(in) && same(in[i+1]) {
		i++
	}
	var said []Msg
	if i > 0 && in[i-1].By != m.By {
		prev := in[i-1]
		said = append(said, Sayf("Replaced %s's %s %s in this check-in.", Person(prev.By), User(k.Name), FormatValue(kpiValue(k, prev.Value))))
	}
	if last := in[len(in)-1]; len(in)-1 > i && last.By != m.By {
		said = append(said, Sayf("%s's %s %s, given after it, stays the check-in's value.", Person(last.By), User(k.Name), FormatValue(kpiValue(k, last.Value))))
	}
	if len(said) == 0 {
		return nil
	}
	return Join(said, " ")
}

// StandsAgain is whose value is a check-in's again once gone, a value
// given in it, was withdrawn (its message deleted, or edited to give the
// KPI none): all is every value of the KPI as the withdrawal left them.
// When gone was the check-in's value (none in it was given after it) and
// the one given last before it is another person's, that person was told
// gone replaced theirs (see ValueReplaced) and hears it stands again
// (StandsAgainText). False otherwise: a withdrawn value that did not
// stand changes nothing shown, and one's own earlier value standing again
// was nobody else's news.
func StandsAgain(all []Measurement, gone Measurement) (Measurement, bool) {
	if gone.Checkin == 0 {
		return Measurement{}, false
	}
	last, ok := checkinValue(all, gone.Checkin)
	// Storage keeps times to the millisecond.
	if !ok || last.By == gone.By || last.At.UnixMilli() > gone.At.UnixMilli() {
		return Measurement{}, false
	}
	return last, true
}

// StillStands says whether m, found standing again (StandsAgain), is
// still its check-in's value among all, every value of its KPI as they
// are now: not withdrawn since, nor replaced by a later one. It returns
// the value as it is now, which its author may have corrected since.
func StillStands(all []Measurement, m Measurement) (Measurement, bool) {
	last, ok := checkinValue(all, m.Checkin)
	if !ok || last.Source != m.Source || last.By != m.By || !last.At.Equal(m.At) {
		return Measurement{}, false
	}
	return last, true
}

// checkinValue is the value of a check-in among all: the one given last.
func checkinValue(all []Measurement, checkin int64) (Measurement, bool) {
	var last *Measurement
	for i, o := range all {
		if o.Checkin == checkin && (last == nil || !o.At.Before(last.At)) {
			last = &all[i]
		}
	}
	if last == nil {
		return Measurement{}, false
	}
	return *last, true
}

// StandsAgainText tells a check-in's thread that m, a value of k, is the
// check-in's again (see StandsAgain).
func StandsAgainText(k KPI, m Measurement) Msg {
	return Sayf("%s's %s %s is the check-in's value again, as the value that replaced it was withdrawn.", Person(m.By), User(k.Name), FormatValue(kpiValue(k, m.Value)))
}

// OlderCheckinText tells someone whose values went into a check-in opened
// at opened, though a newer one opened at newer: the thread they answered
// in is the check-in they chose, and a late value belongs in it, but who
// meant this week's should notice. Dates are in the check-ins' zone.
func OlderCheckinText(opened, newer time.Time) Msg {
	return Sayf("This is for the check-in of %s; the newer one of %s has a thread of its own.",
		opened.Format("Mon 2 Jan"), newer.Format("Mon 2 Jan"))
}

// OpeningText is the message that opens a check-in thread: the KPIs with
// their targets and last values, how to answer, and every owner mentioned
// once at the end. late says the scheduler is catching up after downtime,
// and missed how many check-ins were missed, this one included; a check-in
// on time that stands for missed earlier ones says so too, missed
// counting those.
func OpeningText(planName string, kpis []KPI, ms map[int64][]Measurement, late bool, missed int) Msg {
	var b msgBuilder
	b.printf("📊 KPI check-in for %s", User(planName).Strong())
	switch {
	case late && missed == 1:
		b.add(" (late: racebot was down; 1 check-in was missed and this one catches up)")
	case late && missed > 1:
		b.printf(" (late: racebot was down; %d check-ins were missed and this one catches up)", missed)
	case late:
		b.add(" (late: racebot was down, so this one comes late)")
	case missed == 1:
		b.add(" (1 earlier check-in was missed while racebot was down)")
	case missed > 1:
		b.printf(" (%d earlier check-ins were missed while racebot was down)", missed)
	}
	if len(kpis) == 0 {
		b.printf("\nThis plan has no KPIs yet; set some with %s and I'll ask for their numbers here.", Cmd("kpi"))
		return b.msg()
	}
	var owners []string
	for _, k := range kpis {
		last := "no values yet"
		if m, ok := lastValue(ms[k.ID]); ok {
			last = "last " + FormatValue(kpiValue(k, m.Value))
		}
		b.printf("\n• %s: %s · %s", kpiName(k).Strong(), targetText(k), last)
		owners = append(owners, k.Owner)
	}
	b.printf("\nReply in this thread with your numbers, e.g. %s, or press %s. Write %s for a number you don't have.",
		Code(replyExample(kpis, ms)), Text("Enter values").Strong(), Code("n/a"))
	if o := distinctOwners(owners); len(o) > 0 {
		b.printf("\nOwners: %s", userList(o, " "))
	}
	return b.msg()
}

// userList joins people's texts, such as owners, with sep.
func userList(items []string, sep string) Msg {
	ms := make([]Msg, len(items))
	for i, it := range items {
		ms[i] = Say(User(it))
	}
	return Join(ms, sep)
}

// NudgeText is the one reminder in a check-in thread, mentioning only the
// owners whose numbers are still missing.
func NudgeText(missing []string, s CheckinSummary) Msg {
	head := fmt.Sprintf("%d of %d KPIs updated", s.Updated, s.Total)
	var open []Msg
	for _, l := range s.Lines {
		if l.Latest == nil {
			open = append(open, Say(kpiName(l.KPI)))
		}
	}
	owners := distinctOwners(missing)
	switch {
	case len(open) == 0:
		return Say(Text(head + "; every number is in, thank you!"))
	case len(owners) == 0:
		return Sayf("%s; still open: %s. Anyone can reply here with the numbers.", head, andListMsg(open))
	}
	return Sayf("%s; %s, your numbers are still missing — reply here when you have them. Still open: %s.",
		head, userList(owners, " "), andListMsg(open))
}

// ClosingText closes a check-in: that nobody answered, or how the KPIs
// stand. It names the KPIs still without a value but mentions no one, as
// the nudge already did.
func ClosingText(s CheckinSummary) Msg {
	const late = "Late values can still be added in this thread."
	if s.Nobody {
		return Say(Text("Check-in closed: nobody answered this time. " + late))
	}
	var b msgBuilder
	if s.Updated == s.Total {
		b.printf("Check-in closed: all %d KPIs updated.", s.Total)
	} else {
		b.printf("Check-in closed: %d of %d KPIs updated.", s.Updated, s.Total)
	}
	counts := map[Status]int{}
	for _, l := range s.Lines {
		counts[l.Progress.Status]++
	}
	var tally []string
	for _, st := range []Status{StatusAchieved, StatusOnTrack, StatusAtRisk, StatusOffTrack, StatusNoData} {
		if n := counts[st]; n > 0 {
			emoji, word := statusParts(st)
			tally = append(tally, fmt.Sprintf("%s %d %s", emoji, n, word))
		}
	}
	if len(tally) > 0 {
		b.add("\n" + strings.Join(tally, " · "))
	}
	var open []Msg
	for _, l := range s.Lines {
		if l.Latest == nil {
			open = append(open, Say(kpiName(l.KPI)))
		}
	}
	if len(open) > 0 {
		b.printf("\nNo values for %s. %s", andListMsg(open), late)
	} else {
		b.add("\n" + late)
	}
	return b.msg()
}

// statusParts gives a status its emoji and words.
func statusParts(st Status) (emoji, word string) {
	switch st {
	case StatusOnTrack:
		return "🟢", "on track"
	case StatusAtRisk:
		return "🟡", "at risk"
	case StatusOffTrack:
		return "🔴", "off track"
	case StatusAchieved:
		return "✅", "achieved"
	case StatusEarly:
		return "⚪", "too early to tell"
	}
	return "⚪", "no data"
}

func statusText(st Status) string {
	emoji, word := statusParts(st)
	return emoji + " " + word
}

// percentText is how far a KPI has come from its baseline to its target,
// rounded to a whole percent, when that can be said.
func percentText(k KPI, p Progress) (string, bool) {
	if p.Latest == nil || !k.HasTarget() || math.IsNaN(p.Percent) || math.IsInf(p.Percent, 0) {
		return "", false
	}
	r := math.Round(p.Percent)
	if r == 0 {
		r = 0 // no "-0%"
	}
	return strconv.FormatFloat(r, 'f', 0, 64) + "%", true
}

// targetText is "target 20k a month by 31 Mar 2027", or says there is none.
func targetText(k KPI) string {
	if !k.HasTarget() {
		return "no target"
	}
	s := "target " + TargetValue(k)
	if !k.Deadline.IsZero() {
		s += " by " + k.Deadline.Format("2 Jan 2006")
	}
	return s
}

// kpiValue fills in the KPI's unit and currency where a value leaves them
// out: values are stored in the plan's currency unless the user wrote one.
func kpiValue(k KPI, v Value) Value {
	if v.Unit == "" {
		v.Unit = k.Unit
	}
	if v.Currency == "" && v.Unit == UnitCurrency {
		v.Currency = k.Currency
	}
	return v
}

// lastValue is the newest measurement with a number.
func lastValue(ms []Measurement) (Measurement, bool) {
	var last Measurement
	found := false
	for _, m := range ms {
		if present(m.Value) && (!found || !m.At.Before(last.At)) {
			last, found = m, true
		}
	}
	return last, found
}

// replyExample is a reply that ParseReadings reads for this plan, made
// from the first two KPIs and their last values (or targets), so people
// copy something that works.
func replyExample(kpis []KPI, ms map[int64][]Measurement) string {
	var items []string
	for _, k := range kpis[:min(2, len(kpis))] {
		v := Value{}
		// A value in another currency than the KPI's, from before it
		// moved to this one, would be refused as copied.
		if m, ok := lastValue(Comparable(k, ms[k.ID])); ok {
			v = kpiValue(k, m.Value)
		} else if k.HasTarget() {
			v = kpiValue(k, k.Target)
		}
		if v.Unit == UnitCurrency {
			// A KPI kept without a currency may have a value with one
			// from before such values were refused.
			v.Currency = k.Currency
		}
		num := valueExample(k)
		if present(v) && knownUnit(v.Unit) {
			num = FormatValue(v)
		}
		items = append(items, k.Key+" "+num)
	}
	return strings.Join(items, ", ")
}

// distinctOwners drops empty owners and repeats, keeping the first-seen
// order. A stored reference with a label is the same person as the bare
// one (see storedRef).
func distinctOwners(owners []string) []string {
	var out []string
	seen := map[string]bool{}
	for _, o := range owners {
		o = strings.TrimSpace(o)
		if o == "" {
			continue
		}
		key := o
		if ref, ok := storedRef(o); ok {
			key = "<" + ref + ">"
		}
		if seen[key] {
			continue
		}
		seen[key] = true
		out = append(out, o)
	}
	return out
}
