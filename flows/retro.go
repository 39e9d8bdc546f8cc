package flows

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"time"
)

// ErrNoRetro means there is no such retro, or it belongs to another
// workspace.
var ErrNoRetro = errors.New("no such retro")

// RetroQuestion is one of the three questions that close a quarter.
type RetroQuestion struct {
	ID   string
	Text string
	// Labels start a reply that answers this question whichever one is
	// being asked ("worked: the webinars").
	Labels []string
}

// RetroQuestions are asked in this order, one at a time.
var RetroQuestions = []RetroQuestion{
	{ID: "worked", Text: "What worked this quarter, and why?", Labels: []string{"worked", "what worked", "went well", "good"}},
	{ID: "didnt", Text: "What didn't work, and what got in the way?", Labels: []string{"didn't", "didnt", "didn’t", "what didn't", "not", "bad"}},
	{ID: "change", Text: "What will you change next quarter?", Labels: []string{"change", "next", "next time"}},
}

// RetroQuestionByID finds a retro question and its place.
func RetroQuestionByID(id string) (RetroQuestion, int, bool) {
	for i, q := range RetroQuestions {
		if q.ID == id {
			return q, i, true
		}
	}
	return RetroQuestion{}, 0, false
}

// Retro is one close of a quarter: the plan it closes and the team's
// answers to the three questions, several per question when several
// people answer.
type Retro struct {
	ID      int64
	Team    string
	Plan    PlanID
	Channel string
	// Thread is the transport's handle on the retro's conversation (a
	// Slack thread ts); empty in the terminal.
	Thread  string
	By      string
	At      time.Time
	Answers []RetroAnswer
}

// RetroAnswer is one person's answer to one retro question.
type RetroAnswer struct {
	Question string
	Text     string
	By       string
	At       time.Time
	// Source is the message the answer came from ("channel/ts"), empty in
	// the terminal.
	Source string
	// Labelled marks an answer its author filed by hand, starting it with
	// a question's label ("worked: …"): it stays under that question
	// whatever prompt stood when it was written.
	Labelled bool
}

// Answered reports whether a question has at least one answer.
func (r Retro) Answered(id string) bool {
	for _, a := range r.Answers {
		if a.Question == id {
			return true
		}
	}
	return false
}

// Next is the first question nobody has answered yet.
func (r Retro) Next() (RetroQuestion, bool) {
	for _, q := range RetroQuestions {
		if !r.Answered(q.ID) {
			return q, true
		}
	}
	return RetroQuestion{}, false
}

// RetroLabel reads a label that files a reply under a question ("didn't:
// the ads"), and returns the question and the text after it.
func RetroLabel(text string) (string, string, bool) {
	head, rest, ok := strings.Cut(text, ":")
	if !ok || strings.TrimSpace(rest) == "" {
		return "", "", false
	}
	head = strings.Join(strings.Fields(strings.ToLower(head)), " ")
	for _, q := range RetroQuestions {
		for _, l := range q.Labels {
			if head == l {
				return q.ID, strings.TrimSpace(rest), true
			}
		}
	}
	return "", "", false
}

// RetroQuestionText asks a retro question in the retro's thread, which
// takes answers for as long as it lasts.
func RetroQuestionText(q RetroQuestion) Msg {
	return Sayf("%s\nReply here; start with %s to add to this one later.", RetroAsk(q), Code(q.Labels[0]+":"))
}

// RetroAsk is a retro question alone, for a transport that says in its
// own words how to answer it.
func RetroAsk(q RetroQuestion) Msg {
	_, i, _ := RetroQuestionByID(q.ID)
	return Sayf("%s %s", Text(fmt.Sprintf("Question %d of %d:", i+1, len(RetroQuestions))).Strong(), q.Text)
}

// RetroResumedText says a retro left half answered goes on where it
// stopped.
func RetroResumedText(planName string, r Retro) Msg {
	answered := 0
	for _, q := range RetroQuestions {
		if r.Answered(q.ID) {
			answered++
		}
	}
	return Sayf("Continuing the retro of %q started on %s: %d of %d questions answered so far.", User(planName), r.At.Format("2 Jan"), answered, len(RetroQuestions))
}

// RetroClosedText thanks the team once every question has an answer, and
// points at the next quarter.
func RetroClosedText(planName string) Msg {
	return Sayf("That's all three — the retro is saved. Start next quarter from this plan with %s.", Cmd(`new <name> --from "`+planName+`"`))
}

// RetroMovedText tells a retro's thread that n answers, by the people
// by, were moved from question from to question to, because they were
// written after to was asked: its post was known late.
func RetroMovedText(by []string, n int, from, to RetroQuestion) Msg {
	var whose Msg
	for i, id := range by {
		switch {
		case i == 0:
			whose = Sayf("%s's", Person(id))
		case i == len(by)-1:
			whose = Sayf("%s and %s's", whose, Person(id))
		default:
			whose = Sayf("%s, %s's", whose, Person(id))
		}
	}
	if n == 1 {
		return Sayf("Moved %s answer from %q to %q: it was written after that question was asked.", whose, Text(from.Text), Text(to.Text))
	}
	return Sayf("Moved %s answers from %q to %q: they were written after that question was asked.", whose, Text(from.Text), Text(to.Text))
}

// RetroKPI is one KPI at the close: its target against the last value.
type RetroKPI struct {
	KPI  KPI
	Last *Measurement
	Hit  bool
	// Short is how far the last value stayed from the target, in the
	// KPI's unit; zero when it was hit.
	Short float64
}

// RetroReport is what a quarter came to: each KPI's target against its
// last value, and the actions done and not done.
type RetroReport struct {
	KPIs    []RetroKPI
	Done    []Action
	NotDone []Action
}

// BuildRetro works out the report from the plan and its recorded values.
// Lower-is-better KPIs are hit at or below their target.
func BuildRetro(p *Plan, ms map[int64][]Measurement) RetroReport {
	var r RetroReport
	for _, k := range p.KPIs {
		rk := RetroKPI{KPI: k}
		if m, ok := lastValue(Comparable(k, ms[k.ID])); ok {
			rk.Last = &m
			if k.HasTarget() {
				v, t := m.Value.Amount, k.Target.Amount
				rk.Hit = v >= t
				if !k.HigherIsBetter {
					rk.Hit = v <= t
				}
				if !rk.Hit {
					rk.Short = math.Abs(t - v)
				}
			}
		}
		r.KPIs = append(r.KPIs, rk)
	}
	for _, a := range p.Actions {
		if a.State() == ActionDone {
			r.Done = append(r.Done, a)
		} else {
			r.NotDone = append(r.NotDone, a)
		}
	}
	return r
}

// line is one KPI's line of the report.
func (rk RetroKPI) line() Msg {
	k := rk.KPI
	switch {
	case rk.Last == nil:
		return Sayf("⚪ %s: no values recorded, so nothing to compare with %s.", kpiName(k), targetText(k))
	case !k.HasTarget():
		return Sayf("⚪ %s: last value %s, but there was no target.", kpiName(k), FormatValue(kpiValue(k, rk.Last.Value)))
	}
	last, target := FormatValue(kpiValue(k, rk.Last.Value)), TargetValue(k)
	aim := "a target of " + target
	if !k.HigherIsBetter {
		aim = "a target of at most " + target
	}
	if rk.Hit {
		return Sayf("✅ %s: hit — %s against %s.", kpiName(k), last, aim)
	}
	return Sayf("❌ %s: missed by %s — %s against %s%s.", kpiName(k), shortText(k, rk.Short), last, aim, shareText(k, rk.Last.Value.Amount))
}

// shortText is a gap in the KPI's unit; for a rate, in percentage points,
// which "0.4%" would misstate.
func shortText(k KPI, gap float64) string {
	if k.Unit == UnitPercent {
		if n := fixed(gap, 2); n != "1" {
			return n + " percentage points"
		}
		return "1 percentage point"
	}
	return FormatValue(kpiValue(k, Value{Amount: gap}))
}

// shareText says how much of a higher-is-better target was reached, where
// that reads naturally.
func shareText(k KPI, last float64) string {
	t := k.Target.Amount
	if !k.HigherIsBetter || t <= 0 || last < 0 || k.Unit == UnitPercent {
		return ""
	}
	return fmt.Sprintf(" (%d%% of the target)", int(math.Round(100*last/t)))
}

// Text renders the report, then says the questions follow.
func (r RetroReport) Text(planName string) Msg {
	var b msgBuilder
	b.printf("%s%s", Text("Closing the quarter: ").Strong(), User(planName).Strong())
	if len(r.KPIs) == 0 {
		b.printf("\nNo KPIs were set, so there are no targets to compare; %s sets them for next time.", Cmd("kpi"))
	} else {
		hit := 0
		for _, rk := range r.KPIs {
			if rk.Hit {
				hit++
			}
		}
		b.printf("\n%s (%d of %d hit)", Text("KPIs, target against the last value").Strong(), hit, len(r.KPIs))
		for _, rk := range r.KPIs {
			b.printf("\n• %s", rk.line())
		}
	}
	total := len(r.Done) + len(r.NotDone)
	if total == 0 {
		b.add("\nThe plan had no actions.")
	} else {
		b.printf("\n%s (%d of %d done)", Text("Actions").Strong(), len(r.Done), total)
		for _, a := range r.Done {
			b.printf("\n• ✅ %s", User(a.Text))
		}
		for _, a := range r.NotDone {
			b.printf("\n• %s %s (%s)", statusEmoji(a.State()), User(a.Text), statusWord(a.State()))
		}
	}
	b.printf("\nThree questions close the quarter: what worked, what didn't, and what to change. One at a time, below.")
	return b.msg()
}
